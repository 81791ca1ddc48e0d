"""The bandit race's part of the snapshot contract: every key its ``snapshot()`` sends, its figures, notice
codes and the constants the page reads (the form is explained in ``rlplay.app.contract``)."""

from __future__ import annotations

from rlplay.core.contract import Figure, Key, constant, notices_keys
from rlplay.demos.bandit.driver import LANES

CONTRACT: dict = {
    "units": "pulls",
    "keys": {
        "figures": Key("dict", "the numbers shown in data-stat elements (see figures)"),
        "Q": Key("array", "race 0's estimate of each arm, per lane", "reward", ("lanes", "k"), "float64"),
        "N": Key("array", "race 0's pull count of each arm, per lane", "pulls", ("lanes", "k"), "float64"),
        "last_arm": Key("array", "race 0's latest arm per lane, -1 before the first pull", "arm", ("lanes",), "int32"),
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
        "optimal_share": Key(
            "array",
            "share of the runs that pulled the best arm at each pull, per lane (Figure 2.3's % optimal action)",
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
        **notices_keys(),
    },
    "figures": {
        "pulls": Figure("pulls by each lane", "pulls"),
        **{f"regret-{lane}": Figure(f"{lane}: cumulative pseudo-regret", "reward") for lane in LANES},
        **{f"reward-{lane}": Figure(f"{lane}: cumulative reward", "reward") for lane in LANES},
        **{
            f"best-arm-rate-{lane}": Figure(f"{lane}: share of pulls on the best arm; -1 before the first", "share")
            for lane in LANES
        },
        **{
            f"optimal-share-{lane}": Figure(
                f"{lane}: share of the runs pulling the best arm, mean over the last 100 pulls; -1 before the first",
                "share",
            )
            for lane in LANES
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
        "lanes": constant(list(LANES), "", "the strategies, in row order"),
    },
}
