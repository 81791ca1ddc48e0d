"""Cart-pole runs trained together (``rlplay.algos.batched_policy_gradient``) against the same runs trained alone.

The oracle is the demo's own run of each seed (``CartpoleDemo``): the batch must give every run the same episodes,
the same solve episode and the same weights, bit for bit.
"""

import math

import numpy as np
import pytest
from rlplay.algos.batched_policy_gradient import BatchedPolicyGradient, policy_network
from rlplay.demos.cartpole import CartpoleConfig, CartpoleDemo
from rlplay.demos.cartpole.compare import SeedComparison, solve_stats
from rlplay.envs import cartpole_batch
from rlplay.envs.cartpole import MAX_EPISODE_STEPS, CartPole, portable_cos, portable_sin
from rlplay.envs.cartpole_batch import CartPoleBatch, portable_sin_cos


def test_portable_sin_cos_gives_the_single_state_functions_bits():
    rng = np.random.default_rng(0)
    theta = np.concatenate([rng.uniform(-0.6, 0.6, 20_000), [0.0, -0.0, 0.5, -0.5, 0.5000000000000001, 1e-300]])
    sin, cos = portable_sin_cos(theta)
    assert sin.tolist() == [portable_sin(t) for t in theta.tolist()]
    assert cos.tolist() == [portable_cos(t) for t in theta.tolist()]
    assert math.copysign(1.0, portable_sin_cos(np.array([-0.0]))[0][0]) == -1.0  # sin(−0) = −0, as portable_sin


def test_a_batch_of_cartpoles_steps_each_like_a_lone_cartpole_through_ends_time_limits_and_runs_leaving():
    """The in-place batch step against ``CartPole`` (``cartpole_dynamics``), state for state, bit for bit."""
    seeds = [3, 4, 5, 6]
    batch, lone = CartPoleBatch(seeds), [CartPole(seed=s) for s in seeds]
    states = [env.reset()[0] for env in lone]
    assert batch.state.T.tolist() == [list(s) for s in states]
    ends = {"terminated": 0, "truncated": 0}
    for step in range(2500):
        if step == 1200:  # run 2 leaves the batch: the others go on as before
            batch.keep([0, 1, 3])
            del lone[2], states[2]
        # a balancing rule for runs 0 and 1 (they reach the 500-step limit), random pushes for the others
        actions = np.array([s[2] + 0.5 * s[3] > 0 if r < 2 else (step * 7 + r) % 3 == 0 for r, s in enumerate(states)])
        assert batch.inputs[:, 0].tolist() == [[*s, 1.0] for s in states]  # the policies' view, with its bias input
        terminated, truncated = batch.step(actions)
        for r, env in enumerate(lone):
            states[r], _, term, trunc, _ = env.step(int(actions[r]))
            assert batch.state[:, r].tolist() == list(states[r])
            assert (terminated is not None and bool(terminated[r]), truncated is not None and bool(truncated[r])) == (
                term,
                trunc,
            )
            if term or trunc:
                ends["terminated" if term else "truncated"] += 1
                assert batch.lengths[r] == env.length
                assert batch.episode_states(r, env.length).shape == (env.length, 4)
                batch.reset_run(r)
                states[r] = env.reset()[0]
    assert ends["terminated"] > 10 and ends["truncated"] >= 2, ends


def test_a_finished_episodes_states_are_read_back_from_the_batchs_history():
    seeds = [7, 8]
    batch, lone = CartPoleBatch(seeds), CartPole(seed=seeds[1])
    visited = [lone.reset()[0]]
    for _ in range(600):
        terminated, _ = batch.step(np.array([True, False]))
        state, _, term, _, _ = lone.step(0)
        if term:
            break
        visited.append(state)
    assert terminated is not None and terminated[1]
    assert batch.episode_states(1, len(visited)).tolist() == [list(s) for s in visited]


@pytest.mark.parametrize("plain_python_runs", [0, 3, 100])
def test_the_array_step_and_the_plain_python_step_each_step_like_a_lone_cartpole(monkeypatch, plain_python_runs):
    """``CartPoleBatch.step`` is NumPy over the batch above ``PLAIN_PYTHON_RUNS`` runs and ``cartpole_dynamics`` run
    by run below: the tests above with either path throughout (0: NumPy, 100: plain Python) and with the batch
    switching from one to the other when a run leaves (3)."""
    monkeypatch.setattr(cartpole_batch, "PLAIN_PYTHON_RUNS", plain_python_runs)
    test_a_batch_of_cartpoles_steps_each_like_a_lone_cartpole_through_ends_time_limits_and_runs_leaving()
    test_a_finished_episodes_states_are_read_back_from_the_batchs_history()


def lone_run(algo: str, seed: int, episodes: int) -> CartpoleDemo:
    """The demo's run of (algo, seed), stopped right after ``episodes`` episodes."""
    demo = CartpoleDemo(CartpoleConfig(algo=algo, seed=seed))
    while len(demo.episode_lengths) < episodes:
        demo.advance(1)
    return demo


