"""The RLHF demo driver: its unit of work, live and fresh settings, user labels, the β sweep, the Code panel, the CLI."""

import json

import numpy as np
import pytest
from rlplay.__main__ import main
from rlplay.algos.rlhf import SWEEP_BETAS, RLHFRun, run_curve
from rlplay.algos.rlhf_ppo import RLHFPPOConfig
from rlplay.app import bridge
from rlplay.demos.rlhf import RlhfConfig, RlhfDemo
from rlplay.params import from_params
from snapshots import bridge_call


@pytest.fixture(autouse=True)
def fresh_bridge():
    bridge._drivers.clear()
    yield
    bridge._drivers.clear()


call = bridge_call  # tests/snapshots.py


def test_work_cut_into_calls_gives_the_same_run_and_stops_at_the_end():
    whole, cut = RlhfDemo(RlhfConfig(updates=10)), RlhfDemo(RlhfConfig(updates=10))
    assert whole.advance(7) == 7
    assert cut.advance(3) + cut.advance(4) == 7
    assert whole.curves == cut.curves
    assert whole.advance(100) == 3 and whole.advance(5) == 0
    snapshot = whole.snapshot(4)
    assert snapshot["figures"]["steps"] == 10 and snapshot["figures"]["episode"] == 640
    assert snapshot["curve_offset"] == 4 and snapshot["kl"].tolist() == whole.curves["kl"][4:]
    assert snapshot["figures"]["gold-reward-peak"] == max(whole.curves["gold"])
    # the driver's run is the algorithm's run, number for number
    assert whole.curves == run_curve(0, RLHFPPOConfig(), 10)


def test_beta_and_lr_apply_from_the_next_update_other_settings_start_again():
    demo = RlhfDemo(RlhfConfig(updates=20))
    demo.advance(5)
    kept = {key: list(values) for key, values in demo.curves.items()}
    assert demo.configure(beta=0.0, lr=0.02) == []
    assert demo.run.ppo.config.beta == 0.0 and demo.run.ppo.actor_optimizer.lr == 0.02
    demo.advance(2)
    assert {key: values[:6] for key, values in demo.curves.items()} == kept
    assert demo.snapshot()["notice_codes"] == ["beta-zero"]
    demo.advance(10)
    assert demo.configure(updates=10) == ["updates"] and demo.steps == 0
    assert demo.configure(seed=1) == ["seed"]
    with pytest.raises(ValueError, match="unknown rlhf settings"):
        demo.configure(colour="red")


def test_user_labels_come_from_the_url_and_stay_on_their_pairs():
    config, notices = from_params(RlhfConfig, {"labeller": "user", "labels": "ab-b", "pairs": "16"})
    assert notices == [] and config.answers()[:5] == [0, 1, -1, 1, -1] and len(config.answers()) == 16
    demo = RlhfDemo(config)
    np.testing.assert_array_equal(demo.feedback.labels[:5], [0, 1, -1, 1, -1])
    snapshot = demo.snapshot()
    assert "gold-reward" not in snapshot["figures"] and snapshot["pair_labels"].tolist()[:4] == [0, 1, -1, 1]
    assert np.abs(demo.feedback.phi).max() > 0  # fitted on the three labelled pairs
    # pair i is the same pair whatever the number offered, so a link's labels keep their meaning
    assert RlhfDemo(RlhfConfig(pairs=64)).snapshot()["pairs"][:16] == snapshot["pairs"]
    nothing = RlhfDemo(RlhfConfig(labeller="user"))
    assert nothing.snapshot()["notice_codes"] == ["no-labels"]
    np.testing.assert_array_equal(nothing.feedback.phi, 0.0)
    for bad in ("abc", "a" * 17, "AB"):
        config, notices = from_params(RlhfConfig, {"labeller": "user", "pairs": "16", "labels": bad})
        assert config.labels == "" and len(notices) == 1 and "labels" in notices[0]


