#!/usr/bin/env python3
"""RL Playground's one entry point (standard library only, Python 3.11+).

    python3 build.py                 build dist/: a self-contained static site
    python3 build.py serve [--port]  build, then serve dist/ at http://127.0.0.1:8000/
    python3 build.py setup           set up .venv, the JS tools, a Chromium, and build (what `test` does first)
    python3 build.py test [--slow | --soak | --all] [pytest args...]
                                     set up, build, lint, then the fast lane of pytest (--slow: the slow lane
                                     alone; --soak: the 10-minute soak; --all: everything)
    python3 build.py bench           build, then measure load, throughput, smoothness, memory, learning
    python3 build.py cards           build, then screenshot each demo into web/img/card-<demo>.png (link previews)

dist/ holds index.html, web/, the rlplay wheel built from py/, the Pyodide 0.27.7 runtime and its NumPy 2.0.2 wheel.
Every vendored file is checked against a pinned sha256. Downloads are cached outside the repo
(``$RLPLAY_CACHE``, default ``~/.cache/rlplay-build``), so later builds need no network.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_jobs.bench import bench, cards  # noqa: E402
from build_jobs.common import CACHE, CHROMIUM_FLAGS, DIST, NUMPY_WHEEL, ROOT, RUNTIME_FILES  # noqa: E402, F401 - for the tests
from build_jobs.lanes import setup, test  # noqa: E402
from build_jobs.machine import find_chromium  # noqa: E402, F401 - for the tests
from build_jobs.serve import precompress, serve, start_server  # noqa: E402, F401 - the last two: for the tests
from build_jobs.site import (  # noqa: E402, F401 - all but build: for the tests
    NUMPY_LEFT_OUT_FOLDERS,
    NUMPY_LEFT_OUT_SUFFIXES,
    _rlplay_direct_imports,
    _trimmed_lock,
    build,
    build_wheel,
    seal_for_offline,
    trimmed_numpy,
    trimmed_stdlib,
)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Build, serve, test and benchmark RL Playground.")
    parser.add_argument(
        "command", nargs="?", default="build", choices=["build", "serve", "setup", "test", "bench", "cards"]
    )
    parser.add_argument("--port", type=int, default=8000, help="port for `serve` (default 8000)")
    known, rest = parser.parse_known_args(argv)
    if known.command == "build":
        build()
        return 0
    if known.command == "setup":
        setup()
        return 0
    if known.command == "serve":
        serve(known.port)
        return 0
    if known.command == "test":
        return test(rest)
    if known.command == "cards":
        return cards(rest)
    return bench(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
