"""The simulated labeller: a hidden "gold" reward on sentences, and noisy preferences between two sentences.

    gold(x) = Σ_adjectives sign(adj) · (1.5 if after "very" else 1)     (+1 per positive word, −1 per negative)
              − 1 · (words repeated from earlier in the sentence)
              − 2 · (transitions the grammar forbids)
              − 2 · [x does not end with "."]
    a ≻ b  ⇔  gold(a) + σ z_a > gold(b) + σ z_b,  z ~ N(0, 1),  σ = LABEL_NOISE      (Thurstone: P = Φ((g_a − g_b)/σ√2))

Description: a reader who likes praise that reads well. On the corpus's sentences (grammatical, no word repeated)
only the sentiment counts, which a bag-of-words reward model can learn from a few labels; off the corpus the reader
also minds what such a model cannot see: repetition, broken grammar, a sentence that never stops. That gap is the
point of the demo (Gao et al. 2022: the proxy agrees with the gold reward where it was fitted, and is optimised where
it was not).

The labeller answers like a person: usually for the sentence it scores higher, sometimes not, more often wrong when
the two are close. Its noise is Thurstone's (1927, "A law of comparative judgment": each sentence is perceived with a
Gaussian error), the probit cousin of the Bradley–Terry model the reward model assumes: the fit is slightly
misspecified, as it is with people, and the labels need no transcendental function (a normal draw from NumPy's
Generator is the same natively and in Pyodide).

Sources: Christiano et al. (2017), "Deep Reinforcement Learning from Human Preferences" (simulated labellers from a
hidden reward); Gao, Schulman & Hilton (2022), "Scaling Laws for Reward Model Overoptimization" (a gold reward model
stands in for humans, a proxy is trained on its labels).
"""

from __future__ import annotations

import numpy as np

from rlplay.envs.token_world import ALLOWED, BOS, END, NEGATIVE, POSITIVE, VERY, V

LABEL_NOISE = 0.5  # σ: a gold difference of 0.5 is preferred with probability Φ(1/√2) ≈ 0.76
REPEAT_PENALTY = 1.0
GRAMMAR_PENALTY = 2.0  # per forbidden transition
NO_END_PENALTY = 2.0  # a sentence cut at MAX_LEN, without its "."

SENTIMENT = np.zeros(V)
SENTIMENT[list(POSITIVE)] = 1.0
SENTIMENT[list(NEGATIVE)] = -1.0


def gold_reward(tokens: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """gold(x) for a batch: ``tokens`` (B, MAX_LEN) ints, row i's first ``lengths[i]`` entries are its sequence.

    >>> from rlplay.envs.token_world import MAX_LEN, WORD
    >>> def gold(words):
    ...     t = [WORD[w] for w in words.split()]
    ...     return float(gold_reward(np.array([t + [0] * (MAX_LEN - len(t))]), np.array([len(t)]))[0])
    >>> gold("the food was very good ."), gold("the room was rude and dull ."), gold("good good good")
    (1.5, -2.0, -7.0)
    """
    tokens = np.asarray(tokens)
    B, L = tokens.shape
    inside = np.arange(L) < np.asarray(lengths)[:, None]
    contexts = np.concatenate([np.full((B, 1), BOS), tokens[:, :-1]], axis=1)
    # sentiment: ±1 per adjective, ±1.5 right after "very"
    emphasis = np.where(contexts == VERY, 1.5, 1.0)
    sentiment = (SENTIMENT[tokens] * emphasis * inside).sum(axis=1)
    # repeats: position t holds a word already seen at some s < t
    seen_before = np.zeros((B, L), dtype=bool)
    for t in range(1, L):
        seen_before[:, t] = (tokens[:, :t] == tokens[:, t : t + 1]).any(axis=1)
    repeats = (seen_before & inside).sum(axis=1)
    forbidden = (~ALLOWED[contexts, tokens] & inside).sum(axis=1)
    last = tokens[np.arange(B), np.asarray(lengths) - 1]
    no_end = last != END
    return sentiment - REPEAT_PENALTY * repeats - GRAMMAR_PENALTY * forbidden - NO_END_PENALTY * no_end


def label_pairs(gold_a: np.ndarray, gold_b: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """The labeller's answers: 0 where it prefers a, 1 where it prefers b; ``noise`` (N, 2) standard normal draws.

    a ≻ b  ⇔  gold(a) + σ z_a > gold(b) + σ z_b   (ties, measure zero, go to b)

    >>> label_pairs(np.array([2.0, 0.0]), np.array([0.0, 2.0]), np.zeros((2, 2))).tolist()
    [0, 1]
    """
    noise = np.asarray(noise, dtype=np.float64)
    perceived_a = np.asarray(gold_a, dtype=np.float64) + LABEL_NOISE * noise[:, 0]
    perceived_b = np.asarray(gold_b, dtype=np.float64) + LABEL_NOISE * noise[:, 1]
    return np.where(perceived_a > perceived_b, 0, 1)
