"""DQN: the Huber loss and its gradient (finite differences through the MLP), the replay buffer, the target network,
ε-greedy with decay, the bootstrap at the time limit (learning CartPole-v1: tests/test_dqn_learning.py)."""

import numpy as np
import pytest
from rlplay.algos.dqn import DQN, DQNConfig, ReplayBuffer, dense, dense_t, dqn_loss, huber
from rlplay.algos.nn import matmul, transpose_matmul
from test_nn import assert_close, numeric_grad


def test_huber_is_quadratic_inside_and_linear_outside():
    loss, grad = huber(np.array([0.0, 0.5, -1.0, 3.0, -4.0]), 1.0)
    np.testing.assert_allclose(loss, [0.0, 0.125, 0.5, 2.5, 3.5])
    np.testing.assert_allclose(grad, [0.0, 0.5, -1.0, 1.0, -1.0])


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_dqn_loss_gradient_through_the_network_matches_finite_differences(layers):
    rng = np.random.default_rng(0)
    learner = DQN(DQNConfig(hidden=10, layers=layers), 4, 2, rng)
    net = learner.q_network
    X = rng.standard_normal((12, 4))
    actions = rng.integers(0, 2, 12)
    q0 = net.forward(X)[0]
    # targets around Q so that some TD errors fall inside ±κ and some outside (both branches of the Huber loss)
    target = q0[np.arange(12), actions] + rng.uniform(-2.5, 2.5, 12)

    def loss():
        return dqn_loss(net.forward(X)[0], actions, target, 1.0)[0]

    q, cache = net.forward(X)
    _, dq = dqn_loss(q, actions, target, 1.0)
    td = np.abs(q[np.arange(12), actions] - target)
    assert (td < 1.0).any() and (td > 1.0).any()
    grads = net.backward(cache, dq)
    for param, grad in zip(net.params, grads, strict=True):
        assert_close(grad, numeric_grad(loss, param))


@pytest.mark.parametrize("shape", [(64, 4, 128), (64, 128, 128), (64, 128, 2), (3, 2, 9)])
def test_dense_is_the_matrix_product_on_both_paths(shape):
    batch, inner, outer = shape
    rng = np.random.default_rng(inner)
    a, b = rng.standard_normal((batch, inner)), rng.standard_normal((inner, outer))
    np.testing.assert_allclose(dense(a, b), a @ b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dense(a, np.ascontiguousarray(b.T).T), a @ b, rtol=1e-12, atol=1e-12)
    if inner <= 8:  # the short path sums in nn.matmul's order: the same bits
        assert np.array_equal(dense(a, b), matmul(a, b))
    d = rng.standard_normal((batch, outer))
    assert np.array_equal(dense_t(a, d), transpose_matmul(a, d))  # aᵀ d, nn.transpose_matmul's bits


def test_replay_buffer_overwrites_the_oldest_and_samples_what_it_holds():
    buffer = ReplayBuffer(3, 4)
    for i in range(5):
        buffer.add((i, 0.0, 0.0, 0.0), i % 2, float(i), (i + 1, 0.0, 0.0, 0.0), i == 4)
    assert buffer.size == 3
    assert sorted(buffer.obs[:, 0].tolist()) == [2.0, 3.0, 4.0]
    obs, actions, rewards, next_obs, dones = buffer.sample(np.random.default_rng(0), 50)
    assert set(rewards.tolist()) <= {2.0, 3.0, 4.0}
    np.testing.assert_array_equal(next_obs[:, 0], obs[:, 0] + 1)
    np.testing.assert_array_equal(dones, rewards == 4.0)
    np.testing.assert_array_equal(actions, rewards % 2)


@pytest.mark.parametrize("double", [True, False])
def test_target_bootstraps_after_the_time_limit_but_not_after_a_fall(double):
    config = DQNConfig(batch_size=1, learning_starts=0, train_frequency=1, lr=1e-5, double=double)
    obs, nxt = (0.01, 0.0, 0.02, 0.0), (0.02, 0.1, 0.01, -0.1)
    for terminated, truncated in ((False, True), (True, False)):
        learner = DQN(config, 4, 2, np.random.default_rng(0))
        # make the online and target networks disagree, so that Double DQN's choice of a′ matters
        learner.target_network.params[-1][:] = (5.0, -5.0)
        learner.q_network.params[-1][:] = (-5.0, 5.0)
        q_obs = learner.q_network.forward(np.array([obs]))[0][0, 1]
        q_target_next = learner.target_network.forward(np.array([nxt]))[0][0]
        online_next = learner.q_network.forward(np.array([nxt]))[0][0]
        # Double DQN: a′ = argmax_a Q(s′, a), valued by Q_target; plain DQN: max_a Q_target(s′, a)
        q_next = q_target_next[online_next.argmax()] if double else q_target_next.max()
        stats = learner.observe(obs, 1, 1.0, terminated, truncated, nxt)
        target = 1.0 + (0.0 if terminated else config.gamma * q_next)
        want = huber(np.array([q_obs - target]), config.huber_delta)[0][0]
        assert stats["loss"] == pytest.approx(want, rel=1e-12)
        assert online_next.argmax() == 1 and q_target_next.argmax() == 0  # the two rules pick different a′


def test_target_network_is_a_frozen_copy_refreshed_every_target_update_steps():
    config = DQNConfig(learning_starts=0, train_frequency=1, target_update=10, batch_size=4)
    learner = DQN(config, 4, 2, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    frozen = [p.copy() for p in learner.target_network.params]
    for step in range(1, 11):
        obs = tuple(rng.uniform(-0.05, 0.05, 4))
        learner.observe(obs, step % 2, 1.0, False, False, obs)
        same = all(np.array_equal(a, b) for a, b in zip(frozen, learner.target_network.params, strict=True))
        assert same == (step < 10)
    for online, target in zip(learner.q_network.params, learner.target_network.params, strict=True):
        np.testing.assert_array_equal(online, target)
        assert online is not target


def test_epsilon_decays_linearly_and_act_follows_it():
    config = DQNConfig(epsilon_start=1.0, epsilon_end=0.1, epsilon_decay_steps=100, learning_starts=10**6)
    learner = DQN(config, 4, 2, np.random.default_rng(0))
    obs = (0.0, 0.0, 0.0, 0.0)
    greedy = int(learner.p_right(obs))
    assert learner.epsilon() == 1.0
    assert learner.act(obs, 0.2) == (0, 0.5) and learner.act(obs, 0.7)[0] == 1  # ε = 1: u picks the side
    for _ in range(50):
        learner.observe(obs, 0, 1.0, False, False, obs)
    assert learner.epsilon() == pytest.approx(0.55)
    for _ in range(100):
        learner.observe(obs, 0, 1.0, False, False, obs)
    assert learner.epsilon() == pytest.approx(0.1)
    action, p_right = learner.act(obs, 0.5)  # u ≥ ε: greedy
    assert action == greedy and p_right == pytest.approx(0.05 + 0.9 * greedy)


def test_config_refuses_out_of_range_values():
    with pytest.raises(ValueError, match="buffer_size"):
        DQNConfig(buffer_size=10)
    with pytest.raises(ValueError, match="lr"):
        DQNConfig(lr=-1.0)
