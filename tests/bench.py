"""RL Playground's benchmark: ``python3 build.py bench [--quick] [--soak-seconds N]``.

Parts alone: ``--startup-only``, ``--embeds``, ``--grid-rules``, ``--code-stops``, ``--speeds [DEMO ...]``, ``--compare``.

One run measures, on this machine, side by side:
1. startup, in headless Chromium, stage by stage: cold (an empty profile) and warm (the same profile, browser
   restarted), the bytes sent on a first visit, and the ready time on an emulated 10 Mbit/s, 40 ms RTT link;
2. throughput of each demo's training loop in the browser worker and natively in CPython, on the same code;
3. smoothness during 10 s of max-speed training of each demo: long tasks and requestAnimationFrame gaps;
4. memory: the wasm heap and the JS heap before and after a max-speed soak of all three demos;
5. learning efficiency with default settings over 5 seeds (natively: the same code gives the same numbers);
6. time to each page-level criterion at max speed, against its target: the wall-clock budgets the end-to-end tests
   used to assert (the tests now use budgets of steps or episodes);
7. the real rate of each demo's speed settings (``--speeds`` alone): does "100/s" run 100 a second?
8. parameter studies (``--studies`` alone): Figure 6.3's interim study natively, serially and on the local pool
   (the speed-up), and in the page's worker (target ≤ 30 s), with steps per second.

Writes bench/results.json and prints a Markdown table (README.md carries the latest one).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "py"))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import build  # noqa: E402  (build.py, loaded once)

DEMOS = ("gridworld", "bandit", "cartpole")
UNITS = {"gridworld": "Q-learning steps/s", "bandit": "pulls/s (4 lanes)", "cartpole": "env+policy training steps/s"}
THROUGHPUT_UNITS = {"gridworld": 400_000, "bandit": 1000, "cartpole": 40_000}


def bandit_longest_horizon() -> int:
    """The bandit's largest horizon, from its config's declared range: a race that long does not end mid-measure."""
    from rlplay.demos.bandit import BanditConfig
    from rlplay.params import schema

    return next(int(field["high"]) for field in schema(BanditConfig) if field["name"] == "horizon")


BANDIT_LONGEST_HORIZON = bandit_longest_horizon()
THROUGHPUT_PARAMS = {"gridworld": {}, "bandit": {"horizon": str(BANDIT_LONGEST_HORIZON)}, "cartpole": {}}
# Gridworld's learning rules, each on the default grid with its default settings (Dyna-Q: 10 planning updates a step).
GRID_RULES = ("q-learning", "sarsa", "expected-sarsa", "n-step-sarsa", "monte-carlo", "dyna-q")
GRID_RULE_STEPS = {"dyna-q": 40_000}  # environment steps timed per rule (default 200_000)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores, {cpu}, {platform.system()} {platform.machine()}, CPython {platform.python_version()}"
    )


# ---- native -----------------------------------------------------------------------------------------------


def native_throughput(demo: str) -> float:
    from rlplay.app.bridge import demo_classes
    from rlplay.params import from_params

    driver_class, config_class = demo_classes(demo)
    config, _ = from_params(config_class, THROUGHPUT_PARAMS[demo])
    driver = driver_class(config)
    units = THROUGHPUT_UNITS[demo]
    driver.advance(units // 10)  # warm up
    started = time.perf_counter()
    ran = driver.advance(units)
    return ran / (time.perf_counter() - started)


def native_policy_steps_per_second() -> float:
    """Cart-pole environment + policy forward pass only (the Watch mode), no learning: through the bridge, call for
    call as the browser measurement below, so the ratio compares like with like."""
    from rlplay.app import bridge

    def call(command, **args):
        return json.loads(bridge.handle("cartpole", command, json.dumps(args))[0])

    call("create", params={})
    call("watch_reset", args={})
    started = time.perf_counter()
    steps = 0
    while steps < 20_000:
        result = call("watch_step", args={"n": 500}, since=10**12)["result"]
        steps += len(result["states"])
        if result["done"]:
            call("watch_reset", args={})
    return steps / (time.perf_counter() - started)


def native_rule_throughput() -> dict:
    """Environment steps/s of each gridworld rule through the driver (Dyna-Q: planning updates/s too)."""
    from rlplay.demos.gridworld import GridworldConfig, GridworldDemo

    out = {}
    for algo in GRID_RULES:
        driver = GridworldDemo(GridworldConfig(algo=algo))
        steps = GRID_RULE_STEPS.get(algo, 200_000)
        driver.advance(steps // 10)
        planned = driver.snapshot(10**12)["figures"]["planning-updates"]
        started = time.perf_counter()
        ran = driver.advance(steps)
        seconds = time.perf_counter() - started
        planned = driver.snapshot(10**12)["figures"]["planning-updates"] - planned
        out[algo] = {"steps_per_second": ran / seconds, "planning_updates_per_second": planned / seconds}
    return out


def gridworld_rules_learning(seeds=range(10), max_episodes=1000) -> dict:
    """Per rule, default settings, default grid: the first episode after which the greedy path is optimal, the last
    episode after which it changed (its length), and whether it is optimal after ``max_episodes`` (the page's notice
    on on-policy rules with α = 0.5 quotes the last-change figures)."""
    from rlplay.demos.gridworld import GridworldConfig, GridworldDemo

    out = {}
    for algo in GRID_RULES:
        first, at_end, last_change = [], [], []
        for seed in seeds:
            driver = GridworldDemo(GridworldConfig(algo=algo, seed=seed))
            found, changed, previous = -1, 0, None
            while driver.agent.episodes < max_episodes:
                driver.episode()
                figures = driver.snapshot(10**12)["figures"]
                if found < 0 and figures["greedy-path-length"] == figures["optimal-path-length"]:
                    found = figures["episode"]
                path = driver.snapshot(10**12)["greedy_path"].tolist()
                if path != previous:
                    changed, previous = figures["episode"], path
            first.append(found)
            last_change.append(changed)
            at_end.append(figures["greedy-path-length"] == figures["optimal-path-length"])
        out[algo] = {
            "first_optimal_episode": first,
            "last_change_episode": last_change,
            "optimal_at_end": sum(at_end),
            "seeds": len(at_end),
        }
    return out


CARTPOLE_SEEDS = range(20)
CARTPOLE_BUDGET = {"max_episodes": 1500, "max_steps": 800_000}  # per run; a run not solved by then counts as unsolved


DQN_SEEDS = range(5)  # DQN learns from every step (~50× the policy-gradient update cost): 5 seeds, its test's


def cartpole_episodes_to_solve(seeds=CARTPOLE_SEEDS) -> dict:
    """Per algorithm, over ``seeds``: episodes until the 100-episode mean reached 475 (−1 = not within the budget),
    with the median, quartiles and solved k of N (``rlplay.demos.cartpole.compare.solve_stats``). DQN runs on
    ``DQN_SEEDS`` within its step budget (``DQN_STEP_BUDGET``), and also reports the steps it took."""
    from rlplay.demos.cartpole import ALGOS, DQN_STEP_BUDGET, CartpoleConfig, train_until_solved
    from rlplay.demos.cartpole.compare import solve_stats

    out = {}
    for algo in ALGOS:
        if algo == "dqn":
            runs = [
                train_until_solved(CartpoleConfig(seed=seed, algo=algo), max_steps=DQN_STEP_BUDGET)
                for seed in DQN_SEEDS
            ]
            values = [run.solved_at for run in runs]
            steps = [sum(run.episode_lengths[: run.solved_at]) if run.solved_at >= 0 else -1 for run in runs]
            out[algo] = {"per_seed": values, "steps": steps, "budget_steps": DQN_STEP_BUDGET, **solve_stats(values)}
            continue
        values = [
            train_until_solved(CartpoleConfig(seed=seed, algo=algo), **CARTPOLE_BUDGET).solved_at for seed in seeds
        ]
        out[algo] = {"per_seed": values, **solve_stats(values)}
    return out


def native_rlhf_default_run() -> dict:
    """RLHF: a whole default run (build: corpus, π_ref, labels, reward-model fit; then every PPO update with its
    evaluation), natively: PPO updates per second and the run's seconds, build included."""
    from rlplay.demos.rlhf import RlhfConfig, RlhfDemo

    started = time.perf_counter()
    demo = RlhfDemo(RlhfConfig())
    built = time.perf_counter()
    ran = demo.advance(RlhfConfig().updates)
    finished = time.perf_counter()
    return {"updates_per_second": ran / (finished - built), "run_seconds": finished - started}


def native_dqn_steps_per_second(steps: int = 5000) -> float:
    """Cart-pole DQN training steps/s (one Adam update per step once learning starts), natively."""
    from rlplay.demos.cartpole import CartpoleConfig, CartpoleDemo

    demo = CartpoleDemo(CartpoleConfig(algo="dqn"))
    demo.advance(2000)  # past learning_starts: every further step updates
    started = time.perf_counter()
    demo.advance(steps)
    return steps / (time.perf_counter() - started)


