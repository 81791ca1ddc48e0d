"""The PPO clip explorer: its curves are rlplay.algos.ppo.clipped_surrogate's (checked natively), and ε moves with
the keyboard."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import wait_until
from rlplay.algos.ppo import clipped_surrogate


@pytest.fixture
def page(warm_page):
    """This file's first loads connect to a running Python (tests/conftest.py, WarmPages): what they check is the
    page a link opens, not Python's start."""
    return warm_page


DATA = """() => window.rlplay?.widgets?.get("ppo-clip")?.inspect() ?? null"""


def widget_data(page, epsilon: float) -> dict:
    return wait_until(
        lambda: (lambda d: d if d and abs(d["epsilon"] - epsilon) < 1e-9 else None)(page.evaluate(DATA)),
        20,
        message=f"the widget's curves at ε = {epsilon}",
    )


def assert_native(data: dict) -> None:
    """The plotted values equal the native computation at the widget's ε (the oracle)."""
    ratio = np.array(data["ratio"])
    assert len(ratio) >= 100 and ratio[0] == 0.0 and ratio[-1] == 2.0
    eps = data["epsilon"]
    np.testing.assert_allclose(data["positive"], clipped_surrogate(ratio, np.ones_like(ratio), eps), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        data["negative"], clipped_surrogate(ratio, -np.ones_like(ratio), eps), rtol=0, atol=1e-12
    )
    # and they are the clipped curves, not r·A: flat beyond 1 + ε for A > 0, below 1 − ε for A < 0
    assert np.allclose(np.array(data["positive"])[ratio > 1 + eps + 1e-9], 1 + eps)
    assert np.allclose(np.array(data["negative"])[ratio < 1 - eps - 1e-9], -(1 - eps))


def test_ppo_clip_values_match_native_and_the_slider_works_by_keyboard(page, server_url, artifacts):
    page.goto(f"{server_url}#ppo")
    widget = page.locator('[data-widget="ppo-clip"]')
    slider = widget.get_by_role("slider", name="Clip range ε")
    slider.wait_for(timeout=30_000)  # drawn before Python is ready, with a loading note
    assert_native(widget_data(page, 0.2))

    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    data = widget_data(page, 0.23)
    assert_native(data)
    assert "0.23" in widget.locator("output").text_content()
    assert "between 0.77 and 1.23" in widget.locator(".ppo-clip-readout").text_content()

    page.keyboard.press("End")
    assert_native(widget_data(page, 0.5))
    page.keyboard.press("Home")
    assert_native(widget_data(page, 0.05))
    for _ in range(15):
        page.keyboard.press("ArrowRight")
    assert_native(widget_data(page, 0.2))

    widget.scroll_into_view_if_needed()
    widget.screenshot(path=str(artifacts / "ppo-clip.png"))
    page.watch.assert_clean()
