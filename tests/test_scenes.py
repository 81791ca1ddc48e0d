"""Scenes (``rlplay.core.scene``, declared in ``rlplay/demos/<demo>/scenes.py``): each declaration is valid and
exported to the page, the CLI runs it, and each claim holds natively over seeds (the long ones in the slow lane)."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from rlplay.__main__ import main, run_scene
from rlplay.algos.ppo import clipped_surrogate
from rlplay.app.contract import CONTRACT, describe
from rlplay.core.scene import Scene, lookup
from rlplay.demos import demo_classes, scenes
from rlplay.demos.cartpole import CartpoleConfig, CartpoleDemo
from rlplay.demos.gridworld import GridworldDemo
from rlplay.params import from_params
from rlplay.studies import STUDIES

SCENES = scenes()
EXPECTED = {
    "cliff-sarsa-vs-q",
    "value-iteration-sweeps",
    "dyna-q-planning",
    "bandit-ucb-regret",
    "bandit-optimistic",
    "reinforce-vs-actor-critic",
    "reinforce-baseline",
    "ppo-clip",
}


def test_every_scene_is_declared_once_with_settings_its_demo_accepts():
    assert set(SCENES) >= EXPECTED
    assert not set(SCENES) & set(STUDIES)  # the page opens both by ?scene=
    for scene in SCENES.values():
        _, config_class = demo_classes(scene.demo)
        config, notices = from_params(config_class, scene.params())
        assert not notices, (scene.name, notices)
        assert all(str(getattr(config, name)) == text or getattr(config, name) == float(text)
                   for name, text in scene.params().items()), scene.name  # fmt: skip
        figures = CONTRACT[scene.demo]["figures"]
        assert all(name in figures for name, _ in scene.highlight), scene.name
        if scene.command:
            assert scene.command in demo_classes(scene.demo)[0].COMMANDS


def test_the_page_reads_each_demos_scenes_from_contract_json():
    described = describe()
    for name, scene in SCENES.items():
        exported = described[scene.demo]["scenes"][name]
        assert json.loads(json.dumps(exported)) == json.loads(json.dumps(scene.describe()))
        assert exported["claim"] == scene.claim and exported["settings"] == scene.params()


def test_every_scene_has_a_show_me_button_in_the_lesson_text():
    """Each claim's scene opens from a button beside the claim (index.html's lesson text, ``button[data-scene]``);
    a button naming no declared scene would be hidden by the page, so none may."""
    html = (Path(__file__).resolve().parents[1] / "index.html").read_text()
    buttons = re.findall(r'<button type="button" class="show-me" data-scene="([a-z0-9-]+)">Show me</button>', html)
    assert set(buttons) == set(SCENES), sorted(set(buttons) ^ set(SCENES))


def test_scene_names_are_validated():
    with pytest.raises(ValueError, match="no scene 'nope'; choose one of"):
        lookup(SCENES, "nope")
    with pytest.raises(ValueError, match="the bandit demo has no scene 'cliff-sarsa-vs-q'"):
        lookup(SCENES, "cliff-sarsa-vs-q", "bandit")
    with pytest.raises(ValueError, match="no scene 'int'"):
        lookup(SCENES, 3)
    assert lookup(SCENES, "dyna-q-planning", "gridworld").demo == "gridworld"
    with pytest.raises(ValueError, match="lower-case words"):
        Scene(name="Bad Name", demo="bandit", claim="A claim.")
    with pytest.raises(ValueError, match="one sentence"):
        Scene(name="no-claim", demo="bandit", claim="")


def test_the_cli_prints_a_scenes_figures_as_the_scene_runs_them(capsys):
    assert main(["gridworld", "--scene", "dyna-q-planning", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["figures"] == run_scene(SCENES["dyna-q-planning"])["figures"]
    assert printed["claim"] == SCENES["dyna-q-planning"].claim
    with pytest.raises(SystemExit):
        main(["bandit", "--scene", "dyna-q-planning"])
    with pytest.raises(SystemExit):
        main(["gridworld", "--scene", "dyna-q-planning", "--seed", "3"])


def staged(name: str, seed: int):
    """The scene's own run on another seed (its settings with ``seed`` changed)."""
    scene = SCENES[name]
    config, _ = from_params(demo_classes(scene.demo)[1], {**scene.params(), "seed": str(seed)})
    return scene, config


