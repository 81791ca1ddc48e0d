"""PPO with the clipped surrogate: several epochs of minibatch Adam steps on each rollout, GAE(λ) advantages.

    ratio_t = π_θ(a_t|s_t) / π_θold(a_t|s_t) = exp(log π_θ − logp_old)
    L_clip  = mean_t min(ratio_t · adv_t, clip(ratio_t, 1 − ε, 1 + ε) · adv_t)        (maximised)
    loss    = pg_loss + v_loss − c_H · entropy_loss,   pg_loss = −L_clip,   v_loss = ½ mean((V(s_t) − ret_t)²)

Source: Schulman et al. (2017), "Proximal Policy Optimization Algorithms", eqs. 7 and 9; GAE from Schulman et al.
(2016); layout after CleanRL's ``ppo.py`` (diagnostics ``approx_kl`` = mean((ratio − 1) − log ratio), the low-variance
estimator of KL(π_old ‖ π), and ``clipfrac`` = share of samples whose ratio left [1 − ε, 1 + ε]).

Choices: separate actor and critic networks with their own Adam (as in ``actor_critic``; with two optimisers the
value-loss coefficient of the paper has no effect, so ``critic_lr_scale`` replaces it); advantages standardised per
minibatch (as in the paper's implementation and CleanRL); the epochs stop early once ``approx_kl`` exceeds
``target_kl``, which keeps one rollout from moving the policy far even at a high learning rate.

Learner protocol: see ``rlplay.algos.reinforce``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import numpy as np

from rlplay.algos.actor_critic import gae, value_loss
from rlplay.algos.nn import (
    MLP,
    Adam,
    clip_grad_norm,
    entropy,
    entropy_backward,
    exp,
    log_softmax,
    log_softmax_backward,
    sample_two_actions,
)
from rlplay.params import Param, validate


@dataclass
class PPOConfig:
    lr: Annotated[float, Param(1e-4, 0.1)] = 0.01
    """Adam step size of the actor, 1e-4..0.1 (high for PPO, made safe by ``target_kl``)."""
    critic_lr_scale: Annotated[float, Param(0.1, 10.0)] = 1.0
    """Critic step size as a multiple of ``lr``, 0.1..10."""
    gamma: Annotated[float, Param(0.0, 1.0)] = 0.99
    """Discount factor γ, 0..1."""
    lam: Annotated[float, Param(0.0, 1.0)] = 0.95
    """GAE λ, 0..1."""
    hidden: Annotated[int, Param(4, 256)] = 32
    """Hidden units of each MLP (actor and critic), 4..256."""
    clip: Annotated[float, Param(0.01, 0.5)] = 0.2
    """Clip range ε of the probability ratio, 0.01..0.5."""
    entropy: Annotated[float, Param(0.0, 0.1)] = 0.0
    """Entropy bonus coefficient c_H, 0..0.1."""
    rollout_steps: Annotated[int, Param(16, 8192)] = 1024
    """Environment steps collected per update (a rollout spans episodes), 16..8192."""
    epochs: Annotated[int, Param(1, 20)] = 8
    """Passes over each rollout, 1..20."""
    minibatch_size: Annotated[int, Param(1, 8192)] = 128
    """Samples per Adam step, 1..rollout_steps."""
    target_kl: Annotated[float, Param(0.0, 0.2)] = 0.02
    """Stop the epochs early once approx_kl exceeds this (0 = never stop early), 0..0.2."""
    max_grad_norm: Annotated[float, Param(0.0, 10.0)] = 0.5
    """Clip each network's global gradient norm to this (0 = no clipping), 0..10."""

    def __post_init__(self):
        validate(self)
        if self.minibatch_size > self.rollout_steps:
            raise ValueError(
                f"minibatch_size must be at most rollout_steps={self.rollout_steps}, got {self.minibatch_size}"
            )


