"""Parameter studies: the textbook's figures' shapes, exact batch twins, and the same numbers however a study runs.

The fast tests run small studies (a few runs, few episodes or pulls); the figures' shapes need the full studies and
are in the slow lane (each says why and how long).
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from rlplay.algos.constant_step_size import constant_step_update
from rlplay.algos.gradient_bandit import action_probabilities, gradient_bandit_update
from rlplay.app import bridge, contract
from rlplay.studies import STUDIES, StudyResults, report, run_study, run_study_to_end, tasks
from rlplay.studies import bandit_parameters as bandit
from rlplay.studies import cliff_alpha as cliff
from rlplay.studies.job import StudyJob

CLIFF = STUDIES["cliff-alpha-study"]
BANDIT = STUDIES["bandit-parameter-study"]
SMALL = {
    "cliff-alpha-study": CLIFF.settings(runs=3, episodes=5),
    "bandit-parameter-study": BANDIT.settings(runs=5, pulls=40),
}


def results_of(study, config, **options) -> list[np.ndarray]:
    results = run_study_to_end(study, config, **options)
    assert results.done and not results.cancelled
    return results.results


# -- the learners the bandit study adds, against their oracles ----------------------------------------------------
def test_gradient_bandit_expected_update_is_the_gradient_of_expected_reward():
    """§2.8: E[ΔH(a)] = α ∂E[R]/∂H(a) for any baseline; E over A ~ π, with R = q*(A) (noise has mean 0)."""
    q_star = [0.3, -1.2, 0.8, 0.1]
    H = [0.2, -0.4, 0.5, 0.0]
    alpha, baseline = 0.5, 0.37
    pi = action_probabilities(H)
    expected_step = [0.0] * 4
    for arm, p in enumerate(pi):
        moved = list(H)
        gradient_bandit_update(moved, pi, arm, q_star[arm], baseline, alpha)
        expected_step = [e + p * (m - h) for e, m, h in zip(expected_step, moved, H, strict=True)]

    def expected_reward(h):
        return sum(p * q for p, q in zip(action_probabilities(h), q_star, strict=True))

    for a in range(4):
        eps = 1e-6
        up, down = list(H), list(H)
        up[a] += eps
        down[a] -= eps
        gradient = (expected_reward(up) - expected_reward(down)) / (2 * eps)
        assert expected_step[a] == pytest.approx(alpha * gradient, abs=1e-8)


def test_constant_step_update_is_the_recency_weighted_average():
    """eq. 2.6: Q_{n+1} = (1 − α)ⁿ Q₁ + Σ_i α (1 − α)^(n−i) R_i."""
    alpha, Q1, rewards = 0.1, 5.0, [1.0, -0.5, 2.0, 0.25, 0.0, 1.5]
    Q = [0.0, Q1]
    for r in rewards:
        constant_step_update(Q, 1, r, alpha)
    n = len(rewards)
    weighted = (1 - alpha) ** n * Q1 + sum(alpha * (1 - alpha) ** (n - i) * r for i, r in enumerate(rewards, 1))
    assert Q == [0.0, pytest.approx(weighted, rel=1e-12)]


def test_bandit_batch_equals_the_plain_reference_bit_for_bit():
    """Every method at every value: the vectorised runs give the one-run reference's numbers exactly."""
    config = BANDIT.settings(runs=4, pulls=120)
    for method in bandit.methods(config):
        for value in method.values:
            batch, pulls = bandit.measure(config, method.name, value, range(4))
            plain = [bandit.one_run(config, method.name, value, run) for run in range(4)]
            assert batch == plain, (method.name, value)
            assert pulls == 4 * 120


@pytest.mark.parametrize("name", SMALL)
def test_a_runs_result_does_not_depend_on_its_task(name):
    """Run 3 alone, in a task of runs 0..4, or of 2..3: the same number (each run has its own random streams)."""
    study, config = STUDIES[name], SMALL[name]
    for method in study.methods(config)[:2]:
        value = method.values[-1]
        together, _ = study.measure(config, method.name, value, range(5 if name.startswith("bandit") else 3))
        alone, _ = study.measure(config, method.name, value, range(2, 3))
        assert together[2] == alone[0]


