"""The RLHF demo's Code panel: the KL-penalised reward PPO maximises, and the reward model's Bradley–Terry loss.

Both run as the reference by default; an edited version is put where the algorithm looks it up (``Editable.patch``)
while a command runs, and its result is checked before it is used.
"""

from __future__ import annotations

import math

import numpy as np

from rlplay.algos.reward_model import bradley_terry_loss
from rlplay.algos.rlhf_ppo import kl_penalised_rewards
from rlplay.core.user_code import Editable


def _finite_array(value, name: str, shape: tuple) -> str | None:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return f"{name} must be numbers; got {type(value).__name__}"
    if array.shape != shape:
        return f"{name} must have shape {shape}; got {array.shape}"
    if not np.isfinite(array).all():
        return f"{name} has a NaN or infinite value: every value must stay finite"
    return None


def _check_rewards(result, args) -> str | None:
    log_ratio = args[1]
    return _finite_array(result, "the rewards (one per token)", np.shape(log_ratio))


def _check_loss(result, args) -> str | None:
    phi = args[0]
    if not isinstance(result, tuple) or len(result) != 2:
        return "bradley_terry_loss must return (loss, grad)"
    loss, grad = result
    if isinstance(loss, bool) or not isinstance(loss, (int, float, np.floating)) or not math.isfinite(float(loss)):
        return f"the loss must be a finite number; got {loss!r:.40}"
    return _finite_array(grad, "grad (one per word)", np.shape(phi))


EDITABLE = {
    "kl_penalised_rewards": Editable(
        kl_penalised_rewards,
        _check_rewards,
        "",
        "the reward of every token PPO sees, from the next update on",
        patch=(("rlplay.algos.rlhf_ppo", "kl_penalised_rewards"),),
    ),
    "bradley_terry_loss": Editable(
        bradley_terry_loss,
        _check_loss,
        "",
        "the reward model's loss and gradient: r_φ is fitted again with it, and the run starts over",
        patch=(("rlplay.algos.reward_model", "bradley_terry_loss"),),
    ),
}
