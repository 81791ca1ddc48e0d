"""Many cart-poles stepped together: one NumPy computation over a batch of independent runs, one column per run.

    state (4, R) = rows x, x_dot, theta, theta_dot;   state ← cartpole_dynamics(state, force)   (Euler, τ = 0.02 s)

The physics is ``rlplay.envs.cartpole.cartpole_dynamics``'s, operation for operation, written out in place over the
batch (``CartPoleBatch.step``: one NumPy call costs as much as the arithmetic of all R runs, and the in-place form
with stacked rows takes about half the calls of calling ``cartpole_dynamics`` on arrays). Each run keeps its own
``CartPole`` for its start states (its own generator, so run r's episodes start where a lone ``CartPole`` with the
same seed starts them). Episodes end as in ``CartPole``: terminated when |x| > 2.4 m or |θ| > 12°, truncated at 500
steps. Every run is always in an episode: the caller starts a run's next episode (``reset_run``) as soon as one
ends, or takes the run out of the batch (``keep``). With few runs left (``PLAIN_PYTHON_RUNS``) a step calls
``cartpole_dynamics`` itself, run by run, on Python floats: the ~40 NumPy calls of the array step then cost more.

Determinism: every run's states are the same bits as a lone ``CartPole`` would give. NumPy's +, −, ×, ÷ on float64
arrays round each operation as Python's floats do, the step does ``cartpole_dynamics``'s operations on the same
operands in the same order, and ``portable_sin_cos`` evaluates the same Taylor series as
``portable_sin``/``portable_cos`` (tests/test_batched_policy_gradient.py checks both against ``CartPole``, bit for bit).
"""

from __future__ import annotations

import struct

import numpy as np
from numpy._core.multiarray import count_nonzero  # np.count_nonzero without its Python wrapper

from rlplay.envs.cartpole import (
    FORCE_MAG,
    GRAVITY,
    HALF_LENGTH,
    MASS_POLE,
    MAX_EPISODE_STEPS,
    POLE_MASS_LENGTH,
    PORTABLE_TRIG_LIMIT,
    TAU,
    THETA_THRESHOLD,
    TOTAL_MASS,
    X_THRESHOLD,
    CartPole,
    cartpole_dynamics,
    is_failed,
)

HISTORY = 512  # states kept, by clock modulo HISTORY: an episode's (at most 500) and the one after its last push
# up to this many runs, a step is ``cartpole_dynamics`` on Python floats, run by run: with few runs, the ~40 NumPy
# calls of the array step cost more than the arithmetic of every run in plain Python (measured: the two paths take
# about the same time at 12 runs natively, at 13 in Pyodide)
PLAIN_PYTHON_RUNS = 12

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
_FORCES = np.array([-FORCE_MAG, FORCE_MAG])  # F by action: 0 = left, 1 = right
_UINT8 = np.dtype(np.uint8)
# |x| and |θ| beyond these end an episode; the velocity rows between them compare with +∞, which nothing exceeds
_LIMITS = np.array([[X_THRESHOLD], [np.inf], [THETA_THRESHOLD], [np.inf]])
_DIVISORS_COS_SIN = np.ascontiguousarray(_DIVISORS[:, ::-1])  # (level, cos|sin, 1): the order CartPoleBatch keeps
_PML_MP_G = np.array([[POLE_MASS_LENGTH], [MASS_POLE], [GRAVITY]])
_PML, _TOTAL_MASS, _HALF_LENGTH, _TAU = (np.array(c) for c in (POLE_MASS_LENGTH, TOTAL_MASS, HALF_LENGTH, TAU))
_FOUR_THIRDS = np.array(4.0 / 3.0)


