"""Multi-armed bandit: k slot machines with hidden mean payouts, one state, no transitions.

    μ_a ~ N(1, 0.5²)  for each arm a (drawn once, hidden)          r_t = μ_{a_t} + σ z_t,  z_t ~ N(0, 1),  σ = 0.3
    a* = argmax_a μ_a           pseudo-regret after T pulls = Σ_{t=1..T} (μ* − μ_{a_t})

Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §2.3 (the 10-armed testbed,
there with μ_a ~ N(0, 1) and σ = 1); the seed post's bandit (μ_a ~ N(1, 0.5²), σ = 0.3).

``BanditTestbed`` holds many independent bandits at once (one per run) and serves their rewards from one table per
pull: ``rewards[run, arm]`` for every arm, drawn before anyone pulls. Strategies racing on the same testbed see the
same reward for the same (pull, arm) ("common random numbers"), so their differences come from how they choose,
not from luck. ``Bandit`` is the single-run, Gymnasium-style view of the same thing.
"""

from __future__ import annotations

import numpy as np

MEAN_OF_MEANS = 1.0  # the arms' means are drawn around this
SPREAD_OF_MEANS = 0.5  # with this standard deviation
REWARD_NOISE = 0.3  # σ: standard deviation of one pull's reward around its arm's mean
TABLE_FLOATS = 1 << 15  # rewards drawn per block: (pulls in a block) x runs x arms ≈ this


def draw_means(
    arm_seed: int, runs: int, k: int, mean: float = MEAN_OF_MEANS, spread: float = SPREAD_OF_MEANS
) -> np.ndarray:
    """Hidden means μ (runs, k) ~ N(mean, spread²). Row 0 is the same whatever ``runs`` is."""
    return mean + spread * np.random.default_rng(arm_seed).standard_normal((runs, k))


class BanditTestbed:
    """``runs`` independent k-armed bandits, their rewards drawn ahead, pull by pull, in blocks.

    ``next_rewards()`` returns the (runs, k) table of the next pull: the reward every arm would pay. Blocks have a
    size fixed by (runs, k), so the rewards of pull t never depend on how the pulls were requested.

    >>> testbed = BanditTestbed(runs=2, k=3, arm_seed=0, seed=0)
    >>> testbed.means.shape, testbed.next_rewards().shape, testbed.pulls
    ((2, 3), (2, 3), 1)
    """

    def __init__(
        self,
        runs: int,
        k: int,
        *,
        arm_seed: int = 0,
        seed: int | np.random.SeedSequence = 0,
        mean: float = MEAN_OF_MEANS,
        spread: float = SPREAD_OF_MEANS,
        noise: float = REWARD_NOISE,
    ):
        if runs < 1 or k < 2:
            raise ValueError(f"a testbed needs at least 1 run and 2 arms, got runs={runs}, k={k}")
        self.runs, self.k, self.noise = runs, k, noise
        self.means = draw_means(arm_seed, runs, k, mean, spread)
        self.optimal_arm = self.means.argmax(axis=1)  # a* of each run
        # μ* − μ_a: what pulling arm a costs against always pulling the best arm, for pseudo-regret
        self.gaps = self.means.max(axis=1, keepdims=True) - self.means
        self._rng = np.random.default_rng(seed)
        self._block_pulls = max(1, TABLE_FLOATS // (runs * k))
        self._block = np.empty((0, runs, k))
        self._index = 0
        self.pulls = 0

    def next_rewards(self) -> np.ndarray:
        """The rewards (runs, k) of the next pull, for every arm: r = μ_a + σ z."""
        if self._index == len(self._block):
            z = self._rng.standard_normal((self._block_pulls, self.runs, self.k))
            # r = μ_a + σ z
            self._block = self.means + self.noise * z
            self._index = 0
        rewards = self._block[self._index]
        self._index += 1
        self.pulls += 1
        return rewards


class Bandit:
    """A k-armed bandit: pull an arm, get a noisy reward around its hidden mean.

    ## Description
    The seed post's slot machines: each arm a pays μ_a + σ z with z ~ N(0, 1); the means μ_a ~ N(1, 0.5²) are drawn
    once from ``arm_seed`` and kept (``means``, ``optimal_arm`` let a page or a test peek). The rewards come from a
    one-run ``BanditTestbed``.

    ## Action Space
    ``n_actions = k``: the arm to pull, 0..k−1.

    ## Observation Space
    There is one state: the observation is always ``0`` and ``observation_shape = ()``.

    ## Rewards
    μ_a + σ z for the pulled arm (σ = 0.3 by default). ``info["regret"]`` = μ* − μ_a, this pull's pseudo-regret.

    ## Starting State
    The only state. ``reset(seed=…)`` restarts the reward noise; the means stay.

    ## Episode End
    Never terminated; truncated after ``horizon`` pulls if that is set.
    """

    observation_shape = ()

    def __init__(
        self,
        k: int = 5,
        *,
        arm_seed: int = 0,
        seed: int | None = None,
        noise: float = REWARD_NOISE,
        horizon: int | None = None,
    ):
        self.k = self.n_actions = k
        self.arm_seed, self.noise, self.horizon = arm_seed, noise, horizon
        self._seed = seed
        self.reset(seed)

    def reset(self, seed: int | None = None) -> tuple[int, dict]:
        if seed is not None:
            self._seed = seed
        self._testbed = BanditTestbed(1, self.k, arm_seed=self.arm_seed, seed=self._seed, noise=self.noise)
        self.means = self._testbed.means[0]
        self.optimal_arm = int(self._testbed.optimal_arm[0])
        return 0, {}

    def step(self, action: int) -> tuple[int, float, bool, bool, dict]:
        if not 0 <= action < self.k:
            raise ValueError(f"action must be an arm 0..{self.k - 1}, got {action!r}")
        reward = float(self._testbed.next_rewards()[0, action])
        truncated = self.horizon is not None and self._testbed.pulls >= self.horizon
        return 0, reward, False, truncated, {"regret": float(self._testbed.gaps[0, action])}
