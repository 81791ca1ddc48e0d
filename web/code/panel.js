// The Code panel under a demo: the real Python source of the functions the demo runs (the bridge's get_source reads
// it from the installed rlplay with inspect.getsource, so nothing here can drift from what runs), an editor to change
// one, "Run my code" (the demo trains with it from where it is) and "Reset to reference" (the original code, and the
// reference run replayed to the same step, so its figures come back exactly).
//
// Errors are the learner's, not the page's: the bridge answers {kind: "code", function, line, code_error, message};
// the line is marked in the editor with Python's message. A syntax error changes nothing (the previous code runs
// on); a failure while running pauses the demo, and Python has already put the previous version back.
//
// The controller gives the panel a mount point (DemoController.mount) and routes kind "code" errors here.

import { ModuleLoadError, moduleFailure } from "../loader.js";
import { el } from "../ui.js";
import { PythonEditor } from "./editor.js";
import { decodeCode, encodeCode, lastLoads, linkProblem, pythonFile } from "./share.js";

let stylesheetAdded = false;

function addStylesheet() {
  if (stylesheetAdded) return;
  stylesheetAdded = true;
  document.head.append(el("link", { rel: "stylesheet", href: new URL("./code.css", import.meta.url).href }));
}

export class CodePanel {
  /** A panel that only shows source, for a widget without a driver (the PPO clip explorer). */
  static showOnly(parent, { demo, runtime }) {
    const host = {
      demo,
      runtime,
      registry: new EventTarget(),
      snapshot: null,
      playing: false,
      pause() {},
      unitsDone: () => 0,
      showOnly: true,
    };
    const panel = new CodePanel(host);
    panel.mount(parent);
    return panel;
  }

  constructor(controller) {
    this.controller = controller;
    this.demo = controller.demo;
    this.functions = []; // [{name, role, source, module, twin, edited}], as Python describes them
    this.drafts = new Map(); // name -> text in the editor not yet run
    this.current = null;
    this.editor = null;
    this.loading = null;
    // Sources are asked for once the demo's driver exists (its first snapshot); a widget without one needs none.
    this.created = new Promise((resolve) => {
      this.onCreated = resolve;
    });
    if (controller.showOnly) this.onCreated();
    this.loads = []; // [[step, name, source]]: when each edited function began to run in this run (for sharing)
    this.lastUnits = 0;
  }

  mount(parent) {
    addStylesheet();
    const id = `${this.demo}-code`;
    this.tabs = el("div", { class: "code-tabs", role: "tablist", "aria-label": "Functions" });
    this.heading = el("p", { class: "code-heading" });
    this.editorHost = el("div", { class: "code-editor", id: `${id}-editor` });
    this.twin = el("p", { class: "code-twin" });
    this.runButton = el(
      "button",
      { type: "button", class: "primary", onclick: () => this.runMyCode(), disabled: true },
      "Run my code",
    );
    this.resetButton = el(
      "button",
      { type: "button", onclick: () => this.resetToReference(), disabled: true },
      "Reset to reference",
    );
    this.running = el("span", { class: "code-running" });
    this.shareButton = el(
      "button",
      { type: "button", onclick: () => this.copyLink(), hidden: true },
      "Copy link with my code",
    );
    this.pythonButton = el(
      "button",
      { type: "button", onclick: () => this.downloadPython(), hidden: true },
      "Reproduce in Python (.py)",
    );
    this.shareOutput = el("textarea", {
      class: "share-output",
      readonly: true,
      rows: 3,
      "aria-label": "Link with your code",
      hidden: true,
    });
    this.prompt = el("div", { class: "code-prompt", hidden: true });
    this.message = el("div", { class: "code-message", role: "status", "aria-live": "polite" });
    this.lastUpdate = el("div", { class: "code-last-update", hidden: true, "aria-live": "off" });
    this.intro = el(
      "p",
      { class: "code-intro" },
      "The real source of the functions this demo runs, read from the installed rlplay package. Change one and " +
        "press Run my code: the demo trains with your version from where it is.",
    );
    this.hint = el(
      "p",
      { class: "code-hint" },
      "Tab indents and Shift-Tab dedents; press Esc, then Tab, to leave the editor. Ctrl-Enter (⌘-Enter) runs.",
    );
    this.details = el(
      "details",
      { class: "code-panel", dataset: { control: "code" } },
      el("summary", {}, "Code: the Python that learns"),
      this.intro,
      this.tabs,
      this.heading,
      this.editorHost,
      this.lastUpdate,
      this.twin,
      this.prompt,
      el("div", { class: "code-actions" }, this.runButton, this.resetButton, this.running),
      el("div", { class: "code-actions" }, this.shareButton, this.pythonButton),
      this.shareOutput,
      this.hint,
      this.message,
    );
    this.details.addEventListener("toggle", () => {
      if (this.details.open) this.load().then(() => this.onSnapshot(this.controller.snapshot));
    });
    // Settings can change which functions run (the gridworld's rule and selector): ask Python again, once settled.
    this.controller.registry.addEventListener("change", (event) => {
      if (event.detail.demo !== this.demo) return;
      if (!this.editor) return;
      clearTimeout(this.refetchTimer);
      this.refetchTimer = setTimeout(() => this.refetch(), 300);
    });
    parent.append(this.details);
    this.readLink();
  }

