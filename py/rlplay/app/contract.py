"""The snapshot contract: what each demo's ``snapshot()`` sends to the page, declared once.

For every demo, ``CONTRACT[demo]`` names the figure that counts its units of work (``units``: what ``advance(n)``
counts, and what a link's ``steps=`` and the CLI's ``--steps`` mean), and declares each snapshot key (its type,
shape, units and how it is updated), each figure (``figures[name]``, shown in ``data-stat`` elements), each notice
code, and the constants the page needs (limits, thresholds) straight from the Python modules that own them.
``python -m rlplay schema`` writes it to ``web/contract.json``; the page reads it, so no JavaScript file copies a
Python constant, and the tests check every snapshot against it, natively (``tests/test_contract.py``) and in the
browser (``tests/e2e/test_contract_page.py``).

How a key is updated (``update``):

- ``"live"``: in every snapshot.
- ``"static"``: changes only with the settings or the layout (``config``, ``layout``, ``V_star``, ...). The bridge
  sends the static keys only when they differ from what the page holds: every snapshot carries ``static_version``
  (a digest of the static values); the page sends it back as ``static``, and a snapshot whose static values still
  have that digest leaves them out. The page keeps the last ones it received (``web/demos/controller.js``).
- ``"growing"``: a series that only grows (a learning curve). It is sent from index ``since`` on; the key named by
  ``offset`` says where the tail starts (see ``rlplay.demos``). The page keeps the series (``web/demos/series.js``).

Arrays are NumPy arrays in Python and ``{data: TypedArray, shape}`` in the page; their ``dtype`` is as sent (the
bridge sends int64 as int32 and bool as uint8). A shape is a tuple of sizes: a number, or a name that must take the
same value everywhere in one snapshot (``"rows"``, ``"lanes"``, ``"T"``), or ``"*"`` for any size; no shape at all
means the shape depends on the mode (the doc says how).

Notices are plain-English remarks on valid but degenerate settings: ``notices`` holds their texts and
``notice_codes`` their codes, in the same order; the page decides by code, never by the English text.

To add a key: add a ``Key`` to the demo's ``keys`` below, send it from the driver's ``snapshot()``, run
``python -m rlplay schema`` (it rewrites ``web/params.json`` and ``web/contract.json``), and read it in the page from
``snapshot.<name>``. ``tests/test_contract.py`` fails until the three agree. To add a figure or a notice code, the
same with ``figures`` or ``notices``; to expose a constant, add it to ``constants`` with its unit.
"""

from __future__ import annotations

import hashlib
import math
import pickle
from dataclasses import asdict, dataclass

import numpy as np

from rlplay.demos import bandit as bandit_demo
from rlplay.demos import cartpole as cartpole_demo
from rlplay.demos.driver import Notice, notice_fields  # noqa: F401 - re-exported: the contract's notice form
from rlplay.envs import cartpole as cartpole_env
from rlplay.envs import gridworld as gridworld_env

TYPES = ("number", "int", "str", "bool", "array", "list", "dict")
UPDATES = ("live", "static", "growing")


@dataclass(frozen=True)
class Key:
    """One snapshot key: ``type`` is one of ``TYPES``; ``shape`` and ``dtype`` describe arrays (and lists of rows)."""

    type: str
    doc: str
    unit: str = ""
    shape: tuple = ()
    dtype: str = ""
    update: str = "live"
    offset: str = ""  # growing keys: the key that says where the tail starts
    optional: bool = False  # sent only in some snapshots (the doc says when)
    nullable: bool = False  # may be None (null in the page)

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"type must be one of {TYPES}, got {self.type!r}")
        if self.update not in UPDATES:
            raise ValueError(f"update must be one of {UPDATES}, got {self.update!r}")
        if (self.update == "growing") != bool(self.offset):
            raise ValueError("a growing key names its offset key, and only a growing key does")


@dataclass(frozen=True)
class Figure:
    doc: str
    unit: str = ""
    optional: bool = False  # shown only in some modes (the doc says which)


