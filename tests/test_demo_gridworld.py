"""Gridworld driver: the contract of ``rlplay.demos`` (chunking, seeds, reset, snapshot), layout edits, settings."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from rlplay.algos.value_iteration import value_iteration
from rlplay.demos.gridworld import GridworldConfig, GridworldDemo, format_cells, parse_cells
from rlplay.envs.gridworld import PRESETS, Gridworld
from rlplay.params import from_params, schema
from snapshots import assert_same_snapshot
from test_gridworld_env import bfs_length

FIGURES = {
    "episode", "steps", "episode-length", "greedy-path-length", "optimal-path-length", "episode-return",
    "planning-updates", "plan-sweeps",
}  # fmt: skip
ARRAYS = {
    "Q", "V_star", "policy_star", "optimal_actions", "greedy_path", "optimal_path", "model_seen", "Q_b",
    "greedy_path_b", "compare_returns", "average_mean", "average_se", "greedy_action", "differs",
}  # fmt: skip


def trained(config=None, steps=3000) -> GridworldDemo:
    demo = GridworldDemo(config)
    demo.advance(steps)
    return demo


@pytest.mark.parametrize("preset", ["seed5", "default"])
def test_defaults_learn_the_optimal_path_within_300_episodes(preset):
    demo = GridworldDemo(GridworldConfig(preset=preset))
    layout = PRESETS[preset]
    optimal = bfs_length(layout.rows, layout.cols, layout.walls, layout.start, layout.goal)
    assert demo.snapshot()["figures"]["optimal-path-length"] == optimal
    while demo.snapshot()["figures"]["episode"] < 300:
        demo.episode()
    assert demo.snapshot()["figures"]["greedy-path-length"] == optimal


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"explore": "softmax"},
        {"explore": "ucb", "preset": "maze"},
        {"slip": 0.2, "epsilon_decay": 0.99},
        {"preset": "cliff", "max_episode_steps": 50},
    ],
)
def test_chunks_do_not_change_the_run(settings):
    whole = GridworldDemo(GridworldConfig(**settings))
    whole.advance(1000)
    pieces = GridworldDemo(GridworldConfig(**settings))
    pieces.advance(300)
    pieces.advance(700)
    assert_same_snapshot(whole.snapshot(), pieces.snapshot())


def test_same_seed_same_run_other_seed_other_run():
    assert_same_snapshot(trained(GridworldConfig(seed=5)).snapshot(), trained(GridworldConfig(seed=5)).snapshot())
    assert not np.array_equal(trained(GridworldConfig(seed=5)).snapshot()["Q"], trained().snapshot()["Q"])


def test_reset_forgets_q_and_replays_the_same_run():
    demo = trained()
    demo.reset()
    snap = demo.snapshot()
    assert not snap["Q"].any() and snap["figures"]["steps"] == 0 and snap["figures"]["episode"] == 0
    demo.advance(3000)
    assert_same_snapshot(demo.snapshot(), trained().snapshot())


def test_snapshot_shapes_types_and_json():
    demo = trained()
    snap = demo.snapshot()
    assert set(snap["figures"]) == FIGURES
    assert all(type(v) is int for name, v in snap["figures"].items() if name != "episode-return")
    assert type(snap["figures"]["episode-return"]) is float and snap["model_seen"].shape == (7, 7, 4)
    assert snap["Q"].dtype == np.float64 and snap["Q"].shape == (7, 7, 4)
    assert snap["V_star"].dtype == np.float64 and snap["V_star"].shape == (7, 7)
    assert snap["policy_star"].dtype == np.int8 and snap["policy_star"].shape == (7, 7)
    assert snap["greedy_path"].dtype == np.int32 and snap["optimal_path"].dtype == np.int32
    assert snap["optimal_path"].shape == (15, 2) and snap["optimal_path"][0].tolist() == [0, 0]
    assert snap["optimal_path"][-1].tolist() == [6, 6]
    layout = snap["layout"]
    assert layout["rows"] == layout["cols"] == 7 and layout["start"] == [0, 0] and layout["goal"] == [6, 6]
    assert sorted(map(tuple, layout["walls"])) == sorted(PRESETS["default"].walls)
    for r, c in layout["walls"] + [layout["goal"]]:
        assert snap["policy_star"][r, c] == -1 and not snap["Q"][r, c].any() and snap["optimal_actions"][r, c] == 0
    # optimal_actions holds policy_star's action, and on the open grid two actions tie where both lead closer
    assert snap["optimal_actions"].dtype == np.uint8
    for (r, c), a in np.ndenumerate(snap["policy_star"]):
        if a >= 0:
            assert snap["optimal_actions"][r, c] & (1 << a)
    open_grid = GridworldDemo(GridworldConfig(size=4)).snapshot()["optimal_actions"]
    assert open_grid[0, 0] == 0b1010 and open_grid[3, 2] == 0b1000 and open_grid[2, 3] == 0b0010
    assert len(snap["trail"]) <= 100 and snap["trail"][-1] == snap["agent"]
    assert snap["vi"]["sweeps"] == len(snap["vi"]["deltas"]) and snap["vi"]["deltas"][-1] < 1e-6
    assert snap["epsilon_now"] == 0.1
    defaults = GridworldConfig()
    assert snap["config"] == {f.name: str(getattr(defaults, f.name)) for f in dataclasses.fields(defaults)}
    rest = {k: v for k, v in snap.items() if k not in ARRAYS}
    json.dumps(rest, allow_nan=False)  # everything but the arrays is plain JSON
    assert set(snap) - set(rest) == ARRAYS


def test_episode_lengths_tail_from_since():
    demo = trained()
    full = demo.snapshot()
    lengths = full["episode_lengths"]
    assert full["episode_lengths_offset"] == 0 and len(lengths) == full["figures"]["episode"] > 10
    assert sum(lengths) <= full["figures"]["steps"] and lengths[-1] == full["figures"]["episode-length"]
    tail = demo.snapshot(since=10)
    assert tail["episode_lengths"] == lengths[10:] and tail["episode_lengths_offset"] == 10
    beyond = demo.snapshot(since=10**6)
    assert beyond["episode_lengths"] == [] and beyond["episode_lengths_offset"] == len(lengths)


def test_episode_runs_to_the_end_of_the_episode():
    demo = GridworldDemo()
    demo.advance(5)
    steps = demo.episode()
    snap = demo.snapshot()
    assert snap["figures"]["episode"] == 1 and snap["figures"]["episode-length"] == steps + 5
    assert snap["agent"] == [0, 0] and snap["trail"] == [[0, 0]]
    demo.configure(alpha=0.0, max_episode_steps=10)
    assert demo.episode() == 10  # cut off by max_episode_steps


def test_wall_edit_keeps_q_and_replans():
    demo = trained()
    before = demo.snapshot()
    demo.toggle_wall(4, 1)  # on the optimal route, down the left edge; the route across the top is 2 longer
    after = demo.snapshot()
    assert after["layout"]["walls"] == sorted(before["layout"]["walls"] + [[4, 1]])
    changed = np.zeros((7, 7), bool)
    changed[4, 1] = True
    np.testing.assert_array_equal(after["Q"][~changed], before["Q"][~changed])  # Q kept
    assert not after["Q"][4, 1].any()
    walls = PRESETS["default"].walls | {(4, 1)}
    assert after["config"]["walls"] == format_cells(walls) and parse_cells(after["config"]["walls"], "walls") == walls
    # V* recomputed: equal to value iteration on the new layout from scratch
    env = Gridworld(PRESETS["default"].with_changes(walls=walls))
    np.testing.assert_array_equal(after["V_star"].ravel(), value_iteration(*env.model(), gamma=0.99).V)
    assert after["figures"]["optimal-path-length"] == bfs_length(7, 7, walls, (0, 0), (6, 6)) == 16
    assert after["figures"]["steps"] == before["figures"]["steps"]
    # the agent re-routes: a small budget, since Q elsewhere is kept
    for _ in range(100):
        demo.episode()
    assert demo.snapshot()["figures"]["greedy-path-length"] == 16
    # removing the wall again restores the preset: the URL setting goes back to ""
    demo.toggle_wall(4, 1)
    assert demo.config.walls == "" and demo.snapshot()["figures"]["optimal-path-length"] == 14


@pytest.mark.parametrize(
    "command, args, message",
    [
        ("toggle_wall", (5, 6), r"the goal \(6, 6\) cannot be reached from the start \(0, 0\): walls cut it off"),
        ("toggle_wall", (0, 0), r"the start \(0, 0\) is on a wall"),
        ("toggle_wall", (7, 0), r"outside the 7x7 grid"),
        ("move_start", (1, 1), r"the start \(1, 1\) is on a wall"),
        ("move_goal", (0, 0), r"the start and the goal are the same cell"),
        ("move_goal", (2.5, 0), r"row must be a whole number"),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(command, args, message):
    demo = trained()  # in the default layout (6, 5) is a wall: walling (5, 6) shuts the goal in
    before = demo.snapshot()
    with pytest.raises(ValueError, match=message):
        getattr(demo, command)(*args)
    assert_same_snapshot(before, demo.snapshot())
    demo.advance(10)  # and the run goes on


def test_moving_start_and_goal():
    demo = trained()
    q_before = demo.snapshot()["Q"]
    demo.move_goal(0, 6)
    demo.move_start(6, 0)
    snap = demo.snapshot()
    assert snap["layout"]["start"] == [6, 0] and snap["layout"]["goal"] == [0, 6]
    assert demo.config.start == "6.0" and demo.config.goal == "0.6"
    assert not snap["Q"][0, 6].any() and np.array_equal(snap["Q"][3, 2], q_before[3, 2])
    walls = PRESETS["default"].walls
    assert snap["figures"]["optimal-path-length"] == bfs_length(7, 7, walls, (6, 0), (0, 6))
    assert snap["policy_star"][0, 6] == -1 and snap["policy_star"][6, 6] != -1


def test_configure_hyperparameters_without_reset():
    demo = trained()
    q = demo.snapshot()["Q"]
    assert demo.configure(alpha=0.2, epsilon=0.3, explore="softmax", tau=0.1) == []
    assert np.array_equal(demo.snapshot()["Q"], q) and demo.snapshot()["epsilon_now"] == 0.3
    assert demo.config.alpha == 0.2 and demo.snapshot()["config"]["explore"] == "softmax"
    sweeps = demo.vi.sweeps
    demo.configure(slip=0.3)  # model change: Q kept, V* recomputed
    assert np.array_equal(demo.snapshot()["Q"], q) and demo.vi.sweeps > sweeps
    demo.configure(walls="-")
    assert demo.snapshot()["layout"]["walls"] == [] and np.array_equal(demo.snapshot()["Q"], q)


def test_configure_seed_or_preset_starts_fresh():
    demo = trained()
    demo.toggle_wall(0, 2)
    assert demo.configure(seed=3) == ["seed"]
    snap = demo.snapshot()
    assert not snap["Q"].any() and snap["figures"]["steps"] == 0 and demo.config.walls != ""  # edits survive a seed
    assert demo.configure(preset="seed5") == ["preset"]
    assert demo.config.walls == "" and demo.snapshot()["layout"]["rows"] == 5  # the old edits are dropped
    assert demo.configure(size=4) == ["size"]
    snap = demo.snapshot()
    assert snap["layout"]["walls"] == [] and snap["figures"]["optimal-path-length"] == 6


def test_configure_refuses_bad_values_and_changes_nothing():
    demo = trained()
    before = demo.snapshot()
    for bad in ({"alpha": 2.0}, {"size": 1}, {"walls": "6.5_5.6"}, {"start": "x"}, {"colour": "red"}):
        with pytest.raises(ValueError):
            demo.configure(**bad)
    assert_same_snapshot(before, demo.snapshot())


def test_config_validation_messages():
    with pytest.raises(ValueError, match="a 1x1 grid has no room"):
        GridworldConfig(size=1)
    with pytest.raises(ValueError, match=r"walls must be - \(none\) or cells row.col joined by _"):
        GridworldConfig(walls="1,1")
    with pytest.raises(ValueError, match=r"cannot be reached"):
        GridworldConfig(walls="5.6_6.5")
    with pytest.raises(ValueError, match="alpha must be between 0 and 1"):
        GridworldConfig(alpha=1.5)
    assert GridworldConfig(size=12).layout().shortest_path_length() == 22


def test_from_params_keeps_defaults_and_reports_bad_values():
    params = {"alpha": "2", "walls": "zz", "size": "1", "preset": "nope", "epsilon": "abc", "gamma": "0.9", "page": "x"}
    config, notices = from_params(GridworldConfig, params)
    assert config == dataclasses.replace(GridworldConfig(), gamma=0.9)
    assert len(notices) == 5 and all(n.startswith("ignored") for n in notices)
    # the snapshot's config strings round-trip through from_params, edits included
    demo = trained()
    demo.toggle_wall(2, 2)
    demo.move_goal(6, 4)
    again, notices = from_params(GridworldConfig, demo.snapshot()["config"])
    assert again == demo.config and notices == []


def test_notices_for_degenerate_settings():
    def notices(**settings):
        return " | ".join(GridworldDemo(GridworldConfig(**settings)).snapshot()["notices"])

    assert notices() == ""
    assert "α = 0: Q never changes, nothing is learned" in notices(alpha=0.0)
    assert "ε = 1" in notices(epsilon=1.0) and "ε = 0" in notices(epsilon=0.0)
    assert "γ = 0.999" in notices(gamma=0.999) and "γ = 0" in notices(gamma=0.0)
    assert "softmax ≈ greedy" in notices(explore="softmax", tau=0.001)
    assert "c = 0" in notices(explore="ucb", c=0.0)
    assert "no episode can reach the goal" in notices(max_episode_steps=10)


def test_gamma_one_and_full_slip_still_plan():
    demo = GridworldDemo(GridworldConfig(preset="maze", gamma=1.0, slip=0.5))
    snap = demo.snapshot()
    assert snap["vi"]["converged"] and snap["figures"]["optimal-path-length"] >= 16
    demo.advance(2000)


def test_schema_describes_every_field():
    entries = {entry["name"]: entry for entry in schema(GridworldConfig)}
    assert list(entries) == [f.name for f in dataclasses.fields(GridworldConfig)]
    assert entries["preset"]["choices"] == ["default", "seed5", "maze", "cliff"]
    assert entries["tau"]["log"] is True and entries["size"]["high"] == 12
    assert all(entry["doc"] for entry in entries.values())


def test_long_runs_keep_a_bounded_history_with_absolute_episode_indices(monkeypatch):
    """Memory stays bounded on long runs: only the last HISTORY_KEPT lengths are kept, indices stay absolute."""
    import rlplay.demos.gridworld.driver as driver_module

    monkeypatch.setattr(driver_module, "HISTORY_KEPT", 16)
    bounded = GridworldDemo(GridworldConfig(seed=2))
    unbounded_lengths = []
    reference = GridworldDemo(GridworldConfig(seed=2))
    for _ in range(40):
        bounded.advance(500)
        reference.agent.run(500)
        assert len(bounded.agent.episode_lengths) <= 2 * 16
    unbounded_lengths = reference.agent.episode_lengths
    snapshot = bounded.snapshot(0)
    episodes = snapshot["figures"]["episode"]
    assert episodes == len(unbounded_lengths) > 64
    # Asking from 0 gives what is kept, with its true offset; a recent since gives exactly the tail.
    assert snapshot["episode_lengths_offset"] + len(snapshot["episode_lengths"]) == episodes
    assert snapshot["episode_lengths"] == unbounded_lengths[snapshot["episode_lengths_offset"] :]
    tail = bounded.snapshot(episodes - 3)
    assert tail["episode_lengths_offset"] == episodes - 3 and tail["episode_lengths"] == unbounded_lengths[-3:]
    assert np.array_equal(bounded.snapshot(0)["Q"], reference.snapshot(0)["Q"])  # learning is untouched


@pytest.mark.parametrize("algo", ["q-learning", "sarsa", "expected-sarsa", "n-step-sarsa", "monte-carlo", "dyna-q"])
def test_every_algo_runs_in_chunks_as_in_one_go_and_switching_starts_fresh(algo):
    config = GridworldConfig(algo=algo, slip=0.1, max_episode_steps=50, planning_steps=3, n=3)
    whole = GridworldDemo(config)
    whole.advance(2500)
    pieces = GridworldDemo(GridworldConfig())
    assert pieces.configure(algo=algo, slip=0.1, max_episode_steps=50, planning_steps=3, n=3) == (
        ["algo"] if algo != "q-learning" else []
    )
    for n in (1, 1023, 1476):
        pieces.advance(n)
    assert_same_snapshot(whole.snapshot(), pieces.snapshot())
    snap = whole.snapshot()
    assert type(whole.agent).name == algo and snap["config"]["algo"] == algo
    assert len(snap["episode_returns"]) == len(snap["episode_lengths"]) == snap["figures"]["episode"] > 10
    if algo == "dyna-q":
        assert snap["figures"]["planning-updates"] == 3 * 2500 and snap["model_seen"].sum() == len(whole.agent.seen)
    else:
        assert snap["figures"]["planning-updates"] == 0 and not snap["model_seen"].any()


def test_on_policy_rules_with_a_large_alpha_get_a_notice():
    notices = GridworldDemo(GridworldConfig(algo="sarsa", alpha=0.5)).notices()
    assert any("greedy path may keep changing" in note and "α = 0.05" in note for note in notices)
    assert not any(
        "keep changing" in note for note in GridworldDemo(GridworldConfig(algo="sarsa", alpha=0.1)).notices()
    )
    assert not any("keep changing" in note for note in GridworldDemo(GridworldConfig(algo="sarsa")).notices())
    assert not any("keep changing" in note for note in GridworldDemo(GridworldConfig()).notices())


@pytest.mark.parametrize(
    ("field", "text", "canonical"),
    [
        ("walls", " 2.1_1.1 ", "1.1_2.1"),  # a "+" in a link is a space
        ("walls", "01.01_1.1", "1.1"),  # the same cell twice, once with leading zeros
        ("walls", "-", "-"),
        ("start", "0.01", "0.1"),
        ("goal", " 6.6", "6.6"),
        ("paint", "2.3:-1_0.3:+.5:end", "0.3:0.5:end_2.3:-1.0"),
        ("paint", "-", ""),
    ],
)
def test_layout_settings_are_kept_in_one_canonical_form(field, text, canonical):
    """A link may write a cell as " 2.1" or "02.01": the same world, and the config (so the URL and the reproduce
    command, which takes only safe words) holds one form. Before, such a link trained but had no command."""
    from rlplay.core import reproduce

    config, notices = from_params(GridworldConfig, {field: text})
    assert notices == [] and getattr(config, field) == canonical
    assert reproduce.command_args(config) is not None
    again, notices = from_params(GridworldConfig, {field: canonical})
    assert again == config and notices == []


@pytest.mark.parametrize("text", ["\u0661.\u0661", "١.١_2.2", "1" * 5000 + ".1", "1.1" + "\u200b"])
def test_cells_are_ascii_digits_and_a_huge_number_is_refused_by_name(text):
    config, notices = from_params(GridworldConfig, {"walls": text})
    assert config.walls == "" and len(notices) == 1
    assert "walls must be - (none) or cells row.col" in notices[0] and len(notices[0]) < 300


def test_a_budgeted_episode_ends_where_one_call_ends_it():
    """The page asks for an episode in calls of at most 100 ms (one call of a 10,000-step Dyna-Q episode with 200
    planning steps, compared, blocked the worker for 6.4 s natively). The oracle: one unbudgeted call, same seed."""
    settings = {"algo": "dyna-q", "compare": "sarsa", "epsilon": 1.0, "compare_epsilon": 1.0, "preset": "maze"}
    whole, cut = GridworldDemo(GridworldConfig(**settings)), GridworldDemo(GridworldConfig(**settings))
    ran = whole.episode()
    calls, total = 0, 0
    while True:
        calls += 1
        answer = cut.episode(budget_ms=1e-6)  # each call stops after its first batch
        total += answer["ran"]
        if answer["done"]:
            break
    assert calls > 1 and total == ran
    assert_same_snapshot(cut.snapshot(), whole.snapshot())
    with pytest.raises(ValueError, match="budget_ms must be a positive number"):
        cut.episode(budget_ms=float("nan"))
