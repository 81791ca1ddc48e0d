"""Configs: each range stated once, validated in one place, described to the page by web/params.json."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from rlplay.__main__ import full_schema
from rlplay.app.bridge import DEMOS, demo_classes
from rlplay.params import from_params, schema, validate

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schema_is_current():
    """web/params.json is what the page builds its controls from: it must match the Python configs."""
    committed = json.loads((ROOT / "web" / "params.json").read_text())
    assert committed == json.loads(json.dumps(full_schema())), "run `python -m rlplay schema`"


@pytest.mark.parametrize("demo", sorted(DEMOS))
def test_every_field_is_documented_and_bounded(demo):
    for entry in full_schema()[demo]:
        assert entry["doc"], f"{demo}.{entry['name']} has no docstring"
        if entry["type"] in ("int", "float"):
            assert "low" in entry and "high" in entry, f"{demo}.{entry['name']} has no range"
            assert entry["low"] <= entry["default"] <= entry["high"]
        if "choices" in entry:
            assert entry["default"] in entry["choices"]


@pytest.mark.parametrize("demo", sorted(DEMOS))
def test_defaults_validate_and_round_trip_through_url_strings(demo):
    _, config_class = demo_classes(demo)
    defaults = config_class()
    validate(defaults)
    as_strings = {f.name: str(getattr(defaults, f.name)) for f in dataclasses.fields(defaults)}
    config, notices = from_params(config_class, as_strings)
    assert notices == []
    assert config == defaults


@pytest.mark.parametrize("demo", sorted(DEMOS))
@pytest.mark.parametrize("bad", ["nan", "inf", "-1e400", "1e400", "", "abc", "0x10", "1,5"])
def test_bad_numbers_keep_the_default_with_a_notice(demo, bad):
    _, config_class = demo_classes(demo)
    numeric = [e for e in full_schema()[demo] if e["type"] in ("int", "float")]
    for entry in numeric:
        config, notices = from_params(config_class, {entry["name"]: bad})
        assert getattr(config, entry["name"]) == entry["default"]
        assert len(notices) == 1 and entry["name"] in notices[0]


def test_out_of_range_message_names_field_and_range():
    _, config_class = demo_classes("bandit")
    with pytest.raises(ValueError, match=r"epsilon must be between 0 and 1, got 2"):
        config_class(epsilon=2)
    config, notices = from_params(config_class, {"epsilon": "2", "colour": "red"})
    assert config.epsilon == config_class().epsilon
    assert notices == ["ignored epsilon='2': epsilon must be between 0 and 1, got 2.0"]


@pytest.mark.parametrize("demo", sorted(DEMOS))
def test_a_whole_number_given_as_a_float_is_refused_by_name(demo):
    """A config built from a file (an agent's "seed": 1.0) must fail here, by name, not deep inside NumPy."""
    _, config_class = demo_classes(demo)
    for entry in full_schema()[demo]:
        if entry["type"] == "int":
            with pytest.raises(ValueError, match=f"{entry['name']} must be a whole number, got"):
                config_class(**{entry["name"]: float(entry["default"])})


@pytest.mark.parametrize("demo", sorted(DEMOS))
def test_a_notice_echoes_at_most_40_characters_of_a_hostile_value(demo):
    """A 2000-character value (the page's limit for a text setting) is named, not pasted back into the page."""
    _, config_class = demo_classes(demo)
    for entry in full_schema()[demo]:
        _, notices = from_params(config_class, {entry["name"]: "<" + "9" * 1998 + ">"})
        assert len(notices) == 1 and len(notices[0]) < 400, (entry["name"], notices)
        assert "9" * 41 not in notices[0]


# -- which setting matters when: declared once with the field (Param.shown_when), checked against what runs ------------

SETTINGS_WHERE_FIELDS_REST = [
    ("gridworld", {"explore": "softmax"}),
    ("gridworld", {"explore": "ucb", "algo": "sarsa"}),
    ("gridworld", {}),
    ("bandit", {}),
    ("cartpole", {"algo": "dqn"}),
    ("cartpole", {"algo": "actor-critic"}),
]


@pytest.mark.parametrize(("demo", "settings"), SETTINGS_WHERE_FIELDS_REST)
def test_a_field_declared_inactive_changes_nothing_in_the_run(demo, settings):
    """The oracle for ``shown_when``: the page hides a control and the CLI says "changes nothing" exactly when
    another value of that field gives the very same run."""
    from rlplay.params import inactive

    driver_class, config_class = demo_classes(demo)
    base = config_class(**settings)
    units = {"gridworld": 3000, "bandit": 300, "cartpole": 1500}[demo]
    reference = driver_class(base)
    reference.advance(units)
    fields = {entry["name"]: entry for entry in schema(config_class)}
    resting = inactive(base)
    for name in resting:
        entry = fields[name]
        other = entry["default"] * 0.5 + entry.get("high", entry["default"]) * 0.5
        other = type(entry["default"])(other) if entry["type"] != "int" else int(round(other))
        if other == getattr(base, name):
            other = entry.get("low", other)
        changed = driver_class(dataclasses.replace(base, **{name: other}))
        changed.advance(units)
        assert changed.snapshot()["figures"] == reference.snapshot()["figures"], (name, other)


def test_every_shown_when_names_a_real_field_and_the_schema_carries_it():
    for demo in DEMOS:
        _, config_class = demo_classes(demo)
        entries = {entry["name"]: entry for entry in schema(config_class)}
        for entry in entries.values():
            for condition in entry.get("shown_when", []):
                assert condition["field"] in entries, (demo, entry["name"], condition)
                values = condition.get("in", condition.get("not_in", []))
                choices = entries[condition["field"]].get("choices")
                assert choices is None or set(values) <= set(choices), (demo, entry["name"], condition)
            for choice in entry.get("choice_labels", {}):
                assert choice in entry["choices"]


def test_the_cli_says_when_a_given_value_changes_nothing(capsys):
    from rlplay.__main__ import main

    assert main(["gridworld", "--episodes", "1", "--quiet", "--tau", "0.3", "--alpha", "0.2"]) == 0
    err = capsys.readouterr().err
    assert "tau changes nothing here: it matters only when explore is softmax" in err
    assert "alpha changes nothing" not in err
