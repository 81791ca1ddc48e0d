"""The Code panel's Python side (rlplay.core.user_code and the bridge's get_source / set_code / reset_code).

Oracles: the reference run's own numbers (the fast twins against the plain reference loop, bit for bit), the
installed source (inspect.getsource), and what an edit must do to the run (always arm 0 -> every pull is arm 0).
"""

from __future__ import annotations

import inspect
import json

import numpy as np
import pytest
from rlplay.algos import exploration
from rlplay.algos.sample_average import sample_average_update
from rlplay.app import bridge, replay
from rlplay.core import user_code
from rlplay.demos.bandit import EDITABLE, LANES, BanditConfig, BanditDemo, BanditRace
from rlplay.demos.bandit.driver import OPTIMISTIC as OPTIMISTIC_LANE
from rlplay.envs.bandit import BanditTestbed
from snapshots import bridge_payload

call = bridge_payload  # tests/snapshots.py


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


@pytest.mark.parametrize("alpha", [None, 0.1])  # sample averages, or a constant step size (constant_step_update)
@pytest.mark.parametrize("runs", [1, 7])
def test_fast_twins_and_plain_reference_loop_give_the_same_numbers(runs, alpha):
    """What the panel's one line says: the demo's NumPy twins compute exactly what the shown functions compute."""
    for seed in range(3):
        races = []
        for plain in (False, True):
            testbed = BanditTestbed(runs=runs, k=5, arm_seed=seed, seed=seed)
            race = BanditRace(testbed, epsilon=0.1, tau=0.5, c=0.5, seed=seed + 100, capacity=600, alpha=alpha)
            for chunk in (1, 99, 500):
                race.run(chunk, plain=plain)
            races.append(race_state(race))
        assert_same_race(*races)


def test_get_source_is_the_installed_source():
    call("bandit", "create", params={"seed": "0"})
    functions = call("bandit", "get_source")["functions"]
    assert [f["name"] for f in functions] == [
        "epsilon_greedy",
        "softmax",
        "ucb",
        "sample_average_update",
        "initial_estimates",
    ]
    for entry in functions:
        assert entry["source"] == inspect.getsource(EDITABLE[entry["name"]].reference)
        assert entry["edited"] is None and (entry["twin"] or entry["name"] == "initial_estimates")
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


OPTIMISTIC = source_of("initial_estimates").replace("    return [0.0] * k", "    return [5.0] * k")


def test_optimistic_initial_values_make_a_greedy_learner_try_every_arm_once():
    """Sutton & Barto §2.6: with Q₀ = 5, far above every arm's mean, greedy (ε = 0) pulls each arm once before it
    settles (each pull replaces 5 by a reward below it); with Q₀ = 0 it settles on an early arm that paid."""
    greedy = BanditConfig(epsilon=0.0, arms=5)
    reference = BanditDemo(greedy)
    reference.advance(5)
    assert (reference.race.N[0, 0] == 0).any()  # the reference's greedy lane left some arm untried
    optimistic = BanditDemo(greedy)
    optimistic.code.load("initial_estimates", OPTIMISTIC)
    optimistic.advance(5)
    assert optimistic.race.N[0, 0].tolist() == [1.0] * 5
    assert optimistic.snapshot()["figures"] != reference.snapshot()["figures"]

    # Loaded mid-run, it applies to the arms not pulled yet (their estimate is still Q₀); taken back, they hold 0.
    late = BanditDemo(greedy)
    late.advance(20)
    untried = late.race.N[0, 0] == 0
    assert untried.any()
    late.code.load("initial_estimates", OPTIMISTIC)
    late.advance(int(untried.sum()))
    assert (late.race.N[0, 0] >= 1).all()  # each untried arm, once
    partly = BanditDemo(greedy)
    partly.code.load("initial_estimates", OPTIMISTIC)
    partly.advance(2)
    Q, N = partly.race.Q[:OPTIMISTIC_LANE], partly.race.N[:OPTIMISTIC_LANE]  # the optimistic lane has its own Q₀
    assert (Q[N == 0] == 5.0).all()
    partly.code.restore()
    partly.advance(1)
    assert (Q[N == 0] == 0.0).all()
    # the same load at the same pull, natively through the .py's path: the same numbers
    figures = replay.reproduce("bandit", {"epsilon": "0"}, [[20, "initial_estimates", OPTIMISTIC]], 30)
    late.advance(30 - late.race.pulls)
    assert figures == late.snapshot()["figures"]


