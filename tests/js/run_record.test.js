// The run record (web/framework/controller.js: noteRunHistory, replayableSteps, reproduceNote) and what Copy link says
// about work beside the run (a planner's sweeps, RLHF's β sweep, the cart-pole's comparison over seeds: Python's
// DemoDriver.SIDE_COMMANDS, web/contract.json's side_commands), run by `node --test tests/js/`.
// The browser half (a restart brings the sweeps back) is tests/e2e/test_recovery.py.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { compareSideNote, spreadSideNote } from "../../web/demos/cartpole/cartpole_research.js";
import { plannerSideNote } from "../../web/demos/gridworld/gridworld_planning.js";
import { sweepSideNote } from "../../web/demos/rlhf/rlhf.js";
import { DemoController } from "../../web/framework/controller.js";
import { shareQuery } from "../../web/framework/share_query.js";
import { StateRegistry } from "../../web/state.js";

const contract = JSON.parse(readFileSync(new URL("../../web/contract.json", import.meta.url), "utf8"));
const schema = JSON.parse(readFileSync(new URL("../../web/params.json", import.meta.url), "utf8"));

/** A controller of `demo` as the run record sees one: the base's record methods on a run at step `steps`. */
function recorder(demo, steps, sideNote = () => "") {
  const controller = Object.create(DemoController.prototype);
  Object.assign(controller, {
    demo,
    contract: contract[demo],
    snapshot: { figures: { [contract[demo].units ?? "steps"]: steps }, config: { seed: "0" } },
    midRunChanges: [],
    runEvents: [],
    runStart: { seed: "0" },
    runStartCode: [],
    historyUnits: steps,
    linkNote: () => "",
    linkExtras: () => ({}),
    sideNote,
  });
  return controller;
}

const answer = (controller) => ({ figures: { ...controller.snapshot.figures }, config: { seed: "0" } });

test("Python declares the work beside the run, and the contract carries it to the page", () => {
  assert.deepEqual(contract.gridworld.side_commands, ["plan_phase", "plan_reset", "plan_step"]);
  assert.deepEqual(contract.rlhf.side_commands, ["sweep"]);
  assert.deepEqual(contract.cartpole.side_commands, ["compare_cancel", "compare_start", "compare_step"]);
  assert.deepEqual(contract.bandit.side_commands, []);
});

test("planner sweeps mid-run keep the link's steps, and a restart still replays them at their step", () => {
  const gridworld = recorder("gridworld", 500);
  gridworld.noteRunHistory("plan_step", { args: { n: 1 } }, answer(gridworld), {});
  gridworld.noteRunHistory("plan_phase", {}, answer(gridworld), {});
  assert.deepEqual(gridworld.midRunChanges, []);
  assert.equal(gridworld.replayableSteps(), 500);
  assert.deepEqual(
    gridworld.runPlan().events.map(({ at, command, args }) => [at, command, args]),
    [
      [500, "plan_step", { args: { n: 1 } }],
      [500, "plan_phase", {}],
    ],
  );
  // a change of the world is a change of the run: the link then replays the current settings from the start
  gridworld.noteRunHistory("toggle_wall", { args: { row: 1, col: 2 } }, answer(gridworld), {});
  assert.deepEqual(gridworld.midRunChanges, ["toggle_wall(1, 2) at step 500"]);
  assert.equal(gridworld.replayableSteps(), 0);
});

test("RLHF's β sweep is recorded by the updates it reached, beside the run", () => {
  const rlhf = recorder("rlhf", 40);
  rlhf.noteRunHistory("sweep", { args: { until: 21 } }, answer(rlhf), {});
  assert.equal(rlhf.replayableSteps(), 40);
  assert.deepEqual(rlhf.runPlan().events, [{ at: 40, command: "sweep", args: { args: { until: 21 } } }]);
});

test("the link keeps the run's steps and says which work beside the run it does not carry", () => {
  const planner = { sweeps: 12, improvements: 0 };
  const gridworld = recorder("gridworld", 500, (what) => plannerSideNote(planner, what));
  gridworld.noteRunHistory("plan_step", { args: { n: 12 } }, answer(gridworld), {});
  const registry = new StateRegistry(schema, {});
  const { query, note } = shareQuery(gridworld, registry);
  assert.equal(new URLSearchParams(query).get("steps"), "500");
  assert.equal(
    note,
    "The link does not carry the planning panel's 12 sweeps: where it opens, make them again with Step sweep or " +
      "Finish phase (the same world gives the same V_k).",
  );
  assert.match(shareQuery(gridworld, registry, { embed: true }).note, /^The embed does not carry the planning/);
  assert.equal(
    gridworld.reproduceNote(),
    "The command does not carry the planning panel's 12 sweeps: it trains the run alone.",
  );
});

test("each demo's side note names what is on its screen, and is silent when there is nothing", () => {
  assert.equal(plannerSideNote({ sweeps: 0, improvements: 0 }, "the link"), "");
  assert.equal(plannerSideNote(undefined, "the link"), "");
  assert.match(
    plannerSideNote({ sweeps: 31, improvements: 1 }, "the link"),
    /^The link does not carry the planning panel's 31 sweeps and 1 improvement:/,
  );
  assert.equal(sweepSideNote(null, "the link"), "");
  assert.equal(sweepSideNote({ done: 0, total: 70 }, "the link"), "");
  assert.equal(
    sweepSideNote({ done: 35, total: 70 }, "the link"),
    "The link does not carry the β sweep (35 of 70 updates): where it opens, press Run the β sweep (the same " +
      "settings give the same curves).",
  );
  assert.equal(spreadSideNote(undefined, "the link"), "");
  assert.equal(
    spreadSideNote({ episodes: 16, steps: 4200 }, "the command"),
    "The command does not carry the gradient's spread (16 episodes of the policy at step 4,200): it trains the run " +
      "alone.",
  );
  assert.equal(compareSideNote(null, "the link"), "");
  assert.equal(
    compareSideNote({ algos: 2, seeds: 8, episodes: 600 }, "the embed"),
    "The embed does not carry the comparison over seeds (2 algorithms on 8 seeds, each until solved or 600 " +
      "episodes): where it opens, choose the same and press Compare over seeds (on the same settings it gives the " +
      "same result).",
  );
});
