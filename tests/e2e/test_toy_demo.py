"""A toy fourth demo on the demo framework, touching none of the three demos: tests/js/fixtures/toy_demo.js (its
controller, and a JavaScript stand-in for its worker that keeps the bridge's protocol), served on a fixture page.

It checks what the framework gives every demo: Play/Pause/Reset, figures, growing series from tails, static keys
merged, configure calls coalesced (never two in flight), the seed box, the mid-run record, the reproduce command and
the inspect() hook. The Python side of a new demo is checked natively in tests/test_contract.py's toy test.
"""

from __future__ import annotations

from pathlib import Path

from helpers import demo_root, stat, wait_status, wait_until

FIXTURES = Path(__file__).resolve().parents[1] / "js" / "fixtures"


def open_toy(page, server_url, query=""):
    def serve(name, kind):
        body = (FIXTURES / name).read_text()
        page.route(f"**/{name}", lambda route: route.fulfill(body=body, content_type=kind))

    serve("toy.html", "text/html")
    serve("toy_demo.js", "text/javascript")
    page.goto(f"{server_url}toy.html{query}")
    wait_status(page, "toy", "ready", timeout=30_000)


def test_a_toy_demo_gets_the_whole_framework(page, server_url):
    open_toy(page, server_url)
    root = demo_root(page, "toy")
    root.get_by_role("button", name="Play").click()
    wait_until(lambda: stat(page, "toy", "flips") >= 3000, 30, message="3000 flips")
    root.get_by_role("button", name="Pause").click()
    wait_status(page, "toy", "paused", timeout=5_000)
    seen = page.evaluate("() => window.rlplay.inspect()")
    flips, heads = seen["figures"]["flips"], seen["figures"]["heads"]
    # growing series: the page holds every value, received as tails
    assert len(seen["rate"]) == flips and abs(seen["rate"][-1] - heads / flips) < 1e-12
    assert abs(heads / flips - 0.5) < 5 * (0.25 / flips) ** 0.5  # a fair coin, within 5 standard errors
    # static keys: sent once, merged into every snapshot
    assert seen["snapshot"]["config"] == {"seed": "0", "p": "0.5"}
    assert page.evaluate("() => window.rlplay.runtime.staticsSent") == 1
    command = wait_until(lambda: page.evaluate("() => window.rlplay.reproduce()"), 10, message="the command")
    assert command.endswith(f" -m rlplay toy --steps={flips} --seed=0 --p=0.5"), command

    # a slider dragged through many values: coalesced configure calls, never two in flight, the last value wins
    slider = root.get_by_label("p(heads)")
    slider.focus()
    for _ in range(40):
        page.keyboard.press("ArrowRight")
    wait_until(
        lambda: (
            page.evaluate("() => window.rlplay.inspect().snapshot.config.p")
            == str(page.evaluate("() => window.rlplay.registry.get('toy', 'p')"))
        ),
        10,
        message="the driver's p to catch up with the slider",
    )
    calls = page.evaluate("() => window.rlplay.runtime.log.filter((c) => c.command === 'configure').length")
    assert 1 <= calls < 40, calls
    assert page.evaluate("() => window.rlplay.runtime.maxInFlight.configure") == 1
    assert float(page.evaluate("() => window.rlplay.registry.get('toy', 'p')")) > 0.5
    # the change kept the run: the link and the reproduce command say so
    seen = page.evaluate("() => window.rlplay.inspect()")
    assert seen["replayableSteps"] == 0 and "p →" in page.evaluate("() => window.rlplay.note()")

    # the seed box refuses a bad value, says so, and keeps the run; a good one starts a fresh run
    seed = root.get_by_label("Seed")
    seed.fill("-3")
    seed.dispatch_event("change")
    assert "Seed not changed" in root.locator(".messages").text_content()
    seed.fill("7")
    seed.dispatch_event("change")
    wait_until(lambda: stat(page, "toy", "flips") == 0, 10, message="a fresh run for the new seed")
    assert page.evaluate("() => window.rlplay.inspect().replayableSteps") == 0
    assert page.evaluate("() => window.rlplay.inspect().rate") == []
    root.get_by_role("button", name="Reset").click()
    page.watch.assert_clean()
