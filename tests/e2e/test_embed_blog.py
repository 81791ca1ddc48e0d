"""The example blog page (examples/blog.html), served from a second local origin, with embed.js from the site.

embed.js sizes each playground iframe to its content (postMessage, origin-checked), within a frame or two of a
layout change; <rl-playground demo=… seed=…> becomes the iframe with those settings; a message from anyone but the
playground's frame is ignored.

The tests of sizes, layout and the snippet load their blog page on the warm shared Python (tests/conftest.py,
WarmPages: the site's shared worker is already running in that context, so the frames connect to it as a second
embed does): their subject is what the frames show. The tests of sharing one Python and of a crash start cold.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import build
from helpers import dedicated_worker, wait_status, wait_until

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "blog.html"
# The frame's content height, and the iframe's height on the blog page, in CSS px.
FRAME_HEIGHT = """() => { const s = getComputedStyle(document.body);
  return Math.ceil(document.body.getBoundingClientRect().height + parseFloat(s.marginTop) + parseFloat(s.marginBottom)); }"""
IFRAME_HEIGHT = "(frame) => frame.getBoundingClientRect().height"
# Counts the blog page's animation frames from now until the iframe reports a new size (rlplay:resized).
FRAMES_UNTIL_RESIZED = """([selector, width]) => new Promise((resolve) => {
  const frame = document.querySelector(selector);
  let frames = 0;
  let done = false;
  const tick = () => { if (!done) { frames += 1; requestAnimationFrame(tick); } };
  frame.addEventListener("rlplay:resized", (event) => { done = true; resolve([frames, event.detail.height]); }, { once: true });
  requestAnimationFrame(tick);
  document.querySelector("article").style.maxWidth = width;
  setTimeout(() => { if (!done) { done = true; resolve([frames, null]); } }, 5000);
})"""


@pytest.fixture
def blog_url(tmp_path, server_url):
    site = server_url.rstrip("/")
    (tmp_path / "index.html").write_text(EXAMPLE.read_text().replace("SITE/", f"{site}/"))
    server, url = build.start_server(tmp_path, 0)
    yield url
    server.shutdown()


def sized(page, selector, frame) -> bool:
    """The iframe is as tall as its content (to the pixel)."""
    return abs(page.locator(selector).evaluate(IFRAME_HEIGHT) - frame.evaluate(FRAME_HEIGHT)) <= 1


def frame_of(page, selector):
    handle = page.locator(selector).element_handle()
    wait_until(lambda: handle.content_frame(), 30, message=f"{selector}'s frame")
    return handle.content_frame()


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_embed_js_sizes_each_frame_to_its_content(warm_page, blog_url, server_url, artifacts, viewport):
    page = warm_page  # a first load on the warm shared Python (module docstring)
    assert blog_url.split("/")[2] != server_url.split("/")[2]  # two origins
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto(blog_url)
    # The custom element became an iframe with its attributes in the query.
    grid = page.locator("rl-playground#grid iframe")
    grid.wait_for(state="attached", timeout=30_000)
    src = grid.get_attribute("src")
    assert src.startswith(server_url) and "demo=gridworld" in src and "seed=3" in src and "embed=1" in src, src
    for selector, demo in (("rl-playground#grid iframe", "gridworld"), ("#bandit", "bandit")):
        page.locator(selector).scroll_into_view_if_needed()
        frame = frame_of(page, selector)
        frame.locator(f'[data-demo="{demo}"][data-status="ready"]').wait_for(timeout=90_000)
        assert frame.evaluate("getComputedStyle(document.querySelector('[data-demo]')).height") != "0px"
        wait_until(lambda s=selector, f=frame: sized(page, s, f), 10, message=f"{demo}'s iframe to take its height")
        # No feedback loop (a size that follows the frame's height would grow it to embed.js's clamp): it holds still.
        height = page.locator(selector).evaluate(IFRAME_HEIGHT)
        page.wait_for_timeout(1000)
        assert page.locator(selector).evaluate(IFRAME_HEIGHT) == height < 4000 - 1, height
        # Nothing scrolls inside the frame: it is as tall as its content.
        assert frame.evaluate("document.documentElement.scrollHeight - innerHeight") <= 1
        assert frame.evaluate("window.rlplay.registry.page.embed")
    assert page.evaluate("window.rlplay === undefined")  # the blog's own page is untouched
    grid_frame = frame_of(page, "rl-playground#grid iframe")
    assert str(grid_frame.evaluate("window.rlplay.registry.get('gridworld', 'seed')")) == "3"
    page.screenshot(path=str(artifacts / f"blog-{viewport[0]}.png"), full_page=True)
    page.watch.assert_clean()


def test_a_layout_change_resizes_the_frame_within_a_frame_or_two(warm_page, blog_url):
    page = warm_page  # a first load on the warm shared Python (module docstring)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(blog_url)
    selector = "rl-playground#grid iframe"
    page.locator(selector).wait_for(state="attached", timeout=30_000)
    frame = frame_of(page, selector)
    frame.locator('[data-demo="gridworld"][data-status="ready"]').wait_for(timeout=90_000)
    wait_until(lambda: sized(page, selector, frame), 30, message="the first sizing")
    before = page.locator(selector).evaluate(IFRAME_HEIGHT)
    # The blog's column narrows to a phone's: the demo restacks, taller; the frame follows.
    frames, height = page.evaluate(FRAMES_UNTIL_RESIZED, [selector, "390px"])
    assert height is not None, "the frame never reported its new height"
    print(f"\nembed.js: a layout change reached the iframe's height after {frames} animation frame(s)")
    assert frames <= 2, f"the iframe took {frames} animation frames to follow a layout change"
    assert height != before
    wait_until(lambda: sized(page, selector, frame), 5, message="the new height to match the content")
    page.watch.assert_clean()


def test_height_messages_from_anyone_else_are_ignored(warm_page, blog_url):
    page = warm_page  # a first load on the warm shared Python (module docstring)
    page.goto(blog_url)
    selector = "#bandit"
    page.locator(selector).scroll_into_view_if_needed()
    frame = frame_of(page, selector)
    frame.locator('[data-demo="bandit"][data-status="ready"]').wait_for(timeout=90_000)
    wait_until(lambda: sized(page, selector, frame), 30, message="the first sizing")
    before = page.locator(selector).evaluate(IFRAME_HEIGHT)
    # The blog page itself (another origin than the playground's) claims to be a frame reporting a height.
    page.evaluate("window.postMessage({ type: 'rlplay:height', height: 1234 }, '*')")
    page.wait_for_timeout(300)
    assert page.locator(selector).evaluate(IFRAME_HEIGHT) == before


def test_a_frame_out_of_view_follows_its_content(warm_page, blog_url):
    """Chromium does not render a cross-origin iframe out of view, so its ResizeObserver is silent there: a frame
    that the gridworld above pushed down while Python loaded kept its loading height (once an intermittent failure
    of the test above). A DOM change is reported all the same. (A window 600 px tall: the compact gridworld above
    no longer pushes the bandit's frame below a taller one.)"""
    page = warm_page  # a first load on the warm shared Python (module docstring)
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(blog_url)
    selector = "#bandit"
    page.locator(selector).scroll_into_view_if_needed()
    frame = frame_of(page, selector)
    frame.locator('[data-demo="bandit"][data-status="ready"]').wait_for(timeout=90_000)
    grid = frame_of(page, "rl-playground#grid iframe")
    grid.locator('[data-demo="gridworld"][data-status="ready"]').wait_for(timeout=90_000)
    wait_until(lambda: sized(page, selector, frame), 30, message="the first sizing")
    page.evaluate("window.scrollTo(0, 0)")
    top = page.locator(selector).evaluate("(frame) => frame.getBoundingClientRect().top")
    assert top > page.evaluate("innerHeight"), f"the bandit frame is in view (top {top}): the test needs it out"
    before = page.locator(selector).evaluate(IFRAME_HEIGHT)
    frame.evaluate("""() => { const note = document.createElement('div'); note.style.height = '200px';
      document.querySelector('[data-demo="bandit"]').append(note); }""")
    wait_until(lambda: sized(page, selector, frame), 10, message="the out-of-view frame to follow its content")
    assert page.locator(selector).evaluate(IFRAME_HEIGHT) >= before + 199


def test_the_embed_buttons_snippet_works_pasted_into_a_blog(warm_page, server_url, tmp_path):
    """The Embed button gives both forms; pasted as is into a page on another origin, both run with its settings."""
    page = warm_page  # a first load on the warm shared Python (module docstring)
    page.goto(f"{server_url}?demo=bandit&seed=4")
    root = page.locator('[data-demo="bandit"]')
    wait_status(page, "bandit", "ready", timeout=90_000)
    root.get_by_role("button", name="Embed", exact=True).click()
    snippet = root.get_by_role("textbox", name="Shareable text").input_value()
    assert "<rl-playground" in snippet and "<iframe" in snippet and "embed.js" in snippet, snippet
    assert 'demo="bandit"' in snippet and 'seed="4"' in snippet, snippet
    # Only what differs from the defaults (the link changed the seed alone): was every setting, 28 attributes.
    tag = re.search(r"<rl-playground([^>]*)>", snippet).group(1)
    assert re.findall(r'(\w+)="', tag) == ["demo", "seed"], tag
    (tmp_path / "index.html").write_text(
        f'<!doctype html><html><head><link rel="icon" href="data:,"></head><body>{snippet}</body></html>'
    )
    server, url = build.start_server(tmp_path, 0)
    try:
        page.goto(url)
        for selector in ("rl-playground iframe", "body > iframe"):
            page.locator(selector).wait_for(state="attached", timeout=30_000)
            page.locator(selector).scroll_into_view_if_needed()
            frame = frame_of(page, selector)
            frame.locator('[data-demo="bandit"][data-status="ready"]').wait_for(timeout=90_000)
            assert str(frame.evaluate("window.rlplay.registry.get('bandit', 'seed')")) == "4"
        page.watch.assert_clean()
    finally:
        server.shutdown()


# Each document's service-worker registration and its update checks (web/runtime/offline.js), counted.
COUNT_DEPLOY_CHECKS = """(() => {
  window.rlplayDeployChecks = { registered: false, updates: 0 };
  const register = ServiceWorkerContainer.prototype.register;
  ServiceWorkerContainer.prototype.register = function (...args) {
    const registered = register.apply(this, args);
    registered.then(() => { window.rlplayDeployChecks.registered = true; }, () => {});
    return registered;
  };
  const update = ServiceWorkerRegistration.prototype.update;
  ServiceWorkerRegistration.prototype.update = function (...args) {
    window.rlplayDeployChecks.updates += 1;
    return update.apply(this, args);
  };
})();"""
DEPLOY_CHECKS = "() => window.rlplayDeployChecks"


def test_embeds_leave_the_deploy_check_to_the_browser(warm_page, blog_url, server_url):
    """A blog page's embeds load together. When one asked for an update check (registration.update()) while another
    was still loading, Chromium aborted the requests the service worker was serving to that other (net::ERR_ABORTED
    on its modules), which then could not start: at a load of 12-19, 6 of 110 loads of five warm embeds saw aborted
    requests and 3 left an embed in error (the compact embeds' flake); with update() stubbed out, none of 80, and with
    embeds not calling it, none of 50. An embed registers (it works offline) but leaves the check to the browser; a
    full page still checks on each visit."""
    page = warm_page  # a first load on the warm shared Python (module docstring), its service worker in control
    page.add_init_script(COUNT_DEPLOY_CHECKS)
    page.goto(blog_url)
    for selector, demo in (("rl-playground#grid iframe", "gridworld"), ("#bandit", "bandit")):
        page.locator(selector).scroll_into_view_if_needed()
        frame = frame_of(page, selector)
        frame.locator(f'[data-demo="{demo}"][data-status="ready"]').wait_for(timeout=90_000)
        checks = wait_until(lambda f=frame: (lambda c: c["registered"] and c)(f.evaluate(DEPLOY_CHECKS)), 30,
                            message=f"{demo}'s embed to register its service worker")  # fmt: skip
        assert checks["updates"] == 0, f"the {demo} embed asked for an update check"
    page.goto(f"{server_url}?demo=bandit")
    checks = wait_until(lambda: (lambda c: c["registered"] and c)(page.evaluate(DEPLOY_CHECKS)), 90,
                        message="the full page to register its service worker")  # fmt: skip
    assert checks["updates"] == 1, checks
    page.watch.assert_clean()


# Issue 25: an auto-height embed opens on its lesson view, at most this tall (CSS px) at each blog column width.
COMPACT_HEIGHT = {680: 640, 375: 900}
LESSON_VIEW = {
    "gridworld": ["canvas.gw-grid", "canvas.gw-curve", '[data-stat="greedy-path-length"]'],
    "bandit": [".bandit-view", ".bandit-chart-regret canvas", '[data-stat="regret-ucb"]'],
    "cartpole": [".cartpole-stage", "canvas.cartpole-curve", '[data-stat="mean-length-100"]'],
    "rlhf": [".rlhf-sample-pair", ".rlhf-chart-rewards canvas", '[data-stat="gold-reward"]'],
}
LEFT_OUT = {
    "gridworld": ".gw-planning",
    "bandit": ".bandit-chart-reward",
    "cartpole": ".cartpole-research-row",
    "rlhf": ".rlhf-reward-kl",
}


@pytest.mark.parametrize("width", sorted(COMPACT_HEIGHT))
def test_auto_height_embeds_open_compact_on_their_lesson_view(warm_page, server_url, tmp_path, artifacts, width):
    """Three embeds in a blog column of ``width`` px (the phone's whole screen at 375): each at most
    COMPACT_HEIGHT[width] px tall, with its canvas, Play, Reset, main chart and key figure shown and folded Settings,
    its secondary parts left out; ``show=all`` brings them back (and is taller). On the warm shared Python: its
    RLHF frame once "was not ready within 90 s" there, an embed whose modules were aborted by another embed's update
    check (test_embeds_leave_the_deploy_check_to_the_browser)."""
    page = warm_page  # a first load on the warm shared Python (module docstring)
    site = server_url.rstrip("/")
    tags = "".join(f'<rl-playground id="{demo}" demo="{demo}"></rl-playground>' for demo in LESSON_VIEW)
    tags += '<rl-playground id="all" demo="gridworld" show="all"></rl-playground>'
    (tmp_path / "index.html").write_text(
        f'<!doctype html><html><head><meta name="viewport" content="width=device-width"><link rel="icon" '
        f'href="data:,"><script src="{site}/web/embed.js" defer></script><style>body{{margin:0}} '
        f"article{{max-width:{width}px;margin:0 auto}}</style></head><body><article>{tags}</article></body></html>"
    )
    server, url = build.start_server(tmp_path, 0)
    try:
        page.set_viewport_size({"width": max(width, 375), "height": 900})
        page.goto(url)
        heights = {}
        for name in [*LESSON_VIEW, "all"]:
            selector = f"rl-playground#{name} iframe"
            page.locator(selector).wait_for(state="attached", timeout=30_000)
            page.locator(selector).scroll_into_view_if_needed()
            frame = frame_of(page, selector)
            demo = "gridworld" if name == "all" else name
            frame.locator(f'[data-demo="{demo}"][data-status="ready"]').wait_for(timeout=90_000)
            wait_until(lambda s=selector, f=frame: sized(page, s, f), 15, message=f"{name}'s iframe sized")
            heights[name] = page.locator(selector).evaluate(IFRAME_HEIGHT)
            if name == "all":
                assert frame.locator(LEFT_OUT["gridworld"]).is_visible()
                continue
            root = frame.locator(f'[data-demo="{demo}"]')
            for part in LESSON_VIEW[demo]:
                assert root.locator(part).first.is_visible(), f"{demo}: {part} is not shown"
            for button in ("Play", "Reset"):
                assert root.get_by_role("button", name=button, exact=True).is_visible()
            settings = root.locator("details", has=frame.locator("summary", has_text="Settings"))
            assert settings.count() == 1 and settings.first.get_attribute("open") is None
            assert not root.locator(LEFT_OUT[demo]).is_visible(), f"{demo}: {LEFT_OUT[demo]} is shown"
            page.locator(selector).screenshot(path=str(artifacts / f"embed-compact-{demo}-{width}.png"))
        print(f"\nauto-height embeds at {width} px: " + ", ".join(f"{k} {v:.0f} px" for k, v in heights.items()))
        for demo in LESSON_VIEW:
            assert heights[demo] <= COMPACT_HEIGHT[width], f"{demo}: {heights[demo]} px at {width} px wide"
        assert heights["all"] > heights["gridworld"] + 200
        page.watch.assert_clean()
    finally:
        server.shutdown()


# ---- one Python per page: the embeds share one worker (web/runtime/worker.js as a SharedWorker) ---------------------

# Each embed replays a seeded run on its own (steps=): the figures a solo page of the same setup reaches.
SHARED_SETUPS = {
    "gridworld": "seed=3&steps=3000",
    "bandit": "seed=5&steps=300",
    "cartpole": "seed=2&steps=1500",
}


def _three_embeds_page(tmp_path, server_url) -> str:
    site = server_url.rstrip("/")
    tags = "".join(
        f'<rl-playground id="{demo}" demo="{demo}" {" ".join(f"{k}={v!r}" for k, v in (p.split("=") for p in query.split("&")))}>'
        "</rl-playground>"
        for demo, query in SHARED_SETUPS.items()
    )
    (tmp_path / "index.html").write_text(
        f'<!doctype html><html><head><link rel="icon" href="data:,"><script src="{site}/web/embed.js" defer></script>'
        f'</head><body><article style="max-width:680px">{tags}</article></body></html>'
    )
    return tags


def _run_of(frame, demo: str) -> dict:
    """The demo's figures and every array of its snapshot that is the run's state (live or static: a growing key's
    array is only the last tail the page was sent), as plain data: what a solo run must equal bit for bit."""
    state = frame.evaluate("(demo) => window.rlplay.inspect(demo)", demo)
    keys = frame.evaluate("(demo) => window.rlplay.contract[demo].keys", demo)
    arrays = {
        key: value
        for key, value in state["snapshot"].items()
        if isinstance(value, dict) and "shape" in value and keys.get(key, {}).get("update") != "growing"
    }
    assert arrays, f"{demo}: no array to compare"
    return {"units": state["unitsDone"], "figures": state["figures"], "arrays": arrays}


def _shared_worker_targets(browser, page) -> list[str]:
    """The browser's own count (CDP): the Python shared workers alive in ``page``'s browser context, by name (not
    what the page says of itself). Another context of the same browser (the session's booted page) has its own."""
    page_cdp = page.context.new_cdp_session(page)
    try:
        context_id = page_cdp.send("Target.getTargetInfo")["targetInfo"]["browserContextId"]
    finally:
        page_cdp.detach()
    cdp = browser.new_browser_cdp_session()
    try:
        targets = cdp.send("Target.getTargets")["targetInfos"]
    finally:
        cdp.detach()
    return [
        t["title"]
        for t in targets
        if t["type"] == "shared_worker" and "worker.js" in t["url"] and t.get("browserContextId") == context_id
    ]


def _ready_frames(page) -> dict:
    frames = {}
    for demo in SHARED_SETUPS:
        frame = frame_of(page, f"rl-playground#{demo} iframe")
        frame.locator(f'[data-demo="{demo}"][data-status="ready"]').wait_for(timeout=120_000)
        wait_until(
            lambda f=frame, d=demo: (
                f.evaluate("(d) => window.rlplay.inspect(d).unitsDone", d) == int(SHARED_SETUPS[d].split("steps=")[1])
            ),
            120,
            message=f"{demo}'s replay",
        )
        frames[demo] = frame
    return frames


@pytest.mark.slow  # moved from the fast lane: cold embeds and solo pages, 23-69 s (slow lane)
def test_three_embeds_share_one_python_each_with_its_own_run(browser, page, server_url, tmp_path):
    """Three embeds on one blog page: one Python worker serves them all (the browser counts one shared worker; each
    frame's runtime names the same worker and a client of its own), each embed's run equals the same setup run
    alone on a page of its own with a dedicated worker (bit for bit), and an embed cannot reach another's demo: a
    call naming it is refused, and a message forging another client's id changes nothing."""
    _three_embeds_page(tmp_path, server_url)
    server, url = build.start_server(tmp_path, 0)
    try:
        page.set_viewport_size({"width": 1280, "height": 4000})  # every frame in view: embeds out of view pause
        page.goto(url)
        frames = _ready_frames(page)
        versions = {demo: frame.evaluate("window.rlplay.runtime.versions") for demo, frame in frames.items()}
        assert {v["worker"] for v in versions.values()} == {"shared"}, versions
        assert len({v["worker_id"] for v in versions.values()}) == 1, "the embeds run on different workers"
        assert len({v["client"] for v in versions.values()}) == 3, "two embeds share one client's state"
        assert len(_shared_worker_targets(browser, page)) == 1, _shared_worker_targets(browser, page)
        runs = {demo: _run_of(frame, demo) for demo, frame in frames.items()}

        # Isolation: the bandit's page asks for the gridworld's demo, which only the gridworld's page created.
        bandit, grid = frames["bandit"], frames["gridworld"]
        refused = bandit.evaluate(
            """() => window.rlplay.runtime.call('gridworld', 'step', {n: 5, since: 0}).then(
                 () => 'answered', (error) => `${error.kind}: ${error.message}`)"""
        )
        assert refused == "input: the gridworld demo has not been created yet", refused
        # A message that names the gridworld page's client, posted by the bandit's page: the worker goes by the port.
        forged = {
            "type": "call",
            "id": 10**6,
            "demo": "gridworld",
            "command": "reset",
            "client": versions["gridworld"]["client"],
        }
        bandit.evaluate("(message) => window.rlplay.runtime.worker.postMessage(message)", forged)
        bandit.evaluate("() => window.rlplay.runtime.call('bandit', 'snapshot', {since: 0})")  # after the forged one
        after = grid.evaluate("() => window.rlplay.runtime.call('gridworld', 'snapshot', {since: 0})")
        assert after["snapshot"]["figures"] == runs["gridworld"]["figures"], "another embed reset the gridworld"
        page.watch.assert_clean()
    finally:
        server.shutdown()

    # Each setup alone, on a page of its own, in a dedicated worker (the fallback): the same run, bit for bit.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    dedicated_worker(context)
    solo = context.new_page()
    try:
        for demo, query in SHARED_SETUPS.items():
            solo.goto(f"{server_url}?demo={demo}&embed=1&{query}")
            steps = int(query.split("steps=")[1])
            wait_until(
                lambda d=demo, s=steps: solo.evaluate("(d) => window.rlplay?.inspect?.(d)?.unitsDone ?? -1", d) == s,
                120,
                message=f"{demo}'s solo replay",
            )
            assert solo.evaluate("window.rlplay.runtime.versions.worker") == "dedicated"
            assert _run_of(solo, demo) == runs[demo], f"{demo}: the embed's run differs from the same setup alone"
    finally:
        context.close()


@pytest.mark.slow  # moved from the fast lane: a crash and a cold restart, 31-38 s (slow lane)
def test_one_embeds_crash_restarts_the_shared_worker_and_every_embed_replays_its_run(
    browser, page, server_url, tmp_path
):
    """The shared worker dies under one embed (the tests' stand-in: it closes without a word): that embed's watchdog
    finds it silent and offers Restart; restarting moves every embed to one new worker (the old one gone), and the
    other embeds replay their runs to the steps they had, with the same figures, and say so."""
    _three_embeds_page(tmp_path, server_url)
    server, url = build.start_server(tmp_path, 0)
    try:
        page.set_viewport_size({"width": 1280, "height": 4000})
        page.goto(url)
        frames = _ready_frames(page)
        before = {demo: _run_of(frame, demo) for demo, frame in frames.items()}
        old = frames["gridworld"].evaluate("window.rlplay.runtime.versions.worker_id")
        grid = frames["gridworld"]
        grid.evaluate("window.rlplay.runtime.worker.terminate()")
        grid.locator('[data-demo="gridworld"]').get_by_role("button", name="Step", exact=True).click()
        banner = grid.locator("#runtime-banner[data-state=error]")
        banner.wait_for(timeout=60_000)
        assert "stopped answering" in banner.text_content()
        banner.get_by_role("button", name="Restart").click()
        for demo in ("bandit", "cartpole"):
            root = frames[demo].locator(f'[data-demo="{demo}"]')
            root.get_by_text("restarted by another embed on this page", exact=False).wait_for(timeout=120_000)
            wait_until(lambda f=frames[demo], d=demo: _run_of(f, d) == before[d], 120, message=f"{demo} replayed")
        grid.locator('[data-demo="gridworld"][data-status="ready"]').wait_for(timeout=120_000)
        workers = {frame.evaluate("window.rlplay.runtime.versions.worker_id") for frame in frames.values()}
        assert len(workers) == 1 and old not in workers, (old, workers)
        wait_until(lambda: len(_shared_worker_targets(browser, page)) == 1, 10, message="the old worker to go")
    finally:
        server.shutdown()
