"""The tabular learning rules against oracles: exact twins, exact special cases, fixed points, the book's cliff."""

from __future__ import annotations

import statistics

import numpy as np
import pytest
from rlplay.algos.dyna_q import DynaQ
from rlplay.algos.expected_sarsa import ExpectedSarsa
from rlplay.algos.monte_carlo import MonteCarlo
from rlplay.algos.n_step_sarsa import NStepSarsa
from rlplay.algos.q_learning import QLearning
from rlplay.algos.sarsa import Sarsa
from rlplay.algos.tabular import TabularAgent
from rlplay.algos.value_iteration import value_iteration
from rlplay.envs.gridworld import Gridworld

RULES = [QLearning, Sarsa, ExpectedSarsa, NStepSarsa, MonteCarlo, DynaQ]


@pytest.mark.parametrize("name, slip, explore", [("default", 0.0, "epsilon-greedy"), ("cliff", 0.2, "softmax")])
def test_q_learning_generic_loop_equals_the_fast_loop(name, slip, explore):
    settings = dict(alpha=0.3, gamma=0.95, explore=explore, epsilon=0.2, tau=0.05, max_episode_steps=60, seed=3)
    fast = QLearning(Gridworld(name, slip=slip), **settings)
    generic = QLearning(Gridworld(name, slip=slip), **settings)
    fast.run(5000)
    TabularAgent.run(generic, 5000)  # the shared loop with QLearning.after_step (q_learning_update)
    assert fast.Q == generic.Q and fast.episode_lengths == generic.episode_lengths
    assert fast.episode_returns == generic.episode_returns and fast.N == generic.N


def test_expected_sarsa_with_epsilon_zero_is_q_learning_step_for_step():
    settings = dict(alpha=0.5, gamma=0.9, epsilon=0.0, max_episode_steps=40, seed=1)
    q, e = QLearning(Gridworld("maze", slip=0.2), **settings), ExpectedSarsa(Gridworld("maze", slip=0.2), **settings)
    for _ in range(3000):
        q.run(1)
        e.run(1)
        assert q.Q == e.Q and q.state == e.state
    assert q.episodes == e.episodes > 10


@pytest.mark.parametrize("slip, max_episode_steps", [(0.0, 1000), (0.3, 25)])
def test_n_step_sarsa_with_n_one_is_sarsa(slip, max_episode_steps):
    settings = dict(alpha=0.4, gamma=0.97, epsilon=0.2, max_episode_steps=max_episode_steps, seed=5)
    one, sarsa = (
        NStepSarsa(Gridworld("default", slip=slip), n=1, **settings),
        Sarsa(Gridworld("default", slip=slip), **settings),
    )
    one.run(6000)
    sarsa.run(6000)
    assert one.Q == sarsa.Q and one.episode_lengths == sarsa.episode_lengths and one.episodes > 20


def test_dyna_q_without_planning_is_q_learning_and_planning_counts():
    settings = dict(alpha=0.5, gamma=0.99, epsilon=0.1, seed=2)
    dyna, q = DynaQ(Gridworld("default"), planning_steps=0, **settings), QLearning(Gridworld("default"), **settings)
    dyna.run(4000)
    q.run(4000)
    assert dyna.Q == q.Q and dyna.episode_returns == q.episode_returns and dyna.planning_updates == 0
    planner = DynaQ(Gridworld("default"), planning_steps=7, **settings)
    planner.run(100)
    assert planner.planning_updates == 700
    assert planner.model_mask().sum() == len(planner.seen) == len(planner.model) > 0


def test_sarsa_bootstraps_from_the_action_it_takes_next():
    # two steps of a 3x3 grid, worked by hand (the goal is four moves away, so no episode ends)
    from rlplay.envs.gridworld import Layout

    env = Gridworld(Layout(3, 3, start=(0, 0), goal=(2, 2)))
    agent = Sarsa(env, alpha=1.0, gamma=0.5, epsilon=1.0, seed=0)  # every action random
    uniforms = np.random.default_rng(0).random(12).tolist()
    actions = [int(uniforms[4 * t + 1] * 4) for t in range(3)]
    agent.run(2)
    # after two steps only the first pair is updated (the second waits for A_2)
    next_state, reward, _ = env.tables()
    s1 = next_state[0][actions[0]]
    expected = reward[0][actions[0]] + 0.5 * 0.0  # Q(S_1, A_1) was 0 when A_1 was chosen
    assert agent.Q[0][actions[0]] == expected
    assert sum(v != 0.0 for row in agent.Q for v in row) == 1
    assert agent.pending[:2] == (s1, actions[1])


