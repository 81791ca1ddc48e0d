"""The bandit race in the browser, against the same driver run natively (the oracle): same seed, same numbers.

What a user does: opens the demo, presses Play (or Step, Reset, New arms, with the keyboard), reads the figures and
the "finished" message; switches to the averaged mode through the URL and reads the expected regret.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from conftest import ROOT
from helpers import demo_root, open_setup, record_stat, stat, wait_status, wait_until
from rlplay.demos.bandit import BanditConfig, BanditDemo

LANES = ("epsilon-greedy", "softmax", "ucb", "optimistic-greedy")
SNAPSHOT_FIGURES = "window.rlplay.inspect('bandit').figures"


@pytest.fixture
def page(app):
    """This file's tests share the session's booted page (tests/conftest.py: app); each opens its setup with
    open_setup, which checks that it starts clean."""
    return app


def displayed_digits(name: str) -> int:
    """The precision the page rounds each figure to (bandit.js: accept)."""
    if name == "pulls":
        return 0
    return 3 if name.startswith(("best-arm-rate", "optimal-share")) else 2


def native_figures(pulls: int, **params) -> dict:
    demo = BanditDemo(BanditConfig(**params))
    assert demo.advance(pulls) == pulls
    return demo.snapshot()["figures"]


def assert_figures_match(page, native: dict) -> None:
    """Every figure: the page's data-stat text at its displayed precision, and the exact number it received."""
    root = demo_root(page, "bandit")
    exact = page.evaluate(SNAPSHOT_FIGURES)
    assert set(exact) == set(native)
    for name, value in native.items():
        shown = float(root.locator(f'[data-stat="{name}"]').get_attribute("data-value"))
        tolerance = 0.5 * 10 ** -displayed_digits(name) + 1e-9
        assert abs(shown - value) <= tolerance, (name, shown, value)
        assert exact[name] == value, (name, exact[name], value)


def query_of(page) -> str:
    """The page's query string now (the registry keeps it current with history.replaceState)."""
    return page.evaluate("location.search")


def open_bandit(page, query: str) -> None:
    """Open the setup and wait for the bandit to be ready; on failure, say what the page shows instead."""
    try:
        open_setup(page, query, status=("ready",))
    except Exception as error:
        root = demo_root(page, "bandit")
        raise AssertionError(
            f"bandit not ready: status {root.get_attribute('data-status')!r}, "
            f"error {root.locator('.error-box').text_content()!r}, "
            f"banner {page.locator('#runtime-banner').text_content()!r}"
        ) from error


def screenshot(page, path) -> None:
    """The demo alone, once the loading banner (sticky over the page's top while loading) is out of the way."""
    page.locator('#runtime-banner[data-state="ready"], #runtime-banner[hidden]').first.wait_for(
        state="attached", timeout=10_000
    )
    page.wait_for_timeout(200)  # the next animation frame has drawn the latest snapshot
    demo_root(page, "bandit").screenshot(path=str(path))


def play_to(page, pulls: int, timeout_s: float) -> float:
    """Press Play; return the seconds until the page shows ``pulls`` pulls."""
    root = demo_root(page, "bandit")
    started = time.monotonic()
    root.get_by_role("button", name="Play", exact=True).click()
    wait_until(lambda: stat(page, "bandit", "pulls") >= pulls, timeout_s, 0.02, f"{pulls} pulls")
    return time.monotonic() - started


