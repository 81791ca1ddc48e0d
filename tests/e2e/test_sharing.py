"""Sharing: the whole state of a demo round-trips through the URL, and a copied link reproduces the run exactly."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from helpers import demo_root, open_setup, stat, wait_status, wait_until

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ("episode", "steps", "episode-length", "greedy-path-length", "optimal-path-length")


def figures(page) -> dict:
    return {name: stat(page, "gridworld", name) for name in FIGURES}


def learned(page) -> dict:
    return page.evaluate(
        """() => {
            const s = window.rlplay.inspect('gridworld').snapshot;
            return {Q: s.Q.data, path: s.greedy_path.data};
        }"""
    )


def click_cell(page, row, col):
    canvas = demo_root(page, "gridworld").locator("canvas.gw-grid")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    grid = page.evaluate("() => window.rlplay.inspect('gridworld').grid")
    page.mouse.click(
        box["x"] + grid["x0"] + (col + 0.5) * grid["size"], box["y"] + grid["y0"] + (row + 0.5) * grid["size"]
    )


def test_copied_link_reproduces_hyperparameters_walls_and_the_run(warm, server_url, tmp_path_factory):
    """Both pages are real first loads, on the warm shared Python (tests/conftest.py, WarmPages)."""
    page, _ = warm.new_page(1280, 900)
    page.goto(f"{server_url}?demo=gridworld&speed=max")
    wait_status(page, "gridworld", "ready", timeout=90_000)
    root = demo_root(page, "gridworld")
    # Three hyperparameters, changed from the keyboard as a user would.
    root.get_by_label("α (learning rate)").focus()
    page.keyboard.press("PageDown")
    root.get_by_label("γ (discount)").focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    root.get_by_label("ε (random-action probability)").focus()
    for _ in range(50):
        page.keyboard.press("ArrowRight")
    registry = lambda name: page.evaluate(f"() => window.rlplay.registry.get('gridworld', '{name}')")  # noqa: E731
    assert (registry("alpha"), registry("gamma"), registry("epsilon")) != (0.5, 0.99, 0.1)
    # Two walls, clicked on the grid.
    click_cell(page, 2, 0)
    wait_until(lambda: stat(page, "gridworld", "optimal-path-length") == 16, 10, message="the first wall")
    click_cell(page, 0, 6)
    wait_until(lambda: "0.6" in registry("walls").split("_"), 10, message="the second wall")
    # Train a while, then pause.
    root.get_by_role("button", name="Play").click()
    wait_until(lambda: stat(page, "gridworld", "steps") > 20_000, 30, message="training")
    root.get_by_role("button", name="Pause").click()
    wait_status(page, "gridworld", "paused")
    page.wait_for_timeout(300)
    shown, state = figures(page), learned(page)
    root.get_by_role("button", name="Copy link").click()
    link = root.get_by_label("Shareable text").input_value()
    query = parse_qs(urlsplit(link).query)
    assert query["steps"] == [str(int(shown["steps"]))]
    for name in ("alpha", "gamma", "epsilon", "walls", "seed"):
        assert name in query, name

    # A new page from the link: the same settings, replayed to the same step, give the same run.
    fresh, _ = warm.new_page(1280, 900)
    fresh.goto(link)
    wait_status(fresh, "gridworld", "ready", timeout=90_000)
    config = lambda p: p.evaluate("() => window.rlplay.inspect('gridworld').snapshot.config")  # noqa: E731
    assert figures(fresh) == shown, (link, config(page), config(fresh))
    assert learned(fresh) == state
    for name in ("alpha", "gamma", "epsilon", "walls"):
        assert fresh.evaluate(f"() => window.rlplay.registry.get('gridworld', '{name}')") == registry(name)

    # And "Reproduce in Python", pasted as it is into a shell with nothing but the page, installs rlplay from the
    # wheel the site serves into a fresh virtualenv and prints the same figures.
    root.get_by_role("button", name="Reproduce in Python").click()
    output = root.get_by_label("Shareable text")  # the link is there until the command replaces it
    command = wait_until(lambda: " -m rlplay " in output.input_value() and output.input_value(), 30, 0.05, "command")
    assert "\n" not in command and f"{server_url.rstrip('/')}/wheels/" in command
    workdir = tmp_path_factory.mktemp("reproduce")
    out = subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        cwd=workdir,
        env={"PATH": "/usr/bin:/bin", "HOME": str(workdir)},
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    printed = dict(re.findall(r"^\s*([a-z-]+): (-?[0-9.]+)$", out.stdout, flags=re.M))
    assert {name: float(printed[name]) for name in FIGURES} == shown
    fresh.close()
    page.close()


def test_edited_mid_run_links_do_not_claim_to_replay(app):
    """Settings changed during a run make a different run than the link's settings from the start: no steps=."""
    page = app  # the session's shared page (tests/conftest.py)
    open_setup(page, "demo=gridworld&speed=max&autoplay=1")
    wait_status(page, "gridworld", "running", timeout=90_000)
    wait_until(lambda: stat(page, "gridworld", "steps") > 1000, 10, message="training")
    root = demo_root(page, "gridworld")
    root.get_by_label("α (learning rate)").focus()
    page.keyboard.press("PageDown")
    # The change is a mid-run change once Python has applied it (at max speed the configure call waits behind the
    # run in flight: 300 ms was not always enough, on a fresh page as on the shared one).
    wait_until(
        lambda: str(page.evaluate("window.rlplay.inspect('gridworld').snapshot.config.alpha")) != "0.5",
        10,
        message="the new α to reach Python",
    )
    root.get_by_role("button", name="Copy link").click()
    link = root.get_by_label("Shareable text").input_value()
    assert "steps" not in parse_qs(urlsplit(link).query)
    assert "replays the current settings from the start" in root.locator(".share-status").text_content()


