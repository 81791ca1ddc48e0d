"""A tiny language model: a bigram softmax table π_θ(x_t | x_{t−1}), its maximum-likelihood fit, samples and exact KL.

    π_θ(w | c) = exp(θ[c, w]) / Σ_w' exp(θ[c, w'])            (c = the previous token, or <s> for the first)
    log π_θ(x) = Σ_t log π_θ(x_t | x_{t−1})                   (a sequence ends at "." or after max_len tokens)
    π_ref(w | c) = (n(c, w) + α) / (n(c) + α V)               (maximum likelihood with a Dirichlet(α) prior)
    KL(π_θ ‖ π_ref) = Σ_t Σ_c μ_t(c) Σ_w π_θ(w|c) log(π_θ(w|c) / π_ref(w|c))      (exact, by a forward pass)
    μ_0 = δ_<s>,  μ_{t+1}(w) = Σ_c μ_t(c) π_θ(w|c) for w ≠ "."  (the chance to be still writing, after word w, at t+1)

Why a table and not the MLP of ``rlplay.algos.nn``: the policy must be a softmax over the next token given the
context, and the bigram table is the smallest such model (Shannon 1948's n-gram, Jurafsky & Martin §3). It has
no features to share, so what RLHF does to it is visible cell by cell (one row is "the next-word distribution after
'good'"), every quantity the lesson names can be computed exactly (a sequence's probability; the KL between two
models, by the forward pass above, no sampling), and one step costs microseconds. An MLP over a one-hot context would
compute the same function less transparently and ~50× slower; generalisation across contexts, the one thing it
would add, is the reward model's story here, not the policy's.

A maximum-likelihood table gives probability 0 to every transition the corpus never shows, and PPO cannot learn
what it never samples, so π_ref is smoothed by add-α (the posterior mean under a symmetric Dirichlet prior,
Jurafsky & Martin §3.5): an unseen word after a common context keeps a probability of ~1%, enough for a policy
chasing a reward to find it.

Tables are (V + 1, V): rows are contexts (the V words, then <s> = row V), columns the next word; word 0 is the end
token ".". Every function takes ``max_len`` so the tests can enumerate all sequences of a smaller world.

Determinism: probabilities come from the portable ``exp``/``log`` of ``rlplay.algos.nn`` and products through its
``matmul``, so sampling and the KL are bit-identical natively and in Pyodide.
"""

from __future__ import annotations

import numpy as np

from rlplay.algos.nn import exp, log, matmul

END = 0  # the end token "." (column 0)


def reference_logits(corpus, n_words: int, alpha: float) -> np.ndarray:
    """θ_ref = log((n(c, w) + α) / (n(c) + α V)): the add-α maximum-likelihood bigram table of a corpus.

    ``corpus`` is a list of token lists, each ending with "." (token 0); contexts count from <s> (row ``n_words``).

    >>> theta = reference_logits([[1, 0], [1, 0]], n_words=2, alpha=1.0)   # "a ." twice
    >>> np.round(exp(theta[2]), 3).tolist()                                 # after <s>: "a" 3/4, "." 1/4
    [0.25, 0.75]
    """
    if alpha <= 0:
        raise ValueError(f"alpha must be positive (a zero probability can never be learned), got {alpha}")
    counts = np.zeros((n_words + 1, n_words))
    for sentence in corpus:
        context = n_words
        for token in sentence:
            counts[context, token] += 1.0
            context = token
    smoothed = counts + alpha
    # π_ref(w|c) = (n(c, w) + α) / (n(c) + α V)
    return log(smoothed / smoothed.sum(axis=1, keepdims=True))


