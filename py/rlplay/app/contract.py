"""The snapshot contract: what each demo's ``snapshot()`` sends to the page, declared once.

For every demo, ``CONTRACT[demo]`` names the figure that counts its units of work (``units``: what ``advance(n)``
counts, and what a link's ``steps=`` and the CLI's ``--steps`` mean), and declares each snapshot key (its type,
shape, units and how it is updated), each figure (``figures[name]``, shown in ``data-stat`` elements), each notice
code, and the constants the page needs (limits, thresholds) straight from the Python modules that own them.
``python -m rlplay schema`` writes it to ``web/contract.json``; the page reads it, so no JavaScript file copies a
Python constant, and the tests check every snapshot against it, natively (``tests/test_contract.py``) and in the
browser (``tests/e2e/test_contract_page.py``).

How a key is updated (``update``):

- ``"live"``: in every snapshot.
- ``"static"``: changes only with the settings or the layout (``config``, ``layout``, ``V_star``, ...). The bridge
  sends the static keys only when they differ from what the page holds: every snapshot carries ``static_version``
  (a digest of the static values); the page sends it back as ``static``, and a snapshot whose static values still
  have that digest leaves them out. The page keeps the last ones it received (``web/framework/controller.js``).
- ``"growing"``: a series that only grows (a learning curve). It is sent from index ``since`` on; the key named by
  ``offset`` says where the tail starts (see ``rlplay.demos``). The page keeps the series (``web/framework/series.js``).

Arrays are NumPy arrays in Python and ``{data: TypedArray, shape}`` in the page; their ``dtype`` is as sent (the
bridge sends int64 as int32 and bool as uint8). A shape is a tuple of sizes: a number, or a name that must take the
same value everywhere in one snapshot (``"rows"``, ``"lanes"``, ``"T"``), or ``"*"`` for any size; no shape at all
means the shape depends on the mode (the doc says how).

Notices are plain-English remarks on valid but degenerate settings: ``notices`` holds their texts and
``notice_codes`` their codes, in the same order; the page decides by code, never by the English text.

To add a key: add a ``Key`` to the demo's ``keys`` below, send it from the driver's ``snapshot()``, run
``python -m rlplay schema`` (it rewrites ``web/params.json`` and ``web/contract.json``), and read it in the page from
``snapshot.<name>``. ``tests/test_contract.py`` fails until the three agree. To add a figure or a notice code, the
same with ``figures`` or ``notices``; to expose a constant, add it to ``constants`` with its unit.
"""

from __future__ import annotations

import hashlib
import math
import pickle
from dataclasses import asdict

import numpy as np

from rlplay import demos
from rlplay.core.contract import UPDATES, Figure, Key  # noqa: F401 - re-exported: the form a contract is declared in
from rlplay.core.driver import Notice, notice_fields  # noqa: F401 - re-exported: the contract's notice form
from rlplay.studies import STUDIES


class _Contracts(dict):
    """Every registered demo's contract part (``rlplay.demos.DEMOS``), each read from its demo's folder the first
    time it is asked for, so the worker imports only the demos a page opens."""

    def __missing__(self, demo: str) -> dict:
        if demo not in demos.DEMOS:
            raise KeyError(demo)
        part = demos.demo_module(demo).CONTRACT
        self[demo] = part
        return part

    def __contains__(self, demo) -> bool:
        return demo in demos.DEMOS or dict.__contains__(self, demo)

    def get(self, demo, default=None):
        """As ``self[demo]`` (``dict.get`` alone never reads a part not read yet), or ``default``."""
        try:
            return self[demo]
        except KeyError:
            return default

    def all(self) -> dict:
        """Every registered demo's part, in registration order."""
        return {demo: self[demo] for demo in demos.DEMOS}


CONTRACT: _Contracts = _Contracts()


def static_keys(demo: str) -> list[str]:
    return [name for name, key in CONTRACT[demo]["keys"].items() if key.update == "static"]


def describe() -> dict:
    """The contract as JSON-able data, for ``web/contract.json``."""
    out = {}
    all_scenes = demos.scenes()
    for demo, entry in CONTRACT.all().items():
        keys = {}
        for name, key in entry["keys"].items():
            described = {k: v for k, v in asdict(key).items() if v not in ("", (), False)}
            if key.shape:
                described["shape"] = list(key.shape)
            keys[name] = described
        out[demo] = {
            "units": entry["units"],
            # the commands that keep the run as it is (rlplay.core.driver.DemoDriver.RUN_COMMANDS)
            "run_commands": sorted(demos.demo_module(demo).Demo.RUN_COMMANDS),
            # the commands that work beside the run without changing it (DemoDriver.SIDE_COMMANDS)
            "side_commands": sorted(demos.demo_module(demo).Demo.SIDE_COMMANDS),
            "keys": keys,
            "static": static_keys(demo),
            "growing": {name: key.offset for name, key in entry["keys"].items() if key.update == "growing"},
            "figures": {name: asdict(figure) for name, figure in entry["figures"].items()},
            "notices": entry["notices"],
            "constants": entry["constants"],
            # the parameter studies the demo's section offers, each declared once in rlplay.studies
            "studies": {name: STUDIES[name].describe() for name in demo_studies(demo)},
            # the demo's scenes (rlplay/demos/<demo>/scenes.py): a claim and the setup that shows it, by name
            "scenes": {name: scene.describe() for name, scene in all_scenes.items() if scene.demo == demo},
        }
    return out


