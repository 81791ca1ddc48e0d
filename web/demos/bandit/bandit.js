// The bandit race: ε-greedy, softmax and UCB pull the same slot machines, with common random numbers, and the page
// shows what each believes (Q), where it spends its pulls (N), and what that costs (pseudo-regret). With runs > 1 the
// Python driver (rlplay.demos.bandit) averages that many independent races, and the regret chart shows the expected
// regret ± 1 standard error: UCB's bends over like log t, ε-greedy's keeps climbing like ε·t.
//
// This controller owns the loop and the learning curves it has been sent; BanditView and LineChart only draw.

import { codeRunLabel, KeptRun, restartLabel } from "../../framework/before.js";
import { DemoController } from "../../framework/controller.js";
import { GrowingSeries, rowsOf } from "../../framework/series.js";
import { Announcer, el, fieldControl, formatStat, seedControl, themeColor } from "../../ui.js";
import { BanditView } from "../../views/bandit_view.js";
import { LineChart } from "../../views/line_chart.js";

// How each lane looks and which setting it shows. Their order is the driver's (rlplay.demos.bandit.LANES, from
// web/contract.json's constants.lanes): row i of Q, N, last_arm and of every curve is lane i.
const LANE_STYLES = [
  {
    key: "epsilon-greedy",
    label: "ε-greedy",
    color: "--lane-epsilon-greedy",
    param: "epsilon",
    symbol: "ε",
    show: "show_epsilon_greedy",
  },
  { key: "softmax", label: "softmax", color: "--lane-softmax", param: "tau", symbol: "τ", show: "show_softmax" },
  { key: "ucb", label: "UCB", color: "--lane-ucb", param: "c", symbol: "c", show: "show_ucb" },
  {
    key: "optimistic-greedy",
    label: "optimistic greedy",
    color: "--lane-optimistic-greedy",
    param: "q0",
    symbol: "Q₀",
    show: "show_optimistic_greedy",
  },
];
const RUN_PRESETS = [1, 20, 100, 200, 500, 1000, 2000];
const HORIZON_PRESETS = [100, 300, 1000, 2000, 5000, 10000, 30000, 100000];
const rows = rowsOf;

export default class BanditController extends DemoController {
  static demo = "bandit";
  // An embed's lesson view: the machines, the transport, the scores and the regret chart (README: "Embedding").
  static embedHidden = ["note", "legend", "toggles", "figures", "plotted", "best-arm-chart", "reward-chart", "share"];
  static speeds = ["1", "3", "10", "30", "100", "300", "1000", "max"];
  static uiFields = [
    { name: "speed", type: "str", default: "100", choices: BanditController.speeds, doc: "Pulls per second, or max." },
    { name: "reveal", type: "bool", default: false, doc: "Show the machines' hidden means μ(a)." },
    { name: "logx", type: "bool", default: false, doc: "Logarithmic pull axis on the charts." },
    ...LANE_STYLES.map((lane) => ({
      name: lane.show,
      type: "bool",
      default: true,
      doc: `Plot ${lane.label} on the charts.`,
    })),
  ];

  constructor(options) {
    super(options);
    // The lanes in the driver's order, and the curves it sends as growing series (both from web/contract.json).
    this.lanes = this.contract.constants.lanes.value.map((key) => LANE_STYLES.find((lane) => lane.key === key));
    this.curveNames = Object.keys(this.contract.growing);
    // The curves received so far: name -> one GrowingSeries per lane.
    this.series = Object.fromEntries(this.curveNames.map((name) => [name, this.lanes.map(() => new GrowingSeries())]));
    this.wantFull = false;
    this.finished = false;
    this.stderrCells = [];
    // Before and after (issue 24): a run replaced by Run my code or by a restarting setting stays on the charts,
    // faded and labelled, until cleared ({label, curves: name -> one Float64Array per lane}; web/framework/before.js).
    this.kept = new KeptRun({
      className: "bandit-clear-before",
      onChange: () => {
        this.dirty = true;
      },
    });
  }

  /** The curves received so far: name -> one Float64Array per lane (views, valid until the next snapshot). */
  get curves() {
    return Object.fromEntries(this.curveNames.map((name) => [name, this.series[name].map((series) => series.values)]));
  }

  // ---- building the panel -------------------------------------------------------------------------------