def test_initial_estimates_must_give_k_finite_numbers():
    demo = BanditDemo()
    demo.code.load("initial_estimates", "def initial_estimates(k):\n    return [float('nan')] * k\n")
    with pytest.raises(user_code.UserCodeError, match="NaN"):
        demo.advance(1)
    demo = BanditDemo()
    demo.code.load("initial_estimates", "def initial_estimates(k):\n    return [1.0]\n")
    with pytest.raises(user_code.UserCodeError, match="list of 5 numbers"):
        demo.advance(1)
    assert demo.race.pulls == 0


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
    assert snapshot["figures"]["pulls"] == 10 and snapshot["N"].sum() == 10 * len(LANES)  # no half-made pull
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


def test_an_infinite_loop_is_stopped_and_the_demo_recovers_with_the_reference_code():
    """Stopped (by the budget; how long it takes is measured in tests/bench.py), named with its line, the state as
    it was, and the reference ucb runs on: the figures are the reference run's."""
    call("bandit", "create", params={"seed": "0"})
    seen = call("bandit", "step", n=10)["snapshot"]
    source = "def ucb(q, n, t, c, u_tie):\n    while True:\n        pass\n"
    call("bandit", "set_code", name="ucb", source=source)
    error = call("bandit", "run", budget_ms=8, max_units=1000)["error"]
    assert error["kind"] == "code" and error["function"] == "ucb"
    assert error["code_error"] == "timeout" and error["line"] in (2, 3)
    assert "ucb ran for more than" in error["message"] and "was stopped" in error["message"]
    assert call("bandit", "snapshot")["snapshot"]["figures"] == seen["figures"]  # the pull in progress undone
    assert [f["edited"] for f in call("bandit", "get_source")["functions"]] == [None] * len(EDITABLE)
    snapshot = call("bandit", "step", n=10)["snapshot"]
    reference = BanditDemo(BanditConfig(seed=0))
    reference.advance(20)
    assert snapshot["figures"] == reference.snapshot()["figures"]  # the reference ucb ran the 10 pulls


def test_edited_code_gives_signs_of_life_the_page_tells_a_stuck_c_call_by(monkeypatch):
    """The worker posts each sign (web/runtime/worker.js); a worker silent for long after one is stuck inside one C
    call of edited code (web/runtime/client.js). The reference code gives none; every command that runs edited code
    gives one as its first edited call starts, and says when that call returned; a long Python loop keeps giving them
    until the budget stops it."""
    signs = []
    monkeypatch.setattr(user_code, "on_user_code_alive", signs.append)
    call("bandit", "create", params={"seed": "0"})
    call("bandit", "step", n=50)
    assert signs == []
    call("bandit", "set_code", name="ucb", source=source_of("ucb"))
    signs.clear()
    for _ in range(3):
        call("bandit", "step", n=1)
    assert signs == [True, False] * 3  # one per command, however close together, and its call's return
    call("bandit", "set_code", name="ucb", source="def ucb(q, n, t, c, u_tie):\n    while True:\n        pass\n")
    signs.clear()
    assert call("bandit", "run", budget_ms=8, max_units=10)["error"]["code_error"] == "timeout"
    # signs while the loop ran (about BUDGET_S / ALIVE_EVERY_S of them), then its end
    assert signs[-1] is False and signs[:-1] == [True] * (len(signs) - 1) and len(signs) > 2


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


def _signed(value: float) -> str:
    return f"{value:.3f}".replace("-", "−")