def _notices_keys() -> dict[str, Key]:
    return {
        "notices": Key("list", "remarks on valid but degenerate settings, plain English", update="static"),
        "notice_codes": Key("list", "the code of each remark in notices, same order", update="static"),
        "config": Key("dict", "the driver's current config, every field as its URL string", update="static"),
        # Added by the bridge (rlplay.demos.reproduce): the only values "Reproduce in Python" is built from.
        "reproduce_args": Key(
            "list",
            "[name, value] of each non-default config field, validated and shell-safe; absent if one is not",
            update="static",
            optional=True,
        ),
        "reproduce_edited_code": Key(
            "bool", "edited code runs (the command runs rlplay's own)", update="static", optional=True
        ),
    }


def _constant(value, unit: str, doc: str) -> dict:
    return {"value": value, "unit": unit, "doc": doc}


CONTRACT: dict[str, dict] = {
    "gridworld": {
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
            "greedy_path": Key("array", "cells (row, col) along argmax Q from the start", "cell", ("*", 2), "int32"),
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
                "absolute index of the first episode in episode_lengths (older "
                "ones may have been dropped by the driver)",
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
                "seeds > 1: mean return per episode over the seeds run so far; else (0,)",
                "return",
                dtype="float64",
            ),
            "average_se": Key(
                "array", "seeds > 1: its standard error per episode; else (0,)", "return", dtype="float64"
            ),
            "average": Key("dict", "seeds > 1: runs, done, episodes, steps of the average; else null", nullable=True),
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
            **_notices_keys(),
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
            "actions": _constant(list(gridworld_env.ACTION_NAMES), "", "action names, in action order"),
            "step_reward": _constant(gridworld_env.STEP_REWARD, "reward", "every move that does not reach the goal"),
            "goal_reward": _constant(gridworld_env.GOAL_REWARD, "reward", "entering the goal"),
            "cliff_reward": _constant(gridworld_env.CLIFF_REWARD, "reward", "stepping into the cliff"),
        },
    },
    "bandit": {
        "units": "pulls",
        "keys": {
            "figures": Key("dict", "the numbers shown in data-stat elements (see figures)"),
            "Q": Key(
                "array", "race 0's sample-average estimate of each arm, per lane", "reward", ("lanes", "k"), "float64"
            ),
            "N": Key("array", "race 0's pull count of each arm, per lane", "pulls", ("lanes", "k"), "float64"),
            "last_arm": Key(
                "array", "race 0's latest arm per lane, -1 before the first pull", "arm", ("lanes",), "int32"
            ),
            "cum_reward": Key(
                "array",
                "cumulative reward per lane (mean over runs)",
                "reward",
                ("lanes", "tail"),
                "float64",
                "growing",
                "curve_offset",
            ),
            "cum_regret": Key(
                "array",
                "cumulative pseudo-regret per lane (mean over runs)",
                "reward",
                ("lanes", "tail"),
                "float64",
                "growing",
                "curve_offset",
            ),
            "best_arm_rate": Key(
                "array",
                "share of pulls on the best arm so far, per lane (mean over runs)",
                "share",
                ("lanes", "tail"),
                "float64",
                "growing",
                "curve_offset",
            ),
            "regret_stderr": Key(
                "array",
                "standard error of the mean regret (only with runs > 1)",
                "reward",
                ("lanes", "tail"),
                "float64",
                "growing",
                "curve_offset",
                optional=True,
            ),
            "curve_offset": Key("int", "the pull index where the curves' tails start", "pulls"),
            "means": Key("array", "race 0's hidden arm means μ(a)", "reward", ("k",), "float64", "static"),
            "optimal_arm": Key("int", "race 0's best arm", "arm", update="static"),
            "lanes": Key("list", "the strategies, in row order of every per-lane array", update="static"),
            "mode": Key("str", '"race" (runs = 1) or "average" (runs > 1)', update="static"),
            "last_update": Key(
                "dict",
                "the Code panel: race 0's latest sample-average update of each lane with its real numbers "
                "(function, text, line); null before the first pull",
                nullable=True,
            ),
            **_notices_keys(),
        },
        "figures": {
            "pulls": Figure("pulls by each lane", "pulls"),
            **{f"regret-{lane}": Figure(f"{lane}: cumulative pseudo-regret", "reward") for lane in bandit_demo.LANES},
            **{f"reward-{lane}": Figure(f"{lane}: cumulative reward", "reward") for lane in bandit_demo.LANES},
            **{
                f"best-arm-rate-{lane}": Figure(f"{lane}: share of pulls on the best arm; -1 before the first", "share")
                for lane in bandit_demo.LANES
            },
        },
        "notices": {
            "epsilon-zero": "ε-greedy never explores",
            "epsilon-one": "ε-greedy pulls at random",
            "tau-tiny": "softmax ≈ greedy",
            "tau-large": "softmax ≈ random",
            "ucb-greedy": "UCB with c = 0 is greedy",
        },
        "constants": {
            "lanes": _constant(list(bandit_demo.LANES), "", "the strategies, in row order"),
        },
    },
    "cartpole": {
        "units": "steps",
        "keys": {
            "figures": Key("dict", "the numbers shown in data-stat elements (see figures)"),
            "episode_lengths": Key(
                "array",
                "steps of each finished episode, from episode_lengths_offset on",
                "steps",
                ("tail",),
                "float64",
                "growing",
                "episode_lengths_offset",
            ),
            "episode_lengths_offset": Key("int", "index of the first episode in episode_lengths", "episode"),
            "adv_scale": Key(
                "array",
                "per update: the standard deviation of its raw advantages (DQN: of its TD errors)",
                "return",
                ("tail",),
                "float64",
                "growing",
                "adv_scale_offset",
            ),
            "adv_scale_offset": Key("int", "index of the first update in adv_scale", "update"),
            "replay_states": Key(
                "array",
                "the states (x, ẋ, θ, θ̇) acted on in the latest finished episode; sent "
                "only to a page that lacks that episode",
                "m, m/s, rad, rad/s",
                ("T", 4),
                "float64",
                optional=True,
            ),
            "replay_p_right": Key(
                "array",
                "π(right | s) on those states, as it was when acting; sent with replay_states",
                "probability",
                ("T",),
                "float64",
                optional=True,
            ),
            "replay_values": Key(
                "array",
                "the critic's V(s) on the latest finished episode's states, now (zeros for REINFORCE)",
                "return",
                ("*",),
                "float64",
            ),
            "replay_end": Key("str", 'what ended the latest episode: "pole", "track", "time-limit" ("" before one)'),
            "diverged": Key("bool", "training stopped: a network's numbers became NaN or infinite"),
            "algo": Key("str", "the learning algorithm of this run", update="static"),
            "losses": Key(
                "dict",
                "the last update's diagnostics: loss, pg_loss, v_loss, entropy_loss, adv_scale, grad_norm; PPO adds "
                "approx_kl, clipfrac and epochs, DQN q_mean and epsilon ({} before the first update)",
            ),
            "trained_before": Key(
                "dict",
                "episodes and steps a loaded agent had been trained for before this run ({episodes: 0, steps: 0} "
                "for a run that started from scratch)",
            ),
            **_notices_keys(),
        },
        "figures": {
            "episode": Figure("episodes finished", "episodes"),
            "steps": Figure("training steps taken", "steps"),
            "updates": Figure("network updates made", "updates"),
            "episode-length": Figure("length of the last finished episode; -1 before the first", "steps"),
            "mean-length-100": Figure("mean length of the last 100 episodes; -1 before the first", "steps"),
            "best-length": Figure("the longest episode so far; -1 before the first", "steps"),
            "solved-at-episode": Figure(
                "episodes finished when the 100-episode mean first reached the solved threshold; -1 = not yet",
                "episodes",
            ),
        },
        "notices": {
            "diverged": "training diverged (NaN): lower the learning rate or reset",
            "lr-large": "a large learning rate: learning is erratic",
            "lr-small": "a small learning rate: learning is slow",
            "gamma-short": "a short horizon γ",
            "hidden-small": "a very small network",
            "entropy-large": "a strong entropy bonus",
            "clip-unused": "clip only affects PPO",
            "entropy-unused": "entropy only affects the policy-gradient algorithms (DQN explores by ε-greedy)",
            "pg-settings-unused": "lr and hidden only affect the policy-gradient algorithms (DQN: dqn_lr, dqn_hidden)",
            "dqn-settings-unused": "dqn_lr and dqn_hidden only affect DQN",
        },
        "constants": {
            "x_threshold": _constant(cartpole_env.X_THRESHOLD, "m", "|x| beyond this ends an episode"),
            "theta_threshold": _constant(cartpole_env.THETA_THRESHOLD, "rad", "|θ| beyond this ends an episode"),
            "max_episode_steps": _constant(cartpole_env.MAX_EPISODE_STEPS, "steps", "the time limit (truncation)"),
            "pole_length": _constant(2 * cartpole_env.HALF_LENGTH, "m", "the pole's full length (2 l)"),
            "step_seconds": _constant(cartpole_env.TAU, "s", "physical time of one environment step"),
            "solved_mean_length": _constant(cartpole_demo.SOLVED_MEAN_LENGTH, "steps", "the solved threshold"),
            "solved_window": _constant(cartpole_demo.SOLVED_WINDOW, "episodes", "episodes the solved mean is over"),
        },
    },
}


