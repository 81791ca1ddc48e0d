"""Bandit demo driver: ε-greedy, softmax, UCB and optimistic greedy race on the same slot machines.

    Q(a) ← Q(a) + (r − Q(a)) / N(a)                   (sample average of arm a's rewards, after N(a) += 1)
    Q(a) ← Q(a) + α (r − Q(a))                          (or a constant step size α: step_size = "constant")
    regret(T) = Σ_{t=1..T} (μ* − μ_{a_t})                (pseudo-regret: the means, not the noisy rewards)

Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §2.4 (incremental sample
averages), §2.5 (constant step size), §2.6 (optimistic initial values: a greedy learner that starts every estimate at
Q₀ = 5, Figure 2.3), §2.3 and §2.7 (the testbed, ε-greedy against UCB); the seed post's three-strategy comparison.

The driver contract is in ``rlplay.demos``. One unit of ``advance`` is one pull by every lane. The lanes pull from
one ``BanditTestbed``, whose reward table for each pull is drawn before any lane chooses (common random numbers).
With ``runs`` > 1 the race is repeated on ``runs`` independent bandits at once, vectorised over runs (every array
has a runs axis; ``runs = 1`` is the live race, the same code), and the curves are means over runs.

Snapshot: curves ``cum_reward``, ``cum_regret``, ``best_arm_rate`` (lanes x pulls, means over runs; plus
``regret_stderr`` with ``runs`` > 1), ``optimal_share`` (the share of runs pulling the best arm at each pull: Figure
2.3's "% optimal action"); ``means``, ``Q``, ``N``, ``last_arm`` and ``optimal_arm`` are run 0's, also in
average mode (each run has its own arms, so a mean over runs of arm 2's estimate would describe no machine).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass
from typing import Annotated

import numpy as np

from rlplay.algos.constant_step_size import constant_step_update
from rlplay.algos.exploration import (
    epsilon_greedy,
    epsilon_greedy_batch,
    greedy,
    greedy_batch,
    softmax,
    softmax_batch,
    ucb,
    ucb_batch,
)
from rlplay.algos.sample_average import initial_estimates, sample_average_update
from rlplay.core.driver import DemoDriver, Notice, notice_fields
from rlplay.core.user_code import CodeSlots, Editable, check_action, finite_list, reference_source
from rlplay.envs.bandit import TABLE_FLOATS, BanditTestbed
from rlplay.params import Param, When, validate

LANES = ("epsilon-greedy", "softmax", "ucb", "optimistic-greedy")
OPTIMISTIC = LANES.index("optimistic-greedy")  # the last lane: always greedy, every estimate starting at Q₀ = q0
UNIFORMS_PER_PULL = 3  # per lane and run: u_explore, u_action, u_tie (softmax and UCB use the first only)
# The first three lanes draw their uniforms in one block, as before the optimistic lane came; it draws its tie-breaks
# (one uniform per run and pull) from a stream of its own, in blocks of the same pulls: the other lanes' numbers
# are the same with or without it.
DRAWN_LANES = OPTIMISTIC
OPTIMAL_WINDOW = 100  # the optimal-share figures average the per-pull share over the last 100 pulls


class BanditRace:
    """The lanes (``LANES``) learning on one testbed; records mean curves for up to ``capacity`` pulls.

    State, lane x run x arm: ``Q`` (estimates), ``N`` (pull counts); lane x run: ``cum_reward``, ``cum_regret``,
    ``best_count``, ``last_arm``. Curves, lane x pull (means over runs): ``curve_reward``, ``curve_regret``,
    ``curve_best_rate``, ``curve_optimal_share`` and ``curve_regret_stderr`` (standard error of the mean regret).
    ``alpha`` is the constant step size, or None for sample averages (1/N(a)); ``q0`` the optimistic lane's Q₀.

    >>> race = BanditRace(BanditTestbed(runs=1, k=5), epsilon=0.1, tau=0.5, c=2.0, seed=0, capacity=100)
    >>> race.run(1000), race.N.sum(axis=2).ravel().tolist()
    (100, [100.0, 100.0, 100.0, 100.0])
    """

    def __init__(
        self,
        testbed: BanditTestbed,
        *,
        epsilon: float,
        tau: float,
        c: float,
        seed,
        capacity: int,
        q0: float = 5.0,
        alpha: float | None = None,
        tie_seed=None,
    ):
        self.testbed = testbed
        self.epsilon, self.tau, self.c, self.alpha = epsilon, tau, c, alpha
        lanes, runs, k = len(LANES), testbed.runs, testbed.k
        self.Q = np.zeros((lanes, runs, k))
        self.Q[OPTIMISTIC] = q0
        self.N = np.zeros((lanes, runs, k))
        self.cum_reward = np.zeros((lanes, runs))
        self.cum_regret = np.zeros((lanes, runs))
        self.best_count = np.zeros((lanes, runs))
        self.last_arm = np.full((lanes, runs), -1, dtype=np.int64)
        self.pulls = 0
        self.capacity = 0
        self.curve_reward = self.curve_regret = self.curve_best_rate = np.zeros((lanes, 0))
        self.curve_optimal_share = self.curve_regret_stderr = np.zeros((lanes, 0))
        self.resize(capacity)
        self._rng = np.random.default_rng(seed)
        # the optimistic lane's tie-breaks: a child of the race's seed unless given
        if tie_seed is None:
            tie_seed = seed.spawn(1)[0] if isinstance(seed, np.random.SeedSequence) else [7, seed]
        self._tie_rng = np.random.default_rng(tie_seed)
        self._block_pulls = max(1, TABLE_FLOATS // (DRAWN_LANES * runs * UNIFORMS_PER_PULL))
        self._uniforms = np.empty((0, DRAWN_LANES, runs, UNIFORMS_PER_PULL))
        self._ties = np.empty((0, runs))
        self._index = 0
        # where (lane, run, arm) sits in the flattened Q and N
        self._row_start = (np.arange(lanes * runs) * k).reshape(lanes, runs)
        self._runs = np.arange(runs)
        # run 0's latest update, per lane: (arm, reward, Q before, N after, Q after, by edited code), for the Code
        # panel's "last update" line; None before the first pull
        self.last_pull: tuple | None = None
        # Q₀ of every arm, as last applied to the arms never pulled (initial_estimates; the reference gives zeros)
        self._q0 = np.zeros(k)

    def resize(self, capacity: int) -> None:
        """Room for ``capacity`` pulls in the curves (never less than what is recorded)."""
        capacity = max(int(capacity), self.pulls)
        grown = []
        curves = (
            self.curve_reward,
            self.curve_regret,
            self.curve_best_rate,
            self.curve_optimal_share,
            self.curve_regret_stderr,
        )
        for curve in curves:
            new = np.zeros((len(LANES), capacity))
            new[:, : self.pulls] = curve[:, : self.pulls]
            grown.append(new)
        (
            self.curve_reward,
            self.curve_regret,
            self.curve_best_rate,
            self.curve_optimal_share,
            self.curve_regret_stderr,
        ) = grown
        self.capacity = capacity

    def run(self, n: int, code: CodeSlots | None = None, plain: bool = False) -> int:
        """Up to ``n`` pulls of every lane (fewer at ``capacity``); returns how many.

        With edited code in ``code`` (or ``plain``), each choice and update is a call of the plain one-run function
        (``_run_plain``); otherwise the NumPy twins choose for all runs at once. Both give the same numbers.
        """
        n = max(0, min(int(n), self.capacity - self.pulls))
        self._initial_estimates(code)
        if plain or (code is not None and code.edited):
            return self._run_plain(n, code)
        testbed, Q, N, alpha = self.testbed, self.Q, self.N, self.alpha
        Q_flat, N_flat = Q.reshape(-1), N.reshape(-1)
        for i in range(n):
            u = self._next_uniforms()
            ties = self._ties[self._index]
            self._index += 1
            rewards = testbed.next_rewards()  # (runs, k), the same table for every lane
            t = self.pulls + 1  # this pull, counted from 1
            arms = np.stack(
                [
                    epsilon_greedy_batch(Q[0], self.epsilon, u[0, :, 0], u[0, :, 1], u[0, :, 2]),
                    softmax_batch(Q[1], self.tau, u[1, :, 0]),
                    ucb_batch(Q[2], N[2], t, self.c, u[2, :, 0]),
                    greedy_batch(Q[OPTIMISTIC], ties),
                ]
            )
            r = rewards[self._runs, arms]  # (lanes, runs)
            at = self._row_start + arms
            if i == n - 1:
                q_before = Q_flat[at[:, 0]]  # run 0's estimates before the last pull (a copy), for last_pull
            N_flat[at] += 1.0
            if alpha is None:
                # Q(a) ← Q(a) + (r − Q(a)) / N(a)   (sample_average_update, for every lane and run at once)
                Q_flat[at] += (r - Q_flat[at]) / N_flat[at]
            else:
                # Q(a) ← Q(a) + α (r − Q(a))   (constant_step_update, for every lane and run at once)
                Q_flat[at] += alpha * (r - Q_flat[at])
            self._record(arms, r, t)
        if n:
            self.last_pull = (arms[:, 0], r[:, 0], q_before, N_flat[at[:, 0]], Q_flat[at[:, 0]], False)
        return n

    def _initial_estimates(self, code: CodeSlots | None) -> None:
        """Arms never pulled hold Q₀(a) (``initial_estimates``, edited or not): a new version applies to them, in
        every lane but the optimistic one (whose Q₀ is its setting, ``q0``)."""
        if code is None or "initial_estimates" not in code.sources:
            q0 = np.zeros(self.testbed.k)  # the reference's Q₀, without a call on the fast path
        else:
            q0 = np.array(code.function("initial_estimates")(self.testbed.k), dtype=float)
        if not np.array_equal(q0, self._q0):
            Q, unpulled = self.Q[:OPTIMISTIC], self.N[:OPTIMISTIC] == 0
            Q[unpulled] = np.broadcast_to(q0, Q.shape)[unpulled]
            self._q0 = q0

    def _next_uniforms(self) -> np.ndarray:
        """This pull's uniforms (lanes, runs, 3); the caller moves ``_index`` on once the pull is made."""
        if self._index == len(self._uniforms):
            # The block the next pull would draw anyway, so a pull undone after a refill loses nothing.
            shape = (self._block_pulls, DRAWN_LANES, self.testbed.runs, UNIFORMS_PER_PULL)
            self._uniforms = self._rng.random(shape)
            self._ties = self._tie_rng.random((self._block_pulls, self.testbed.runs))
            self._index = 0
        return self._uniforms[self._index]

    def _run_plain(self, n: int, code: CodeSlots | None) -> int:
        """The reference loop: one call per lane and run of the functions in ``code`` (the reference ones if none).

        A pull is made whole or not at all: if a function fails, its pull is undone (uniforms and rewards are read
        again by the next pull) and the error propagates.
        """

        def version(name: str):
            return code.function(name) if code is not None else EDITABLE[name].reference

        select_epsilon_greedy = version("epsilon_greedy")
        select_softmax = version("softmax")
        select_ucb = version("ucb")
        alpha = self.alpha
        update = version("sample_average_update")
        edited_update = code is not None and "sample_average_update" in code.sources and alpha is None
        testbed, Q, N = self.testbed, self.Q, self.N
        lanes, runs = len(LANES), testbed.runs
        for _ in range(n):
            u = self._next_uniforms().tolist()
            ties = self._ties[self._index].tolist()
            t = self.pulls + 1
            arms = np.empty((lanes, runs), dtype=np.int64)
            for run in range(runs):
                u_explore, u_action, u_tie = u[0][run]
                arms[0, run] = select_epsilon_greedy(Q[0, run].tolist(), self.epsilon, u_explore, u_action, u_tie)
                arms[1, run] = select_softmax(Q[1, run].tolist(), self.tau, u[1][run][0])
                arms[2, run] = select_ucb(Q[2, run].tolist(), N[2, run].tolist(), t, self.c, u[2][run][0])
                arms[OPTIMISTIC, run] = greedy(Q[OPTIMISTIC, run].tolist(), ties[run])
            rewards = testbed.next_rewards()
            r = rewards[self._runs, arms]
            rows = []
            q_before = Q[:, 0, :][np.arange(lanes), arms[:, 0]]
            try:
                for lane in range(lanes):
                    for run in range(runs):
                        q, counts = Q[lane, run].tolist(), N[lane, run].tolist()
                        arm, reward = int(arms[lane, run]), float(r[lane, run])
                        if alpha is None:
                            update(q, counts, arm, reward)
                        else:  # a constant step size: the reference update (only the sample average is editable)
                            counts[arm] += 1
                            constant_step_update(q, arm, reward, alpha)
                        rows.append((lane, run, q, counts))
            except Exception:
                testbed._index -= 1  # read this pull's rewards again next time
                testbed.pulls -= 1
                raise
            for lane, run, q, counts in rows:
                Q[lane, run], N[lane, run] = q, counts
            self._index += 1
            self._record(arms, r, t)
            at = (np.arange(lanes), arms[:, 0])
            self.last_pull = (arms[:, 0], r[:, 0], q_before, N[:, 0, :][at], Q[:, 0, :][at], edited_update)
        return n

    def _record(self, arms: np.ndarray, r: np.ndarray, t: int) -> None:
        """Book pull ``t`` (arms and rewards, lanes x runs) into the totals and the curves."""
        testbed, runs = self.testbed, self.testbed.runs
        self.cum_reward += r
        # regret += μ* − μ_a
        self.cum_regret += testbed.gaps[self._runs, arms]
        optimal = arms == testbed.optimal_arm
        self.best_count += optimal
        self.last_arm = arms
        column = self.pulls
        # means over runs, as ndarray.mean computes them (np.add.reduce, then ÷ runs) without its per-call overhead
        self.curve_reward[:, column] = np.add.reduce(self.cum_reward, axis=1) / runs
        self.curve_regret[:, column] = np.add.reduce(self.cum_regret, axis=1) / runs
        self.curve_best_rate[:, column] = np.add.reduce(self.best_count, axis=1) / runs / t
        self.curve_optimal_share[:, column] = np.count_nonzero(optimal, axis=1) / runs
        if runs > 1:
            # standard error of the mean regret across runs: s / √runs
            self.curve_regret_stderr[:, column] = self.cum_regret.std(axis=1, ddof=1) / math.sqrt(runs)
        self.pulls = t


