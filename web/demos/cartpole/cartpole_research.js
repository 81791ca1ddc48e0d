// Two research views of the cart-pole demo, both computed in Python in the worker (rlplay.demos.cartpole.compare and
// rlplay.demos.cartpole.variance); this module asks, shows progress, and draws what comes back.
//
//   SeedCompare     "Compare over N seeds": the chosen algorithms on seeds 0..N−1, in budgeted chunks (the page never
//                   freezes; Cancel stops between chunks). Per algorithm: the median curve of the 100-episode mean
//                   with its interquartile band, and a table of episodes-to-solve (median, IQR, solved k of N).
//   GradientSpread  the spread of three policy-gradient estimators (REINFORCE's G_t, G_t − b(t), G_t − V(s)) on the
//                   same episodes of the current policy: how each baseline changes the variance, measured.

import { notCarried } from "../../framework/controller.js";
import { el, formatStat } from "../../ui.js";
import { LineChart } from "../../views/line_chart.js";

// Episodes of the current policy the spread is measured on (index.html quotes what 16 gave on seeds 0–4).
const SPREAD_EPISODES = 16;

const CHUNK_MS = 120; // worker time per compare_step: long enough to be efficient, short enough to cancel promptly

/** "123" for a finite number of episodes, "> 500" for an unsolved quantile (null: +∞ in Python). */
function episodesText(value, budget) {
  return value === null || value === undefined || !Number.isFinite(value) ? `> ${budget}` : formatStat(value, 0);
}

/** The comparison's status sentence, saying what really runs: every run stops once it solves (the mean of its last
 *  100 episodes reaches `solved`) or at the episode budget, so "N runs of E episodes" would overstate the work.
 *  `phase` is "start", "progress" (with `finished`, `total`, `fraction`) or "done".
 *
 *  compareStatus("done", { algos: 2, seeds: 8, episodes: 2000, solved: 475, total: 16 })
 *  → "Done: 8 seeds each of 2 algorithms (16 runs), each run until solved or 2,000 episodes." */
export function compareStatus(
  phase,
  { algos, seeds, episodes, solved, finished = 0, total = algos * seeds, fraction = 0 },
) {
  const count = (n, word) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
  const budget = `until solved or ${count(episodes, "episode")}`;
  const what = `${count(seeds, "seed")} each of ${count(algos, "algorithm")} (${count(total, "run")})`;
  if (phase === "start")
    return `Training ${what}, each run ${budget} (solved: mean of the last 100 reaches ${solved})…`;
  if (phase === "progress")
    return `${finished} of ${count(total, "run")} finished, each ${budget} (${Math.round(100 * fraction)}% of the work).`;
  return `Done: ${what}, each run ${budget}.`;
}

/** The cart-pole stage's banner while a comparison runs (two lines, split at " — "; null when none runs).
 *
 *  compareBanner({ running: true, finished: 3, total: 16 }) → "comparing over seeds — 3 of 16 runs finished, below" */
export function compareBanner({ running, finished = 0, total = 0, cancelling = false }) {
  if (!running) return null;
  if (cancelling) return "cancelling the seed comparison";
  return `comparing over seeds — ${finished} of ${total} runs finished, below`;
}

/** The comparison on the screen (`shown`: the counts of its algorithms, seeds and episodes, or null), which a link,
 *  an embed or the command (`what`) does not carry: its runs are work beside this run (DemoDriver.SIDE_COMMANDS).
 *
 *  compareSideNote({ algos: 2, seeds: 8, episodes: 600 }, "the link")
 *  → "The link does not carry the comparison over seeds (2 algorithms on 8 seeds, each until solved or 600
 *     episodes): where it opens, choose the same and press Compare over seeds (on the same settings it gives the
 *     same result)." */
export function compareSideNote(shown, what) {
  if (!shown) return "";
  const count = (n, word) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
  const thing = `the comparison over seeds (${count(shown.algos, "algorithm")} on ${count(shown.seeds, "seed")}, each until solved or ${count(shown.episodes, "episode")})`;
  return notCarried(
    what,
    thing,
    "choose the same and press Compare over seeds (on the same settings it gives the same result)",
  );
}

