// The cart-pole comparison's status sentences (web/demos/cartpole/cartpole_research.js) say what really runs: every
// run stops when it solves or at the episode budget (rlplay.demos.cartpole.compare), never "N runs of E episodes".
import assert from "node:assert/strict";
import { test } from "node:test";
import { replayFrame, watchFrame } from "../../web/demos/cartpole/cartpole_clock.js";
import { compareBanner, compareStatus } from "../../web/demos/cartpole/cartpole_research.js";

const counts = { algos: 2, seeds: 8, episodes: 2000, solved: 475 };

test("the comparison's start, progress and end say each run stops when solved or at the budget", () => {
  assert.equal(
    compareStatus("start", counts),
    "Training 8 seeds each of 2 algorithms (16 runs), each run until solved or 2,000 episodes " +
      "(solved: mean of the last 100 reaches 475)…",
  );
  assert.equal(
    compareStatus("progress", { ...counts, finished: 5, total: 16, fraction: 0.4 }),
    "5 of 16 runs finished, each until solved or 2,000 episodes (40% of the work).",
  );
  assert.equal(
    compareStatus("done", { ...counts, total: 16 }),
    "Done: 8 seeds each of 2 algorithms (16 runs), each run until solved or 2,000 episodes.",
  );
  for (const phase of ["start", "progress", "done"])
    assert.doesNotMatch(compareStatus(phase, counts), /runs of [\d,]+ episodes/);
});

test("one algorithm and one seed are singular", () => {
  assert.equal(
    compareStatus("done", { algos: 1, seeds: 1, episodes: 600, solved: 475 }),
    "Done: 1 seed each of 1 algorithm (1 run), each run until solved or 600 episodes.",
  );
});

test("while a comparison runs the stage says so, not 'press Play to train'", () => {
  assert.equal(compareBanner({ running: false, finished: 3, total: 16 }), null);
  const banner = compareBanner({ running: true, finished: 3, total: 16 });
  assert.equal(banner, "comparing over seeds — 3 of 16 runs finished, below");
  assert.equal(
    compareBanner({ running: true, finished: 3, total: 16, cancelling: true }),
    "cancelling the seed comparison",
  );
  // the stage, paused with no episode of its own, shows the comparison's banner in Train and Watch
  assert.equal(replayFrame(null, { algo: "PPO", playing: false, busy: banner }).banner, banner);
  assert.equal(watchFrame(null, { algo: "PPO", playing: false, busy: banner }).banner, banner);
  // and without one, the invitation to Play
  assert.equal(replayFrame(null, { algo: "PPO", playing: false, busy: null }).banner, "press Play to train");
});