def _check_initial(result, args) -> str | None:
    return finite_list(result, "initial_estimates(k)", args[0])


def _check_update(result, args) -> str | None:
    Q, N = args[0], args[1]
    if result is not None:
        return "sample_average_update changes Q and N in place and returns nothing (None)"
    return finite_list(Q, "Q", len(N)) or finite_list(N, "N", len(Q))


_check_arm = check_action(lambda args: len(args[0]))  # every selector's first argument is q, one value per arm
_TWIN = "The race runs {}, its NumPy twin over many runs at once; tests/test_code.py proves both give the same numbers."
# The functions the Code panel shows and lets a learner edit (rlplay.core.user_code).
EDITABLE = {
    "epsilon_greedy": Editable(epsilon_greedy, _check_arm, _TWIN.format("epsilon_greedy_batch"), "ε-greedy lane"),
    "softmax": Editable(softmax, _check_arm, _TWIN.format("softmax_batch"), "softmax lane"),
    "ucb": Editable(ucb, _check_arm, _TWIN.format("ucb_batch"), "UCB lane"),
    "sample_average_update": Editable(
        sample_average_update,
        _check_update,
        "The race applies it to every lane and run at once, with the same float operations (tests/test_code.py). "
        "With a constant step size α (Settings) the race uses constant_step_update instead.",
        "every lane's update (step size 1/N)",
    ),
    "initial_estimates": Editable(
        initial_estimates,
        _check_initial,
        "",
        "Q₀ of every lane but optimistic greedy, whose Q₀ is a setting (an arm keeps it until its first pull)",
    ),
}


