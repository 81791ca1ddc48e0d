"""The toy demo: a biased coin, the smallest demo that keeps the whole contract (driver and contract part)."""

from rlplay.demos.toy.contract import CONTRACT
from rlplay.demos.toy.driver import ToyConfig, ToyDemo

Demo = ToyDemo
Config = ToyConfig

__all__ = ["CONTRACT", "Config", "Demo", "ToyConfig", "ToyDemo"]
