"""Value iteration and policy iteration on the gridworld's model, one step at a time, for the page to watch.

    value iteration, one sweep:        V_{k+1}(s) = max_a [ R(s,a) + γ Σ_s′ P(s′|s,a) V_k(s′) ]
    policy iteration, evaluation sweep: V_{k+1}(s) = R(s,π(s)) + γ Σ_s′ P(s′|s,π(s)) V_k(s′)   (until Δ < θ)
    policy iteration, improvement:     π(s) ← argmax_a [ R(s,a) + γ Σ_s′ P(s′|s,a) V(s′) ]    (stable ⇒ optimal)
    Δ = max_s |V_{k+1}(s) − V_k(s)| after every sweep

The arithmetic is ``rlplay.algos.value_iteration`` and ``rlplay.algos.policy_iteration``; this module only keeps
the state between steps (V_k, π, the Δ trace, the phase). Policy iteration starts from "up everywhere".
"""

from __future__ import annotations

import numpy as np

from rlplay.algos.policy_iteration import policy_evaluation_sweep, policy_improvement
from rlplay.algos.value_iteration import bellman_optimality_sweep, q_from_v

METHODS = ("value-iteration", "policy-iteration")
DELTAS_KEPT = 5000  # the Δ trace keeps the last this many sweeps


class Planner:
    """Sweep-by-sweep planning on ``env.model()``. ``phase``: sweep (value iteration), evaluate, improve, done."""

    def __init__(self, env, gamma: float, theta: float, method: str = "value-iteration"):
        self.theta = theta
        self.set_world(env, gamma, method)

    def set_world(self, env, gamma: float, method: str | None = None) -> None:
        """Start again (V = 0, π = up) on ``env``'s model with discount ``gamma``."""
        if method is not None:
            if method not in METHODS:
                raise ValueError(f"the planning method must be one of {', '.join(METHODS)}; got {method!r}")
            self.method = method
        self.env, self.gamma = env, gamma
        self.P, self.R = env.model()
        self.V = np.zeros(env.n_states)
        self.policy = np.zeros(env.n_states, dtype=np.int64)
        self.deltas: list[float] = []
        self.sweeps = 0
        self.improvements = 0
        self.changed = -1  # states the last improvement changed (−1: none yet)
        self.phase = "sweep" if self.method == "value-iteration" else "evaluate"

    def step(self, n: int = 1) -> int:
        """Take up to ``n`` steps (a sweep, or an improvement); return how many were taken (0 once done)."""
        taken = 0
        while taken < n and self.phase != "done":
            taken += 1
            if self.phase == "improve":
                self.policy, self.changed = policy_improvement(self.P, self.R, self.V, self.policy, self.gamma)
                self.improvements += 1
                self.phase = "done" if self.changed == 0 else "evaluate"
                continue
            if self.phase == "sweep":
                self.V, delta = bellman_optimality_sweep(self.P, self.R, self.V, self.gamma)
            else:
                self.V, delta = policy_evaluation_sweep(self.P, self.R, self.V, self.policy, self.gamma)
            self.sweeps += 1
            self.deltas.append(delta)
            if len(self.deltas) > 2 * DELTAS_KEPT:
                del self.deltas[:-DELTAS_KEPT]
            if delta < self.theta:
                self.phase = "done" if self.phase == "sweep" else "improve"
        return taken

    def finish_phase(self, max_steps: int = 100_000) -> int:
        """Run the current phase to its end (value iteration: to convergence; evaluation: until Δ < θ)."""
        phase, taken = self.phase, 0
        while self.phase == phase and phase != "done" and taken < max_steps:
            taken += self.step(1)
        return taken

    def snapshot(self) -> dict:
        env = self.env
        _, _, terminal = env.tables()
        acting = np.array([s in env.reachable and not terminal[s] for s in range(env.n_states)])
        if self.method == "value-iteration":
            Q = q_from_v(self.P, self.R, self.V, self.gamma)
            policy = Q.argmax(axis=1)  # greedy arrows of V_k; none where every action is as good (nothing known yet)
            acting &= Q.max(axis=1) - Q.min(axis=1) > 1e-12
        else:
            policy = self.policy
        policy = np.where(acting, policy, -1).astype(np.int8)
        return {
            "method": self.method,
            "phase": self.phase,
            "sweeps": self.sweeps,
            "improvements": self.improvements,
            "changed": self.changed,
            "theta": self.theta,
            "deltas": list(self.deltas[-DELTAS_KEPT:]),
            "V": self.V.reshape(env.rows, env.cols).tolist(),
            "policy": policy.reshape(env.rows, env.cols).tolist(),
        }