LANE_LABELS = {"epsilon-greedy": "ε-greedy", "softmax": "softmax", "ucb": "UCB", "optimistic-greedy": "optimistic"}


def _number(value: float) -> str:
    """3 decimals with a real minus sign, as the page prints Q."""
    return f"{value:.3f}".replace("-", "−")


@functools.lru_cache(maxsize=16)
def update_line(source: str) -> int:
    """The 1-based line of ``source`` that changes Q (``Q[arm] += …``): the one the panel highlights; 0 if none."""
    for number, line in enumerate(source.splitlines(), 1):
        if line.lstrip().startswith("Q[arm] +="):
            return number
    return 0


@functools.cache
def _reference_update_source() -> str:
    return reference_source(sample_average_update)  # read once: inspect.getsource costs ~0.25 ms a snapshot


def describe_last_pull(race: BanditRace, code: CodeSlots) -> dict | None:
    """The Code panel's "last update": each lane's update of race 0's latest pull, numbers in.

    With the reference update, ``Q[a] ← Q[a] + (r − Q[a]) / N[a] = new`` (N already counted this pull), or with a
    constant step size ``Q[a] ← Q[a] + α·(r − Q[a]) = new``; with an edited one, what it did (the reference formula
    would not be what ran).
    """
    if race.last_pull is None:
        return None
    arms, rewards, before, counts, after, edited = race.last_pull
    width = max(len(label) for label in LANE_LABELS.values())
    lines = [f"pull {race.pulls}" + (" of race 1" if race.testbed.runs > 1 else "")]
    for lane, name in enumerate(LANES):
        a, r, q, n, q_new = int(arms[lane]), float(rewards[lane]), float(before[lane]), counts[lane], after[lane]
        if edited:
            text = f"Q[{a}]: {_number(q)} → {_number(q_new)}, N[{a}] = {n:g}, r = {_number(r)}"
        elif race.alpha is not None:
            text = f"Q[{a}] ← {_number(q)} + {race.alpha:g}·({_number(r)}\u00a0−\u00a0{_number(q)}) = {_number(q_new)}"
        else:
            # no-break spaces inside the brackets: on a narrow screen the line wraps between terms, not inside one
            text = f"Q[{a}] ← {_number(q)} + ({_number(r)}\u00a0−\u00a0{_number(q)}) / {n:g} = {_number(q_new)}"
        lines.append(f"  {LANE_LABELS[name]:<{width}}  {text}")
    if race.alpha is not None:
        return {"function": "constant_step_update", "text": "\n".join(lines), "line": 0}
    source = code.sources.get("sample_average_update") or _reference_update_source()
    return {"function": "sample_average_update", "text": "\n".join(lines), "line": update_line(source)}