def _shared_queries(root) -> tuple[dict, dict, str]:
    """The Copy link's query and the Embed snippet's iframe query (each name's first value), and the embed's note."""
    output = root.get_by_label("Shareable text")
    root.get_by_role("button", name="Copy link").click()
    link = wait_until(lambda: "?" in output.input_value() and output.input_value(), 10, 0.05, "the link")
    root.get_by_role("button", name="Embed").click()
    snippet = wait_until(lambda: "<iframe" in output.input_value() and output.input_value(), 10, 0.05, "the snippet")
    src = re.search(r'<iframe src="([^"]+)"', snippet).group(1).replace("&amp;", "&")
    tag = re.search(r"<rl-playground([^>]*)>", snippet).group(1)
    as_query = lambda url: {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}  # noqa: E731
    embed = as_query(src)
    # the one-tag form carries the iframe's query, name for name
    assert dict(re.findall(r' ([a-z_]+)="([^"]*)"', tag)) == {k: v for k, v in embed.items() if k != "embed"}
    return as_query(link), embed, root.locator(".share-status").text_content()


def _carries_the_link(link: dict, embed: dict) -> None:
    """The snippet's query is the link's, but for embed=1 and the settings it leaves at their defaults."""
    assert embed.pop("embed") == "1"
    assert {name: link.get(name) for name in embed} == embed
    assert link.get("steps") == embed.get("steps") and link.get("agent") == embed.get("agent")


def test_the_embed_snippet_carries_what_the_link_carries(app, browser):
    """The Embed snippet had no agent= and no steps= for a loaded pretrained agent trained on, so an embed of that
    screen showed a run from scratch. Now the link and the snippet are built by one function: the snippet carries the
    link's state (its settings that differ from their defaults, steps=, agent=), opens on the screen's figures, and
    after a mid-run change says, as the link does, that it replays the current settings from the start."""
    page = app
    open_setup(page, "demo=cartpole&speed=5000")
    root = demo_root(page, "cartpole")
    root.get_by_role("button", name="Watch a trained agent").click()
    wait_until(lambda: "Loaded" in root.locator(".cartpole-agent-status").text_content(), 30, message="the load")
    # A setting changed after the load, before training on: the agent file brings its own lr, this one must win.
    page.evaluate("([d, n, v]) => window.rlplay.registry.set(d, n, v)", ["cartpole", "lr", "0.02"])
    wait_until(lambda: page.evaluate("(d) => window.rlplay.inspect(d).snapshot.config.lr", "cartpole") == "0.02", 10)
    root.get_by_role("radio", name="Train").check()
    if not page.evaluate("(d) => window.rlplay.inspect(d).playing", "cartpole"):
        root.get_by_role("button", name="Play").click()
    wait_until(lambda: stat(page, "cartpole", "episode") >= 2, 60, message="training on from the agent")
    root.get_by_role("button", name="Pause").click()
    wait_until(lambda: not page.evaluate("(d) => window.rlplay.inspect(d).inFlight", "cartpole"), 10, 0.05, "quiet")
    shown = page.evaluate("(d) => window.rlplay.inspect(d)", "cartpole")
    link, embed, _ = _shared_queries(root)
    assert embed["agent"] == "pretrained" and embed["steps"] == str(shown["unitsDone"]) and embed["lr"] == "0.02"
    _carries_the_link(link, embed)
    # The embed, opened as a blog would, shows the screen's run.
    context = browser.new_context(viewport={"width": 720, "height": 480})
    try:
        frame = context.new_page()
        frame.goto(f"{page.app_url}?{'&'.join(f'{k}={v}' for k, v in embed.items())}&embed=1")
        wait_until(
            lambda: frame.evaluate("(d) => window.rlplay?.inspect(d)?.unitsDone", "cartpole") == shown["unitsDone"],
            120,
            0.2,
            "the embed's replay",
        )
        assert frame.evaluate("(d) => window.rlplay.inspect(d).figures", "cartpole") == shown["figures"]
    finally:
        context.close()

    # A mid-run change: neither replays the steps, and both say so.
    _set = "([d, n, v]) => window.rlplay.registry.set(d, n, v)"
    page.evaluate(_set, ["cartpole", "gamma", "0.9"])
    wait_until(lambda: page.evaluate("(d) => window.rlplay.inspect(d).replayableSteps", "cartpole") == 0, 10, 0.05)
    link, embed, note = _shared_queries(root)
    assert "Settings changed during this run: the embed replays the current settings from the start." in note
    assert "steps" not in embed and embed["gamma"] == "0.9"
    _carries_the_link(link, embed)
    page.watch.assert_clean()
