"""Expected SARSA: TD control whose target averages over the next action instead of sampling it.

    Q(S,A) ← Q(S,A) + α [ R + γ Σ_a′ π(a′|S′) Q(S′,a′) − Q(S,A) ]      (target R alone when S′ is terminal)

For ε-greedy π over n actions the expectation is (ε/n) Σ_a′ Q(S′,a′) + (1 − ε) max_a′ Q(S′,a′) (the greedy share
1 − ε may be split among tied maxima: they all have the same value). With ε = 0 that is max_a′ Q(S′,a′), and
Expected SARSA is Q-learning, step for step and bit for bit (0 · Σ + 1 · max is max exactly; a test checks).
Softmax uses its own probabilities; UCB, whose choice is deterministic up to ties, uses the greedy target.

Removing the sampling of A′ removes a source of variance: Expected SARSA tolerates larger α than SARSA.

Source: van Seijen, van Hasselt, Whiteson & Wiering (2009); Sutton & Barto, *Reinforcement Learning: An
Introduction* (2nd ed., 2018), §6.6.
"""

from __future__ import annotations

import itertools
import math

from rlplay.algos.tabular import TabularAgent


def expected_value(q, explore, epsilon, tau) -> float:
    """Σ_a π(a|s) Q(s,a) for the behaviour policy π on one row ``q`` of Q.

    >>> expected_value([0.0, 1.0, 0.0, 4.0], "epsilon-greedy", 0.5, 0.0)  # 0.5/4 · 5 + 0.5 · 4
    2.625
    """
    if explore == "epsilon-greedy":
        # Σ π Q = (ε/n) Σ_a Q(s,a) + (1 − ε) max_a Q(s,a)
        return epsilon / len(q) * sum(q) + (1.0 - epsilon) * max(q)
    if explore == "softmax":
        best = max(q)
        weights = [math.exp((value - best) / tau) for value in q]
        total = list(itertools.accumulate(weights))[-1]  # left-to-right sums, as ``exploration.softmax``
        # Σ π Q with π(a) = exp((Q(a) − max Q)/τ) / Σ_b exp((Q(b) − max Q)/τ)
        return list(itertools.accumulate(w * value for w, value in zip(weights, q, strict=True)))[-1] / total
    return max(q)


def expected_sarsa_update(Q, s, a, r, s_next, terminated, alpha, gamma, expected_next) -> float:
    """One Expected SARSA update of ``Q[s][a]``; ``expected_next`` = Σ_a′ π(a′|s_next) Q(s_next,a′); returns δ.

    >>> Q = [[0.0, 0.0], [0.5, 1.0]]
    >>> expected_sarsa_update(Q, 0, 1, -0.1, 1, False, 0.5, 0.9, expected_value(Q[1], "epsilon-greedy", 0.5, 0.0))
    0.6875
    """
    # target = R + γ Σ_a′ π(a′|S′) Q(S′,a′)   (R alone if S′ is terminal)
    td_target = r if terminated else r + gamma * expected_next
    # δ = target − Q(S,A)
    td_error = td_target - Q[s][a]
    # Q(S,A) ← Q(S,A) + α δ
    Q[s][a] += alpha * td_error
    return td_error


class ExpectedSarsa(TabularAgent):
    """Expected SARSA on a gridworld; see ``TabularAgent`` for the settings and read-outs.

    >>> from rlplay.envs.gridworld import Gridworld
    >>> agent = ExpectedSarsa(Gridworld("seed5"), alpha=0.5, seed=0)
    >>> agent.run_episodes(300) > 0, agent.greedy_path()[1], len(agent.greedy_path()[0]) - 1
    (True, True, 8)
    """

    name = "expected-sarsa"

    def after_step(self, s, a, r, s_next, terminated, truncated) -> None:
        expected_next = 0.0 if terminated else expected_value(self.Q[s_next], self.explore, self.epsilon_now, self.tau)
        expected_sarsa_update(self.Q, s, a, r, s_next, terminated, self.alpha, self.gamma, expected_next)