@dataclass(frozen=True)
class BanditConfig:
    seed: Annotated[int, Param(0, 2**31 - 1, 1, label="Seed")] = 0
    """Random seed of the pulls' noise and the strategies' choices, 0..2147483647."""
    arm_seed: Annotated[int, Param(0, 2**31 - 1, 1)] = 0
    """Random seed of the arms' hidden means (New arms adds 1), 0..2147483647."""
    arms: Annotated[int, Param(2, 10, 1, label="Arms k")] = 5
    """Number of arms k, 2..10."""
    epsilon: Annotated[float, Param(0.0, 1.0, 0.01, label="ε (ε-greedy)")] = 0.1
    """ε-greedy: probability of a random pull, 0..1."""
    tau: Annotated[float, Param(0.01, 5.0, 0.01, log=True, label="τ (softmax)")] = 0.5
    """Softmax temperature τ, 0.01..5: small = nearly greedy, large = nearly random."""
    # c is in reward units. The post's c = 2 suits Sutton & Barto's testbed (reward noise σ = 1); with this
    # bandit's σ = 0.3 it over-explores and loses to ε-greedy. c ≈ σ·√2 is the Hoeffding-scale choice: over 500
    # runs of 1000 pulls on 5 arms, regret is UCB 14 (c = 0.5) or 94 (c = 2) against ε-greedy's 80.
    c: Annotated[float, Param(0.0, 10.0, 0.1, label="c (UCB)")] = 0.5
    """UCB exploration weight c, 0..10: bonus c·√(ln t / N(a)) for rarely pulled arms."""
    q0: Annotated[float, Param(-10.0, 10.0, 0.1, label="Q₀ (optimistic greedy)")] = 5.0
    """Optimistic greedy: every arm's estimate before its first pull, −10..10 (the arms' means are about 1)."""
    step_size: Annotated[
        str,
        Param(
            choices=("sample-average", "constant"),
            label="Step size",
            choice_labels=(("sample-average", "1/N(a): sample average"), ("constant", "constant α")),
        ),
    ] = "sample-average"
    """Every lane's update: sample-average (step 1/N(a), Q₀ forgotten at the first pull) or constant (step α)."""
    alpha: Annotated[
        float,
        Param(0.01, 1.0, 0.01, label="α (step size)", shown_when=(When("step_size", ("constant",)),)),
    ] = 0.1
    """Constant step size α, 0.01..1: Q(a) ← Q(a) + α (r − Q(a)); Q₀'s weight decays as (1 − α)ⁿ."""
    runs: Annotated[int, Param(1, 2000, 1)] = 1
    """1 = one live race; more = the curves average that many races, each on its own arms, 1..2000."""
    horizon: Annotated[int, Param(10, 100_000, 10)] = 1000
    """Pulls per race, 10..100000."""

    def __post_init__(self):
        validate(self)


