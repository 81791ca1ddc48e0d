"""Q-learning: learns optimal paths within an episode budget, and its fast loop equals a slow textbook loop."""

from __future__ import annotations

import pytest
from rlplay.algos.q_learning import QLearning, q_learning_reference
from rlplay.envs.gridworld import PRESETS, Gridworld, Layout
from test_gridworld_env import bfs_length


def optimal_length(name):
    layout = PRESETS[name]
    return bfs_length(layout.rows, layout.cols, layout.walls, layout.start, layout.goal, layout.cliff)


@pytest.mark.parametrize("name", ["seed5", "default"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_greedy_path_is_optimal_within_300_episodes(name, seed):
    agent = QLearning(Gridworld(name), alpha=0.5, epsilon=0.1, gamma=0.99, seed=seed)
    agent.run_episodes(300)
    cells, reached = agent.greedy_path()
    assert reached and len(cells) - 1 == optimal_length(name)


@pytest.mark.parametrize("explore, knob", [("softmax", {"tau": 0.02}), ("ucb", {"c": 0.5})])
def test_other_explorers_learn_the_default_grid_too(explore, knob):
    agent = QLearning(Gridworld("default"), alpha=0.5, explore=explore, seed=0, **knob)
    agent.run_episodes(300)
    cells, reached = agent.greedy_path()
    assert reached and len(cells) - 1 == optimal_length("default")


@pytest.mark.parametrize(
    "name, slip, explore",
    [
        ("default", 0.0, "epsilon-greedy"),
        ("cliff", 0.2, "epsilon-greedy"),
        ("seed5", 0.1, "softmax"),
        ("maze", 0.0, "ucb"),
    ],
)
def test_fast_loop_equals_the_textbook_loop_bit_for_bit(name, slip, explore):
    settings = dict(alpha=0.3, gamma=0.95, explore=explore, epsilon=0.2, tau=0.05, c=0.5, max_episode_steps=60)
    agent = QLearning(Gridworld(PRESETS[name], slip=slip), seed=4, **settings)
    agent.run(3000)
    Q, lengths = q_learning_reference(PRESETS[name], slip, 3000, seed=4, **settings)
    assert agent.Q == Q  # exact float equality, state by state
    assert agent.episode_lengths == lengths and agent.episodes == len(lengths)


def test_first_update_is_alpha_times_td_error():
    agent = QLearning(Gridworld("seed5"), alpha=0.25, epsilon=0.0, seed=0)
    agent.run(1)
    touched = [(s, a, v) for s, row in enumerate(agent.Q) for a, v in enumerate(row) if v != 0.0]
    # from the start, the target is −0.01 + γ · 0: Q ← 0 + α (−0.01 − 0)
    assert len(touched) == 1 and touched[0][0] == 0 and touched[0][2] == 0.25 * -0.01


def test_terminal_target_does_not_bootstrap():
    layout = Layout(2, 2, start=(0, 0), goal=(0, 1))
    agent = QLearning(Gridworld(layout), alpha=1.0, gamma=0.5, epsilon=0.0, seed=0)
    agent.Q[1] = [100.0] * 4  # a bogus value in the goal's row must not leak into targets
    agent.run_episodes(50)
    assert agent.Q[0][3] == 1.0  # Q(start, right) = r = 1, exactly


def test_truncated_episodes_and_alpha_zero():
    agent = QLearning(Gridworld("default"), alpha=0.0, max_episode_steps=10, seed=0)
    agent.run(95)
    assert agent.episode_lengths == [10] * 9 and agent.episode_steps == 5
    assert all(v == 0.0 for row in agent.Q for v in row)


def test_epsilon_decays_per_episode_to_the_floor():
    agent = QLearning(Gridworld("seed5"), epsilon=0.5, epsilon_decay=0.9, epsilon_min=0.2, seed=0)
    agent.run_episodes(3)
    assert agent.epsilon_now == pytest.approx(0.5 * 0.9**3)
    agent.run_episodes(50)
    assert agent.epsilon_now == 0.2


def test_chunks_do_not_change_the_run():
    whole = QLearning(Gridworld("maze", slip=0.1), seed=9)
    whole.run(5000)
    pieces = QLearning(Gridworld("maze", slip=0.1), seed=9)
    for n in (1, 999, 3, 3996, 1):  # 5000 in all, across a block boundary
        pieces.run(n)
    assert pieces.Q == whole.Q and pieces.episode_lengths == whole.episode_lengths
    assert list(pieces.trail) == list(whole.trail) and pieces.state == whole.state


def test_set_env_keeps_q_and_clears_new_walls():
    agent = QLearning(Gridworld("default"), seed=0)
    agent.run(3000)
    before = [row[:] for row in agent.Q]
    layout = PRESETS["default"]
    wall = (0, 2)
    agent.set_env(Gridworld(layout.with_changes(walls=layout.walls | {wall})))
    s_wall = wall[0] * 7 + wall[1]
    assert agent.Q[s_wall] == [0.0] * 4
    assert all(agent.Q[s] == before[s] for s in range(49) if s != s_wall)
