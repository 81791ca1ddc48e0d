"""Layout, end to end: each demo embedded alone fits its iframe with no scrollbar, the page has no horizontal scroll on a
phone in either colour scheme, canvases redraw at their new size, and with reduced motion the cart-pole replay stands
still.

Screenshots go to test-artifacts/: embed-<demo>-<w>x<h>.png, page-360.png, page-360-dark.png.
"""

from __future__ import annotations

import re
import time

import pytest
from conftest import PageWatch
from helpers import demo_root, stat, wait_status, wait_until

EMBED_SIZES = [(320, 400), (390, 600), (560, 420), (680, 480), (720, 480), (1200, 900)]
# What must stay on screen in an embed: the main canvas, Play and Reset, and the key figure.
MAIN_CANVAS = {"gridworld": "canvas.gw-grid", "bandit": ".bandit-view", "cartpole": ".cartpole-stage"}
MIN_CANVAS = {"gridworld": (180, 180), "bandit": (200, 210), "cartpole": (240, 120)}  # CSS px; the stage is 2:1
KEY_FIGURE = {"gridworld": "greedy-path-length", "bandit": "regret-ucb", "cartpole": "mean-length-100"}
OVERFLOW = (
    "() => [document.documentElement.scrollWidth - innerWidth, document.documentElement.scrollHeight - innerHeight]"
)
BOX = "(node) => { const r = node.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"
CRISP = """(canvas) => [canvas.width, canvas.height,
  Math.round(canvas.clientWidth * devicePixelRatio), Math.round(canvas.clientHeight * devicePixelRatio)]"""
