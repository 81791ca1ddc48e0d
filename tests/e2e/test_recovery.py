"""Recovery restores what was there (issue 29): after the Python worker dies and the page restarts it, each demo's run
is replayed as it happened (its config at step 0, each mid-run change at the step Python applied it, the agent it
loaded) and shows the same figures, bit for bit, as before the crash.

The crash is the one test_runtime.py provokes (window.rlplay.runtime.worker.terminate(), then a call the dead worker
owes: the watchdog declares it stopped), on the session's shared page; Restart (the banner's button) leaves the page's
runtime ready for the next test.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from helpers import demo_root, open_setup, record_changes, stat, wait_status, wait_until

DEMOS = ("bandit", "gridworld", "cartpole")


def _config(page, demo: str) -> dict:
    return page.evaluate("(d) => window.rlplay.inspect(d).snapshot.config", demo)


def _set_mid_run(page, demo: str, name: str, value: str) -> None:
    """Change a setting as its control would (registry.set), and wait until Python runs with it."""
    page.evaluate("([d, n, v]) => window.rlplay.registry.set(d, n, v)", [demo, name, value])
    wait_until(lambda: _config(page, demo)[name] == value, 20, 0.05, f"{demo}'s {name} to reach Python")


def _pause(page, demo: str) -> None:
    root = demo_root(page, demo)
    if page.evaluate("(d) => window.rlplay.inspect(d).playing", demo):
        root.get_by_role("button", name="Pause").first.click()
    wait_until(lambda: not page.evaluate("(d) => window.rlplay.inspect(d).inFlight", demo), 10, 0.05, "quiet")


def _train_to(page, demo: str, figure: str, at_least: float) -> None:
    if not page.evaluate("(d) => window.rlplay.inspect(d).playing", demo):
        demo_root(page, demo).get_by_role("button", name="Play").first.click()
    wait_until(lambda: stat(page, demo, figure) >= at_least, 90, 0.05, f"{demo}'s {figure} >= {at_least}")


def _shown(page, demo: str) -> dict:
    shown = page.evaluate("(d) => window.rlplay.inspect(d)", demo)
    return {"unitsDone": shown["unitsDone"], "figures": shown["figures"], "config": shown["snapshot"]["config"]}


def _crash_and_restart(page, demos=DEMOS) -> None:
    """Kill the worker, wait until ``demos`` show the error, and press Restart."""
    page.evaluate("window.rlplay.runtime.worker.terminate()")
    # A call the dead worker owes: the watchdog declares it stopped once it has been silent for its stall limit.
    page.evaluate("(d) => { window.rlplay.runtime.call(d, 'snapshot', {}).catch(() => {}); }", demos[0])
    for demo in demos:
        wait_status(page, demo, "error", timeout=40_000)
    page.locator("#runtime-banner").get_by_role("button", name="Restart").click()


@pytest.mark.slow  # moved from the fast lane: a crash, 10 s of watchdog, a cold restart, 27.5 s at load 8 (slow lane)
def test_a_restart_replays_each_run_as_it_happened_and_gives_back_the_same_figures(app):
    """A bandit whose ε changed mid-run came back from a restart with other figures (regret 58.30 -> 63.01: the
    replay ran the current ε from pull 0); a loaded cart-pole agent came back untrained. Now each run is replayed as
    it happened: the bandit with its ε change, the gridworld with its α change, the cart-pole from the trained agent
    with the training after it, each to the same figures as before the crash."""
    page = app
    open_setup(page, "bandit.horizon=5000&bandit.speed=300&gridworld.speed=1000&cartpole.speed=5000")

    # (a) the bandit: ε from 0.1 to 0.3 while it plays, at about pull 300.
    _train_to(page, "bandit", "pulls", 300)
    _set_mid_run(page, "bandit", "epsilon", "0.3")
    changed_at = stat(page, "bandit", "pulls")
    _train_to(page, "bandit", "pulls", changed_at + 200)
    _pause(page, "bandit")

    # (b) the gridworld: two planner sweeps before training (at step 0), then α changed while it plays.
    grid = demo_root(page, "gridworld")
    grid.locator(".gw-planning > summary").click()
    for sweep in (1, 2):
        grid.get_by_role("button", name="Step sweep").click()
        wait_until(lambda sweep=sweep: stat(page, "gridworld", "plan-sweeps") == sweep, 10, 0.05, f"sweep {sweep}")
    _train_to(page, "gridworld", "steps", 2000)
    _set_mid_run(page, "gridworld", "alpha", "0.9")
    _train_to(page, "gridworld", "steps", stat(page, "gridworld", "steps") + 2000)
    _pause(page, "gridworld")

    # (c) the cart-pole: the site's trained agent, then training on from it.
    cartpole = demo_root(page, "cartpole")
    cartpole.get_by_role("button", name="Watch a trained agent").click()
    agent_status = cartpole.locator(".cartpole-agent-status")
    wait_until(lambda: "Loaded" in agent_status.text_content(), 30, message="the agent to load")
    _set_mid_run(page, "cartpole", "gamma", "0.95")  # after the load, before training on: the agent's file says 0.99
    cartpole.get_by_role("radio", name="Train").check()  # it plays (Watch) since the load: now it trains on
    _train_to(page, "cartpole", "episode", 3)
    _pause(page, "cartpole")

    before = {demo: _shown(page, demo) for demo in DEMOS}
    for demo in ("bandit", "gridworld"):
        # changed mid-run: a link cannot replay these runs (the Copy link says so); the recovery must
        assert page.evaluate("(d) => window.rlplay.inspect(d).replayableSteps", demo) == 0, demo
    assert before["bandit"]["config"]["epsilon"] == "0.3" and before["gridworld"]["config"]["alpha"] == "0.9"
    assert before["gridworld"]["figures"]["plan-sweeps"] == 2
    assert page.evaluate("(d) => window.rlplay.inspect(d).snapshot.trained_before.steps", "cartpole") > 0

    _crash_and_restart(page)
    for demo in DEMOS:
        wait_until(
            lambda demo=demo: (
                page.evaluate("(d) => window.rlplay.inspect(d)", demo)["status"] == "ready"
                and page.evaluate("(d) => window.rlplay.inspect(d).unitsDone", demo) == before[demo]["unitsDone"]
            ),
            180,
            0.2,
            f"{demo} to be replayed to step {before[demo]['unitsDone']}",
        )
    after = {demo: _shown(page, demo) for demo in DEMOS}
    for demo in DEMOS:
        assert after[demo] == before[demo], demo
        notice = demo_root(page, demo).locator(".messages").text_content()
        assert f"replayed to step {before[demo]['unitsDone']:,}" in notice, notice
        assert "the figures are those of the run before" in notice, notice
    # The cart-pole is the loaded agent again, so the sentence about the load is still true; its counter says so.
    assert "Loaded the trained agent" in agent_status.text_content()
    assert "since loading" in cartpole.locator('[data-stat="episode"]').text_content()

    # A Reset starts the cart-pole from scratch: the sentence about the loaded agent goes with it.
    cartpole.get_by_role("button", name="Reset").click()
    wait_until(lambda: page.evaluate("(d) => window.rlplay.inspect(d).unitsDone", "cartpole") == 0, 20, 0.05, "reset")
    assert "Loaded" not in agent_status.text_content(), agent_status.text_content()
    assert "since loading" not in cartpole.locator('[data-stat="episode"]').text_content()
    page.watch.assert_clean()


def _copy_link(root) -> tuple[dict, str]:
    """Copy link's query (each name's first value) and the note beside it."""
    root.get_by_role("button", name="Copy link").click()
    output = root.get_by_label("Shareable text")
    link = wait_until(lambda: "?" in output.input_value() and output.input_value(), 10, 0.05, "the link")
    query = {name: values[0] for name, values in parse_qs(urlsplit(link).query).items()}
    # The note comes with the copy's outcome, once the clipboard has answered (web/app.js, copyText, which empties
    # the last copy's first): after the link.
    status = root.locator(".share-status")
    return query, wait_until(lambda: status.text_content(), 10, 0.05, "the link's note")


def test_planner_sweeps_mid_run_keep_the_links_steps_and_the_link_says_it_leaves_them_out(app):
    """Sweeping the planning panel mid-run counted as a change of the run: Copy link dropped steps=, so the link no
    longer replayed the learner's run, which the planner never touches (it keeps its own V_k). Now the link keeps the
    steps and replays the same run, and its note says that the planner's sweeps are not in it."""
    page = app
    open_setup(page, "demo=gridworld&gridworld.seed=4&gridworld.speed=1000", status=("ready", "paused"))
    _train_to(page, "gridworld", "steps", 600)
    _pause(page, "gridworld")
    grid = demo_root(page, "gridworld")
    grid.locator(".gw-planning > summary").click()
    for sweep in (1, 2, 3):
        grid.get_by_role("button", name="Step sweep").click()
        wait_until(lambda sweep=sweep: stat(page, "gridworld", "plan-sweeps") == sweep, 10, 0.05, f"sweep {sweep}")
    shown = _shown(page, "gridworld")
    assert page.evaluate("(d) => window.rlplay.inspect(d).replayableSteps", "gridworld") == shown["unitsDone"]
    query, note = _copy_link(grid)
    assert query.get("steps") == str(shown["unitsDone"]), query
    assert "The link does not carry the planning panel's 3 sweeps" in note, note
    # the link, opened: the same learner's run at the same step (the planner starts again at V = 0)
    open_setup(page, urlencode(query), status=("ready",))
    wait_until(lambda: _shown(page, "gridworld")["unitsDone"] == shown["unitsDone"], 90, 0.1, "the link's replay")
    again = _shown(page, "gridworld")
    assert again["figures"].pop("plan-sweeps") == 0
    assert again["figures"] == {name: value for name, value in shown["figures"].items() if name != "plan-sweeps"}
    page.watch.assert_clean()


