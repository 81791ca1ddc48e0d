"""Bad input never crashes the page, never pollutes it, and never silently misbehaves.

The URL cases (tests/hostile_links.py) are all read natively and in node, through the page's state registry and
Python's bridge (tests/test_hostile_links.py, in seconds); one case of each class opens the page here with its
hostile or impossible URL and asserts what a user would see: a clear message that names the problem, built-ins left
intact, and a demo that still works (it reaches ``ready`` and trains when Play is pressed). Hostile strings must
show up as text, never as markup or script. The other tests put a long replay, a
crash and a missing file in the page's way.

Classes of hostile input, and the number of cases of each in this file (``test_docstring_counts_are_current`` keeps
the counts honest; the same classes have unit tests in tests/js/state.test.js and tests/test_security.py):

- bad-value: 39 (values out of range, of the wrong type, too long, markup; degenerate but valid settings)
- prototype-path: 8 (names that walk to JavaScript built-ins: ``constructor.entries``, ``__proto__.toString``, ...)
- duplicate: 4 (a parameter given twice, or under two names)
- invisible: 4 (bidi controls, zero-width and control characters in names and values)
- flood: 2 (thousands of parameters; a 50 kB value)
- code-link: 5 (edited code in a link: a decompression bomb, a bidi function name, a name the demo does not offer,
  code in an embed, an unreadable ``code=`` with no ``demo=``; tests/js/share.test.js has the rest)
- file: 1 (agent files: a bidi override in the file's name, an ``__proto__`` entry, a seed written 1.0, NaN
  weights, a number of 5000 digits; tests/test_cartpole_agent.py has the rest)
- timing: 1 (Step and Episode pressed while Python loads: they wait for the driver, as Reset does)
- busy: 1 (a setting that makes each unit 200x dearer, changed at max speed: the worker keeps its budget and the
  watchdog stays quiet)
- replay: 8 (``steps=1e9`` capped and cancelled; Reset, a setting change and a worker restart during a
  replay; ``steps=abc``; an agent loaded, a grid edit from the keyboard and New arms during a replay)
- reproduce: 1 (a command asked for while Python loads, from a link with hostile values)
- failure: 6 (a missing worker, schema, demo module or core module; a sandboxed embed; offline with a crashed
  worker)
"""

from __future__ import annotations

import json
import re
import time

import pytest
from helpers import (
    demo_root,
    limits_in_use,
    open_replaying,
    open_setup,
    small_limits,
    stat,
    wait_status,
    wait_until,
)
from hostile_links import ALL_CASES, BIDI, BUILT_INS_INTACT, CASES

PROGRESS = {"gridworld": "steps", "bandit": "pulls", "cartpole": "episode"}
# One case of each class in the browser: the message shows, the demo trains, nothing from the URL is rendered as
# markup or changes a built-in. Every case is read natively and in node too (tests/test_hostile_links.py).
BROWSER_IDS = ("script-in-choice", "proto-bracket", "demo-twice", "rlo-in-value", "many-parameters", "bidi-name")
BROWSER_CASES = [case for case in ALL_CASES if case[1] in BROWSER_IDS]


@pytest.mark.parametrize(
    ("query", "demo", "message"),
    [case[2:] for case in BROWSER_CASES],
    ids=[f"{case[0]}:{case[1]}" for case in BROWSER_CASES],
)
def test_bad_input_gets_a_message_and_the_demo_still_works(warm, server_url, query, demo, message):
    """A first load of each hostile link, on the warm shared Python (tests/conftest.py, WarmPages): what the page
    makes of the URL is the subject, not Python's start."""
    page, _ = warm.new_page(1280, 900)
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{server_url}?{query}")
        wait_status(page, demo, "ready", timeout=90_000)
        if message is not None:
            shown = page.get_by_text(message, exact=False).first
            shown.wait_for(state="visible", timeout=10_000)
        # Still works: Play trains.
        root = demo_root(page, demo)
        root.scroll_into_view_if_needed()
        root.get_by_role("button", name="Play").click()
        wait_until(lambda: stat(page, demo, PROGRESS[demo]) > 0, 20, message=f"{demo} to make progress")
        assert page.locator("img[src=x], svg[onload], b:text('bold')").count() == 0, "markup from the URL was rendered"
        assert page.evaluate(BUILT_INS_INTACT), "a URL parameter changed a JavaScript built-in"
        assert not BIDI.search(page.locator("body").inner_text()), "a bidi control from the URL is shown raw"
        assert dialogs == [] and errors == [], (dialogs, errors)
    finally:
        page.close()


