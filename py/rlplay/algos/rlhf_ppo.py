"""PPO with a KL penalty: tune a language model π_θ to a reward model r_φ without drifting far from π_ref.

    maximise  E_{x~π_θ}[ r_φ(x) ] − β KL(π_θ ‖ π_ref)                               (the seed post's last equation)
    r_t = −β (log π_θold(x_t|x_{<t}) − log π_ref(x_t|x_{<t}))  + [t = last] r_φ(x)   (per-token reward)
    adv_t = GAE(γ = 1, λ) with the critic V(t, x_{t−1}),  ret_t = adv_t + V            (as in ``actor_critic.gae``)
    L_clip = mean_t min(ratio_t adv_t, clip(ratio_t, 1 − ε, 1 + ε) adv_t)             (``ppo.ppo_policy_loss``)

Sources: Ziegler et al. (2019), "Fine-Tuning Language Models from Human Preferences", eq. 2 (the per-token KL
penalty); Stiennon et al. (2020) and Ouyang et al. (2022) eq. 2 (the same objective, with PPO); Schulman et al.
(2017) for the clipped surrogate, which is the cart-pole's own function, ``rlplay.algos.ppo.ppo_policy_loss``.

The sum over t of the per-token penalty is −β log(π_θold(x) / π_ref(x)), whose mean over samples is −β KL(π_θold ‖
π_ref): the token's log-ratio is the one-sample ("k1") estimate of the KL, unbiased for the sequence's KL. With
β = 0 nothing holds π_θ near π_ref and it goes wherever r_φ is highest, however unlike the corpus that is.

Choices: the policy is a bigram table (``rlplay.algos.bigram_lm``) started at π_ref; the critic is a table over
(position, previous token), the policy's own state (no network to tune); both take Adam steps on minibatches of
tokens; advantages are standardised per minibatch as in ``rlplay.algos.ppo``; γ = 1 (a sentence is short and only its
end is scored).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import numpy as np

from rlplay.algos.actor_critic import gae, value_loss
from rlplay.algos.bigram_lm import contexts_of, sample, written
from rlplay.algos.nn import Adam, log_softmax
from rlplay.algos.ppo import ppo_policy_loss
from rlplay.params import Param, validate


@dataclass
class RLHFPPOConfig:
    beta: Annotated[float, Param(0.0, 2.0)] = 0.5
    """KL penalty coefficient β (reward given up per nat of KL from π_ref), 0..2; 0 = no penalty."""
    lr: Annotated[float, Param(1e-4, 1.0)] = 0.01
    """Adam step size on the policy's logits, 1e-4..1."""
    critic_lr: Annotated[float, Param(1e-4, 1.0)] = 0.1
    """Adam step size on the critic's table, 1e-4..1."""
    lam: Annotated[float, Param(0.0, 1.0)] = 0.95
    """GAE λ, 0..1."""
    clip: Annotated[float, Param(0.01, 0.5)] = 0.2
    """Clip range ε of the probability ratio, 0.01..0.5."""
    entropy: Annotated[float, Param(0.0, 0.1)] = 0.0
    """Entropy bonus coefficient, 0..0.1."""
    batch: Annotated[int, Param(4, 1024)] = 64
    """Sequences sampled per update (a rollout), 4..1024."""
    epochs: Annotated[int, Param(1, 20)] = 4
    """Passes over each rollout, 1..20."""
    minibatches: Annotated[int, Param(1, 64)] = 2
    """Minibatches per pass (Adam steps per epoch), 1..64."""

    def __post_init__(self):
        validate(self)


def kl_penalised_rewards(proxy, log_ratio, last, beta):
    """The reward of every token of a rollout: −β log(π_θ/π_ref) per token, plus r_φ(x) on each sequence's last.

    ``proxy``: r_φ(x) per sequence (B,); ``log_ratio``: log π_θold(x_t|x_{t−1}) − log π_ref(x_t|x_{t−1}) per token,
    sequence after sequence (T,); ``last``: the index in those T of each sequence's last token (B,).

    >>> kl_penalised_rewards(np.array([1.0]), np.array([0.5, -0.5]), np.array([1]), 0.1).tolist()
    [-0.05, 1.05]
    """
    # r_t = −β (log π_θold(x_t|x_{t−1}) − log π_ref(x_t|x_{t−1}))
    rewards = -beta * log_ratio
    # + r_φ(x) where the sequence ends
    rewards[last] += proxy
    return rewards


