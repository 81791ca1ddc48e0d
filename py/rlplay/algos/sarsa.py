"""SARSA: on-policy TD control, learning the value of the actions the agent actually takes next.

    Q(S,A) ← Q(S,A) + α [ R + γ Q(S′,A′) − Q(S,A) ]      (target R alone when S′ is terminal)

A′ is the action the behaviour policy (e.g. ε-greedy) really takes in S′, chosen before Q(S,A) is updated, so SARSA
learns the values of the exploring policy itself. On the cliff that makes it prefer the safe path away from the
edge, while Q-learning learns the edge path and keeps falling off it while it explores (Example 6.6).

Source: Rummery & Niranjan (1994); Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §6.4.

In the loop of ``rlplay.algos.tabular``, A′ is drawn at the start of the next step with that step's uniforms, and
the update waits for it (``before_act``). An episode cut off by ``max_episode_steps`` still bootstraps: A′ at the
last state is drawn with the next step's uniforms (which also pick the first action of the next episode).
"""

from __future__ import annotations

from rlplay.algos.tabular import TabularAgent


def sarsa_update(Q, s, a, r, s_next, a_next, terminated, alpha, gamma) -> float:
    """One SARSA update of ``Q[s][a]`` after s, a → r, s_next and the next action a_next; returns δ.

    >>> Q = [[0.0, 0.0], [0.5, 1.0]]
    >>> sarsa_update(Q, 0, 1, -0.1, 1, 0, False, alpha=0.5, gamma=0.9), Q[0]
    (0.35, [0.0, 0.175])
    """
    # target = R + γ Q(S′,A′)   (R alone if S′ is terminal)
    td_target = r if terminated else r + gamma * Q[s_next][a_next]
    # δ = target − Q(S,A)
    td_error = td_target - Q[s][a]
    # Q(S,A) ← Q(S,A) + α δ
    Q[s][a] += alpha * td_error
    return td_error


class Sarsa(TabularAgent):
    """SARSA on a gridworld; see ``TabularAgent`` for the settings and read-outs.

    >>> from rlplay.envs.gridworld import Gridworld
    >>> agent = Sarsa(Gridworld("seed5"), alpha=0.1, seed=0)
    >>> agent.run_episodes(300) > 0, agent.greedy_path()[1], len(agent.greedy_path()[0]) - 1
    (True, True, 8)
    """

    name = "sarsa"

    def forget_episode(self) -> None:
        self.pending = None  # (S, A, R, S′, truncated): the transition waiting for A′

    def reset(self) -> None:
        self.pending = None
        super().reset()

    def before_act(self, s, a, u_explore, u_action, u_tie) -> None:
        if self.pending is None:
            return
        s_prev, a_prev, r, s_next, truncated = self.pending
        # A′ is the action now being taken in S′, or, after a cut-off, the one the policy would take there
        a_next = self.select(s_next, u_explore, u_action, u_tie) if truncated else a
        sarsa_update(self.Q, s_prev, a_prev, r, s_next, a_next, False, self.alpha, self.gamma)
        self.pending = None

    def after_step(self, s, a, r, s_next, terminated, truncated) -> None:
        if terminated:
            sarsa_update(self.Q, s, a, r, s_next, 0, True, self.alpha, self.gamma)
        else:
            self.pending = (s, a, r, s_next, truncated)
