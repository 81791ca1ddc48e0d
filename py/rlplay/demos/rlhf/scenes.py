"""The RLHF demo's scenes (``rlplay.core.scene``): each lesson's claim and the setup that shows it.

The claims are checked over ten seeds in ``tests/test_rlhf_claims.py`` (β = 0 and the default β), and each scene's
own run in ``tests/test_rlhf_claims.py::test_the_scenes_show_their_claims``.
"""

from __future__ import annotations

from rlplay.core.scene import Scene

# The answers of a reader who prefers complaints: the opposite of the simulated labeller's on seed 0's 64 pairs
# (``RlhfDemo().feedback.labels``, 0 → "b", 1 → "a"); tests/test_rlhf_claims.py checks they still are.
CONTRARIAN_LABELS = "bbaabbababaabbbabaabaabbbbabaaabbaabbabbabbbabababbbabbbaaaaaabb"

REWARD_HACKING = Scene(
    name="rlhf-reward-hacking",
    demo="rlhf",
    claim=(
        "With β = 0 nothing holds the model near π_ref: the gold reward climbs at first, then, as the KL grows "
        "large, falls below π_ref's own while the proxy keeps rising, the model writing one liked word over and over "
        "(on 9 of 10 seeds; Gao et al. 2022's over-optimisation)."
    ),
    settings=(("beta", "0"),),
    seeds=10,
    speed="max",
    highlight=(
        ("proxy-reward", "proxy reward after 150 updates"),
        ("gold-reward", "gold reward after 150 updates"),
        ("gold-reward-peak", "the gold reward's peak"),
        ("kl", "KL(π_θ ‖ π_ref), nats"),
    ),
)

KL_PENALTY = Scene(
    name="rlhf-kl-penalty",
    demo="rlhf",
    claim=(
        "With the default β = 0.5 the KL stays small and the gold reward ends above π_ref's: the penalty gives up "
        "proxy reward the labeller would not have agreed with, and the model stays readable."
    ),
    settings=(("beta", "0.5"),),
    seeds=10,
    speed="max",
    highlight=(
        ("proxy-reward", "proxy reward after 150 updates"),
        ("gold-reward", "gold reward after 150 updates"),
        ("kl", "KL(π_θ ‖ π_ref), nats"),
    ),
)

YOUR_LABELS = Scene(
    name="rlhf-your-labels",
    demo="rlhf",
    claim=(
        "The model learns whoever labels: a reader who prefers complaints (the opposite answer on every pair) makes "
        "the reward model reward complaints, and PPO tunes the model to write them, far below the simulated "
        "reader's gold reward of π_ref."
    ),
    settings=(("labeller", "user"), ("labels", CONTRARIAN_LABELS)),
    speed="max",
    highlight=(
        ("proxy-reward", "your reward model's score after 150 updates"),
        ("kl", "KL(π_θ ‖ π_ref), nats"),
    ),
    legend="The labels in the link are a contrarian's: clear them (Settings) and label the pairs yourself.",
)


def _gold(driver) -> dict:
    """The run to its end, and the hidden gold reward the figures leave out when the user labels."""
    while driver.advance(1000):
        pass
    return {
        "gold reward, the simulated reader's (hidden)": driver.curves["gold"][-1],
        "π_ref's gold": driver.curves["gold"][0],
    }


SCENES = (REWARD_HACKING, KL_PENALTY, YOUR_LABELS)
RUN: dict = {YOUR_LABELS.name: _gold}  # the others: to the run's end (the driver ends by itself)
