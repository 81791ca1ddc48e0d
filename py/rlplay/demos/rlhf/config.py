"""The RLHF demo's settings: each field's name is its URL and UI name, its range stated once (``rlplay.params``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from rlplay.algos.rlhf import UPDATES
from rlplay.params import Param, When, validate

LABELLERS = ("simulated", "user")
ANSWERS = {"a": 0, "b": 1, "-": -1}  # a label letter → the answer (−1: skipped)


@dataclass(frozen=True)
class RlhfConfig:
    seed: Annotated[int, Param(0, 2**31 - 1, 1, label="Seed")] = 0
    """Random seed of the corpus, the pairs, the labeller's noise, PPO's samples and the evaluation, 0..2147483647."""
    beta: Annotated[float, Param(0.0, 2.0, 0.01, label="KL penalty β")] = 0.5
    """KL penalty β: reward given up per nat of KL(π_θ ‖ π_ref), 0..2; 0 = nothing holds π_θ near π_ref."""
    updates: Annotated[int, Param(10, 1000, 10, label="PPO updates")] = UPDATES
    """PPO updates in a run (each one a rollout of 64 sentences), 10..1000."""
    labeller: Annotated[
        str,
        Param(
            choices=LABELLERS,
            label="Labeller",
            choice_labels=(("simulated", "simulated (hidden gold reward)"), ("user", "you")),
        ),
    ] = "simulated"
    """Who labels the pairs: simulated (a hidden gold reward, with noise) or user (your labels)."""
    labels: Annotated[str, Param(label="Your labels", shown_when=(When("labeller", ("user",)),))] = ""
    """Your labels, one letter per pair in order: a, b or - (skipped), e.g. ab-ba; later pairs are unlabelled."""
    pairs: Annotated[int, Param(8, 256, 8, label="Pairs offered")] = 64
    """Pairs of π_ref's sentences offered for labelling, 8..256."""
    lr: Annotated[float, Param(0.001, 0.1, 0.001, log=True, label="Step size (policy)")] = 0.01
    """Adam step size of the policy, 0.001..0.1."""

    def __post_init__(self):
        validate(self)
        if not isinstance(self.labels, str) or set(self.labels) - set(ANSWERS):
            raise ValueError("labels must be letters a, b or - (skipped), one per pair, e.g. ab-ba")
        if len(self.labels) > self.pairs:
            raise ValueError(f"labels has {len(self.labels)} letters, but only {self.pairs} pairs are offered")

    def answers(self) -> list[int]:
        """The labels as answers, one per offered pair: 0 (a), 1 (b) or −1 (skipped or not yet labelled)."""
        return [ANSWERS[letter] for letter in self.labels] + [-1] * (self.pairs - len(self.labels))
