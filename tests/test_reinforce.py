"""REINFORCE (the seed's, raw returns) and REINFORCE + baseline: the loss on hand-checked cases, the returns, the
time-indexed baseline, config validation, and learning CartPole within 1500 episodes."""

import math

import numpy as np
import pytest
from rlplay.algos.reinforce import Reinforce, ReinforceConfig, discounted_returns, reinforce_loss
from rlplay.demos.cartpole import CartpoleConfig, train_until_solved

BUDGET_EPISODES = 1500


def test_loss_weights_log_probabilities_by_advantage():
    # uniform policy over two actions: log π = −log 2 for both samples
    loss, terms, dlogits = reinforce_loss(np.zeros((2, 2)), np.array([0, 1]), np.array([1.0, -3.0]), 0.0)
    assert terms["pg_loss"] == pytest.approx(-(1.0 - 3.0) * -math.log(2) / 2)
    # ∂/∂logits of −adv·log π(a)/B = −adv (onehot − π)/B: sample 0 pushes action 0 up, sample 1 pushes action 1 down
    np.testing.assert_allclose(dlogits, [[-0.25, 0.25], [-0.75, 0.75]])
    assert terms["entropy_loss"] == pytest.approx(math.log(2))


def test_the_seeds_gradient_is_onehot_minus_probs_times_the_return():
    # the seed post: grad_logits = −probs; grad_logits[action] += 1.0; grad_logits *= G (ascent); the loss descends
    logits = np.array([[0.3, -0.2]])
    probs = np.exp(logits) / np.exp(logits).sum()
    _, _, dlogits = reinforce_loss(logits, np.array([1]), np.array([5.0]), 0.0)
    grad_logits = -probs.copy()
    grad_logits[0, 1] += 1.0
    np.testing.assert_allclose(dlogits, -(grad_logits * 5.0), rtol=1e-14)


def test_without_baseline_the_returns_weight_log_probabilities():
    learner = Reinforce(ReinforceConfig(gamma=0.5), 4, 2, np.random.default_rng(0))
    assert learner.config.baseline == "none"
    obs = (0.0, 0.0, 0.0, 0.0)
    for t in range(3):
        stats = learner.observe(obs, 0, 1.0, t == 2, False, obs)
    # adv = G = [1.75, 1.5, 1]: never zero, every action taken is pushed up (the seed's high-variance update)
    assert stats["adv_scale"] == pytest.approx(np.std([1.75, 1.5, 1.0]))
    assert len(learner.baseline) == 0
    np.testing.assert_allclose(discounted_returns([1.0, 1.0, 1.0], 0.5), [1.75, 1.5, 1.0])


def test_config_refuses_out_of_range_values():
    with pytest.raises(ValueError, match="lr must be between"):
        ReinforceConfig(lr=-1)
    with pytest.raises(ValueError, match="baseline must be one of"):
        ReinforceConfig(baseline="value")


def test_returns_and_time_indexed_baseline():
    learner = Reinforce(ReinforceConfig(gamma=0.5, baseline_rate=0.5, baseline="time"), 4, 2, np.random.default_rng(0))
    obs = (0.0, 0.0, 0.0, 0.0)
    for t in range(3):
        stats = learner.observe(obs, 0, 1.0, t == 2, False, obs)
    # G = [1.75, 1.5, 1]; a never-seen step starts its baseline at G, so the first update has adv = 0
    np.testing.assert_allclose(learner.baseline, [1.75, 1.5, 1.0])
    assert stats["adv_scale"] == 0.0
    for t in range(2):
        stats = learner.observe(obs, 0, 1.0, t == 1, False, obs)
    # G = [1.5, 1]: adv = G − b = [−0.25, −0.5], b ← b + 0.5 adv
    np.testing.assert_allclose(learner.baseline, [1.625, 1.25, 1.0])
    assert stats["adv_scale"] == pytest.approx(np.std([-0.25, -0.5]))


@pytest.mark.slow  # a learning run to a threshold: the slow lane
@pytest.mark.parametrize("algo", ["reinforce", "reinforce-baseline"])
def test_learns_cartpole_on_at_least_4_of_5_seeds(algo):
    solved = [
        train_until_solved(CartpoleConfig(algo=algo, seed=seed), max_episodes=BUDGET_EPISODES).solved_at
        for seed in range(1, 6)
    ]
    assert sum(0 < s <= BUDGET_EPISODES for s in solved) >= 4, solved


def test_mean_length_triples_from_first_20_episodes():
    """The browser target, as a budget: within 300 episodes the last-20 mean is ≥ 3× the first-20 mean."""
    demo = train_until_solved(CartpoleConfig(algo="reinforce", seed=0), max_episodes=300)
    lengths = demo.episode_lengths
    assert np.mean(lengths[-20:]) >= 3 * np.mean(lengths[:20])
