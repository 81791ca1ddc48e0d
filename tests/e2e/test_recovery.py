"""Recovery restores what was there (issue 29): after the Python worker dies and the page restarts it, each demo's run
is replayed as it happened (its config at step 0, each mid-run change at the step Python applied it, the agent it
loaded) and shows the same figures, bit for bit, as before the crash.

The crash is the one test_runtime.py provokes (window.rlplay.runtime.worker.terminate(), then a call the dead worker
owes: the watchdog declares it stopped), on the session's shared page; Restart (the banner's button) leaves the page's
runtime ready for the next test.
"""

from __future__ import annotations

from helpers import demo_root, open_setup, stat, wait_status, wait_until

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


def _crash_and_restart(page) -> None:
    page.evaluate("window.rlplay.runtime.worker.terminate()")
    # A call the dead worker owes: the watchdog declares it stopped once it has been silent for its stall limit.
    page.evaluate("() => { window.rlplay.runtime.call('bandit', 'snapshot', {}).catch(() => {}); }")
    for demo in DEMOS:
        wait_status(page, demo, "error", timeout=40_000)
    page.locator("#runtime-banner").get_by_role("button", name="Restart").click()


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