class BanditDemo(DemoDriver):
    """Three exploration strategies on the same bandit(s). See ``rlplay.demos`` for the contract."""

    COMMANDS = frozenset({"new_arms"})
    ENDS = True  # advance stops at the horizon: the CLI's default is the whole race
    EDITABLE = EDITABLE

    def __init__(self, config: BanditConfig | None = None):
        self.config = config if config is not None else BanditConfig()
        self.code = CodeSlots(EDITABLE)
        self._fresh_run()

    def _fresh_run(self) -> None:
        config = self.config
        # spawn(3)'s first two children are spawn(2)'s: the optimistic lane left the other lanes' numbers as they were
        noise_seed, choice_seed, tie_seed = np.random.SeedSequence(config.seed).spawn(3)
        self.testbed = BanditTestbed(config.runs, config.arms, arm_seed=config.arm_seed, seed=noise_seed)
        self.race = BanditRace(
            self.testbed,
            epsilon=config.epsilon,
            tau=config.tau,
            c=config.c,
            seed=choice_seed,
            capacity=config.horizon,
            q0=config.q0,
            alpha=self._alpha(config),
            tie_seed=tie_seed,
        )
        self.code.bind_rng(self.race._rng)

    @staticmethod
    def _alpha(config: BanditConfig) -> float | None:
        """The race's step size: α, or None for sample averages."""
        return config.alpha if config.step_size == "constant" else None

    # -- the contract --------------------------------------------------------------------------------------------
    def advance(self, n: int) -> int:
        """``n`` pulls of every lane, stopping at the horizon; returns the pulls made."""
        if n < 0:
            raise ValueError(f"the number of pulls must be 0 or more, got {n}")
        return self.race.run(n, self.code)

    def reset(self) -> None:
        """Start the race again: same arms, same seed, same pulls."""
        self._fresh_run()

    def configure(self, **changes) -> list[str]:
        """Apply changed settings; returns the names that needed a fresh race.

        ε, τ, c and the step size apply from the next pull. A longer horizon extends the race; a horizon shorter than
        the pulls already made, or new seeds, arms, runs or Q₀, start a fresh race. On a ``ValueError`` nothing
        changes.
        """
        fields = {f.name for f in dataclasses.fields(BanditConfig)}
        unknown = sorted(set(changes) - fields)
        if unknown:
            raise ValueError(f"unknown bandit settings: {', '.join(unknown)}")
        old, new = self.config, dataclasses.replace(self.config, **changes)
        changed = {name for name in fields if getattr(old, name) != getattr(new, name)}
        self.config = new
        fresh = [name for name in ("seed", "arm_seed", "arms", "runs", "q0") if name in changed]
        if "horizon" in changed and new.horizon < self.race.pulls:
            fresh.append("horizon")
        if fresh:
            self._fresh_run()
            return fresh
        self.race.epsilon, self.race.tau, self.race.c = new.epsilon, new.tau, new.c
        self.race.alpha = self._alpha(new)
        self.race.resize(new.horizon)
        return []

    # -- commands ------------------------------------------------------------------------------------------------
    def new_arms(self) -> int:
        """Draw new hidden means (arm_seed + 1) and start a fresh race; returns the new arm_seed."""
        self.config = dataclasses.replace(self.config, arm_seed=(self.config.arm_seed + 1) % 2**31)
        self._fresh_run()
        return self.config.arm_seed

    # -- read-outs -----------------------------------------------------------------------------------------------
    def snapshot(self, since: int = 0) -> dict:
        race, testbed = self.race, self.testbed
        t = race.pulls
        since = max(0, min(int(since), t))
        figures: dict[str, float] = {"pulls": t}
        for lane, name in enumerate(LANES):
            figures[f"regret-{name}"] = float(race.curve_regret[lane, t - 1]) if t else 0.0
        for lane, name in enumerate(LANES):
            figures[f"reward-{name}"] = float(race.curve_reward[lane, t - 1]) if t else 0.0
        for lane, name in enumerate(LANES):
            figures[f"best-arm-rate-{name}"] = float(race.curve_best_rate[lane, t - 1]) if t else -1
        for lane, name in enumerate(LANES):
            # Figure 2.3's "% optimal action" at the end: the share of runs pulling the best arm, last 100 pulls
            recent = race.curve_optimal_share[lane, max(0, t - OPTIMAL_WINDOW) : t]
            figures[f"optimal-share-{name}"] = float(recent.mean()) if t else -1
        averaged = self.config.runs > 1
        snapshot = {
            "figures": figures,
            "means": testbed.means[0].copy(),
            "Q": race.Q[:, 0, :].copy(),
            "N": race.N[:, 0, :].copy(),
            "last_arm": race.last_arm[:, 0].astype(np.int32),
            "cum_reward": race.curve_reward[:, since:t].copy(),
            "cum_regret": race.curve_regret[:, since:t].copy(),
            "best_arm_rate": race.curve_best_rate[:, since:t].copy(),
            "optimal_share": race.curve_optimal_share[:, since:t].copy(),
            "curve_offset": since,
            "lanes": list(LANES),
            "optimal_arm": int(testbed.optimal_arm[0]),
            "mode": "average" if averaged else "race",
            "last_update": describe_last_pull(race, self.code),
            "config": {f.name: str(getattr(self.config, f.name)) for f in dataclasses.fields(self.config)},
            **notice_fields(self.notices()),
        }
        if averaged:
            snapshot["regret_stderr"] = race.curve_regret_stderr[:, since:t].copy()
        return snapshot

    def notices(self) -> list[str]:
        """Plain-English remarks on settings that are valid but degenerate."""
        config, notes = self.config, []
        if config.epsilon == 0.0:
            notes.append(
                Notice("epsilon-zero", "ε = 0: ε-greedy never explores; it can lock onto the first arm that paid well")
            )
        elif config.epsilon == 1.0:
            notes.append(Notice("epsilon-one", "ε = 1: ε-greedy pulls arms at random"))
        if config.tau <= 0.05:
            notes.append(
                Notice(
                    "tau-tiny",
                    f"τ = {config.tau:g} is tiny next to the gaps between arms (about 0.5): softmax ≈ greedy",
                )
            )
        elif config.tau >= 2.0:
            notes.append(
                Notice(
                    "tau-large",
                    f"τ = {config.tau:g} is large next to the gaps between arms (about 0.5): softmax ≈ random",
                )
            )
        if config.c == 0.0:
            notes.append(
                Notice(
                    "ucb-greedy",
                    "UCB with c = 0 is greedy: after one pull of each arm it always pulls the best estimate",
                )
            )
        return notes
