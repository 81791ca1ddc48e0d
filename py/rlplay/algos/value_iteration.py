"""Value iteration: sweep the Bellman optimality backup over a known model until the values stop changing.

    V_{k+1}(s) = max_a [ R(s,a) + γ Σ_s′ P(s′|s,a) V_k(s′) ]          (Bellman optimality backup)
    Δ_k = max_s |V_{k+1}(s) − V_k(s)|,   stop when Δ_k < θ (or after ``max_sweeps``)
    π*(s) = argmax_a [ R(s,a) + γ Σ_s′ P(s′|s,a) V*(s′) ]

Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §4.4; the seed post's
``value_iteration``. Unlike the seed, which re-codes the grid physics inside the loop, this reads the model
(``P``, ``R``) from the environment (``Gridworld.model``), and it sweeps synchronously (every state is backed up
from the previous sweep's values, Jacobi style) so one sweep is a few whole-array NumPy operations.

The sums are elementwise products reduced with ``ndarray.sum`` rather than ``P @ V``: matrix products may go
through BLAS, whose summation order differs between machines, and the browser and native results must agree bit
for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ValueIterationResult:
    V: np.ndarray
    """V*(s), shape (n_states,)."""
    policy: np.ndarray
    """A greedy action of V* in each state (the first best one), shape (n_states,), int."""
    Q: np.ndarray
    """Q*(s,a) = R(s,a) + γ Σ P(s′|s,a) V*(s′), shape (n_states, n_actions)."""
    deltas: list[float]
    """Δ of each sweep: the largest change of V in that sweep."""
    converged: bool
    """Whether Δ fell below θ within ``max_sweeps``."""

    @property
    def sweeps(self) -> int:
        return len(self.deltas)


def q_from_v(P: np.ndarray, R: np.ndarray, V: np.ndarray, gamma: float) -> np.ndarray:
    """Q(s,a) = R(s,a) + γ Σ_s′ P(s′|s,a) V(s′), as an elementwise product summed (never BLAS: see the module)."""
    # Q(s,a) = R(s,a) + γ Σ_s′ P(s′|s,a) V(s′)
    return R + gamma * (P * V).sum(axis=2)


def bellman_optimality_sweep(P: np.ndarray, R: np.ndarray, V: np.ndarray, gamma: float) -> tuple[np.ndarray, float]:
    """One synchronous sweep: ``(V_{k+1}, Δ)`` with V_{k+1}(s) = max_a Q_k(s,a) and Δ = max_s |V_{k+1}(s) − V_k(s)|.

    >>> P = np.array([[[0.0, 1.0]], [[0.0, 1.0]]]); R = np.array([[1.0], [0.0]])
    >>> V, delta = bellman_optimality_sweep(P, R, np.zeros(2), 0.9); V.tolist(), delta
    ([1.0, 0.0], 1.0)
    """
    # V_{k+1}(s) = max_a [R(s,a) + γ Σ_s′ P(s′|s,a) V_k(s′)]
    V_new = q_from_v(P, R, V, gamma).max(axis=1)
    # Δ = max_s |V_{k+1}(s) − V_k(s)|
    return V_new, float(np.abs(V_new - V).max())


def value_iteration(
    P: np.ndarray, R: np.ndarray, gamma: float, theta: float = 1e-6, max_sweeps: int = 5000
) -> ValueIterationResult:
    """Optimal values and a greedy policy of a finite MDP.

    ``P`` has shape (n_states, n_actions, n_states), ``R`` (n_states, n_actions) (expected reward). With γ = 1
    the sweeps may never settle (e.g. a state that cannot reach a terminal one); ``max_sweeps`` caps them and
    ``converged`` says which happened.

    >>> P = np.array([[[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0], [0.0, 1.0]]])  # state 1 absorbing
    >>> R = np.array([[1.0, 0.0], [0.0, 0.0]])  # action 0 in state 0 pays 1 and ends
    >>> result = value_iteration(P, R, gamma=0.9)
    >>> result.V.tolist(), result.policy.tolist(), result.sweeps
    ([1.0, 0.0], [0, 0], 2)
    """
    P = np.asarray(P, dtype=np.float64)
    R = np.asarray(R, dtype=np.float64)
    n_states, n_actions, _ = P.shape
    if P.shape != (n_states, n_actions, n_states) or R.shape != (n_states, n_actions):
        raise ValueError(f"P must be (S, A, S) and R (S, A); got {P.shape} and {R.shape}")
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be between 0 and 1, got {gamma!r}")
    V = np.zeros(n_states)
    deltas: list[float] = []
    converged = False
    while len(deltas) < max_sweeps:
        V, delta = bellman_optimality_sweep(P, R, V, gamma)
        deltas.append(delta)
        if delta < theta:
            converged = True
            break
    # π*(s) = argmax_a [R(s,a) + γ Σ P V*]
    Q = q_from_v(P, R, V, gamma)
    return ValueIterationResult(V=V, policy=Q.argmax(axis=1), Q=Q, deltas=deltas, converged=converged)
