"""The Code panel in the browser, as a learner uses it: open it, read the source, edit it, run it, break it, reset it.

Oracles: ``inspect.getsource`` of the function the demo runs, natively; the same driver run natively with the same
edited code (``BanditDemo.code.load``), figure for figure; the reference run's own figures.
"""

from __future__ import annotations

import inspect
import time

import pytest
from helpers import demo_root, stat, wait_status, wait_until
from rlplay.demos import code as user_code
from rlplay.demos.bandit import EDITABLE, BanditConfig, BanditDemo

FIGURES = "(demo) => window.rlplay.controllers.get(demo).snapshot.figures"
EDITOR_TEXT = "(demo) => window.rlplay.controllers.get(demo).codePanel.editor.text"


def reference(name: str) -> str:
    return inspect.getsource(EDITABLE[name].reference)


ALWAYS_ARM_0 = reference("epsilon_greedy").replace(
    "    if u_explore < epsilon:", "    return 0\n    if u_explore < epsilon:"
)


def open_code(page, server_url: str, query: str):
    page.goto(f"{server_url}?{query}")
    wait_status(page, "bandit", ("ready",), timeout=90_000)
    root = demo_root(page, "bandit")
    root.locator(".code-panel > summary").click()
    root.locator(".cm-content").wait_for(timeout=30_000)
    return root


def replace_code(page, root, text: str) -> None:
    """Select everything in the editor and type ``text`` in (inserted as typed, without auto-indent)."""
    root.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def step(page, root, times: int) -> None:
    start = stat(page, "bandit", "pulls")
    for _ in range(times):
        root.get_by_role("button", name="Step", exact=True).click()
    wait_until(lambda: stat(page, "bandit", "pulls") == start + times, 20, 0.02, f"{times} steps")


def native(pulls_before: int, edits: dict, pulls_after: int) -> dict:
    demo = BanditDemo(BanditConfig())
    demo.advance(pulls_before)
    for name, source in edits.items():
        demo.code.load(name, source)
    demo.advance(pulls_after)
    return demo.snapshot()["figures"]


def test_bandit_code_panel_shows_runs_breaks_and_resets(page, server_url):
    root = open_code(page, server_url, "demo=bandit&steps=50")
    assert stat(page, "bandit", "pulls") == 50

    # The source shown is the installed source of the function the demo runs, for every function.
    assert page.evaluate(EDITOR_TEXT, "bandit") == reference("epsilon_greedy")
    for name in ("softmax", "ucb", "sample_average_update", "epsilon_greedy"):
        root.get_by_role("tab", name=name).click()
        assert page.evaluate(EDITOR_TEXT, "bandit") == reference(name)
    assert "proves both give the same numbers" in root.locator(".code-twin").text_content()

    # Always arm 0: the ε-greedy lane now pulls arm 0 every time, from where the run was; figures as natively.
    replace_code(page, root, ALWAYS_ARM_0)
    root.get_by_role("button", name="Run my code").click()
    wait_until(lambda: "runs now" in root.locator(".code-message").text_content(), 10, 0.05, "the code to load")
    assert "Running your epsilon_greedy" in root.locator(".code-running").text_content()
    step(page, root, 20)
    assert page.evaluate(FIGURES, "bandit") == native(50, {"epsilon_greedy": ALWAYS_ARM_0}, 20)
    reference_figures = native(70, {}, 0)
    assert page.evaluate(FIGURES, "bandit")["regret-epsilon-greedy"] != reference_figures["regret-epsilon-greedy"]

    # A syntax error marks its line with Python's message; nothing changes and the old (edited) code runs on.
    broken = ALWAYS_ARM_0.replace("    return 0\n", "    return = 0\n")
    replace_code(page, root, broken)
    root.get_by_role("button", name="Run my code").click()
    message = root.locator(".code-message")
    wait_until(lambda: "SyntaxError" in message.text_content(), 10, 0.05, "the syntax error")
    bad_line = broken.splitlines().index("    return = 0") + 1
    assert f"Line {bad_line}:" in message.text_content() and "keeps running" in message.text_content()
    assert root.locator(".cm-lintRange-error").count() == 1
    assert root.locator(".cm-lintRange-error").text_content().strip() == "return = 0"
    step(page, root, 10)
    assert page.evaluate(FIGURES, "bandit") == native(50, {"epsilon_greedy": ALWAYS_ARM_0}, 30)

    # An infinite loop: stopped within 5 s, the demo pauses with its state whole, and Play carries on.
    root.get_by_role("tab", name="ucb").click()
    replace_code(page, root, "def ucb(q, n, t, c, u_tie):\n    while True:\n        pass\n")
    root.get_by_role("button", name="Run my code").click()
    wait_until(lambda: "runs now" in message.text_content(), 10, 0.05, "the loop to load")
    pulls = stat(page, "bandit", "pulls")
    started = time.monotonic()
    root.get_by_role("button", name="Play", exact=True).click()
    wait_until(lambda: "was stopped" in message.text_content(), 10, 0.05, "the loop to be stopped")
    stopped_after = time.monotonic() - started
    print(f"\ninfinite loop stopped after {stopped_after:.2f} s (budget {user_code.BUDGET_S} s)")
    assert stopped_after < 5.0
    assert wait_status(page, "bandit", "paused", timeout=5_000) == "paused"
    assert "Line 3:" in message.text_content() or "Line 2:" in message.text_content()
    assert stat(page, "bandit", "pulls") == pulls  # the pull in progress was undone, none half-made
    step(page, root, 5)  # the reference ucb runs again; the edited ε-greedy still runs
    assert page.evaluate(FIGURES, "bandit") == native(50, {"epsilon_greedy": ALWAYS_ARM_0}, 35)

    # Reset to reference: the reference code, and the reference run's figures at the same step, exactly.
    root.get_by_role("button", name="Reset to reference").click()
    wait_until(lambda: "Reference code restored" in message.text_content(), 20, 0.05, "the reset")
    assert stat(page, "bandit", "pulls") == 85
    assert page.evaluate(FIGURES, "bandit") == native(85, {}, 0)
    assert "Running the reference code" in root.locator(".code-running").text_content()
    root.get_by_role("tab", name="epsilon_greedy").click()
    assert page.evaluate(EDITOR_TEXT, "bandit") == reference("epsilon_greedy")
    page.watch.assert_clean()


@pytest.mark.parametrize(
    ("body", "words"),
    [("    return q[99]\n", "IndexError"), ("    return 'left'\n", "must return an action")],
)
def test_bandit_failing_code_pauses_with_its_line_marked(page, server_url, body, words):
    root = open_code(page, server_url, "demo=bandit&speed=30")
    replace_code(page, root, "def epsilon_greedy(q, epsilon, u_explore, u_action, u_tie):\n" + body)
    root.get_by_role("button", name="Run my code").click()
    message = root.locator(".code-message")
    wait_until(lambda: "runs now" in message.text_content(), 10, 0.05, "the code to load")
    root.get_by_role("button", name="Play", exact=True).click()
    wait_until(lambda: words in message.text_content(), 10, 0.05, words)
    assert "Line 2:" in message.text_content() and "paused" in message.text_content()
    assert wait_status(page, "bandit", "paused", timeout=5_000) == "paused"
    assert root.locator(".cm-lintRange-error").text_content().strip() == body.strip()
    pulls = stat(page, "bandit", "pulls")
    assert page.evaluate(FIGURES, "bandit") == native(pulls, {}, 0)  # nothing half-made: the reference run so far
    page.watch.assert_clean()
