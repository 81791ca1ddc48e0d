"""The Code panel's Python side (rlplay.demos.code and the bridge's get_source / set_code / reset_code).

Oracles: the reference run's own numbers (the fast twins against the plain reference loop, bit for bit), the
installed source (inspect.getsource), and what an edit must do to the run (always arm 0 -> every pull is arm 0).
"""

from __future__ import annotations

import inspect
import json
import time

import numpy as np
import pytest
from rlplay.algos import exploration
from rlplay.algos.sample_average import sample_average_update
from rlplay.demos import bridge
from rlplay.demos import code as user_code
from rlplay.demos.bandit import EDITABLE, BanditConfig, BanditDemo, BanditRace
from rlplay.envs.bandit import BanditTestbed


def call(demo, command, **args):
    text, arrays = bridge.handle(demo, command, json.dumps(args))
    payload = json.loads(text)
    if "snapshot" in payload:
        payload["snapshot"].update({name: array for name, array in arrays})
    return payload


def race_state(race: BanditRace) -> dict:
    names = ("Q", "N", "cum_reward", "cum_regret", "best_count", "curve_reward", "curve_regret", "curve_best_rate")
    return {name: getattr(race, name).copy() for name in names} | {"stderr": race.curve_regret_stderr.copy()}


def assert_same_race(a: dict, b: dict):
    for name in a:
        assert np.array_equal(a[name], b[name]), name  # bit for bit, not approximately


def source_of(name: str) -> str:
    return inspect.getsource(EDITABLE[name].reference)


ALWAYS_ARM_0 = source_of("epsilon_greedy").replace(
    "    if u_explore < epsilon:", "    return 0\n    if u_explore < epsilon:"
)


@pytest.mark.parametrize("runs", [1, 7])
def test_fast_twins_and_plain_reference_loop_give_the_same_numbers(runs):
    """What the panel's one line says: the demo's NumPy twins compute exactly what the shown functions compute."""
    for seed in range(3):
        races = []
        for plain in (False, True):
            testbed = BanditTestbed(runs=runs, k=5, arm_seed=seed, seed=seed)
            race = BanditRace(testbed, epsilon=0.1, tau=0.5, c=0.5, seed=seed + 100, capacity=600)
            for chunk in (1, 99, 500):
                race.run(chunk, plain=plain)
            races.append(race_state(race))
        assert_same_race(*races)


def test_get_source_is_the_installed_source():
    call("bandit", "create", params={"seed": "0"})
    functions = call("bandit", "get_source")["functions"]
    assert [f["name"] for f in functions] == ["epsilon_greedy", "softmax", "ucb", "sample_average_update"]
    for entry in functions:
        assert entry["source"] == inspect.getsource(EDITABLE[entry["name"]].reference)
        assert entry["edited"] is None and entry["twin"]
    assert functions[0]["source"] == inspect.getsource(exploration.epsilon_greedy)
    assert "Q[arm] += (reward - Q[arm]) / N[arm]" in inspect.getsource(sample_average_update)


def test_unchanged_source_loaded_as_user_code_reproduces_the_reference_run():
    reference = BanditDemo(BanditConfig(seed=4))
    reference.advance(300)
    edited = BanditDemo(BanditConfig(seed=4))
    for name in EDITABLE:
        edited.code.load(name, source_of(name))
    assert edited.code.edited
    edited.advance(300)
    assert_same_race(race_state(reference.race), race_state(edited.race))


def test_always_arm_0_changes_the_run_from_the_current_state_and_reset_to_reference_gives_it_back():
    call("bandit", "create", params={"seed": "2"})
    call("bandit", "step", n=100)
    loaded = call("bandit", "set_code", name="epsilon_greedy", source=ALWAYS_ARM_0)
    assert loaded["functions"][0]["edited"] == ALWAYS_ARM_0
    N_before = loaded["snapshot"]["N"][0].copy()
    after = call("bandit", "step", n=200)["snapshot"]
    assert after["N"][0][0] - N_before[0] == 200  # every ε-greedy pull went to arm 0
    assert np.array_equal(after["N"][0][1:], N_before[1:])
    assert after["N"][2].sum() == 300  # the other lanes ran on

    restored = call("bandit", "reset_code")
    assert restored["restored"] == ["epsilon_greedy"]
    call("bandit", "reset")
    again = call("bandit", "step", n=300)["snapshot"]
    fresh = BanditDemo(BanditConfig(seed=2)).step(300)
    assert again["figures"] == json.loads(json.dumps(bridge._jsonable(fresh["figures"])))
    assert np.array_equal(again["Q"], fresh["Q"])


def test_syntax_error_names_its_line_and_the_old_code_keeps_running():
    call("bandit", "create", params={"seed": "0"})
    call("bandit", "set_code", name="epsilon_greedy", source=ALWAYS_ARM_0)
    broken = "def epsilon_greedy(q, epsilon, u_explore, u_action, u_tie):\n    x = = 1\n    return 0\n"
    error = call("bandit", "set_code", name="epsilon_greedy", source=broken)["error"]
    assert error["kind"] == "code" and error["code_error"] == "syntax" and error["line"] == 2
    assert error["message"].startswith("SyntaxError")
    snapshot = call("bandit", "step", n=50)["snapshot"]
    assert snapshot["N"][0][0] == 50  # still always arm 0


