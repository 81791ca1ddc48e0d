// The gridworld demo: a tabular learner (Q-learning, SARSA, Expected SARSA, n-step SARSA, Monte Carlo, Dyna-Q)
// finds its way to the goal, beside value iteration's optimum on the same layout; optionally a second learner on the
// same world and random numbers (compare), mean return curves over many seeds, and planning sweep by sweep. The
// Python driver (rlplay.demos.gridworld) does all the learning and planning; this controller asks it for work, folds
// its snapshots into what the views need, and turns clicks and keys into layout edits.
//
// Views: GridView (the grid, web/views/grid_view.js) and LineChart (steps or returns per episode,
// web/views/line_chart.js). Modules: gridworld_curve.js (the bounded learning curve), gridworld_input.js (editing the
// grid), gridworld_planning.js (the planning panel).
// Snapshot keys read here (declared in rlplay.app.contract): figures, Q (rows, cols, 4), greedy_action, differs,
// V_star, policy_star, greedy_path, optimal_path, layout (with painted and rewards), agent, trail, episode_lengths +
// episode_lengths_offset, epsilon_now, config, notices, Q_b, greedy_path_b, compare_returns + compare_bin, average +
// average_mean + average_se, planner.

import { codeRunLabel, KeptRun, restartLabel } from "../../framework/before.js";
import { DemoController, noticeParagraphs } from "../../framework/controller.js";
import { tailPlacement } from "../../framework/series.js";
import { Announcer, displayStat, el, fieldControl, formatStat, seedControl } from "../../ui.js";
import { layerText } from "../../views/grid_layers.js";
import { GridView } from "../../views/grid_view.js";
import { formatCompact, LineChart } from "../../views/line_chart.js";
import { EpisodeCurve, MOVING_AVERAGE } from "./gridworld_curve.js";
import { bindGridInput, EDIT_LABELS, editCell } from "./gridworld_input.js";
import { PlanningPanel, plannerSideNote } from "./gridworld_planning.js";

export { EpisodeCurve };

const SPEEDS = ["2", "5", "10", "30", "100", "300", "1000", "max"];
const LOG_X_FROM = 300; // episodes: from here the curve's x axis is logarithmic, so the early learning stays visible
const PAINT_REWARDS = ["-1", "-0.5", "-0.1", "+0.5", "+1"];
const AVERAGE_BUDGET_MS = 30; // the averaging job runs in the worker in slices this long, so the page stays responsive

/**
 * The bottom of a returns chart: the lowest value after the first tenth of the episodes (at least 10), so that the
 * first, very long episodes do not squash the curves the lesson is about (they run off the bottom of the plot).
 */
function lowerAxis(curves) {
  let low = Infinity;
  for (const y of curves) {
    const skip = Math.max(10, Math.floor(y.length / 10));
    for (let i = Math.min(skip, y.length - 1); i < y.length; i++) if (Number.isFinite(y[i])) low = Math.min(low, y[i]);
  }
  return Number.isFinite(low) ? Math.floor(low - 0.1 * Math.abs(low)) : undefined;
}

export default class GridworldController extends DemoController {
  static demo = "gridworld";
  // An embed's lesson view: the grid and its legend, the transport, the figures and the learning curve (README).
  static embedHidden = ["rewards", "overlays", "edit", "more-figures", "planning", "share"];
  static speeds = SPEEDS;
  static uiFields = [
    // 100 moves/s: natively measured over seeds 0–19, the first episode ends after 148–411 moves (1.5–4 s) and the
    // greedy path first reaches the goal after 1230–1560 moves (12–16 s) on the default grid; in Chromium on a busy
    // 2-core machine (seeds 0–2, from the Play click): 3.9–5.1 s and 15–18 s.
    { name: "speed", type: "str", default: "100", choices: SPEEDS, doc: "Moves per second, or max." },
    // The value layers combine (web/views/grid_layers.js). A link from before they did (show_values=1 or
    // show_optimal=1, no show_q) showed that layer alone, so it still does: `oldLinks` (web/state.js) turns the
    // triangles off for it and, for show_optimal, the optimal path on (it came with V* then).
    {
      name: "show_q",
      type: "bool",
      default: true,
      doc: "Colour a triangle per action by Q(s,a).",
      oldLinks: { given: ["show_values", "show_optimal"], value: false },
    },
    {
      name: "show_values",
      type: "bool",
      default: false,
      doc: "Colour each cell (its border, under the triangles) by V(s) = max over a of Q(s,a).",
    },
    {
      name: "show_optimal",
      type: "bool",
      default: false,
      doc: "Colour each cell (its centre, with learned values shown) by value iteration's V*(s).",
    },
    { name: "show_path", type: "bool", default: true, doc: "Draw the greedy path from the start (solid)." },
    {
      name: "show_optimal_path",
      type: "bool",
      default: false,
      doc: "Draw value iteration's optimal path from the start (dashed, gold).",
      oldLinks: { given: ["show_optimal"], value: true },
    },
    {
      name: "show_differs",
      type: "bool",
      default: false,
      doc: "Outline cells where the greedy action is not optimal.",
    },
    { name: "show_trail", type: "bool", default: true, doc: "Draw the current episode's trail." },
    { name: "show_model", type: "bool", default: true, doc: "Dyna-Q: mark the (s, a) pairs its model has seen." },
    {
      name: "edit",
      type: "str",
      default: "wall",
      choices: ["wall", "start", "goal", "paint"],
      doc: "What a click on a cell does.",
    },
    {
      name: "paint_reward",
      type: "str",
      default: "-1",
      choices: PAINT_REWARDS,
      doc: "The reward a click paints (painting a painted cell erases it).",
    },
    { name: "paint_end", type: "bool", default: false, doc: "Painted cells end the episode." },
  ];

