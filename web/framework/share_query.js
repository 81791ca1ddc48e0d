// What Copy link and the Embed snippet carry (web/app.js's share tools), built once so that they cannot drift.

import { REPLAY_CAP } from "../state.js";

/**
 * What Copy link and Embed carry, from one function so that they cannot drift: the run's settings, the steps a link
 * can replay, and what the run started from (the cart-pole's agent=); with the note on what they cannot carry (the
 * work beside the run too: a planner's sweeps, a sweep, a comparison, controller.sideNote). An
 * embed writes only the settings that differ from their defaults (it opens on the defaults for the rest), unless it
 * names a scene.
 */
export function shareQuery(controller, registry, { embed = false } = {}) {
  const steps = controller.replayableSteps();
  const what = embed ? "the embed" : "the link";
  const note = [
    !steps && controller.unitsDone() > 0
      ? `Settings changed during this run: ${what} replays the current settings from the start.`
      : "",
    steps > REPLAY_CAP
      ? `This run is at step ${steps.toLocaleString("en-US")}, past the ${REPLAY_CAP.toLocaleString("en-US")} a ` +
        `link replays: ${what} opens at step ${REPLAY_CAP.toLocaleString("en-US")}.`
      : "",
    controller.linkNote(),
    controller.sideNote(what),
  ]
    .filter(Boolean)
    .join(" ");
  const query = registry.demoQuery(controller.demo, {
    steps,
    ...controller.linkExtras(),
    // (every setting when a scene is named: the opener applies the scene's settings to those the link leaves out)
    ...(embed ? { embed: true, changedOnly: !registry.page.scene } : {}),
  });
  return { query, note };
}
