"""Exploration strategies: how an agent picks an action from its estimates Q, shared by the bandit and Q-learning.

    ε-greedy:   a = a uniformly random action with probability ε, else argmax_a Q(a)
    softmax:    P(a) = exp(Q(a)/τ) / Σ_b exp(Q(b)/τ)        (Boltzmann; computed as exp((Q(a) − max Q)/τ))
    UCB:        a = argmax_a [ Q(a) + c · √(ln t / N(a)) ],  untried actions (N(a) = 0) first

Ties for the maximum are broken uniformly at random: with Q initialised to zeros every action ties at the start,
and "the first maximum" would make the agent march in one direction.

Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §2.2–2.3 (ε-greedy), §2.7
(UCB), §13.1 (softmax in action preferences); the seed post's ``epsilon_greedy``, ``softmax_explore`` and
``ucb_select``.

Each strategy comes twice, with the same rule for every draw:

- for one state (``epsilon_greedy``, ``softmax``, ``ucb``): plain Python on a list of floats, for hot loops that
  take one step at a time (a NumPy call per step costs far more than the arithmetic, worst in the browser);
- for many independent runs at once (``*_batch``): NumPy on arrays of shape (runs, n_actions), one row per run.

Randomness comes in as uniform numbers in [0, 1) drawn by the caller from its ``np.random.Generator`` (see
``Uniforms``), so a choice is a pure function of (estimates, uniforms): reproducible, and identical for both
versions (a test checks). ε-greedy and the tie-break use only comparisons and products; softmax needs ``exp`` and UCB
``log`` and ``sqrt``. ``sqrt`` is exact everywhere; ``exp``/``log`` could differ in the last bit between C
libraries (glibc natively, musl in the browser), which changes a choice only if it lands within that bit of a
boundary.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

EXPLORERS = ("epsilon-greedy", "softmax", "ucb")


class Uniforms:
    """Uniform numbers in [0, 1) from a ``np.random.Generator``, drawn in blocks and handed out in order.

    A block (``rng.random(block).tolist()``) costs about as much as a handful of single draws, and a Python float
    from a list is far cheaper than a NumPy scalar. The sequence does not depend on how it is consumed: hot loops may
    alias ``buffer`` and ``position``, and must store ``position`` back (and call ``refill`` when it reaches
    ``block``).

    >>> u = Uniforms(np.random.default_rng(0), block=4)
    >>> [round(u.next(), 3) for _ in range(6)] == [round(x, 3) for x in np.random.default_rng(0).random(8)[:6]]
    True
    """

    def __init__(self, rng: np.random.Generator, block: int = 4096):
        self.rng = rng
        self.block = block
        self.buffer: list[float] = []
        self.position = 0
        self.refill()

    def refill(self) -> list[float]:
        self.buffer = self.rng.random(self.block).tolist()
        self.position = 0
        return self.buffer

    def next(self) -> float:
        if self.position == self.block:
            self.refill()
        u = self.buffer[self.position]
        self.position += 1
        return u


# -- one state, plain Python -------------------------------------------------------------------------------------
def greedy(q: list[float], u_tie: float) -> int:
    """argmax of ``q``, ties broken by ``u_tie``: the ``⌊u_tie · k⌋``-th of the ``k`` maxima.

    >>> greedy([0.0, 0.5, 0.5], 0.2), greedy([0.0, 0.5, 0.5], 0.7)
    (1, 2)
    """
    best = max(q)
    if q.count(best) == 1:
        return q.index(best)
    ties = [a for a, value in enumerate(q) if value == best]
    return ties[int(u_tie * len(ties))]


def epsilon_greedy(q: list[float], epsilon: float, u_explore: float, u_action: float, u_tie: float) -> int:
    """ε-greedy: a random action (``⌊u_action · n⌋``) if ``u_explore < ε``, else ``greedy(q, u_tie)``.

    >>> epsilon_greedy([0.0, 1.0, 0.0], 0.1, 0.05, 0.9, 0.0), epsilon_greedy([0.0, 1.0, 0.0], 0.1, 0.5, 0.9, 0.0)
    (2, 1)
    """
    # a ~ uniform with probability ε, argmax_a Q(a) otherwise
    if u_explore < epsilon:
        return int(u_action * len(q))
    return greedy(q, u_tie)


def softmax(q: list[float], tau: float, u: float) -> int:
    """Boltzmann exploration: sample ``a`` with P(a) ∝ exp((Q(a) − max Q)/τ), by inverting the CDF at ``u``.

    Shifting by max Q changes nothing in P(a) but keeps every exponent ≤ 0, so nothing overflows as τ → 0: the
    best actions get exp(0) = 1 and the others underflow to 0, i.e. greedy with random tie-breaking.

    >>> softmax([0.0, 1.0], tau=1e-4, u=0.0), softmax([0.0, 0.0], tau=1.0, u=0.6)
    (1, 1)
    """
    if not tau > 0.0:
        raise ValueError(f"the softmax temperature τ must be positive, got {tau!r}")
    best = max(q)
    # weight(a) = exp((Q(a) − max Q) / τ)
    weights = [math.exp((value - best) / tau) for value in q]
    # Running sums, left to right, as np.cumsum does. Not sum(): from Python 3.12 (the browser's) it compensates
    # rounding errors, and 3.11 does not, so the two would disagree in the last bit.
    cumulative = list(itertools.accumulate(weights))
    threshold = u * cumulative[-1]
    for a, running in enumerate(cumulative):
        if threshold < running:
            return a
    return len(q) - 1  # u · Σw rounded up to Σw


def ucb(q: list[float], n: list[int], t: int, c: float, u_tie: float) -> int:
    """Upper confidence bound: an untried action if any (ties by ``u_tie``), else argmax Q(a) + c·√(ln t / N(a)).

    ``t`` is the number of choices made so far, this one included (t ≥ 1).

    >>> ucb([5.0, 0.0, 0.0], [3, 0, 1], t=5, c=2.0, u_tie=0.0), ucb([1.0, 0.9], [100, 1], t=101, c=2.0, u_tie=0.0)
    (1, 1)
    """
    if 0 in n:
        untried = [a for a, count in enumerate(n) if count == 0]
        return untried[int(u_tie * len(untried))]
    log_t = math.log(t)
    # score(a) = Q(a) + c · √(ln t / N(a))
    scores = [value + c * math.sqrt(log_t / count) for value, count in zip(q, n, strict=True)]
    return greedy(scores, u_tie)


# -- many runs at once, NumPy ------------------------------------------------------------------------------------
def greedy_batch(Q: np.ndarray, u_tie: np.ndarray) -> np.ndarray:
    """``greedy`` for each row of ``Q`` (runs, n_actions), ``u_tie`` (runs,): the ``⌊u·k⌋``-th of the k maxima."""
    is_max = Q == Q.max(axis=1, keepdims=True)
    k = is_max.sum(axis=1)
    pick = (u_tie * k).astype(np.int64)  # 0 .. k−1
    # the (pick+1)-th True of each row is the first column where the running count of maxima exceeds pick
    return (np.cumsum(is_max, axis=1) > pick[:, None]).argmax(axis=1)


def epsilon_greedy_batch(
    Q: np.ndarray, epsilon: float, u_explore: np.ndarray, u_action: np.ndarray, u_tie: np.ndarray
) -> np.ndarray:
    """``epsilon_greedy`` for each row of ``Q``."""
    random_action = (u_action * Q.shape[1]).astype(np.int64)
    # a ~ uniform with probability ε, argmax_a Q(a) otherwise
    return np.where(u_explore < epsilon, random_action, greedy_batch(Q, u_tie))


def softmax_batch(Q: np.ndarray, tau: float, u: np.ndarray) -> np.ndarray:
    """``softmax`` for each row of ``Q``."""
    if not tau > 0.0:
        raise ValueError(f"the softmax temperature τ must be positive, got {tau!r}")
    # weight(a) = exp((Q(a) − max Q) / τ), every exponent ≤ 0
    weights = np.exp((Q - Q.max(axis=1, keepdims=True)) / tau)
    cumulative = np.cumsum(weights, axis=1)
    threshold = u * cumulative[:, -1]
    # the first action whose cumulative weight exceeds u · Σw
    return np.minimum((cumulative <= threshold[:, None]).sum(axis=1), Q.shape[1] - 1)


def ucb_batch(Q: np.ndarray, N: np.ndarray, t: int, c: float, u_tie: np.ndarray) -> np.ndarray:
    """``ucb`` for each row of ``Q`` and counts ``N``; ``t`` (the same for every run) counts choices so far, this one
    included."""
    log_t = math.log(t)  # one libm call shared by all runs, as in ``ucb``
    with np.errstate(divide="ignore"):
        # score(a) = Q(a) + c · √(ln t / N(a)); an untried action scores +∞, so untried ones come first
        scores = np.where(N == 0, np.inf, Q + c * np.sqrt(log_t / np.maximum(N, 1)))
    return greedy_batch(scores, u_tie)
