"""Build dist/: the rlplay wheel, the trimmed runtime (stdlib, NumPy, lock file), the sealed service worker, the
demo pages."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

from build_jobs.common import CACHE, DIST, NUMPY_WHEEL, PYODIDE_VERSION, ROOT, RUNTIME_FILES, log, sha256_of
from build_jobs.fetch import ensure_vendored


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


def bytecode_beside(files: dict[str, bytes], prefix: str) -> dict[str, bytes]:
    """The bytecode of ``files``' Python sources where an import looks for it beside them
    (``pkg/__pycache__/mod.cpython-312.pyc``), as unchecked hash-based pycs without docstrings (rlplay reads none
    at run time; inspect.getsource reads the source, whose lines the bytecode keeps).

    rlplay ships its sources (the Code panel shows them) and, beside them, this: a first visit imported rlplay and
    every demo from source, compiling about 80 modules. An unchecked pyc is used without comparing it to its source
    (the page's file system gives the source a new mtime on every visit); its code carries the source's path."""
    sources = {name: data for name, data in files.items() if name.endswith(".py")}
    compiled = precompiled(sources, prefix)
    beside = {}
    for name in sources:
        pyc = compiled.get(name[:-3] + ".pyc")
        if pyc is None:
            continue  # precompiled kept the source (no Node.js here, or not Python 3.12)
        folder, _, module = name.rpartition("/")
        beside[f"{folder}/__pycache__/{module[:-3]}.cpython-312.pyc"] = pyc
    return beside


def build_wheel(out_dir: Path) -> Path:
    version = _project_version()
    name = f"rlplay-{version}-py3-none-any.whl"
    dist_info = f"rlplay-{version}.dist-info"
    files: dict[str, bytes] = {}
    for path in sorted((ROOT / "py" / "rlplay").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".json"):
            files[path.relative_to(ROOT / "py").as_posix()] = path.read_bytes()
    files.update(bytecode_beside(files, "/lib/python3.12/site-packages/"))
    files[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: rlplay\nVersion: {version}\nRequires-Dist: numpy>=2.0\n"
    ).encode()
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: rlplay-build.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    content = _deterministic_zip(_with_record(files, f"{dist_info}/RECORD"))
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
# them) and ships its bytecode beside them (bytecode_beside). Bytecode is specific to the Python version, so it is
# compiled by Pyodide's own CPython 3.12, run under Node; the result is cached in CACHE by the hash of its input.
# Without Node the build ships sources and says so.
#
# The bytecode carries no docstrings (what `python -OO` leaves out; asserts and everything else stay): they were a
# third of it (stdlib 2.25 -> 1.9 MB, NumPy's wheel 3.06 -> 2.6 MB, measured as shipped), the page never shows them
# (its stdlib has no pydoc, so no help()), and the stdlib and NumPy are written to run without them. Two modules
# copy docstrings into compiled objects as they are imported and keep theirs (DOCSTRINGS_READ_AT_IMPORT).
DOCSTRINGS_READ_AT_IMPORT = (
    # array_function_from_c_func_and_dispatcher passes each dispatcher's docstring to the C add_docstring, which
    # refuses None unless Python itself runs with -OO.
    "numpy/_core/multiarray.py",
    # Pyodide's C code takes its proxies' method docstrings from here (_pyodide.docstring).
    "_pyodide/_core_docs.py",
)
PYC_COMPILER = r"""
const [indexURL, work] = process.argv.slice(2);
const { loadPyodide } = await import(indexURL + "pyodide.mjs");
const pyodide = await loadPyodide({ indexURL });
pyodide.FS.mkdirTree("/work");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: work }, "/work");
pyodide.runPython(`
import ast, importlib._bootstrap_external as external, importlib.util, json, zipfile
prefix, keep_docstrings = json.load(open("/work/settings.json"))

def without_docstrings(tree):
    # What compile(optimize=2) drops of a module, class or function: a first statement that is a string.
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            text = first.value.value if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) else None
            if isinstance(text, str):
                node.body[:1] = [] if len(node.body) > 1 else [ast.copy_location(ast.Pass(), first)]
    return tree

with zipfile.ZipFile("/work/in.zip") as sources, zipfile.ZipFile("/work/out.zip", "w") as compiled:
    for name in sources.namelist():
        source = sources.read(name)
        try:
            tree = ast.parse(source, prefix + name)
        except SyntaxError:
            continue  # not Python 3.12 (test data): the build keeps the source
        if name not in keep_docstrings:
            tree = without_docstrings(tree)
        code = compile(tree, prefix + name, "exec", dont_inherit=True)
        pyc = external._code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False)
        compiled.writestr(name[:-3] + ".pyc", bytes(pyc))
`);
"""


def precompiled(files: dict[str, bytes], prefix: str) -> dict[str, bytes]:
    """``files`` with every ``.py`` replaced by its ``.pyc`` (docstrings left out, see above), compiled for
    ``prefix + name`` by Pyodide's CPython."""
    sources = {name: data for name, data in files.items() if name.endswith(".py")}
    settings = [prefix, [name for name in DOCSTRINGS_READ_AT_IMPORT if name in sources]]
    key = hashlib.sha256(json.dumps([PYC_COMPILER, settings, sorted(sources)]).encode())
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
            (Path(work) / "settings.json").write_text(json.dumps(settings))
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
