"""Cart-pole balancer, end to end: the issue's learning criteria, the algorithm toggle, Watch and Play it yourself,
comparing algorithms over seeds, the gradient's spread, and keeping agents (save, load, a refused file, the shipped one).

The two training tests are the expensive ones: each stops (pauses the demo) the moment its criterion is met. Their
budgets are in episodes (natively, seed 0: actor-critic solves at episode 303, REINFORCE + baseline's mean length
triples by episode 122); the wall-clock targets (120 s on the 2-core test machine) are measured in tests/bench.py.
"""

from __future__ import annotations

import re
import time

import pytest
from helpers import demo_root, open_setup, stat, wait_until

SOLVE_BUDGET_EPISODES = 600  # twice the native seed-0 run's 303
TRIPLE_BUDGET_EPISODES = 400  # over three times the native seed-0 run's 122
HANG_GUARD_S = 600  # only a wedged page takes this long; not a speed target
SOLVED = 475

CURVE = """() => {
  const c = window.rlplay.inspect("cartpole");
  return { lengths: c.lengths, episode: c.figures.episode ?? -1,
           previous: c.previousRuns.map((run) => ({ label: run.label, algo: run.algo, n: run.episodes })),
           algo: c.algo, status: c.status };
}"""


@pytest.fixture
def page(app):
    """This file's tests share the session's booted page (tests/conftest.py: app); each opens its setup with
    open_setup, which checks that it starts clean."""
    return app


def curve(page) -> dict:
    return page.evaluate(CURVE)


def pause(page):
    """Press Pause, then wait for the work request already out (its answer still lands) so the figures are still."""
    demo_root(page, "cartpole").get_by_role("button", name="Pause").click()
    wait_until(
        lambda: not page.evaluate("() => window.rlplay.inspect('cartpole').inFlight"), 10, message="the last chunk"
    )


@pytest.mark.slow  # a learning run to a threshold: the slow lane
def test_actor_critic_reaches_mean_length_475_within_budget(page, artifacts):
    open_setup(page, "demo=cartpole&algo=actor-critic&speed=max&autoplay=1")
    wait_until(
        lambda: (
            stat(page, "cartpole", "solved-at-episode") >= 0
            or stat(page, "cartpole", "episode") >= SOLVE_BUDGET_EPISODES
        ),
        HANG_GUARD_S,
        interval_s=0.25,
        message=f"actor-critic to solve, or {SOLVE_BUDGET_EPISODES} episodes",
    )
    pause(page)
    solved_at = stat(page, "cartpole", "solved-at-episode")
    print(f"\nactor-critic: solved at episode {solved_at:.0f} (episode {stat(page, 'cartpole', 'episode'):.0f})")
    assert 100 <= solved_at <= SOLVE_BUDGET_EPISODES, "actor-critic did not solve within its episode budget"
    # The figure agrees with the curve the page holds (the oracle: the mean of its last 100 episode lengths).
    data = wait_until(
        lambda: (lambda d: d if len(d["lengths"]) == d["episode"] else None)(curve(page)),
        5,
        message="the curve to catch up with the figures",
    )
    lengths = data["lengths"]
    assert len(lengths) >= 100
    solved_at = stat(page, "cartpole", "solved-at-episode")
    assert 100 <= solved_at <= len(lengths)
    window = lengths[int(solved_at) - 100 : int(solved_at)]
    assert sum(window) / 100 >= SOLVED
    assert data["algo"] == "actor-critic"
    # The replay switches episodes only at the end of one (at most 10 s of physical time): wait for a solved-era one.
    replayed = """() => window.rlplay.inspect("cartpole").replay?.episode ?? -1"""
    try:
        wait_until(lambda: page.evaluate(replayed) >= solved_at, 12, message="a replay from after the solve")
    except AssertionError:
        pass  # only the picture depends on it
    time.sleep(1.0)
    demo_root(page, "cartpole").screenshot(path=str(artifacts / "cartpole-trained.png"))
    page.watch.assert_clean()


