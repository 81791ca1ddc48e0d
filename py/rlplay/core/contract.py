"""The pieces a demo's snapshot contract is declared with: ``Key`` (one snapshot key), ``Figure`` (one shown
number), ``notices_keys()`` (the keys every demo with settings sends) and ``constant()`` (a Python constant the page
reads). Each demo declares its own part in ``rlplay/demos/<demo>/contract.py``; ``rlplay.app.contract`` assembles
them, checks snapshots against them and writes ``web/contract.json``.
"""

from __future__ import annotations

from dataclasses import dataclass

TYPES = ("number", "int", "str", "bool", "array", "list", "dict")
UPDATES = ("live", "static", "growing")


@dataclass(frozen=True)
class Key:
    """One snapshot key: ``type`` is one of ``TYPES``; ``shape`` and ``dtype`` describe arrays (and lists of rows)."""

    type: str
    doc: str
    unit: str = ""
    shape: tuple = ()
    dtype: str = ""
    update: str = "live"
    offset: str = ""  # growing keys: the key that says where the tail starts
    optional: bool = False  # sent only in some snapshots (the doc says when)
    nullable: bool = False  # may be None (null in the page)

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"type must be one of {TYPES}, got {self.type!r}")
        if self.update not in UPDATES:
            raise ValueError(f"update must be one of {UPDATES}, got {self.update!r}")
        if (self.update == "growing") != bool(self.offset):
            raise ValueError("a growing key names its offset key, and only a growing key does")


@dataclass(frozen=True)
class Figure:
    doc: str
    unit: str = ""
    optional: bool = False  # shown only in some modes (the doc says which)


def notices_keys() -> dict[str, Key]:
    return {
        "notices": Key("list", "remarks on valid but degenerate settings, plain English", update="static"),
        "notice_codes": Key("list", "the code of each remark in notices, same order", update="static"),
        "config": Key("dict", "the driver's current config, every field as its URL string", update="static"),
        # Added by the bridge (rlplay.core.reproduce): the only values "Reproduce in Python" is built from.
        "reproduce_args": Key(
            "list",
            "[name, value] of each non-default config field (for a run from a loaded agent: each field changed "
            "since the load), validated and shell-safe; absent if one is not",
            update="static",
            optional=True,
        ),
        "reproduce_edited_code": Key(
            "bool", "edited code runs (the command runs rlplay's own)", update="static", optional=True
        ),
    }


def constant(value, unit: str, doc: str) -> dict:
    return {"value": value, "unit": unit, "doc": doc}
