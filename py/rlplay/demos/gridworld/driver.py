"""Gridworld demo driver: a tabular learner finds its way to the goal; value iteration shows the optimum.

    Q(s,a) ← Q(s,a) + α [ r + γ max_a′ Q(s′,a′) − Q(s,a) ]        (e.g. Q-learning, ``rlplay.algos.q_learning``)
    V*(s) = max_a [ R(s,a) + γ Σ_s′ P(s′|s,a) V*(s′) ]              (planning, ``rlplay.algos.value_iteration``)

The learning rule is ``algo``: q-learning, sarsa, expected-sarsa, n-step-sarsa, monte-carlo or dyna-q (one file
each in ``rlplay.algos``, run by the loop of ``rlplay.algos.tabular``).

The driver contract is in ``rlplay.demos``. One unit of ``advance`` is one environment step; episodes restart by
themselves, as in the seed post's loop. The layout can be edited while the agent learns (``toggle_wall``,
``move_start``, ``move_goal``): Q is kept, so the page shows the agent re-routing around the change, and value
iteration is redone for the new layout.

Read-outs:

- ``greedy-path-length``: moves along argmax Q (first maximum on ties) from the start to the goal, moving as
  intended (no slip); −1 if that walk loops (a fall off the cliff loops too: it returns to the start).
- ``optimal-path-length``: without slip, the shortest path (breadth-first search on the layout). With slip, the
  length of the same no-slip walk along V*'s greedy policy, which may detour around risky cells; −1 if it loops.
- ``policy_star``: one optimal action per cell (the first on ties), −1 where the agent never acts (walls, cliff,
  the goal, cells cut off from the start); ``optimal_actions``: all of them, as bits (bit a set = action a is
  optimal), so a learned greedy action that differs from ``policy_star`` but ties with it is not called wrong.
- ``greedy_action``: argmax Q per cell (the first maximum, the greedy path's rule), −1 where Q is still flat;
  ``differs``: 1 where that action is not among ``optimal_actions``. The page draws both and computes neither.

Every key, with its type, shape and unit, is declared in ``rlplay.app.contract``.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import time
from dataclasses import dataclass
from typing import Annotated

import numpy as np

from rlplay.algos.dyna_q import DynaQ
from rlplay.algos.expected_sarsa import ExpectedSarsa
from rlplay.algos.exploration import EXPLORERS
from rlplay.algos.monte_carlo import MonteCarlo
from rlplay.algos.n_step_sarsa import NStepSarsa
from rlplay.algos.q_learning import QLearning
from rlplay.algos.sarsa import Sarsa
from rlplay.algos.tabular import TabularAgent
from rlplay.algos.value_iteration import ValueIterationResult, value_iteration
from rlplay.core.driver import DemoDriver, Notice, notice_fields
from rlplay.demos.gridworld import code as gridworld_code
from rlplay.demos.gridworld.average import PATH_WINDOW, SMOOTH_EPISODES, SeedAverage, ShownRun
from rlplay.demos.gridworld.planner import METHODS, Planner
from rlplay.envs.gridworld import PRESETS, Gridworld, Layout
from rlplay.params import DefaultBy, Param, When, follow_defaults, resolve_defaults, shown, validate

MAX_SIZE = 12
VI_THETA = 1e-6  # value iteration stops when no value changes by more than this in a sweep
HISTORY_KEPT = 1 << 16  # episode lengths the driver keeps for the page's learning curve (older ones are dropped)
VI_MAX_SWEEPS = 5000  # and in any case after this many sweeps (γ = 1 may never settle)
OPTIMAL_TOLERANCE = 1e-9  # actions whose Q* is this close to the best count as optimal too (ties)
# ASCII digits, at most 4 (a grid has at most 12 rows): no look-alike digits, no 5000-digit int() to refuse
_CELL = re.compile(r"^\s*([0-9]{1,4})\.([0-9]{1,4})\s*$")
RULES: dict[str, type[TabularAgent]] = {
    rule.name: rule for rule in (QLearning, Sarsa, ExpectedSarsa, NStepSarsa, MonteCarlo, DynaQ)
}
RULE_LABELS = (
    ("q-learning", "Q-learning"),
    ("sarsa", "SARSA"),
    ("expected-sarsa", "Expected SARSA"),
    ("n-step-sarsa", "n-step SARSA"),
    ("monte-carlo", "Monte Carlo (every visit)"),
    ("dyna-q", "Dyna-Q (planning)"),
)
# Each rule's own default α (and ε where it differs from 0.1): with these, on the default layout, every rule's greedy
# path is the optimal path after 3,000 episodes on each of seeds 0–9, and has stopped changing long before
# (tests/test_rule_defaults.py; the sweep behind the choice is in the README). The on-policy rules need a small α:
# they learn the exploring policy's values, and a large α keeps their greedy path changing.
RULE_ALPHA = (
    ("q-learning", 0.5),
    ("sarsa", 0.05),
    ("expected-sarsa", 0.5),
    ("n-step-sarsa", 0.02),
    ("monte-carlo", 0.07),
    ("dyna-q", 0.5),
)
# Monte Carlo learns nothing until an episode ends and keeps its first path for long: it starts fully random (ε = 1)
# and decays ε by 0.99 an episode to the 0.01 floor (at episode ~460). Its neighbours in the sweep did worse (α = 0.05
# or decay 0.993: 8 or 9 of 10 seeds), so this choice is narrow. The others keep ε = 0.1, undecayed.
RULE_EPSILON = (("monte-carlo", 1.0),)
RULE_EPSILON_DECAY = (("monte-carlo", 0.99),)
EPSILON_GREEDY = (When("explore", ("epsilon-greedy",)),)  # the fields that matter only to ε-greedy
COMPARING = (When("compare", ("off",), is_in=False),)
ON_POLICY = ("sarsa", "n-step-sarsa", "monte-carlo")  # rules whose targets follow the exploring policy
CURVE_POINTS = 500  # the live comparison's return curves are binned to at most this many points
CURVE_EPISODES = 20_000  # ...from at most this many latest episodes (a snapshot every frame must stay cheap)
_PAINT = re.compile(
    r"^\s*([0-9]{1,4})\.([0-9]{1,4}):"  # the cell
    r"([-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)(:end)?\s*$"  # its reward, and :end if terminal
)


@dataclass(frozen=True)
class GridworldConfig:
    seed: Annotated[int, Param(0, 2**31 - 1, 1, label="Seed")] = 0
    """Random seed of the run (exploration and slips), 0..2147483647."""
    algo: Annotated[
        str, Param(choices=tuple(RULES), label="Learning rule", group="agent", choice_labels=RULE_LABELS)
    ] = "q-learning"
    """Learning rule: q-learning, sarsa, expected-sarsa, n-step-sarsa, monte-carlo or dyna-q."""
    n: Annotated[
        int,
        Param(
            1,
            32,
            1,
            label="n (rewards before bootstrapping)",
            group="agent",
            shown_when=(When("algo", ("n-step-sarsa",)),),
        ),
    ] = 4
    """n-step SARSA: rewards summed before bootstrapping, 1..32 (1 = SARSA)."""
    planning_steps: Annotated[
        int,
        Param(0, 200, 1, label="planning steps per real step", group="agent", shown_when=(When("algo", ("dyna-q",)),)),
    ] = 10
    """Dyna-Q: planning updates from the learned model after each real step, 0..200 (0 = Q-learning)."""
    preset: Annotated[
        str,
        Param(
            choices=("default", "seed5", "maze", "cliff"),
            label="Layout",
            group="world",
            choice_labels=(
                ("default", "default 7×7"),
                ("seed5", "the post's 5×5"),
                ("maze", "maze 9×9"),
                ("cliff", "cliff walk 4×12"),
            ),
        ),
    ] = "default"
    """Layout: default (7x7, two barriers), seed5 (the post's 5x5), maze (9x9) or cliff (4x12)."""
    size: Annotated[int, Param(0, MAX_SIZE, 1, label="open grid size (0 = layout's)", group="world")] = 0
    """Grid size: 0 = the preset's grid; 2..12 = an open size x size grid, start top-left, goal bottom-right."""
    walls: Annotated[str, Param()] = ""
    """Walls: empty = the preset's, - = none, else row.col cells joined by _, e.g. 1.1_2.1."""
    start: Annotated[str, Param()] = ""
    """Start cell: empty = the preset's, else row.col, e.g. 0.0."""
    goal: Annotated[str, Param()] = ""
    """Goal cell: empty = the preset's, else row.col, e.g. 6.6."""
    slip: Annotated[float, Param(0.0, 0.5, 0.01, label="slip (random move probability)", group="world")] = 0.0
    """Probability that a move goes in one of the three other directions instead, 0..0.5."""
    explore: Annotated[
        str,
        Param(
            choices=EXPLORERS,
            label="Exploration",
            group="agent",
            choice_labels=(("epsilon-greedy", "ε-greedy"), ("softmax", "softmax (Boltzmann)"), ("ucb", "UCB")),
        ),
    ] = "epsilon-greedy"
    """Exploration: epsilon-greedy, softmax (Boltzmann) or ucb (upper confidence bound)."""
    epsilon: Annotated[
        float,
        Param(
            0.0,
            1.0,
            0.01,
            label="ε (random-action probability)",
            group="agent",
            shown_when=EPSILON_GREEDY,
            default_by=DefaultBy("algo", RULE_EPSILON, 0.1),
        ),
    ] = None
    """ε-greedy: probability of a random action, 0..1 (default: the rule's own)."""
    epsilon_decay: Annotated[
        float,
        Param(
            0.9,
            1.0,
            0.001,
            label="ε decay per episode",
            group="agent",
            shown_when=EPSILON_GREEDY,
            default_by=DefaultBy("algo", RULE_EPSILON_DECAY, 1.0),
        ),
    ] = None
    """ε-greedy: ε is multiplied by this after every episode, 0.9..1 (1 = no decay; default: the rule's own)."""
    epsilon_min: Annotated[float, Param(0.0, 1.0, 0.01, label="ε floor", group="agent", shown_when=EPSILON_GREEDY)] = (
        0.01
    )
    """ε-greedy: the decay stops at this floor (never above ε), 0..1."""
    tau: Annotated[
        float,
        Param(
            0.001,
            10.0,
            0.001,
            log=True,
            label="τ (softmax temperature)",
            group="agent",
            shown_when=(When("explore", ("softmax",)),),
        ),
    ] = 0.02
    """Softmax temperature τ, 0.001..10: small = nearly greedy, large = nearly random."""
    c: Annotated[
        float,
        Param(0.0, 10.0, 0.05, label="c (UCB bonus weight)", group="agent", shown_when=(When("explore", ("ucb",)),)),
    ] = 0.5
    """UCB exploration weight c, 0..10: bonus c·√(ln t / N(s,a)) for rarely tried actions."""
    alpha: Annotated[
        float,
        Param(0.0, 1.0, 0.01, label="α (learning rate)", group="agent", default_by=DefaultBy("algo", RULE_ALPHA, 0.5)),
    ] = None
    """Learning rate α, 0..1: how far each Q(s,a) moves towards its TD target (default: the rule's own)."""
    gamma: Annotated[float, Param(0.0, 1.0, 0.001, label="γ (discount)", group="agent")] = 0.99
    """Discount factor γ, 0..1: the weight of a reward one step later."""
    max_episode_steps: Annotated[int, Param(10, 10_000, 10, label="max steps per episode", group="world")] = 1000
    """Steps after which an unfinished episode is cut off (truncated), 10..10000."""
    paint: Annotated[str, Param()] = ""
    """Painted rewards: row.col:reward cells joined by _, :end for a terminal one, e.g. 2.3:-1_0.4:0.5:end."""
    compare: Annotated[
        str,
        Param(
            choices=("off", *RULES),
            label="Compare with (B)",
            group="compare",
            choice_labels=(("off", "off"), *RULE_LABELS),
        ),
    ] = "off"
    """Compare: off, or a second learner (any rule) on the same world, seed and random numbers."""
    compare_alpha: Annotated[
        float,
        Param(
            0.0,
            1.0,
            0.01,
            label="B: α",
            group="compare",
            shown_when=COMPARING,
            default_by=DefaultBy("compare", RULE_ALPHA, 0.5),
        ),
    ] = None
    """Compare: the second learner's learning rate α, 0..1 (default: its rule's own)."""
    compare_epsilon: Annotated[
        float,
        Param(
            0.0,
            1.0,
            0.01,
            label="B: ε",
            group="compare",
            shown_when=COMPARING,
        ),
    ] = 0.1
    """Compare: the second learner's ε (ε-greedy), 0..1 (it shares the ε decay, so Monte Carlo as B keeps 0.1)."""
    compare_n: Annotated[
        int, Param(1, 32, 1, label="B: n", group="compare", shown_when=(When("compare", ("n-step-sarsa",)),))
    ] = 4
    """Compare: the second learner's n (n-step SARSA), 1..32."""
    compare_planning_steps: Annotated[
        int, Param(0, 200, 1, label="B: planning steps", group="compare", shown_when=(When("compare", ("dyna-q",)),))
    ] = 10
    """Compare: the second learner's planning steps (Dyna-Q), 0..200."""
    seeds: Annotated[int, Param(1, 200, 1, label="average over seeds (1 = one live run)", group="compare")] = 1
    """Runs averaged: 1 = one live run; 2..200 = mean return curves over seeds seed..seed+N−1."""
    episodes: Annotated[
        int,
        Param(
            50, 2000, 50, label="episodes per averaged run", group="compare", shown_when=(When("seeds", at_least=2),)
        ),
    ] = 500
    """Averaged runs: episodes each run learns for, 50..2000."""
    plan: Annotated[
        str,
        Param(
            choices=METHODS,
            label="Method",
            choice_labels=(("value-iteration", "value iteration"), ("policy-iteration", "policy iteration")),
        ),
    ] = "value-iteration"
    """Planning panel: value-iteration (one sweep a step) or policy-iteration (evaluation sweeps, then improvement)."""

    def __post_init__(self):
        resolve_defaults(self)  # each rule's own α and ε where they were left out
        validate(self)
        layout = self.layout()  # raises ValueError for a layout that cannot be played
        # Each layout field in one canonical form ("1.1_2.1", sorted, once each; rewards as repr): a link's " 2.1_1.1"
        # or "01.01" is the same world, and the URL and the reproduce command (safe words only) carry that form.
        canonical = {
            "walls": self.walls and format_cells(layout.walls),
            "start": self.start and "{}.{}".format(*layout.start),
            "goal": self.goal and "{}.{}".format(*layout.goal),
            "paint": format_paint(layout.painted),
        }
        for name, text in canonical.items():
            object.__setattr__(self, name, text)

    def layout(self) -> Layout:
        """The layout these settings describe: the preset (or an open grid), with walls/start/goal overridden."""
        return _layout(self.preset, self.size, self.walls, self.start, self.goal, self.paint)

    def base_layout(self) -> Layout:
        """The preset's layout, or with ``size`` ≥ 2 an open size x size grid."""
        return _base_layout(self.preset, self.size)


@functools.lru_cache(maxsize=64)  # a config is built many times a call (validation, defaults): its layout once
def _layout(preset: str, size: int, walls: str, start: str, goal: str, paint: str) -> Layout:
    base = _base_layout(preset, size)
    walls_cells = base.walls if walls == "" else parse_cells(walls, "walls")
    start_cell = base.start if start == "" else parse_cell(start, "start")
    goal_cell = base.goal if goal == "" else parse_cell(goal, "goal")
    return base.with_changes(walls=walls_cells, start=start_cell, goal=goal_cell, painted=parse_paint(paint))


def _base_layout(preset: str, size: int) -> Layout:
    if size == 1:
        raise ValueError("size must be 0 (the preset's grid) or 2..12: a 1x1 grid has no room for a start and a goal")
    if size == 0:
        return PRESETS[preset]
    return Layout(size, size, start=(0, 0), goal=(size - 1, size - 1))


def parse_cell(text: str, name: str) -> tuple[int, int]:
    """``"3.4"`` → ``(3, 4)``."""
    match = _CELL.match(text)
    if not match:
        raise ValueError(f"{name} must be a cell written row.col, e.g. 0.0; got {shown(text)}")
    return int(match.group(1)), int(match.group(2))


def parse_cells(text: str, name: str) -> frozenset[tuple[int, int]]:
    """``"1.1_2.1"`` → ``{(1, 1), (2, 1)}``; ``"-"`` → no cells."""
    if text.strip() == "-":
        return frozenset()
    parts = text.split("_")
    if not all(_CELL.match(part) for part in parts):
        raise ValueError(f"{name} must be - (none) or cells row.col joined by _, e.g. 1.1_2.1; got {shown(text)}")
    return frozenset(parse_cell(part, name) for part in parts)


def format_cells(cells) -> str:
    """The inverse of ``parse_cells``: ``{(2, 1), (1, 1)}`` → ``"1.1_2.1"``, no cells → ``"-"``."""
    return "_".join(f"{r}.{c}" for r, c in sorted(cells)) or "-"


def parse_paint(text: str) -> tuple:
    """``"2.3:-1_0.4:0.5:end"`` → ``(((2, 3), -1.0, False), ((0, 4), 0.5, True))``; ``""`` → no paint."""
    if text.strip() in ("", "-"):
        return ()
    cells = []
    for part in text.split("_"):
        match = _PAINT.match(part)
        if not match:
            raise ValueError(
                "paint must be cells row.col:reward joined by _, with :end for a terminal one, "
                f"e.g. 2.3:-1_0.4:0.5:end; got {shown(part)}"
            )
        row, col, reward, end = match.groups()
        cells.append(((int(row), int(col)), float(reward), end is not None))
    return tuple(cells)


def format_paint(painted) -> str:
    """The inverse of ``parse_paint`` (``repr`` of the float, so the round trip is exact)."""
    return "_".join(f"{r}.{c}:{reward!r}{':end' if end else ''}" for (r, c), reward, end in painted)


def _cell_argument(row, col) -> tuple[int, int]:
    """A cell from the page's numbers (JavaScript sends 3 or 3.0 alike)."""
    cell = []
    for name, value in (("row", row), ("col", col)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise ValueError(f"{name} must be a whole number, got {value!r}")
        cell.append(int(value))
    return cell[0], cell[1]


class GridworldDemo(DemoDriver):
    """A tabular learner on a gridworld, next to value iteration's optimum. See ``rlplay.demos`` for the contract."""

    COMMANDS = frozenset(
        {
            "toggle_wall",
            "move_start",
            "move_goal",
            "episode",
            "paint_cell",
            "erase_paint",
            "plan_step",
            "plan_phase",
            "plan_reset",
        }  # fmt: skip
    )
    RUN_COMMANDS = DemoDriver.RUN_COMMANDS | {"episode"}
    # the planning panel: the Planner keeps its own V_k and π on the model of the world (env.model() draws nothing),
    # and no learner reads it
    SIDE_COMMANDS = frozenset({"plan_step", "plan_phase", "plan_reset"})

    def __init__(self, config: GridworldConfig | None = None):
        self.config = config if config is not None else GridworldConfig()
        self.code = gridworld_code.new_slots()  # the Code panel's functions (rlplay.demos.gridworld.code)
        self.last_update = None
        self._fresh_run()

    # -- set-up --------------------------------------------------------------------------------------------------
    def _fresh_run(self) -> None:
        config = self.config
        self.env = Gridworld(config.layout(), slip=config.slip)
        self.agent = self._learner(self.env, config.seed)
        self.agent_b = self._learner(self.env, config.seed, second=True) if config.compare != "off" else None
        self._plan()
        self.planner = Planner(self.env, config.gamma, VI_THETA, config.plan)
        self._new_average()

    def _learner(self, env: Gridworld, seed: int, second: bool = False) -> TabularAgent:
        """The first learner of the settings, or with ``second`` the comparison's (its own rule, α, ε, n, planning)."""
        config = self.config
        algo = config.compare if second else config.algo
        n, planning_steps = (
            (config.compare_n, config.compare_planning_steps) if second else (config.n, config.planning_steps)
        )
        extra = {"n": n} if algo == "n-step-sarsa" else {"planning_steps": planning_steps} if algo == "dyna-q" else {}
        return RULES[algo](
            env,
            **extra,
            alpha=config.compare_alpha if second else config.alpha,
            gamma=config.gamma,
            explore=config.explore,
            epsilon=config.compare_epsilon if second else config.epsilon,
            epsilon_decay=config.epsilon_decay,
            epsilon_min=config.epsilon_min,
            tau=config.tau,
            c=config.c,
            max_episode_steps=config.max_episode_steps,
            seed=seed,
        )

    def _new_average(self) -> None:
        """With ``seeds`` > 1, a fresh averaging job on the current world and settings (else none), and the run the
        grid shows while it works: the driver's own learners, from scratch, paced by the job (``ShownRun``)."""
        config, env = self.config, self.env

        def make(seed: int) -> list[TabularAgent]:
            first = [self._learner(env, seed)]
            return first + [self._learner(env, seed, second=True)] if config.compare != "off" else first

        self.average = SeedAverage(make, config.seed, config.seeds, config.episodes) if config.seeds > 1 else None
        self.shown = None
        if self.average is not None:
            for agent in self.learners():
                agent.reset()
            self.shown = ShownRun(self.learners(), config.episodes)

    def _greedy_path(self, i: int) -> tuple[list[tuple[int, int]], bool]:
        """Learner ``i``'s path for the grid: its greedy path, or while averaging the shown run's steadied one."""
        return self.shown.path(i) if self.shown is not None else self.learners()[i].greedy_path()

    def learners(self) -> list[TabularAgent]:
        return [self.agent] if self.agent_b is None else [self.agent, self.agent_b]

    def _plan(self) -> None:
        """Value iteration on the current model; the optimal policy and path."""
        P, R = self.env.model()
        self.vi: ValueIterationResult = value_iteration(
            P, R, gamma=self.config.gamma, theta=VI_THETA, max_sweeps=VI_MAX_SWEEPS
        )
        self.optimal_path, self.optimal_path_reached = self.env.follow(self.vi.policy)

    def _change_world(self, config: GridworldConfig) -> None:
        """Move to the layout and slip of ``config``, keeping Q. Nothing changes if the new world is invalid."""
        env = Gridworld(config.layout(), slip=config.slip)  # raises before anything is touched
        self.config = config
        self.env = env
        for agent in self.learners():
            agent.set_env(env)
        self._plan()
        self.planner.set_world(env, config.gamma)
        self._new_average()

    def _config_with_layout(self, layout: Layout) -> GridworldConfig:
        """The config whose walls/start/goal strings describe ``layout`` ("" where it matches the preset)."""
        base = self.config.base_layout()
        return dataclasses.replace(
            self.config,
            walls="" if layout.walls == base.walls else format_cells(layout.walls),
            start="" if layout.start == base.start else f"{layout.start[0]}.{layout.start[1]}",
            goal="" if layout.goal == base.goal else f"{layout.goal[0]}.{layout.goal[1]}",
            paint=format_paint(layout.painted),
        )

    # -- the contract --------------------------------------------------------------------------------------------
    def advance(self, n: int) -> int:
        """Run ``n`` environment steps (episodes restart by themselves) of each learner; return ``n``.

        With ``seeds`` > 1 the steps go to the averaging job instead (0 once it is finished)."""
        if n < 0:
            raise ValueError(f"the number of steps must be 0 or more, got {n}")
        if self.average is not None:
            taken = self.average.advance(int(n))
            self.shown.follow(self.average)  # the grid's run keeps pace (its steps are not counted)
            return taken
        ran = gridworld_code.advance(self, int(n))  # the agent's run, with the learner's code if edited
        if self.agent_b is not None:
            self.agent_b.run(int(n))
        self._bound_history()
        return ran

    def _bound_history(self) -> None:
        """Keep memory bounded on long runs: drop all but the last HISTORY_KEPT episode lengths once there are twice
        as many (a trained agent finishes tens of thousands of episodes a second)."""
        for agent in self.learners():
            lengths, returns = agent.episode_lengths, agent.episode_returns
            if len(lengths) > 2 * HISTORY_KEPT:
                del lengths[: len(lengths) - HISTORY_KEPT]
                del returns[: len(returns) - HISTORY_KEPT]

    def code_names(self) -> list[str]:
        """The functions the Code panel shows for the current rule and selector."""
        return gridworld_code.code_names(self.config.algo, self.config.explore)

    def reset(self) -> None:
        """Forget Q (zeros) and restart the random stream: the same seed replays the same run, on this layout.
        The averaging job and the planner start again too."""
        for agent in self.learners():
            agent.reset()
        self.planner.set_world(self.env, self.config.gamma)
        self._new_average()
        self.last_update = None

    def configure(self, **changes) -> list[str]:
        """Apply changed settings. Returns the names that needed a fresh run (seed, algo, preset, size).

        Hyperparameters apply at once; walls/start/goal edit the layout and slip changes the model, both keeping Q.
        A new preset or size without new walls/start/goal also drops the old layout's walls/start/goal settings.
        On a ``ValueError`` nothing changes.
        """
        fields = {f.name for f in dataclasses.fields(GridworldConfig)}
        unknown = sorted(set(changes) - fields)
        if unknown:
            raise ValueError(f"unknown gridworld settings: {', '.join(unknown)}")
        old = self.config
        changes = follow_defaults(old, changes)  # a new rule brings its own α and ε, unless the user set them
        changed = {name: value for name, value in changes.items() if getattr(old, name) != value}
        if "preset" in changed or "size" in changed:
            for name in ("walls", "start", "goal"):
                changes.setdefault(name, "")
        new = dataclasses.replace(old, **changes)  # validates, layout included
        changed = {name for name in fields if getattr(old, name) != getattr(new, name)}
        fresh = [name for name in ("seed", "algo", "compare", "preset", "size") if name in changed]
        if fresh:
            self.config = new
            self._fresh_run()
            return fresh
        if changed & {"walls", "start", "goal", "slip", "paint"}:
            self._change_world(new)  # re-plans, for the new γ too
        elif "gamma" in changed:
            self.config = new
            self._plan()
            self.planner.set_world(self.env, new.gamma)
        elif "plan" in changed:
            self.planner.set_world(self.env, new.gamma, new.plan)
        self.config = new
        for agent, second in zip(self.learners(), (False, True), strict=False):
            alpha, epsilon = (new.compare_alpha, new.compare_epsilon) if second else (new.alpha, new.epsilon)
            n, planning_steps = (new.compare_n, new.compare_planning_steps) if second else (new.n, new.planning_steps)
            agent.alpha, agent.gamma, agent.explore = alpha, new.gamma, new.explore
            agent.tau, agent.c, agent.max_episode_steps = new.tau, new.c, new.max_episode_steps
            agent.epsilon_decay, agent.epsilon_min = new.epsilon_decay, new.epsilon_min
            if agent.epsilon != epsilon:
                agent.epsilon = agent.epsilon_now = epsilon
            if isinstance(agent, NStepSarsa) and agent.n != n:
                agent.forget_episode()  # the waiting window was cut for the old n
                agent.n = n
            if isinstance(agent, DynaQ):
                agent.planning_steps = planning_steps
        if changed - {"plan"}:
            self._new_average()
        return []

    # -- commands ------------------------------------------------------------------------------------------------
    def toggle_wall(self, row, col) -> None:
        """Add a wall at (row, col), or remove the one there. Keeps Q; refuses layouts that cannot be played."""
        cell = _cell_argument(row, col)
        layout = self.env.layout
        if cell in layout.cliff:
            raise ValueError(f"{cell} is part of the cliff; walls go on ordinary cells")
        walls = layout.walls - {cell} if cell in layout.walls else layout.walls | {cell}
        painted = tuple(entry for entry in layout.painted if entry[0] != cell)  # a wall replaces a painted reward
        self._change_world(self._config_with_layout(layout.with_changes(walls=walls, painted=painted)))

    def move_start(self, row, col) -> None:
        """Move the start to (row, col); the next episode begins there. Keeps Q."""
        cell = _cell_argument(row, col)
        painted = tuple(entry for entry in self.env.layout.painted if entry[0] != cell)
        layout = self.env.layout.with_changes(start=cell, painted=painted)
        self._change_world(self._config_with_layout(layout))

    def move_goal(self, row, col) -> None:
        """Move the goal to (row, col). Keeps Q (the new goal's Q is zeroed: it is terminal)."""
        cell = _cell_argument(row, col)
        painted = tuple(entry for entry in self.env.layout.painted if entry[0] != cell)
        layout = self.env.layout.with_changes(goal=cell, painted=painted)
        self._change_world(self._config_with_layout(layout))

    def paint_cell(self, row, col, reward, terminal=False) -> None:
        """Give (row, col) its own reward (terminal or not), replacing any paint there. Keeps Q."""
        cell = _cell_argument(row, col)
        if isinstance(reward, bool) or not isinstance(reward, (int, float)):
            raise ValueError(f"the reward must be a number, got {reward!r}")
        if not isinstance(terminal, bool):
            raise ValueError(f"terminal must be true or false, got {terminal!r}")
        layout = self.env.layout
        painted = tuple(entry for entry in layout.painted if entry[0] != cell) + ((cell, float(reward), terminal),)
        self._change_world(self._config_with_layout(layout.with_changes(painted=painted)))

    def erase_paint(self, row, col) -> None:
        """Remove the reward painted on (row, col), if any. Keeps Q."""
        cell = _cell_argument(row, col)
        layout = self.env.layout
        painted = tuple(entry for entry in layout.painted if entry[0] != cell)
        self._change_world(self._config_with_layout(layout.with_changes(painted=painted)))

    def plan_step(self, n=1) -> int:
        """The planning panel: ``n`` sweeps (policy iteration: evaluation sweeps or an improvement); returns the
        number taken (0 once planning is done)."""
        if isinstance(n, bool) or not isinstance(n, (int, float)) or n != int(n) or not 1 <= n <= 10_000:
            raise ValueError(f"n must be a whole number of sweeps from 1 to 10000, got {n!r}")
        return self.planner.step(int(n))

    def plan_reset(self) -> None:
        """Start the planner again from V = 0 (policy iteration: from "up everywhere")."""
        self.planner.set_world(self.env, self.config.gamma)

    def plan_phase(self) -> int:
        """Run the planner's current phase to its end (value iteration: to Δ < θ; policy iteration: the whole
        evaluation, or one improvement)."""
        return self.planner.finish_phase()

    def episode(self, budget_ms: float | None = None):
        """Run to the end of the current episode (at most ``max_episode_steps`` in all); return the steps run.

        With ``budget_ms``, stop once that much wall time has passed (in doubling batches) and return
        ``{"ran": steps, "done": whether the episode ended}``; the page calls again until it is done. A 10,000-step
        episode of Dyna-Q with 200 planning steps, compared, took 6.4 s in one call natively: a worker silent that
        long looks dead. The batches draw the same random numbers as one call (the run does not depend on them).
        """
        if budget_ms is not None and (
            isinstance(budget_ms, bool) or not isinstance(budget_ms, (int, float)) or not budget_ms > 0
        ):
            raise ValueError(f"budget_ms must be a positive number of milliseconds, got {budget_ms!r}")
        if self.average is not None:
            return self._average_episode(budget_ms)
        if budget_ms is None:
            return self._episode_steps(self.agent.max_episode_steps)
        deadline = time.perf_counter() + min(float(budget_ms), 100.0) / 1000.0
        ran, batch = 0, 1
        while True:
            ran += self._episode_steps(batch)
            if self.agent.episode_steps == 0:  # it ended (the next one has not started)
                return {"ran": ran, "done": True}
            if time.perf_counter() >= deadline:
                return {"ran": ran, "done": False}
            batch *= 2

    def _average_episode(self, budget_ms: float | None):
        """While averaging: the job's steps until the grid's run has finished one more episode (or the job is done)."""
        target = self.agent.episodes + 1
        deadline = None if budget_ms is None else time.perf_counter() + min(float(budget_ms), 100.0) / 1000.0
        ran = 0
        while self.agent.episodes < target:
            taken = self.advance(8)  # a few steps at a time: the job's next episode may end the shown one's
            ran += taken
            if taken == 0 or (deadline is not None and time.perf_counter() >= deadline):
                break
        done = self.agent.episodes >= target or self.average.finished
        return ran if budget_ms is None else {"ran": ran, "done": done}

    def _episode_steps(self, most: int) -> int:
        """At most ``most`` steps of the current episode, stopping at its end; returns the steps run."""
        remaining = max(1, min(most, self.agent.max_episode_steps - self.agent.episode_steps))
        ran = gridworld_code.run_episode(self, remaining)  # with the learner's code if edited
        if self.agent_b is not None:
            self.agent_b.run(ran)  # the comparison stays in step
        self._bound_history()
        return ran

    # -- read-outs -----------------------------------------------------------------------------------------------
    def snapshot(self, since: int = 0) -> dict:
        env, agent, vi, layout = self.env, self.agent, self.vi, self.env.layout
        rows, cols = env.rows, env.cols
        greedy_path, greedy_reached = self._greedy_path(0)
        # Episode indices are absolute; lengths older than the kept window are gone (see _bound_history).
        dropped = agent.episodes - len(agent.episode_lengths)
        since = max(dropped, min(int(since), agent.episodes))

        if env.slip == 0.0 and not layout.painted:
            optimal_length = layout.shortest_path_length()
        else:
            optimal_length = len(self.optimal_path) - 1 if self.optimal_path_reached else -1
        not_states = [s for s in range(env.n_states) if s == env.goal_state or s not in env.reachable]
        policy_star = vi.policy.astype(np.int8)
        policy_star[not_states] = -1
        # every optimal action, not just the first: bit a of optimal_actions[s] is set when
        # Q*(s,a) is within OPTIMAL_TOLERANCE of max_a Q*(s,a)
        is_optimal = vi.Q >= vi.Q.max(axis=1, keepdims=True) - OPTIMAL_TOLERANCE
        optimal_actions = (is_optimal * (1 << np.arange(env.n_actions))).sum(axis=1).astype(np.uint8)
        optimal_actions[not_states] = 0
        # The greedy action, by the rule the greedy path uses (the first maximum); -1 where Q(s, ·) is still flat
        # (nothing learned there: no arrow) or where the agent never acts.
        Q = agent.q_array().reshape(env.n_states, env.n_actions)
        first_max = Q.argmax(axis=1)
        greedy_action = np.where(Q.max(axis=1) > Q.min(axis=1), first_max, -1).astype(np.int8)
        greedy_action[not_states] = -1
        # differs: the greedy path's action (flat Q counts as action 0, as the walk takes it) is not optimal
        differs = (optimal_actions & (1 << first_max).astype(np.uint8)) == 0
        differs[not_states] = False

        return {
            "figures": {
                "episode": agent.episodes,
                "steps": agent.steps,
                "episode-length": agent.episode_lengths[-1] if agent.episode_lengths else -1,
                "greedy-path-length": len(greedy_path) - 1 if greedy_reached else -1,
                "optimal-path-length": optimal_length,
                "episode-return": agent.episode_returns[-1] if agent.episode_returns else 0.0,
                "planning-updates": getattr(agent, "planning_updates", 0),
                **self._compare_figures(),
                **self._average_figures(),
                "plan-sweeps": self.planner.sweeps,
            },
            "Q": Q.reshape(rows, cols, env.n_actions),
            "greedy_action": greedy_action.reshape(rows, cols),
            "differs": differs.astype(np.uint8).reshape(rows, cols),
            "V_star": vi.V.reshape(rows, cols).copy(),
            "policy_star": policy_star.reshape(rows, cols),
            "optimal_actions": optimal_actions.reshape(rows, cols),
            "greedy_path": np.array(greedy_path, dtype=np.int32).reshape(-1, 2),
            "optimal_path": np.array(self.optimal_path, dtype=np.int32).reshape(-1, 2),
            "layout": {
                "rows": rows,
                "cols": cols,
                "walls": [list(cell) for cell in sorted(layout.walls)],
                "cliff": [list(cell) for cell in sorted(layout.cliff)],
                "start": list(layout.start),
                "goal": list(layout.goal),
                "painted": [[r, c, reward, end] for (r, c), reward, end in layout.painted],
                "rewards": {"step": layout.step_reward, "goal": layout.goal_reward, "cliff": layout.cliff_reward},
            },
            "agent": list(env.cell_of(agent.state)),
            "trail": [list(env.cell_of(s)) for s in agent.trail],
            "episode_lengths": agent.episode_lengths[since - dropped :],
            "episode_returns": agent.episode_returns[since - dropped :],
            "episode_lengths_offset": since,
            "vi": {"sweeps": vi.sweeps, "deltas": list(vi.deltas), "converged": vi.converged},
            "epsilon_now": agent.epsilon_now,
            "model_seen": (
                agent.model_mask().astype(np.uint8)
                if isinstance(agent, DynaQ)
                else np.zeros((rows, cols, env.n_actions), dtype=np.uint8)
            ),
            "config": {f.name: str(getattr(self.config, f.name)) for f in dataclasses.fields(self.config)},
            **notice_fields(self.notices()),
            **self._compare_arrays(),
            **self._average_arrays(),
            "planner": self.planner.snapshot(),
            "last_update": self.last_update,
        }

    def _compare_figures(self) -> dict:
        b = self.agent_b
        if b is None:
            return {}
        cells, reached = self._greedy_path(1)
        return {
            "b-episode": b.episodes,
            "b-episode-return": b.episode_returns[-1] if b.episode_returns else 0.0,
            "b-greedy-path-length": len(cells) - 1 if reached else -1,
            "return-last100": _mean_tail(self.agent.episode_returns),
            "b-return-last100": _mean_tail(b.episode_returns),
        }

    def _compare_arrays(self) -> dict:
        """The comparison's second learner (Q, greedy path) and both learners' return curves, binned by Python."""
        b = self.agent_b
        if b is None:
            empty = np.zeros((0,))
            return {"Q_b": empty, "greedy_path_b": np.zeros((0, 2), dtype=np.int32), "compare_returns": empty,
                    "compare_bin": 1, "compare_first": 0}  # fmt: skip
        cells, _ = self._greedy_path(1)
        # the episodes both have finished, as absolute indices [first, last); their returns are the lists' tails
        last = min(self.agent.episodes, b.episodes)
        first = max(
            0, last - CURVE_EPISODES, *(agent.episodes - len(agent.episode_returns) for agent in self.learners())
        )
        k = last - first
        width = max(1, -(-k // CURVE_POINTS))  # ceil(k / CURVE_POINTS) episodes a point
        first += k % width  # whole bins only: drop the oldest few
        k -= k % width
        curves = []
        for agent in self.learners():
            dropped = agent.episodes - len(agent.episode_returns)
            curves.append(agent.episode_returns[first - dropped : last - dropped])
        binned = np.array(curves).reshape(2, -1, width).mean(axis=2) if k else np.zeros((2, 0))
        return {
            "Q_b": b.q_array(),
            "greedy_path_b": np.array(cells, dtype=np.int32).reshape(-1, 2),
            "compare_returns": binned,
            "compare_bin": width,
            "compare_first": first,
        }

    def _average_figures(self) -> dict:
        job = self.average
        if job is None:
            return {}
        means = job.last_window_means()
        figures = {"average-runs": job.done, "average-return-a": means[0]}
        if len(means) > 1:
            figures["average-return-b"] = means[1]
        return figures

    def _average_arrays(self) -> dict:
        job = self.average
        if job is None:
            empty = np.zeros((0,))
            return {"average_mean": empty, "average_se": empty, "average": None}
        mean, se = job.mean_and_se()
        # shown: the run on the grid (its seed, episodes so far, and the window its paths are the most frequent in)
        shown = {
            "seed": self.config.seed,
            "episodes": self.agent.episodes,
            "path_window": min(PATH_WINDOW, job.episodes),
        }
        info = {"runs": job.runs, "done": job.done, "episodes": job.episodes, "steps": job.steps, "window": job.window}
        info["smooth"] = SMOOTH_EPISODES  # the curves' moving average, episodes of each run (average.mean_and_se)
        info["shown"] = shown
        return {"average_mean": mean, "average_se": se, "average": info}

    def notices(self) -> list[str]:
        """Plain-English remarks on settings that are valid but degenerate."""
        config, vi, notes = self.config, self.vi, []
        if config.alpha == 0.0:
            notes.append(Notice("alpha-zero", "α = 0: Q never changes, nothing is learned"))
        elif config.algo in ON_POLICY and config.alpha > 0.1 and config.explore == "epsilon-greedy" and config.epsilon:
            # measured by tests/bench.py's gridworld_rules_learning and the issue-13 study (seeds 0–9, 1000 episodes)
            notes.append(
                Notice(
                    "on-policy-alpha-large",
                    f"{config.algo} learns the values of the exploring policy itself, so with a large α its greedy "
                    "path may keep changing (at α = 0.5, ε = 0.1 on the default grid it was still changing after 900 "
                    "episodes on each of 10 seeds); its default, "
                    f"α = {dict(RULE_ALPHA)[config.algo]:g}, lets it settle",
                )
            )
        if config.gamma == 0.0:
            notes.append(
                Notice(
                    "gamma-zero",
                    "γ = 0: only the next reward counts, so only the cells next to the goal learn where to go",
                )
            )
        elif config.gamma >= 0.999:
            notes.append(
                Notice(
                    "gamma-near-one",
                    f"γ = {config.gamma:g}: rewards far ahead count almost fully; values take much longer to settle",
                )
            )
        if config.explore == "epsilon-greedy":
            if config.epsilon == 1.0 and config.epsilon_decay == 1.0:
                notes.append(
                    Notice(
                        "epsilon-one",
                        "ε = 1: every action is random; Q-learning still learns the greedy path, as it is off-policy"
                        if config.algo in ("q-learning", "dyna-q")
                        else f"ε = 1: every action is random, and {config.algo} learns the values of that random walk",
                    )
                )
            elif config.epsilon == 0.0:
                notes.append(
                    Notice(
                        "epsilon-zero",
                        "ε = 0: no random actions; only ties between equal Q-values make the agent explore",
                    )
                )
        elif config.explore == "softmax":
            if config.tau <= 0.002:
                notes.append(
                    Notice(
                        "tau-tiny",
                        f"τ = {config.tau:g} is tiny next to the Q-value gaps (about 0.01): softmax ≈ greedy",
                    )
                )
            elif config.tau >= 1.0:
                notes.append(
                    Notice(
                        "tau-large", f"τ = {config.tau:g} is large next to the Q-values (at most 1): softmax ≈ random"
                    )
                )
        elif config.explore == "ucb" and config.c == 0.0:
            notes.append(Notice("ucb-greedy", "UCB with c = 0 is greedy (after trying each action once in each state)"))
        shortest = self.env.layout.shortest_path_length()
        if config.max_episode_steps < shortest:
            notes.append(
                Notice(
                    "episode-too-short",
                    f"max_episode_steps = {config.max_episode_steps} is shorter than the shortest path ({shortest} "
                    "moves): no episode can reach the goal",
                )
            )
        if not vi.converged:
            notes.append(
                Notice(
                    "vi-not-converged",
                    f"value iteration stopped after {vi.sweeps} sweeps with Δ = {vi.deltas[-1]:.2g}, "
                    f"not yet below {VI_THETA:g}",
                )
            )
        elif not self.optimal_path_reached:
            notes.append(
                Notice(
                    "vi-no-path",
                    "V*'s greedy policy does not lead to the goal: with this γ the values of near and far cells are "
                    "too close to tell apart",
                )
            )
        return notes


def _mean_tail(values: list[float], window: int = 100) -> float:
    """The mean of the last ``window`` values (0 if there are none)."""
    tail = values[-window:]
    return sum(tail) / len(tail) if tail else 0.0
