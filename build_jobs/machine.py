"""What the tests need on this machine: .venv with the pinned test tools, the pinned JS tools, a Chromium,
fish and zsh."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from build_jobs.common import ROOT, TEST_REQUIREMENTS, VENV, log, sha256_of


def venv_python() -> Path:
    return VENV / "bin" / "python"


def ensure_venv() -> Path:
    python = venv_python()
    stamp = VENV / ".requirements"
    wanted = "\n".join(TEST_REQUIREMENTS)
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    if not python.exists():
        log("creating .venv")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    log("installing pinned test dependencies")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *TEST_REQUIREMENTS], check=True
    )
    stamp.write_text(wanted)
    return python


def ensure_extras(python: Path, requirements: list[str]) -> None:
    """Install ``requirements`` into .venv once (a stamp remembers them): the slow lane's Ray, say."""
    stamp = VENV / ".extras"
    wanted = "\n".join(requirements)
    if stamp.exists() and stamp.read_text() == wanted:
        return
    log(f"installing {', '.join(requirements)} for the slow lane")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements], check=True
    )
    stamp.write_text(wanted)


def _playwright_chromium() -> str | None:
    root = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH", Path.home() / ".cache" / "ms-playwright"))
    for candidate in sorted(root.glob("chromium-*/chrome-linux*/chrome"), reverse=True):
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def find_chromium() -> str | None:
    """$CHROMIUM_PATH, then Playwright's own browser, then a system Chromium."""
    env_path = os.environ.get("CHROMIUM_PATH")
    if env_path and os.access(env_path, os.X_OK):
        return env_path
    found = _playwright_chromium()
    if found:
        return found
    for name in ("/usr/bin/chromium", "/usr/bin/chromium-browser", shutil.which("chromium") or ""):
        if name and os.access(name, os.X_OK):
            return name
    return None


def ensure_chromium(python: Path) -> str:
    found = find_chromium()
    if found:
        return found
    log("no Chromium found; trying `playwright install chromium`")
    try:
        subprocess.run(
            [str(python), "-m", "playwright", "install", "chromium"],
            timeout=180,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pass
    found = find_chromium()
    if found:
        return found
    if Path("/etc/debian_version").exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing Debian's chromium with apt-get")
        subprocess.run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"],
            stdout=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    found = find_chromium()
    if found:
        return found
    sys.exit(
        "[build] No Chromium for the end-to-end tests. Install one (Debian: `apt-get install chromium`) "
        "or point CHROMIUM_PATH at a Chromium binary."
    )


def ensure_shells() -> None:
    """fish and zsh, for the test that pastes "Reproduce in Python" into each shell (tests/test_security.py)."""
    missing = [name for name in ("fish", "zsh") if not shutil.which(name)]
    if missing and Path("/etc/debian_version").exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        log(f"installing {' and '.join(missing)} with apt-get")
        subprocess.run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", *missing],
            stdout=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )


def ensure_node_tools() -> None:
    """The pinned JS linter (package-lock.json), installed into node_modules/ when the lock file changes."""
    stamp = ROOT / "node_modules" / ".lock-sha256"
    wanted = sha256_of(ROOT / "package-lock.json")
    if stamp.exists() and stamp.read_text() == wanted:
        return
    log("installing the pinned JS tools (npm ci)")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=ROOT, check=True)
    stamp.write_text(wanted)
