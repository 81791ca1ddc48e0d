"""CartPole: the physics against hand-computed known answers, and the Gymnasium contract (ends, seeding, misuse)."""

import math

import numpy as np
import pytest
from rlplay.envs.cartpole import (
    MAX_EPISODE_STEPS,
    THETA_THRESHOLD,
    X_THRESHOLD,
    CartPole,
    cartpole_dynamics,
    portable_cos,
    portable_sin,
)


def test_push_right_from_rest_matches_exact_fractions():
    # θ = 0: temp = F/(m_c+m_p) = 100/11; θ¨ = −temp / (l (4/3 − m_p/(m_c+m_p))) = −(100/11)/(41/66) = −600/41;
    # x¨ = temp − m_p l θ¨ / (m_c+m_p) = 100/11 + 300/451 = 400/41. Euler, τ = 0.02: ẋ = 8/41, θ˙ = −12/41.
    x, x_dot, theta, theta_dot = cartpole_dynamics(0.0, 0.0, 0.0, 0.0, 10.0)
    assert x == 0.0 and theta == 0.0
    assert x_dot == pytest.approx(8 / 41, rel=1e-14)
    assert theta_dot == pytest.approx(-12 / 41, rel=1e-14)


def test_push_left_is_the_mirror_image():
    right = cartpole_dynamics(0.1, -0.2, 0.05, 0.3, 10.0)
    left = cartpole_dynamics(-0.1, 0.2, -0.05, -0.3, -10.0)
    assert left == pytest.approx(tuple(-v for v in right), rel=1e-15)


def test_tilted_state_matches_florian_equations_written_independently():
    # Florian (2007) eqs. 23-24 without friction, in their own arrangement, values typed in by hand.
    g, m_c, m_p, l, F, tau = 9.8, 1.0, 0.1, 0.5, -10.0, 0.02
    x, x_dot, theta, theta_dot = 0.3, -0.4, 0.1, 0.5
    s, c = math.sin(theta), math.cos(theta)
    theta_acc = (g * s + c * (-F - m_p * l * theta_dot**2 * s) / (m_c + m_p)) / (l * (4 / 3 - m_p * c**2 / (m_c + m_p)))
    x_acc = (F + m_p * l * (theta_dot**2 * s - theta_acc * c)) / (m_c + m_p)
    expected = (x + tau * x_dot, x_dot + tau * x_acc, theta + tau * theta_dot, theta_dot + tau * theta_acc)
    assert cartpole_dynamics(x, x_dot, theta, theta_dot, F) == pytest.approx(expected, rel=1e-13)
    # and the numbers, worked by hand: numerator g·s + c·(10 − 0.0012479)/1.1 = 0.978367 + 9.044364 = 10.022732,
    # denominator 0.5 · (4/3 − 0.1 · 0.990033/1.1) = 0.621665, so θ¨ = 16.1224 rad/s² (the left push tips it further);
    # x¨ = (−10 + 0.05 · (0.25 · 0.099833 − 16.1224 · 0.995004)) / 1.1 = −9.8189 m/s²
    assert theta_acc == pytest.approx(16.1224, abs=1e-4)
    assert x_acc == pytest.approx(-9.8189, abs=1e-4)


def test_dynamics_steps_arrays_with_numpy_trig_like_floats():
    rng = np.random.default_rng(0)
    states = rng.uniform(-0.2, 0.2, size=(4, 16))
    forces = np.where(rng.random(16) < 0.5, -10.0, 10.0)
    batch = cartpole_dynamics(*states, forces, sin=np.sin, cos=np.cos)
    for i in range(16):
        one = cartpole_dynamics(*states[:, i], forces[i])
        assert [b[i] for b in batch] == pytest.approx(one, rel=1e-14)


def test_reset_draws_uniform_start_and_seed_replays():
    env = CartPole()
    obs, info = env.reset(seed=7)
    assert info == {} and len(obs) == 4 and all(abs(v) <= 0.05 for v in obs)
    again, _ = CartPole().reset(seed=7)
    assert obs == again
    other, _ = env.reset(seed=8)
    assert other != obs
    assert env.n_actions == 2 and env.observation_shape == (4,)


def test_constant_push_falls_over_with_reward_one_per_step():
    env = CartPole(seed=0)
    env.reset()
    total, steps = 0.0, 0
    terminated = truncated = False
    while not (terminated or truncated):
        obs, reward, terminated, truncated, _ = env.step(1)
        total += reward
        steps += 1
    assert terminated and not truncated
    assert abs(obs[2]) > THETA_THRESHOLD or abs(obs[0]) > X_THRESHOLD
    assert total == steps == env.length
    assert 5 < steps < 20  # pushing one way topples the pole within a few tenths of a second


def test_time_limit_truncates_at_500():
    env = CartPole(seed=0)
    env.reset()
    env.state = (0.0, 0.0, 0.0, 0.0)
    steps = 0
    truncated = False
    while not truncated:
        x, x_dot, theta, theta_dot = env.state
        # a hand-made balancing controller (push towards the lean, damped)
        action = 1 if theta + 0.1 * theta_dot + 0.01 * x + 0.05 * x_dot > 0 else 0
        _, _, terminated, truncated, _ = env.step(action)
        assert not terminated
        steps += 1
    assert steps == MAX_EPISODE_STEPS


def test_misuse_fails_early():
    env = CartPole(seed=0)
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)
    env.reset()
    with pytest.raises(ValueError, match="0 \\(left\\) or 1 \\(right\\)"):
        env.step(2)


def test_portable_trig_matches_libm_within_one_ulp():
    for theta in np.linspace(-0.5, 0.5, 10001):
        assert portable_sin(theta) == pytest.approx(math.sin(theta), rel=2.3e-16, abs=1e-300)
        assert portable_cos(theta) == pytest.approx(math.cos(theta), rel=2.3e-16)
    assert portable_sin(2.0) == math.sin(2.0) and portable_cos(-3.0) == math.cos(-3.0)  # outside: libm
