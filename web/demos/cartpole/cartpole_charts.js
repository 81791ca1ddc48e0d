// The cart-pole's three charts (web/demos/cartpole/cartpole.js): the learning curve (each episode, the moving mean, earlier
// runs faded), the advantage (or, for DQN, TD-error) scale per update, and the critic's V(s) (DQN: max Q(s, a)) along
// the replayed episode against the return that followed. Each chart's series and words are built by a pure function
// of plain data (tests/js/cartpole_charts.test.js checks them); `CartpoleCharts` holds the canvases and draws them.

import { el, formatStat } from "../../ui.js";
import { LineChart, movingAverage } from "../../views/line_chart.js";

export const ALGO_LABELS = {
  reinforce: "REINFORCE",
  "reinforce-baseline": "REINFORCE + baseline",
  "actor-critic": "Actor-critic",
  ppo: "PPO",
  dqn: "DQN",
};
export const ALGO_COLORS = {
  reinforce: "--cp-reinforce",
  "reinforce-baseline": "--cp-reinforce-baseline",
  "actor-critic": "--cp-actor-critic",
  ppo: "--cp-ppo",
  dqn: "--cp-dqn",
};
const ADV_AVERAGE = 20; // updates in the advantage scale's moving mean

export const algoLabel = (algo) => ALGO_LABELS[algo] ?? algo;
export const algoColor = (algo) => ALGO_COLORS[algo] ?? "--accent";

/** An earlier run's legend label: its algorithm and the settings that differ from the run that replaced it. */
export function previousRunLabel(run, newConfig) {
  const differs = Object.entries(run.config)
    .filter(
      ([name, value]) => name !== "algo" && newConfig[name] !== undefined && String(newConfig[name]) !== String(value),
    )
    .map(([name, value]) => `${name} ${value}`);
  return `${algoLabel(run.algo)}${differs.length ? ` (${differs.join(", ")})` : ""}, before`;
}

/** The learning curve: earlier runs' means (faded), this run's episodes (faded) and their moving mean; cap and solved. */
export function curveSpec({ algo, lengths, previousRuns, limits, edited = false }) {
  const { cap, solved, window } = limits;
  const color = algoColor(algo);
  return {
    series: [
      ...previousRuns.map((run) => ({
        label: run.label,
        color: algoColor(run.algo),
        y: run.mean100,
        faded: true,
        width: 2.5,
      })),
      { label: "each episode", color, y: lengths, faded: true },
      {
        // while edited code runs, the live curve says so (issue 24)
        label: `${algoLabel(algo)}${edited ? ", edited code" : ""}: mean of last ${window}`,
        color,
        y: movingAverage(lengths, window),
        width: 2.5,
      },
    ],
    refLines: [
      { y: cap, label: `cap ${cap}`, color: "--muted", dash: [2, 3] },
      { y: solved, label: `solved ${solved}`, color: "--good" },
    ],
    xLabel: "episode",
    yLabel: "steps balanced",
    yLabelShort: "steps", // a small embed: the x title says "episode"
    yMin: 0,
    yMax: Math.ceil(cap * 1.12), // room above the cap for its label
    xMin: 0,
  };
}

/** The advantage chart's title and note: DQN has no advantages, so it shows the spread of its TD errors instead. */
export function advantageTexts(algo) {
  return algo === "dqn"
    ? {
        title: "TD-error scale per update",
        note: "The spread of the TD errors each update regresses on: how far Q still is from its targets.",
      }
    : {
        title: "Advantage scale per update",
        note: "The spread of the advantages each update pushes with: the noise the gradient carries. A critic shrinks it; it fades as episodes reach the cap.",
      };
}