def cartpole_gradient_spread(steps=(0, 20_000), episodes=12) -> dict:
    """The spread of REINFORCE's gradient with and without baselines, on a REINFORCE agent (seed 0) after ``steps``."""
    from rlplay.demos.cartpole import CartpoleConfig, CartpoleDemo

    out = {}
    demo = CartpoleDemo(CartpoleConfig(algo="reinforce", seed=0))
    for at in steps:
        demo.advance(at - demo.steps)
        result = demo.gradient_spread(episodes)
        out[str(at)] = {
            "mean_length": result["mean_length"],
            **{name: result[name]["spread"] for name in ("reinforce", "baseline", "critic")},
        }
    return out


def learning_efficiency(seeds=(0, 1, 2, 3, 4)) -> dict:
    from rlplay.demos.bandit import BanditConfig, BanditDemo
    from rlplay.demos.gridworld import GridworldConfig, GridworldDemo

    out: dict = {"gridworld_episodes_to_optimal": [], "bandit_regret_at_1000": {}, "cartpole_episodes_to_solved": {}}
    for seed in seeds:
        driver = GridworldDemo(GridworldConfig(seed=seed))
        episodes = -1
        for _ in range(2000):
            driver.advance(200)
            figures = driver.snapshot(10**9)["figures"]
            if figures["greedy-path-length"] == figures["optimal-path-length"]:
                episodes = figures["episode"]
                break
        out["gridworld_episodes_to_optimal"].append(episodes)
    regrets = {lane: [] for lane in ("epsilon-greedy", "softmax", "ucb")}
    for seed in seeds:
        driver = BanditDemo(BanditConfig(seed=seed, arm_seed=seed))
        driver.advance(1000)
        figures = driver.snapshot(10**9)["figures"]
        for lane in regrets:
            regrets[lane].append(round(figures[f"regret-{lane}"], 2))
    out["bandit_regret_at_1000"] = regrets
    out["cartpole_episodes_to_solved"] = cartpole_episodes_to_solve()
    out["cartpole_gradient_spread"] = cartpole_gradient_spread()
    return out


# ---- browser ----------------------------------------------------------------------------------------------


def wait_ready(page, demos=DEMOS, timeout=120_000):
    for demo in demos:
        page.locator(f'[data-demo="{demo}"][data-status="ready"]').wait_for(state="attached", timeout=timeout)


# ---- startup profile ----------------------------------------------------------------------------------------
# Each stage of a cold visit (an empty browser profile) and a warm one (the same profile, the browser restarted:
# HTTP cache, code cache and the offline copy kept), median of --startup-runs runs; the bytes the server sent on
# the first visit; the ready time through Chromium's network emulation of a slow link.

READY_OBSERVER = """(() => {
  window.__readyAt = {};
  new MutationObserver(() => {
    for (const root of document.querySelectorAll('[data-demo][data-status=ready]')) {
      window.__readyAt[root.dataset.demo] ??= performance.now();
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-status']});
})()"""

PROFILE = """async () => {
  const versions = await window.rlplay.runtime.start();
  const origin = performance.timeOrigin;
  const at = (name) => (versions.timings?.[name] ?? NaN) - origin;
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  const ready = performance.getEntriesByName('rlplay:python-ready')[0].startTime;
  const files = {};
  for (const entry of performance.getEntriesByType('resource')) {
    // A worker's script is timed by the worker itself (its entry here ends at 0).
    if (entry.responseEnd > entry.startTime) files[new URL(entry.name).pathname.split('/').pop()] = entry.responseEnd - entry.startTime;
  }
  for (const entry of versions.resources ?? []) files[entry.file] = entry.end - entry.start;
  return {
    start: versions.start,
    stages: {
      'page shell (DOMContentLoaded)': nav.domContentLoadedEventEnd,
      'first contentful paint': paint ? paint.startTime : NaN,
      'worker start': at('worker_start'),
      'NumPy and rlplay files (unzipped cold, from the snapshot warm) + NumPy compiled, beside the wasm': at('wheels_end') - at('manifest_end'),
      "Pyodide's scripts imported (after the manifest)": at('interpreter_start') - at('manifest_end'),
      'wasm compile + instantiate': at('wasm_compile_end') - at('wasm_compile_start'),
      'restore from the snapshot (files, NumPy linked, heap)': at('restored') - at('prerun_start'),
      'interpreter start (after the wasm)': at('interpreter_end') - at('wasm_compile_end'),
      'NumPy load + import': at('numpy_end') - at('numpy_start'),
      'rlplay install + import': at('rlplay_end') - at('numpy_end'),
      'Python ready': ready,
      'Python ready, one embed': NaN,
      ...Object.fromEntries(Object.entries(window.__readyAt).map(([demo, t]) => [`first create: ${demo} ready`, t - ready])),
    },
    files,
  };
}"""

SW_ACTIVATED = """async () => {
  if (!navigator.serviceWorker) return 'unavailable';
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  // The registration can exist a moment before its worker does (or between an install and the next): poll both.
  let worker = null;
  for (let tries = 0; !worker && tries < 100; tries++) {
    const registration = await navigator.serviceWorker.getRegistration();
    worker = registration ? (registration.active ?? registration.installing ?? registration.waiting) : null;
    if (!worker) await pause(100);
  }
  if (!worker) return 'none';
  for (let tries = 0; worker.state !== 'activated' && worker.state !== 'redundant' && tries < 600; tries++) {
    await pause(100);
  }
  return worker.state;
}"""

SLOW_LINK = {"offline": False, "latency": 40, "downloadThroughput": 10e6 / 8, "uploadThroughput": 10e6 / 8}


EMBED_READY = """async () => {
  await window.rlplay.runtime.start();
  return performance.getEntriesByName('rlplay:python-ready')[0].startTime;
}"""

# The bare page: Pyodide's own files (official stdlib, lock file and NumPy wheel) in a module worker that runs
# loadPyodide(), loadPackage("numpy") and `import numpy`, nothing else; the ratio the issue asks for is ours to it.
BARE_HTML = """<!doctype html><meta charset="utf-8"><title>bare Pyodide + NumPy</title>
<script type="module">
const worker = new Worker("./bare_worker.mjs", { type: "module" });
worker.onmessage = () => { performance.mark("bare:ready"); document.title = "ready"; };
</script>"""
BARE_WORKER = """import { loadPyodide } from "./pyodide/pyodide.mjs";
const pyodide = await loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href });
await pyodide.loadPackage("numpy", { messageCallback() {} });
pyodide.runPython("import numpy");
postMessage("ready");"""


def bare_site(directory: Path) -> Path:
    """The bare Pyodide + NumPy page, written into ``directory`` from the build's cache of Pyodide's files."""
    import shutil

    runtime = directory / "pyodide"
    runtime.mkdir(parents=True, exist_ok=True)
    for name in [*build.RUNTIME_FILES, build.NUMPY_WHEEL]:
        shutil.copy(build.CACHE / name, runtime / name)
    (directory / "index.html").write_text(BARE_HTML)
    (directory / "bare_worker.mjs").write_text(BARE_WORKER)
    return directory


