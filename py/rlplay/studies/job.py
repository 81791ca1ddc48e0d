"""A study run a slice at a time, within a time budget per call: the page's way (one Web Worker, no processes).

    job = StudyJob(STUDIES["cliff-alpha-study"])
    while not job.finished:
        job.run(budget_ms=100)          # whole tasks only, as many as fit the budget (at least one)
        draw(job.snapshot())            # progress, done, curves with mean and SE per point

The work is ``run_study``'s serial path, so a study in the page gives the numbers the command line and a pool give.
A task is never cut: a call starts another task while the time left covers the mean task time so far, so a call
overruns its budget by at most one task (the study's ``chunk`` keeps a task well under 0.1 s in the browser).
"""

from __future__ import annotations

import time

from rlplay.studies.report import best_lines
from rlplay.studies.runner import run_study
from rlplay.studies.study import Study, StudyResults


class StudyJob:
    """One study in progress: ``run(budget_ms)`` advances it, ``cancel()`` stops it, ``snapshot()`` describes it."""

    def __init__(self, study: Study, config=None, chunk: int | None = None):
        self.study = study
        self.config = study.settings() if config is None else config
        self.results = StudyResults(study, self.config)
        self._work = run_study(study, self.config, chunk=chunk)
        self.elapsed_s = 0.0  # time spent in tasks, for steps per second
        self.tasks_run = 0
        self.task_seconds = 0.0

    @property
    def finished(self) -> bool:
        """Done, or cancelled: no more work will be done."""
        return self.results.done or self.results.cancelled

    def run(self, budget_ms: float) -> int:
        """Run whole tasks for about ``budget_ms`` (at least one task unless finished); returns the tasks run."""
        started = time.perf_counter()
        budget_s = max(float(budget_ms), 0.0) / 1000.0
        tasks_run = 0
        while not self.finished:
            task_started = time.perf_counter()
            try:
                self.results = next(self._work)
            except StopIteration:
                break
            tasks_run += 1
            self.tasks_run += 1
            self.task_seconds += time.perf_counter() - task_started
            # stop when a task of the mean length so far would not fit
            if time.perf_counter() - started + self.task_seconds / self.tasks_run > budget_s:
                break
        self.elapsed_s += time.perf_counter() - started
        return tasks_run

    def cancel(self) -> None:
        """Stop: the tasks not run are dropped; the curves keep the runs finished."""
        if not self.finished:
            self.results.cancelled = True
            self._work.close()

    def snapshot(self) -> dict:
        """``StudyResults.summary`` plus the time spent, the steps per second and the summary lines (``best_lines``)."""
        summary = self.results.summary()
        summary["summary"] = best_lines(self.results, summary["best"])
        summary["elapsed_s"] = self.elapsed_s
        summary["steps_per_second"] = self.results.steps / self.elapsed_s if self.elapsed_s > 0 else 0.0
        return summary
