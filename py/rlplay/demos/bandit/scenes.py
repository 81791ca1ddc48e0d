"""The bandit's scenes (``rlplay.core.scene``): each lesson's claim and the setup that shows it."""

from __future__ import annotations

from rlplay.core.scene import Scene

UCB_REGRET = Scene(
    name="bandit-ucb-regret",
    demo="bandit",
    claim=(
        "Averaged over 200 races on 10 arms, UCB's regret bends over (it grows about like log t) while ε-greedy's "
        "keeps climbing in a straight line: exploring by uncertainty stops paying for arms it has ruled out "
        "(Figure 2.4's lesson)."
    ),
    settings=(("arms", "10"), ("runs", "200"), ("horizon", "1000")),
    compare=("epsilon-greedy", "ucb"),
    seeds=200,
    overlays=("logx",),
    speed="max",
    highlight=(
        ("regret-epsilon-greedy", "ε-greedy: regret after 1,000 pulls (mean of 200 races)"),
        ("regret-ucb", "UCB: regret after 1,000 pulls (mean of 200 races)"),
    ),
)

SCENES = (UCB_REGRET,)
RUN: dict = {}  # advance to the horizon (the bandit ends by itself)
