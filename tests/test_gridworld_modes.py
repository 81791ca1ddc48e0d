"""Gridworld driver modes: planning sweep by sweep, painted rewards, a live comparison, averages over seeds."""

from __future__ import annotations

import numpy as np
import pytest
from rlplay.algos.policy_iteration import policy_iteration
from rlplay.algos.q_learning import QLearning
from rlplay.algos.sarsa import Sarsa
from rlplay.algos.value_iteration import value_iteration
from rlplay.demos.gridworld import GridworldConfig, GridworldDemo, format_paint, parse_paint
from rlplay.envs.gridworld import Gridworld
from rlplay.params import from_params
from snapshots import assert_same_snapshot


def test_value_iteration_steps_one_sweep_per_command_until_delta_is_below_theta():
    demo = GridworldDemo()
    oracle = value_iteration(*demo.env.model(), gamma=0.99, theta=1e-6)
    assert demo.snapshot()["planner"]["sweeps"] == 0 and demo.snapshot()["planner"]["phase"] == "sweep"
    deltas = []
    while demo.snapshot()["planner"]["phase"] != "done":
        assert demo.plan_step() == 1
        planner = demo.snapshot()["planner"]
        deltas.append(planner["deltas"][-1])
        assert planner["sweeps"] == len(deltas)
    assert deltas == oracle.deltas and deltas[-1] < planner["theta"] <= deltas[-2]
    np.testing.assert_array_equal(np.array(planner["V"]).ravel(), oracle.V)
    assert demo.plan_step() == 0  # done: nothing more to do


def test_policy_iteration_alternates_evaluation_and_improvement_to_the_optimum():
    demo = GridworldDemo(GridworldConfig(plan="policy-iteration", preset="seed5", gamma=0.9))
    phases = []
    while demo.snapshot()["planner"]["phase"] != "done":
        phase = demo.snapshot()["planner"]["phase"]
        demo.plan_phase()
        phases.append(phase)
    planner = demo.snapshot()["planner"]
    assert phases[0] == "evaluate" and phases[1] == "improve" and phases[-1] == "improve"
    assert all(a != b for a, b in zip(phases, phases[1:], strict=False))  # they alternate
    oracle = policy_iteration(*demo.env.model(), gamma=0.9, theta=1e-6)
    assert planner["improvements"] == len(oracle.changed) and planner["changed"] == 0
    V_star = value_iteration(*demo.env.model(), gamma=0.9, theta=1e-12).V
    np.testing.assert_allclose(np.array(planner["V"]).ravel(), V_star, atol=1e-4)


def test_a_world_change_restarts_the_planner():
    demo = GridworldDemo()
    demo.plan_step(5)
    demo.toggle_wall(0, 1)
    assert demo.snapshot()["planner"]["sweeps"] == 0


def test_paint_round_trips_through_the_url_and_refuses_nonsense():
    painted = parse_paint("2.3:-1_0.4:0.5:end")
    assert painted == (((2, 3), -1.0, False), ((0, 4), 0.5, True))
    assert parse_paint(format_paint(painted)) == painted
    config, notices = from_params(GridworldConfig, {"paint": "2.0:-1"})
    assert notices == [] and config.layout().painted == (((2, 0), -1.0, False),)
    for bad in ("2.0", "2.0:x", "2.0:nan", "2.0:1e9", "1.1:-1", "0.0:-1", "2.0:-1_2.0:1"):
        with pytest.raises(ValueError):
            GridworldConfig(paint=bad)


def test_a_painted_minus_one_cell_changes_v_star_and_the_learned_path_avoids_it():
    plain = GridworldDemo()
    path = [tuple(cell) for cell in plain.snapshot()["optimal_path"].tolist()]
    assert (2, 0) in path  # the only shortest route runs down the left edge
    demo = GridworldDemo()
    demo.paint_cell(2, 0, -1.0)
    snap = demo.snapshot()
    assert snap["config"]["paint"] == "2.0:-1.0" and snap["layout"]["painted"] == [[2, 0, -1.0, False]]
    assert snap["V_star"][0, 0] < plain.snapshot()["V_star"][0, 0]
    optimal = [tuple(cell) for cell in snap["optimal_path"].tolist()]
    assert (2, 0) not in optimal and snap["figures"]["optimal-path-length"] == len(optimal) - 1 == 16
    for seed in range(3):
        learner = GridworldDemo(GridworldConfig(seed=seed, paint="2.0:-1"))
        while learner.agent.episodes < 300:
            learner.episode()
        figures = learner.snapshot()["figures"]
        greedy = [tuple(cell) for cell in learner.snapshot()["greedy_path"].tolist()]
        assert (2, 0) not in greedy and figures["greedy-path-length"] == figures["optimal-path-length"] == 16
    demo.erase_paint(2, 0)
    assert demo.snapshot()["config"]["paint"] == "" and demo.env.layout.painted == ()


