// The loop every demo shares: status, play/pause, speed, work requests to the Python worker, rendering in
// requestAnimationFrame, figures, messages, and running only while the demo can be seen.
//
// A subclass (web/demos/<demo>/<demo>.js: gridworld, bandit, cartpole) provides:
//   static demo = "gridworld"; static speeds = ["2", "10", ..., "max"]  (units per second, or "max")
//   buildControls(panel)     add its own controls and views to the panel (the base adds the shared ones)
//   since()                  the index from which growing series are wanted (see rlplay/demos/__init__.py)
//   accept(snapshot, reason) fold a snapshot into the controller's state (reason: "create" | "run" | "step" | ...)
//   draw(now)                draw the views from that state (called in requestAnimationFrame when something changed)
//   onSetting(name, value)   react to a registry change of one of its fields (default: configure Python fields live,
//                            coalesced: at most one configure call per frame, never two in flight)
//   exportData(), csvRows()  its own part of "Download JSON" and the rows of "Download CSV"
// and may use what every demo shares: seedControl and Announcer (web/ui.js), GrowingSeries (web/framework/series.js),
// this.midRunChanges (settings changed during the run: the link and the reproduce command say so),
// reproduceCommand(), exportRun(), inspect().
//
// Lifecycle: mount() builds the demo inside its root; unmount() undoes it: what it and its views attached to anything
// that outlives them went through this.disposables (web/disposables.js), this.own(view) registers a view's destroy(),
// and the root is put back as the page had it (window.rlplay.open in web/app.js mounts new controllers).
//
// Play/pause cannot race: at most one work request is in flight per demo, and every answer is checked against
// the run it was asked for (a reset or a restart makes older answers stale).
//
// Snapshots follow the contract in web/contract.json (generated from rlplay.app.contract): `this.contract` is this
// demo's part (keys, static, growing, figures, notices, constants). Static keys arrive only when they change; the
// base keeps the last ones and merges them into every snapshot, so accept() and draw() always see every key.
//
// Test hook: inspect() returns a plain, stable object (status, figures, the merged snapshot with arrays as plain
// lists, and the demo's own inspectDemo() part); the e2e tests read only that (window.rlplay.inspect(demo)).

import { CodePanel } from "../code/panel.js";
import { Disposables } from "../disposables.js";
import { reproduceNow } from "../reproduce.js";
import { RuntimeCallError } from "../runtime/client.js";
import { displayText } from "../state.js";
import { displayStat, el, fieldControl, formatStat, infoTip } from "../ui.js";
import { replayShared } from "./replay.js";
import { StudyPanel } from "./study_panel.js";

// The NumPy dtype each typed array came from (web/runtime/worker.js), as rlplay.app.contract names them.
const DTYPES = {
  Float64Array: "float64",
  Float32Array: "float32",
  Int32Array: "int32",
  Int8Array: "int8",
  Uint8Array: "uint8",
  Int16Array: "int16",
  Uint16Array: "uint16",
  Uint32Array: "uint32",
};
// At "max", each call asks the worker for MAX_WORK_RATIO times the measured cost of a call around its work (round
// trip, snapshot, drawing), so work is most of the time; at least a frame's worth, and at most MAX_BUDGET_MS, so a
// click (Reset, a setting) waits for the worker no longer than that and the figures still move several times a second.
const FRAME_BUDGET_MS = 8;
const MAX_BUDGET_MS = 100;
const MAX_WORK_RATIO = 6;

// A notice says what was wrong in a sentence or two; one that echoes a long hostile value is cut there.
const MAX_NOTICE_CHARS = 400;

/** Notices as paragraphs, their text made visible (bidi and invisible characters as ⟨U+…⟩: they may echo a URL). */
export function noticeParagraphs(notices, className = "notice") {
  return notices.map((text) => el("p", { class: className }, displayText(text, MAX_NOTICE_CHARS)));
}

/**
 * A sideNote's sentence: what `what` ("the link", "the embed", "the command") leaves out, and how to make it again.
 *
 *   notCarried("the link", "the β sweep (70 of 70 updates)", "press Run the β sweep")
 *   → "The link does not carry the β sweep (70 of 70 updates): where it opens, press Run the β sweep."
 *   notCarried("the command", "the β sweep (70 of 70 updates)", "…")
 *   → "The command does not carry the β sweep (70 of 70 updates): it trains the run alone."
 */
export function notCarried(what, thing, again) {
  const subject = `${what.charAt(0).toUpperCase()}${what.slice(1)}`;
  return `${subject} does not carry ${thing}: ${what === "the command" ? "it trains the run alone" : `where it opens, ${again}`}.`;
}