def sample(logp: np.ndarray, u: np.ndarray):
    """Sequences drawn from the table ``logp`` (log-probabilities), one uniform per position: ``u`` is (B, max_len).

    Returns ``(tokens, lengths)``: tokens (B, max_len) with "." after each sequence's end, lengths (B,). A sequence
    ends at its first "." or after ``max_len`` tokens. Inverse-CDF sampling: token = #{w : u ≥ cdf(w)}.
    Every sequence consumes max_len uniforms whatever its length, so a batch's draws never depend on the policy.

    >>> logp = log(np.array([[0.5, 0.5], [0.5, 0.5], [0.0, 1.0]]))   # after <s> (row 2) "a" (1); after "a": "." or "a"
    >>> tokens, lengths = sample(logp, np.array([[0.3, 0.9, 0.1], [0.3, 0.2, 0.0]]))
    >>> tokens.tolist(), lengths.tolist()
    ([[1, 1, 0], [1, 0, 0]], [3, 2])
    """
    n_words = logp.shape[1]
    B, max_len = u.shape
    cdf = np.cumsum(exp(logp), axis=1)
    tokens = np.zeros((B, max_len), dtype=np.int64)
    lengths = np.full(B, max_len, dtype=np.int64)
    context = np.full(B, n_words, dtype=np.int64)
    writing = np.ones(B, dtype=bool)
    for t in range(max_len):
        # x_t ~ π(· | x_{t−1}) by inverse CDF; a u beyond the last cdf (rounding) picks the last word
        token = np.minimum((u[:, t : t + 1] >= cdf[context]).sum(axis=1), n_words - 1)
        token = np.where(writing, token, END)
        tokens[:, t] = token
        ended = writing & (token == END)
        lengths[ended] = t + 1
        writing &= ~ended
        context = token
    return tokens, lengths


def contexts_of(tokens: np.ndarray, n_words: int) -> np.ndarray:
    """The context of every position: <s> (``n_words``) first, then the previous token."""
    return np.concatenate([np.full((tokens.shape[0], 1), n_words, dtype=tokens.dtype), tokens[:, :-1]], axis=1)


def written(lengths: np.ndarray, max_len: int) -> np.ndarray:
    """(B, max_len) booleans: True at the positions a sequence wrote (t < its length)."""
    return np.arange(max_len) < np.asarray(lengths)[:, None]


def token_log_probs(logp: np.ndarray, tokens: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """log π(x_t | x_{t−1}) at every position (B, max_len), 0 past each sequence's end."""
    contexts = contexts_of(tokens, logp.shape[1])
    return np.where(written(lengths, tokens.shape[1]), logp[contexts, tokens], 0.0)


def sequence_log_prob(logp: np.ndarray, tokens: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """log π(x) = Σ_t log π(x_t | x_{t−1}) per sequence (B,)."""
    return token_log_probs(logp, tokens, lengths).sum(axis=1)


def writing_marginals(logp: np.ndarray, max_len: int) -> np.ndarray:
    """μ_t(c) for t = 0..max_len−1: (max_len, V + 1), the chance that position t is written after context c.

    Row t sums to the chance that the sequence is longer than t (1 at t = 0).
    """
    n_words = logp.shape[1]
    p = exp(logp)
    mu = np.zeros((max_len, n_words + 1))
    mu[0, n_words] = 1.0
    for t in range(1, max_len):
        # μ_t(w) = Σ_c μ_{t−1}(c) π(w|c), and nothing is written after "."
        mu[t, :n_words] = matmul(mu[t - 1], p)
        mu[t, END] = 0.0
    return mu


def exact_kl(logp: np.ndarray, logp_ref: np.ndarray, max_len: int) -> float:
    """KL(π ‖ π_ref) over whole sequences, in nats: Σ_t Σ_c μ_t(c) KL(π(·|c) ‖ π_ref(·|c)) (no sampling).

    >>> uniform = log(np.full((3, 2), 0.5))   # "." and one word, each 1/2 after every context (rows ".", word, <s>)
    >>> sure = log(np.array([[0.5, 0.5], [0.5, 0.5], [0.25, 0.75]]))   # after <s>: the word 3/4
    >>> round(exact_kl(sure, uniform, max_len=1), 4)   # ¼ ln(¼/½) + ¾ ln(¾/½)
    0.1308
    """
    # KL of each context's next-word distribution: Σ_w π(w|c) (log π(w|c) − log π_ref(w|c))
    per_context = (exp(logp) * (logp - logp_ref)).sum(axis=1)
    mu = writing_marginals(logp, max_len)
    return float((mu * per_context).sum())


def expected_token_sum(logp: np.ndarray, values: np.ndarray, max_len: int) -> float:
    """E_π[Σ_t values[x_t]] exactly (a bag-of-words score's mean over all sequences)."""
    per_context = (exp(logp) * values).sum(axis=1)
    return float((writing_marginals(logp, max_len) * per_context).sum())


def next_word_distribution(logp: np.ndarray, context: int) -> np.ndarray:
    """π(· | context) as probabilities (V,), for the page's "next word after …" bars."""
    return exp(logp[context])
