"""Cart-pole driver: the contract in rlplay.demos (chunking, determinism, reset, tails, commands, config, divergence)."""

import json

import numpy as np
import pytest
from rlplay.app import bridge
from rlplay.demos.cartpole import ALGOS, CartpoleConfig, CartpoleDemo
from rlplay.params import from_params, schema

FIGURES = {"episode", "steps", "updates", "episode-length", "mean-length-100", "best-length", "solved-at-episode"}


def state_of(demo: CartpoleDemo) -> dict:
    snap = demo.snapshot(0)
    return {
        "lengths": list(demo.episode_lengths),
        "figures": snap["figures"],
        "replay": snap["replay_states"].tobytes() + snap["replay_p_right"].tobytes(),
        "values": snap["replay_values"].tobytes(),
        "adv": snap["adv_scale"].tobytes(),
        "obs": demo.obs,
    }


@pytest.mark.parametrize("algo", ALGOS)
def test_advance_is_independent_of_chunking(algo):
    whole = CartpoleDemo(CartpoleConfig(algo=algo, seed=3))
    assert whole.advance(3000) == 3000
    pieces = CartpoleDemo(CartpoleConfig(algo=algo, seed=3))
    for n in (300, 700, 1, 0, 999, 1000):
        pieces.advance(n)
    assert state_of(whole) == state_of(pieces)


def test_each_training_step_takes_the_next_uniform_of_the_action_stream():
    # The documented stream: SeedSequence(seed).spawn(5)[1], one uniform per training step, whatever the chunks and
    # across the block boundary (UNIFORM_BLOCK = 4096), with watch episodes in between taking none of it.
    demo = CartpoleDemo(CartpoleConfig(algo="reinforce", seed=7))
    taken = []
    act = demo.learner.act

    def recording_act(obs, u):
        taken.append(u)
        return act(obs, u)

    demo.learner.act = recording_act
    for n in (4000, 95, 1, 0, 1000):
        demo.advance(n)
        demo.watch_reset(seed=1)
        demo.watch_step(20)
    action_seq = np.random.SeedSequence(7).spawn(5)[1]
    assert taken == np.random.default_rng(action_seq).random(5096).tolist()


def test_same_seed_same_run_and_reset_replays():
    a, b = CartpoleDemo(CartpoleConfig(seed=5)), CartpoleDemo(CartpoleConfig(seed=5))
    a.advance(4000)
    b.advance(4000)
    assert state_of(a) == state_of(b)
    first = state_of(a)
    a.advance(1234)
    a.reset()
    a.advance(4000)
    assert state_of(a) == first
    c = CartpoleDemo(CartpoleConfig(seed=6))
    c.advance(4000)
    assert c.episode_lengths != a.episode_lengths


def test_snapshot_figures_and_tails():
    demo = CartpoleDemo(CartpoleConfig(seed=0))
    snap = demo.snapshot()
    assert set(snap["figures"]) == FIGURES
    assert snap["figures"]["episode-length"] == -1 and snap["figures"]["mean-length-100"] == -1
    assert snap["replay_states"].shape == (0, 4) and snap["diverged"] is False
    demo.advance(5000)
    lengths = list(demo.episode_lengths)
    snap = demo.snapshot(0)
    n = len(lengths)
    assert snap["figures"]["episode"] == n > 20
    assert snap["figures"]["episode-length"] == lengths[-1]
    assert snap["figures"]["mean-length-100"] == pytest.approx(np.mean(lengths[-100:]))
    assert snap["figures"]["best-length"] == max(lengths)
    assert sum(lengths) <= 5000 and snap["figures"]["steps"] == 5000
    assert snap["episode_lengths"].dtype == np.float64 and snap["episode_lengths"].tolist() == lengths
    # the replay is the latest finished episode, with π(right|s) and V(s) along it
    T = lengths[-1]
    assert snap["replay_states"].shape == (T, 4)
    assert snap["replay_p_right"].shape == (T,) and np.all(
        (snap["replay_p_right"] >= 0) & (snap["replay_p_right"] <= 1)
    )
    assert snap["replay_values"].shape == (T,) and np.all(np.isfinite(snap["replay_values"]))
    assert np.abs(snap["replay_states"][:, 2]).max() <= 0.21  # acted-on states are all upright enough
    # actor-critic updates once per episode: one adv_scale per episode, offsets aligned
    assert len(snap["adv_scale"]) == n
    tail = demo.snapshot(n - 5)
    assert tail["episode_lengths_offset"] == n - 5 and tail["episode_lengths"].tolist() == lengths[-5:]
    assert tail["adv_scale_offset"] == n - 5 and tail["adv_scale"].tolist() == snap["adv_scale"][-5:].tolist()
    beyond = demo.snapshot(10**9)
    assert beyond["episode_lengths_offset"] == n and len(beyond["episode_lengths"]) == 0
    # a page that already has the latest episode is not sent its replay again; the critic's values still come
    assert "replay_states" not in beyond and "replay_p_right" not in beyond
    assert beyond["replay_values"].shape == (T,)
    # what ended the replayed episode, from the state after its last push
    if T == 500:
        assert snap["replay_end"] == "time-limit"
    else:
        assert snap["replay_end"] in ("pole", "track")


