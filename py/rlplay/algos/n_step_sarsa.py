"""n-step SARSA: TD control whose target looks n rewards ahead before it bootstraps.

    G_{τ:τ+n} = R_{τ+1} + γ R_{τ+2} + … + γ^{n−1} R_{τ+n} + γ^n Q(S_{τ+n}, A_{τ+n})   (no Q term past the end)
    Q(S_τ,A_τ) ← Q(S_τ,A_τ) + α [ G_{τ:τ+n} − Q(S_τ,A_τ) ]

n = 1 is SARSA exactly (bit for bit: a test checks); n = ∞ would be constant-α Monte Carlo. When the goal is found,
the reward reaches the n state-action pairs before it at once instead of one per episode: the book's Figure 7.4
shows exactly this on a gridworld.

Why n-step SARSA and not SARSA(λ) with eligibility traces: both interpolate between one-step TD and Monte Carlo,
but n-step does a fixed O(1) amount of work per step (SARSA(λ) updates every traced pair on every step, up to the
whole table), it is exact with no trace cut-off, so the fast loop and the textbook equation agree to the last bit,
and its update is one line a reader can check by hand. The price: an update waits n steps for its target.

Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §7.2 (the box "n-step Sarsa").

The sum is taken backwards, G ← R + γ G starting from the bootstrap, so that n = 1 computes R + γ Q(S′,A′) exactly
as ``sarsa_update`` does. As in ``rlplay.algos.sarsa``, A_{τ+n} is drawn at the start of the step that takes it; an
episode cut off by ``max_episode_steps`` bootstraps its last n pairs from the action the policy would take where it
stopped (drawn with the next step's uniforms).
"""

from __future__ import annotations

from collections import deque

from rlplay.algos.tabular import TabularAgent


def n_step_sarsa_update(Q, s, a, rewards, s_n, a_n, terminated, alpha, gamma) -> float:
    """One n-step SARSA update of ``Q[s][a]`` from the rewards that followed it and the pair (s_n, a_n) it
    bootstraps from (ignored if the episode ``terminated`` within the rewards); returns δ.

    >>> Q = [[0.0, 0.0], [0.5, 1.0]]
    >>> round(n_step_sarsa_update(Q, 0, 1, [-0.1, -0.1], 1, 1, False, alpha=0.5, gamma=0.9), 6)  # −.1 −.09 +.81
    0.62
    """
    # G = γ^n Q(S_{τ+n}, A_{τ+n}), or 0 past the end of the episode
    G = 0.0 if terminated else Q[s_n][a_n]
    for r in reversed(rewards):
        # G ← R + γ G, so G = R_{τ+1} + γ R_{τ+2} + … + γ^n Q(S_{τ+n}, A_{τ+n})
        G = r + gamma * G
    # δ = G − Q(S_τ,A_τ)
    td_error = G - Q[s][a]
    # Q(S_τ,A_τ) ← Q(S_τ,A_τ) + α δ
    Q[s][a] += alpha * td_error
    return td_error


class NStepSarsa(TabularAgent):
    """n-step SARSA on a gridworld; ``n`` (≥ 1) is a plain attribute too. See ``TabularAgent``.

    >>> from rlplay.envs.gridworld import Gridworld
    >>> agent = NStepSarsa(Gridworld("seed5"), n=4, alpha=0.5, seed=0)
    >>> agent.run_episodes(300) > 0, agent.greedy_path()[1], len(agent.greedy_path()[0]) - 1
    (True, True, 8)
    """

    name = "n-step-sarsa"

    def __init__(self, env, *, n: int = 4, **settings):
        if n < 1:
            raise ValueError(f"n must be 1 or more, got {n!r}")
        self.n = n
        super().__init__(env, **settings)

    def forget_episode(self) -> None:
        self.window: deque[tuple[int, int, float]] = deque()  # (S_τ, A_τ, R_{τ+1}) not yet updated
        self.cut_at = -1  # the state where a truncated episode stopped, waiting for its bootstrap action

    def reset(self) -> None:
        self.forget_episode()
        super().reset()

    def _flush(self, s_n, a_n, terminated) -> None:
        """Update every pair still in the window (the episode is over), oldest first."""
        while self.window:
            s, a, r = self.window.popleft()
            rewards = [r, *(r_later for _, _, r_later in self.window)]
            n_step_sarsa_update(self.Q, s, a, rewards, s_n, a_n, terminated, self.alpha, self.gamma)

    def before_act(self, s, a, u_explore, u_action, u_tie) -> None:
        if self.cut_at >= 0:
            a_cut = self.select(self.cut_at, u_explore, u_action, u_tie)
            self._flush(self.cut_at, a_cut, False)
            self.cut_at = -1
        elif len(self.window) == self.n:
            # τ = t − n: its n rewards are in, and A_t (= A_{τ+n}) has just been chosen in S_t
            s_tau, a_tau, r = self.window.popleft()
            rewards = [r, *(r_later for _, _, r_later in self.window)]
            n_step_sarsa_update(self.Q, s_tau, a_tau, rewards, s, a, False, self.alpha, self.gamma)

    def after_step(self, s, a, r, s_next, terminated, truncated) -> None:
        self.window.append((s, a, r))
        if terminated:
            self._flush(s_next, 0, True)
        elif truncated:
            self.cut_at = s_next
