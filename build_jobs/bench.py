"""The benchmark (tests/bench.py) and the link-preview cards (tests/cards.py), each on a fresh build."""

from __future__ import annotations

import os
import subprocess

from build_jobs.common import ROOT
from build_jobs.machine import ensure_chromium, ensure_venv
from build_jobs.site import build


def bench(args: list[str]) -> int:
    python = ensure_venv()
    chromium = ensure_chromium(python)
    build()
    env = {**os.environ, "CHROMIUM_PATH": chromium, "PYTHONPATH": str(ROOT / "py")}
    return subprocess.run([str(python), str(ROOT / "tests" / "bench.py"), *args], cwd=ROOT, env=env).returncode


def cards(args: list[str]) -> int:
    """Make web/img/card-<demo>.png, the link-preview images, from real screenshots (tests/cards.py)."""
    python = ensure_venv()
    chromium = ensure_chromium(python)
    build()
    env = {**os.environ, "CHROMIUM_PATH": chromium, "PYTHONPATH": str(ROOT / "py")}
    status = subprocess.run([str(python), str(ROOT / "tests" / "cards.py"), *args], cwd=ROOT, env=env).returncode
    if status == 0:
        build()  # dist/ gets the new images
    return status
