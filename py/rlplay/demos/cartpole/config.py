"""The cart-pole demo's settings (``CartpoleConfig``) and the thresholds its figures are judged by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from rlplay.algos.dqn import DQNConfig
from rlplay.params import Param, When, validate

ALGOS = ("reinforce", "reinforce-baseline", "actor-critic", "ppo", "dqn")
# The training steps within which DQN's defaults reach a 100-episode mean of 475 on at least 4 of seeds 0–4
# (tests/test_dqn.py; the steps each seed took are in the README's benchmark table)
DQN_STEP_BUDGET = 150_000
SOLVED_MEAN_LENGTH = 475.0  # CartPole-v1's reward threshold, over 100 consecutive episodes
SOLVED_WINDOW = 100  # episodes

POLICY_GRADIENT = (When("algo", ("dqn",), is_in=False),)  # DQN has its own learning rate and network size


@dataclass(frozen=True)
class CartpoleConfig:
    seed: Annotated[int, Param(0, 2**31 - 1, 1, label="Seed")] = 0
    """Random seed of the run (start states, action sampling, network initialisation), 0..2147483647."""
    algo: Annotated[
        str,
        Param(
            choices=ALGOS,
            label="Algorithm",
            choice_labels=(
                ("reinforce", "REINFORCE"),
                ("reinforce-baseline", "REINFORCE + baseline"),
                ("actor-critic", "Actor-critic"),
                ("ppo", "PPO"),
                ("dqn", "DQN"),
            ),
        ),
    ] = "actor-critic"
    """Algorithm: reinforce (the seed's, raw returns), reinforce-baseline (G_t − b(t)), actor-critic, ppo or dqn."""
    lr: Annotated[float, Param(0.0001, 0.1, 0.0001, log=True, label="Learning rate", shown_when=POLICY_GRADIENT)] = 0.01
    """Adam learning rate of the policy-gradient algorithms, 0.0001..0.1 (DQN has its own, dqn_lr)."""
    gamma: Annotated[float, Param(0.8, 0.999, 0.001, label="Discount γ")] = 0.99
    """Discount factor γ, 0.8..0.999: the weight of a reward one step later."""
    hidden: Annotated[int, Param(4, 256, 1, label="Hidden units", shown_when=POLICY_GRADIENT)] = 32
    """Hidden units of the policy (and critic) network, 4..256 (DQN has its own, dqn_hidden)."""
    entropy: Annotated[float, Param(0.0, 0.1, 0.001, label="Entropy bonus", shown_when=POLICY_GRADIENT)] = 0.0
    """Entropy bonus coefficient, 0..0.1: rewards keeping the action probabilities spread out."""
    clip: Annotated[float, Param(0.05, 0.5, 0.01, label="PPO clip ε", shown_when=(When("algo", ("ppo",)),))] = 0.2
    """PPO only: clip range ε of the probability ratio, 0.05..0.5."""
    dqn_lr: Annotated[
        float, Param(0.0001, 0.1, 0.0001, log=True, label="DQN learning rate", shown_when=(When("algo", ("dqn",)),))
    ] = DQNConfig.lr
    """DQN only: Adam learning rate of the Q-network, 0.0001..0.1."""
    dqn_hidden: Annotated[int, Param(4, 256, 1, label="DQN hidden units", shown_when=(When("algo", ("dqn",)),))] = (
        DQNConfig.hidden
    )
    """DQN only: hidden units of the Q-network (and of its target copy), 4..256."""

    def __post_init__(self):
        validate(self)
