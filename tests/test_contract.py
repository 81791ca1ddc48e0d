"""Every snapshot keeps the contract declared in ``rlplay.app.contract``: through the bridge (as the page receives
it) after every command, in every algorithm and mode; static keys travel only when they change; the page's copy
(``web/contract.json``) is current; the limits it carries are the Python modules' own."""

from __future__ import annotations

import json

import numpy as np
import pytest
from rlplay import demos
from rlplay.app import bridge, contract
from rlplay.demos.bandit import BanditConfig, BanditDemo
from rlplay.demos.cartpole import ALGOS, CartpoleConfig, CartpoleDemo
from rlplay.demos.gridworld import GridworldConfig, GridworldDemo
from rlplay.demos.rlhf import RlhfConfig, RlhfDemo
from rlplay.envs import cartpole as cartpole_env


def call(demo, command, **args):
    """One bridge call, as the worker makes it; the snapshot with its arrays put back in place."""
    text, arrays = bridge.handle(demo, command, json.dumps(args))
    payload = json.loads(text)
    assert "error" not in payload, payload
    snapshot = payload.get("snapshot")
    if snapshot is not None:
        snapshot.update(dict(arrays))
    return payload, snapshot


def assert_keeps(demo, snapshot, statics=True):
    problems = contract.check_snapshot(demo, snapshot, statics=statics)
    assert not problems, "\n".join(problems)


@pytest.fixture(autouse=True)
def fresh_bridge():
    bridge._drivers.clear()
    yield
    bridge._drivers.clear()


# (params, commands to run after create): every algorithm and mode of each demo
SCENARIOS = [
    ("gridworld", {}, [("toggle_wall", {"row": 3, "col": 3}), ("move_goal", {"row": 0, "col": 6}), ("episode", {})]),
    ("gridworld", {"preset": "cliff", "slip": "0.1", "explore": "softmax"}, [("episode", {})]),
    ("gridworld", {"preset": "maze", "explore": "ucb", "gamma": "1", "alpha": "0"}, []),
    ("gridworld", {"algo": "dyna-q", "compare": "sarsa", "plan": "policy-iteration"}, [("plan_step", {"n": 3})]),
    ("gridworld", {"algo": "expected-sarsa", "seeds": "3", "episodes": "50", "compare": "q-learning"}, []),
    ("gridworld", {"paint": ""}, [("paint_cell", {"row": 2, "col": 2, "reward": 0.5}), ("plan_phase", {})]),
    ("bandit", {}, [("new_arms", {})]),
    ("bandit", {"runs": "20", "horizon": "200", "epsilon": "0", "c": "0"}, []),
    ("rlhf", {"updates": "20"}, [("sweep", {"budget_ms": 30})]),
    ("rlhf", {"labeller": "user", "labels": "ab-ba", "beta": "0", "updates": "20"}, []),
    *[
        (
            "cartpole",
            {"algo": algo, "lr": "0.05"},
            [("watch_reset", {}), ("watch_step", {"n": 30}), ("play_reset", {}), ("play_step", {"action": 1})],
        )
        for algo in ALGOS
    ],
]


@pytest.mark.parametrize(("demo", "params", "commands"), SCENARIOS, ids=lambda v: str(v)[:40])
def test_every_snapshot_through_the_bridge_keeps_the_contract(demo, params, commands):
    _, snapshot = call(demo, "create", params={"seed": "3", **params})
    assert_keeps(demo, snapshot)
    have, since = snapshot["static_version"], 5  # since: the page holds 5 episodes (or pulls)

    steps = [("run", {"budget_ms": 20, "max_units": 3000}), ("step", {"n": 1}), ("step", {"n": 700})]
    steps += [(name, {"args": args}) for name, args in commands]
    steps += [("configure", {"params": {"seed": "4"}}), ("step", {"n": 50}), ("reset", {}), ("snapshot", {})]
    for command, args in steps:
        payload, snapshot = call(demo, command, since=since, static=have, **args)
        statics_sent = "config" in snapshot
        assert_keeps(demo, snapshot, statics=statics_sent)
        if statics_sent:
            have = snapshot["static_version"]
        else:
            assert snapshot["static_version"] == have, "static keys left out, but they changed"


def test_static_keys_are_sent_only_when_they_change():
    _, first = call("gridworld", "create", params={"seed": "1"})
    version = first["static_version"]
    _, same = call("gridworld", "step", n=100, static=version)
    for name in contract.static_keys("gridworld"):
        assert name not in same, f"{name} was sent though unchanged"
    assert "Q" in same and same["static_version"] == version
    # a layout edit changes the static data: all of it comes again, with a new version
    _, edited = call("gridworld", "toggle_wall", args={"row": 3, "col": 3}, static=version)
    assert set(contract.static_keys("gridworld")) <= set(edited)
    assert edited["static_version"] != version
    # a page that holds nothing (or an old version) gets everything
    _, fresh = call("gridworld", "step", n=1)
    assert set(contract.static_keys("gridworld")) <= set(fresh)
    _, stale = call("gridworld", "step", n=1, static=version)
    assert set(contract.static_keys("gridworld")) <= set(stale)


