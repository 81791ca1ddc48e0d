"""Bandit driver: the contract of ``rlplay.demos`` (chunking, seeds, reset, snapshot), modes, settings, commands."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from rlplay.demos.bandit import LANES, BanditConfig, BanditDemo
from rlplay.envs.bandit import draw_means
from rlplay.params import from_params, schema
from snapshots import assert_same_snapshot

ARRAYS = {"means", "Q", "N", "last_arm", "cum_reward", "cum_regret", "best_arm_rate", "optimal_share", "regret_stderr"}
KINDS = ("regret", "reward", "best-arm-rate", "optimal-share")
FIGURES = {"pulls"} | {f"{kind}-{lane}" for kind in KINDS for lane in LANES}
L = len(LANES)


def pulled(config=None, n=400) -> BanditDemo:
    demo = BanditDemo(config)
    demo.advance(n)
    return demo


@pytest.mark.parametrize("runs", [1, 50])
def test_chunks_do_not_change_the_run(runs):
    whole = pulled(BanditConfig(runs=runs), 1000)
    pieces = BanditDemo(BanditConfig(runs=runs))
    assert pieces.advance(300) == 300 and pieces.advance(700) == 700
    assert_same_snapshot(whole.snapshot(), pieces.snapshot())


def test_same_seed_same_race_other_seed_other_race():
    assert_same_snapshot(pulled().snapshot(), pulled().snapshot())
    other = pulled(BanditConfig(seed=1)).snapshot()
    assert np.array_equal(other["means"], pulled().snapshot()["means"])  # same arms (arm_seed) ...
    assert not np.array_equal(other["cum_reward"], pulled().snapshot()["cum_reward"])  # ... other pulls


def test_reset_keeps_the_arms_and_replays():
    demo = pulled()
    means = demo.snapshot()["means"]
    demo.reset()
    snap = demo.snapshot()
    assert snap["figures"]["pulls"] == 0 and not snap["N"].any() and np.array_equal(snap["means"], means)
    demo.advance(400)
    assert_same_snapshot(demo.snapshot(), pulled().snapshot())


def test_new_arms_draws_new_means_and_restarts():
    demo = pulled()
    old = demo.snapshot()["means"]
    assert demo.new_arms() == 1
    snap = demo.snapshot()
    assert snap["config"]["arm_seed"] == "1" and snap["figures"]["pulls"] == 0
    np.testing.assert_array_equal(snap["means"], draw_means(1, 1, 5)[0])
    assert not np.array_equal(snap["means"], old) and snap["optimal_arm"] == int(np.argmax(snap["means"]))


def test_race_snapshot_keys_and_consistency():
    demo = pulled(n=400)
    snap = demo.snapshot()
    assert snap["mode"] == "race" and "regret_stderr" not in snap and snap["lanes"] == list(LANES)
    assert set(snap["figures"]) == FIGURES and snap["figures"]["pulls"] == 400
    assert snap["means"].shape == (5,) and snap["Q"].shape == snap["N"].shape == (L, 5)
    assert snap["last_arm"].dtype == np.int32 and snap["last_arm"].shape == (L,)
    assert (snap["N"].sum(axis=1) == 400).all()
    for name in ("cum_reward", "cum_regret", "best_arm_rate", "optimal_share"):
        assert snap[name].dtype == np.float64 and snap[name].shape == (L, 400)
    for lane, name in enumerate(LANES):
        assert snap["figures"][f"regret-{name}"] == snap["cum_regret"][lane, -1]
        assert snap["figures"][f"reward-{name}"] == snap["cum_reward"][lane, -1]
        rate = snap["figures"][f"best-arm-rate-{name}"]
        assert rate == snap["N"][lane, snap["optimal_arm"]] / 400 and 0 <= rate <= 1
        # one race: each pull's share is 1 on the best arm, else 0; the figure is its mean over the last 100 pulls
        share = snap["optimal_share"][lane]
        assert set(share.tolist()) <= {0.0, 1.0} and share.sum() == snap["N"][lane, snap["optimal_arm"]]
        assert snap["figures"][f"optimal-share-{name}"] == share[-100:].mean()
    # pseudo-regret from the counts: Σ_a N(a) (μ* − μ_a)
    gaps = snap["means"].max() - snap["means"]
    np.testing.assert_allclose(snap["cum_regret"][:, -1], snap["N"] @ gaps)
    assert np.all(np.diff(snap["cum_regret"], axis=1) >= 0)
    rest = {k: v for k, v in snap.items() if not isinstance(v, np.ndarray)}
    json.dumps(rest, allow_nan=False)
    assert set(snap) - set(rest) <= ARRAYS


def test_first_snapshot_says_not_yet():
    figures = BanditDemo().snapshot()["figures"]
    assert figures["pulls"] == 0 and figures["best-arm-rate-ucb"] == -1 and figures["regret-ucb"] == 0


def test_curves_tail_from_since():
    demo = pulled(n=400)
    full, tail = demo.snapshot(), demo.snapshot(since=350)
    assert tail["curve_offset"] == 350
    for name in ("cum_reward", "cum_regret", "best_arm_rate", "optimal_share"):
        np.testing.assert_array_equal(tail[name], full[name][:, 350:])
    assert demo.snapshot(since=10**6)["cum_regret"].shape == (L, 0)


def test_average_mode_is_a_mean_over_runs_with_a_standard_error():
    demo = pulled(BanditConfig(runs=200, horizon=500), n=500)
    snap = demo.snapshot()
    assert snap["mode"] == "average" and snap["regret_stderr"].shape == (L, 500)
    race = demo.race
    np.testing.assert_allclose(snap["cum_regret"][:, -1], race.cum_regret.mean(axis=1))
    np.testing.assert_allclose(snap["regret_stderr"][:, -1], race.cum_regret.std(axis=1, ddof=1) / np.sqrt(200))
    assert snap["means"].shape == (5,) and np.array_equal(snap["means"], pulled().snapshot()["means"])
    assert (snap["regret_stderr"][:, -1] > 0).all()


def test_advance_stops_at_the_horizon():
    demo = BanditDemo(BanditConfig(horizon=50))
    assert demo.advance(30) == 30 and demo.advance(30) == 20 and demo.advance(5) == 0
    assert demo.snapshot()["figures"]["pulls"] == 50


def test_configure():
    demo = pulled()
    assert demo.configure(epsilon=0.3, tau=0.2, c=1.0) == []
    assert demo.race.epsilon == 0.3 and demo.snapshot()["figures"]["pulls"] == 400
    assert demo.configure(horizon=2000) == [] and demo.advance(10_000) == 1600
    assert demo.configure(horizon=500) == ["horizon"] and demo.snapshot()["figures"]["pulls"] == 0
    assert demo.configure(runs=20) == ["runs"] and demo.snapshot()["mode"] == "average"
    assert demo.configure(arms=3, seed=4) == ["seed", "arms"]
    assert demo.snapshot()["means"].shape == (3,)
    before = demo.snapshot()
    for bad in ({"arms": 11}, {"epsilon": -0.1}, {"colour": 1}):
        with pytest.raises(ValueError):
            demo.configure(**bad)
    assert_same_snapshot(before, demo.snapshot())


def test_from_params_keeps_defaults_and_reports_bad_values():
    config, notices = from_params(BanditConfig, {"arms": "1", "tau": "0", "runs": "x", "c": "1.5", "theme": "y"})
    assert config == dataclasses.replace(BanditConfig(), c=1.5) and len(notices) == 3
    demo = pulled(BanditConfig(arms=7, runs=3, epsilon=0.05))
    assert from_params(BanditConfig, demo.snapshot()["config"]) == (demo.config, [])


def test_defaults_are_the_seed_posts_values_except_c():
    """The post's arms, ε, τ and horizon; c is scaled to this bandit's reward noise (see BanditConfig)."""
    config = BanditConfig()
    assert (config.arms, config.epsilon, config.tau, config.c, config.horizon) == (5, 0.1, 0.5, 0.5, 1000)


def test_default_averaged_race_shows_ucb_beating_epsilon_greedy():
    """What the page teaches: over many runs UCB's regret bends over while ε-greedy's keeps climbing."""
    demo = BanditDemo(BanditConfig(runs=200))
    demo.advance(1000)
    snapshot = demo.snapshot()
    figures = snapshot["figures"]
    assert figures["regret-ucb"] < 0.5 * figures["regret-epsilon-greedy"]
    regret = snapshot["cum_regret"]  # lanes: epsilon-greedy, softmax, ucb
    late_slope = lambda lane: regret[lane, 999] - regret[lane, 499]  # noqa: E731
    early_slope = lambda lane: regret[lane, 499] - regret[lane, 0]  # noqa: E731
    assert late_slope(2) < 0.6 * early_slope(2), "UCB's regret should flatten (logarithmic growth)"
    # ε-greedy keeps paying ε·(mean gap) per pull forever: its late regret dwarfs UCB's.
    assert late_slope(0) > 5 * late_slope(2)


def test_notices():
    def notices(**settings):
        return " | ".join(BanditDemo(BanditConfig(**settings)).snapshot()["notices"])

    assert notices() == ""
    assert "UCB with c = 0 is greedy" in notices(c=0.0)
    assert "softmax ≈ greedy" in notices(tau=0.01)
    assert "ε = 0" in notices(epsilon=0.0)


def test_schema_describes_every_field():
    entries = {entry["name"]: entry for entry in schema(BanditConfig)}
    assert list(entries) == [f.name for f in dataclasses.fields(BanditConfig)]
    assert entries["tau"]["log"] is True and entries["runs"]["high"] == 2000
    assert all(entry["doc"] for entry in entries.values())


def test_the_optimistic_lane_leaves_the_other_lanes_numbers_as_they_were():
    """The optimistic lane draws its tie-breaks from a stream of its own: whatever its Q₀, the other lanes pull, earn
    and estimate exactly the same (so adding it changed none of their numbers), alone or averaged over runs."""
    for runs in (1, 20):
        snapshots = []
        for q0 in (5.0, -3.0):
            demo = BanditDemo(BanditConfig(runs=runs, q0=q0, horizon=300))
            demo.advance(300)
            snapshots.append(demo.snapshot())
        high, low = snapshots
        for name in ("Q", "N", "cum_reward", "cum_regret", "best_arm_rate", "optimal_share"):
            np.testing.assert_array_equal(high[name][:3], low[name][:3])
        assert not np.array_equal(high["cum_regret"][3], low["cum_regret"][3])  # its own Q₀ does change its race
