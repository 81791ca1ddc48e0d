"""Replay a page's run natively, edited code, mid-run changes and a loaded agent included: what the Code panel's
downloaded ``.py`` calls."""

from __future__ import annotations

from pathlib import Path

from rlplay.demos import demo_classes
from rlplay.params import from_params


def agent_text(where: str) -> str:
    """An agent file's text from a path, or from an http(s) URL (the page's command loads the site's own agent)."""
    if where.startswith(("http://", "https://")):
        import urllib.request

        with urllib.request.urlopen(where, timeout=60) as response:  # noqa: S310 - the scheme is checked above
            return response.read(2_000_000).decode("utf-8")
    return Path(where).read_text()


def start_from_agent(driver_class, text: str, params: dict):
    """A driver holding the agent file ``text``, with ``params`` (URL-style strings) applied over the file's
    settings, as the page's configure does after a load. Raises ``ValueError`` for a refused value, or for one that
    would start a fresh run without the agent (its algorithm, seed or network size: the file's own)."""
    driver = driver_class.from_agent_file(text)
    fresh, notices = driver.configure_params(params)
    if notices:
        raise ValueError("; ".join(notices))
    if fresh:
        names = ", ".join(f"--{name}" for name in fresh)
        raise ValueError(f"{names} would start a fresh run without the agent (the agent file sets it)")
    return driver


def reproduce(demo: str, params: dict, loads: list, steps: int, changes: list = (), agent: str | None = None) -> dict:
    """Replay a page's run natively: the driver from ``params`` (URL-style strings: its settings at step 0), each
    ``[step, name, source]`` in ``loads`` loaded when the run reaches ``step``, each ``[step, command, args]`` in
    ``changes`` (the page's mid-run changes: ``configure`` with ``{"params": ...}``, a code load ``set_code`` with
    ``{"name", "source"}``, or one of the driver's ``COMMANDS`` with ``{"args": ...}``) applied at its step, up to
    ``steps`` units; with ``agent`` (a path or URL) the run starts from that agent file. Returns the figures.

    This is what the Code panel's downloaded ``.py`` calls; the page's figures at ``steps`` are the same numbers.

    >>> source = "def epsilon_greedy(q, epsilon, u_explore, u_action, u_tie):\\n    return 0\\n"
    >>> figures = reproduce("bandit", {"seed": "0"}, [[0, "epsilon_greedy", source]], 50)
    >>> figures["pulls"], figures["best-arm-rate-epsilon-greedy"] in (0.0, 1.0)  # always arm 0: always or never best
    (50, True)
    >>> reproduce("bandit", {}, [], 30, [[10, "configure", {"params": {"epsilon": "0.5"}}]]) == reproduce(
    ...     "bandit", {}, [], 30)
    False
    """
    driver_class, config_class = demo_classes(demo)
    params = {str(key): str(value) for key, value in params.items()}
    if agent is not None:
        driver = start_from_agent(driver_class, agent_text(agent), params)
    else:
        config, _ = from_params(config_class, params)
        driver = driver_class(config)
    slots = driver.code
    schedule = [(at, "set_code", {"name": name, "source": source}) for at, name, source in loads]
    schedule += [(at, command, dict(args or {})) for at, command, args in changes]
    for at, command, args in sorted(schedule, key=lambda event: event[0]):  # stable: same-step events keep order
        _advance_with_code(driver, slots, at - _units(driver))
        if command == "set_code":
            slots.bind_driver(driver)
            slots.load(args["name"], args["source"])
        elif command == "configure":
            driver.configure_params(args.get("params", {}))
        elif command in driver.COMMANDS:
            getattr(driver, command)(**args.get("args", {}))
        else:
            raise ValueError(f"the {demo} demo has no command {command!r} to replay")
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
