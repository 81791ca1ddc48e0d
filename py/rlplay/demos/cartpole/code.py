"""The cart-pole's Code panel: the returns, advantages and policy-gradient step of each algorithm, and PPO's clip.

Editable (each is called by its module-level name from the learner's update, so an edited version runs under that
name for the length of a bridge command, ``CodeSlots.patched``): ``reinforce_loss`` (the policy-gradient step of
REINFORCE and actor-critic), ``gae`` (actor-critic's and PPO's advantages) and ``ppo_policy_loss`` (PPO). There is
no faster twin: the demo runs these very functions.

``time_baseline_advantages`` (REINFORCE + baseline's G_t − b(t)) is editable too. Deleting the baseline gives raw
returns under this learner's gradient clipping, which the seed's REINFORCE does not have: it solved 1 of seeds 0–3
and collapsed on 2 (tests/test_reproduce_faults.py), and the role text says so.

Shown only: the update methods that compute returns and baselines (``Reinforce.learn``, ``ActorCritic.learn``,
``PPO.update``, ``DQN.update``) hold the learner's state (buffers, the running baseline, the optimisers), which an edit
could leave half-changed in ways no check can catch; ``log_softmax_backward`` (PPO's ∂/∂logits; ``reinforce_loss``
writes the seed's ``grad_logits = −probs; grad_logits[action] += 1.0`` out itself); and
``clipped_surrogate``, whose value training only reports (the gradient is written out in ``ppo_policy_loss``).

A failed edit leaves the driver as the page last saw it: its state is copied before each command that runs edited
code (``CodeSlots(checkpoint=True)``) and put back if the code fails.
"""

from __future__ import annotations

import numpy as np

from rlplay.algos import actor_critic, dqn, nn, ppo, reinforce
from rlplay.core.user_code import CodeSlots, Editable


def _finite_array(value, name: str, shape) -> str | None:
    if not isinstance(value, np.ndarray) or value.shape != tuple(shape):
        got = getattr(value, "shape", type(value).__name__)
        return f"{name} must be a NumPy array of shape {tuple(shape)}; got {got}"
    if not np.isfinite(value).all():
        return f"{name} has NaN or infinite values: the gradient step would wreck the network"
    return None


def _check_loss(result, args) -> str | None:
    """(loss, terms, dlogits): ``dlogits`` shaped like the logits (args[0]), every number finite."""
    if not isinstance(result, tuple) or len(result) != 3 or not isinstance(result[1], dict):
        return "must return (loss, terms, dlogits): a number, a dict of named terms, and ∂loss/∂logits"
    if not np.isfinite(float(result[0])):
        return "the loss is NaN or infinite"
    return _finite_array(result[2], "dlogits", np.shape(args[0]))


def _check_gae(result, args) -> str | None:
    return _finite_array(result, "the advantages", (len(args[0]),))


def _check_baseline(result, args) -> str | None:
    """(adv, baseline): finite advantages, one per step, and a finite baseline that covers every step reached."""
    if not isinstance(result, tuple) or len(result) != 2:
        return "must return (adv, baseline): the advantages and the new running baseline"
    adv, baseline = result
    steps = max(len(args[0]), len(args[1]))
    return _finite_array(adv, "the advantages", (len(args[0]),)) or _finite_array(baseline, "the baseline", (steps,))


EDITABLE = {
    "reinforce_loss": Editable(
        reinforce.reinforce_loss,
        _check_loss,
        role="the policy-gradient step of REINFORCE and actor-critic: −mean(adv · log π(a|s)) and its gradient",
        patch=(("rlplay.algos.reinforce", "reinforce_loss"), ("rlplay.algos.actor_critic", "reinforce_loss")),
    ),
    "gae": Editable(
        actor_critic.gae,
        _check_gae,
        role="the advantages A_t of actor-critic and PPO (generalised advantage estimation)",
        patch=(("rlplay.algos.actor_critic", "gae"), ("rlplay.algos.ppo", "gae")),
    ),
    "ppo_policy_loss": Editable(
        ppo.ppo_policy_loss,
        _check_loss,
        role="PPO's clipped policy loss and its gradient",
        patch=(("rlplay.algos.ppo", "ppo_policy_loss"),),
    ),
    "clipped_surrogate": Editable(
        ppo.clipped_surrogate,
        role="PPO's clipped surrogate min(r A, clip(r, 1 − ε, 1 + ε) A), as the PPO clip explorer draws it (shown "
        "only: training takes its gradient from ppo_policy_loss, so an edit here would change the reported loss and "
        "nothing else)",
        editable=False,
    ),
    "Reinforce.learn": Editable(
        reinforce.Reinforce.learn,
        role="REINFORCE's update on an episode: the baseline, the policy-gradient step, Adam (shown only: it holds the "
        "learner's state)",
        editable=False,
    ),
    "ActorCritic.learn": Editable(
        actor_critic.ActorCritic.learn,
        role="actor-critic's update on an episode: the critic's values, GAE, the critic's and the actor's steps (shown "
        "only: it holds the learner's state)",
        editable=False,
    ),
    "PPO.update": Editable(
        ppo.PPO.update,
        role="PPO's epochs of minibatch updates (shown only: it holds the learner's state)",
        editable=False,
    ),
    "time_baseline_advantages": Editable(
        reinforce.time_baseline_advantages,
        _check_baseline,
        role="REINFORCE + baseline's advantages G_t − b(t) and the running baseline b(t) (delete − baseline[:T] and "
        "it learns from raw returns, but with this learner's gradient clipping: unlike the seed's REINFORCE, it solved "
        "1 of seeds 0–3 within 400,000 steps and collapsed to one action on 2; the baseline is what lets clipped "
        "updates learn)",
        patch=(("rlplay.algos.reinforce", "time_baseline_advantages"),),
    ),
    "DQN.update": Editable(
        dqn.DQN.update,
        role="DQN's update: the TD target from the frozen target network, the Huber loss, one Adam step (shown only)",
        editable=False,
    ),
    "dqn_loss": Editable(
        dqn.dqn_loss, role="DQN's Huber loss on the TD errors and ∂loss/∂Q (shown only)", editable=False
    ),
    "log_softmax_backward": Editable(
        nn.log_softmax_backward,
        role="the seed's grad_logits = −probs; grad_logits[action] += 1.0, for a batch (shown only: every gradient "
        "test rests on it)",
        editable=False,
    ),
}

ALGO_FUNCTIONS = {
    # reinforce_loss writes the seed's grad_logits = −probs; grad_logits[action] += 1.0 out itself
    "reinforce": ("Reinforce.learn", "reinforce_loss"),
    "reinforce-baseline": ("Reinforce.learn", "time_baseline_advantages", "reinforce_loss"),
    "actor-critic": ("ActorCritic.learn", "gae", "reinforce_loss"),
    "ppo": ("PPO.update", "gae", "ppo_policy_loss", "clipped_surrogate", "log_softmax_backward"),
    "dqn": ("DQN.update", "dqn_loss"),
}


def new_slots() -> CodeSlots:
    slots = CodeSlots(EDITABLE, checkpoint=True)
    slots.rng_of = lambda driver: driver.action_uniforms.rng  # edited code's ``rng``: the run's generator of actions
    return slots


def code_names(algo: str) -> list[str]:
    return list(ALGO_FUNCTIONS.get(algo, EDITABLE))
