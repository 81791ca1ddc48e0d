"""Policy iteration: evaluate a policy, make it greedy with respect to its values, repeat until it stops changing.

    evaluation (iterative, sweep by sweep):  V_{k+1}(s) = R(s,π(s)) + γ Σ_s′ P(s′|s,π(s)) V_k(s′)
                                             until Δ = max_s |V_{k+1}(s) − V_k(s)| < θ
    improvement:                             π′(s) = argmax_a [ R(s,a) + γ Σ_s′ P(s′|s,a) V_π(s′) ]
    stop when π′ = π (the policy is stable: it is optimal)

The improvement keeps the old action where it is still among the best (ties within ``tolerance``), so a policy that
is already optimal is reported stable instead of flipping between equally good actions forever.

Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §4.1 (iterative policy
evaluation), §4.2 (policy improvement), §4.3 (the box "Policy Iteration"). The sums are elementwise products, as in
``rlplay.algos.value_iteration`` (bit-identical in the browser).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlplay.algos.value_iteration import q_from_v


def policy_evaluation_sweep(P, R, V, policy, gamma) -> tuple[np.ndarray, float]:
    """One synchronous sweep of iterative policy evaluation for a deterministic ``policy``: ``(V_{k+1}, Δ)``.

    >>> P = np.array([[[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0], [0.0, 1.0]]]); R = np.array([[1.0, -1.0], [0.0, 0.0]])
    >>> V, delta = policy_evaluation_sweep(P, R, np.zeros(2), np.array([1, 0]), 0.9); V.tolist(), delta
    ([-1.0, 0.0], 1.0)
    """
    states = np.arange(len(V))
    # V_{k+1}(s) = R(s,π(s)) + γ Σ_s′ P(s′|s,π(s)) V_k(s′)
    V_new = R[states, policy] + gamma * (P[states, policy] * V).sum(axis=1)
    # Δ = max_s |V_{k+1}(s) − V_k(s)|
    return V_new, float(np.abs(V_new - V).max())


def policy_improvement(P, R, V, policy, gamma, tolerance=1e-9) -> tuple[np.ndarray, int]:
    """The greedy policy of ``V`` (keeping ``policy[s]`` where it ties with the best): ``(π′, states changed)``."""
    Q = q_from_v(P, R, V, gamma)
    states = np.arange(len(V))
    best = Q.argmax(axis=1)
    # keep π(s) if Q(s,π(s)) is within tolerance of max_a Q(s,a), else π′(s) = argmax_a Q(s,a)
    keep = Q[states, policy] >= Q[states, best] - tolerance
    new_policy = np.where(keep, policy, best)
    return new_policy, int((new_policy != policy).sum())


@dataclass
class PolicyIterationResult:
    V: np.ndarray
    """V_π of the final policy, shape (n_states,)."""
    policy: np.ndarray
    """The final (stable, so optimal) policy, shape (n_states,), int."""
    evaluation_sweeps: list[int]
    """How many evaluation sweeps each round took."""
    changed: list[int]
    """How many states each improvement changed (the last is 0 when the policy became stable)."""
    stable: bool


def policy_iteration(P, R, gamma, theta=1e-8, max_rounds=100, max_sweeps=100_000) -> PolicyIterationResult:
    """Policy iteration from the policy "action 0 everywhere".

    >>> P = np.array([[[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0], [0.0, 1.0]]]); R = np.array([[-1.0, 1.0], [0.0, 0.0]])
    >>> result = policy_iteration(P, R, gamma=0.5)
    >>> result.policy.tolist(), result.V.round(6).tolist(), result.stable, result.changed
    ([1, 0], [2.0, 0.0], True, [1, 0])
    """
    P, R = np.asarray(P, dtype=np.float64), np.asarray(R, dtype=np.float64)
    policy = np.zeros(len(R), dtype=np.int64)
    V = np.zeros(len(R))
    sweeps, changed = [], []
    for _ in range(max_rounds):
        count = 0
        while count < max_sweeps:
            V, delta = policy_evaluation_sweep(P, R, V, policy, gamma)
            count += 1
            if delta < theta:
                break
        sweeps.append(count)
        policy, n_changed = policy_improvement(P, R, V, policy, gamma)
        changed.append(n_changed)
        if n_changed == 0:
            return PolicyIterationResult(V, policy, sweeps, changed, True)
    return PolicyIterationResult(V, policy, sweeps, changed, False)
