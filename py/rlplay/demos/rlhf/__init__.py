"""RLHF in miniature: a bigram language model, a Bradley–Terry reward model and PPO with a KL penalty (driver and
contract part)."""

from rlplay.demos.rlhf.config import RlhfConfig
from rlplay.demos.rlhf.contract import CONTRACT
from rlplay.demos.rlhf.driver import EDITABLE, RlhfDemo
from rlplay.demos.rlhf.scenes import RUN, SCENES

Demo = RlhfDemo
Config = RlhfConfig

__all__ = ["CONTRACT", "RUN", "SCENES", "Config", "Demo", "EDITABLE", "RlhfConfig", "RlhfDemo"]