def demo_studies(demo: str) -> tuple[str, ...]:
    """The names of the studies ``demo`` offers (its package's ``STUDIES``; none if it has none)."""
    return tuple(getattr(demos.demo_module(demo), "STUDIES", ()))


# -- static keys: sent only when they change ---------------------------------------------------------------------


def static_digest(demo: str, snapshot: dict) -> str:
    """A short digest of the snapshot's static values (equal values, equal digest, within one process)."""
    values = [snapshot.get(name) for name in static_keys(demo)]
    return hashlib.blake2b(pickle.dumps(values, protocol=5), digest_size=8).hexdigest()


def elide_static(demo: str, snapshot: dict, have: str | None) -> dict:
    """Stamp ``static_version``; drop the static keys when the page already holds values with that digest."""
    if demo not in CONTRACT:
        return snapshot
    version = static_digest(demo, snapshot)
    snapshot["static_version"] = version
    if have == version:
        for name in static_keys(demo):
            snapshot.pop(name, None)
    return snapshot


# -- checking a snapshot against the contract --------------------------------------------------------------------

_NUMBER = (int, float, np.integer, np.floating)


def _array_parts(value):
    """(shape, dtype) of a NumPy array or of the page's {data, shape} form; None if it is neither."""
    if isinstance(value, np.ndarray):
        dtype = {"int64": "int32", "bool": "uint8"}.get(value.dtype.name, value.dtype.name)
        return tuple(value.shape), dtype
    if isinstance(value, dict) and "data" in value and "shape" in value:
        return tuple(value["shape"]), value.get("dtype", "")
    return None


def _list_shape(value) -> tuple:
    shape = [len(value)]
    if value and all(isinstance(item, (list, tuple)) for item in value):
        widths = {len(item) for item in value}
        shape.append(widths.pop() if len(widths) == 1 else -1)
    return tuple(shape)


def _match_shape(name, declared, actual, sizes, problems):
    if len(declared) != len(actual):
        problems.append(f"{name}: shape {list(actual)} has {len(actual)} axes, the contract {len(declared)}")
        return
    for axis, (want, got) in enumerate(zip(declared, actual, strict=True)):
        if want == "*" or (want == "tail" and got >= 0):
            continue
        if isinstance(want, int):
            if want != got:
                problems.append(f"{name}: axis {axis} is {got}, the contract says {want}")
        elif sizes.setdefault(want, got) != got:
            problems.append(f"{name}: axis {axis} ({want}) is {got}, elsewhere {sizes[want]}")


def check_snapshot(demo: str, snapshot: dict, *, statics: bool = True) -> list[str]:
    """Every way ``snapshot`` breaks the contract (an empty list when it keeps it).

    ``snapshot`` is a driver's, the bridge's (arrays split out and put back) or the page's (arrays as
    ``{data, shape}``). With ``statics=False`` static keys may be missing (the bridge left them out).
    """
    contract = CONTRACT[demo]
    keys = contract["keys"]
    problems = []
    extra = sorted(set(snapshot) - set(keys) - {"static_version"})
    if extra:
        problems.append(f"keys not in the contract: {', '.join(extra)}")
    sizes: dict = {}
    for name, key in keys.items():
        if name not in snapshot:
            if not key.optional and (statics or key.update != "static"):
                problems.append(f"{name}: missing")
            continue
        value = snapshot[name]
        if value is None and key.nullable:
            continue
        if key.type == "array":
            parts = _array_parts(value)
            if parts is None:
                problems.append(f"{name}: expected an array, got {type(value).__name__}")
                continue
            shape, dtype = parts
            if dtype and dtype != key.dtype:
                problems.append(f"{name}: dtype {dtype}, the contract says {key.dtype}")
            if key.shape:
                _match_shape(name, key.shape, shape, sizes, problems)
        elif key.type == "list":
            if not isinstance(value, (list, tuple)):
                problems.append(f"{name}: expected a list, got {type(value).__name__}")
            elif key.shape:
                _match_shape(name, key.shape, _list_shape(value), sizes, problems)
        elif key.type == "dict":
            if not isinstance(value, dict):
                problems.append(f"{name}: expected a dict, got {type(value).__name__}")
        elif key.type == "str":
            if not isinstance(value, str):
                problems.append(f"{name}: expected a str, got {type(value).__name__}")
        elif key.type == "bool":
            if not isinstance(value, (bool, np.bool_)):
                problems.append(f"{name}: expected a bool, got {type(value).__name__}")
        elif key.type == "int":
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                problems.append(f"{name}: expected an int, got {type(value).__name__}")
        elif key.type == "number":
            if value is not None and (isinstance(value, bool) or not isinstance(value, _NUMBER)):
                problems.append(f"{name}: expected a number, got {type(value).__name__}")
    figures = snapshot.get("figures")
    if isinstance(figures, dict):
        declared = contract["figures"]
        missing = sorted(name for name, figure in declared.items() if not figure.optional and name not in figures)
        unknown = sorted(set(figures) - set(declared))
        if missing or unknown:
            problems.append(f"figures: missing {missing}, not in the contract {unknown}")
        for name, value in figures.items():
            if isinstance(value, bool) or not isinstance(value, _NUMBER) or not math.isfinite(float(value)):
                problems.append(f"figures[{name!r}]: {value!r} is not a finite number")
    codes = snapshot.get("notice_codes")
    if codes is not None:
        unknown = sorted(set(codes) - set(contract["notices"]))
        if unknown:
            problems.append(f"notice codes not in the contract: {unknown}")
        if len(codes) != len(snapshot.get("notices", [])):
            problems.append("notices and notice_codes differ in length")
    return problems