def test_race_runs_1000_pulls_fast_and_matches_the_native_run(page, artifacts):
    open_bandit(page, "demo=bandit&speed=max")
    root = demo_root(page, "bandit")
    assert stat(page, "bandit", "pulls") == 0

    seconds = play_to(page, 1000, timeout_s=30)
    print(f"\nbandit race: 1000 pulls at max speed in {seconds:.2f} s")  # the target is in tests/bench.py

    # The horizon stops the race, and says so.
    wait_status(page, "bandit", "paused", timeout=5_000)
    assert stat(page, "bandit", "pulls") == 1000
    assert "Finished: 1,000 pulls" in root.locator(".messages").text_content()
    native = native_figures(1000)
    assert_figures_match(page, native)
    assert stat(page, "bandit", "steps-per-second") > 0

    # The screen-reader summary names every strategy's regret, lowest first.
    summary = root.locator("[data-summary]").text_content()
    ranked = sorted(LANES, key=lambda lane: native[f"regret-{lane}"])
    labels = {
        "epsilon-greedy": "ε-greedy",
        "softmax": "softmax",
        "ucb": "UCB",
        "optimistic-greedy": "optimistic greedy",
    }
    assert summary.startswith("After 1,000 pulls: "), summary
    positions = [summary.index(labels[lane]) for lane in ranked]
    assert positions == sorted(positions), summary

    # "Reproduce in Python" gives a command that replays the run natively with identical numbers.
    root.get_by_role("button", name="Reproduce in Python").click()
    output = root.get_by_label("Shareable text")  # filled once Python's validated values and the wheel are known
    command = wait_until(lambda: " -m rlplay " in output.input_value() and output.input_value(), 30, 0.05, "command")
    run = command.split(" && ")[-1]  # after the venv and the install of the site's wheel (tests/e2e/test_sharing.py)
    assert run.startswith("rlplay-env/bin/python -m rlplay bandit --steps=1000"), command
    argv = run.split()[3:] + ["--json"]
    completed = subprocess.run(
        [sys.executable, "-m", "rlplay", *argv],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "py"), "PATH": "/usr/bin:/bin"},
    )
    assert json.loads(completed.stdout)["figures"] == page.evaluate(SNAPSHOT_FIGURES)

    # Reveal the hidden means for the picture: the best arm gets its star, and every lane its gold reference lines.
    root.get_by_label("Reveal the hidden means").check()
    screenshot(page, artifacts / "bandit-race.png")

    # Play after the finish races again from the start, on the same arms: the same run, pull for pull.
    # (recorded in the page: on a loaded machine the second race can end between two polls)
    pulls_seen = record_stat(page, "bandit", "pulls")
    root.get_by_role("button", name="Play", exact=True).click()
    wait_until(lambda: any(pulls < 1000 for pulls in pulls_seen()), 10, 0.01, "the race to restart")
    wait_until(lambda: stat(page, "bandit", "pulls") == 1000, 30, 0.02, "the second race to finish")
    wait_status(page, "bandit", "paused", timeout=5_000)
    assert_figures_match(page, native)
    page.watch.assert_clean()


def test_averaged_mode_ucb_ends_with_lower_regret_than_epsilon_greedy(page, artifacts):
    open_bandit(page, "demo=bandit&speed=max&runs=200")
    root = demo_root(page, "bandit")
    seconds = play_to(page, 1000, timeout_s=60)
    print(f"\nbandit average of 200 races: 1000 pulls in {seconds:.2f} s")
    wait_status(page, "bandit", "paused", timeout=5_000)

    assert page.evaluate("window.rlplay.inspect('bandit').snapshot.mode") == "average"
    native = native_figures(1000, runs=200)
    assert_figures_match(page, native)
    assert stat(page, "bandit", "regret-ucb") < stat(page, "bandit", "regret-epsilon-greedy")
    # Each expected regret comes with its standard error, shown and shaded.
    stderr_text = root.locator(".bandit-se").all_text_contents()
    assert len(stderr_text) == len(LANES) and all(text.strip().startswith("±") for text in stderr_text), stderr_text
    bands = page.evaluate("window.rlplay.inspect('bandit').curves.regret_stderr.map((b) => b.length)")
    assert bands == [1000] * len(LANES)
    assert "averaged over 200 races" in root.locator("[data-summary]").text_content()
    # The table's caption says what its numbers are: means over the races, and only the regret has its ± beside it.
    caption = root.locator(".bandit-scores caption").text_content()
    assert caption == "Means over 200 races after 1,000 pulls each (regret ± 1 standard error)", caption

    # The log axis, as a reader would switch it on to see log t against ε·t; softmax (far above) off the chart.
    root.get_by_label("Log pull axis").check()
    root.get_by_label("softmax", exact=True).uncheck()
    wait_until(lambda: "logx=1" in query_of(page), 5, message="logx in the URL")
    screenshot(page, artifacts / "bandit-average.png")
    page.watch.assert_clean()


def test_keyboard_step_reset_new_arms_and_reveal_round_trip_the_url(page):
    open_bandit(page, "demo=bandit&arms=7&seed=3")
    root = demo_root(page, "bandit")

    step = root.get_by_role("button", name="Step")
    step.focus()
    page.keyboard.press("Space")
    wait_until(lambda: stat(page, "bandit", "pulls") == 1, 10, message="one pull after Space on Step")
    page.keyboard.press("Enter")
    wait_until(lambda: stat(page, "bandit", "pulls") == 2, 10, message="two pulls after Enter on Step")
    assert_figures_match(page, native_figures(2, arms=7, seed=3))

    # Tab reaches every control of the demo, in order, without a trap: from the first one (Play), not from Step,
    # so the walk does not depend on what follows the demo on the page.
    root.get_by_role("button", name="Play").focus()
    focusable = root.locator("button:visible, input:visible, select:visible")
    names = set()
    for _ in range(focusable.count() + 2):
        page.keyboard.press("Tab")
        names.add(page.evaluate("document.activeElement.id || document.activeElement.textContent"))
    for control in (
        "Reset",
        "New arms",
        "bandit-epsilon",
        "bandit-tau",
        "bandit-c",
        "bandit-runs",
        "bandit-horizon",
        "bandit-reveal",
        "bandit-seed",
    ):
        assert control in names, (control, names)

    root.get_by_role("button", name="Reset").press("Enter")
    wait_until(lambda: stat(page, "bandit", "pulls") == 0, 10, message="reset to 0 pulls")

    root.get_by_role("button", name="New arms").press("Space")
    wait_until(
        lambda: page.evaluate("window.rlplay.registry.get('bandit', 'arm_seed')") == 1,
        10,
        message="New arms to draw arm_seed 1",
    )
    root.get_by_label("Reveal the hidden means").check()
    wait_until(
        lambda: {"arm_seed=1", "reveal=1"} <= set(query_of(page).lstrip("?").split("&")), 5, message="the URL to follow"
    )
    query = query_of(page)

    # The link reproduces the state: same arms (arm_seed), same seed, revealed.
    open_setup(page, query.lstrip("?"), status=("ready",))  # read as a link: registry.load, a fresh driver
    assert page.evaluate("window.rlplay.registry.get('bandit', 'arm_seed')") == 1
    assert root.get_by_label("Reveal the hidden means").is_checked()
    means = page.evaluate("window.rlplay.inspect('bandit').snapshot.means.data")
    native = BanditDemo(BanditConfig(arms=7, seed=3, arm_seed=1)).snapshot()["means"].tolist()
    assert means == native
    page.watch.assert_clean()


