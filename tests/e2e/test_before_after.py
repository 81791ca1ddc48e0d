"""Before and after (issue 24): a run replaced by a setting's restart or by edited code stays on the chart, faded
and labelled, until the user clears it; while edited code runs, the live curve's legend says so.

The gridworld and the bandit share the piece that keeps the run (web/framework/before.js). The gridworld: a seed change restarts the run, and the old run's moving average stays ("…(seed 0), before");
Run my code keeps the reference code's run ("reference"), and the live curve's legend says "edited code"; a Reset
keeps the faded run (a fresh run of the edit beside the reference); "Clear the faded run" takes it away.
"""

from __future__ import annotations

import pytest
from helpers import demo_root, open_demo, open_setup, stat, wait_until


@pytest.fixture
def page(warm_page):
    """This file's first loads connect to a running Python (tests/conftest.py, WarmPages): what they check is the
    page a link opens, not Python's start."""
    return warm_page


DEMO = "gridworld"


def inspect(page):
    return page.evaluate("window.rlplay.inspect('gridworld')")


def train(page, root, episodes):
    root.get_by_role("button", name="Play", exact=True).click()
    wait_until(lambda: stat(page, DEMO, "episode") >= episodes, 30, message=f"{episodes} episodes")
    root.get_by_role("button", name="Pause").click()
    wait_until(lambda: not inspect(page)["inFlight"], 5, message="the last answer")


def test_a_restart_keeps_the_previous_run_faded_until_cleared(page, server_url):
    open_demo(page, server_url, "demo=gridworld&speed=max")
    root = demo_root(page, DEMO)
    train(page, root, 30)
    episodes = inspect(page)["curve"]["episodes"]
    page.evaluate("window.rlplay.registry.set('gridworld', 'seed', 5)")
    wait_until(lambda: inspect(page)["before"] is not None, 10, message="the faded run")
    state = inspect(page)
    assert state["before"]["label"] == "Q-learning (seed 0), before", state["before"]
    assert state["before"]["points"] >= min(episodes, 1)
    assert state["curve"]["episodes"] == 0 and state["curve"]["labels"][0] == "Q-learning (seed 0), before"
    clear = root.get_by_role("button", name="Clear the faded run")
    assert clear.is_visible()
    clear.click()
    assert inspect(page)["before"] is None and clear.is_hidden()
    page.watch.assert_clean()


def test_run_my_code_keeps_the_reference_run_and_the_legend_says_edited(page, server_url):
    open_demo(page, server_url, "demo=gridworld&speed=max")
    root = demo_root(page, DEMO)
    train(page, root, 30)
    assert not any("edited" in label for label in inspect(page)["curve"]["labels"])
    root.locator(".code-panel > summary").click()
    root.get_by_role("button", name="Run my code").wait_for()
    wait_until(lambda: root.get_by_role("button", name="Run my code").is_enabled(), 20, message="the editor")
    root.get_by_role("button", name="Run my code").click()
    wait_until(lambda: inspect(page)["before"] is not None, 10, message="the reference run kept")
    assert inspect(page)["before"]["label"] == "reference"
    train(page, root, stat(page, DEMO, "episode") + 5)
    labels = inspect(page)["curve"]["labels"]
    assert labels[0] == "reference" and labels[-1].endswith("edited code"), labels
    root.get_by_role("button", name="Reset", exact=True).click()
    wait_until(lambda: inspect(page)["unitsDone"] == 0, 10, message="the reset")
    assert inspect(page)["before"]["label"] == "reference"
    page.watch.assert_clean()


def test_cartpole_run_my_code_keeps_the_reference_through_a_reset(page, server_url):
    """The cart-pole: Run my code keeps the reference run faded ("…, reference"); a Reset keeps it beside the
    edited code's fresh run (it used to drop it)."""
    open_demo(page, server_url, "demo=cartpole&algo=reinforce&speed=max")
    root = demo_root(page, "cartpole")
    root.get_by_role("button", name="Play", exact=True).click()
    wait_until(lambda: stat(page, "cartpole", "episode") >= 5, 60, message="five episodes")
    root.get_by_role("button", name="Pause").click()
    wait_until(lambda: not page.evaluate("window.rlplay.inspect('cartpole').inFlight"), 5, message="the answer")
    root.locator(".code-panel > summary").click()
    root.locator(".cm-content").wait_for(timeout=30_000)
    root.get_by_role("tab", name="reinforce_loss").click()  # an editable function
    run = root.get_by_role("button", name="Run my code")
    wait_until(lambda: run.is_visible() and run.is_enabled(), 20, message="the editor")
    run.click()
    runs = lambda: page.evaluate("window.rlplay.inspect('cartpole').previousRuns")  # noqa: E731
    wait_until(lambda: runs(), 10, message="the reference run kept")
    assert runs()[-1]["label"].endswith(", reference"), runs()
    root.get_by_role("button", name="Reset", exact=True).click()
    wait_until(lambda: page.evaluate("window.rlplay.inspect('cartpole').unitsDone") == 0, 10, message="the reset")
    assert runs()[-1]["label"].endswith(", reference"), runs()
    page.watch.assert_clean()


def test_bandit_keeps_the_replaced_race_faded_until_cleared_and_says_edited(app):
    """The bandit (on the shared page): a seed change restarts the race and the race so far stays on the charts,
    faded, as "seed 0, before" until Clear; Run my code keeps the reference code's race ("reference"), the legend says
    "edited code runs", and a Reset keeps the faded race beside the edit's fresh one."""
    open_setup(app, "demo=bandit&speed=max&horizon=200", status=("ready",))
    root = demo_root(app, "bandit")

    def state():
        return app.evaluate("window.rlplay.inspect('bandit')")

    def race_to_the_horizon():
        root.get_by_role("button", name="Play", exact=True).click()
        wait_until(lambda: stat(app, "bandit", "pulls") == 200, 30, message="the horizon")
        wait_until(lambda: not state()["inFlight"] and state()["status"] == "paused", 10, message="the finish")

    race_to_the_horizon()
    assert state()["before"] is None and state()["plotNote"] == ""
    app.evaluate("window.rlplay.registry.set('bandit', 'seed', 5)")
    wait_until(lambda: state()["before"] is not None, 10, message="the faded race")
    assert state()["before"] == {"label": "seed 0, before", "points": 200}
    assert state()["unitsDone"] == 0 and state()["plotNote"] == "faded: seed 0, before"
    clear = root.get_by_role("button", name="Clear the faded run")
    assert clear.is_visible()
    clear.click()
    assert state()["before"] is None and clear.is_hidden() and state()["plotNote"] == ""

    race_to_the_horizon()
    root.locator(".code-panel > summary").click()
    run = root.get_by_role("button", name="Run my code")
    wait_until(lambda: run.is_visible() and run.is_enabled(), 20, message="the editor")
    run.click()
    wait_until(lambda: state()["before"] is not None, 10, message="the reference race kept")
    assert state()["before"] == {"label": "reference", "points": 200}
    assert state()["plotNote"] == "faded: reference · edited code runs"
    root.get_by_role("button", name="Reset", exact=True).click()
    wait_until(lambda: state()["unitsDone"] == 0, 10, message="the reset")
    assert state()["before"]["label"] == "reference" and "edited code runs" in state()["plotNote"]
    app.watch.assert_clean()