export class SeedCompare {
  constructor(controller, { algos, labels, colors }) {
    this.controller = controller;
    this.solved = controller.contract.constants.solved_mean_length.value;
    this.labels = labels;
    this.colors = colors;
    this.running = false;
    this.cancelled = false;
    this.finished = 0; // runs finished in the comparison running (for the stage's banner)
    this.total = 0;
    this.result = null;
    const demo = controller.demo;
    this.checks = algos.map((algo) => {
      const input = el("input", { type: "checkbox", value: algo, id: `${demo}-compare-${algo}` });
      input.checked = algo === "reinforce" || algo === "actor-critic";
      return { algo, input, label: el("label", { for: input.id }, input, ` ${labels[algo] ?? algo}`) };
    });
    this.seeds = el("input", { type: "number", min: 2, max: 50, step: 1, value: 8, id: `${demo}-compare-seeds` });
    this.episodes = el("input", {
      type: "number",
      min: 100,
      max: 3000,
      step: 50,
      value: 600,
      id: `${demo}-compare-episodes`,
    });
    this.startButton = el("button", { type: "button", onclick: () => this.start() }, "Compare over seeds");
    this.cancelButton = el("button", { type: "button", hidden: true, onclick: () => this.cancel() }, "Cancel");
    this.progress = el("progress", { max: 1, value: 0, hidden: true, "aria-label": "Comparison progress" });
    this.status = el("p", { class: "cartpole-note", role: "status", "aria-live": "polite" });
    const canvas = el("canvas", { class: "cartpole-compare-chart" });
    this.chart = new LineChart(canvas, {
      height: 240,
      emptyText: "median curves over seeds appear here",
      ariaLabel: "Median over seeds of the 100-episode mean length, with the interquartile band, against episode",
    });
    this.chart.draw({ series: [], xLabel: "episode", yLabel: "mean length of last 100", yMin: 0, yMax: 520 });
    this.table = el("table", { class: "cartpole-compare-table" });
    this.summary = el("p", { class: "cartpole-compare-summary" });
    this.element = el(
      "section",
      { class: "cartpole-research", dataset: { control: "compare" } },
      el("h4", { class: "cartpole-chart-title" }, "Compare over seeds"),
      el(
        "p",
        { class: "cartpole-note" },
        "One run proves little: the same algorithm can solve in 200 episodes on one seed and 600 on the next. This trains each chosen algorithm on seeds 0…N−1 with the settings above, each run until it solves or reaches the episode budget, and shows the median with the middle half of the runs.",
      ),
      el(
        "fieldset",
        { class: "cartpole-compare-algos" },
        el("legend", {}, "Algorithms"),
        ...this.checks.map((c) => c.label),
      ),
      el(
        "div",
        { class: "cartpole-compare-row" },
        el("label", { for: this.seeds.id }, "Seeds N"),
        this.seeds,
        el("label", { for: this.episodes.id }, "Episodes per run (at most)"),
        this.episodes,
        this.startButton,
        this.cancelButton,
      ),
      this.progress,
      this.status,
      canvas,
      this.table,
      this.summary,
    );
  }

  async start({ resumed = false } = {}) {
    const c = this.controller;
    this.interrupted = null; // a comparison the user starts replaces one a restart cut off
    const algos = this.checks.filter((check) => check.input.checked).map((check) => check.algo);
    if (!algos.length) {
      this.status.textContent = "Choose at least one algorithm.";
      return;
    }
    const seeds = Number(this.seeds.value);
    const episodes = Number(this.episodes.value);
    if (c.playing) c.pause(); // the worker does one thing at a time: the comparison, not this run's training
    this.element.dataset.state = "shown"; // Present mode lays the comparison beside the stage (cartpole.css)
    this.running = true;
    this.cancelled = false;
    this.startButton.disabled = true;
    this.cancelButton.hidden = false;
    this.progress.hidden = false;
    this.progress.value = 0;
    const counts = { algos: algos.length, seeds, episodes, solved: this.solved };
    this.started = { algos: algos.length, seeds, episodes }; // for sideNote while it runs
    this.finished = 0;
    this.total = algos.length * seeds;
    // A comparison a restart cut off says so until it ends (resume).
    const again = resumed
      ? "Python restarted, so this comparison ran again from its start (the same seeds give the same result). "
      : "";
    this.status.textContent = again + compareStatus("start", counts);
    try {
      await c.runtime.call(c.demo, "compare_start", { args: { algos, seeds, episodes }, since: c.since() });
      for (;;) {
        if (c.isDisposed) break; // unmounted: the driver is gone (the page opened another setup)
        if (this.cancelled) {
          await c.runtime.call(c.demo, "compare_cancel", { args: {}, since: c.since() });
          this.status.textContent = "Cancelled: nothing was kept.";
          break;
        }
        const payload = await c.runtime.call(c.demo, "compare_step", {
          args: { budget_ms: CHUNK_MS },
          since: c.since(),
        });
        const step = payload.result;
        this.progress.value = step.fraction;
        this.finished = step.finished;
        this.total = step.total;
        this.status.textContent = again + compareStatus("progress", { ...counts, ...step });
        if (step.done) {
          this.result = { ...step.result, episodes: step.episodes, algos };
          this.drawn = { algos: algos.length, seeds, episodes: step.episodes }; // for sideNote
          this.status.textContent =
            again + compareStatus("done", { ...counts, episodes: step.episodes, total: step.total });
          this.draw();
          break;
        }
      }
    } catch (error) {
      this.status.textContent = `The comparison stopped: ${error.message}`;
      // If the worker was lost, its restart runs it again (resume, from the controller's restoreRun).
      if (!this.cancelled) this.interrupted = { algos, seeds, episodes };
    } finally {
      this.running = false;
      this.startButton.disabled = false;
      this.cancelButton.hidden = true;
      this.progress.hidden = true;
    }
  }

