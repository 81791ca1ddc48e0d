"""The toy demo's part of the snapshot contract (the form is explained in ``rlplay.app.contract``)."""

from __future__ import annotations

from rlplay.core.contract import Figure, Key, notices_keys

CONTRACT: dict = {
    "units": "flips",
    "keys": {
        "figures": Key("dict", "the numbers shown in data-stat elements (see figures)"),
        "rate": Key(
            "array",
            "share of heads after each flip, from rate_offset on",
            "share",
            ("tail",),
            "float64",
            "growing",
            "rate_offset",
        ),
        "rate_offset": Key("int", "index of the first value in rate", "flips"),
        **notices_keys(),
    },
    "figures": {"flips": Figure("flips so far", "flips"), "heads": Figure("heads so far", "flips")},
    "notices": {"certain": "p = 1: every flip is heads"},
    "constants": {},
}