def _bare_visit(playwright, executable, profile_dir, url) -> float:
    context = playwright.chromium.launch_persistent_context(
        str(profile_dir), executable_path=executable, headless=True, args=build.CHROMIUM_FLAGS
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(url)
        deadline = time.monotonic() + 180
        while page.title() != "ready":
            if time.monotonic() > deadline:
                raise TimeoutError("the bare Pyodide page was not ready within 180 s")
            time.sleep(0.05)
        return page.evaluate("() => performance.getEntriesByName('bare:ready')[0].startTime")
    finally:
        context.close()


def _visit(playwright, executable, profile_dir, server, url, slow_link=False) -> dict:
    context = playwright.chromium.launch_persistent_context(
        str(profile_dir), executable_path=executable, headless=True, args=build.CHROMIUM_FLAGS
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.add_init_script(READY_OBSERVER)
        if slow_link:
            session = context.new_cdp_session(page)
            session.send("Network.enable")
            session.send("Network.emulateNetworkConditions", SLOW_LINK)
        page.goto(url)
        wait_ready(page)
        bytes_at_ready = server.sent_bytes
        profile = page.evaluate(PROFILE)
        profile["bytes_at_ready"] = bytes_at_ready
        profile["offline_copy"] = page.evaluate(SW_ACTIVATED)
        if not slow_link:
            # One embed, as a blog shows it (same profile, so warm after warm): its own Python start.
            embed = context.new_page()
            embed.goto(f"{url}?demo=bandit&embed=1")
            wait_ready(embed, demos=("bandit",))
            profile["stages"]["Python ready, one embed"] = embed.evaluate(EMBED_READY)
            embed.close()
        return profile
    finally:
        context.close()


def measure_startup(playwright, executable, server, url, runs: int, dist: Path) -> dict:
    import tempfile

    visits = {"cold": [], "warm": []}
    bare = {"cold": [], "warm": []}
    bare_dir = tempfile.TemporaryDirectory(prefix="rlplay-bare-")
    bare_server, bare_url = build.start_server(bare_site(Path(bare_dir.name)), 0)
    first_visit_bytes = []
    ready_bytes = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as profile_dir:
            server.sent_bytes = 0
            cold = _visit(playwright, executable, profile_dir, server, url)
            first_visit_bytes.append(server.sent_bytes)  # up to the offline copy's install, which _visit awaits
            ready_bytes.append(cold.pop("bytes_at_ready", None))
            server.sent_bytes = 0
            warm = _visit(playwright, executable, profile_dir, server, url)
            warm["bytes"] = server.sent_bytes
            visits["cold"].append(cold)
            visits["warm"].append(warm)
        with tempfile.TemporaryDirectory() as profile_dir:
            bare["cold"].append(_bare_visit(playwright, executable, profile_dir, bare_url))
            bare["warm"].append(_bare_visit(playwright, executable, profile_dir, bare_url))
    bare_server.shutdown()
    bare_dir.cleanup()
    # The slow link's bandwidth is the server's (one link shared by every connection): Chromium's emulation, set on
    # the page, does not reach the shared Python worker's downloads, which made the "slow" visit as fast as a local
    # one (2.9 s against 2.6 s, where 8.4 MB at 10 Mbit/s take 6.7 s alone). The emulation still adds the RTT.
    slow_server, slow_url = build.start_server(dist, 0, bytes_per_second=SLOW_LINK["downloadThroughput"])
    slow = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as profile_dir:
            slow.append(
                _visit(playwright, executable, profile_dir, slow_server, slow_url, slow_link=True)["stages"][
                    "Python ready"
                ]
            )
    slow_server.shutdown()

    def medians(profiles, key):
        names = list(dict.fromkeys(name for profile in profiles for name in profile[key]))
        return {
            name: statistics.median(
                [p[key][name] for p in profiles if p[key].get(name, math.nan) == p[key].get(name)] or [-1]
            )
            for name in names
        }

    return {
        "runs": runs,
        "cold": {"stages": medians(visits["cold"], "stages"), "files": medians(visits["cold"], "files")},
        "warm": {"stages": medians(visits["warm"], "stages"), "files": medians(visits["warm"], "files")},
        "start_modes": {visit: [p.get("start") for p in visits[visit]] for visit in visits},
        "bare_ready_ms": {visit: statistics.median(bare[visit]) for visit in bare},
        "first_visit_bytes": statistics.median(first_visit_bytes),
        "first_visit_bytes_at_ready": statistics.median(ready_bytes),
        "warm_visit_bytes": statistics.median([w["bytes"] for w in visits["warm"]]),
        "slow_link_ready_ms": statistics.median(slow),
        "slow_link": "10 Mbit/s (the server's throttle), 40 ms RTT (Chromium's emulation)",
    }


# ---- embeds on one blog page: three against one --------------------------------------------------------------
# A blog page on another origin with one embed, then with three (gridworld, bandit, cartpole), in a tall window so
# every frame is in view (they load lazily): the time until every frame's Python is ready, and the memory the
# browser's processes hold then (PSS, summed over the browser's process tree), cold (an empty profile) and warm
# (the same profile again). The embeds share one Python worker (a SharedWorker) where the browser has one.

EMBED_DEMOS = ("gridworld", "bandit", "cartpole")
# In each embed's own frame (cross-origin: read through Playwright's frames): when its Python was ready, in epoch ms.
FRAME_READY = """() => {
  const entry = performance.getEntriesByName('rlplay:python-ready')[0];
  return entry ? performance.timeOrigin + entry.startTime : null;
}"""


def _embed_frames(page) -> list:
    """The blog page's embeds (cross-origin frames: read through Playwright's frames)."""
    return [frame for frame in page.frames if frame != page.main_frame and "embed=1" in frame.url]


def _frames_ready(page, count: int):
    """ms from the blog page's navigation until the last of its ``count`` embeds had Python ready; None until then."""
    frames = _embed_frames(page)
    if len(frames) != count:
        return None
    at = []
    for frame in frames:
        try:
            ready = frame.evaluate(FRAME_READY)
        except Exception:  # noqa: BLE001 - a frame still navigating has nothing to say yet
            return None
        if ready is None:
            return None
        at.append(ready)
    return max(at) - page.evaluate("performance.timeOrigin")


# In an embed's frame: whether the worker's Python snapshot of this build is stored (web/runtime/snapshot.js writes
# its meta.json last). The worker stores it after Python is ready, while the embeds make their first calls.
SNAPSHOT_STORED = """async () => {
  for (const name of await caches.keys()) {
    if (!name.startsWith('rlplay-python-')) continue;
    const cache = await caches.open(name);
    if ((await cache.keys()).some((request) => request.url.endsWith('/python-snapshot/meta.json'))) return true;
  }
  return false;
}"""


def _wait_for_the_snapshot(page, timeout_s: float = 60) -> float:
    """Seconds until the cold visit's Python snapshot was stored (NaN if it was not within ``timeout_s``): the warm
    visit restores it only if the browser was not closed first, and a reader stays longer than the benchmark."""
    started = time.monotonic()
    frame = _embed_frames(page)[0]
    while time.monotonic() - started < timeout_s:
        if frame.evaluate(SNAPSHOT_STORED):
            return time.monotonic() - started
        page.wait_for_timeout(200)
    return math.nan


def _python_workers(page) -> list[str]:
    """The Python worker serving each embed, as its kind and id (web/runtime/worker.js reports both)."""
    workers = []
    for frame in page.frames:
        if frame != page.main_frame and "embed=1" in frame.url:
            versions = frame.evaluate("window.rlplay?.runtime?.versions ?? {}")
            workers.append(f"{versions.get('worker', '?')} {versions.get('worker_id', '?')}")
    return workers


def _process_tree(marker: str) -> list[int]:
    """The process whose command line holds ``marker`` (the browser) and all its living descendants."""
    children: dict[int, list[int]] = {}
    root = None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
            if root is None and marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                root = int(entry.name)
        except (OSError, ValueError, IndexError):
            continue
    tree, stack = [], [root] if root else []
    while stack:
        pid = stack.pop()
        tree.append(pid)
        stack.extend(children.get(pid, []))
    return tree


def _process_tree_pss(marker: str) -> float:
    """PSS in bytes of the process whose command line holds ``marker`` (the browser) and all its descendants."""
    total = 0.0
    for pid in _process_tree(marker):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += float(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def _process_tree_cpu_seconds(marker: str) -> float:
    """CPU seconds (user + system) used so far by the process whose command line holds ``marker`` and its living
    descendants: on a shared machine the browser's own CPU time says more than wall time about its speed."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in _process_tree(marker):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        except (OSError, ValueError, IndexError):
            continue
    return total


def measure_embeds(playwright, executable, site_url: str) -> dict:
    import tempfile

    results = {}
    with tempfile.TemporaryDirectory() as host:
        for count in (1, 3):
            tags = "".join(f'<rl-playground demo="{demo}"></rl-playground>' for demo in EMBED_DEMOS[:count])
            (Path(host) / f"blog{count}.html").write_text(
                f'<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">'
                f'<script src="{site_url}web/embed.js" defer></script><article style="max-width:680px">{tags}</article>'
            )
        server, host_url = build.start_server(Path(host), 0)
        try:
            for count in (1, 3):
                with tempfile.TemporaryDirectory() as profile_dir:
                    for visit in ("cold", "warm"):
                        context = playwright.chromium.launch_persistent_context(
                            profile_dir,
                            executable_path=executable,
                            headless=True,
                            args=build.CHROMIUM_FLAGS,
                            viewport={"width": 1280, "height": 4000},
                        )
                        try:
                            page = context.pages[0] if context.pages else context.new_page()
                            page.goto(f"{host_url}blog{count}.html")
                            deadline = time.monotonic() + 180
                            ready = None
                            while ready is None and time.monotonic() < deadline:
                                ready = _frames_ready(page, count)
                                # Not time.sleep: Playwright's sync API learns of new frames and their navigations
                                # only while it is called, and _frames_ready may call nothing (it never saw the
                                # frames: every result was n/a).
                                page.wait_for_timeout(100)
                            page.wait_for_timeout(1000)  # the first frames drawn
                            results[f"{count}_{visit}"] = {
                                "ready_ms": ready if ready is not None else math.nan,
                                # which Python workers serve the embeds: one shared by all, or one each
                                "workers": _python_workers(page),
                                # how each embed's Python started: "snapshot" or "fresh" (a snapshot made)
                                "starts": [
                                    frame.evaluate("window.rlplay?.runtime?.versions?.start ?? '?'")
                                    for frame in _embed_frames(page)
                                ],
                                "pss_bytes": _process_tree_pss(profile_dir),
                                # auto-height: each frame's height in the 680-px column
                                "heights": page.evaluate(
                                    "() => [...document.querySelectorAll('iframe')].map("
                                    "(f) => Math.round(f.getBoundingClientRect().height))"
                                ),
                            }
                            if visit == "cold":
                                # Both warm visits (1 and 3 embeds) then start the same way, from the snapshot.
                                results[f"{count}_{visit}"]["snapshot_stored_s"] = _wait_for_the_snapshot(page)
                        finally:
                            context.close()
        finally:
            server.shutdown()
    return results


def embeds_markdown(embeds: dict) -> list[str]:
    def fmt(value):  # a frame that never became ready is reported, not a crash
        return "n/a" if value != value else f"{value:,.0f}"

    lines = ["| Embeds on one blog page | 1 embed | 3 embeds | 3 / 1 (target ≤ 1.3) |", "|---|---|---|---|"]
    for visit in ("cold", "warm"):
        one, three = embeds[f"1_{visit}"], embeds[f"3_{visit}"]
        lines.append(
            f"| {visit}: all ready (ms) | {fmt(one['ready_ms'])} | {fmt(three['ready_ms'])} | "
            f"{three['ready_ms'] / one['ready_ms']:.2f} |"
        )
        lines.append(
            f"| {visit}: browser PSS (MB) | {one['pss_bytes'] / 1e6:.0f} | {three['pss_bytes'] / 1e6:.0f} | "
            f"{three['pss_bytes'] / one['pss_bytes']:.2f} |"
        )
    for visit in ("cold", "warm"):
        workers = embeds[f"3_{visit}"].get("workers", [])
        kinds = sorted({worker.split()[0] for worker in workers})
        lines.append(f"| {visit}: Python workers serving the 3 embeds | | {len(set(workers))} ({', '.join(kinds)}) | |")
        starts = [", ".join(sorted(set(embeds[f"{count}_{visit}"].get("starts", ["?"])))) for count in (1, 3)]
        lines.append(f"| {visit}: how Python started | {starts[0]} | {starts[1]} | |")
    heights = ", ".join(f"{demo} {h} px" for demo, h in zip(EMBED_DEMOS, embeds["3_warm"]["heights"], strict=False))
    lines.append(f"| auto-height embeds in a 680-px column (target ≤ 640 px) | {heights} | | |")
    return [*lines, ""]


def startup_markdown(startup: dict) -> list[str]:
    lines = [
        f"| Startup, median of {startup['runs']} runs (ms from navigation; stages as durations) | cold | warm |",
        "|---|---|---|",
    ]
    for name, cold in startup["cold"]["stages"].items():
        lines.append(f"| {name} | {fmt(cold)} | {fmt(startup['warm']['stages'].get(name))} |")
    for name, cold in startup["cold"]["files"].items():
        lines.append(f"| fetch {name} | {fmt(cold)} | {fmt(startup['warm']['files'].get(name))} |")
    lines += [
        f"| bytes sent by the server, gzip as GitHub Pages: until Python ready | "
        f"{startup['first_visit_bytes_at_ready'] / 1e6:.2f} MB | {startup['warm_visit_bytes'] / 1e6:.2f} MB |",
        f"| bytes sent by the server, first visit including the offline copy's install | "
        f"{startup['first_visit_bytes'] / 1e6:.2f} MB | |",
        f"| Python ready on a cold visit through {startup['slow_link']} | {fmt(startup['slow_link_ready_ms'])} | |",
        f"| how Python started | {', '.join(startup['start_modes']['cold'])} | {', '.join(startup['start_modes']['warm'])} |",
        f"| bare Pyodide + NumPy page, same run: ready | {fmt(startup['bare_ready_ms']['cold'])} | "
        f"{fmt(startup['bare_ready_ms']['warm'])} |",
        "| Python ready / bare page's (target: warm ≤ 0.5) | "
        + " | ".join(
            f"{startup[visit]['stages']['Python ready'] / startup['bare_ready_ms'][visit]:.2f}"
            for visit in ("cold", "warm")
        )
        + " |",
        "",
    ]
    return lines


def browser_throughput(page, demo: str) -> float:
    units = THROUGHPUT_UNITS[demo]
    return page.evaluate(
        """async ([demo, params, units]) => {
            const rt = window.rlplay.runtime;
            await rt.call(demo, 'create', {params});
            await rt.call(demo, 'step', {n: Math.floor(units / 10), since: 1e12});
            const t0 = performance.now();
            const out = await rt.call(demo, 'step', {n: units, since: 1e12});
            const seconds = (performance.now() - t0) / 1000;
            return out.ran / seconds;
        }""",
        [demo, {**THROUGHPUT_PARAMS[demo]}, units],
    )


def browser_dqn_steps_per_second(page, steps: int = 5000) -> float:
    """``native_dqn_steps_per_second`` in the worker, in calls of 500 steps (the watchdog stops long calls)."""
    return page.evaluate(
        """async ([steps]) => {
            const rt = window.rlplay.runtime;
            await rt.call('cartpole', 'create', {params: {algo: 'dqn'}});
            for (let ran = 0; ran < 2000; ran += 500) await rt.call('cartpole', 'step', {n: 500, since: 1e12});
            const t0 = performance.now();
            for (let ran = 0; ran < steps; ran += 500) await rt.call('cartpole', 'step', {n: 500, since: 1e12});
            return steps / ((performance.now() - t0) / 1000);
        }""",
        [steps],
    )


def browser_rlhf_default_run(page) -> dict:
    """``native_rlhf_default_run`` in the worker, through the bridge, in calls of 10 updates as the page asks."""
    return page.evaluate(
        """async () => {
            const rt = window.rlplay.runtime;
            const t0 = performance.now();
            const created = await rt.call('rlhf', 'create', {params: {}});
            const t1 = performance.now();
            let ran = 0;
            for (;;) {
                const out = await rt.call('rlhf', 'step', {n: 10, since: 1e12});
                ran += out.ran;
                if (out.ran < 10) break;
            }
            const t2 = performance.now();
            return {updates_per_second: ran / ((t2 - t1) / 1000), run_seconds: (t2 - t0) / 1000, ok: !!created};
        }"""
    )


def browser_rule_throughput(page) -> dict:
    out = {}
    for algo in GRID_RULES:
        out[algo] = page.evaluate(
            """async ([algo, units]) => {
                const rt = window.rlplay.runtime;
                await rt.call('gridworld', 'create', {params: {algo}});
                await rt.call('gridworld', 'step', {n: Math.floor(units / 10), since: 1e12});
                const before = (await rt.call('gridworld', 'snapshot', {since: 1e12})).snapshot.figures;
                const t0 = performance.now();
                let ran = 0;
                let out = null;
                while (ran < units) {  // calls of 10k steps: the worker's watchdog stops calls that run too long
                    out = await rt.call('gridworld', 'step', {n: Math.min(10000, units - ran), since: 1e12});
                    ran += out.ran;
                }
                const seconds = (performance.now() - t0) / 1000;
                const planned = out.snapshot.figures['planning-updates'] - before['planning-updates'];
                return {steps_per_second: ran / seconds, planning_updates_per_second: planned / seconds};
            }""",
            [algo, GRID_RULE_STEPS.get(algo, 200_000)],
        )
    return out


def rules_markdown(native: dict, browser: dict | None, learning: dict | None) -> list[str]:
    lines = [
        "",
        "| Gridworld rule (default grid and settings) | browser steps/s | native steps/s | planning updates/s "
        "(browser / native) | episodes until the greedy path is first optimal, seeds 0–9 | last episode it changed "
        "| optimal at 1000 |",
        "|---|---|---|---|---|---|---|",
    ]
    for algo in GRID_RULES:
        b = (browser or {}).get(algo, {})
        n = native[algo]
        planning = (
            f"{fmt(b.get('planning_updates_per_second'))} / {fmt(n['planning_updates_per_second'])}"
            if algo == "dyna-q"
            else ""
        )
        learned = (learning or {}).get(algo)
        first = learned["first_optimal_episode"] if learned else "n/a"
        changed = learned["last_change_episode"] if learned else "n/a"
        kept = f"{learned['optimal_at_end']}/{learned['seeds']}" if learned else "n/a"
        lines.append(
            f"| {algo} | {fmt(b.get('steps_per_second'))} | {fmt(n['steps_per_second'])} | {planning} | {first} | "
            f"{changed} | {kept} |"
        )
    return lines


def browser_policy_steps_per_second(page) -> float:
    return page.evaluate(
        """async () => {
            const rt = window.rlplay.runtime;
            await rt.call('cartpole', 'create', {params: {}});
            await rt.call('cartpole', 'watch_reset', {args: {}});
            let steps = 0;
            const t0 = performance.now();
            while (steps < 20000) {
                const out = await rt.call('cartpole', 'watch_step', {args: {n: 500}, since: 1e12});
                steps += out.result.states.length;
                if (out.result.done) await rt.call('cartpole', 'watch_reset', {args: {}});
            }
            return steps / ((performance.now() - t0) / 1000);
        }"""
    )


SMOOTHNESS_PROBE = """() => {
  window.__bench = {longtasks: [], frames: []};
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__bench.longtasks.push(entry.duration);
  }).observe({type: 'longtask', buffered: false});
  let last = performance.now();
  const frame = (now) => { window.__bench.frames.push(now - last); last = now; if (!window.__bench.stop) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
}"""


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]


def measure_smoothness(browser, url, demo, seconds=10.0) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{url}?demo={demo}&speed=max")
        wait_ready(page, (demo,))
        page.locator(f'[data-demo="{demo}"]').scroll_into_view_if_needed()
        page.evaluate(SMOOTHNESS_PROBE)
        page.locator(f'[data-demo="{demo}"]').get_by_role("button", name="Play").click()
        time.sleep(seconds)
        data = page.evaluate("() => { window.__bench.stop = true; return window.__bench; }")
        steps = page.evaluate(f"() => window.rlplay.controllers.get('{demo}').stepsPerSecond || 0")
        frames = data["frames"][5:]  # skip the first frames after the click
        return {
            "long_tasks": len(data["longtasks"]),
            "longest_task_ms": max(data["longtasks"], default=0),
            "frame_gap_p50_ms": percentile(frames, 0.5),
            "frame_gap_p95_ms": percentile(frames, 0.95),
            "frame_gap_max_ms": max(frames, default=None),
            "steps_per_second_shown": steps,
        }
    finally:
        context.close()


def measure_memory(browser, url, seconds: float) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 4000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        # The bandit's race ends at its horizon: the longest it allows keeps it pulling for most of the soak.
        page.goto(f"{url}?speed=max&bandit.horizon={BANDIT_LONGEST_HORIZON}")
        wait_ready(page)
        # A demo scrolled out of view pauses: the viewport is made as tall as the page, so all three train.
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": 1280, "height": height + 100})
        # A full garbage collection first (Chromium runs with --expose-gc here), so the JS figure is live memory.
        probe = """async () => { if (window.gc) window.gc();
                                 return {wasm: (await window.rlplay.runtime.memory()).wasm_heap_bytes,
                                         js: performance.memory ? performance.memory.usedJSHeapSize : null,
                                         units: Object.fromEntries(%s.map((d) => [d, window.rlplay.inspect(d).unitsDone]))}; }"""
        probe %= json.dumps(list(DEMOS))
        for demo in DEMOS:
            page.evaluate(f"() => window.rlplay.registry.set('{demo}', 'speed', 'max')")
            page.locator(f'[data-demo="{demo}"]').get_by_role("button", name="Play").click()
        warmup = min(60.0, seconds / 4)
        time.sleep(warmup)  # let the runs reach their working size
        start = page.evaluate(probe)
        time.sleep(seconds)
        end = page.evaluate(probe)
        statuses = page.evaluate("() => [...document.querySelectorAll('[data-demo]')].map(e => e.dataset.status)")
        return {
            "seconds": seconds,
            "warmup": warmup,
            "start": start,
            "end": end,
            "errors": errors,
            "statuses": statuses,
        }
    finally:
        context.close()


# ---- report -----------------------------------------------------------------------------------------------


# criterion -> (query, JS predicate on window.rlplay.inspect(demo) that is true once met, target seconds)
DQN_PAGE_TARGET_S = 300.0  # DQN, seed 0, at max speed in the page (tests/e2e/test_cartpole_dqn_page.py)
TIME_TO_CRITERIA = {
    "gridworld: greedy path optimal, from ready": (
        "demo=gridworld&speed=max",
        "(s) => s.figures['greedy-path-length'] === s.figures['optimal-path-length'] && s.figures.steps > 0",
        20.0,
    ),
    "bandit: 1000 pulls of the race": ("demo=bandit&speed=max", "(s) => s.figures.pulls >= 1000", 3.0),
    "cart-pole actor-critic: mean-length-100 ≥ 475, from ready": (
        "demo=cartpole&algo=actor-critic&speed=max",
        "(s) => s.figures['solved-at-episode'] >= 0",
        120.0,
    ),
    "cart-pole DQN: mean-length-100 ≥ 475, from ready": (
        "demo=cartpole&algo=dqn&speed=max",
        "(s) => s.figures['solved-at-episode'] >= 0",
        DQN_PAGE_TARGET_S,
    ),
    "cart-pole REINFORCE: mean length triples, from ready": (
        "demo=cartpole&algo=reinforce&speed=max",
        """(s) => { const l = s.lengths; if (l.length < 120) return false;
                    const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
                    return mean(l.slice(-100)) >= 3 * mean(l.slice(0, 20)); }""",
        120.0,
    ),
}


def measure_time_to_criteria(browser, url) -> dict:
    """Seconds from pressing Play (the demo ready) to each criterion, polled every 50 ms (at most 300 s, or twice
    the target)."""
    results = {}
    for name, (query, predicate, target) in TIME_TO_CRITERIA.items():
        demo = query.split("&")[0].split("=")[1]
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}?{query}")
        wait_ready(page, [demo])
        page.locator(f'[data-demo="{demo}"]').get_by_role("button", name="Play", exact=True).click()
        started = time.monotonic()
        seconds = None
        while time.monotonic() - started < max(300.0, 2 * target):
            if page.evaluate(f"([demo]) => ({predicate})(window.rlplay.inspect(demo))", [demo]):
                seconds = time.monotonic() - started
                break
            time.sleep(0.05)
        results[name] = {"seconds": seconds, "target_s": target}
        context.close()
    return results


# ---- speed settings: the real rate of each ------------------------------------------------------------------------
# Each demo alone (an embed), played from its URL at each setting of its Speed slider (the settings are read from the
# page's controller, not copied here): the units the page counts (steps, pulls) over a window, timed from one answer
# of the worker to another, so the rounding of a count to whole answers costs nothing.
SPEED_PARAMS = {
    "gridworld": "",
    "bandit": f"&horizon={BANDIT_LONGEST_HORIZON}",
    "cartpole": "",
}  # the race does not end
SPEED_WINDOW_S = 5.0  # seconds counted per setting at least
SPEED_WINDOW_UNITS = 10  # and at least this many units (a slow setting counts longer)
NEXT_ANSWER = """async (demo) => {
  const controller = window.rlplay.controllers.get(demo);
  const before = controller.unitsDone();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    const now = controller.unitsDone();
    if (now !== before) return [performance.now(), now];
  }
}"""


def measure_speed_rates(browser, url, demos=DEMOS) -> dict:
    """{demo: {"unit": …, "default": …, "settings": [{"speed", "label", "rate", "ratio"}]}}: units per second at each
    speed setting; ratio = rate / the setting's number (none for "max")."""
    out = {}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        for demo in demos:
            page.goto(f"{url}?demo={demo}&embed=1")
            wait_ready(page, [demo])
            speeds, labels, default, unit = page.evaluate(
                """(demo) => { const c = window.rlplay.controllers.get(demo);
                  return [c.constructor.speeds, c.constructor.speeds.map((s) => c.speedLabel(s)),
                          c.registry.field(demo, 'speed').default, c.contract.units ?? 'steps']; }""",
                demo,
            )
            settings = []
            for speed in speeds:
                page.goto(f"{url}?demo={demo}&embed=1&speed={speed}&autoplay=1{SPEED_PARAMS[demo]}")
                page.locator(f'[data-demo="{demo}"][data-status="running"]').wait_for(state="attached", timeout=120_000)
                page.wait_for_timeout(1000)  # warm up: the first calls compile and fill caches
                nominal = None if speed == "max" else float(speed)
                window = SPEED_WINDOW_S if nominal is None else max(SPEED_WINDOW_S, SPEED_WINDOW_UNITS / nominal)
                t0, u0 = page.evaluate(NEXT_ANSWER, demo)
                page.wait_for_timeout(window * 1000)
                t1, u1 = page.evaluate(NEXT_ANSWER, demo)
                rate = (u1 - u0) / ((t1 - t0) / 1000)
                settings.append(
                    {
                        "speed": speed,
                        "label": labels[speeds.index(speed)],
                        "rate": rate,
                        "ratio": None if nominal is None else rate / nominal,
                    }
                )
                print(f"[bench] {demo} speed {speed}: {rate:,.1f} {unit}/s", flush=True)
            out[demo] = {"unit": unit, "default": default, "settings": settings}
    finally:
        context.close()
    return out


def speeds_markdown(speeds: dict) -> list[str]:
    lines = [
        "",
        "| Speed setting (each demo alone, from its URL) | label | measured | measured ÷ label |",
        "|---|---|---|---|",
    ]
    for demo, entry in speeds.items():
        fastest_fixed = max((x["rate"] for x in entry["settings"] if x["ratio"] is not None), default=0.0)
        for setting in entry["settings"]:
            default = " (default)" if setting["speed"] == entry["default"] else ""
            ratio = "" if setting["ratio"] is None else f"{setting['ratio']:.2f}"
            if setting["ratio"] is None and fastest_fixed > 0:
                # "max" must never be slower than a fixed setting
                ratio = f"{setting['rate'] / fastest_fixed:.2f}× the fastest fixed (target ≥ 1)"
            lines.append(
                f"| {demo}{default} | {setting['label']} | {fmt(setting['rate'], 1 if setting['rate'] < 100 else 0)} "
                f"{entry['unit']}/s | {ratio} |"
            )
    return lines


def in_served_browser(measure, extra_args=()):
    """``measure(browser, url)`` against dist/ served on a free port, in a headless Chromium; returns its result."""
    from playwright.sync_api import sync_playwright

    server, url = build.start_server(build.DIST, 0)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("CHROMIUM_PATH") or build.find_chromium(),
                headless=True,
                args=[*build.CHROMIUM_FLAGS, *extra_args],
            )
            try:
                return measure(browser, url)
            finally:
                browser.close()
    finally:
        server.shutdown()


