"""Offline after the first visit: the service worker (web/sw.js, sealed by build.py) serves the page, the runtime,
NumPy and rlplay from one versioned cache; a new deploy is offered with a "new version: reload" notice."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import build, duplicate_worker_fetch
from helpers import demo_root, stat, wait_status, wait_until

DEMOS = ("gridworld", "bandit", "cartpole")
PROGRESS_STAT = {"gridworld": "steps", "bandit": "pulls", "cartpole": "episode"}

SW_ACTIVATED = """async () => {
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  if (worker.state !== 'activated') {
    await new Promise((resolve) => worker.addEventListener('statechange', () => worker.state === 'activated' && resolve()));
  }
  return worker.state;
}"""


def wait_offline_copy(page):
    """Wait until the first visit's service worker has precached the site and is active."""
    assert page.evaluate(SW_ACTIVATED) == "activated"


def assert_every_demo_trains(page):
    for demo in DEMOS:
        wait_status(page, demo, "ready", timeout=90_000)
    for demo in DEMOS:
        root = demo_root(page, demo)
        root.scroll_into_view_if_needed()
        root.get_by_role("button", name="Play").click()
        name = PROGRESS_STAT[demo]
        wait_until(lambda d=demo, n=name: stat(page, d, n) > 0, 20, message=f"{demo} to train")
        root.get_by_role("button", name="Pause").click()


