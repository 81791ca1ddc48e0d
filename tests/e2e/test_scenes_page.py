"""Scenes on the page (issue 24): `?scene=NAME` opens a lesson's declared setup and starts it; "Show me" opens it
from the lesson text; inspect(demo).scene names it; Copy link after a change gives the changed setup.

The declarations are read from web/contract.json (Python's rlplay.core.scene, exported by `python -m rlplay
schema`): each scene's settings must be the registry's values once it opens, and something must start (training,
a sweep, a comparison, a replay to the scene's steps).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import demo_root, open_setup, wait_status, wait_until

CONTRACT = json.loads((Path(__file__).resolve().parents[2] / "web" / "contract.json").read_text())
SCENES = {name: scene for part in CONTRACT.values() for name, scene in (part.get("scenes") or {}).items()}


def started(page, scene) -> bool:
    demo = scene["demo"]
    state = page.evaluate(f"window.rlplay.inspect('{demo}')")
    if state["playing"] or state["unitsDone"] > 0:
        return True
    if demo == "gridworld" and state["figures"].get("plan-sweeps", 0) > 0:
        return True
    if demo == "cartpole":  # a seed comparison runs in its panel: starting, under way, or already done
        said = demo_root(page, demo).locator(".cartpole-note[role=status]").first.text_content()
        return re.match(r"Training \d+ seeds|\d+ of \d+ runs finished|Done: ", said) is not None
    return False


@pytest.mark.parametrize("name", sorted(SCENES))
def test_a_scene_opens_from_its_link_and_starts(app, artifacts, name):
    """Each scene, opened on the shared page as its link would (window.rlplay.open); a first load of a scene's link
    is checked by test_value_iteration_scene_shows_the_planning_panel_beside_the_grid_in_view below."""
    page = app
    scene = SCENES[name]
    demo = scene["demo"]
    open_setup(page, f"scene={name}", status=("ready", "running", "paused"))
    wait_until(lambda: page.evaluate(f"window.rlplay.inspect('{demo}').scene") == name, 20, message="the scene")
    for field, value in scene["settings"].items():
        got = page.evaluate(f"window.rlplay.registry.get('{demo}', '{field}')")
        assert str(got) == str(value) or (isinstance(got, float) and float(value) == got), (field, got, value)
    for overlay in scene["overlays"]:
        if page.evaluate(f"window.rlplay.registry.get('{demo}', '{overlay}')") is not None:
            assert page.evaluate(f"window.rlplay.registry.get('{demo}', '{overlay}')") is True, overlay
    wait_until(lambda: started(page, scene), 30, message=f"{name} to start")
    page.screenshot(path=str(artifacts / f"scene-{name}-1280x900.png"))
    page.watch.assert_clean()


BOX = "(node) => { const r = node.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"


def test_value_iteration_scene_shows_the_planning_panel_beside_the_grid_in_view(warm_page, server_url):
    """At 1280×900 the scene opens with the grid, the panel's Step sweep and its Δ chart on one screen, the panel
    beside the grid (it stood under the settings, below the fold); the main grid shows the panel's sweep, so the
    panel's own copy folds away, and comes back when the V* overlay is turned off. A first load of the scene's link,
    on the warm shared Python (tests/conftest.py, WarmPages)."""
    page = warm_page
    page.goto(f"{server_url}?scene=value-iteration-sweeps")
    wait_status(page, "gridworld", ("ready", "running", "paused"), timeout=90_000)
    root = demo_root(page, "gridworld")
    step = root.get_by_role("button", name="Step sweep")
    wait_until(lambda: step.is_visible(), 20, message="the planning panel, open")
    grid = root.locator("canvas.gw-grid").evaluate(BOX)
    for part in (step, root.locator("canvas.gw-plan-delta"), root.locator('[data-stat="plan-sweeps"]')):
        left, top, right, bottom = part.evaluate(BOX)
        assert 0 <= top and bottom <= 900, (part, top, bottom)  # on the first screen, no scrolling
        assert left >= grid[2], (part, left, grid)  # beside the grid, not under it
    assert 0 <= grid[1] and grid[3] <= 900, grid
    own_copy = root.locator("canvas.gw-plan-grid")
    assert not own_copy.is_visible()
    root.get_by_label("V* (value iteration)").uncheck()
    wait_until(lambda: own_copy.is_visible(), 5, message="the panel's own grid, with V* off on the main grid")
    page.watch.assert_clean()


def test_show_me_opens_the_scene_and_copy_link_gives_the_changed_setup(app):
    page = app  # the session's shared page (tests/conftest.py)
    open_setup(page, "", status=("ready",))
    page.locator('button[data-scene="dyna-q-planning"]').click()
    wait_until(
        lambda: page.evaluate("window.rlplay.inspect('gridworld')?.scene") == "dyna-q-planning", 30, message="scene"
    )
    assert page.evaluate("window.rlplay.registry.get('gridworld', 'algo')") == "dyna-q"
    wait_status(page, "gridworld", ("ready", "running", "paused"), timeout=60_000)
    page.evaluate("window.rlplay.registry.set('gridworld', 'planning_steps', 25)")  # the user changes the setup
    root = demo_root(page, "gridworld")
    root.get_by_role("button", name="Copy link").click()
    link = root.get_by_label("Shareable text").input_value()
    query = parse_qs(urlsplit(link).query)
    assert query["planning_steps"] == ["25"] and query["algo"] == ["dyna-q"] and query["compare"] == ["q-learning"]
    page.watch.assert_clean()


@pytest.mark.parametrize("name", ["rlhf-reward-hacking", "rlhf-kl-penalty", "rlhf-your-labels"])
def test_each_rlhf_claim_has_a_show_me_button_that_opens_its_scene(app, name):
    """Section 7's claims each open their scene from a Show me button in the lesson text (on the shared page)."""
    scene = SCENES[name]
    open_setup(app, "")
    button = app.locator(f'#rlhf p button[data-scene="{name}"]')
    assert button.is_visible() and button.text_content() == "Show me"
    assert button.get_attribute("title") == scene["claim"]  # the claim, on hover
    button.click()
    wait_until(lambda: app.evaluate("window.rlplay.inspect('rlhf')?.scene") == name, 30, message=name)
    for field, value in scene["settings"].items():
        got = app.evaluate(f"window.rlplay.registry.get('rlhf', '{field}')")
        assert str(got) == str(value) or (isinstance(got, float) and float(value) == got), (field, got, value)
    wait_until(lambda: started(app, scene), 30, message=f"{name} to start")
    app.watch.assert_clean()