def test_alpha_zero_learns_nothing(app):
    page = app  # the session's shared page (tests/conftest.py)
    open_setup(page, "demo=gridworld&alpha=0&speed=max&autoplay=1")
    wait_status(page, "gridworld", "running", timeout=90_000)
    wait_until(lambda: stat(page, "gridworld", "steps") > 5000, 20, message="5000 steps")
    q_max = page.evaluate("() => Math.max(...window.rlplay.inspect('gridworld').snapshot.Q.data.map(Math.abs))")
    assert q_max == 0.0


def test_softmax_with_the_smallest_tau_stays_finite(app):
    page = app  # the session's shared page (tests/conftest.py)
    open_setup(page, "demo=bandit&tau=0.01&speed=max&autoplay=1")
    # (not a wait for "running": at max speed the race can end between two polls of a loaded machine, and then it
    # never runs again; it once waited 90 s for that)
    wait_until(lambda: stat(page, "bandit", "pulls") >= 1000, 60, message="1000 pulls")
    for lane in ("epsilon-greedy", "softmax", "ucb"):
        value = stat(page, "bandit", f"regret-{lane}")
        assert 0 <= value < 1e6
    time.sleep(0.2)
    page.watch.assert_clean()


# ---- replay: a shared run's steps= is capped, visible and cancellable ----------------------------------------------


def units(page, demo):
    return page.evaluate(f"window.rlplay.inspect('{demo}').unitsDone")


def replay_value(page, demo):
    bar = demo_root(page, demo).locator(".replay progress")
    return float(bar.get_attribute("value") or 0) if bar.count() else -1


def test_replay_capped_shows_progress_and_cancel_leaves_a_usable_demo(app):
    page = app  # the session's shared page (tests/conftest.py)
    open_replaying(page, "demo=cartpole&steps=1e9", "cartpole")
    page.get_by_text("capped at 1,000,000", exact=False).first.wait_for(timeout=20_000)
    root = demo_root(page, "cartpole")
    bar = root.locator(".replay progress")
    bar.wait_for(timeout=90_000)
    assert bar.get_attribute("max") == "1000000"
    wait_until(lambda: replay_value(page, "cartpole") > 0, 30, message="replay progress")
    first = replay_value(page, "cartpole")
    wait_until(lambda: replay_value(page, "cartpole") > first, 30, message="replay progress to move")
    root.get_by_role("button", name="Cancel replay").click()
    wait_status(page, "cartpole", "ready", timeout=10_000)
    root.get_by_text("Replay cancelled at step", exact=False).wait_for(timeout=5000)
    assert root.locator(".replay").count() == 0
    steps = units(page, "cartpole")
    assert 0 < steps < 1_000_000
    root.get_by_role("button", name="Play").click()
    wait_until(lambda: units(page, "cartpole") > steps, 20, message="training after cancel")
    page.watch.assert_clean()


def test_replay_reset_during_a_replay_leaves_a_usable_demo(app):
    page = app
    open_replaying(page, "demo=cartpole&steps=1000000", "cartpole")
    wait_until(lambda: replay_value(page, "cartpole") > 0, 90, message="replay progress")
    root = demo_root(page, "cartpole")
    root.get_by_role("button", name="Reset").click()
    wait_status(page, "cartpole", "ready", timeout=10_000)
    root.get_by_text("The replay stopped at step", exact=False).wait_for(timeout=5000)
    assert units(page, "cartpole") == 0
    root.get_by_role("button", name="Play").click()
    wait_until(lambda: units(page, "cartpole") > 0, 20, message="training after reset")
    page.watch.assert_clean()


