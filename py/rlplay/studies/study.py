"""A parameter study, declared: which methods, which parameter and values, how many runs, and what one run measures.

    result[m][v][i] = measure(method m, parameter value v, run i)          one number per run
    mean[m][v] = (1/n) Σ_i result[m][v][i]        SE[m][v] = sd_i(result[m][v][i]) / √n        (n runs finished)

A study is the textbook's way to compare learners fairly: not one run at one setting, but each method across its own
parameter (Sutton & Barto's Figures 2.6 and 6.3), each point a mean over independent runs, with its standard error.

Seeds. Run i is seeded from (study seed, i) alone: ``run_seed(seed, i)`` is ``SeedSequence(seed, spawn_key=(i,))``,
the i-th child of ``SeedSequence(seed)``. So every method and every value of run i sees the same random numbers
(common random numbers: differences between points come from the method, not from luck), and a run's result does
not depend on which process, machine or batch of runs computed it: a study gives the same numbers serially, on a
process pool and on a Ray cluster (``rlplay.studies.runner``).

Work is cut into ``Task``s: one method, one value, a range of runs. ``measure`` computes the per-run results of a task
and must give each run the same number whatever range it came in (a test checks, for every study).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rlplay.params import schema


def run_seed(seed: int, run: int) -> np.random.SeedSequence:
    """The seed of run ``run`` of a study with seed ``seed``: the ``run``-th child of ``SeedSequence(seed)``.

    >>> child = np.random.SeedSequence(7).spawn(3)[2]
    >>> run_seed(7, 2).generate_state(2).tolist() == child.generate_state(2).tolist()
    True
    """
    return np.random.SeedSequence(seed, spawn_key=(run,))


@dataclass(frozen=True)
class Method:
    """One curve of a study: a method and the values of its parameter, in increasing order."""

    name: str
    """Its id, e.g. ``expected-sarsa`` (in the results, the CSV and the page)."""
    label: str
    """As the legend writes it, e.g. ``Expected SARSA``."""
    parameter: str
    """The parameter swept, as the axis writes it, e.g. ``α``."""
    values: tuple[float, ...]
    """The parameter's values, increasing."""


@dataclass(frozen=True)
class Task:
    """One unit of work: runs ``start`` .. ``stop − 1`` of method number ``method`` at its value number ``value``."""

    method: int
    value: int
    start: int
    stop: int


@dataclass(frozen=True)
class Study:
    """A parameter study: its methods, how one run is measured, and its settings (a frozen ``config`` dataclass).

    ``measure(config, method, value, runs)`` returns one number per run in ``runs`` (a ``range``) for the method
    named ``method`` at parameter value ``value``, and the work it took (environment steps, or pulls); run i must be
    seeded by ``run_seed(config.seed, i)`` alone.
    ``config`` has at least ``seed`` and ``runs``. ``chunk`` is how many runs one task takes by default: a task
    should take well under 0.1 s in the browser (the page runs one per call within its time budget).
    """

    name: str
    """The scene's name, e.g. ``cliff-alpha-study``."""
    title: str
    """A heading, e.g. ``Figure 6.3 (interim): TD control on the cliff against α``."""
    claim: str
    """The comparison the study makes, in one sentence."""
    metric: str
    """What one run's number is, as the y axis says it, with the config's fields in braces, e.g. ``mean return per
    episode over the first {episodes:,} episodes`` (``describe_metric`` fills them in)."""
    y_label: str
    """The y axis, short, e.g. ``mean return per episode``."""
    x_label: str
    """The x axis, e.g. ``step size α``."""
    x_log2: bool
    """Whether the x axis is logarithmic, base 2 (the book's Figure 2.6)."""
    methods: Callable[[object], tuple[Method, ...]]
    """The methods and their values, for a config."""
    measure: Callable[[object, str, float, range], tuple[list[float], int]]
    config: type
    """The settings dataclass (seed, runs, and the study's own)."""
    chunk: int = 1

    def describe(self) -> dict:
        """The declaration as JSON-able data, for the page (``web/contract.json``): what it shows and its settings."""
        config = self.settings()
        return {
            "title": self.title,
            "claim": self.claim,
            "metric": self.describe_metric(config),
            "y_label": self.y_label,
            "x_label": self.x_label,
            "x_log2": self.x_log2,
            "methods": [dataclasses.asdict(method) for method in self.methods(config)],
            "settings": schema(self.config),
        }

    def describe_metric(self, config) -> str:
        """``metric`` for ``config``: ``mean return per episode over the first 100 episodes``."""
        return self.metric.format(**dataclasses.asdict(config))

    def settings(self, **changes) -> object:
        """The study's config with ``changes`` applied to its defaults (validated by the config)."""
        return self.config(**changes)


