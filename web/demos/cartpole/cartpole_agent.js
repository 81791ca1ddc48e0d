// Keep an agent: Save downloads the current agent as a small JSON file (weights, algorithm, settings, seed, episodes
// trained); Load opens one (file picker, or drop the file on the demo) and Watch shows it balance; "Watch a trained
// agent" loads the one shipped with the site (web/agents/cartpole-pretrained.json, made by `python3 build.py agent`).
// Python owns the format and checks every file (rlplay.demos.cartpole.agent): a refused file changes nothing, and its
// message is shown here.

import { RuntimeCallError } from "../../runtime/client.js";
import { displayText } from "../../state.js";
import { el } from "../../ui.js";

export const PRETRAINED_URL = new URL("../../agents/cartpole-pretrained.json", import.meta.url);

/** The text of the agent shipped with the site. */
export async function fetchPretrained() {
  const response = await fetch(PRETRAINED_URL);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}
const MAX_FILE_BYTES = 5_000_000; // the driver refuses larger texts anyway; this spares reading them

export class AgentFiles {
  /** `controller` is the cart-pole controller: its runtime, registry and run state are used, never copied. */
  constructor(controller) {
    this.controller = controller;
    this.status = el("p", { class: "cartpole-agent-status", role: "status", "aria-live": "polite" });
    this.input = el("input", { type: "file", accept: ".json,application/json", hidden: true });
    this.input.addEventListener("change", () => {
      const file = this.input.files?.[0];
      this.input.value = "";
      if (file) this.loadFile(file);
    });
    const button = (text, control, onclick) =>
      el("button", { type: "button", class: "small", dataset: { control }, onclick }, text);
    this.element = el(
      "div",
      { class: "cartpole-agent", dataset: { control: "agent" } },
      button("Save agent", "save-agent", () => this.save()),
      button("Load agent…", "load-agent", () => this.input.click()),
      button("Watch a trained agent", "pretrained", () => this.loadPretrained()),
      this.input,
      this.status,
    );
    // "Watching it now" holds only while Watch is the mode: another mode takes the sentence away (issue 24).
    controller.disposables.listen(controller.registry, "change", (event) => {
      if (event.detail.demo !== controller.demo || event.detail.name !== "mode" || !this.loaded) return;
      if (this.status.textContent.startsWith(this.loaded)) this.say(this.loadedText(event.detail.value), "good");
    });
  }

  /** The sentence after a load, true in `mode`: "Watching it now" only while watching. */
  loadedText(mode) {
    return mode === "watch" ? `${this.loaded} Watching it now.` : this.loaded;
  }

  /** The run is no longer the loaded agent's (Reset, a setting that starts a fresh run, a restart that could not
   *  load it again): the sentence about the load goes with it, so it never describes an agent that is gone. */
  forget() {
    if (!this.loaded) return;
    if (this.status.textContent.startsWith(this.loaded)) this.say("");
    this.loaded = null;
  }

  /** Let a file dropped anywhere on `target` load as an agent (until the controller unmounts: `target` is its
   *  root, which outlives it). */
  acceptDrops(target) {
    const { disposables } = this.controller;
    disposables.listen(target, "dragover", (event) => {
      if (!event.dataTransfer?.types?.includes("Files")) return;
      event.preventDefault();
      target.classList.add("cartpole-drop");
    });
    disposables.listen(target, "dragleave", () => target.classList.remove("cartpole-drop"));
    disposables.listen(target, "drop", (event) => {
      const file = event.dataTransfer?.files?.[0];
      target.classList.remove("cartpole-drop");
      if (!file) return;
      event.preventDefault();
      this.loadFile(file);
    });
  }

  say(text, tone = "") {
    this.status.textContent = text;
    this.status.dataset.tone = tone;
  }

  async save() {
    const c = this.controller;
    try {
      const payload = await c.runtime.call(c.demo, "save_agent", { args: {}, since: c.since() });
      const text = payload.result;
      const agent = JSON.parse(text);
      const name = `cartpole-${agent.algo}-seed${agent.seed}-episode${agent.episodes}.json`;
      const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
      const link = el("a", { href: url, download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.say(
        `Saved ${name}: ${agent.algo} after ${agent.episodes} episodes (${text.length.toLocaleString()} bytes).`,
      );
    } catch (error) {
      this.say(`Could not save the agent: ${error.message}`, "bad");
    }
  }

  async loadFile(file) {
    // A file's name is the sender's text (a name with a right-to-left override reads "agent.json" backwards)
    const name = displayText(file.name, 80);
    if (file.size > MAX_FILE_BYTES) {
      this.say(`Not loaded: ${name} is ${file.size.toLocaleString()} bytes, far larger than an agent file.`, "bad");
      return;
    }
    let text;
    try {
      text = await file.text();
    } catch (error) {
      this.say(`Not loaded: could not read ${name} (${error.message}).`, "bad");
      return;
    }
    await this.loadText(text, name, { kind: "file", name: file.name, text });
  }

  async loadPretrained() {
    try {
      await this.loadText(await fetchPretrained(), "the trained agent", { kind: "pretrained" });
    } catch (error) {
      this.say(`Could not fetch the trained agent: ${error.message}`, "bad");
    }
  }

  /** Hand the text to Python; on success the demo becomes that agent (a fresh run of its seed) and Watch starts.
   *  `source` is the run's lineage ({kind: "pretrained"} or {kind: "file", name, text}): links, commands and a
   *  worker restart start from it again. */
  async loadText(text, name, source) {
    const c = this.controller;
    const wasPlaying = c.playing;
    if (wasPlaying) c.pause();
    try {
      const payload = await c.runtime.call(c.demo, "load_agent", { args: { text }, since: 0 });
      c.adoptAgent(payload, source);
      const before = payload.snapshot?.trained_before ?? {};
      this.loaded = `Loaded ${name}: ${payload.result.algo}, seed ${payload.result.seed}, trained for ${before.episodes ?? "?"} episodes.`;
      c.registry.set(c.demo, "mode", "watch");
      this.say(this.loadedText("watch"), "good");
      c.play();
    } catch (error) {
      const message = error instanceof RuntimeCallError && error.kind === "input" ? error.message : String(error);
      this.say(`Not loaded: ${name} was refused, and nothing changed. ${message}`, "bad");
      if (wasPlaying) c.play();
    }
  }
}
