"""Compare cart-pole algorithms over many seeds, as a careful researcher would: medians, quartiles, solved k of N.

    for algo in algos, for seed in 0 .. N−1:  train (algo, seed) until solved, or for ``episodes`` episodes
    solved_at      = the first episode at which the mean length of the last 100 reached 475 (CartPole-v1's
                     threshold), else unsolved
    curve_algo(e)  = median over seeds of the mean length of episodes e−99 .. e  (band: 25th–75th percentile); a run
                     that solved stops there, and its curve is held at the mean it solved with

REINFORCE (with or without its baseline) and actor-critic runs train together, as one NumPy computation over the
batch of runs (``rlplay.algos.batched_policy_gradient``): every run is still the run the demo makes with that seed
(the same bits: the tests compare whole runs), sooner: the steps of all runs cost about one run's, the updates are
still each run's own (README, "Benchmark", has the measured times). PPO and DQN runs train one after another, each a
``CartpoleDemo`` of its own.

The work is cut into budgeted chunks (``SeedComparison.advance_for(budget_ms)``) so that the page's worker answers
between chunks: the page shows progress and can cancel by simply not asking for the next chunk. Any row of the table
can be replayed by itself: it is that seed's run of the demo.

Quantiles of episodes-to-solve treat an unsolved run as "later than the budget" (+∞): a median is a number only when
at least half the runs solved, otherwise it is reported as unsolved within the budget.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable

import numpy as np

from rlplay.algos.batched_policy_gradient import BatchedPolicyGradient
from rlplay.demos.cartpole.config import ALGOS, SOLVED_MEAN_LENGTH, SOLVED_WINDOW, CartpoleConfig

MAX_SEEDS = 50
MAX_EPISODES = 3000
CHUNK_STEPS = 500  # steps per advance() call of a lone run inside a budget; the budget is checked between calls
BATCH_CHUNK_STEPS = 100  # steps of the batch per advance() call (all its runs at once)
BATCHED_ALGOS = ("reinforce", "reinforce-baseline", "actor-critic")  # trained together (BatchedPolicyGradient)


def quantile(values, q: float) -> float:
    """Linear-interpolation quantile (NumPy's default) that lets +∞ (unsolved) through instead of making NaN.

    >>> quantile([1, 2, 3, 4], 0.5), quantile([1, 2, math.inf, math.inf], 0.5), quantile([1, 2, 3], 0.5)
    (2.5, inf, 2.0)
    >>> quantile([math.inf, math.inf], 0.25)
    inf
    """
    ordered = sorted(float(v) for v in values)
    if not ordered:
        return math.nan
    position = q * (len(ordered) - 1)
    lo = math.floor(position)
    hi = min(lo + 1, len(ordered) - 1)
    fraction = position - lo
    if fraction == 0.0 or ordered[hi] == ordered[lo]:  # (∞ − ∞ would make NaN)
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


def known_median(solved_at, lower_bounds) -> float | None:
    """The median episodes-to-solve once no unfinished run can change it, else None.

    ``solved_at[i]`` > 0 is a run's solve episode; otherwise the run has not solved (yet), and ``lower_bounds[i]``
    is the earliest episode it could still solve at (+∞ once it has stopped unsolved). The median is known when it
    is the same with every unsolved run at its lower bound as at +∞ (the median rises with each value).

    >>> known_median([100, 200, -1], [0, 0, 150]), known_median([100, 200, -1], [0, 0, 250])
    (None, 200.0)
    """
    low = [s if s > 0 else b for s, b in zip(solved_at, lower_bounds, strict=True)]
    high = [s if s > 0 else math.inf for s in solved_at]
    median = quantile(high, 0.5)
    return median if quantile(low, 0.5) == median else None


class SeedComparison:
    """Trains ``algos`` × seeds 0..``seeds``−1, each run until solved or for ``episodes`` episodes."""

    def __init__(
        self,
        algos,
        seeds: int,
        episodes: int,
        base: CartpoleConfig | None = None,
        *,
        make_run: Callable,
        batch: bool = True,
    ):
        """``make_run(config)`` builds one run's driver (``CartpoleDemo``), so every row is that seed's own run; its
        ``make_learner`` and ``run_streams`` give the batched runs the same learners and random streams. With
        ``batch=False`` every run trains alone, one after another (the same numbers, slower: for the benchmark)."""
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
        self.lengths: dict[str, list] = {algo: [None] * self.seeds for algo in algos}
        self.solved_at: dict[str, list[int]] = {algo: [-1] * self.seeds for algo in algos}
        self.steps = 0
        batched = [(algo, seed) for algo, seed in self.jobs if batch and algo in BATCHED_ALGOS]
        self.sequential = [job for job in self.jobs if job not in batched]
        self.batch, self.batch_jobs = None, batched
        if batched:
            learners, env_seeds, action_seeds = [], [], []
            for algo, seed in batched:
                streams = make_run.run_streams(seed)
                learners.append(make_run.make_learner(self._config(algo, seed), streams["learner"]))
                env_seeds.append(streams["env"])
                action_seeds.append(streams["action"])
            self.batch = BatchedPolicyGradient(
                learners,
                env_seeds,
                action_seeds,
                max_episodes=self.episodes,
                solved_mean_length=SOLVED_MEAN_LENGTH,
                solved_window=SOLVED_WINDOW,
            )
        self.job = 0  # the next of the sequential jobs
        self.demo = None

    def _config(self, algo: str, seed: int) -> CartpoleConfig:
        return dataclasses.replace(self.base, algo=algo, seed=seed)

    @property
    def done(self) -> bool:
        return (self.batch is None or self.batch.done) and self.job >= len(self.sequential)

    def advance_for(self, budget_ms: float) -> None:
        """Train for about ``budget_ms`` of wall time (at least one chunk): the batch first, then the lone runs."""
        started = time.perf_counter()
        while not self.done:
            if self.batch is not None and not self.batch.done:
                self.steps += self.batch.advance(BATCH_CHUNK_STEPS)
                self._collect_batch()
            else:
                if self.demo is None:
                    self.demo = self.make_run(self._config(*self.sequential[self.job]))
                demo = self.demo
                ran = demo.advance(CHUNK_STEPS)
                self.steps += ran
                solved = 0 < demo.solved_at
                if solved or len(demo.episode_lengths) >= self.episodes or ran < CHUNK_STEPS:  # or diverged
                    self._finish(demo)
            if (time.perf_counter() - started) * 1000.0 >= budget_ms:
                break

    def _collect_batch(self) -> None:
        """Keep the results of the batched runs that have stopped."""
        batch = self.batch
        for i, (algo, seed) in enumerate(self.batch_jobs):
            if not batch.training[i] and self.lengths[algo][seed] is None:
                self.lengths[algo][seed] = np.array(batch.episode_lengths[i], dtype=np.float64)
                self.solved_at[algo][seed] = batch.solved_at[i]

    def _finish(self, demo) -> None:
        algo, seed = demo.config.algo, demo.config.seed
        self.lengths[algo][seed] = np.array(demo.episode_lengths[: self.episodes], dtype=np.float64)
        solved = demo.solved_at if 0 < demo.solved_at <= self.episodes else -1
        self.solved_at[algo][seed] = solved
        self.job += 1
        self.demo = None

    def _episodes_so_far(self, algo: str, seed: int) -> int:
        """Episodes run (so far) of one run."""
        if self.lengths[algo][seed] is not None:
            return len(self.lengths[algo][seed])
        if (algo, seed) in self.batch_jobs:
            return len(self.batch.episode_lengths[self.batch_jobs.index((algo, seed))])
        if self.demo is not None and (self.demo.config.algo, self.demo.config.seed) == (algo, seed):
            return len(self.demo.episode_lengths)
        return 0

    def progress(self) -> dict:
        """Runs finished, runs in all, and the share of the work done (by episodes: a solved run counts in full)."""
        finished = sum(lengths is not None for algo in self.algos for lengths in self.lengths[algo])
        share = 0.0
        for algo, seed in self.jobs:
            done = self.lengths[algo][seed] is not None
            share += 1.0 if done else min(self._episodes_so_far(algo, seed) / self.episodes, 1.0)
        return {"finished": finished, "total": len(self.jobs), "fraction": share / len(self.jobs)}

    def figures(self) -> dict:
        """Per algorithm, ``compare-median-<algo>``: the median episodes-to-solve as soon as it is known (no run
        still training can change it), −1 until then, and −1 if it is "not solved within the budget"."""
        out = {}
        for algo in self.algos:
            bounds = []
            for seed in range(self.seeds):
                stopped = self.lengths[algo][seed] is not None
                bounds.append(math.inf if stopped else max(self._episodes_so_far(algo, seed) + 1, SOLVED_WINDOW))
            median = known_median(self.solved_at[algo], bounds)
            out[f"compare-median-{algo}"] = median if median is not None and math.isfinite(median) else -1
        return out

    def result(self) -> dict:
        """Per algorithm: the median and quartile curves of the 100-episode mean, and the solve statistics."""
        out = {}
        for algo in self.algos:
            runs = [lengths for lengths in self.lengths[algo] if lengths is not None]
            solved_at = [
                s for s, lengths in zip(self.solved_at[algo], self.lengths[algo], strict=True) if lengths is not None
            ]
            entry = {"seeds": list(range(len(runs))), "solved_at": solved_at}
            entry.update(solve_stats(solved_at) if runs else {"runs": 0, "solved": 0})
            if runs:
                # a solved run stops: its curve is held at the mean it solved with; a run that diverged ends there
                # (NaN beyond, left out of the quantiles)
                curves = np.full((len(runs), self.episodes), np.nan)
                for i, (lengths, solved) in enumerate(zip(runs, solved_at, strict=True)):
                    curve = mean_last_100(lengths)
                    curves[i, : len(curve)] = curve
                    if solved > 0:
                        curves[i, len(curve) :] = curve[-1]
                if np.isnan(curves).any():
                    with np.errstate(all="ignore"):
                        entry["curve_median"] = np.nanmedian(curves, axis=0)
                        entry["curve_q1"] = np.nanpercentile(curves, 25, axis=0)
                        entry["curve_q3"] = np.nanpercentile(curves, 75, axis=0)
                else:  # the same quantiles in one sort, where nanpercentile sorts every episode's column apart
                    entry["curve_q1"], entry["curve_median"], entry["curve_q3"] = np.percentile(
                        curves, [25, 50, 75], axis=0
                    )
            out[algo] = entry
        return out