  constructor(options) {
    super(options);
    this.curve = new EpisodeCurve();
    this.curveSince = 0; // the next episode index wanted from Python
    this.curveDirty = true;
    this.cursor = [0, 0];
    this.focused = false;
    this.drag = null;
    this.differs = [];
    this.transient = []; // messages from the last command (a refused edit, ignored settings)
    this.driverNotices = [];
    this.moveMs = 0;
  }

  // ---- building the panel -------------------------------------------------------------------------------------

  buildControls(panel) {
    const demo = this.demo;
    const registry = this.registry;

    // The grid, its legend, overlays and edit mode.
    this.gridCanvas = el("canvas", {
      class: "gw-grid",
      tabindex: 0,
      role: "application",
      "aria-label": "Gridworld. Arrow keys move the cursor; Enter or Space applies the edit at the cursor.",
      "aria-describedby": `${demo}-shown ${demo}-summary`,
    });
    this.gridView = this.own(
      new GridView(this.gridCanvas, {
        onResize: () => {
          this.dirty = true;
        },
      }),
    );
    // Compare mode: the second learner's own grid under A's (its Q triangles and its path, in B's colour, in one
    // colour scale with A's), each captioned with whose run it is; while averaging, the run of the job's first
    // seed, live, whose paths are each learner's most frequent greedy path (Python's, snapshot.average.shown).
    this.gridCanvasB = el("canvas", { class: "gw-grid-b", "aria-hidden": "true" });
    this.gridViewB = this.own(
      new GridView(this.gridCanvasB, {
        onResize: () => {
          this.dirty = true;
        },
      }),
    );
    this.captionA = el("p", { class: "gw-caption", dataset: { caption: "a" }, hidden: true });
    this.captionB = el("p", { class: "gw-caption", dataset: { caption: "b" } });
    this.gridB = el("div", { class: "gw-grid-b-box", hidden: true }, this.captionB, this.gridCanvasB);
    this.pathNote = el("p", { class: "gw-path-note", hidden: true });
    this.cursorStatus = el("p", { class: "visually-hidden gw-cursor", "aria-live": "polite" });
    bindGridInput(this);
    const legend = el(
      "div",
      { class: "legend gw-legend", "aria-hidden": "true", dataset: { part: "legend" } },
      el(
        "span",
        { class: "gw-legend-scale" },
        el("span", { class: "gw-scale-label gw-scale-low" }, "−1"),
        el("span", { class: "gw-scale" }),
        el("span", { class: "gw-scale-label gw-scale-high" }, "+1"),
      ),
      el("span", {}, el("span", { class: "swatch gw-swatch-agent gw-round" }), "agent"),
      el("span", {}, el("span", { class: "swatch gw-swatch-goal" }), "goal"),
      el("span", {}, el("span", { class: "swatch gw-swatch-wall" }), "wall"),
      el(
        "span",
        { class: "gw-legend-path" },
        el("span", { class: "gw-line gw-line-path" }),
        el("span", {}, "greedy path"),
      ),
      el("span", { class: "gw-legend-optimal" }, el("span", { class: "gw-line gw-line-optimal" }), "optimal path"),
      el("span", { class: "gw-legend-differs" }, el("span", { class: "swatch gw-swatch-differs" }), "greedy ≠ optimal"),
      el("span", { class: "gw-legend-compare" }, el("span", { class: "gw-line gw-line-compare" }), "greedy path B"),
      el("span", { class: "gw-legend-paint" }, el("span", { class: "swatch gw-swatch-paint" }), "painted reward"),
    );
    this.legendCompare = legend.querySelector(".gw-legend-compare");
    this.legendPaint = legend.querySelector(".gw-legend-paint");
    this.scaleHigh = legend.querySelector(".gw-scale-high");
    this.legendPath = legend.querySelector(".gw-legend-path");
    this.legendPathLabel = this.legendPath.lastElementChild;
    this.legendOptimal = legend.querySelector(".gw-legend-optimal");
    this.legendDiffers = legend.querySelector(".gw-legend-differs");
    this.legendScale = legend.querySelector(".gw-legend-scale");
    this.scaleLabel = legend.querySelector(".gw-scale-low");
    this.scaleBar = legend.querySelector(".gw-scale");
    // Each value layer shown, where it sits in a cell and the range of its numbers (from the snapshot, as drawn);
    // the hidden sentence is the grid's text alternative (its aria-describedby).
    this.layersLegend = el("p", {
      class: "gw-layers",
      dataset: { legend: "layers", part: "legend" },
      "aria-hidden": "true",
    });
    this.shownText = el("p", { class: "visually-hidden", id: `${demo}-shown` });
    const toggle = (name, label) => fieldControl(registry, demo, name, { label });
    const overlays = el(
      "fieldset",
      { class: "toggles gw-overlays", dataset: { control: "overlays" } },
      el("legend", { class: "visually-hidden" }, "Overlays"),
      toggle("show_q", "Q triangles"),
      toggle("show_values", "V(s) heatmap"),
      toggle("show_optimal", "V* (value iteration)"),
      toggle("show_path", "greedy path"),
      toggle("show_optimal_path", "optimal path"),
      toggle("show_differs", "greedy ≠ optimal"),
      toggle("show_trail", "trail"),
      toggle("show_model", "Dyna-Q's model"),
    );
    this.modelToggle = overlays.lastElementChild;
    const editControl = fieldControl(registry, demo, "edit", { label: "Click cells to", choiceLabels: EDIT_LABELS });
    editControl.classList.add("gw-edit");
    editControl.dataset.part = "edit";
    this.paintControls = el(
      "div",
      { class: "gw-paint-controls", dataset: { part: "edit" } },
      fieldControl(registry, demo, "paint_reward", { label: "Reward to paint" }),
      fieldControl(registry, demo, "paint_end", { label: "ends the episode" }),
    );
    // The world's rewards, always stated beside the grid (from the snapshot's layout: Python owns them).
    this.rewardsText = el("p", {
      class: "gw-rewards",
      dataset: { rewards: "", part: "rewards" },
      "aria-live": "polite",
    });
    this.gridColumn = el(
      "div",
      { class: "gw-grid-column" },
      this.captionA,
      this.gridCanvas,
      this.gridB,
      legend,
      this.pathNote,
      this.layersLegend,
      this.shownText,
      this.rewardsText,
      overlays,
      editControl,
      this.paintControls,
      this.cursorStatus,
    );

    // Figures, the learning curve, the summary.
    const stats = el(
      "dl",
      { class: "stats gw-stats", dataset: { part: "figures" } },
      this.statElement("episode", "episode"),
      this.statElement("steps", "steps", "", "more-figures"),
      this.statElement("episode-length", "last episode length", "Moves in the last finished episode"),
      this.statElement(
        "greedy-path-length",
        "greedy path length",
        "Moves along argmax Q from the start; −1 while it does not reach the goal",
      ),
      this.statElement("optimal-path-length", "optimal path length", "Value iteration's answer on this layout"),
      this.statElement("steps-per-second", "steps / second", "", "more-figures"),
      this.statElement(
        "episode-return",
        "last episode's return",
        "Sum of rewards in the last finished episode",
        "more-figures",
      ),
      this.statElement("planning-updates", "planning updates", "Dyna-Q's updates from its model"),
      this.statElement("return-last100", "A: return, last 100", "Mean online return over the last 100 episodes"),
      this.statElement("b-return-last100", "B: return, last 100", "The same for the second learner"),
      this.statElement("b-greedy-path-length", "B: greedy path length"),
      this.statElement("average-runs", "runs averaged", "Seeds finished in the average"),
      this.statElement("average-return-a", "A: mean return, last 100 episodes", "Averaged over the finished runs"),
      this.statElement("average-return-b", "B: mean return, last 100 episodes", "Averaged over the finished runs"),
    );
    this.modeStats = {
      "planning-updates": () => this.registry.get(this.demo, "algo") === "dyna-q",
      "episode-return": () => !this.averaging(),
      "return-last100": () => this.comparing() && !this.averaging(),
      "b-return-last100": () => this.comparing() && !this.averaging(),
      "b-greedy-path-length": () => this.comparing() && !this.averaging(),
      "average-runs": () => this.averaging(),
      "average-return-a": () => this.averaging(),
      "average-return-b": () => this.averaging() && this.comparing(),
    };
    // (its accessible name is the chart's: "<y title> against <x title>" of what it draws, steps or returns)
    this.curveCanvas = el("canvas", { class: "gw-curve", dataset: { part: "curve" } });
    this.chart = this.own(
      new LineChart(this.curveCanvas, {
        height: 210,
        emptyText: "no finished episode yet",
        formatX: (v) => (Number.isInteger(v) ? formatCompact(v) : ""), // episodes are whole
      }),
    );
    // The sentence beside the figures shows each snapshot's text at once; the screen reader's voice, a hidden live
    // region, speaks the newest of them every few seconds (one snapshot, one truth).
    this.summary = el("p", { class: "gw-summary", id: `${demo}-summary` }, "");
    this.voice = el("p", { class: "visually-hidden", "aria-live": "polite", dataset: { voice: demo } });
    this.announcer = new Announcer(this.voice, { timers: this.disposables, shown: this.summary });
    // Before and after (issue 24): the previous run's moving average stays on the curve, faded and labelled, until
    // cleared (a restart by a setting, or the reference code's run when edited code starts).
    this.kept = new KeptRun({
      className: "gw-clear-before",
      onChange: () => {
        this.curveDirty = true;
        this.dirty = true;
      },
    }); // {label, x, y} (web/framework/before.js)
    // While averaging: how the curves are smoothed and what the band is (Python's numbers, average.smooth).
    this.curveNote = el("p", { class: "gw-curve-note", hidden: true, dataset: { part: "curve-note" } });
    const side = el(
      "div",
      { class: "gw-side" },
      stats,
      this.curveCanvas,
      this.curveNote,
      this.kept.button,
      this.summary,
      this.voice,
    );

    // Transport: Play, Step, Episode, Reset; speed.
    this.stepButton = el(
      "button",
      { type: "button", dataset: { control: "step" }, title: "One move", onclick: () => this.stepOnce() },
      "Step",
    );
    this.episodeButton = el(
      "button",
      {
        type: "button",
        dataset: { control: "episode" },
        title: "Run to the end of this episode",
        onclick: () => this.runEpisode(),
      },
      "Episode",
    );
    this.transport.replaceChildren(this.playButton, this.stepButton, this.episodeButton, this.resetButton);
    this.driverButtons.push(this.stepButton, this.episodeButton);
    this.resetButton.title = "Forget Q (same seed, same layout)";

    // Settings: the agent, then the world. Labels, choice names and when each control shows are declared with the
    // field in Python (Param: label, choice_labels, shown_when; web/params.json).
    const greek = (v, digits = 2) => Number(v).toFixed(digits);
    const formats = {
      epsilon_decay: (v) => greek(v, 3),
      tau: (v) => String(Number(v.toPrecision(2))),
      gamma: (v) => greek(v, 3),
      size: (v) => (Number(v) === 0 ? "layout" : `${v}×${v}`),
      n: String,
      planning_steps: String,
      max_episode_steps: String,
      compare_n: String,
      compare_planning_steps: String,
      episodes: String,
      seeds: String,
    };
    const agentControls = el("div", { class: "controls" }, ...this.settingsGroup("agent", formats));
    const worldControls = el(
      "div",
      { class: "controls" },
      ...this.settingsGroup("world", formats),
      seedControl(registry, demo, "seed", {
        className: "gw-seed",
        onInvalid: (message) => this.showNotices([message]),
      }),
    );
    const compareControls = el("div", { class: "controls" }, ...this.settingsGroup("compare", formats));
    this.planControl = fieldControl(registry, demo, "plan");
    this.planning = this.own(new PlanningPanel(this));
    this.planning.root.addEventListener("toggle", () => {
      this.planning.draw();
      this.dirty = true; // the main grid's V* layer follows the panel (plannedSweep)
    });
    this.showExploreControls();

    panel.append(
      el("div", { class: "demo-row" }, this.gridColumn, side),
      el("div", { class: "gw-transport" }, this.transport, this.speedControl),
      el(
        "details",
        { class: "gw-settings", open: !registry.page.embed, dataset: { part: "settings" } }, // folded in an embed
        el("summary", {}, "Settings"),
        el("h4", { class: "gw-group" }, "Agent"),
        agentControls,
        el("h4", { class: "gw-group" }, "World"),
        worldControls,
        el("h4", { class: "gw-group" }, "Compare"),
        compareControls,
      ),
      this.planning.root,
    );
    this.updateOverlayLegend();
  }