def speeds_only(demos=DEMOS) -> int:
    """``bench.py --speeds``: the speed settings' rows alone, printed."""
    speeds = in_served_browser(lambda browser, url: measure_speed_rates(browser, url, demos))
    print("\n".join(speeds_markdown(speeds)))
    return 0


# ---- the Code panel: how soon runaway edited code is stopped ----------------------------------------------------
# A Python loop is stopped by rlplay.core.user_code's line budget (BUDGET_S per call); a loop inside one C call runs no
# line of Python, so only the page's watchdog can stop it, after USER_CODE_STALL_MS of silence since edited code's
# last sign of life (the worker restarted, the demo replayed: web/runtime/client.js, web/code/recover.js).
LOOP_UCB = "def ucb(q, n, t, c, u_tie):\n    while True:\n        pass\n"
C_LOOP_UCB = "def ucb(q, n, t, c, u_tie):\n    total = sum(range(10**10))\n    return 0\n"
CODE_STOP_TARGET_S = 5.0  # issue 15: "an infinite loop is stopped within 5 s"


def native_code_stop() -> float:
    """Seconds the bridge takes to answer a run whose edited ucb loops forever (in Python)."""
    from rlplay.app import bridge

    def call(command, **args):
        return json.loads(bridge.handle("bandit", command, json.dumps(args))[0])

    call("create", params={"seed": "0"})
    call("step", n=10)
    call("set_code", name="ucb", source=LOOP_UCB)
    started = time.perf_counter()
    error = call("run", budget_ms=8, max_units=1000)["error"]
    seconds = time.perf_counter() - started
    assert error["code_error"] == "timeout", error
    return seconds