def _sin_cos_series(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The two Taylor series of ``portable_sin``/``portable_cos`` on every element (exact for |θ| ≤ 0.5 only)."""
    t2 = theta * theta
    # θ²/d for every level, sin's and cos's: (level, 2, R)
    ratios = t2 / _DIVISORS
    # the innermost level: q = 1 − (θ²/d) · 1
    q = _ONE - ratios[0]
    for ratio in ratios[1:]:
        # q ← 1 − (θ²/d) · q, as the single-state series nest it
        np.multiply(ratio, q, out=q)
        np.subtract(_ONE, q, out=q)
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

    ``state`` is (4, R), a view into ``history``: the last ``HISTORY`` states, the state at clock c in
    ``history[c % HISTORY, :4]``, so a finished episode's states are read back rather than copied every step. Row 4 of
    ``history`` is a constant 1, so that ``inputs`` (the state as (R, 1, 5) rows [x, x˙, θ, θ˙, 1]) can be multiplied
    by a policy's weights with its biases as a fifth row, in one call.
    ``step(actions)`` moves every run one step and returns ``(terminated, truncated)``: (R,) booleans, or None when no
    run's episode ended that way. A run whose episode ended must then be reset (``reset_run``) or dropped (``keep``)
    before the next step.

    Per-step costs are what matter here (one NumPy call costs about as much as the arithmetic of all R runs), so
    ``step`` is ``cartpole_dynamics`` written out in place: the same operations on the same operands in the same
    order (so the same bits; the tests compare it with ``CartPole`` step by step), but into buffers made once, with
    the operations that share an operator done as one call on stacked rows; up to ``PLAIN_PYTHON_RUNS`` runs it is
    ``cartpole_dynamics`` itself, run by run (``_step_plain``). Episode lengths are ``clock − starts``
    rather than a counter incremented every step, and the time limit is looked at only from the step on which the
    oldest episode can reach it.
    """

    def __init__(self, seeds):
        self.envs = [CartPole(seed=seed) for seed in seeds]
        self.history = np.ones((HISTORY, 5, len(self.envs)))
        self.history[0, :4] = np.array([env.reset()[0] for env in self.envs], dtype=np.float64).T
        self.clock = 0  # steps the batch has taken
        self.starts = np.zeros(len(self.envs), dtype=np.int64)  # the clock when each run's episode started
        self._next_limit = MAX_EPISODE_STEPS  # the clock at which the oldest episode reaches the time limit
        self._buffers()

    def _buffers(self) -> None:
        """The step's work arrays for the current number of runs, and their views, made once.

        Every operand of the step's NumPy calls is either a 0-d constant or an array of the output's own shape,
        contiguous: NumPy then runs its loop straight away, where a broadcast (a (3, 1) column of constants) or a
        strided view makes it set up an iterator first, which took longer than the arithmetic (about 1 µs a call
        natively). So the constant columns are repeated once per run here."""
        runs = len(self.envs)
        self._rows = [row[:4] for row in self.history]  # history[c % HISTORY, :4] for every c
        self.inputs_by_slot = [row.T[:, None, :] for row in self.history]  # ``inputs`` at clock c: [c % HISTORY]
        self.state = self._rows[self.clock % HISTORY]
        self._force = np.empty(runs)
        # W = [θ˙, cos θ, sin θ]: the operands the first products share; the series leave their q in W[1:3]
        W = np.empty((3, runs))
        self._W, self._W01, self._q, self._theta_dot, self._cos, self._sin = W, W[0:2], W[1:3], W[0], W[1], W[2]
        levels = len(_DIVISORS)
        # θ² once per level of each series, so that θ²/d for all of them is one call on operands of one shape
        self._t2 = np.empty(runs)
        self._t2_levels = np.empty((levels * 2, runs))
        self._divisors = np.repeat(_DIVISORS_COS_SIN.reshape(levels * 2, 1), runs, axis=1)
        self._ratios = np.empty((levels * 2, runs))
        self._ratio_rows = list(self._ratios.reshape(levels, 2, runs))
        # P = [m_p l θ˙, m_p cos θ, g sin θ], then [temp, m_p cos²θ / M, g sin θ]
        self._pml_mp_g = np.repeat(_PML_MP_G, runs, axis=1)
        P = np.empty((3, runs))
        self._P, self._P01, self._temp, self._P1, self._gsin = P, P[0:2], P[0], P[1], P[2]
        self._den, self._num, self._x_acc_term = np.empty(runs), np.empty(runs), np.empty(runs)
        # D = [x˙, x¨, θ˙, θ¨]: Euler's state ← state + τ D
        D = np.empty((4, runs))
        self._D, self._velocities, self._x_acc, self._theta_acc = D, D[0::2], D[1], D[3]
        self._limits = np.repeat(_LIMITS, runs, axis=1)
        self._abs = np.empty((4, runs))
        self._failed = np.empty((4, runs), dtype=bool)
        # the plain-Python step reads and writes a slot's four state rows, (4, R) floats, as one packed block
        self._state_block = struct.Struct(f"{4 * runs}d")
        self._slot_bytes = self.history[0].nbytes

    @property
    def runs(self) -> int:
        return len(self.envs)

    @property
    def lengths(self) -> np.ndarray:
        """Steps taken in each run's current episode."""
        return self.clock - self.starts

    def step(self, actions: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Push each run (actions: 0/False = left, 1/True = right) for τ seconds: ``cartpole_dynamics``, in place.

        Every output array is passed by position: with an ``out=`` keyword, NumPy's keyword parsing made these small
        calls about twice as slow natively (1.1 against 0.5 µs) and 1.4× in Pyodide."""
        if len(self.envs) <= PLAIN_PYTHON_RUNS:
            return self._step_plain(actions)
        mul, sub, div = np.multiply, np.subtract, np.divide
        state = self.state
        theta = state[2]
        # F = +10 N for 1, −10 N for 0
        if actions.dtype != np.bool_:
            actions = np.not_equal(actions, 0)
        force = _FORCES.take(actions.view(_UINT8), 0, self._force)
        # cos θ and sin θ by portable_cos/sin's series (an episode in progress has |θ| ≤ 12° < 0.5 rad):
        # q ← 1 − (θ²/d) · q, innermost level first, both series at once
        t2, t2_levels, q, ratios = self._t2, self._t2_levels, self._q, self._ratio_rows
        mul(theta, theta, t2)
        t2_levels[...] = t2
        div(t2_levels, self._divisors, self._ratios)
        sub(_ONE, ratios[0], q)
        for ratio in ratios[1:]:
            mul(ratio, q, q)
            sub(_ONE, q, q)
        sin, cos, W, P = self._sin, self._cos, self._W, self._P
        mul(theta, sin, sin)  # sin θ = θ · q
        self._theta_dot[...] = state[3]
        # [m_p l θ˙, m_p cos θ, g sin θ]
        mul(self._pml_mp_g, W, P)
        # [m_p l θ˙ θ˙, m_p cos θ cos θ]
        P01 = self._P01
        mul(P01, self._W01, P01)
        temp = self._temp
        mul(temp, sin, temp)
        # temp = (F + m_p l θ˙² sin θ) / (m_c + m_p), beside m_p cos²θ / (m_c + m_p)
        np.add(force, temp, temp)
        div(P01, _TOTAL_MASS, P01)
        # θ¨ = (g sin θ − cos θ · temp) / (l · (4/3 − m_p cos²θ / (m_c + m_p)))
        den, num = self._den, self._num
        sub(_FOUR_THIRDS, self._P1, den)
        mul(_HALF_LENGTH, den, den)
        mul(cos, temp, num)
        sub(self._gsin, num, num)
        theta_acc = self._theta_acc
        div(num, den, theta_acc)
        # x¨ = temp − m_p l θ¨ cos θ / (m_c + m_p)
        term = self._x_acc_term
        mul(_PML, theta_acc, term)
        mul(term, cos, term)
        div(term, _TOTAL_MASS, term)
        sub(temp, term, self._x_acc)
        # explicit Euler: positions use the old velocities; state ← state + τ [x˙, x¨, θ˙, θ¨]
        D = self._D
        self._velocities[...] = state[1::2]
        mul(_TAU, D, D)
        self.clock += 1
        new = self.state = self._rows[self.clock % HISTORY]
        np.add(state, D, new)
        # |x| > 2.4 is x < −2.4 or x > 2.4 (``is_failed``), for every float; rows 1 and 3 (velocities) never fail
        failed = np.greater(np.abs(new, self._abs), self._limits, self._failed)
        terminated = failed[0] | failed[2] if count_nonzero(failed) else None
        if self.clock < self._next_limit:
            return terminated, None
        truncated = self.lengths >= MAX_EPISODE_STEPS
        return terminated, truncated if count_nonzero(truncated) else None

    def _step_plain(self, actions: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """``step`` for a few runs: ``cartpole_dynamics`` and ``is_failed`` themselves, run by run, on Python floats
        (a lone ``CartPole``'s very step), the states read from and written to ``history`` as one packed block."""
        runs = len(self.envs)
        block = self._state_block
        old = block.unpack_from(self.history, (self.clock % HISTORY) * self._slot_bytes)
        forces = [FORCE_MAG if action else -FORCE_MAG for action in actions.tolist()]
        x_, x_dot_, theta_, theta_dot_ = old[:runs], old[runs : 2 * runs], old[2 * runs : 3 * runs], old[3 * runs :]
        x, x_dot, theta, theta_dot = zip(*map(cartpole_dynamics, x_, x_dot_, theta_, theta_dot_, forces), strict=True)
        self.clock += 1
        slot = self.clock % HISTORY
        block.pack_into(self.history, slot * self._slot_bytes, *x, *x_dot, *theta, *theta_dot)
        self.state = self._rows[slot]
        failed = list(map(is_failed, x, theta))
        terminated = np.array(failed) if True in failed else None
        if self.clock < self._next_limit:
            return terminated, None
        truncated = self.lengths >= MAX_EPISODE_STEPS
        return terminated, truncated if count_nonzero(truncated) else None

    @property
    def inputs(self) -> np.ndarray:
        """The state as (R, 1, 5) rows [x, x˙, θ, θ˙, 1] (a view)."""
        return self.inputs_by_slot[self.clock % HISTORY]

    def episode_states(self, r: int, length: int) -> np.ndarray:
        """Run r's states of its last ``length`` steps (before each push), (length, 4), oldest first."""
        slots = np.arange(self.clock - length, self.clock) % HISTORY
        return self.history[slots, :4, r]

    def reset_run(self, r: int) -> None:
        """Start run r's next episode from its own generator's next start state."""
        start, _ = self.envs[r].reset()
        self.state[:, r] = start
        self.starts[r] = self.clock
        self._next_limit = int(self.starts.min()) + MAX_EPISODE_STEPS

    def keep(self, runs) -> None:
        """Keep only ``runs`` (indices, in order): the others leave the batch, and every array shrinks to match."""
        runs = list(runs)
        self.envs = [self.envs[r] for r in runs]
        self.history = np.ascontiguousarray(self.history[:, :, runs])
        self.starts = self.starts[runs]
        self._next_limit = int(self.starts.min()) + MAX_EPISODE_STEPS if runs else 2**62
        self._buffers()