@pytest.mark.parametrize(
    ("demo", "driver"),
    [
        ("gridworld", lambda: GridworldDemo(GridworldConfig(seed=2, slip=0.2))),
        ("bandit", lambda: BanditDemo(BanditConfig(runs=3))),
        ("cartpole", lambda: CartpoleDemo(CartpoleConfig(algo="ppo"))),
        ("rlhf", lambda: RlhfDemo(RlhfConfig(updates=20, labeller="user", labels="ba"))),
    ],
)
def test_driver_snapshots_keep_the_contract_before_the_bridge(demo, driver):
    demo_driver = driver()
    for n in (0, 1, 2000):
        demo_driver.advance(n)
        for since in (0, 5, 10**9):
            assert_keeps(demo, demo_driver.snapshot(since))


def test_growing_series_tails_start_at_their_offset():
    driver = CartpoleDemo(CartpoleConfig())
    driver.advance(3000)
    whole = driver.snapshot(0)
    tail = driver.snapshot(7)
    assert tail["episode_lengths_offset"] == 7
    assert np.array_equal(tail["episode_lengths"], whole["episode_lengths"][7:])
    assert np.array_equal(tail["adv_scale"], whole["adv_scale"][tail["adv_scale_offset"] :])


def test_notice_codes_name_each_notice():
    driver = GridworldDemo(GridworldConfig(alpha=0.0, explore="ucb", c=0.0))
    snapshot = driver.snapshot()
    assert snapshot["notice_codes"] == ["alpha-zero", "ucb-greedy"]
    assert len(snapshot["notices"]) == 2 and snapshot["notices"][0].startswith("α = 0")
    cart = CartpoleDemo(CartpoleConfig(lr=0.1)).snapshot()
    assert cart["notice_codes"] == ["lr-large"]


def test_the_differs_mask_is_the_greedy_path_rule_against_the_optimal_actions():
    """Oracle: recompute from Q and Q* by hand, the first maximum as the greedy walk takes it."""
    driver = GridworldDemo(GridworldConfig(seed=1))
    driver.advance(4000)
    snap = driver.snapshot()
    Q = snap["Q"].reshape(-1, 4)
    optimal = snap["optimal_actions"].reshape(-1)
    policy = snap["policy_star"].reshape(-1)
    greedy = driver.agent.greedy_policy()
    for s in range(len(Q)):
        expected = policy[s] >= 0 and not (optimal[s] >> greedy[s]) & 1
        assert snap["differs"].reshape(-1)[s] == expected, s
        flat = Q[s].max() == Q[s].min()
        assert snap["greedy_action"].reshape(-1)[s] == (-1 if flat or policy[s] < 0 else greedy[s]), s
    assert snap["differs"].sum() > 0 or snap["figures"]["greedy-path-length"] >= 0


def test_the_page_contract_is_current_and_carries_pythons_constants():
    described = contract.describe()
    with open(bridge.__file__.replace("py/rlplay/app/bridge.py", "web/contract.json"), encoding="utf-8") as file:
        assert json.load(file) == json.loads(json.dumps(described))
    constants = described["cartpole"]["constants"]
    assert constants["x_threshold"]["value"] == cartpole_env.X_THRESHOLD == 2.4
    assert constants["theta_threshold"]["value"] == pytest.approx(np.radians(12))
    assert constants["max_episode_steps"]["value"] == 500
    assert constants["solved_mean_length"]["value"] == 475


def test_the_checker_catches_a_broken_snapshot():
    """The oracle itself can fail: a missing key, a wrong shape, an unknown figure or notice code."""
    snapshot = GridworldDemo(GridworldConfig()).snapshot()
    assert not contract.check_snapshot("gridworld", snapshot)
    broken = {**snapshot, "V_star": snapshot["V_star"][:, :3], "extra": 1}
    del broken["Q"]
    broken["figures"] = {**snapshot["figures"], "bogus": 1}
    broken["notice_codes"] = ["no-such-code"]
    problems = "\n".join(contract.check_snapshot("gridworld", broken))
    for expected in ("Q: missing", "V_star", "extra", "bogus", "no-such-code"):
        assert expected in problems


# -- the toy demo (rlplay/demos/toy/): a new demo is a package exporting Demo, Config, CONTRACT and one DEMOS line ----


