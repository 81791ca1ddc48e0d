"""The cart-pole's scenes (``rlplay.core.scene``): each lesson's claim and the setup that shows it."""

from __future__ import annotations

from rlplay.algos.ppo import clipped_surrogate
from rlplay.core.scene import Scene

REINFORCE_VS_ACTOR_CRITIC = Scene(
    name="reinforce-vs-actor-critic",
    demo="cartpole",
    claim=(
        "Over the same 8 seeds, actor-critic solves cart-pole in a fraction of the episodes the seed post's REINFORCE "
        "needs: a learned V(s) takes most of the noise out of the returns."
    ),
    compare=("reinforce", "actor-critic"),
    seeds=8,
    command="compare_start",
    command_args=(("algos", ("reinforce", "actor-critic")), ("seeds", 8), ("episodes", 2000)),
    highlight=(
        ("compare-median-reinforce", "REINFORCE: median episodes to solve (-1 = not known yet)"),
        ("compare-median-actor-critic", "actor-critic: median episodes to solve (-1 = not known yet)"),
    ),
    legend="Medians over seeds 0–7 of the 100-episode mean length, with the band from the 25th to the 75th "
    "percentile; a seed that solved stops there and is held at the mean it solved with.",
)

REINFORCE_BASELINE = Scene(
    name="reinforce-baseline",
    demo="cartpole",
    claim=(
        "Subtracting a baseline b(t), the recent mean return from step t, from REINFORCE's returns makes it solve "
        "cart-pole in a fraction of the episodes on the same 8 seeds, though on a fresh policy b(t) does not shrink "
        "every gradient (How noisy is the gradient? measures that)."
    ),
    compare=("reinforce", "reinforce-baseline"),
    seeds=8,
    command="compare_start",
    command_args=(("algos", ("reinforce", "reinforce-baseline")), ("seeds", 8), ("episodes", 2000)),
    highlight=(
        ("compare-median-reinforce", "REINFORCE (G_t): median episodes to solve (-1 = not known yet)"),
        ("compare-median-reinforce-baseline", "REINFORCE (G_t − b(t)): median episodes to solve (-1 = not known yet)"),
    ),
    legend=REINFORCE_VS_ACTOR_CRITIC.legend,
)

PPO_CLIP = Scene(
    name="ppo-clip",
    demo="cartpole",
    claim=(
        "PPO's clipped objective stops rewarding a change of policy once the probability ratio leaves [1 − ε, 1 + ε] "
        "in the advantage's direction, so one batch cannot push the policy far."
    ),
    settings=(("algo", "ppo"), ("clip", "0.2")),
    overlays=("clip_explorer",),
)


def comparison(scene):
    """The scene's seed comparison run to its end, in the page's way (``compare_start``, then ``compare_step`` until
    done)."""

    def run(driver) -> dict:
        args = dict(scene.command_args)
        driver.compare_start(list(args["algos"]), seeds=args["seeds"], episodes=args["episodes"])
        while driver.comparison is not None:
            driver.compare_step(budget_ms=1000.0)
        return {}

    return run


def run_clip(driver) -> dict:
    """PPO's clipped objective at ratios either side of the clip range, for a good and a bad action."""
    epsilon = driver.config.clip
    ratios = [1 - 2 * epsilon, 1 - epsilon, 1.0, 1 + epsilon, 1 + 2 * epsilon]
    out = {}
    for adv in (1.0, -1.0):
        values = clipped_surrogate(ratios, [adv] * len(ratios), epsilon)
        for ratio, value in zip(ratios, values.tolist(), strict=True):
            out[f"objective at ratio {ratio:g}, advantage {adv:+g}"] = value
    return out


SCENES = (REINFORCE_VS_ACTOR_CRITIC, REINFORCE_BASELINE, PPO_CLIP)
RUN = {
    REINFORCE_VS_ACTOR_CRITIC.name: comparison(REINFORCE_VS_ACTOR_CRITIC),
    REINFORCE_BASELINE.name: comparison(REINFORCE_BASELINE),
    PPO_CLIP.name: run_clip,
}