def batched_runs(jobs, max_episodes: int) -> BatchedPolicyGradient:
    learners, env_seeds, action_seeds = [], [], []
    for algo, seed in jobs:
        streams = CartpoleDemo.run_streams(seed)
        learners.append(CartpoleDemo.make_learner(CartpoleConfig(algo=algo, seed=seed), streams["learner"]))
        env_seeds.append(streams["env"])
        action_seeds.append(streams["action"])
    batch = BatchedPolicyGradient(
        learners, env_seeds, action_seeds, max_episodes=max_episodes, solved_mean_length=475.0, solved_window=100
    )
    while not batch.done:
        batch.advance(1000)
    return batch


def assert_same_weights(batched_learner, demo: CartpoleDemo) -> None:
    for name, network in demo.learner.networks().items():
        mine = batched_learner.networks()[name]
        for p, q in zip(mine.params, network.params, strict=True):
            assert np.array_equal(p, q), name


def test_batched_runs_are_the_demos_runs_bit_for_bit():
    jobs = [(algo, seed) for algo in ("reinforce", "reinforce-baseline", "actor-critic") for seed in (0, 1)]
    batch = batched_runs(jobs, max_episodes=40)
    for i, (algo, seed) in enumerate(jobs):
        demo = lone_run(algo, seed, 40)
        assert list(batch.episode_lengths[i]) == list(demo.episode_lengths), (algo, seed)
        assert batch.steps[i] == demo.steps and batch.updates[i] == 40
        assert_same_weights(batch.learners[i], demo)
        assert not batch.training[i] and batch.solved_at[i] == -1 and batch.diverged_at[i] == -1


@pytest.mark.parametrize("plain_python_runs", [0, 3])
def test_batched_runs_are_the_demos_runs_bit_for_bit_whichever_step_the_batch_takes(monkeypatch, plain_python_runs):
    """As above, with the NumPy step throughout (0), and switching to the plain-Python step as runs leave (3)."""
    monkeypatch.setattr(cartpole_batch, "PLAIN_PYTHON_RUNS", plain_python_runs)
    test_batched_runs_are_the_demos_runs_bit_for_bit()


@pytest.mark.slow
def test_batched_runs_to_solving_are_the_demos_runs_bit_for_bit():
    """Slow (about 400k environment steps, trained twice): whole runs until solved, so 500-step episodes (the
    time-limit cut, with actor-critic's bootstrap from V of the state after it) are in."""
    jobs = [("actor-critic", 0), ("actor-critic", 1), ("reinforce", 6)]
    batch = batched_runs(jobs, max_episodes=2000)
    for i, (algo, seed) in enumerate(jobs):
        demo = lone_run(algo, seed, len(batch.episode_lengths[i]))
        assert list(batch.episode_lengths[i]) == list(demo.episode_lengths)
        assert batch.solved_at[i] == demo.solved_at > 0
        assert max(demo.episode_lengths) == MAX_EPISODE_STEPS
        assert_same_weights(batch.learners[i], demo)


def test_only_learners_that_update_per_episode_with_one_network_shape_train_in_a_batch():
    streams = CartpoleDemo.run_streams(0)
    dqn = CartpoleDemo.make_learner(CartpoleConfig(algo="dqn"), streams["learner"])
    with pytest.raises(ValueError, match="only Reinforce, ActorCritic"):
        BatchedPolicyGradient([dqn], [1], [2], max_episodes=10, solved_mean_length=475.0, solved_window=100)
    small = CartpoleDemo.make_learner(CartpoleConfig(hidden=8), streams["learner"])
    large = CartpoleDemo.make_learner(CartpoleConfig(hidden=16), streams["learner"])
    with pytest.raises(ValueError, match="same shape"):
        BatchedPolicyGradient(
            [small, large], [1, 2], [3, 4], max_episodes=10, solved_mean_length=475.0, solved_window=100
        )
    assert policy_network(small).W1.shape == (4, 8)


def test_the_seed_comparison_reports_each_median_once_no_running_seed_can_change_it():
    demo = CartpoleDemo(CartpoleConfig())
    demo.compare_start(["reinforce", "actor-critic", "ppo"], seeds=2, episodes=100)
    figures = demo.snapshot()["figures"]
    assert {figures[f"compare-median-{a}"] for a in ("reinforce", "actor-critic", "ppo")} == {-1}
    while demo.comparison is not None:
        out = demo.compare_step(budget_ms=200)
    result = out["result"]
    for algo in ("reinforce", "actor-critic", "ppo"):
        entry = result[algo]
        # 100 episodes are too few to solve (the window alone is 100): every median is "not solved"
        assert {key: entry[key] for key in ("median", "q1", "q3", "solved", "runs")} == solve_stats([-1, -1])
        assert len(entry["curve_median"]) == 100
        assert demo.snapshot()["figures"][f"compare-median-{algo}"] == -1
    # the batched rows are the demo's own runs of those seeds
    lone = lone_run("actor-critic", 1, 100)
    comparison = SeedComparison(["actor-critic"], 2, 100, make_run=CartpoleDemo)
    while not comparison.done:
        comparison.advance_for(1000)
    assert list(comparison.lengths["actor-critic"][1]) == list(lone.episode_lengths)
    demo.compare_cancel()
    assert "compare-median-reinforce" not in demo.snapshot()["figures"]
