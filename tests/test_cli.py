"""The CLI trains natively and prints the figures the browser shows; its replay is exact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rlplay.demos.gridworld import GridworldConfig, GridworldDemo

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "py")}


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rlplay", *args], capture_output=True, text=True, env=ENV, timeout=timeout, check=True
    )


def test_cli_replays_a_gridworld_run_exactly():
    """The page's "Reproduce in Python" command: same fields, same number of steps, same figures."""
    out = run_cli("gridworld", "--steps", "7777", "--seed", "3", "--alpha", "0.3", "--walls", "1.1_2.2", "--json")
    result = json.loads(out.stdout)
    driver = GridworldDemo(GridworldConfig(seed=3, alpha=0.3, walls="1.1_2.2"))
    driver.advance(7777)
    assert result["figures"] == driver.snapshot(0)["figures"]
    assert result["config"]["walls"] == "1.1_2.2"


def test_cli_reports_ignored_values():
    out = run_cli("bandit", "--steps", "10", "--epsilon", "7", "--quiet")
    assert "ignored epsilon='7'" in out.stderr
    assert "regret-ucb" in out.stdout


@pytest.mark.slow  # a learning run to a threshold: the slow lane
def test_cli_solves_cartpole_with_actor_critic_and_says_so():
    out = run_cli("cartpole", "--algo", "actor-critic", "--seed", "0", "--episodes", "1000", "--quiet", timeout=600)
    assert "solved: the 100-episode mean length reached 475 at episode" in out.stdout, out.stdout


def test_schema_check_passes_on_the_committed_file():
    subprocess.run([sys.executable, "-m", "rlplay", "schema", "--check"], env=ENV, check=True)
