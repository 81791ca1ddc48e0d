"""Actor-critic: GAE on hand-worked rollouts, and learning CartPole within 1000 episodes."""

import numpy as np
import pytest
from rlplay.algos.actor_critic import ActorCritic, ActorCriticConfig, gae
from rlplay.demos.cartpole import CartpoleConfig, train_until_solved

BUDGET_EPISODES = 1000


def test_gae_lambda_one_is_return_minus_value():
    rewards, values = [1.0, 1.0, 1.0], [0.5, 0.25, 2.0]
    adv = gae(rewards, values, [0.25, 2.0, 0.0], [False, False, True], gamma=0.9, lam=1.0)
    G = [1 + 0.9 + 0.81, 1 + 0.9, 1.0]
    np.testing.assert_allclose(adv, np.subtract(G, values), rtol=1e-14)


def test_gae_lambda_zero_is_the_td_error():
    adv = gae([1.0, 1.0], [0.5, 0.25], [0.25, 3.0], [False, True], gamma=0.9, lam=0.0)
    # δ_0 = 1 + 0.9·0.25 − 0.5 = 0.725;  δ_1 = 1 + 0.9·3 − 0.25 = 3.45 (bootstrapped: a truncated episode)
    np.testing.assert_allclose(adv, [0.725, 3.45], rtol=1e-14)


def test_gae_recursion_stops_at_episode_boundaries():
    adv = gae([1.0, 1.0], [0.0, 0.0], [0.0, 0.0], [True, True], gamma=0.9, lam=0.95)
    np.testing.assert_allclose(adv, [1.0, 1.0])


def test_truncated_episode_bootstraps_with_critic_value():
    obs, last = (0.01, 0.0, 0.02, 0.0), (0.02, 0.1, 0.01, -0.1)
    gamma = ActorCriticConfig().gamma
    cut = ActorCritic(ActorCriticConfig(), 4, 2, np.random.default_rng(0))
    V_obs, V_last = cut.values(np.array([obs, last]))
    stats = cut.observe(obs, 1, 1.0, False, True, last)
    # one step cut by the time limit: adv = 1 + γ V(s_1) − V(s_0); v_loss = ½ (V − ret)² = ½ adv²
    assert stats["v_loss"] == pytest.approx(0.5 * (1 + gamma * V_last - V_obs) ** 2, rel=1e-12)
    fell = ActorCritic(ActorCriticConfig(), 4, 2, np.random.default_rng(0))  # same initial networks
    stats = fell.observe(obs, 1, 1.0, True, False, last)
    # one step ending in a fall: no future, adv = 1 − V(s_0)
    assert stats["v_loss"] == pytest.approx(0.5 * (1 - V_obs) ** 2, rel=1e-12)


def test_learns_cartpole_seed_0():
    demo = train_until_solved(CartpoleConfig(algo="actor-critic", seed=0), max_episodes=BUDGET_EPISODES)
    assert 0 < demo.solved_at <= BUDGET_EPISODES


@pytest.mark.slow  # a learning run to a threshold: the slow lane
def test_learns_cartpole_on_at_least_4_of_5_seeds():
    solved = [
        train_until_solved(CartpoleConfig(algo="actor-critic", seed=seed), max_episodes=BUDGET_EPISODES).solved_at
        for seed in range(1, 6)
    ]
    assert sum(0 < s <= BUDGET_EPISODES for s in solved) >= 4, solved