@pytest.mark.slow  # moved from the fast lane: a crash and a cold restart, 25-44 s (slow lane)
def test_replay_restart_during_a_replay_replays_again_and_says_so(page, server_url):
    page.goto(f"{server_url}?demo=cartpole&steps=40000")
    wait_until(lambda: replay_value(page, "cartpole") > 0, 90, message="replay progress")
    page.evaluate("window.rlplay.runtime.worker.terminate()")
    wait_status(page, "cartpole", "error", timeout=30_000)
    page.locator("#runtime-banner").get_by_role("button", name="Restart").click()
    root = demo_root(page, "cartpole")
    root.get_by_text("restarted during the replay", exact=False).wait_for(timeout=90_000)
    wait_status(page, "cartpole", "ready", timeout=120_000)
    root.get_by_text("Replayed the shared run to step 40,000", exact=False).wait_for(timeout=5000)
    assert units(page, "cartpole") == 40_000


def test_replay_setting_change_during_a_replay_applies_it_and_stops(app):
    page = app
    open_replaying(page, "demo=cartpole&steps=1000000&algo=actor-critic", "cartpole")
    wait_until(lambda: replay_value(page, "cartpole") > 0, 90, message="replay progress")
    root = demo_root(page, "cartpole")
    root.get_by_role("radio", name="REINFORCE", exact=True).check()
    wait_status(page, "cartpole", "ready", timeout=20_000)
    root.get_by_text("The replay stopped at step", exact=False).wait_for(timeout=5000)
    assert page.evaluate("window.rlplay.registry.get('cartpole', 'algo')") == "reinforce"
    assert root.locator(".replay").count() == 0
    before = units(page, "cartpole")
    root.get_by_role("button", name="Play").click()
    wait_until(lambda: units(page, "cartpole") > before, 20, message="training after the change")
    page.watch.assert_clean()


def test_replay_bad_steps_is_reported_and_nothing_replays(warm_page, server_url):
    page = warm_page  # a first load of the link on the warm shared Python (tests/conftest.py, WarmPages)
    page.goto(f"{server_url}?demo=gridworld&steps=abc")
    page.get_by_text("Ignored steps=“abc”: steps must be a number.", exact=False).first.wait_for(timeout=60_000)
    wait_status(page, "gridworld", "ready", timeout=90_000)
    assert units(page, "gridworld") == 0
    assert demo_root(page, "gridworld").locator(".replay").count() == 0


def test_replay_an_agent_loaded_during_a_replay_stops_it_where_it_was(app):
    page = app
    open_replaying(page, "demo=cartpole&steps=1000000", "cartpole")
    wait_until(lambda: replay_value(page, "cartpole") > 0, 90, message="replay progress")
    root = demo_root(page, "cartpole")
    root.get_by_role("button", name="Watch a trained agent").click()
    wait_until(lambda: "Loaded" in root.locator(".cartpole-agent-status").text_content(), 30, message="the load")
    stopped = root.get_by_text("The replay stopped at step", exact=False)
    stopped.wait_for(timeout=10_000)
    reached = int(re.search(r"stopped at step ([\d,]+)", stopped.text_content()).group(1).replace(",", ""))
    assert reached > 0  # the step the replay had reached, not the loaded agent's 0
    wait_status(page, "cartpole", "running", timeout=20_000)  # watching the loaded agent
    assert root.locator(".replay").count() == 0
    page.watch.assert_clean()


