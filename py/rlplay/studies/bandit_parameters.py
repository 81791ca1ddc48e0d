"""Figure 2.6: the bandit methods on the 10-armed testbed, each against its own parameter, on a log-2 axis.

    result(method, parameter, run i) = (1/T) Σ_{t=1..T} R_t          T = 1000 pulls

The book's testbed: each run is a new bandit, q*(a) ~ N(0, 1) for its 10 arms, R_t ~ N(q*(A_t), 1). The methods:

    ε-greedy (ε)                sample averages, Q₁ = 0, a random arm with probability ε          (§2.2–2.4)
    gradient bandit (α)         preferences H, π = softmax(H), baseline R̄ = mean of past rewards   (§2.8)
    UCB (c)                     sample averages, argmax Q(a) + c √(ln t / N(a)), untried arms first (§2.7)
    greedy, optimistic Q₁ (Q₀)  constant step α = 0.1 from Q₁ = Q₀, always greedy                  (§2.6)
    softmax (τ)                 sample averages, P(a) ∝ exp(Q(a)/τ): not in the book's figure, added for the page's
                                bandit, which races it

Ties are broken uniformly at random everywhere. Every method of run i pulls on the same bandit and sees the same
reward for the same (pull, arm) and the same uniforms (common random numbers).

Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §2.10, Figure 2.6 (2,000 runs a
point; the page runs 200). This testbed is the book's (N(0, 1) means, unit noise), not the bandit demo's milder one
(``rlplay.envs.bandit``: N(1, 0.5²) means, noise 0.3), whose ``draw_means`` draws the arms.

Speed: the runs of a task are vectorised (NumPy, one row per run), with each run's random numbers drawn from its own
generators, so a run's result does not depend on the other runs of its task. ``one_run`` is the plain reference (one
run, Python floats, the one-state functions); a test checks the two give the same numbers bit for bit.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Annotated

import numpy as np

from rlplay.algos.constant_step_size import constant_step_update, constant_step_update_batch
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
from rlplay.algos.gradient_bandit import (
    action_probabilities,
    action_probabilities_batch,
    gradient_bandit_update,
    gradient_bandit_update_batch,
    pull,
    pull_batch,
)
from rlplay.algos.sample_average import sample_average_update
from rlplay.envs.bandit import draw_means
from rlplay.params import Param, validate
from rlplay.studies.study import Method, Study, run_seed

BOOK_MEAN, BOOK_SPREAD, BOOK_NOISE = 0.0, 1.0, 1.0  # q*(a) ~ N(0, 1), R ~ N(q*(a), 1)
OPTIMISTIC_ALPHA = 0.1  # the optimistic greedy learner's constant step size (the book's)
UNIFORMS_PER_PULL = 3  # u_explore, u_action, u_tie (softmax, UCB, gradient and greedy use the first only)


def _powers_of_two(low: int, high: int) -> tuple[float, ...]:
    return tuple(2.0**e for e in range(low, high + 1))


# name: (label, parameter, values): the book's ranges (softmax's chosen to show its peak)
METHODS = {
    "epsilon-greedy": ("ε-greedy", "ε", _powers_of_two(-7, -2)),
    "gradient-bandit": ("gradient bandit", "α", _powers_of_two(-5, 2)),
    "ucb": ("UCB", "c", _powers_of_two(-4, 2)),
    "optimistic-greedy": ("greedy with optimistic Q₀, α = 0.1", "Q₀", _powers_of_two(-2, 2)),
    "softmax": ("softmax (not in the book's figure)", "τ", _powers_of_two(-7, 0)),
}


@dataclass(frozen=True)
class BanditParameterConfig:
    """The settings of the bandit parameter study."""

    runs: Annotated[int, Param(1, 100_000, 1)] = 200
    """Independent bandits per point (the book: 2,000), each with its own seed, the same for every method, 1..100000."""
    pulls: Annotated[int, Param(1, 100_000, 1)] = 1000
    """Pulls per run; a run's result is its mean reward over them (the book: 1,000), 1..100000."""
    arms: Annotated[int, Param(2, 100, 1)] = 10
    """Arms of each bandit (the book: 10), 2..100."""
    seed: Annotated[int, Param(0, 2**31 - 1, 1)] = 0
    """The study's seed: run i is seeded from (seed, i) alone, 0..2³¹−1."""

    def __post_init__(self):
        validate(self)


def methods(config: BanditParameterConfig) -> tuple[Method, ...]:
    return tuple(Method(name, label, parameter, values) for name, (label, parameter, values) in METHODS.items())


def draw_run(config: BanditParameterConfig, run: int) -> tuple[np.ndarray, np.ndarray]:
    """Run ``run``'s bandit and uniforms: rewards (pulls, arms), every arm's reward at every pull, and uniforms
    (pulls, 3). Each from its own child of the run's seed."""
    arms_seed, noise_seed, choice_seed = run_seed(config.seed, run).spawn(3)
    # q*(a) ~ N(0, 1)
    means = draw_means(arms_seed, 1, config.arms, BOOK_MEAN, BOOK_SPREAD)[0]
    # R = q*(a) + σ z, z ~ N(0, 1)
    rewards = means + BOOK_NOISE * np.random.default_rng(noise_seed).standard_normal((config.pulls, config.arms))
    uniforms = np.random.default_rng(choice_seed).random((config.pulls, UNIFORMS_PER_PULL))
    return rewards, uniforms


