// When a learner's edited code hangs the Python worker inside one C call.
//
// rlplay.core.user_code stops edited code that runs too long by counting its lines (a time budget per call, BUDGET_S),
// so an infinite Python loop is stopped in Python and the demo carries on. A loop inside one C call
// (sum(range(10**10)), a huge NumPy array) runs no line of Python until it returns: nothing in the worker can stop it. Pyodide's interrupt
// buffer would need a SharedArrayBuffer, which needs cross-origin isolation headers GitHub Pages cannot send, and
// CPython checks it only between bytecodes anyway, so it would not stop sum() either. The page's watchdog
// (web/runtime/client.js) sees the worker fall silent and stops it; this module makes that honest and lossless:
//
// - the call the worker was running when it fell silent came from a demo running edited code (the client names the
//   demo of the oldest call owed, error.stalledDemo): that demo's code is the cause, and its Code panel says so;
// - edited code gives signs of life while it runs, so the watchdog knows it was running and stops the worker after
//   user_code_stall_ms of silence rather than stall_ms (web/runtime/client.js's LIMITS);
// - edited code can also leave the worker running but deaf (js.self.onmessage = None): heartbeats come, answers do
//   not; the watchdog counts the answers owed (error.deaf), and the culprit is the demo running edited code whose
//   call the worker answered last;
// - the worker is restarted at once (no Restart button to find), and every demo on the page is replayed as it ran
//   (DemoController.restoreRun: its config at step 0, each settings change and code load at its step) to the step
//   it had reached: the culprit with the reference code (its edited text stays in the editor, as an unrun draft),
//   the others with the code they ran. What a replay could not restore is named (restoreNote).

/** The controller whose edited code hung the worker, or null if the failure is not that (a crash elsewhere). */
export function editedCodeCulprit(controllers, error) {
  if (error?.kind !== "crash") return null;
  if (error.deaf) {
    const edited = controllers.filter((candidate) => candidate.codePanel?.editedFunctions().length);
    return edited.find((candidate) => candidate.demo === error.lastAnsweredDemo) ?? edited[0] ?? null;
  }
  if (!error.stalledDemo) return null;
  const controller = controllers.find((candidate) => candidate.demo === error.stalledDemo);
  if (!controller?.codePanel) return null;
  const loading = error.stalledCommand === "set_code"; // the edited code's top level, as it loaded
  return loading || controller.codePanel.editedFunctions().length ? controller : null;
}

/** What a restored run's notice adds: nothing when it came back as it was, else what did not, and why. */
export function restoreNote(lost) {
  return lost.length
    ? ` Not restored: ${lost.join("; ")}. Its figures differ from the run that was on the screen.`
    : " Every setting changed during the run was applied again at its step: the figures are those of the run before.";
}

/**
 * The embeds of one page share one Python worker (web/runtime/client.js): when another embed found it dead (edited
 * code there hung it, or it crashed) and moved to a new one, this page follows and brings each of its demos back to
 * its step, with the code each ran, as the page does for its own demos after a hang.
 */
export async function recoverAfterRestartElsewhere(runtime, controllers, error) {
  const plans = controllers.map((controller) => ({ controller, plan: controller.runPlan() }));
  await new Promise((resolve) => setTimeout(resolve, 0)); // the failed calls' own handlers first
  runtime.restart().catch(() => {});
  await Promise.all(
    plans.map(async ({ controller, plan }) => {
      const lost = await controller.restoreRun(plan, { withoutCode: false });
      if (plan.units > 0) {
        controller.showNotices([
          `${error.message} This demo was replayed to step ${controller.unitsDone()}.${restoreNote(lost)}`,
        ]);
      }
    }),
  );
}

/** Restart the worker and bring every demo back to the step it had reached (see the module comment). */
export async function recoverFromEditedCode(runtime, controllers, culprit, error) {
  const plans = controllers.map((controller) => ({ controller, plan: controller.runPlan() }));
  const names = culprit.codePanel.editedFunctions().map((entry) => entry.name);
  if (error.stalledCommand === "set_code" && !names.includes(error.stalledFunction)) names.push(error.stalledFunction);
  culprit.codePanel.keepEditsAsDrafts();
  const { stall_ms, user_code_stall_ms } = runtime.limits;
  const silence = (error.inUserCode ? user_code_stall_ms : stall_ms) / 1000;
  const cause = error.deaf
    ? `Your ${names.join(", ")} most likely stopped the Python worker from taking requests: it kept running but ` +
      `answered nothing for ${stall_ms / 1000} s (edited code that replaces the worker's message handler, ` +
      "js.self.onmessage, does this); so the Python worker was restarted."
    : `Your ${names.join(", ")} kept Python busy without a pause for more than ${silence} s, most likely in a loop ` +
      "inside one built-in or NumPy call (like sum(range(10**10))), which the time budget per call cannot interrupt; " +
      "so the Python worker was restarted.";
  culprit.codePanel.say(`${cause} Restoring the demo with the reference code…`);
  // Let the failed calls' own handlers run first (they mark their demos stopped), then rebuild.
  await new Promise((resolve) => setTimeout(resolve, 0));
  runtime.restart().catch(() => {});
  const outcomes = await Promise.all(
    plans.map(async ({ controller, plan }) => {
      const lost = await controller.restoreRun(plan, { withoutCode: controller === culprit });
      if (controller !== culprit && plan.units > 0) {
        controller.showNotices([
          `The Python worker was restarted (edited code in the ${culprit.demo} demo hung it); this demo was ` +
            `replayed to step ${controller.unitsDone()}.${restoreNote(lost)}`,
        ]);
      }
      return lost;
    }),
  );
  const culpritLost = outcomes[plans.findIndex((plan) => plan.controller === culprit)] ?? [];
  const settings = culpritLost.length
    ? restoreNote(culpritLost)
    : plans.find((p) => p.controller === culprit)?.plan.changes.length
      ? " The settings you changed during the run were applied again at their steps."
      : "";
  // (a driver that could not be built again is not "back": the runtime's banner offers Restart)
  const where =
    culprit.status === "error"
      ? "The demo could not be brought back"
      : `The demo is back at step ${culprit.unitsDone()}, replayed with the reference code`;
  culprit.codePanel.say(
    `${cause} ${where}; your code is still in the editor, not running. Fix it and press Run my code.${settings}`,
  );
}