def test_replay_an_edit_from_the_keyboard_during_a_replay_stops_it_and_says_so(app):
    page = app
    # Dyna-Q with 200 planning steps replays slowly enough to act during it
    open_replaying(page, "demo=gridworld&steps=1000000&algo=dyna-q&planning_steps=200", "gridworld")
    wait_until(lambda: replay_value(page, "gridworld") > 0, 90, message="replay progress")
    root = demo_root(page, "gridworld")
    root.locator("canvas").first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # a wall at (0, 1)
    wait_status(page, "gridworld", "ready", timeout=20_000)
    root.get_by_text("The replay stopped at step", exact=False).wait_for(timeout=5000)  # it was wiped before
    # The edit reaches the page's state with the edit's answer and Python's layout with the next snapshot; the status
    # can turn ready before either arrives (the replay stops first), so both are waited for, 10 s at most.
    wait_until(
        lambda: "0.1" in page.evaluate("window.rlplay.registry.get('gridworld', 'walls')"),
        10,
        message="the wall in the page's state",
    )
    wait_until(
        lambda: [0, 1] in page.evaluate("window.rlplay.inspect('gridworld').snapshot.layout.walls"),
        10,
        message="the wall in Python's layout",
    )
    page.watch.assert_clean()


def test_replay_new_arms_during_a_replay_stops_it(app):
    page = app
    open_replaying(page, "demo=bandit&steps=50000&runs=500&horizon=100000", "bandit")
    wait_until(lambda: replay_value(page, "bandit") > 0, 90, message="replay progress")
    root = demo_root(page, "bandit")
    root.get_by_role("button", name="New arms").click()  # it did nothing, and said nothing, before
    wait_status(page, "bandit", "ready", timeout=20_000)
    root.get_by_text("The replay stopped at pull", exact=False).wait_for(timeout=5000)
    assert root.locator(".replay").count() == 0
    page.watch.assert_clean()


def test_timing_step_and_episode_wait_for_the_driver_as_reset_does(page, server_url):
    """Pressed while Python loaded, Step and Episode did nothing, or their work was undone by a setting applied once
    the driver came; now they are disabled until it exists, then work."""
    held = []  # the worker's script, held back: Python cannot be ready while the buttons are checked
    page.route("**/web/runtime/worker.js", lambda route: held.append(route))
    page.goto(f"{server_url}?demo=gridworld")
    root = demo_root(page, "gridworld")
    step = root.get_by_role("button", name="Step", exact=True)
    step.wait_for(timeout=30_000)
    wait_until(lambda: held, 30, message="the worker's request")
    assert root.get_attribute("data-status") == "loading"
    assert step.is_disabled() and root.get_by_role("button", name="Episode").is_disabled()
    held[0].continue_()
    wait_status(page, "gridworld", "ready", timeout=90_000)
    step.click()
    wait_until(lambda: units(page, "gridworld") == 1, 10, message="one step")
    root.get_by_role("button", name="Episode").click()
    wait_until(lambda: stat(page, "gridworld", "episode") >= 1, 20, message="an episode")
    page.watch.assert_clean()


def test_docstring_counts_are_current():
    counts = dict(re.findall(r"^- ([a-z-]+): (\d+)", __doc__, flags=re.M))
    actual = {name: len(cases) for name, cases in CASES.items()}
    for name in ("replay", "failure", "reproduce", "busy", "file", "timing"):
        actual[name] = sum(1 for test in globals() if test.startswith(f"test_{name}_"))
    assert {name: int(count) for name, count in counts.items()} == actual


# ---- busy: a worker doing what it was asked is not dead ----------------------------------------------------------


def test_busy_a_setting_that_makes_units_dearer_at_max_speed_keeps_training(warm_page, server_url):
    """Q-learning at max teaches the bridge ~1 M steps/s; Dyna-Q with 200 planning updates a step is ~200x dearer.
    The bridge once planned the next 100 ms call at the old rate (~90,000 Dyna-Q steps: a minute of work), so the
    watchdog, after 10 s of silence, said the worker had stopped answering.

    What moved: the watchdog's limit is 3 s here (helpers.small_limits), and the test waits 9 s where it waited 15 s
    against the page's 10 s: still three limits long, and still 30 times the longest call the bridge may plan (100
    ms), while the old bug's minute-long call is still 20 limits long. A first load on the warm shared Python
    (tests/conftest.py, WarmPages): the limits are the page's own watchdog's, and the worker beats for each page at
    the rate that page asked for (web/runtime/worker.js, Client.beat)."""
    page = warm_page
    small_limits(page, stall_ms=3000, heartbeat_ms=250)
    page.goto(f"{server_url}?demo=gridworld&planning_steps=200&speed=max&autoplay=1")
    wait_status(page, "gridworld", "running", timeout=90_000)
    wait_until(lambda: stat(page, "gridworld", "steps") > 50_000, 30, message="Q-learning at max")
    root = demo_root(page, "gridworld")
    root.get_by_label("Learning rule").select_option(label="Dyna-Q (planning)")
    wait_until(lambda: page.evaluate("window.rlplay.inspect('gridworld').snapshot.config.algo") == "dyna-q", 10,
               message="Dyna-Q to run")  # fmt: skip
    assert limits_in_use(page)["stall_ms"] == 3000
    steps = stat(page, "gridworld", "steps")
    time.sleep(9)  # three times the watchdog's 3 s (small_limits above)
    assert page.locator("#runtime-banner[data-state=error]").count() == 0
    assert root.get_attribute("data-status") == "running"
    assert stat(page, "gridworld", "steps") > steps
    page.watch.assert_clean()