/** One standard deviation per update (faded) and its moving mean. */
export function advantageSpec({ algo, advScale }) {
  const dqn = algo === "dqn";
  return {
    series: [
      { color: algoColor(algo), y: advScale, faded: true },
      {
        label: `${algoLabel(algo)}: std of ${dqn ? "TD errors" : "advantages"} (mean of ${ADV_AVERAGE})`,
        color: algoColor(algo),
        y: movingAverage(advScale, ADV_AVERAGE),
        width: 2,
      },
    ],
    xLabel: "update",
    yLabel: dqn ? "TD error std" : "advantage std",
    yMin: 0,
  };
}

/** The value chart's title, and for the REINFORCEs (no critic) the note said instead of the chart. */
export function valueTexts(algo) {
  // DQN has no critic: the same chart shows its own estimate of the return to come, max_a Q(s, a)
  const title =
    algo === "dqn" ? "Q-network: max Q(s, a) along the replayed episode" : "Critic: V(s) along the replayed episode";
  let noCritic = null;
  if (algo === "reinforce")
    noCritic =
      "REINFORCE has no critic and no baseline: every return is used raw. Switch to actor-critic or PPO to see V(s).";
  else if (algo === "reinforce-baseline")
    noCritic =
      "This REINFORCE has no critic: its baseline b(t) is the average return from step t of recent episodes, the same for every state. Switch to actor-critic or PPO to see V(s).";
  return { title, noCritic };
}

/** G_t = Σ_{j≥t} γ^(j−t) · 1 for t < T: every step earns +1, so G_t = 1 + γ G_{t+1}, G_T = 0. */
export function discountedReturns(T, gamma) {
  const returns = new Float64Array(T);
  let G = 0;
  for (let t = T - 1; t >= 0; t--) {
    G = 1 + gamma * G;
    returns[t] = G;
  }
  return returns;
}

/** V(s_t) (DQN: max_a Q(s_t, a)) along the replayed episode, the return that followed, and the replay's cursor. */
export function valueSpec({ replay, algo }) {
  const T = replay.T;
  const i = Math.max(0, Math.min(T - 1, Math.floor(replay.k)));
  const ceiling = 1 / (1 - replay.gamma); // Σ γ^k: the most any state can be worth when every step pays 1
  return {
    series: [
      { label: "return that followed, Gₜ", color: "--muted", y: discountedReturns(T, replay.gamma), xStart: 1 },
      {
        label: algo === "dqn" ? "maxₐ Q(sₜ, a), now" : "critic V(sₜ), now",
        color: algoColor(algo),
        y: replay.values,
        xStart: 1,
        width: 2,
      },
      { color: "--text", x: [i + 1], y: [replay.values[i]] },
    ],
    refLines: [{ y: ceiling, label: `1/(1−γ) = ${formatStat(ceiling, 1)}`, color: "--muted", dash: [2, 3] }],
    xLabel: "step of the replayed episode",
    yLabel: "value",
    yMin: 0,
  };
}

/** One honest sentence about the value chart, from what it shows: `values` over an episode of T steps. */
export function valueStory(values, T, cap, dqn = false) {
  const estimate = dqn ? "max Q(s, a)" : "V(s)";
  if (T >= cap) {
    return `At the cap the episode was cut, not failed: ${estimate} keeps predicting a long future (it bootstraps), while the counted return drops to 0.`;
  }
  let peak = -Infinity;
  for (let t = 0; t < T; t++) peak = Math.max(peak, values[t]);
  const tail = values[T - 1];
  if (peak > 0 && tail < 0.7 * peak) {
    return dqn
      ? "The Q-network sees the fall coming: max Q(s, a) drops before the end. Its TD target is r + γ max Q of the next state, from the frozen copy."
      : "The critic sees the fall coming: V(s) drops before the end. The gap between V(s) and the return is the advantage the actor learns from.";
  }
  return dqn
    ? "max Q(s, a) is the network's estimate now, on this episode's states: it has not yet learned that these states lead to a fall."
    : "V(s) is the critic's estimate now, on this episode's states: it has not learned that these states lead to a fall (the improved policy rarely visits them).";
}

/**
 * The three charts and their drawing. The controller places `curveBox`, `value.box` and `adv.box`; `onForget`, the
 * "Forget previous runs" button's action, clears its earlier runs.
 */