export class DemoController {
  constructor({ root, runtime, registry, contract }) {
    this.root = root;
    // The root as the page had it before mount: unmount() puts it back (its children and its attributes).
    this.pristineRoot = root.cloneNode(true);
    this.runtime = runtime;
    // Everything mount() and the views attach is undone in one place (unmount); the registry is seen through it,
    // so a listener added by any helper handed this.registry is removed with the rest.
    this.disposables = new Disposables();
    this.registry = this.disposables.scope(registry);
    this.contract = contract ?? { keys: {}, static: [], growing: {}, figures: {}, notices: {}, constants: {} };
    this.statics = {}; // the static keys of the latest snapshot that carried them
    this.pendingConfig = new Map(); // settings changed since the last configure call: name -> value
    this.configuring = false;
    this.midRunChanges = []; // what changed during this run, e.g. "alpha → 0.3 at step 1200" (cleared at step 0)
    // The run as it happened, for a worker restart to replay (restoreRun): the driver's config when it stood at
    // step 0, and each command that changed it mid-run, [{at, command, args}], at the step Python applied it.
    this.runStart = null;
    this.runEvents = [];
    this.runStartCode = []; // [[0, name, source]]: the edited code that ran from the run's first step
    this.historyUnits = 0;
    this.staticVersion = undefined; // their digest, sent back so unchanged ones are not sent again
    this.demo = this.constructor.demo;
    this.playing = false;
    this.inFlight = false;
    this.runToken = 0; // bumps on every reset/re-create: answers for an older token are dropped
    this.generation = -1; // the runtime generation our Python driver lives in
    this.snapshot = null;
    this.dirty = true;
    // Until the IntersectionObserver reports, assume unseen: an embed far below the fold must not start training.
    this.visible = !("IntersectionObserver" in window);
    this.pageVisible = !document.hidden;
    this.unitBudget = 0;
    this.lastPump = 0;
    this.rate = { units: 0, ms: 0, window: [] };
    this.stats = new Map();
    this.fieldControls = new Map(); // name -> control of each Python setting made by settingControl
    // Python settings changed before this demo's driver exists: create() applies them once it does.
    this.deferredSettings = new Map();
    // A demo's own buttons that act on its driver (Step, Episode, New arms): like Reset, disabled until it exists
    // (a click while Python loads did nothing, or was undone by a setting applied once the driver came).
    this.driverButtons = [];
    this.setStatus("loading");
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------

  mount() {
    const panel = this.root.querySelector(".demo-panel") ?? this.root;
    this.messages = el("div", { class: "messages", role: "status", "aria-live": "polite" });
    this.errorBox = el("div", { class: "error-box", role: "alert", hidden: true });
    this.buildShared(panel);
    this.buildControls(panel);
    // The loading note sits right after Reset, wherever the demo placed its transport.
    if (this.resetButton.parentNode && !this.loadNote.isConnected) this.resetButton.after(this.loadNote);
    this.showPlayState();
    panel.append(this.messages, this.errorBox);
    // The Code panel (web/code/panel.js): the Python this demo runs, editable. A demo opts out with codePanel = false;
    // an embed keeps its fixed frame and has none.
    if (this.constructor.codePanel !== false && !this.registry.page.embed) {
      this.codePanel = this.own(new CodePanel(this));
      this.codePanel.mount(panel);
    }
    // The parameter studies this demo offers (web/contract.json's `studies`), each in a closed section of its own.
    this.studyPanels = [];
    if (!this.registry.page.embed) {
      for (const [name, declaration] of Object.entries(this.contract.studies ?? {})) {
        const study = this.own(new StudyPanel(this, name, declaration));
        this.studyPanels.push(study);
        panel.append(study.details);
      }
    }
    this.applyHide();
    this.registry.addEventListener("change", (event) => {
      if (event.detail.demo !== this.demo) return;
      this.showSettings(); // any setting may be another's shown_when
      if (event.detail.source === "snapshot") return;
      if (event.detail.name === "speed") {
        this.unitBudget = 0;
        return;
      }
      if (event.detail.source === "ui") this.clearNotices();
      const field = this.registry.field(this.demo, event.detail.name);
      if (!field?.ui && this.generation !== this.runtime.generation) {
        this.deferredSettings.set(event.detail.name, event.detail.value);
        return;
      }
      this.onSetting(event.detail.name, event.detail.value);
    });
    this.observeVisibility();
    this.disposables.frames((now) => {
      if (this.dirty && this.snapshot) {
        this.dirty = false;
        try {
          this.draw(now);
        } catch (error) {
          this.showError(`Drawing failed: ${error.message}`);
        }
      }
      this.flushConfigure();
      this.pump(now);
    });
    this.drawStatic?.();
  }

  /** Register something mount() built that holds on to the page (a chart, a view, a panel with destroy()), so
   *  unmount() destroys it; returns it. */
  own(thing) {
    return this.disposables.add(thing);
  }

  /**
   * Undo mount(): every listener, observer, timer and animation loop the controller and its views added, and its
   * charts and Code panel destroyed; the root back as the page had it. Answers still on their way are dropped
   * (the run token moves on). A controller is mounted once: the page opens another setup with new controllers.
   */
  unmount() {
    if (this.isDisposed) return;
    this.runToken++;
    this.creating = null;
    this.playing = false;
    this.pendingConfig.clear();
    try {
      this.disposables.dispose();
    } finally {
      const pristine = this.pristineRoot.cloneNode(true);
      for (const name of this.root.getAttributeNames()) this.root.removeAttribute(name);
      for (const name of pristine.getAttributeNames()) this.root.setAttribute(name, pristine.getAttribute(name));
      this.root.replaceChildren(...pristine.childNodes);
    }
  }

  get isDisposed() {
    return this.disposables.isDisposed;
  }

  /** (Re)build the Python driver from the registry's state (or from `params`: a restored run's start). */
  async create({ notices = [], params = null } = {}) {
    const token = ++this.runToken;
    this.creating = token; // the newest create() owns the status; a Reset or a setting change meanwhile does not
    this.inCreate = true;
    this.setStatus("loading");
    this.statics = {};
    this.staticVersion = undefined;
    try {
      this.createPending = true; // settings changed meanwhile wait for the driver (they go out once it exists)
      const payload = await this.runtime
        .call(this.demo, "create", { params: params ?? this.registry.pythonParams(this.demo) })
        .finally(() => {
          this.createPending = false;
        });
      if (token !== this.creating) return;
      this.generation = this.runtime.generation;
      this.resetRate();
      this.showNotices([...notices, ...(payload.notices ?? [])]);
      this.receive(payload.snapshot, "create");
      this.applyDeferredSettings(payload.snapshot);
      await this.beforeReplay?.(token); // what the run started from besides its settings (the cart-pole's agent)
      if (token !== this.creating) return;
      // a shared link's steps= (web/framework/replay.js), on the run beforeReplay may have replaced (a new run token)
      await replayShared(this, this.runToken);
      if (token !== this.creating) return;
      this.setStatus("ready");
      const autoplay =
        this.registry.page.autoplay && (!this.registry.page.demo || this.registry.page.demo === this.demo);
      if (autoplay && !this.autoplayed) {
        this.autoplayed = true;
        this.play();
      }
    } catch (error) {
      if (token === this.creating) this.handleError(error);
    } finally {
      if (token === this.creating) this.inCreate = false;
    }
  }

  /** Settings changed while the driver was being built: the snapshot's config may have overwritten them. */
  applyDeferredSettings(snapshot) {
    const deferred = [...this.deferredSettings];
    this.deferredSettings.clear();
    for (const [name, value] of deferred) {
      if (this.registry.get(this.demo, name) !== value)
        this.registry.set(this.demo, name, value, { source: "deferred" });
      else if (snapshot?.config?.[name] === undefined) this.onSetting(name, value);
    }
  }

  /** Units of work run so far (the contract's `units` figure: environment steps, or pulls for the bandit). */
  unitsDone() {
    return this.snapshot?.figures?.[this.contract.units ?? "steps"] ?? 0;
  }

  /** Train on to ``units`` of work in budgeted requests, with no UI of its own (the Code panel's "Reset to
   *  reference" replays the reference run to the step the learner had reached). A reset or re-create stops it. */
  async fastForward(units, token = this.runToken) {
    while (token === this.runToken && this.unitsDone() < units) {
      const payload = await this.call("run", { budget_ms: 50, max_units: units - this.unitsDone() });
      if (token !== this.runToken) return;
      this.receive(payload.snapshot, "run");
      if (payload.ran === 0) break;
    }
  }

  /** The step count a link may ask to replay to: none once settings changed mid-run (the link replays the
   *  current settings from the start, which is a different run). */
  replayableSteps() {
    return this.midRunChanges.length ? 0 : this.unitsDone();
  }

  // ---- sharing: one reproduce command, one export ---------------------------------------------------------

  /** The "Reproduce in Python" command, from Python's validated values (web/reproduce.js); "" until they are here. */
  reproduceCommand() {
    return reproduceNow(this);
  }

  /** What a link must carry besides the settings and steps for this run (the cart-pole's agent=); {} here. */
  linkExtras() {
    return {};
  }

  /** What the Copy link note must say about what the link cannot carry; "" here. */
  linkNote() {
    return "";
  }

  /** What the work beside the run now on the screen (a planner's sweeps, a sweep, a comparison: the contract's
   *  side_commands) is, which `what` ("the link", "the embed", "the command") does not carry: a sentence naming it
   *  and how to make it again, or "" when there is none. */
  sideNote(_what) {
    return "";
  }

  /** What the command must load before it trains ({load: a path or URL, note}) or null: a run from scratch. */
  reproduceStart() {
    return null;
  }

  /** What the command cannot say (it goes beside it, never into it: a "#" line runs in an interactive zsh). */
  reproduceNote() {
    const side = this.sideNote("the command");
    if (!this.midRunChanges.length) return side;
    // The Code panel's .py carries the changes at their steps (rlplay.app.replay.reproduce); it is offered while
    // edited code runs.
    const exact = this.codePanel?.editedFunctions().length
      ? " The Code panel's Reproduce in Python (.py) replays it as it happened."
      : "";
    const changes = `Changed during this run: ${this.midRunChanges.join("; ")}. The command runs the current settings from step 0, so its numbers differ; press Reset for a run it replays exactly.${exact}`;
    return side ? `${changes} ${side}` : changes;
  }

  /** "Download JSON": what every demo shares, then the demo's own exportData(). */
  exportRun() {
    const view = (this.constructor.uiFields ?? []).map((field) => [
      field.name,
      this.registry.get(this.demo, field.name),
    ]);
    return {
      demo: this.demo,
      config: this.registry.pythonParams(this.demo),
      view: Object.fromEntries(view),
      figures: { ...(this.snapshot?.figures ?? {}), "steps-per-second": Math.round(this.stepsPerSecond ?? 0) },
      changed_mid_run: [...this.midRunChanges],
      reproduce: this.reproduceCommand(),
      ...this.exportData(),
    };
  }

  /** "Download CSV": the demo's csvRows() (a header row, then data rows), comma-separated. */
  exportCSV() {
    return `${this.csvRows()
      .map((row) => row.join(","))
      .join("\n")}\n`;
  }

  // ---- shared controls -----------------------------------------------------------------------------------

  buildShared(_panel) {
    const speeds = this.constructor.speeds;
    this.playButton = el(
      "button",
      { type: "button", class: "primary", dataset: { control: "play" }, onclick: () => this.toggle() },
      "Play",
    );
    this.resetButton = el(
      "button",
      { type: "button", dataset: { control: "reset" }, onclick: () => this.reset() },
      "Reset",
    );
    const speedId = `${this.demo}-speed`;
    this.speedInput = el("input", { type: "range", id: speedId, min: 0, max: speeds.length - 1, step: 1 });
    this.speedOutput = el("output", { for: speedId, class: "value" });
    const showSpeed = () => {
      const value = this.registry.get(this.demo, "speed");
      this.speedInput.value = String(Math.max(0, speeds.indexOf(value)));
      const text = this.speedLabel(value);
      this.speedOutput.textContent = text;
      this.speedInput.setAttribute("aria-valuetext", text);
    };
    this.speedInput.addEventListener("input", () => {
      this.registry.set(this.demo, "speed", speeds[Number(this.speedInput.value)]);
      showSpeed();
    });
    this.registry.addEventListener(
      "change",
      (e) => e.detail.demo === this.demo && e.detail.name === "speed" && showSpeed(),
    );
    showSpeed();
    // While Python loads: Play is remembered (training starts once ready), Reset waits; this note says so.
    this.loadNote = el("span", { class: "load-note", role: "status" });
    this.transport = el("div", { class: "transport" }, this.playButton, this.resetButton, this.loadNote);
    const speedDoc = this.registry.field(this.demo, "speed")?.doc;
    const tip = speedDoc ? infoTip(`${speedId}-doc`, "Speed", speedDoc) : null;
    if (tip) this.speedInput.setAttribute("aria-describedby", tip.doc.id);
    this.speedControl = el(
      "div",
      { class: "control", dataset: { control: "speed" } },
      tip ? el("span", { class: "control-head" }, el("label", { for: speedId }, "Speed"), tip.button) : null,
      tip ? null : el("label", { for: speedId }, "Speed"),
      this.speedInput,
      this.speedOutput,
      tip?.doc,
    );
    this.errorRetry = null;
  }

  speedLabel(value) {
    return value === "max" ? "max" : `${value}/s`;
  }

  /** Make a figure element with its label: <dd data-stat="name" data-value="-1">—</dd>. People read the text ("—"
   *  until there is a value); automation reads data-value, the plain number (−1 = not yet). */
  statElement(name, label, title = "", part = "") {
    const value = el("dd", { dataset: { stat: name, value: "-1" } }, "—");
    this.stats.set(name, value);
    return el("div", { class: "stat", title, dataset: part ? { part } : {} }, el("dt", {}, label), value);
  }

  setStat(name, value, digits) {
    const node = this.stats.get(name);
    if (!node) return;
    node.dataset.value = formatStat(value, digits);
    node.textContent = displayStat(value, digits);
  }

  /**
   * The controls of the Python settings declared in `group` (their `group` in params.json), in the order Python
   * declares them. Each control's label, choice names and when it shows come from the declaration (Param); `formats`
   * maps a name to how its value reads.
   */
  settingsGroup(group, formats = {}) {
    return Object.entries(this.registry.fields[this.demo])
      .filter(([, field]) => field.group === group)
      .map(([name]) => this.settingControl(name, formats[name]));
  }

  /**
   * One Python setting's control, kept in `fieldControls` so that `showSettings` keeps its visibility current. A
   * whole-number setting (a count a teacher types: seeds, episodes, hidden units) gets a number box beside its slider.
   */
  settingControl(name, format) {
    const exact = this.registry.field(this.demo, name)?.type === "int";
    const node = fieldControl(this.registry, this.demo, name, { ...(format ? { format } : {}), exact });
    this.fieldControls.set(name, node);
    return node;
  }

  /** Show a setting's control only while the setting matters (its `shown_when`) and `hide=` does not name it. */
  showSettings() {
    const hidden = new Set(String(this.registry.page.hide || "").split(","));
    for (const [name, node] of this.fieldControls)
      node.hidden = !this.registry.shown(this.demo, name) || hidden.has(name);
  }

  /**
   * What the page leaves out: the `hide=` names (controls, `data-control`, and parts, `data-part`) and, in an embed,
   * the demo's `embedHidden` parts, so that an embed opens on its lesson view (the canvas, the transport, the main
   * chart and its figures, the settings folded); `show=` brings named parts back, `show=all` every one. A part left
   * out is marked `data-off` (style.css hides it whatever the demo later does with `hidden`). README lists the names.
   */
  applyHide() {
    const names = (value) =>
      new Set(
        String(value || "")
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      );
    const page = this.registry.page;
    const shown = names(page.show);
    const hidden = names(page.hide);
    if (page.embed && !shown.has("all")) {
      for (const name of this.constructor.embedHidden) if (!shown.has(name)) hidden.add(name);
    }
    this.hiddenNames = hidden; // for parts a demo draws later (partHidden)
    for (const node of this.root.querySelectorAll("[data-control], [data-part]")) {
      if (hidden.has(node.dataset.control) || hidden.has(node.dataset.part)) {
        node.hidden = true;
        node.dataset.off = "";
      }
    }
  }

  /** Whether the page leaves out the part `name` (applyHide), for what a demo draws after mounting. */
  partHidden(name) {
    return Boolean(this.hiddenNames?.has(name));
  }

  // ---- play / pause / reset -----------------------------------------------------------------------------

  setStatus(status) {
    if (this.isDisposed) return; // a late answer to an unmounted controller: the root is another's now
    this.status = status;
    this.root.dataset.status = status;
    this.showPlayState();
  }

  /** Play/Pause, Reset and the loading note follow the status (and a Play pressed while loading). */
  showPlayState() {
    if (!this.playButton) return;
    const status = this.status;
    const running = status === "running";
    const waiting = status === "loading" && this.playing;
    this.playButton.textContent = running ? "Pause" : "Play";
    this.playButton.setAttribute("aria-pressed", running || waiting ? "true" : "false");
    this.playButton.disabled = status === "error";
    this.playButton.classList.toggle("armed", waiting);
    this.resetButton.disabled = status === "loading" || status === "error";
    const noDriver = this.generation !== this.runtime.generation;
    for (const button of this.driverButtons) button.disabled = noDriver || status === "error";
    this.loadNote.textContent =
      status !== "loading" || !noDriver ? "" : waiting ? "Starts once Python is ready" : "Python is loading…";
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  play() {
    if (this.status === "error") return;
    if (this.status === "loading") {
      // Remembered: the loop starts training as soon as the driver is ready.
      this.playing = true;
      this.showPlayState();
      return;
    }
    this.playing = true;
    this.unitBudget = 0;
    this.lastPump = performance.now();
    this.setStatus(this.canRun() ? "running" : "paused");
  }

  pause(reason = "") {
    this.playing = false;
    if (this.status !== "error" && this.status !== "loading") this.setStatus("paused");
    else this.showPlayState();
    if (reason) this.showNotices([reason]);
  }

  async reset() {
    if (this.generation !== this.runtime.generation) return; // no driver yet (Reset is disabled meanwhile)
    this.clearNotices();
    const token = ++this.runToken;
    try {
      const payload = await this.call("reset");
      if (token !== this.runToken) return;
      this.resetRate();
      this.receive(payload.snapshot, "reset");
    } catch (error) {
      this.handleError(error);
    }
  }

  /** Fetch a fresh snapshot of the run (e.g. after edited code failed mid-request). */
  async refresh() {
    try {
      const payload = await this.call("snapshot");
      this.receive(payload.snapshot, "snapshot");
    } catch (error) {
      this.handleError(error);
    }
  }

  /** Run one command of the driver's COMMANDS (or configure) and take its snapshot. Returns the payload. */
  async command(command, args = {}) {
    const token = ++this.runToken;
    const config = { ...(this.snapshot?.config ?? {}) };
    try {
      const payload = await this.call(command, args);
      // Python applied it even if a newer request made its answer stale: the run's history counts it either way.
      this.noteRunHistory(command, args, payload.snapshot, config);
      if (token !== this.runToken) return payload;
      this.receive(payload.snapshot, command);
      if (payload.notices?.length) this.showNotices(payload.notices);
      return payload;
    } catch (error) {
      this.handleError(error);
      return null;
    }
  }

  /**
   * Record a command that changed the run mid-way (not a fresh run from step 0): the link cannot replay such a run,
   * and a worker restart replays it at its step (runEvents, restoreRun). The step is the one Python applied it at,
   * this answer's: a run already in flight when it was sent went first (the worker answers in order).
   */
  noteRunHistory(command, args, snapshot, before) {
    // the commands that run or watch the run without changing it: Python declares them (DemoDriver.RUN_COMMANDS)
    if (this.contract.run_commands?.includes(command) || !snapshot?.figures) return;
    const at = snapshot.figures[this.contract.units ?? "steps"] ?? 0;
    if (this.contract.side_commands?.includes(command)) {
      // Work beside the run (a planner's sweeps, a β sweep: Python declares them, DemoDriver.SIDE_COMMANDS): a
      // restart replays it at its step, and the link still replays the run (sideNote says what it leaves out).
      this.runEvents.push({ at, command, args: structuredClone(args) });
      return;
    }
    if (at === 0 && this.historyUnits > 0) {
      // it started a fresh run (a new seed, new arms): its history starts here, also when a newer request made
      // this answer stale and receive() never sees it
      this.startHistory({ config: snapshot.config ?? this.snapshot?.config }, command);
      this.historyUnits = 0;
      this.midRunChanges = [];
      return;
    }
    // Every change since the run started is replayed by a restart, those at step 0 too (a planner's sweeps, a
    // setting before training); only those after it make a run the link cannot replay (its settings carry the rest).
    this.runEvents.push({ at, command, args: structuredClone(args) });
    if (!(at > 0)) return;
    if (command === "configure") {
      for (const [name, value] of Object.entries(snapshot.config ?? {}))
        if (before[name] !== undefined && before[name] !== value)
          this.midRunChanges.push(`${name} → ${value} at step ${at}`);
    } else {
      const where = args.args && Object.values(args.args).length ? `(${Object.values(args.args).join(", ")})` : "";
      this.midRunChanges.push(`${command}${where} at step ${at}`);
    }
  }

  /** Default reaction to a registry change: configure the Python field live (coalesced by flushConfigure). */
  onSetting(name) {
    const field = this.registry.field(this.demo, name);
    if (!field || field.ui) return;
    this.pendingConfig.set(name, this.registry.get(this.demo, name));
  }

  /**
   * Send the settings changed since the last configure, in one call: called every frame, so a slider dragged
   * through sixty values makes at most one call a frame, and never two in flight (changes made meanwhile wait
   * for the next frame after the answer).
   */
  async flushConfigure() {
    // While a shared run replays (status "loading"), a change goes out at once: it stops the replay (web/framework/replay.js).
    if (!this.pendingConfig.size || this.configuring || this.createPending || this.status === "error") return;
    const params = Object.fromEntries(this.pendingConfig);
    this.pendingConfig.clear();
    this.configuring = true;
    const before = this.beforeConfigure();
    try {
      const payload = await this.command("configure", { params });
      if (payload) this.afterConfigure(payload, params, before);
    } finally {
      this.configuring = false;
    }
  }

  /** What a subclass wants to remember just before a configure call (handed to afterConfigure). */
  beforeConfigure() {
    return null;
  }

  /** After a configure call: `payload.restarted` names the settings that made a fresh run. */
  afterConfigure() {}

  // ---- the work loop --------------------------------------------------------------------------------------

  canRun() {
    return this.visible && this.pageVisible;
  }

  pump(now) {
    if (this.isDisposed) return;
    if (!this.playing || this.status === "error" || this.status === "loading") {
      this.lastPump = now;
      return;
    }
    const speed = this.registry.get(this.demo, "speed");
    if (this.inFlight) {
      // Wall time spent waiting for an answer still counts toward a fixed speed: a label of 100/s means 100/s.
      if (speed !== "max" && this.canRun()) this.accrue(now, speed);
      return;
    }
    if (!this.canRun()) {
      if (this.status === "running") this.setStatus("paused");
      this.lastPump = now;
      return;
    }
    if (this.status !== "running") this.setStatus("running");
    if (speed === "max") {
      this.request("run", { budget_ms: this.maxBudgetMs(), max_units: this.maxUnits?.() ?? 1e9 });
      return;
    }
    this.accrue(now, speed);
    const n = Math.floor(this.unitBudget);
    if (n >= 1) {
      this.unitBudget -= n;
      // At most MAX_BUDGET_MS of the worker's time, like "max": a speed the worker cannot reach (5000 DQN steps a
      // second) runs slower than its label rather than blocking the worker for seconds at a time.
      this.request("step", { n: Math.min(n, this.maxUnits?.() ?? n), budget_ms: MAX_BUDGET_MS });
    }
  }

  /** The worker's time asked for by one call at "max": MAX_WORK_RATIO × the measured overhead of a call. */
  maxBudgetMs() {
    return Math.min(Math.max(MAX_WORK_RATIO * (this.callOverheadMs ?? 0), FRAME_BUDGET_MS), MAX_BUDGET_MS);
  }

  /** Fixed speed: accumulate units of work in wall time (a gap is capped, so a hidden tab does not cause a burst;
   *  the budget is capped at half a second of work, so a speed the worker cannot reach does not pile up). */
  accrue(now, speed) {
    const elapsed = Math.min(now - this.lastPump, 250);
    this.lastPump = now;
    this.unitBudget = Math.min(this.unitBudget + (Number(speed) * elapsed) / 1000, Math.max(1, Number(speed) / 2));
  }

  async request(command, args) {
    const token = this.runToken;
    this.inFlight = true;
    const started = performance.now();
    try {
      const payload = await this.call(command, args);
      if (token !== this.runToken) return;
      this.countRate(payload.ran ?? 0, performance.now() - started);
      this.receive(payload.snapshot, command);
      if (command === "run" && Number.isFinite(payload.elapsed_ms)) {
        // the call's cost around its work: round trip, snapshot and drawing (a running mean, for maxBudgetMs)
        const overhead = Math.max(0, performance.now() - started - payload.elapsed_ms);
        this.callOverheadMs = this.callOverheadMs === undefined ? overhead : 0.8 * this.callOverheadMs + 0.2 * overhead;
      }
      // A budgeted step says whether the run itself ended; fewer units than asked may only mean the budget ran out.
      if (payload.exhausted ?? (command === "step" && payload.ran < args.n)) this.onExhausted(payload);
    } catch (error) {
      this.handleError(error);
    } finally {
      this.inFlight = false;
    }
    // At "max", ask for the next chunk at once rather than at the next frame, so the worker is never idle while
    // the main thread draws; each chunk still takes at most MAX_BUDGET_MS of the worker's time.
    if (command === "run" && this.registry.get(this.demo, "speed") === "max") this.pump(performance.now());
  }

  /** The driver ran fewer units than asked: the run reached its end (or stopped). Subclasses may say more. */
  onExhausted() {
    const notices = this.snapshot?.notices ?? [];
    this.pause();
    if (notices.length) this.showNotices(notices);
  }

  /** One driver command with what every call carries: the growing series' `since` and the static keys held. */
  call(command, args = {}) {
    return this.runtime.call(this.demo, command, { ...args, since: this.since(), static: this.staticVersion });
  }

  receive(raw, reason) {
    if (!raw || this.isDisposed) return;
    // Static keys come only when they changed (all of them then): keep them, and merge them into every snapshot.
    const staticNames = this.contract.static;
    const changed = staticNames.some((name) => name in raw);
    if (changed) {
      this.statics = Object.fromEntries(staticNames.filter((name) => name in raw).map((name) => [name, raw[name]]));
      this.staticVersion = raw.static_version;
    }
    const snapshot = { ...this.statics, ...raw };
    this.snapshot = snapshot;
    const units = this.unitsDone();
    if (units === 0) this.midRunChanges = []; // a run at step 0 has no history to differ from
    // A new run starts here (created, reset, an agent loaded, or a change that started it afresh): its history.
    if (["create", "reset", "load_agent"].includes(reason) || (units === 0 && this.historyUnits > 0))
      this.startHistory(snapshot, reason);
    this.historyUnits = units;
    this.accept(snapshot, reason);
    this.codePanel?.onSnapshot(snapshot);
    // The driver's config goes into the registry (and the URL) only when it changed, not with every snapshot; a
    // setting changed since (still to be sent) keeps the user's newer value.
    if (changed && snapshot.config) {
      for (const [name, value] of Object.entries(snapshot.config)) {
        if (this.registry.field(this.demo, name) && !this.pendingConfig.has(name))
          this.registry.set(this.demo, name, value, { source: "snapshot" });
      }
    }
    this.dirty = true;
  }

  /** The run as it starts: its config, and the edited code it runs from its first step (a driver just created runs
   *  the reference code; Reset, a load or a fresh run keep what runs). Mid-run changes follow in runEvents. */
  startHistory(snapshot, reason) {
    this.runStart = snapshot.config ? { ...snapshot.config } : null;
    this.runEvents = [];
    // (while create() runs, the Code panel may still list what the worker before a restart ran)
    const edited = reason === "create" || this.inCreate ? [] : (this.codePanel?.editedFunctions() ?? []);
    this.runStartCode = edited.map((entry) => [0, entry.name, entry.edited]);
  }

  // ---- the test hook ------------------------------------------------------------------------------------------

  /**
   * A plain picture of the demo for tests and curious readers: {demo, status, playing, inFlight, unitsDone, replayableSteps,
   * figures, snapshot (every key, arrays as {data: number[], shape}), editorText, ...inspectDemo()}. Stable: tests
   * read only this.
   */
  inspect() {
    const snapshot = {};
    for (const [name, value] of Object.entries(this.snapshot ?? {})) {
      snapshot[name] =
        value?.data && value.shape
          ? { data: Array.from(value.data), shape: [...value.shape], dtype: DTYPES[value.data.constructor.name] }
          : value;
    }
    return {
      demo: this.demo,
      status: this.status,
      playing: this.playing,
      inFlight: this.inFlight, // a work request is out: its answer may still move the figures
      unitsDone: this.unitsDone(),
      replayableSteps: this.replayableSteps(),
      figures: { ...(this.snapshot?.figures ?? {}) },
      snapshot,
      editorText: this.codePanel?.editor?.text ?? null, // the Code panel's editor, as the learner sees it
      scene: this.scene ?? null, // the scene this demo opened (?scene=), if any
      study: this.studyPanels?.find((study) => study.name === this.scene || study.study)?.inspect() ?? null,
      ...this.inspectDemo(),
    };
  }

  /** Open the parameter study `name` (a ?scene= link): its section opens and comes into view; `start` runs it. */
  openScene(name) {
    const study = this.studyPanels?.find((panel) => panel.name === name);
    if (!study) return null;
    this.scene = name;
    study.details.open = true;
    study.details.scrollIntoView({ block: "start" });
    return study;
  }

  /** The demo's own part of inspect(): plain data only (subclasses). */
  inspectDemo() {
    return {};
  }

  // steps-per-second over the last ~2 s of work, as the user experiences it (wall time, including messaging).
  resetRate() {
    this.rate = { window: [] };
    this.setStat("steps-per-second", 0);
  }

  countRate(units, ms) {
    const now = performance.now();
    this.rate.window.push([now, units]);
    while (this.rate.window.length > 1 && now - this.rate.window[0][0] > 2000) this.rate.window.shift();
    const span = now - this.rate.window[0][0] + ms;
    const total = this.rate.window.reduce((sum, [, u]) => sum + u, 0);
    this.stepsPerSecond = span > 0 ? (1000 * total) / span : 0;
    this.setStat("steps-per-second", Math.round(this.stepsPerSecond));
  }

  // ---- visibility: run only while seen ------------------------------------------------------------------

  observeVisibility() {
    this.disposables.listen(document, "visibilitychange", () => {
      this.pageVisible = !document.hidden;
      this.updateRunState();
    });
    if ("IntersectionObserver" in window) {
      const observer = new IntersectionObserver((entries) => {
        for (const entry of entries) this.visible = entry.isIntersecting;
        this.updateRunState();
      });
      this.disposables.observe(observer).observe(this.root);
    }
  }

  /** A playing demo shows "running" only while it can be seen; otherwise "paused" until it is seen again. */
  updateRunState() {
    this.lastPump = performance.now();
    if (!this.playing || this.status === "error" || this.status === "loading") return;
    this.setStatus(this.canRun() ? "running" : "paused");
  }

  // ---- messages -----------------------------------------------------------------------------------------

  showNotices(notices) {
    this.messages.replaceChildren(...noticeParagraphs(notices));
  }

  /** Notices say what just happened: a new setting or a reset makes them stale. */
  clearNotices() {
    this.messages?.replaceChildren();
  }

  showError(message, { detail = "", action = null } = {}) {
    const children = [el("p", {}, message)];
    if (detail) children.push(el("details", {}, el("summary", {}, "Details"), el("pre", {}, detail)));
    if (action) children.push(el("button", { type: "button", onclick: action.run }, action.label));
    this.errorBox.replaceChildren(...children);
    this.errorBox.hidden = false;
  }

  clearError() {
    this.errorBox.hidden = true;
    this.errorBox.replaceChildren();
  }

  handleError(error) {
    if (!(error instanceof RuntimeCallError))
      error = new RuntimeCallError({ message: String(error?.message ?? error) });
    if (error.kind === "code" && this.codePanel) {
      // The learner's edited code failed: the Code panel marks the line (Python already restored what runs).
      this.codePanel.showCodeError(error);
      return;
    }
    if (error.kind === "input") {
      // Bad input: say so next to the demo; nothing else changes.
      this.showNotices([error.message]);
      return;
    }
    this.playing = false;
    this.setStatus("error");
    this.lastFailure = error.message; // a restore that could not build the driver again says why (restoreRun)
    if (error.kind === "crash" || error.kind === "load") return; // the page's runtime banner offers Restart/Retry
    this.showError(`Python error: ${error.message}`, { detail: error.traceback });
  }

  /** After the runtime restarted: rebuild the driver from the registry (the URL state, or `params`) and carry on. */
  async recover(params = null) {
    this.clearError();
    this.playing = false;
    this.startLost = ""; // what the run started from that create() could not load again (beforeReplay says)
    await this.create({ params });
  }

  /** What a worker restart needs to replay this run as it happened (restoreRun), taken before the worker goes. */
  runPlan() {
    return {
      units: this.unitsDone(),
      start: this.runStart ? { ...this.runStart } : null,
      events: this.runEvents.map((event) => ({ ...event })),
      codeAtStart: this.runStartCode.map((load) => [...load]), // loads after the start are set_code events
      changes: [...this.midRunChanges],
      // a link's replay the crash cut short: create() replays it again, and says so itself (web/framework/replay.js)
      linkReplay: this.sharedReplay?.outcome === "interrupted",
    };
  }

  /**
   * After a worker restart: build the driver as the run started (its config at step 0, the agent it loaded, the
   * code it ran from the start) and replay it to the step it had reached, each mid-run change (a setting, an edit
   * of the grid, a code load) at the step Python applied it, so the figures come back bit for bit. With
   * `withoutCode` (the edited code hung the worker) the run goes on with the reference code. Returns what could
   * not be restored, in words ([] when the run is back as it was).
   */
  async restoreRun(plan, { withoutCode = false } = {}) {
    await this.recover(plan.start);
    const lost = this.startLost ? [this.startLost] : [];
    if (this.status === "error") return [...lost, `the driver could not be built again (${this.lastFailure})`];
    this.setStatus("loading"); // no Play, Reset or training of its own while the run is replayed
    let token = this.runToken;
    const reached = (at) => token === this.runToken && this.unitsDone() === at;
    try {
      const panel = this.codePanel;
      const loads = [];
      if (panel && !withoutCode) {
        for (const [, name, source] of plan.codeAtStart) {
          if (!(await panel.setCode(name, source))) {
            lost.push(`your ${name} from step 0`);
            break;
          }
          loads.push([0, name, source]);
        }
        token = this.runToken;
      }
      for (const event of plan.events) {
        if (event.at > plan.units) break;
        const code = event.command === "set_code" || event.command === "reset_code";
        if (code && (withoutCode || !panel)) continue; // the culprit's code is not run again (the caller says so)
        const load = event.command === "set_code";
        await this.fastForward(event.at, token);
        if (!reached(event.at)) {
          lost.push(`the run from step ${this.unitsDone()} on (it could not be replayed to step ${event.at})`);
          return lost;
        }
        const payload = load
          ? await panel.setCode(event.args.name, event.args.source)
          : await this.command(event.command, event.args);
        token = this.runToken;
        if (!payload) {
          lost.push(`${event.command} at step ${event.at}, and the run after it`);
          return lost;
        }
        if (event.command === "set_code") loads.push([event.at, event.args.name, event.args.source]);
      }
      await this.fastForward(plan.units, token);
      // (a link's replay cut short by the crash goes on to the link's step: past plan.units, which is no loss)
      if (token !== this.runToken || this.unitsDone() < plan.units)
        lost.push(`the steps after ${this.unitsDone()} (the run had reached ${plan.units})`);
      if (panel) await panel.restored(loads);
      return lost;
    } catch (error) {
      this.handleError(error); // the new worker failed too: the page's banner says so and offers Restart
      return [...lost, `the run after step ${this.unitsDone()} (${error.message})`];
    } finally {
      if (this.status === "loading") this.setStatus("ready");
    }
  }

  // ---- hooks for subclasses -----------------------------------------------------------------------------
  buildControls() {}

  /** The parts (`data-part` names) an embed leaves out unless `show=` names them: all but its lesson view. */
  static embedHidden = [];
  since() {
    return 0;
  }
  accept() {}
  draw() {}
  exportData() {
    return {};
  }
  csvRows() {
    return [["figure", "value"], ...Object.entries(this.snapshot?.figures ?? {})];
  }
}