def exact_q(env, gamma, epsilon):
    """The exact fixed point of the ε-greedy expected Bellman operator (ε = 0: Q*), by iterating it to convergence.

    Q(s,a) = R(s,a) + γ Σ_s′ P(s′|s,a) [ (ε/n) Σ_a′ Q(s′,a′) + (1 − ε) max_a′ Q(s′,a′) ]
    """
    P, R = env.model()
    Q = np.zeros_like(R)
    for _ in range(20000):
        V = epsilon * Q.mean(axis=1) + (1 - epsilon) * Q.max(axis=1)
        Q_new = R + gamma * np.einsum("sat,t->sa", P, V)
        if np.abs(Q_new - Q).max() < 1e-15:
            break
        Q = Q_new
    return Q_new


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_the_exact_solution_is_a_fixed_point(rule):
    """Started at the exact answer on a deterministic grid, a rule's updates leave it there.

    ε = 0 for the on-policy rules (their target is then Q*, as for the off-policy ones); Q-learning and Dyna-Q
    explore with ε = 0.5 (off-policy: Q* is their fixed point whatever the behaviour); Expected SARSA also keeps the
    ε-soft solution with ε = 0.2.
    """
    env = Gridworld("seed5")
    gamma = 0.9
    cases = [(0.5 if rule in (QLearning, DynaQ) else 0.0, 0.0)]
    if rule is ExpectedSarsa:
        cases.append((0.2, 0.2))
    vi = value_iteration(*env.model(), gamma=gamma, theta=1e-15)
    for epsilon, target_epsilon in cases:
        exact = exact_q(env, gamma, target_epsilon)
        if target_epsilon == 0.0:
            np.testing.assert_allclose(exact, vi.Q, atol=1e-12)  # the oracle agrees with value iteration
        agent = rule(env, alpha=0.5, gamma=gamma, epsilon=epsilon, seed=0)
        agent.Q = exact.tolist()
        agent.run(3000)
        assert agent.episodes > 20
        assert np.abs(np.array(agent.Q) - exact).max() < 1e-12


@pytest.mark.parametrize(
    "rule, extra, alpha, episodes",
    [
        (QLearning, {}, 0.5, 100),
        (Sarsa, {}, 0.1, 200),
        (ExpectedSarsa, {}, 0.5, 100),
        (NStepSarsa, {"n": 4}, 0.1, 100),
        (MonteCarlo, {}, 0.05, 300),
        (DynaQ, {"planning_steps": 10}, 0.5, 30),
    ],
    ids=lambda value: getattr(value, "name", None),
)
def test_every_rule_learns_the_shortest_path_of_the_seed_post_grid(rule, extra, alpha, episodes):
    for seed in range(3):
        agent = rule(Gridworld("seed5"), alpha=alpha, epsilon=0.1, seed=seed, **extra)
        agent.run_episodes(episodes)
        cells, reached = agent.greedy_path()
        assert reached and len(cells) - 1 == 8, (seed, cells)


def test_cliff_walking_reproduces_figure_6_4():
    """Sutton & Barto, Example 6.6 and Figure 6.4: ε = 0.1, α = 0.5, γ = 1, 50 seeds.

    The book's curves show about −25 for SARSA and −50 for Q-learning over the later episodes. Here, over
    episodes 400–500, SARSA averages about −28 (its greedy path is the safe one, a row or more from the edge)
    and Q-learning about −51 (greedy path: the 13-move edge path; its ε-greedy walk falls off it now and then).
    """
    online = {}
    for rule in (Sarsa, QLearning):
        means, lengths = [], []
        for seed in range(50):
            agent = rule(Gridworld("cliff"), alpha=0.5, epsilon=0.1, gamma=1.0, seed=seed)
            agent.run_episodes(500)
            means.append(statistics.mean(agent.episode_returns[400:500]))
            cells, reached = agent.greedy_path()
            lengths.append(len(cells) - 1 if reached else -1)
        online[rule.name] = statistics.mean(means)
        if rule is QLearning:
            assert lengths == [13] * 50  # the optimal path, along the cliff edge
        else:
            safe = [n for n in lengths if n > 13]
            assert len(safe) >= 35 and 13 not in lengths  # SARSA never keeps to the edge
    assert -35 < online["sarsa"] < -22
    assert -58 < online["q-learning"] < -44
    assert online["sarsa"] > online["q-learning"] + 15
