"""The validated values of a "Reproduce in Python" command: ``--name=value`` pairs safe to paste into any shell.

The page builds its command only from these (``web/reproduce.js``), never from what the URL or a control holds.
Every value is canonical (``str`` of the validated config field; booleans as 1/0) and matches ``SAFE_VALUE``, a set
of characters that bash, dash, zsh and fish all read literally, so no quoting is needed. A config whose values are
not all safe gives ``None``: the page then says the run has no command, rather than quoting.

    >>> from rlplay.demos.gridworld import GridworldConfig
    >>> command_args(GridworldConfig(seed=3, alpha=0.25, walls="-"))
    [['seed', '3'], ['walls', '-'], ['alpha', '0.25']]
"""

from __future__ import annotations

import dataclasses
import functools
import re

from rlplay.params import default_of

SAFE_VALUE = re.compile(r"[A-Za-z0-9._:+-]+")  # painted rewards read "2.3:+0.5_0.4:-1"


def canonical(value) -> str:
    """A validated field value as the CLI reads it back: ``True`` -> ``1``, ``0.1`` -> ``0.1``."""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


@functools.lru_cache(maxsize=16)
def command_args(config, base=None) -> list[list[str]] | None:
    """The fields of ``config`` that differ from their defaults, as ``[name, value]``; ``None`` if one is unsafe.

    Defaults are left out: the command installs this same wheel, whose defaults are these. With ``base`` (the config
    an agent file gave a run, which the command ``--load``s) the fields that differ from ``base`` instead.
    """
    out = []
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        # a default that follows another field (a rule's own α) is judged under this config's choice of it
        if value == (default_of(config, field.name) if base is None else getattr(base, field.name)):
            continue
        text = canonical(value)
        if not SAFE_VALUE.fullmatch(text):
            return None
        out.append([field.name, text])
    return out


def add_reproduce_keys(snapshot: dict, driver) -> dict:
    """Add ``reproduce_args`` (left out when a value is unsafe) and ``reproduce_edited_code`` to a snapshot.

    A run from a loaded agent (``loaded_config``) gets the fields changed since the load: its command ``--load``s
    the agent file, whose config is the rest.
    """
    args = command_args(driver.config, getattr(driver, "loaded_config", None))
    if args is not None:
        snapshot["reproduce_args"] = args
    snapshot["reproduce_edited_code"] = bool(getattr(getattr(driver, "code", None), "edited", False))
    return snapshot
