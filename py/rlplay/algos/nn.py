"""A tiny neural-network kit: a one-hidden-layer ReLU MLP, softmax-policy helpers and Adam, backward beside forward.

    forward:  h = relu(X W1 + b1),  y = h W2 + b2
    backward: dW2 = hᵀ dy,  db2 = Σ dy,  dh = dy W2ᵀ,  dz = dh ⊙ [z > 0],  dW1 = Xᵀ dz,  db1 = Σ dz
    Adam:     m ← β1 m + (1−β1) g,  v ← β2 v + (1−β2) g²,  θ ← θ − lr · m̂ / (√v̂ + eps)

Sources: micrograd (backward beside forward); Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization",
Algorithm 1. Everything is batched: ``X`` holds a whole episode or rollout, one row per state.

Portability (native CPython and Pyodide must give the same training run): a 1-ulp nudge to the weights changes an
actor-critic run's episodes after ~50k steps (PPO: ~10k), so training arithmetic must be bit-identical everywhere.
Batch products go through ``matmul``, which rounds every product and sums in an order fixed by NumPy's own reduction
loops, never by a BLAS kernel (BLAS fuses multiply-adds and blocks differently per CPU). ``exp`` and ``log`` are
computed here from +, −, ×, ÷ and exact scalings by powers of two, because NumPy's own (SIMD on AVX-512 CPUs) and the
C library's (glibc natively, musl in Pyodide) differ in the last bit. ReLU, ``sqrt`` and division are exact in IEEE
754. The single-state forward used to pick actions (``MLP.forward_one``) does use ``np.dot`` and ``math.exp``: a
last-bit difference there changes nothing unless a uniform draw lands within ~1e-16 of π(a|s).

Speed: an episode's arrays are small, so the cost of an update is mostly the number of NumPy calls and what each
call does before its loop. Sums call ``np.add.reduce`` (what ``ndarray.sum`` reaches through a Python-level wrapper:
the same loop, the same bits), and scalar operands are 0-d arrays (``_operand``), which NumPy takes without the
conversion it does for a Python float on every call.
"""

from __future__ import annotations

import math

import numpy as np
from numpy._core.umath import clip as _clip

LN2_HI = 6.93147180369123816490e-01  # ln 2 rounded to 32 bits (fdlibm's ln2_hi): k · LN2_HI is exact for |k| < 2^20
LN2_LO = 1.90821492927058770002e-10  # ln 2 − LN2_HI
# 1/n! for n = 0..13: exp(r) = Σ r^n/n! reaches 1e-18 relative accuracy for |r| ≤ ln2/2
_EXP_COEFFS = [1.0 / math.factorial(n) for n in range(14)]
# 2/(2k+1) for k = 0..12: log(m) = 2 atanh(s) = Σ 2 s^(2k+1)/(2k+1), s = (m − 1)/(m + 1), |s| ≤ 0.172
_LOG_COEFFS = [2.0 / (2 * k + 1) for k in range(13)]


def _operand(value: float) -> np.ndarray:
    """A constant as a 0-d float64 array: NumPy takes it as an operand in about half the time of a Python float
    (which it converts on every call), the same value and so the same bits."""
    return np.array(value, dtype=np.float64)


_LN2_HI, _LN2_LO = _operand(LN2_HI), _operand(LN2_LO)
_EXP_TERMS = [_operand(c) for c in _EXP_COEFFS]
_LOG_TERMS = [_operand(c) for c in _LOG_COEFFS]
_ONE, _TWO, _ZERO, _SQRT_HALF = _operand(1.0), _operand(2.0), _operand(0.0), _operand(0.7071067811865476)
_EXP_LOW, _EXP_HIGH, _EXP_SAFE = _operand(-746.0), _operand(710.0), _operand(709.0)


def exp(x) -> np.ndarray:
    """eˣ from exact operations only (same bits on every platform), within ~2 ulp.

    x = k ln2 + r with |r| ≤ ln2/2 (Cody–Waite split), eʳ by its Taylor series to r¹³, then scaled by 2ᵏ.

    >>> abs(float(exp(np.array([1.0]))[0]) - math.e) < 1e-15
    True
    """
    # clip to [−746, 710]: np.clip's ufunc, without its Python-level wrapper (the bits of min(max(x, −746), 710),
    # NaN included)
    x = _clip(np.asarray(x, dtype=np.float64), _EXP_LOW, _EXP_HIGH)
    k = np.rint(x / _LN2_HI)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    # Horner, from the innermost coefficient: p = c13, then p ← p · r + c for c = c12 … c0
    p = r * _EXP_TERMS[-1]
    p += _EXP_TERMS[-2]
    for c in _EXP_TERMS[-3::-1]:
        p *= r
        p += c
    if np.maximum.reduce(x, None, None, None, False, -np.inf) <= _EXP_SAFE:  # 2ᵏ · p cannot overflow (no errstate)
        return np.ldexp(p, k.astype(np.int64))
    with np.errstate(over="ignore"):  # beyond 709.78 the answer is inf, as np.exp's
        return np.ldexp(p, k.astype(np.int64))