# Every canvas's text, with its size in CSS px (the views draw in CSS px: fitCanvas scales by devicePixelRatio).
RECORD_CANVAS_TEXT = """(() => {
  const seen = new Map();
  window.__canvasText = seen;
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
    const size = /(\\d+(?:\\.\\d+)?)px/.exec(this.font);
    const key = `${this.canvas.className}|${String(text).slice(0, 20)}`;
    const px = size ? Number(size[1]) : 0;
    if (!seen.has(key) || seen.get(key) > px) seen.set(key, px);
    return fillText.call(this, text, ...rest);
  };
})();"""
SMALL_CANVAS_TEXT = "() => [...window.__canvasText].filter(([, px]) => px < 12)"
# The ink box of every text on each canvas since its last full clear (a redraw starts with one), in canvas pixels:
# measured by the browser (measureText's actual bounding box, under the context's transform), not by the views.
RECORD_CANVAS_BOXES = """(() => {
  const drawn = new WeakMap();
  const canvases = new Set();
  window.__canvasBoxes = () => [...canvases].filter((c) => c.isConnected).map((c) => [c.className, drawn.get(c) ?? []]);
  window.__canvasBoxesOf = (canvas) => drawn.get(canvas) ?? [];
  const proto = CanvasRenderingContext2D.prototype;
  const corners = (g, x0, y0, x1, y1) => {
    const m = g.getTransform();
    const points = [[x0, y0], [x1, y0], [x0, y1], [x1, y1]].map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
  };
  for (const name of ["clearRect", "fillRect"]) {
    const original = proto[name];
    proto[name] = function (x, y, w, h) {
      const box = corners(this, x, y, x + w, y + h);
      if (box.x0 <= 0.5 && box.y0 <= 0.5 && box.x1 >= this.canvas.width - 0.5 && box.y1 >= this.canvas.height - 0.5)
        drawn.set(this.canvas, []);
      return original.call(this, x, y, w, h);
    };
  }
  const fillText = proto.fillText;
  proto.fillText = function (text, x, y, ...rest) {
    const m = this.measureText(text);
    const box = corners(this, x - m.actualBoundingBoxLeft, y - m.actualBoundingBoxAscent,
      x + m.actualBoundingBoxRight, y + m.actualBoundingBoxDescent);
    const scale = this.canvas.width / Math.max(1, this.canvas.clientWidth); // canvas px per CSS px
    const list = drawn.get(this.canvas) ?? [];
    const item = { text: String(text), scale, ...box };
    if (!list.some((o) => o.text === item.text && Math.abs(o.x0 - item.x0) < 0.5 && Math.abs(o.y0 - item.y0) < 0.5))
      list.push(item);
    drawn.set(this.canvas, list);
    canvases.add(this.canvas);
    return fillText.call(this, text, x, y, ...rest);
  };
})();"""
# Text on the page drawn over a canvas it does not belong to (a row of controls running over a chart): a text node's
# box overlapping a canvas's box by more than 2 px both ways, unless the text sits inside the canvas's own container
# (a caption laid over its stage on purpose).
TEXT_OVER_CANVAS = """(root) => {
  const problems = [];
  const canvases = [...root.querySelectorAll('canvas')].filter((c) => c.checkVisibility());
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !el || !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    if (el.closest('.visually-hidden, details:not([open]) > :not(summary)')) continue;
    // Text kept for screen readers only (clipped to a pixel) is not seen.
    let unseen = false;
    for (let a = el; a && !unseen; a = a.parentElement) {
      const box = a.getBoundingClientRect();
      unseen = getComputedStyle(a).clip !== "auto" || box.width <= 1 || box.height <= 1;
    }
    if (unseen) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      for (const canvas of canvases) {
        if (canvas.parentElement.contains(el)) continue;
        const c = canvas.getBoundingClientRect();
        const x = Math.min(r.right, c.right) - Math.max(r.left, c.left);
        const y = Math.min(r.bottom, c.bottom) - Math.max(r.top, c.top);
        if (x > 2 && y > 2) problems.push([text.slice(0, 30), canvas.className]);
      }
    }
  }
  return problems.slice(0, 10);
}"""
# Pairs of texts on one canvas whose ink overlaps by more than a CSS pixel both ways.
CANVAS_TEXT_OVERLAPS = """() => {
  const problems = [];
  for (const [canvas, boxes] of window.__canvasBoxes()) {
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        const x = (Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) / a.scale;
        const y = (Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0)) / a.scale;
        if (x > 1 && y > 1) problems.push([canvas, a.text, b.text]);
      }
    }
  }
  return problems.slice(0, 10);
}"""
# Text a person can see in the demo, as boxes: any two from different text nodes that overlap, and any cut by an
# ancestor that hides overflow (or ends it with an ellipsis), are reported.
TEXT_PROBLEMS = """(root) => {
  const problems = [];
  const boxes = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !el || el.closest(".visually-hidden, .control-doc, option, select, textarea, .code-panel")) continue;
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    // Text kept for screen readers only (clipped to a pixel, the visually-hidden pattern) is not seen.
    let unseen = false;
    for (let a = el; a && !unseen; a = a.parentElement) {
      const box = a.getBoundingClientRect();
      unseen = getComputedStyle(a).clip !== "auto" || box.width <= 1 || box.height <= 1;
    }
    if (unseen) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0.5 && r.height > 0.5);
    if (!rects.length) continue;
    for (let a = el; a && a !== root.parentElement; a = a.parentElement) {
      const style = getComputedStyle(a);
      const hides = style.overflowX !== "visible" || style.overflowY !== "visible";
      if (style.textOverflow === "ellipsis" && a.scrollWidth > a.clientWidth + 1) problems.push(["cut", text]);
      if (!hides) continue;
      const box = a.getBoundingClientRect();
      for (const r of rects) {
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
          problems.push(["clipped", text, a.className || a.tagName]);
      }
    }
    boxes.push({ text, rects });
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      for (const a of boxes[i].rects) {
        for (const b of boxes[j].rects) {
          const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (x > 2 && y > 2) problems.push(["overlap", boxes[i].text, boxes[j].text]);
        }
      }
    }
  }
  return problems.slice(0, 10);
}"""


