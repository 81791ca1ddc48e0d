"""Train a demo natively and print the figures the browser shows.

    python -m rlplay gridworld [--seed N] [--episodes N | --steps N] [--<field> VALUE ...]
        e.g. --algo sarsa --preset cliff --compare q-learning --seeds 50   (mean returns over 50 seeds, both rules)
    python -m rlplay bandit    [--seed N] [--steps N] [--epsilon 0.1 ...]    (no --steps: the whole horizon)
    python -m rlplay rlhf      [--beta 0.5] [--seed N] [--steps N] [--labeller user --labels ab-ba]   (PPO updates)
    python -m rlplay cartpole  [--algo actor-critic] [--seed N] [--episodes N] [--save agent.json]
    python -m rlplay cartpole  --load agent.json --watch [N]    Watch a saved agent: N episode lengths, as the page
    python -m rlplay cartpole  --load agent.json [--lr 0.02 ...] --steps N    train on from it (settings that keep
                                              the agent apply over the file's; --algo, --seed, --hidden are its own)
    python -m rlplay DEMO      --scene NAME [--json]    run a lesson's scene (rlplay/demos/<demo>/scenes.py)
                                              natively; print its claim's figures, the numbers the page shows
    python -m rlplay schema    [--check]      write (or check) web/params.json and web/contract.json, the page's
                                              view of the configs and of the snapshots (rlplay.app.contract)
    python -m rlplay sweep     --scene NAME [--runs N] [--workers N] [--ray [ADDRESS]] [--json] [--csv PATH]
                                              a parameter study, on every core or on Ray (rlplay.studies.sweep)

Every ``--<field>`` is a field of the demo's config, with the name the URL uses, so the page's "Reproduce in Python"
command is an exact replay: the same seed and the same number of steps give the same figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from rlplay.app.contract import describe
from rlplay.app.replay import agent_text, start_from_agent
from rlplay.core.scene import lookup
from rlplay.demos import DEMOS, demo_classes, demo_module, scenes
from rlplay.params import from_params, inactive_notices, schema
from rlplay.studies import sweep

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "web" / "params.json"
CONTRACT_PATH = SCHEMA_PATH.with_name("contract.json")


def full_schema() -> dict:
    return {demo: schema(demo_classes(demo)[1]) for demo in DEMOS}


def schema_command(check: bool) -> int:
    files = {
        SCHEMA_PATH: json.dumps(full_schema(), indent=1, ensure_ascii=False) + "\n",
        CONTRACT_PATH: json.dumps(describe(), indent=1, ensure_ascii=False) + "\n",
    }
    stale = False
    for path, text in files.items():
        if check:
            if (path.read_text() if path.exists() else "") != text:
                print(f"{path} is stale: run `python -m rlplay schema`", file=sys.stderr)
                stale = True
            continue
        path.write_text(text)
        print(f"wrote {path}")
    return 1 if stale else 0


def _progress(done: int, total: int, label: str, started: float) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    rate = done / max(time.perf_counter() - started, 1e-9)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label}  {rate:,.0f}/s ")
    sys.stderr.flush()


def train(demo: str, params: dict[str, str], episodes: int | None, steps: int | None, quiet: bool, driver=None) -> dict:
    if driver is None:
        driver_class, config_class = demo_classes(demo)
        config, notices = from_params(config_class, params)
        for notice in [*notices, *inactive_notices(config, params)]:
            print(f"notice: {notice}", file=sys.stderr)
        driver = driver_class(config)
    started = time.perf_counter()
    chunk = 2000
    if steps is not None:
        done = 0
        while done < steps:
            ran = driver.advance(min(chunk, steps - done))
            done += ran
            if not quiet:
                _progress(done, steps, "steps", started)
            if ran == 0:
                break
    elif episodes is None and getattr(driver, "ENDS", False):
        # the whole run, to its end (the bandit's horizon, RLHF's updates)
        while driver.advance(chunk) > 0:
            pass
    else:
        target = episodes if episodes is not None else 500
        while True:
            figures = driver.snapshot(10**12)["figures"]
            if figures["episode"] >= target:
                break
            if not quiet:
                _progress(int(figures["episode"]), target, "episodes", started)
            # Chunks may end a little past the target episode; --steps gives exact replays.
            if driver.advance(chunk) == 0:
                break
    if not quiet:
        sys.stderr.write("\n")
    snapshot = driver.snapshot(10**12)
    return {
        "figures": snapshot["figures"],
        "config": snapshot.get("config", {}),
        "notices": snapshot.get("notices", []),
        "seconds": time.perf_counter() - started,
        "driver": driver,
    }


def watch_lengths(driver, episodes: int) -> list[int]:
    """The lengths of ``episodes`` Watch episodes of the cart-pole driver's current policy (the page's Watch)."""
    lengths = []
    for _ in range(episodes):
        driver.watch_reset()
        result = driver.watch_step(10**6)
        lengths.append(result["length"])
    return lengths


def run_scene(scene) -> dict:
    """Stage ``scene`` natively as the page does and run it to where its claim is read; returns the claim, the
    highlighted figures by label and any other numbers of the claim (``RUN`` of the demo's scenes)."""
    driver_class, config_class = demo_classes(scene.demo)
    config, notices = from_params(config_class, scene.params())
    if notices:
        raise ValueError(f"scene {scene.name}: {'; '.join(notices)}")
    driver = driver_class(config)
    started = time.perf_counter()
    run = getattr(demo_module(scene.demo), "RUN", {}).get(scene.name)
    extra = run(driver) if run is not None else {}
    if run is None:
        if scene.steps:
            driver.advance(scene.steps)
        elif getattr(driver, "ENDS", False):
            while driver.advance(1_000_000):
                pass
    figures = driver.snapshot()["figures"]
    return {
        "scene": scene.name,
        "claim": scene.claim,
        "figures": {name: figures.get(name) for name, _ in scene.highlight},
        "labels": dict(scene.highlight),
        "numbers": extra,
        "seconds": time.perf_counter() - started,
        "driver": driver,
    }


def scene_command(scene, as_json: bool) -> int:
    result = run_scene(scene)
    result.pop("driver")
    if as_json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return 0
    print(f"{scene.name}: {scene.claim}")
    for name, value in result["figures"].items():
        print(f"  {result['labels'][name]} [{name}]: {value}")
    for label, value in result["numbers"].items():
        print(f"  {label}: {value:.6g}" if isinstance(value, float) else f"  {label}: {value}")
    print(f"  seconds: {result['seconds']:.2f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["schema"]:
        return schema_command("--check" in argv)
    if argv[:1] == ["sweep"]:
        return sweep.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m rlplay", description=__doc__.split("\n\n")[0])
    parser.add_argument("demo", choices=sorted(DEMOS))
    parser.add_argument("--episodes", type=int, help="train until this many episodes have finished")
    parser.add_argument("--steps", type=int, help="train exactly this many steps (pulls for the bandit)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--save", metavar="PATH", help="cartpole: write the trained agent to this JSON file")
    parser.add_argument(
        "--load", metavar="PATH", help="cartpole: start from the agent in this JSON file (a path, or an http(s) URL)"
    )
    parser.add_argument("--watch", type=int, nargs="?", const=1, metavar="N", help="cartpole: N Watch episodes")
    parser.add_argument("--scene", metavar="NAME", help="run this scene of the demo and print its claim's figures")
    known, rest = parser.parse_known_args(argv)
    if known.scene is not None:
        if rest or known.save or known.load or known.watch is not None or known.episodes or known.steps:
            parser.error("--scene runs the scene as declared: give only --json with it")
        try:
            scene = lookup(scenes(), known.scene, known.demo)
        except ValueError as error:
            parser.error(str(error))
        return scene_command(scene, known.json)
    if known.demo != "cartpole" and (known.save or known.load or known.watch is not None):
        parser.error("--save, --load and --watch are for the cartpole demo")
    _, config_class = demo_classes(known.demo)
    field_parser = argparse.ArgumentParser(prog=f"python -m rlplay {known.demo}")
    for entry in schema(config_class):
        field_parser.add_argument(f"--{entry['name']}", dest=entry["name"], help=entry["doc"])
    fields = {k: v for k, v in vars(field_parser.parse_args(rest)).items() if v is not None}
    driver = None
    if known.load:
        try:
            driver_class, _ = demo_classes("cartpole")
            text = agent_text(known.load)
            driver_class.from_agent_file(text)  # a file that cannot load is named as such
        except (OSError, ValueError) as error:
            print(f"cannot load {known.load}: {error}", file=sys.stderr)
            return 2
        try:
            # settings given with it apply over the file's, as the page's do when they change after a load
            driver = start_from_agent(driver_class, text, fields)
        except ValueError as error:
            parser.error(f"with --load, {error}; drop it")
        if known.episodes is None and known.steps is None:
            known.steps = 0  # loading alone trains nothing
    result = train(known.demo, fields, known.episodes, known.steps, known.quiet or known.json, driver)
    driver = result.pop("driver")
    if known.save:
        Path(known.save).write_text(driver.save_agent() + "\n")
        print(f"saved the agent to {known.save}", file=sys.stderr)
    if known.watch is not None:
        result["watch_lengths"] = watch_lengths(driver, known.watch)
    if known.json:
        print(json.dumps(result, indent=1))
        return 0
    for notice in result["notices"]:
        print(f"note: {notice}")
    for name, value in result["figures"].items():
        print(f"{name:>28}: {value}")
    solved = result["figures"].get("solved-at-episode")
    if solved is not None:
        print(
            f"solved: the 100-episode mean length reached 475 at episode {solved}"
            if solved >= 0
            else "not solved yet: the 100-episode mean length is below 475"
        )
    if "watch_lengths" in result:
        print(f"{'watch episode lengths':>28}: {' '.join(map(str, result['watch_lengths']))}")
    print(f"{'seconds':>28}: {result['seconds']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
