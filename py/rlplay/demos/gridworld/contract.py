"""The gridworld's part of the snapshot contract: every key its ``snapshot()`` sends, its figures, notice
codes and the constants the page reads (the form is explained in ``rlplay.app.contract``)."""

from __future__ import annotations

from rlplay.core.contract import Figure, Key, constant, notices_keys
from rlplay.envs import gridworld as gridworld_env

CONTRACT: dict = {
    "units": "steps",
    "keys": {
        "figures": Key("dict", "the numbers shown in data-stat elements (see figures)"),
        "Q": Key(
            "array",
            "Q(s, a) of every cell and action (0 up, 1 down, 2 left, 3 right)",
            "return",
            ("rows", "cols", 4),
            "float64",
        ),
        "greedy_action": Key(
            "array",
            "argmax_a Q(s, a), the first maximum on ties; -1 where all four are equal "
            "(nothing learned) or where the agent never acts",
            "action",
            ("rows", "cols"),
            "int8",
        ),
        "differs": Key(
            "array",
            "1 where the greedy action (first maximum, as the greedy path takes it) is not "
            "among the optimal ones, on cells where the agent acts",
            "",
            ("rows", "cols"),
            "uint8",
        ),
        "greedy_path": Key(
            "array",
            "cells (row, col) along argmax Q from the start (seeds > 1: the shown run's most frequent, see average)",
            "cell",
            ("*", 2),
            "int32",
        ),
        "agent": Key("list", "the agent's cell (row, col)", "cell", (2,)),
        "trail": Key("list", "cells (row, col) of the current episode so far", "cell", ("*", 2)),
        "episode_lengths": Key(
            "list",
            "steps of each finished episode, from episode_lengths_offset on",
            "steps",
            ("*",),
            update="growing",
            offset="episode_lengths_offset",
        ),
        "episode_returns": Key(
            "list",
            "return (sum of rewards) of each finished episode, from episode_lengths_offset on",
            "return",
            ("*",),
            update="growing",
            offset="episode_lengths_offset",
        ),
        "episode_lengths_offset": Key(
            "int",
            "absolute index of the first episode in episode_lengths (older ones may have been dropped by the driver)",
            "episode",
        ),
        "epsilon_now": Key("number", "ε after its per-episode decay"),
        "model_seen": Key(
            "array",
            "Dyna-Q: 1 where the learned model holds (s, a); zeros for the other rules",
            "",
            ("rows", "cols", 4),
            "uint8",
        ),
        "Q_b": Key(
            "array",
            "compare mode: the second learner's Q, (rows, cols, 4); else an empty (0,) array",
            "return",
            dtype="float64",
        ),
        "greedy_path_b": Key("array", "compare mode: the second learner's greedy path", "cell", ("*", 2), "int32"),
        "compare_returns": Key(
            "array",
            "compare mode: both learners' episode returns, (2, points), each point the mean of compare_bin "
            "episodes from episode compare_first on; else (0,)",
            "return",
            dtype="float64",
        ),
        "compare_bin": Key("int", "compare mode: episodes per point of compare_returns", "episodes"),
        "compare_first": Key("int", "compare mode: the first episode of compare_returns", "episode"),
        "average_mean": Key(
            "array",
            "seeds > 1: (learners, episodes), per episode the mean over the seeds run so far of each seed's return "
            "smoothed over its latest average.smooth episodes (a trailing moving average); else (0,)",
            "return",
            dtype="float64",
        ),
        "average_se": Key(
            "array",
            "seeds > 1: the standard error of average_mean across the seeds (of the smoothed returns); else (0,)",
            "return",
            dtype="float64",
        ),
        "average": Key(
            "dict",
            "seeds > 1: runs, done, episodes, steps of the average, how many last episodes its figures average "
            "(window), the episodes of the curves' moving average (smooth), and shown: the run the grid shows "
            "meanwhile (its seed, episodes so far, path_window: its paths are each learner's most frequent greedy "
            "path over that many latest episodes); else null",
            nullable=True,
        ),
        "planner": Key("dict", "the step-by-step planner (value or policy iteration): its state and V_k"),
        "last_update": Key(
            "dict",
            "the Code panel: the latest update with its real numbers (function, text, line); null before one",
            nullable=True,
        ),
        "V_star": Key("array", "value iteration's V*(s)", "return", ("rows", "cols"), "float64", "static"),
        "policy_star": Key(
            "array",
            "one optimal action per cell (first on ties); -1 where the agent never acts",
            "action",
            ("rows", "cols"),
            "int8",
            "static",
        ),
        "optimal_actions": Key(
            "array",
            "bit a set = action a is optimal (ties within 1e-9)",
            "bitmask",
            ("rows", "cols"),
            "uint8",
            "static",
        ),
        "optimal_path": Key(
            "array", "cells along V*'s greedy policy from the start", "cell", ("*", 2), "int32", "static"
        ),
        "layout": Key("dict", "rows, cols, walls, cliff, start, goal (cells as [row, col])", update="static"),
        "vi": Key(
            "dict",
            "value iteration: sweeps, deltas (max |ΔV| of each sweep, for a Δ trace), converged",
            update="static",
        ),
        **notices_keys(),
    },
    "figures": {
        "episode": Figure("episodes finished", "episodes"),
        "steps": Figure("environment steps taken", "steps"),
        "episode-length": Figure("moves in the last finished episode; -1 before the first", "steps"),
        "greedy-path-length": Figure(
            "moves along argmax Q from the start; -1 while it does not reach the goal", "steps"
        ),
        "optimal-path-length": Figure("value iteration's answer on this layout; -1 if V*'s walk loops", "steps"),
        "episode-return": Figure("return of the last finished episode; 0 before the first", "return"),
        "planning-updates": Figure(
            "Dyna-Q: simulated updates from the model so far (0 for the other rules)", "updates"
        ),
        "plan-sweeps": Figure("sweeps the step-by-step planner has made", "sweeps"),
        "b-episode": Figure("compare mode: the second learner's episodes", "episodes", optional=True),
        "b-episode-return": Figure("compare mode: its last episode's return", "return", optional=True),
        "b-greedy-path-length": Figure("compare mode: its greedy path; -1 if it loops", "steps", optional=True),
        "return-last100": Figure("compare mode: mean return of the last 100 episodes", "return", optional=True),
        "b-return-last100": Figure("compare mode: the same for the second learner", "return", optional=True),
        "average-runs": Figure("seeds > 1: seeds finished", "runs", optional=True),
        "average-return-a": Figure("seeds > 1: mean return at the end, first rule", "return", optional=True),
        "average-return-b": Figure("seeds > 1 with compare: the same, second rule", "return", optional=True),
    },
    "notices": {
        "alpha-zero": "α = 0: nothing is learned",
        "on-policy-alpha-large": "an on-policy rule with a large α: the greedy path keeps changing",
        "gamma-zero": "γ = 0: only the next reward counts",
        "gamma-near-one": "γ close to 1: values settle slowly",
        "epsilon-one": "ε = 1: every action is random",
        "epsilon-zero": "ε = 0: no random actions",
        "tau-tiny": "softmax ≈ greedy",
        "tau-large": "softmax ≈ random",
        "ucb-greedy": "UCB with c = 0 is greedy",
        "episode-too-short": "max_episode_steps is shorter than the shortest path",
        "vi-not-converged": "value iteration stopped before converging",
        "vi-no-path": "V*'s greedy policy does not reach the goal",
    },
    "constants": {
        "actions": constant(list(gridworld_env.ACTION_NAMES), "", "action names, in action order"),
        "step_reward": constant(gridworld_env.STEP_REWARD, "reward", "every move that does not reach the goal"),
        "goal_reward": constant(gridworld_env.GOAL_REWARD, "reward", "entering the goal"),
        "cliff_reward": constant(gridworld_env.CLIFF_REWARD, "reward", "stepping into the cliff"),
    },
}
