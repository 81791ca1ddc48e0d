"""Counts a teacher types are exact (issue 24): a number box beside the slider takes the count to the unit.

A slider of a thousand positions over a wide range cannot reach every count (dragging to 50 seeds gave 11); the box
beside it can, and a refused value (out of range, not whole) leaves the count in force.
"""

from __future__ import annotations

import pytest
from helpers import demo_root, open_demo, wait_until


@pytest.fixture
def page(warm_page):
    """This file's first loads connect to a running Python (tests/conftest.py, WarmPages): what they check is the
    page a link opens, not Python's start."""
    return warm_page


@pytest.mark.parametrize(
    ("demo", "label", "typed"),
    [
        ("gridworld", "average over seeds (1 = one live run)", 50),
        ("gridworld", "max steps per episode", 1234),
        ("cartpole", "Hidden units", 37),
    ],
)
def test_a_count_is_typed_exactly_beside_its_slider(page, server_url, demo, label, typed):
    open_demo(page, server_url, f"demo={demo}")
    root = demo_root(page, demo)
    name = page.evaluate(
        "([demo, label]) => document.querySelector(`[data-demo=${demo}] label`) && "
        "[...document.querySelectorAll(`[data-demo=${demo}] .control`)].find((c) => c.querySelector('label')?.textContent === label)?.dataset.control",
        [demo, label],
    )
    assert name, f"no control labelled {label!r}"
    box = root.get_by_label(f"{label} (exact)", exact=True)
    box.wait_for(state="attached", timeout=5_000)
    if not box.is_visible():
        root.locator("summary", has_text="Settings").first.click()
    box.fill(str(typed))
    box.press("Enter")
    wait_until(
        lambda: page.evaluate(f"window.rlplay.registry.get('{demo}', '{name}')") == typed, 5, message="the count"
    )
    wait_until(lambda: f"{name}={typed}" in page.evaluate("location.search"), 5, message="the count in the link")
    field = page.evaluate(f"window.rlplay.registry.get('{demo}', '{name}')")
    box.fill("-3")  # below every count's range
    box.press("Enter")
    assert page.evaluate(f"window.rlplay.registry.get('{demo}', '{name}')") == field
    assert box.input_value() == str(typed)
    page.watch.assert_clean()