  // ---- code in a link: shown, never run until asked ---------------------------------------------------------

  async readLink() {
    // The page's parameters as the registry read them (web/state.js: a duplicate or an over-long code= is reported
    // and ignored there, so it is ignored here too); a show-only panel has no registry and no link.
    const page = this.controller.registry?.page;
    const text = page?.code;
    if (!text) return;
    let link;
    try {
      link = await decodeCode(text);
    } catch (error) {
      if (page.demo === this.demo) {
        this.details.open = true;
        this.say(`${error.message[0].toUpperCase()}${error.message.slice(1)}. Nothing from it will run.`);
      }
      return;
    }
    if (link.demo !== this.demo) return; // another panel shows it, or the page says why none does (app.js)
    this.details.open = true;
    await this.load();
    const problem = linkProblem(link, this.demo, this.functions);
    if (problem) {
      this.say(`${problem[0].toUpperCase()}${problem.slice(1)}. Nothing from it will run.`);
      return;
    }
    // What runs is what is shown: the last version of each function (share.js, lastLoads); earlier ones are said.
    const loads = lastLoads(link.loads);
    const earlier = link.loads.length - loads.length;
    this.linked = { ...link, loads };
    for (const [, name, source] of loads) this.drafts.set(name, source);
    this.select(loads[0][1]);
    const names = loads.map((load) => load[1]).join(", ");
    this.prompt.replaceChildren(
      el(
        "p",
        {},
        `This link carries edited code for ${names}. It is shown above and has not run: until you ask, the demo ` +
          "runs the reference code." +
          (earlier
            ? ` It also holds ${earlier} earlier version${earlier > 1 ? "s" : ""} that its run replaced: not shown, ` +
              "and never run."
            : ""),
      ),
      el(
        "button",
        { type: "button", class: "primary", onclick: () => this.runLinkedCode() },
        "Run the code from this link",
      ),
    );
    this.prompt.hidden = false;
  }

  /** Load the link's code as the link says: each function from the step it was loaded at (here, the run's start,
   *  as a link replays the settings from the start). */
  async runLinkedCode() {
    const link = this.linked;
    if (!link) return;
    this.prompt.hidden = true;
    for (const [, name, source] of link.loads) {
      const payload = await this.setCode(name, source);
      if (!payload) return;
      this.drafts.delete(name);
      this.setFunctions(payload.functions);
      this.noteLoad(name, source);
    }
    this.linked = null;
    this.select(this.current);
    this.say(`The code from the link runs now, from step ${this.controller.unitsDone()} on.`);
  }

  // ---- sharing ----------------------------------------------------------------------------------------------

