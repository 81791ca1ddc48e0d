// The gridworld demo: a Q-learning agent finds its way to the goal, beside value iteration's optimum on the same
// layout. The Python driver (rlplay.demos.gridworld) does all the learning and planning; this controller asks it
// for work, folds its snapshots into what the views need, and turns clicks and keys into layout edits.
//
// Views: GridView (the grid, web/views/grid_view.js) and LineChart (steps per episode, web/views/line_chart.js).
// Snapshot keys read here: figures, Q (rows, cols, 4), V_star, policy_star, greedy_path, optimal_path, layout, agent,
// trail, episode_lengths + episode_lengths_offset, epsilon_now, config, notices.

import { el, fieldControl, formatStat, shellQuote } from "../ui.js";
import { GridView, greedyAction } from "../views/grid_view.js";
import { formatCompact, LineChart } from "../views/line_chart.js";
import { DemoController } from "./controller.js";

const SPEEDS = ["2", "5", "10", "30", "100", "300", "1000", "max"];
const SUMMARY_INTERVAL_MS = 2000; // the screen-reader summary speaks at most this often
const HEAD_EPISODES = 1024; // the learning curve keeps the first episodes exactly...
const TAIL_BUCKETS = 1024; // ...and at most this many averaged points after them: memory stays flat on long runs
const MOVING_AVERAGE = 20; // episodes
const LOG_X_FROM = 300; // episodes: from here the curve's x axis is logarithmic, so the early learning stays visible
const EDIT_COMMANDS = { wall: "toggle_wall", start: "move_start", goal: "move_goal" };
const EDIT_LABELS = { wall: "toggle walls", start: "move the start", goal: "move the goal" };
const EXPLORE_LABELS = { "epsilon-greedy": "ε-greedy", softmax: "softmax (Boltzmann)", ucb: "UCB" };
const EXPLORE_FIELDS = { "epsilon-greedy": ["epsilon", "epsilon_decay", "epsilon_min"], softmax: ["tau"], ucb: ["c"] };

/**
 * Steps per episode, in bounded memory: the first HEAD_EPISODES exactly (where the learning happens, and what a
 * log-scaled x axis spreads out), then at most TAIL_BUCKETS buckets of equal width; when they are full, neighbours
 * merge and each bucket then holds twice as many episodes.
 */
export class EpisodeCurve {
  constructor() {
    this.clear();
  }

  clear() {
    this.total = 0; // episodes seen
    this.headClosed = false;
    this.head = [];
    this.width = 1; // episodes per tail bucket
    this.sums = [];
    this.counts = [];
  }

  /** Count `n` episodes whose lengths are unknown: a gap in the curve (a bucket of NaN). */
  skip(n) {
    this.total += n;
    this.headClosed = true; // later episodes go after the gap
    this.sums.push(NaN);
    this.counts.push(n);
  }

  push(length) {
    this.total += 1;
    if (!this.headClosed && this.head.length < HEAD_EPISODES) {
      this.head.push(length);
      return;
    }
    const last = this.sums.length - 1;
    if (last >= 0 && this.counts[last] < this.width && !Number.isNaN(this.sums[last])) {
      this.sums[last] += length;
      this.counts[last] += 1;
      return;
    }
    if (this.sums.length >= TAIL_BUCKETS) {
      const sums = [];
      const counts = [];
      for (let i = 0; i < this.sums.length; i += 2) {
        sums.push(this.sums[i] + (this.sums[i + 1] ?? 0));
        counts.push(this.counts[i] + (this.counts[i + 1] ?? 0));
      }
      this.sums = sums;
      this.counts = counts;
      this.width *= 2;
    }
    this.sums.push(length);
    this.counts.push(1);
  }

  /**
   * Points {first, x (last episode, 1-based), y (mean steps per episode), average}: average is the mean over the
   * fewest trailing points that cover at least MOVING_AVERAGE episodes (fewer at the very start).
   */
  series() {
    const n = this.head.length + this.sums.length;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    const average = new Float64Array(n);
    const sumAt = (i) => (i < this.head.length ? this.head[i] : this.sums[i - this.head.length]);
    const countAt = (i) => (i < this.head.length ? 1 : this.counts[i - this.head.length]);
    let episode = 0;
    let windowSum = 0;
    let windowCount = 0;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const sum = sumAt(i);
      const count = countAt(i);
      episode += count;
      x[i] = episode;
      y[i] = sum / count;
      if (Number.isNaN(sum)) {
        // a gap (see skip): the moving average starts again after it
        average[i] = NaN;
        windowSum = 0;
        windowCount = 0;
        j = i + 1;
        continue;
      }
      windowSum += sum;
      windowCount += count;
      while (j < i && windowCount - countAt(j) >= MOVING_AVERAGE) {
        windowSum -= sumAt(j);
        windowCount -= countAt(j);
        j += 1;
      }
      average[i] = windowSum / windowCount;
    }
    return { x, y, average };
  }
}

