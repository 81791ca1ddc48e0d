"""The gridworld's scenes (``rlplay.core.scene``): each lesson's claim and the setup that shows it.

``RUN[name](driver)`` stages a scene natively, as the page does, up to where its claim is read, and returns any
numbers of the claim that are not figures (the CLI's ``--scene`` and the tests call it); a scene without one runs
``advance(scene.steps)``.
"""

from __future__ import annotations

from rlplay.core.scene import Scene
from rlplay.demos.gridworld.average import PATH_WINDOW


def run_to_end(driver) -> dict:
    """The averaging job to its last run (``advance`` returns 0 once it is done)."""
    while driver.advance(1_000_000):
        pass
    return {}


def run_planner(driver) -> dict:
    """Value iteration sweep by sweep until Δ < θ (``plan_step`` returns 0 once planning is done)."""
    while driver.plan_step(1):
        pass
    return {}


CLIFF = Scene(
    name="cliff-sarsa-vs-q",
    demo="gridworld",
    claim=(
        "On the cliff (Sutton & Barto's Figure 6.4) SARSA earns more per episode than Q-learning while both explore: "
        "Q-learning learns the path along the edge and its random steps fall off, SARSA learns the safe path."
    ),
    settings=(
        ("preset", "cliff"),
        ("algo", "q-learning"),
        ("alpha", "0.5"),
        ("epsilon", "0.1"),
        ("compare", "sarsa"),
        ("compare_alpha", "0.5"),
        ("compare_epsilon", "0.1"),
        ("seeds", "50"),
        ("episodes", "500"),
    ),
    compare=("q-learning", "sarsa"),
    seeds=50,
    overlays=("show_path", "show_optimal_path"),
    speed="max",
    highlight=(
        ("average-return-a", "Q-learning: mean return of the last 100 episodes, 50 seeds"),
        ("average-return-b", "SARSA: mean return of the last 100 episodes, 50 seeds"),
    ),
    legend=(
        "The grid shows seed 0's run, live while the 50 seeds are averaged: each learner's path is its most "
        f"frequent greedy path (argmax Q, first maximum on ties) over its last {PATH_WINDOW} episodes, which stays "
        "put where the greedy path of the moment flickers."
    ),
)

VALUE_ITERATION = Scene(
    name="value-iteration-sweeps",
    demo="gridworld",
    claim=(
        "Value iteration finds V* one sweep at a time: each sweep's largest change Δ shrinks, and once Δ is below "
        "θ = 10⁻⁶ V*'s greedy policy walks a shortest path."
    ),
    settings=(("plan", "value-iteration"),),
    command="plan_step",
    command_args=(("n", 1),),
    overlays=("show_optimal",),  # V*: the sweeps' values, not the learned V
    highlight=(("plan-sweeps", "sweeps until Δ < θ"), ("optimal-path-length", "V*'s path, moves")),
)

DYNA_Q = Scene(
    name="dyna-q-planning",
    demo="gridworld",
    claim=(
        "After the same 1,200 steps on the same seed and random numbers, Dyna-Q, replaying 10 remembered moves after "
        "each real step, walks the optimal path while Q-learning, about a dozen episodes in, does not yet (Figure "
        "8.2's lesson)."
    ),
    settings=(("algo", "dyna-q"), ("planning_steps", "10"), ("compare", "q-learning")),
    compare=("dyna-q", "q-learning"),
    steps=1200,
    overlays=("show_path", "show_optimal_path"),
    speed="50",
    highlight=(
        ("greedy-path-length", "Dyna-Q: greedy path, moves (-1 = does not reach the goal)"),
        ("b-greedy-path-length", "Q-learning: greedy path, moves (-1 = does not reach the goal)"),
        ("optimal-path-length", "the optimal path, moves"),
        ("episode", "Dyna-Q: episodes"),
        ("b-episode", "Q-learning: episodes"),
    ),
)

SCENES = (CLIFF, VALUE_ITERATION, DYNA_Q)
RUN = {CLIFF.name: run_to_end, VALUE_ITERATION.name: run_planner}  # the others: advance(scene.steps)
