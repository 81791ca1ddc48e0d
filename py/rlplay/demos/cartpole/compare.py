"""Compare cart-pole algorithms over many seeds, as a careful researcher would: medians, quartiles, solved k of N.

    for algo in algos, for seed in 0 .. N−1:  train CartpoleDemo(algo, seed) for ``episodes`` episodes
    curve_algo(e)  = median over seeds of the mean length of episodes e−99 .. e  (band: 25th–75th percentile)
    solved_at      = the first episode at which that mean reached 475 (CartPole-v1's threshold), else unsolved

The work is cut into budgeted chunks (``SeedComparison.advance_for(budget_ms)``) so that the page's worker answers
between chunks: the page shows progress and can cancel by simply not asking for the next chunk. Every run is the
same run the demo would make with that seed (``CartpoleDemo``), so any row of the table can be replayed by itself.

Quantiles of episodes-to-solve treat an unsolved run as "later than the budget" (+∞): a median is a number only when
at least half the runs solved, otherwise it is reported as unsolved within the budget.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable

import numpy as np

from rlplay.demos.cartpole.config import ALGOS, SOLVED_WINDOW, CartpoleConfig

MAX_SEEDS = 50
MAX_EPISODES = 3000
CHUNK_STEPS = 500  # steps per advance() call inside a budget; the budget is checked between calls


def quantile(values, q: float) -> float:
    """Linear-interpolation quantile (NumPy's default) that lets +∞ (unsolved) through instead of making NaN.

    >>> quantile([1, 2, 3, 4], 0.5), quantile([1, 2, math.inf, math.inf], 0.5), quantile([1, 2, 3], 0.5)
    (2.5, inf, 2.0)
    """
    ordered = sorted(float(v) for v in values)
    if not ordered:
        return math.nan
    position = q * (len(ordered) - 1)
    lo = math.floor(position)
    hi = min(lo + 1, len(ordered) - 1)
    fraction = position - lo
    if fraction == 0.0:
        return ordered[lo]
    return ordered[lo] + (ordered[hi] - ordered[lo]) * fraction


def solve_stats(solved_at: list[int]) -> dict:
    """Median and quartiles of episodes-to-solve (−1 = unsolved, counted as +∞), and how many solved.

    >>> solve_stats([100, 200, -1, 300])
    {'median': 250.0, 'q1': 175.0, 'q3': inf, 'solved': 3, 'runs': 4}
    """
    values = [s if s > 0 else math.inf for s in solved_at]
    return {
        "median": quantile(values, 0.5),
        "q1": quantile(values, 0.25),
        "q3": quantile(values, 0.75),
        "solved": sum(s > 0 for s in solved_at),
        "runs": len(solved_at),
    }


def mean_last_100(lengths) -> np.ndarray:
    """m[e] = mean of episodes max(0, e−99) .. e (fewer at the start), as the page's learning curve draws it."""
    lengths = np.asarray(lengths, dtype=np.float64)
    cumulative = np.concatenate([[0.0], np.cumsum(lengths)])
    e = np.arange(1, len(lengths) + 1)
    start = np.maximum(0, e - SOLVED_WINDOW)
    return (cumulative[e] - cumulative[start]) / (e - start)


class SeedComparison:
    """Runs ``algos`` × seeds 0..``seeds``−1 one after another, each for exactly ``episodes`` episodes."""

    def __init__(self, algos, seeds: int, episodes: int, base: CartpoleConfig | None = None, *, make_run: Callable):
        """``make_run(config)`` builds one run's driver (``CartpoleDemo``), so every row is that seed's own run."""
        algos = list(dict.fromkeys(algos))
        if not algos or any(a not in ALGOS for a in algos):
            raise ValueError(f"choose algorithms among {', '.join(ALGOS)}; got {algos}")
        if not 1 <= int(seeds) <= MAX_SEEDS:
            raise ValueError(f"the number of seeds must be between 1 and {MAX_SEEDS}, got {seeds}")
        if not SOLVED_WINDOW <= int(episodes) <= MAX_EPISODES:
            raise ValueError(f"episodes per run must be between {SOLVED_WINDOW} and {MAX_EPISODES}, got {episodes}")
        self.algos = algos
        self.seeds = int(seeds)
        self.episodes = int(episodes)
        self.base = base if base is not None else CartpoleConfig()
        self.make_run = make_run
        self.jobs = [(algo, seed) for algo in algos for seed in range(self.seeds)]
        self.lengths: dict[str, list[np.ndarray]] = {algo: [] for algo in algos}
        self.solved_at: dict[str, list[int]] = {algo: [] for algo in algos}
        self.job = 0
        self.demo = None
        self.steps = 0

    @property
    def done(self) -> bool:
        return self.job >= len(self.jobs)

    def advance_for(self, budget_ms: float) -> None:
        """Train for about ``budget_ms`` of wall time (at least one chunk), across runs as they finish."""
        started = time.perf_counter()
        while not self.done:
            if self.demo is None:
                algo, seed = self.jobs[self.job]
                self.demo = self.make_run(dataclasses.replace(self.base, algo=algo, seed=seed))
            demo = self.demo
            ran = demo.advance(CHUNK_STEPS)
            self.steps += ran
            if len(demo.episode_lengths) >= self.episodes or ran < CHUNK_STEPS:  # enough episodes, or diverged
                self._finish(demo)
            if (time.perf_counter() - started) * 1000.0 >= budget_ms:
                break

    def _finish(self, demo) -> None:
        algo = demo.config.algo
        lengths = np.array(demo.episode_lengths[: self.episodes], dtype=np.float64)
        solved = demo.solved_at if 0 < demo.solved_at <= self.episodes else -1
        self.lengths[algo].append(lengths)
        self.solved_at[algo].append(solved)
        self.job += 1
        self.demo = None

    def progress(self) -> dict:
        """Runs finished, runs in all, and the share of the current run done (by episodes)."""
        current = 0.0
        if self.demo is not None:
            current = min(len(self.demo.episode_lengths) / self.episodes, 1.0)
        return {"finished": self.job, "total": len(self.jobs), "fraction": (self.job + current) / len(self.jobs)}

    def result(self) -> dict:
        """Per algorithm: the median and quartile curves of the 100-episode mean, and the solve statistics."""
        out = {}
        for algo in self.algos:
            runs = self.lengths[algo]
            entry = {"seeds": list(range(len(runs))), "solved_at": list(self.solved_at[algo])}
            entry.update(solve_stats(self.solved_at[algo]) if runs else {"runs": 0, "solved": 0})
            if runs:
                # a run that diverged stops early: its curve ends there (NaN beyond, left out of the quantiles)
                curves = np.full((len(runs), self.episodes), np.nan)
                for i, lengths in enumerate(runs):
                    curves[i, : len(lengths)] = mean_last_100(lengths)
                with np.errstate(all="ignore"):
                    entry["curve_median"] = np.nanmedian(curves, axis=0)
                    entry["curve_q1"] = np.nanpercentile(curves, 25, axis=0)
                    entry["curve_q3"] = np.nanpercentile(curves, 75, axis=0)
            out[algo] = entry
        return out