  /** Remember that ``name`` began to run ``source`` at the current step (the .py replays the loads in order). */
  noteLoad(name, source) {
    this.loads.push([this.controller.unitsDone(), name, source]);
  }

  editedFunctions() {
    return this.functions.filter((entry) => entry.edited !== null && entry.edited !== undefined);
  }

  async copyLink() {
    const edited = this.editedFunctions();
    if (!edited.length) return;
    try {
      // A link replays the settings from the start: the edited code runs from step 0 there.
      const text = await encodeCode({ demo: this.demo, loads: edited.map((entry) => [0, entry.name, entry.edited]) });
      const query = new URLSearchParams(this.controller.registry.demoQuery(this.demo, { steps: 0 }));
      query.set("code", text);
      this.shareOutput.value = `${location.origin}${location.pathname}?${query}#${this.demo}`;
      this.shareOutput.hidden = false;
      this.shareOutput.select();
      let copied = false;
      try {
        await navigator.clipboard.writeText(this.shareOutput.value);
        copied = true;
      } catch {
        // no clipboard permission: the link is selected in the box
      }
      this.say(
        `${copied ? "Copied" : "Copy it from the box"}: a link to these settings, from the start, with your ` +
          `${edited.map((entry) => entry.name).join(", ")}. Whoever opens it sees the code and decides to run it.`,
      );
    } catch (error) {
      this.say(`No link: ${error.message}.`);
    }
  }

  downloadPython() {
    const controller = this.controller;
    const steps = controller.unitsDone();
    // The run as it happened (the same record a worker restart replays: DemoController.runPlan), and what it
    // started from; a user's own agent file is named, to be saved beside the .py.
    const plan = controller.runPlan();
    const start = controller.reproduceStart?.() ?? null;
    const text = pythonFile({
      demo: this.demo,
      params: plan.start ?? controller.registry.pythonParams(this.demo),
      loads: plan.codeAtStart,
      changes: plan.events.map((event) => [event.at, event.command, event.args]),
      agent: start?.load ?? null,
      steps,
      note: start?.note ?? "",
    });
    const link = el("a", {
      href: URL.createObjectURL(new Blob([text], { type: "text/x-python" })),
      download: `rlplay-${this.demo}-code.py`,
    });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    this.say(`Downloaded rlplay-${this.demo}-code.py: it replays this run to step ${steps} with your code.`);
  }

  async refetch() {
    const payload = await this.controller.runtime.call(this.demo, "get_source", {}).catch(() => null);
    if (!payload) return;
    const before = this.functions.map((entry) => entry.name).join();
    this.setFunctions(payload.functions);
    if (payload.functions.map((entry) => entry.name).join() !== before || !this.entry(this.current)) {
      this.select(this.entry(this.current) ? this.current : this.functions[0]?.name);
    }
  }

  /** The latest snapshot: its ``last_update`` (tabular demos) goes under the code, its line highlighted. */
  onSnapshot(snapshot) {
    if (snapshot) this.onCreated();
    const units = this.controller.unitsDone();
    if (units < this.lastUnits) {
      // The run started again (Reset, new settings): the code that runs now runs from its start.
      this.loads = this.editedFunctions().map((entry) => [0, entry.name, entry.edited]);
    }
    this.lastUnits = units;
    if (!this.editor || !this.details.open) return;
    const note = snapshot?.last_update;
    this.lastUpdate.hidden = !note;
    if (!note) {
      this.editor.highlight(0);
      return;
    }
    const text = `Last update (${note.function}):\n${note.text}`;
    if (this.lastUpdate.textContent !== text) this.lastUpdate.textContent = text;
    const line = note.function === this.current && !this.drafts.has(this.current) ? note.line : 0;
    if (line !== this.highlighted) {
      this.highlighted = line;
      this.editor.highlight(line);
    }
  }

  /** The controller's unmount: the editor destroyed (CodeMirror's own listeners and observers), a pending refetch
   *  dropped. */
  destroy() {
    this.destroyed = true;
    clearTimeout(this.refetchTimer);
    this.editor?.destroy();
    this.editor = null;
  }

