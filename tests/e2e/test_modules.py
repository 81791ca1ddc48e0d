"""Every module the page loads, blocked in turn (a 500): the page names the file and offers a Retry that works.

The modules are read from the built ``dist/web`` (every ``*.js``), so a module added later is covered without
editing this file. Whatever imports it (web/app.js's static graph, a demo and its views and charts, the lesson
widget, the runtime's worker, the Code panel's editor), the page must show the file's path with the reason in an
alert, next to a Retry button; never a page that says nothing, and never "ready" over a demo that did not start.

To stay fast, the page is opened once per module with the runtime held at its manifest (Python never loads: naming a
file does not need it), in one page; Python loads only for the two Retry round trips at the end. Files are blocked
and held by the site's server (``site_faults``), not by a route of the page: the shared Python worker's requests
(web/runtime/worker.js and its imports, the manifest) pass no page's route.
"""

from __future__ import annotations

import re
import time

import pytest
from helpers import demo_root, stat, wait_status, wait_until

# Not modules of the page: the service worker (tests/e2e/test_offline.py), the blog tag's script (web/embed.js,
# tests/e2e/test_embed_blog.py), and web/boot.js, the classic script that names the others (checked below).
NOT_PAGE_MODULES = {"web/sw.js", "web/embed.js", "web/boot.js"}
# Loaded only once Python is ready and the Code panel opens: checked in its own test below.
AFTER_PYTHON = {"web/vendor/codemirror.js"}


def page_modules(dist) -> list[str]:
    paths = sorted(path.relative_to(dist).as_posix() for path in (dist / "web").rglob("*.js"))
    return [path for path in paths if path not in NOT_PAGE_MODULES | AFTER_PYTHON]


def failure_box(page, path: str):
    """The banner or error box that names ``path`` with HTTP 500 (first of them: a shared module breaks several)."""
    return page.locator("#runtime-banner, .error-box").filter(has_text=re.compile(re.escape(path) + r".{0,20}HTTP 500"))


def first_load_modules(page, server_url, modules, site_server, site_faults) -> set[str]:
    """The modules a first load of the page asks the server for before Python (the runtime held at its manifest):
    each path is marked "pass" (counted, served as usual) and the page is loaded once, until no new request for a
    second. A module outside this set belongs to another page or to later work (the Code panel's editor)."""
    asked = site_server[0].fault_hits
    for path in modules:
        site_faults[f"/{path}"] = "pass"
    page.goto(server_url)
    seen, quiet_since = -1, time.monotonic()
    while time.monotonic() - quiet_since < 1.0:
        if len(asked) != seen:
            seen, quiet_since = len(asked), time.monotonic()
        time.sleep(0.1)
    for path in modules:
        del site_faults[f"/{path}"]
    page.goto("about:blank")
    return {path for path in modules if f"/{path}" in asked}


@pytest.mark.slow  # moved from the fast lane: one cold load per module, 43-122 s (slow lane)
def test_every_module_blocked_in_turn_is_named_with_retry(page, browser, server_url, dist, site_server, site_faults):
    """One page load per module the page asks for; the runtime waits at its manifest, so each load takes well under a
    second. The shared Python worker's script is blocked in a fresh context: a page of this one, navigated away,
    can leave its shared worker running for a moment, and the next page would connect to it and never fetch the
    script (Chromium aborts the request), so the block would go unseen."""
    modules = page_modules(dist)
    assert len(modules) > 25 and "web/views/line_chart.js" in modules and "web/widgets/ppo_clip.js" in modules
    assert "web/runtime/worker.js" in modules
    site_faults["/manifest.json"] = "hold"  # Python never loads here
    loaded = first_load_modules(page, server_url, modules, site_server, site_faults)
    assert "web/runtime/worker.js" in loaded and "web/views/line_chart.js" in loaded, sorted(loaded)
    assert len(loaded) > 25, sorted(loaded)
    unnamed = []
    for path in sorted(loaded):
        site_faults[f"/{path}"] = 500
        fresh = browser.new_context() if path == "web/runtime/worker.js" else None
        where = fresh.new_page() if fresh else page
        where.goto(server_url)
        box = failure_box(where, path).first
        try:
            box.wait_for(timeout=15_000)
            box.get_by_role("button", name="Retry").wait_for(timeout=2_000)
        except Exception:  # noqa: BLE001 - collected, so one run lists every module that is not named
            unnamed.append(path)
        if fresh:
            fresh.close()
        del site_faults[f"/{path}"]
    assert unnamed == [], f"not named with a Retry when blocked: {unnamed}"


@pytest.mark.slow  # moved from the fast lane: a cold start with a module blocked (slow lane)
def test_a_shared_view_blocked_breaks_every_demo_and_says_so_without_false_comfort(page, server_url):
    """web/views/line_chart.js is imported by every demo and the PPO widget: each says so, none claims the others
    work, the banner does not call the page ready over them, and Retry (after the file is back) starts them all."""
    page.route("**/web/views/line_chart.js", lambda route: route.fulfill(status=500, body="broken"))
    page.goto(server_url)
    for demo in ("gridworld", "bandit", "cartpole"):
        root = demo_root(page, demo)
        root.get_by_text("web/views/line_chart.js did not load (HTTP 500)", exact=False).wait_for(timeout=30_000)
        assert "The other demos still work" not in root.text_content()
        assert root.get_attribute("data-status") == "error"
    widget = page.locator('[data-widget="ppo-clip"]')
    widget.get_by_text("web/views/line_chart.js did not load (HTTP 500)", exact=False).wait_for(timeout=30_000)
    page.unroute("**/web/views/line_chart.js")
    demo_root(page, "bandit").get_by_role("button", name="Retry").click()
    wait_status(page, "bandit", "ready", timeout=120_000)
    demo_root(page, "bandit").get_by_role("button", name="Step", exact=True).click()
    wait_until(lambda: stat(page, "bandit", "pulls") > 0, 20, message="a pull after Retry")
    page.locator('[data-widget="ppo-clip"] canvas').first.wait_for(timeout=30_000)