def assert_bandit_machines_hold_their_labels(page):
    """Each machine's label ("arm 3", or "3" when narrow) sits inside its body with 4 px to spare each side. The bodies
    are one column apart, inset by min(5, 0.08 × column) px: so two neighbouring labels are at least 2 × inset + 8 px
    apart ("arm 1" ran 1 px past its body's edges at 560×420)."""
    boxes = dict(page.evaluate("() => window.__canvasBoxes()"))["bandit-layer bandit-static"]
    labels = sorted(
        (b for b in boxes if re.fullmatch(r"(arm |★ ?)?\d+", b["text"]) and b["y1"] / b["scale"] < 24),
        key=lambda b: b["x0"],
    )
    assert len(labels) >= 2, boxes
    for a, b in zip(labels, labels[1:], strict=False):
        column = ((b["x0"] + b["x1"]) - (a["x0"] + a["x1"])) / 2 / a["scale"]
        gap = (b["x0"] - a["x1"]) / a["scale"]
        need = 2 * min(5, 0.08 * column) + 8
        assert gap >= need - 0.5, (
            f"machine labels {a['text']!r} and {b['text']!r} are {gap:.1f} px apart (< {need:.1f})"
        )


def open_page(warm, url, demo, width, height, **options):
    """A first load of ``url`` at ``width`` x ``height`` on a warm Python (tests/conftest.py, WarmPages): layout is
    the subject here, not Python's start. Returns (what to close, the page)."""
    context, page = warm.new_page(width, height, **options)
    page.watch = PageWatch(page)
    page.add_init_script(RECORD_CANVAS_TEXT)
    page.add_init_script(RECORD_CANVAS_BOXES)
    page.goto(url)
    # "paused" too: a bandit autoplayed at max speed finishes its 1000-pull race in about 0.4 s, and a poll may see
    # neither "ready" nor "running" (on a first load, "paused" comes only after "ready")
    wait_status(page, demo, ("ready", "running", "paused"), timeout=90_000)
    return context, page


def assert_on_screen(page, locator, width, height, min_size=(0, 0)):
    left, top, right, bottom = locator.evaluate(BOX)
    assert left >= 0 and top >= 0 and right <= width + 0.5 and bottom <= height + 0.5, (
        f"{locator} is not inside the {width}x{height} frame: {left, top, right, bottom}"
    )
    assert right - left >= min_size[0] and bottom - top >= min_size[1], (
        f"{locator} is too small: {right - left} x {bottom - top}"
    )


@pytest.mark.parametrize("width,height", EMBED_SIZES, ids=[f"{w}x{h}" for w, h in EMBED_SIZES])
@pytest.mark.parametrize("demo", ["gridworld", "bandit", "cartpole"])
def test_embed_fits_its_frame(warm, server_url, artifacts, demo, width, height):
    """At every size from a phone column to a wide post: Play, Reset, the canvas and the key figure on screen without
    scrolling, no text overlapping or cut (on the page or drawn on a canvas), canvas text at least 12 px, no sideways
    scroll. Small frames stack, and
    what is secondary follows below (the frame may scroll down to it; with embed.js the frame takes its height)."""
    # The bandit's legend (left out of an embed unless show= names it) is shown: its lamp's ring is checked below.
    show = "&show=legend" if demo == "bandit" else ""
    context, page = open_page(warm, f"{server_url}?demo={demo}&embed=1{show}", demo, width, height)
    try:
        root = demo_root(page, demo)
        time.sleep(0.3)  # let ResizeObservers settle before the screenshot
        page.screenshot(path=str(artifacts / f"embed-{demo}-{width}x{height}.png"))
        overflow = page.evaluate(OVERFLOW)
        assert overflow[0] <= 0, f"embed scrolls sideways in its {width}x{height} frame by {overflow[0]} px"
        assert_on_screen(page, root.locator(MAIN_CANVAS[demo]).first, width, height, min_size=MIN_CANVAS[demo])
        assert_on_screen(page, root.get_by_role("button", name="Play"), width, height)
        assert_on_screen(page, root.get_by_role("button", name="Reset"), width, height)
        assert_on_screen(page, root.locator(f'[data-stat="{KEY_FIGURE[demo]}"]'), width, height)
        assert root.evaluate(TEXT_PROBLEMS) == []
        assert page.evaluate(SMALL_CANVAS_TEXT) == [], "canvas text smaller than 12 px"
        assert page.evaluate(CANVAS_TEXT_OVERLAPS) == [], "texts drawn over each other on a canvas"
        assert root.evaluate(TEXT_OVER_CANVAS) == [], "page text over a canvas"
        if demo == "bandit":
            assert_bandit_machines_hold_their_labels(page)
            # the "just pulled" lamp's ring (a 3 px box-shadow) inside the demo, not cut by the frame's edge
            lamp, panel = (root.locator(s).first.evaluate(BOX) for s in (".bandit-key-lamp", ".demo-panel"))
            assert lamp[0] - 3 >= panel[0] - 0.5, f"the lamp's ring is cut at the left: {lamp} in {panel}"
        page.watch.assert_clean()
    finally:
        context.close()


