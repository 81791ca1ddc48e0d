"""Gridworld env: physics against an independent re-implementation, the model, layouts and their errors."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from rlplay.envs.gridworld import PRESETS, Gridworld, Layout, slipped_action

UP, DOWN, LEFT, RIGHT = 0, 1, 2, 3
SEED5_WALLS = {(1, 1), (2, 1), (3, 1), (1, 3), (2, 3)}  # copied from the seed post, not from the package


def bfs_length(rows, cols, walls, start, goal, cliff=()):
    """Fewest moves from start to goal: an oracle written here, independently of ``Layout.distances``."""
    blocked = set(walls) | set(cliff)
    seen, queue = {start: 0}, deque([start])
    while queue:
        r, c = queue.popleft()
        for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= nr < rows and 0 <= nc < cols and (nr, nc) not in blocked and (nr, nc) not in seen:
                seen[(nr, nc)] = seen[(r, c)] + 1
                queue.append((nr, nc))
    return seen.get(goal, -1)


def seed_post_move(cell, action, walls, size=5, goal=(4, 4)):
    """The seed post's ``Gridworld.step``, transcribed: the oracle for the physics."""
    dr, dc = {0: (-1, 0), 1: (1, 0), 2: (0, -1), 3: (0, 1)}[action]
    nr, nc = cell[0] + dr, cell[1] + dc
    if 0 <= nr < size and 0 <= nc < size and (nr, nc) not in walls:
        cell = (nr, nc)
    return cell, (1.0 if cell == goal else -0.01), cell == goal


def test_seed5_matches_the_seed_post():
    layout = PRESETS["seed5"]
    assert (layout.rows, layout.cols, layout.start, layout.goal) == (5, 5, (0, 0), (4, 4))
    assert layout.walls == SEED5_WALLS
    env = Gridworld("seed5")
    for r in range(5):
        for c in range(5):
            if (r, c) in SEED5_WALLS or (r, c) == (4, 4):
                continue
            for a in range(4):
                env.reset()
                env._cell = (r, c)  # place the agent anywhere, to compare every (cell, action)
                obs, reward, terminated, truncated, info = env.step(a)
                assert (obs, reward, terminated) == seed_post_move((r, c), a, SEED5_WALLS), ((r, c), a)
                assert truncated is False and info["state"] == obs[0] * 5 + obs[1]


def test_bumps_stay_in_place_and_cost_a_step():
    env = Gridworld("seed5")
    assert env.reset() == ((0, 0), {"state": 0})
    assert env.step(UP)[:3] == ((0, 0), -0.01, False)  # off the grid
    assert env.step(LEFT)[:3] == ((0, 0), -0.01, False)
    assert env.step(RIGHT)[:3] == ((0, 1), -0.01, False)
    assert env.step(DOWN)[:3] == ((0, 1), -0.01, False)  # (1, 1) is a wall


def test_goal_pays_one_and_terminates_along_the_shortest_path():
    env = Gridworld("seed5")
    env.reset()
    total, steps = 0.0, 0
    for a in [RIGHT] * 4 + [DOWN] * 4:
        obs, reward, terminated, truncated, _ = env.step(a)
        total += reward
        steps += 1
    assert obs == (4, 4) and terminated and not truncated and steps == 8
    assert total == pytest.approx(1.0 - 7 * 0.01)


def test_truncation_after_max_episode_steps():
    env = Gridworld("seed5", max_episode_steps=3)
    env.reset()
    flags = [env.step(UP)[2:4] for _ in range(3)]
    assert flags == [(False, False), (False, False), (False, True)]
    env.reset()
    assert env.step(UP)[3] is False  # reset restarts the count


def test_cliff_sends_back_to_start_with_minus_100():
    env = Gridworld("cliff")
    assert env.reset()[0] == (3, 0)
    assert env.step(RIGHT)[:3] == ((3, 0), -100.0, False)
    env.step(UP)
    env.step(RIGHT)
    assert env.step(DOWN)[:3] == ((3, 0), -100.0, False)  # from (2, 1) down into the cliff
    assert PRESETS["cliff"].cliff == {(3, c) for c in range(1, 11)}


