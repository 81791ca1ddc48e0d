"""The constant step-size update: a bandit's estimate of an arm as an exponential recency-weighted average.

    Q(a) ← Q(a) + α (R − Q(a))          (for the pulled arm; 0 < α ≤ 1)
    Q_{n+1} = (1 − α)ⁿ Q₁ + Σ_i α (1 − α)^(n−i) R_i

Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §2.5 (eq. 2.5–2.6) and §2.6
(optimistic initial values: the book's greedy learner with Q₁ = 5 and α = 0.1).

Unlike the sample average (``rlplay.algos.sample_average``, α = 1/N(a)), the initial estimate Q₁ never leaves
the weighted average entirely: its weight (1 − α)ⁿ decays with every pull, so an optimistic Q₁ keeps a greedy learner
trying arms until their estimates have come down to what they pay.
"""

from __future__ import annotations

import numpy as np


def constant_step_update(Q: list[float], arm: int, reward: float, alpha: float) -> None:
    """Fold ``reward`` from ``arm`` into ``Q`` (in place) with step size ``alpha``.

    >>> Q = [5.0, 5.0]
    >>> constant_step_update(Q, 1, 1.0, 0.1); Q
    [5.0, 4.6]
    """
    # Q(a) ← Q(a) + α (R − Q(a))
    Q[arm] += alpha * (reward - Q[arm])


def constant_step_update_batch(Q: np.ndarray, arms: np.ndarray, rewards: np.ndarray, alpha: float) -> None:
    """``constant_step_update`` for each row of ``Q`` (runs, arms), in place; ``arms``, ``rewards`` are (runs,)."""
    rows = np.arange(len(Q))
    # Q(a) ← Q(a) + α (R − Q(a))
    Q[rows, arms] += alpha * (rewards - Q[rows, arms])
