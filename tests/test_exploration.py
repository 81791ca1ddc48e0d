"""Exploration strategies: their distributions, their edge cases, and plain-Python == NumPy versions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from rlplay.algos.exploration import (
    Uniforms,
    epsilon_greedy,
    epsilon_greedy_batch,
    greedy,
    greedy_batch,
    softmax,
    softmax_batch,
    ucb,
    ucb_batch,
)

GRID = ((np.arange(20_000) + 0.5) / 20_000).tolist()  # uniform quadrature points: exact frequencies, no noise


def within(count, n, p, sigmas=5.0):
    return abs(count / n - p) <= sigmas * math.sqrt(p * (1 - p) / n)


def test_epsilon_greedy_frequencies():
    rng = np.random.default_rng(7)
    q = [0.1, 0.7, 0.3, 0.2]
    epsilon, n = 0.3, 40_000
    u = rng.random((n, 3)).tolist()
    counts = np.bincount([epsilon_greedy(q, epsilon, *row) for row in u], minlength=4)
    # P(best) = 1 − ε + ε/4, P(other) = ε/4
    assert within(counts[1], n, 1 - epsilon + epsilon / 4)
    for a in (0, 2, 3):
        assert within(counts[a], n, epsilon / 4)


def test_ties_are_broken_uniformly():
    counts = np.bincount([greedy([0.0, 0.5, 0.0, 0.5, 0.5], u) for u in GRID], minlength=5)
    assert counts[0] == counts[2] == 0
    np.testing.assert_allclose(counts[[1, 3, 4]] / len(GRID), 1 / 3, atol=1e-3)
    # and zero-initialised Q gives every action its turn
    counts = np.bincount([epsilon_greedy([0.0] * 4, 0.0, 0.5, 0.0, u) for u in GRID], minlength=4)
    np.testing.assert_allclose(counts / len(GRID), 0.25, atol=1e-3)


def test_softmax_matches_boltzmann_probabilities():
    q, tau = [1.0, 0.5, 0.0, 0.5], 0.4
    expected = np.exp(np.array(q) / tau) / np.exp(np.array(q) / tau).sum()
    counts = np.bincount([softmax(q, tau, u) for u in GRID], minlength=4)
    np.testing.assert_allclose(counts / len(GRID), expected, atol=1e-3)
    counts = np.bincount(softmax_batch(np.tile(q, (len(GRID), 1)), tau, np.array(GRID)), minlength=4)
    np.testing.assert_allclose(counts / len(GRID), expected, atol=1e-3)


def test_softmax_tiny_temperature_neither_overflows_nor_explores():
    q = [0.2, 1000.0, 999.99, -5.0]
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is the point
        batch = softmax_batch(np.tile(q, (len(GRID), 1)), 1e-4, np.array(GRID))
    assert set(batch.tolist()) == {1}
    assert {softmax(q, 1e-4, u) for u in GRID} == {1}  # math.exp would raise OverflowError on exp(10⁷)
    # equal best values still share the draws
    assert {softmax([3.0, 3.0, 1.0], 1e-4, u) for u in GRID} == {0, 1}
    with pytest.raises(ValueError, match="temperature"):
        softmax(q, 0.0, 0.5)


def test_ucb_tries_untried_arms_first_then_the_bonus():
    k, rng = 6, np.random.default_rng(3)
    q, n = [0.0] * k, [0] * k
    chosen = []
    for t in range(1, k + 1):
        a = ucb(q, n, t, 2.0, float(rng.random()))
        chosen.append(a)
        n[a] += 1
        q[a] = 10.0 * (a + 1)  # a tried arm looks great, still the untried ones come first
    assert sorted(chosen) == list(range(k))
    # batch version: each row has a different set of untried arms
    Q = np.array([[5.0, 0.0, 0.0], [5.0, 9.0, 0.0], [1.0, 2.0, 3.0]])
    N = np.array([[3, 0, 0], [1, 1, 0], [1, 1, 1]])
    picks = ucb_batch(Q, N, 4, 2.0, np.array([0.9, 0.1, 0.5]))
    assert picks[0] in (1, 2) and picks[1] == 2 and picks[2] == 2
    # the bonus: Q + c √(ln t / N); arm 1's larger bonus beats arm 0's better estimate
    q, n, t, c = [1.0, 0.8], [50, 2], 52, 0.5
    scores = [q[a] + c * math.sqrt(math.log(t) / n[a]) for a in range(2)]
    assert scores[1] > scores[0] and ucb(q, n, t, c, 0.0) == 1
    assert ucb(q, n, t, 0.0, 0.0) == 0  # c = 0: greedy


def test_plain_and_batch_versions_choose_alike():
    rng = np.random.default_rng(11)
    runs, k = 3000, 4
    Q = rng.integers(0, 3, (runs, k)).astype(float) / 4  # coarse values: many ties
    N = rng.integers(0, 3, (runs, k))
    u = rng.random((runs, 3))
    cases = [
        (greedy_batch(Q, u[:, 2]), [greedy(q, w[2]) for q, w in zip(Q.tolist(), u.tolist(), strict=True)]),
        (
            epsilon_greedy_batch(Q, 0.3, u[:, 0], u[:, 1], u[:, 2]),
            [epsilon_greedy(q, 0.3, *w) for q, w in zip(Q.tolist(), u.tolist(), strict=True)],
        ),
        (softmax_batch(Q, 0.2, u[:, 0]), [softmax(q, 0.2, w[0]) for q, w in zip(Q.tolist(), u.tolist(), strict=True)]),
        (
            ucb_batch(Q, N, 17, 1.5, u[:, 2]),
            [ucb(q, n, 17, 1.5, w[2]) for q, n, w in zip(Q.tolist(), N.tolist(), u.tolist(), strict=True)],
        ),
    ]
    for batch, plain in cases:
        assert batch.tolist() == plain


def test_uniforms_are_the_generators_stream_whatever_the_block():
    expected = np.random.default_rng(5).random(50).tolist()
    for block in (1, 7, 64):
        u = Uniforms(np.random.default_rng(5), block=block)
        assert [u.next() for _ in range(50)] == expected