def clipped_surrogate(ratio, adv, epsilon: float) -> np.ndarray:
    """PPO's per-sample objective min(r · A, clip(r, 1 − ε, 1 + ε) · A) (to be maximised), elementwise.

    The min makes it pessimistic: a good action (A > 0) earns nothing for pushing r above 1 + ε, a bad one (A < 0)
    nothing for pushing r below 1 − ε; moving the wrong way is never clipped.

    >>> clipped_surrogate(np.array([1.5, 0.5, 1.5, 0.5]), np.array([2.0, 2.0, -2.0, -2.0]), 0.2).tolist()
    [2.4, 1.0, -3.0, -1.6]
    """
    ratio = np.asarray(ratio, dtype=np.float64)
    adv = np.asarray(adv, dtype=np.float64)
    return np.minimum(ratio * adv, np.clip(ratio, 1.0 - epsilon, 1.0 + epsilon) * adv)


def ppo_policy_loss(logits, actions, logp_old, adv, epsilon: float, ent_coef: float):
    """pg_loss − c_H · entropy_loss over a minibatch, and ∂/∂logits. Returns ``(loss, terms, dlogits)``.

    ``terms`` holds ``pg_loss``, ``entropy_loss``, ``approx_kl`` and ``clipfrac``.
    """
    batch = len(actions)
    rows = np.arange(batch)
    logp_all = log_softmax(logits)
    logp = logp_all[rows, actions]
    log_ratio = logp - logp_old
    # ratio = π_θ(a|s) / π_old(a|s)
    ratio = exp(log_ratio)
    # pg_loss = −mean(min(r A, clip(r) A))
    pg_loss = -float(clipped_surrogate(ratio, adv, epsilon).mean())
    H = entropy(logp_all)
    entropy_loss = float(H.mean())
    # ∂ min(r A, clip(r) A)/∂r = A where the unclipped term is the smaller (or equal) one, else 0 (clip is flat)
    unclipped_active = ratio * adv <= np.clip(ratio, 1.0 - epsilon, 1.0 + epsilon) * adv
    # ∂r/∂log π = r;  the loss carries −1/B
    dlogp_all = np.zeros_like(logp_all)
    dlogp_all[rows, actions] = -(adv * unclipped_active) * ratio / batch
    dlogits = log_softmax_backward(logp_all, dlogp_all) + entropy_backward(logp_all, np.full(batch, -ent_coef / batch))
    # approx_kl ≈ KL(π_old ‖ π_θ) = mean((r − 1) − log r)   (Schulman's k3 estimator, as in CleanRL)
    approx_kl = float(((ratio - 1.0) - log_ratio).mean())
    clipfrac = float((np.abs(ratio - 1.0) > epsilon).mean())
    terms = {"pg_loss": pg_loss, "entropy_loss": entropy_loss, "approx_kl": approx_kl, "clipfrac": clipfrac}
    return pg_loss - ent_coef * entropy_loss, terms, dlogits


