"""REINFORCE: the Monte-Carlo policy gradient, one batched update per finished episode; optionally with a baseline.

    G_t = r_t + γ G_{t+1}                                   (the return from step t)
    adv_t = G_t                                             (baseline "none": the seed post's REINFORCE)
    adv_t = G_t − b(t)                                      (baseline "time": b(t), running mean of returns from t)
    θ ← θ + lr · (1/T) Σ_t adv_t ∇θ log πθ(a_t|s_t)         (via Adam, on the loss −mean(adv · log π))
    ∂ log π(a|s) / ∂logits = onehot(a) − π(·|s)             (the seed's ``grad_logits[action] += 1.0``)

Source: Williams (1992), "Simple statistical gradient-following algorithms for connectionist reinforcement learning"
(the reinforcement baseline b is part of his REINFORCE); Sutton & Barto (2018) §13.3–13.4.

Baseline "none" is the seed post's update: every return of CartPole is positive, so every action taken is made more
likely, the good ones a little more than the bad ones: an unbiased but noisy gradient. Baseline "time" subtracts
b(t), the average return *from step t* over recent episodes (not a per-episode standardisation: CartPole-v1 is cut at
500 steps, so even a perfect policy sees G_t shrink towards the cut, and standardising would punish the last ~100
actions of every perfect episode). It depends only on t, not on the action, so the gradient stays unbiased; once
episodes reliably reach 500 every adv_t → 0 and the update fades out by itself. The state-dependent baseline V(s) is
the next file: ``actor_critic``.

Learner protocol shared by the cart-pole algorithms (the driver, ``rlplay.demos.cartpole``, owns the loop):
``act(obs, u) -> (action, p_right)`` samples with a uniform draw ``u``; ``observe(obs, action, reward, terminated,
truncated, next_obs)`` stores a step and returns the update's diagnostics (a dict) when it triggered one, else None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import numpy as np

from rlplay.algos.nn import (
    MLP,
    Adam,
    entropy,
    entropy_backward,
    exp,
    log_softmax,
    sample_two_actions,
)
from rlplay.params import Param, validate

BASELINES = ("none", "time")


@dataclass
class ReinforceConfig:
    lr: Annotated[float, Param(1e-4, 0.1)] = 0.01
    """Adam step size of the policy, 1e-4..0.1."""
    gamma: Annotated[float, Param(0.0, 1.0)] = 0.99
    """Discount factor γ of the returns, 0..1."""
    hidden: Annotated[int, Param(4, 256)] = 32
    """Hidden units of the policy MLP, 4..256."""
    entropy: Annotated[float, Param(0.0, 0.1)] = 0.0
    """Entropy bonus coefficient (rewards keeping π spread out), 0..0.1."""
    baseline: Annotated[str, Param(choices=BASELINES)] = "none"
    """What is subtracted from G_t: none (the seed's REINFORCE) or time (b(t), the mean return from step t)."""
    baseline_rate: Annotated[float, Param(0.01, 1.0)] = 0.1
    """Step size of the running baseline b(t) ← b(t) + rate · (G_t − b(t)), 0.01..1."""
    max_grad_norm: Annotated[float, Param(0.0, 10.0)] = 1.0
    """Clip the global gradient norm to this before each Adam step (0 = no clipping), 0..10."""

    def __post_init__(self):
        validate(self)


def discounted_returns(rewards, gamma: float) -> np.ndarray:
    """G_t = r_t + γ G_{t+1} for one episode, backwards (a plain loop over floats).

    >>> discounted_returns([1.0, 1.0, 1.0], 0.5).tolist()
    [1.75, 1.5, 1.0]
    """
    T = len(rewards)
    ret = [0.0] * T
    G = 0.0
    for t in range(T - 1, -1, -1):
        # G_t = r_t + γ G_{t+1}
        G = rewards[t] + gamma * G
        ret[t] = G
    return np.array(ret)


# per γ: c[j] = 1 + γ c[j − 1], c[0] = 1: the return of an episode's step j + 1 steps from its end
_UNIT_RETURNS: dict[float, np.ndarray] = {}


def unit_reward_returns(T: int, gamma: float) -> np.ndarray:
    """``discounted_returns([1.0] * T, gamma)``, the same bits, from a table made once per γ (CartPole's every reward
    is 1, so G_t depends only on the steps left, T − t).

    >>> unit_reward_returns(3, 0.5).tolist()
    [1.75, 1.5, 1.0]
    """
    table = _UNIT_RETURNS.get(gamma)
    if table is None or len(table) < T:
        table = _UNIT_RETURNS[gamma] = discounted_returns([1.0] * max(T, 512), gamma)[::-1].copy()
    return table[T - 1 :: -1].copy() if T else np.zeros(0)  # a copy: the caller may change it in place


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
    probs = exp(logp_all)  # π(·|s)
    H = entropy(logp_all, probs)
    # pg_loss = −(1/B) Σ adv_t log π(a_t|s_t)
    pg_loss = -float((adv * logp).sum()) / batch
    entropy_loss = float(H.sum()) / batch
    loss = pg_loss - ent_coef * entropy_loss
    # ∇_logits log π(a|s) = onehot(a) − π: the seed's grad_logits = −probs; grad_logits[action] += 1.0
    grad_logits = -probs
    grad_logits[rows, actions] += 1.0
    # scaled by the return (or advantage): good returns → increase this action's probability
    grad_logits *= adv[:, None]
    # the loss descends, so its gradient is minus the mean ascent direction
    dlogits = -grad_logits / batch + entropy_backward(logp_all, np.full(batch, -ent_coef / batch), probs)
    return loss, {"pg_loss": pg_loss, "entropy_loss": entropy_loss}, dlogits


def time_baseline_advantages(ret: np.ndarray, baseline: np.ndarray, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """REINFORCE + baseline's advantages: adv_t = G_t − b(t), then b(t) ← b(t) + rate · (G_t − b(t)).

    ``baseline`` holds b(t) for every step t an episode has reached; returns the advantages and the new baseline
    (the one passed in is left as it was). Deleting ``- baseline[:T]`` gives raw returns back (adv_t = G_t), but not
    the seed's REINFORCE: this learner clips its gradient (max_grad_norm), and with raw returns it then solved 1 of
    seeds 0–3 and collapsed to one action on 2 (tests/test_reproduce_faults.py).
    """
    T = len(ret)
    if len(baseline) < T:
        # steps never reached before: start their baseline at this episode's return (adv = 0 there, no signal
        # from a single sample); the first episode that lasts longer than ever is thus not over-rewarded.
        baseline = np.concatenate([baseline, ret[len(baseline) :]])
    else:
        baseline = baseline.copy()
    # adv_t = G_t − b(t)
    adv = ret - baseline[:T]
    # b(t) ← b(t) + rate · (G_t − b(t))
    baseline[:T] += rate * adv
    return adv, baseline


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

    def p_right(self, obs) -> float:
        """π(right|s) of the current policy (what Watch samples from)."""
        return sample_two_actions(self.policy.forward_one(obs), 0.0)[1]

    def observe(self, obs, action: int, reward: float, terminated: bool, truncated: bool, next_obs):
        self.states.append(obs)
        self.actions.append(action)
        self.rewards.append(reward)
        if terminated or truncated:
            return self.update()
        return None

    def update(self) -> dict:
        """One update on the episode ``observe`` stored, which is then forgotten."""
        ret = discounted_returns(self.rewards, self.config.gamma)
        stats = self.learn(np.array(self.states), np.array(self.actions), ret)
        self.states, self.actions, self.rewards = [], [], []
        return stats

    def learn(self, X: np.ndarray, actions: np.ndarray, ret: np.ndarray, diagnostics: bool = True) -> dict:
        """One update on a finished episode given as arrays: its states ``X`` (T, 4), ``actions`` (T,) and returns
        ``ret`` (T,) (what ``update`` builds from its lists, and ``BatchedPolicyGradient`` from its history). With
        ``diagnostics=False`` the stats leave out ``adv_scale`` (a tenth of a short update's time)."""
        config = self.config
        if config.baseline == "none":
            # adv_t = G_t   (the seed post's REINFORCE: raw returns)
            adv = ret
        else:
            adv, self.baseline = time_baseline_advantages(ret, self.baseline, config.baseline_rate)
        logits, cache = self.policy.forward(X)
        loss, terms, dlogits = reinforce_loss(logits, actions, adv, config.entropy)
        grads = self.policy.backward(cache, dlogits)
        norm = self.optimizer.clipped_step(grads, config.max_grad_norm)
        self.updates += 1
        stats = {**terms, "loss": loss, "grad_norm": norm}
        if diagnostics:
            stats["adv_scale"] = float(adv.std())
        return stats

    def values(self, X: np.ndarray) -> np.ndarray:
        """REINFORCE has no critic: zeros (the driver's ``replay_values``)."""
        return np.zeros(len(X))

    def networks(self) -> dict:
        """The trained networks by name (what an agent file holds)."""
        return {"policy": self.policy}

    def is_finite(self) -> bool:
        return self.policy.is_finite()