def test_dyna_q_planning_on_20_seeds():
    """Dyna-Q's greedy path is optimal after the scene's steps and Q-learning's is not, on each of seeds 0-19."""
    for seed in range(20):
        scene, config = staged("dyna-q-planning", seed)
        demo = GridworldDemo(config)
        demo.advance(scene.steps)
        figures = demo.snapshot()["figures"]
        assert figures["greedy-path-length"] == figures["optimal-path-length"], seed
        assert figures["b-greedy-path-length"] != figures["optimal-path-length"], seed
        assert figures["b-episode"] >= 5, seed  # Q-learning has had episodes to learn from


def test_value_iteration_sweeps_shrink_to_v_star_whatever_the_seed():
    """Value iteration uses no randomness: the claim holds on every seed, with the same sweeps (seeds 0-19)."""
    sweeps = set()
    for seed in range(20):
        scene, config = staged("value-iteration-sweeps", seed)
        demo = GridworldDemo(config)
        deltas = []
        while demo.plan_step(1):
            deltas.append(demo.snapshot()["planner"]["deltas"][-1])
        assert all(later <= earlier for earlier, later in zip(deltas[1:], deltas[2:], strict=False)), deltas
        assert deltas[-1] < 1e-6 <= deltas[-2]
        planner_V = np.asarray(demo.snapshot()["planner"]["V"]).reshape(-1)
        np.testing.assert_allclose(planner_V, demo.vi.V, atol=1e-5)
        figures = demo.snapshot()["figures"]
        assert figures["optimal-path-length"] == 14 and figures["plan-sweeps"] == len(deltas)
        sweeps.add(len(deltas))
    assert len(sweeps) == 1


def test_ppo_clip_stops_rewarding_ratios_beyond_the_clip_range_on_20_seeds():
    """The clipped objective's slope in r is 0 beyond 1 + ε for A > 0 and below 1 − ε for A < 0, and A·1 in
    between, on 20 seeds of random ratios and advantages."""
    epsilon = float(SCENES["ppo-clip"].params()["clip"])
    h = 1e-6
    for seed in range(20):
        rng = np.random.default_rng(seed)
        ratio, adv = rng.uniform(0.3, 1.7, 200), rng.normal(size=200)
        slope = (clipped_surrogate(ratio + h, adv, epsilon) - clipped_surrogate(ratio - h, adv, epsilon)) / (2 * h)
        clipped = ((adv > 0) & (ratio > 1 + epsilon + h)) | ((adv < 0) & (ratio < 1 - epsilon - h))
        free = (np.abs(ratio - (1 + epsilon)) > h) & (np.abs(ratio - (1 - epsilon)) > h) & ~clipped
        np.testing.assert_allclose(slope[clipped], 0.0, atol=1e-6)
        np.testing.assert_allclose(slope[free], adv[free], rtol=1e-5)


@pytest.mark.slow
def test_cliff_sarsa_beats_q_learning_over_the_scenes_50_seeds():
    """Slow (50 seeds × 2 rules × 500 episodes): Figure 6.4's picture, the scene as declared."""
    result = run_scene(SCENES["cliff-sarsa-vs-q"])
    q_learning, sarsa = result["figures"]["average-return-a"], result["figures"]["average-return-b"]
    assert sarsa > q_learning + 15
    assert -58 < q_learning < -44 and -35 < sarsa < -20


def changes(paths: list) -> float:
    """The share of paths that differ from the one before them."""
    return sum(a != b for a, b in zip(paths, paths[1:], strict=False)) / (len(paths) - 1)


