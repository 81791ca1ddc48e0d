"""PPO with a KL penalty: the per-token reward, the exact objective against its closed-form optimum, determinism."""

import math

import numpy as np
import pytest
from rlplay.algos import ppo, rlhf_ppo
from rlplay.algos.bigram_lm import END, exact_kl, expected_token_sum, token_log_probs
from rlplay.algos.nn import exp
from rlplay.algos.rlhf import BetaSweep, RLHFRun, run_curve
from rlplay.algos.rlhf_ppo import RLHFPPOConfig
from rlplay.envs.token_world import MAX_LEN


def objective(run: RLHFRun, logp) -> float:
    """J(π) = E_π[r_φ(x)] − β KL(π ‖ π_ref), exactly (r_φ is a sum over words, so its mean is a forward pass)."""
    beta = run.ppo.config.beta
    return expected_token_sum(logp, run.phi, MAX_LEN) - beta * exact_kl(logp, run.logp_ref, MAX_LEN)


def optimal_objective(run: RLHFRun) -> float:
    """max_π J(π) = β log Σ_x π_ref(x) e^(r_φ(x)/β), attained by π*(x) ∝ π_ref(x) e^(r_φ(x)/β).

    (Gibbs' variational principle; Korbak et al. 2022; Rafailov et al. 2023 eq. 4.) The sum over all sequences is a
    backward pass: Z_t(c) = Σ_w π_ref(w|c) e^(φ[w]/β) · (1 if w = "." or t = last else Z_{t+1}(w)).
    """
    beta = run.ppo.config.beta
    p_ref = np.exp(run.logp_ref)
    weight = np.exp(run.phi / beta)
    Z_next = np.ones(p_ref.shape[0])
    for t in range(MAX_LEN - 1, -1, -1):
        go_on = np.ones(p_ref.shape[1]) if t == MAX_LEN - 1 else Z_next[: p_ref.shape[1]].copy()
        go_on[END] = 1.0
        Z = (p_ref * weight * go_on).sum(axis=1)
        Z_next = Z
    return beta * math.log(Z[-1])


def test_the_clipped_loss_is_the_cart_poles_own_function():
    assert rlhf_ppo.ppo_policy_loss is ppo.ppo_policy_loss


@pytest.mark.parametrize(
    "field, value", [("beta", -0.1), ("beta", 3.0), ("lr", 0.0), ("batch", 2), ("epochs", 1.5), ("clip", math.nan)]
)
def test_config_rejects_values_out_of_range(field, value):
    with pytest.raises(ValueError, match=field):
        RLHFPPOConfig(**{field: value})


def test_per_token_rewards_add_up_to_the_penalised_score():
    """Σ_t r_t = r_φ(x) − β log(π_θold(x) / π_ref(x)) for every sequence of a rollout."""
    run = RLHFRun(0, RLHFPPOConfig(beta=0.3))
    for _ in range(5):
        run.update()  # so that π_θ ≠ π_ref
    data = run.ppo.rollout()
    tokens, lengths = data["tokens"], data["lengths"]
    log_ratio = (token_log_probs(run.ppo.logp(), tokens, lengths) - token_log_probs(run.logp_ref, tokens, lengths)).sum(
        axis=1
    )
    expected = run.proxy_reward(tokens, lengths) - 0.3 * log_ratio
    per_sequence = np.add.reduceat(data["rewards"], np.concatenate([[0], np.cumsum(lengths)[:-1]]))
    np.testing.assert_allclose(per_sequence, expected, rtol=1e-12, atol=1e-12)
    assert np.abs(log_ratio).max() > 0.01


def test_optimal_objective_bounds_every_policy_and_the_reference_is_below_it():
    run = RLHFRun(1, RLHFPPOConfig(beta=0.5))
    best = optimal_objective(run)
    assert objective(run, run.logp_ref) < best
    rng = np.random.default_rng(0)
    for _ in range(5):
        theta = run.theta_ref + rng.standard_normal(run.theta_ref.shape)
        assert objective(run, theta - np.log(exp(theta).sum(axis=1, keepdims=True))) < best


@pytest.mark.parametrize("beta", [0.5, 1.0])
def test_ppo_climbs_the_exact_kl_penalised_objective_towards_its_optimum(beta):
    """After 100 updates J(π_θ) has closed most of the gap from J(π_ref) to max J, and never passes it.

    The bigram policy cannot represent π* exactly (π* depends on the position, the table only on the previous word),
    so the optimum is an upper bound, not a target. Measured: 92-98% of the gap closed (seeds 0-2, both β).
    """
    for seed in range(3):
        run = RLHFRun(seed, RLHFPPOConfig(beta=beta))
        start, best = objective(run, run.logp_ref), optimal_objective(run)
        for _ in range(100):
            run.update()
        end = objective(run, run.ppo.logp())
        assert end <= best
        assert (end - start) / (best - start) > 0.85


def test_same_seed_same_numbers_and_beta_does_not_move_the_data():
    a = run_curve(3, RLHFPPOConfig(), 5)
    b = run_curve(3, RLHFPPOConfig(), 5)
    assert a == b
    assert run_curve(4, RLHFPPOConfig(), 5) != a
    # β changes the training, never the corpus, the labelled pairs, the reward model or the evaluation batch
    one, other = RLHFRun(3, RLHFPPOConfig(beta=0.0)), RLHFRun(3, RLHFPPOConfig(beta=1.0))
    assert one.corpus == other.corpus
    np.testing.assert_array_equal(one.phi, other.phi)
    np.testing.assert_array_equal(one.eval_u, other.eval_u)
    assert one.evaluate() == other.evaluate()  # both are π_ref before any update


def test_each_beta_of_the_sweep_is_the_run_that_beta_would_make():
    run = RLHFRun(5, RLHFPPOConfig())
    sweep = BetaSweep(run.feedback, RLHFPPOConfig(), updates=4, betas=(0.0, 0.5))
    assert sweep.advance(100) == 8 and sweep.done and sweep.advance(1) == 0
    for beta, curve in zip((0.0, 0.5), sweep.curves, strict=True):
        assert curve == run_curve(5, RLHFPPOConfig(beta=beta), 4)
