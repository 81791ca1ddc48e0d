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

import { el } from "../ui.js";
import { PythonEditor } from "./editor.js";

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
      el("div", { class: "code-actions" }, this.runButton, this.resetButton, this.running),
      this.hint,
      this.message,
    );
    this.details.addEventListener("toggle", () => {
      if (this.details.open) this.load().then(() => this.onSnapshot(this.controller.snapshot));
    });
    // Settings can change which functions run (the gridworld's rule and selector): ask Python again, once settled.
    this.controller.registry.addEventListener("change", (event) => {
      if (event.detail.demo !== this.demo || !this.editor) return;
      clearTimeout(this.refetchTimer);
      this.refetchTimer = setTimeout(() => this.refetch(), 300);
    });
    parent.append(this.details);
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
    if (!this.editor || !this.details.open) return;
    const note = snapshot?.last_update;
    this.lastUpdate.hidden = !note;
    if (!note) {
      this.editor.highlight(0);
      return;
    }
    const text = `Last update (${note.function}): ${note.text}`;
    if (this.lastUpdate.textContent !== text) this.lastUpdate.textContent = text;
    const line = note.function === this.current && !this.drafts.has(this.current) ? note.line : 0;
    if (line !== this.highlighted) {
      this.highlighted = line;
      this.editor.highlight(line);
    }
  }

  /** Fetch the sources (once per driver) and build the editor on first open. */
  load() {
    this.loading ??= this.fetchSources().catch((error) => {
      this.loading = null;
      this.say(`Could not load the code: ${error.message}`);
    });
    return this.loading;
  }

  async fetchSources() {
    const payload = await this.controller.runtime.call(this.demo, "get_source", {});
    this.setFunctions(payload.functions);
    if (!this.editor) {
      this.editor = await PythonEditor.create(this.editorHost, {
        label: "Python source",
        onChange: (text) => this.onEdit(text),
        onRun: () => this.runMyCode(),
      });
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

  /** Load the editor's text as the current function; the demo carries on (playing or not) with it. */
  async runMyCode() {
    if (!this.editor || !this.current) return;
    const name = this.current;
    const source = this.editor.text;
    this.editor.markError(null);
    this.pendingLoad = true;
    const payload = await this.controller.command("set_code", { name, source });
    this.pendingLoad = false;
    if (!payload) return; // the error went to showCodeError
    this.drafts.delete(name);
    this.setFunctions(payload.functions);
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
    this.setFunctions(payload.functions);
    if (this.current) this.select(this.current);
    await controller.reset();
    if (units > 0) await controller.fastForward(units, controller.runToken);
    this.say(
      units > 0
        ? `Reference code restored, and the reference run replayed to step ${controller.unitsDone()}: these are its figures.`
        : "Reference code restored.",
    );
    if (wasPlaying) controller.play();
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
    this.say(
      `${where}${error.message}. The demo paused at step ${this.controller.unitsDone()}, its state intact; the ` +
        "previous version of the function runs again. Fix the line and press Run my code.",
    );
  }
}