def test_embed_settings_open_as_a_sheet_and_hide_still_works(warm, server_url):
    """Opening the folded Settings keeps the frame unscrolled (the sheet scrolls inside); hide= still hides."""
    # 1200×900: the side-by-side layout, where opened details are a sheet (stacked layouts open them in the flow)
    context, page = open_page(warm, f"{server_url}?demo=gridworld&embed=1&hide=speed,reset", "gridworld", 1200, 900)
    try:
        root = demo_root(page, "gridworld")
        assert root.locator('[data-control="speed"]').is_hidden()
        assert root.get_by_role("button", name="Reset").is_hidden()
        root.locator(".gw-settings > summary").focus()
        page.keyboard.press("Enter")  # a keyboard user opens it
        seed = root.locator("#gridworld-seed")
        seed.scroll_into_view_if_needed()
        assert seed.is_visible()
        overflow = page.evaluate(OVERFLOW)
        assert overflow[0] <= 0 and overflow[1] <= 0, f"the opened Settings made the frame scroll by {overflow}"
        assert_on_screen(
            page, root.locator("canvas.gw-grid"), 1200, 900, min_size=MIN_CANVAS["gridworld"]
        )  # still in view
    finally:
        context.close()


OPEN_SHEETS = """(panel) => [...panel.querySelectorAll(':scope > details[open]')].map((d) => {
  const r = d.getBoundingClientRect(); return [d.querySelector('summary').textContent.trim(), r.left, r.top, r.right, r.bottom]; })"""


@pytest.mark.parametrize("demo,width,height", [("cartpole", 560, 420), ("bandit", 1200, 900)])
def test_embed_sheets_open_one_at_a_time(warm, server_url, demo, width, height):
    """An opened details in a fixed embed is a sheet over the figures: opening Share after Settings (with the keyboard,
    as the Share summary may lie under the Settings sheet) leaves no two sheets lying over each other. (Share is left
    out of an embed unless show= names it.)"""
    context, page = open_page(warm, f"{server_url}?demo={demo}&embed=1&show=share", demo, width, height)
    try:
        panel = demo_root(page, demo).locator(".demo-panel")
        summaries = panel.locator(":scope > details > summary")
        names = summaries.all_inner_texts()
        assert "Share" in names and len(names) >= 2, names
        for i, name in enumerate(names):
            summary = summaries.nth(i)
            summary.focus()
            page.keyboard.press("Enter")
            wait_until(lambda s=summary: s.evaluate("(s) => s.parentElement.open"), 5, message=f"{name} to open")
        time.sleep(0.2)
        sheets = panel.evaluate(OPEN_SHEETS)
        assert [s[0] for s in sheets] == [names[-1]], f"opened sheets: {sheets}"
        for i, a in enumerate(sheets):
            for b in sheets[i + 1 :]:
                x = min(a[3], b[3]) - max(a[1], b[1])
                y = min(a[4], b[4]) - max(a[2], b[2])
                assert x <= 0 or y <= 0, f"the sheets {a[0]} and {b[0]} lie over each other"
    finally:
        context.close()