  mount() {
    super.mount();
    // Messages (a refused edit, the driver's remarks) belong next to the grid, not at the end of the panel.
    this.gridColumn.insertBefore(this.messages, this.gridColumn.querySelector(".gw-legend"));
  }

  /** The settings that matter now (the base's showSettings), and the grid's own parts that depend on them. */
  showExploreControls() {
    this.showSettings();
    const hiddenByPage = new Set(String(this.registry.page.hide || "").split(","));
    const get = (name) => this.registry.get(this.demo, name);
    this.paintControls.hidden = get("edit") !== "paint";
    if (this.modelToggle) this.modelToggle.hidden = get("algo") !== "dyna-q";
    for (const [name, shown] of Object.entries(this.modeStats ?? {})) {
      const node = this.stats.get(name)?.parentElement;
      if (node) node.hidden = !shown() || hiddenByPage.has(name);
    }
  }

  modelShown() {
    const get = (name) => this.registry.get(this.demo, name);
    return get("show_model") && get("algo") === "dyna-q" && !this.averaging();
  }

  comparing() {
    return this.registry.get(this.demo, "compare") !== "off";
  }

  averaging() {
    return this.registry.get(this.demo, "seeds") > 1;
  }

  /**
   * The live run is paced by the shared pump (which counts the time a request is in flight toward a fixed speed).
   * The averaging job runs at full speed in budgeted slices, whatever the speed setting.
   */
  pump(now) {
    if (!this.averaging()) {
      super.pump(now);
      return;
    }
    if (!this.playing || this.inFlight || this.status === "error" || this.status === "loading" || !this.canRun()) {
      this.lastPump = now;
      if (this.playing && !this.canRun() && this.status === "running") this.setStatus("paused");
      return;
    }
    if (this.status !== "running") this.setStatus("running");
    this.request("run", { budget_ms: AVERAGE_BUDGET_MS, max_units: 1e9 });
  }

