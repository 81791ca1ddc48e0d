"""Static checks of the page: no markup or code built from strings, and a strict Content-Security-Policy."""

from __future__ import annotations

import inspect
import re
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
    and otherwise only calls rlplay.demos.bridge.handle, which dispatches from a fixed command list."""
    worker = (ROOT / "web" / "runtime" / "worker.js").read_text()
    assert worker.count("runPython") == 1
    assert "runPythonAsync" not in worker and "pyodide.globals" not in worker


def test_what_edited_code_can_reach():
    """Edited code (the Code panel, rlplay.demos.code) runs in the Python worker, where rlplay runs. It sees exactly
    the globals of the module its reference function comes from (a copy: rebinding a name never changes rlplay),
    plus ``rng``, the demo's generator. It is full Python: it may import modules, and in the browser the ``js``
    module reaches the worker's global scope (no DOM and no cookies, but same-origin storage and the network: a
    worker served without a CSP header of its own does not inherit the page's). It runs only when the user presses
    "Run my code" or a link's "Run the code from this link" (never from a URL by itself), within a time budget per
    bridge command."""
    from rlplay.algos import exploration, sample_average
    from rlplay.demos import code as user_code
    from rlplay.demos.bandit import EDITABLE, BanditDemo

    demo = BanditDemo()
    for name, module in [
        ("epsilon_greedy", exploration),
        ("softmax", exploration),
        ("ucb", exploration),
        ("sample_average_update", sample_average),
    ]:
        arguments = ", ".join(inspect.signature(EDITABLE[name].reference).parameters)
        demo.code.load(name, f"def {name}({arguments}):\n    pass\n")
        namespace = demo.code._current[name][2]
        assert set(namespace) == set(vars(module)) | {"rng"}
        assert namespace["rng"] is demo.race._rng and namespace["__name__"] == "rlplay_user_code"
    assert user_code.BUDGET_S <= 2.0 and user_code.MAX_SOURCE_CHARS == 20_000
    # The bridge is still the one door: the only commands that take source text are set_code (load) and nothing else.
    bridge = (ROOT / "py" / "rlplay" / "demos" / "bridge.py").read_text()
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