def test_replay_end_names_the_limit_that_was_crossed():
    demo = CartpoleDemo(CartpoleConfig(seed=3))
    ends = set()
    for _ in range(200):
        demo.advance(50)
        snap = demo.snapshot(0)
        if snap["figures"]["episode"] == 0:
            continue
        T = int(snap["figures"]["episode-length"])
        x, x_dot, theta, theta_dot = snap["replay_states"][-1]
        # one explicit-Euler step from the last acted-on state (τ = 0.02 s) decides which limit was crossed first
        x_next = x + 0.02 * x_dot
        expected = "time-limit" if T == 500 else ("track" if abs(x_next) > 2.4 else "pole")
        assert snap["replay_end"] == expected
        ends.add(expected)
    assert "pole" in ends
    assert (
        snap["algo"] == "actor-critic" and snap["config"]["lr"] == "0.01" and snap["config"]["algo"] == "actor-critic"
    )


def test_reinforce_has_zero_values_and_ppo_tags_updates_by_episode():
    demo = CartpoleDemo(CartpoleConfig(algo="reinforce"))
    demo.advance(2000)
    assert np.all(demo.snapshot()["replay_values"] == 0.0)
    ppo = CartpoleDemo(CartpoleConfig(algo="ppo"))
    ppo.advance(3 * 1024)
    snap = ppo.snapshot(0)
    assert len(snap["adv_scale"]) == snap["figures"]["updates"] == 3
    late = ppo.snapshot(snap["figures"]["episode"])  # no update after the latest episode began
    assert late["adv_scale_offset"] <= 3


@pytest.mark.parametrize("algo", ALGOS)
def test_watch_and_play_do_not_disturb_training(algo):
    plain = CartpoleDemo(CartpoleConfig(algo=algo, seed=2))
    plain.advance(2500)
    plain.advance(2500)
    mixed = CartpoleDemo(CartpoleConfig(algo=algo, seed=2))
    mixed.advance(2500)
    mixed.watch_reset()
    mixed.watch_step(300)
    mixed.watch_reset(seed=9)
    mixed.play_reset()
    for action in (0, 1, 1, 0, 1):
        mixed.play_step(action)
    mixed.advance(2500)
    mixed.watch_step(50)
    assert state_of(plain) == state_of(mixed)


def test_watch_returns_states_and_probabilities():
    demo = CartpoleDemo(CartpoleConfig(seed=0))
    start = demo.watch_reset(seed=4)
    assert start["length"] == 0 and not start["done"] and len(start["states"]) == 1 and len(start["states"][0]) == 4
    out = demo.watch_step(1000)
    assert out["done"] and out["length"] == len(out["states"]) == len(out["p_right"]) < 200  # untrained: falls
    assert all(0.0 <= p <= 1.0 for p in out["p_right"])
    json.dumps(out)
    assert demo.watch_step(5)["states"] == []  # the episode is over until watch_reset
    again = demo.watch_reset(seed=4)
    assert again["states"] == start["states"]  # a watch seed replays the same start


def test_play_uses_the_same_physics_and_stops_at_the_end():
    demo = CartpoleDemo(CartpoleConfig(seed=0))
    start = demo.play_reset()
    from rlplay.envs.cartpole import cartpole_dynamics

    after = demo.play_step(1)
    assert after["state"] == list(cartpole_dynamics(*start["state"], 10.0)) and after["length"] == 1
    while not after["done"]:
        after = demo.play_step(1)
    assert demo.play_step(0) == after  # nothing moves after the end
    with pytest.raises(ValueError):
        demo.play_step(2)


def test_configure_live_and_fresh():
    demo = CartpoleDemo(CartpoleConfig(seed=0))
    demo.advance(2000)
    episodes = len(demo.episode_lengths)
    assert demo.configure(lr=0.003, gamma=0.95, entropy=0.01) == []
    assert len(demo.episode_lengths) == episodes  # kept learning state
    assert demo.learner.actor_optimizer.lr == 0.003 and demo.learner.critic_optimizer.lr == pytest.approx(0.009)
    assert demo.learner.config.gamma == 0.95
    assert demo.configure(hidden=16) == ["hidden"] and len(demo.episode_lengths) == 0
    assert demo.configure(algo="ppo", seed=4) == ["algo", "seed"]
    assert demo.snapshot()["algo"] == "ppo"
    with pytest.raises(ValueError, match="gamma"):
        demo.configure(gamma=2.0)
    with pytest.raises(ValueError, match="unknown"):
        demo.configure(colour="red")
    assert demo.config.gamma == 0.95  # a refused change leaves the config as it was