  buildControls(panel) {
    const demo = this.demo;
    const registry = this.registry;

    this.stepButton = el(
      "button",
      {
        type: "button",
        dataset: { control: "step" },
        onclick: () => this.stepOnce(),
        title: "One pull by each strategy",
      },
      "Step",
    );
    this.newArmsButton = el(
      "button",
      {
        type: "button",
        dataset: { control: "new-arms" },
        onclick: () => this.newArms(),
        title: "Draw new hidden means and start again",
      },
      "New arms",
    );
    this.transport.append(this.stepButton, this.newArmsButton);
    this.driverButtons.push(this.stepButton, this.newArmsButton);

    const crn = el(
      "p",
      { class: "bandit-crn", dataset: { part: "note" } },
      "Same machines, same pre-drawn reward for every (pull, arm): the strategies differ only in how they choose.",
    );

    // The machines and lanes.
    this.machines = el("div", { class: "bandit-view" });
    this.machines.style.height = `${BanditView.heightFor(this.lanes.length)}px`;
    this.view = new BanditView(this.machines);
    this.runNote = el("p", { class: "bandit-run-note", hidden: true });
    const legend = el(
      "div",
      { class: "legend bandit-legend", "aria-hidden": "true", dataset: { part: "legend" } },
      el("span", {}, el("span", { class: "bandit-key bandit-key-q" }), "estimate Q(a)"),
      el("span", {}, el("span", { class: "bandit-key bandit-key-n" }), "share of pulls N(a)/t"),
      el("span", {}, el("span", { class: "bandit-key bandit-key-mu" }), "true mean μ(a)"),
      el("span", {}, el("span", { class: "bandit-key bandit-key-ucb" }), "UCB bonus"),
      el("span", {}, el("span", { class: "bandit-key bandit-key-lamp" }), "just pulled"),
    );
    const toggles = el(
      "div",
      { class: "toggles", dataset: { part: "toggles" } },
      fieldControl(registry, demo, "reveal", { label: "Reveal the hidden means" }),
      fieldControl(registry, demo, "logx", { label: "Log pull axis" }),
    );

    // The scoreboard: the figures, one row per strategy.
    const head = el(
      "tr",
      {},
      el("th", { scope: "col" }, "strategy"),
      el("th", { scope: "col" }, "regret"),
      el("th", { scope: "col" }, "reward"),
      el("th", { scope: "col", title: "share of pulls on the best arm" }, "best arm"),
      el(
        "th",
        {
          scope: "col",
          class: "bandit-col-optimal",
          title: "% optimal action: share of the races pulling the best arm, over the last 100 pulls",
        },
        "optimal, last 100",
      ),
    );
    this.laneRows = [];
    const body = this.lanes.map((lane) => {
      const cells = ["regret", "reward", "best-arm-rate", "optimal-share"].map((figure) => {
        const value = el("span", { dataset: { stat: `${figure}-${lane.key}`, value: "-1" } }, "—");
        this.stats.set(`${figure}-${lane.key}`, value);
        const cell = el("td", figure === "optimal-share" ? { class: "bandit-col-optimal" } : {}, value);
        if (figure === "regret") {
          const stderr = el("span", { class: "bandit-se", hidden: true });
          this.stderrCells.push(stderr);
          cell.append(stderr);
        }
        return cell;
      });
      const param = el("span", { class: "bandit-param" });
      const badge = el("span", { class: "bandit-leader", hidden: true }, "lowest regret");
      const row = el(
        "tr",
        { dataset: { lane: lane.key } },
        el(
          "th",
          { scope: "row" },
          el("span", { class: `swatch bandit-swatch-${lane.key}` }),
          lane.label,
          " ",
          param,
          badge,
        ),
        ...cells,
      );
      this.laneRows.push({ row, param, badge });
      return row;
    });
    this.scoreCaption = el("caption", {}, "The race so far");
    // In a narrow column the table scrolls sideways inside its box, never the page.
    const scores = el(
      "div",
      { class: "bandit-scores-box", dataset: { part: "scores" } },
      el("table", { class: "bandit-scores" }, this.scoreCaption, el("thead", {}, head), el("tbody", {}, body)),
    );
    const totals = el(
      "dl",
      { class: "stats bandit-totals", dataset: { part: "figures" } },
      this.statElement("pulls", "pulls", "pulls by each strategy so far"),
      this.statElement("steps-per-second", "pulls / s", "pulls per second, measured in the page"),
    );

    // The charts.
    const chart = (name, title, options, note) => {
      const canvas = el("canvas");
      const figure = el(
        "figure",
        { class: `bandit-chart bandit-chart-${name}`, dataset: { part: `${name}-chart` } },
        el("figcaption", {}, title),
        canvas,
      );
      if (note) figure.append(note);
      return { figure, chart: this.own(new LineChart(canvas, options)) };
    };
    this.averageNote = el("p", { class: "bandit-note", hidden: true });
    this.regretChart = chart(
      "regret",
      "Pseudo-regret Σ(μ* − μₐ)",
      { height: 230, legend: false, ariaLabel: "Cumulative pseudo-regret of each strategy against pulls" },
      this.averageNote,
    );
    this.rewardChart = chart("reward", "Cumulative reward", {
      height: 140,
      legend: false,
      ariaLabel: "Cumulative reward of each strategy against pulls",
    });
    this.bestChart = chart("best-arm", "Share of pulls on the best arm", {
      height: 140,
      legend: false,
      ariaLabel: "Share of pulls on the best arm for each strategy against pulls",
    });
    this.bestCaption = this.bestChart.figure.querySelector("figcaption");

    // Which lanes the charts plot (a lane far above the others flattens them: hide it to compare the rest); the legend
    // also says what a faded run is and whether edited code runs.
    this.plotNote = el("span", { class: "bandit-plot-note", hidden: true });
    const plotted = el(
      "fieldset",
      { class: "bandit-plotted", dataset: { part: "plotted" } },
      el("legend", {}, "Plot"),
      ...this.lanes.map((lane) => {
        const id = `${this.demo}-${lane.show}`;
        const box = el("input", { type: "checkbox", id });
        box.checked = registry.get(demo, lane.show);
        box.addEventListener("change", () => registry.set(demo, lane.show, box.checked));
        registry.addEventListener("change", (event) => {
          if (event.detail.demo === demo && event.detail.name === lane.show) box.checked = event.detail.value;
        });
        return el(
          "label",
          { for: id, class: "check", dataset: { control: lane.show } },
          box,
          el("span", { class: `swatch bandit-swatch-${lane.key}` }),
          lane.label,
        );
      }),
      this.plotNote,
      this.kept.button,
    );

    // Settings.
    const controls = el(
      "div",
      { class: "controls bandit-controls" },
      this.seed("seed", "Seed (pulls)"),
      this.seed("arm_seed", "Seed (arms)"),
      fieldControl(registry, demo, "arms"),
      fieldControl(registry, demo, "epsilon"),
      fieldControl(registry, demo, "tau"),
      fieldControl(registry, demo, "c"),
      this.settingControl("q0"),
      this.settingControl("step_size"),
      this.settingControl("alpha"),
      this.presetControl("runs", "Average over runs", RUN_PRESETS, (n) =>
        n === 1 ? "1 — one live race" : `${n} races`,
      ),
      this.presetControl("horizon", "Horizon (pulls)", HORIZON_PRESETS, (n) => n.toLocaleString("en-US")),
    );

    // What a screen reader hears, now and then.
    this.summary = el("p", {
      class: "visually-hidden",
      role: "status",
      "aria-live": "polite",
      dataset: { summary: "bandit" },
    });
    this.announcer = new Announcer(this.summary, { timers: this.disposables });

    panel.append(
      crn,
      el("div", { class: "bandit-transport" }, this.transport, this.speedControl),
      el(
        "div",
        { class: "demo-row bandit-row" },
        el("div", { class: "bandit-left" }, this.machines, this.runNote, legend, toggles, totals, scores),
        el(
          "div",
          { class: "bandit-charts" },
          plotted,
          this.regretChart.figure,
          this.bestChart.figure,
          this.rewardChart.figure,
        ),
      ),
      el(
        "details",
        { class: "bandit-settings", open: !registry.page.embed, dataset: { part: "settings" } }, // folded in an embed
        el("summary", {}, "Settings"),
        controls,
      ),
      this.summary,
    );
  }