def static_keys(demo: str) -> list[str]:
    return [name for name, key in CONTRACT[demo]["keys"].items() if key.update == "static"]


def describe() -> dict:
    """The contract as JSON-able data, for ``web/contract.json``."""
    out = {}
    for demo, entry in CONTRACT.items():
        keys = {}
        for name, key in entry["keys"].items():
            described = {k: v for k, v in asdict(key).items() if v not in ("", (), False)}
            if key.shape:
                described["shape"] = list(key.shape)
            keys[name] = described
        out[demo] = {
            "units": entry["units"],
            "keys": keys,
            "static": static_keys(demo),
            "growing": {name: key.offset for name, key in entry["keys"].items() if key.update == "growing"},
            "figures": {name: asdict(figure) for name, figure in entry["figures"].items()},
            "notices": entry["notices"],
            "constants": entry["constants"],
        }
    return out


# -- static keys: sent only when they change ---------------------------------------------------------------------


def static_digest(demo: str, snapshot: dict) -> str:
    """A short digest of the snapshot's static values (equal values, equal digest, within one process)."""
    values = [snapshot.get(name) for name in static_keys(demo)]
    return hashlib.blake2b(pickle.dumps(values, protocol=5), digest_size=8).hexdigest()


def elide_static(demo: str, snapshot: dict, have: str | None) -> dict:
    """Stamp ``static_version``; drop the static keys when the page already holds values with that digest."""
    if demo not in CONTRACT:
        return snapshot
    version = static_digest(demo, snapshot)
    snapshot["static_version"] = version
    if have == version:
        for name in static_keys(demo):
            snapshot.pop(name, None)
    return snapshot


