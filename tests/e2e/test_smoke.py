"""Smoke: the page loads, Python starts in the worker, every demo reaches ``ready``, nothing errors or 404s."""

from __future__ import annotations

import re

from helpers import demo_root, wait_status

DEMOS = ("gridworld", "bandit", "cartpole")


def test_smoke_page_loads_and_every_demo_is_ready(page, server_url, artifacts):
    page.goto(server_url)
    # The shell and the lesson are there before Python is.
    assert page.locator("h1").text_content().startswith("Reinforcement learning from scratch")
    for demo in DEMOS:
        wait_status(page, demo, "ready", timeout=90_000)
    banner = page.locator("#runtime-banner").text_content()
    assert "Python 3.12.7" in banner and "NumPy 2.0.2" in banner
    for demo in DEMOS:
        root = demo_root(page, demo)
        assert root.get_by_role("button", name="Play").is_enabled()
        assert root.get_by_role("button", name="Reset").is_visible()
        assert root.get_by_label("Speed").is_visible()
        assert root.locator("[data-stat]").count() >= 4
        assert root.locator('[data-stat="steps-per-second"]').count() == 1
    page.screenshot(path=str(artifacts / "page.png"), full_page=True)
    page.watch.assert_clean()


def test_every_figure_is_a_plain_number_for_automation_and_a_dash_for_people(warm_page, server_url):
    """data-value is the plain number (−1 = not yet); the text people see is that number, or "—" while there is none.
    A first load on the warm shared Python (tests/conftest.py); the smoke test above starts cold."""
    page = warm_page
    page.goto(server_url)
    for demo in DEMOS:
        wait_status(page, demo, "ready", timeout=90_000)
    figures = page.locator("[data-stat]:not(.cartpole-ppo-line)")  # the PPO line is prose, not a figure
    assert figures.count() >= 12
    for i in range(figures.count()):
        value, text = figures.nth(i).get_attribute("data-value"), figures.nth(i).text_content()
        assert re.fullmatch(r"-?\d+(\.\d+)?", value), value
        if value == "-1":
            assert text == "—", (value, text)
        else:
            assert float(text.replace(",", "").replace("−", "-")) == float(value), (value, text)
    page.watch.assert_clean()
