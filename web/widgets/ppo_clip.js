// The PPO clip explorer: PPO's per-sample objective min(r·A, clip(r, 1−ε, 1+ε)·A) against the probability ratio r,
// for a good action (A = +1) and a bad one (A = −1), with an ε slider. The curves are computed by Python,
// rlplay.algos.ppo.clipped_surrogate, through the bridge's stateless command ("ppo", "clip_curve", {epsilon}); this
// widget only draws them (LineChart). Until Python is ready it shows the axes, the clip range and the unclipped r·A
// (plain arithmetic, drawn for contrast), with a loading note.
//
//   new PpoClipExplorer({ root, runtime }).mount();     // root: the [data-widget="ppo-clip"] element
//
// It follows the runtime's "state" events, so it refetches after a restart or a retried load.

import { CodePanel } from "../code/panel.js";
import { el } from "../ui.js";
import { LineChart } from "../views/line_chart.js";

const EPSILON = { min: 0.05, max: 0.5, step: 0.01, initial: 0.2 };
const RATIO_MAX = 2; // the bridge samples r on [0, 2]
const Y_SPAN = 2.2; // the y axis covers ±this (|r·A| ≤ 2 for |A| = 1)

export class PpoClipExplorer {
  constructor({ root, runtime }) {
    this.root = root;
    this.runtime = runtime;
    this.epsilon = EPSILON.initial;
    this.data = null; // the last answer from Python: {epsilon, ratio, positive, negative}
    this.pending = false;
    this.wanted = null; // an ε asked for while a call was in flight
  }

  mount() {
    const id = "ppo-clip-epsilon";
    this.input = el("input", {
      type: "range",
      id,
      min: EPSILON.min,
      max: EPSILON.max,
      step: EPSILON.step,
      value: this.epsilon,
      "aria-describedby": "ppo-clip-readout",
    });
    this.output = el("output", { for: id, class: "value" });
    this.status = el("p", { class: "ppo-clip-status", role: "status" });
    this.readout = el("p", { class: "ppo-clip-readout", id: "ppo-clip-readout", "aria-live": "polite" });
    const panel = (title, label) => {
      const canvas = el("canvas");
      const chart = new LineChart(canvas, { height: 210, emptyText: "", ariaLabel: label });
      return { box: el("div", {}, el("h4", {}, title), canvas), chart };
    };
    this.good = panel(
      "A > 0: the action was better than expected",
      "Clipped objective against the ratio r for a positive advantage: it rises with r, then stays flat beyond 1 + ε",
    );
    this.bad = panel(
      "A < 0: the action was worse than expected",
      "Clipped objective against the ratio r for a negative advantage: it falls with r, and stays flat below 1 − ε",
    );
    this.input.addEventListener("input", () => this.setEpsilon(Number(this.input.value)));
    this.root.replaceChildren(
      el(
        "div",
        { class: "ppo-clip" },
        el(
          "div",
          { class: "ppo-clip-head" },
          el(
            "div",
            { class: "control", dataset: { control: "epsilon" } },
            el("label", { for: id }, "Clip range ε"),
            this.input,
            this.output,
          ),
          this.status,
        ),
        el("div", { class: "ppo-clip-panels" }, this.good.box, this.bad.box),
        this.readout,
      ),
    );
    // The Code panel, shown only: the function this explorer draws, as installed (web/code/panel.js).
    this.codePanel = CodePanel.showOnly(this.root.querySelector(".ppo-clip"), { demo: "ppo", runtime: this.runtime });
    this.runtime.addEventListener("state", (event) => this.onRuntime(event.detail.state));
    this.onRuntime(this.runtime.state);
    this.show();
    return this;
  }

  onRuntime(state) {
    if (state === "ready") {
      this.status.textContent = "";
      this.fetch(this.epsilon);
    } else if (state === "error") {
      this.status.textContent = "Python stopped: restart it from the banner above to recompute the curves.";
    } else {
      this.status.textContent = "Loading Python… the clipped curves are computed by rlplay.algos.ppo.";
    }
  }