  seed(name, label) {
    return seedControl(this.registry, this.demo, name, { label, onInvalid: (message) => this.showNotices([message]) });
  }

  /** A select of sensible values for a wide integer range; a value from the URL that is not a preset is kept. */
  presetControl(name, label, presets, format) {
    const id = `${this.demo}-${name}`;
    const select = el("select", { id });
    const fill = (current) => {
      const values = [...new Set([...presets, current])].sort((a, b) => a - b);
      select.replaceChildren(...values.map((n) => el("option", { value: n }, format(n))));
      select.value = String(current);
    };
    fill(this.registry.get(this.demo, name));
    select.addEventListener("change", () => this.registry.set(this.demo, name, Number(select.value)));
    this.registry.addEventListener("change", (event) => {
      if (event.detail.demo === this.demo && event.detail.name === name) fill(event.detail.value);
    });
    return el("div", { class: "control", dataset: { control: name } }, el("label", { for: id }, label), select);
  }

  mount() {
    super.mount();
    // Redraw the machines when their box changes size or the colour scheme flips (the charts watch themselves).
    if ("ResizeObserver" in window)
      this.disposables
        .observe(
          new ResizeObserver(() => {
            this.dirty = true;
          }),
        )
        .observe(this.machines);
    const scheme = window.matchMedia?.("(prefers-color-scheme: dark)");
    if (scheme)
      this.disposables.listen(scheme, "change", () => {
        this.dirty = true;
      });
    // Messages ("Finished: …") belong where the eyes are: under the buttons, not at the foot of the panel.
    // The driver's remarks on the settings ("ε = 0: …") stay while they hold, apart from passing messages.
    this.remarks = el("div", { class: "bandit-remarks", role: "status", "aria-live": "polite" });
    this.transport.closest(".bandit-transport").after(this.messages, this.remarks);
  }

