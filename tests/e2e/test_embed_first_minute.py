"""The first minute, end to end: what a newcomer meets while Python loads and just after.

A Play pressed while Python loads starts training once it is ready; figures read "—" (never "−1") to people while
their plain number sits in data-value; the page's loading banner keeps its height, so nothing moves when Python is
ready; every setting's help opens from the keyboard; notices about a link sit next to the demo it opens.
"""

from __future__ import annotations

import re

import pytest
from helpers import demo_root, stat, wait_status, wait_until

# Text a person would read as "minus one": a figure that is not there yet leaking through.
MINUS_ONE = re.compile(r"(?<![\w.])[−-]1(?![\d.])")
# The gridworld's colour-scale legend ("Q −1 … +1") is a real value range, not a missing figure.
VISIBLE_TEXT = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent || parent.closest(".gw-scale-label, .gw-legend, script, style")) continue;
    if (!node.textContent.trim() || !parent.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
    const rect = parent.getBoundingClientRect();
    if (rect.width < 1 || rect.height < 1) continue;
    texts.push(node.textContent.trim());
  }
  return texts;
}"""


def minus_ones(page):
    return [text for text in page.evaluate(VISIBLE_TEXT) if MINUS_ONE.search(text)]


def hold_python(page):
    """Hold the Python worker's script, so the page stays in its loading state until release() is called."""
    held = []
    released = []

    def handle(route):
        if released:
            route.continue_()
        else:
            held.append(route)

    page.route("**/runtime/worker.js", handle)

    def release():
        # Playwright's sync API delivers the route only while it is called: wait with the page's own timer.
        for _ in range(600):
            if held:
                break
            page.wait_for_timeout(100)
        assert held, "the page never asked for the worker"
        released.append(True)
        for route in held:
            route.continue_()

    return release


@pytest.mark.slow  # moved from the fast lane: a cold start while Python loads (slow lane)
@pytest.mark.parametrize("embed", [True, False], ids=["embed", "page"])
def test_play_pressed_while_python_loads_starts_training_once_ready(page, server_url, embed):
    page.set_viewport_size({"width": 720, "height": 480} if embed else {"width": 1280, "height": 900})
    release = hold_python(page)
    page.goto(f"{server_url}?demo=gridworld{'&embed=1' if embed else ''}")
    root = demo_root(page, "gridworld")
    play = root.get_by_role("button", name="Play")
    play.wait_for()
    assert root.get_attribute("data-status") == "loading"
    assert play.is_enabled(), "Play is disabled while Python loads"
    assert root.get_by_role("button", name="Reset").is_disabled(), "Reset looks usable before there is a run"
    play.click()
    assert root.get_attribute("data-status") == "loading"
    assert play.get_attribute("aria-pressed") == "true"
    assert "starts once python is ready" in root.locator(".load-note").text_content().lower()
    assert minus_ones(page) == [], "a figure shows −1 while Python loads"
    assert root.locator('[data-stat="steps"]').text_content() == "—"
    assert stat(page, "gridworld", "steps") == -1
    release()
    wait_status(page, "gridworld", "running", timeout=90_000)
    wait_until(lambda: stat(page, "gridworld", "steps") > 0, 15, message="training to start after the early Play")
    assert root.locator(".load-note").text_content() == ""
    page.watch.assert_clean()


@pytest.mark.slow  # moved from the fast lane: a cold start while Python loads (slow lane)
def test_a_setting_changed_while_python_loads_is_kept(page, server_url):
    release = hold_python(page)
    page.goto(f"{server_url}?demo=gridworld")
    root = demo_root(page, "gridworld")
    seed = root.locator("#gridworld-seed")
    seed.wait_for(state="attached")
    assert root.get_attribute("data-status") == "loading"
    seed.fill("7")
    seed.dispatch_event("change")
    release()
    wait_status(page, "gridworld", "ready", timeout=90_000)
    assert str(page.evaluate("window.rlplay.inspect('gridworld').snapshot.config.seed")) == "7"
    assert "seed=7" in page.evaluate("location.search")
    page.watch.assert_clean()