def test_slipped_action_splits_probability_exactly():
    slip = 0.3
    u = (np.arange(300_000) + 0.5) / 300_000  # a fine uniform grid: exact quadrature, no sampling noise
    for action in range(4):
        taken = np.array([slipped_action(action, x, slip) for x in u.tolist()])
        freq = np.bincount(taken, minlength=4) / len(u)
        expected = np.full(4, slip / 3)
        expected[action] = 1 - slip
        np.testing.assert_allclose(freq, expected, atol=1e-5)


def test_slippery_env_slips_at_the_stated_rate():
    env = Gridworld(Layout(9, 9, start=(4, 4), goal=(0, 0)), slip=0.3, seed=123)
    moves = {(-1, 0): 0, (1, 0): 0, (0, -1): 0, (0, 1): 0}
    n = 20_000
    for _ in range(n):
        env.reset()
        obs = env.step(RIGHT)[0]
        moves[(obs[0] - 4, obs[1] - 4)] += 1
    p_right = moves[(0, 1)] / n
    sigma = (0.7 * 0.3 / n) ** 0.5
    assert abs(p_right - 0.7) < 5 * sigma
    for move in [(-1, 0), (1, 0), (0, -1)]:
        assert abs(moves[move] / n - 0.1) < 5 * (0.1 * 0.9 / n) ** 0.5


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("slip", [0.0, 0.3])
def test_model_rows_are_distributions_and_match_the_physics(name, slip):
    env = Gridworld(name, slip=slip)
    P, R = env.model()
    assert P.shape == (env.n_states, 4, env.n_states) and R.shape == (env.n_states, 4)
    np.testing.assert_allclose(P.sum(axis=2), 1.0, atol=1e-12)
    assert (P >= 0).all()
    layout = env.layout
    for s in env.reachable - {env.goal_state}:
        cell = env.cell_of(s)
        for a in range(4):
            # oracle: mix the independently coded deterministic moves by the slip probabilities
            expected_P = np.zeros(env.n_states)
            expected_R = 0.0
            for d, (dr, dc) in enumerate(((-1, 0), (1, 0), (0, -1), (0, 1))):
                p = 1 - slip if d == a else slip / 3
                target = (cell[0] + dr, cell[1] + dc)
                step, goal, fall = (-1.0, -1.0, -100.0) if name == "cliff" else (-0.01, 1.0, -1.0)  # S&B Ex. 6.6
                if target in layout.cliff:
                    nxt, r = layout.start, fall
                elif 0 <= target[0] < layout.rows and 0 <= target[1] < layout.cols and target not in layout.walls:
                    nxt, r = target, (goal if target == layout.goal else step)
                else:
                    nxt, r = cell, step
                expected_P[nxt[0] * layout.cols + nxt[1]] += p
                expected_R += p * r
            np.testing.assert_allclose(P[s, a], expected_P, atol=1e-12)
            assert R[s, a] == pytest.approx(expected_R, abs=1e-12)
    # the goal and the cells the agent never stands on are absorbing with reward 0
    for s in set(range(env.n_states)) - env.reachable | {env.goal_state}:
        assert P[s, :, s].tolist() == [1.0] * 4 and R[s].tolist() == [0.0] * 4


@pytest.mark.parametrize("name, expected", [("seed5", 8), ("default", 14), ("maze", 16), ("cliff", 13)])
def test_presets_optimal_lengths(name, expected):
    layout = PRESETS[name]
    assert bfs_length(layout.rows, layout.cols, layout.walls, layout.start, layout.goal, layout.cliff) == expected
    assert layout.shortest_path_length() == expected


def test_default_preset_is_a_7x7_with_a_detour():
    layout = PRESETS["default"]
    assert (layout.rows, layout.cols) == (7, 7)
    manhattan = abs(layout.goal[0] - layout.start[0]) + abs(layout.goal[1] - layout.start[1])
    assert 12 <= layout.shortest_path_length() <= 14 and layout.shortest_path_length() > manhattan