@pytest.mark.slow  # moved from the fast lane: cold visits and a service worker (slow lane)
@pytest.mark.parametrize("base_path", ["/", "/rl-playground/"])
def test_a_second_visit_works_with_no_network(browser, dist, base_path):
    server, url = build.start_server(dist, 0, base_path=base_path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(url)
        for demo in DEMOS:
            wait_status(page, demo, "ready", timeout=90_000)
        wait_offline_copy(page)
        context.set_offline(True)
        served = []
        page.on("response", lambda response: served.append((response.url, response.from_service_worker)))
        failed = []
        page.on(
            "requestfailed",
            lambda request: duplicate_worker_fetch(request) or failed.append(f"{request.url} {request.failure}"),
        )
        page.reload()
        assert page.evaluate("Boolean(navigator.serviceWorker.controller)")
        assert_every_demo_trains(page)
        assert failed == []
        # Everything the page itself loaded came from the offline copy (the worker's fetches go the same way: with
        # the network off, any that did not would have failed the load).
        assert served and all(from_sw for _, from_sw in served), [u for u, from_sw in served if not from_sw]
        # A second visit shows the demos, not a loading banner.
        assert page.locator("#runtime-banner progress").count() == 0
    finally:
        context.close()
        server.shutdown()


BLOG = """<!doctype html><html><head><meta charset="utf-8"><title>A blog post</title><link rel="icon" href="data:,"></head>
<body><h1>My post about RL</h1>
<iframe id="embed" src="{base}?demo=gridworld&embed=1" width="720" height="480"></iframe></body></html>"""


@pytest.mark.slow  # moved from the fast lane: two cold visits and a service worker, 29 s at load 17 (slow lane)
def test_an_embed_works_with_its_host_unreachable_after_one_visit(browser, dist, tmp_path):
    """A blog on another origin embeds the demo. Read again once the playground's host is unreachable, the embed
    still loads and trains, from its own offline copy."""
    site, site_url = build.start_server(dist, 0)
    (tmp_path / "index.html").write_text(BLOG.format(base=site_url))
    blog, blog_url = build.start_server(tmp_path, 0)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(blog_url)
        frame = page.frame_locator("#embed")
        frame.locator('[data-demo="gridworld"][data-status="ready"]').wait_for(state="attached", timeout=90_000)
        embed = next(f for f in page.frames if f.url.startswith(site_url))
        assert embed.evaluate(SW_ACTIVATED) == "activated"
        site.shutdown()
        site.server_close()  # connections to the playground's host are now refused
        page.reload()
        frame.locator('[data-demo="gridworld"][data-status="ready"]').wait_for(state="attached", timeout=90_000)
        frame.get_by_role("button", name="Play").click()
        wait_until(
            lambda: float(frame.locator('[data-demo="gridworld"] [data-stat="steps"]').text_content()) > 0,
            20,
            message="the embed to train with its host unreachable",
        )
    finally:
        context.close()
        blog.shutdown()


def reseal(site):
    """Rebuild a copied dist/ after a change, as build.py would: a new version, manifest and sw.js."""
    index = site / "index.html"
    index.write_text("".join(line for line in index.read_text().splitlines(True) if "rlplay-build" not in line))
    manifest = json.loads((site / "manifest.json").read_text())
    manifest = {key: value for key, value in manifest.items() if key not in ("version", "files")}
    (site / "sw.js").unlink()
    (site / "web" / "sw.js").write_text("")  # seal_for_offline removes the copied source
    build.seal_for_offline(site, manifest)
    return manifest["version"]


@pytest.mark.slow  # moved from the fast lane: two deploys, cold, 51 s at load 17 (slow lane)
def test_a_new_deploy_is_offered_after_one_reload_and_never_mixed(browser, dist, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(dist, site)
    server, url = build.start_server(site, 0)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(url)
        wait_status(page, "gridworld", "ready", timeout=90_000)
        wait_offline_copy(page)
        old_version = page.locator('meta[name="rlplay-build"]').get_attribute("content")
        # Deploy a change: one file differs.
        style = site / "web" / "style.css"
        style.write_text(style.read_text() + "\n/* deploy 2 */\n")
        new_version = reseal(site)
        assert new_version != old_version
        page.reload()
        notice = page.locator(".update-notice")
        notice.wait_for(timeout=90_000)
        # Until the reader accepts, the page and everything it loads stay the old version.
        assert page.locator('meta[name="rlplay-build"]').get_attribute("content") == old_version
        wait_status(page, "gridworld", "ready", timeout=90_000)
        assert page.evaluate("window.rlplay.runtime.versions.build") == old_version
        assert "deploy 2" not in page.evaluate("fetch('web/style.css').then((r) => r.text())")
        with page.expect_navigation():
            notice.get_by_role("button", name="Reload").click()
        wait_status(page, "gridworld", "ready", timeout=90_000)
        assert page.locator('meta[name="rlplay-build"]').get_attribute("content") == new_version
        assert page.evaluate("window.rlplay.runtime.versions.build") == new_version
        assert "deploy 2" in page.evaluate("fetch('web/style.css').then((r) => r.text())")
        assert page.locator(".update-notice").count() == 0
    finally:
        context.close()
        server.shutdown()


@pytest.mark.slow  # moved from the fast lane: two builds, cold, a service worker (slow lane)
def test_a_page_and_a_runtime_of_different_builds_never_mix(page, dist, tmp_path):
    """Without the offline copy (a page cached by the browser, a new deploy on the server), the worker refuses to
    load a runtime of another build and asks for a reload."""
    site = tmp_path / "site"
    shutil.copytree(dist, site)
    # The server's manifest is of another build (the Python worker's requests pass no page's route: a shared worker).
    manifest = site / "manifest.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "version": "0000000000000000"}))
    server, url = build.start_server(site, 0)
    try:
        page.goto(url)
        banner = page.locator("#runtime-banner[data-state=error]")
        banner.wait_for(timeout=60_000)
        assert "new version" in banner.text_content()
        assert banner.get_by_role("button", name="Reload").is_visible()
    finally:
        server.shutdown()


CORRUPT = """async (url) => {
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    if (await cache.match(url)) {
      await cache.put(url, new Response(new Uint8Array(1024), {headers: {"content-type": "application/wasm"}}));
      return name;
    }
  }
  return null;
}"""
CACHED_SHA256 = """async (url) => {
  for (const name of await caches.keys()) {
    const hit = await (await caches.open(name)).match(url);
    if (hit) {
      const digest = await crypto.subtle.digest("SHA-256", await hit.arrayBuffer());
      return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
    }
  }
  return null;
}"""


@pytest.mark.slow  # moved from the fast lane: cold visits and a service worker, 38 s at load 17 (slow lane)
def test_a_first_visit_is_claimed_and_a_corrupted_cache_entry_heals(browser, dist):
    """A first visit's tab is claimed by the service worker (it ran on the network until a reload, so a deploy while
    it was open gave it the new build's files); a cached runtime replaced by 1 kB of zeros broke the page for good,
    online too (hashes were checked only at install). Now the bad copy is dropped and fetched again, and Retry works."""
    import hashlib

    server, url = build.start_server(dist, 0)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{url}?demo=bandit")
        wait_status(page, "bandit", "ready", timeout=90_000)
        wait_offline_copy(page)
        wait_until(lambda: page.evaluate("Boolean(navigator.serviceWorker.controller)"), 10, message="the claim")
        manifest = json.loads((dist / "manifest.json").read_text())
        wasm = f"{url}{manifest['pyodide']}pyodide.asm.wasm"
        good = hashlib.sha256((dist / manifest["pyodide"] / "pyodide.asm.wasm").read_bytes()).hexdigest()
        assert page.evaluate(CORRUPT, wasm)
        page.reload()
        ready = page.locator('[data-demo="bandit"][data-status="ready"]')
        failed = page.locator("#runtime-banner[data-state=error]")
        ready.or_(failed).first.wait_for(timeout=90_000)
        if failed.count():  # the corrupted copy was served first: named, and Retry fetches the good one
            assert "pyodide.asm.wasm" in failed.text_content()
            failed.get_by_role("button", name="Retry").click()
        wait_status(page, "bandit", "ready", timeout=90_000)
        wait_until(lambda: page.evaluate(CACHED_SHA256, wasm) == good, 20, message="the cache to hold the good copy")
        root = demo_root(page, "bandit")
        root.get_by_role("button", name="Step", exact=True).click()
        wait_until(lambda: stat(page, "bandit", "pulls") > 0, 20, message="a pull")
    finally:
        context.close()
        server.shutdown()