def test_extreme_settings_and_bad_url_values_are_explained_and_the_race_still_runs(page):
    """ε = 0, τ at its floor (softmax's exponent would overflow without the max-shift), c = 0, and a bad value."""
    open_bandit(page, "demo=bandit&speed=max&epsilon=0&tau=0.01&c=0&horizon=100&arms=<b>9</b>")
    root = demo_root(page, "bandit")
    # The notice about the link sits next to the demo the link opens.
    page_notices = root.locator(".messages").text_content()
    assert "Ignored arms=“<b>9</b>”: arms must be a number." in page_notices, page_notices
    assert root.locator(".messages b").count() == 0  # shown as text, never as markup
    remarks = root.locator(".bandit-remarks").text_content()
    for remark in ("ε = 0", "τ = 0.01", "c = 0"):
        assert remark in remarks, remarks

    play_to(page, 100, timeout_s=30)
    wait_status(page, "bandit", "paused", timeout=5_000)
    assert_figures_match(page, native_figures(100, epsilon=0.0, tau=0.01, c=0.0, horizon=100))
    page.watch.assert_clean()


def test_the_optimistic_scene_shows_figure_2_3_with_the_native_numbers(page, artifacts):
    """?scene=bandit-optimistic (Figure 2.3): the scene's settings are the page's, it starts by itself with the charts
    on the claim's two learners, the best-arm chart plots the "% optimal action" curves, and, paused past the spike
    at pull 11, every figure and curve is the native run's to the same pull."""
    from rlplay.demos import scenes
    from rlplay.params import from_params

    scene = scenes()["bandit-optimistic"]
    open_setup(page, "scene=bandit-optimistic", status=("ready", "running", "paused"))
    root = demo_root(page, "bandit")
    assert page.evaluate("window.rlplay.inspect('bandit').scene") == "bandit-optimistic"
    for name, value in scene.params().items():
        got = page.evaluate(f"window.rlplay.registry.get('bandit', '{name}')")
        assert str(got) == value or (isinstance(got, (int, float)) and got == float(value)), (name, got, value)
    assert root.get_by_label("α (step size)").is_visible()  # shown: the step size is constant
    # the charts plot the claim's two learners (the scene switches the others off; Plot brings them back)
    shown = [page.evaluate(f"window.rlplay.registry.get('bandit', 'show_{lane.replace('-', '_')}')") for lane in LANES]
    assert shown == [True, False, False, True], shown
    wait_until(lambda: stat(page, "bandit", "pulls") >= 30, 60, message="30 pulls")
    root.get_by_role("button", name="Pause").click()
    wait_until(lambda: not page.evaluate("window.rlplay.inspect('bandit').inFlight"), 10, message="the last answer")
    pulls = int(stat(page, "bandit", "pulls"))
    config, _ = from_params(BanditConfig, scene.params())
    native = BanditDemo(config)
    native.advance(pulls)
    snapshot = native.snapshot()
    assert_figures_match(page, snapshot["figures"])
    curves = page.evaluate("window.rlplay.inspect('bandit').curves.optimal_share")
    assert curves == snapshot["optimal_share"].tolist()
    optimistic, greedy = curves[3], curves[0]
    assert optimistic[10] > 0.5 > greedy[10]  # the spike at pull 11, on the page's chart
    caption = root.locator(".bandit-chart-best-arm figcaption").text_content()
    assert caption == "% optimal action: share of the 500 races pulling the best arm at each pull", caption
    screenshot(page, artifacts / "bandit-optimistic.png")
    page.watch.assert_clean()