@pytest.mark.parametrize("demo,canvas", [("gridworld", "canvas.gw-grid"), ("bandit", "canvas.bandit-moving")])
def test_embed_canvases_redraw_crisp_after_a_resize(warm, server_url, demo, canvas):
    context, page = open_page(warm, f"{server_url}?demo={demo}&embed=1", demo, 320, 400, device_scale_factor=2)
    try:
        node = demo_root(page, demo).locator(canvas)
        before = node.evaluate(CRISP)
        page.set_viewport_size({"width": 390, "height": 600})
        # The backing store follows the new CSS size × devicePixelRatio (the views resize on their ResizeObserver).
        after = wait_until(
            lambda: (lambda c: c if c[:2] == c[2:] and c != before else None)(node.evaluate(CRISP)),
            5,
            message=f"{demo}'s canvas to take its new size at 2x",
        )
        assert after[2] > before[2] and after[3] > before[3], (before, after)
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_page_has_no_horizontal_scroll_at_360px(warm, server_url, artifacts, scheme):
    context, page = warm.new_page(360, 740, color_scheme=scheme)
    try:
        page.goto(server_url)
        for demo in ("gridworld", "bandit", "cartpole"):
            wait_status(page, demo, "ready", timeout=90_000)
        time.sleep(0.3)
        name = "page-360.png" if scheme == "light" else "page-360-dark.png"
        page.screenshot(path=str(artifacts / name), full_page=True)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        wide = page.evaluate(
            "() => [...document.querySelectorAll('body *')].filter((node) => node.getBoundingClientRect().right > innerWidth + 0.5)"
            ".slice(0, 5).map((node) => node.tagName + '.' + node.className)"
        )
        assert width <= 360, f"the page scrolls sideways at 360 px ({width} px wide): {wide}"
        # MathML does not wrap: a formula wider than its box ran past the edge, the rest behind a sideways scroll
        cut = page.evaluate(
            "() => [...document.querySelectorAll('math.equation')].map((m) => m.scrollWidth - m.clientWidth)"
        )
        assert max(cut) <= 0, f"formulas cut at the box's edge by {cut} px at 360 px"
    finally:
        context.close()


REPLAY = """() => window.rlplay.inspect("cartpole").replay"""


def replay_frames(page, count=8, interval_s=0.2):
    """Pictures of the cart-pole stage over count × interval_s seconds, as a user would see them."""
    stage = demo_root(page, "cartpole").locator(".cartpole-stage")
    frames = []
    for _ in range(count):
        frames.append(stage.screenshot())
        time.sleep(interval_s)
    return frames


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_cartpole_replay_stands_still_with_reduced_motion(warm, server_url, motion):
    """With reduced motion the replay shows the latest episode's last frame, still; without it, the replay loops (the
    control case, so that the check can fail)."""
    context, page = open_page(
        warm, f"{server_url}?demo=cartpole&embed=1&speed=max&autoplay=1", "cartpole", 720, 480, reduced_motion=motion
    )
    try:
        wait_until(lambda: stat(page, "cartpole", "episode") >= 5, 60, message="a few training episodes")
        demo_root(page, "cartpole").get_by_role("button", name="Pause").click()
        wait_status(page, "cartpole", "paused", timeout=10_000)
        time.sleep(0.3)
        frames = replay_frames(page)
        replay = page.evaluate(REPLAY)
        if motion == "reduce":
            assert all(frame == frames[0] for frame in frames), "the stage moved with prefers-reduced-motion: reduce"
            assert replay["episode"] == stat(page, "cartpole", "episode"), "the stage does not show the latest episode"
            assert replay["k"] >= replay["T"] - 1, "the stage does not show how the episode ended"
        else:
            assert len(set(frames)) > 1, "the replay did not animate without reduced motion"
    finally:
        context.close()


