// The gridworld's planning panel: value iteration or policy iteration on the current layout, one step at a time.
// Python (rlplay.demos.gridworld.planner, via the driver's plan_step / plan_phase commands and configure plan=...)
// does every sweep; this panel draws what the snapshot's `planner` holds: V_k as a heatmap with its greedy arrows
// (policy iteration: π's arrows), and the Δ trace on a log scale with θ marked.

import { notCarried } from "../../framework/controller.js";
import { el } from "../../ui.js";
import { GridView } from "../../views/grid_view.js";
import { LineChart } from "../../views/line_chart.js";

const PLAY_INTERVAL_MS = 250; // Play takes a step this often, slow enough to watch the values spread
const PHASE_LABELS = {
  sweep: "next: a sweep of the Bellman optimality backup",
  evaluate: "next: a sweep of policy evaluation",
  improve: "next: policy improvement (make π greedy in V)",
  done: "done",
};

/** The planner's steps on the screen, which a link, an embed or the command (`what`) does not carry ("" while the
 *  planner is at its start): the sweeps are work beside the learner's run, never part of it (DemoDriver.SIDE_COMMANDS).
 *
 *  plannerSideNote({ sweeps: 12, improvements: 0 }, "the link")
 *  → "The link does not carry the planning panel's 12 sweeps: where it opens, make them again with Step sweep or
 *     Finish phase (the same world gives the same V_k)." */
export function plannerSideNote(planner, what) {
  const sweeps = planner?.sweeps ?? 0;
  const improvements = planner?.improvements ?? 0;
  if (!sweeps && !improvements) return "";
  const count = (n, word) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
  const made = improvements
    ? `${count(sweeps, "sweep")} and ${count(improvements, "improvement")}`
    : count(sweeps, "sweep");
  return notCarried(
    what,
    `the planning panel's ${made}`,
    "make them again with Step sweep or Finish phase (the same world gives the same V_k)",
  );
}

export class PlanningPanel {
  /** `controller` is the GridworldController: the panel sends commands through it and reads its snapshot. */
  constructor(controller) {
    this.controller = controller;
    this.timer = 0;
    const demo = controller.demo;
    this.canvas = el("canvas", {
      class: "gw-plan-grid",
      role: "img",
      "aria-label": "Planning: V after the last sweep, with the greedy arrows",
    });
    this.view = new GridView(this.canvas, { onResize: () => this.draw() });
    this.deltaCanvas = el("canvas", { class: "gw-plan-delta" });
    this.deltaChart = new LineChart(this.deltaCanvas, {
      height: 180,
      emptyText: "no sweep yet",
      formatY: (v) => `1e${Math.round(v)}`.replace("-", "−"),
      wholeX: true, // sweeps are counted: no tick at 1.5
      ariaLabel: "Δ per sweep, log scale, with θ",
    });
    const button = (label, control, title, onclick) =>
      el("button", { type: "button", dataset: { control }, title, onclick }, label);
    this.stepButton = button("Step sweep", "plan-step", "One sweep (policy iteration: or one improvement)", () =>
      this.step(),
    );
    this.playButton = button("Play", "plan-play", "Sweep on by itself", () => this.togglePlay());
    this.phaseButton = button("Finish phase", "plan-phase", "Run this phase to its end", () => this.finishPhase());
    this.resetButton = button("Reset", "plan-reset", "Start again from V = 0", () => this.reset());
    this.status = el("p", { class: "gw-plan-status", "aria-live": "polite" });
    const method = controller.planControl;
    this.root = el(
      "details",
      { class: "gw-planning", dataset: { panel: "planning", part: "planning" }, id: `${demo}-planning` },
      el("summary", {}, "Planning: value and policy iteration, sweep by sweep"),
      el(
        "div",
        { class: "gw-plan-row" },
        el("div", { class: "gw-plan-column" }, this.canvas),
        el(
          "div",
          { class: "gw-plan-column" },
          method,
          el("div", { class: "transport" }, this.stepButton, this.playButton, this.phaseButton, this.resetButton),
          this.status,
          el(
            "dl",
            { class: "stats" },
            controller.statElement("plan-sweeps", "sweeps"),
            controller.statElement("plan-delta", "last Δ"),
            controller.statElement("plan-theta", "θ"),
            controller.statElement("plan-phase", "phase"),
          ),
          this.deltaCanvas,
        ),
      ),
    );
  }

  async step() {
    await this.controller.command("plan_step", { args: { n: 1 } });
  }

  async finishPhase() {
    this.stop();
    await this.controller.command("plan_phase");
  }

  async reset() {
    this.stop();
    await this.controller.command("plan_reset");
  }

  togglePlay() {
    if (this.timer) this.stop();
    else {
      this.playButton.textContent = "Pause";
      this.timer = setInterval(async () => {
        const payload = await this.controller.command("plan_step", { args: { n: 1 } });
        if (!payload || payload.result === 0) this.stop();
      }, PLAY_INTERVAL_MS);
    }
  }

  /** Stop sweeping, and let go of the page (the view's and the chart's observers): the controller's unmount. */
  destroy() {
    this.stop();
    this.view.destroy();
    this.deltaChart.destroy();
  }

  stop() {
    clearInterval(this.timer);
    this.timer = 0;
    this.playButton.textContent = "Play";
  }

  /** Draw the planner's state from the controller's snapshot. */
  draw() {
    const snapshot = this.controller.snapshot;
    const planner = snapshot?.planner;
    if (!planner || !this.root.open) return;
    const V = Float64Array.from(planner.V.flat());
    const policy = Int8Array.from(planner.policy.flat());
    this.view.draw(
      {
        layout: snapshot.layout,
        V_star: { data: V },
        policy_star: { data: policy },
        show: { optimal: true },
      },
      performance.now(),
    );
    const deltas = planner.deltas;
    const first = planner.sweeps - deltas.length + 1;
    // log10 Δ, floored so that a sweep that changes nothing (Δ = 0) still shows, at the bottom
    const floor = Math.log10(planner.theta) - 3;
    const y = deltas.map((d) => (d > 0 ? Math.max(floor, Math.log10(d)) : floor));
    this.deltaChart.draw({
      series: [{ label: "Δ = max |Vₖ₊₁ − Vₖ|", color: "--agent", y, xStart: first, width: 2 }],
      refLines: [{ y: Math.log10(planner.theta), label: `θ = ${planner.theta}`, color: "--gold" }],
      xLabel: "sweep",
      yLabel: "Δ (log scale)",
    });
    const c = this.controller;
    c.setStat("plan-sweeps", planner.sweeps);
    c.setStat("plan-delta", deltas.length ? deltas[deltas.length - 1] : -1, 3);
    for (const [name, text] of [
      ["plan-theta", String(planner.theta)],
      ["plan-phase", planner.phase],
    ]) {
      const node = c.stats.get(name);
      if (node) node.textContent = text;
    }
    const improved =
      planner.method === "policy-iteration" && planner.changed >= 0
        ? ` Improvements so far: ${planner.improvements}; the last changed ${planner.changed} states.`
        : "";
    this.status.textContent = `${PHASE_LABELS[planner.phase] ?? planner.phase}.${improved}`;
    this.stepButton.disabled = planner.phase === "done";
    this.phaseButton.disabled = planner.phase === "done";
  }
}