  // ---- the run --------------------------------------------------------------------------------------------

  since() {
    return this.wantFull ? 0 : this.series.cum_regret[0].length;
  }

  pulls() {
    return this.snapshot?.figures?.pulls ?? 0;
  }

  horizon() {
    return Number(this.registry.get(this.demo, "horizon"));
  }

  maxUnits() {
    return Math.max(0, this.horizon() - this.pulls());
  }

  accept(snapshot, reason) {
    // Curves arrive from index curve_offset on; offset 0 (create, reset, configure, new arms) replaces them.
    const offset = snapshot.curve_offset ?? 0;
    if (offset === 0) for (const name of this.curveNames) for (const series of this.series[name]) series.clear();
    let whole = true;
    for (const name of this.curveNames) {
      for (const [i, tail] of rows(snapshot[name]).entries()) whole = this.series[name][i].put(offset, tail) && whole;
    }
    this.wantFull = !whole; // a gap: ask for the whole curves next time
    const pulls = snapshot.figures?.pulls ?? 0;
    if (pulls < this.horizon()) this.finished = false;

    const remarks = snapshot.notices ?? [];
    if (this.remarks && remarks.join("\n") !== this.remarksShown) {
      this.remarksShown = remarks.join("\n");
      this.remarks.replaceChildren(...remarks.map((text) => el("p", { class: "notice" }, text)));
    }

    const figures = snapshot.figures ?? {};
    for (const [name, value] of Object.entries(figures)) {
      if (name === "steps-per-second") continue;
      const digits = name.startsWith("best-arm-rate") || name.startsWith("optimal-share") ? 3 : 2;
      this.setStat(name, value, digits);
    }
    const average = snapshot.mode === "average";
    const stderr = this.curves.regret_stderr;
    this.lanes.forEach((_lane, i) => {
      const cell = this.stderrCells[i];
      const last = stderr[i];
      cell.hidden = !average || !last.length;
      if (average && last.length) cell.textContent = ` ± ${formatStat(last[last.length - 1], 1)}`;
    });

    if (pulls > 0 && pulls >= this.horizon() && (reason === "run" || reason === "step")) this.finish();
    this.summarize(false);
  }

  /** The horizon is reached: stop, and say who won. */
  finish() {
    if (this.finished) return;
    this.finished = true;
    this.playing = false;
    this.setStatus("paused");
    const ranking = this.ranking();
    const best = ranking[0];
    const average = this.snapshot.mode === "average";
    const what = average
      ? `the lowest expected regret over ${this.registry.get(this.demo, "runs")} races`
      : "the lowest regret";
    this.showNotices([
      `Finished: ${this.pulls().toLocaleString("en-US")} pulls, the horizon. ${best.label} has ${what} ` +
        `(${formatStat(best.regret, 1)}). Press Play to race again, or raise the horizon to carry on.`,
    ]);
    this.summarize(true);
  }