  setEpsilon(value) {
    if (!Number.isFinite(value)) return;
    this.epsilon = Math.min(EPSILON.max, Math.max(EPSILON.min, Math.round(value / EPSILON.step) * EPSILON.step));
    this.epsilon = Number(this.epsilon.toFixed(2));
    this.show();
    if (this.runtime.state === "ready") this.fetch(this.epsilon);
  }

  /** The test hook's view (ARCHITECTURE.md): the last curves from Python and the ε shown, or null before any. */
  inspect() {
    return this.data ? { ...this.data, shown: this.epsilon } : null;
  }

  /** Ask Python for the curves at ε; at most one call in flight, the latest wish wins. */
  async fetch(epsilon) {
    if (this.pending) {
      this.wanted = epsilon;
      return;
    }
    this.pending = true;
    try {
      const answer = await this.runtime.call("ppo", "clip_curve", { epsilon });
      this.data = { epsilon, ratio: answer.ratio, positive: answer.positive, negative: answer.negative };
      this.status.textContent = "";
    } catch (error) {
      if (this.runtime.state !== "error") this.status.textContent = `Could not compute the curves: ${error.message}`;
    } finally {
      this.pending = false;
    }
    const next = this.wanted;
    this.wanted = null;
    if (next !== null && next !== epsilon) this.fetch(next);
    else this.show();
  }

  /** Draw both panels and say in words what the clip does at the current ε. */
  show() {
    const eps = this.epsilon;
    const text = eps.toFixed(2);
    this.output.textContent = text;
    this.input.value = String(eps);
    this.input.setAttribute("aria-valuetext", `ε = ${text}`);
    const lo = 1 - eps;
    const hi = 1 + eps;
    const pct = Math.round(eps * 100);
    this.readout.textContent =
      `With ε = ${text}, the update may move an action's probability by up to ${pct}% ` +
      `(ratio r between ${lo.toFixed(2)} and ${hi.toFixed(2)}) and still be rewarded for it. A good action (A > 0) ` +
      `earns nothing more once r passes ${hi.toFixed(2)}; a bad one (A < 0) earns nothing more once r drops below ` +
      `${lo.toFixed(2)}. Moving the wrong way is never clipped: the min keeps the pessimistic value, so one batch ` +
      `of data cannot pull the policy far. Smaller ε: smaller, safer steps; larger ε: bigger, riskier ones.`;
    const fresh = this.data && this.data.epsilon === eps ? this.data : null;
    this.drawPanel(this.good.chart, +1, fresh?.ratio, fresh?.positive, eps);
    this.drawPanel(this.bad.chart, -1, fresh?.ratio, fresh?.negative, eps);
  }

  drawPanel(chart, A, ratio, values, eps) {
    const yMin = A > 0 ? 0 : -Y_SPAN;
    const yMax = A > 0 ? Y_SPAN : 0;
    // the clip range [1−ε, 1+ε] as a shaded column: a band reaching from the top edge down past the bottom
    const column = {
      label: "clip range 1 ± ε",
      color: "--gold",
      x: [1 - eps, 1 + eps],
      y: [yMax, yMax],
      band: [yMax - yMin, yMax - yMin],
      width: 1,
    };
    const r = [0, RATIO_MAX];
    const series = [
      column,
      { label: "r·A, unclipped", color: "--muted", x: r, y: r.map((v) => v * A), faded: true, width: 2 },
    ];
    if (ratio && values)
      series.push({ label: "min(r·A, clip(r)·A)", color: A > 0 ? "--good" : "--bad", x: ratio, y: values, width: 2.5 });
    const flat =
      A > 0
        ? { y: 1 + eps, label: `flat at (1+ε)·A = ${(1 + eps).toFixed(2)}` }
        : { y: -(1 - eps), label: `flat at (1−ε)·A = −${(1 - eps).toFixed(2)}` };
    chart.draw({
      series,
      refLines: ratio ? [{ ...flat, color: A > 0 ? "--good" : "--bad", dash: [2, 3] }] : [],
      xLabel: "ratio r = new π(a|s) / old π(a|s)",
      yLabel: `objective (A = ${A > 0 ? "+1" : "−1"})`,
      xMin: 0,
      xMax: RATIO_MAX,
      yMin,
      yMax,
    });
  }
}