def browser_code_stops(browser, url) -> dict:
    """In the page, through the Code panel as a learner uses it: seconds from Play to "was stopped" for a Python
    loop in ucb; for a loop inside one C call, seconds from Step to the restart's message and to the demo replayed."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{url}?demo=bandit&steps=30")
        wait_ready(page, ["bandit"])
        root = page.locator('[data-demo="bandit"]')
        root.locator(".code-panel > summary").click()
        root.locator(".cm-content").wait_for(timeout=30_000)
        root.get_by_role("tab", name="ucb").click()
        message = root.locator(".code-message")

        def load(source):
            root.locator(".cm-content").click()
            page.keyboard.press("Control+a")
            page.keyboard.press("Delete")
            page.keyboard.insert_text(source)
            root.get_by_role("button", name="Run my code").click()
            until(lambda: "runs now" in message.text_content(), 10)

        def until(predicate, limit):
            started = time.monotonic()
            while not predicate():
                if time.monotonic() - started > limit:
                    return None
                time.sleep(0.02)
            return time.monotonic() - started

        load(LOOP_UCB)
        root.get_by_role("button", name="Play", exact=True).click()
        python_loop = until(lambda: "was stopped" in message.text_content(), 60)
        load(C_LOOP_UCB)
        started = time.monotonic()
        root.get_by_role("button", name="Step", exact=True).click()
        restarted = until(lambda: "was restarted" in message.text_content(), 120)
        recovered = until(lambda: "back at step" in message.text_content(), 120)
        return {
            "python_loop_stopped_s": python_loop,
            "c_loop_restarted_s": restarted,
            "c_loop_recovered_s": None if recovered is None else time.monotonic() - started,
        }
    finally:
        context.close()


def code_stops_markdown(stops: dict) -> list[str]:
    target = f"≤ {CODE_STOP_TARGET_S:g} s"
    return [
        "",
        "| Runaway edited code (bandit's ucb), stopped after | seconds | target |",
        "|---|---|---|",
        f"| Python loop, natively (the bridge's answer) | {fmt(stops['native_python_loop_s'], 2, ' s')} | {target} |",
        f"| Python loop, in the page (Play → message) | {fmt(stops['python_loop_stopped_s'], 2, ' s')} | {target} |",
        f"| loop inside one C call, in the page: worker restarted (Step → message) | "
        f"{fmt(stops['c_loop_restarted_s'], 1, ' s')} | {target} |",
        f"| … and the demo replayed to its step with the reference code | {fmt(stops['c_loop_recovered_s'], 1, ' s')} | |",
    ]


def code_stops_only() -> int:
    """``bench.py --code-stops``: the runaway-code rows alone, printed."""
    stops = {"native_python_loop_s": native_code_stop()}
    stops.update(in_served_browser(browser_code_stops))
    print("\n".join(code_stops_markdown(stops)))
    return 0


STUDY_TARGET_S = 30.0  # Figure 6.3's interim study (50 runs × 3 rules × 10 α × 100 episodes) in the page


def native_study_speeds(scene: str = "cliff-alpha-study") -> dict:
    """The study at its page defaults natively: in this process, then on one worker per core; seconds, steps/s and
    the pool's speed-up (the results are identical: tests/test_studies.py)."""
    from rlplay.studies import STUDIES, run_study_to_end

    study = STUDIES[scene]
    out = {"scene": scene, "workers": os.cpu_count() or 1}
    for name, workers in (("serial", 1), ("pool", out["workers"])):
        started = time.perf_counter()
        results = run_study_to_end(study, workers=workers)
        seconds = time.perf_counter() - started
        out[name] = {"seconds": seconds, "steps_per_second": results.steps / seconds, "steps": results.steps}
    out["speedup"] = out["serial"]["seconds"] / out["pool"]["seconds"]
    return out