def lanes_oracle(pulls: int, seed: int = 0, arm_seed: int = 0) -> list[tuple]:
    """Each lane's last update at ``pulls``, found apart from the race's bookkeeping: the arms it chose (last_arm),
    its estimates one pull earlier, the reward read from a second testbed built from the same seed, and the shown
    function ``sample_average_update`` applied to them."""
    config = BanditConfig(seed=seed, arm_seed=arm_seed)
    earlier, now = BanditDemo(config), BanditDemo(config)
    earlier.advance(pulls - 1)
    now.advance(pulls)
    noise_seed = np.random.SeedSequence(seed).spawn(2)[0]
    testbed = BanditTestbed(1, config.arms, arm_seed=arm_seed, seed=noise_seed)
    for _ in range(pulls):
        table = testbed.next_rewards()
    out = []
    for lane in range(len(LANES)):
        arm = int(now.race.last_arm[lane, 0])
        Q, N = earlier.race.Q[lane, 0].tolist(), earlier.race.N[lane, 0].tolist()
        q_before, reward = Q[arm], float(table[0, arm])
        sample_average_update(Q, N, arm, reward)
        assert Q[arm] == now.race.Q[lane, 0, arm]  # the oracle agrees with the race, bit for bit
        out.append((arm, q_before, reward, N[arm], Q[arm]))
    return out


def test_bandit_last_update_line_carries_the_real_numbers_at_any_chunking():
    """The Code panel's last update: each lane's Q[a] ← Q[a] + (r − Q[a]) / N[a] = new, the oracle's numbers; the
    same whether the pulls came in one request (the fast twin at speed) or one by one (Step), or in the plain loop."""
    line_of_update = source_of("sample_average_update").splitlines().index("    Q[arm] += (reward - Q[arm]) / N[arm]")
    for pulls in (1, 2, 57, 300):
        expected = lanes_oracle(pulls)
        texts = set()
        for chunks in ([pulls], [pulls - 1, 1], [1] * min(pulls, 60) + [pulls - min(pulls, 60)]):
            demo = BanditDemo()
            for chunk in chunks:
                demo.advance(chunk)
            texts.add(demo.snapshot()["last_update"]["text"])
        plain = BanditDemo()
        plain.race.run(pulls, plain=True)
        texts.add(plain.snapshot()["last_update"]["text"])
        assert len(texts) == 1, texts
        note = BanditDemo()
        note.advance(pulls)
        last = note.snapshot()["last_update"]
        assert last["function"] == "sample_average_update" and last["line"] == line_of_update + 1
        lines = last["text"].splitlines()
        assert lines[0] == f"pull {pulls}"
        for text, label, (arm, q, r, n, q_new) in zip(
            lines[1:], ("ε-greedy", "softmax", "UCB", "optimistic"), expected, strict=True
        ):
            formula = f"Q[{arm}] ← {_signed(q)} + ({_signed(r)} − {_signed(q)}) / {n:g} = {_signed(q_new)}"
            assert text.split() == [label, *formula.split()]
    assert BanditDemo().snapshot()["last_update"] is None  # nothing before the first pull


def test_bandit_last_update_of_edited_code_says_what_it_did_not_the_reference_formula():
    constant_step = source_of("sample_average_update").replace(
        "    Q[arm] += (reward - Q[arm]) / N[arm]", "    Q[arm] += 0.5 * (reward - Q[arm])"
    )
    demo = BanditDemo()
    demo.advance(40)
    before = demo.race.Q[:, 0, :].copy()
    demo.code.load("sample_average_update", constant_step)
    demo.advance(1)
    last = demo.snapshot()["last_update"]
    assert constant_step.splitlines()[last["line"] - 1].strip() == "Q[arm] += 0.5 * (reward - Q[arm])"
    for lane, text in enumerate(last["text"].splitlines()[1:]):
        arm = int(demo.race.last_arm[lane, 0])
        q_before, q_after = before[lane, arm], demo.race.Q[lane, 0, arm]
        assert f"Q[{arm}]: {_signed(q_before)} → {_signed(q_after)}" in text and "←" not in text
    demo.code.restore()
    demo.advance(1)
    assert "←" in demo.snapshot()["last_update"]["text"]


