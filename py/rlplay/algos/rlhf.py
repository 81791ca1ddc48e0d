"""RLHF in miniature, the three steps of InstructGPT on the token world: π_ref, then r_φ from labels, then PPO.

    1. π_ref  = argmax_π Σ_{x ∈ corpus} log π(x)                    (maximum likelihood, add-α: ``bigram_lm``)
    2. r_φ    = argmin_φ −Σ_pairs log σ(r_φ(x_w) − r_φ(x_l))       (Bradley–Terry on labelled pairs: ``reward_model``)
       the pairs are sampled from π_ref, labelled by the simulated labeller (``envs.labeller``) or by the user
    3. π_θ    = argmax_π E_π[r_φ(x)] − β KL(π ‖ π_ref)               (PPO with a per-token KL penalty: ``rlhf_ppo``)

Measured at every update on a fixed batch of sequences (the same uniforms every time, so the curves move only when
π_θ does): the proxy r_φ and the hidden gold reward (means over the batch), and KL(π_θ ‖ π_ref) exactly.

Source: Ouyang et al. (2022), "Training language models to follow instructions with human feedback", Figure 2 (the
three steps); Gao et al. (2022) for measuring proxy and gold against KL.

Randomness: one ``SeedSequence(seed)`` split by purpose (corpus, pairs, labeller, PPO, evaluation), so changing β
or the labels never changes the corpus, the pairs or the evaluation batch.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from rlplay.algos.bigram_lm import exact_kl, reference_logits, sample
from rlplay.algos.nn import log_softmax
from rlplay.algos.reward_model import fit_reward_model, reward, word_counts
from rlplay.algos.rlhf_ppo import RLHFPPO, RLHFPPOConfig
from rlplay.envs.labeller import gold_reward, label_pairs
from rlplay.envs.token_world import MAX_LEN, V, write_corpus

UPDATES = 150  # PPO updates of a default run: at β = 0 the hack has set in on most seeds (tests/test_rlhf_claims.py)


@dataclass(frozen=True)
class RLHFSetup:
    """Everything before PPO: the corpus, the smoothing of π_ref, the labelled pairs and the reward model's fit."""

    corpus_size: int = 200
    """Sentences the reference model is trained on."""
    alpha: float = 0.3
    """Add-α smoothing of π_ref (a transition the corpus never shows keeps α / (n(c) + αV))."""
    pairs: int = 64
    """Pairs of π_ref's samples offered for labelling."""
    l2: float = 0.01
    """L2 penalty λ of the reward model."""
    fit_steps: int = 1500
    """Gradient-descent steps of the reward model's fit (enough for |∂loss/∂φ| < 1e-6)."""
    eval_batch: int = 256
    """Sequences in the fixed evaluation batch."""


def pair_sequences(logp_ref: np.ndarray, rng: np.random.Generator, pairs: int):
    """``pairs`` pairs (a, b) sampled from π_ref: two ``(tokens, lengths)``. Pair i is sequences 2i and 2i + 1, so it
    is the same pair whatever the number of pairs (a user's label i stays on it)."""
    tokens, lengths = sample(logp_ref, rng.random((2 * pairs, MAX_LEN)))
    return (tokens[0::2], lengths[0::2]), (tokens[1::2], lengths[1::2])