export default class GridworldController extends DemoController {
  static demo = "gridworld";
  static speeds = SPEEDS;
  static uiFields = [
    { name: "speed", type: "str", default: "30", choices: SPEEDS, doc: "Moves per second, or max." },
    { name: "show_path", type: "bool", default: true, doc: "Draw the greedy path from the start." },
    { name: "show_values", type: "bool", default: false, doc: "Colour each cell by V(s) = max over a of Q(s,a)." },
    { name: "show_optimal", type: "bool", default: false, doc: "Show value iteration's V* and its optimal arrows." },
    {
      name: "show_differs",
      type: "bool",
      default: false,
      doc: "Outline cells where the greedy action is not optimal.",
    },
    { name: "show_trail", type: "bool", default: true, doc: "Draw the current episode's trail." },
    {
      name: "edit",
      type: "str",
      default: "wall",
      choices: ["wall", "start", "goal"],
      doc: "What a click on a cell does.",
    },
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
    this.summaryText = "";
    this.summaryShownAt = -Infinity;
    this.summaryTimer = 0;
    this.editedMidRun = false; // settings or layout changed after steps were taken: a replay needs the history
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
      "aria-describedby": `${demo}-summary`,
    });
    this.gridView = new GridView(this.gridCanvas, {
      onResize: () => {
        this.dirty = true;
      },
    });
    this.cursorStatus = el("p", { class: "visually-hidden gw-cursor", "aria-live": "polite" });
    this.bindGridInput();
    const legend = el(
      "div",
      { class: "legend gw-legend", "aria-hidden": "true" },
      el(
        "span",
        {},
        el("span", { class: "gw-scale-label" }, "Q −1"),
        el("span", { class: "gw-scale" }),
        el("span", { class: "gw-scale-label" }, "+1"),
      ),
      el("span", {}, el("span", { class: "swatch gw-swatch-agent gw-round" }), "agent"),
      el("span", {}, el("span", { class: "swatch gw-swatch-goal" }), "goal"),
      el("span", {}, el("span", { class: "swatch gw-swatch-wall" }), "wall"),
      el("span", {}, el("span", { class: "gw-line gw-line-path" }), "greedy path"),
      el("span", { class: "gw-legend-optimal" }, el("span", { class: "gw-line gw-line-optimal" }), "optimal path"),
      el("span", { class: "gw-legend-differs" }, el("span", { class: "swatch gw-swatch-differs" }), "greedy ≠ optimal"),
    );
    this.legendOptimal = legend.querySelector(".gw-legend-optimal");
    this.legendDiffers = legend.querySelector(".gw-legend-differs");
    this.scaleLabel = legend.querySelector(".gw-scale-label");
    const toggle = (name, label) => fieldControl(registry, demo, name, { label });
    const overlays = el(
      "fieldset",
      { class: "toggles gw-overlays", dataset: { control: "overlays" } },
      el("legend", { class: "visually-hidden" }, "Overlays"),
      toggle("show_path", "greedy path"),
      toggle("show_values", "V(s) heatmap"),
      toggle("show_optimal", "V* (value iteration)"),
      toggle("show_differs", "greedy ≠ optimal"),
      toggle("show_trail", "trail"),
    );
    const editControl = fieldControl(registry, demo, "edit", { label: "Click cells to", choiceLabels: EDIT_LABELS });
    editControl.classList.add("gw-edit");
    this.gridColumn = el(
      "div",
      { class: "gw-grid-column" },
      this.gridCanvas,
      legend,
      overlays,
      editControl,
      this.cursorStatus,
    );

    // Figures, the learning curve, the summary.
    const stats = el(
      "dl",
      { class: "stats gw-stats" },
      this.statElement("episode", "episode"),
      this.statElement("steps", "steps"),
      this.statElement("episode-length", "last episode length", "Moves in the last finished episode"),
      this.statElement(
        "greedy-path-length",
        "greedy path length",
        "Moves along argmax Q from the start; −1 while it does not reach the goal",
      ),
      this.statElement("optimal-path-length", "optimal path length", "Value iteration's answer on this layout"),
      this.statElement("steps-per-second", "steps / second"),
    );
    this.curveCanvas = el("canvas", {
      class: "gw-curve",
      "aria-label": "Learning curve: steps per episode against episode",
    });
    this.chart = new LineChart(this.curveCanvas, {
      height: 210,
      emptyText: "no finished episode yet",
      formatX: (v) => (Number.isInteger(v) ? formatCompact(v) : ""), // episodes are whole
    });
    this.summary = el("p", { class: "gw-summary", id: `${demo}-summary`, "aria-live": "polite" }, "");
    const side = el("div", { class: "gw-side" }, stats, this.curveCanvas, this.summary);

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
    this.resetButton.title = "Forget Q (same seed, same layout)";

    // Settings: the agent, then the world.
    const greek = (v, digits = 2) => Number(v).toFixed(digits);
    const control = (name, label, format) => fieldControl(registry, demo, name, { label, format });
    this.exploreControls = {
      epsilon: control("epsilon", "ε (random-action probability)", greek),
      epsilon_decay: control("epsilon_decay", "ε decay per episode", (v) => greek(v, 3)),
      epsilon_min: control("epsilon_min", "ε floor", greek),
      tau: control("tau", "τ (softmax temperature)", (v) => String(Number(v.toPrecision(2)))),
      c: control("c", "c (UCB bonus weight)", greek),
    };
    const agentControls = el(
      "div",
      { class: "controls" },
      fieldControl(registry, demo, "explore", { label: "Exploration", choiceLabels: EXPLORE_LABELS }),
      ...Object.values(this.exploreControls),
      control("alpha", "α (learning rate)", greek),
      control("gamma", "γ (discount)", (v) => greek(v, 3)),
    );
    const seedId = `${demo}-seed`;
    this.seedInput = el("input", {
      type: "number",
      id: seedId,
      min: 0,
      max: 2147483647,
      step: 1,
      inputmode: "numeric",
    });
    this.seedInput.value = String(registry.get(demo, "seed"));
    this.seedInput.addEventListener("change", () => {
      const result = registry.set(demo, "seed", this.seedInput.value);
      if (!result.ok) {
        this.seedInput.value = String(registry.get(demo, "seed"));
        this.showNotices([`Seed not changed: ${result.message}.`]);
      }
    });
    registry.addEventListener("change", (event) => {
      if (event.detail.demo === demo && event.detail.name === "seed") this.seedInput.value = String(event.detail.value);
      if (event.detail.demo === demo && event.detail.name === "explore") this.showExploreControls();
    });
    const worldControls = el(
      "div",
      { class: "controls" },
      fieldControl(registry, demo, "preset", {
        label: "Layout",
        choiceLabels: { default: "default 7×7", seed5: "the post's 5×5", maze: "maze 9×9", cliff: "cliff walk 4×12" },
      }),
      control("size", "open grid size (0 = layout's)", (v) => (Number(v) === 0 ? "layout" : `${v}×${v}`)),
      control("slip", "slip (random move probability)", greek),
      control("max_episode_steps", "max steps per episode", (v) => String(v)),
      el(
        "div",
        { class: "control gw-seed", dataset: { control: "seed" } },
        el("label", { for: seedId }, "Seed"),
        this.seedInput,
      ),
    );
    this.showExploreControls();

    panel.append(
      el("div", { class: "demo-row" }, this.gridColumn, side),
      el("div", { class: "gw-transport" }, this.transport, this.speedControl),
      el(
        "details",
        { class: "gw-settings", open: !registry.page.embed }, // folded in an embed, where room is short
        el("summary", {}, "Settings"),
        el("h4", { class: "gw-group" }, "Agent"),
        agentControls,
        el("h4", { class: "gw-group" }, "World"),
        worldControls,
      ),
    );
    this.updateOverlayLegend();
  }

  mount() {
    super.mount();
    // Messages (a refused edit, the driver's remarks) belong next to the grid, not at the end of the panel.
    this.gridColumn.insertBefore(this.messages, this.gridColumn.querySelector(".gw-legend"));
  }

  showExploreControls() {
    const explore = this.registry.get(this.demo, "explore");
    const hiddenByPage = new Set(
      String(this.registry.page.hide || "")
        .split(",")
        .map((s) => s.trim()),
    );
    const wanted = new Set(EXPLORE_FIELDS[explore] ?? []);
    for (const [name, node] of Object.entries(this.exploreControls))
      node.hidden = !wanted.has(name) || hiddenByPage.has(name);
  }

  updateOverlayLegend() {
    this.legendOptimal.hidden = !this.registry.get(this.demo, "show_optimal");
    this.legendDiffers.hidden = !this.registry.get(this.demo, "show_differs");
    const base = this.registry.get(this.demo, "show_optimal")
      ? "V*"
      : this.registry.get(this.demo, "show_values")
        ? "V"
        : "Q";
    this.scaleLabel.textContent = `${base} −1`;
  }

  // ---- transport ----------------------------------------------------------------------------------------------

  stepOnce() {
    if (this.playing) this.pause();
    this.moveMs = 250;
    this.command("step", { n: 1 });
  }

  runEpisode() {
    if (this.playing) this.pause();
    this.moveMs = 0;
    this.command("episode");
  }

  async reset() {
    this.transient = [];
    this.editedMidRun = false;
    await super.reset();
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
    if (name === "edit") return;
    const field = this.registry.field(this.demo, name);
    if (!field || field.ui) return;
    if (this.snapshot?.figures?.steps > 0) this.editedMidRun = true;
    const payload = await this.command("configure", { params: { [name]: value } });
    if (payload?.restarted?.length) this.editedMidRun = false;
  }

  // ---- editing the layout -------------------------------------------------------------------------------------

  async edit(kind, row, col) {
    const layout = this.snapshot?.layout;
    if (!layout) return;
    const [sr, sc] = layout.start;
    const [gr, gc] = layout.goal;
    if (kind === "wall" && ((row === sr && col === sc) || (row === gr && col === gc))) {
      this.showNotices([
        `The ${row === sr && col === sc ? "start" : "goal"} cannot be a wall: drag it to move it, or choose “move the ${row === sr && col === sc ? "start" : "goal"}”.`,
      ]);
      return;
    }
    const steps = this.snapshot.figures.steps;
    this.editing = true;
    const payload = await this.command(EDIT_COMMANDS[kind], { args: { row, col } });
    this.editing = false;
    if (payload) {
      if (steps > 0) this.editedMidRun = true;
      this.transient = [];
      this.renderMessages();
    }
  }

  bindGridInput() {
    const canvas = this.gridCanvas;
    const kindAt = (cell) => {
      const layout = this.snapshot?.layout;
      if (!layout || !cell) return null;
      if (cell[0] === layout.start[0] && cell[1] === layout.start[1]) return "start";
      if (cell[0] === layout.goal[0] && cell[1] === layout.goal[1]) return "goal";
      return null;
    };
    canvas.addEventListener("pointerdown", (event) => {
      const cell = this.gridView.cellAt(event.clientX, event.clientY);
      if (!cell || this.status === "loading") return;
      this.cursor = cell;
      this.drag = { kind: kindAt(cell), origin: cell, over: null, pointer: event.pointerId };
      canvas.setPointerCapture?.(event.pointerId);
      this.dirty = true;
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!this.drag) return;
      const cell = this.gridView.cellAt(event.clientX, event.clientY);
      const moved = cell && (cell[0] !== this.drag.origin[0] || cell[1] !== this.drag.origin[1]);
      const over = this.drag.kind && moved ? cell : null;
      if (String(over) !== String(this.drag.over)) {
        this.drag.over = over;
        this.dirty = true;
      }
    });
    const finish = (event, cancelled) => {
      const drag = this.drag;
      if (!drag) return;
      this.drag = null;
      this.dirty = true;
      if (cancelled) return;
      const cell = this.gridView.cellAt(event.clientX, event.clientY);
      if (!cell) return;
      const same = cell[0] === drag.origin[0] && cell[1] === drag.origin[1];
      if (drag.kind && !same) this.edit(drag.kind, cell[0], cell[1]);
      else if (same) this.edit(this.registry.get(this.demo, "edit"), cell[0], cell[1]);
    };
    canvas.addEventListener("pointerup", (event) => finish(event, false));
    canvas.addEventListener("pointercancel", (event) => finish(event, true));
    canvas.addEventListener("focus", () => {
      this.focused = true;
      this.dirty = true;
    });
    canvas.addEventListener("blur", () => {
      this.focused = false;
      this.dirty = true;
    });
    canvas.addEventListener("keydown", (event) => {
      const layout = this.snapshot?.layout;
      if (!layout) return;
      const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      if (moves[event.key]) {
        event.preventDefault();
        const [dr, dc] = moves[event.key];
        this.cursor = [
          Math.max(0, Math.min(layout.rows - 1, this.cursor[0] + dr)),
          Math.max(0, Math.min(layout.cols - 1, this.cursor[1] + dc)),
        ];
        this.cursorStatus.textContent = this.describeCell(this.cursor);
        this.dirty = true;
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        this.edit(this.registry.get(this.demo, "edit"), this.cursor[0], this.cursor[1]);
      }
    });
  }

  describeCell([row, col]) {
    const snapshot = this.snapshot;
    const layout = snapshot.layout;
    const is = (cell) => cell[0] === row && cell[1] === col;
    let what = "open";
    if (layout.walls.some(is)) what = "wall";
    else if ((layout.cliff ?? []).some(is)) what = "cliff";
    else if (is(layout.goal)) what = "goal";
    else if (is(layout.start)) what = "start";
    let value = "";
    if (what === "open" || what === "start") {
      const Q = snapshot.Q.data;
      const s = (row * layout.cols + col) * 4;
      const best = greedyAction(Q, s);
      value =
        best < 0
          ? ", nothing learned yet"
          : `, greedy move ${["up", "down", "left", "right"][best]}, V ${formatStat(Math.max(Q[s], Q[s + 1], Q[s + 2], Q[s + 3]), 2)}`;
    }
    return `Cell (${row}, ${col}): ${what}${value}.`;
  }

  // ---- snapshots ----------------------------------------------------------------------------------------------

  accept(snapshot, reason) {
    const figures = snapshot.figures ?? {};
    for (const name of ["episode", "steps", "episode-length", "greedy-path-length", "optimal-path-length"]) {
      this.setStat(name, figures[name] ?? -1);
    }
    this.foldEpisodes(snapshot);
    const layout = snapshot.layout;
    this.cursor = [Math.min(this.cursor[0], layout.rows - 1), Math.min(this.cursor[1], layout.cols - 1)];
    const speed = this.registry.get(this.demo, "speed");
    if (reason === "step" && speed !== "max") {
      this.moveMs = this.playing ? Math.min(300, 1000 / Number(speed)) : 250;
    } else if (reason !== "step") {
      this.moveMs = 0;
    }
    if (reason === "create" || reason === "reset") this.editedMidRun = false;
    this.computeDiffers();
    const notices = snapshot.notices ?? [];
    if (notices.join("\n") !== this.driverNotices.join("\n")) {
      this.driverNotices = notices;
      this.renderMessages();
    }
    this.scheduleSummary();
  }

  foldEpisodes(snapshot) {
    const tail = snapshot.episode_lengths ?? [];
    const offset = snapshot.episode_lengths_offset ?? 0;
    if (offset !== this.curve.total) {
      if (offset > this.curve.total && this.curve.total > 0 && this.curveSince === this.curve.total) {
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

  /** Cells (state indices) whose greedy action is not among the optimal ones. */
  computeDiffers() {
    const snapshot = this.snapshot;
    if (!snapshot || !this.registry.get(this.demo, "show_differs")) {
      this.differs = [];
      return;
    }
    const layout = snapshot.layout;
    // Bit a of optimal_actions[s] is set when action a is optimal in s (several may tie), from rlplay's Q*.
    const masks = snapshot.optimal_actions.data;
    const Q = snapshot.Q.data;
    const policy = snapshot.policy_star.data;
    const differs = [];
    for (let s = 0; s < layout.rows * layout.cols; s++) {
      if (policy[s] < 0) continue; // walls, the goal, cells the agent can never reach
      // First maximum, as the greedy path takes it (all-equal Q counts as "up", which may be wrong).
      let best = 0;
      for (let a = 1; a < 4; a++) if (Q[s * 4 + a] > Q[s * 4 + best]) best = a;
      if (!(masks[s] & (1 << best))) differs.push(s);
    }
    this.differs = differs;
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
    const nodes = this.transient.map((text) => el("p", { class: "notice gw-refused" }, text));
    for (const text of this.driverNotices) nodes.push(el("p", { class: "notice" }, text));
    this.messages.replaceChildren(...nodes);
  }

  summaryFor(snapshot) {
    const f = snapshot.figures;
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
    return `Episode ${f.episode}, ${f.steps} steps. ${route}${verdict}.${explored}`;
  }

  scheduleSummary() {
    if (this.summaryTimer) return;
    const wait = Math.max(0, this.summaryShownAt + SUMMARY_INTERVAL_MS - performance.now());
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = 0;
      if (!this.snapshot) return;
      const text = this.summaryFor(this.snapshot);
      if (text !== this.summaryText) {
        this.summaryText = text;
        this.summary.textContent = text;
        this.summaryShownAt = performance.now();
      }
    }, wait);
  }

  // ---- drawing ------------------------------------------------------------------------------------------------

  draw(now) {
    const snapshot = this.snapshot;
    const registry = this.registry;
    const show = {
      path: registry.get(this.demo, "show_path"),
      values: registry.get(this.demo, "show_values"),
      optimal: registry.get(this.demo, "show_optimal"),
      differs: registry.get(this.demo, "show_differs"),
      trail: registry.get(this.demo, "show_trail"),
    };
    const animating = this.gridView.draw(
      {
        ...snapshot,
        show,
        differs: this.differs,
        cursor: this.focused ? this.cursor : null,
        drag: this.drag,
        moveMs: this.moveMs,
      },
      now,
    );
    if (animating) this.dirty = true;
    if (this.curveDirty) {
      this.curveDirty = false;
      this.drawCurve();
    }
  }

  drawCurve() {
    const { x, y, average } = this.curve.series();
    const optimal = this.snapshot?.figures?.["optimal-path-length"] ?? -1;
    const logX = this.curve.total >= LOG_X_FROM;
    const bucketed = this.curve.width > 1;
    this.chart.draw({
      series: [
        {
          label: bucketed ? `steps per episode (later: means of ${this.curve.width})` : "steps per episode",
          color: "--muted",
          x,
          y,
          faded: true,
        },
        { label: `moving average (${MOVING_AVERAGE} episodes)`, color: "--agent", x, y: average, width: 2 },
      ],
      refLines: optimal > 0 ? [{ y: optimal, label: `optimal ${optimal}`, color: "--gold" }] : [],
      xLabel: logX ? "episode (log scale)" : "episode",
      yLabel: "steps",
      yMin: 0,
      logX,
    });
  }

  // ---- sharing ------------------------------------------------------------------------------------------------

  reproduceCommand() {
    const params = this.registry.pythonParams(this.demo);
    const steps = this.snapshot?.figures?.steps ?? 0;
    const parts = ["python -m rlplay gridworld", `--steps ${steps}`];
    for (const [name, value] of Object.entries(params)) parts.push(`--${name} ${shellQuote(value)}`);
    let command = parts.join(" ");
    if (this.editedMidRun) {
      command +=
        "  # settings or walls changed during this run: this replays the final settings from step 0, so the numbers differ; press Reset, then run, for an exact replay";
    }
    return command;
  }

  exportRun() {
    const snapshot = this.snapshot ?? {};
    const { x, y, average } = this.curve.series();
    return {
      demo: this.demo,
      config: this.registry.pythonParams(this.demo),
      view: Object.fromEntries(this.constructor.uiFields.map((f) => [f.name, this.registry.get(this.demo, f.name)])),
      figures: { ...(snapshot.figures ?? {}), "steps-per-second": Math.round(this.stepsPerSecond ?? 0) },
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
      reproduce: this.reproduceCommand(),
    };
  }

  exportCSV() {
    const { x, y, average } = this.curve.series();
    const lines = ["episode_first,episode_last,mean_steps_per_episode,moving_average_steps"];
    let first = 1;
    for (let i = 0; i < x.length; i++) {
      lines.push(`${first},${x[i]},${formatStat(y[i], 4)},${formatStat(average[i], 4)}`);
      first = x[i] + 1;
    }
    return `${lines.join("\n")}\n`;
  }
}
