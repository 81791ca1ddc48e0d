"""One snapshot, one truth (issue 24): what a demo shows at one moment comes from one snapshot, and says it plainly.

The gridworld's status sentence never lags its tiles; the main grid's V* layer is the sweep the planning panel
stands on while the panel is open; the Δ legend prints no raw TeX and the sweep axis ticks whole numbers only;
the colour bar before the first step says what it holds instead of "0 ▭ 0"; the cart-pole's "Watching it now"
goes when the mode is no longer Watch.
"""

from __future__ import annotations

import re

import pytest
from helpers import demo_root, open_demo, stat, wait_until


@pytest.fixture
def page(warm_page):
    """This file's first loads connect to a running Python (tests/conftest.py, WarmPages): what they check is the
    page a link opens, not Python's start."""
    return warm_page


DEMO = "gridworld"

# Every text drawn on a canvas of the page, with the canvas's class and the text's alignment.
RECORD_CANVAS_TEXT = """
(() => {
  window.__drawnText = [];
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
    window.__drawnText.push({canvas: this.canvas.className, text: String(text), align: this.textAlign, baseline: this.textBaseline});
    return fillText.call(this, text, ...rest);
  };
})();
"""


def test_the_status_sentence_never_lags_the_tiles(page, server_url):
    open_demo(page, server_url, "demo=gridworld&speed=max")
    root = demo_root(page, DEMO)
    root.get_by_role("button", name="Play", exact=True).click()
    wait_until(lambda: stat(page, DEMO, "episode") > 3, 30, message="episodes")
    seen = set()
    for _ in range(40):
        tile, sentence = page.evaluate(
            """() => {
                const root = document.querySelector('[data-demo=gridworld]');
                return [root.querySelector('[data-stat=episode]').dataset.value, root.querySelector('.gw-summary').textContent];
            }"""
        )
        said = re.match(r"Episode ([\d,]+),", sentence)
        assert said, sentence
        assert int(said.group(1).replace(",", "")) == int(tile), f"the sentence says {sentence!r} beside episode {tile}"
        seen.add(tile)
        page.wait_for_timeout(100)
    assert len(seen) > 5, "the episodes did not move while sampled"
    # the voice (a hidden live region) speaks less often, never a text older than the one shown when it spoke
    assert root.locator(".gw-summary").get_attribute("aria-live") is None
    assert root.locator("[data-voice=gridworld]").get_attribute("aria-live") == "polite"
    page.watch.assert_clean()


def test_the_main_grids_v_star_layer_is_the_planning_panels_sweep(page, server_url):
    page.add_init_script(RECORD_CANVAS_TEXT)
    open_demo(page, server_url, "demo=gridworld&show_q=0&show_optimal=1")
    root = demo_root(page, DEMO)
    converged = page.evaluate("() => window.rlplay.inspect('gridworld').snapshot.V_star.data")
    root.locator(".gw-planning > summary").click()
    step = root.get_by_role("button", name="Step sweep")
    for sweep in (1, 2, 3):
        step.click()
        wait_until(lambda sweep=sweep: stat(page, DEMO, "plan-sweeps") == sweep, 10, message=f"sweep {sweep}")
    planned = page.evaluate("() => window.rlplay.inspect('gridworld').snapshot.planner.V")
    planned = [v for row in planned for v in row] if isinstance(planned[0], list) else planned

    def vstar_layer():
        layers = page.evaluate("() => window.rlplay.inspect('gridworld').layers")
        return next(layer for layer in layers["layers"] if layer["name"] == "vstar")

    layout = page.evaluate("() => window.rlplay.inspect('gridworld').snapshot.layout")
    cols = layout["cols"]
    blocked = {r * cols + c for r, c in layout["walls"]} | {layout["goal"][0] * cols + layout["goal"][1]}
    open_states = [s for s in range(layout["rows"] * cols) if s not in blocked]
    want = (min(planned[s] for s in open_states), max(planned[s] for s in open_states))
    assert want != (min(converged[s] for s in open_states), max(converged[s] for s in open_states))
    wait_until(lambda: (vstar_layer()["lo"], vstar_layer()["hi"]) == want, 5, message="the main grid on sweep 3")
    assert "sweep 3" in root.locator(".gw-layers").text_content()
    # the Δ chart: its legend in plain Unicode, its sweep axis in whole numbers
    drawn = page.evaluate("() => window.__drawnText.filter((t) => t.canvas.includes('gw-plan-delta'))")
    texts = [t["text"] for t in drawn]
    assert not [t for t in texts if "_{" in t or "^{" in t], texts
    assert any(t.startswith("Δ = max |V") for t in texts), texts
    ticks = [t["text"] for t in drawn if t["align"] == "center" and t["baseline"] == "top" and t["text"]]
    assert ticks and all(re.fullmatch(r"\d+", t) for t in ticks), ticks
    # closed, the panel lets the main grid show value iteration's converged V* again
    root.locator(".gw-planning > summary").click()
    wait_until(
        lambda: (
            (vstar_layer()["lo"], vstar_layer()["hi"])
            == (min(converged[s] for s in open_states), max(converged[s] for s in open_states))
        ),
        5,
        message="the converged V*",
    )
    page.watch.assert_clean()


def test_the_colour_bar_before_the_first_step_says_what_it_holds(page, server_url):
    open_demo(page, server_url, "demo=gridworld")
    root = demo_root(page, DEMO)
    scale = root.locator(".gw-legend-scale")
    text = " ".join(scale.inner_text().split())
    assert not re.fullmatch(r"[−-]?0 *[−-]?0", text), f"the colour bar reads {text!r}"
    assert "0" in text and "so far" in text, text
    assert root.locator(".gw-scale").is_hidden()
    root.get_by_role("button", name="Episode").click()  # one episode: Q has values of both signs or one
    wait_until(lambda: stat(page, DEMO, "episode") >= 1, 30, message="an episode")
    wait_until(lambda: root.locator(".gw-scale").is_visible(), 5, message="the bar, once values differ")
    assert "so far" not in scale.inner_text()
    page.watch.assert_clean()


def test_watching_it_now_goes_with_the_watch_mode(page, server_url):
    open_demo(page, server_url, "demo=cartpole")
    root = demo_root(page, "cartpole")
    status = root.locator(".cartpole-agent-status")
    root.get_by_role("button", name="Watch a trained agent").click()
    wait_until(lambda: "Loaded" in status.text_content(), 30, message="the load")
    assert "Watching it now" in status.text_content()
    root.get_by_role("radio", name="Train", exact=True).check()
    wait_until(lambda: page.evaluate("window.rlplay.registry.get('cartpole', 'mode')") == "train", 5, message="Train")
    assert "Loaded" in status.text_content() and "Watching" not in status.text_content()
    root.get_by_role("radio", name="Watch", exact=True).check()
    wait_until(lambda: "Watching it now" in status.text_content(), 5, message="Watch again")
    page.watch.assert_clean()