def test_canvas_text_is_typeset(warm, server_url):
    """What the canvases write reads as the lesson's text does: a minus sign, not a hyphen, before a negative number
    (the track's "-2 m" beside its "−2.4", the PPO chart's "-1"), and no TeX underscores for subscripts ("G_t",
    "π_θ"): read after the cart-pole has trained a few episodes (negative θ and x in the stage's caption)."""
    context, page = open_page(warm, f"{server_url}?demo=cartpole&speed=max&autoplay=1", "cartpole", 1280, 900)
    try:
        wait_until(lambda: stat(page, "cartpole", "episode") >= 5, 60, message="a few training episodes")
        page.locator('[data-widget="ppo-clip"]').scroll_into_view_if_needed()
        time.sleep(0.5)
        texts = sorted({item["text"] for _, items in page.evaluate("() => window.__canvasBoxes()") for item in items})
        assert any("θ = " in text for text in texts), texts  # the stage's caption was read
        assert any("ratio r" in text for text in texts), texts  # and the PPO chart's
        hyphens = [text for text in texts if re.search(r"(?<![\w.])-(?=\d)", text)]
        assert hyphens == [], f"a hyphen for a minus sign: {hyphens}"
        underscores = [text for text in texts if "_" in text]
        assert underscores == [], f"TeX subscripts on a canvas: {underscores}"
    finally:
        context.close()


TICK = re.compile(r"[−-]?\d+(\.\d+)?[kM]?")  # a tick label: a number as formatCompact writes it


def test_empty_charts_show_no_made_up_ticks(warm, server_url):
    """Before training, an axis with no data has no scale: the chart draws it without ticks, rather than 0, 0.2, …, 1
    (issue 24). An axis whose scale is declared (both ends pinned, or reference lines) keeps its ticks: the learning
    curve's y (0 to past the 500-step cap), the comparison's y (0 to 520)."""
    context, page = open_page(warm, f"{server_url}?demo=cartpole", "cartpole", 1280, 900)
    try:
        demo_root(page, "cartpole").locator(".cartpole-compare-chart").scroll_into_view_if_needed()
        time.sleep(0.5)
        ticks = {}
        for name, items in page.evaluate("() => window.__canvasBoxes()"):
            ticks.setdefault(name, []).append(sorted({i["text"] for i in items if TICK.fullmatch(i["text"])}))
        assert ticks["cartpole-small"] and all(found == [] for found in ticks["cartpole-small"]), ticks
        [curve] = ticks["cartpole-curve"]
        assert {"0", "200", "400"} <= set(curve) and not {"0.5", "1"} & set(curve), curve  # y only: no x scale yet
        [compare] = ticks["cartpole-compare-chart"]
        assert {"0", "100", "500"} <= set(compare) and not {"0.2", "0.4", "1"} & set(compare), compare
    finally:
        context.close()


# Pixels of a series colour (any of the bandit's three lanes) inside the ink box of the text `label` drawn on `canvas`.
CURVE_PIXELS_UNDER_LABEL = """([canvas, label]) => {
  const box = window.__canvasBoxesOf(canvas).find((item) => item.text === label);
  if (!box) return null;
  const lanes = ["--lane-epsilon-greedy", "--lane-softmax", "--lane-ucb"].map((name) =>
    getComputedStyle(canvas).getPropertyValue(name).trim());
  const probe = document.createElement("canvas").getContext("2d");
  const rgb = lanes.map((css) => { probe.fillStyle = css; probe.fillRect(0, 0, 1, 1); return [...probe.getImageData(0, 0, 1, 1).data].slice(0, 3); });
  const x0 = Math.ceil(box.x0);
  const y0 = Math.ceil(box.y0);
  const pixels = canvas.getContext("2d").getImageData(x0, y0, Math.floor(box.x1) - x0, Math.floor(box.y1) - y0).data;
  let count = 0;
  for (let i = 0; i < pixels.length; i += 4)
    if (rgb.some((c) => c.every((v, j) => Math.abs(v - pixels[i + j]) < 40))) count++;
  return count;
}"""