class RLHFPPO:
    """The policy table θ (started at θ_ref), the critic table, and one PPO update per rollout of ``batch`` sequences.

    ``score(tokens, lengths)`` is the reward model r_φ, applied to a whole sequence at its end.
    """

    def __init__(self, config: RLHFPPOConfig, theta_ref: np.ndarray, max_len: int, score, rng: np.random.Generator):
        self.config = config
        self.max_len = max_len
        self.score = score
        self.rng = rng  # a rollout's uniforms, then each epoch's shuffle
        self.logp_ref = log_softmax(theta_ref)
        self.theta = theta_ref.copy()
        self.critic = np.zeros((max_len, theta_ref.shape[0]))  # V(t, x_{t−1})
        self.actor_optimizer = Adam([self.theta], config.lr)
        self.critic_optimizer = Adam([self.critic], config.critic_lr)
        self.updates = 0

    def logp(self) -> np.ndarray:
        """log π_θ(w | c), the whole table."""
        return log_softmax(self.theta)

    def rollout(self):
        """``batch`` sequences from π_θ and their per-token quantities, flattened over the written positions."""
        config = self.config
        n_words = self.theta.shape[1]
        u = self.rng.random((config.batch, self.max_len))
        logp = self.logp()
        tokens, lengths = sample(logp, u)
        inside = written(lengths, self.max_len)
        contexts = contexts_of(tokens, n_words)
        positions = np.broadcast_to(np.arange(self.max_len), tokens.shape)
        # the written positions, sequence after sequence
        context, token, position = contexts[inside], tokens[inside], positions[inside]
        logp_old = logp[context, token]
        log_ratio = logp_old - self.logp_ref[context, token]
        proxy = self.score(tokens, lengths)
        last = np.cumsum(lengths) - 1  # index of each sequence's last token in the flat arrays
        # looked up in this module at each call: the Code panel's edited version, while it runs, is put here
        rewards = np.asarray(kl_penalised_rewards(proxy, log_ratio.copy(), last, config.beta), dtype=np.float64)
        return {
            "tokens": tokens,
            "lengths": lengths,
            "context": context,
            "token": token,
            "position": position,
            "logp_old": logp_old,
            "rewards": rewards,
            "last": last,
            "proxy": proxy,
            "log_ratio": log_ratio,
        }

    def update(self) -> dict:
        """One rollout, then ``epochs`` × ``minibatches`` clipped-surrogate Adam steps. Returns the diagnostics."""
        config = self.config
        data = self.rollout()
        context, token, position = data["context"], data["token"], data["position"]
        T = len(token)
        values = self.critic[position, context]
        ends = np.zeros(T, dtype=bool)
        ends[data["last"]] = True
        # V(s_{t+1}): the next position of the same sequence, 0 after its last token (the sentence is over)
        next_values = np.where(ends, 0.0, np.append(values[1:], 0.0))
        adv = gae(data["rewards"].tolist(), values.tolist(), next_values.tolist(), ends.tolist(), 1.0, config.lam)
        # ret_t = adv_t + V(s_t)
        ret = adv + values

        stats = {"pg_loss": 0.0, "v_loss": 0.0, "entropy_loss": 0.0, "approx_kl": 0.0, "clipfrac": 0.0}
        minibatch_size = -(-T // config.minibatches)
        steps = 0
        for _ in range(config.epochs):
            order = self.rng.permutation(T)
            for start in range(0, T, minibatch_size):
                mb = order[start : start + minibatch_size]
                mb_adv = adv[mb]
                # per-minibatch standardisation of the advantages (as rlplay.algos.ppo)
                mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std() + 1e-8)
                _, terms, dlogits = ppo_policy_loss(
                    self.theta[context[mb]], token[mb], data["logp_old"][mb], mb_adv, config.clip, config.entropy
                )
                # the logits of a context are shared by every token written after it: their gradients add up
                dtheta = np.zeros_like(self.theta)
                np.add.at(dtheta, context[mb], dlogits)
                self.actor_optimizer.step([dtheta])

                v_loss, dV = value_loss(self.critic[position[mb], context[mb]], ret[mb])
                dcritic = np.zeros_like(self.critic)
                np.add.at(dcritic, (position[mb], context[mb]), dV)
                self.critic_optimizer.step([dcritic])
                for key in ("pg_loss", "entropy_loss", "approx_kl", "clipfrac"):
                    stats[key] += terms[key]
                stats["v_loss"] += v_loss
                steps += 1
        self.updates += 1
        stats = {key: value / steps for key, value in stats.items()}
        B = len(data["lengths"])
        return {
            **stats,
            "proxy": float(data["proxy"].mean()),
            # mean over the rollout of log(π_θold(x) / π_ref(x)): the sampled (k1) estimate of KL(π_θold ‖ π_ref)
            "kl_sampled": float(data["log_ratio"].sum() / B),
            "tokens": T,
        }

    def set_beta(self, beta: float) -> None:
        self.config.beta = beta
