"""The RLHF demo's part of the snapshot contract: every key its ``snapshot()`` sends, its figures, notice codes and
the constants the page reads (the form is explained in ``rlplay.app.contract``)."""

from __future__ import annotations

from rlplay.algos.rlhf import SWEEP_BETAS
from rlplay.core.contract import Figure, Key, constant, notices_keys
from rlplay.demos.rlhf.driver import SAMPLES_SHOWN
from rlplay.envs.token_world import MAX_LEN, VOCAB

CONTRACT: dict = {
    "units": "steps",
    "keys": {
        "figures": Key("dict", "the numbers shown in data-stat elements (see figures)"),
        "kl": Key(
            "array",
            "KL(π_θ ‖ π_ref) after each update, exact (index 0: π_ref itself, 0)",
            "nats",
            ("tail",),
            "float64",
            "growing",
            "curve_offset",
        ),
        "proxy": Key(
            "array",
            "mean reward-model score r_φ over the fixed evaluation batch, after each update",
            "reward",
            ("tail",),
            "float64",
            "growing",
            "curve_offset",
        ),
        "gold": Key(
            "array",
            "mean gold reward (the simulated labeller's hidden one) over the same batch, after each update",
            "reward",
            ("tail",),
            "float64",
            "growing",
            "curve_offset",
        ),
        "curve_offset": Key("int", "the update index where the curves' tails start (0 = π_ref)", "steps"),
        "samples": Key("list", "the first sentences of the evaluation batch, written by π_θ now", shape=("samples",)),
        "samples_reference": Key("list", "the same sentences' draws from π_ref", shape=("samples",), update="static"),
        "policy": Key(
            "array",
            "π_θ(w | c): row c the context (the V words, then <s>)",
            "probability",
            ("contexts", "V"),
            "float64",
        ),
        "reference": Key("array", "π_ref(w | c), as policy", "probability", ("contexts", "V"), "float64", "static"),
        "vocab": Key("list", "the words, in column order (word 0 is the end token '.')", update="static"),
        "max_len": Key("int", "the longest sentence, in tokens", "tokens", update="static"),
        "phi": Key(
            "array", "the reward model's score of each word, r_φ(x) = Σ_t φ[x_t]", "reward", ("V",), "float64", "static"
        ),
        "pairs": Key("list", "the pairs offered for labelling, [a, b] as text", shape=("pairs", 2), update="static"),
        "pair_labels": Key(
            "array",
            "the label of each pair: 0 = a preferred, 1 = b, -1 = not labelled",
            "",
            ("pairs",),
            "int32",
            "static",
        ),
        "sweep": Key(
            "dict",
            "the β sweep (Gao et al. 2022): betas, done and total updates, and per β the lists kl, proxy, gold "
            "after each update; null until the sweep command runs",
            update="static",
            nullable=True,
        ),
        "last_update": Key(
            "dict",
            "the last PPO update's diagnostics (pg_loss, v_loss, entropy_loss, approx_kl, clipfrac, proxy, "
            "kl_sampled, tokens); null before the first",
            nullable=True,
        ),
        **notices_keys(),
    },
    "figures": {
        "steps": Figure("PPO updates made", "steps"),
        "episode": Figure("sentences written in training (64 per update)", "episodes"),
        "kl": Figure("KL(π_θ ‖ π_ref), exact", "nats"),
        "proxy-reward": Figure("mean reward-model score over the evaluation batch", "reward"),
        "gold-reward": Figure("mean gold reward over the evaluation batch (simulated labeller only)", "reward", True),
        "gold-reward-peak": Figure(
            "the best gold-reward so far, π_ref included (simulated labeller only)", "reward", True
        ),
    },
    "notices": {
        "beta-zero": "β = 0: no KL penalty",
        "no-labels": "the user has labelled no pair",
        "labels-unused": "labels given, but the labeller is simulated",
    },
    "constants": {
        "sweep_betas": constant(list(SWEEP_BETAS), "", "the β values of the sweep"),
        "samples_shown": constant(SAMPLES_SHOWN, "sentences", "sentences of each model shown"),
        "vocab": constant(list(VOCAB), "", "the words, in column order"),
        "max_len": constant(MAX_LEN, "tokens", "the longest sentence"),
    },
}
