"""What the page offers to reproduce, reproduces (issue 29), in the browser where it must be: code links, edited
code that fails in NumPy.

Native halves are in tests/test_code.py and tests/test_reproduce_faults.py.
"""

from __future__ import annotations

import base64
import json
import zlib

import pytest
from helpers import demo_root, wait_status, wait_until
from rlplay.app import bridge


@pytest.fixture
def page(warm_page):
    """This file's first loads connect to a running Python (tests/conftest.py, WarmPages): what they check is the
    page a link opens, not Python's start."""
    return warm_page


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


def test_a_trained_agent_has_a_lineage_in_the_link_and_the_command(warm, server_url, dist):
    """After Watch a trained agent and more training, Copy link and Reproduce presented a run from scratch (seed 0,
    episode 171 where the screen showed 53). Now the link carries agent=pretrained and the steps since loading, and
    opens on the same figures; the command --loads the served agent file and gives them natively; the episode counter
    says what it counts."""
    # Both pages are first loads on the warm Python (tests/conftest.py, WarmPages): Python's start is not the subject.
    page, _ = warm.new_page(1280, 900)
    try:
        check_lineage(page, warm, server_url)
    finally:
        page.close()


def check_lineage(page, warm, server_url):
    import re
    import subprocess
    import sys

    from conftest import ROOT
    from helpers import stat

    page.goto(f"{server_url}?demo=cartpole")
    wait_status(page, "cartpole", ("ready",), timeout=90_000)
    root = demo_root(page, "cartpole")
    root.get_by_role("button", name="Watch a trained agent").click()
    wait_until(lambda: "Loaded" in root.locator(".cartpole-agent-status").text_content(), 30, message="the load")
    # A learning rate changed after the load, before training on: the agent file's own lr must not come back.
    page.evaluate("([d, n, v]) => window.rlplay.registry.set(d, n, v)", ["cartpole", "lr", "0.02"])
    wait_until(lambda: page.evaluate("(d) => window.rlplay.inspect(d).snapshot.config.lr", "cartpole") == "0.02", 10)
    root.get_by_role("radio", name="Train").click()  # it plays (Watch) since the load: now it trains on
    wait_until(lambda: stat(page, "cartpole", "episode") >= 3, 60, message="training on from the agent")
    root.get_by_role("button", name="Pause").click()
    wait_status(page, "cartpole", ("paused", "ready"), timeout=10_000)
    wait_until(lambda: not page.evaluate("(d) => window.rlplay.inspect(d).inFlight", "cartpole"), 10, 0.05, "quiet")
    shown = page.evaluate("(demo) => window.rlplay.inspect(demo)", "cartpole")
    steps = shown["unitsDone"]
    episodes = shown["figures"]["episode"]
    before = shown["snapshot"]["trained_before"]["episodes"]
    assert before > 0 and steps > 0
    episode_text = root.locator('[data-stat="episode"]').text_content()
    assert episode_text == f"{episodes:,} since loading ({before:,} before)"

    root.get_by_role("button", name="Copy link").click()
    output = root.get_by_label("Shareable text")
    link = wait_until(lambda: output.input_value(), 10, 0.05, "the link")
    assert "agent=pretrained" in link and f"steps={steps}" in link
    other, _ = warm.new_page(1280, 900)
    other.goto(link)
    wait_until(
        lambda: other.evaluate("(demo) => window.rlplay?.inspect(demo)?.unitsDone", "cartpole") == steps,
        120,
        0.2,
        "the link's replay",
    )
    assert other.evaluate("(demo) => window.rlplay.inspect(demo).figures", "cartpole") == shown["figures"]
    other.close()

    root.get_by_role("button", name="Reproduce in Python").click()
    command = wait_until(lambda: " -m rlplay " in output.input_value() and output.input_value(), 30, 0.05, "command")
    agent_url = f"{server_url.rstrip('/')}/web/agents/cartpole-pretrained.json"
    assert f"--steps={steps} --load={agent_url} --lr=0.02" in command, command
    assert "--seed" not in command  # the agent file holds the rest of the settings
    run = command.split(" && ")[-1].split(" ", 1)[1]  # "-m rlplay cartpole --steps=... --load=..."
    out = subprocess.run(
        [sys.executable, *run.split(" "), "--json", "--quiet"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "py"), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    figures = json.loads(out.stdout)["figures"]
    assert {name: figures[name] for name in shown["figures"]} == shown["figures"]
    assert re.search(r"since loading", root.locator('[data-stat="episode"]').text_content())
