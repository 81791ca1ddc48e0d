"""The trimmed runtime that build.py ships: what it leaves out of NumPy's wheel and Python's stdlib, that both ship
as Python 3.12 bytecode of exactly their sources (docstrings left out), and that the lock Pyodide checks names the
file it gets. (The whole browser suite runs on this runtime; these are its static checks.)"""

from __future__ import annotations

import _imp
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


# Python 3.12's bytecode magic number (Pyodide 0.27.7 runs CPython 3.12.7), and a pyc's flags for "hash-based,
# unchecked": the page's Python uses such a pyc without looking for a source.
MAGIC_3_12 = (3531).to_bytes(2, "little") + b"\r\n"
UNCHECKED_HASH_PYC = 0b01


def assert_compiled_from(pyc: bytes, source: bytes, name: str) -> None:
    """``pyc`` is Python 3.12 bytecode, stamped with the hash of exactly ``source`` (the key CPython 3.12 uses)."""
    assert pyc[:4] == MAGIC_3_12, name
    assert int.from_bytes(pyc[4:8], "little") == UNCHECKED_HASH_PYC, name
    assert pyc[8:16] == _imp.source_hash(int.from_bytes(MAGIC_3_12, "little"), source), name


def test_the_numpy_wheel_loses_only_build_and_typing_files_and_ships_bytecode(runtime):
    _, wheel, _ = runtime
    with zipfile.ZipFile(build.CACHE / build.NUMPY_WHEEL) as original, zipfile.ZipFile(wheel) as trimmed:
        before = {info.filename for info in original.infolist()}
        after = {info.filename for info in trimmed.infolist()}
        left_out = build.NUMPY_LEFT_OUT_FOLDERS
        for name in after - before:
            assert name.endswith(".pyc") and name[:-1] in before, name  # a module's bytecode, for its source
        for name in before - after:
            compiled = name.endswith(".py") and f"{name}c" in after
            assert compiled or name.startswith(left_out) or name.endswith(build.NUMPY_LEFT_OUT_SUFFIXES), name
        # Everything that runs stays: every extension, and every module as bytecode of exactly its source, outside
        # the folders left out (f2py, the PyInstaller hook, the numba/cffi/Cython examples).
        for name in before:
            if name.endswith(".so") and not name.startswith(left_out):
                assert trimmed.read(name) == original.read(name), name
            if name.endswith(".py") and not name.startswith(left_out):
                assert_compiled_from(trimmed.read(f"{name}c"), original.read(name), name)
        assert "numpy/testing/__init__.pyc" in after and "numpy/random/_pcg64.cpython-312-wasm32-emscripten.so" in after
        assert any(name.startswith("numpy/f2py/") for name in before - after)


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


def test_the_stdlib_keeps_what_rlplay_and_numpy_import_as_bytecode_and_drops_the_rest(runtime):
    _, _, stdlib = runtime

    def top_names(path):
        with zipfile.ZipFile(path) as archive:
            return {name.split("/")[0].removesuffix(".py").removesuffix(".pyc") for name in archive.namelist()}

    tops, original = top_names(stdlib), top_names(build.CACHE / "python_stdlib.zip")
    assert {"json", "random", "inspect", "ast", "zipfile", "dataclasses", "typing"} <= tops
    # Every stdlib module rlplay imports that exists as a file (the rest, like itertools, is built into the wasm).
    assert build._rlplay_direct_imports() & original <= tops
    assert not {"unittest", "doctest", "pdb", "xml", "http", "multiprocessing"} & tops
    with zipfile.ZipFile(stdlib) as trimmed, zipfile.ZipFile(build.CACHE / "python_stdlib.zip") as source:
        for name in trimmed.namelist():
            if name.endswith(".pyc"):
                assert_compiled_from(trimmed.read(name), source.read(name[:-1]), name)
        assert "json/__init__.pyc" in trimmed.namelist() and "json/__init__.py" not in trimmed.namelist()


def test_the_bytecode_leaves_out_docstrings_except_those_read_at_import(runtime):
    """Docstrings go (as ``python -OO`` drops them); strings that are data stay, and so do the docstrings of the
    modules that copy theirs into compiled objects on import (DOCSTRINGS_READ_AT_IMPORT)."""
    _, wheel, stdlib = runtime
    with zipfile.ZipFile(wheel) as numpy, zipfile.ZipFile(stdlib) as python:
        # A function's docstring, a module's docstring: gone.
        assert b"Take elements from an array along an axis." not in numpy.read("numpy/_core/fromnumeric.pyc")
        assert b"JSON (JavaScript Object Notation)" not in python.read("json/__init__.pyc")
        # add_newdoc's arguments are data, not docstrings: NumPy attaches them to its C types.
        assert b"Flat iterator object to iterate over arrays." in numpy.read("numpy/_core/_add_newdocs.pyc")
        # The dispatchers' docstrings become those of NumPy's C functions (np.empty_like.__doc__).
        assert b"Return a new array with the same shape and type" in numpy.read("numpy/_core/multiarray.pyc")


def test_the_rlplay_wheel_ships_its_sources_with_their_bytecode_beside_them(tmp_path):
    """The Code panel shows rlplay's sources, so they ship; beside each, in __pycache__ where an import looks first,
    Python 3.12 bytecode of exactly that source, unchecked (the page's file system gives a source a new mtime on
    every visit, which a timestamp pyc would take for a change). A first visit then compiles none of rlplay."""
    if not (build.CACHE / "pyodide.mjs").exists():
        pytest.skip("the vendored Pyodide is not in the cache (python3 build.py fetches it)")
    with zipfile.ZipFile(build.build_wheel(tmp_path)) as wheel:
        names = set(wheel.namelist())
        sources = sorted(name for name in names if name.startswith("rlplay/") and name.endswith(".py"))
        assert "rlplay/app/bridge.py" in sources and len(sources) > 50
        for name in sources:
            folder, _, module = name.rpartition("/")
            pyc = f"{folder}/__pycache__/{module[:-3]}.cpython-312.pyc"
            assert pyc in names, f"{name} ships without its bytecode"
            assert_compiled_from(wheel.read(pyc), wheel.read(name), pyc)
        assert not [name for name in names if name.endswith(".pyc") and "/__pycache__/" not in name]