@pytest.mark.slow
def test_cliff_grid_shows_q_learnings_edge_path_and_sarsas_safe_path_steadily_on_20_seeds():
    """Slow (20 seeds × 2 rules × 500 episodes, a greedy path after each): the paths the cliff scene's grid shows
    (its run of the scene's seed, as the job ends: rlplay.demos.gridworld.average.ShownRun), on seeds 0-19.

    Q-learning's is the edge path: the 13 moves with all 10 cells above the cliff on the row next to it. SARSA's is
    the safe route: it reaches the goal with at most 1 of those 10 cells on that row, and with none on at least 18 of
    the 20 seeds (measured on seeds 0-49: none on 47, one cell next to the start on 3). Steady: over the last 250
    episodes the path shown changes after at most 5% of episodes on every seed (measured: SARSA's 1.4% on average,
    Q-learning's 0%), where SARSA's greedy path of the moment changes after over 20% (measured: 32%)."""
    edge_row, cliff_columns = 2, range(1, 11)

    def on_edge(cells) -> int:
        return sum(1 for r, c in cells if r == edge_row and c in cliff_columns)

    strictly_safe, shown_changes, raw_changes = 0, [], []
    for seed in range(20):
        scene, config = staged("cliff-sarsa-vs-q", seed)
        demo = GridworldDemo(config)
        shown, raw = [[], []], [[], []]
        for episode in range(1, config.episodes + 1):
            demo.shown.run_to(episode)  # what the job's pace does, one episode at a time
            for i, agent in enumerate(demo.learners()):
                shown[i].append(demo.shown.path(i))
                raw[i].append(agent.greedy_path())
        (q_path, q_reached), (sarsa_path, sarsa_reached) = shown[0][-1], shown[1][-1]
        assert q_reached and len(q_path) == 14 and on_edge(q_path) == 10, (seed, q_path)
        assert sarsa_reached and on_edge(sarsa_path) <= 1, (seed, sarsa_path)
        strictly_safe += on_edge(sarsa_path) == 0
        for i in (0, 1):
            late = shown[i][-250:]
            assert changes(late) <= 0.05, (seed, i, changes(late))
            shown_changes.append(changes(late))
        raw_changes.append(changes(raw[1][-250:]))
        snap = demo.snapshot()  # what the page is sent: the shown paths
        assert [tuple(cell) for cell in snap["greedy_path_b"].tolist()] == list(sarsa_path)
    assert strictly_safe >= 18
    assert np.mean(raw_changes) > 0.2  # without the window, SARSA's path flickers


@pytest.mark.slow
def test_bandit_ucb_regret_bends_over_on_20_seeds():
    """Slow (20 × 200 races × 1,000 pulls × 4 lanes): on each seed, after 1,000 pulls UCB's regret is below
    ε-greedy's; UCB's regret a pull in the last 100 pulls is under a tenth of its rate in the first 100 (it bends
    over), while ε-greedy's is still over 0.6 of its rate in pulls 100-500 (a near-straight climb) and over 5 times
    UCB's. (Seed 0 measured: ε-greedy 0.107 then 0.081 a pull, UCB 0.148 then 0.0064.)"""
    for seed in range(20):
        scene, config = staged("bandit-ucb-regret", seed)
        driver_class, _ = demo_classes("bandit")
        demo = driver_class(config)
        while demo.advance(1_000_000):
            pass
        snapshot = demo.snapshot()
        figures = snapshot["figures"]
        assert figures["regret-ucb"] < figures["regret-epsilon-greedy"], seed
        curves = dict(zip(snapshot["lanes"], snapshot["cum_regret"], strict=True))
        ucb, greedy = curves["ucb"], curves["epsilon-greedy"]
        ucb_late, greedy_late = (ucb[999] - ucb[899]) / 100, (greedy[999] - greedy[899]) / 100
        assert ucb_late < 0.1 * ucb[99] / 100, seed  # bends over
        assert greedy_late > 0.6 * (greedy[499] - greedy[99]) / 400, seed  # keeps climbing
        assert 5 * ucb_late < greedy_late, seed


