"""The bandit race: ε-greedy, softmax and UCB on the same arms (driver and contract part)."""

from rlplay.demos.bandit.contract import CONTRACT
from rlplay.demos.bandit.driver import EDITABLE, LANES, BanditConfig, BanditDemo, BanditRace

Demo = BanditDemo
Config = BanditConfig

__all__ = [
    "CONTRACT",
    "Config",
    "Demo",
    "BanditConfig",
    "BanditDemo",
    "BanditRace",
    "EDITABLE",
    "LANES",
]