def test_a_terminal_paint_ends_episodes_and_a_wall_replaces_paint():
    demo = GridworldDemo(GridworldConfig(preset="seed5"))
    demo.paint_cell(0, 1, 0.5, True)
    assert demo.env.tables()[2][1] is True
    demo.toggle_wall(0, 1)
    assert demo.env.layout.painted == () and (0, 1) in demo.env.layout.walls
    with pytest.raises(ValueError, match="reward must be a number"):
        demo.paint_cell(0, 2, "1")


def test_compare_runs_two_learners_on_the_same_random_numbers():
    demo = GridworldDemo(GridworldConfig(preset="cliff", compare="sarsa", compare_alpha=0.5))
    demo.advance(20_000)
    a, b = Sarsa(Gridworld("cliff"), alpha=0.5, epsilon=0.1, gamma=0.99, epsilon_min=0.01, seed=0), None
    a.run(20_000)
    assert demo.agent_b.Q == a.Q  # the second learner is the rule it says, on seed 0
    b = QLearning(Gridworld("cliff"), alpha=0.5, epsilon=0.1, gamma=0.99, epsilon_min=0.01, seed=0)
    b.run(20_000)
    assert demo.agent.Q == b.Q
    snap = demo.snapshot()
    figures = snap["figures"]
    assert figures["b-return-last100"] > figures["return-last100"]  # SARSA's online return is higher on the cliff
    assert figures["greedy-path-length"] == 13 and figures["b-greedy-path-length"] != 13
    curves = snap["compare_returns"]
    assert curves.shape[0] == 2 and snap["compare_first"] + curves.shape[1] * snap["compare_bin"] == min(
        a.episodes, b.episodes
    )
    np.testing.assert_allclose(curves[1, -1], np.mean(a.episode_returns[-snap["compare_bin"] :]))
    # the same rule twice, the same settings: the same run
    twin = GridworldDemo(GridworldConfig(compare="q-learning"))
    twin.advance(3000)
    assert twin.agent.Q == twin.agent_b.Q


