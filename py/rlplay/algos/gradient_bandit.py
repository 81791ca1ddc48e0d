"""The gradient bandit: learn a preference H(a) per arm and pull by their softmax, moved by stochastic gradient ascent.

    π(a) = exp(H(a)) / Σ_b exp(H(b))                       (computed as exp(H(a) − max H), which changes nothing)
    H(A) ← H(A) + α (R − R̄) (1 − π(A))        for the pulled arm A
    H(a) ← H(a) − α (R − R̄) π(a)              for every other arm a
    R̄ = the mean of the rewards before this one (R̄ = R on the first pull): the baseline

Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §2.8 (eq. 2.12; "R̄_t is the
average of the rewards up to but not including time t, with R̄_1 = R_1"); Williams (1992).

A reward above the baseline makes its arm more likely and the others less; below, the reverse. Without the baseline
the preferences would follow the rewards' level rather than their differences (the book's Figure 2.5).

As in ``rlplay.algos.exploration``, every function comes twice with the same float operations in the same order:
for one run (plain Python on lists) and for many runs at once (``*_batch``: NumPy, one row per run); a test checks
that both give the same numbers bit for bit. The pull is ``exploration.softmax`` at τ = 1 on H, with one uniform.
"""

from __future__ import annotations

import itertools
import math

import numpy as np


def action_probabilities(H: list[float]) -> list[float]:
    """π(a) = exp(H(a) − max H) / Σ_b exp(H(b) − max H), the running sum taken left to right.

    >>> action_probabilities([0.0, 0.0, 0.0, 0.0])
    [0.25, 0.25, 0.25, 0.25]
    """
    best = max(H)
    weights = [math.exp(h - best) for h in H]
    total = list(itertools.accumulate(weights))[-1]  # left to right, as np.cumsum (not sum(): 3.12 compensates)
    return [w / total for w in weights]


def pull(pi: list[float], u: float) -> int:
    """The arm drawn from π by inverting its running sum at ``u`` ∈ [0, 1) (``exploration.softmax``'s rule).

    >>> pull([0.25, 0.25, 0.5], 0.3), pull([0.25, 0.25, 0.5], 0.6)
    (1, 2)
    """
    cumulative = list(itertools.accumulate(pi))
    threshold = u * cumulative[-1]
    for a, running in enumerate(cumulative):
        if threshold < running:
            return a
    return len(pi) - 1


def gradient_bandit_update(H: list[float], pi: list[float], arm: int, reward: float, baseline: float, alpha: float):
    """Move the preferences ``H`` (in place) after ``arm`` paid ``reward``, with the π it was pulled by.

    >>> H = [0.0, 0.0]
    >>> gradient_bandit_update(H, [0.5, 0.5], 1, 2.0, 1.0, 0.1); H
    [-0.05, 0.05]
    """
    # H(a) ← H(a) + α (R − R̄) (1[a = A] − π(a))
    step = alpha * (reward - baseline)
    for a in range(len(H)):
        H[a] += step * ((1.0 if a == arm else 0.0) - pi[a])


def action_probabilities_batch(H: np.ndarray) -> np.ndarray:
    """``action_probabilities`` for each row of ``H`` (runs, arms)."""
    weights = np.exp(H - H.max(axis=1, keepdims=True))
    return weights / np.cumsum(weights, axis=1)[:, -1:]


def pull_batch(pi: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``pull`` for each row of ``pi`` (runs, arms), ``u`` (runs,)."""
    cumulative = np.cumsum(pi, axis=1)
    threshold = u * cumulative[:, -1]
    return np.minimum((cumulative <= threshold[:, None]).sum(axis=1), pi.shape[1] - 1)


def gradient_bandit_update_batch(
    H: np.ndarray, pi: np.ndarray, arms: np.ndarray, rewards: np.ndarray, baseline: np.ndarray, alpha: float
) -> None:
    """``gradient_bandit_update`` for each row of ``H`` (in place): ``arms``, ``rewards``, ``baseline`` are (runs,)."""
    step = alpha * (rewards - baseline)
    chosen = np.zeros_like(H)
    chosen[np.arange(len(H)), arms] = 1.0
    # H(a) ← H(a) + α (R − R̄) (1[a = A] − π(a))
    H += step[:, None] * (chosen - pi)