def test_the_sweep_runs_each_beta_as_its_own_run_would():
    demo = RlhfDemo(RlhfConfig(updates=10))
    progress = {"done": 0}
    while progress["done"] < 10 * len(SWEEP_BETAS):
        progress = demo.sweep(budget_ms=50)
    sweep = demo.snapshot()["sweep"]
    assert sweep["betas"] == list(SWEEP_BETAS) and sweep["done"] == sweep["total"] == 70
    demo.advance(10)
    at_default = SWEEP_BETAS.index(demo.config.beta)
    for key in ("kl", "proxy", "gold"):
        assert sweep[key][at_default] == demo.curves[key]
    assert sweep["kl"][0] == run_curve(0, RLHFPPOConfig(beta=0.0), 10)["kl"]
    with pytest.raises(ValueError, match="budget_ms"):
        demo.sweep(budget_ms="soon")


def test_a_recorded_sweep_replays_to_the_same_updates():
    """The page records each sweep call by the updates it reached (``until``): replayed after a worker restart, the
    sweep comes back to exactly those updates and the same curves as the sweep made in budgeted calls."""
    budgeted, replayed = RlhfDemo(RlhfConfig(updates=10)), RlhfDemo(RlhfConfig(updates=10))
    reached = []
    while not reached or reached[-1] < 23:
        reached.append(budgeted.sweep(budget_ms=1)["done"])
    for until in reached:
        assert replayed.sweep(until=until) == {"done": until, "total": 70}
    assert replayed.snapshot()["sweep"] == budgeted.snapshot()["sweep"]
    assert replayed.sweep(until=reached[-1] - 1)["done"] == reached[-1]  # a sweep never goes back
    for bad in (-1, 2.5, True, "9"):
        with pytest.raises(ValueError, match="until"):
            replayed.sweep(until=bad)


def test_the_cli_prints_the_figures_of_the_same_run(capsys):
    assert main(["rlhf", "--beta", "0", "--seed", "2", "--steps", "6", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)["figures"]
    demo = RlhfDemo(RlhfConfig(beta=0.0, seed=2))
    demo.advance(6)
    assert figures == demo.snapshot()["figures"]
    # without --steps: the whole run
    assert main(["rlhf", "--updates", "10", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["figures"]["steps"] == 10


DOUBLE_PENALTY = """
def kl_penalised_rewards(proxy, log_ratio, last, beta):
    rewards = -2 * beta * log_ratio
    rewards[last] += proxy
    return rewards
"""


def test_an_edited_penalty_runs_from_the_next_update_and_a_broken_one_changes_nothing():
    call("rlhf", "create", params={"updates": "10"})
    payload, _ = call("rlhf", "set_code", name="kl_penalised_rewards", source=DOUBLE_PENALTY)
    assert "error" not in payload
    payload, _ = call("rlhf", "step", n=3)
    edited = bridge._drivers["rlhf"].curves["kl"]
    reference = run_curve(0, RLHFPPOConfig(), 3)["kl"]
    assert edited[1] == reference[1]  # update 1 samples π_ref, where the log-ratio is 0 whatever its factor
    assert edited[3] != reference[3]
    broken = DOUBLE_PENALTY.replace("return rewards", "return rewards[:1]")
    call("rlhf", "set_code", name="kl_penalised_rewards", source=broken)
    payload, _ = call("rlhf", "step", n=2)
    assert payload["error"]["kind"] == "code" and "shape" in payload["error"]["message"]
    assert bridge._drivers["rlhf"].steps == 3  # the failed update was undone


def test_an_edited_bradley_terry_loss_refits_the_reward_model_and_starts_over():
    call("rlhf", "create", params={"updates": "10"})
    call("rlhf", "step", n=4)
    before = bridge._drivers["rlhf"].feedback.phi.copy()
    # the loss without its L2 term: a different minimum
    source = (
        "def bradley_terry_loss(phi, f_winner, f_loser, l2):\n"
        "    return _reference(phi, f_winner, f_loser, 0.0)\n"
        "from rlplay.algos.reward_model import bradley_terry_loss as _reference\n"
    )
    payload, _ = call("rlhf", "set_code", name="bradley_terry_loss", source=source)
    assert "error" not in payload
    payload, _ = call("rlhf", "step", n=2)
    driver = bridge._drivers["rlhf"]
    assert driver.steps == 2 and not np.array_equal(driver.feedback.phi, before)
    assert np.abs(driver.feedback.phi).max() > np.abs(before).max()  # without the penalty the scores grow
    assert RLHFRun(0, RLHFPPOConfig()).phi.tolist() == before.tolist()