def test_a_restart_brings_back_the_rlhf_beta_sweep_and_the_link_says_it_does_not_carry_it(app):
    """The β sweep was not in the run record: after a worker restart the run came back without it, and nothing said
    so. Now the record keeps the updates each sweep call reached, and the restart replays the sweep to exactly them;
    Copy link keeps the run's steps and says the sweep is not in the link."""
    page = app
    open_setup(page, "demo=rlhf&rlhf.updates=10&rlhf.speed=max", status=("ready", "paused"))
    root = demo_root(page, "rlhf")
    root.get_by_role("button", name="Play").click()
    wait_until(lambda: stat(page, "rlhf", "steps") == 10, 120, 0.1, "the run's 10 updates")
    wait_status(page, "rlhf", "paused", timeout=10_000)  # the run's end pauses it
    root.get_by_role("button", name="Run the β sweep").click()
    sweep = lambda: page.evaluate("() => window.rlplay.inspect('rlhf').snapshot.sweep")  # noqa: E731
    wait_until(lambda: (sweep() or {}).get("done") == 70, 120, 0.1, "the β sweep")
    wait_until(lambda: not page.evaluate("() => window.rlplay.inspect('rlhf').sweeping"), 10, 0.05, "the sweep's end")
    before, swept = _shown(page, "rlhf"), sweep()

    query, note = _copy_link(root)
    assert query.get("steps") == "10", query
    assert "The link does not carry the β sweep (70 of 70 updates)" in note, note

    _crash_and_restart(page, ("rlhf",))
    wait_until(
        lambda: (
            page.evaluate("() => window.rlplay.inspect('rlhf')")["status"] == "ready"
            and (sweep() or {}).get("done") == 70
        ),
        180,
        0.2,
        "the run and its β sweep to come back",
    )
    assert _shown(page, "rlhf") == before
    assert sweep() == swept
    notice = root.locator(".messages").text_content()
    assert "the figures are those of the run before" in notice, notice


