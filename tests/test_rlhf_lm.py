"""The tiny language model and its token world: exact quantities against enumeration, samples against exact ones."""

import itertools
import math

import numpy as np
import pytest
from rlplay.algos.bigram_lm import (
    exact_kl,
    expected_token_sum,
    reference_logits,
    sample,
    sequence_log_prob,
    token_log_probs,
    writing_marginals,
)
from rlplay.algos.nn import log_softmax
from rlplay.envs.token_world import ALLOWED, END, MAX_LEN, VOCAB, V, is_grammatical, text, write_corpus

SMALL_WORDS = 4  # a small world: "." and three words, sequences of at most 4 tokens (4 + 4·3 + ... sequences)
SMALL_LEN = 4


def all_sequences(n_words: int, max_len: int):
    """Every sequence the model can write: words ≠ "." then "." (length ≤ max_len), or max_len words without "."."""
    for n in range(1, max_len + 1):
        for body in itertools.product(range(1, n_words), repeat=n - 1):
            yield (*body, END)
    yield from itertools.product(range(1, n_words), repeat=max_len)


def as_batch(sequences, max_len):
    tokens = np.zeros((len(sequences), max_len), dtype=np.int64)
    for i, s in enumerate(sequences):
        tokens[i, : len(s)] = s
    return tokens, np.array([len(s) for s in sequences])


def random_table(rng, n_words, scale=1.5):
    return log_softmax(rng.standard_normal((n_words + 1, n_words)) * scale)


def test_sequence_probabilities_sum_to_one_over_every_sequence():
    logp = random_table(np.random.default_rng(0), SMALL_WORDS)
    tokens, lengths = as_batch(list(all_sequences(SMALL_WORDS, SMALL_LEN)), SMALL_LEN)
    assert math.fsum(np.exp(sequence_log_prob(logp, tokens, lengths))) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_kl_equals_the_sum_over_every_sequence(seed):
    rng = np.random.default_rng(seed)
    logp, logp_ref = random_table(rng, SMALL_WORDS), random_table(rng, SMALL_WORDS)
    tokens, lengths = as_batch(list(all_sequences(SMALL_WORDS, SMALL_LEN)), SMALL_LEN)
    log_p = sequence_log_prob(logp, tokens, lengths)
    log_q = sequence_log_prob(logp_ref, tokens, lengths)
    # KL(p ‖ q) = Σ_x p(x) log(p(x)/q(x)), over all 4 + 3 + 9 + 27 + 81 sequences
    enumerated = math.fsum(np.exp(log_p) * (log_p - log_q))
    assert enumerated > 0.1
    assert exact_kl(logp, logp_ref, SMALL_LEN) == pytest.approx(enumerated, rel=1e-12)
    assert exact_kl(logp, logp, SMALL_LEN) == 0.0


def test_expected_word_score_and_marginals_equal_enumeration():
    rng = np.random.default_rng(3)
    logp = random_table(rng, SMALL_WORDS)
    values = rng.standard_normal(SMALL_WORDS)
    sequences = list(all_sequences(SMALL_WORDS, SMALL_LEN))
    tokens, lengths = as_batch(sequences, SMALL_LEN)
    p = np.exp(sequence_log_prob(logp, tokens, lengths))
    scores = [sum(values[w] for w in s) for s in sequences]
    assert expected_token_sum(logp, values, SMALL_LEN) == pytest.approx(math.fsum(p * scores), rel=1e-12)
    # row t of μ sums to P(length > t)
    mu = writing_marginals(logp, SMALL_LEN)
    for t in range(SMALL_LEN):
        assert mu[t].sum() == pytest.approx(math.fsum(p[lengths > t]), rel=1e-12)


def test_samples_follow_the_sequence_probabilities():
    """200k samples of the small world: every sequence's frequency within 5 standard errors of its probability."""
    rng = np.random.default_rng(4)
    logp = random_table(rng, SMALL_WORDS, scale=1.0)
    n = 200_000
    tokens, lengths = sample(logp, rng.random((n, SMALL_LEN)))
    sequences = list(all_sequences(SMALL_WORDS, SMALL_LEN))
    index = {s: i for i, s in enumerate(sequences)}
    counts = np.zeros(len(sequences))
    for row, length in zip(tokens.tolist(), lengths.tolist(), strict=True):
        counts[index[tuple(row[:length])]] += 1
    all_tokens, all_lengths = as_batch(sequences, SMALL_LEN)
    p = np.exp(sequence_log_prob(logp, all_tokens, all_lengths))
    standard_error = np.sqrt(p * (1 - p) / n)
    assert np.all(np.abs(counts / n - p) <= 5 * standard_error + 1e-12)
    # what follows a sequence's end is "." padding
    assert all(
        row[length:] == [END] * (SMALL_LEN - length)
        for row, length in zip(tokens.tolist(), lengths.tolist(), strict=True)
    )


def test_the_sampled_kl_estimate_converges_to_the_exact_kl():
    """KL(π ‖ π_ref) estimated as the mean of log π(x)/π_ref(x) over samples x ~ π (the per-token penalty's sum)."""
    rng = np.random.default_rng(5)
    theta_ref = reference_logits(write_corpus(rng, 200), V, 0.3)
    logp_ref = log_softmax(theta_ref)
    logp = log_softmax(theta_ref + rng.standard_normal(theta_ref.shape))
    exact = exact_kl(logp, logp_ref, MAX_LEN)
    tokens, lengths = sample(logp, rng.random((20_000, MAX_LEN)))
    log_ratio = (token_log_probs(logp, tokens, lengths) - token_log_probs(logp_ref, tokens, lengths)).sum(axis=1)
    standard_error = log_ratio.std() / math.sqrt(len(log_ratio))
    assert exact > 1.0
    assert abs(log_ratio.mean() - exact) < 4 * standard_error


def test_the_reference_model_is_the_smoothed_maximum_likelihood_table():
    """At θ_ref the gradient of Σ_corpus log π(x) + Σ_c,w α log π(w|c) (Dirichlet prior) is zero in every cell."""
    corpus = write_corpus(np.random.default_rng(6), 200)
    alpha = 0.3
    theta = reference_logits(corpus, V, alpha)
    counts = np.zeros((V + 1, V))
    for sentence in corpus:
        for context, token in zip([V, *sentence[:-1]], sentence, strict=True):
            counts[context, token] += 1
    p = np.exp(log_softmax(theta))
    # ∂/∂θ[c, w] Σ (n(c,w) + α) log π(w|c) = (n(c,w) + α) − (n(c) + αV) π(w|c)
    grad = (counts + alpha) - (counts + alpha).sum(axis=1, keepdims=True) * p
    np.testing.assert_allclose(grad, 0.0, atol=1e-9)
    # and it speaks the corpus: its likeliest next word after "the" is a noun, after "was" an adjective or "very"
    assert VOCAB[int(np.argmax(theta[VOCAB.index("the")]))] in ("food", "staff", "room", "view")


def test_the_corpus_is_grammatical_and_five_to_eight_tokens_long():
    corpus = write_corpus(np.random.default_rng(7), 500)
    assert all(is_grammatical(s) and 5 <= len(s) <= MAX_LEN for s in corpus)
    assert {len(s) for s in corpus} == {5, 6, 7, 8}
    assert text(corpus[0]).startswith("the ") and text(corpus[0]).endswith(" .")
    # the grammar forbids a word after itself, so "good good" is never written
    assert not ALLOWED[np.arange(V), np.arange(V)].any()
    # the same seed writes the same corpus
    assert write_corpus(np.random.default_rng(7), 500) == corpus
