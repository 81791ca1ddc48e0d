"""The labeller and the Bradley–Terry reward model: hand cases, finite differences, and the labeller's ranking recovered."""

import math

import numpy as np
import pytest
from rlplay.algos.reward_model import bradley_terry_loss, fit_reward_model, softplus, word_counts
from rlplay.algos.rlhf import RLHFRun, pair_sequences
from rlplay.algos.rlhf_ppo import RLHFPPOConfig
from rlplay.envs.labeller import LABEL_NOISE, gold_reward, label_pairs
from rlplay.envs.token_world import MAX_LEN, NEGATIVE, POSITIVE, WORD, V, write_corpus

SEEDS = range(10)


def batch(*sentences):
    rows = [[WORD[w] for w in s.split()] for s in sentences]
    tokens = np.zeros((len(rows), MAX_LEN), dtype=np.int64)
    for i, row in enumerate(rows):
        tokens[i, : len(row)] = row
    return tokens, np.array([len(r) for r in rows])


@pytest.mark.parametrize(
    "sentence, gold",
    [
        ("the food was good .", 1.0),
        ("the food was very good and lovely .", 2.5),
        ("the staff was rude .", -1.0),
        ("the view was good and good .", 1.0),  # +2 for the words, −1 for the repeat
        ("the view was good", -1.0),  # cut without "." (−2)
        ("good .", -1.0),  # <s> → good is not grammar (−2)
        ("the food was good . . .", 1.0),  # what follows the first "." is padding, not text
    ],
)
def test_gold_reward_hand_cases(sentence, gold):
    tokens, lengths = batch(sentence)
    if sentence.endswith(". . ."):
        lengths = np.array([5])
    assert gold_reward(tokens, lengths)[0] == gold


def test_every_corpus_sentence_scores_its_sentiment_alone():
    corpus = write_corpus(np.random.default_rng(0), 300)
    tokens = np.zeros((len(corpus), MAX_LEN), dtype=np.int64)
    for i, s in enumerate(corpus):
        tokens[i, : len(s)] = s
    lengths = np.array([len(s) for s in corpus])
    sentiment = [
        sum(
            (1.5 if prev == WORD["very"] else 1.0) * ((w in POSITIVE) - (w in NEGATIVE))
            for prev, w in zip([-1, *s[:-1]], s, strict=True)
        )
        for s in corpus
    ]
    np.testing.assert_array_equal(gold_reward(tokens, lengths), sentiment)


def test_the_labeller_errs_as_often_as_thurstones_model_says():
    """P(labeller picks the worse of two sentences whose gold differs by d) = Φ(−d / (σ√2))."""
    n = 100_000
    d = 0.5
    labels = label_pairs(np.full(n, d), np.zeros(n), np.random.default_rng(1).standard_normal((n, 2)))
    expected = 0.5 * math.erfc(d / (LABEL_NOISE * math.sqrt(2)) / math.sqrt(2))
    assert labels.mean() == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / n))


def test_bradley_terry_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    f_w = rng.integers(0, 3, (40, 6)).astype(float)
    f_l = rng.integers(0, 3, (40, 6)).astype(float)
    phi = rng.standard_normal(6)
    _, grad = bradley_terry_loss(phi, f_w, f_l, l2=0.3)
    h = 1e-6
    for j in range(6):
        step = np.zeros(6)
        step[j] = h
        numeric = (
            bradley_terry_loss(phi + step, f_w, f_l, 0.3)[0] - bradley_terry_loss(phi - step, f_w, f_l, 0.3)[0]
        ) / (2 * h)
        assert grad[j] == pytest.approx(numeric, rel=1e-6, abs=1e-9)


def test_softplus_is_log_one_plus_exp_without_overflow():
    z = np.array([-30.0, -1.0, 0.0, 2.0, 30.0])
    np.testing.assert_allclose(softplus(z), np.log1p(np.exp(z)), rtol=1e-14, atol=1e-15)
    assert softplus(np.array([1e4]))[0] == 1e4