  /** Lanes sorted by regret, lowest first. */
  ranking() {
    const figures = this.snapshot?.figures ?? {};
    return this.lanes
      .map((lane) => ({ ...lane, regret: figures[`regret-${lane.key}`] ?? 0 }))
      .sort((a, b) => a.regret - b.regret);
  }

  /** The aria-live summary: "After 1000 pulls: UCB regret 12.3, ε-greedy 25.1, softmax 18.0." (throttled). */
  summarize(force) {
    const pulls = this.pulls();
    if (!pulls) {
      this.announcer.say("Ready: no pulls yet.", { now: force });
      return;
    }
    const [first, ...rest] = this.ranking();
    const average = this.snapshot.mode === "average";
    const lead = `${first.label} ${average ? "expected regret" : "regret"} ${formatStat(first.regret, 1)}`;
    const others = rest.map((lane) => `${lane.label} ${formatStat(lane.regret, 1)}`).join(", ");
    const over = average ? `, averaged over ${this.registry.get(this.demo, "runs")} races` : "";
    this.announcer.say(`After ${pulls.toLocaleString("en-US")} pulls${over}: ${lead}, ${others}.`, { now: force });
  }

  play() {
    if (this.finished || (this.snapshot && this.pulls() >= this.horizon())) {
      // Play after the finish: race again from the start, on the same arms.
      this.reset().then(() => super.play());
      return;
    }
    super.play();
  }

  pause(reason) {
    super.pause(reason);
    this.summarize(true);
  }

  async reset() {
    this.showNotices([]);
    await super.reset();
  }

  async stepOnce() {
    if (this.generation !== this.runtime.generation || this.status === "error" || this.inFlight) return;
    if (this.playing) this.pause();
    if (this.pulls() >= this.horizon()) {
      this.finished = false;
      this.finish();
      return;
    }
    await this.command("step", { n: 1 });
  }

  async newArms() {
    if (this.generation !== this.runtime.generation || this.status === "error") return;
    this.wantFull = true;
    this.clearNotices(); // before, not after: a replay this stops says so meanwhile, and that must stay said
    await this.command("new_arms", { args: {} });
  }

  onSetting(name, value) {
    if (this.registry.field(this.demo, name)?.ui) {
      this.dirty = true;
      return;
    }
    super.onSetting(name, value); // ε, τ and c apply from the next pull; the base notes the mid-run change
  }

  /** inspect()'s bandit part: the curves held, name -> one list per lane (the driver's lane order), the faded run
   *  kept and what the legend says. */
  inspectDemo() {
    const curves = this.curves;
    const kept = this.kept.run;
    return {
      curves: Object.fromEntries(this.curveNames.map((name) => [name, curves[name].map((lane) => Array.from(lane))])),
      before: kept ? { label: kept.label, points: kept.curves.cum_regret[0].length } : null,
      plotNote: this.plotNote.hidden ? "" : this.plotNote.textContent,
    };
  }

  // ---- before and after -----------------------------------------------------------------------------------

  /** The run's curves as they stand, to keep faded (null before the first pull). */
  currentRun(label) {
    if (!this.pulls()) return null;
    const curves = Object.fromEntries(
      this.curveNames.map((name) => [name, this.series[name].map((series) => Float64Array.from(series.values))]),
    );
    return { label, curves };
  }

  /** Edited code runs (the Code panel's set_code): the legend says so. */
  codeEdited() {
    return Boolean(this.codePanel?.editedFunctions().length);
  }

  async command(command, args = {}) {
    // Run my code: the run so far stays, faded, as "reference" (or the edited version it replaces); New arms starts
    // a fresh race, and the old one stays as "arm_seed 0, before".
    const config = { ...(this.snapshot?.config ?? {}) };
    const kept =
      command === "set_code"
        ? this.currentRun(codeRunLabel(this.codeEdited()))
        : command === "new_arms"
          ? this.currentRun("")
          : null;
    const payload = await super.command(command, args);
    if (payload && kept && command === "new_arms")
      kept.label = restartLabel("", config, this.snapshot?.config ?? {}, ["arm_seed"]);
    if (payload && kept) this.kept.set(kept);
    return payload;
  }

