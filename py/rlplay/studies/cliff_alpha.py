"""Figure 6.3's interim performance: SARSA, Expected SARSA and Q-learning on the cliff, against the step size α.

    result(rule, α, run i) = (1/E) Σ_{e=1..E} G_e        G_e = episode e's sum of rewards (undiscounted), E = 100

Sutton & Barto's cliff walk (Example 6.6: −1 a step, −100 and back to the start for a fall), ε-greedy with ε = 0.1,
γ = 1, Q₀ = 0, α from 0.1 to 1.0; each point the mean over 50 runs of the mean return of the first 100 episodes.
What the figure shows: Expected SARSA at or above SARSA at every α (it removes the variance of sampling A′, so it
tolerates large α), and Q-learning's online return the lowest (it learns the edge path and keeps falling off it while
it explores).

Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §6.6, Figure 6.3 (the book
averages its interim curves over 50,000 runs; 50 here, as the page can run them in seconds); van Seijen et al.
(2009). The learners are the gridworld demo's own (``rlplay.algos.sarsa``, ``expected_sarsa``, ``q_learning``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Annotated

from rlplay.algos.expected_sarsa import ExpectedSarsa
from rlplay.algos.q_learning import QLearning
from rlplay.algos.sarsa import Sarsa
from rlplay.envs.gridworld import Gridworld
from rlplay.params import Param, validate
from rlplay.studies.study import Method, Study, run_seed

RULES = {
    "sarsa": ("SARSA", Sarsa),
    "expected-sarsa": ("Expected SARSA", ExpectedSarsa),
    "q-learning": ("Q-learning", QLearning),
}
ALPHAS = tuple(i / 10 for i in range(1, 11))  # 0.1, 0.2, ..., 1.0 (i / 10 is the double nearest each)
GAMMA = 1.0  # the cliff walk is undiscounted
# An episode is never cut short in the book. This cap only guards against a run that never ends: a run with an
# episode that reaches it raises rather than report a return the book's setting would not give.
MAX_EPISODE_STEPS = 100_000


@dataclass(frozen=True)
class CliffAlphaConfig:
    """The settings of the cliff α study."""

    runs: Annotated[int, Param(1, 10_000, 1)] = 50
    """Independent runs per point (each with its own seed, the same for every rule and α), 1..10000."""
    episodes: Annotated[int, Param(1, 100_000, 1)] = 100
    """Episodes per run; a run's result is its mean return over them (the book's interim: 100), 1..100000."""
    epsilon: Annotated[float, Param(0.0, 1.0, 0.01)] = 0.1
    """ε of every rule's ε-greedy behaviour, 0..1."""
    seed: Annotated[int, Param(0, 2**31 - 1, 1)] = 0
    """The study's seed: run i is seeded from (seed, i) alone, 0..2³¹−1."""

    def __post_init__(self):
        validate(self)


def methods(config: CliffAlphaConfig) -> tuple[Method, ...]:
    return tuple(Method(name, label, "α", ALPHAS) for name, (label, _) in RULES.items())


@functools.cache
def cliff() -> Gridworld:
    return Gridworld("cliff")


def learner(config: CliffAlphaConfig, rule: str, alpha: float, run: int):
    """Run ``run``'s learner of ``rule`` at step size ``alpha``, before it has taken a step."""
    _, agent_class = RULES[rule]
    return agent_class(
        cliff(),
        alpha=alpha,
        gamma=GAMMA,
        explore="epsilon-greedy",
        epsilon=config.epsilon,
        seed=run_seed(config.seed, run),
        max_episode_steps=MAX_EPISODE_STEPS,
    )


def measure(config: CliffAlphaConfig, rule: str, alpha: float, runs: range) -> tuple[list[float], int]:
    """Per run: the mean return per episode over the first ``config.episodes`` episodes; and the steps taken."""
    results, steps = [], 0
    for run in runs:
        agent = learner(config, rule, alpha, run)
        steps += agent.run_episodes(config.episodes)
        if max(agent.episode_lengths) >= MAX_EPISODE_STEPS:
            raise RuntimeError(f"{rule} at α = {alpha}, run {run}: an episode reached {MAX_EPISODE_STEPS} steps")
        # (1/E) Σ_e G_e, exactly (the returns are whole numbers, but fsum says so without needing it)
        results.append(math.fsum(agent.episode_returns[: config.episodes]) / config.episodes)
    return results, steps


STUDY = Study(
    name="cliff-alpha-study",
    title="Figure 6.3 (interim): TD control on the cliff against the step size α",
    claim=(
        "Expected SARSA does at least as well as SARSA at every step size, and better at large ones; "
        "Q-learning's online return is the lowest, as it keeps exploring next to the edge it learned to walk."
    ),
    metric="mean return per episode over the first {episodes:,} episodes",
    y_label="mean return per episode",
    x_label="step size α",
    x_log2=False,
    methods=methods,
    measure=measure,
    config=CliffAlphaConfig,
    chunk=1,
)
