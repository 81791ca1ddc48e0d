"""The settings panel is built from params.json: each control's label comes from its Python declaration (Param's
``label``), and a control shows exactly while its setting matters (``shown_when``), as the native test
``tests/test_params.py::test_a_field_declared_inactive_changes_nothing_in_the_run`` proves it does not otherwise."""

from __future__ import annotations

from helpers import demo_root, open_setup
from rlplay.demos.cartpole import CartpoleConfig
from rlplay.demos.gridworld import GridworldConfig
from rlplay.params import inactive, schema

SHOWN_CONTROLS = """(demo) => [...document.querySelectorAll(`[data-demo="${demo}"] .control[data-control]`)]
    .filter((node) => !node.hidden && node.closest("[hidden]") === null).map((node) => node.dataset.control)"""


def visible_settings(page, demo: str) -> set[str]:
    return set(page.evaluate(SHOWN_CONTROLS, demo))


def test_gridworld_controls_follow_each_settings_shown_when_and_its_declared_label(app):
    page = app  # the session's shared page (tests/conftest.py)
    open_setup(page, "demo=gridworld")
    root = demo_root(page, "gridworld")
    labels = {entry["name"]: entry.get("label") for entry in schema(GridworldConfig)}
    for explore in ("softmax", "ucb", "epsilon-greedy"):
        root.get_by_label(labels["explore"], exact=True).select_option(explore)
        resting = set(inactive(GridworldConfig(explore=explore)))
        shown = visible_settings(page, "gridworld")
        assert not (shown & resting), (explore, shown & resting)
        wanted = {"tau"} if explore == "softmax" else {"c"} if explore == "ucb" else {"epsilon", "epsilon_decay"}
        assert wanted <= shown, (explore, wanted - shown)
    assert root.get_by_label(labels["alpha"], exact=True).count() == 1  # the label is Python's: "α (learning rate)"


def test_cartpole_shows_only_the_learning_rate_and_network_size_the_algorithm_uses(app):
    page = app  # the session's shared page (tests/conftest.py)
    open_setup(page, "demo=cartpole&algo=dqn")
    shown = visible_settings(page, "cartpole")
    resting = set(inactive(CartpoleConfig(algo="dqn")))
    assert not (shown & resting), shown & resting
    assert {"dqn_lr", "dqn_hidden"} <= shown, shown
