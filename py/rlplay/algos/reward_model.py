"""A reward model fitted to preferences with the Bradley–Terry loss: r_φ(x) = Σ_t φ[x_t], a score per word.

    P_φ(x_w ≻ x_l) = σ(r_φ(x_w) − r_φ(x_l))                                          (Bradley–Terry)
    loss(φ) = −(1/N) Σ_i log σ(Δ_i) + (λ/2) ‖φ‖²,   Δ_i = r_φ(x_w,i) − r_φ(x_l,i) = φ · (f(x_w,i) − f(x_l,i))
    ∂loss/∂φ = −(1/N) Σ_i (1 − σ(Δ_i)) (f(x_w,i) − f(x_l,i)) + λ φ                  (f(x) = word counts of x)
    −log σ(Δ) = softplus(−Δ) = max(−Δ, 0) + log(1 + e^(−|Δ|))                        (never overflows)

Sources: Bradley & Terry (1952); Christiano et al. (2017) eq. 1; Ouyang et al. (2022) eq. 1 (InstructGPT's reward
model loss, here with one pair per comparison); Gao et al. (2022) for what a proxy does when it is optimised.

Why a bag of words: it is the simplest model that can learn the labeller's taste from a few dozen labels (which words
it likes), and it is wrong in the way real reward models are wrong: it extrapolates. A sentence it never saw, with
one liked word written eight times, scores eight times that word. The labeller, reading it, would not agree. The
model is linear in φ, so its loss is convex: full-batch gradient descent finds the one minimum, and λ > 0 makes it
unique even for words no label ever involved.
"""

from __future__ import annotations

import numpy as np

from rlplay.algos.nn import exp, log


def word_counts(tokens: np.ndarray, lengths: np.ndarray, n_words: int) -> np.ndarray:
    """f(x): (B, V) counts of each word in each sequence's first ``lengths[i]`` tokens.

    >>> word_counts(np.array([[1, 2, 1, 0]]), np.array([3]), n_words=3).tolist()
    [[0.0, 2.0, 1.0]]
    """
    inside = np.arange(tokens.shape[1]) < np.asarray(lengths)[:, None]
    one_hot = tokens[:, :, None] == np.arange(n_words)
    return (one_hot & inside[:, :, None]).sum(axis=1).astype(np.float64)


def reward(phi: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """r_φ(x) = φ · f(x) for a batch of word counts (B, V), summed in NumPy's fixed order (no BLAS)."""
    return (counts * phi).sum(axis=1)


def softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + eᶻ), stable for any z.

    >>> softplus(np.array([0.0, 800.0, -800.0])).round(4).tolist()
    [0.6931, 800.0, 0.0]
    """
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0.0) + log(1.0 + exp(-np.abs(z)))


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)), which is 0 rather than an overflow for very negative z."""
    return 1.0 / (1.0 + exp(-np.asarray(z, dtype=np.float64)))


def bradley_terry_loss(phi: np.ndarray, f_winner: np.ndarray, f_loser: np.ndarray, l2: float):
    """loss(φ) and ∂loss/∂φ over N labelled pairs; ``f_winner``, ``f_loser`` (N, V) word counts. Returns (loss, grad).

    >>> loss, grad = bradley_terry_loss(np.zeros(2), np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]), 0.0)
    >>> round(loss, 4), grad.tolist()        # log 2, and −(1 − ½)(f_w − f_l)
    (0.6931, [-0.5, 0.5])
    """
    diff = f_winner - f_loser
    # Δ_i = φ · (f(x_w) − f(x_l))
    delta = reward(phi, diff)
    n = len(delta)
    # loss = mean softplus(−Δ) + λ/2 ‖φ‖²
    loss = float(softplus(-delta).mean()) + 0.5 * l2 * float((phi * phi).sum())
    # ∂/∂φ = −mean((1 − σ(Δ)) (f_w − f_l)) + λ φ
    grad = -((1.0 - sigmoid(delta))[:, None] * diff).sum(axis=0) / n + l2 * phi
    return loss, grad


_FITS: dict[tuple, tuple[np.ndarray, float]] = {}
_FITS_KEPT = 16  # fits remembered: a page that opens or resets the same run again (same pairs, labels) reuses its fit


def fit_reward_model(f_a: np.ndarray, f_b: np.ndarray, labels: np.ndarray, l2: float, steps: int):
    """φ minimising the Bradley–Terry loss, by ``steps`` of full-batch gradient descent from φ = 0.

    ``labels[i]`` is 0 where the labeller preferred a, 1 where it preferred b. Returns ``(phi, loss)``.
    The step is 1/L, L = ¼ mean‖f_w − f_l‖² + λ: the Hessian mean(σ(1−σ) d dᵀ) + λI has no eigenvalue above L
    (σ(1−σ) ≤ ¼ and the largest eigenvalue of mean(d dᵀ) is at most its trace), so descent converges whatever the
    labels. With no labels the minimum is φ = 0: a reward model that has heard nothing scores every sentence 0.
    """
    phi = np.zeros(f_a.shape[1])
    if len(labels) == 0:
        return phi, 0.0
    # The same inputs give the same φ, bit for bit; with the reference loss (no edited version in place) a fit done
    # before is reused instead of repeated (1,500 steps: about a second natively, more in the browser).
    key = None
    if bradley_terry_loss is _REFERENCE_LOSS:
        key = (f_a.tobytes(), f_b.tobytes(), np.asarray(labels).tobytes(), f_a.shape, float(l2), int(steps))
        if key in _FITS:
            phi, loss = _FITS[key]
            return phi.copy(), loss
    prefers_a = (np.asarray(labels) == 0)[:, None]
    f_winner = np.where(prefers_a, f_a, f_b)
    f_loser = np.where(prefers_a, f_b, f_a)
    diff = f_winner - f_loser
    lr = 1.0 / (0.25 * float((diff * diff).sum(axis=1).mean()) + l2)
    loss = 0.0
    for _ in range(steps):
        # looked up in this module at each call: the Code panel's edited version, while it runs, is put here
        loss, grad = bradley_terry_loss(phi, f_winner, f_loser, l2)
        # φ ← φ − (1/L) ∂loss/∂φ
        phi = phi - lr * grad
    if key is not None:
        if len(_FITS) >= _FITS_KEPT:
            _FITS.pop(next(iter(_FITS)))
        _FITS[key] = (phi.copy(), loss)
    return phi, loss


_REFERENCE_LOSS = bradley_terry_loss  # the loss as written here; an edited one is never cached
