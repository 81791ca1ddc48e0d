"""Driver snapshots in the unit tests: one bridge call as the worker makes it, and comparing snapshots bit for bit."""

from __future__ import annotations

import json

import numpy as np
from rlplay.app import bridge


def bridge_call(demo: str, command: str, **args) -> tuple[dict, dict]:
    """One bridge call, as the worker makes it: ``(payload, arrays)``; strict JSON, as the browser parses it."""
    text, arrays = bridge.handle(demo, command, json.dumps(args))
    return json.loads(text), dict(arrays)


def bridge_payload(demo: str, command: str, **args) -> dict:
    """One bridge call's payload, with its arrays put back into the snapshot."""
    payload, arrays = bridge_call(demo, command, **args)
    if "snapshot" in payload:
        payload["snapshot"].update(arrays)
    return payload


def assert_same_snapshot(a: dict, b: dict):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], np.ndarray):
            assert a[key].dtype == b[key].dtype and np.array_equal(a[key], b[key]), key
        else:
            assert a[key] == b[key], key