@pytest.mark.slow  # moved from the fast lane: a cold start with modules blocked (slow lane)
def test_the_widget_and_the_editor_blocked_leave_the_demos_working_and_retry_gives_both(browser, server_url):
    """The PPO widget was imported inside the page's start, so its failure left every demo at "loading"; the
    editor (loaded when the Code panel first opens) said only the browser's words, with no Retry.

    Without the service worker: it precaches the editor once Python is ready and, once it has claimed the page,
    serves the editor from that cache, past the page's route (the block went unseen on a fast install)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    for path in ("web/widgets/ppo_clip.js", "web/vendor/codemirror.js"):
        page.route(f"**/{path}", lambda route: route.fulfill(status=500, body="broken"))
    page.goto(server_url)
    failure_box(page, "web/widgets/ppo_clip.js").first.wait_for(timeout=30_000)
    wait_status(page, "bandit", "ready", timeout=120_000)
    root = demo_root(page, "bandit")
    root.locator(".code-panel > summary").click()
    box = failure_box(page, "web/vendor/codemirror.js").first
    box.wait_for(timeout=30_000)
    for path in ("web/widgets/ppo_clip.js", "web/vendor/codemirror.js"):
        page.unroute(f"**/{path}")
    box.get_by_role("button", name="Retry").click()
    wait_status(page, "bandit", "ready", timeout=120_000)
    root.locator(".code-panel > summary").click()
    root.locator(".cm-content").wait_for(timeout=30_000)
    page.locator('[data-widget="ppo-clip"] canvas').first.wait_for(timeout=30_000)
    context.close()


def test_without_boot_js_the_page_still_starts(page, server_url, site_faults):
    """web/boot.js only names failures; blocked, the page itself must not depend on it."""
    page.route("**/web/boot.js", lambda route: route.fulfill(status=500, body="broken"))
    site_faults["/manifest.json"] = "hold"
    page.goto(f"{server_url}?demo=gridworld")
    demo_root(page, "gridworld").get_by_role("button", name="Play").wait_for(timeout=30_000)


@pytest.mark.parametrize("path", ["web/state.js", "web/demos/bandit/bandit.js"], ids=["static", "demo"])
def test_a_module_request_aborted_on_the_way_reloads_the_page_once(page, server_url, site_faults, path):
    """A module graph failed with every file in place: under load, Chromium aborted requests the service worker was
    serving to an embed (net::ERR_ABORTED) while another embed's update check ran (web/runtime/offline.js), and the
    embed said it "could not start" for good. A page whose files all load when asked again reloads itself once:
    one of app.js's own imports, or a demo's module, aborted on the first load only. Python is held at its manifest
    (the page's code is the subject)."""
    site_faults["/manifest.json"] = "hold"
    page.route(f"**/{path}", lambda route: route.abort("aborted"), times=1)
    page.goto(f"{server_url}?demo=bandit")
    page.wait_for_event("load", timeout=30_000)  # the page's own reload
    demo_root(page, "bandit").get_by_role("button", name="Play").wait_for(timeout=30_000)
    assert page.evaluate("() => performance.getEntriesByType('navigation')[0].type") == "reload"
    assert page.locator("#runtime-banner[data-state=error], .error-box:visible").count() == 0
    assert page.watch.failed_requests == [f"{server_url}{path} net::ERR_ABORTED"]


def test_an_aborted_preload_fetched_again_is_clean_and_a_file_never_served_is_not(page, server_url, site_faults):
    """CI failed on a page whose first requests (app.js, preloaded in the head; page_runtime.js) Chromium aborted:
    the page asked for them again, got them and worked, with no reload. PageWatch forgives an aborted request only
    when the page then got the same file; an aborted file that never came (here the icon) still fails the test.
    Python is held at its manifest (the page's code is the subject)."""
    site_faults["/manifest.json"] = "hold"
    page.route("**/web/app.js", lambda route: route.abort("aborted"), times=1)
    page.route("**/favicon.svg", lambda route: route.abort("aborted"))
    page.goto(f"{server_url}?demo=bandit")
    demo_root(page, "bandit").get_by_role("button", name="Play").wait_for(timeout=30_000)
    assert page.evaluate("() => performance.getEntriesByType('navigation')[0].type") == "navigate"  # no reload
    app, icon = (f"{server_url}{path} net::ERR_ABORTED" for path in ("web/app.js", "favicon.svg"))
    wait_until(lambda: icon in page.watch.failed_requests, 10, 0.05, "the icon's request")
    assert app in page.watch.failed_requests
    with pytest.raises(AssertionError, match="favicon"):
        page.watch.assert_clean()
    page.watch.failed_requests.remove(icon)
    page.watch.assert_clean()  # app.js came on its second request
