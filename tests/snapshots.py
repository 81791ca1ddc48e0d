"""Comparing driver snapshots in the unit tests: bit for bit, arrays with their dtype."""

from __future__ import annotations

import numpy as np


def assert_same_snapshot(a: dict, b: dict):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], np.ndarray):
            assert a[key].dtype == b[key].dtype and np.array_equal(a[key], b[key]), key
        else:
            assert a[key] == b[key], key