# -- checking a snapshot against the contract --------------------------------------------------------------------

_NUMBER = (int, float, np.integer, np.floating)


def _array_parts(value):
    """(shape, dtype) of a NumPy array or of the page's {data, shape} form; None if it is neither."""
    if isinstance(value, np.ndarray):
        dtype = {"int64": "int32", "bool": "uint8"}.get(value.dtype.name, value.dtype.name)
        return tuple(value.shape), dtype
    if isinstance(value, dict) and "data" in value and "shape" in value:
        return tuple(value["shape"]), value.get("dtype", "")
    return None


def _list_shape(value) -> tuple:
    shape = [len(value)]
    if value and all(isinstance(item, (list, tuple)) for item in value):
        widths = {len(item) for item in value}
        shape.append(widths.pop() if len(widths) == 1 else -1)
    return tuple(shape)


def _match_shape(name, declared, actual, sizes, problems):
    if len(declared) != len(actual):
        problems.append(f"{name}: shape {list(actual)} has {len(actual)} axes, the contract {len(declared)}")
        return
    for axis, (want, got) in enumerate(zip(declared, actual, strict=True)):
        if want == "*" or (want == "tail" and got >= 0):
            continue
        if isinstance(want, int):
            if want != got:
                problems.append(f"{name}: axis {axis} is {got}, the contract says {want}")
        elif sizes.setdefault(want, got) != got:
            problems.append(f"{name}: axis {axis} ({want}) is {got}, elsewhere {sizes[want]}")


