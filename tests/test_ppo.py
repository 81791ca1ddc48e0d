"""PPO: the clipped surrogate on hand-checked cases, its gradient and diagnostics, and learning within 150k steps."""

import numpy as np
import pytest
from rlplay.algos.nn import log_softmax
from rlplay.algos.ppo import PPO, PPOConfig, clipped_surrogate, ppo_policy_loss
from rlplay.demos.cartpole import CartpoleConfig, train_until_solved

BUDGET_STEPS = 150_000


@pytest.mark.parametrize(
    "ratio, adv, expected",
    [
        (1.1, 2.0, 2.2),  # A > 0, inside [0.8, 1.2]: r·A
        (1.5, 2.0, 2.4),  # A > 0, above: capped at (1 + ε)·A
        (0.5, 2.0, 1.0),  # A > 0, below: r·A (the pessimistic term, never clipped)
        (0.9, -2.0, -1.8),  # A < 0, inside: r·A
        (0.5, -2.0, -1.6),  # A < 0, below: capped at (1 − ε)·A
        (1.5, -2.0, -3.0),  # A < 0, above: r·A (never clipped)
        (1.2, 1.0, 1.2),  # on the edge both terms agree
    ],
)
def test_clipped_surrogate_hand_cases(ratio, adv, expected):
    assert clipped_surrogate(np.array([ratio]), np.array([adv]), 0.2)[0] == pytest.approx(expected, rel=1e-15)


def test_clipped_surrogate_accepts_lists_and_scalars_for_the_page():
    np.testing.assert_allclose(clipped_surrogate([0.5, 1.0, 1.5], 1.0, 0.2), [0.5, 1.0, 1.2])


def loss_case(ratios, adv):
    """Two-action logits whose chosen action has ratio ``ratios`` against logp_old."""
    logits = np.zeros((len(ratios), 2))
    actions = np.zeros(len(ratios), dtype=int)
    logp_now = log_softmax(logits)[:, 0]
    logp_old = logp_now - np.log(ratios)
    return ppo_policy_loss(logits, actions, logp_old, np.asarray(adv, dtype=float), 0.2, 0.0)


def test_clipped_samples_get_no_gradient_and_count_in_clipfrac():
    # ratio 1.5 with A > 0 and ratio 0.5 with A < 0 are clipped: flat objective, zero gradient
    _, terms, dlogits = loss_case([1.5, 0.5], [1.0, -1.0])
    np.testing.assert_array_equal(dlogits, 0.0)
    assert terms["clipfrac"] == 1.0
    # ratio 1.5 with A < 0: not clipped, the gradient pushes the action's probability down (∂loss/∂l_a > 0)
    _, terms, dlogits = loss_case([1.5], [-1.0])
    assert dlogits[0, 0] > 0 and terms["clipfrac"] == 1.0  # outside the range, though the min kept r·A
    assert terms["pg_loss"] == pytest.approx(1.5)


def test_diagnostics_vanish_when_policy_unchanged():
    _, terms, _ = loss_case([1.0, 1.0, 1.0], [1.0, -2.0, 0.5])
    assert terms["approx_kl"] == 0.0 and terms["clipfrac"] == 0.0
    assert terms["pg_loss"] == pytest.approx(-np.mean([1.0, -2.0, 0.5]))


def test_approx_kl_matches_the_k3_estimator():
    _, terms, _ = loss_case([0.5, 2.0], [1.0, 1.0])
    expected = np.mean([(0.5 - 1) - np.log(0.5), (2.0 - 1) - np.log(2.0)])
    assert terms["approx_kl"] == pytest.approx(expected, rel=1e-12)


def test_update_runs_after_a_full_rollout_and_first_ratio_is_one():
    config = PPOConfig(rollout_steps=64, minibatch_size=16, epochs=1)
    learner = PPO(config, 4, 2, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    stats = None
    for t in range(64):
        obs = tuple(rng.uniform(-0.05, 0.05, 4))
        stats = learner.observe(obs, int(rng.integers(2)), 1.0, t % 20 == 19, False, obs)
        assert (stats is None) == (t < 63)
    assert stats["epochs"] == 1 and np.isfinite(stats["v_loss"])
    assert learner.states == []  # the rollout buffer is emptied


def test_learns_cartpole_seed_0():
    demo = train_until_solved(CartpoleConfig(algo="ppo", seed=0), max_steps=BUDGET_STEPS)
    assert demo.solved_at > 0 and demo.steps <= BUDGET_STEPS


@pytest.mark.slow  # a learning run to a threshold: the slow lane
def test_learns_cartpole_on_at_least_4_of_5_seeds():
    solved = [
        train_until_solved(CartpoleConfig(algo="ppo", seed=seed), max_steps=BUDGET_STEPS).solved_at
        for seed in range(1, 6)
    ]
    assert sum(s > 0 for s in solved) >= 4, solved