def test_the_fit_reaches_the_minimum_of_the_convex_loss():
    run = RLHFRun(0, RLHFPPOConfig())
    labelled = run.labels >= 0
    f_a, f_b = word_counts(*run.pair_a, V), word_counts(*run.pair_b, V)
    prefers_a = (run.labels == 0)[:, None]
    f_w, f_l = np.where(prefers_a, f_a, f_b), np.where(prefers_a, f_b, f_a)
    loss, grad = bradley_terry_loss(run.phi, f_w[labelled], f_l[labelled], run.setup.l2)
    assert np.abs(grad).max() < 1e-6
    assert loss == pytest.approx(run.fit_loss, rel=1e-9)
    # ... and more steps move φ no further than strong convexity allows: ‖φ − φ*‖ ≤ ‖∇loss(φ)‖ / λ
    phi, longer = fit_reward_model(f_a, f_b, run.labels, run.setup.l2, 4 * run.setup.fit_steps)
    assert longer == pytest.approx(loss, abs=1e-9)
    assert np.linalg.norm(phi - run.phi) <= np.linalg.norm(grad) / run.setup.l2


@pytest.mark.parametrize("seed", SEEDS)
def test_the_reward_model_recovers_the_labellers_ranking_on_held_out_pairs(seed):
    """2000 fresh pairs of π_ref's samples, never labelled: r_φ orders them as the gold reward does, far above chance.

    Measured (seeds 0-9): 0.79-0.86 of the pairs whose gold differs; the noisy labeller itself gets 0.96-0.98.
    """
    run = RLHFRun(seed, RLHFPPOConfig())
    a, b = pair_sequences(run.logp_ref, np.random.default_rng(10_000 + seed), 2000)
    gold_a, gold_b = gold_reward(*a), gold_reward(*b)
    differ = gold_a != gold_b
    agreement = np.mean(
        np.sign(run.proxy_reward(*a) - run.proxy_reward(*b))[differ] == np.sign(gold_a - gold_b)[differ]
    )
    assert agreement > 0.75
    # the taste it learned: every praising word scores above every complaining one
    assert min(run.phi[list(POSITIVE)]) > max(run.phi[list(NEGATIVE)])


def test_user_labels_replace_the_labeller_and_skipped_pairs_are_left_out():
    pairs = RLHFRun(0, RLHFPPOConfig()).setup.pairs
    flipped = RLHFRun(0, RLHFPPOConfig())
    user = 1 - flipped.labels  # a user who disagrees with the labeller on every pair
    contrarian = RLHFRun(0, RLHFPPOConfig(), labels=user)
    assert np.corrcoef(contrarian.phi, flipped.phi)[0, 1] < -0.9
    skipped = np.full(pairs, -1)
    skipped[:3] = user[:3]
    few = RLHFRun(0, RLHFPPOConfig(), labels=skipped)
    f_a, f_b = word_counts(*few.pair_a, V)[:3], word_counts(*few.pair_b, V)[:3]
    np.testing.assert_array_equal(few.phi, fit_reward_model(f_a, f_b, user[:3], few.setup.l2, few.setup.fit_steps)[0])
    nothing = RLHFRun(0, RLHFPPOConfig(), labels=np.full(pairs, -1))
    np.testing.assert_array_equal(nothing.phi, 0.0)
    for bad in ([0] * (pairs - 1), [2] * pairs, "ab"):
        with pytest.raises(ValueError, match="labels must be"):
            RLHFRun(0, RLHFPPOConfig(), labels=bad)


def test_a_repeated_fit_is_reused_bit_for_bit_but_never_for_an_edited_loss(monkeypatch):
    """Re-creating a run (open(), Reset) reuses its fit; an edited Bradley–Terry loss always fits afresh."""
    from rlplay.algos import reward_model

    rng = np.random.default_rng(5)
    f_a, f_b = rng.integers(0, 3, (40, 15)).astype(float), rng.integers(0, 3, (40, 15)).astype(float)
    labels = rng.integers(0, 2, 40)
    reward_model._FITS.clear()
    first = reward_model.fit_reward_model(f_a, f_b, labels, 0.01, 200)
    assert len(reward_model._FITS) == 1
    again = reward_model.fit_reward_model(f_a, f_b, labels, 0.01, 200)
    assert np.array_equal(first[0], again[0]) and first[1] == again[1]
    calls = []

    def edited(phi, f_winner, f_loser, l2):
        calls.append(1)
        return reward_model._REFERENCE_LOSS(phi, f_winner, f_loser, l2)

    monkeypatch.setattr(reward_model, "bradley_terry_loss", edited)
    edited_fit = reward_model.fit_reward_model(f_a, f_b, labels, 0.01, 200)
    assert len(calls) == 200 and np.array_equal(edited_fit[0], first[0])
