"""What every demo driver does the same way (the whole contract is in ``rlplay.demos``)."""

from __future__ import annotations


class DemoDriver:
    """Base of the three drivers: ``step`` is ``advance`` then ``snapshot``; ``COMMANDS`` starts empty."""

    COMMANDS: frozenset[str] = frozenset()
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
