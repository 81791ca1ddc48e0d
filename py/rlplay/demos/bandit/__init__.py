"""The bandit race: ε-greedy, softmax and UCB on the same arms (driver and contract part)."""

from rlplay.demos.bandit.contract import CONTRACT
from rlplay.demos.bandit.driver import EDITABLE, LANES, BanditConfig, BanditDemo, BanditRace
from rlplay.demos.bandit.scenes import RUN, SCENES

Demo = BanditDemo
Config = BanditConfig
STUDIES = ("bandit-parameter-study",)
"""The parameter studies (``rlplay.studies``) this demo's page section offers: Figure 2.6."""

__all__ = [
    "CONTRACT",
    "RUN",
    "SCENES",
    "Config",
    "STUDIES",
    "Demo",
    "BanditConfig",
    "BanditDemo",
    "BanditRace",
    "EDITABLE",
    "LANES",
]
