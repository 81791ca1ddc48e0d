"""The gridworld demo: tabular learners beside value iteration's exact answer (driver, code slots, the seed
average, the planner, the contract part)."""

from rlplay.demos.gridworld.contract import CONTRACT
from rlplay.demos.gridworld.driver import (
    RULES,
    GridworldConfig,
    GridworldDemo,
    format_cells,
    format_paint,
    parse_cells,
    parse_paint,
)

Demo = GridworldDemo
Config = GridworldConfig

__all__ = [
    "CONTRACT",
    "Config",
    "Demo",
    "GridworldConfig",
    "GridworldDemo",
    "RULES",
    "format_cells",
    "format_paint",
    "parse_cells",
    "parse_paint",
]