def test_reference_labels_are_not_struck_through_by_the_data(warm, server_url):
    """A reference line's label is covered by nothing: on seed 0's race the softmax curve runs through the best-arm
    chart's "random: 1/5" (the label's 1.5 px halo let it strike the words out)."""
    context, page = open_page(warm, f"{server_url}?demo=bandit&speed=max&autoplay=1", "bandit", 1280, 900)
    try:
        wait_until(lambda: stat(page, "bandit", "pulls") >= 1000, 60, message="the 1000-pull race")
        time.sleep(0.5)
        canvas = demo_root(page, "bandit").locator(".bandit-chart-best-arm canvas").element_handle()
        count = page.evaluate(CURVE_PIXELS_UNDER_LABEL, [canvas, "random: 1/5"])
        assert count == 0, f"{count} pixels of the curves inside the label 'random: 1/5'"
    finally:
        context.close()


def test_cartpole_caption_is_whole_in_a_small_embed(warm, server_url):
    """At 560×420 the replay's caption did not fit beside the step counter and was cut ("Replay of episode 683
    (Actor-cri…"): where it does not fit, the stage says "Episode 683 (Actor-critic)", whole."""
    url = f"{server_url}?demo=cartpole&embed=1&speed=max&autoplay=1"
    context, page = open_page(warm, url, "cartpole", 560, 420)
    try:
        stage = demo_root(page, "cartpole").locator(".cartpole-stage canvas[role=img]").element_handle()

        def texts():
            return [item["text"] for item in page.evaluate("(c) => window.__canvasBoxesOf(c)", stage)]

        # the replay of a three-digit episode: "Replay of episode 100 (Actor-critic)" no longer fits
        wait_until(lambda: any(re.search(r"pisode \d{3}", t) for t in texts()), 120, message="episode 100's replay")
        shown = texts()
        assert any(text.endswith("(Actor-critic)") for text in shown), shown
        assert [text for text in shown if text.endswith("…")] == []
    finally:
        context.close()


EDITOR_COLOURS = """(root) => {
  const host = [...root.querySelectorAll('*')].find((e) => e.shadowRoot?.querySelector('.cm-editor'));
  const style = (selector) => getComputedStyle(host.shadowRoot.querySelector(selector));
  const editor = style('.cm-editor');
  return { editor: editor.backgroundColor, gutter: style('.cm-gutters').backgroundColor,
           selection: style('.cm-selectionBackground').backgroundColor, text: style('.cm-line').color,
           caret: style('.cm-cursor').borderLeftColor, outline: [editor.outlineStyle, editor.outlineColor],
           page: getComputedStyle(root).backgroundColor };
}"""


def rgba(css: str) -> tuple[float, float, float, float]:
    parts = [float(v) for v in re.findall(r"[\d.]+", css)]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def over(top: str, bottom: str) -> str:
    """The colour `top` composited over the opaque `bottom`."""
    t, b = rgba(top), rgba(bottom)
    return "rgb({}, {}, {})".format(*(t[i] * t[3] + b[i] * (1 - t[3]) for i in range(3)))


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two opaque colours."""

    def luminance(css):
        channel = [
            (v / 255) / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in rgba(css)[:3]
        ]
        return 0.2126 * channel[0] + 0.7152 * channel[1] + 0.0722 * channel[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_code_editor_follows_the_dark_theme(warm, server_url):
    """CodeMirror's base theme outranked the editor's colours, with light-only defaults: in the dark theme a white
    gutter, selected code in light text on a pale selection (contrast 1.1), a black caret and a dotted black focus
    ring on a dark editor. Read with the bandit's code selected and the editor focused."""
    context, page = warm.new_page(1280, 900, color_scheme="dark")
    try:
        page.goto(f"{server_url}?demo=bandit")
        wait_status(page, "bandit", ("ready", "running"), timeout=90_000)
        root = demo_root(page, "bandit")
        root.locator("details > summary", has_text="Code").first.click()
        root.locator(".cm-content").first.click()
        page.keyboard.press("Control+a")
        time.sleep(0.3)
        c = root.evaluate(EDITOR_COLOURS)
        editor = over(c["editor"], c["page"])
        assert contrast(over(c["gutter"], editor), editor) < 1.5, f"the gutter stands out: {c}"
        assert contrast(c["text"], over(c["selection"], editor)) >= 4.5, f"selected code is hard to read: {c}"
        assert contrast(over(c["caret"], editor), editor) >= 3, f"the caret is hard to see: {c}"
        assert c["outline"][0] == "solid" and contrast(over(c["outline"][1], editor), editor) >= 3, c
    finally:
        context.close()