def browser_study_seconds(page, scene: str = "cliff-alpha-study", demo: str = "gridworld") -> dict:
    """The study at its page defaults in the page's worker, as the study panel runs it (study_step calls of 90 ms):
    wall seconds from study_start to done, and the worker's steps per second."""
    return page.evaluate(
        """async ([demo, scene]) => {
          const runtime = window.rlplay.runtime;
          const started = performance.now();
          let answer = await runtime.call(demo, "study_start", { scene, settings: {} });
          let calls = 0;
          while (!answer.study.done) {
            answer = await runtime.call(demo, "study_step", { budget_ms: 90 });
            calls += 1;
          }
          const study = answer.study;
          return { seconds: (performance.now() - started) / 1000, calls, steps: study.steps,
                   worker_seconds: study.elapsed_s, steps_per_second: study.steps_per_second };
        }""",
        [demo, scene],
    )


def studies_markdown(studies: dict) -> list[str]:
    native, browser = studies["native"], studies.get("browser")
    lines = [
        "",
        "| Figure 6.3 interim study (1,500 runs, 100 episodes each) | seconds | steps/s | target |",
        "|---|---|---|---|",
        f"| native, one process | {native['serial']['seconds']:.1f} | {fmt(native['serial']['steps_per_second'])} | |",
        f"| native, {native['workers']} local processes (speed-up {native['speedup']:.2f}×) | "
        f"{native['pool']['seconds']:.1f} | {fmt(native['pool']['steps_per_second'])} | |",
    ]
    if browser:
        lines.append(
            f"| in the page's worker ({browser['calls']} calls of ≤ 90 ms) | {browser['seconds']:.1f} | "
            f"{fmt(browser['steps_per_second'])} | ≤ {STUDY_TARGET_S:g} s |"
        )
    return lines


def studies_only() -> int:
    """``bench.py --studies``: the parameter study's rows alone (native serial and pool, in the page), printed."""

    def measure(browser, url):
        page = browser.new_page()
        page.goto(url)
        wait_ready(page, demos=("gridworld",))
        return browser_study_seconds(page)

    studies = {"native": native_study_speeds(), "browser": in_served_browser(measure)}
    print("\n".join(studies_markdown(studies)))
    print(json.dumps(studies, indent=1))
    return 0


def fmt(value, digits=0, unit=""):
    if value is None:
        return "n/a"
    if isinstance(value, float):
        value = round(value, digits) if digits else int(round(value))
    return f"{value:,}{unit}" if isinstance(value, int) else f"{value}{unit}"


def memory_markdown(memory: dict) -> list[str]:
    """The memory soak's table, and what each demo did during it."""

    def mb(value):
        return None if value is None else value / 1e6

    start, end = memory["start"], memory["end"]
    lines = [
        "",
        f"| Memory, {memory['seconds']:.0f} s soak of all three demos at max (after {memory.get('warmup', 60):.0f} s "
        "warm-up) | start | end | "
        "growth | target |",
        "|---|---|---|---|---|",
        f"| wasm heap | {fmt(mb(start['wasm']), 1, ' MB')} | {fmt(mb(end['wasm']), 1, ' MB')} | "
        f"{fmt(mb(end['wasm'] - start['wasm']), 1, ' MB')} | < 5 MB |",
    ]
    if start["js"] is not None:
        lines.append(
            f"| JS heap | {fmt(mb(start['js']), 1, ' MB')} | {fmt(mb(end['js']), 1, ' MB')} | "
            f"{fmt(mb(end['js'] - start['js']), 1, ' MB')} | < 5 MB |"
        )
    lines.append(f"| errors during the soak | {len(memory['errors'])} | | | none |")
    if "units" in start:
        done = ", ".join(f"{demo} {fmt(end['units'][demo] - start['units'][demo])}" for demo in DEMOS)
        lines += ["", f"Units of work each demo did during the soak (all three on screen): {done}."]
    return lines


