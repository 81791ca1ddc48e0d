"""The runtime under stress: a sub-path host (GitHub Pages), a crashed worker, a missing file, a hidden tab,
cross-origin embeds that run only when seen."""

from __future__ import annotations

import time

import pytest
from conftest import build
from helpers import demo_root, stat, wait_status, wait_until

NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"


@pytest.mark.slow  # moved from the fast lane: a cold start under a sub-path (slow lane)
def test_dist_works_under_a_sub_path(page, dist):
    server, url = build.start_server(dist, 0, base_path="/rl-playground/")
    try:
        assert url.endswith("/rl-playground/")
        page.goto(url)
        for demo in ("gridworld", "bandit", "cartpole"):
            wait_status(page, demo, "ready", timeout=90_000)
        page.watch.assert_clean()
    finally:
        server.shutdown()


@pytest.mark.slow  # moved from the fast lane: a cold start counting every request (slow lane)
def test_dist_is_self_contained(page, server_url):
    """Nothing is fetched from another origin."""
    origins = set()
    page.on("request", lambda request: origins.add(request.url.split("/")[2]))
    page.goto(server_url)
    wait_status(page, "gridworld", "ready", timeout=90_000)
    assert origins == {server_url.split("/")[2]}


@pytest.mark.slow  # moved from the fast lane: a crash and a cold restart, 22-26 s (slow lane)
def test_worker_crash_shows_error_and_restart_recovers(page, server_url):
    page.goto(f"{server_url}?demo=gridworld&speed=max&autoplay=1&seed=4")
    wait_status(page, "gridworld", "running", timeout=90_000)
    wait_until(lambda: stat(page, "gridworld", "steps") > 0, 10, message="training to start")
    page.evaluate("window.rlplay.runtime.worker.terminate()")
    wait_status(page, "gridworld", "error", timeout=20_000)
    banner = page.locator("#runtime-banner")
    assert "stopped answering" in banner.text_content()
    banner.get_by_role("button", name="Restart").click()
    wait_status(page, "gridworld", "ready", timeout=90_000)
    # The restarted run keeps the URL's settings (seed 4) and trains again.
    assert page.evaluate("window.rlplay.registry.get('gridworld', 'seed')") == 4
    demo_root(page, "gridworld").get_by_role("button", name="Play").click()
    wait_until(lambda: stat(page, "gridworld", "steps") > 100, 10, message="training after restart")


# A browser with SharedWorker but no module SharedWorker (Firefox before 114) runs the script as a classic one, which
# fails on its first import: played here by dropping the module type, so Chromium does exactly that and fires the
# SharedWorker's error event before any message.
CLASSIC_SHARED_WORKER = """(() => {
  const Real = window.SharedWorker;
  window.SharedWorker = function SharedWorker(url, options) {
    const { type, ...classic } = options ?? {};
    return new Real(url, classic);
  };
})()"""


def test_a_shared_worker_that_does_not_start_falls_back_to_a_dedicated_one(page, server_url):
    page.add_init_script(CLASSIC_SHARED_WORKER)
    page.goto(f"{server_url}?demo=gridworld&seed=3")
    wait_status(page, "gridworld", "ready", timeout=120_000)
    assert page.evaluate("window.rlplay.runtime.versions.worker") == "dedicated"
    assert "the shared worker did not start" in page.evaluate("window.rlplay.runtime.sharedFallback")
    demo_root(page, "gridworld").get_by_role("button", name="Step", exact=True).click()
    wait_until(lambda: stat(page, "gridworld", "steps") == 1, 20, message="one step in the dedicated worker")
    page.watch.assert_clean()


@pytest.mark.slow  # moved from the fast lane: a cold start with a file missing (slow lane)
def test_missing_file_is_named_and_retry_works(page, server_url, site_faults):
    site_faults[NUMPY_WHEEL] = 404
    page.goto(server_url)
    banner = page.locator("#runtime-banner[data-state=error]")
    banner.wait_for(timeout=60_000)
    text = banner.text_content()
    assert f"Could not load {NUMPY_WHEEL}: HTTP 404" in text
    # Python's start runs ahead of the page's modules (web/runtime/page_runtime.js): its error can come while the
    # demos are still being built; each is marked as it mounts (web/app.js).
    wait_status(page, "gridworld", "error", timeout=10_000)
    del site_faults[NUMPY_WHEEL]
    banner.get_by_role("button", name="Retry").click()
    for demo in ("gridworld", "bandit", "cartpole"):
        wait_status(page, demo, "ready", timeout=90_000)