def log(y) -> np.ndarray:
    """ln y for y > 0 from exact operations only (same bits on every platform), within ~2 ulp.

    y = m · 2ᵉ with m in [√½, √2), ln m = 2 atanh((m − 1)/(m + 1)) by its series, plus e · ln2.

    >>> float(log(np.array([math.e]))[0])
    1.0
    """
    y = np.asarray(y, dtype=np.float64)
    # every y positive and finite (the common case): no special values to patch, no errstate to enter
    plain = y.size > 0 and 0.0 < np.minimum.reduce(y, None) and np.maximum.reduce(y, None) < np.inf
    m, e = np.frexp(y)
    small = m < _SQRT_HALF
    m = np.where(small, m * _TWO, m)
    e = (e - small).astype(np.float64)
    if plain:
        s = (m - _ONE) / (m + _ONE)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):  # y ≤ 0 and inf are patched below
            s = (m - _ONE) / (m + _ONE)
    s2 = s * s
    p = s2 * _LOG_TERMS[-1]
    p += _LOG_TERMS[-2]
    for c in _LOG_TERMS[-3::-1]:
        p *= s2
        p += c
    if plain:
        return e * _LN2_HI + (e * _LN2_LO + s * p)
    with np.errstate(invalid="ignore"):
        out = e * _LN2_HI + (e * _LN2_LO + s * p)
    out = np.where(y > 0, out, np.where(y == 0, -np.inf, np.nan))
    return np.where(np.isinf(y) & (y > 0), np.inf, out)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` with products rounded one by one and summed in NumPy's fixed order (no BLAS, no fused multiply-add).

    The order is that of ``(a[..., :, :, None] * b).sum(axis=-2)``, this function's definition (and the tests'
    oracle): out[i, j] = a[i, 0] b[0, j] + a[i, 1] b[1, j] + … in turn, except with one output column (N = 1), where
    NumPy sums each row's K products pairwise. That form runs one tiny strided loop per (row, k) when N is small (a
    500-step episode through a 32 → 2 layer: 16,000 loops of 2); here the same products are laid out (K, N, B) and
    summed over the outermost axis, k in turn: the same bits, in a few long loops.

    >>> matmul(np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]]))
    array([[11.]])
    """
    K = b.shape[0]
    if a.ndim != 2 or not a.flags.c_contiguous or not (b.flags.c_contiguous or K < 8):
        # NumPy orders its loops, and so the sum, by the operands' memory layout: other layouts take the definition
        return np.add.reduce(a[..., :, :, None] * b, -2) if a.ndim > 1 else np.add.reduce(a[:, None] * b, 0)
    if b.shape[1] == 1:
        # one output: each row's K products, contiguous, summed pairwise as the definition sums them
        return np.add.reduce(a * b[:, 0], -1, keepdims=True)
    # products[k, j, i] = b[k, j] · a[i, k], summed over k in turn
    products = b[:, :, None] * np.ascontiguousarray(a.T)[:, None, :]
    return np.ascontiguousarray(np.add.reduce(products, 0).T)


def transpose_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``aᵀ @ b`` for 2-D ``a`` (B, K) and ``b`` (B, N): the weight gradient Σ_rows a_rowᵀ b_row, shape (K, N).

    Defined as ``(a[:, :, None] * b[:, None, :]).sum(axis=0)``: the rows' products added in turn (pairwise only when
    K = N = 1). With N < K the same products are laid out (B, N, K), so that NumPy's loops run along the longer axis.
    """
    if b.shape[1] >= a.shape[1] or not (a.flags.c_contiguous and b.flags.c_contiguous):
        return np.add.reduce(a[:, :, None] * b[:, None, :], 0)
    return np.ascontiguousarray(np.add.reduce(b[:, :, None] * a[:, None, :], 0).T)


class MLP:
    """``in → hidden (ReLU) → out``. Parameters are the list ``[W1, b1, W2, b2]`` (updated in place by ``Adam``).

    ``out_scale`` scales the output layer's initial weights: small (0.01) for a policy, so that it starts uniform;
    1.0 for a value head. Hidden weights use He initialisation, N(0, 2/fan_in).
    """

    def __init__(self, n_in: int, n_hidden: int, n_out: int, rng: np.random.Generator, out_scale: float = 1.0):
        self.W1 = rng.standard_normal((n_in, n_hidden)) * math.sqrt(2.0 / n_in)
        self.b1 = np.zeros(n_hidden)
        self.W2 = rng.standard_normal((n_hidden, n_out)) * (out_scale / math.sqrt(n_hidden))
        self.b2 = np.zeros(n_out)
        self.params = [self.W1, self.b1, self.W2, self.b2]

    def forward(self, X: np.ndarray):
        """Batch forward: ``X`` (B, in) → ``(y (B, out), cache)``; ``cache`` is what ``backward`` needs."""
        # z = X W1 + b1
        z = matmul(X, self.W1) + self.b1
        # h = relu(z)
        h = np.maximum(z, _ZERO)
        # y = h W2 + b2
        y = matmul(h, self.W2) + self.b2
        return y, (X, z, h)

    def backward(self, cache, dy: np.ndarray) -> list[np.ndarray]:
        """Gradients ``[dW1, db1, dW2, db2]`` of a scalar loss, given ``dy`` = ∂loss/∂y (B, out)."""
        X, z, h = cache
        # dW2 = hᵀ dy,  db2 = Σ_rows dy
        dW2 = transpose_matmul(h, dy)
        db2 = np.add.reduce(dy, 0)
        # dh = dy W2ᵀ
        dh = matmul(dy, self.W2.T)
        # dz = dh ⊙ [z > 0]   (ReLU passes gradient only where it was active)
        dz = dh * (z > _ZERO)
        # dW1 = Xᵀ dz,  db1 = Σ_rows dz
        dW1 = transpose_matmul(X, dz)
        db1 = np.add.reduce(dz, 0)
        return [dW1, db1, dW2, db2]

    def forward_one(self, obs) -> np.ndarray:
        """Forward pass of one state (a 4-tuple or 1-D array): the per-step hot path, a handful of NumPy calls."""
        h = np.dot(obs, self.W1)
        h += self.b1
        np.maximum(h, 0.0, out=h)
        y = np.dot(h, self.W2)
        y += self.b2
        return y

    def is_finite(self) -> bool:
        # every parameter at once, flattened one after another: three NumPy calls rather than two a parameter
        flat = np.concatenate([p.reshape(-1) for p in self.params])
        return bool(np.logical_and.reduce(np.isfinite(flat), None))


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log π(a|s) for every action: ``logits − logsumexp(logits)`` per row, shifted by the row max for stability."""
    shifted = logits - np.maximum.reduce(logits, -1, keepdims=True)
    # log π = l − log Σ exp(l)
    return shifted - log(np.add.reduce(exp(shifted), -1, keepdims=True))


def log_softmax_backward(logp: np.ndarray, dlogp: np.ndarray) -> np.ndarray:
    """∂loss/∂logits from ∂loss/∂logp (both (B, A)): ``dlogp − π · Σ_a dlogp``, since ∂logp_i/∂l_j = [i=j] − π_j."""
    return dlogp - exp(logp) * dlogp.sum(axis=-1, keepdims=True)


def entropy(logp: np.ndarray, p: np.ndarray | None = None) -> np.ndarray:
    """H(π(·|s)) = −Σ_a π log π, one value per row of ``logp`` (B, A); ``p`` = exp(logp) if the caller has it."""
    return -np.add.reduce((exp(logp) if p is None else p) * logp, -1)


def entropy_backward(logp: np.ndarray, dH: np.ndarray, p: np.ndarray | None = None) -> np.ndarray:
    """∂loss/∂logits from ∂loss/∂H (B,): ∂H/∂l_j = −π_j (log π_j + H); ``p`` = exp(logp) if the caller has it."""
    p = exp(logp) if p is None else p
    H = -np.add.reduce(p * logp, -1, keepdims=True)
    return -p * (logp + H) * dH[:, None]


def sample_two_actions(logits, u: float) -> tuple[int, float]:
    """Sample from π = softmax(logits) over two actions with the uniform draw ``u``; returns ``(action, π(1|s))``.

    π(1|s) = σ(l1 − l0) = 1 / (1 + exp(l0 − l1)), written so that ``exp`` never overflows.

    >>> sample_two_actions(np.array([0.0, 0.0]), 0.3)
    (1, 0.5)
    """
    d = float(logits[1]) - float(logits[0])
    if d >= 0.0:
        p_right = 1.0 / (1.0 + math.exp(-d))
    else:
        e = math.exp(d)
        p_right = e / (1.0 + e)
    return (1 if u < p_right else 0), p_right


def grad_norm(grads: list[np.ndarray]) -> float:
    """Global L2 norm √(Σ g²) over all gradient arrays.

    The per-array sums are added with ``math.fsum`` (exact): the built-in ``sum`` of floats changed to compensated
    summation in CPython 3.12, so native 3.11 and Pyodide's 3.12 would round differently.
    """
    return math.sqrt(math.fsum(float(np.add.reduce(g * g, None)) for g in grads))


def clip_grad_norm(grads: list[np.ndarray], max_norm: float) -> float:
    """Scale ``grads`` in place so their global norm is at most ``max_norm``; returns the norm before clipping."""
    norm = grad_norm(grads)
    if max_norm > 0 and norm > max_norm:
        scale = max_norm / norm
        for g in grads:
            g *= scale
    return norm


class Adam:
    """Adam (Kingma & Ba 2015, Algorithm 1), updating the arrays in ``params`` in place.

    ``lr`` may be changed between steps (learning-rate schedules, or the user's slider). The moments of all the
    parameters are kept in one flat array each, so that a step is a dozen NumPy calls rather than a dozen a parameter
    (the same elementwise operations, so the same bits).
    """

    def __init__(
        self, params: list[np.ndarray], lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ):
        self.params = params
        self.lr = lr
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        ends = np.cumsum([p.size for p in params]).tolist()
        self.slices = [slice(start, end) for start, end in zip([0, *ends[:-1]], ends, strict=True)]
        self.m = np.zeros(ends[-1] if ends else 0)  # every parameter's m, flattened one after another
        self.v = np.zeros_like(self.m)
        self.t = 0
        self.beta1_power = 1.0  # β1^t, kept as a running product (exact, no libm pow)
        self.beta2_power = 1.0  # β2^t
        self._constants = None  # (β1, β2, lr, eps) of ``_operands``, made again when one changes
        self._operands: list[np.ndarray] = []

    def step(self, grads: list[np.ndarray]) -> None:
        if len(grads) != len(self.params):
            raise ValueError(f"give one gradient per parameter: {len(self.params)}, got {len(grads)}")
        self._step_flat(np.concatenate([grad.reshape(-1) for grad in grads]) if grads else np.zeros(0))

    def clipped_step(self, grads: list[np.ndarray], max_norm: float) -> float:
        """``clip_grad_norm(grads, max_norm)`` then ``step(grads)``, the same bits in fewer NumPy calls: the gradients
        are concatenated once, squared once (the square reused for v when there was nothing to clip) and scaled in
        one call. Returns the norm before clipping. (Each gradient's Σ g² is the same pairwise sum over the same
        contiguous elements, whether of the gradient or of its slice of the concatenation.)"""
        if len(grads) != len(self.params):
            raise ValueError(f"give one gradient per parameter: {len(self.params)}, got {len(grads)}")
        if not grads or not all(grad.flags.c_contiguous for grad in grads):
            norm = clip_grad_norm(grads, max_norm)
            self.step(grads)
            return norm
        g = np.concatenate([grad.reshape(-1) for grad in grads])
        g2 = g * g
        # as ``grad_norm``: √(Σ g²), the per-gradient sums added exactly
        norm = math.sqrt(math.fsum(float(np.add.reduce(g2[part], None)) for part in self.slices))
        if max_norm > 0 and norm > max_norm:
            g *= max_norm / norm
            g2 = None
        self._step_flat(g, g2)
        return norm

    def _step_flat(self, g: np.ndarray, g2: np.ndarray | None = None) -> None:
        """One step on every parameter's gradient, flattened one after another (``g2`` = g · g if known)."""
        self.t += 1
        self.beta1_power *= self.beta1
        self.beta2_power *= self.beta2
        # bias corrections 1 − β^t; every scalar as a 0-d array (``_operand``: the same bits, faster calls)
        correction1 = _operand(1.0 - self.beta1_power)
        correction2 = _operand(1.0 - self.beta2_power)
        constants = (self.beta1, self.beta2, self.lr, self.eps)
        if self._constants != constants:
            self._constants = constants
            self._operands = [_operand(c) for c in (*constants, 1.0 - self.beta1, 1.0 - self.beta2)]
        beta1, beta2, lr, eps, one_minus_beta1, one_minus_beta2 = self._operands
        m, v = self.m, self.v
        # m ← β1 m + (1 − β1) g
        m *= beta1
        m += one_minus_beta1 * g
        # v ← β2 v + (1 − β2) g²
        v *= beta2
        v += one_minus_beta2 * (g * g if g2 is None else g2)
        # θ ← θ − lr · m̂ / (√v̂ + eps),  m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)
        delta = lr * (m / correction1) / (np.sqrt(v / correction2) + eps)
        for p, part in zip(self.params, self.slices, strict=True):
            p -= delta[part].reshape(p.shape)