@pytest.mark.slow  # a learning run to a threshold: the slow lane
def test_reinforce_with_baseline_mean_length_at_least_triples(page):
    open_setup(page, "demo=cartpole&algo=reinforce-baseline&speed=max&autoplay=1")

    def tripled():
        lengths = curve(page)["lengths"]
        if len(lengths) < 120:  # 20 early episodes, then a full window of 100 later ones
            return None
        first20 = sum(lengths[:20]) / 20
        last100 = sum(lengths[-100:]) / 100
        if last100 >= 3 * first20 or len(lengths) >= TRIPLE_BUDGET_EPISODES:
            return first20, last100, len(lengths)
        return None

    first20, last100, episodes = wait_until(
        tripled, HANG_GUARD_S, interval_s=0.25, message="REINFORCE + baseline's mean length to triple, or its budget"
    )
    pause(page)
    print(f"\nREINFORCE + baseline: first-20 mean {first20:.1f} -> last-100 mean {last100:.1f} at episode {episodes}")
    assert last100 >= 3 * first20, (
        f"REINFORCE + baseline's mean length did not triple in {TRIPLE_BUDGET_EPISODES} episodes"
    )
    assert curve(page)["algo"] == "reinforce-baseline"
    page.watch.assert_clean()


def test_toggle_keeps_previous_curve_then_watch_and_play(page):
    open_setup(page, "demo=cartpole&algo=actor-critic&speed=max&autoplay=1")
    root = demo_root(page, "cartpole")
    wait_until(lambda: stat(page, "cartpole", "episode") >= 30, 60, message="30 actor-critic episodes")

    # The toggle: a fresh PPO run with the same seed; the actor-critic curve stays, faded and labelled.
    root.get_by_role("radio", name="PPO").check()
    data = wait_until(
        lambda: (lambda d: d if d["previous"] and d["algo"] == "ppo" else None)(curve(page)),
        10,
        message="the PPO run to start with the previous curve kept",
    )
    assert data["previous"][0]["algo"] == "actor-critic"
    assert data["previous"][0]["label"].startswith("Actor-critic")
    assert data["previous"][0]["n"] >= 30
    assert len(data["lengths"]) < data["previous"][0]["n"]  # the new run starts over
    assert page.evaluate("() => window.rlplay.registry.get('cartpole', 'algo')") == "ppo"
    wait_until(lambda: "algo=ppo" in page.evaluate("() => location.search"), 5, message="the URL to carry algo=ppo")
    assert root.get_by_role("radio", name="PPO").is_checked()

    # Watch, chosen with the keyboard: Train → (arrow right) → Watch. The current policy runs without learning.
    root.get_by_role("radio", name="Train").focus()
    page.keyboard.press("ArrowRight")
    assert root.get_by_role("radio", name="Watch").is_checked()
    live = """() => { const l = window.rlplay.inspect("cartpole").live;
                      return l ? { n: l.states.length, first: l.states[0], last: l.states[l.states.length - 1] } : null; }"""
    # The watch episode starts once the last training call is back: from then on, no episode is trained.
    wait_until(lambda: page.evaluate(live), 10, message="the watched episode to start")
    episodes_before = stat(page, "cartpole", "episode")
    watched = wait_until(
        lambda: (lambda l: l if l and l["n"] >= 15 else None)(page.evaluate(live)), 10, message="15 watched steps"
    )
    assert watched["last"] != watched["first"]
    assert stat(page, "cartpole", "episode") == episodes_before  # watching does not train
    wait_until(lambda: "mode=watch" in page.evaluate("() => location.search"), 5, message="the URL to carry mode=watch")

    # Play it yourself: focus the cart-pole, push right with the keyboard; the state moves.
    root.get_by_role("radio", name="Play it yourself").check()
    stage = root.get_by_role("img", name="Play it yourself", exact=False)
    stage.focus()
    page.keyboard.press("ArrowRight")
    game = """() => { const g = window.rlplay.inspect("cartpole").game;
                      return g ? { n: g.states.length, first: g.states[0], last: g.states[g.states.length - 1],
                                   actions: g.actions } : null; }"""
    played = wait_until(
        lambda: (lambda g: g if g and g["n"] >= 4 else None)(page.evaluate(game)),
        10,
        message="4 steps of the hand-played episode",
    )
    assert played["actions"][0] == 1  # → pushes right
    assert played["last"][1] > played["first"][1]  # pushing right speeds the cart up to the right (x_dot grows)
    page.keyboard.press("ArrowLeft")
    wait_until(lambda: 0 in page.evaluate(game)["actions"], 5, message="← to push left")
    page.watch.assert_clean()


LIVE = """() => { const l = window.rlplay.inspect("cartpole").live;
                  return l ? { n: l.states.length, done: l.done, length: l.length } : null; }"""