def test_cartpole_research_buttons_stand_clear_of_their_notes(warm_page, server_url):
    """ "Measure the spread" sat on the paragraph above it (0 px apart): each button in the research panels is at least
    4 px below the text before it."""
    page = warm_page  # a first load on the warm shared Python (tests/conftest.py, WarmPages)
    page.goto(f"{server_url}?demo=cartpole")
    wait_status(page, "cartpole", ("ready", "running"), timeout=90_000)
    gaps = demo_root(page, "cartpole").evaluate(
        """(root) => [...root.querySelectorAll('.cartpole-research > button')].map((b) => {
             const before = b.previousElementSibling;
             return [b.textContent, b.getBoundingClientRect().top - before.getBoundingClientRect().bottom]; })"""
    )
    assert gaps and all(gap >= 4 for _, gap in gaps), gaps


def test_the_lessons_equations_are_math_markup(warm_page, server_url, artifacts):
    """MathML written in index.html (no script, CSP unchanged): screen readers meet math, not a stream of italics."""
    page = warm_page  # a first load on the warm shared Python (tests/conftest.py, WarmPages)
    page.goto(server_url)
    equations = page.locator("math.equation")
    assert equations.count() == 7  # 1-6, and RLHF's objective (section 7)
    assert page.locator("[role=math]:not(math)").count() == 0
    assert page.get_by_role("math").count() >= 7
    for i in range(equations.count()):
        equation = equations.nth(i)
        assert equation.locator("mi, mo, mn").count() >= 3
        left, top, right, bottom = equation.evaluate(BOX)
        assert bottom - top > 20 and right - left > 100, "an equation did not render as display math"
        # Laid out as math, a formula is one line of symbols: measured 1.1-1.8 em with the fallback fonts and up to
        # 2.9 em with a math font's large operators (DejaVu Math TeX Gyre). Laid out as plain blocks (CSS `display:
        # block` on <math>), its parts stack like paragraphs: measured 5.9 to 24 em. The limit sits between the two.
        height_em = equation.evaluate(
            """(m) => { const boxes = [...m.children].map((c) => c.getBoundingClientRect());
                        const span = Math.max(...boxes.map((b) => b.bottom)) - Math.min(...boxes.map((b) => b.top));
                        return span / parseFloat(getComputedStyle(m).fontSize); }"""
        )
        assert height_em < 4, f"equation {i} is {height_em:.1f} em tall: its symbols did not lay out as one formula"
        # A fence stretches to the tallest thing in its <mrow>. With a math font (Cambria Math, STIX Two Math, DejaVu
        # Math: the style's list) a "(" in one flat row around the whole formula grew to the ∑ beside it, 1.6-3.2 em
        # tall around a lone s; each bracketed group is its own <mrow>, so a parenthesis stays near 1 em.
        fences = equation.evaluate(
            """(m) => { const em = parseFloat(getComputedStyle(m).fontSize);
                        return [...m.querySelectorAll("mo")].filter((o) => "()".includes(o.textContent.trim()))
                          .map((o) => o.getBoundingClientRect().height / em); }"""
        )
        assert max(fences, default=0) < 1.5, f"equation {i}: a parenthesis is {max(fences):.1f} em tall"
        # A prime follows its letter at full size (s′); as a superscript it is drawn at script size, raised off it.
        primes = equation.evaluate(
            "(m) => [...m.querySelectorAll('msup > :last-child')].filter((n) => n.textContent.trim() === '′').length"
        )
        assert primes == 0, f"equation {i} sets {primes} primes as superscripts"
    equations.first.scroll_into_view_if_needed()
    equations.first.screenshot(path=str(artifacts / "equation-return.png"))
    page.watch.assert_clean()