# -- the gridworld ---------------------------------------------------------------------------------------------------
from rlplay.algos.tabular import TabularAgent  # noqa: E402
from rlplay.demos.gridworld import RULES, GridworldConfig, GridworldDemo  # noqa: E402
from rlplay.demos.gridworld import code as gridworld_code  # noqa: E402
from rlplay.envs.gridworld import ACTION_ARROWS  # noqa: E402

TARGET_R_ONLY = inspect.getsource(gridworld_code.EDITABLE["q_learning_update"].reference).replace(
    "td_target = r if terminated else r + gamma * max(Q[s_next])", "td_target = r"
)


def grid(**config) -> GridworldDemo:
    return GridworldDemo(GridworldConfig(**config))


def test_gridworld_fast_twin_and_the_shared_loop_give_the_same_q():
    for seed in range(3):
        fast, shared = grid(seed=seed).agent, grid(seed=seed).agent
        fast.run(5000)
        TabularAgent.run(shared, 5000)
        assert fast.Q == shared.Q and fast.episode_lengths == shared.episode_lengths


@pytest.mark.parametrize("algo", sorted(RULES))
def test_gridworld_reference_source_loaded_as_user_code_reproduces_the_run(algo):
    reference, edited = grid(algo=algo, seed=1), grid(algo=algo, seed=1)
    for name in gridworld_code.RULE_FUNCTIONS[algo]:
        edited.code.load(name, inspect.getsource(gridworld_code.EDITABLE[name].reference))
    for chunk in (1, 37, 400):
        reference.advance(chunk)
        edited.advance(chunk)
    assert edited.agent.Q == reference.agent.Q
    assert edited.snapshot()["figures"] == reference.snapshot()["figures"]
    assert edited.last_update == reference.last_update


def test_gridworld_last_update_line_carries_the_real_numbers():
    demo = grid(seed=0)
    for _ in range(60):
        before = [row[:] for row in demo.agent.Q]
        demo.advance(1)
        note = demo.last_update
        assert note["function"] == "q_learning_update"
        source = inspect.getsource(gridworld_code.EDITABLE["q_learning_update"].reference).splitlines()
        assert "Q[s][a] += alpha * td_error" in source[note["line"] - 1]
        changed = [(s, a) for s, row in enumerate(demo.agent.Q) for a, value in enumerate(row) if value != before[s][a]]
        if not changed:
            continue  # an update that left Q as it was (e.g. 0 → 0)
        (s, a) = changed[0]
        row, col = demo.env.cell_of(s)
        text = note["text"]
        assert text.startswith(f"Q({row},{col},{ACTION_ARROWS[a]}) ← {before[s][a]:.3f}".replace("-", "−")), text
        assert text.endswith(f"= {demo.agent.Q[s][a]:.3f}".replace("-", "−")), text
        assert " + 0.5 × (" in text or f" + {demo.config.alpha:g} × (" in text


def test_gridworld_last_update_highlights_the_line_of_the_code_that_runs():
    """An edit that moves the update's line: the line marked is the edited source's, as the editor shows it."""
    moved = TARGET_R_ONLY.replace("    td_target = r\n", "    # the reward alone, no bootstrap\n    td_target = r\n")
    demo = grid(seed=0)
    demo.advance(5)
    reference_line = demo.last_update["line"]
    demo.code.load("q_learning_update", moved)
    demo.advance(1)
    assert demo.last_update["line"] == reference_line + 1
    assert moved.splitlines()[demo.last_update["line"] - 1].strip() == "Q[s][a] += alpha * td_error"


def test_gridworld_target_r_only_changes_what_is_learned_and_reset_gives_the_reference_back():
    demo = grid(seed=0)
    demo.code.load("q_learning_update", TARGET_R_ONLY)
    demo.advance(20_200)
    # Q(s,a) ← Q(s,a) + α (r − Q(s,a)) from Q = 0 keeps every value between 0 and the rewards
    rewards = {value for row in demo.env.tables()[1] for value in row} | {0.0}
    values = [value for row in demo.agent.Q for value in row]
    assert min(rewards) - 1e-12 <= min(values) and max(values) <= max(rewards) + 1e-12
    reference = grid(seed=0)
    reference.advance(20_200)
    assert max(reference.agent.Q[reference.env.start_state]) > 0.5  # the goal's value reached the start...
    assert max(demo.agent.Q[demo.env.start_state]) < 0  # ...but not with r alone as the target
    demo.code.restore()
    demo.reset()
    demo.advance(20_200)
    assert demo.agent.Q == reference.agent.Q