def test_the_toy_demo_keeps_the_contract_through_the_bridge_with_one_registration_line():
    assert demos.DEMOS["toy"] == "rlplay.demos.toy"  # the one registration line
    _, created = call("toy", "create", params={"seed": "1", "p": "0.3"})
    assert_keeps("toy", created)
    _, stepped = call("toy", "step", n=500, since=0, static=created["static_version"])
    assert_keeps("toy", stepped, statics=False)
    assert "config" not in stepped and len(stepped["rate"]) == 500
    assert abs(stepped["figures"]["heads"] / 500 - 0.3) < 5 * (0.21 / 500) ** 0.5
    payload, configured = call("toy", "configure", params={"p": "1"}, since=500, static=created["static_version"])
    assert_keeps("toy", configured)
    assert configured["notice_codes"] == ["certain"] and payload["restarted"] == []
    assert "toy" in contract.describe() and "gridworld" in contract.describe()


@pytest.mark.parametrize("demo", ["gridworld", "bandit", "cartpole"])
def test_the_first_create_in_a_fresh_worker_carries_the_reproduce_values(demo):
    """Each demo's contract part is read when first asked for; the bridge's first answer for a demo, before any
    other read, must still carry reproduce_args (it did not: "Reproduce in Python" said the settings were unsafe
    until the next snapshot)."""
    contract.CONTRACT.clear()  # as in a worker that has not read any part yet
    _, created = call(demo, "create", params={"seed": "5"})
    assert created["reproduce_args"] == [["seed", "5"]]


@pytest.mark.parametrize("demo", sorted(demos.DEMOS))
def test_the_commands_that_keep_the_run_are_commands_of_the_demo(demo):
    """run_commands (DemoDriver.RUN_COMMANDS, read by the page's run record in place of a list written in JS) name
    the bridge's own commands or the driver's, never configure, and reach web/contract.json as declared."""
    driver_class = demos.demo_module(demo).Demo
    own = driver_class.RUN_COMMANDS - {"run", "step", "snapshot", "reset"}
    assert own <= driver_class.COMMANDS, own - driver_class.COMMANDS
    assert "configure" not in driver_class.RUN_COMMANDS
    assert contract.describe()[demo]["run_commands"] == sorted(driver_class.RUN_COMMANDS)


@pytest.mark.parametrize("demo", sorted(demos.DEMOS))
def test_the_commands_beside_the_run_are_commands_of_the_demo(demo):
    """side_commands (DemoDriver.SIDE_COMMANDS: a planner, a sweep, a comparison, which the page's run record replays
    after a restart but which do not stop a link from replaying the run) are the driver's own commands, none of them
    a run command, and reach web/contract.json as declared."""
    driver_class = demos.demo_module(demo).Demo
    assert driver_class.SIDE_COMMANDS <= driver_class.COMMANDS, driver_class.SIDE_COMMANDS - driver_class.COMMANDS
    assert not driver_class.SIDE_COMMANDS & driver_class.RUN_COMMANDS
    assert contract.describe()[demo]["side_commands"] == sorted(driver_class.SIDE_COMMANDS)
    expected = {
        "gridworld": {"plan_step", "plan_phase", "plan_reset"},
        "rlhf": {"sweep"},
        "cartpole": {"compare_start", "compare_step", "compare_cancel"},
    }
    assert driver_class.SIDE_COMMANDS == expected.get(demo, set())


def _run_state(driver) -> dict:
    """What a link replays: the run's figures and its growing series, with the side panels' keys left out."""
    snapshot = driver.snapshot()
    side = {"planner", "sweep", "comparison", "comparison_figures"}
    # (the planner's sweeps and the comparison's figures are the side panels' own)
    side_figures = {"plan-sweeps", *getattr(driver, "comparison_figures", {})}
    figures = {name: value for name, value in snapshot["figures"].items() if name not in side_figures}
    rest = {name: value for name, value in snapshot.items() if name not in side and name != "figures"}
    return {"figures": figures, **{name: repr(value) for name, value in rest.items()}}


@pytest.mark.parametrize(
    ("make", "units", "side"),
    [
        (
            lambda: GridworldDemo(GridworldConfig(seed=3, slip=0.1)),
            400,
            lambda d: (d.plan_step(7), d.plan_phase(), d.plan_reset(), d.plan_step(2)),
        ),
        (lambda: RlhfDemo(RlhfConfig(updates=10)), 4, lambda d: d.sweep(until=9)),
        (
            lambda: CartpoleDemo(CartpoleConfig(seed=2)),
            600,
            lambda d: (d.compare_start(["reinforce"], seeds=2, episodes=100), d.compare_step(budget_ms=30)),
        ),
    ],
    ids=["gridworld-planner", "rlhf-sweep", "cartpole-comparison"],
)
def test_the_commands_beside_the_run_leave_the_run_bit_for_bit(make, units, side):
    """The claim SIDE_COMMANDS makes, natively: the same run with the side commands made half way is the run without
    them, number for number, so a link that replays the run's steps after them gives the screen's run."""
    plain, beside = make(), make()
    plain.advance(units)
    beside.advance(units // 2)
    side(beside)
    beside.advance(units - units // 2)
    assert _run_state(beside) == _run_state(plain)
