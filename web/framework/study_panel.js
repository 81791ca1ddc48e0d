// The "Parameter study" view of a demo that hosts studies (the gridworld: Figure 6.3; the bandit: Figure 2.6): each
// method against its parameter, many seeded runs a point, computed by rlplay.studies in the worker a budget at a time,
// drawn with ±1 SE bands as the points fill in. Progress and Cancel; the numbers equal `python -m rlplay sweep`'s.
//
// The study's declaration (title, claim, methods and their values, axis, settings with their ranges) comes from
// web/contract.json (the demo's `studies`, generated from Python); this module keeps no copy of it. The worker runs
// the study through the bridge's study_start / study_step / study_cancel; the summary lines are Python's.

import { el } from "../ui.js";
import { LineChart } from "../views/line_chart.js";

const STEP_MS = 90; // worker time per study_step: whole tasks within it (the bridge's budget is at most 100 ms)
// A colour per method, from the theme (the page's custom properties); methods not listed take the palette in order.
const COLORS = {
  "q-learning": "--lane-ucb",
  sarsa: "--good",
  "expected-sarsa": "--accent",
  "epsilon-greedy": "--lane-epsilon-greedy",
  softmax: "--lane-softmax",
  ucb: "--lane-ucb",
  "gradient-bandit": "--good",
  "optimistic-greedy": "--lane-optimistic-greedy",
};
const PALETTE = ["--accent", "--good", "--gold", "--bad", "--agent"];

/** A value as the book's log-2 axis writes it: 1/128, 1/4, 1, 4; other values as numbers. fraction(0.25) → "1/4" */
export function fraction(value) {
  if (value > 0 && value < 1) {
    const exponent = Math.log2(value);
    if (Number.isInteger(exponent)) return `1/${2 ** -exponent}`;
  }
  return String(Number(value.toPrecision(6))).replace("-", "−");
}

/** The chart's series of a study snapshot: per method its mean line with a ±1 SE band (NaN: a point not run yet). */
export function studySeries(declaration, curves) {
  return declaration.methods.map((method, i) => {
    const curve = curves?.[method.name];
    const mean = method.values.map((_, k) => curve?.mean?.[k] ?? NaN);
    const se = method.values.map((_, k) => curve?.se?.[k] ?? NaN);
    return {
      label: `${method.label} (${method.parameter})`,
      color: COLORS[method.name] ?? PALETTE[i % PALETTE.length],
      x: method.values,
      y: mean,
      band: se,
      width: 2,
    };
  });
}

export class StudyPanel {
  constructor(controller, name, declaration) {
    this.controller = controller;
    this.name = name;
    this.declaration = declaration;
    this.running = false;
    this.cancelRequested = false;
    this.destroyed = false;
    this.study = null; // the last study snapshot from the worker
    const demo = controller.demo;
    this.inputs = new Map();
    const fields = declaration.settings.map((field) => {
      const id = `${demo}-study-${name}-${field.name}`;
      const input = el("input", {
        type: "number",
        id,
        min: field.low,
        max: field.high,
        step: field.type === "int" ? 1 : (field.step ?? "any"),
        value: field.default,
        title: field.doc,
      });
      this.inputs.set(field.name, input);
      return el("span", { class: "study-field" }, el("label", { for: id }, field.name), input);
    });
    this.startButton = el("button", { type: "button", class: "primary", onclick: () => this.start() }, "Run the study");
    this.cancelButton = el("button", { type: "button", hidden: true, onclick: () => this.cancel() }, "Cancel");
    this.progress = el("progress", { max: 1, value: 0, "aria-label": "Study progress" });
    this.status = el("p", { class: "study-status", role: "status", "aria-live": "polite" }, "Not run yet.");
    const canvas = el("canvas", { class: "study-chart" });
    this.chart = new LineChart(canvas, {
      height: 280,
      emptyText: "the curves fill in here as the runs finish",
      ...(declaration.x_log2 ? { formatX: fraction } : {}),
      ariaLabel: `${declaration.metric} against ${declaration.x_label}: mean over runs with ±1 standard error`,
    });
    this.summary = el("ul", { class: "study-summary" });
    this.command = el("code", { class: "study-command" });
    this.element = el(
      "section",
      { class: "study-panel", id: `scene-${name}`, dataset: { scene: name } },
      el("p", { class: "study-claim" }, declaration.claim),
      el("div", { class: "study-row" }, ...fields, this.startButton, this.cancelButton),
      this.progress,
      this.status,
      canvas,
      this.summary,
      el(
        "p",
        { class: "study-note" },
        "The same study in a terminal, on every core (or a Ray cluster): ",
        this.command,
      ),
    );
    this.details = el(
      "details",
      { class: "study-details", dataset: { control: "study" } },
      el("summary", {}, `Parameter study: ${declaration.title}`),
      this.element,
    );
    for (const input of this.inputs.values()) input.addEventListener("input", () => this.showCommand());
    this.showCommand();
    this.draw();
  }

