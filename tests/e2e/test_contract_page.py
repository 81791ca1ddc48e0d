"""The browser's snapshots keep the contract (``rlplay.app.contract``), as the page holds them after the worker and
the bridge: every demo, after training, a step, a mid-run change and a reset; the page's contract.json is Python's."""

from __future__ import annotations

import json

import pytest
from helpers import demo_root, open_setup, stat, wait_until
from rlplay.app import contract

INSPECT = "(demo) => window.rlplay.inspect(demo)"

# demo -> (query, a setting changed mid-run (name, value), a figure that grows, how far to train)
CASES = {
    "gridworld": ("demo=gridworld&speed=max", ("alpha", "0.3"), "steps", 2000),
    "bandit": ("demo=bandit&speed=max&runs=20&horizon=100000", ("epsilon", "0.2"), "pulls", 2000),
    "cartpole": ("demo=cartpole&speed=max&algo=ppo", ("lr", "0.005"), "episode", 30),
}


@pytest.fixture
def page(app):
    """This file's tests share the session's booted page (tests/conftest.py: app); each opens its setup with
    open_setup, which checks that it starts clean."""
    return app


def assert_keeps(page, demo):
    seen = page.evaluate(INSPECT, demo)
    problems = contract.check_snapshot(demo, seen["snapshot"])
    assert not problems, "\n".join(problems)
    return seen


@pytest.mark.parametrize("demo", sorted(CASES))
def test_the_pages_snapshots_keep_the_contract(page, demo):
    query, (name, value), units, budget = CASES[demo]
    open_setup(page, query)
    assert page.evaluate("() => window.rlplay.contract") == json.loads(json.dumps(contract.describe()))
    assert_keeps(page, demo)  # as created
    root = demo_root(page, demo)
    root.get_by_role("button", name="Play").click()
    wait_until(lambda: stat(page, demo, units) >= budget, 60, message=f"{budget} {units}")
    root.get_by_role("button", name="Pause").click()
    seen = assert_keeps(page, demo)  # after budgeted runs, static keys held from earlier snapshots
    assert seen["snapshot"]["static_version"]
    # a mid-run change: the static keys (config among them) come again, with the new value
    page.evaluate("([demo, name, value]) => window.rlplay.registry.set(demo, name, value)", [demo, name, value])
    wait_until(
        lambda: page.evaluate(INSPECT, demo)["snapshot"]["config"][name] == value, 10, message="the changed config"
    )
    assert_keeps(page, demo)
    root.get_by_role("button", name="Reset").click()
    wait_until(lambda: stat(page, demo, units) == 0, 10, message="the reset")
    assert_keeps(page, demo)
    page.watch.assert_clean()
