// Replaying a shared run: a link's steps=N trains the same seed and settings to N units of work on load, so the
// reader sees the run that was shared. Bounded, visible and cancellable:
// - N is capped at REPLAY_CAP when the URL is read (web/state.js says why that number);
// - a progress bar shows how far it is, with a Cancel button; Cancel stops after the current chunk (at most
//   CHUNK_MS of the worker's time) and leaves the demo ready at the step reached;
// - Reset, a settings change (a preset, a slider) or a re-create during the replay stop it and say so; the demo is
//   left usable, never stuck in "loading";
// - if the worker crashes or is restarted during the replay, the replay starts again from step 0 after the restart
//   (the same seed gives the same run) and the page says so.
//
// The controller calls replayShared(controller, token) from create(); its only other hook is
// controller.sharedReplay (this module's state) for Reset and the restart path.

import { REPLAY_CAP } from "../state.js";
import { el } from "../ui.js";

const CHUNK_MS = 50; // the worker's time per replay request: Cancel answers within about this long
const COUNT = new Intl.NumberFormat("en-US");

/** The replay a controller owes on create: the link's steps, unless already done or cancelled. 0 = none. */
export function replayTarget(controller) {
  const { steps, demo: focus } = controller.registry.page;
  if (!(steps > 0) || (focus && focus !== controller.demo)) return 0;
  const state = controller.sharedReplay;
  if (state && (state.outcome === "done" || state.outcome === "cancelled" || state.outcome === "stopped")) return 0;
  return Math.min(steps, REPLAY_CAP);
}

class ReplayState {
  constructor(controller, target) {
    this.controller = controller;
    this.target = target;
    this.outcome = "running"; // "running" | "done" | "cancelled" | "stopped" | "interrupted"
    this.cancelRequested = false;
    this.attempt = (controller.sharedReplay?.attempt ?? 0) + 1;
    this.bar = el("progress", { max: target, value: 0, "aria-label": "Replay progress" });
    this.label = el("span", { class: "replay-label" });
    this.cancelButton = el(
      "button",
      { type: "button", dataset: { control: "cancel-replay" }, onclick: () => this.cancel() },
      "Cancel replay",
    );
    this.box = el(
      "div",
      { class: "replay", role: "status", "aria-live": "polite", dataset: { replay: "running" } },
      this.label,
      this.bar,
      this.cancelButton,
    );
  }

  unit() {
    return this.controller.demo === "bandit" ? "pull" : "step";
  }

  show(done) {
    this.bar.value = Math.min(done, this.target);
    const pct = Math.floor((100 * Math.min(done, this.target)) / this.target);
    this.label.textContent = `Replaying the shared run: ${this.unit()} ${COUNT.format(done)} of ${COUNT.format(this.target)} (${pct}%)`;
  }

  cancel() {
    this.cancelRequested = true;
    this.cancelButton.disabled = true;
    this.label.textContent = "Cancelling the replay…";
  }

  /** Say something about the replay in the demo's messages, next to (not instead of) Python's notices. */
  say(message) {
    this.notice ??= el("p", { class: "notice", dataset: { notice: "replay" } });
    this.notice.textContent = message;
    const messages = this.controller.messages;
    if (messages && !messages.contains(this.notice)) messages.append(this.notice);
  }

  finish(outcome, message) {
    this.outcome = outcome;
    this.box.dataset.replay = outcome;
    this.box.remove();
    this.say(message);
  }
}

/**
 * Replay the shared run to the link's step count, in budgeted requests. Returns when it is done, cancelled or
 * stopped by something the user did; throws what the runtime throws (a crash), leaving the state "interrupted" so
 * that the create() after a restart replays again.
 */
export async function replayShared(controller, token) {
  const target = replayTarget(controller);
  if (!target) return;
  const previous = controller.sharedReplay;
  const state = new ReplayState(controller, target);
  controller.sharedReplay = state;
  // At the top of the demo, where it is seen (in an embed, the bottom of the panel is often below the frame).
  (controller.root.querySelector(".demo-panel") ?? controller.root).prepend(state.box);
  // The driver exists while it replays: Reset (and Step, Episode, New arms) can be pressed, and stop the replay.
  controller.showPlayState();
  if (controller.resetButton) controller.resetButton.disabled = false;
  const restarted = previous?.outcome === "interrupted";
  state.say(
    restarted
      ? "The Python worker restarted during the replay: replaying the shared run again from the start (the same seed gives the same run)."
      : `Replaying the shared run to ${state.unit()} ${COUNT.format(target)}: the same seed and settings give the same run.`,
  );
  state.show(controller.unitsDone());
  const unit = state.unit();
  let reached = controller.unitsDone(); // of this replay's run (a loaded agent or a reset starts another)
  try {
    while (controller.unitsDone() < target) {
      if (state.cancelRequested) {
        const done = controller.unitsDone();
        state.finish(
          "cancelled",
          `Replay cancelled at ${unit} ${COUNT.format(done)} of ${COUNT.format(target)}. Press Play to train on from here.`,
        );
        return;
      }
      if (token !== controller.runToken) break;
      const payload = await controller.call("run", { budget_ms: CHUNK_MS, max_units: target - controller.unitsDone() });
      if (token !== controller.runToken) break;
      controller.receive(payload.snapshot, "run");
      reached = controller.unitsDone();
      state.show(reached);
      if (payload.ran === 0) {
        state.finish(
          "done",
          `Replayed the shared run to ${unit} ${COUNT.format(controller.unitsDone())}: the run ends there.`,
        );
        return;
      }
    }
  } catch (error) {
    state.outcome = "interrupted";
    state.box.remove();
    throw error;
  }
  if (token !== controller.runToken) {
    // Reset, a settings change or a new create took over: what the user did wins, and the demo stays usable.
    state.finish(
      "stopped",
      `The replay stopped at ${unit} ${COUNT.format(reached)} of ${COUNT.format(target)}, because the run was reset, changed or replaced.`,
    );
    return;
  }
  state.finish(
    "done",
    `Replayed the shared run to ${unit} ${COUNT.format(controller.unitsDone())}: the same seed and settings give the same run.`,
  );
}
