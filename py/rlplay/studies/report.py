"""A study's results as people read them: the summary the page shows, and tidy per-run rows for CSV or JSON.

The page writes its summary from the same ``StudyResults.summary`` (its ``best`` per method), so the command line
and the page say the same numbers.
"""

from __future__ import annotations

import csv
import math
from fractions import Fraction
from pathlib import Path

from rlplay.studies.study import StudyResults

CSV_COLUMNS = ("study", "method", "parameter", "value", "run", "result")


def format_value(value: float, log2: bool = True) -> str:
    """A parameter value as the axis writes it: on a log-2 axis, powers of two below 1 as fractions (the book's).

    >>> format_value(0.0078125), format_value(0.25), format_value(2.0), format_value(0.5, log2=False)
    ('1/128', '1/4', '2', '0.5')
    """
    if log2 and 0 < value < 1:
        exponent = math.log2(value)
        if exponent == int(exponent):
            return str(Fraction(value))
    return f"{value:g}"


def format_number(value: float, digits: int = 2) -> str:
    """A result with a real minus sign, ``–`` for none yet."""
    if value is None or math.isnan(value):
        return "–"
    return f"{value:,.{digits}f}".replace("-", "−")


def summary_lines(results: StudyResults) -> list[str]:
    """The study's table (each method's points: value, mean ± SE) and each method's best point."""
    study, config = results.study, results.config
    digits = 3 if study.x_log2 else 2
    lines = [study.title, f"{study.describe_metric(config)}; {config.runs:,} runs a point, seed {config.seed}"]
    log2 = study.x_log2
    curves = results.curves()
    for method in results.methods:
        curve = curves[method.name]
        lines.append(f"{method.label} ({method.parameter}):")
        for value, mean, se, runs in zip(curve["values"], curve["mean"], curve["se"], curve["runs"], strict=True):
            spread = f" ± {format_number(se, digits)}" if runs >= 2 else ""
            shown = format_value(value, log2)
            lines.append(f"  {method.parameter} = {shown:>6}   {format_number(mean, digits)}{spread}")
    lines.append("best:")
    lines.extend(f"  {line}" for line in best_lines(results))
    if results.cancelled:
        lines.append(f"cancelled at {results.progress:.0%}")
    return lines


def best_lines(results: StudyResults, best: dict | None = None) -> list[str]:
    """Each method's best point so far, as the page's summary and the command line's ``best:`` write it:
    ``Expected SARSA: −44.71 ± 0.33 at α = 1``."""
    study = results.study
    digits = 3 if study.x_log2 else 2
    lines = []
    best = results.best() if best is None else best
    for method in results.methods:
        point = best[method.name]
        if point:
            spread = "" if math.isnan(point["se"]) else f" ± {format_number(point['se'], digits)}"
            lines.append(
                f"{method.label}: {format_number(point['mean'], digits)}{spread} at {method.parameter} = "
                f"{format_value(point['value'], study.x_log2)}"
            )
    return lines


def write_csv(results: StudyResults, path: str | Path) -> None:
    """Every finished run, one row each (``CSV_COLUMNS``), UTF-8."""
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for row in results.rows():
            writer.writerow({**row, "result": repr(row["result"])})  # repr: every bit of the float
