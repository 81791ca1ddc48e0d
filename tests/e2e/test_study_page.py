"""Parameter studies in the page: a ?scene= link opens its study and runs it; Run and Cancel as a user presses them;
the numbers equal the native study's (rlplay.studies, the oracle), bit for bit.
"""

from __future__ import annotations

import math

import pytest
from helpers import wait_status, wait_until
from rlplay.studies import STUDIES, run_study_to_end
from rlplay.studies.report import best_lines


@pytest.fixture
def page(warm_page):
    """This file's first loads connect to a running Python (tests/conftest.py, WarmPages): what they check is the
    page a link opens, not Python's start."""
    return warm_page


INSPECT = "(demo) => window.rlplay.inspect(demo)"


def study_of(page, demo: str) -> dict | None:
    return page.evaluate(INSPECT, demo)["study"]


def native_curves(results) -> dict:
    """The native curves as the page holds them (NaN, a point without an SE, is JSON's null there)."""
    return {
        name: {
            key: [None if isinstance(v, float) and math.isnan(v) else v for v in values] for key, values in c.items()
        }
        for name, c in results.curves().items()
    }


def test_the_bandit_study_runs_as_a_user_sets_it_and_gives_the_native_numbers(page, server_url):
    """Open the bandit's study section, set 6 runs of 60 pulls, press Run: the page's curves are the native ones."""
    page.goto(f"{server_url}?demo=bandit")
    page.locator('[data-demo="bandit"][data-status="ready"]').wait_for(timeout=90_000)
    section = page.locator('[data-demo="bandit"] .study-details')
    section.locator("summary").click()
    section.get_by_role("spinbutton", name="runs", exact=True).fill("6")
    section.get_by_role("spinbutton", name="pulls", exact=True).fill("60")
    command = section.locator(".study-command")
    assert command.text_content() == "python -m rlplay sweep --scene bandit-parameter-study --runs 6 --pulls 60"
    section.get_by_role("button", name="Run the study").click()
    study = wait_until(
        lambda: (s := study_of(page, "bandit")) and s["done"] and s, timeout_s=120, message="the bandit study"
    )
    native = run_study_to_end(
        STUDIES["bandit-parameter-study"], STUDIES["bandit-parameter-study"].settings(runs=6, pulls=60)
    )
    assert study["curves"] == native_curves(native)
    assert study["summary"] == best_lines(native)
    assert section.locator(".study-summary li").all_text_contents() == best_lines(native)
    assert page.evaluate(INSPECT, "bandit")["scene"] is None  # opened by hand, not by a scene link
    page.watch.assert_clean()


def test_cancel_stops_a_study_and_keeps_the_runs_done(page, server_url):
    page.goto(f"{server_url}?demo=bandit")
    page.locator('[data-demo="bandit"][data-status="ready"]').wait_for(timeout=90_000)
    section = page.locator('[data-demo="bandit"] .study-details')
    section.locator("summary").click()
    section.get_by_role("spinbutton", name="runs", exact=True).fill("400")  # long enough to press Cancel mid-way
    section.get_by_role("button", name="Run the study").click()
    wait_until(lambda: (s := study_of(page, "bandit")) and s["finished"] > 0, timeout_s=60, message="first runs")
    section.get_by_role("button", name="Cancel").click()
    study = wait_until(
        lambda: (s := study_of(page, "bandit")) and not s["running"] and s, timeout_s=60, message="the cancel"
    )
    assert study["cancelled"] and not study["done"] and 0 < study["progress"] < 1
    assert "Cancelled" in section.locator(".study-status").text_content()
    assert section.get_by_role("button", name="Run the study").is_enabled()
    page.watch.assert_clean()


def test_an_unknown_scene_is_reported_and_runs_nothing(page, server_url):
    page.goto(f"{server_url}?scene=no-such-study")
    page.locator('[data-demo="gridworld"][data-status="ready"]').wait_for(timeout=90_000)
    assert (
        "Ignored scene=“no-such-study”: no demo on this page offers it." in page.locator("#page-notices").text_content()
    )
    assert study_of(page, "gridworld") is None and page.evaluate(INSPECT, "gridworld")["scene"] is None


@pytest.mark.slow
def test_the_cliff_scene_runs_figure_6_3_to_the_end_with_the_books_shape(page, server_url):
    """Slow: the full interim study in the browser (6.5 M steps; 20–100 s in the worker, depending on the load).

    ?scene=cliff-alpha-study opens the gridworld's study and runs it with no click; done, its curves are the native
    study's exactly and have the book's shape: Expected SARSA above SARSA from α = 0.6 on, Q-learning the lowest.
    """
    page.goto(f"{server_url}?scene=cliff-alpha-study")
    # window.rlplay is there once the page has started: polled before, it was undefined (the load event comes first)
    wait_status(page, "gridworld", ("ready", "running", "paused"), timeout=90_000)
    study = wait_until(
        lambda: (s := study_of(page, "gridworld")) and s["done"] and s, timeout_s=600, message="Figure 6.3's study"
    )
    assert page.evaluate(INSPECT, "gridworld")["scene"] == "cliff-alpha-study"
    native = run_study_to_end(STUDIES["cliff-alpha-study"], workers=2)
    assert study["curves"] == native_curves(native)
    curves = study["curves"]
    for i in range(10):
        assert curves["q-learning"]["mean"][i] < min(curves["sarsa"]["mean"][i], curves["expected-sarsa"]["mean"][i])
    for i in range(5, 10):
        assert curves["expected-sarsa"]["mean"][i] > curves["sarsa"]["mean"][i]
    print(
        f"Figure 6.3 interim in the page: {study['elapsed_s']:.1f} s in the worker, {study['steps_per_second']:,.0f} steps/s"
    )
    page.watch.assert_clean()
