"""Run a study's tasks serially, on a local process pool, or on a Ray cluster, with the same results every way.

    run_study(study, config, workers=1)           in this process, task after task (the page's way, in its worker)
    run_study(study, config, workers=N)           on N local processes (``concurrent.futures``, standard library)
    run_study(study, config, ray=True | ADDRESS)  on Ray: the running cluster, a new local one, or the one at ADDRESS

``run_study`` is a generator: it yields the study's ``StudyResults`` after every finished task, so a caller can
draw the curves as they fill in; ``progress(results)`` is called at the same moments; ``cancel()`` returning true
stops the study after the task in hand (the tasks not started are dropped; ``results.cancelled`` says so, and
``progress`` is called once more).

Every run is seeded from (study seed, run index) alone (``rlplay.studies.study.run_seed``) and a task's results do not
depend on where it ran, so the three ways give the same numbers bit for bit (``tests/test_studies.py``). Tasks
finish in any order on a pool; the results are stored by (method, value, run), and the means are exact sums
(``math.fsum``), so the order changes nothing either.

Ray is optional (``pip install rlplay[ray]``) and imported only when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import rlplay
from rlplay.studies.study import Study, StudyResults, Task, run_task, tasks


def run_study(
    study: Study,
    config=None,
    *,
    workers: int = 1,
    ray: bool | str | None = None,
    chunk: int | None = None,
    progress: Callable[[StudyResults], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Iterator[StudyResults]:
    """Run ``study`` (with ``config``, its defaults if None); yield its results after every finished task.

    ``workers`` > 1 runs the tasks on that many local processes; ``ray`` (True, or a cluster's address) runs them
    on Ray instead. ``chunk`` sets the runs per task (the study's default if None); the results do not depend on it.
    """
    config = study.settings() if config is None else config
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    work = tasks(study, config, chunk)
    results = StudyResults(study, config)
    if ray:
        finished = _on_ray(study, config, work, None if ray is True else str(ray))
    elif workers > 1:
        finished = _on_pool(study, config, work, workers)
    else:
        finished = ((task, run_task(study, config, task)) for task in work)
    try:
        for task, (values, steps) in finished:
            results.add(task, values, steps)
            if progress is not None:
                progress(results)
            yield results
            if cancel is not None and not results.done and cancel():
                results.cancelled = True
                if progress is not None:
                    progress(results)
                return
    finally:
        finished.close()  # a pool or Ray cancels the tasks not started


def run_study_to_end(study: Study, config=None, **options) -> StudyResults:
    """``run_study`` to its end (or its cancellation); returns the results."""
    results = None
    for results in run_study(study, config, **options):  # noqa: B007 (the last yielded is the answer)
        pass
    return results if results is not None else StudyResults(study, study.settings() if config is None else config)


def _on_pool(study, config, work: list[Task], workers: int) -> Iterator[tuple[Task, tuple[list[float], int]]]:
    import concurrent.futures  # here, not above: the page's Python (in a Web Worker) has no processes to pool

    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(run_task, study, config, task): task for task in work}
        try:
            for future in concurrent.futures.as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()  # a no-op for the finished; the running finish before the pool shuts down


def _on_ray(study, config, work: list[Task], address: str | None) -> Iterator[tuple[Task, tuple[list[float], int]]]:
    try:
        import ray
    except ImportError:
        raise RuntimeError("running on Ray needs the ray package: pip install 'rlplay[ray]'") from None
    started_here = not ray.is_initialized()
    if started_here:
        # a cluster elsewhere gets this rlplay with the job (a local one imports it from here)
        runtime_env = {"py_modules": [rlplay]} if address else None
        ray.init(address=address, runtime_env=runtime_env, include_dashboard=False, log_to_driver=False)
    remote_task = ray.remote(run_task)
    study_ref, config_ref = ray.put(study), ray.put(config)
    pending = {remote_task.remote(study_ref, config_ref, task): task for task in work}
    try:
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                yield pending.pop(ref), ray.get(ref)
    finally:
        for ref in pending:
            ray.cancel(ref)
        if started_here:
            ray.shutdown()
