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
from rlplay.demos.gridworld.scenes import RUN, SCENES

Demo = GridworldDemo
Config = GridworldConfig
STUDIES = ("cliff-alpha-study",)
"""The parameter studies (``rlplay.studies``) this demo's page section offers: Figure 6.3 (interim)."""

__all__ = [
    "CONTRACT",
    "RUN",
    "SCENES",
    "Config",
    "STUDIES",
    "Demo",
    "GridworldConfig",
    "GridworldDemo",
    "RULES",
    "format_cells",
    "format_paint",
    "parse_cells",
    "parse_paint",
]
