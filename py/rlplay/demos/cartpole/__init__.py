"""The cart-pole balancer: REINFORCE (± baseline), actor-critic, PPO and DQN (driver, code slots, agent files,
the seed comparison, the gradient's spread, the contract part)."""

from rlplay.demos.cartpole.contract import CONTRACT
from rlplay.demos.cartpole.driver import (
    ALGOS,
    DQN_STEP_BUDGET,
    MAX_EPISODE_STEPS,
    SOLVED_MEAN_LENGTH,
    SOLVED_WINDOW,
    CartpoleConfig,
    CartpoleDemo,
    train_until_solved,
)
from rlplay.demos.cartpole.scenes import RUN, SCENES

Demo = CartpoleDemo
Config = CartpoleConfig

__all__ = [
    "CONTRACT",
    "RUN",
    "SCENES",
    "Config",
    "Demo",
    "ALGOS",
    "CartpoleConfig",
    "CartpoleDemo",
    "DQN_STEP_BUDGET",
    "MAX_EPISODE_STEPS",
    "SOLVED_MEAN_LENGTH",
    "SOLVED_WINDOW",
    "train_until_solved",
]
