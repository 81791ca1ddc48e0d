"""Shared fixtures: rlplay on the path, the built dist/ served on a free localhost port, and a headless Chromium.

End-to-end tests (marked ``e2e``) need ``dist/`` (``python3 build.py`` builds it) and a Chromium: ``build.py test``
finds one and passes it as ``CHROMIUM_PATH``. Screenshots and other artifacts go to ``test-artifacts/``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "py"))
ARTIFACTS = ROOT / "test-artifacts"

_spec = importlib.util.spec_from_file_location("rlplay_build", ROOT / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def dist() -> Path:
    path = ROOT / "dist"
    if not (path / "index.html").exists():
        build.build()
    return path


@pytest.fixture(scope="session")
def site_server(dist):
    """dist/ served at the root of a free localhost port: (server, url)."""
    server, url = build.start_server(dist, 0)
    yield server, url
    server.shutdown()


@pytest.fixture(scope="session")
def server_url(site_server):
    return site_server[1]


@pytest.fixture
def site_faults(site_server):
    """The site's server's faults for one test: ``site_faults["pyodide.asm.wasm"] = 404`` answers that file with
    HTTP 404, ``= "hold"`` holds its requests until the entry is removed, ``= "pass"`` serves it as usual; each
    path asked for is added to ``site_server[0].fault_hits`` (build_jobs/serve.py). The server's, not
    a page's route: the shared Python worker's requests (web/runtime/worker.js) pass no page's route."""
    faults = site_server[0].faults
    site_server[0].fault_hits.clear()
    yield faults
    faults.clear()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH") or build.find_chromium()
    if not executable:
        pytest.fail("no Chromium: run the tests through `python3 build.py test`, or set CHROMIUM_PATH")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=build.CHROMIUM_FLAGS)
        if os.environ.get("RLPLAY_TEST_WORKER") == "dedicated":
            _force_dedicated_worker(browser)
        yield browser
        browser.close()


# A test's switch to the fallback worker, set before the page boots (web/runtime/client.js, workerKind); also
# tests/e2e/helpers.py's dedicated_worker.
DEDICATED_WORKER_SCRIPT = "window.rlplay = Object.assign(window.rlplay ?? {}, { worker: 'dedicated' });"
# Every demo on a page paused (a page left playing trains on, a core's worth, through the tests after it).
PAUSE_ALL = "() => { for (const c of window.rlplay?.controllers?.values() ?? []) c.pause?.(); }"