def test_gridworld_failing_update_leaves_the_state_the_page_last_saw():
    demo = grid(seed=0)
    demo.advance(100)
    before = (copy_q := [row[:] for row in demo.agent.Q], demo.agent.steps, demo.snapshot()["figures"])
    source = TARGET_R_ONLY.replace("    td_target = r\n", "    td_target = r\n    if s_next == 7:\n        1 / 0\n")
    demo.code.load("q_learning_update", source)
    with pytest.raises(user_code.UserCodeError) as failure:
        demo.advance(100_000)
    assert failure.value.kind == "exception" and "ZeroDivisionError" in failure.value.message
    assert source.splitlines()[failure.value.line - 1].strip() == "1 / 0"
    assert (demo.agent.Q, demo.agent.steps, demo.snapshot()["figures"]) == (copy_q, before[1], before[2])


def test_gridworld_selectors_are_shown_not_edited():
    call("gridworld", "create", params={"explore": "softmax"})
    functions = call("gridworld", "get_source")["functions"]
    assert [f["name"] for f in functions] == ["q_learning_update", "softmax"]
    assert [f["editable"] for f in functions] == [True, False]
    assert functions[1]["source"] == inspect.getsource(exploration.softmax)
    error = call("gridworld", "set_code", name="softmax", source="def softmax(q, tau, u):\n    return 0\n")["error"]
    assert error["kind"] == "input" and "bandit" in error["message"]
    call("gridworld", "configure", params={"algo": "dyna-q"})
    names = [f["name"] for f in call("gridworld", "get_source")["functions"]]
    assert names == ["q_learning_update", "dyna_q_planning", "softmax"]


# -- the cart-pole ---------------------------------------------------------------------------------------------------
from rlplay.algos.reinforce import Reinforce, ReinforceConfig  # noqa: E402
from rlplay.demos.cartpole import CartpoleConfig  # noqa: E402
from rlplay.demos.cartpole import code as cartpole_code  # noqa: E402
from rlplay.demos.cartpole import driver as cartpole_demo  # noqa: E402

UNCLIPPED = inspect.getsource(cartpole_code.EDITABLE["ppo_policy_loss"].reference).replace(
    "unclipped_active = ratio * adv <= np.clip(ratio, 1.0 - epsilon, 1.0 + epsilon) * adv",
    "unclipped_active = ratio == ratio  # no clip: every sample pushes",
)


def cart_figures(algo: str, steps: int, edits: dict | None = None) -> dict:
    call("cartpole", "create", params={"algo": algo, "seed": "2"})
    for name, source in (edits or {}).items():
        assert "error" not in call("cartpole", "set_code", name=name, source=source)
    return call("cartpole", "step", n=steps)["snapshot"]["figures"]


def test_cartpole_panel_shows_each_algorithms_functions_from_the_installed_source():
    call("cartpole", "create", params={"algo": "reinforce"})
    functions = call("cartpole", "get_source")["functions"]
    assert [f["name"] for f in functions] == ["Reinforce.learn", "reinforce_loss"]
    for entry in functions:
        assert entry["source"] == inspect.getsource(cartpole_code.EDITABLE[entry["name"]].reference)
    assert [f["editable"] for f in functions] == [False, True]
    # the seed's line, batched: grad_logits = −probs; grad_logits[action] += 1.0
    assert "grad_logits[rows, actions] += 1.0" in functions[1]["source"]
    for algo in ("reinforce-baseline", "dqn"):
        call("cartpole", "configure", params={"algo": algo})
        names = [f["name"] for f in call("cartpole", "get_source")["functions"]]
        assert names == list(cartpole_code.ALGO_FUNCTIONS[algo])
    call("cartpole", "configure", params={"algo": "ppo"})
    names = [f["name"] for f in call("cartpole", "get_source")["functions"]]
    assert names == ["PPO.update", "gae", "ppo_policy_loss", "clipped_surrogate", "log_softmax_backward"]
    assert CartpoleConfig().algo in cartpole_code.ALGO_FUNCTIONS


