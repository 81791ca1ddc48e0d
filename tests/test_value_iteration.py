"""Value iteration against the Bellman optimality equation, closed-form values and breadth-first search."""

from __future__ import annotations

import numpy as np
import pytest
from rlplay.algos.value_iteration import value_iteration
from rlplay.envs.gridworld import PRESETS, Gridworld, Layout
from test_gridworld_env import bfs_length


def bellman_residual(P, R, V, gamma):
    """max_s |V(s) − max_a [R(s,a) + γ Σ_s′ P(s′|s,a) V(s′)]|, with loops, independently of the package."""
    n_states, n_actions, _ = P.shape
    worst = 0.0
    for s in range(n_states):
        best = max(R[s, a] + gamma * sum(P[s, a, t] * V[t] for t in np.nonzero(P[s, a])[0]) for a in range(n_actions))
        worst = max(worst, abs(V[s] - best))
    return worst


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("slip, gamma", [(0.0, 0.99), (0.2, 0.9), (0.4, 0.999)])
def test_bellman_optimality_residual(name, slip, gamma):
    P, R = Gridworld(name, slip=slip).model()
    result = value_iteration(P, R, gamma=gamma, theta=1e-8)
    assert result.converged
    assert bellman_residual(P, R, result.V, gamma) < 1e-6


@pytest.mark.parametrize("name", list(PRESETS))
def test_greedy_policy_walks_a_shortest_path(name):
    env = Gridworld(name)
    result = value_iteration(*env.model(), gamma=0.99)
    cells, reached = env.follow(result.policy)
    layout = env.layout
    assert reached
    assert len(cells) - 1 == bfs_length(layout.rows, layout.cols, layout.walls, layout.start, layout.goal, layout.cliff)


def test_values_match_the_closed_form_on_a_deterministic_grid():
    # From a cell d moves from the goal (d ≥ 1): V*(d) = −0.01 (1 + γ + … + γ^(d−2)) + γ^(d−1)
    gamma = 0.9
    env = Gridworld("seed5")
    V = value_iteration(*env.model(), gamma=gamma, theta=1e-12).V
    walls = PRESETS["seed5"].walls
    for r in range(5):
        for c in range(5):
            if (r, c) in walls or (r, c) == (4, 4):
                continue
            d = bfs_length(5, 5, walls, (r, c), (4, 4))
            expected = -0.01 * sum(gamma**k for k in range(d - 1)) + gamma ** (d - 1)
            assert V[r * 5 + c] == pytest.approx(expected, abs=1e-10), (r, c)


def test_converges_with_slip_and_values_drop():
    env0, env3 = Gridworld("default"), Gridworld("default", slip=0.3)
    V0 = value_iteration(*env0.model(), gamma=0.99)
    V3 = value_iteration(*env3.model(), gamma=0.99)
    assert V3.converged and V3.deltas[-1] < 1e-6 and V3.sweeps > V0.sweeps
    start = env0.start_state
    assert V3.V[start] < V0.V[start]  # slipping can only cost


def test_gamma_one_terminates():
    for slip in (0.0, 0.3):
        result = value_iteration(*Gridworld("maze", slip=slip).model(), gamma=1.0)
        assert result.converged
    # a pocket cut off from the start is absorbing in the model, so even γ = 1 settles
    pocket = Layout(5, 5, walls={(3, 4), (4, 3), (0, 1), (1, 0)}, start=(2, 2), goal=(4, 0))
    result = value_iteration(*Gridworld(pocket).model(), gamma=1.0)
    assert result.converged and result.V[0] == 0.0


def test_sweep_cap_is_reported():
    result = value_iteration(*Gridworld("maze").model(), gamma=0.99, max_sweeps=3)
    assert not result.converged and result.sweeps == 3 and len(result.deltas) == 3


def test_deltas_shrink_to_below_theta():
    result = value_iteration(*Gridworld("default", slip=0.2).model(), gamma=0.95, theta=1e-7)
    assert result.deltas[-1] < 1e-7 <= min(result.deltas[:-1])
    # the backup is a γ-contraction: from the second sweep on, Δ never grows
    assert all(b <= a + 1e-15 for a, b in zip(result.deltas[1:], result.deltas[2:], strict=False))


def test_bad_shapes_and_gamma_are_refused():
    P, R = Gridworld("seed5").model()
    with pytest.raises(ValueError, match="gamma"):
        value_iteration(P, R, gamma=1.5)
    with pytest.raises(ValueError, match="P must be"):
        value_iteration(P, R[:, :2], gamma=0.9)


@pytest.mark.parametrize("name, slip", [("default", 0.0), ("cliff", 0.1), ("maze", 0.3)])
def test_policy_iteration_reaches_value_iterations_optimum(name, slip):
    from rlplay.algos.policy_iteration import policy_iteration

    P, R = Gridworld(name, slip=slip).model()
    pi = policy_iteration(P, R, gamma=0.95, theta=1e-12)
    vi = value_iteration(P, R, gamma=0.95, theta=1e-12)
    assert pi.stable and pi.changed[-1] == 0 and len(pi.changed) >= 2
    np.testing.assert_allclose(pi.V, vi.V, atol=1e-9)
    assert bellman_residual(P, R, pi.V, 0.95) < 1e-9
    # the stable policy is greedy with respect to V*
    Q = R + 0.95 * (P * vi.V).sum(axis=2)
    chosen = Q[np.arange(len(pi.policy)), pi.policy]
    np.testing.assert_allclose(chosen, Q.max(axis=1), atol=1e-9)


def test_value_iteration_sweeps_one_at_a_time_as_in_one_go():
    from rlplay.algos.value_iteration import bellman_optimality_sweep

    P, R = Gridworld("default").model()
    whole = value_iteration(P, R, gamma=0.9, theta=1e-10)
    V, deltas = np.zeros(len(R)), []
    while not deltas or deltas[-1] >= 1e-10:
        V, delta = bellman_optimality_sweep(P, R, V, 0.9)
        deltas.append(delta)
    assert deltas == whole.deltas and V.tolist() == whole.V.tolist()