  /** Fetch the sources (once per driver) and build the editor on first open. */
  load() {
    this.loading ??= this.fetchSources().catch((error) => {
      this.loading = null;
      if (error instanceof ModuleLoadError)
        this.message.replaceChildren(moduleFailure("The code editor could not start", error));
      else this.say(`Could not load the code: ${error.message}`);
    });
    return this.loading;
  }

  async fetchSources() {
    await this.created;
    const payload = await this.controller.runtime.call(this.demo, "get_source", {});
    this.setFunctions(payload.functions);
    if (!this.editor) {
      const editor = await PythonEditor.create(this.editorHost, {
        label: "Python source",
        onChange: (text) => this.onEdit(text),
        onRun: () => this.runMyCode(),
      });
      if (this.destroyed) {
        editor.destroy(); // the demo was unmounted while the editor loaded
        return;
      }
      this.editor = editor;
    }
    this.select(this.current ?? this.functions[0]?.name);
    this.runButton.disabled = false;
    this.resetButton.disabled = false;
    // Nothing to edit here: no Run / Reset, no editing hints.
    const anyEditable = this.functions.some((entry) => entry.editable !== false);
    this.resetButton.hidden = !anyEditable;
    this.hint.hidden = !anyEditable;
    this.running.hidden = !anyEditable;
    this.intro.textContent = anyEditable
      ? "The real source of the functions this demo runs, read from the installed rlplay package. Change one and " +
        "press Run my code: the demo trains with your version from where it is."
      : "The real source of the function drawn here, read from the installed rlplay package (shown, not edited: " +
        "the explorer draws one fixed function).";
  }

  setFunctions(functions) {
    this.functions = functions ?? [];
    this.tabs.replaceChildren(
      ...this.functions.map((entry) =>
        el(
          "button",
          {
            type: "button",
            role: "tab",
            dataset: { function: entry.name },
            "aria-selected": entry.name === this.current ? "true" : "false",
            onclick: () => this.select(entry.name),
          },
          entry.name,
          entry.edited !== null && entry.edited !== undefined ? el("span", { class: "code-edited-mark" }, " ●") : null,
        ),
      ),
    );
    const edited = this.functions.filter((entry) => entry.edited !== null && entry.edited !== undefined);
    this.shareButton.hidden = this.pythonButton.hidden = !edited.length;
    this.running.textContent = edited.length
      ? `Running your ${edited.map((entry) => entry.name).join(", ")}`
      : "Running the reference code";
  }

  entry(name) {
    return this.functions.find((entry) => entry.name === name);
  }

  select(name) {
    const entry = this.entry(name);
    if (!entry || !this.editor) return;
    const leaving = this.entry(this.current);
    if (leaving && this.current !== name && this.editor.text !== (leaving.edited ?? leaving.source)) {
      this.drafts.set(this.current, this.editor.text); // kept until run or reset
    }
    this.current = name;
    for (const tab of this.tabs.children) {
      tab.setAttribute("aria-selected", tab.dataset.function === name ? "true" : "false");
    }
    this.heading.replaceChildren(el("code", {}, `${entry.module}.${entry.name}`), entry.role ? ` — ${entry.role}` : "");
    const editable = entry.editable !== false;
    this.runButton.hidden = !editable;
    this.twin.textContent = entry.twin;
    this.twin.hidden = !entry.twin;
    this.selecting = true;
    this.editor.text = this.drafts.get(name) ?? entry.edited ?? entry.source;
    this.selecting = false;
    this.editor.setReadOnly(!editable);
    this.editor.markError(null);
    this.highlighted = -1;
    this.onSnapshot(this.controller.snapshot);
  }

  onEdit(text) {
    if (this.selecting || !this.current) return;
    const entry = this.entry(this.current);
    if (entry && text === (entry.edited ?? entry.source)) this.drafts.delete(this.current);
    else this.drafts.set(this.current, text);
    this.onSnapshot(this.controller.snapshot); // an edited text no longer matches the highlighted line
  }

