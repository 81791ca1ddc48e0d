"""Present mode (issue 24): every demo fills the screen for a projector, from its Present button or present=1.

At 1920×1080 the demo covers the window, its main canvas and its main chart take most of the screen, and every text
shown (in the page and drawn on its canvases) is at least 20 px; → and ← step through the demo's scenes, Space plays
and pauses, Escape leaves. At 1280×720 the demo still covers the window with its canvas and chart inside it.
"""

from __future__ import annotations

import pytest
from conftest import PageWatch
from helpers import demo_root, open_demo, wait_until

# The demo's main canvas and main chart.
MAIN = {
    "gridworld": ("canvas.gw-grid", "canvas.gw-curve"),
    "bandit": ("canvas.bandit-moving", ".bandit-chart-regret canvas"),
    "cartpole": (".cartpole-view canvas", "canvas.cartpole-curve"),
}

RECORD_CANVAS_FONTS = """
(() => {
  window.__canvasFonts = [];
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
    if (String(text).trim()) {
      const px = Number((/(\\d+(?:\\.\\d+)?)px/.exec(this.font) || [])[1]);
      const root = this.canvas.closest && this.canvas.closest('.presented');
      if (root) window.__canvasFonts.push({text: String(text), px: px * (this.canvas.currentCSSZoom || 1)});
    }
    return fillText.call(this, text, ...rest);
  };
})();
"""

# Every visible text node in the presented demo, with its rendered font size (CSS zoom included).
SMALL_TEXT = """(root) => {
  const small = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!node.textContent.trim() || !parent.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
    const rect = parent.getBoundingClientRect();
    if (rect.width < 2 || rect.height < 2 || rect.bottom < 0 || rect.top > innerHeight) continue;
    if (parent.closest('.visually-hidden')) continue;
    const px = parseFloat(getComputedStyle(parent).fontSize) * (parent.currentCSSZoom || 1);
    if (px < 19.95) small.push(`${node.textContent.trim().slice(0, 30)} (${px.toFixed(1)} px)`);
  }
  return small;
}"""

BOX = "(node) => { const r = node.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"


def main_boxes(page, demo):
    root = demo_root(page, demo)
    boxes = []
    for selector in MAIN[demo]:
        node = root.locator(selector).first
        boxes.append(node.evaluate(BOX))
    return boxes


@pytest.mark.parametrize("demo", ["gridworld", "bandit", "cartpole"])
def test_present_fills_a_1920x1080_screen_with_the_demo(browser, server_url, artifacts, demo):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.watch = PageWatch(page)
    try:
        page.add_init_script(RECORD_CANVAS_FONTS)
        open_demo(page, server_url, f"demo={demo}&speed=max")
        root = demo_root(page, demo)
        root.get_by_role("button", name="Present").click()
        wait_until(lambda: "presented" in (root.get_attribute("class") or ""), 5, message="present mode")
        wait_until(lambda: "present=1" in page.evaluate("location.search"), 5, message="present=1 in the URL")
        root.get_by_role("button", name="Play", exact=True).click()
        page.wait_for_timeout(1500)
        left, top, right, bottom = root.evaluate(BOX)
        assert (left, top) == (0, 0) and abs(right - 1920) < 2 and abs(bottom - 1080) < 2, (left, top, right, bottom)
        canvas, chart = main_boxes(page, demo)
        area = 0
        for box in (canvas, chart):
            assert box[0] >= 0 and box[1] >= 0 and box[2] <= 1920.5 and box[3] <= 1080.5, box
            area += (box[2] - box[0]) * (box[3] - box[1])
        assert area / (1920 * 1080) > 0.45, f"canvas and chart cover {area / (1920 * 1080):.0%} of the screen"
        assert root.evaluate(SMALL_TEXT) == []
        small = page.evaluate("window.__canvasFonts.filter((f) => f.px < 19.95).map((f) => `${f.text} ${f.px}`)")
        assert small == [], small[:10]
        page.screenshot(path=str(artifacts / f"present-{demo}-1920x1080.png"))
        # keys: Space pauses, Escape leaves
        page.locator("body").focus()
        page.keyboard.press("Space")
        wait_until(lambda: not page.evaluate(f"window.rlplay.inspect('{demo}').playing"), 5, message="paused")
        page.keyboard.press("Escape")
        wait_until(lambda: "presented" not in (root.get_attribute("class") or ""), 5, message="leaving")
        wait_until(lambda: "present=1" not in page.evaluate("location.search"), 5, message="present=1 gone")
        assert root.get_by_role("button", name="Present").is_visible()
        page.watch.assert_clean()
    finally:
        context.close()


def test_present_keys_step_through_the_scenes_and_play(browser, server_url):
    """→ and ← open the demo's next and previous scene (declared in web/contract.json), still presenting."""
    import json
    from pathlib import Path

    contract = json.loads((Path(__file__).resolve().parents[2] / "web" / "contract.json").read_text())
    names = list(contract["gridworld"]["scenes"])
    assert len(names) >= 2
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.watch = PageWatch(page)
    try:
        open_demo(page, server_url, "demo=gridworld&present=1")
        root = demo_root(page, "gridworld")
        assert "presented" in root.get_attribute("class")
        assert page.evaluate("window.rlplay.registry.page.present") is True
        page.keyboard.press("Space")
        wait_until(lambda: page.evaluate("window.rlplay.inspect('gridworld').playing"), 5, message="playing")
        page.keyboard.press("Space")
        wait_until(lambda: not page.evaluate("window.rlplay.inspect('gridworld').playing"), 5, message="paused")
        scene = lambda: page.evaluate("window.rlplay.inspect('gridworld')?.scene")  # noqa: E731
        page.keyboard.press("ArrowRight")
        wait_until(lambda: scene() == names[0], 30, message=f"the first scene, {names[0]}")
        page.keyboard.press("ArrowRight")
        wait_until(lambda: scene() == names[1], 30, message=f"the next scene, {names[1]}")
        assert "presented" in root.get_attribute("class") and "present=1" in page.evaluate("location.search")
        page.keyboard.press("ArrowLeft")
        wait_until(lambda: scene() == names[0], 30, message="back to the first scene")
        page.keyboard.press("Escape")
        wait_until(lambda: "presented" not in (root.get_attribute("class") or ""), 5, message="leaving")
    finally:
        context.close()


@pytest.mark.parametrize("demo", ["gridworld", "bandit", "cartpole"])
def test_present_at_1280x720_keeps_the_canvas_and_the_chart_on_screen(browser, server_url, artifacts, demo):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.watch = PageWatch(page)
    try:
        open_demo(page, server_url, f"demo={demo}&present=1")
        root = demo_root(page, demo)
        page.wait_for_timeout(500)
        left, top, right, bottom = root.evaluate(BOX)
        assert (left, top) == (0, 0) and abs(right - 1280) < 2 and abs(bottom - 720) < 2
        for box in main_boxes(page, demo):
            assert box[0] >= 0 and box[1] >= 0 and box[2] <= 1280.5 and box[3] <= 720.5, box
        page.screenshot(path=str(artifacts / f"present-{demo}-1280x720.png"))
        page.watch.assert_clean()
    finally:
        context.close()
