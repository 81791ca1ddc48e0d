"""What the page offers to reproduce, reproduces (issue 29), in the browser where it must be: code links, edited
code that fails in NumPy.

Native halves are in tests/test_code.py and tests/test_reproduce_faults.py.
"""

from __future__ import annotations

import base64
import json
import zlib

from helpers import demo_root, wait_status, wait_until
from rlplay.app import bridge


def packed(payload: dict) -> str:
    """A code link's parameter made by hand: base64url of deflate-raw, with no check of what it holds."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = deflate.compress(json.dumps(payload).encode()) + deflate.flush()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


SHOWN = "def ucb(q, n, t, c, u_tie):\n    return 0\n"
# An earlier version the editor never shows: its top level fails to compile, so running it would be seen.
HIDDEN = "raise SystemExit('the hidden version ran')\ndef ucb(:\n"


def test_a_code_link_with_several_versions_of_a_function_runs_only_the_one_it_shows(page, server_url):
    """The link's prompt showed the last version of ucb, but 'Run the code from this link' ran every version's top
    level (a hidden one could fetch a URL from the worker). Now it runs what it shows, and says the rest exist."""
    code = packed({"demo": "bandit", "loads": [[0, "ucb", HIDDEN], [40, "ucb", SHOWN]]})
    page.goto(f"{server_url}?demo=bandit&code={code}")
    wait_status(page, "bandit", ("ready",), timeout=90_000)
    root = demo_root(page, "bandit")
    prompt = root.get_by_role("button", name="Run the code from this link")
    prompt.wait_for(timeout=30_000)
    assert "1 earlier version that its run replaced: not shown, and never run" in root.text_content()
    assert page.evaluate("(demo) => window.rlplay.inspect(demo).editorText", "bandit") == SHOWN
    prompt.click()
    message = root.locator(".code-message")
    wait_until(lambda: "runs now" in message.text_content(), 20, 0.05, "the shown code to run")
    assert "hidden version" not in message.text_content() and "SyntaxError" not in message.text_content()


SINGULAR = (
    "import numpy as np\n"
    "def ucb(q, n, t, c, u_tie):\n"
    "    np.linalg.inv(np.array([[1.0, 2.0], [2.0, 4.0]]))\n"
    "    return 0\n"
)


def test_a_singular_matrix_in_edited_code_fails_in_the_page_as_it_does_natively(page, server_url):
    """NumPy on Pyodide returns NaN for np.linalg.inv of a singular matrix where native NumPy raises LinAlgError, so
    the same edited code ran on in the page and failed in its downloaded .py. The page now fails as natively."""
    bridge.handle("bandit", "create", json.dumps({"params": {"seed": "0"}}))
    bridge.handle("bandit", "set_code", json.dumps({"name": "ucb", "source": SINGULAR}))
    native = json.loads(bridge.handle("bandit", "step", json.dumps({"n": 5}))[0])["error"]
    native = {key: native[key] for key in ("kind", "function", "code_error", "message", "line")}
    assert native["message"] == "LinAlgError: Singular matrix"
    page.goto(f"{server_url}?demo=bandit")
    wait_status(page, "bandit", ("ready",), timeout=90_000)
    loaded = page.evaluate(
        "([source]) => window.rlplay.runtime.call('bandit', 'set_code', {name: 'ucb', source})", [SINGULAR]
    )
    assert "error" not in loaded
    error = page.evaluate(
        """async () => { try { await window.rlplay.runtime.call('bandit', 'step', {n: 5}); return null; }
           catch (e) { return {kind: e.kind, function: e.function, code_error: e.codeError, message: e.message,
                               line: e.line}; } }"""
    )
    assert error == native