  onExhausted(payload) {
    if (this.averaging() && payload.snapshot?.average?.done === payload.snapshot?.average?.runs) {
      this.pause();
      return;
    }
    if (this.averaging()) return; // a slice that ran out of time, not of work
    super.onExhausted(payload);
  }

  rewardsSentence(layout) {
    const signed = (v) => (v > 0 ? `+${v}` : v < 0 ? `−${Math.abs(v)}` : "0");
    const r = layout.rewards ?? {};
    const parts = [`goal ${signed(r.goal)} (ends the episode)`, `each other step ${signed(r.step)}`];
    if ((layout.cliff ?? []).length) parts.push(`falling off the cliff ${signed(r.cliff)} and back to the start`);
    for (const [row, col, reward, end] of layout.painted ?? [])
      parts.push(`painted (${row}, ${col}) ${signed(reward)}${end ? " (ends the episode)" : ""}`);
    return `Rewards: ${parts.join("; ")}.`;
  }

  updateOverlayLegend() {
    const get = (name) => this.registry.get(this.demo, name);
    this.legendPath.hidden = !get("show_path");
    this.legendOptimal.hidden = !get("show_optimal_path");
    this.legendDiffers.hidden = !get("show_differs");
    this.legendCompare.hidden = !this.comparing();
    const pathLabel = this.comparing() ? "greedy path A" : "greedy path";
    if (this.legendPathLabel.textContent !== pathLabel) this.legendPathLabel.textContent = pathLabel;
    this.legendPaint.hidden = !(this.snapshot?.layout?.painted ?? []).length;
  }

