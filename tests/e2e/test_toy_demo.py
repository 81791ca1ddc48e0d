"""The toy demo, both halves together through the real worker: ``rlplay/demos/toy/`` (Python) and
``web/demos/toy/toy.js`` (the page), registered by one line in ``rlplay.demos.DEMOS``. It has no section on
index.html, so the test serves index.html with one added: that one ``<section>`` is all a page needs to run a new
demo (app.js finds its controller by name), the proof that adding a demo touches only its folders and one line.

It checks what the framework gives every demo: Play/Pause/Reset, figures, growing series received as tails, static
keys merged, configure calls coalesced (never two in flight), the seed box, the mid-run record, the reproduce
command and the inspect() hook; and that the page's numbers are the native driver's, bit for bit.
"""

from __future__ import annotations

from conftest import ROOT
from helpers import demo_root, stat, wait_status, wait_until
from rlplay.demos.toy import ToyConfig, ToyDemo

TOY_SECTION = '<section><div data-demo="toy" class="demo"><div class="demo-panel"></div></div></section>'
# Counts the runtime calls the toy's controller makes (runtime.call is the test hook's door; this only wraps it).
COUNT_CALLS = """() => {
    const hook = window.rlplay, counts = {configure: 0, inFlight: 0, maxInFlight: 0};
    const call = hook.runtime.call.bind(hook.runtime);
    hook.runtime.call = async (demo, command, args) => {
        if (demo !== "toy" || command !== "configure") return call(demo, command, args);
        counts.configure += 1; counts.inFlight += 1;
        counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
        try { return await call(demo, command, args); } finally { counts.inFlight -= 1; }
    };
    window.toyCalls = counts;
}"""


def open_toy(page, server_url, query="demo=toy"):
    """index.html as built, with one section for the toy demo."""
    html = (ROOT / "dist" / "index.html").read_text()
    assert "</main>" in html
    body = html.replace("</main>", f"{TOY_SECTION}</main>", 1)
    page.route(f"{server_url}toy-page.html*", lambda route: route.fulfill(body=body, content_type="text/html"))
    page.goto(f"{server_url}toy-page.html?{query}")
    wait_status(page, "toy", "ready", timeout=90_000)


def test_a_toy_demo_runs_both_halves_through_the_real_worker(warm_page, server_url):
    page = warm_page  # a first load of the toy's page on the warm shared Python (tests/conftest.py, WarmPages)
    open_toy(page, server_url)
    root = demo_root(page, "toy")
    page.evaluate(COUNT_CALLS)
    root.get_by_role("button", name="Play").click()
    wait_until(lambda: stat(page, "toy", "flips") >= 3000, 60, message="3000 flips")
    root.get_by_role("button", name="Pause").click()
    wait_status(page, "toy", "paused", timeout=10_000)
    # the work asked for before the pause may still be answered: it counts, so read once nothing is in flight
    wait_until(lambda: not page.evaluate("() => window.rlplay.inspect('toy').inFlight"), 10, message="no work out")
    seen = page.evaluate("() => window.rlplay.inspect('toy')")
    flips, heads = seen["figures"]["flips"], seen["figures"]["heads"]
    # the native driver is the oracle: the same seed gives the same flips, bit for bit
    native = ToyDemo(ToyConfig())
    native.advance(flips)
    assert heads == native.heads and seen["rate"] == native.rate
    # static keys: merged into every snapshot the page holds
    assert seen["snapshot"]["config"] == {"seed": "0", "p": "0.5"}
    # "Reproduce in Python": the command the framework builds from the values Python validated
    root.get_by_role("button", name="Reproduce in Python").click()
    output = root.get_by_label("Shareable text")
    command = wait_until(lambda: " -m rlplay " in output.input_value() and output.input_value(), 30, 0.05, "command")
    assert f" -m rlplay toy --steps={flips}" in command, command

    # a slider dragged through many values: coalesced configure calls, never two in flight, the last value wins
    slider = root.get_by_label("p(heads)", exact=True)
    slider.focus()
    for _ in range(40):
        page.keyboard.press("ArrowRight")
    wait_until(
        lambda: (
            page.evaluate("() => window.rlplay.inspect('toy').snapshot.config.p")
            == str(page.evaluate("() => window.rlplay.registry.get('toy', 'p')"))
        ),
        20,
        message="the driver's p to catch up with the slider",
    )
    calls = page.evaluate("() => window.toyCalls")
    assert 1 <= calls["configure"] < 40 and calls["maxInFlight"] == 1, calls
    assert float(page.evaluate("() => window.rlplay.registry.get('toy', 'p')")) > 0.5
    # the change kept the run: the link cannot replay it, and the reproduce note says why
    assert page.evaluate("() => window.rlplay.inspect('toy').replayableSteps") == 0

    # the seed box refuses a bad value, says so, and keeps the run; a good one starts a fresh run
    seed = root.get_by_label("Seed")
    seed.fill("-3")
    seed.dispatch_event("change")
    assert "Seed not changed" in root.locator(".messages").text_content()
    seed.fill("7")
    seed.dispatch_event("change")
    wait_until(lambda: stat(page, "toy", "flips") == 0, 20, message="a fresh run for the new seed")
    assert page.evaluate("() => window.rlplay.inspect('toy').rate") == []
    root.get_by_role("button", name="Reset").click()
    page.watch.assert_clean()
