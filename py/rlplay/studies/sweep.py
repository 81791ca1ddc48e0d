"""``python -m rlplay sweep``: run a parameter study from the command line, on every core or on a Ray cluster.

    python -m rlplay sweep --scene NAME [--runs N] [--workers N] [--ray [ADDRESS]] [--json] [--quiet] [--csv PATH]
                           [--<setting> VALUE ...]

    e.g. python -m rlplay sweep --scene cliff-alpha-study                        (Figure 6.3, interim, 50 runs)
         python -m rlplay sweep --scene bandit-parameter-study --runs 2000      (Figure 2.6 at the book's scale)
         python -m rlplay sweep --scene cliff-alpha-study --ray                 (a new local Ray cluster)
         python -m rlplay sweep --scene cliff-alpha-study --ray 10.0.0.5:6379   (an existing one)

The scenes are the page's (same names, same settings, same seeds): the page and this command give the same numbers.
Settings are the study's own (``--episodes``, ``--epsilon``, ``--pulls``, ``--seed``, ...). By default the runs fan
out over every local core (``--workers 1``: in this process); ``--ray`` sends them to Ray's task API instead (the
optional extra: ``pip install 'rlplay[ray]'``). Prints the summary the page shows; ``--json`` prints it as JSON with
every run's result; ``--csv PATH`` writes every run's result as a tidy table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

from rlplay.params import from_params, schema
from rlplay.studies import STUDIES
from rlplay.studies.report import summary_lines, write_csv
from rlplay.studies.runner import run_study


def _progress_bar(results, started: float) -> None:
    width = 30
    filled = int(width * results.progress)
    seconds = time.perf_counter() - started
    sys.stderr.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {results.finished:,}/{results.total:,} runs  {seconds:.1f} s "
    )
    sys.stderr.flush()


def _settings_parser(study, prog: str) -> argparse.ArgumentParser:
    """The study's settings as flags, with their docs (ranges included) from the config's declaration."""
    parser = argparse.ArgumentParser(prog=prog, add_help=False)
    for entry in schema(study.config):
        parser.add_argument(
            f"--{entry['name']}",
            dest=entry["name"],
            metavar="VALUE",
            help=f"{entry['doc']} (default {entry['default']})",
        )
    return parser


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rlplay sweep",
        description="Run a parameter study (a scene of the page) on every core or on a Ray cluster.",
        add_help=False,
    )
    parser.add_argument("--scene", choices=sorted(STUDIES), help="the study to run")
    parser.add_argument("--workers", type=int, help="local processes (default: every core; 1 = this process)")
    parser.add_argument("--ray", nargs="?", const=True, metavar="ADDRESS", help="run on Ray (a new local cluster)")
    parser.add_argument("--chunk", type=int, help="runs per task (default: the study's)")
    parser.add_argument("--json", action="store_true", help="print the summary and every run's result as JSON")
    parser.add_argument("--csv", metavar="PATH", help="write every run's result to this CSV file")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("-h", "--help", action="store_true")
    known, rest = parser.parse_known_args(argv)
    if known.scene is None:
        if known.help:
            parser.print_help()
            return 0
        parser.error(f"--scene is required: one of {', '.join(sorted(STUDIES))}")
    study = STUDIES[known.scene]
    settings_parser = _settings_parser(study, f"python -m rlplay sweep --scene {known.scene}")
    if known.help:
        parser.print_help()
        print("\nthis study's settings:")
        settings_parser.print_help()
        return 0
    settings = {k: v for k, v in vars(settings_parser.parse_args(rest)).items() if v is not None}
    config, notices = from_params(study.config, settings)
    if notices:
        parser.error("; ".join(notices))
    workers = known.workers if known.workers is not None else (os.cpu_count() or 1)
    if workers < 1:
        parser.error(f"--workers must be at least 1, got {workers}")
    show_progress = not known.quiet and not known.json and sys.stderr.isatty()
    started = time.perf_counter()
    results = None
    try:
        for results in run_study(study, config, workers=workers, ray=known.ray, chunk=known.chunk):
            if show_progress:
                _progress_bar(results, started)
    except RuntimeError as error:  # no ray package
        print(error, file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    if show_progress:
        sys.stderr.write("\n")
    where = f"on Ray ({known.ray})" if isinstance(known.ray, str) else "on Ray" if known.ray else None
    where = where or ("in this process" if workers == 1 else f"on {workers} local processes")
    if known.csv:
        write_csv(results, known.csv)
    if known.json:
        summary = results.summary()
        summary.update(seconds=seconds, where=where, runs=results.rows())
        print(json.dumps(_without_nan(summary), indent=1, ensure_ascii=False, allow_nan=False))
        return 0
    for line in summary_lines(results):
        print(line)
    rate = results.steps / seconds if seconds > 0 else 0.0
    print(f"{results.finished:,} runs in {seconds:.1f} s {where} ({rate:,.0f} steps/s)")
    if known.csv:
        print(f"wrote {known.csv}")
    return 0


def _without_nan(value):
    """NaN (a point with no run yet, an SE of one run) as null, which JSON has."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _without_nan(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_nan(item) for item in value]
    return value