def finished_watch_episode(page, timeout_s: float) -> int:
    """The length of the first Watch episode, once it has ended (Watch runs in real time: 50 steps a second)."""
    done = wait_until(
        lambda: (lambda l: l if l and l["done"] else None)(page.evaluate(LIVE)), timeout_s, message="a Watch episode"
    )
    return done["length"]


COMPARE_SEEDS = 8
COMPARE_EPISODES = 400
COMPARE_BUDGET_S = 900  # 16 runs in the browser's worker, on the 2-core test machine


@pytest.mark.slow  # a learning run to a threshold: the slow lane
def test_compare_over_seeds_shows_actor_critic_ahead_of_reinforce_with_bands(page, artifacts):
    open_setup(page, "demo=cartpole")
    root = demo_root(page, "cartpole")
    compare = root.locator('[data-control="compare"]')
    compare.get_by_label("REINFORCE", exact=True).check()
    compare.get_by_label("Actor-critic", exact=True).check()
    compare.get_by_label("Seeds N").fill(str(COMPARE_SEEDS))
    compare.get_by_label("Episodes per run").fill(str(COMPARE_EPISODES))
    compare.get_by_role("button", name="Compare over seeds").click()
    progress = compare.locator("progress")
    wait_until(lambda: progress.is_visible(), 10, message="the progress bar")
    seen = set()
    table = compare.locator("table tbody tr")

    def finished():
        value = progress.get_attribute("value") if progress.is_visible() else None
        if value is not None:
            seen.add(round(float(value), 2))
        return table.count() == 2

    wait_until(finished, COMPARE_BUDGET_S, interval_s=1.0, message="the comparison to finish")
    assert len(seen) >= 3, seen  # the bar moved while the worker trained, chunk by chunk

    def row(algo):
        cells = compare.locator(f'tr[data-algo="{algo}"] td')
        return {cell.get_attribute("data-cell"): cell.text_content() for cell in cells.all()}

    reinforce, actor_critic = row("reinforce"), row("actor-critic")
    print(f"\ncompare over {COMPARE_SEEDS} seeds: REINFORCE {reinforce}, actor-critic {actor_critic}")
    assert reinforce["solved"].endswith(f"of {COMPARE_SEEDS}") and actor_critic["solved"].endswith(
        f"of {COMPARE_SEEDS}"
    )

    def median(text):
        return float("inf") if text.startswith(">") else float(text)

    # The seed post's claim, measured on the page: actor-critic solves in fewer episodes, by the median.
    assert median(actor_critic["median"]) < median(reinforce["median"])
    assert "Actor-critic solved in fewer episodes" in compare.locator(".cartpole-compare-summary").text_content()
    # The bands: the quartile curves bracket the median at every episode, and they differ somewhere.
    bands = page.evaluate(
        """() => { const r = window.rlplay.inspect("cartpole").compare;
                   return ["reinforce", "actor-critic"].map((a) => ({ q1: r[a].curve_q1,
                     m: r[a].curve_median, q3: r[a].curve_q3 })); }"""
    )
    for band in bands:
        assert len(band["m"]) == COMPARE_EPISODES
        assert all(lo <= mid <= hi for lo, mid, hi in zip(band["q1"], band["m"], band["q3"], strict=True))
        assert any(hi > lo for lo, hi in zip(band["q1"], band["q3"], strict=True))
    compare.screenshot(path=str(artifacts / "cartpole-compare.png"))
    page.watch.assert_clean()


def test_compare_can_be_cancelled_and_the_gradient_spread_is_measured(page):
    open_setup(page, "demo=cartpole")
    root = demo_root(page, "cartpole")
    compare = root.locator('[data-control="compare"]')
    compare.get_by_role("button", name="Compare over seeds").click()
    wait_until(lambda: compare.get_by_role("button", name="Cancel").is_visible(), 10, message="Cancel")
    # The status says what runs: each run stops when it solves or at the budget (not "16 runs of 600 episodes").
    status = compare.locator("[role=status]").text_content()
    assert "16 runs" in status and "until solved or 600 episodes" in status, status
    # The stage, whose training waits for the comparison, says what runs instead of "press Play to train".
    banner = lambda: page.evaluate("window.rlplay.inspect('cartpole').banner")  # noqa: E731
    assert re.fullmatch(r"comparing over seeds — \d+ of 16 runs finished, below", banner()), banner()
    compare.get_by_role("button", name="Cancel").click()
    wait_until(lambda: "Cancelled" in compare.locator("[role=status]").text_content(), 30, message="the cancel")
    assert compare.locator("table tbody tr").count() == 0
    assert banner() == "press Play to train"
    assert compare.get_by_role("button", name="Compare over seeds").is_enabled()

    spread = root.locator('[data-control="spread"]')
    spread.get_by_role("button", name="Measure the spread").click()
    wait_until(lambda: spread.locator("table tbody tr").count() == 3, 120, message="the spread table")
    values = {
        name: float(spread.locator(f'tr[data-estimator="{name}"] td[data-cell="spread"]').text_content())
        for name in ("reinforce", "baseline", "critic")
    }
    assert all(v > 0 for v in values.values()), values
    # The table is work beside the run: the link replays the run and says it leaves the table out.
    root.get_by_role("button", name="Copy link").click()
    note = wait_until(lambda: root.locator(".share-status").text_content(), 10, 0.05, "the link's note")
    assert "The link does not carry the gradient's spread (16 episodes of the policy at step 0)" in note, note
    page.watch.assert_clean()