def markdown(results: dict) -> str:
    lines = [f"Measured {results['date']} on {results['machine']}, Chromium {results.get('chromium', '?')}.", ""]
    if "startup" in results:
        lines += startup_markdown(results["startup"])
    if "embeds" in results:
        lines += embeds_markdown(results["embeds"])
    lines += [
        "| Throughput | browser (Pyodide) | native (CPython) | native/browser | target |",
        "|---|---|---|---|---|",
    ]
    targets = {"gridworld": "≥ 200k browser, ≥ 500k native", "bandit": "", "cartpole": "≥ 30k browser, ≥ 50k native"}
    for demo in DEMOS:
        t = results["throughput"][demo]
        lines.append(
            f"| {demo}: {UNITS[demo]} | {fmt(t['browser'])} | {fmt(t['native'])} | {t['native'] / t['browser']:.2f}× | {targets[demo]} |"
        )
    policy = results["throughput"].get("cartpole_policy")
    if policy:
        lines.append(
            f"| cartpole: env + policy forward only (Watch, 500 steps a call through the bridge) | {fmt(policy['browser'])} | {fmt(policy['native'])} | "
            f"{policy['native'] / policy['browser']:.2f}× | ≥ 30k browser, ≥ 50k native |"
        )
    dqn = results["throughput"].get("cartpole_dqn")
    if dqn:
        browser = dqn.get("browser")
        lines.append(
            f"| cartpole DQN: env + one Adam update a step | {fmt(browser)} | {fmt(dqn['native'])} | "
            f"{dqn['native'] / browser if browser else float('nan'):.2f}× | (not the demo's floor: see above) |"
        )
    rlhf = results["throughput"].get("rlhf")
    if rlhf:
        browser = rlhf.get("browser") or {}
        native = rlhf["native"]
        lines.append(
            f"| rlhf: PPO updates/s (64 sentences, 4 epochs, evaluation), default run {native['run_seconds']:.1f} s "
            f"native, {browser.get('run_seconds', float('nan')):.1f} s in the worker | "
            f"{fmt(browser.get('updates_per_second'))} | {fmt(native['updates_per_second'])} | "
            f"{native['updates_per_second'] / browser['updates_per_second'] if browser else float('nan'):.2f}× | "
            "default run ≤ 20 s in the browser |"
        )
    if "studies" in results:
        lines += studies_markdown(results["studies"])
    if "compare" in results:
        lines += compare_markdown(results["compare"])
    if "time_to_criteria" in results:
        lines += ["", "| Time to criterion at max speed | seconds | target |", "|---|---|---|"]
        for name, entry in results["time_to_criteria"].items():
            lines.append(f"| {name} | {fmt(entry['seconds'], 1, ' s')} | ≤ {entry['target_s']:g} s |")
    if "speeds" in results:
        lines += speeds_markdown(results["speeds"])
    if "code_stops" in results:
        lines += code_stops_markdown(results["code_stops"])
    lines += [
        "",
        "| Smoothness, 10 s at max speed | long tasks | longest | frame gap p50 | p95 | max | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for demo in DEMOS:
        s = results["smoothness"][demo]
        lines.append(
            f"| {demo} | {s['long_tasks']} | {fmt(s['longest_task_ms'], unit=' ms')} | {fmt(s['frame_gap_p50_ms'], 1, ' ms')} | "
            f"{fmt(s['frame_gap_p95_ms'], 1, ' ms')} | {fmt(s['frame_gap_max_ms'], 1, ' ms')} | none; p95 ≤ 20 ms |"
        )
    lines += memory_markdown(results["memory"])
    learning = results["learning"]
    lines += ["", "| Learning, default settings, seeds 0–4 | per seed | median |", "|---|---|---|"]
    g = learning["gridworld_episodes_to_optimal"]
    lines.append(f"| gridworld: episodes until the greedy path is optimal | {g} | {statistics.median(g)} |")
    lines += [
        "",
        f"| Cart-pole, default settings, seeds 0–{len(CARTPOLE_SEEDS) - 1}: episodes until the 100-episode mean ≥ 475 "
        "(−1 = not within 1500 episodes / 800k steps) | per seed | median | IQR | solved |",
        "|---|---|---|---|---|",
    ]
    for algo, entry in learning["cartpole_episodes_to_solved"].items():
        if "budget_steps" in entry:
            lines.append(
                f"| {algo} (seeds 0–{entry['runs'] - 1}, {entry['budget_steps']:,}-step budget; steps to solve "
                f"{entry['steps']}) | {entry['per_seed']} | {entry['median']:g} | {entry['q1']:g}–{entry['q3']:g} | "
                f"{entry['solved']} of {entry['runs']} |"
            )
            continue
        lines.append(
            f"| {algo} | {entry['per_seed']} | {entry['median']:g} | {entry['q1']:g}–{entry['q3']:g} | "
            f"{entry['solved']} of {entry['runs']} |"
        )
    lines += [
        "",
        "| Gradient spread, REINFORCE agent seed 0, 12 episodes | mean length | G_t | G_t − b(t) | G_t − V(s) |",
    ]
    lines.append("|---|---|---|---|---|")
    for at, entry in learning["cartpole_gradient_spread"].items():
        lines.append(
            f"| after {at} steps | {entry['mean_length']:.1f} | {entry['reinforce']:.3g} | {entry['baseline']:.3g} | "
            f"{entry['critic']:.3g} |"
        )
    for lane, values in learning["bandit_regret_at_1000"].items():
        lines.append(f"| bandit {lane}: regret at 1000 pulls | {values} | {statistics.median(values)} |")
    if "grid_rules" in results:
        rules = results["grid_rules"]
        lines += rules_markdown(rules["native"], rules.get("browser"), rules.get("learning"))
    return "\n".join(lines)


class _StartupOnly(Exception):
    """--startup-only: the rest of the benchmark is skipped."""


def embeds_only() -> int:
    """``bench.py --embeds``: three embeds on one blog page against one, printed."""
    from playwright.sync_api import sync_playwright

    server, url = build.start_server(build.DIST, 0)
    build.precompress(build.DIST)  # see main
    try:
        with sync_playwright() as playwright:
            executable = os.environ.get("CHROMIUM_PATH") or build.find_chromium()
            embeds = measure_embeds(playwright, executable, url)
    finally:
        server.shutdown()
    print("\n".join(embeds_markdown(embeds)))
    print(json.dumps(embeds))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--soak-seconds", type=float, default=300.0, help="memory soak length (default 300 s)")
    parser.add_argument("--quick", action="store_true", help="short soak (30 s), for a smoke run of the benchmark")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--grid-rules", action="store_true", help="only the gridworld rules' throughput and learning")
    parser.add_argument("--code-stops", action="store_true", help="only how soon runaway edited code is stopped")
    parser.add_argument("--soak-only", action="store_true", help="only the memory soak (--soak-seconds long)")
    parser.add_argument("--studies", action="store_true", help="only the parameter study: native pool, in the page")
    parser.add_argument(
        "--speeds",
        nargs="*",
        metavar="DEMO",
        help="only the real rate of each speed setting (of the demos named, or all)",
    )
    parser.add_argument("--compare", action="store_true", help="only the cart-pole seed comparison's time")
    parser.add_argument("--startup-runs", type=int, default=5, help="runs of each startup measurement (default 5)")
    parser.add_argument("--startup-only", action="store_true", help="measure only the startup profile")
    parser.add_argument("--embeds", action="store_true", help="only three embeds on one page against one")
    parser.add_argument("--dist", default=str(build.DIST), help="the built site to measure (default dist/)")
    args = parser.parse_args(argv)
    if args.embeds:
        return embeds_only()
    if args.grid_rules:
        return grid_rules_only()
    if args.compare:
        return compare_only()
    if args.code_stops:
        return code_stops_only()
    if args.soak_only:
        return soak_only(30.0 if args.quick else args.soak_seconds)
    if args.studies:
        return studies_only()
    if args.speeds is not None:
        return speeds_only(args.speeds or DEMOS)
    soak = 30.0 if args.quick else args.soak_seconds

    from playwright.sync_api import sync_playwright

    results = {"date": time.strftime("%Y-%m-%d"), "machine": machine()}
    print("[bench] native throughput and learning efficiency…", flush=True)
    if not args.startup_only:
        results["throughput"] = {demo: {"native": native_throughput(demo)} for demo in DEMOS}
        results["throughput"]["cartpole_policy"] = {"native": native_policy_steps_per_second()}
        results["throughput"]["cartpole_dqn"] = {"native": native_dqn_steps_per_second()}
        results["throughput"]["rlhf"] = {"native": native_rlhf_default_run()}
        results["learning"] = learning_efficiency()
        results["grid_rules"] = {"native": native_rule_throughput(), "learning": gridworld_rules_learning()}
        results["studies"] = {"native": native_study_speeds()}
        print("[bench] seed comparison, natively…", flush=True)
        results["compare"] = {
            "native": {"batched": native_seed_comparison(True), "one_after_another": native_seed_comparison(False)}
        }
    server, url = build.start_server(Path(args.dist), 0)
    # Every gzipped file compressed once, before any visit, as a host's cache holds them: otherwise the first cold
    # visit (and the first of the embed counts) also timed the server compressing the 10 MB wasm.
    build.precompress(Path(args.dist))
    executable = os.environ.get("CHROMIUM_PATH") or build.find_chromium()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable,
                headless=True,
                args=[*build.CHROMIUM_FLAGS, "--js-flags=--expose-gc", COMPARE_MARKER],
            )
            results["chromium"] = browser.version
            print("[bench] startup…", flush=True)
            results["startup"] = measure_startup(
                playwright, executable, server, url, args.startup_runs, Path(args.dist)
            )
            print("[bench] embeds on one page…", flush=True)
            results["embeds"] = measure_embeds(playwright, executable, url)
            if args.startup_only:
                browser.close()
                raise _StartupOnly
            print("[bench] browser throughput…", flush=True)
            context = browser.new_context()
            page = context.new_page()
            page.goto(url)
            wait_ready(page)
            for demo in DEMOS:
                results["throughput"][demo]["browser"] = browser_throughput(page, demo)
            results["throughput"]["cartpole_policy"]["browser"] = browser_policy_steps_per_second(page)
            results["throughput"]["cartpole_dqn"]["browser"] = browser_dqn_steps_per_second(page)
            results["throughput"]["rlhf"]["browser"] = browser_rlhf_default_run(page)
            results["grid_rules"]["browser"] = browser_rule_throughput(page)
            results["studies"]["browser"] = browser_study_seconds(page)
            context.close()
            print("[bench] seed comparison, in the page…", flush=True)
            results["compare"]["browser"] = browser_seed_comparisons(browser, url)
            check_seed_comparisons(results["compare"])
            print("[bench] time to criteria…", flush=True)
            results["time_to_criteria"] = measure_time_to_criteria(browser, url)
            print("[bench] speed settings…", flush=True)
            results["speeds"] = measure_speed_rates(browser, url)
            print("[bench] runaway edited code…", flush=True)
            results["code_stops"] = {"native_python_loop_s": native_code_stop(), **browser_code_stops(browser, url)}
            print("[bench] smoothness…", flush=True)
            results["smoothness"] = {demo: measure_smoothness(browser, url, demo) for demo in DEMOS}
            print(f"[bench] memory soak ({soak:.0f} s)…", flush=True)
            results["memory"] = measure_memory(browser, url, soak)
            browser.close()
    except _StartupOnly:
        print("\n".join(startup_markdown(results["startup"])))
        print("\n".join(embeds_markdown(results["embeds"])))
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).with_name("startup.json").write_text(json.dumps(results, indent=1))
        return 0
    finally:
        server.shutdown()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    results["markdown"] = markdown(results)
    out.write_text(json.dumps(results, indent=1))
    print(results["markdown"])
    print(f"\n[bench] wrote {out}")
    return 0