def _choose_reinforce_comparison(root, seeds: int, episodes: int):
    """The cart-pole's "Compare over seeds" panel set to REINFORCE alone on ``seeds`` seeds of at most ``episodes``
    episodes (not started); returns the panel."""
    compare = root.locator('[data-control="compare"]')
    compare.get_by_label("Actor-critic", exact=True).uncheck()
    compare.get_by_label("REINFORCE", exact=True).check()
    compare.get_by_label("Seeds N").fill(str(seeds))
    compare.get_by_label("Episodes per run").fill(str(episodes))
    return compare


def test_a_comparison_over_seeds_is_named_by_the_link_and_stays_through_a_restart(app):
    """The cart-pole's comparison over seeds is not in a link: Copy link keeps the run's steps (the comparison never
    touches the run) and now says that it leaves the comparison out; a restart keeps the comparison drawn (its
    result is the page's) and brings the run back to its step."""
    page = app
    open_setup(page, "demo=cartpole&cartpole.speed=5000", status=("ready", "paused"))
    _train_to(page, "cartpole", "episode", 3)
    _pause(page, "cartpole")
    root = demo_root(page, "cartpole")
    compare = _choose_reinforce_comparison(root, seeds=2, episodes=100)
    compare.get_by_role("button", name="Compare over seeds").click()
    inspect_compare = lambda: page.evaluate("() => window.rlplay.inspect('cartpole').compare")  # noqa: E731
    wait_until(lambda: inspect_compare() is not None, 120, 0.2, "the comparison")
    before, drawn = _shown(page, "cartpole"), inspect_compare()

    query, note = _copy_link(root)
    assert query.get("steps") == str(before["unitsDone"]), query
    assert "The link does not carry the comparison over seeds (1 algorithm on 2 seeds" in note, note

    _crash_and_restart(page, ("cartpole",))
    wait_until(
        lambda: (
            _shown(page, "cartpole")["unitsDone"] == before["unitsDone"]
            and page.evaluate("() => window.rlplay.inspect('cartpole').status") == "ready"
        ),
        120,
        0.2,
        "the run to come back",
    )
    assert _shown(page, "cartpole") == before
    assert inspect_compare() == drawn
    assert "The link does not carry the comparison over seeds" in _copy_link(root)[1]