# ---- file: an agent file is hostile input too ------------------------------------------------------------------


def test_file_hostile_agent_files_are_refused_by_name_and_change_nothing(app):
    page = app  # the session's shared page (tests/conftest.py)
    open_setup(page, "demo=cartpole")
    wait_status(page, "cartpole", "ready", timeout=90_000)
    root = demo_root(page, "cartpole")
    status = root.locator(".cartpole-agent-status")
    good = json.loads(
        page.evaluate("window.rlplay.runtime.call('cartpole', 'save_agent', {args: {}}).then(p => p.result)")
    )
    nan_weight = json.loads(json.dumps(good))
    nan_weight["networks"]["critic"]["b2"] = [float("nan")]  # Python's json reads NaN; the check must not
    files = {  # the file's name as the reader's system shows it -> (its text, what the page must say)
        "agent\u202egnp.json": ("{", "Not loaded: agent⟨U+202E⟩gnp.json was refused"),
        "proto.json": (json.dumps({**good, "__proto__": {"polluted": 1}}), "unknown entries '__proto__'"),
        "float-seed.json": (json.dumps({**good, "seed": 0.0, "config": {**good["config"], "seed": 0.0}}),
                            "seed must be a whole number"),
        "nan.json": (json.dumps(nan_weight), "non-finite"),
        "digits.json": (json.dumps(good).replace('"steps": 0', '"steps": ' + "9" * 5000), "not valid JSON"),
    }  # fmt: skip
    for name, (text, message) in files.items():
        root.locator('[data-control="agent"] input[type="file"]').set_input_files(
            {"name": name, "mimeType": "application/json", "buffer": text.encode()}
        )
        wait_until(lambda message=message: message in status.text_content(), 20, message=message)
        assert "nothing changed" in status.text_content()
    assert not BIDI.search(page.locator("body").inner_text()), "a bidi control from a file name is shown raw"
    assert page.evaluate(BUILT_INS_INTACT)
    assert page.evaluate("window.rlplay.inspect('cartpole').unitsDone") == 0
    page.watch.assert_clean()


# ---- failure: every failure names what failed and offers a way back ----------------------------------------------


def banner_text(page, timeout=90_000):
    banner = page.locator("#runtime-banner[data-state=error]")
    banner.wait_for(timeout=timeout)
    return banner.text_content()


@pytest.mark.slow  # moved from the fast lane: a cold start with a file missing (slow lane)
def test_failure_missing_worker_is_named_and_retry_works(page, server_url):
    page.route("**/web/runtime/worker.js", lambda route: route.fulfill(status=404, body="not found"))
    page.goto(f"{server_url}?demo=gridworld")
    assert "Could not load web/runtime/worker.js: HTTP 404" in banner_text(page)
    page.unroute("**/web/runtime/worker.js")
    page.locator("#runtime-banner").get_by_role("button", name="Retry").click()
    wait_status(page, "gridworld", "ready", timeout=120_000)


