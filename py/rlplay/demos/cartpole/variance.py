"""How noisy is each policy-gradient estimate? Three estimators on the same episodes of the same policy.

    g_i = (1/T_i) Σ_t adv_t ∇θ log πθ(a_t|s_t)          one episode's gradient estimate (what one update uses)
    REINFORCE:     adv_t = G_t
    + baseline:    adv_t = G_t − b(t),   b(t) = mean return from step t over the *other* episodes (leave-one-out)
    critic V(s):   adv_t = G_t − V̂(s_t), V̂ a value network fitted to the returns of a *separate* batch (half as many)
    spread  = mean_i ‖g_i − ḡ‖²   (the total variance, trace of the covariance of g)      signal = ‖ḡ‖²

Summed over an episode, Σ_t adv_t ∇ log π, all three are unbiased for the same expected gradient (a baseline that does
not depend on the action adds nothing in expectation: Σ_a π(a|s) ∇ log π(a|s) = ∇ Σ_a π(a|s) = 0; Sutton & Barto 2018
§13.4), which is why their mean directions agree while their spreads differ. The leave-one-out mean and the separate
batch keep each baseline independent of the episode it is subtracted from. The per-step average used here (as in the
algorithms' updates) divides by T, which depends on the actions, so a baseline does shift its expectation a little
(tests/test_cartpole_variance.py measures both forms).
"""

from __future__ import annotations

import math

import numpy as np

from rlplay.algos.actor_critic import value_loss
from rlplay.algos.nn import MLP, Adam, exp, log_softmax
from rlplay.algos.reinforce import discounted_returns
from rlplay.envs.cartpole import CartPole

ESTIMATORS = ("reinforce", "baseline", "critic")
CRITIC_FIT_STEPS = 150  # Adam steps of the value fit (on the separate batch)
CRITIC_FIT_ROWS = 512  # states of the separate batch the fit uses at most (a random subset: it keeps the call short)
CRITIC_LR = 0.03


def rollouts(policy: MLP, episodes: int, rng: np.random.Generator) -> list[dict]:
    """``episodes`` episodes of the policy (sampling), each as arrays of states, actions and rewards."""
    env = CartPole(seed=rng.integers(2**63))
    out = []
    for _ in range(episodes):
        obs, _ = env.reset()
        states, actions = [], []
        done = False
        while not done:
            logits = policy.forward_one(obs)
            # π(right|s) = σ(l1 − l0)
            d = float(logits[1] - logits[0])
            p_right = 1.0 / (1.0 + math.exp(-d)) if d >= 0 else math.exp(d) / (1.0 + math.exp(d))
            action = 1 if rng.random() < p_right else 0
            states.append(obs)
            actions.append(action)
            obs, _, terminated, truncated, _ = env.step(action)
            done = terminated or truncated
        out.append({"states": np.array(states), "actions": np.array(actions), "rewards": [1.0] * len(actions)})
    return out


def episode_gradient(policy: MLP, episode: dict, adv: np.ndarray) -> np.ndarray:
    """g = (1/T) Σ_t adv_t ∇θ log π(a_t|s_t), flattened over the policy's parameters (ascent direction)."""
    logits, cache = policy.forward(episode["states"])
    rows = np.arange(len(adv))
    # ∇_logits log π(a|s) = onehot(a) − π
    grad_logits = -exp(log_softmax(logits))
    grad_logits[rows, episode["actions"]] += 1.0
    grad_logits *= adv[:, None] / len(adv)
    return np.concatenate([g.ravel() for g in policy.backward(cache, grad_logits)])


def fit_value(episodes: list[dict], gamma: float, hidden: int, rng: np.random.Generator) -> MLP:
    """V̂(s): a value MLP regressed on the Monte-Carlo returns of ``episodes`` (full-batch Adam on ≤ 512 states)."""
    X = np.concatenate([e["states"] for e in episodes])
    ret = np.concatenate([discounted_returns(e["rewards"], gamma) for e in episodes])
    if len(X) > CRITIC_FIT_ROWS:
        rows = rng.choice(len(X), CRITIC_FIT_ROWS, replace=False)
        X, ret = X[rows], ret[rows]
    critic = MLP(X.shape[1], hidden, 1, rng, out_scale=1.0)
    optimizer = Adam(critic.params, CRITIC_LR)
    for _ in range(CRITIC_FIT_STEPS):
        V, cache = critic.forward(X)
        _, dV = value_loss(V[:, 0], ret)
        optimizer.step(critic.backward(cache, dV[:, None]))
    return critic


def gradient_spread(policy: MLP, gamma: float, episodes: int, seed: int) -> dict:
    """Per estimator: the spread (total variance) and signal of the per-episode gradient, on the same episodes.

    Returns ``{estimator: {"spread", "signal", "adv_std"}, "episodes": n, "mean_length": mean episode length}``.
    """
    if not 2 <= episodes <= 200:
        raise ValueError(f"episodes must be between 2 and 200, got {episodes}")
    rng = np.random.default_rng([seed, 2024])
    batch = rollouts(policy, episodes, rng)
    critic = fit_value(rollouts(policy, max(2, episodes // 2), rng), gamma, policy.W1.shape[1], rng)
    returns = [discounted_returns(e["rewards"], gamma) for e in batch]
    longest = max(len(G) for G in returns)
    sums, counts = np.zeros(longest), np.zeros(longest)
    for G in returns:
        sums[: len(G)] += G
        counts[: len(G)] += 1
    grads = {name: [] for name in ESTIMATORS}
    advs = {name: [] for name in ESTIMATORS}
    for episode, G in zip(batch, returns, strict=True):
        T = len(G)
        others = counts[:T] - 1
        # b(t) = mean of the other episodes' returns from t (G_t itself where no other episode lasted that long)
        b = np.where(others > 0, (sums[:T] - G) / np.maximum(others, 1), G)
        V = critic.forward(episode["states"])[0][:, 0]
        for name, adv in (("reinforce", G), ("baseline", G - b), ("critic", G - V)):
            grads[name].append(episode_gradient(policy, episode, adv))
            advs[name].append(adv)
    out: dict = {"episodes": episodes, "mean_length": float(np.mean([len(G) for G in returns]))}
    for name in ESTIMATORS:
        g = np.array(grads[name])
        mean = g.mean(axis=0)
        out[name] = {
            "spread": float(((g - mean) ** 2).sum(axis=1).mean()),
            "signal": float((mean * mean).sum()),
            "adv_std": float(np.concatenate(advs[name]).std()),
        }
    return out
