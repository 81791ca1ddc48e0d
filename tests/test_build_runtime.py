"""The trimmed runtime that build.py ships: what it leaves out of NumPy's wheel and Python's stdlib, and that the
lock Pyodide checks names the file it gets. (The whole browser suite runs on this runtime; these are its static
checks.)"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile

import pytest
from conftest import build


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    if not (build.CACHE / build.NUMPY_WHEEL).exists():
        pytest.skip("the vendored Pyodide is not in the cache (python3 build.py fetches it)")
    folder = tmp_path_factory.mktemp("runtime")
    wheel = build.trimmed_numpy(folder)
    stdlib = build.trimmed_stdlib(folder)
    return folder, wheel, stdlib


def test_the_numpy_wheel_loses_only_build_and_typing_files(runtime):
    _, wheel, _ = runtime
    with zipfile.ZipFile(build.CACHE / build.NUMPY_WHEEL) as original, zipfile.ZipFile(wheel) as trimmed:
        before = {info.filename for info in original.infolist()}
        after = {info.filename for info in trimmed.infolist()}
        assert after <= before
        dropped = before - after
        for name in dropped:
            assert name.startswith(build.NUMPY_LEFT_OUT_FOLDERS) or name.endswith(build.NUMPY_LEFT_OUT_SUFFIXES), name
        # Everything that runs stays: every module and extension NumPy has, outside the folders left out (f2py, the
        # PyInstaller hook, the numba/cffi/Cython examples).
        for name in before:
            if name.endswith((".py", ".so")) and not name.startswith(build.NUMPY_LEFT_OUT_FOLDERS):
                assert name in after, name
                assert trimmed.read(name) == original.read(name), name
        assert "numpy/testing/__init__.py" in after and "numpy/random/_pcg64.cpython-312-wasm32-emscripten.so" in after
        assert any(name.startswith("numpy/f2py/") for name in dropped)


def test_the_trimmed_wheel_record_lists_exactly_what_it_holds(runtime):
    _, wheel, _ = runtime
    with zipfile.ZipFile(wheel) as trimmed:
        record_name = next(name for name in trimmed.namelist() if name.endswith(".dist-info/RECORD"))
        rows = [line.split(",") for line in trimmed.read(record_name).decode().splitlines()]
        listed = {path: (digest, size) for path, digest, size in rows}
        assert set(listed) == set(trimmed.namelist())
        for path, (digest, size) in listed.items():
            if path == record_name:
                continue
            data = trimmed.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert (digest, size) == (f"sha256={expected}", str(len(data))), path


def test_the_lock_names_the_trimmed_wheel_and_its_hash(runtime):
    folder, wheel, _ = runtime
    numpy = json.loads(build._trimmed_lock(wheel, folder))["packages"]["numpy"]
    assert (folder / numpy["file_name"]).read_bytes() == wheel.read_bytes()
    assert numpy["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert wheel.parent.name == f"numpy-{hashlib.sha256(wheel.read_bytes()).hexdigest()[:12]}"
    assert set(json.loads(build._trimmed_lock(wheel, folder))["packages"]) == {"numpy"}


def test_the_stdlib_keeps_what_rlplay_and_numpy_import_and_drops_the_rest(runtime):
    _, _, stdlib = runtime

    def top_names(path):
        with zipfile.ZipFile(path) as archive:
            return {name.split("/")[0].removesuffix(".py").removesuffix(".pyc") for name in archive.namelist()}

    tops, original = top_names(stdlib), top_names(build.CACHE / "python_stdlib.zip")
    assert {"json", "random", "inspect", "ast", "zipfile", "dataclasses", "typing"} <= tops
    # Every stdlib module rlplay imports that exists as a file (the rest, like itertools, is built into the wasm).
    assert build._rlplay_direct_imports() & original <= tops
    assert not {"unittest", "doctest", "pdb", "xml", "http", "multiprocessing"} & tops