@pytest.mark.slow  # moved from the fast lane: a cold start with a file missing (slow lane)
def test_failure_missing_schema_is_named(page, server_url):
    page.route("**/web/params.json", lambda route: route.fulfill(status=404, body="not found"))
    page.goto(f"{server_url}?demo=gridworld")
    assert "Could not load web/params.json (HTTP 404)" in banner_text(page)
    assert page.locator("#runtime-banner").get_by_role("button", name="Retry").is_visible()


@pytest.mark.slow  # moved from the fast lane: a cold start with a file missing (slow lane)
def test_failure_missing_demo_module_is_named_and_the_others_work(page, server_url):
    page.route("**/web/views/bandit_view.js", lambda route: route.fulfill(status=404, body="not found"))
    page.goto(server_url)
    root = demo_root(page, "bandit")
    root.get_by_text("web/views/bandit_view.js did not load (HTTP 404)", exact=False).wait_for(timeout=60_000)
    assert root.get_by_role("button", name="Retry").is_visible()
    wait_status(page, "gridworld", "ready", timeout=120_000)


@pytest.mark.slow  # moved from the fast lane: a cold start with a file missing (slow lane)
def test_failure_missing_core_module_is_named(page, server_url):
    page.route("**/web/ui.js", lambda route: route.fulfill(status=404, body="not found"))
    page.goto(f"{server_url}?demo=gridworld")
    assert "The page could not start: web/ui.js did not load (HTTP 404)" in banner_text(page, timeout=30_000)


SANDBOXED = """<!doctype html><html><head><meta charset="utf-8"><title>A post</title><link rel="icon" href="data:,">
</head><body><iframe sandbox="allow-scripts" src="{base}?demo=gridworld&embed=1" width="720" height="480"></iframe>
</body></html>"""


@pytest.mark.slow  # moved from the fast lane: a cold start in a sandboxed frame (slow lane)
def test_failure_sandboxed_embed_says_what_it_needs(page, server_url, tmp_path):
    from conftest import build

    (tmp_path / "index.html").write_text(SANDBOXED.format(base=server_url))
    server, url = build.start_server(tmp_path, 0)
    try:
        page.goto(url)
        frame = page.frame_locator("iframe")
        frame.get_by_text("allow-same-origin", exact=False).first.wait_for(timeout=60_000)
        link = frame.get_by_role("link", name="Open the full page")
        href = link.get_attribute("href")
        assert href.startswith(server_url) and "demo=gridworld" in href and "embed" not in href
    finally:
        server.shutdown()


@pytest.mark.slow  # moved from the fast lane: a cold start offline, after a crash (slow lane)
def test_failure_offline_with_a_crashed_worker_says_so_and_recovers(page, server_url):
    page.goto(f"{server_url}?demo=gridworld")
    wait_status(page, "gridworld", "ready", timeout=90_000)
    page.context.set_offline(True)
    page.evaluate("window.rlplay.runtime.worker.terminate()")
    demo_root(page, "gridworld").get_by_role("button", name="Play").click()
    assert "You are offline" in banner_text(page, timeout=30_000)
    page.context.set_offline(False)
    wait_status(page, "gridworld", "ready", timeout=120_000)
    demo_root(page, "gridworld").get_by_role("button", name="Play").click()
    wait_until(lambda: stat(page, "gridworld", "steps") > 0, 20, message="training after the network returned")


# ---- reproduce: the command waits for Python's validated values and carries nothing else ------------------------


def test_reproduce_waits_for_python_and_leaves_out_hostile_values(page, server_url):
    hostile = "%27%3B%20touch%20PWNED%20%23"  # '; touch PWNED #
    page.goto(f"{server_url}?demo=gridworld&goal={hostile}&walls=$(touch%20PWNED)&seed=5")
    root = demo_root(page, "gridworld")
    root.get_by_role("button", name="Reproduce in Python").click()
    status = root.locator(".share-status")
    assert "Waiting for Python" in status.text_content()
    output = root.get_by_label("Shareable text")
    output.wait_for(state="visible", timeout=120_000)
    command = output.input_value()
    assert re.fullmatch(r"[A-Za-z0-9._/:= &-]+", command), command
    assert command.endswith("-m rlplay gridworld --steps=0 --seed=5"), command