  /**
   * The legend's colour scale and one entry per value layer, as the grid view last drew them (`view.layers`), and
   * the grid's text alternative: every layer and line shown. Written only when the text changes.
   */
  updateLayerLegend() {
    const drawn = this.gridView.layers;
    if (!drawn) return;
    const number = (v) => formatStat(v, 2).replace("-", "−");
    const sweep = this.plannedSweep();
    const texts = drawn.layers.map((layer) => {
      const text = layerText(layer, number);
      return layer.name === "vstar" && sweep ? text.replace("V*(s)", `V after sweep ${sweep.sweeps}`) : text;
    });
    const key = texts.join("|");
    if (key !== this.layersKey) {
      this.layersKey = key;
      this.layersLegend.replaceChildren(
        ...drawn.layers.map((layer, i) =>
          el("span", { class: `gw-layer gw-layer-${layer.place}`, dataset: { layer: layer.name } }, texts[i]),
        ),
      );
    }
    const domain = drawn.domain;
    this.legendScale.hidden = !domain;
    if (domain) {
      // Every value the same (before the first step, Q is all 0): one number, said so, no bar from 0 to 0.
      const flat = this.flatValue(drawn);
      const low = flat !== null ? `every value ${flat} so far` : number(domain.lo);
      const high = flat !== null ? "" : number(domain.hi);
      this.scaleBar.hidden = flat !== null;
      this.scaleHigh.hidden = flat !== null;
      if (this.scaleLabel.textContent !== low) this.scaleLabel.textContent = low;
      if (this.scaleHigh.textContent !== high) this.scaleHigh.textContent = high;
      // The bar shows the colours the domain spans: both signs diverge from neutral at 0; one sign runs from
      // neutral at the end nearest 0 (GridView's valueColor).
      const side = domain.lo < 0 && domain.hi > 0 ? "both" : domain.hi <= 0 ? "negative" : "positive";
      if (this.scaleBar.dataset.side !== side) this.scaleBar.dataset.side = side;
    }
    const get = (name) => this.registry.get(this.demo, name);
    const lines = [
      ...(domain
        ? [
            this.flatValue(drawn) !== null
              ? `every value ${this.flatValue(drawn)} so far`
              : `one colour scale for every value, ${number(domain.lo)} to ${number(domain.hi)}`,
          ]
        : []),
      ...(drawn.paths.includes("greedy") ? ["the greedy path (solid line)"] : []),
      ...(drawn.paths.includes("optimal") ? ["the optimal path (dashed gold line)"] : []),
      ...(get("show_differs") ? ["cells where the greedy action is not optimal (red outline)"] : []),
      ...(get("show_trail") ? ["the current episode's trail"] : []),
      ...(this.modelShown() ? ["Dyna-Q's model (a dot for each state and action it has seen)"] : []),
    ];
    const shown = [...texts, ...lines];
    const sentence = `The grid shows: ${shown.length ? shown.join("; ") : "the layout only"}.`;
    if (this.shownText.textContent !== sentence) this.shownText.textContent = sentence;
  }

  // ---- transport ----------------------------------------------------------------------------------------------

  stepOnce() {
    if (this.playing) this.pause();
    this.moveMs = 250;
    this.command("step", { n: 1 });
  }

  /** The rest of the episode, in calls of at most 100 ms of the worker's time (one call of a 10,000-step Dyna-Q
   *  episode blocked it for seconds); a click, a reset or a setting change in between stops it. */
  async runEpisode() {
    if (this.playing) this.pause();
    this.moveMs = 0;
    for (;;) {
      const mine = this.runToken + 1; // command() takes the next token; anyone else's command takes a later one
      const payload = await this.command("episode", { args: { budget_ms: 100 } });
      if (payload?.result?.done !== false || this.runToken !== mine) return;
    }
  }

  async reset() {
    this.transient = [];
    await super.reset();
  }

  // ---- before and after ---------------------------------------------------------------------------------------

  /** The single run's moving average as it stands, to keep faded (null when no episode has finished). */
  currentRun(label) {
    if (this.averaging() || this.comparing() || !this.curve.total) return null;
    const { x, average } = this.curve.series();
    return { label, x: Float64Array.from(x), y: Float64Array.from(average) };
  }

  get before() {
    return this.kept.run;
  }

  setBefore(run) {
    this.kept.set(run);
  }

  /** Edited code runs (the Code panel's set_code): its legend says so. */
  codeEdited() {
    return Boolean(this.codePanel?.editedFunctions().length);
  }

  async command(command, args = {}) {
    // Run my code: the run so far stays, faded, as "reference" (or the edited version it replaces, "before").
    const kept = command === "set_code" ? this.currentRun(codeRunLabel(this.codeEdited())) : null;
    const payload = await super.command(command, args);
    if (payload && kept) this.setBefore(kept);
    return payload;
  }

  beforeConfigure() {
    const labels = this.registry.field(this.demo, "algo").choice_labels ?? {};
    const config = { ...(this.snapshot?.config ?? {}) };
    return { config, run: this.currentRun(labels[config.algo] ?? config.algo ?? "") };
  }

  afterConfigure(payload, _params, before) {
    if (!payload.restarted?.length || !before?.run) return;
    // What differed, named: "Q-learning (seed 0), before"
    const now = this.snapshot?.config ?? {};
    this.setBefore({
      ...before.run,
      label: restartLabel(before.run.label, before.config, now, payload.restarted, ["algo"]),
    });
  }

  since() {
    return this.curveSince;
  }

  // ---- settings -----------------------------------------------------------------------------------------------

  async onSetting(name, value) {
    if (name.startsWith("show_")) {
      this.updateOverlayLegend();
      if (name === "show_differs" || name === "show_optimal") this.computeDiffers();
      this.dirty = true;
      return;
    }
    if (name === "edit" || name === "paint_reward" || name === "paint_end") {
      this.showExploreControls();
      return;
    }
    if (["edit", "algo", "seeds"].includes(name)) this.showExploreControls(); // the grid's own parts
    super.onSetting(name, value); // configured live, coalesced; the base notes mid-run changes
  }

  // ---- editing the layout (web/demos/gridworld/gridworld_input.js) ------------------------------------------------------

  edit(kind, row, col) {
    return editCell(this, kind, row, col);
  }

  // ---- snapshots ----------------------------------------------------------------------------------------------