class Feedback:
    """Steps 1 and 2 of a run: corpus → π_ref → labelled pairs → r_φ, and the fixed evaluation batch.

    ``labels``: None for the simulated labeller, else the user's answers, one per offered pair (0 = a, 1 = b,
    −1 = skipped). Several PPO runs may share one (a β sweep): they then see the same reward model and are measured
    on the same batch.
    """

    def __init__(self, seed: int, setup: RLHFSetup = RLHFSetup(), labels=None):
        corpus_seed, pairs_seed, labeller_seed, self.ppo_seed, eval_seed = np.random.SeedSequence(seed).spawn(5)
        self.setup = setup
        self.corpus = write_corpus(np.random.default_rng(corpus_seed), setup.corpus_size)
        self.theta_ref = reference_logits(self.corpus, V, setup.alpha)
        self.logp_ref = log_softmax(self.theta_ref)
        self.pair_a, self.pair_b = pair_sequences(self.logp_ref, np.random.default_rng(pairs_seed), setup.pairs)
        self.gold_a, self.gold_b = gold_reward(*self.pair_a), gold_reward(*self.pair_b)
        noise = np.random.default_rng(labeller_seed).standard_normal((setup.pairs, 2))
        if labels is None:
            self.labels = label_pairs(self.gold_a, self.gold_b, noise)
        else:
            answers = np.asarray(labels)
            if answers.shape != (setup.pairs,) or not np.isin(answers, (-1, 0, 1)).all():
                raise ValueError(f"labels must be {setup.pairs} answers, each 0 (a), 1 (b) or -1 (skipped)")
            self.labels = answers.astype(np.int64)
        labelled = self.labels >= 0
        f_a = word_counts(*self.pair_a, V)[labelled]
        f_b = word_counts(*self.pair_b, V)[labelled]
        self.phi, self.fit_loss = fit_reward_model(f_a, f_b, self.labels[labelled], setup.l2, setup.fit_steps)
        self.eval_u = np.random.default_rng(eval_seed).random((setup.eval_batch, MAX_LEN))

    def proxy_reward(self, tokens: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """r_φ(x) of a batch."""
        return reward(self.phi, word_counts(tokens, lengths, V))

    def evaluate(self, logp: np.ndarray) -> dict:
        """proxy and gold means over the fixed evaluation batch sampled from ``logp``, and the exact KL to π_ref."""
        tokens, lengths = sample(logp, self.eval_u)
        return {
            "proxy": float(self.proxy_reward(tokens, lengths).mean()),
            "gold": float(gold_reward(tokens, lengths).mean()),
            "kl": exact_kl(logp, self.logp_ref, MAX_LEN),
        }


class RLHFRun:
    """One run: its ``feedback`` (steps 1 and 2), then PPO updates (``update()``), measured by ``evaluate()``.

    The feedback's attributes (``phi``, ``labels``, ``logp_ref``, ...) read as the run's own.
    """

    def __init__(
        self,
        seed: int,
        config: RLHFPPOConfig,
        setup: RLHFSetup = RLHFSetup(),
        labels=None,
        feedback: Feedback | None = None,
    ):
        self.feedback = Feedback(seed, setup, labels) if feedback is None else feedback
        rng = np.random.default_rng(self.feedback.ppo_seed)
        self.ppo = RLHFPPO(config, self.feedback.theta_ref, MAX_LEN, self.feedback.proxy_reward, rng)

    def __getattr__(self, name: str):
        # only for names the run itself lacks: the feedback's
        if name == "feedback":
            raise AttributeError(name)
        return getattr(self.feedback, name)

    def evaluate(self) -> dict:
        """proxy, gold and KL of π_θ now (``Feedback.evaluate``)."""
        return self.feedback.evaluate(self.ppo.logp())

    def update(self) -> dict:
        return self.ppo.update()


def run_curve(seed: int, config: RLHFPPOConfig, updates: int, setup: RLHFSetup = RLHFSetup()) -> dict:
    """A whole run's measurements: lists ``proxy``, ``gold``, ``kl`` of length updates + 1 (index 0 is π_ref)."""
    run = RLHFRun(seed, config, setup)
    curve = {"proxy": [], "gold": [], "kl": []}
    for i in range(updates + 1):
        if i:
            run.update()
        for key, value in run.evaluate().items():
            curve[key].append(value)
    return curve


SWEEP_BETAS = (0.0, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)  # the β sweep of the reward–KL picture, 0 to the top of β's range


class BetaSweep:
    """Gao et al.'s reward–KL picture: one run per β (same feedback, same PPO seed), proxy, gold and KL after each
    update. ``advance(n)`` makes n updates in turn (β₀, β₁, …), so every curve grows together; ``curves[i]`` holds
    run i's lists ``proxy``, ``gold``, ``kl`` (index 0 is π_ref).

    Run i is the run ``RLHFRun(seed, config with beta = betas[i])`` would make, number for number.
    """

    def __init__(self, feedback: Feedback, config: RLHFPPOConfig, updates: int, betas=SWEEP_BETAS):
        self.betas = tuple(betas)
        self.updates = updates
        self.runs = [RLHFRun(0, dataclasses.replace(config, beta=beta), feedback=feedback) for beta in self.betas]
        start = feedback.evaluate(feedback.logp_ref)
        self.curves = [{key: [value] for key, value in start.items()} for _ in self.betas]
        self.done_updates = 0  # over all runs

    @property
    def total(self) -> int:
        return self.updates * len(self.betas)

    @property
    def done(self) -> bool:
        return self.done_updates >= self.total

    def advance(self, n: int) -> int:
        """Up to ``n`` more updates, round robin over the β values; returns how many were made."""
        n = max(0, min(int(n), self.total - self.done_updates))
        for _ in range(n):
            i = self.done_updates % len(self.betas)
            run = self.runs[i]
            run.update()
            for key, value in run.evaluate().items():
                self.curves[i][key].append(value)
            self.done_updates += 1
        return n
