"""What every demo driver does the same way (the whole contract is in ``rlplay.demos``)."""

from __future__ import annotations

import dataclasses

from rlplay.params import from_params


class DemoDriver:
    """Base of the three drivers: ``step`` is ``advance`` then ``snapshot``; ``COMMANDS`` starts empty."""

    COMMANDS: frozenset[str] = frozenset()
    # The commands that run or watch this run without changing it (the bridge's own, then a driver's from COMMANDS):
    # a link still replays the run after them; any other command changes the run mid-way (web/contract.json carries
    # this as run_commands, for the page's run record)
    RUN_COMMANDS: frozenset[str] = frozenset({"run", "step", "snapshot", "reset"})
    # The commands that work on something the page shows beside the run (the gridworld's planner, RLHF's β sweep,
    # the cart-pole's comparison over seeds), reading the run's settings but never changing the run: a link still
    # replays the run after them, and says that it does not carry what they made; a worker restart replays them at
    # their step (web/contract.json carries this as side_commands)
    SIDE_COMMANDS: frozenset[str] = frozenset()
    # True for a driver whose run has an end (advance returns 0 there: the bandit's horizon, RLHF's updates); the
    # CLI then trains to that end by default, else to 500 episodes
    ENDS: bool = False

    def advance(self, n: int) -> int:
        raise NotImplementedError

    def snapshot(self, since: int = 0) -> dict:
        raise NotImplementedError

    def step(self, n: int) -> dict:
        """Run ``n`` units of work, then return the snapshot."""
        self.advance(n)
        return self.snapshot()

    def configure_params(self, params: dict) -> tuple[list[str], list[str]]:
        """Apply settings given as URL-style strings (the page's configure, a command's ``--name=value``), each
        checked as a link's is; returns the names that needed a fresh run and a notice for each value refused."""
        current = {field.name: str(getattr(self.config, field.name)) for field in dataclasses.fields(self.config)}
        merged = {**current, **{str(k): str(v) for k, v in params.items()}}
        config, notices = from_params(type(self.config), merged)
        changes = {
            name: getattr(config, name)
            for name in params
            if hasattr(config, name) and getattr(config, name) != getattr(self.config, name)
        }
        return (list(self.configure(**changes) or []) if changes else []), notices


class Notice(str):
    """A remark's text (a ``str``, so it reads and compares as one) with its code from ``rlplay.app.contract``.

    >>> notice = Notice("alpha-zero", "α = 0: Q never changes")
    >>> notice, notice.code
    ('α = 0: Q never changes', 'alpha-zero')
    """

    code: str

    def __new__(cls, code: str, text: str):
        self = super().__new__(cls, text)
        self.code = code
        return self


def notice_fields(notices: list[Notice]) -> dict:
    """The ``notices`` (texts) and ``notice_codes`` (codes, same order) keys of a snapshot."""
    return {"notices": [str(n) for n in notices], "notice_codes": [n.code for n in notices]}