  accept(snapshot, reason) {
    const figures = snapshot.figures ?? {};
    for (const name of ["episode", "steps", "episode-length", "greedy-path-length", "optimal-path-length"]) {
      this.setStat(name, figures[name] ?? -1);
    }
    for (const name of Object.keys(this.modeStats)) this.setStat(name, figures[name] ?? -1, 4);
    const sentence = this.rewardsSentence(snapshot.layout);
    if (this.rewardsText.textContent !== sentence) this.rewardsText.textContent = sentence;
    this.showExploreControls();
    this.updateOverlayLegend();
    if (snapshot.compare_returns?.data?.length || snapshot.average) this.curveDirty = true;
    this.foldEpisodes(snapshot);
    const layout = snapshot.layout;
    this.cursor = [Math.min(this.cursor[0], layout.rows - 1), Math.min(this.cursor[1], layout.cols - 1)];
    const speed = this.registry.get(this.demo, "speed");
    if (reason === "step" && speed !== "max") {
      this.moveMs = this.playing ? Math.min(300, 1000 / Number(speed)) : 250;
    } else if (reason !== "step") {
      this.moveMs = 0;
    }
    this.computeDiffers();
    const notices = snapshot.notices ?? [];
    if (notices.join("\n") !== this.driverNotices.join("\n")) {
      this.driverNotices = notices;
      this.renderMessages();
    }
    this.announcer.say(this.summaryFor(snapshot));
  }

  foldEpisodes(snapshot) {
    const tail = snapshot.episode_lengths ?? [];
    const offset = snapshot.episode_lengths_offset ?? 0;
    const placement = tailPlacement(this.curve.total, offset);
    if (placement !== "append") {
      if (placement === "gap" && this.curve.total > 0 && this.curveSince === this.curve.total) {
        // Episodes the driver no longer keeps (it bounds its history on long runs): leave a gap in the curve.
        this.curve.skip(offset - this.curve.total);
      } else if (offset !== 0 && this.curveSince !== 0) {
        // An overlap (an answer that raced a reset): ask for the whole kept history next time.
        this.curve.clear();
        this.curveSince = 0;
        this.curveDirty = true;
        return;
      } else {
        this.curve.clear();
        if (offset > 0) this.curve.skip(offset); // the kept history starts later than episode 0
      }
    }
    for (const length of tail) this.curve.push(length);
    this.curveSince = this.curve.total;
    if (tail.length || offset === 0) this.curveDirty = true;
  }

  /** Cells (state indices) whose greedy action is not among the optimal ones: rlplay's `differs` mask. */
  computeDiffers() {
    const snapshot = this.snapshot;
    if (!snapshot || !this.registry.get(this.demo, "show_differs")) {
      this.differs = [];
      return;
    }
    const mask = snapshot.differs.data;
    const differs = [];
    for (let s = 0; s < mask.length; s++) if (mask[s]) differs.push(s);
    this.differs = differs;
  }

  /**
   * inspect()'s gridworld part: the grid's geometry (CSS px in the canvas), what its last frame drew (`layers`: each
   * value layer's name, place and range; the colour domain; the triangles' inset and V*'s centre square, fractions
   * of a cell; `paths`: "optimal", "greedy") and the learning curve held.
   */
  /** A scene's command (web/scenes.js): the planner's steps show in the planning panel, opened for them. */
  async startScene(scene) {
    if (scene.command.name.startsWith("plan_")) this.planning.root.open = true;
    return this.command(scene.command.name, { args: scene.command.args ?? {} });
  }

  /** The planning panel's sweeps, work beside the run: a link replays the run, not them (web/framework/controller.js). */
  sideNote(what) {
    return plannerSideNote(this.snapshot?.planner, what);
  }

  inspectDemo() {
    const g = this.gridView.geometry;
    const drawn = this.gridView.layers;
    const { x, y } = this.curve.series();
    return {
      grid: g ? { size: g.size, x0: g.x0, y0: g.y0 } : null,
      layers: drawn ? structuredClone(drawn) : null,
      // compare mode: B's own grid as its last frame drew it (its layers, in the colour domain both grids share)
      gridB: this.gridB.hidden || !this.gridViewB.layers ? null : structuredClone(this.gridViewB.layers),
      // where the V* layer's values come from: value iteration's converged V*, or the planning panel's sweep
      vstar: this.plannedSweep() ? { source: "planner", sweep: this.snapshot.planner.sweeps } : { source: "converged" },
      curve: { episodes: this.curve.total, x: Array.from(x), y: Array.from(y), labels: [...(this.curveLabels ?? [])] },
      before: this.before ? { label: this.before.label, points: this.before.x.length } : null,
    };
  }

  handleError(error) {
    if (this.editing && error?.kind === "input") {
      this.showNotices([`Edit refused: ${error.message}. The layout is unchanged and training goes on.`]);
      return;
    }
    super.handleError(error);
  }

  // ---- messages and the summary -------------------------------------------------------------------------------

  showNotices(notices) {
    this.transient = notices;
    this.renderMessages();
  }

  renderMessages() {
    if (!this.messages) return;
    // What became of a shared run's replay (web/framework/replay.js) stays said until the notices are cleared.
    const replay = [...this.messages.children].filter((node) => node.dataset.notice === "replay");
    this.messages.replaceChildren(
      ...noticeParagraphs(this.transient, "notice gw-refused"),
      ...noticeParagraphs(this.driverNotices),
      ...replay,
    );
  }

  /** Whose run the grid shows while averaging, and how its paths are chosen (snapshot.average.shown, Python's). */
  shownRunSentence(average) {
    const shown = average?.shown;
    if (!shown) return "";
    return (
      `The grid shows seed ${shown.seed}'s run live, episode ${shown.episodes} of ${average.episodes}; each path is ` +
      `that learner's most frequent greedy path over its last ${shown.path_window} episodes.`
    );
  }