  /** What `what` (the link, the embed, the command) does not carry of this panel: the comparison drawn, else the
   *  one running (compareSideNote); "" when there is neither. */
  sideNote(what) {
    return compareSideNote(this.drawn ?? (this.running ? this.started : null), what);
  }

  /** What the stage says while this comparison runs instead of training (null when it does not run). */
  stageBanner() {
    const { running, finished, total, cancelled } = this;
    return compareBanner({ running, finished, total, cancelling: cancelled });
  }

  /** inspect()'s part: the last finished comparison's curves and table, as plain data (null before one). */
  inspect() {
    const result = this.result;
    if (!result) return null;
    const plain = { episodes: result.episodes, algos: [...result.algos] };
    for (const algo of result.algos) {
      const { curve_median, curve_q1, curve_q3, ...rest } = result[algo];
      plain[algo] = { ...rest, curve_median: [...curve_median], curve_q1: [...curve_q1], curve_q3: [...curve_q3] };
    }
    return plain;
  }

  /**
   * After a worker restart (the controller's restoreRun): a comparison the restart cut off runs again from its
   * start, with its algorithms, seeds and episodes (Python's half of it went with the old worker; the same seeds
   * give the same result as an uncut run).
   */
  resume() {
    const cut = this.interrupted;
    this.interrupted = null;
    if (!cut || this.running || this.controller.isDisposed) return;
    for (const check of this.checks) check.input.checked = cut.algos.includes(check.algo);
    this.seeds.value = String(cut.seeds);
    this.episodes.value = String(cut.episodes);
    this.start({ resumed: true });
  }

  cancel() {
    this.interrupted = null;
    this.cancelled = true;
    this.status.textContent = "Cancelling after this chunk…";
  }

  /** The controller's unmount: the loop stops after the chunk in flight, the chart lets go of the page. */
  destroy() {
    this.cancelled = true;
    this.chart.destroy();
  }

  draw() {
    const result = this.result;
    if (!result) return;
    const series = [];
    for (const algo of result.algos) {
      const entry = result[algo];
      if (!entry?.curve_median) continue;
      const q1 = entry.curve_q1;
      const q3 = entry.curve_q3;
      // the interquartile band as a symmetric band around its midpoint (the line itself is drawn separately)
      const mid = q1.map((v, i) => (v + q3[i]) / 2);
      const half = q1.map((v, i) => (q3[i] - v) / 2);
      const color = this.colors[algo] ?? "--accent";
      series.push({ color, y: mid, band: half, width: 0.01 });
      series.push({
        label: `${this.labels[algo] ?? algo}: median of ${entry.runs}`,
        color,
        y: entry.curve_median,
        width: 2.5,
      });
    }
    this.chart.draw({
      series,
      // the solved threshold, rlplay's own (web/contract.json), as a reference line
      refLines: [{ y: this.solved, label: `solved ${this.solved}`, color: "--good" }],
      xLabel: "episode",
      yLabel: "mean length of last 100",
      yMin: 0,
      yMax: 520,
      xMin: 0,
    });
    const header = el(
      "tr",
      {},
      ...["Algorithm", "Solved", "Median episodes to solve", "Interquartile range"].map((t) =>
        el("th", { scope: "col" }, t),
      ),
    );
    const rows = result.algos.map((algo) => {
      const entry = result[algo];
      const budget = result.episodes;
      return el(
        "tr",
        { dataset: { algo } },
        el("th", { scope: "row" }, this.labels[algo] ?? algo),
        el("td", { dataset: { cell: "solved" } }, `${entry.solved} of ${entry.runs}`),
        el("td", { dataset: { cell: "median" } }, episodesText(entry.median, budget)),
        el("td", { dataset: { cell: "iqr" } }, `${episodesText(entry.q1, budget)} – ${episodesText(entry.q3, budget)}`),
      );
    });
    this.table.replaceChildren(el("thead", {}, header), el("tbody", {}, ...rows));
    this.summary.textContent = this.verdict();
  }