  beforeConfigure() {
    return { config: { ...(this.snapshot?.config ?? {}) }, run: this.currentRun("") };
  }

  afterConfigure(payload, _params, before) {
    if (!payload.restarted?.length || !before?.run) return;
    // What differed, named: "seed 0, before"
    const now = this.snapshot?.config ?? {};
    this.kept.set({ ...before.run, label: restartLabel("", before.config, now, payload.restarted) });
  }

  // ---- drawing --------------------------------------------------------------------------------------------

  laneViews() {
    return this.lanes.map((lane) => {
      const value = this.registry.get(this.demo, lane.param);
      return { label: lane.label, color: themeColor(lane.color), note: `${lane.symbol} = ${value}` };
    });
  }

  draw() {
    const snapshot = this.snapshot;
    const reveal = this.registry.get(this.demo, "reveal");
    const logX = this.registry.get(this.demo, "logx");
    const average = snapshot.mode === "average";
    const means = Array.from(snapshot.means?.data ?? []);
    const Q = rows(snapshot.Q).map((row) => Array.from(row));
    const N = rows(snapshot.N).map((row) => Array.from(row, Math.round));
    const lastArm = Array.from(snapshot.last_arm?.data ?? this.lanes.map(() => -1));
    const pulls = this.pulls();

    // A value scale that holds the means and the estimates, and does not jump while the estimates settle.
    let lo = Math.min(...means) - 0.35;
    let hi = Math.max(...means) + 0.35;
    for (const [i, row] of Q.entries()) {
      for (const [arm, q] of row.entries()) {
        if (N[i][arm] > 0) {
          lo = Math.min(lo, q);
          hi = Math.max(hi, q);
        }
      }
    }
    const lanes = this.laneViews();
    this.view.draw({
      lanes,
      Q,
      N,
      lastArm,
      means,
      reveal,
      optimalArm: snapshot.optimal_arm,
      ucb: { lane: 2, c: Number(this.registry.get(this.demo, "c")), t: pulls },
      valueRange: [lo, hi],
    });
    this.runNote.hidden = !average;
    if (average) {
      this.runNote.textContent =
        `The machines show race 1 of ${this.registry.get(this.demo, "runs")}; ` +
        "the charts and figures are means over all of them.";
    }
    this.scoreCaption.textContent = average
      ? `Means over ${this.registry.get(this.demo, "runs")} races after ${pulls.toLocaleString("en-US")} pulls each (regret ± 1 standard error)`
      : `The race after ${pulls.toLocaleString("en-US")} pulls`;
    const ranking = this.ranking();
    this.laneRows.forEach(({ row, param, badge }, i) => {
      param.textContent = lanes[i].note;
      badge.hidden = !(pulls > 0 && ranking[0].key === this.lanes[i].key);
      row.classList.toggle("is-leader", !badge.hidden);
    });

    const horizon = this.horizon();
    const curves = this.curves;
    const kept = this.kept.run;
    const edited = this.codeEdited();
    const keptPulls = kept ? kept.curves.cum_regret[0].length : 0;
    const xSpan = { xMin: logX ? 1 : 0, xMax: Math.max(horizon, pulls, keptPulls, 10) };
    const shown = this.lanes.map((lane) => this.registry.get(this.demo, lane.show));
    // The kept run's lanes first, faded, under the live ones.
    const series = (name, { band = null } = {}) => [
      ...(kept
        ? this.lanes.flatMap((lane, i) =>
            shown[i]
              ? [{ label: `${lane.label}, ${kept.label}`, color: lane.color, y: kept.curves[name][i], faded: true }]
              : [],
          )
        : []),
      ...this.lanes.flatMap((lane, i) =>
        shown[i]
          ? [
              {
                label: `${lane.label}${edited ? ", edited code" : ""}`,
                color: lane.color,
                y: curves[name][i],
                width: 2,
                band: band ? curves[band][i] : undefined,
              },
            ]
          : [],
      ),
    ];
    const note = [kept ? `faded: ${kept.label}` : "", edited ? "edited code runs" : ""].filter(Boolean).join(" · ");
    this.plotNote.hidden = !note;
    this.plotNote.textContent = note;
    this.regretChart.chart.draw({
      series: series("cum_regret", { band: average ? "regret_stderr" : null }),
      xLabel: logX ? "pulls t (log scale)" : "pulls t",
      yLabel: average ? "expected regret" : "regret",
      yMin: 0,
      logX,
      ...xSpan,
    });
    this.rewardChart.chart.draw({
      series: series("cum_reward"),
      xLabel: "pulls t",
      yLabel: average ? "expected reward" : "reward",
      logX,
      ...xSpan,
    });
    const k = means.length || 1;
    // Averaged: Figure 2.3's "% optimal action", the share of the races pulling the best arm at each pull; one race:
    // the share of its pulls so far (a single pull is on the best arm or not).
    this.bestCaption.textContent = average
      ? `% optimal action: share of the ${this.registry.get(this.demo, "runs")} races pulling the best arm at each pull`
      : "Share of pulls on the best arm";
    this.bestChart.chart.draw({
      series: series(average ? "optimal_share" : "best_arm_rate"),
      xLabel: "pulls t",
      yLabel: average ? "% optimal action" : "best-arm share",
      refLines: [{ y: 1 / k, label: `random: 1/${k}` }],
      yMin: 0,
      yMax: 1,
      logX,
      ...xSpan,
    });
    this.averageNote.hidden = !average && !logX;
    this.averageNote.textContent = this.regretNote(average, logX);
  }

