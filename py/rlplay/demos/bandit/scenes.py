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

OPTIMISTIC = Scene(
    name="bandit-optimistic",
    demo="bandit",
    claim=(
        "With a constant step size α = 0.1, over 500 races on 10 arms, greedy with optimistic Q₀ = 5 tries every arm "
        "while its estimates come down: it pulls the best arm at pull 11 in over half the races, then for a few pulls "
        "in almost none, below realistic ε-greedy (Q₀ = 0, ε = 0.1), and from pull 150 on it stays ahead, ending "
        "above 85% optimal against ε-greedy's under 50% (Figure 2.3's lesson)."
    ),
    settings=(
        ("arms", "10"),
        ("runs", "500"),
        ("horizon", "1000"),
        ("epsilon", "0.1"),
        ("q0", "5"),
        ("step_size", "constant"),
        ("alpha", "0.1"),
    ),
    compare=("optimistic-greedy", "epsilon-greedy"),
    seeds=500,
    hidden=("show_softmax", "show_ucb"),  # the charts plot the two learners of the claim (Plot brings the others back)
    speed="max",
    highlight=(
        ("optimal-share-optimistic-greedy", "optimistic greedy: % optimal action over the last 100 pulls"),
        ("optimal-share-epsilon-greedy", "ε-greedy: % optimal action over the last 100 pulls"),
    ),
)

SPIKE, DIP = 11, slice(11, 20)  # pull 11 (index 10), the first greedy pull after one of each arm; pulls 12-20


def figure_2_3(driver) -> dict:
    """The race to its end, and the numbers of the claim read from its "% optimal action" curves."""
    while driver.advance(1_000_000):
        pass
    share = dict(zip(driver.snapshot()["lanes"], driver.race.curve_optimal_share[:, : driver.race.pulls], strict=True))
    optimistic, epsilon_greedy = share["optimistic-greedy"], share["epsilon-greedy"]
    behind = (optimistic <= epsilon_greedy).nonzero()[0]
    return {
        "optimistic greedy at pull 11": float(optimistic[SPIKE - 1]),
        "ε-greedy at pull 11": float(epsilon_greedy[SPIKE - 1]),
        "optimistic greedy's lowest, pulls 12-20": float(optimistic[DIP].min()),
        "ε-greedy's mean, pulls 12-20": float(epsilon_greedy[DIP].mean()),
        "the pull from which optimistic greedy stays ahead": int(behind[-1]) + 2 if len(behind) else 1,
    }


SCENES = (UCB_REGRET, OPTIMISTIC)
RUN: dict = {OPTIMISTIC.name: figure_2_3}  # the others: advance to the horizon (the bandit ends by itself)
