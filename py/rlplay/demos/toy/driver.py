"""The toy demo: a biased coin, flipped; the share of heads after each flip is its learning curve.

It learns nothing. It is the smallest demo that keeps the whole driver contract (``rlplay.demos``): a config whose
fields carry their ranges, ``advance``/``snapshot``/``reset``/``configure``, a growing series sent as tails, static
keys, a notice with its code. ``ARCHITECTURE.md`` ("How to add a demo") walks through it; the page's half is
``web/demos/toy/toy.js``, and ``tests/e2e/test_toy_demo.py`` runs both halves together through the real worker.

    heads_t = heads_{t−1} + [u_t < p],   rate_t = heads_t / t,   u_t ~ U[0, 1) from the seed's generator
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Annotated

import numpy as np

from rlplay.core.driver import DemoDriver, Notice, notice_fields
from rlplay.params import Param, validate


@dataclass(frozen=True)
class ToyConfig:
    seed: Annotated[int, Param(0, 2**31 - 1, 1, label="Seed")] = 0
    """Seed of the flips, 0..2147483647."""
    p: Annotated[float, Param(0.0, 1.0, 0.01, label="p(heads)")] = 0.5
    """Probability of heads, 0..1."""

    def __post_init__(self):
        validate(self)


class ToyDemo(DemoDriver):
    """Flips a biased coin; ``rate`` is the share of heads after each flip."""

    def __init__(self, config: ToyConfig | None = None):
        self.config = config or ToyConfig()
        self.reset()

    def reset(self) -> None:
        self.rng = np.random.default_rng(self.config.seed)
        self.rate: list[float] = []
        self.heads = 0

    def advance(self, n: int) -> int:
        for _ in range(n):
            # heads_t = heads_{t-1} + [u_t < p]
            self.heads += bool(self.rng.random() < self.config.p)
            self.rate.append(self.heads / (len(self.rate) + 1))
        return n

    def configure(self, **changes) -> list[str]:
        """p applies from the next flip; a new seed starts a fresh run."""
        fresh = "seed" in changes and changes["seed"] != self.config.seed
        self.config = dataclasses.replace(self.config, **changes)
        if fresh:
            self.reset()
        return ["seed"] if fresh else []

    def snapshot(self, since: int = 0) -> dict:
        since = max(0, min(int(since), len(self.rate)))
        notices = [Notice("certain", "p = 1: every flip is heads")] if self.config.p == 1.0 else []
        return {
            "figures": {"flips": len(self.rate), "heads": self.heads},
            "rate": np.array(self.rate[since:], dtype=np.float64),
            "rate_offset": since,
            "config": {field.name: str(getattr(self.config, field.name)) for field in dataclasses.fields(self.config)},
            **notice_fields(notices),
        }
