"""Actor-critic with GAE(λ) advantages: the critic V(s) is the baseline, one batched update per episode.

    δ_t = r_t + γ V(s_{t+1}) − V(s_t)                 (V(s_{t+1}) = 0 after a fall; bootstrapped after the 500-step cut)
    adv_t = δ_t + γ λ adv_{t+1}                         (GAE; λ = 1 gives G_t − V(s_t), the seed post's advantage)
    ret_t = adv_t + V(s_t)                               (the λ-return the critic regresses on)
    actor:  θ ← θ + lr · (1/T) Σ_t adv_t ∇θ log πθ(a_t|s_t)      (loss pg_loss = −mean(adv · log π))
    critic: φ ← φ − lr_v · ∇φ ½ mean((V_φ(s_t) − ret_t)²)         (loss v_loss)

Sources: Sutton & Barto (2018) §13.5 (actor-critic); Schulman et al. (2016), "High-Dimensional Continuous Control Using
Generalized Advantage Estimation" (GAE); Mnih et al. (2016) (A2C/A3C, entropy bonus).

Choices, and why:
- Separate actor and critic networks (the seed post shares a layer). With two Adam optimisers there is no loss
  weighting to tune, and the critic's large early errors cannot disturb the policy's features.
- GAE(λ = 0.99) rather than the seed's G_t − V(s_t) (λ = 1): nearly Monte-Carlo, so a young critic's errors
  hardly bias the policy (λ = 0.95 took about twice as many episodes here), and truncation at 500 steps is handled
  properly (bootstrap with V of the last state instead of pretending the episode ended). The critic steps 3× faster
  than the actor (``critic_lr_scale``), which halved the episodes to solve in our seeds.
- Advantages are not standardised per episode: once episodes reach 500, the critic predicts them and adv → 0, so the
  update fades out and the policy stays balanced (standardising would blow that noise back up to unit size).

Learner protocol: see ``rlplay.algos.reinforce``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import numpy as np

from rlplay.algos.nn import MLP, Adam, sample_two_actions
from rlplay.algos.reinforce import reinforce_loss
from rlplay.params import Param, validate


@dataclass
class ActorCriticConfig:
    lr: Annotated[float, Param(1e-4, 0.1)] = 0.01
    """Adam step size of the actor (policy), 1e-4..0.1."""
    critic_lr_scale: Annotated[float, Param(0.1, 10.0)] = 3.0
    """Critic step size as a multiple of ``lr``, 0.1..10 (a critic that keeps up makes adv trustworthy)."""
    gamma: Annotated[float, Param(0.0, 1.0)] = 0.99
    """Discount factor γ, 0..1."""
    lam: Annotated[float, Param(0.0, 1.0)] = 0.99
    """GAE λ: 0 = one-step TD advantage, 1 = Monte-Carlo G_t − V(s_t); 0..1."""
    hidden: Annotated[int, Param(4, 256)] = 32
    """Hidden units of each MLP (actor and critic), 4..256."""
    entropy: Annotated[float, Param(0.0, 0.1)] = 0.0
    """Entropy bonus coefficient, 0..0.1."""
    max_grad_norm: Annotated[float, Param(0.0, 10.0)] = 1.0
    """Clip each network's global gradient norm to this (0 = no clipping), 0..10."""

    def __post_init__(self):
        validate(self)


def gae(rewards, values, next_values, ends, gamma: float, lam: float) -> np.ndarray:
    """Generalised advantage estimates for a rollout (one or more episodes, in order).

    ``values[t]`` = V(s_t); ``next_values[t]`` = V(s_{t+1}), already 0 where the episode terminated (a fall) and
    V(final state) where it was truncated; ``ends[t]`` is true where an episode ended (either way), which cuts the
    recursion. Plain Python floats: T is at most a few thousand.

    >>> gae([1.0, 1.0], [0.0, 0.0], [0.0, 0.0], [False, True], gamma=0.5, lam=1.0).tolist()  # G_t − V(s_t)
    [1.5, 1.0]
    """
    T = len(rewards)
    adv = [0.0] * T
    next_adv = 0.0
    for t in range(T - 1, -1, -1):
        # δ_t = r_t + γ V(s_{t+1}) − V(s_t)
        delta = rewards[t] + gamma * next_values[t] - values[t]
        # A_t = δ_t + γ λ A_{t+1}   (A_{t+1} = 0 across an episode boundary)
        next_adv = delta + (0.0 if ends[t] else gamma * lam * next_adv)
        adv[t] = next_adv
    return np.array(adv)