def tasks(study: Study, config, chunk: int | None = None) -> list[Task]:
    """Every task of a study, run-major: all methods and values of runs 0..chunk−1 first, so every point of every
    curve gets its first runs early and the curves fill in together.

    >>> from rlplay.studies import STUDIES
    >>> study = STUDIES["cliff-alpha-study"]
    >>> work = tasks(study, study.settings(runs=3), chunk=2)
    >>> len(work), work[0], work[-1]
    (60, Task(method=0, value=0, start=0, stop=2), Task(method=2, value=9, start=2, stop=3))
    """
    chunk = study.chunk if chunk is None else chunk
    if chunk < 1:
        raise ValueError(f"a task takes at least one run, got chunk={chunk}")
    methods = study.methods(config)
    return [
        Task(m, v, start, min(start + chunk, config.runs))
        for start in range(0, config.runs, chunk)
        for m, method in enumerate(methods)
        for v in range(len(method.values))
    ]


def run_task(study: Study, config, task: Task) -> tuple[list[float], int]:
    """The per-run results of one task and its steps (a plain function of its arguments: any process can run it)."""
    method = study.methods(config)[task.method]
    results, steps = study.measure(config, method.name, method.values[task.value], range(task.start, task.stop))
    if len(results) != task.stop - task.start:
        raise ValueError(f"{study.name}: measure returned {len(results)} results for {task.stop - task.start} runs")
    return [float(x) for x in results], int(steps)


class StudyResults:
    """Per-run results of a study as they arrive, and the mean and standard error of every point.

    ``results[m]`` is an array (values, runs) of method m, NaN where a run is not done yet.
    """

    def __init__(self, study: Study, config):
        self.study, self.config = study, config
        self.methods = study.methods(config)
        self.results = [np.full((len(m.values), config.runs), np.nan) for m in self.methods]
        self.total = sum(len(m.values) for m in self.methods) * config.runs  # run results expected
        self.finished = 0
        self.steps = 0  # environment steps (or pulls) taken by the finished runs
        self.cancelled = False

    def add(self, task: Task, values: list[float], steps: int = 0) -> None:
        self.results[task.method][task.value, task.start : task.stop] = values
        self.finished += task.stop - task.start
        self.steps += steps

    @property
    def progress(self) -> float:
        """The share of run results in, 0..1."""
        return self.finished / self.total if self.total else 1.0

    @property
    def done(self) -> bool:
        return self.finished == self.total

    def curves(self) -> dict[str, dict[str, list[float]]]:
        """Per method: ``values`` (the parameter), ``mean`` and ``se`` over the runs finished at each value (NaN with
        no run finished; SE NaN below two runs), and ``runs`` (how many)."""
        out = {}
        for method, results in zip(self.methods, self.results, strict=True):
            means, ses, counts = [], [], []
            for row in results:
                finished = row[~np.isnan(row)]
                n = len(finished)
                counts.append(n)
                if n == 0:
                    means.append(math.nan)
                    ses.append(math.nan)
                    continue
                # fsum: exact, so a mean does not depend on the order its runs arrived in
                mean = math.fsum(finished.tolist()) / n
                means.append(mean)
                if n < 2:
                    ses.append(math.nan)
                    continue
                # SE = sd / √n, sd with n − 1
                variance = math.fsum(((finished - mean) ** 2).tolist()) / (n - 1)
                ses.append(math.sqrt(variance / n))
            out[method.name] = {"values": list(method.values), "mean": means, "se": ses, "runs": counts}
        return out

    def best(self, curves: dict | None = None) -> dict[str, dict]:
        """Per method, its best point so far: ``value``, ``mean``, ``se`` (``{}`` for a method with no run yet);
        from ``curves`` if given (``curves()``)."""
        out = {}
        for name, curve in (self.curves() if curves is None else curves).items():
            finished = [i for i, runs in enumerate(curve["runs"]) if runs > 0]
            if not finished:
                out[name] = {}
                continue
            i = max(finished, key=lambda i: curve["mean"][i])
            out[name] = {"value": curve["values"][i], "mean": curve["mean"][i], "se": curve["se"][i]}
        return out

    def rows(self) -> list[dict]:
        """The finished runs as tidy rows: study, method, parameter, value, run, result."""
        out = []
        for method, results in zip(self.methods, self.results, strict=True):
            for v, value in enumerate(method.values):
                for run, result in enumerate(results[v].tolist()):
                    if not math.isnan(result):
                        out.append(
                            {
                                "study": self.study.name,
                                "method": method.name,
                                "parameter": method.parameter,
                                "value": value,
                                "run": run,
                                "result": result,
                            }
                        )
        return out

    def summary(self) -> dict:
        """What the page shows and ``--json`` prints: the study, its settings, progress and the curves."""
        curves = self.curves()
        return {
            "study": self.study.name,
            "title": self.study.title,
            "metric": self.study.describe_metric(self.config),
            "settings": dataclasses.asdict(self.config),
            "progress": self.progress,
            "finished": self.finished,
            "total": self.total,
            "done": self.done,
            "steps": self.steps,
            "cancelled": self.cancelled,
            "curves": curves,
            "best": self.best(curves),
        }
