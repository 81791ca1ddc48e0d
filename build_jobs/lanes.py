"""The checks and the test lanes: lint, format, node tests and doctests, then pytest's fast, slow or soak lane."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from build_jobs.common import ROOT, SLOW_LANE_REQUIREMENTS, log
from build_jobs.machine import ensure_chromium, ensure_extras, ensure_node_tools, ensure_shells, ensure_venv
from build_jobs.site import build


def checks(python: Path, env: dict) -> list[tuple[str, list[str]]]:
    """The fast checks that run before pytest, in order: lint, format, JS unit tests, doctests."""
    ruff = [str(python), "-m", "ruff"]
    biome = str(ROOT / "node_modules" / ".bin" / "biome")
    return [
        ("ruff check", [*ruff, "check", "py", "tests", "build.py", "build_jobs"]),
        ("ruff format", [*ruff, "format", "--check", "py", "tests", "build.py", "build_jobs"]),
        ("biome (JS lint + format)", [biome, "ci", "--colors=off", "web", "tests/js"]),
        ("node --test (JS unit tests)", ["node", "--test", "tests/js/"]),
        ("doctests", [str(python), "-m", "pytest", "-q", "--doctest-modules", "py", "-p", "no:cacheprovider"]),
    ]


def setup() -> tuple[Path, str]:
    """Everything the tests need, installed once: .venv, the pinned JS tools, a Chromium, fish and zsh, dist/."""
    python = ensure_venv()
    ensure_node_tools()
    chromium = ensure_chromium(python)
    ensure_shells()
    build()
    return python, chromium


# The lanes (README, "The test lanes"): the fast lane is every test not marked slow or soak, on a running Python (the
# booted `app` page and the `warm` pages, tests/conftest.py) but for a cold smoke test and a few cold starts; the
# slow lane is the learning runs to a threshold, the long claims over seeds, and Python's cold starts under faults,
# slow links, small watchdog limits and service workers (each says so where it is marked); the soak runs all three
# demos for 10 minutes. `.ci/run` runs the fast lane, then the slow.
LANES = {"fast": ["-m", "not slow and not soak"], "slow": ["-m", "slow"], "soak": ["-m", "soak"], "all": ["-m", ""]}


def workers(lane: str, pytest_args: list[str]) -> list[str]:
    """pytest-xdist's options: one test process per core, and an idle process steals single tests from a busy one.
    The booted pages the browser tests share (tests/conftest.py: app, warm) are per process, so a file split between
    processes costs nothing there (a module fixture may be built twice); kept whole, the longest files left one
    process working alone for the last minutes. The soak runs alone: it drives three demos at full speed for 10
    minutes. ``-n`` on the command line (``-n0`` runs in one process) or RLPLAY_TEST_WORKERS overrides the count."""
    if lane == "soak" or any(arg == "-n" or arg.startswith(("-n", "--numprocesses")) for arg in pytest_args):
        return []
    count = int(os.environ.get("RLPLAY_TEST_WORKERS") or os.cpu_count() or 1)
    return ["-n", str(count), "--dist", "worksteal"] if count > 1 else []


def test(args: list[str]) -> int:
    lane = "fast"
    pytest_args = []
    for arg in args:
        if arg in ("--slow", "--soak", "--all"):
            lane = arg.removeprefix("--")
        else:
            pytest_args.append(arg)
    python, chromium = setup()
    env = {**os.environ, "CHROMIUM_PATH": chromium, "PYTHONPATH": str(ROOT / "py")}
    if lane in ("slow", "all"):
        ensure_extras(python, SLOW_LANE_REQUIREMENTS)
        env["RLPLAY_REQUIRE_RAY"] = "1"  # the Ray test runs, never skips, in this lane
    if lane != "slow":
        for name, command in checks(python, env):
            log(f"check: {name}")
            if subprocess.run(command, cwd=ROOT, env=env).returncode != 0:
                log(f"FAILED: {name}")
                return 1
    log(f"running pytest, the {lane} lane (Chromium: {chromium})")
    started = time.monotonic()
    command = [str(python), "-m", "pytest", *LANES[lane], *workers(lane, pytest_args), *pytest_args]
    status = subprocess.run(command, cwd=ROOT, env=env).returncode
    log(f"the {lane} lane took {time.monotonic() - started:.0f} s")
    return status