def test_save_reload_load_and_watch_gives_the_same_episode(page, tmp_path):
    open_setup(page, "demo=cartpole&algo=actor-critic&seed=3&speed=max&autoplay=1")
    root = demo_root(page, "cartpole")
    wait_until(lambda: stat(page, "cartpole", "episode") >= 40, 90, message="40 training episodes")
    pause(page)
    with page.expect_download() as download_info:
        root.get_by_role("button", name="Save agent").click()
    saved = tmp_path / "agent.json"
    download_info.value.save_as(saved)
    assert '"algo":"actor-critic"' in saved.read_text()
    root.get_by_role("radio", name="Watch").check()
    root.get_by_role("button", name="Play").click()
    before = finished_watch_episode(page, 30)

    # reload the page, on another run: the file must bring its own settings
    open_setup(page, "demo=cartpole&algo=ppo")
    root = demo_root(page, "cartpole")
    root.locator('[data-control="agent"] input[type="file"]').set_input_files(str(saved))
    wait_until(lambda: "Loaded" in root.locator(".cartpole-agent-status").text_content(), 20, message="the load")
    assert page.evaluate("() => window.rlplay.registry.get('cartpole', 'algo')") == "actor-critic"
    assert root.get_by_role("radio", name="Watch").is_checked()
    after = finished_watch_episode(page, 30)
    print(f"\nWatch episode before saving: {before} steps; after reloading and loading: {after} steps")
    assert after == before
    page.watch.assert_clean()


def test_a_corrupted_agent_file_is_refused_with_a_message_and_changes_nothing(page, tmp_path):
    open_setup(page, "demo=cartpole&algo=ppo&speed=max&autoplay=1")
    root = demo_root(page, "cartpole")
    wait_until(lambda: stat(page, "cartpole", "episode") >= 5, 60, message="5 training episodes")
    pause(page)
    episodes = stat(page, "cartpole", "episode")
    bad = tmp_path / "agent.json"
    bad.write_text('{"format": "rlplay-cartpole-agent", "version": 1, "algo": "dqn", "networks": {"q_network": 7}}')
    root.locator('[data-control="agent"] input[type="file"]').set_input_files(str(bad))
    status = root.locator(".cartpole-agent-status")
    wait_until(lambda: "refused" in status.text_content(), 20, message="the refusal")
    assert "nothing changed" in status.text_content() and "agent file" in status.text_content()
    assert status.get_attribute("data-tone") == "bad"
    assert stat(page, "cartpole", "episode") == episodes
    assert page.evaluate("() => window.rlplay.registry.get('cartpole', 'algo')") == "ppo"
    bad.write_text("this is not JSON")
    root.locator('[data-control="agent"] input[type="file"]').set_input_files(str(bad))
    wait_until(lambda: "not valid JSON" in status.text_content(), 20, message="the second refusal")
    page.watch.assert_clean()


def test_the_shipped_agent_balances_for_500_steps_in_watch(page, artifacts):
    open_setup(page, "demo=cartpole")
    root = demo_root(page, "cartpole")
    root.get_by_role("button", name="Watch a trained agent").click()
    wait_until(lambda: "Loaded" in root.locator(".cartpole-agent-status").text_content(), 30, message="the load")
    length = finished_watch_episode(page, 40)  # 500 steps of 20 ms: 10 s of real time
    assert length == 500
    root.screenshot(path=str(artifacts / "cartpole-pretrained-watch.png"))
    page.watch.assert_clean()