def test_unreachable_goal_is_refused_with_a_clear_message():
    message = r"the goal \(6, 6\) cannot be reached from the start \(0, 0\): walls cut it off"
    with pytest.raises(ValueError, match=message):
        Layout(7, 7, walls={(5, 6), (6, 5)})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(rows=7, cols=7, walls={(0, 0)}), r"the start \(0, 0\) is on a wall"),
        (dict(rows=7, cols=7, walls={(6, 6)}), r"the goal \(6, 6\) is on a wall"),
        (dict(rows=7, cols=7, start=(3, 3), goal=(3, 3)), r"the start and the goal are the same cell \(3, 3\)"),
        (dict(rows=7, cols=7, walls={(7, 1)}), r"the wall \(7, 1\) is outside the 7x7 grid"),
        (dict(rows=7, cols=7, start=(-1, 0)), r"the start \(-1, 0\) is outside the 7x7 grid"),
        (dict(rows=7, cols=7, goal=(2, 9)), r"the goal \(2, 9\) is outside the 7x7 grid"),
        (dict(rows=1, cols=7), r"at least 2x2"),
        (dict(rows=5, cols=1), r"at least 2x2"),
        (dict(rows=4, cols=4, cliff={(0, 0)}), r"the start \(0, 0\) is in the cliff"),
        (dict(rows=4, cols=4, walls={(1, 1)}, cliff={(1, 1)}), r"both a wall and a cliff cell"),
    ],
)
def test_invalid_layouts_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Layout(**kwargs)


def test_text_layouts_round_trip_and_validate():
    for layout in PRESETS.values():
        rewards = {name: getattr(layout, name) for name in ("step_reward", "goal_reward", "cliff_reward")}
        assert Layout.from_text(layout.to_text()).with_changes(**rewards) == layout
    with pytest.raises(ValueError, match="exactly one S"):
        Layout.from_text(". . G\n. . .")


def test_api_attributes_and_bad_actions():
    env = Gridworld("default")
    assert env.n_actions == 4 and env.observation_shape == (2,)
    with pytest.raises(ValueError, match="action must be"):
        env.step(4)
    with pytest.raises(ValueError, match="unknown gridworld preset"):
        Gridworld("nope")


def test_follow_stops_at_loops_and_the_goal():
    env = Gridworld("seed5")
    policy = [RIGHT] * env.n_states
    for r in range(5):
        policy[r * 5 + 4] = DOWN
    cells, reached = env.follow(policy)
    assert reached and len(cells) - 1 == 8 and cells[-1] == (4, 4)
    cells, reached = env.follow([UP] * env.n_states)
    assert cells == [(0, 0)] and not reached


def test_painted_cells_pay_their_reward_and_may_end_the_episode():
    layout = PRESETS["seed5"].with_changes(painted={(0, 2): (-1.0, False), (0, 4): (0.5, True)})
    assert layout.painted == (((0, 2), -1.0, False), ((0, 4), 0.5, True))
    env = Gridworld(layout)
    env.reset()
    assert env.step(RIGHT)[:3] == ((0, 1), -0.01, False)
    assert env.step(RIGHT)[:3] == ((0, 2), -1.0, False)  # lava: pays −1, the episode goes on
    assert env.step(UP)[:3] == ((0, 2), -1.0, False)  # a bump inside it pays again
    env.step(RIGHT)
    assert env.step(RIGHT)[:3] == ((0, 4), 0.5, True)  # a terminal bonus
    # the model agrees: entering (0, 2) from (0, 1) costs −1; the terminal painted cell is absorbing
    P, R = env.model()
    assert R[1, RIGHT] == -1.0 and P[4, :, 4].tolist() == [1.0] * 4 and R[4].tolist() == [0.0] * 4
    # nothing lies beyond a terminal cell: (1, 4) is now reached only through the middle column, not past (0, 4)
    assert layout.distances()[(1, 4)] == 9 and env.follow([RIGHT] * 25) == ([(0, c) for c in range(5)], False)


@pytest.mark.parametrize(
    "painted, message",
    [
        ({(1, 1): (-1.0, False)}, r"\(1, 1\) is a wall"),
        ({(0, 0): (-1.0, False)}, r"is the start"),
        ({(4, 4): (-1.0, False)}, r"is the goal"),
        ({(0, 2): (float("nan"), False)}, r"must lie in"),
        ({(0, 2): (1e6, False)}, r"must lie in"),
        ({(9, 9): (1.0, False)}, r"outside the 5x5 grid"),
        ({(0, 1): (1.0, True), (1, 0): (1.0, True)}, r"cannot be reached"),  # terminal cells can cut the goal off
    ],
)
def test_bad_paint_is_refused(painted, message):
    with pytest.raises(ValueError, match=message):
        PRESETS["seed5"].with_changes(painted=painted)
