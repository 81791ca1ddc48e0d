"""The first screen (issue 24): a live demo, its canvas and its Play button, above the fold on the first visit.

At 1280×900 and 375×740, with nothing scrolled, the gridworld's canvas and its Play button lie wholly inside the
viewport, while Python loads and once it is ready; Play pressed during loading starts training once Python is ready.
The loading card shows all of its text (nothing clipped) and stays in the flow: scrolled past, it covers no prose.
"""

from __future__ import annotations

import pytest
from helpers import demo_root, stat, wait_status, wait_until
from test_embed_first_minute import hold_python

SIZES = [(1280, 900), (375, 740)]

BOX = "(node) => { const r = node.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"

# Every text node inside the loading card whose box spills out of the card's box or out of its own element's box
# (an ellipsis hides text too: an element whose text overflows its width counts as clipped).
CLIPPED = """(banner) => {
  const outer = banner.getBoundingClientRect();
  const clipped = [];
  const walker = document.createTreeWalker(banner, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    const parent = node.parentElement;
    const inside = r.top >= outer.top - 0.5 && r.bottom <= outer.bottom + 0.5 && r.left >= outer.left - 0.5 && r.right <= outer.right + 0.5;
    if (!inside || parent.scrollWidth > parent.clientWidth + 1) clipped.push(node.textContent.trim());
  }
  return clipped;
}"""


def inside_viewport(locator, width, height):
    left, top, right, bottom = locator.evaluate(BOX)
    return left >= 0 and top >= 0 and right <= width and bottom <= height, (left, top, right, bottom)


@pytest.mark.slow  # moved from the fast lane: a cold start on a first visit (slow lane)
@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_a_live_demo_and_its_play_button_are_on_the_first_screen(browser, server_url, artifacts, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        release = hold_python(page)
        page.goto(server_url)
        root = demo_root(page, "gridworld")
        canvas = root.locator("canvas.gw-grid")
        play = root.get_by_role("button", name="Play")
        play.wait_for()
        page.locator("#runtime-banner[data-state=loading]").wait_for(state="attached", timeout=30_000)
        assert page.evaluate("scrollY") == 0
        for what, locator in (("canvas", canvas), ("Play", play)):
            ok, box = inside_viewport(locator, width, height)
            assert ok, f"the gridworld's {what} is not on the first screen while loading: {box}"
        banner = page.locator("#runtime-banner")
        clipped = banner.evaluate(CLIPPED)
        assert clipped == [], f"the loading card clips its text: {clipped}"
        page.screenshot(path=str(artifacts / f"first-screen-loading-{width}x{height}.png"))
        play.click()  # pressed while Python loads: remembered
        release()
        wait_status(page, "gridworld", "running", timeout=90_000)
        wait_until(lambda: stat(page, "gridworld", "steps") > 0, 20, message="training to start after the early Play")
        page.evaluate("scrollTo(0, 0)")
        for what, locator in (("canvas", canvas), ("Pause", root.get_by_role("button", name="Pause"))):
            ok, box = inside_viewport(locator, width, height)
            assert ok, f"the gridworld's {what} is not on the first screen once running: {box}"
        page.screenshot(path=str(artifacts / f"first-screen-running-{width}x{height}.png"))
    finally:
        context.close()


@pytest.mark.slow  # moved from the fast lane: a cold start while Python loads (slow lane)
@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_loading_card_never_covers_the_prose(browser, server_url, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        release = hold_python(page)
        page.goto(server_url)
        banner = page.locator("#runtime-banner[data-state=loading]")
        banner.wait_for(state="attached", timeout=30_000)
        for paragraph in page.locator("#mdp p").all():
            # scrolled so the paragraph starts at the top of the window, where a sticky card would sit
            paragraph.evaluate(
                "(node) => scrollTo({top: node.getBoundingClientRect().top + scrollY - 4, behavior: 'instant'})"
            )
            p_box = paragraph.evaluate(BOX)
            b_box = banner.evaluate(BOX)
            overlap = min(p_box[3], b_box[3]) - max(p_box[1], b_box[1])
            assert overlap <= 0, f"the loading card covers the lesson's text: card {b_box}, paragraph {p_box}"
        release()
    finally:
        context.close()
