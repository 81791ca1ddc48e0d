"""Soak: all three demos at max speed for 10 minutes (``build.py test --soak``; the benchmark runs a 5-minute one).

No console errors, every demo still running, and the heaps stay bounded: after a two-minute warm-up (working sets
reach their size), neither the wasm heap nor the JS heap grows by more than 5 MB.
"""

from __future__ import annotations

import time

import pytest
from helpers import demo_root, stat, wait_status

SOAK_SECONDS = 600
WARM_UP_SECONDS = 120
GROWTH_LIMIT_BYTES = 5_000_000
PROBE = """async () => ({wasm: (await window.rlplay.runtime.memory()).wasm_heap_bytes,
                        js: performance.memory ? performance.memory.usedJSHeapSize : 0})"""


def measure(page, cdp):
    cdp.send("HeapProfiler.collectGarbage")  # live JS memory, not garbage awaiting collection
    return page.evaluate(PROBE)


@pytest.mark.soak
def test_ten_minutes_of_all_three_demos_at_max_speed(browser, server_url):
    # A tall window, so all three demos are on screen (demos pause while unseen).
    context = browser.new_context(viewport={"width": 1280, "height": 5000})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{server_url}?gridworld.speed=max&bandit.speed=max&bandit.horizon=10000&cartpole.speed=max")
        for demo in ("gridworld", "bandit", "cartpole"):
            wait_status(page, demo, "ready", timeout=90_000)
            demo_root(page, demo).get_by_role("button", name="Play").click()
        bandit = demo_root(page, "bandit")

        def soak_for(seconds):
            # The bandit race ends at its horizon; pressing Play again starts a new race (a reset each time).
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                time.sleep(5)
                if bandit.get_attribute("data-status") == "paused":
                    bandit.get_by_role("button", name="Play").click()

        soak_for(WARM_UP_SECONDS)
        cdp = context.new_cdp_session(page)
        start = measure(page, cdp)
        progress = {demo: stat(page, demo, name) for demo, name in (("gridworld", "steps"), ("cartpole", "episode"))}
        soak_for(SOAK_SECONDS - WARM_UP_SECONDS)
        end = measure(page, cdp)
        statuses = page.evaluate("() => [...document.querySelectorAll('[data-demo]')].map(e => e.dataset.status)")
        assert errors == []
        assert statuses[0] == statuses[2] == "running" and statuses[1] in ("running", "paused")
        assert stat(page, "gridworld", "steps") > progress["gridworld"]
        assert stat(page, "cartpole", "episode") > progress["cartpole"]
        assert end["wasm"] - start["wasm"] <= GROWTH_LIMIT_BYTES, (start, end)
        assert end["js"] - start["js"] <= GROWTH_LIMIT_BYTES, (start, end)
    finally:
        context.close()
