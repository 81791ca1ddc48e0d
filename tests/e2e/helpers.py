"""Helpers for the end-to-end tests: read what the page shows, as a user (or a screen reader) would.

The page's Content-Security-Policy forbids eval, so waits use selectors and polling, never
``page.wait_for_function`` with a string (Playwright evaluates that string inside the page).
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl


def demo_root(page, demo: str):
    return page.locator(f'[data-demo="{demo}"]')


def wait_status(page, demo: str, statuses, timeout: float = 60_000) -> str:
    """Wait until the demo's root reports one of ``statuses`` (a string or a tuple); returns the status."""
    wanted = (statuses,) if isinstance(statuses, str) else tuple(statuses)
    selector = ", ".join(f'[data-demo="{demo}"][data-status="{status}"]' for status in wanted)
    page.locator(selector).first.wait_for(state="attached", timeout=timeout)
    return demo_root(page, demo).get_attribute("data-status")


def stat(page, demo: str, name: str) -> float:
    """The plain number of a demo's figure ``[data-stat=name]``: its data-value (−1 = not yet; people see "—")."""
    return float(demo_root(page, demo).locator(f'[data-stat="{name}"]').get_attribute("data-value"))


def record_changes(page, selector: str, attribute: str | None = None):
    """Record every value the element at ``selector`` takes from now on, its text or its ``attribute`` (a
    MutationObserver in the page): for a change too quick for polling to see (a 1,000-pull race at max speed ends in
    about 0.4 s; a status line another replaces). Returns a function that gives the values so far."""
    page.evaluate(
        """([selector, attribute]) => {
            const element = document.querySelector(selector);
            const seen = ((window.__changesSeen ??= {})[selector] = []);
            const read = () => (attribute ? element.getAttribute(attribute) : element.textContent);
            new MutationObserver(() => seen.push(read())).observe(
                element,
                attribute ? { attributes: true, attributeFilter: [attribute] } : { childList: true, characterData: true, subtree: true },
            );
        }""",
        [selector, attribute],
    )
    return lambda: page.evaluate("(selector) => window.__changesSeen[selector]", selector)


def record_stat(page, demo: str, name: str):
    """``record_changes`` of a demo's figure ``[data-stat=name]``: a function giving its values so far, as numbers."""
    seen = record_changes(page, f'[data-demo="{demo}"] [data-stat="{name}"]', "data-value")
    return lambda: [float(value) for value in seen()]


def wait_until(predicate, timeout_s: float, interval_s: float = 0.1, message: str = "condition"):
    """Poll ``predicate()`` until it is truthy; returns its value or fails with ``message``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {message}")
        time.sleep(interval_s)


def open_demo(page, base_url: str, query: str = "", status=("ready", "running"), timeout: float = 90_000):
    """Open the page with ``query`` and wait until the query's demo (or every demo) is ready."""
    page.goto(f"{base_url}{'?' + query if query else ''}")
    demos = [part.split("=", 1)[1] for part in query.split("&") if part.startswith("demo=")]
    for demo in demos or ["gridworld", "bandit", "cartpole"]:
        wait_status(page, demo, status, timeout=timeout)


def small_limits(target, **limits) -> None:
    """Give the page's watchdog and downloads small limits (ms) before any of its code runs, so a test of a 10 s stall
    takes a second: ``small_limits(page, stall_ms=1000, heartbeat_ms=250)``. The page reads them only from a
    ``window.rlplay.limits`` made before it boots (web/app.js, web/runtime/client.js's ``LIMITS``); a link cannot."""
    import json

    target.add_init_script(f"window.rlplay = Object.assign(window.rlplay ?? {{}}, {{ limits: {json.dumps(limits)} }});")


def dedicated_worker(target) -> None:
    """Run the page's Python in a dedicated worker, the fallback where there is no SharedWorker (a test's switch, set
    before the page boots like the limits; web/runtime/client.js, workerKind)."""
    from conftest import DEDICATED_WORKER_SCRIPT

    target.add_init_script(DEDICATED_WORKER_SCRIPT)


def limits_in_use(page) -> dict:
    """The watchdog's limits the page runs with (so a test can check its small limits took: a test that waits three
    small limits long proves nothing if the page kept its 10 s)."""
    return page.evaluate("() => ({...window.rlplay.runtime.limits})")


