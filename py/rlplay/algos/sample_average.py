"""The sample-average update: a bandit's estimate of an arm is the mean of the rewards it has paid so far.

    N(a) ← N(a) + 1
    Q(a) ← Q(a) + (r − Q(a)) / N(a)          (the incremental form of the mean; no reward is stored)

Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §2.4; the seed post's
``Q_est[arm] += (reward - Q_est[arm]) / N_count[arm]``.

The bandit demo (``rlplay.demos.bandit``) runs this update vectorised over lanes and runs with the same float
operations in the same order, so both give the same numbers bit for bit (``tests/test_code.py``).
"""

from __future__ import annotations


def initial_estimates(k: int) -> list[float]:
    """Q₀(a): each of the ``k`` arms' estimate before its first pull, 0 for every arm.

    Optimistic initial values (Sutton & Barto §2.6): ``return [5.0] * k``, far above any arm's mean here, and even a
    greedy learner tries every arm once before it settles (the first pull replaces Q₀ by the reward, N being 1).

    >>> initial_estimates(3)
    [0.0, 0.0, 0.0]
    """
    return [0.0] * k


def sample_average_update(Q: list[float], N: list[float], arm: int, reward: float) -> None:
    """Fold ``reward`` from ``arm`` into the estimates ``Q`` and counts ``N`` (both changed in place).

    >>> Q, N = [0.0, 0.0], [0.0, 0.0]
    >>> sample_average_update(Q, N, 1, 2.0); sample_average_update(Q, N, 1, 4.0); Q, N
    ([0.0, 3.0], [0.0, 2.0])
    """
    N[arm] += 1
    # Q(a) ← Q(a) + (r − Q(a)) / N(a)
    Q[arm] += (reward - Q[arm]) / N[arm]
