"""A link runs what the CLI runs for the same settings: a field whose default follows another (Python's
``default_by``, a rule's own α and ε) and that the link leaves out takes its default under the link's choice in the
page too. The page's side is web/state.js under node (tests/js/links_runner.mjs, the settings it would send to
Python's ``create``); the CLI's side is ``from_params`` with only the link's own settings."""

from __future__ import annotations

import dataclasses

import pytest
from hostile_links import read_links
from rlplay.demos import DEMOS, demo_classes
from rlplay.params import from_params, schema


def governed_links() -> list[tuple[str, str, str]]:
    """(demo, governing field, choice) for every choice of every field that some ``default_by`` follows."""
    out = []
    for demo in DEMOS:
        _, config_class = demo_classes(demo)
        fields = {field["name"]: field for field in schema(config_class)}
        governing = {field["default_by"]["field"] for field in fields.values() if "default_by" in field}
        out += [(demo, name, choice) for name in sorted(governing) for choice in fields[name]["choices"]]
    return out


LINKS = governed_links()


@pytest.fixture(scope="module")
def read_by_the_page() -> list[dict]:
    return read_links([f"demo={demo}&{name}={choice}" for demo, name, choice in LINKS])


def test_there_are_fields_whose_default_follows_another():
    assert ("gridworld", "algo", "sarsa") in LINKS and ("gridworld", "compare", "sarsa") in LINKS


@pytest.mark.parametrize("index", range(len(LINKS)), ids=[f"{d}-{n}={c}" for d, n, c in LINKS])
def test_a_link_that_sets_only_the_rule_runs_the_clis_config(read_by_the_page, index):
    demo, name, choice = LINKS[index]
    _, config_class = demo_classes(demo)
    page_config, page_notices = from_params(config_class, read_by_the_page[index]["python"][demo])
    cli_config, cli_notices = from_params(config_class, {name: choice})
    assert page_notices == cli_notices == []
    assert dataclasses.asdict(page_config) == dataclasses.asdict(cli_config)