def test_cartpole_edits_run_in_the_learners_update_and_the_reference_source_changes_nothing():
    reference = cart_figures("ppo", 3000)
    same = {name: inspect.getsource(cartpole_code.EDITABLE[name].reference) for name in ("gae", "ppo_policy_loss")}
    assert cart_figures("ppo", 3000, same) == reference
    assert "no clip" in UNCLIPPED
    unclipped = cart_figures("ppo", 3000, {"ppo_policy_loss": UNCLIPPED})
    assert unclipped != reference
    assert cart_figures("ppo", 3000, {"ppo_policy_loss": UNCLIPPED}) == unclipped  # same code, same seed


def test_cartpole_failing_edit_puts_the_driver_back_as_the_page_saw_it():
    call("cartpole", "create", params={"algo": "reinforce", "seed": "0"})
    seen = call("cartpole", "step", n=10)["snapshot"]["figures"]
    broken = "def reinforce_loss(logits, actions, adv, ent_coef):\n    return 0.0, {}, logits * float('nan')\n"
    call("cartpole", "set_code", name="reinforce_loss", source=broken)
    error = call("cartpole", "step", n=5000)["error"]
    assert error["code_error"] == "nan" and error["function"] == "reinforce_loss"
    assert call("cartpole", "snapshot")["snapshot"]["figures"] == seen
    after = call("cartpole", "step", n=3000)["snapshot"]["figures"]
    assert after == cart_figures("reinforce", 3010) or after["steps"] == 3010


NO_BASELINE = inspect.getsource(cartpole_code.EDITABLE["time_baseline_advantages"].reference).replace(
    "    adv = ret - baseline[:T]\n", "    adv = ret\n"
)


def test_removing_the_baseline_in_one_edit_gives_raw_return_reinforce_bit_for_bit(monkeypatch):
    # One of the "ideas in a few keystrokes": delete `- baseline[:T]` and REINFORCE + baseline trains exactly
    # as REINFORCE on raw returns does (the seed's advantages), step for step, with the same seed. The oracle is the
    # driver's own REINFORCE with the baseline switched off in its config and +baseline's gradient clipping kept
    # (the page's "reinforce" is the seed's update as written, without clipping).
    assert NO_BASELINE.count("adv = ret\n") == 1
    with_baseline = cart_figures("reinforce-baseline", 4000)
    same = inspect.getsource(cartpole_code.EDITABLE["time_baseline_advantages"].reference)
    assert cart_figures("reinforce-baseline", 4000, {"time_baseline_advantages": same}) == with_baseline
    edited = cart_figures("reinforce-baseline", 4000, {"time_baseline_advantages": NO_BASELINE})
    assert edited != with_baseline

    def raw_returns_learner(config, rng):
        shared = {"lr": config.lr, "gamma": config.gamma, "hidden": config.hidden, "entropy": config.entropy}
        return Reinforce(ReinforceConfig(**shared, baseline="none"), 4, 2, rng)

    monkeypatch.setattr(cartpole_demo, "make_learner", raw_returns_learner)
    assert cart_figures("reinforce-baseline", 4000) == edited


def test_a_baseline_edit_of_the_wrong_shape_is_refused_and_changes_nothing():
    call("cartpole", "create", params={"algo": "reinforce-baseline", "seed": "0"})
    seen = call("cartpole", "step", n=10)["snapshot"]["figures"]
    short = "def time_baseline_advantages(ret, baseline, rate):\n    return ret, baseline[:0]\n"
    call("cartpole", "set_code", name="time_baseline_advantages", source=short)
    error = call("cartpole", "step", n=3000)["error"]
    assert error["function"] == "time_baseline_advantages" and "the baseline" in error["message"]
    assert call("cartpole", "snapshot")["snapshot"]["figures"] == seen
