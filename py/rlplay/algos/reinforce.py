"""REINFORCE with a time-indexed baseline: a Monte-Carlo policy gradient, one batched update per episode.

    G_t = r_t + γ G_{t+1}
    adv_t = G_t − b(t)                      b(t): running average of past returns from step t (a baseline)
    θ ← θ + lr · (1/T) Σ_t adv_t ∇θ log πθ(a_t|s_t)     (via Adam, on the loss −mean(adv · log π))

Source: Williams (1992), "Simple statistical gradient-following algorithms for connectionist reinforcement learning"
(the reinforcement baseline b is part of his REINFORCE); Sutton & Barto (2018) §13.3–13.4.

Why a baseline indexed by the time step ``t`` (and not the seed post's raw returns, nor per-episode standardised
returns): CartPole-v1 is cut at 500 steps, so even a perfect policy sees G_t shrink towards the cut. Standardising
returns within each episode then punishes the last ~100 actions of every perfect episode, and a good policy keeps
getting knocked over. b(t) is the average return *from step t* over recent episodes, so once episodes reliably reach
500 every adv_t → 0 and the update fades out on its own: the policy stays put. It depends only on t, not on the
action, so the gradient stays unbiased. The state-dependent baseline V(s) is the next file: ``actor_critic``.

Learner protocol shared by the three algorithms (the driver, ``rlplay.demos.cartpole``, owns the loop):
``act(obs, u) -> (action, p_right)`` samples with a uniform draw ``u``; ``observe(obs, action, reward, terminated,
truncated, next_obs)`` stores a step and returns the update's diagnostics (a dict) when it triggered one, else None.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rlplay.algos.nn import (
    MLP,
    Adam,
    clip_grad_norm,
    entropy,
    entropy_backward,
    log_softmax,
    log_softmax_backward,
    sample_two_actions,
)


@dataclass
class ReinforceConfig:
    lr: float = 0.01
    """Adam step size of the policy, 1e-4..0.1."""
    gamma: float = 0.99
    """Discount factor γ of the returns, 0.8..0.999."""
    hidden: int = 32
    """Hidden units of the policy MLP, 4..256."""
    entropy: float = 0.0
    """Entropy bonus coefficient (rewards keeping π spread out), 0..0.1."""
    baseline_rate: float = 0.1
    """Step size of the running baseline b(t) ← b(t) + rate · (G_t − b(t)), 0.01..1."""
    max_grad_norm: float = 1.0
    """Clip the global gradient norm to this before each Adam step (0 = no clipping), 0..10."""


def reinforce_loss(logits: np.ndarray, actions: np.ndarray, adv: np.ndarray, ent_coef: float):
    """Loss −mean(adv · log π(a|s)) − ent_coef · mean(H), and ∂loss/∂logits. Returns ``(loss, terms, dlogits)``.

    >>> loss, terms, _ = reinforce_loss(np.zeros((1, 2)), np.array([1]), np.array([2.0]), 0.0)
    >>> round(loss, 6)  # −2 · log ½
    1.386294
    """
    batch = len(actions)
    rows = np.arange(batch)
    logp_all = log_softmax(logits)
    logp = logp_all[rows, actions]
    H = entropy(logp_all)
    # pg_loss = −(1/B) Σ adv_t log π(a_t|s_t)
    pg_loss = -float((adv * logp).mean())
    entropy_loss = float(H.mean())
    loss = pg_loss - ent_coef * entropy_loss
    dlogp_all = np.zeros_like(logp_all)
    dlogp_all[rows, actions] = -adv / batch
    dlogits = log_softmax_backward(logp_all, dlogp_all) + entropy_backward(logp_all, np.full(batch, -ent_coef / batch))
    return loss, {"pg_loss": pg_loss, "entropy_loss": entropy_loss}, dlogits


class Reinforce:
    """The REINFORCE learner: a softmax policy MLP, updated once at the end of every episode."""

    def __init__(self, config: ReinforceConfig, n_obs: int, n_actions: int, rng: np.random.Generator):
        if n_actions != 2:
            raise ValueError(f"this learner samples from two actions (CartPole); got n_actions={n_actions}")
        self.config = config
        self.policy = MLP(n_obs, config.hidden, n_actions, rng, out_scale=0.01)
        self.optimizer = Adam(self.policy.params, config.lr)
        self.baseline = np.zeros(0)  # b(t) for t = 0 .. longest episode seen − 1
        self.states: list = []
        self.actions: list[int] = []
        self.rewards: list[float] = []
        self.updates = 0

    def set_lr(self, lr: float) -> None:
        self.config.lr = lr
        self.optimizer.lr = lr

    def act(self, obs, u: float) -> tuple[int, float]:
        return sample_two_actions(self.policy.forward_one(obs), u)

    def observe(self, obs, action: int, reward: float, terminated: bool, truncated: bool, next_obs):
        self.states.append(obs)
        self.actions.append(action)
        self.rewards.append(reward)
        if terminated or truncated:
            return self.update()
        return None

    def update(self) -> dict:
        config = self.config
        T = len(self.rewards)
        # G_t = r_t + γ G_{t+1}, backwards over the episode (a plain loop over floats)
        ret = [0.0] * T
        G = 0.0
        for t in range(T - 1, -1, -1):
            G = self.rewards[t] + config.gamma * G
            ret[t] = G
        ret = np.array(ret)
        if len(self.baseline) < T:
            # steps never reached before: start their baseline at this episode's return (adv = 0 there, no signal
            # from a single sample); the first episode that lasts longer than ever is thus not over-rewarded.
            self.baseline = np.concatenate([self.baseline, ret[len(self.baseline) :]])
        b = self.baseline[:T]
        # adv_t = G_t − b(t)
        adv = ret - b
        # b(t) ← b(t) + rate · (G_t − b(t))
        self.baseline[:T] += config.baseline_rate * adv

        X = np.array(self.states)
        actions = np.array(self.actions)
        logits, cache = self.policy.forward(X)
        loss, terms, dlogits = reinforce_loss(logits, actions, adv, config.entropy)
        grads = self.policy.backward(cache, dlogits)
        norm = clip_grad_norm(grads, config.max_grad_norm)
        self.optimizer.step(grads)
        self.states, self.actions, self.rewards = [], [], []
        self.updates += 1
        return {**terms, "loss": loss, "adv_scale": float(adv.std()), "grad_norm": norm}

    def values(self, X: np.ndarray) -> np.ndarray:
        """REINFORCE has no critic: zeros (the driver's ``replay_values``)."""
        return np.zeros(len(X))

    def is_finite(self) -> bool:
        return self.policy.is_finite()
