"""The RLHF demo in the page: a run played at max gives the native figures bit for bit, a click on a pair becomes a
label in the URL, and the β sweep the page runs equals the native one."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from helpers import demo_root, open_setup, wait_status, wait_until
from rlplay.demos.rlhf import RlhfConfig, RlhfDemo


@pytest.fixture
def page(app):
    """The session's booted page (tests/conftest.py: app); each test opens its setup with open_setup."""
    return app


def open_rlhf(page, query):
    open_setup(page, f"demo=rlhf&{query}", status=("ready", "paused"))
    page.locator("#rlhf").scroll_into_view_if_needed()


def inspect(page):
    return page.evaluate("() => window.rlplay.inspect('rlhf')")


def test_a_run_played_in_the_page_equals_the_native_run(page):
    open_rlhf(page, "rlhf.seed=3&rlhf.beta=0&rlhf.updates=60&rlhf.speed=max")
    demo_root(page, "rlhf").get_by_role("button", name="Play").click()
    wait_until(lambda: inspect(page)["figures"]["steps"] >= 60, 120, message="60 updates")
    wait_status(page, "rlhf", "paused", timeout=10_000)  # the run's end pauses it
    seen = inspect(page)
    native = RlhfDemo(RlhfConfig(seed=3, beta=0.0, updates=60))
    native.advance(60)
    snapshot = native.snapshot(0)
    assert seen["figures"] == snapshot["figures"]
    assert seen["curves"]["gold"] == native.curves["gold"] and seen["curves"]["kl"] == native.curves["kl"]
    # what the lists show is what Python wrote
    shown = demo_root(page, "rlhf").locator('[data-samples="policy"] li').all_inner_texts()
    assert shown == snapshot["samples"]


def test_a_click_on_a_pair_is_a_label_in_the_url_and_refits(page):
    open_rlhf(page, "rlhf.seed=1")
    root = demo_root(page, "rlhf")
    pairs = inspect(page)["snapshot"]["pairs"]
    assert root.locator('[data-pair="a"]').inner_text() == pairs[0][0]
    root.get_by_role("button", name="A is better").click()
    wait_until(lambda: inspect(page)["snapshot"]["config"]["labels"] == "a", 30, message="label a")
    # the next pair is shown
    wait_until(lambda: root.locator('[data-pair="b"]').inner_text() == pairs[1][1], 10, message="pair 2")
    root.get_by_role("button", name="B is better").click()
    wait_until(lambda: inspect(page)["snapshot"]["config"]["labels"] == "ab", 30, message="labels ab")
    seen = inspect(page)
    assert seen["snapshot"]["config"]["labeller"] == "user"
    assert seen["snapshot"]["pair_labels"]["data"][:3] == [0, 1, -1]
    assert "gold-reward" not in seen["figures"]
    query = parse_qs(urlparse(page.url).query)
    # demo=rlhf: the link writes the demo's fields unprefixed
    assert query.get("labels") == ["ab"] and query.get("labeller") == ["user"] and query.get("demo") == ["rlhf"]
    # the reward model the page shows is the one fitted natively on those two labels
    native = RlhfDemo(RlhfConfig(seed=1, labeller="user", labels="ab"))
    assert seen["snapshot"]["phi"]["data"] == native.feedback.phi.tolist()


def test_the_beta_sweep_in_the_page_equals_the_native_sweep(page):
    open_rlhf(page, "rlhf.seed=2&rlhf.updates=10")
    demo_root(page, "rlhf").get_by_role("button", name="Run the β sweep").click()
    wait_until(lambda: (inspect(page)["snapshot"].get("sweep") or {}).get("done") == 70, 120, message="the β sweep")
    sweep = inspect(page)["snapshot"]["sweep"]
    native = RlhfDemo(RlhfConfig(seed=2, updates=10))
    while native.sweep(1000)["done"] < 70:
        pass
    assert sweep == native.snapshot()["sweep"]
    assert inspect(page)["figures"]["steps"] == 0  # the sweep never moves the run itself
