"""Replay a page's run natively, edited code included: what the Code panel's downloaded ``.py`` calls."""

from __future__ import annotations

from rlplay.demos import demo_classes
from rlplay.params import from_params


def reproduce(demo: str, params: dict, loads: list, steps: int) -> dict:
    """Replay a page's run natively: the driver from ``params`` (URL-style strings), each ``[step, name, source]`` in
    ``loads`` loaded when the run reaches ``step``, up to ``steps`` units; returns the snapshot's figures.

    This is what the Code panel's downloaded ``.py`` calls; the page's figures at ``steps`` are the same numbers.

    >>> source = "def epsilon_greedy(q, epsilon, u_explore, u_action, u_tie):\\n    return 0\\n"
    >>> figures = reproduce("bandit", {"seed": "0"}, [[0, "epsilon_greedy", source]], 50)
    >>> figures["pulls"], figures["best-arm-rate-epsilon-greedy"] in (0.0, 1.0)  # always arm 0: always or never best
    (50, True)
    """
    driver_class, config_class = demo_classes(demo)
    config, _ = from_params(config_class, {str(key): str(value) for key, value in params.items()})
    driver = driver_class(config)
    slots = driver.code
    for at, name, source in sorted(loads, key=lambda load: load[0]):
        _advance_with_code(driver, slots, at - _units(driver))
        slots.bind_driver(driver)
        slots.load(name, source)
    _advance_with_code(driver, slots, steps - _units(driver))
    return driver.snapshot()["figures"]


def _units(driver) -> int:
    figures = driver.snapshot()["figures"]
    return int(figures.get("steps", figures.get("pulls", 0)))


def _advance_with_code(driver, slots, n: int) -> None:
    if n <= 0:
        return
    slots.bind_driver(driver)
    if slots.edited:
        with slots.patched():
            driver.advance(n)
    else:
        driver.advance(n)
