"""The watchdog tells busy from dead: a worker kept busy by a user, and a runtime that downloads over a slow link,
are both alive and must never be declared crashed; a worker that really stops is (test_runtime.py kills one)."""

from __future__ import annotations

import time

from conftest import build
from helpers import demo_root, stat, wait_status, wait_until

DEMOS = ("gridworld", "bandit", "cartpole")
SLOW_LINK_BYTES_PER_SECOND = 120_000  # 120 KB/s: a poor mobile link


def test_dragging_a_slider_at_max_speed_for_30_s_keeps_training(page, server_url):
    page.goto(f"{server_url}?demo=gridworld&speed=max&autoplay=1")
    wait_status(page, "gridworld", "running", timeout=90_000)
    wait_until(lambda: stat(page, "gridworld", "steps") > 0, 10, message="training to start")
    root = demo_root(page, "gridworld")
    slider = root.get_by_label("α (learning rate)")
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    left, right = box["x"] + 2, box["x"] + box["width"] - 2
    slider.evaluate("(input) => { window.__inputs = 0; input.addEventListener('input', () => window.__inputs++); }")
    page.mouse.move(left, y)
    page.mouse.down()
    started = time.monotonic()
    steps_seen = [stat(page, "gridworld", "steps")]
    while time.monotonic() - started < 30:
        for x in (right, left):
            page.mouse.move(x, y, steps=20)  # 20 moves a sweep, as fast as the browser takes them
        banner_state = page.locator("#runtime-banner").get_attribute("data-state")
        assert banner_state != "error", page.locator("#runtime-banner").text_content()
        steps_seen.append(stat(page, "gridworld", "steps"))
    page.mouse.up()
    inputs = page.evaluate("window.__inputs")
    assert inputs > 200, f"only {inputs} input events in 30 s: the drag did not happen"
    assert root.get_attribute("data-status") == "running"
    # The worker kept up: no backlog of calls is left, and training goes on after the drag.
    wait_until(lambda: page.evaluate("window.rlplay.runtime.pending.size") <= 2, 10, message="the backlog to clear")
    after_drag = stat(page, "gridworld", "steps")
    wait_until(lambda: stat(page, "gridworld", "steps") > after_drag, 10, message="training after the drag")
    assert page.locator("#runtime-banner").get_attribute("data-state") != "error"
    page.watch.assert_clean()
    # Training went on during the drag, too: configure calls are coalesced to one a frame and never two in flight
    # (web/framework/controller.js), so runs keep landing between them.
    assert steps_seen[-1] > steps_seen[len(steps_seen) // 2] > steps_seen[0], (
        f"no training during the drag (steps seen: {steps_seen[:3]} ... {steps_seen[-3:]})"
    )


def _progress(page) -> list[int]:
    return page.evaluate(
        "() => [...document.querySelectorAll('#runtime-banner progress')].map((bar) => Math.round(bar.value))"
    )


def test_a_120_kb_per_s_link_loads_with_progress_and_every_demo_becomes_ready(browser, dist):
    server, url = build.start_server(dist, 0, bytes_per_second=SLOW_LINK_BYTES_PER_SECOND)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        started = time.monotonic()
        page.goto(url)
        samples = []
        while page.locator("html[data-runtime=ready]").count() == 0:
            assert page.locator("#runtime-banner[data-state=error]").count() == 0, page.locator(
                "#runtime-banner"
            ).text_content()
            bars = _progress(page)
            samples.append((time.monotonic() - started, sum(bars), bool(bars) and min(bars) >= 80))
            assert time.monotonic() - started < 400, "not ready after 400 s at 120 KB/s"
            time.sleep(1.0)
        for demo in DEMOS:
            wait_status(page, demo, "ready", timeout=60_000)
        loading_seconds = samples[-1][0] if samples else 0
        assert loading_seconds > 30, f"ready after {loading_seconds:.0f} s: the link was not slow"
        # Progress throughout the download: the bars moved in every 10 s window until every byte had arrived (each
        # bar at 80%; unpacking and starting Python take the rest, on the CPU) and never went back.
        totals = [total for _, total, _ in samples]
        assert totals == sorted(totals), totals
        downloaded_at = next((at for at, _, downloaded in samples if downloaded), loading_seconds)
        for window_start in range(0, int(downloaded_at) - 10, 10):
            inside = [total for at, total, _ in samples if window_start <= at <= window_start + 10]
            assert inside and inside[-1] > inside[0], f"no progress between {window_start} s and +10 s: {samples}"
        page.watch = None
    finally:
        context.close()
        server.shutdown()


def test_a_download_that_stalls_is_named_and_retry_recovers(page, server_url):
    """Bytes, not time, judge a download: one that sends nothing for 30 s is named, and Retry loads the page."""
    wheel = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
    held = []
    page.route(f"**/{wheel}", lambda route: held.append(route))  # never answered: the connection hangs
    started = time.monotonic()
    page.goto(server_url)
    banner = page.locator("#runtime-banner[data-state=error]")
    banner.wait_for(timeout=120_000)
    assert f"Could not load {wheel}: no data for 30 s" in banner.text_content()
    assert time.monotonic() - started >= 30
    assert "stopped answering" not in banner.text_content()  # the worker was alive all along
    page.unroute(f"**/{wheel}")
    banner.get_by_role("button", name="Retry").click()
    for demo in DEMOS:
        wait_status(page, demo, "ready", timeout=120_000)