  say(text) {
    this.message.replaceChildren(el("p", {}, text));
  }

  /** set_code through the controller. The panel records each load (``loads``) for its own link and .py; the
   *  controller counts it as a mid-run change, so the page's plain link and command (which carry no code) say so. */
  async setCode(name, source) {
    this.pendingLoad = true;
    const payload = await this.controller.command("set_code", { name, source });
    this.pendingLoad = false;
    return payload;
  }

  /** Load the editor's text as the current function; the demo carries on (playing or not) with it. */
  async runMyCode() {
    if (!this.editor || !this.current) return;
    const name = this.current;
    const source = this.editor.text;
    this.editor.markError(null);
    const payload = await this.setCode(name, source);
    if (!payload) return; // the error went to showCodeError
    this.drafts.delete(name);
    this.setFunctions(payload.functions);
    this.noteLoad(name, source);
    this.say(`Your ${name} runs now, from step ${this.controller.unitsDone()} on.`);
  }

  /** Put the reference code back and replay the reference run to the step the demo had reached. */
  async resetToReference() {
    const controller = this.controller;
    const units = controller.unitsDone();
    const wasPlaying = controller.playing;
    controller.pause();
    const payload = await controller.command("reset_code", {});
    if (!payload) return;
    this.drafts.clear();
    this.loads = [];
    this.setFunctions(payload.functions);
    if (this.current) this.select(this.current);
    await controller.reset();
    if (units > 0) await controller.fastForward(units, controller.runToken);
    // Edited code that reached past its own function (a module's function, NumPy's) was undone by the bridge too.
    const undone = payload.undone?.length
      ? ` Your code had also changed ${payload.undone.join(", ")} outside its own function: put back too.`
      : "";
    this.say(
      (units > 0
        ? `Reference code restored, and the reference run replayed to step ${controller.unitsDone()}: these are its figures.`
        : "Reference code restored.") + undone,
    );
    if (wasPlaying) controller.play();
  }

  /** The edited functions' text stays in the editor as unrun drafts (the worker that ran them is being replaced). */
  keepEditsAsDrafts() {
    for (const entry of this.editedFunctions()) {
      if (!this.drafts.has(entry.name)) this.drafts.set(entry.name, entry.edited);
    }
  }

  /** After a worker restart replayed the run (DemoController.restoreRun, which loaded each of ``loads``,
   *  ``[step, name, source]``, at its step): remember them for sharing and show what the new worker runs. */
  async restored(loads) {
    this.loads = loads;
    this.lastUnits = this.controller.unitsDone();
    const payload = await this.controller.runtime.call(this.demo, "get_source", {}).catch(() => null);
    if (payload) this.setFunctions(payload.functions);
    if (this.editor && this.current) this.select(this.current);
  }

  /** A failure of edited code (from the bridge): mark its line. A failure while running pauses the demo; a
   *  failure to load (syntax error, no such function) changes nothing, and training carries on. */
  async showCodeError(error) {
    const loading = this.pendingLoad;
    if (!loading) this.controller.pause();
    if (!this.details.open) this.details.open = true;
    await this.load();
    if (error.function && error.function !== this.current) this.select(error.function);
    this.editor?.markError(error.line || 1, error.message);
    const where = error.line ? `Line ${error.line}: ` : "";
    if (loading) {
      this.say(`${where}${error.message}. Nothing changed: the previous code keeps running.`);
      return;
    }
    const payload = await this.controller.runtime.call(this.demo, "get_source", {}).catch(() => null);
    if (payload) this.setFunctions(payload.functions);
    await this.controller.refresh?.();
    // Python put the previous version back: from this step on, that is what runs (the .py replays it so).
    const back = this.entry(error.function);
    if (back) this.noteLoad(back.name, back.edited ?? back.source);
    this.say(
      `${where}${error.message}. The demo paused at step ${this.controller.unitsDone()}, its state intact; the ` +
        "previous version of the function runs again. Fix the line and press Run my code.",
    );
  }
}
