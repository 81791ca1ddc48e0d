// Before and after (issue 24): a run the user replaced stays on a demo's charts, faded and labelled, until cleared.
// Two things replace a run: Run my code (the run so far is the "reference", or, when it replaces an edit, the run
// "before your edit") and a setting that restarts it (the run is named by what differed: "seed 0, before"). The demo
// says what a run is (the curves it copies) and draws it faded; this keeps it, names it and owns its Clear button.
// The gridworld and the bandit use it; the cart-pole keeps a list of earlier runs of its own (cartpole.js).

import { el } from "../ui.js";

/** The label of the run Run my code replaces: the reference code's, or an earlier edit's. */
export function codeRunLabel(edited) {
  return edited ? "before your edit" : "reference";
}

/**
 * The label of a run a restart replaced, naming the settings that differed (their old values):
 *
 *   restartLabel("Q-learning", { seed: "0", algo: "q-learning" }, { seed: "5", algo: "q-learning" }, ["seed"])
 *   → "Q-learning (seed 0), before"
 *   restartLabel("", { runs: "1" }, { runs: "200" }, ["runs"]) → "runs 1, before"
 *
 * `skip` leaves out a setting the base already names (the gridworld's rule).
 */
export function restartLabel(base, oldConfig, newConfig, restarted, skip = []) {
  const differs = (restarted ?? [])
    .filter(
      (name) =>
        !skip.includes(name) &&
        oldConfig?.[name] !== undefined &&
        String(newConfig?.[name]) !== String(oldConfig[name]),
    )
    .map((name) => `${name} ${oldConfig[name]}`)
    .join(", ");
  if (!base) return `${differs || "the run"}, before`;
  return `${base}${differs ? ` (${differs})` : ""}, before`;
}

/** The faded run a demo keeps ({label, ...its curves}, or null) and the button that clears it. */
export class KeptRun {
  constructor({ className = "", onChange = () => {} } = {}) {
    this.run = null;
    this.onChange = onChange;
    this.button = el(
      "button",
      {
        type: "button",
        class: `small ${className}`.trim(),
        dataset: { control: "clear-before" },
        hidden: true,
        onclick: () => this.set(null),
      },
      "Clear the faded run",
    );
  }

  set(run) {
    this.run = run;
    this.button.hidden = !run;
    this.onChange(run);
  }
}
