"""The Code panel in the browser, as a learner uses it: open it, read the source, edit it, run it, break it, reset it.

Oracles: ``inspect.getsource`` of the function the demo runs, natively; the same driver run natively with the same
edited code (``BanditDemo.code.load``), figure for figure; the reference run's own figures.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest
from conftest import ROOT
from helpers import demo_root, open_setup, stat, wait_status, wait_until
from rlplay.algos import exploration
from rlplay.app import replay
from rlplay.demos.bandit import EDITABLE, BanditConfig, BanditDemo
from rlplay.demos.cartpole import code as cartpole_code
from rlplay.demos.gridworld import GridworldConfig, GridworldDemo
from rlplay.demos.gridworld import code as gridworld_code

FIGURES = "(demo) => window.rlplay.inspect(demo).figures"
EDITOR_TEXT = "(demo) => window.rlplay.inspect(demo).editorText"


@pytest.fixture
def page(app):
    """This file's tests share the session's booted page (tests/conftest.py: app); each opens its setup with
    open_setup, which checks that it starts clean. (The phone test makes its own; a code link opens in a new page.)"""
    return app


def reference(name: str) -> str:
    return inspect.getsource(EDITABLE[name].reference)


ALWAYS_ARM_0 = reference("epsilon_greedy").replace(
    "    if u_explore < epsilon:", "    return 0\n    if u_explore < epsilon:"
)


def open_code(page, query: str, demo: str = "bandit"):
    open_setup(page, query, status=("ready",))
    root = demo_root(page, demo)
    root.locator(".code-panel > summary").click()
    root.locator(".cm-content").wait_for(timeout=30_000)
    return root


def replace_code(page, root, text: str) -> None:
    """Select everything in the editor and type ``text`` in (inserted as typed, without auto-indent)."""
    root.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def step(page, root, times: int, demo: str = "bandit", unit: str = "pulls") -> None:
    start = stat(page, demo, unit)
    for _ in range(times):
        root.get_by_role("button", name="Step", exact=True).click()
        wait_until(lambda start=start: stat(page, demo, unit) > start, 20, 0.02, "a step")
        start += 1


def native(pulls_before: int, edits: dict, pulls_after: int) -> dict:
    demo = BanditDemo(BanditConfig())
    demo.advance(pulls_before)
    for name, source in edits.items():
        demo.code.load(name, source)
    demo.advance(pulls_after)
    return demo.snapshot()["figures"]


def test_bandit_code_panel_shows_runs_breaks_and_resets(page):
    root = open_code(page, "demo=bandit&steps=50")
    assert stat(page, "bandit", "pulls") == 50

    # The source shown is the installed source of the function the demo runs, for every function.
    assert page.evaluate(EDITOR_TEXT, "bandit") == reference("epsilon_greedy")
    for name in ("softmax", "ucb", "sample_average_update", "initial_estimates", "epsilon_greedy"):
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

    # An infinite loop: stopped (how soon is measured in tests/bench.py), the demo pauses with its state whole, and
    # the previous version runs on.
    root.get_by_role("tab", name="ucb").click()
    replace_code(page, root, "def ucb(q, n, t, c, u_tie):\n    while True:\n        pass\n")
    root.get_by_role("button", name="Run my code").click()
    wait_until(lambda: "runs now" in message.text_content(), 10, 0.05, "the loop to load")
    pulls = stat(page, "bandit", "pulls")
    root.get_by_role("button", name="Play", exact=True).click()
    wait_until(lambda: "was stopped" in message.text_content(), 30, 0.05, "the loop to be stopped")
    assert "ucb ran for more than" in message.text_content()
    assert "Running your epsilon_greedy" in root.locator(".code-running").text_content()  # ucb: the reference again
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


def test_bandit_optimistic_initial_values_in_a_few_keystrokes(page):
    root = open_code(page, "demo=bandit&epsilon=0")
    root.get_by_role("tab", name="initial_estimates").click()
    assert page.evaluate(EDITOR_TEXT, "bandit") == reference("initial_estimates")
    # the last line is `return [0.0] * k`: put 5 for 0, as its docstring suggests
    root.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("End")
    for _ in range(len("0.0] * k")):
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("Delete")
    page.keyboard.type("5")
    optimistic = reference("initial_estimates").replace("    return [0.0] * k", "    return [5.0] * k")
    assert page.evaluate(EDITOR_TEXT, "bandit") == optimistic
    root.get_by_role("button", name="Run my code").click()
    wait_until(lambda: "runs now" in root.locator(".code-message").text_content(), 10, 0.05, "the code to load")
    step(page, root, 5)
    greedy_pulls = page.evaluate("(demo) => window.rlplay.inspect(demo).snapshot.N.data.slice(0, 5)", "bandit")
    assert greedy_pulls == [1, 1, 1, 1, 1]  # greedy tried every arm once
    demo = BanditDemo(BanditConfig(epsilon=0.0))
    demo.code.load("initial_estimates", optimistic)
    demo.advance(5)
    assert page.evaluate(FIGURES, "bandit") == demo.snapshot()["figures"]
    page.watch.assert_clean()


def native_last_update(pulls: int) -> dict:
    demo = BanditDemo(BanditConfig(horizon=5000))
    demo.advance(pulls)
    return demo.snapshot()["last_update"]


def test_bandit_last_update_shows_the_numbers_of_each_step_and_the_latest_at_max_speed(page):
    root = open_code(page, "demo=bandit&steps=50&horizon=5000&speed=max")
    root.get_by_role("tab", name="sample_average_update").click()
    last = root.locator(".code-last-update")

    # Step: each pull's update with its numbers (as Python wrote them natively), its line highlighted.
    for pulls in (51, 52):
        step(page, root, 1)
        text = native_last_update(pulls)["text"]
        wait_until(lambda text=text: text in last.text_content(), 10, 0.05, f"the update of pull {pulls}")
        assert "Q[" in text and "←" in text
    highlighted = root.locator(".cm-last-update-line")
    assert highlighted.text_content().strip() == "Q[arm] += (reward - Q[arm]) / N[arm]"

    # At max speed the line follows the run; paused, it is the update of the pull the figures show.
    root.get_by_role("button", name="Play", exact=True).click()
    wait_until(lambda: stat(page, "bandit", "pulls") >= 1500, 60, 0.05, "training at max speed")
    shown_while_running = last.text_content()
    root.get_by_role("button", name="Pause", exact=True).click()
    wait_status(page, "bandit", "paused", timeout=10_000)
    wait_until(lambda: not page.evaluate("(demo) => window.rlplay.inspect(demo).inFlight", "bandit"), 10, 0.05, "idle")
    pulls = int(stat(page, "bandit", "pulls"))
    assert pulls >= 1500 and "pull 52\n" not in shown_while_running  # it moved on with the run
    wait_until(lambda: native_last_update(pulls)["text"] in last.text_content(), 10, 0.05, "the latest update")
    page.watch.assert_clean()


@pytest.mark.parametrize(
    ("body", "words"),
    [("    return q[99]\n", "IndexError"), ("    return 'left'\n", "must return an action")],
)
def test_bandit_failing_code_pauses_with_its_line_marked(page, body, words):
    root = open_code(page, "demo=bandit&speed=30")
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


def test_a_loop_inside_one_c_call_restarts_the_worker_and_the_demo_comes_back_with_the_reference_code(page):
    """sum(range(10**10)) runs no line of Python, so the 2 s line budget cannot stop it: the page's watchdog stops the
    worker, names the learner's code as the cause, restarts it and replays the run to its step with the reference
    code; the edited text stays in the editor, unrun; the page is never left with a dead demo."""
    root = open_code(page, "demo=bandit&steps=30")
    root.get_by_role("tab", name="ucb").click()
    hanging = "def ucb(q, n, t, c, u_tie):\n    total = sum(range(10**10))\n    return 0\n"
    replace_code(page, root, hanging)
    root.get_by_role("button", name="Run my code").click()
    message = root.locator(".code-message")
    wait_until(lambda: "runs now" in message.text_content(), 10, 0.05, "the code to load")
    root.get_by_role("button", name="Step", exact=True).click()
    wait_until(lambda: "was restarted" in message.text_content(), 60, 0.1, "the worker to be restarted")
    # edited code had given signs of life, so the watchdog knew it was running: it waited 2.5 s of silence, not 10
    assert "Your ucb kept Python busy without a pause for more than 2.5 s" in message.text_content()
    assert "sum(range(10**10))" in message.text_content()
    wait_until(lambda: "back at step 30" in message.text_content(), 60, 0.1, "the demo to be replayed")
    assert wait_status(page, "bandit", ("ready", "paused"), timeout=10_000) in ("ready", "paused")
    assert page.locator("#runtime-banner").get_attribute("data-state") == "ready"  # no Restart button to find
    assert page.evaluate(FIGURES, "bandit") == native(30, {}, 0)  # the reference run at the step it had reached
    assert "Running the reference code" in root.locator(".code-running").text_content()
    assert page.evaluate(EDITOR_TEXT, "bandit") == hanging  # nothing lost: the edited text, not running
    step(page, root, 5)
    assert page.evaluate(FIGURES, "bandit") == native(35, {}, 0)

    # The same inside the code's top level, as it loads: nothing was running it yet, and the same recovery follows.
    replace_code(page, root, "total = sum(range(10**10))\n" + hanging)
    root.get_by_role("button", name="Run my code").click()
    wait_until(lambda: "back at step 35" in message.text_content(), 90, 0.1, "the demo to be replayed again")
    assert "Your ucb kept Python busy" in message.text_content()
    assert page.evaluate(FIGURES, "bandit") == native(35, {}, 0)
    assert "Running the reference code" in root.locator(".code-running").text_content()
    page.watch.assert_clean()


FOCUSED = """() => { let node = document.activeElement;
    while (node?.shadowRoot?.activeElement) node = node.shadowRoot.activeElement;
    return {tag: node?.tagName, text: node?.textContent?.slice(0, 40), editor: !!node?.classList?.contains("cm-content")};
}"""


def test_bandit_code_panel_keyboard_only_open_choose_edit_indent_run_leave_and_reset(page):
    open_setup(page, "demo=bandit", status=("ready",))
    root = demo_root(page, "bandit")
    root.locator(".code-panel > summary").focus()
    page.keyboard.press("Enter")  # opens the panel
    root.locator(".cm-content").wait_for(timeout=30_000)
    for _ in range(3):
        page.keyboard.press("Tab")  # epsilon_greedy, softmax, ucb
    assert page.evaluate(FOCUSED)["text"] == "ucb"
    page.keyboard.press("Enter")
    assert root.get_by_role("tab", name="ucb").get_attribute("aria-selected") == "true"
    assert page.evaluate(EDITOR_TEXT, "bandit") == reference("ucb")
    page.keyboard.press("Tab")  # sample_average_update
    page.keyboard.press("Tab")  # initial_estimates
    page.keyboard.press("Tab")  # the editor
    assert page.evaluate(FOCUSED)["editor"]

    # Python indentation from the keyboard: Enter after the def line indents; Tab and Shift-Tab move by 4 spaces.
    page.keyboard.press("Control+Home")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("x = 1")
    assert page.evaluate(EDITOR_TEXT, "bandit").splitlines()[1] == "        x = 1"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("return 0")
    edited = reference("ucb").replace(":\n", ":\n    x = 1\n    return 0\n", 1)
    assert page.evaluate(EDITOR_TEXT, "bandit") == edited

    # Ctrl-Enter runs it; Escape then Tab leaves the editor for Run my code, then Reset to reference.
    page.keyboard.press("Control+Enter")
    message = root.locator(".code-message")
    wait_until(lambda: "runs now" in message.text_content(), 10, 0.05, "the code to load")
    step(page, root, 5)
    assert page.evaluate(FIGURES, "bandit") == native(0, {"ucb": edited}, 5)
    root.locator(".cm-content").focus()
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == {"tag": "BUTTON", "text": "Run my code", "editor": False}
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["text"] == "Reset to reference"
    page.keyboard.press("Enter")
    wait_until(lambda: "Reference code restored" in message.text_content(), 20, 0.05, "the reset")
    assert page.evaluate(FIGURES, "bandit") == native(5, {}, 0)
    assert page.evaluate(EDITOR_TEXT, "bandit") == reference("ucb")
    page.watch.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_bandit_code_panel_on_a_phone_fits_and_works_by_touch(browser, server_url, artifacts, scheme):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, color_scheme=scheme
    )
    page = context.new_page()
    try:
        page.goto(f"{server_url}?demo=bandit&steps=20")
        wait_status(page, "bandit", ("ready",), timeout=90_000)
        root = demo_root(page, "bandit")
        root.locator(".code-panel > summary").tap()
        root.locator(".cm-content").wait_for(timeout=30_000)
        root.get_by_role("tab", name="ucb").tap()
        assert page.evaluate(EDITOR_TEXT, "bandit") == reference("ucb")

        # It fits: nothing wider than the screen, the editor inside it, every control a comfortable target.
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways with the Code panel open ({width} px)"
        editor = root.locator(".code-editor").bounding_box()
        assert editor["x"] >= 0 and editor["x"] + editor["width"] <= 390
        for control in [*root.locator(".code-tabs [role=tab]").all(), root.get_by_role("button", name="Run my code")]:
            box = control.bounding_box()
            assert box["height"] >= 24 and box["width"] >= 24  # WCAG 2.2 target size (minimum)

        # Edit by touch and the on-screen keyboard: always arm 0 for UCB, run it, step: as natively.
        always_0 = "def ucb(q, n, t, c, u_tie):\n    return 0\n"
        root.locator(".cm-content").tap()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(always_0)
        root.get_by_role("button", name="Run my code").tap()
        message = root.locator(".code-message")
        wait_until(lambda: "runs now" in message.text_content(), 10, 0.05, "the code to load")
        for pulls in range(21, 26):
            root.get_by_role("button", name="Step", exact=True).tap()
            wait_until(lambda pulls=pulls: stat(page, "bandit", "pulls") >= pulls, 20, 0.02, "a step")
        assert page.evaluate(FIGURES, "bandit") == native(20, {"ucb": always_0}, 5)
        root.locator(".code-panel").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"code-panel-phone-{scheme}.png"))
    finally:
        context.close()


# -- the gridworld ---------------------------------------------------------------------------------------------------
def grid_reference(name: str) -> str:
    return inspect.getsource(gridworld_code.EDITABLE[name].reference)


TARGET_R_ONLY = grid_reference("q_learning_update").replace(
    "td_target = r if terminated else r + gamma * max(Q[s_next])", "td_target = r"
)


def grid_native(steps_before: int, edits: dict, steps_after: int, **config) -> GridworldDemo:
    demo = GridworldDemo(GridworldConfig(**config))
    demo.advance(steps_before)
    for name, source in edits.items():
        demo.code.load(name, source)
    demo.advance(steps_after)
    return demo


def test_gridworld_code_panel_last_update_edit_break_reset(page):
    root = open_code(page, "demo=gridworld&steps=300", demo="gridworld")
    assert stat(page, "gridworld", "steps") == 300
    assert page.evaluate(EDITOR_TEXT, "gridworld") == grid_reference("q_learning_update")
    root.get_by_role("tab", name="epsilon_greedy").click()
    assert page.evaluate(EDITOR_TEXT, "gridworld") == inspect.getsource(exploration.epsilon_greedy)
    assert root.get_by_role("button", name="Run my code").is_hidden()  # shown only, edited in the bandit demo
    root.get_by_role("tab", name="q_learning_update").click()

    # Step: the last update, with its real numbers, and its line highlighted in the source.
    step(page, root, 1, "gridworld", "steps")
    native = grid_native(301, {}, 0)
    last = root.locator(".code-last-update")
    wait_until(lambda: native.last_update["text"] in last.text_content(), 10, 0.05, "the last update line")
    assert root.locator(".cm-last-update-line").text_content().strip() == "Q[s][a] += alpha * td_error"

    # Target r only: what is learned changes, as natively with the same code.
    replace_code(page, root, TARGET_R_ONLY)
    root.get_by_role("button", name="Run my code").click()
    message = root.locator(".code-message")
    wait_until(lambda: "runs now" in message.text_content(), 10, 0.05, "the code to load")
    for _ in range(3):
        step(page, root, 1, "gridworld", "steps")
    edited = grid_native(301, {"q_learning_update": TARGET_R_ONLY}, 3)
    assert page.evaluate(FIGURES, "gridworld") == edited.snapshot()["figures"]
    wait_until(lambda: edited.last_update["text"] in last.text_content(), 10, 0.05, "the edited update's line")

    # A syntax error: its line marked, training carries on with the edited code.
    broken = TARGET_R_ONLY.replace("    td_target = r\n", "    td_target = r +\n")
    replace_code(page, root, broken)
    root.get_by_role("button", name="Run my code").click()
    wait_until(lambda: "SyntaxError" in message.text_content(), 10, 0.05, "the syntax error")
    assert root.locator(".cm-lintRange-error").count() == 1
    step(page, root, 2, "gridworld", "steps")
    edited.advance(2)
    assert page.evaluate(FIGURES, "gridworld") == edited.snapshot()["figures"]

    # An infinite loop: stopped within 5 s; the demo pauses at the state it showed, then runs on.
    replace_code(
        page,
        root,
        TARGET_R_ONLY.replace("    td_target = r\n", "    td_target = r\n    while s >= 0:\n        s += 1\n"),
    )
    root.get_by_role("button", name="Run my code").click()
    wait_until(lambda: "runs now" in message.text_content(), 10, 0.05, "the loop to load")
    steps = stat(page, "gridworld", "steps")
    root.get_by_role("button", name="Play", exact=True).click()
    wait_until(lambda: "was stopped" in message.text_content(), 30, 0.05, "the loop to be stopped")
    assert "q_learning_update ran for more than" in message.text_content()
    assert wait_status(page, "gridworld", "paused", timeout=5_000) == "paused"
    assert stat(page, "gridworld", "steps") == steps
    step(page, root, 1, "gridworld", "steps")  # the previous version (target r only) runs again
    edited.advance(1)
    assert page.evaluate(FIGURES, "gridworld") == edited.snapshot()["figures"]

    # Reset to reference: the reference run's figures at the same step, exactly.
    root.get_by_role("button", name="Reset to reference").click()
    wait_until(lambda: "Reference code restored" in message.text_content(), 30, 0.05, "the reset")
    assert page.evaluate(FIGURES, "gridworld") == grid_native(307, {}, 0).snapshot()["figures"]
    page.watch.assert_clean()


# -- the cart-pole ---------------------------------------------------------------------------------------------------
def cart_reference(name: str) -> str:
    return inspect.getsource(cartpole_code.EDITABLE[name].reference)


UNCLIPPED = cart_reference("ppo_policy_loss").replace(
    "unclipped_active = ratio * adv <= np.clip(ratio, 1.0 - epsilon, 1.0 + epsilon) * adv",
    "unclipped_active = ratio == ratio  # no clip: every sample pushes",
)


def cart_native(steps: int, loads: list) -> dict:
    """The cart-pole run natively to ``steps`` with each ``[step, name, source]`` loaded at its step (the oracle the
    downloaded .py uses, rlplay.app.replay.reproduce)."""
    return replay.reproduce("cartpole", {"algo": "ppo"}, loads, steps)


def cart_steps(page) -> int:
    return int(page.evaluate(FIGURES, "cartpole").get("steps", 0))


def train_until(page, root, steps: int) -> int:
    """Play at the page's speed until at least ``steps``, pause, wait for the last request; returns the steps."""
    root.get_by_role("button", name="Play", exact=True).click()
    wait_until(lambda: cart_steps(page) >= steps, 120, 0.05, f"{steps} steps")
    root.get_by_role("button", name="Pause", exact=True).click()
    wait_until(lambda: not page.evaluate(IN_FLIGHT, "cartpole"), 20, 0.05, "the last request")
    return cart_steps(page)


