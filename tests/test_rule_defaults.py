"""Each gridworld learning rule's own default α and ε (``RULE_ALPHA``, ``RULE_EPSILON``, ``RULE_EPSILON_DECAY``):
declared once, taken by a new rule in the driver, in links and in the CLI unless the user set them, and good enough
that every rule's greedy path is the optimal path on the default layout after 3,000 episodes, seeds 0 to 9."""

import json

import pytest
from rlplay.__main__ import main
from rlplay.app import bridge
from rlplay.demos.gridworld import GridworldConfig, GridworldDemo
from rlplay.demos.gridworld.driver import RULE_ALPHA, RULE_EPSILON, RULE_EPSILON_DECAY, RULES
from rlplay.params import from_params, schema

RULE_DEFAULTS = {
    rule: {
        "alpha": dict(RULE_ALPHA)[rule],
        "epsilon": dict(RULE_EPSILON).get(rule, 0.1),
        "epsilon_decay": dict(RULE_EPSILON_DECAY).get(rule, 1.0),
    }
    for rule in RULES
}


def settings(config) -> dict:
    return {name: getattr(config, name) for name in ("alpha", "epsilon", "epsilon_decay")}


def test_every_rule_declares_its_defaults_and_the_page_reads_them_from_params_json():
    assert set(dict(RULE_ALPHA)) == set(RULES)
    fields = {entry["name"]: entry for entry in schema(GridworldConfig)}
    for name in ("alpha", "epsilon", "epsilon_decay"):
        declared = fields[name]["default_by"]
        assert declared["field"] == "algo"
        for rule in RULES:
            assert declared["values"].get(rule, declared["otherwise"]) == RULE_DEFAULTS[rule][name]
    assert fields["compare_alpha"]["default_by"] == {"field": "compare", "values": dict(RULE_ALPHA), "otherwise": 0.5}
    # the plain default config is Q-learning's
    assert settings(GridworldConfig()) == RULE_DEFAULTS["q-learning"] and fields["alpha"]["default"] == 0.5


@pytest.mark.parametrize("rule", sorted(RULES))
def test_a_rule_left_at_its_defaults_takes_the_next_rules_and_a_set_value_stays(rule):
    # in Python and in links: fields left out take the rule's own defaults
    assert settings(GridworldConfig(algo=rule)) == RULE_DEFAULTS[rule]
    config, notices = from_params(GridworldConfig, {"algo": rule})
    assert settings(config) == RULE_DEFAULTS[rule] and not notices
    assert from_params(GridworldConfig, {"algo": rule, "alpha": "0.3"})[0].alpha == 0.3
    # in the driver: switching the rule takes its defaults for what the user has not set
    demo = GridworldDemo()
    demo.configure(algo=rule)
    assert settings(demo.config) == RULE_DEFAULTS[rule]
    assert (demo.agent.alpha, demo.agent.epsilon) == (RULE_DEFAULTS[rule]["alpha"], RULE_DEFAULTS[rule]["epsilon"])
    demo.configure(alpha=0.3)
    demo.configure(algo="q-learning" if rule != "q-learning" else "sarsa")
    assert demo.config.alpha == 0.3  # set by the user: kept
    # the second learner's α follows its own rule
    assert GridworldConfig(compare=rule).compare_alpha == RULE_DEFAULTS[rule]["alpha"]


def test_the_cli_and_the_page_create_take_the_rules_defaults(capsys):
    assert main(["gridworld", "--algo", "monte-carlo", "--steps", "10", "--json", "--quiet"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["config"]["alpha"] == "0.07" and printed["config"]["epsilon"] == "1.0"
    snapshot, _ = bridge.handle("gridworld", "create", json.dumps({"params": {"algo": "sarsa"}}))
    assert json.loads(snapshot)["snapshot"]["config"]["alpha"] == "0.05"


@pytest.mark.slow
@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_with_its_defaults_finds_the_optimal_path_on_seeds_0_to_9(rule):
    """Slow (3,000 episodes × 10 seeds per rule, Dyna-Q with 10 planning updates a step): each rule, with nothing
    but its defaults, ends 3,000 episodes on the default layout with its greedy path as short as the optimal path."""
    for seed in range(10):
        demo = GridworldDemo(GridworldConfig(algo=rule, seed=seed))
        demo.agent.run_episodes(3000)
        figures = demo.snapshot()["figures"]
        assert figures["greedy-path-length"] == figures["optimal-path-length"] == 14, (rule, seed, figures)
