"""Configs: each range stated once, validated in one place, described to the page by web/params.json."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from rlplay.__main__ import full_schema
from rlplay.app.bridge import DEMOS, demo_classes
from rlplay.params import from_params, validate

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