# The cart-pole's "Compare over seeds" as the reinforce-vs-actor-critic scene runs it: the seed's REINFORCE and
# actor-critic on seeds 0-7, each until solved or COMPARE_EPISODES episodes (issue 24's target: <= 30 s in the browser)
COMPARE_ALGOS = ["reinforce", "actor-critic"]
COMPARE_SEEDS = 8
COMPARE_EPISODES = 2000
COMPARE_TARGET_S = 30.0


def native_seed_comparison(batch: bool) -> dict:
    """The comparison natively, batched or one run after another: wall and CPU seconds, and its medians."""
    from rlplay.demos.cartpole import CartpoleConfig, CartpoleDemo

    demo = CartpoleDemo(CartpoleConfig())
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    demo.compare_start(COMPARE_ALGOS, seeds=COMPARE_SEEDS, episodes=COMPARE_EPISODES, batch=batch)
    while True:
        out = demo.compare_step(budget_ms=1000)
        if out["done"]:
            break
    return {
        "seconds": time.perf_counter() - wall,
        "cpu_seconds": time.process_time() - cpu,
        "load": [load, os.getloadavg()[0]],
        "figures": out["figures"],
        "solved_at": {algo: out["result"][algo]["solved_at"] for algo in COMPARE_ALGOS},
    }


COMPARE_MARKER = "--rlplay-bench-compare"  # an argument Chromium ignores, to find its processes by


def browser_seed_comparison(page, batch: bool) -> dict:
    """The comparison in the page's worker through the bridge, in the page's chunks (120 ms of work a call); with the
    CPU seconds the browser's processes used meanwhile, when it was started with ``COMPARE_MARKER``."""
    load, cpu = os.getloadavg()[0], _process_tree_cpu_seconds(COMPARE_MARKER)
    out = page.evaluate(
        """async ([algos, seeds, episodes, batch]) => {
            const rt = window.rlplay.runtime;
            await rt.call('cartpole', 'create', {params: {}});
            const t0 = performance.now();
            await rt.call('cartpole', 'compare_start', {args: {algos, seeds, episodes, batch}, since: 1e12});
            for (;;) {
                const out = (await rt.call('cartpole', 'compare_step', {args: {budget_ms: 120}, since: 1e12})).result;
                if (out.done) {
                    const solved = {};
                    for (const algo of algos) solved[algo] = out.result[algo].solved_at;
                    return {seconds: (performance.now() - t0) / 1000, figures: out.figures, solved_at: solved};
                }
            }
        }""",
        [COMPARE_ALGOS, COMPARE_SEEDS, COMPARE_EPISODES, batch],
    )
    cpu = _process_tree_cpu_seconds(COMPARE_MARKER) - cpu
    return {**out, "load": [load, os.getloadavg()[0]], **({"cpu_seconds": cpu} if cpu > 0 else {})}


def browser_seed_comparisons(browser, url) -> dict:
    """Batched, then one run after another, in one page (the same worker, so the ratio compares like with like)."""
    page = browser.new_page()
    page.goto(url)
    wait_ready(page, demos=("cartpole",))
    out = {"batched": browser_seed_comparison(page, True), "one_after_another": browser_seed_comparison(page, False)}
    page.close()
    return out


def check_seed_comparisons(compare: dict) -> None:
    """Batched and one after another are the same runs (each seed's run of the demo), natively and in the browser:
    the same solve episodes everywhere."""
    solved = [entry[mode]["solved_at"] for entry in compare.values() for mode in ("batched", "one_after_another")]
    assert all(s == solved[0] for s in solved), compare


def compare_markdown(compare: dict) -> list[str]:
    """The seed comparison's rows: seconds to finish batched and one run after another, the speed-up, the target, the
    load average while it ran (the machine is shared), and the two medians."""
    lines = [
        "",
        f'| Cart-pole "Compare over seeds": REINFORCE vs actor-critic, seeds 0–{COMPARE_SEEDS - 1}, each until '
        f"solved or {COMPARE_EPISODES} episodes | batched | one after another | speed-up | target | load average |",
        "|---|---|---|---|---|---|",
    ]
    for where in ("browser", "native"):
        entry = compare.get(where)
        if not entry:
            continue
        batched, alone = entry["batched"], entry["one_after_another"]
        target = f"≤ {COMPARE_TARGET_S:.0f} s" if where == "browser" else ""
        loads = batched["load"] + alone["load"]
        load = f"{min(loads):.0f}–{max(loads):.0f}"
        lines.append(
            f"| {where} (wall) | {batched['seconds']:.1f} s | {alone['seconds']:.1f} s | "
            f"{alone['seconds'] / batched['seconds']:.2f}× | {target} | {load} |"
        )
        if "cpu_seconds" in batched and "cpu_seconds" in alone:
            label = "CPU of the browser's processes" if where == "browser" else "CPU"
            lines.append(
                f"| {where} ({label}) | {batched['cpu_seconds']:.1f} s | {alone['cpu_seconds']:.1f} s | "
                f"{alone['cpu_seconds'] / batched['cpu_seconds']:.2f}× | | |"
            )
    figures = next(iter(compare.values()))["batched"]["figures"]
    medians = {algo: figures[f"compare-median-{algo}"] for algo in COMPARE_ALGOS}
    if all(m > 0 for m in medians.values()):
        ratio = medians["reinforce"] / medians["actor-critic"]
        lines += [
            "",
            f"Medians, episodes to solve (the same runs batched and alone, natively and in the browser): REINFORCE "
            f"{medians['reinforce']:g}, actor-critic {medians['actor-critic']:g} ({ratio:.1f}× fewer).",
        ]
    return lines


def compare_only() -> int:
    """``bench.py --compare``: the seed comparison batched and one run after another, natively and in the browser;
    the two must give the same numbers (they are the same runs)."""
    compare = {"native": {"batched": native_seed_comparison(True), "one_after_another": native_seed_comparison(False)}}
    compare["browser"] = in_served_browser(browser_seed_comparisons, [COMPARE_MARKER])
    check_seed_comparisons(compare)
    print("\n".join(compare_markdown(compare)))
    return 0


def soak_only(seconds: float) -> int:
    """``bench.py --soak-only``: the memory soak's rows alone, printed."""
    memory = in_served_browser(lambda browser, url: measure_memory(browser, url, seconds), ["--js-flags=--expose-gc"])
    print("\n".join(memory_markdown(memory)))
    return 0


def grid_rules_only() -> int:
    """``bench.py --grid-rules``: the gridworld rules' rows alone (native, browser, learning), printed."""
    native = native_rule_throughput()

    def measure(browser, url):
        page = browser.new_page()
        page.goto(url)
        wait_ready(page, demos=("gridworld",))
        return browser_rule_throughput(page)

    in_browser = in_served_browser(measure)
    print("\n".join(rules_markdown(native, in_browser, gridworld_rules_learning())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
