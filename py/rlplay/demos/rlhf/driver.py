"""RLHF demo driver: a tiny language model tuned by PPO to a reward model learned from labelled pairs.

    maximise  E_{x~π_θ}[ r_φ(x) ] − β KL(π_θ ‖ π_ref)       (the seed post's last equation; ``rlplay.algos.rlhf``)

The driver contract is in ``rlplay.demos``. One unit of ``advance`` is one PPO update (a rollout of 64 sentences
and its epochs); a run stops after ``updates`` of them. Before the first, the run is built whole: the corpus, π_ref
(add-α maximum likelihood), the pairs, their labels (the simulated labeller's, or the user's from ``labels``) and the
reward model r_φ (Bradley–Terry). After each update the driver measures π_θ on a fixed batch of 256 sentences (the
same uniforms every time): the proxy r_φ and the hidden gold reward, means over the batch, and KL(π_θ ‖ π_ref)
exactly. Index 0 of every curve is π_ref itself.

β and the step size apply from the next update; the other settings start a fresh run. The ``sweep`` command runs the
reward–KL picture of Gao et al. (2022): the same run at each β of ``SWEEP_BETAS``, within a time budget per call.

Editable in the Code panel: ``kl_penalised_rewards`` (from the next update on) and ``bradley_terry_loss`` (the reward
model is fitted again with it, and the run starts over, at the next unit of work).
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from rlplay.algos.bigram_lm import sample
from rlplay.algos.nn import exp
from rlplay.algos.rlhf import SWEEP_BETAS, BetaSweep, Feedback, RLHFRun, RLHFSetup
from rlplay.algos.rlhf_ppo import RLHFPPOConfig
from rlplay.core.driver import DemoDriver, Notice, notice_fields
from rlplay.core.user_code import CodeSlots
from rlplay.demos.rlhf.code import EDITABLE
from rlplay.demos.rlhf.config import RlhfConfig
from rlplay.envs.token_world import MAX_LEN, VOCAB, text

SAMPLES_SHOWN = 8  # sentences of each model on the page: the first of the fixed evaluation batch
SWEEP_BUDGET_MS = 500.0  # the most one ``sweep`` call may take


class RlhfDemo(DemoDriver):
    """RLHF in miniature. See ``rlplay.demos`` for the contract."""

    COMMANDS = frozenset({"sweep"})
    # the β sweep: runs of its own (BetaSweep) on this run's feedback, which they only read
    SIDE_COMMANDS = frozenset({"sweep"})
    EDITABLE = EDITABLE
    ENDS = True  # advance returns 0 after ``updates``: the CLI's default is the whole run

    def __init__(self, config: RlhfConfig | None = None):
        self.config = config if config is not None else RlhfConfig()
        # an edited function fails mid-update: the driver is put back as it was before the command
        self.code = CodeSlots(EDITABLE, checkpoint=True)
        self._fresh_run()

    def _ppo_config(self) -> RLHFPPOConfig:
        return RLHFPPOConfig(beta=self.config.beta, lr=self.config.lr)

    def _fresh_run(self) -> None:
        config = self.config
        labels = None if config.labeller == "simulated" else config.answers()
        self._loss_source = self.code.sources.get("bradley_terry_loss")
        self.feedback = Feedback(config.seed, RLHFSetup(pairs=config.pairs), labels)
        self.run = RLHFRun(config.seed, self._ppo_config(), feedback=self.feedback)
        self.code.bind_rng(self.run.ppo.rng)
        start = self.feedback.evaluate(self.feedback.logp_ref)
        self.curves = {key: [value] for key, value in start.items()}
        self.last_update: dict | None = None
        self.sweep_run: BetaSweep | None = None
        self.samples_reference = self._sentences(self.feedback.logp_ref)  # π_ref's never change within a run

    # -- the contract --------------------------------------------------------------------------------------------
    def advance(self, n: int) -> int:
        """Up to ``n`` PPO updates, stopping at ``updates``; returns how many were made."""
        if n < 0:
            raise ValueError(f"the number of updates must be 0 or more, got {n}")
        if self.code.sources.get("bradley_terry_loss") != self._loss_source:
            self._fresh_run()  # the reward model's loss was edited: fit it again, and start over
        n = min(int(n), self.config.updates - self.steps)
        for _ in range(max(n, 0)):
            self.last_update = self.run.update()
            for key, value in self.run.evaluate().items():
                self.curves[key].append(value)
        return max(n, 0)

    @property
    def steps(self) -> int:
        return len(self.curves["kl"]) - 1

    def reset(self) -> None:
        """Start again: same seed, same corpus, labels and reward model, same updates."""
        self._fresh_run()

    def configure(self, **changes) -> list[str]:
        """Apply changed settings; returns the names that needed a fresh run.

        β and lr apply from the next update; a longer run goes on, a shorter one than the updates made starts
        again, and seed, labeller, labels and pairs start a fresh run. On a ``ValueError`` nothing changes.
        """
        fields = {f.name for f in dataclasses.fields(RlhfConfig)}
        unknown = sorted(set(changes) - fields)
        if unknown:
            raise ValueError(f"unknown rlhf settings: {', '.join(unknown)}")
        old, new = self.config, dataclasses.replace(self.config, **changes)
        changed = {name for name in fields if getattr(old, name) != getattr(new, name)}
        self.config = new
        fresh = [name for name in ("seed", "labeller", "labels", "pairs") if name in changed]
        if "labels" in fresh and new.labeller == "simulated":
            fresh.remove("labels")  # the simulated labeller does not read them
        if "updates" in changed and new.updates < self.steps:
            fresh.append("updates")
        if fresh:
            self._fresh_run()
            return fresh
        self.run.ppo.set_beta(new.beta)
        self.run.ppo.config.lr = new.lr
        self.run.ppo.actor_optimizer.lr = new.lr
        if self.sweep_run is not None and ("lr" in changed or "updates" in changed):
            self.sweep_run = None  # its runs no longer match the settings
        return []

    # -- commands ------------------------------------------------------------------------------------------------
    def sweep(self, budget_ms: float = 200.0, until: int | None = None) -> dict:
        """Go on with the β sweep for about ``budget_ms`` (at most ``SWEEP_BUDGET_MS``); returns its progress.

        With ``until``, go on to exactly that many updates over all its runs instead, whatever the time (the page's
        record of a sweep, replayed after a worker restart: each call made at most ``SWEEP_BUDGET_MS`` of them)."""
        if not (isinstance(budget_ms, (int, float)) and not isinstance(budget_ms, bool) and math.isfinite(budget_ms)):
            raise ValueError(f"budget_ms must be a number of milliseconds, got {budget_ms!r}")
        if until is not None and (isinstance(until, bool) or not isinstance(until, int) or until < 0):
            raise ValueError(f"until must be a whole number of sweep updates, 0 or more, got {until!r}")
        if self.sweep_run is None:
            self.sweep_run = BetaSweep(self.feedback, self._ppo_config(), self.config.updates, SWEEP_BETAS)
        if until is not None:
            self.sweep_run.advance(until - self.sweep_run.done_updates)
        else:
            started = time.perf_counter()
            deadline = started + min(max(float(budget_ms), 1.0), SWEEP_BUDGET_MS) / 1000.0
            while not self.sweep_run.done and time.perf_counter() < deadline:
                self.sweep_run.advance(1)
        return {"done": self.sweep_run.done_updates, "total": self.sweep_run.total}

    # -- read-outs -----------------------------------------------------------------------------------------------
    def notices(self) -> list[Notice]:
        config, out = self.config, []
        if config.beta == 0.0:
            out.append(Notice("beta-zero", "β = 0: nothing holds π_θ near π_ref (watch the gold reward)"))
        if config.labeller == "user" and not any(answer >= 0 for answer in config.answers()):
            out.append(Notice("no-labels", "no labels yet: the reward model scores every sentence 0"))
        if config.labeller == "simulated" and config.labels:
            out.append(Notice("labels-unused", "your labels are used with labeller = user"))
        return out

    def _sentences(self, logp: np.ndarray) -> list[str]:
        tokens, lengths = sample(logp, self.feedback.eval_u[:SAMPLES_SHOWN])
        return [text(row[:length]) for row, length in zip(tokens.tolist(), lengths.tolist(), strict=True)]

    def snapshot(self, since: int = 0) -> dict:
        feedback, run, config = self.feedback, self.run, self.config
        steps = self.steps
        since = max(0, min(int(since), steps + 1))
        gold = self.curves["gold"]
        simulated = config.labeller == "simulated"
        figures: dict[str, float] = {
            "steps": steps,
            "episode": steps * run.ppo.config.batch,
            "kl": self.curves["kl"][-1],
            "proxy-reward": self.curves["proxy"][-1],
        }
        if simulated:
            figures["gold-reward"] = gold[-1]
            figures["gold-reward-peak"] = max(gold)
        logp = run.ppo.logp()
        sweep = None
        if self.sweep_run is not None:
            sweep = {
                "betas": list(self.sweep_run.betas),
                "done": self.sweep_run.done_updates,
                "total": self.sweep_run.total,
                **{key: [curve[key] for curve in self.sweep_run.curves] for key in ("kl", "proxy", "gold")},
            }
        return {
            "figures": figures,
            "kl": np.array(self.curves["kl"][since:]),
            "proxy": np.array(self.curves["proxy"][since:]),
            "gold": np.array(gold[since:]),
            "curve_offset": since,
            "samples": self._sentences(logp),
            "samples_reference": list(self.samples_reference),
            "policy": exp(logp),
            "reference": exp(feedback.logp_ref),
            "vocab": list(VOCAB),
            "max_len": MAX_LEN,
            "phi": feedback.phi.copy(),
            "pairs": [
                [text(a[:la]), text(b[:lb])]
                for a, la, b, lb in zip(
                    feedback.pair_a[0].tolist(),
                    feedback.pair_a[1].tolist(),
                    feedback.pair_b[0].tolist(),
                    feedback.pair_b[1].tolist(),
                    strict=True,
                )
            ],
            "pair_labels": feedback.labels.astype(np.int32),
            "sweep": sweep,
            "last_update": None if self.last_update is None else {k: float(v) for k, v in self.last_update.items()},
            **notice_fields(self.notices()),
            "config": {field.name: str(getattr(config, field.name)) for field in dataclasses.fields(config)},
        }