class PPO:
    """The PPO learner: collects ``rollout_steps`` steps (across episodes), then runs the clipped-loss epochs."""

    def __init__(self, config: PPOConfig, n_obs: int, n_actions: int, rng: np.random.Generator):
        if n_actions != 2:
            raise ValueError(f"this learner samples from two actions (CartPole); got n_actions={n_actions}")
        self.config = config
        self.rng = rng  # minibatch shuffling
        self.actor = MLP(n_obs, config.hidden, n_actions, rng, out_scale=0.01)
        self.critic = MLP(n_obs, config.hidden, 1, rng, out_scale=1.0)
        self.actor_optimizer = Adam(self.actor.params, config.lr)
        self.critic_optimizer = Adam(self.critic.params, config.lr * config.critic_lr_scale)
        self.states: list = []
        self.actions: list[int] = []
        self.rewards: list[float] = []
        self.ends: list[bool] = []
        self.bootstrap: dict[int, object] = {}  # step index → state whose V closes that step (cut or rollout end)
        self.updates = 0

    def set_lr(self, lr: float) -> None:
        self.config.lr = lr
        self.actor_optimizer.lr = lr
        self.critic_optimizer.lr = lr * self.config.critic_lr_scale

    def act(self, obs, u: float) -> tuple[int, float]:
        return sample_two_actions(self.actor.forward_one(obs), u)

    def p_right(self, obs) -> float:
        """π(right|s) of the current policy (what Watch samples from)."""
        return sample_two_actions(self.actor.forward_one(obs), 0.0)[1]

    def observe(self, obs, action: int, reward: float, terminated: bool, truncated: bool, next_obs):
        t = len(self.states)
        self.states.append(obs)
        self.actions.append(action)
        self.rewards.append(reward)
        self.ends.append(terminated or truncated)
        full = t + 1 >= self.config.rollout_steps
        if not terminated and (truncated or full):
            self.bootstrap[t] = next_obs
        if full:
            return self.update()
        return None

    def update(self) -> dict:
        config = self.config
        T = len(self.states)
        X = np.array(self.states)
        actions = np.array(self.actions)
        cut_steps = sorted(self.bootstrap)
        X_values = np.concatenate([X, np.array([self.bootstrap[t] for t in cut_steps]).reshape(-1, X.shape[1])])
        V_all = self.critic.forward(X_values)[0][:, 0]
        values = V_all[:T]
        # V(s_{t+1}): the next row inside an episode, 0 after a fall, V(cut state) after a cut or at the rollout end
        next_values = np.zeros(T)
        next_values[:-1] = values[1:]
        ends = np.array(self.ends)
        next_values[ends] = 0.0
        next_values[cut_steps] = V_all[T:]
        ends_or_cut = ends.copy()
        ends_or_cut[-1] = True
        adv = gae(self.rewards, values.tolist(), next_values.tolist(), ends_or_cut.tolist(), config.gamma, config.lam)
        # ret_t = adv_t + V(s_t)
        ret = adv + values
        # log π_old(a_t|s_t), recomputed in batch so that ratio = 1 exactly on the first minibatch
        logp_old = log_softmax(self.actor.forward(X)[0])[np.arange(T), actions]

        stats = {"pg_loss": 0.0, "v_loss": 0.0, "entropy_loss": 0.0, "approx_kl": 0.0, "clipfrac": 0.0}
        steps = 0
        norm = 0.0
        epochs_run = 0
        for _ in range(config.epochs):
            epochs_run += 1
            order = self.rng.permutation(T)
            epoch_kl = 0.0
            batches = 0
            for start in range(0, T, config.minibatch_size):
                mb_inds = order[start : start + config.minibatch_size]
                mb_advantages = adv[mb_inds]
                # per-minibatch standardisation of the advantages
                mb_advantages = (mb_advantages - mb_advantages.mean()) / (mb_advantages.std() + 1e-8)
                logits, actor_cache = self.actor.forward(X[mb_inds])
                _, terms, dlogits = ppo_policy_loss(
                    logits, actions[mb_inds], logp_old[mb_inds], mb_advantages, config.clip, config.entropy
                )
                actor_grads = self.actor.backward(actor_cache, dlogits)
                norm = max(norm, clip_grad_norm(actor_grads, config.max_grad_norm))
                self.actor_optimizer.step(actor_grads)

                V, critic_cache = self.critic.forward(X[mb_inds])
                v_loss, dV = value_loss(V[:, 0], ret[mb_inds])
                critic_grads = self.critic.backward(critic_cache, dV[:, None])
                norm = max(norm, clip_grad_norm(critic_grads, config.max_grad_norm))
                self.critic_optimizer.step(critic_grads)

                for key in ("pg_loss", "entropy_loss", "approx_kl", "clipfrac"):
                    stats[key] += terms[key]
                stats["v_loss"] += v_loss
                epoch_kl += terms["approx_kl"]
                batches += 1
                steps += 1
            if config.target_kl > 0 and epoch_kl / batches > config.target_kl:
                break
        stats = {key: value / steps for key, value in stats.items()}
        self.states, self.actions, self.rewards, self.ends, self.bootstrap = [], [], [], [], {}
        self.updates += 1
        return {
            **stats,
            "loss": stats["pg_loss"] + stats["v_loss"] - config.entropy * stats["entropy_loss"],
            "adv_scale": float(adv.std()),
            "grad_norm": norm,
            "epochs": epochs_run,
        }

    def values(self, X: np.ndarray) -> np.ndarray:
        return self.critic.forward(X)[0][:, 0]

    def networks(self) -> dict:
        """The trained networks by name (what an agent file holds)."""
        return {"actor": self.actor, "critic": self.critic}

    def is_finite(self) -> bool:
        return self.actor.is_finite() and self.critic.is_finite()