@pytest.mark.parametrize(
    ("body", "kind", "line", "words"),
    [
        ("    a = q[99]\n    return 0\n", "exception", 2, "IndexError"),
        ("    return 'left'\n", "type", 2, "must return an action"),
        ("    return len(q)\n", "type", 2, "from 0 to 4"),
    ],
)
def test_failing_selector_pauses_with_its_line_and_the_state_stays_whole(body, kind, line, words):
    call("bandit", "create", params={"seed": "1"})
    call("bandit", "step", n=10)
    source = "def epsilon_greedy(q, epsilon, u_explore, u_action, u_tie):\n" + body
    assert "error" not in call("bandit", "set_code", name="epsilon_greedy", source=source)
    error = call("bandit", "step", n=5)["error"]
    assert (error["code_error"], error["line"], error["function"]) == (kind, line, "epsilon_greedy")
    assert words in error["message"]
    snapshot = call("bandit", "snapshot")["snapshot"]
    assert snapshot["figures"]["pulls"] == 10 and snapshot["N"].sum() == 30  # no half-made pull
    # the previous version (the reference) runs again, and the run is the reference run
    functions = call("bandit", "get_source")["functions"]
    assert functions[0]["edited"] is None
    snapshot = call("bandit", "step", n=90)["snapshot"]
    fresh = BanditDemo(BanditConfig(seed=1)).step(100)
    assert np.array_equal(snapshot["Q"], fresh["Q"]) and np.array_equal(snapshot["N"], fresh["N"])


def test_nan_from_the_update_is_refused_and_undone():
    demo = BanditDemo(BanditConfig(seed=0))
    demo.advance(20)
    before = race_state(demo.race)
    source = source_of("sample_average_update").replace(
        "    Q[arm] += (reward - Q[arm]) / N[arm]", "    Q[arm] = float('nan')"
    )
    demo.code.load("sample_average_update", source)
    with pytest.raises(user_code.UserCodeError) as failure:
        demo.advance(1)
    assert failure.value.kind == "nan"
    assert source.splitlines()[failure.value.line - 1].strip() == "Q[arm] = float('nan')"
    assert_same_race(before, race_state(demo.race))
    assert demo.testbed.pulls == 20


def test_an_infinite_loop_is_stopped_within_the_budget_and_the_demo_recovers():
    call("bandit", "create", params={"seed": "0"})
    call("bandit", "step", n=10)
    source = "def ucb(q, n, t, c, u_tie):\n    while True:\n        pass\n"
    call("bandit", "set_code", name="ucb", source=source)
    started = time.perf_counter()
    error = call("bandit", "run", budget_ms=8, max_units=1000)["error"]
    elapsed = time.perf_counter() - started
    assert error["code_error"] == "timeout" and error["line"] in (2, 3)
    assert user_code.BUDGET_S <= elapsed < user_code.BUDGET_S + 1.0
    snapshot = call("bandit", "step", n=10)["snapshot"]
    assert snapshot["figures"]["pulls"] == 20  # the reference ucb runs again


def test_a_top_level_infinite_loop_cannot_hang_loading():
    demo = BanditDemo()
    with pytest.raises(user_code.UserCodeError) as failure:
        demo.code.load("ucb", "while True:\n    pass\n")
    assert failure.value.kind == "timeout"
    assert not demo.code.edited


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("x = 1\n", "must define a function named ucb"),
        ("def ucb(q):\n    return 0\n", "must take 5 arguments"),
        ("ucb = print\n", "must define a function named ucb"),
    ],
)
def test_code_that_defines_no_usable_function_is_refused(source, words):
    demo = BanditDemo()
    with pytest.raises(user_code.UserCodeError, match=words):
        demo.code.load("ucb", source)
    assert not demo.code.edited


def test_bad_requests_are_input_errors():
    call("bandit", "create", params={})
    assert call("bandit", "set_code", name="not_a_function", source="x")["error"]["kind"] == "input"
    assert call("bandit", "set_code", name="ucb")["error"]["kind"] == "input"
    assert call("bandit", "reset_code", names="ucb")["error"]["kind"] == "input"
    too_long = "#" * (user_code.MAX_SOURCE_CHARS + 1)
    assert call("bandit", "set_code", name="ucb", source=too_long)["error"]["code_error"] == "type"


def test_user_code_gets_the_demos_generator_same_code_same_seed_same_run():
    source = "def softmax(q, tau, u):\n    return int(rng.integers(len(q)))\n"

    def run(seed):
        demo = BanditDemo(BanditConfig(seed=seed))
        demo.code.load("softmax", source)
        demo.advance(200)
        return demo.race.N[1].copy()

    assert np.array_equal(run(5), run(5))
    assert not np.array_equal(run(5), run(6))


def test_an_edit_never_changes_rlplay_itself():
    demo = BanditDemo()
    demo.code.load("epsilon_greedy", ALWAYS_ARM_0 + "\ngreedy = None\n")
    demo.advance(5)
    assert exploration.greedy is not None and exploration.epsilon_greedy.__code__.co_filename != "<your code>"
    assert BanditDemo().code.edited is False