def value_loss(V: np.ndarray, ret: np.ndarray):
    """v_loss = ½ mean((V − ret)²) and ∂v_loss/∂V = (V − ret) / B.

    >>> value_loss(np.array([1.0, 3.0]), np.array([0.0, 0.0]))[0]
    2.5
    """
    diff = V - ret
    return 0.5 * (float((diff * diff).sum()) / len(diff)), diff / len(diff)


class ActorCritic:
    """Actor (softmax policy MLP) + critic (value MLP), each with its own Adam; updated at every episode's end."""

    def __init__(self, config: ActorCriticConfig, n_obs: int, n_actions: int, rng: np.random.Generator):
        if n_actions != 2:
            raise ValueError(f"this learner samples from two actions (CartPole); got n_actions={n_actions}")
        self.config = config
        self.actor = MLP(n_obs, config.hidden, n_actions, rng, out_scale=0.01)
        self.critic = MLP(n_obs, config.hidden, 1, rng, out_scale=1.0)
        self.actor_optimizer = Adam(self.actor.params, config.lr)
        self.critic_optimizer = Adam(self.critic.params, config.lr * config.critic_lr_scale)
        self.states: list = []
        self.actions: list[int] = []
        self.rewards: list[float] = []
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
        self.states.append(obs)
        self.actions.append(action)
        self.rewards.append(reward)
        if terminated or truncated:
            return self.update(None if terminated else next_obs)
        return None

    def update(self, bootstrap_obs) -> dict:
        """One actor step and one critic step on the finished episode; ``bootstrap_obs`` is the state after the cut."""
        X = np.array(self.states if bootstrap_obs is None else self.states + [bootstrap_obs])
        stats = self.learn(X, np.array(self.actions), self.rewards)
        self.states, self.actions, self.rewards = [], [], []
        return stats

    def learn(self, X: np.ndarray, actions: np.ndarray, rewards: list, diagnostics: bool = True) -> dict:
        """One actor step and one critic step on a finished episode given as arrays: the states ``X``, with one row
        more than ``rewards`` if the episode was cut by the time limit (the state after the cut, to bootstrap from),
        and ``actions`` (T,) (what ``update`` builds from its lists, and ``BatchedPolicyGradient`` from its history).
        With ``diagnostics=False`` the stats leave out ``adv_scale``."""
        config = self.config
        T = len(rewards)
        bootstrapped = len(X) > T
        V_all, critic_cache = self.critic.forward(X)
        V_all = V_all[:, 0]
        values = V_all[:T]
        next_values = np.empty(T)
        next_values[:-1] = V_all[1:T]
        # after a fall the future is worth 0; after the time-limit cut it is worth V(s_T)
        next_values[-1] = V_all[T] if bootstrapped else 0.0
        ends = [False] * (T - 1) + [True]
        adv = gae(rewards, values.tolist(), next_values.tolist(), ends, config.gamma, config.lam)
        # ret_t = adv_t + V(s_t): the λ-return target, held fixed while the critic moves
        ret = adv + values

        # critic: v_loss = ½ mean((V(s_t) − ret_t)²); the bootstrap row gets no gradient
        v_loss, dV = value_loss(values, ret.copy())
        dV_all = np.zeros((len(X), 1))
        dV_all[:T, 0] = dV
        critic_grads = self.critic.backward(critic_cache, dV_all)
        critic_norm = self.critic_optimizer.clipped_step(critic_grads, config.max_grad_norm)

        # actor: the policy-gradient loss of REINFORCE, with the critic's advantage in place of G_t − b(t)
        logits, actor_cache = self.actor.forward(X[:T])
        loss, terms, dlogits = reinforce_loss(logits, actions, adv, config.entropy)
        actor_grads = self.actor.backward(actor_cache, dlogits)
        actor_norm = self.actor_optimizer.clipped_step(actor_grads, config.max_grad_norm)

        self.updates += 1
        stats = {**terms, "v_loss": v_loss, "loss": loss + v_loss, "grad_norm": max(actor_norm, critic_norm)}
        if diagnostics:
            stats["adv_scale"] = float(adv.std())
        return stats

    def values(self, X: np.ndarray) -> np.ndarray:
        """V(s) for each row of ``X`` (the driver's ``replay_values``)."""
        return self.critic.forward(X)[0][:, 0]

    def networks(self) -> dict:
        """The trained networks by name (what an agent file holds)."""
        return {"actor": self.actor, "critic": self.critic}

    def is_finite(self) -> bool:
        return self.actor.is_finite() and self.critic.is_finite()