@pytest.mark.slow  # moved from the fast lane: a cold start while Python loads (slow lane)
def test_no_visible_minus_one_and_the_banner_does_not_move_the_page(page, server_url):
    # Python starts before the page's modules have loaded (web/runtime/page_runtime.js) and, on an idle machine, was
    # ready before the demos were built: it is held until the loading page has been measured.
    release = hold_python(page)
    page.goto(server_url)
    heading = page.locator("#mdp h2")
    heading.wait_for()
    page.locator("#runtime-banner[data-state=loading]").wait_for(state="attached", timeout=30_000)
    # The demos are built (their Play buttons exist) as soon as the page's modules load, while Python still loads;
    # the gridworld now stands above the lesson, so the lesson is measured from then: Python's start must not move it.
    for demo in ("gridworld", "bandit", "cartpole"):
        demo_root(page, demo).get_by_role("button", name="Play").wait_for(state="attached", timeout=30_000)
    assert page.locator("#runtime-banner[data-state=loading]").count() == 1, (
        "Python was ready before the demos were built"
    )
    top_loading = heading.evaluate("(node) => node.getBoundingClientRect().top + scrollY")
    assert minus_ones(page) == []
    release()
    for demo in ("gridworld", "bandit", "cartpole"):
        wait_status(page, demo, "ready", timeout=90_000)
    page.locator("#runtime-banner[data-state=ready]").wait_for(state="attached")
    top_ready = heading.evaluate("(node) => node.getBoundingClientRect().top + scrollY")
    assert abs(top_ready - top_loading) < 0.5, f"the lesson moved by {top_ready - top_loading} px when Python was ready"
    assert minus_ones(page) == [], minus_ones(page)
    # and after some training, when figures like "greedy path length" may still have no value
    root = demo_root(page, "gridworld")
    root.scroll_into_view_if_needed()
    root.get_by_role("button", name="Play").click()
    wait_until(lambda: stat(page, "gridworld", "steps") > 20, 30, message="a little training")
    root.get_by_role("button", name="Pause").click()
    assert minus_ones(page) == [], minus_ones(page)
    page.watch.assert_clean()


def test_every_setting_has_help_by_keyboard_and_pointer(warm_page, server_url):
    page = warm_page  # a first load on the warm shared Python (tests/conftest.py, WarmPages)
    page.goto(f"{server_url}?demo=gridworld")
    wait_status(page, "gridworld", "ready", timeout=90_000)
    root = demo_root(page, "gridworld")
    tips = root.locator(".info-tip")
    assert tips.count() >= 5
    speed_tip = root.locator('[data-control="speed"]').get_by_role("button", name="Help")
    doc = page.locator(f"#{speed_tip.get_attribute('aria-controls')}")
    assert doc.is_hidden()
    speed_tip.focus()
    page.keyboard.press("Enter")  # keyboard
    assert doc.is_visible() and doc.text_content().strip()
    assert speed_tip.get_attribute("aria-expanded") == "true"
    assert speed_tip.get_attribute("aria-describedby") == doc.get_attribute("id")
    page.keyboard.press("Escape")
    assert doc.is_hidden()
    speed_tip.hover()  # mouse
    assert doc.is_visible()
    # The doc is the slider's description for screen readers, too.
    assert root.get_by_label("Speed").get_attribute("aria-describedby") == doc.get_attribute("id")
    page.watch.assert_clean()


def test_a_notice_about_the_link_sits_next_to_its_demo_and_goes_when_settings_change(warm_page, server_url):
    page = warm_page  # a first load of the link on the warm shared Python (tests/conftest.py, WarmPages)
    page.goto(f"{server_url}?demo=bandit&speed=fast")
    wait_status(page, "bandit", "ready", timeout=90_000)
    root = demo_root(page, "bandit")
    notice = root.locator(".messages .notice", has_text="speed")
    assert notice.count() == 1 and notice.is_visible()
    assert page.locator("#page-notices").is_hidden()
    root.get_by_role("button", name="Reset").click()
    wait_until(lambda: notice.count() == 0, 5, message="the notice to go once the run is reset")
    page.watch.assert_clean()