export class CartpoleCharts {
  constructor(limits, { onForget }) {
    this.limits = limits;
    const curveCanvas = el("canvas", { class: "cartpole-curve" });
    this.curveChart = new LineChart(curveCanvas, {
      height: 250,
      emptyText: "episode lengths appear here as training runs",
      ariaLabel: "Learning curve: episode length against episode",
    });
    this.forgetButton = el(
      "button",
      { type: "button", class: "small", hidden: true, dataset: { control: "forget" }, onclick: onForget },
      "Forget previous runs",
    );
    this.curveBox = el(
      "div",
      { class: "cartpole-curve-box", dataset: { part: "curve" } },
      el("h4", { class: "cartpole-chart-title" }, "Learning curve: steps balanced per episode"),
      curveCanvas,
      el(
        "div",
        { class: "cartpole-curve-foot", dataset: { part: "curve-note" } },
        el(
          "p",
          { class: "cartpole-note" },
          `Faint: each episode. Bold: mean of the last ${limits.window}. Solved = that mean reaches ${limits.solved} of the ${limits.cap}-step cap.`,
        ),
        this.forgetButton,
      ),
    );

    // the two small charts, {chart, title, note, box}: a title that follows the algorithm, the chart, a note
    const small = (title, emptyText, ariaLabel) => {
      const canvas = el("canvas", { class: "cartpole-small" });
      const parts = {
        chart: new LineChart(canvas, { height: 170, emptyText, ariaLabel }),
        title: el("h4", { class: "cartpole-chart-title" }, title),
        note: el("p", { class: "cartpole-note" }),
      };
      return { ...parts, box: el("div", { class: "cartpole-small-box" }, parts.title, canvas, parts.note) };
    };
    this.value = small(
      valueTexts("actor-critic").title,
      "no finished episode yet",
      "The critic's value V(s) along the replayed episode, against the return that followed",
    );
    this.adv = small(
      advantageTexts("actor-critic").title,
      "no update yet",
      "Advantage scale (standard deviation of the advantages, or of DQN's TD errors) against update",
    );
  }

  /** The controller's unmount: the three charts let go of the page. */
  destroy() {
    for (const chart of [this.curveChart, this.value.chart, this.adv.chart]) chart.destroy();
  }

  /** Show or hide "Forget previous runs". */
  showForget(shown) {
    this.forgetButton.hidden = !shown;
  }

  drawCurve(algo, lengths, previousRuns, edited = false) {
    this.curveChart.draw(curveSpec({ algo, lengths, previousRuns, limits: this.limits, edited }));
  }

  drawAdvantage(algo, advScale) {
    const { title, note } = advantageTexts(algo);
    this.adv.title.textContent = title;
    this.adv.note.textContent = note;
    this.adv.chart.draw(advantageSpec({ algo, advScale }));
  }

  /** The critic's V(s_t) over the replayed episode (`replay` or null) against the return G_t that followed. */
  drawValues(algo, replay) {
    const { title, noCritic } = valueTexts(algo);
    this.value.title.textContent = title;
    if (noCritic) {
      this.value.note.textContent = noCritic;
      this.value.chart.canvas.hidden = true;
      return;
    }
    this.value.chart.canvas.hidden = false;
    if (!replay?.values) {
      this.value.note.textContent = "";
      this.value.chart.draw({ series: [], xLabel: "step of the replayed episode", yLabel: "value" });
      return;
    }
    this.value.chart.draw(valueSpec({ replay, algo }));
    this.value.note.textContent = valueStory(replay.values, replay.T, this.limits.cap, algo === "dqn");
  }

  /** All three, from the controller's data. */
  draw({ algo, valueAlgo, lengths, advScale, previousRuns, replay, edited = false }) {
    this.drawCurve(algo, lengths, previousRuns, edited);
    this.drawAdvantage(algo, advScale);
    this.drawValues(valueAlgo, replay);
  }
}
