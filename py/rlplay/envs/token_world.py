"""A token world for RLHF in miniature: 15 words, sentences of 5 to 8 tokens, a grammar and the corpus it writes.

    vocabulary   . the was very and | food staff room view | good great lovely | bad rude dull     (V = 15)
    grammar      <s> → the → NOUN → was → (very) ADJ → ( . | and → (very) ADJ → . )               (a regular grammar)
    corpus       sentences the grammar writes, of 5 to 8 tokens, the last one "." (the end token)
    a sequence   x = (x_0, …, x_{n−1}), n ≤ MAX_LEN = 8, generated left to right; it ends at "." or at MAX_LEN

Description: the reviews a small language model learns to write ("the food was very good .", "the staff was rude
and dull ."). Every sentence of the corpus is grammatical; half are praise and half are complaints, so a model trained
on it writes both. What a reader thinks of a sentence is the labeller's business (``rlplay.envs.labeller``), not the
grammar's.

Why these sizes: small enough that quantities over *all* sequences (a sequence's probability, the KL between two
models) are sums a test can enumerate, large enough that a model can go wrong in ways a reader sees: repeat a word,
break the grammar, never stop.

Source: the reviews of Pang & Lee (2004) in spirit; the set-up (a reference model trained on text, then tuned with a
learned reward) from Ziegler et al. (2019), "Fine-Tuning Language Models from Human Preferences", and the seed post's
RLHF equation. Randomness: ``write_corpus`` draws from the ``np.random.Generator`` it is given.
"""

from __future__ import annotations

import numpy as np

# fmt: off
VOCAB = (".", "the", "was", "very", "and", "food", "staff", "room", "view", "good", "great", "lovely",
         "bad", "rude", "dull")
# fmt: on
V = len(VOCAB)  # words (the end token "." included)
END = 0  # index of ".": a sequence stops after it
BOS = V  # the context of the first token (start of sentence); not a word, never generated
MAX_LEN = 8  # tokens in the longest sequence, "." included
WORD = {word: i for i, word in enumerate(VOCAB)}
NOUNS = tuple(WORD[w] for w in ("food", "staff", "room", "view"))
POSITIVE = tuple(WORD[w] for w in ("good", "great", "lovely"))
NEGATIVE = tuple(WORD[w] for w in ("bad", "rude", "dull"))
ADJECTIVES = POSITIVE + NEGATIVE
THE, WAS, VERY, AND = WORD["the"], WORD["was"], WORD["very"], WORD["and"]

P_VERY = 0.3  # chance that an adjective of the corpus comes with "very"
P_SECOND = 0.4  # chance that a sentence has a second adjective ("… and …")


def allowed_transitions() -> np.ndarray:
    """The grammar as a (V + 1, V) table of booleans: ``allowed[c, w]`` says w may follow context c (row BOS = start).

    >>> allowed = allowed_transitions()
    >>> bool(allowed[BOS, THE]), bool(allowed[WORD["good"], WORD["good"]]), bool(allowed[WORD["good"], END])
    (True, False, True)
    """
    allowed = np.zeros((V + 1, V), dtype=bool)
    allowed[BOS, THE] = True
    allowed[THE, list(NOUNS)] = True
    allowed[list(NOUNS), WAS] = True
    for context in (WAS, VERY, AND):
        allowed[context, list(ADJECTIVES)] = True
    allowed[WAS, VERY] = True
    allowed[AND, VERY] = True
    allowed[np.ix_(list(ADJECTIVES), [END, AND])] = True
    return allowed


ALLOWED = allowed_transitions()


def write_sentence(rng: np.random.Generator) -> list[int]:
    """One sentence of the corpus: ``the NOUN was [very] ADJ [and [very] ADJ] .``, one polarity, 5 to 8 tokens.

    The two adjectives of a sentence are different words of the same polarity (a reviewer does not write "good and
    good", nor "lovely and rude"); "very" comes at most once, so that no sentence is longer than ``MAX_LEN``.
    """
    u = rng.random(7)
    polarity = POSITIVE if u[0] < 0.5 else NEGATIVE
    noun = NOUNS[int(u[1] * len(NOUNS))]
    first = int(u[2] * 3)
    sentence = [THE, noun, WAS]
    very_at = -1 if u[3] >= P_VERY else (0 if u[5] < 0.5 else 1)  # before the first or the second adjective
    if very_at == 0:
        sentence.append(VERY)
    sentence.append(polarity[first])
    if u[4] < P_SECOND or very_at == 1:
        # the second adjective: one of the two others of the same polarity
        second = (first + 1 + int(u[6] * 2)) % 3
        sentence.append(AND)
        if very_at == 1:
            sentence.append(VERY)
        sentence.append(polarity[second])
    sentence.append(END)
    return sentence


def write_corpus(rng: np.random.Generator, n_sentences: int) -> list[list[int]]:
    """``n_sentences`` sentences from the grammar, each drawn with seven uniforms (so sentence i never depends on n)."""
    if n_sentences < 1:
        raise ValueError(f"a corpus needs at least one sentence, got n_sentences={n_sentences}")
    return [write_sentence(rng) for _ in range(n_sentences)]


def is_grammatical(tokens) -> bool:
    """True if every transition of ``tokens`` is allowed and the sentence ends with "."."""
    context = BOS
    for token in tokens:
        if not ALLOWED[context, token]:
            return False
        context = token
    return len(tokens) > 0 and tokens[-1] == END


def text(tokens) -> str:
    """The words of a token sequence, e.g. ``"the food was good ."``."""
    return " ".join(VOCAB[t] for t in tokens)
