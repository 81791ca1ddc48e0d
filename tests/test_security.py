"""Static checks of the page: no markup or code built from strings, and a strict Content-Security-Policy."""

from __future__ import annotations

import inspect
import json
import random
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "web").rglob("*.js")) + [ROOT / "index.html"]


def test_no_markup_or_code_from_strings():
    forbidden = re.compile(
        r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\s*\(|new\s+Function\b"
        r"|setTimeout\s*\(\s*['\"`]|setInterval\s*\(\s*['\"`]"
    )
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in SOURCES
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if forbidden.search(line)
    ]
    assert offenders == []


def test_content_security_policy_allows_only_own_origin_and_wasm():
    html = (ROOT / "index.html").read_text()
    match = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert match, "index.html has no CSP meta tag"
    directives = dict(part.strip().split(" ", 1) for part in match.group(1).split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self' 'wasm-unsafe-eval'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in match.group(1) and "'unsafe-eval'" not in match.group(1)
    assert "http" not in match.group(1), "no other origin may be allowed"


def test_no_inline_scripts_or_styles():
    html = (ROOT / "index.html").read_text()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "<style" not in html and " style=" not in html


def test_the_worker_only_calls_the_bridge():
    """The URL can never make the page run arbitrary Python: the worker runs one fixed Python expression at start-up
    and otherwise only calls rlplay.app.bridge.handle, which dispatches from a fixed command list."""
    worker = (ROOT / "web" / "runtime" / "worker.js").read_text()
    # every Python the worker runs itself is written in the file: a string literal, or the canary, a literal
    # constant of web/runtime/snapshot.js (the memory snapshot's check); never a value that arrived in a message
    arguments = re.findall(r'runPython\(\s*("(?:[^"\\]|\\.)*"|[A-Za-z_]\w*)\s*,?\s*\)', worker)
    assert len(arguments) == worker.count("runPython(") >= 1
    for argument in arguments:
        assert argument == "CANARY" or re.fullmatch(r'"[^"`$]*"', argument), argument
    snapshot = (ROOT / "web" / "runtime" / "snapshot.js").read_text()
    assert re.search(r'export const CANARY =(\s*"[^"`$]*"\s*\+?)+;', snapshot)
    assert "runPythonAsync" not in worker and "pyodide.globals" not in worker


def test_what_edited_code_can_reach():
    """Edited code (the Code panel, rlplay.core.user_code) runs in the Python worker, where rlplay runs. It sees exactly
    the globals of the module its reference function comes from (a copy: rebinding a name never changes rlplay),
    plus ``rng``, the demo's generator. It is full Python: it may import modules, and in the browser the ``js``
    module reaches the worker's global scope (no DOM and no cookies, but same-origin storage and the network: a
    worker served without a CSP header of its own does not inherit the page's). It runs only when the user presses
    "Run my code" or a link's "Run the code from this link" (never from a URL by itself), within a time budget per
    bridge command."""
    from rlplay.algos import exploration, sample_average
    from rlplay.core import user_code
    from rlplay.demos.bandit import EDITABLE, BanditDemo

    demo = BanditDemo()
    for name, module in [
        ("epsilon_greedy", exploration),
        ("softmax", exploration),
        ("ucb", exploration),
        ("sample_average_update", sample_average),
        ("initial_estimates", sample_average),
    ]:
        arguments = ", ".join(inspect.signature(EDITABLE[name].reference).parameters)
        demo.code.load(name, f"def {name}({arguments}):\n    pass\n")
        namespace = demo.code._current[name][2]
        assert set(namespace) == set(vars(module)) | {"rng"}
        assert namespace["rng"] is demo.race._rng and namespace["__name__"] == "rlplay_user_code"
    assert user_code.BUDGET_S <= 2.0 and user_code.MAX_SOURCE_CHARS == 20_000
    # The bridge is still the one door: the only commands that take source text are set_code (load) and nothing else.
    bridge = (ROOT / "py" / "rlplay" / "app" / "bridge.py").read_text()
    assert bridge.count("slots.load(") == 1 and "exec(" not in bridge and "eval(" not in bridge


def test_code_from_a_link_runs_only_from_its_button():
    """A link's code is decoded and shown (web/code/share.js checks its shape; nothing evaluates it in JS); the only
    path to the worker is runLinkedCode, which only the "Run the code from this link" button calls."""
    panel = (ROOT / "web" / "code" / "panel.js").read_text()
    share = (ROOT / "web" / "code" / "share.js").read_text()
    calls = re.findall(r"runLinkedCode\(\)", panel)
    assert len(calls) == 2  # its definition, and the prompt button's onclick
    assert 'onclick: () => this.runLinkedCode() },\n        "Run the code from this link",' in panel
    assert "set_code" not in share and "runtime" not in share


# ---- "Reproduce in Python": the command is safe to paste into bash, dash, zsh and fish ----------------------------

# The shells the command must be safe in. build.py test installs fish and zsh on Debian when they are missing; zsh is
# optional elsewhere, the others are required.
SHELLS = ("bash", "dash", "zsh", "fish")
REQUIRED_SHELLS = ("bash", "dash", "fish")
WHEEL = "http://127.0.0.1:8000/wheels/0123456789ab/rlplay-0.1.0-py3-none-any.whl"
# Values a crafted link could carry, for every string field and a few numeric ones.
HOSTILE_VALUES = [
    "$(touch PWNED)",
    "`touch PWNED`",
    "'; touch PWNED; '",
    "\\'; touch PWNED #",  # POSIX quoting, read by fish: the escaped quote ends the string
    "(touch PWNED)",  # fish command substitution
    "x; touch PWNED",
    "x && touch PWNED",
    "x | touch PWNED",
    "x\ntouch PWNED",
    "x\rtouch PWNED",
    "> PWNED",
    "=touch",  # zsh: =cmd expands to a path
    "{touch,PWNED}",
    "*",
    "~",
    "$HOME",
    "%self",
    "!!",
    "1.1_2.2; touch PWNED",
    "1.1\u202e_touch PWNED",
    "１．１",  # full-width digits
    "0.1e5'",
]
HOSTILE_FIELDS = {
    "gridworld": ["walls", "start", "goal", "paint", "preset", "explore", "algo", "seed", "alpha"],
    "bandit": ["seed", "epsilon", "arms"],
    "cartpole": ["algo", "lr", "hidden"],
}


def _node_commands(requests: list[dict]) -> list[dict]:
    """Build commands with web/reproduce.js's commandLine; each result is {command} or {error}."""
    script = (
        "import { commandLine } from './web/reproduce.js';"
        "let text = ''; process.stdin.on('data', (d) => (text += d)); process.stdin.on('end', () => {"
        "  const out = JSON.parse(text).map((r) => { try { return {command: commandLine(r)}; }"
        "  catch (e) { return {error: e.constructor.name + ': ' + e.message}; } });"
        "  process.stdout.write(JSON.stringify(out)); });"
    )
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(result.stdout)


STUB = '#!/bin/sh\nfor a in "$0" "$@"; do printf "%s\\037" "$a"; done >> "$STUB_LOG"; printf "\\n" >> "$STUB_LOG"\n'


def _run_in_shell(shell: str, command: str, workdir: Path) -> list[list[str]]:
    """Run ``command`` with python3, pip and python stubbed (they log their argv); returns the logged argvs."""
    for stub in ("bin/python3", "rlplay-env/bin/pip", "rlplay-env/bin/python"):
        path = workdir / stub
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(STUB)
        path.chmod(0o755)
    log = workdir / "argv.log"
    env = {"PATH": f"{workdir / 'bin'}:/usr/bin:/bin", "STUB_LOG": str(log), "HOME": f"{workdir}-home"}
    flags = ["--no-config", "-c"] if shell == "fish" else ["-c"]
    subprocess.run([shutil.which(shell), *flags, command], cwd=workdir, env=env, timeout=30, capture_output=True)
    lines = log.read_text().splitlines() if log.exists() else []
    return [[Path(line.split("\x1f")[0]).name, *line.split("\x1f")[1:-1]] for line in lines]


def _expected_argvs(command: str) -> list[list[str]]:
    return [[Path(words[0]).name, *words[1:]] for words in (part.split(" ") for part in command.split(" && "))]


def _shells():
    missing = [shell for shell in REQUIRED_SHELLS if not shutil.which(shell)]
    assert not missing, f"missing shells {missing}: `python3 build.py test` installs them (Debian: apt-get install)"
    return [shell for shell in SHELLS if shutil.which(shell)]


def test_reproduce_commands_from_hostile_links_run_nothing_else(tmp_path):
    """A link's values go through Python's validation (from_params), then command_args, then the page's builder; the
    command, run in each shell, creates no file and passes each word through unchanged."""
    from rlplay.app.bridge import demo_classes
    from rlplay.core.reproduce import command_args
    from rlplay.params import from_params

    requests = []
    for demo, names in HOSTILE_FIELDS.items():
        _, config_class = demo_classes(demo)
        for name in names:
            for value in HOSTILE_VALUES:
                config, notices = from_params(config_class, {name: value})
                assert notices, f"{demo}.{name}={value!r} was accepted"
                args = command_args(config)
                assert args is not None
                requests.append({"demo": demo, "args": args, "steps": 123, "wheel": WHEEL})
    # Tricky but valid values, which must reach rlplay unchanged.
    from rlplay.demos.cartpole import CartpoleConfig
    from rlplay.demos.gridworld import GridworldConfig

    tricky = (GridworldConfig(walls="-", alpha=1e-5, seed=7, preset="maze"), GridworldConfig(paint="2.3:+0.5_0.1:-1"))
    for config in (*tricky, CartpoleConfig(lr=0.0001)):
        demo = "gridworld" if isinstance(config, GridworldConfig) else "cartpole"
        requests.append({"demo": demo, "args": command_args(config), "steps": 0, "wheel": WHEEL})
    results = _node_commands(requests)
    assert all("command" in result for result in results), [r for r in results if "error" in r][:3]
    commands = sorted({result["command"] for result in results})
    for shell in _shells():
        for index, command in enumerate(commands):
            workdir = tmp_path / f"{shell}-{index}"
            workdir.mkdir()
            argvs = _run_in_shell(shell, command, workdir)
            assert argvs == _expected_argvs(command), (shell, command)
            assert sorted(p.name for p in workdir.iterdir()) == ["argv.log", "bin", "rlplay-env"], (shell, command)


def test_the_builder_refuses_hostile_values_that_skip_python():
    """Even handed raw hostile values (a bug upstream), the builder refuses rather than quotes."""
    requests = [
        {"demo": "gridworld", "args": [["walls", value]], "steps": 1, "wheel": WHEEL} for value in HOSTILE_VALUES
    ]
    requests.append({"demo": "gridworld; touch PWNED", "args": [], "steps": 1, "wheel": WHEEL})
    requests.append({"demo": "gridworld", "args": [], "steps": 1, "wheel": "http://x/$(touch PWNED).whl"})
    results = _node_commands(requests)
    assert all(result.get("error", "").startswith("UnsafeWordError") for result in results), results


def test_every_safe_word_passes_through_each_shell_unchanged(tmp_path):
    """The one rule: a word of [A-Za-z0-9._/:+=-] (not starting with =) is read literally by every shell."""
    rng = random.Random(16)
    alphabet = "aZ09._-/:=+"
    words = ["-", "--", ".", "..", "-e", "-n", "a=b", "a:b", "x/y", "1e-05", "-.-", "_", "a==b", ":", "/"]
    words += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))).lstrip("=") or "a" for _ in range(60)]
    command = "python3 " + " ".join(words)
    results = _node_commands([{"demo": "bandit", "args": [], "steps": 0, "wheel": word} for word in words])
    assert all("command" in result for result in results), results
    for shell in _shells():
        workdir = tmp_path / shell
        workdir.mkdir()
        assert _run_in_shell(shell, command, workdir) == [["python3", *words]], shell
