"""Bad input never crashes the page and never silently misbehaves.

Each case opens the page with a hostile or impossible URL and asserts two things a user would see: a clear message
that names the problem, and a demo that still works (it reaches ``ready`` and trains when Play is pressed). Hostile
strings must show up as text, never as markup or script.
"""

from __future__ import annotations

import time

import pytest
from helpers import demo_root, stat, wait_status, wait_until

PROGRESS = {"gridworld": "steps", "bandit": "pulls", "cartpole": "episode"}
LONG = "9" * 5000

# (id, query, demo, expected message fragment; None = no message is owed, the demo must simply work)
CASES = [
    ("seed-nan", "demo=gridworld&seed=NaN", "gridworld", "Ignored seed=“NaN”: seed must be a number."),
    ("seed-negative", "demo=gridworld&seed=-5", "gridworld", "Ignored seed=“-5”: seed must be at least 0."),
    ("seed-huge", "demo=gridworld&seed=1e99", "gridworld", "seed must be at most 2147483647"),
    ("seed-long", f"demo=gridworld&seed={LONG}", "gridworld", "seed must be a number"),
    ("alpha-word", "demo=gridworld&alpha=abc", "gridworld", "Ignored alpha=“abc”: alpha must be a number."),
    ("alpha-above-1", "demo=gridworld&alpha=1.5", "gridworld", "alpha must be at most 1"),
    ("gamma-negative", "demo=gridworld&gamma=-0.1", "gridworld", "gamma must be at least 0"),
    ("epsilon-infinity", "demo=gridworld&epsilon=Infinity", "gridworld", "epsilon must be a number"),
    ("epsilon-empty", "demo=gridworld&epsilon=", "gridworld", "epsilon must be a number"),
    ("speed-unknown", "demo=gridworld&speed=warp", "gridworld", "speed must be one of"),
    (
        "explore-unknown",
        "demo=gridworld&explore=greedy",
        "gridworld",
        "explore must be one of epsilon-greedy, softmax, ucb",
    ),
    ("unknown-param", "demo=gridworld&foo=bar", "gridworld", "Ignored unknown parameter “foo”."),
    (
        "script-in-choice",
        "demo=gridworld&preset=<script>alert(1)</script>",
        "gridworld",
        "Ignored preset=“<script>alert(1)</script>”",
    ),
    (
        "markup-in-walls",
        "demo=gridworld&walls=<img src=x onerror=alert(1)>",
        "gridworld",
        "walls must be - (none) or cells row.col",
    ),
    ("markup-in-demo", "demo=<b>bold</b>", "gridworld", "Ignored demo=“<b>bold</b>”"),
    ("markup-in-hide", "demo=bandit&hide=<svg/onload=alert(1)>", "bandit", None),
    ("embed-word", "demo=bandit&embed=maybe", "bandit", "Ignored embed=“maybe”: embed must be 1 or 0."),
    ("grid-1x1", "demo=gridworld&size=1", "gridworld", "a 1x1 grid has no room for a start and a goal"),
    ("goal-walled-off", "demo=gridworld&size=5&walls=3.4_4.3", "gridworld", "cannot be reached"),
    ("start-on-wall", "demo=gridworld&size=5&walls=0.0", "gridworld", "is on a wall"),
    ("start-off-grid", "demo=gridworld&start=99.99", "gridworld", "ignored start='99.99'"),
    ("walls-too-long", f"demo=gridworld&walls={'1.1_' * 600}", "gridworld", "walls is too long"),
    ("prefixed-bad-value", "gridworld.alpha=0.3&bandit.c=abc", "bandit", "Ignored c=“abc”: c must be a number."),
    ("arms-1", "demo=bandit&arms=1", "bandit", "arms must be at least 2"),
    ("arms-11", "demo=bandit&arms=11", "bandit", "arms must be at most 10"),
    ("runs-0", "demo=bandit&runs=0", "bandit", "runs must be at least 1"),
    ("horizon-negative", "demo=bandit&horizon=-10", "bandit", "horizon must be at least"),
    ("arms-fraction", "demo=bandit&arms=2.5", "bandit", "arms must be a whole number"),
    ("algo-unknown", "demo=cartpole&algo=dqn", "cartpole", "algo must be one of"),
    ("hidden-huge", "demo=cartpole&hidden=100000", "cartpole", "hidden must be at most"),
    ("gamma-above-1", "demo=cartpole&gamma=1.5", "cartpole", "gamma must be at most"),
    ("hash-markup", "demo=cartpole#<img src=x onerror=alert(1)>", "cartpole", None),
    # Valid but degenerate settings: they run, and the page says what they mean.
    ("alpha-zero", "demo=gridworld&alpha=0", "gridworld", "α = 0: Q never changes, nothing is learned"),
    ("epsilon-one", "demo=gridworld&epsilon=1", "gridworld", "ε = 1"),
    ("gamma-one", "demo=gridworld&gamma=1", "gridworld", None),
    ("ucb-c-zero", "demo=bandit&c=0", "bandit", "UCB with c = 0"),
    ("softmax-tau-min", "demo=bandit&tau=0.01", "bandit", "softmax ≈ greedy"),
    ("bandit-epsilon-one", "demo=bandit&epsilon=1", "bandit", "ε = 1: ε-greedy pulls arms at random"),
]


@pytest.fixture(scope="module")
def shared_context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.mark.parametrize(("query", "demo", "message"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_bad_input_gets_a_message_and_the_demo_still_works(shared_context, server_url, query, demo, message):
    page = shared_context.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{server_url}?{query}")
        wait_status(page, demo, "ready", timeout=90_000)
        if message is not None:
            shown = page.get_by_text(message, exact=False).first
            shown.wait_for(state="visible", timeout=10_000)
        # Still works: Play trains.
        root = demo_root(page, demo)
        root.scroll_into_view_if_needed()
        root.get_by_role("button", name="Play").click()
        wait_until(lambda: stat(page, demo, PROGRESS[demo]) > 0, 20, message=f"{demo} to make progress")
        assert page.locator("img[src=x], svg[onload], b:text('bold')").count() == 0, "markup from the URL was rendered"
        assert dialogs == [] and errors == [], (dialogs, errors)
    finally:
        page.close()


def test_alpha_zero_learns_nothing(page, server_url):
    page.goto(f"{server_url}?demo=gridworld&alpha=0&speed=max&autoplay=1")
    wait_status(page, "gridworld", "running", timeout=90_000)
    wait_until(lambda: stat(page, "gridworld", "steps") > 5000, 20, message="5000 steps")
    q_max = page.evaluate("() => Math.max(...window.rlplay.inspect('gridworld').snapshot.Q.data.map(Math.abs))")
    assert q_max == 0.0


def test_softmax_with_the_smallest_tau_stays_finite(page, server_url):
    page.goto(f"{server_url}?demo=bandit&tau=0.01&speed=max&autoplay=1")
    wait_status(page, "bandit", "running", timeout=90_000)
    wait_until(lambda: stat(page, "bandit", "pulls") >= 1000, 30, message="1000 pulls")
    for lane in ("epsilon-greedy", "softmax", "ucb"):
        value = stat(page, "bandit", f"regret-{lane}")
        assert 0 <= value < 1e6
    time.sleep(0.2)
    page.watch.assert_clean()