  settings() {
    const out = {};
    for (const [name, input] of this.inputs) out[name] = input.value;
    return out;
  }

  showCommand() {
    const defaults = new Map(this.declaration.settings.map((field) => [field.name, String(field.default)]));
    // Only validated numbers reach the command (an input of type number gives "" for anything else).
    const flags = [...this.inputs]
      .filter(([name, input]) => /^-?\d+(\.\d+)?$/.test(input.value) && input.value !== defaults.get(name))
      .map(([name, input]) => ` --${name} ${input.value}`)
      .join("");
    this.command.textContent = `python -m rlplay sweep --scene ${this.name}${flags}`;
  }

  async start() {
    if (this.running) return;
    const c = this.controller;
    if (c.playing) c.pause(); // one worker: the study, not this demo's training, while it runs
    this.running = true;
    this.cancelRequested = false;
    this.startButton.disabled = true;
    this.cancelButton.hidden = false;
    this.status.textContent = "Starting…";
    try {
      const started = await c.runtime.call(c.demo, "study_start", { scene: this.name, settings: this.settings() });
      this.receive(started.study, started.notices ?? []);
      while (!this.study.done && !this.study.cancelled && !this.destroyed) {
        if (this.cancelRequested) {
          const cancelled = await c.runtime.call(c.demo, "study_cancel", {});
          this.receive(cancelled.study);
          break;
        }
        const step = await c.runtime.call(c.demo, "study_step", { budget_ms: STEP_MS });
        this.receive(step.study);
      }
    } catch (error) {
      this.status.textContent = `The study stopped: ${error.message}`;
    } finally {
      this.running = false;
      this.startButton.disabled = false;
      this.cancelButton.hidden = true;
    }
  }

  cancel() {
    this.cancelRequested = true;
    this.status.textContent = "Cancelling after the runs in hand…";
  }

  receive(study, notices = []) {
    this.study = study;
    this.progress.value = study.progress;
    const runs = `${study.finished.toLocaleString("en-US")} of ${study.total.toLocaleString("en-US")} runs`;
    const speed = `${Math.round(study.steps_per_second).toLocaleString("en-US")} steps/s`;
    const time = `${study.elapsed_s.toFixed(1)} s`;
    const state = study.done ? "Done: " : study.cancelled ? "Cancelled: kept " : "";
    this.status.textContent = [`${state}${runs}, ${time}, ${speed}`, ...notices].join(" · ");
    this.summary.replaceChildren(...study.summary.map((line) => el("li", {}, line)));
    this.draw();
  }

  draw() {
    const d = this.declaration;
    const values = d.methods.flatMap((method) => method.values);
    this.chart.draw({
      series: studySeries(d, this.study?.curves),
      xLabel: d.x_label,
      yLabel: d.y_label,
      logX: d.x_log2,
      logBase: d.x_log2 ? 2 : undefined,
      // half an octave of room at each end of a log-2 axis: its first tick label stays clear of the y axis's labels
      ...(d.x_log2 ? { xMin: Math.min(...values) / Math.SQRT2, xMax: Math.max(...values) * Math.SQRT2 } : {}),
    });
  }

  /** inspect()'s `study`: progress (finished of total runs), done and the curves as plain data (null before a study
   * started). */
  inspect() {
    const s = this.study;
    if (!s) return null;
    const curves = {};
    for (const [name, curve] of Object.entries(s.curves))
      curves[name] = { values: [...curve.values], mean: [...curve.mean], se: [...curve.se], runs: [...curve.runs] };
    return {
      name: this.name,
      progress: s.progress,
      finished: s.finished,
      total: s.total,
      done: s.done,
      cancelled: s.cancelled,
      running: this.running,
      steps: s.steps,
      elapsed_s: s.elapsed_s,
      steps_per_second: s.steps_per_second,
      summary: [...s.summary],
      curves,
    };
  }

  /** Stop asking the worker for more (the loop ends after the call in flight) and remove the section. */
  destroy() {
    this.destroyed = true;
    this.chart.destroy();
    this.details.remove();
  }
}