def test_hidden_tab_pauses_then_resumes(warm_page, server_url):
    """(A first load on the warm shared Python, tests/conftest.py: the page's own loop is the subject.) What moved: this slept a minute in the background and compared the step counts. It now counts the calls the
    page posts to the worker while hidden, for 3 s: with the hidden flag faked, Chromium throttles nothing, so a loop
    that kept running would post within a frame or two (at max speed it posts ~60 a second); none may be posted."""
    page = warm_page
    page.goto(f"{server_url}?demo=gridworld&speed=max&autoplay=1")
    wait_status(page, "gridworld", "running", timeout=90_000)
    wait_until(lambda: stat(page, "gridworld", "steps") > 0, 10, message="training to start")
    page.evaluate(
        """() => {
            Object.defineProperty(document, 'hidden', {value: true, configurable: true});
            document.dispatchEvent(new Event('visibilitychange'));
        }"""
    )
    wait_status(page, "gridworld", "paused", timeout=5_000)
    time.sleep(0.5)  # let an answer already in flight land
    steps_hidden = stat(page, "gridworld", "steps")
    calls_hidden = page.evaluate("window.rlplay.runtime.sent")
    time.sleep(3)  # ~180 frames in the background
    assert page.evaluate("window.rlplay.runtime.sent") == calls_hidden, "a hidden tab must not call the worker"
    assert stat(page, "gridworld", "steps") == steps_hidden, "a hidden tab must not train"
    page.evaluate(
        """() => {
            Object.defineProperty(document, 'hidden', {value: false, configurable: true});
            document.dispatchEvent(new Event('visibilitychange'));
        }"""
    )
    wait_status(page, "gridworld", "running", timeout=5_000)
    wait_until(lambda: stat(page, "gridworld", "steps") > steps_hidden, 10, message="training to resume")
    page.watch.assert_clean()


BLOG = """<!doctype html><html><head><meta charset="utf-8"><title>A blog post</title><link rel="icon" href="data:,"></head><body>
<h1>My post about RL</h1>
<iframe id="one" src="{base}?demo=gridworld&embed=1&autoplay=1&speed=max" width="720" height="480"></iframe>
<iframe id="two" src="{base}?demo=bandit&embed=1&autoplay=1&speed=50" width="720" height="480"></iframe>
<div style="height: 4000px"></div>
<iframe id="far" src="{base}?demo=gridworld&embed=1&autoplay=1&speed=max" width="720" height="480"></iframe>
</body></html>"""


@pytest.fixture
def blog_url(tmp_path, server_url):
    (tmp_path / "index.html").write_text(BLOG.format(base=server_url))
    server, url = build.start_server(tmp_path, 0)
    yield url
    server.shutdown()


def _frame_stat(frame, demo, name):
    return float(frame.locator(f'[data-demo="{demo}"] [data-stat="{name}"]').get_attribute("data-value"))


def test_cross_origin_embeds_run_only_when_seen(warm_page, blog_url, server_url):
    page = warm_page  # a first load on the warm shared Python (tests/conftest.py): when embeds run is the subject
    assert blog_url.split("/")[2] != server_url.split("/")[2]  # a different origin (port)
    page.set_viewport_size({"width": 1280, "height": 1100})
    page.goto(blog_url)
    frames = {name: page.frame_locator(f"#{name}") for name in ("one", "two", "far")}
    for name, demo in (("one", "gridworld"), ("two", "bandit")):
        frames[name].locator(f'[data-demo="{demo}"][data-status="running"]').wait_for(timeout=90_000)
    wait_until(lambda: _frame_stat(frames["one"], "gridworld", "steps") > 0, 15, message="embed one to run")
    wait_until(lambda: _frame_stat(frames["two"], "bandit", "pulls") > 0, 15, message="embed two to run")
    # The third embed is far below the fold: it loads, but does not train until scrolled into view.
    frames["far"].locator('[data-demo="gridworld"][data-status="paused"]').wait_for(timeout=90_000)
    time.sleep(1.0)
    assert _frame_stat(frames["far"], "gridworld", "steps") == 0
    page.locator("#far").scroll_into_view_if_needed()
    wait_until(lambda: _frame_stat(frames["far"], "gridworld", "steps") > 0, 15, message="the far embed to start")
    page.watch.assert_clean()


@pytest.mark.parametrize("demo", ["gridworld", "bandit", "cartpole"])
def test_embed_at_720x480_shows_the_demo_alone_without_sideways_scroll(warm, server_url, demo, artifacts):
    """What must be on screen in an embed of each size (Play, Reset, canvas, key figure) is tests/e2e/test_layout.py's.
    A first load on the warm shared Python (tests/conftest.py)."""
    context, page = warm.new_page(720, 480)
    try:
        page.goto(f"{server_url}?demo={demo}&embed=1")
        wait_status(page, demo, "ready", timeout=90_000)
        overflow = page.evaluate(
            "() => [document.documentElement.scrollWidth - innerWidth, document.documentElement.scrollHeight - innerHeight]"
        )
        page.screenshot(path=str(artifacts / f"embed-{demo}.png"))
        assert overflow[0] <= 0, f"embed scrolls sideways in its 720x480 frame by {overflow[0]} px"
        assert page.locator("h1").is_hidden()
    finally:
        context.close()