  /** What to look for in the regret chart, from the curves themselves. */
  regretNote(average, logX) {
    const parts = [];
    // The UCB lesson's words only while the chart plots UCB and ε-greedy (a scene may show other lanes).
    const ucbShown = ["show_ucb", "show_epsilon_greedy"].every((name) => this.registry.get(this.demo, name));
    if (average && !ucbShown) parts.push("Shaded: ± 1 standard error of the mean.");
    else if (average) {
      parts.push("Shaded: ± 1 standard error of the mean.");
      parts.push(
        logX
          ? "On a log axis, regret that grows like log t is a straight line (UCB); linear growth (ε-greedy keeps exploring at rate ε) curves upward."
          : "UCB's regret bends over (it grows like log t); ε-greedy's keeps climbing in a straight line, as it explores at rate ε for ever. Turn on the log axis to see it.",
      );
      const eps = this.curves.cum_regret[0];
      const ucb = this.curves.cum_regret[2];
      const n = Math.min(eps.length, ucb.length);
      if (n > 1) {
        if (ucb[n - 1] < eps[n - 1]) {
          let cross = n - 1;
          while (cross > 0 && ucb[cross - 1] < eps[cross - 1]) cross--;
          if (cross > 0)
            parts.push(`UCB has been ahead of ε-greedy since pull ${(cross + 1).toLocaleString("en-US")}.`);
        } else {
          parts.push("ε-greedy is ahead so far: UCB pays for exploring early; try a longer horizon or a smaller c.");
        }
      }
    } else if (logX) {
      parts.push("On a log axis, regret that grows like log t is a straight line; linear growth curves upward.");
    }
    return parts.join(" ");
  }

  // ---- sharing --------------------------------------------------------------------------------------------

  exportData() {
    const snapshot = this.snapshot ?? {};
    const list = (array) => Array.from(array ?? []);
    const curves = this.curves;
    return {
      mode: snapshot.mode,
      pulls: this.pulls(),
      means: list(snapshot.means?.data),
      optimal_arm: snapshot.optimal_arm,
      Q: rows(snapshot.Q).map(list),
      N: rows(snapshot.N).map(list),
      lanes: this.lanes.map((lane) => lane.key),
      series: Object.fromEntries(
        this.curveNames
          .filter((name) => curves[name][0].length)
          .map((name) => [name, Object.fromEntries(this.lanes.map((lane, i) => [lane.key, list(curves[name][i])]))]),
      ),
    };
  }

  csvRows() {
    const curves = this.curves;
    const names = this.curveNames.filter((name) => curves[name][0].length);
    const header = [
      "pull",
      ...names.flatMap((name) => this.lanes.map((lane) => `${name}_${lane.key.replace(/-/g, "_")}`)),
    ];
    const out = [header];
    const n = curves.cum_regret[0].length;
    for (let t = 0; t < n; t++) {
      const cells = [t + 1];
      for (const name of names) for (let i = 0; i < this.lanes.length; i++) cells.push(curves[name][i][t]);
      out.push(cells);
    }
    return out;
  }
}