def test_common_random_numbers_and_distinct_runs():
    """Run i is one bandit for every method; runs differ; the testbed is the book's (means ~ N(0, 1))."""
    config = BANDIT.settings(runs=400, pulls=1)
    first = [bandit.draw_run(config, run)[0][0] for run in range(400)]
    assert np.array_equal(bandit.draw_run(config, 7)[0], bandit.draw_run(config, 7)[0])
    assert not np.array_equal(first[0], first[1])
    # one pull's rewards are q*(a) + z: mean 0, variance 1 + 1 over arms and runs (10 · 400 draws: ±0.05 is 3 SE)
    pooled = np.concatenate(first)
    assert abs(pooled.mean()) < 0.07
    assert abs(pooled.var() - 2.0) < 0.2


def test_configs_refuse_values_out_of_range():
    with pytest.raises(ValueError, match="runs must be between 1 and"):
        CLIFF.settings(runs=0)
    with pytest.raises(ValueError, match="epsilon must be between 0 and 1"):
        CLIFF.settings(epsilon=1.5)
    with pytest.raises(ValueError, match="pulls must be a whole number"):
        BANDIT.settings(pulls=10.0)


# -- the runner ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SMALL)
def test_serial_chunked_and_pool_runs_are_bit_identical(name):
    """The same small study serially, cut into other tasks, and on 2 pool workers: identical per-run results."""
    study, config = STUDIES[name], SMALL[name]
    serial = results_of(study, config)
    for got in (results_of(study, config, chunk=2), results_of(study, config, workers=2, chunk=1)):
        for a, b in zip(serial, got, strict=True):
            assert not np.isnan(a).any()
            assert np.array_equal(a, b)


@pytest.mark.slow
def test_serial_pool_and_ray_runs_are_bit_identical():
    """Slow: starts a local Ray cluster (about 10 s). Ray is an optional extra: pip install 'rlplay[ray]'."""
    if os.environ.get("RLPLAY_REQUIRE_RAY"):  # build.py test --slow installs it: there the test must run
        import ray
    else:
        ray = pytest.importorskip("ray", reason="ray is not installed (the optional extra: pip install 'rlplay[ray]')")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        for name, config in SMALL.items():
            study = STUDIES[name]
            serial = results_of(study, config)
            pool = results_of(study, config, workers=2)
            on_ray = results_of(study, config, ray=True, chunk=2)
            for a, b, c in zip(serial, pool, on_ray, strict=True):
                assert np.array_equal(a, b) and np.array_equal(a, c)
    finally:
        ray.shutdown()


def test_partial_results_fill_in_and_progress_is_reported():
    study, config = CLIFF, SMALL["cliff-alpha-study"]
    seen = []
    snapshots = []
    for results in run_study(study, config, progress=lambda r: seen.append(r.progress)):
        curves = results.curves()
        snapshots.append((results.finished, curves["sarsa"]["runs"][0], curves["q-learning"]["mean"][-1]))
    n_tasks = len(tasks(study, config))
    assert len(seen) == n_tasks and seen == sorted(seen) and seen[-1] == 1.0
    # run-major order: after the first sweep of tasks, every point has one run and no SE yet
    first_sweep = n_tasks // config.runs
    assert snapshots[first_sweep - 1][1] == 1 and not math.isnan(snapshots[first_sweep - 1][2])
    assert math.isnan(snapshots[0][2])  # Q-learning at α = 1 was not run yet after the first task