  /** The captions over the grids: whose run each shows (compare mode), and while averaging which seed, live. */
  updateCaptions(snapshot) {
    const labels = this.registry.field(this.demo, "algo").choice_labels ?? {};
    const name = (field) => labels[this.registry.get(this.demo, field)] ?? this.registry.get(this.demo, field);
    const shown = this.averaging() ? snapshot?.average?.shown : null;
    const live = shown ? ` · seed ${shown.seed}, live` : "";
    const episode = shown ? `, episode ${shown.episodes} of ${snapshot.average.episodes}` : "";
    const comparing = this.comparing();
    const a = comparing || shown ? `A: ${name("algo")}${live}${episode}` : "";
    const b = comparing ? `B: ${name("compare")}${live}` : "";
    const note = shown
      ? `Paths: each learner's most frequent greedy path over its last ${shown.path_window} episodes (the greedy path of the moment flickers).`
      : "";
    for (const [node, text] of [
      [this.captionA, a],
      [this.captionB, b],
      [this.pathNote, note],
    ]) {
      if (node.textContent !== text) node.textContent = text;
      node.hidden = !text;
    }
    this.gridB.hidden = !comparing;
  }

  summaryFor(snapshot) {
    const f = snapshot.figures;
    if (snapshot.average) {
      // Every seed runs all its episodes (rlplay.demos.gridworld.average); the means are of the finished seeds only.
      const { done, runs, episodes, window } = snapshot.average;
      const b = this.comparing() ? `, B ${displayStat(f["average-return-b"], 1)}` : "";
      const job = `${runs} seeds, ${episodes.toLocaleString("en-US")} episodes each`;
      const means =
        done > 0
          ? ` Mean return over the last ${window} episodes of the ${done === runs ? runs : `${done} finished`} seeds: ` +
            `A ${displayStat(f["average-return-a"], 1)}${b}.`
          : "";
      const state = done === runs ? `Averaged ${job}.` : `Averaging ${job}: ${done} of ${runs} finished.`;
      return `${state}${means} ${this.shownRunSentence(snapshot.average)}`;
    }
    const greedy = f["greedy-path-length"];
    const optimal = f["optimal-path-length"];
    const route =
      greedy >= 0
        ? `The greedy path reaches the goal in ${greedy} moves`
        : "The greedy path does not reach the goal yet";
    const verdict = greedy >= 0 && greedy === optimal ? " (optimal)" : optimal >= 0 ? `; optimal is ${optimal}` : "";
    const explored =
      this.registry.get(this.demo, "explore") === "epsilon-greedy" && Number.isFinite(snapshot.epsilon_now)
        ? ` ε is now ${formatStat(snapshot.epsilon_now, 3)}.`
        : "";
    return `Episode ${displayStat(f.episode)}, ${displayStat(f.steps)} steps. ${route}${verdict}.${explored}`;
  }

  // ---- drawing ------------------------------------------------------------------------------------------------

  draw(now) {
    const snapshot = this.snapshot;
    const registry = this.registry;
    const show = {
      q: registry.get(this.demo, "show_q"),
      values: registry.get(this.demo, "show_values"),
      optimal: registry.get(this.demo, "show_optimal"),
      path: registry.get(this.demo, "show_path"),
      optimal_path: registry.get(this.demo, "show_optimal_path"),
      differs: registry.get(this.demo, "show_differs"),
      trail: registry.get(this.demo, "show_trail"),
      model: this.modelShown(),
    };
    // While the planning panel is open, the main grid's V* layer is the sweep the panel stands on (V_k and its
    // greedy arrows), so every value on the page is the same sweep's; closed, it is value iteration's converged V*.
    const sweep = this.plannedSweep();
    // the panel need not draw its own copy of the sweep beside a grid that shows it (gridworld.css)
    this.planning.root.toggleAttribute("data-mirrored", Boolean(sweep && show.optimal));
    const planned = sweep
      ? {
          V_star: { data: Float64Array.from(snapshot.planner.V.flat()) },
          policy_star: { data: Int8Array.from(snapshot.planner.policy.flat()) },
        }
      : {};
    const comparing = this.comparing() && snapshot.Q_b?.shape?.length === 3;
    const frame = {
      ...snapshot,
      ...planned,
      greedy_path_b: comparing ? snapshot.greedy_path_b : null,
      show,
      differs: this.differs,
      cursor: this.focused ? this.cursor : null,
      drag: this.drag,
      moveMs: this.moveMs,
    };
    // B's grid: its Q and its path alone, in the colour scale both grids share
    const frameB = comparing
      ? {
          layout: snapshot.layout,
          Q: snapshot.Q_b,
          greedy_path_b: snapshot.greedy_path_b,
          show: { q: show.q, values: show.values, path: show.path },
        }
      : null;
    if (frameB) {
      const domains = [this.gridView.plan(frame).plan.domain, this.gridViewB.plan(frameB).plan.domain];
      if (domains[0] && domains[1]) {
        frame.domain = frameB.domain = {
          lo: Math.min(domains[0].lo, domains[1].lo),
          hi: Math.max(domains[0].hi, domains[1].hi),
        };
      }
    }
    this.updateCaptions(snapshot);
    const animating = this.gridView.draw(frame, now);
    if (frameB && !this.gridB.hidden) this.gridViewB.draw(frameB, now);
    if (animating) this.dirty = true;
    this.updateLayerLegend();
    this.planning.draw();
    if (this.curveDirty) {
      this.curveDirty = false;
      this.drawCurve();
    }
  }

  /** The one value every drawn layer holds, as the legend writes it (before the first step Q is all 0), or null
   *  when they differ: a colour bar from 0 to 0 says nothing. */
  flatValue(drawn) {
    const number = (v) => formatStat(v, 2).replace("-", "−");
    const texts = new Set(
      drawn.layers.flatMap((layer) => (Number.isFinite(layer.lo) ? [number(layer.lo), number(layer.hi)] : [])),
    );
    return texts.size === 1 ? [...texts][0] : null;
  }