IN_FLIGHT = "(demo) => window.rlplay.inspect(demo).inFlight"


def test_cartpole_code_panel_shows_the_policy_gradient_edits_ppo_and_resets(page):
    root = open_code(page, "demo=cartpole&algo=reinforce&speed=max", demo="cartpole")

    # REINFORCE: its update (shown only) and its policy-gradient step, with the seed's grad_logits line in it.
    tabs = root.locator(".code-tabs [role=tab]")
    assert [tab.get_attribute("data-function") for tab in tabs.all()] == ["Reinforce.learn", "reinforce_loss"]
    assert page.evaluate(EDITOR_TEXT, "cartpole") == cart_reference("Reinforce.learn")
    assert root.get_by_role("button", name="Run my code").is_hidden()
    root.get_by_role("tab", name="reinforce_loss").click()
    assert page.evaluate(EDITOR_TEXT, "cartpole") == cart_reference("reinforce_loss")
    assert "grad_logits[rows, actions] += 1.0" in root.locator(".cm-content").text_content()
    assert root.get_by_role("button", name="Run my code").is_visible()

    # PPO (chosen in the page): the panel asks Python again and shows PPO's functions, its clipped loss among them.
    root.locator("label", has_text="PPO").first.click()
    wait_until(lambda: tabs.count() == 5, 20, 0.05, "PPO's functions")
    names = [tab.get_attribute("data-function") for tab in tabs.all()]
    assert names == list(cartpole_code.ALGO_FUNCTIONS["ppo"])
    for name in names:
        root.get_by_role("tab", name=name).click()
        assert page.evaluate(EDITOR_TEXT, "cartpole") == cart_reference(name)
    root.get_by_role("tab", name="ppo_policy_loss").click()
    assert "np.clip(ratio, 1.0 - epsilon, 1.0 + epsilon)" in page.evaluate(EDITOR_TEXT, "cartpole")

    # Train a little with the reference code, then without the clip: the run changes from there, as natively.
    before = train_until(page, root, 1500)
    assert page.evaluate(FIGURES, "cartpole") == cart_native(before, [])
    replace_code(page, root, UNCLIPPED)
    root.get_by_role("button", name="Run my code").click()
    message = root.locator(".code-message")
    wait_until(lambda: "runs now" in message.text_content(), 20, 0.05, "the code to load")
    assert "Running your ppo_policy_loss" in root.locator(".code-running").text_content()
    after = train_until(page, root, before + 2500)  # at least two PPO updates (1024-step rollouts) with it
    edited = cart_native(after, [[before, "ppo_policy_loss", UNCLIPPED]])
    assert page.evaluate(FIGURES, "cartpole") == edited
    assert edited != cart_native(after, [])  # the edit changed training

    # Reset to reference: the reference code, and the reference run's figures at the same step, exactly.
    root.get_by_role("button", name="Reset to reference").click()
    wait_until(lambda: "Reference code restored" in message.text_content(), 60, 0.05, "the reset")
    assert cart_steps(page) == after
    assert page.evaluate(FIGURES, "cartpole") == cart_native(after, [])
    assert page.evaluate(EDITOR_TEXT, "cartpole") == cart_reference("ppo_policy_loss")
    assert "Running the reference code" in root.locator(".code-running").text_content()
    page.watch.assert_clean()