@functools.lru_cache(maxsize=2)
def draw_runs(config: BanditParameterConfig, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """``draw_run`` for runs ``start`` .. ``stop − 1``, laid out pull-major for the batch loop: rewards
    (pulls, runs, arms) and uniforms (pulls, 3, runs). Kept for the next task: a task is one method at one value, and
    every method and value of the same runs pulls on the same bandits (read-only arrays, shared)."""
    drawn = [draw_run(config, run) for run in range(start, stop)]
    rewards = np.ascontiguousarray(np.stack([r for r, _ in drawn], axis=1))
    uniforms = np.ascontiguousarray(np.stack([u for _, u in drawn], axis=2))
    rewards.flags.writeable = uniforms.flags.writeable = False
    return rewards, uniforms


def measure(config: BanditParameterConfig, method: str, value: float, runs: range) -> tuple[list[float], int]:
    """Per run: the mean reward over the first ``config.pulls`` pulls, all runs of ``runs`` at once; and the pulls."""
    rewards, uniforms = draw_runs(config, runs.start, runs.stop)
    n_runs, k = len(runs), config.arms
    rows = np.arange(n_runs)
    Q = np.full((n_runs, k), value if method == "optimistic-greedy" else 0.0)  # estimates, or preferences H
    N = np.zeros((n_runs, k))
    past_mean = np.zeros(n_runs)  # the gradient bandit's R̄
    total = np.zeros(n_runs)
    for t in range(config.pulls):
        u_explore, u_action, u_tie = uniforms[t]
        if method == "epsilon-greedy":
            arms = epsilon_greedy_batch(Q, value, u_explore, u_action, u_tie)
        elif method == "softmax":
            arms = softmax_batch(Q, value, u_explore)
        elif method == "ucb":
            arms = ucb_batch(Q, N, t + 1, value, u_explore)
        elif method == "optimistic-greedy":
            arms = greedy_batch(Q, u_explore)
        else:
            pi = action_probabilities_batch(Q)
            arms = pull_batch(pi, u_explore)
        r = rewards[t][rows, arms]
        if method == "optimistic-greedy":
            constant_step_update_batch(Q, arms, r, OPTIMISTIC_ALPHA)
        elif method == "gradient-bandit":
            baseline = r if t == 0 else past_mean  # R̄_1 = R_1
            gradient_bandit_update_batch(Q, pi, arms, r, baseline, value)
            # R̄ ← R̄ + (R − R̄) / t
            past_mean = past_mean + (r - past_mean) / (t + 1)
        else:
            N[rows, arms] += 1.0
            # Q(a) ← Q(a) + (r − Q(a)) / N(a)   (sample_average_update, every run at once)
            Q[rows, arms] += (r - Q[rows, arms]) / N[rows, arms]
        total += r
    # (1/T) Σ_t R_t
    return (total / config.pulls).tolist(), n_runs * config.pulls


def one_run(config: BanditParameterConfig, method: str, value: float, run: int) -> float:
    """``measure`` for one run, written plainly with the one-state functions: the reference the batch must equal."""
    rewards, uniforms = draw_run(config, run)
    rewards, uniforms = rewards.tolist(), uniforms.tolist()
    k = config.arms
    Q = [value] * k if method == "optimistic-greedy" else [0.0] * k
    N = [0.0] * k
    past_mean, total = 0.0, 0.0
    for t in range(config.pulls):
        u_explore, u_action, u_tie = uniforms[t]
        if method == "epsilon-greedy":
            arm = epsilon_greedy(Q, value, u_explore, u_action, u_tie)
        elif method == "softmax":
            arm = softmax(Q, value, u_explore)
        elif method == "ucb":
            arm = ucb(Q, [int(n) for n in N], t + 1, value, u_explore)
        elif method == "optimistic-greedy":
            arm = greedy(Q, u_explore)
        else:
            pi = action_probabilities(Q)
            arm = pull(pi, u_explore)
        r = rewards[t][arm]
        if method == "optimistic-greedy":
            constant_step_update(Q, arm, r, OPTIMISTIC_ALPHA)
        elif method == "gradient-bandit":
            gradient_bandit_update(Q, pi, arm, r, r if t == 0 else past_mean, value)
            past_mean = past_mean + (r - past_mean) / (t + 1)
        else:
            sample_average_update(Q, N, arm, r)
        total += r
    return total / config.pulls


STUDY = Study(
    name="bandit-parameter-study",
    title="Figure 2.6: bandit methods on the 10-armed testbed, each against its parameter",
    claim=(
        "Every method does best at an intermediate value of its parameter, and UCB's best is the highest of all, "
        "at c = 1/2 to 1."
    ),
    metric="mean reward over the first {pulls:,} pulls",
    y_label="mean reward",
    x_label="ε, α, c, Q₀, τ (log₂ scale)",
    x_log2=True,
    methods=methods,
    measure=measure,
    config=BanditParameterConfig,
    chunk=50,
)