def test_from_params_keeps_defaults_and_reports_bad_values():
    config, notices = from_params(
        CartpoleConfig, {"algo": "sarsa", "lr": "-1", "gamma": "abc", "hidden": "3.5", "seed": "12", "x": "1"}
    )
    assert config == CartpoleConfig(seed=12)
    assert len(notices) == 4 and any("algo" in n for n in notices) and any("lr" in n for n in notices)
    with pytest.raises(ValueError, match="clip"):
        CartpoleConfig(clip=0.9)
    names = [entry["name"] for entry in schema(CartpoleConfig)]
    assert names == ["seed", "algo", "lr", "gamma", "hidden", "entropy", "clip", "dqn_lr", "dqn_hidden"]
    assert all(entry["doc"] for entry in schema(CartpoleConfig))


def test_notices_for_degenerate_settings():
    assert CartpoleDemo(CartpoleConfig()).notices() == []
    notes = CartpoleDemo(CartpoleConfig(gamma=0.8, hidden=4, entropy=0.1, clip=0.3, lr=0.1)).notices()
    assert len(notes) == 5


def test_forced_nan_weights_stop_training_with_a_notice():
    demo = CartpoleDemo(CartpoleConfig(seed=0))
    demo.advance(500)
    demo.learner.critic.W2[:] = np.nan
    ran = demo.advance(2000)
    assert ran < 2000
    snap = demo.snapshot()
    assert snap["diverged"] is True
    assert any("training diverged (NaN) at update" in n and "lower the learning rate" in n for n in snap["notices"])
    assert demo.advance(100) == 0
    for value in snap["figures"].values():
        assert np.isfinite(value)
    assert np.all(np.isfinite(snap["replay_values"])) and np.all(np.isfinite(snap["adv_scale"]))
    json.loads(bridge.handle("cartpole", "create", "{}")[0])  # the bridge turns any stray NaN into null anyway
    assert demo.configure(lr=0.001) == ["lr"] and demo.advance(100) == 100  # any change starts over


@pytest.mark.parametrize("algo", ALGOS)
def test_largest_learning_rate_never_reports_nan(algo):
    # DQN's learning rate is its own field (lr changes nothing there): each at its declared high end
    name = "dqn_lr" if algo == "dqn" else "lr"
    high = next(field["high"] for field in schema(CartpoleConfig) if field["name"] == name)
    demo = CartpoleDemo(CartpoleConfig(algo=algo, seed=0, **{name: high}))
    demo.advance(20_000)
    snap = demo.snapshot()
    finite = all(np.isfinite(v) for v in snap["figures"].values()) and np.all(np.isfinite(snap["replay_values"]))
    assert finite
    if snap["diverged"]:
        assert any("diverged" in n for n in snap["notices"])


def test_bridge_round_trip_is_json():
    text, arrays = bridge.handle("cartpole", "create", json.dumps({"params": {"algo": "ppo", "hidden": "999"}}))
    payload = json.loads(text)
    assert "error" not in payload and len(payload["notices"]) == 1
    text, arrays = bridge.handle("cartpole", "step", json.dumps({"n": 2000, "since": 0}))
    names = {name for name, _ in arrays}
    assert {"episode_lengths", "replay_states", "replay_p_right", "replay_values", "adv_scale"} <= names
    text, _ = bridge.handle("cartpole", "watch_step", json.dumps({"args": {"n": 10}}))
    assert len(json.loads(text)["result"]["states"]) == 10
    text, _ = bridge.handle("cartpole", "play_step", json.dumps({"args": {"action": 1}}))
    assert json.loads(text)["result"]["length"] == 1


def test_dqn_has_its_own_learning_rate_and_network_size():
    demo = CartpoleDemo(CartpoleConfig(algo="dqn", dqn_lr=0.002, dqn_hidden=16, lr=0.03, hidden=8))
    assert demo.learner.config.lr == 0.002 and demo.learner.q_network.params[0].shape == (4, 16)
    assert "pg-settings-unused" in demo.snapshot(0)["notice_codes"]
    demo.advance(10)
    assert demo.configure(hidden=12, lr=0.02) == []  # the policy-gradient settings do not touch DQN's run
    assert demo.steps == 10 and demo.learner.config.lr == 0.002
    assert demo.configure(dqn_lr=0.0005) == [] and demo.learner.optimizer.lr == 0.0005  # applies live
    assert demo.configure(dqn_hidden=32) == ["dqn_hidden"] and demo.steps == 0  # a new network: a fresh run
    other = CartpoleDemo(CartpoleConfig(algo="actor-critic", dqn_lr=0.002))
    assert "dqn-settings-unused" in other.snapshot(0)["notice_codes"]
    assert "dqn-settings-unused" not in CartpoleDemo(CartpoleConfig()).snapshot(0)["notice_codes"]