@pytest.mark.slow  # moved from the fast lane: a hang and a cold restart of four demos, 38.6 s at load 15 (slow lane)
def test_a_hang_in_one_demo_restarts_the_worker_and_every_demo_comes_back_with_the_code_it_ran(page):
    """The whole page: the gridworld runs an edited update; the bandit's edited ucb hangs the shared worker inside one
    C call. After the restart the bandit is back with the reference code, the gridworld with its edited update loaded
    at the step it was loaded at: both at the step they had reached, with the figures they had."""
    open_setup(page, "", status=("ready",))
    grid = demo_root(page, "gridworld")
    step(page, grid, 4, "gridworld", "steps")
    grid.locator(".code-panel > summary").click()
    grid.locator(".cm-content").wait_for(timeout=30_000)
    replace_code(page, grid, TARGET_R_ONLY)
    grid.get_by_role("button", name="Run my code").click()
    wait_until(lambda: "runs now" in grid.locator(".code-message").text_content(), 10, 0.05, "the gridworld's code")
    step(page, grid, 3, "gridworld", "steps")
    grid_figures = page.evaluate(FIGURES, "gridworld")
    assert grid_figures == grid_native(4, {"q_learning_update": TARGET_R_ONLY}, 3).snapshot()["figures"]

    bandit = demo_root(page, "bandit")
    step(page, bandit, 10)
    bandit.locator(".code-panel > summary").click()
    bandit.locator(".cm-content").wait_for(timeout=30_000)
    bandit.get_by_role("tab", name="ucb").click()
    replace_code(page, bandit, "def ucb(q, n, t, c, u_tie):\n    total = sum(range(10**10))\n    return 0\n")
    bandit.get_by_role("button", name="Run my code").click()
    message = bandit.locator(".code-message")
    wait_until(lambda: "runs now" in message.text_content(), 10, 0.05, "the bandit's code")
    bandit.get_by_role("button", name="Step", exact=True).click()
    wait_until(lambda: "back at step 10" in message.text_content(), 90, 0.1, "the bandit to be replayed")
    assert page.evaluate(FIGURES, "bandit") == native(10, {}, 0)
    notice = grid.locator(".messages")
    wait_until(lambda: "replayed to step 7" in notice.text_content(), 60, 0.1, "the gridworld to be replayed")
    assert page.evaluate(FIGURES, "gridworld") == grid_figures
    assert "Running your q_learning_update" in grid.locator(".code-running").text_content()
    step(page, grid, 2, "gridworld", "steps")  # and it carries on with its edited update
    assert (
        page.evaluate(FIGURES, "gridworld")
        == (grid_native(4, {"q_learning_update": TARGET_R_ONLY}, 5).snapshot()["figures"])
    )
    page.watch.assert_clean()


