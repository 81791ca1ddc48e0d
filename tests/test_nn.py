"""nn: every hand-written backward pass against central finite differences (float64), and Adam against its formula."""

import math

import numpy as np
import pytest
from rlplay.algos import nn
from rlplay.algos.actor_critic import value_loss
from rlplay.algos.ppo import ppo_policy_loss
from rlplay.algos.reinforce import reinforce_loss

H = 1e-6  # central-difference step


def numeric_grad(f, x: np.ndarray) -> np.ndarray:
    """∂f/∂x by central differences, perturbing ``x`` in place one entry at a time."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + H
        up = f()
        x[i] = old - H
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * H)
    return grad


def assert_close(analytic, numeric):
    scale = max(np.abs(analytic).max(), np.abs(numeric).max(), 1e-8)
    rel_error = np.abs(analytic - numeric).max() / scale
    assert rel_error < 1e-6, rel_error


def test_matmul_matches_numpy():
    rng = np.random.default_rng(0)
    a, b, c = rng.standard_normal((7, 4)), rng.standard_normal((4, 5)), rng.standard_normal((7, 5))
    np.testing.assert_allclose(nn.matmul(a, b), a @ b, rtol=1e-13)
    np.testing.assert_allclose(nn.matmul(a[0], b), a[0] @ b, rtol=1e-13)
    np.testing.assert_allclose(nn.transpose_matmul(a, c), a.T @ c, rtol=1e-13)


def test_matmul_and_transpose_matmul_sum_in_their_definitions_order_bit_for_bit():
    """The fast layouts against the definitions (NumPy's own summation order, which every platform shares): the same
    bits, signs of zero included, for the shapes the networks use and odd ones, in C, Fortran and strided layouts."""

    def definition(a, b):
        return (a[..., :, :, None] * b).sum(axis=-2) if a.ndim > 1 else (a[:, None] * b).sum(axis=0)

    def transpose_definition(a, b):
        return (a[:, :, None] * b[:, None, :]).sum(axis=0)

    def layout(x, kind):
        if kind == "F":
            return np.asfortranarray(x)
        if kind == "strided":
            wide = np.zeros((x.shape[0] * 2, x.shape[1] * 3))
            wide[::2, ::3] = x
            return wide[::2, ::3]
        return np.ascontiguousarray(x)

    def same(x, y):
        return x.shape == y.shape and np.array_equal(x, y) and np.array_equal(np.signbit(x), np.signbit(y))

    rng = np.random.default_rng(7)
    shapes = [(500, 32, 2), (500, 4, 32), (500, 2, 32), (500, 32, 1), (500, 1, 32), (1, 32, 2), (9, 33, 3), (8, 1, 1)]
    shapes += [tuple(int(v) for v in rng.integers(1, 70, 3)) for _ in range(60)]
    for rows, k, n in shapes:
        # values over many magnitudes, and zeros of both signs, so that any change of order or sign shows
        a = rng.standard_normal((rows, k)) * 10 ** rng.uniform(-6, 6, (rows, k))
        a[rng.random((rows, k)) < 0.2] = -0.0
        b = rng.standard_normal((k, n))
        c = rng.standard_normal((rows, n)) * 10 ** rng.uniform(-6, 6, (rows, n))
        c[rng.random((rows, n)) < 0.2] = -0.0
        for kind_a in ("C", "F", "strided"):
            for kind_b in ("C", "F", "strided"):
                A, B, C = layout(a, kind_a), layout(b, kind_b), layout(c, kind_b)
                assert same(nn.matmul(A, B), definition(A, B)), (rows, k, n, kind_a, kind_b)
                assert same(nn.matmul(A[0], B), definition(A[0], B)), (rows, k, n, kind_a, kind_b)
                assert same(nn.transpose_matmul(A, C), transpose_definition(A, C)), (rows, k, n, kind_a, kind_b)


def test_mlp_backward_matches_finite_differences():
    rng = np.random.default_rng(1)
    mlp = nn.MLP(4, 6, 3, rng, out_scale=1.0)
    X = rng.standard_normal((9, 4))
    weights = rng.standard_normal((9, 3))  # loss = Σ weights ⊙ y, so ∂loss/∂y = weights

    def loss():
        return float((mlp.forward(X)[0] * weights).sum())

    _, cache = mlp.forward(X)
    grads = mlp.backward(cache, weights)
    for param, grad in zip(mlp.params, grads, strict=True):
        assert_close(grad, numeric_grad(loss, param))


def test_forward_one_agrees_with_batch_forward():
    rng = np.random.default_rng(2)
    mlp = nn.MLP(4, 8, 2, rng)
    X = rng.standard_normal((5, 4))
    batch = mlp.forward(X)[0]
    for row, obs in enumerate(X):
        np.testing.assert_allclose(mlp.forward_one(tuple(obs)), batch[row], rtol=1e-12)


def test_log_softmax_and_entropy_backward_match_finite_differences():
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((6, 3)) * 2
    w_logp = rng.standard_normal((6, 3))
    w_H = rng.standard_normal(6)
    np.testing.assert_allclose(np.exp(nn.log_softmax(logits)).sum(axis=1), 1.0, rtol=1e-14)

    analytic = nn.log_softmax_backward(nn.log_softmax(logits), w_logp)
    assert_close(analytic, numeric_grad(lambda: float((nn.log_softmax(logits) * w_logp).sum()), logits))
    analytic = nn.entropy_backward(nn.log_softmax(logits), w_H)
    assert_close(analytic, numeric_grad(lambda: float((nn.entropy(nn.log_softmax(logits)) * w_H).sum()), logits))


def test_entropy_of_uniform_and_certain_policies():
    assert nn.entropy(nn.log_softmax(np.zeros((1, 2))))[0] == pytest.approx(math.log(2))
    assert nn.entropy(nn.log_softmax(np.array([[0.0, 60.0]])))[0] == pytest.approx(0.0, abs=1e-20)


def test_reinforce_loss_backward_matches_finite_differences():
    rng = np.random.default_rng(4)
    logits = rng.standard_normal((8, 2))
    actions = rng.integers(0, 2, 8)
    adv = rng.standard_normal(8)
    _, _, dlogits = reinforce_loss(logits, actions, adv, ent_coef=0.05)
    assert_close(dlogits, numeric_grad(lambda: reinforce_loss(logits, actions, adv, 0.05)[0], logits))


def test_value_loss_backward_matches_finite_differences():
    rng = np.random.default_rng(5)
    V, ret = rng.standard_normal(7), rng.standard_normal(7)
    _, dV = value_loss(V, ret)
    assert_close(dV, numeric_grad(lambda: value_loss(V, ret)[0], V))


@pytest.mark.parametrize("spread", [0.05, 0.6])  # ratios all inside the clip range / many outside it
def test_ppo_policy_loss_backward_matches_finite_differences(spread):
    rng = np.random.default_rng(6)
    logits = rng.standard_normal((12, 2))
    actions = rng.integers(0, 2, 12)
    logp_now = nn.log_softmax(logits)[np.arange(12), actions]
    logp_old = logp_now + rng.uniform(-spread, spread, 12)
    ratio = np.exp(logp_now - logp_old)
    # keep clear of the kinks at exactly 1 ± ε, where the loss has no derivative
    assert np.all(np.abs(np.abs(ratio - 1) - 0.2) > 1e-4)
    adv = rng.standard_normal(12)
    _, terms, dlogits = ppo_policy_loss(logits, actions, logp_old, adv, 0.2, 0.01)
    assert_close(dlogits, numeric_grad(lambda: ppo_policy_loss(logits, actions, logp_old, adv, 0.2, 0.01)[0], logits))
    assert (terms["clipfrac"] > 0) == (spread > 0.2)


def test_full_chain_gradient_through_mlp_matches_finite_differences():
    """loss(params) = REINFORCE loss of an MLP policy: the heads' backward composed with the MLP's."""
    rng = np.random.default_rng(7)
    mlp = nn.MLP(4, 5, 2, rng, out_scale=1.0)
    X = rng.standard_normal((10, 4))
    actions = rng.integers(0, 2, 10)
    adv = rng.standard_normal(10)

    def loss():
        return reinforce_loss(mlp.forward(X)[0], actions, adv, 0.02)[0]

    logits, cache = mlp.forward(X)
    grads = mlp.backward(cache, reinforce_loss(logits, actions, adv, 0.02)[2])
    for param, grad in zip(mlp.params, grads, strict=True):
        assert_close(grad, numeric_grad(loss, param))


def test_adam_first_steps_follow_the_formula():
    theta = np.array([1.0, -2.0])
    adam = nn.Adam([theta], lr=0.1)
    g1 = np.array([0.5, -4.0])
    adam.step([g1.copy()])
    # step 1: m̂ = g, v̂ = g², so θ moves by lr · g/(|g| + eps) ≈ lr · sign(g)
    np.testing.assert_allclose(theta, [1.0 - 0.1, -2.0 + 0.1], rtol=1e-7)
    theta1 = theta.copy()
    g2 = np.array([1.0, 2.0])
    adam.step([g2.copy()])
    m = 0.9 * 0.1 * g1 + 0.1 * g2
    v = 0.999 * 0.001 * g1**2 + 0.001 * g2**2
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    np.testing.assert_allclose(theta, theta1 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8), rtol=1e-12)


def test_adam_minimises_a_quadratic():
    theta = np.array([3.0, -1.5])
    adam = nn.Adam([theta], lr=0.05)
    for _ in range(2000):
        adam.step([2 * (theta - [1.0, 2.0])])
    np.testing.assert_allclose(theta, [1.0, 2.0], atol=1e-3)


def test_clip_grad_norm_scales_to_the_limit():
    grads = [np.array([3.0]), np.array([[4.0]])]
    assert nn.clip_grad_norm(grads, 1.0) == 5.0
    assert nn.grad_norm(grads) == pytest.approx(1.0)
    assert nn.clip_grad_norm(grads, 10.0) == pytest.approx(1.0)  # under the limit: untouched


@pytest.mark.parametrize("max_norm", [0.0, 1.0, 1e9])
@pytest.mark.parametrize("hidden", [4, 32, 100])
def test_adams_clipped_step_is_clip_grad_norm_then_step_bit_for_bit(max_norm, hidden):
    """The learners' fused ``clipped_step`` against its definition, over steps that clip and steps that do not, a
    change of learning rate, and gradients that are views (strided: the unfused path)."""
    rng = np.random.default_rng(hidden)
    shapes = [(4, hidden), (hidden,), (hidden, 2), (2,)]
    start = [rng.standard_normal(shape) for shape in shapes]
    mine, reference = [p.copy() for p in start], [p.copy() for p in start]
    adam, reference_adam = nn.Adam(mine, 0.01), nn.Adam(reference, 0.01)
    clipped = 0
    for step in range(40):
        if step == 20:
            adam.lr = reference_adam.lr = 0.003
        grads = [rng.standard_normal(shape) * 10 ** rng.uniform(-3, 1) for shape in shapes]
        if step % 7 == 3:
            grads[0] = np.repeat(grads[0], 2, axis=1)[:, ::2]  # the same values, not contiguous
        copies = [g.copy() for g in grads]
        norm = adam.clipped_step(grads, max_norm)
        assert norm == nn.clip_grad_norm(copies, max_norm)
        reference_adam.step(copies)
        clipped += 0 < max_norm < norm
        for p, q in zip(mine, reference, strict=True):
            assert p.tobytes() == q.tobytes()
        assert adam.m.tobytes() == reference_adam.m.tobytes() and adam.v.tobytes() == reference_adam.v.tobytes()
    assert (0 < clipped < 40) if max_norm == 1.0 else clipped == 0  # both branches, where there are two


def test_sample_two_actions_uses_sigmoid_of_logit_gap():
    action, p_right = nn.sample_two_actions(np.array([0.0, math.log(3.0)]), 0.74)
    assert p_right == pytest.approx(0.75) and action == 1
    assert nn.sample_two_actions(np.array([0.0, math.log(3.0)]), 0.76)[0] == 0
    assert nn.sample_two_actions(np.array([800.0, -800.0]), 0.0) == (0, 0.0)  # no overflow
    assert nn.sample_two_actions(np.array([-800.0, 800.0]), 0.999)[1] == 1.0


def test_portable_exp_and_log_match_libm_within_two_ulp():
    rng = np.random.default_rng(8)
    x = np.concatenate([np.linspace(-700, 700, 20001), rng.uniform(-40, 5, 20000)])
    reference = np.array([math.exp(v) for v in x])
    np.testing.assert_allclose(nn.exp(x), reference, rtol=4.5e-16, atol=0)
    y = np.concatenate([np.exp(np.linspace(-700, 700, 20001)), rng.uniform(0.5, 2.5, 20000)])
    reference = np.array([math.log(v) for v in y])
    np.testing.assert_allclose(nn.log(y), reference, rtol=4.5e-16, atol=1e-300)
    assert nn.exp(np.array([-1000.0]))[0] == 0.0 and nn.exp(np.array([1000.0]))[0] == np.inf
    assert nn.log(np.array([0.0]))[0] == -np.inf and np.isnan(nn.log(np.array([-1.0]))[0])
