"""What every demo driver does the same way (the whole contract is in ``rlplay.demos``)."""

from __future__ import annotations


class DemoDriver:
    """Base of the three drivers: ``step`` is ``advance`` then ``snapshot``; ``COMMANDS`` starts empty."""

    COMMANDS: frozenset[str] = frozenset()

    def advance(self, n: int) -> int:
        raise NotImplementedError

    def snapshot(self, since: int = 0) -> dict:
        raise NotImplementedError

    def step(self, n: int) -> dict:
        """Run ``n`` units of work, then return the snapshot."""
        self.advance(n)
        return self.snapshot()
