"""Many cart-poles stepped together: one NumPy computation over a batch of independent runs, one column per run.

    state (4, R) = rows x, x_dot, theta, theta_dot;   state ← cartpole_dynamics(state, force)   (Euler, τ = 0.02 s)

The physics is ``rlplay.envs.cartpole.cartpole_dynamics`` itself, called once on arrays; each run keeps its own
``CartPole`` for its start states (its own generator, so run r's episodes start where a lone ``CartPole`` with the
same seed starts them). Episodes end as in ``CartPole``: terminated when |x| > 2.4 m or |θ| > 12°, truncated at 500
steps.

Determinism: every run's states are the same bits as a lone ``CartPole`` would give. NumPy's +, −, ×, ÷ on float64
arrays round each operation as Python's floats do, in the same order, and ``portable_sin_cos`` evaluates the same
Taylor series as ``portable_sin``/``portable_cos`` (tested bit for bit).
"""

from __future__ import annotations

import numpy as np

from rlplay.envs.cartpole import (
    FORCE_MAG,
    MAX_EPISODE_STEPS,
    PORTABLE_TRIG_LIMIT,
    THETA_THRESHOLD,
    X_THRESHOLD,
    CartPole,
    cartpole_dynamics,
)

# The Horner levels of ``portable_sin`` and ``portable_cos``, innermost first: each level is q ← 1 − (θ²/d) · q,
# from q = 1. sin has one level fewer; its extra innermost level divides by +∞, which leaves q = 1 − 0 · 1 = 1 exactly.
_DIVISORS = np.array(
    [
        [np.inf, 210.0, 156.0, 110.0, 72.0, 42.0, 20.0, 6.0],  # sin θ = θ · q
        [240.0, 182.0, 132.0, 90.0, 56.0, 30.0, 12.0, 2.0],  # cos θ = q
    ]
).T[:, :, None]  # (level, sin|cos, 1)
# 0-d arrays: NumPy takes them faster than Python floats as operands (about half the time per call in Pyodide)
_ONE = np.array(1.0)
_FORCE = np.array(FORCE_MAG)
_TWO_FORCE = np.array(2.0 * FORCE_MAG)


def _sin_cos_series(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two Taylor series of ``portable_sin``/``portable_cos`` on every element (exact for |θ| ≤ 0.5 only)."""
    t2 = theta * theta
    # θ²/d for every level, sin's and cos's: (level, 2, R)
    ratios = t2 / _DIVISORS
    q = np.ones((2,) + theta.shape)
    for ratio in ratios:
        # q ← 1 − (θ²/d) · q, as the single-state series nest it
        q = _ONE - ratio * q
    return theta * q[0], q[1]


def portable_sin_cos(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``portable_sin`` and ``portable_cos`` of every element, the same bits, both series in one pass.

    >>> from rlplay.envs.cartpole import portable_sin, portable_cos
    >>> s, c = portable_sin_cos(np.array([0.1, -0.2]))
    >>> s.tolist() == [portable_sin(0.1), portable_sin(-0.2)] and c.tolist() == [portable_cos(0.1), portable_cos(-0.2)]
    True
    """
    theta = np.asarray(theta, dtype=np.float64)
    sin, cos = _sin_cos_series(theta)
    outside = np.abs(theta) > PORTABLE_TRIG_LIMIT
    if np.count_nonzero(outside):  # beyond the series' range the single-state functions use libm, and so do we
        sin = np.where(outside, np.sin(theta), sin)
        cos = np.where(outside, np.cos(theta), cos)
    return sin, cos


class CartPoleBatch:
    """R independent cart-poles, stepped together. ``seeds[r]`` seeds run r's start states (as ``CartPole(seed)``).

    ``state`` is (4, R). ``step(actions)`` moves every moving run one step and returns ``(terminated, truncated)``,
    (R,) booleans (``truncated`` may be the shared ``not_truncated``: read it, never write it). A run whose episode
    ended should be put on ``hold(r)``: it then stays in its final state, and never ends again, until
    ``reset_run(r)`` starts its next episode.

    Per-step costs are what matter here (one NumPy call costs about as much as the arithmetic of all R runs):
    episode lengths are ``clock − starts`` rather than a counter incremented every step, and the time limit is
    looked at only from the step on which the oldest episode can reach it.
    """

    def __init__(self, seeds):
        self.envs = [CartPole(seed=seed) for seed in seeds]
        self.state = np.array([env.reset()[0] for env in self.envs], dtype=np.float64).T.copy()
        self.clock = 0  # steps the batch has taken
        self.starts = np.zeros(len(self.envs), dtype=np.int64)  # the clock when each run's episode started
        self.moving = np.ones(len(self.envs), dtype=bool)
        self.not_truncated = np.zeros(len(self.envs), dtype=bool)
        self._all_moving = True
        self._next_limit = MAX_EPISODE_STEPS  # the clock at which the oldest moving episode reaches the time limit

    @property
    def lengths(self) -> np.ndarray:
        """Steps taken in each run's current episode (meaningless for a run on hold)."""
        return self.clock - self.starts

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Push each moving run (0 = left, 1 = right) for τ seconds."""
        # F = +10 N for 1, −10 N for 0
        force = actions * _TWO_FORCE - _FORCE
        x, x_dot, theta, theta_dot = self.state
        # an unfinished episode has |θ| ≤ 12° < 0.5 rad: the series alone give portable_sin/cos's bits (a run on
        # hold may be past that, but its step is thrown away)
        sin, cos = _sin_cos_series(theta)
        # the one dynamics function, with this step's sin θ and cos θ already computed for all runs
        new = np.array(cartpole_dynamics(x, x_dot, theta, theta_dot, force, sin=lambda _: sin, cos=lambda _: cos))
        self.clock += 1
        # |x| > 2.4 is x < −2.4 or x > 2.4 (``is_failed``), for every float
        terminated = (np.abs(new[0]) > X_THRESHOLD) | (np.abs(new[2]) > THETA_THRESHOLD)
        if self._all_moving:
            self.state = new
        else:
            self.state = np.where(self.moving, new, self.state)
            terminated &= self.moving
        if self.clock < self._next_limit:
            return terminated, self.not_truncated
        return terminated, (self.lengths >= MAX_EPISODE_STEPS) & self.moving

    def hold(self, r: int) -> None:
        """Stop moving run r (its episode ended) until ``reset_run(r)``."""
        self.moving[r] = False
        self._moved()

    def reset_run(self, r: int) -> None:
        """Start run r's next episode from its own generator's next start state."""
        start, _ = self.envs[r].reset()
        self.state[:, r] = start
        self.starts[r] = self.clock
        self.moving[r] = True
        self._moved()

    def _moved(self) -> None:
        self._all_moving = bool(self.moving.all())
        starts = self.starts[self.moving]
        self._next_limit = int(starts.min()) + MAX_EPISODE_STEPS if len(starts) else 2**62
