"""Every-visit Monte Carlo control: at the end of each episode, move Q towards the returns that really followed.

    G_t = R_{t+1} + γ G_{t+1}   (G_T = 0),  computed backwards from the end of the episode
    Q(S_t,A_t) ← Q(S_t,A_t) + α [ G_t − Q(S_t,A_t) ]      for every t (every visit), t = T−1, …, 0

No bootstrapping: the target is the whole sampled return, so it is unbiased but noisy, and nothing is learned until
an episode ends. With an ε-greedy behaviour policy this is on-policy control of an ε-soft policy (generalised policy
iteration, with the evaluation done by sampling).

A constant step size α (the book's "constant-α MC", eq. 6.1) rather than the sample average 1/N(s,a): the policy
keeps changing, so old returns should be forgotten, and the page's α means the same thing for every rule.

Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §5.3–5.4 (Monte Carlo control,
ε-soft policies), §6.1 (constant-α MC).

An episode cut off by ``max_episode_steps`` is learned from as it is: its returns stop at the cut (a Monte Carlo
method has no value to bootstrap from). A change of the world mid-episode drops the episode.
"""

from __future__ import annotations

from rlplay.algos.tabular import TabularAgent


def monte_carlo_update(Q, episode, alpha, gamma) -> float:
    """Every-visit constant-α Monte Carlo updates of ``Q`` from one episode's (s, a, r) triples; returns G_0.

    >>> Q = [[0.0, 0.0], [0.0, 0.0]]
    >>> monte_carlo_update(Q, [(0, 1, -0.5), (1, 0, 1.0)], alpha=0.5, gamma=0.9), Q
    (0.4, [[0.0, 0.2], [0.5, 0.0]])
    """
    G = 0.0
    for s, a, r in reversed(episode):
        # G_t = R_{t+1} + γ G_{t+1}
        G = r + gamma * G
        # Q(S_t,A_t) ← Q(S_t,A_t) + α [G_t − Q(S_t,A_t)]
        Q[s][a] += alpha * (G - Q[s][a])
    return G


class MonteCarlo(TabularAgent):
    """Every-visit constant-α Monte Carlo control on a gridworld; see ``TabularAgent``.

    >>> from rlplay.envs.gridworld import Gridworld
    >>> agent = MonteCarlo(Gridworld("seed5"), alpha=0.1, seed=0)
    >>> agent.run_episodes(300) > 0, agent.greedy_path()[1], len(agent.greedy_path()[0]) - 1
    (True, True, 8)
    """

    name = "monte-carlo"

    def forget_episode(self) -> None:
        self.episode: list[tuple[int, int, float]] = []

    def reset(self) -> None:
        self.forget_episode()
        super().reset()

    def after_step(self, s, a, r, s_next, terminated, truncated) -> None:
        self.episode.append((s, a, r))
        if terminated or truncated:
            monte_carlo_update(self.Q, self.episode, self.alpha, self.gamma)
            self.episode = []