  /** The planner's state when the main grid shows its sweep (the planning panel is open), else null. */
  plannedSweep() {
    const planner = this.snapshot?.planner;
    return this.planning?.root.open && planner?.V ? planner : null;
  }

  /** The note under the curve ("" hides it). */
  setCurveNote(text) {
    if (this.curveNote.textContent !== text) this.curveNote.textContent = text;
    this.curveNote.hidden = !text;
  }

  drawCurve() {
    const snapshot = this.snapshot;
    const labels = this.registry.field(this.demo, "algo").choice_labels ?? {};
    const name = (algo) => labels[algo] ?? algo;
    const get = (key) => this.registry.get(this.demo, key);
    if (this.averaging() && snapshot?.average) {
      // Python smooths each seed's returns (average.smooth episodes, trailing) before the mean and its SE: the band
      // is the SE of the curve drawn (rlplay.demos.gridworld.average).
      const { mean, se } = { mean: snapshot.average_mean, se: snapshot.average_se };
      const [learners, episodes] = mean.shape;
      const { done, runs, smooth } = snapshot.average;
      const series = [];
      const colors = ["--text", "--agent"];
      const labels = [name(get("algo")), name(get("compare"))];
      for (let i = 0; i < learners; i++) {
        const row = mean.data.subarray(i * episodes, (i + 1) * episodes);
        const band = se.data.subarray(i * episodes, (i + 1) * episodes);
        series.push({ label: `${labels[i]}: mean ± 1 SE`, color: colors[i], y: row, band, width: 2 });
      }
      this.chart.draw({
        series: done > 0 ? series : [],
        yMin: lowerAxis(series.map((s) => s.y)),
        xLabel: `episode (mean over ${done} of ${runs} seeds)`,
        yLabel: smooth > 1 ? `sum of rewards, ${smooth}-episode moving average` : "sum of rewards per episode",
        yLabelShort: smooth > 1 ? `return, ${smooth}-ep. average` : "return",
      });
      this.setCurveNote(
        smooth > 1
          ? `Smoothed: each seed's sum of rewards per episode is averaged over its last ${smooth} episodes ` +
              `(fewer before episode ${smooth}), then over the seeds; the band is ±1 standard error of that ` +
              "smoothed number across the seeds."
          : "The band is ±1 standard error of each episode's sum of rewards across the seeds.",
      );
      return;
    }
    this.setCurveNote("");
    if (this.comparing() && snapshot?.compare_returns?.shape?.length === 2) {
      const curves = snapshot.compare_returns;
      const width = snapshot.compare_bin ?? 1;
      const first = snapshot.compare_first ?? 0; // episodes before the curves' first point
      const k = curves.shape[1];
      const x = Float64Array.from({ length: k }, (_, i) => first + (i + 1) * width);
      const series = [0, 1].map((i) => ({
        label: `${i === 0 ? "A" : "B"}: ${name(i === 0 ? get("algo") : get("compare"))}`,
        color: i === 0 ? "--text" : "--agent",
        x,
        y: curves.data.subarray(i * k, (i + 1) * k),
        width: 2,
      }));
      this.chart.draw({
        series: k > 0 ? series : [],
        yMin: lowerAxis(series.map((s) => s.y)),
        xLabel: width > 1 ? `episode (means of ${width})` : "episode",
        yLabel: "sum of rewards (online)",
      });
      return;
    }
    const { x, y, average } = this.curve.series();
    const optimal = this.snapshot?.figures?.["optimal-path-length"] ?? -1;
    const logX = this.curve.total >= LOG_X_FROM;
    const bucketed = this.curve.width > 1;
    const edited = this.codeEdited() ? ", edited code" : "";
    const before = this.before
      ? [{ label: this.before.label, color: "--muted", x: this.before.x, y: this.before.y, width: 2.5, faded: true }]
      : [];
    this.curveLabels = [...before.map((s) => s.label), `moving average (${MOVING_AVERAGE} episodes)${edited}`];
    this.chart.draw({
      series: [
        ...before,
        {
          label: bucketed ? `steps per episode (later: means of ${this.curve.width})` : "steps per episode",
          color: "--muted",
          x,
          y,
          faded: true,
        },
        { label: `moving average (${MOVING_AVERAGE} episodes)${edited}`, color: "--agent", x, y: average, width: 2 },
      ],
      refLines: optimal > 0 ? [{ y: optimal, label: `optimal ${optimal}`, color: "--gold" }] : [],
      xLabel: logX ? "episode (log scale)" : "episode",
      yLabel: "steps",
      yMin: 0,
      logX,
    });
  }

  // ---- sharing ------------------------------------------------------------------------------------------------

  exportData() {
    const snapshot = this.snapshot ?? {};
    const { x, y, average } = this.curve.series();
    return {
      layout: snapshot.layout,
      greedy_path: snapshot.greedy_path ? Array.from(snapshot.greedy_path.data) : [],
      optimal_path: snapshot.optimal_path ? Array.from(snapshot.optimal_path.data) : [],
      learning_curve: {
        exact_episodes: this.curve.head.length,
        episodes_per_later_point: this.curve.width,
        moving_average_episodes: MOVING_AVERAGE,
        episode: Array.from(x),
        mean_steps: Array.from(y),
        moving_average: Array.from(average),
      },
    };
  }

  csvRows() {
    const { x, y, average } = this.curve.series();
    const out = [["episode_first", "episode_last", "mean_steps_per_episode", "moving_average_steps"]];
    let first = 1;
    for (let i = 0; i < x.length; i++) {
      out.push([first, x[i], formatStat(y[i], 4), formatStat(average[i], 4)]);
      first = x[i] + 1;
    }
    return out;
  }
}