@pytest.mark.slow  # a crash and a cold restart, then the comparison again (slow lane, with the other restarts)
def test_a_comparison_cut_off_by_a_restart_runs_again_to_the_uncut_result(app):
    """A comparison over seeds that a worker restart cut off stayed stopped ("The comparison stopped: ..."), its
    half in Python gone with the old worker. Now the restart runs it again from its start, with its algorithms,
    seeds and episodes, and it ends on the result an uncut run gives: the native comparison's, on the same seeds."""
    import numpy as np
    from rlplay.demos.cartpole import CartpoleConfig, CartpoleDemo

    page = app
    open_setup(page, "demo=cartpole", status=("ready",))
    root = demo_root(page, "cartpole")
    compare = _choose_reinforce_comparison(root, seeds=4, episodes=500)
    statuses = record_changes(page, '[data-demo="cartpole"] [data-control="compare"] [role=status]')
    compare.get_by_role("button", name="Compare over seeds").click()
    wait_until(lambda: compare.get_by_role("button", name="Cancel").is_visible(), 10, 0.05, "the comparison")
    _crash_and_restart(page, ("cartpole",))
    done = "ran again from its start (the same seeds give the same result). Done: 4 seeds each of 1 algorithm"
    wait_until(lambda: done in compare.locator("[role=status]").text_content(), 180, 0.2, "the comparison again")
    cut = [text for text in statuses() if text.startswith("The comparison stopped")]
    assert cut, statuses()  # it was cut off, not over before the crash
    shown = page.evaluate("() => window.rlplay.inspect('cartpole').compare")

    native = CartpoleDemo(CartpoleConfig())
    native.compare_start(["reinforce"], seeds=4, episodes=500)
    while "result" not in (step := native.compare_step(budget_ms=1000)):
        pass
    want = step["result"]["reinforce"]
    assert shown["episodes"] == 500 and shown["algos"] == ["reinforce"]
    assert shown["reinforce"]["solved_at"] == want["solved_at"]
    assert np.allclose(shown["reinforce"]["curve_median"], want["curve_median"], rtol=0, atol=1e-9, equal_nan=True)
    assert compare.get_by_role("button", name="Compare over seeds").is_enabled()
    page.watch.assert_clean()