def check_snapshot(demo: str, snapshot: dict, *, statics: bool = True) -> list[str]:
    """Every way ``snapshot`` breaks the contract (an empty list when it keeps it).

    ``snapshot`` is a driver's, the bridge's (arrays split out and put back) or the page's (arrays as
    ``{data, shape}``). With ``statics=False`` static keys may be missing (the bridge left them out).
    """
    contract = CONTRACT[demo]
    keys = contract["keys"]
    problems = []
    extra = sorted(set(snapshot) - set(keys) - {"static_version"})
    if extra:
        problems.append(f"keys not in the contract: {', '.join(extra)}")
    sizes: dict = {}
    for name, key in keys.items():
        if name not in snapshot:
            if not key.optional and (statics or key.update != "static"):
                problems.append(f"{name}: missing")
            continue
        value = snapshot[name]
        if value is None and key.nullable:
            continue
        if key.type == "array":
            parts = _array_parts(value)
            if parts is None:
                problems.append(f"{name}: expected an array, got {type(value).__name__}")
                continue
            shape, dtype = parts
            if dtype and dtype != key.dtype:
                problems.append(f"{name}: dtype {dtype}, the contract says {key.dtype}")
            if key.shape:
                _match_shape(name, key.shape, shape, sizes, problems)
        elif key.type == "list":
            if not isinstance(value, (list, tuple)):
                problems.append(f"{name}: expected a list, got {type(value).__name__}")
            elif key.shape:
                _match_shape(name, key.shape, _list_shape(value), sizes, problems)
        elif key.type == "dict":
            if not isinstance(value, dict):
                problems.append(f"{name}: expected a dict, got {type(value).__name__}")
        elif key.type == "str":
            if not isinstance(value, str):
                problems.append(f"{name}: expected a str, got {type(value).__name__}")
        elif key.type == "bool":
            if not isinstance(value, (bool, np.bool_)):
                problems.append(f"{name}: expected a bool, got {type(value).__name__}")
        elif key.type == "int":
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                problems.append(f"{name}: expected an int, got {type(value).__name__}")
        elif key.type == "number":
            if value is not None and (isinstance(value, bool) or not isinstance(value, _NUMBER)):
                problems.append(f"{name}: expected a number, got {type(value).__name__}")
    figures = snapshot.get("figures")
    if isinstance(figures, dict):
        declared = contract["figures"]
        missing = sorted(name for name, figure in declared.items() if not figure.optional and name not in figures)
        unknown = sorted(set(figures) - set(declared))
        if missing or unknown:
            problems.append(f"figures: missing {missing}, not in the contract {unknown}")
        for name, value in figures.items():
            if isinstance(value, bool) or not isinstance(value, _NUMBER) or not math.isfinite(float(value)):
                problems.append(f"figures[{name!r}]: {value!r} is not a finite number")
    codes = snapshot.get("notice_codes")
    if codes is not None:
        unknown = sorted(set(codes) - set(contract["notices"]))
        if unknown:
            problems.append(f"notice codes not in the contract: {unknown}")
        if len(codes) != len(snapshot.get("notices", [])):
            problems.append("notices and notice_codes differ in length")
    return problems