def test_average_over_seeds_equals_independent_runs_and_does_not_depend_on_chunks():
    config = GridworldConfig(preset="cliff", compare="sarsa", compare_alpha=0.5, seeds=4, episodes=50, seed=7)
    whole, pieces = GridworldDemo(config), GridworldDemo(config)
    while whole.advance(100_000):
        pass
    for n in iter(lambda: 777, None):
        if pieces.advance(n) == 0:
            break
    assert_same_snapshot(whole.snapshot(), pieces.snapshot())
    snap = whole.snapshot()
    assert snap["average"]["done"] == 4 and snap["figures"]["average-runs"] == 4
    returns = np.zeros((2, 4, 50))
    for i in range(4):
        for j, rule in enumerate((QLearning, Sarsa)):
            agent = rule(Gridworld("cliff"), alpha=0.5, epsilon=0.1, gamma=0.99, epsilon_min=0.01, seed=7 + i)
            agent.run_episodes(50)
            returns[j, i] = agent.episode_returns[:50]
    # the curves: each seed's returns smoothed over its latest (up to) 10 episodes, then mean and SE over the 4 seeds
    w = snap["average"]["smooth"]
    assert w == 10
    smoothed = np.array([[[returns[j, i, max(0, e - w + 1) : e + 1].mean() for e in range(50)] for i in range(4)]
                         for j in range(2)])  # fmt: skip
    np.testing.assert_allclose(snap["average_mean"], smoothed.mean(axis=1), rtol=0, atol=1e-9)
    np.testing.assert_allclose(snap["average_se"], smoothed.std(axis=1, ddof=1) / 2.0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(snap["average_mean"][:, 0], returns[:, :, 0].mean(axis=1))  # episode 1: itself alone
    # the figures read the raw returns, not the smoothed curves
    assert snap["figures"]["average-return-b"] == pytest.approx(returns[1, :, -100:].mean())
    # smooth=1 is no smoothing: the per-episode mean and SE
    mean, se = whole.average.mean_and_se(smooth=1)
    np.testing.assert_allclose(mean, returns.mean(axis=1), rtol=0, atol=1e-12)
    np.testing.assert_allclose(se, returns.std(axis=1, ddof=1) / 2.0, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="window"):
        whole.average.mean_and_se(smooth=0)


def test_smoothing_narrows_the_cliff_curves_band():
    """The ±1 SE band of the smoothed curve is the SE of what is drawn: on the cliff, where one episode's return swings
    by 100 with a fall, averaging each seed over 10 episodes makes the band narrower than the per-episode one late in
    the run (an oracle for "the band follows the smoothing", not a tuned threshold: the ratio is about 1/√10 there
    if episodes were independent)."""
    config = GridworldConfig(preset="cliff", compare="sarsa", compare_alpha=0.5, seeds=20, episodes=200, seed=0)
    demo = GridworldDemo(config)
    while demo.advance(1_000_000):
        pass
    _, se_raw = demo.average.mean_and_se(smooth=1)
    _, se = demo.average.mean_and_se()
    late = slice(100, 200)
    assert (se[:, late].mean(axis=1) < 0.6 * se_raw[:, late].mean(axis=1)).all()


def test_while_averaging_the_grid_shows_the_first_seeds_run_paced_by_the_job():
    """The averaging job's grid shows seed ``seed``'s run (both learners), live: it has finished the job's share of its
    episodes at every call, and at the end exactly ``episodes``, the same run as a lone learner of that seed; its paths
    are each learner's most frequent greedy path over the last PATH_WINDOW episodes (the latest of them on a tie)."""
    from collections import Counter

    from rlplay.demos.gridworld.average import PATH_WINDOW

    config = GridworldConfig(preset="cliff", compare="sarsa", compare_alpha=0.5, seeds=4, episodes=150, seed=3)
    demo = GridworldDemo(config)
    job, runs = demo.average, 4
    assert demo.agent.episodes == demo.agent_b.episodes == 0
    snap = demo.snapshot()
    assert snap["average"]["shown"] == {"seed": 3, "episodes": 0, "path_window": PATH_WINDOW}
    while demo.advance(997):
        for agent in demo.learners():  # the job's share, in whole episodes of this run's own
            assert agent.episodes == job.episodes_done // (runs * 2) <= 150
        assert 0 < job.episodes_done < runs * 2 * 150 or job.finished
    assert job.finished and demo.agent.episodes == demo.agent_b.episodes == 150
    snap = demo.snapshot()
    assert snap["average"]["shown"]["episodes"] == 150
    # the same run as lone learners of seed 3, each path noted after every episode
    for i, rule in enumerate((QLearning, Sarsa)):
        lone = rule(Gridworld("cliff"), alpha=0.5, epsilon=0.1, gamma=0.99, epsilon_min=0.01, seed=3)
        paths = []
        for _ in range(150):
            lone.run_episodes(1)
            paths.append(tuple(lone.greedy_path()[0]))
        assert lone.Q == demo.learners()[i].Q
        window = paths[-PATH_WINDOW:]
        counts = Counter(window)
        most = next(p for p in reversed(window) if counts[p] == max(counts.values()))
        shown = snap["greedy_path" if i == 0 else "greedy_path_b"]
        assert [tuple(cell) for cell in shown.tolist()] == list(most), rule.name
    figures = snap["figures"]
    assert figures["greedy-path-length"] == len(snap["greedy_path"]) - 1  # the figure is the path drawn
    # a reset starts the shown run again with the job; without averaging the grid shows the greedy path of the moment
    demo.reset()
    assert demo.agent.episodes == 0 and demo.snapshot()["average"]["shown"]["episodes"] == 0
    demo.configure(seeds=1)
    demo.advance(500)
    assert demo.shown is None
    assert demo.snapshot()["greedy_path"].tolist() == [list(cell) for cell in demo.agent.greedy_path()[0]]


def test_episode_while_averaging_runs_the_job_until_the_shown_run_finishes_one_more():
    demo = GridworldDemo(GridworldConfig(preset="cliff", compare="sarsa", seeds=3, episodes=60))
    demo.episode()
    assert demo.agent.episodes == 1 and demo.average.episodes_done // 6 == 1
    answer = demo.episode(budget_ms=100)
    assert answer["done"] and answer["ran"] > 0 and demo.agent.episodes == 2
    while demo.advance(10_000):
        pass
    assert demo.episode(budget_ms=100) == {"ran": 0, "done": True} and demo.agent.episodes == 60
