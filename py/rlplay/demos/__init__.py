"""The demos: one package per demo (``rlplay/demos/<demo>/``), and ``DEMOS``, the one list that names them all.

A demo's package exports ``Demo`` (its driver class), ``Config`` (its config dataclass) and ``CONTRACT`` (its part of
the snapshot contract, ``rlplay.core.contract``); everything else it needs lives in its own folder. Adding a demo is
one folder here, one on the page's side (``web/demos/<demo>/``) and one line in ``DEMOS``: nothing else imports it
by name (the bridge, the contract and the CLI read ``DEMOS``), and a page imports only the demos it opens.

The contract every driver keeps (``rlplay.app.bridge`` is the only caller from the browser;
``rlplay.core.driver.DemoDriver`` is their base):

- ``<Demo>Config``: a frozen dataclass. Its field names are the URL and UI names (``seed``, ``alpha``, ``algo``,
  ...); each field has a one-line docstring with its range, and ``typing.Annotated`` metadata
  (``Param(...)``, from ``rlplay.params``) that states the range once, for validation and for the page's
  controls. ``Config(**fields)`` raises ``ValueError`` with a message naming the field and its range.
- ``<Demo>Demo(config)``: the driver; ``.config`` is its current config.

  - ``advance(n) -> int``: runs ``n`` units of work (gridworld: environment steps; bandit: pulls of every lane;
    cartpole: environment steps) and returns how many ran. The result never depends on how the work was cut into
    calls: ``advance(300); advance(700)`` leaves exactly the state of ``advance(1000)``.
  - ``snapshot(since=0) -> dict``: a compact picture of the run. Top-level values are JSON-able (numbers, strings,
    lists, dicts) or NumPy arrays. ``figures`` maps each ``data-stat`` name to a plain number (``-1`` = not yet).
    Growing series (learning curves) are sent from index ``since`` on, with ``<name>_offset`` telling where the
    tail starts, so a snapshot never copies a whole history.
    Every key of every demo's snapshot is declared once, in its ``contract.py`` (``web/contract.json`` for
    the page); ``tests/test_contract.py`` checks the drivers against it.
  - ``step(n) -> dict``: ``advance(n)`` then ``snapshot()``.
  - ``reset()``: forget what was learned; same seed, same run again.
  - ``configure(**changes)``: apply changed hyperparameters, without a reset where that makes sense. Returns the
    names of the fields whose change needed a fresh run.
  - ``COMMANDS``: the names of the extra methods the browser may call (e.g. ``toggle_wall``); the bridge refuses
    any other name.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from rlplay.core.scene import scene_names
from rlplay.studies import STUDIES

DEMOS: dict[str, str] = {
    "gridworld": "rlplay.demos.gridworld",
    "bandit": "rlplay.demos.bandit",
    "cartpole": "rlplay.demos.cartpole",
    "rlhf": "rlplay.demos.rlhf",
    "toy": "rlplay.demos.toy",  # the example a new demo starts from (ARCHITECTURE.md); no section on index.html
}
"""Every demo by name: the module that exports its ``Demo``, ``Config`` and ``CONTRACT`` (imported when first used)."""


def demo_module(demo: str) -> ModuleType:
    """The package of ``demo``, imported on first use; a name not in ``DEMOS`` is a ``ValueError`` naming the choices.

    >>> demo_module("bandit").Demo.__name__
    'BanditDemo'
    """
    if demo not in DEMOS:
        raise ValueError(f"unknown demo {demo!r}; choose one of {', '.join(DEMOS)}")
    return importlib.import_module(DEMOS[demo])


def demo_classes(demo: str) -> tuple[type, type]:
    """``(Demo, Config)`` of ``demo``."""
    module = demo_module(demo)
    return module.Demo, module.Config


def scenes() -> dict:
    """Every demo's scenes (``rlplay.core.scene``) by name, in registration order. A name used twice, or also by a
    parameter study (the page opens both by ``?scene=``), is a ``ValueError``."""
    out = scene_names(*(getattr(demo_module(demo), "SCENES", ()) for demo in DEMOS))
    clash = sorted(set(out) & set(STUDIES))
    if clash:
        raise ValueError(f"scene names also used by parameter studies: {', '.join(clash)}")
    for scene in out.values():
        if scene.demo not in DEMOS or scene not in getattr(demo_module(scene.demo), "SCENES", ()):
            raise ValueError(f"scene {scene.name!r} is declared by another demo than its own, {scene.demo!r}")
    return out
