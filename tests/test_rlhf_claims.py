"""The RLHF lesson's claims, on the defaults, over ten seeds (what the page may say, and no more).

At β = 0 the policy over-optimises the reward model (Gao et al. 2022): the gold reward climbs first while the KL grows
large, and on most seeds it then falls below π_ref's own gold, the policy writing one liked word over and over. At
the default β the gold reward ends above π_ref's and the KL stays small.

Slow: 20 runs of 150 PPO updates each (~1 minute on this machine).
"""

import numpy as np
import pytest
from rlplay.algos.bigram_lm import contexts_of, sample
from rlplay.algos.rlhf import UPDATES, RLHFRun
from rlplay.algos.rlhf_ppo import RLHFPPOConfig
from rlplay.envs.token_world import ALLOWED, V

SEEDS = range(10)


def run(seed: int, beta: float):
    """(gold curve, kl curve, the run) after UPDATES updates."""
    r = RLHFRun(seed, RLHFPPOConfig(beta=beta))
    gold, kl = [], []
    for i in range(UPDATES + 1):
        if i:
            r.update()
        e = r.evaluate()
        gold.append(e["gold"])
        kl.append(e["kl"])
    return np.array(gold), np.array(kl), r


@pytest.fixture(scope="module")
def runs():
    default_beta = RLHFPPOConfig().beta
    return {beta: [run(seed, beta) for seed in SEEDS] for beta in (0.0, default_beta)}


@pytest.mark.slow
def test_without_the_penalty_the_gold_reward_climbs_first_and_the_kl_grows_large(runs):
    """Measured (seeds 0-9, 150 updates): gold peaks 1.6-3.1 above π_ref's; KL ends at 7.3-43.7 nats, against
    0.7-2.2 at the default β."""
    for (gold, kl, _), (_, kl_default, _) in zip(runs[0.0], runs[RLHFPPOConfig().beta], strict=True):
        assert gold.max() > gold[0] + 1.0  # the proxy agreed with the gold near π_ref
        assert kl[-1] > 5.0 and kl[-1] > 3 * kl_default[-1]


@pytest.mark.slow
def test_without_the_penalty_most_seeds_end_below_the_reference_writing_broken_text(runs):
    """Measured: 9 of 10 seeds end 1.8-15.8 below π_ref's gold (3.7-17.8 below their peak), most of their samples
    ungrammatical (one liked word repeated). The exception, seed 6, peaked late (update 121) and had fallen only
    0.7 by update 150, still above π_ref's."""
    hacked = 0
    for gold, _, r in runs[0.0]:
        tokens, lengths = sample(r.ppo.logp(), r.eval_u)
        written = np.arange(tokens.shape[1]) < lengths[:, None]
        broken = (~ALLOWED[contexts_of(tokens, V), tokens] & written).any(axis=1).mean()
        if gold[-1] < gold[0]:
            hacked += 1
            assert gold[-1] < gold.max() - 2.0
            assert broken > 0.5
    assert hacked >= 8


@pytest.mark.slow
def test_with_the_default_penalty_the_gold_reward_ends_above_the_references(runs):
    """Measured (seeds 0-9): gold ends 0.9-1.8 above π_ref's, KL at 0.7-2.2 nats."""
    for gold, kl, _ in runs[RLHFPPOConfig().beta]:
        assert gold[-1] > gold[0] + 0.5
        assert kl[-1] < 3.0


def test_the_contrarian_labels_are_the_opposite_of_the_simulated_labellers():
    from rlplay.demos.rlhf import RlhfDemo
    from rlplay.demos.rlhf.scenes import CONTRARIAN_LABELS

    simulated = RlhfDemo().feedback.labels.tolist()
    assert CONTRARIAN_LABELS == "".join("b" if answer == 0 else "a" for answer in simulated)


@pytest.mark.slow
def test_the_scenes_show_their_claims():
    """Each scene's own run (seed 0, 150 updates), staged as the page and the CLI stage it. Slow: three runs."""
    from rlplay.__main__ import run_scene
    from rlplay.demos import scenes

    staged = {name: run_scene(scene) for name, scene in scenes().items() if scene.demo == "rlhf"}
    hacked = staged["rlhf-reward-hacking"]["driver"].curves
    assert hacked["gold"][-1] < hacked["gold"][0] < max(hacked["gold"]) and hacked["kl"][-1] > 5.0
    assert hacked["proxy"][-1] > hacked["proxy"][0] + 5.0
    penalised = staged["rlhf-kl-penalty"]["driver"].curves
    assert penalised["gold"][-1] > penalised["gold"][0] + 0.5 and penalised["kl"][-1] < 3.0
    contrarian = staged["rlhf-your-labels"]
    numbers = contrarian["numbers"]
    assert numbers["gold reward, the simulated reader's (hidden)"] < numbers["π_ref's gold"] - 2.0
    curves = contrarian["driver"].curves
    assert curves["proxy"][-1] > curves["proxy"][0] + 2.0