def test_the_cli_prints_figure_2_3s_numbers(capsys):
    """``python -m rlplay bandit --scene bandit-optimistic`` prints the claim's figures: the highlighted ones and the
    spike, the dip and the pull from which optimistic greedy stays ahead, as the scene runs them."""
    assert main(["bandit", "--scene", "bandit-optimistic", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    result = run_scene(SCENES["bandit-optimistic"])
    assert printed["figures"] == result["figures"] and printed["numbers"] == result["numbers"]
    assert set(printed["figures"]) == {"optimal-share-optimistic-greedy", "optimal-share-epsilon-greedy"}
    assert printed["numbers"]["optimistic greedy at pull 11"] > printed["numbers"]["ε-greedy at pull 11"]
    assert main(["bandit", "--scene", "bandit-optimistic"]) == 0
    text = capsys.readouterr().out
    assert "ε-greedy: % optimal action over the last 100 pulls [optimal-share-epsilon-greedy]: 0." in text
    assert "the pull from which optimistic greedy stays ahead: " in text


@pytest.mark.slow
def test_bandit_optimistic_greedy_dips_then_beats_epsilon_greedy_on_20_seeds():
    """Slow (20 × 500 races × 1,000 pulls × 4 lanes): Figure 2.3's claim as the scene states it, on seeds 0-19, read
    from the "% optimal action" curves (the share of the races pulling the best arm at each pull). Measured on seeds
    0-19: at pull 11 optimistic greedy 0.55-0.63, ε-greedy 0.10-0.16; optimistic's lowest in pulls 12-20 ≤ 0.01,
    ε-greedy's mean there 0.09-0.15; optimistic ahead at every pull from pull 28-110 on; last 100 pulls 0.90-0.94
    against 0.43-0.48."""
    for seed in range(20):
        scene, config = staged("bandit-optimistic", seed)
        driver_class, _ = demo_classes("bandit")
        demo = driver_class(config)
        while demo.advance(1_000_000):
            pass
        snapshot = demo.snapshot()
        share = dict(zip(snapshot["lanes"], snapshot["optimal_share"], strict=True))
        optimistic, greedy = share["optimistic-greedy"], share["epsilon-greedy"]
        assert len(optimistic) == 1000 and config.runs == 500 and config.alpha == 0.1 and config.q0 == 5.0, seed
        assert optimistic[10] > 0.5 > greedy[10], seed  # pull 11: over half the races on the best arm
        assert optimistic[11:20].min() < 0.05 < greedy[11:20].mean(), seed  # then almost none, below ε-greedy
        assert (optimistic[149:] > greedy[149:]).all(), seed  # from pull 150 on, ahead at every pull
        figures = snapshot["figures"]
        assert figures["optimal-share-optimistic-greedy"] > 0.85, seed
        assert figures["optimal-share-epsilon-greedy"] < 0.5, seed
        np.testing.assert_allclose(figures["optimal-share-optimistic-greedy"], optimistic[-100:].mean())


@pytest.mark.slow
def test_actor_critic_and_the_baseline_solve_in_a_fraction_of_reinforces_episodes_on_20_seeds():
    """Slow (about 5 M environment steps, batched): the two comparison scenes' claims on seeds
    0-19 instead of 0-7, in one comparison of the three, and the lesson's "about four times faster" for actor-critic
    (measured: REINFORCE's median 987.5 episodes, 4 of 20 unsolved within 2,000; actor-critic's 255, 3.9× fewer)."""
    demo = CartpoleDemo(CartpoleConfig())
    demo.compare_start(["reinforce", "reinforce-baseline", "actor-critic"], seeds=20, episodes=2000)
    while demo.comparison is not None:
        demo.compare_step(1000.0)
    figures = demo.snapshot()["figures"]
    reinforce = figures["compare-median-reinforce"]
    for other in ("actor-critic", "reinforce-baseline"):
        median = figures[f"compare-median-{other}"]
        assert 0 < median and (reinforce < 0 or 2 * median < reinforce), figures
    # index.html: "the critic's baseline makes learning about four times faster"
    actor_critic = figures["compare-median-actor-critic"]
    assert 3 * actor_critic < reinforce < 5 * actor_critic, figures
