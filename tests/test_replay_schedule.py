"""The Code panel's downloaded .py replays a page's run as it happened (issue 29): its settings at step 0, each mid-run
change at its step (a setting, an edit of the grid, a code load) and the agent it started from, to the figures the
page showed. The page's run is played here through the bridge, call for call as the page makes them; the .py's
``reproduce`` must give the same figures. (It used to replay the current settings from step 0, with a note, and to
start a loaded agent's run from scratch without one.)"""

from __future__ import annotations

import inspect
from pathlib import Path

from rlplay.app import replay
from rlplay.demos.gridworld import code as gridworld_code
from snapshots import bridge_payload

PRETRAINED = Path(__file__).resolve().parents[1] / "web" / "agents" / "cartpole-pretrained.json"


def page_run(demo: str, params: dict, calls: list) -> tuple[dict, dict]:
    """Create ``demo`` as the page does, then make ``calls`` ([command, args]); returns (config at step 0, figures)."""
    start = bridge_payload(demo, "create", params=params)["snapshot"]["config"]
    figures = None
    for command, args in calls:
        payload = bridge_payload(demo, command, **args)
        if "snapshot" in payload:
            figures = payload["snapshot"]["figures"]
        assert "error" not in payload, payload
    return start, figures


def test_a_bandit_with_epsilon_changed_mid_run_replays_to_the_same_figures():
    start, page = page_run(
        "bandit",
        {"seed": "2"},
        [["step", {"n": 300}], ["configure", {"params": {"epsilon": 0.3}}], ["step", {"n": 400}]],
    )
    changes = [[300, "configure", {"params": {"epsilon": 0.3}}]]
    assert replay.reproduce("bandit", start, [], 700, changes) == page
    # the oracle can fail: the same run without its change, or with it at another pull, is another run
    assert replay.reproduce("bandit", {**start, "epsilon": "0.3"}, [], 700) != page
    assert replay.reproduce("bandit", start, [], 700, [[200, "configure", {"params": {"epsilon": 0.3}}]]) != page


def test_a_gridworld_with_alpha_a_wall_and_edited_code_mid_run_replays_to_the_same_figures():
    reference = inspect.getsource(gridworld_code.EDITABLE["q_learning_update"].reference)
    edited = reference.replace(
        "td_target = r if terminated else r + gamma * max(Q[s_next])", "td_target = r"
    )  # a learner that sees only the reward (the Code panel's own example)
    assert edited != reference
    calls = [
        ["step", {"n": 500}],
        ["configure", {"params": {"alpha": 0.9}}],
        ["step", {"n": 300}],
        ["toggle_wall", {"args": {"row": 1, "col": 1}}],
        ["step", {"n": 200}],
        ["set_code", {"name": "q_learning_update", "source": edited}],
        ["step", {"n": 250}],
    ]
    start, page = page_run("gridworld", {"seed": "3"}, calls)
    changes = [
        [500, "configure", {"params": {"alpha": 0.9}}],
        [800, "toggle_wall", {"args": {"row": 1, "col": 1}}],
        [1000, "set_code", {"name": "q_learning_update", "source": edited}],
    ]
    assert replay.reproduce("gridworld", start, [], 1250, changes) == page
    assert replay.reproduce("gridworld", start, [], 1250, changes[:2]) != page  # the code load matters
    bridge_payload("gridworld", "reset_code")


def test_a_loaded_agent_trained_on_with_changes_replays_from_the_agent_file():
    text = PRETRAINED.read_text()
    bridge_payload("cartpole", "create", params={})
    loaded = bridge_payload("cartpole", "load_agent", args={"text": text})["snapshot"]["figures"]
    assert loaded["steps"] == 0
    start = bridge_payload("cartpole", "configure", params={"lr": 0.02})["snapshot"]["config"]  # at step 0
    bridge_payload("cartpole", "step", n=600)
    bridge_payload("cartpole", "configure", params={"gamma": 0.95})
    page = bridge_payload("cartpole", "step", n=400)["snapshot"]["figures"]
    changes = [[600, "configure", {"params": {"gamma": 0.95}}]]
    assert replay.reproduce("cartpole", start, [], 1000, changes, agent=str(PRETRAINED)) == page
    assert replay.reproduce("cartpole", start, [], 1000, changes) != page  # from scratch: another run