def test_mean_and_standard_error_of_a_point():
    results = run_study_to_end(CLIFF, SMALL["cliff-alpha-study"])
    row = results.results[1][4]  # Expected SARSA, α = 0.5
    curve = results.curves()["expected-sarsa"]
    assert curve["values"][4] == 0.5 and curve["runs"][4] == 3
    assert curve["mean"][4] == pytest.approx(row.mean(), rel=1e-12)
    assert curve["se"][4] == pytest.approx(row.std(ddof=1) / math.sqrt(3), rel=1e-12)
    # every episode on the cliff takes at least the shortest path's 13 steps: 30 points × 3 runs × 5 episodes
    assert results.steps >= 13 * 30 * 3 * 5 and results.summary()["steps"] == results.steps
    bandit_results = run_study_to_end(BANDIT, SMALL["bandit-parameter-study"])
    assert bandit_results.steps == 34 * 5 * 40  # points × runs × pulls
    rows = results.rows()
    assert len(rows) == 3 * 10 * 3
    assert rows[0] == {
        "study": "cliff-alpha-study",
        "method": "sarsa",
        "parameter": "α",
        "value": 0.1,
        "run": 0,
        "result": results.results[0][0, 0],
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_cancel_stops_the_study_early(workers):
    study, config = BANDIT, BANDIT.settings(runs=40, pulls=200)
    answers = iter([False, False, True])
    results = run_study_to_end(study, config, workers=workers, chunk=1, cancel=lambda: next(answers, True))
    assert results.cancelled and not results.done
    assert results.finished == 3  # the third finished task saw the cancel
    total = sum(len(m.values) for m in study.methods(config)) * 40
    assert results.total == total and isinstance(results, StudyResults)


def test_a_job_in_budgeted_calls_gives_the_studys_numbers():
    """The page's way: whole tasks within a time budget per call; the same per-run results as one serial pass."""
    study, config = BANDIT, SMALL["bandit-parameter-study"]
    job = StudyJob(study, config, chunk=2)
    calls = []
    while not job.finished:
        calls.append(job.run(budget_ms=5))
    assert min(calls) >= 1 and sum(calls) == len(tasks(study, config, chunk=2))
    snapshot = job.snapshot()
    assert snapshot["done"] and snapshot["progress"] == 1.0 and snapshot["steps_per_second"] > 0
    for a, b in zip(job.results.results, results_of(study, config), strict=True):
        assert np.array_equal(a, b)
    assert job.run(budget_ms=5) == 0  # finished: nothing more to do


def test_a_cancelled_job_keeps_its_finished_runs_and_does_no_more():
    job = StudyJob(CLIFF, SMALL["cliff-alpha-study"])
    job.run(budget_ms=0)  # one task
    job.cancel()
    assert job.finished and job.snapshot()["cancelled"] and not job.snapshot()["done"]
    assert job.results.finished == 1 and job.run(budget_ms=50) == 0
    assert job.snapshot()["curves"]["sarsa"]["runs"][0] == 1


def test_a_cut_off_episode_is_an_error_not_a_result(monkeypatch):
    monkeypatch.setattr(cliff, "MAX_EPISODE_STEPS", 20)
    with pytest.raises(RuntimeError, match="an episode reached 20 steps"):
        cliff.measure(CLIFF.settings(episodes=3), "sarsa", 0.5, range(1))


# -- the figures ---------------------------------------------------------------------------------------------------
def gap_in_se(curves, better: str, worse: str, i: int) -> float:
    """(mean_better − mean_worse) in standard errors of the difference (runs are paired; this SE ignores it)."""
    b, w = curves[better], curves[worse]
    return (b["mean"][i] - w["mean"][i]) / math.hypot(b["se"][i], w["se"][i])


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_figure_6_3_interim_shape(seed):
    """Slow: the full study, 3 rules × 10 α × 50 runs × 100 episodes (about 7 M steps, 15 s on two cores).

    The book's shape: Expected SARSA at or above SARSA at every α, and above it by far at large α; Q-learning's
    online return the lowest at every α. Checked on the default seed and one more.
    """
    curves = run_study_to_end(CLIFF, CLIFF.settings(seed=seed), workers=min(2, os.cpu_count() or 1)).curves()
    for i, alpha in enumerate(cliff.ALPHAS):
        # "at or above": never below by more than 2 SE (at α = 0.1 the two are within noise of each other)
        assert gap_in_se(curves, "expected-sarsa", "sarsa", i) > -2.0, alpha
        assert curves["q-learning"]["mean"][i] < min(curves["sarsa"]["mean"][i], curves["expected-sarsa"]["mean"][i])
    for i in range(5, 10):  # α ≥ 0.6: Expected SARSA clearly ahead
        assert gap_in_se(curves, "expected-sarsa", "sarsa", i) > 3.0
    # Expected SARSA improves all the way to α = 1 (its best is at the largest α, as in the book)
    assert np.argmax(curves["expected-sarsa"]["mean"]) == 9


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_the_bandit_studys_claim_holds_at_the_pages_defaults(seed):
    """Slow: the page's study (200 runs a point, 6.8 M pulls; 10–30 s a seed) on five seeds: the claim its panel
    makes. Every method is best at an intermediate value; UCB's best is the highest of all, at c = 1/2 or 1."""
    curves = run_study_to_end(BANDIT, BANDIT.settings(seed=seed), workers=min(2, os.cpu_count() or 1)).curves()
    for name, curve in curves.items():
        assert max(curve["mean"]) > max(curve["mean"][0], curve["mean"][-1]), name
    ucb = curves["ucb"]
    assert ucb["values"][int(np.argmax(ucb["mean"]))] in (0.5, 1.0)
    assert max(ucb["mean"]) > max(max(curve["mean"]) for name, curve in curves.items() if name != "ucb")


# Figure 2.6's peaks. The book gives the figure only, on axes 1.0 to 1.5 that read to about ±0.02, so the reference
# numbers are a public reproduction's on the same testbed (q*(a) ~ N(0, 1), unit noise, 10 arms, 1,000 pulls,
# 2,000 runs), whose curves have the book's shape and levels: each method's best value and mean reward there.
# PEAK_TOLERANCE = 0.05: our peak and the reference's are each a mean over 2,000 runs with a SE of about 0.013 (the
# best arm's mean varies from bandit to bandit with sd ≈ 0.6), so their difference has a SE of about 0.019 and 0.05 is
# 2.6 of those; picking the best of several noisy points biases both up by under one SE alike.
# Where: the grid points at which the reference curve is within 0.035 (about 2 SE of a difference) of its peak,
# since between such neighbours 2,000 runs cannot tell which is higher.
PEAK_TOLERANCE = 0.05
NEAR_PEAK = 0.035
REFERENCE = {
    "epsilon-greedy": {1 / 128: 1.175, 1 / 64: 1.209, 1 / 32: 1.285, 1 / 16: 1.306, 1 / 8: 1.253, 1 / 4: 1.112},
    "gradient-bandit": {1 / 32: 1.082, 1 / 16: 1.271, 1 / 8: 1.361, 1 / 4: 1.392, 1 / 2: 1.371, 1: 1.238, 2: 1.012},
    "ucb": {1 / 16: 1.395, 1 / 8: 1.410, 1 / 4: 1.433, 1 / 2: 1.462, 1: 1.463, 2: 1.373, 4: 1.148},
    "optimistic-greedy": {1 / 4: 1.313, 1 / 2: 1.383, 1: 1.443, 2: 1.398, 4: 1.315},
}


@pytest.mark.slow
def test_figure_2_6_peaks():
    """Slow: 2,000 runs × 1,000 pulls at each of the 34 points (2.5 minutes on two busy cores).

    Each method's best value and where it lies, against the reference above; UCB's best is the highest of all
    (softmax, not in the book's figure, included). The brief expected UCB's best near c = 1 to 2: on this testbed it is
    at c = 1/2 to 1 (1.45), and c = 2 is clearly lower (about 1.37), in our runs and in the reference alike.
    """
    start = time.perf_counter()
    curves = run_study_to_end(BANDIT, BANDIT.settings(runs=2000), workers=min(2, os.cpu_count() or 1)).curves()
    print(f"Figure 2.6 study: {time.perf_counter() - start:.1f} s")
    for name, reference in REFERENCE.items():
        curve = curves[name]
        best = int(np.argmax(curve["mean"]))
        print(name, curve["values"][best], round(curve["mean"][best], 3), round(curve["se"][best], 4))
        reference_peak = max(reference.values())
        near = [value for value, mean in reference.items() if mean >= reference_peak - NEAR_PEAK]
        assert curve["values"][best] in near, (name, curve["values"][best], near)
        assert abs(curve["mean"][best] - reference_peak) <= PEAK_TOLERANCE, (name, curve["mean"][best])
        assert curve["se"][best] < 0.02  # 2,000 runs: the SE is well under the tolerance
    ucb_peak = max(curves["ucb"]["mean"])
    for name in ("epsilon-greedy", "gradient-bandit", "optimistic-greedy", "softmax"):
        assert ucb_peak > max(curves[name]["mean"]), name
    # every method is best at an intermediate value: both ends of each curve are below its peak
    for name, curve in curves.items():
        assert max(curve["mean"]) > max(curve["mean"][0], curve["mean"][-1]), name


# -- the command line -----------------------------------------------------------------------------------------------
def test_sweep_json_and_csv_hold_every_runs_result_exactly(tmp_path, capsys):
    """``python -m rlplay sweep`` on 2 workers: its JSON and CSV give the serial study's per-run results bit for bit."""
    from rlplay.studies.sweep import main

    csv_path = tmp_path / "runs.csv"
    args = ["--scene", "bandit-parameter-study", "--runs", "5", "--pulls", "40", "--workers", "2"]
    assert main([*args, "--json", "--csv", str(csv_path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = run_study_to_end(BANDIT, SMALL["bandit-parameter-study"])
    assert printed["settings"] == {"runs": 5, "pulls": 40, "arms": 10, "seed": 0} and printed["done"]
    assert printed["runs"] == expected.rows()
    assert printed["best"] == expected.best() and printed["metric"] == "mean reward over the first 40 pulls"
    with open(csv_path, encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert [float(row["result"]) for row in rows] == [row["result"] for row in expected.rows()]
    assert rows[0]["parameter"] == "ε" and rows[0]["value"] == "0.0078125"


def test_sweep_prints_the_summary_and_refuses_bad_settings(capsys):
    from rlplay.studies.sweep import main

    assert main(["--scene", "cliff-alpha-study", "--runs", "2", "--episodes", "3", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    results = run_study_to_end(CLIFF, CLIFF.settings(runs=2, episodes=3))
    best = results.best()["expected-sarsa"]
    assert "mean return per episode over the first 3 episodes; 2 runs a point, seed 0" in out
    expected = f"Expected SARSA: {best['mean']:.2f} ± {best['se']:.2f} at α = {best['value']:g}".replace("-", "−")
    assert expected in out
    assert "60 runs in" in out and "in this process" in out
    with pytest.raises(SystemExit):
        main(["--scene", "cliff-alpha-study", "--epsilon", "2"])
    assert "epsilon must be between 0 and 1" in capsys.readouterr().err


def test_python_m_rlplay_sweep_gives_the_pages_numbers():
    """The command a reader copies from the page, in a fresh process on 2 workers: the bridge's numbers, exactly."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "py")}
    args = ["--scene", "cliff-alpha-study", "--runs", "2", "--episodes", "4", "--workers", "2", "--json"]
    out = subprocess.run(
        [sys.executable, "-m", "rlplay", "sweep", *args], capture_output=True, text=True, env=env, check=True
    )
    printed = json.loads(out.stdout)
    page = json.loads(bridge.handle("gridworld", "study_start", json.dumps(PAGE_STUDY))[0])
    while not page["study"]["done"]:
        page = json.loads(bridge.handle("gridworld", "study_step", '{"budget_ms": 20}')[0])
    assert printed["curves"] == page["study"]["curves"] and printed["where"] == "on 2 local processes"


# -- the page's door: the bridge -------------------------------------------------------------------------------------
PAGE_STUDY = {"scene": "cliff-alpha-study", "settings": {"runs": "2", "episodes": "4"}}


def call(demo: str, command: str, args: dict) -> dict:
    answer = json.loads(bridge.handle(demo, command, json.dumps(args))[0])
    assert "error" not in answer, answer
    return answer


def test_the_bridge_runs_a_study_a_budget_at_a_time_with_the_same_numbers():
    started = call("gridworld", "study_start", {**PAGE_STUDY, "settings": {**PAGE_STUDY["settings"], "seed": "x"}})
    assert started["notices"] == ["ignored seed='x': not a number: 'x'"]
    assert started["study"]["progress"] == 0 and started["study"]["total"] == 60
    steps = 0
    answer = started
    while not answer["study"]["done"]:
        answer = call("gridworld", "study_step", {"budget_ms": 10})
        steps += 1
    expected = run_study_to_end(CLIFF, CLIFF.settings(runs=2, episodes=4))
    assert answer["study"]["curves"] == json.loads(json.dumps(expected.curves()).replace("NaN", "null"))
    assert answer["study"]["summary"] == report.best_lines(expected)
    assert 1 < steps <= 60 and answer["study"]["steps_per_second"] > 0


def test_the_bridge_refuses_a_study_a_demo_does_not_offer_and_cancels_one_it_does():
    for demo, scene in (("bandit", "cliff-alpha-study"), ("cartpole", "cliff-alpha-study"), ("gridworld", "nope")):
        answer = json.loads(bridge.handle(demo, "study_start", json.dumps({"scene": scene}))[0])
        assert answer["error"]["kind"] == "input" and "offers no study" in answer["error"]["message"]
    call("bandit", "study_start", {"scene": "bandit-parameter-study", "settings": {"runs": "4", "pulls": "30"}})
    call("bandit", "study_step", {"budget_ms": 0})
    cancelled = call("bandit", "study_cancel", {})["study"]
    assert cancelled["cancelled"] and not cancelled["done"] and 0 < cancelled["finished"] < cancelled["total"]
    assert call("bandit", "study_step", {"budget_ms": 50})["study"]["finished"] == cancelled["finished"]


def test_the_contract_declares_each_demos_studies_from_python():
    described = contract.describe()
    assert list(described["gridworld"]["studies"]) == ["cliff-alpha-study"]
    assert list(described["bandit"]["studies"]) == ["bandit-parameter-study"]
    assert described["cartpole"]["studies"] == {}
    bandit_study = described["bandit"]["studies"]["bandit-parameter-study"]
    assert bandit_study["x_log2"] and [m["name"] for m in bandit_study["methods"]] == list(bandit.METHODS)
    assert {field["name"]: field["default"] for field in bandit_study["settings"]} == {
        "runs": 200,
        "pulls": 1000,
        "arms": 10,
        "seed": 0,
    }