  /** One sentence: which algorithm solved in fewer episodes by median, from these runs only. */
  verdict() {
    const result = this.result;
    const ranked = result.algos
      .map((algo) => ({ algo, median: result[algo].median ?? Number.POSITIVE_INFINITY }))
      .sort((a, b) => a.median - b.median);
    if (ranked.length < 2) return "";
    const [first, second] = ranked;
    const name = (algo) => this.labels[algo] ?? algo;
    if (!Number.isFinite(first.median))
      return `Fewer than half the runs solved within ${result.episodes} episodes for every algorithm: try more episodes.`;
    if (first.median === second.median) return `${name(first.algo)} and ${name(second.algo)} tie on the median.`;
    return `By the median over these ${result[first.algo].runs} seeds, ${name(first.algo)} solved in fewer episodes (${formatStat(first.median, 0)}) than ${name(second.algo)} (${episodesText(second.median, result.episodes)}).`;
  }
}

/**
 * What a link, an embed or the command leaves out of the gradient's spread table on the screen (measured: its
 * episodes and the step of the run it sampled), or "" before a measurement.
 *
 *   spreadSideNote({ episodes: 16, steps: 4200 }, "the link")
 *   → "The link does not carry the gradient's spread (16 episodes of the policy at step 4,200): where it opens,
 *      press Measure the spread."
 */
export function spreadSideNote(measured, what) {
  if (!measured) return "";
  const thing = `the gradient's spread (${measured.episodes.toLocaleString("en-US")} episodes of the policy at step ${measured.steps.toLocaleString("en-US")})`;
  return notCarried(what, thing, "press Measure the spread");
}

const ESTIMATOR_LABELS = {
  reinforce: "REINFORCE: Gₜ",
  baseline: "with baseline: Gₜ − b(t)",
  critic: "with a critic: Gₜ − V(sₜ)",
};

export class GradientSpread {
  constructor(controller) {
    this.controller = controller;
    this.button = el("button", { type: "button", class: "small", onclick: () => this.measure() }, "Measure the spread");
    this.status = el("p", { class: "cartpole-note", role: "status", "aria-live": "polite" });
    this.table = el("table", { class: "cartpole-spread-table" });
    this.element = el(
      "section",
      { class: "cartpole-research", dataset: { control: "spread" } },
      el("h4", { class: "cartpole-chart-title" }, "How noisy is the gradient?"),
      el(
        "p",
        { class: "cartpole-note" },
        "The same episodes of the current policy, three ways to weight ∇log π: by the return (REINFORCE), by the return minus b(t) (the mean return from step t in the other episodes), and by the return minus a critic's V(s). On average all three point (almost) the same way: a baseline that ignores the action adds nothing in expectation. The spread is how far one episode's gradient strays from that average.",
      ),
      this.button,
      this.status,
      this.table,
    );
  }

  async measure() {
    const c = this.controller;
    this.button.disabled = true;
    this.status.textContent = "Sampling episodes of the current policy…";
    try {
      const payload = await c.runtime.call(c.demo, "gradient_spread", {
        args: { episodes: SPREAD_EPISODES },
        since: c.since(),
      });
      this.show(payload.result);
      this.measured = { episodes: payload.result.episodes, steps: c.unitsDone() }; // for sideNote
    } catch (error) {
      this.status.textContent = `Not measured: ${error.message}`;
    } finally {
      this.button.disabled = false;
    }
  }

  /** The table on the screen, which links and the command do not carry (web/framework/controller.js's sideNote). */
  sideNote(what) {
    return spreadSideNote(this.measured, what);
  }

  show(result) {
    const names = ["reinforce", "baseline", "critic"];
    const largest = Math.max(...names.map((n) => result[n].spread));
    const header = el(
      "tr",
      {},
      ...["Weight on ∇log π", "Spread (total variance)", "Relative", "Std of the weights"].map((t) =>
        el("th", { scope: "col" }, t),
      ),
    );
    const rows = names.map((name) => {
      const entry = result[name];
      const bar = el("span", { class: "cartpole-bar-fill" });
      bar.style.width = `${Math.max(1, (100 * entry.spread) / largest)}%`;
      return el(
        "tr",
        { dataset: { estimator: name } },
        el("th", { scope: "row" }, ESTIMATOR_LABELS[name]),
        el("td", { dataset: { cell: "spread" } }, formatStat(entry.spread, 3)),
        el("td", {}, el("span", { class: "cartpole-bar-track" }, bar)),
        el("td", {}, formatStat(entry.adv_std, 3)),
      );
    });
    this.table.replaceChildren(el("thead", {}, header), el("tbody", {}, ...rows));
    const ratio = result.reinforce.spread / Math.max(result.critic.spread, 1e-12);
    this.status.textContent = `${result.episodes} episodes, mean length ${formatStat(result.mean_length, 1)}. Subtracting V(s) cut the spread ${formatStat(ratio, 2)}×${ratio < 1 ? " (it grew: the critic fitted to these few episodes is poor here)" : ""}.`;
  }
}
