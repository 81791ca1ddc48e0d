"""Bandit: the env's statistics, the race's bookkeeping, and Sutton & Barto's 10-armed testbed results."""

from __future__ import annotations

import math

import numpy as np
import pytest
from rlplay.demos.bandit import LANES, BanditRace
from rlplay.envs.bandit import Bandit, BanditTestbed, draw_means

EPS, SOFTMAX, UCB = (LANES.index(name) for name in ("epsilon-greedy", "softmax", "ucb"))


@pytest.fixture(scope="module")
def testbed_race():
    """Sutton & Barto §2.3: 2000 runs of 1000 pulls, 10 arms, μ_a ~ N(0, 1), rewards ~ N(μ_a, 1); ε = 0.1, c = 2."""
    testbed = BanditTestbed(2000, 10, arm_seed=1, seed=2, mean=0.0, spread=1.0, noise=1.0)
    race = BanditRace(testbed, epsilon=0.1, tau=0.5, c=2.0, seed=3, capacity=1000)
    assert race.run(1000) == 1000
    return race


def test_epsilon_greedy_finds_the_best_arm_on_the_testbed(testbed_race):
    # fraction of optimal pulls over pulls 901..1000, from the cumulative rates: (rate_1000·1000 − rate_900·900)/100
    rate = testbed_race.curve_best_rate[EPS]
    last_100 = (rate[999] * 1000 - rate[899] * 900) / 100
    assert last_100 >= 0.75  # Sutton & Barto's Figure 2.2: about 80 %


def test_ucb_beats_epsilon_greedy_on_the_testbed(testbed_race):
    regret = testbed_race.curve_regret[:, -1]
    stderr = testbed_race.curve_regret_stderr[:, -1]
    # Figure 2.4: UCB (c = 2) above ε-greedy (ε = 0.1); the gap must exceed the noise of the two means
    assert regret[UCB] + 3 * math.hypot(stderr[UCB], stderr[EPS]) < regret[EPS]


def test_means_are_drawn_around_one_with_spread_half():
    means = draw_means(arm_seed=0, runs=4000, k=10)
    assert abs(means.mean() - 1.0) < 5 * 0.5 / math.sqrt(means.size)
    assert abs(means.std() - 0.5) < 0.01
    np.testing.assert_array_equal(draw_means(0, 1, 10)[0], means[0])  # run 0's arms whatever the number of runs


def test_bandit_env_pays_noisy_rewards_around_its_means():
    env = Bandit(k=5, arm_seed=3, seed=4)
    assert env.reset()[0] == 0 and env.n_actions == 5 and env.observation_shape == ()
    assert env.optimal_arm == int(np.argmax(env.means))
    n = 20_000
    rewards = np.array([env.step(2)[1] for _ in range(n)])
    assert abs(rewards.mean() - env.means[2]) < 5 * 0.3 / math.sqrt(n)
    assert abs(rewards.std() - 0.3) < 0.01
    _, _, terminated, truncated, info = env.step(1)
    assert info["regret"] == pytest.approx(env.means.max() - env.means[1]) and not terminated and not truncated


def test_bandit_env_truncates_at_the_horizon_and_replays_after_reset():
    env = Bandit(k=3, seed=1, horizon=4)
    first = [env.step(0)[1:4] for _ in range(4)]
    assert [flags for _, _, flags in first] == [False, False, False, True]
    env.reset()
    assert [env.step(0)[1:4] for _ in range(4)] == first


class RecordingTestbed(BanditTestbed):
    """Keeps every reward table it hands out, for the oracle below."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tables = []

    def next_rewards(self):
        table = super().next_rewards()
        self.tables.append(table.copy())
        return table


def test_race_bookkeeping_against_a_replay():
    testbed = RecordingTestbed(7, 4, arm_seed=5, seed=6)
    race = BanditRace(testbed, epsilon=0.2, tau=0.3, c=1.0, seed=7, capacity=300)
    arms = []
    for _ in range(300):
        race.run(1)
        arms.append(race.last_arm.copy())
    arms = np.array(arms)  # (pulls, lanes, runs)
    runs = np.arange(7)
    got = np.array([table[runs, arm] for table, arm in zip(testbed.tables, arms, strict=True)])  # (pulls, lanes, runs)
    # common random numbers: every lane that pulled the same arm at the same pull got the same reward
    np.testing.assert_allclose(race.cum_reward, got.sum(axis=0))
    np.testing.assert_allclose(race.cum_regret, testbed.gaps[runs, arms].sum(axis=0))
    np.testing.assert_array_equal(race.best_count, (arms == testbed.optimal_arm).sum(axis=0))
    for lane in range(3):
        for run in range(7):
            for arm in range(4):
                pulled = arms[:, lane, run] == arm
                assert race.N[lane, run, arm] == pulled.sum()
                # the estimate is the plain mean of the arm's rewards
                expected = got[pulled, lane, run].mean() if pulled.any() else 0.0
                assert race.Q[lane, run, arm] == pytest.approx(expected, abs=1e-12)
    # mean curves over runs
    np.testing.assert_allclose(race.curve_regret[:, -1], race.cum_regret.mean(axis=1))
    np.testing.assert_allclose(race.curve_best_rate[:, -1], race.best_count.mean(axis=1) / 300)


def test_race_stops_at_capacity_and_grows():
    race = BanditRace(BanditTestbed(1, 3), epsilon=0.1, tau=0.5, c=2.0, seed=0, capacity=50)
    assert race.run(80) == 50 and race.run(5) == 0
    race.resize(60)
    assert race.run(80) == 10 and race.curve_regret.shape == (len(LANES), 60)