def _force_dedicated_worker(browser):
    """RLPLAY_TEST_WORKER=dedicated: every page runs Python in a dedicated worker, the fallback for browsers without
    SharedWorker (web/runtime/client.js, workerKind), so the suite can be run on that path too."""
    new_context = browser.new_context

    def forced(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.add_init_script(DEDICATED_WORKER_SCRIPT)
        return context

    browser.new_context = forced


def duplicate_worker_fetch(request) -> bool:
    """A request for the shared Python worker's script that Chromium aborted: a page that connects to a shared worker
    already starting or running (a second embed, a reload) is shown the script's request, which is then dropped; the
    worker it needed is the one running (a worker that cannot load is a load error, which the tests do see)."""
    return request.url.endswith("/web/runtime/worker.js") and request.failure == "net::ERR_ABORTED"


class PageWatch:
    """Collects what a user would call breakage: console errors, page errors, failed requests."""

    def __init__(self, page):
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed_requests: list[str] = []
        self.served_after_abort: set[str] = set()  # aborted URLs that a later request of the page got (see below)
        self.aborted: set[str] = set()
        self.page = page
        self.handlers = {
            "console": lambda message: message.type == "error" and self.console_errors.append(message.text),
            "pageerror": lambda error: self.page_errors.append(str(error)),
            "requestfailed": self._request_failed,
            "response": self._response,
        }
        for event, handler in self.handlers.items():
            page.on(event, handler)

    def _request_failed(self, request):
        if duplicate_worker_fetch(request):
            return
        self.failed_requests.append(f"{request.url} {request.failure}")
        if request.failure == "net::ERR_ABORTED":
            self.aborted.add(request.url)

    def _response(self, response):
        if response.status >= 400:
            self.failed_requests.append(f"{response.url} {response.status}")
        elif response.url in self.aborted:
            self.served_after_abort.add(response.url)

    def detach(self):
        """Stop collecting (the shared page outlives the test that watched it)."""
        for event, handler in self.handlers.items():
            self.page.remove_listener(event, handler)

    def recovered_by_reloading(self) -> bool:
        """Whether the page reloaded itself once because its module requests were aborted while every file loads
        (web/boot.js, retryOnce): under load Chromium aborted some of a page's first requests (seen in warm
        contexts; the trigger is not known); the reloaded page then works."""
        try:
            return self.page.evaluate(
                "() => Object.keys(sessionStorage).some((key) => key.startsWith('rlplay-retried:'))"
            )
        except Exception:  # noqa: BLE001 - a closed or navigating page has nothing to say
            return False

    def assert_clean(self):
        assert self.page_errors == [], self.page_errors
        assert self.console_errors == [], self.console_errors
        failed = self.failed_requests
        if failed and self.recovered_by_reloading():
            # Only the aborted requests of the document the page replaced; any other failure still counts.
            failed = [failure for failure in failed if not failure.endswith("net::ERR_ABORTED")]
        # A request that Chromium aborted and the page then asked for again and got (a preload the page fetched
        # again: tests/e2e/test_modules.py) cost the reader nothing; an aborted file never served still counts.
        aborted = " net::ERR_ABORTED"
        failed = [f for f in failed if not (f.endswith(aborted) and f.removesuffix(aborted) in self.served_after_abort)]
        assert failed == [], self.failed_requests


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.watch = PageWatch(page)
    yield page
    page.close()


# ---- one booted page for the whole session -------------------------------------------------------------------------

VIEWPORT = {"width": 1280, "height": 900}


def _boot(page, url: str):
    page.goto(url)
    for demo in page.evaluate("[...document.querySelectorAll('[data-demo]')].map((root) => root.dataset.demo)"):
        page.locator(f'[data-demo="{demo}"][data-status="ready"]').wait_for(state="attached", timeout=120_000)


def _alive(page, url: str) -> bool:
    """The site's page, on its own path, with a ready runtime and open() (a test may have navigated or killed it)."""
    if not page.url.startswith(url) or page.url[len(url) :].split("?")[0].split("#")[0] not in ("", "index.html"):
        return False
    try:
        return page.evaluate("() => Boolean(window.rlplay?.open) && window.rlplay.runtime.state === 'ready'")
    except Exception:  # a crashed or navigating page: boot it again
        return False


@pytest.fixture(scope="session")
def app_session(browser, server_url):
    """The site, booted once (Pyodide starts once) for every test that uses ``app``."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    _boot(page, server_url)
    yield page
    context.close()


@pytest.fixture
def app(app_session, server_url):
    """The session's page, handed to one test: alive (booted again if a test navigated away or killed its runtime),
    at the default viewport, with a fresh ``page.watch``, nothing focused and no routes left. Open the test's setup
    with ``open_setup(app, query)`` (tests/e2e/helpers.py), which checks that no earlier test's demo state is left."""
    page = app_session
    if not _alive(page, server_url):
        _boot(page, server_url)
    page.set_viewport_size(VIEWPORT)
    page.evaluate("() => document.activeElement?.blur()")
    page.watch = PageWatch(page)
    page.app_url = server_url
    yield page
    page.watch.detach()
    page.unroute_all(behavior="ignoreErrors")
    # Left playing (a scene at max speed), the session's page would train on, a core's worth, through every test
    # that comes after on this process, first loads included; the next test opens its own setup anyway.
    try:
        page.evaluate(PAUSE_ALL)
        # A replay left running (a test that failed before it stopped one) would hold the next test's open().
        page.evaluate("() => { for (const b of document.querySelectorAll('[data-control=cancel-replay]')) b.click(); }")
    except Exception:  # noqa: BLE001 - a page the test crashed or navigated away is booted again by the next test
        pass


# ---- first loads on a warm Python ------------------------------------------------------------------------------


class WarmPages:
    """New pages (each a real first load of its URL) whose Python is already running: they open in a context in
    which an anchor page keeps the site's shared worker (web/runtime/worker.js) alive, so each connects to it, as a
    second embed on a blog page does, instead of starting Pyodide. For tests whose subject is what a first load
    shows (layout, sizes, themes), not Python's start (tests/e2e/test_runtime.py, test_embed_blog.py and
    test_offline.py keep cold starts). A context option a page cannot take (device_scale_factor) gets a context of
    its own, cold: a warm context of its own cost more (its anchor's start and its service worker's install) than
    the one or two cold pages that use it."""

    def __init__(self, browser, url: str):
        self.browser = browser
        self.context = browser.new_context(viewport=VIEWPORT)
        anchor = self.context.new_page()
        # An embed of one demo: Python starts as on any page, without building the other demos' drivers (the
        # RLHF demo's fits its reward model), which no test page would use: each page builds its own.
        anchor.goto(f"{url}?demo=bandit&embed=1")
        anchor.locator('[data-demo="bandit"][data-status="ready"]').wait_for(state="attached", timeout=120_000)
        # The site's service worker installs after the first load and then claims the context's tabs (web/sw.js);
        # a page loading at that moment saw its module requests aborted and fetched again. The pages come once
        # it has settled.
        anchor.wait_for_function("() => Boolean(navigator.serviceWorker?.controller)", timeout=120_000)

    def new_page(self, width: int, height: int, color_scheme=None, reduced_motion=None, **context_options):
        """(what to close, the page) at ``width`` x ``height``."""
        if context_options:
            owner = self.browser.new_context(
                viewport={"width": width, "height": height},
                color_scheme=color_scheme,
                reduced_motion=reduced_motion,
                **context_options,
            )
            return owner, owner.new_page()
        page = self.context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        if color_scheme or reduced_motion:
            page.emulate_media(color_scheme=color_scheme, reduced_motion=reduced_motion)
        return page, page

    def close(self):
        self.context.close()


@pytest.fixture(scope="session")
def warm(browser, server_url):
    pages = WarmPages(browser, server_url)
    yield pages
    pages.close()


@pytest.fixture
def warm_page(warm):
    """A new page at the default viewport on the warm Python (WarmPages), watched like ``page``: a test's page.goto is
    a real first load of its link, without starting Pyodide again."""
    page, _ = warm.new_page(VIEWPORT["width"], VIEWPORT["height"])
    page.watch = PageWatch(page)
    yield page
    page.close()