# -- sharing ---------------------------------------------------------------------------------------------------------
def run_python_file(path) -> dict:
    completed = subprocess.run(
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "py"), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(completed.stdout)


def test_code_travels_in_a_link_runs_only_when_asked_and_replays_natively(page, warm, tmp_path):
    root = open_code(page, "demo=bandit&steps=20")
    replace_code(page, root, ALWAYS_ARM_0)
    root.get_by_role("button", name="Run my code").click()
    message = root.locator(".code-message")
    wait_until(lambda: "runs now" in message.text_content(), 10, 0.05, "the code to load")
    step(page, root, 10)

    # Reproduce in Python: a .py that replays the run natively (the code loaded at pull 20) with the same numbers.
    with page.expect_download() as download:
        root.get_by_role("button", name="Reproduce in Python (.py)").click()
    path = tmp_path / "run.py"
    download.value.save_as(path)
    assert run_python_file(path) == page.evaluate(FIGURES, "bandit") == native(20, {"epsilon_greedy": ALWAYS_ARM_0}, 10)

    # A setting changed mid-run (UCB's c at pull 30): the .py replays it at its pull (it used to replay the current
    # c from pull 0 and say so), and the figures differ from the run without the change.
    page.evaluate("() => window.rlplay.registry.set('bandit', 'c', 2)")
    wait_until(lambda: page.evaluate("window.rlplay.inspect('bandit').snapshot.config.c") == "2.0", 10, 0.05, "c")
    step(page, root, 5)
    with page.expect_download() as download:
        root.get_by_role("button", name="Reproduce in Python (.py)").click()
    download.value.save_as(path)
    shown = page.evaluate(FIGURES, "bandit")
    assert run_python_file(path) == shown != native(20, {"epsilon_greedy": ALWAYS_ARM_0}, 15)
    # the command cannot carry the change: it says so, and where the exact replay is
    root.get_by_role("button", name="Reproduce in Python", exact=True).click()
    note = root.locator(".share-status")
    wait_until(lambda: "c → 2.0 at step 30" in note.text_content(), 30, 0.05, "the note")
    assert "The Code panel's Reproduce in Python (.py) replays it as it happened." in note.text_content()
    page.evaluate("() => window.rlplay.registry.set('bandit', 'c', 0.5)")  # the link below: the default c
    wait_until(lambda: page.evaluate("window.rlplay.inspect('bandit').snapshot.config.c") == "0.5", 10, 0.05, "c")

    # The link: compressed code, shown on arrival, run by nothing until the prompt is clicked.
    root.get_by_role("button", name="Copy link with my code").click()
    output = root.locator(".code-panel .share-output")
    # The link is compressed asynchronously (CompressionStream): wait for the box to be filled.
    wait_until(lambda: output.input_value() != "", 10, 0.05, "the link to be written")
    link = output.input_value()
    assert "code=" in link and "steps=" not in link
    other, _ = warm.new_page(1280, 900)  # a first load of the link, on the warm shared Python (tests/conftest.py)
    other.watch = page.watch
    other.goto(link)
    wait_status(other, "bandit", ("ready",), timeout=90_000)
    other_root = demo_root(other, "bandit")
    prompt = other_root.get_by_role("button", name="Run the code from this link")
    prompt.wait_for(timeout=30_000)
    assert "has not run" in other_root.locator(".code-prompt").text_content()
    assert other.evaluate(EDITOR_TEXT, "bandit") == ALWAYS_ARM_0
    assert "Running the reference code" in other_root.locator(".code-running").text_content()
    step(other, other_root, 5)
    assert other.evaluate(FIGURES, "bandit") == native(5, {}, 0)  # nothing from the link ran
    prompt.click()
    wait_until(lambda: "from the link runs now" in other_root.locator(".code-message").text_content(), 10, 0.05, "load")
    step(other, other_root, 5)
    assert other.evaluate(FIGURES, "bandit") == native(5, {"epsilon_greedy": ALWAYS_ARM_0}, 5)
    other.close()
    page.watch.assert_clean()


def test_a_damaged_code_link_is_explained_and_runs_nothing(page):
    open_setup(page, "demo=bandit&code=AAAA-not-deflate", status=("ready",))
    root = demo_root(page, "bandit")  # the panel opens by itself to say what is wrong
    message = root.locator(".code-message")
    wait_until(lambda: "could not be read" in message.text_content(), 10, 0.05, "the explanation")
    assert "Nothing from it will run" in message.text_content()
    assert root.get_by_role("button", name="Run the code from this link").count() == 0
    page.watch.assert_clean()