# open_setup's record of the statuses each awaited demo's root takes from the moment open() begins (a MutationObserver
# with old values: the first change's old value is the earlier setup's status, and is left out). A status may last
# less than any poll: at max speed the bandit's 1000-pull race goes from "running" to its finish ("paused") in about
# 0.4 s, often before open() has resolved, and a poll of the status then waited for "running" for ever.
OPEN_AND_RECORD_STATUSES = """async ([query, demos]) => {
  const roots = new Map(demos.map((demo) => [document.querySelector(`[data-demo="${CSS.escape(demo)}"]`), demo]));
  roots.delete(null);
  const taken = new Map(demos.map((demo) => [demo, []]));
  const changed = new Set();
  const note = (records) => {
    for (const { target, oldValue } of records) {
      if (changed.has(target)) taken.get(roots.get(target)).push(oldValue);
      changed.add(target);
    }
  };
  const observer = new MutationObserver(note);
  for (const root of roots.keys())
    observer.observe(root, { attributes: true, attributeFilter: ["data-status"], attributeOldValue: true });
  window.rlplayTestStatuses = { observer, note, demos, roots, taken };
  await window.rlplay.open(query);
}"""
# {demo: every status it has taken since open() began, its current one last}.
STATUSES_TAKEN = """() => {
  const { observer, note, demos, roots, taken } = window.rlplayTestStatuses;
  note(observer.takeRecords());
  const now = new Map([...roots].map(([root, demo]) => [demo, root.dataset.status]));
  return Object.fromEntries(demos.map((demo) => [demo, [...taken.get(demo), now.get(demo)].filter(Boolean)]));
}"""


def open_setup(page, query: str = "", status=("ready", "running"), timeout: float = 90_000):
    """Switch the shared page to ``?query`` as a link would (window.rlplay.open), wait until the query's demo (or every
    demo) has reached ``status`` (a status it has left since counts: OPEN_AND_RECORD_STATUSES), and check that it
    starts clean: the URL is the query, every demo's driver is new (no step taken unless the query replays or plays
    one, no call left from an earlier test), every Code panel closed."""
    params = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        params.setdefault(key, value)  # the page reads the first of a name given twice
    focus = params.get("demo")
    demos = page.evaluate("[...document.querySelectorAll('[data-demo]')].map((root) => root.dataset.demo)")
    awaited = [focus] if focus else demos
    page.evaluate(OPEN_AND_RECORD_STATUSES, [query, awaited])
    try:
        wait_until(
            lambda: all(set(taken) & set(status) for taken in page.evaluate(STATUSES_TAKEN).values()),
            timeout / 1000,
            interval_s=0.05,
            message=f"{awaited} to reach {status}",
        )
    except AssertionError as error:
        raise AssertionError(f"{error}; the statuses they took: {page.evaluate(STATUSES_TAKEN)}") from None
    finally:
        page.evaluate("() => window.rlplayTestStatuses?.observer.disconnect()")
    if "scene" in params:  # a scene writes its setup into the URL (web/scenes.js): the query's own values stay
        url = dict(parse_qsl(page.evaluate("location.search").lstrip("?"), keep_blank_values=True))
        assert all(url.get(key) == value for key, value in params.items()), f"the URL is {url}, not from {query!r}"
    else:
        assert page.evaluate(
            "(query) => new URLSearchParams(location.search).toString() === new URLSearchParams(query).toString()",
            query,
        ), f"the URL is {page.evaluate('location.search')!r}, not the query opened"
    state = page.evaluate(
        """(demos) => ({
            demos: demos.map((demo) => window.rlplay.inspect(demo)),
            pending: window.rlplay.runtime.pending.size,
        })""",
        demos,
    )
    moving = params.get("autoplay") == "1" or "steps" in params or "scene" in params  # a scene starts itself
    for shown in state["demos"]:
        replayed = moving and focus in (None, shown["demo"])  # autoplay and steps= act on the focus (or on all)
        assert shown["status"] != "error", f"{shown['demo']} did not start clean: {shown['status']}"
        if not replayed:
            assert shown["unitsDone"] == 0, f"{shown['demo']} starts at step {shown['unitsDone']}, not 0"
        if "code" not in params:
            assert shown["editorText"] is None, f"{shown['demo']}'s Code panel is still open"
    if not moving:
        assert state["pending"] == 0, f"{state['pending']} calls still waiting for an answer"


def open_replaying(page, query: str, demo: str):
    """Switch the shared page to a link whose ``steps=`` replays (window.rlplay.open, not awaited: it settles when
    the replay ends), and wait until ``demo``'s replay shows its progress bar, as a first load of the link would."""
    page.evaluate("(query) => { window.rlplay.open(query); }", query)
    page.locator(f'[data-demo="{demo}"] .replay progress').wait_for(timeout=90_000)
