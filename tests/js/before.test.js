// The before-and-after labels (web/framework/before.js): what a faded run is called once it has been replaced.
import assert from "node:assert/strict";
import { test } from "node:test";

import { codeRunLabel, restartLabel } from "../../web/framework/before.js";

test("a restart names the settings that differed, with their old values", () => {
  const old = { seed: "0", algo: "q-learning", alpha: "0.5" };
  assert.equal(
    restartLabel("Q-learning", old, { ...old, seed: "5" }, ["seed"], ["algo"]),
    "Q-learning (seed 0), before",
  );
  // the rule the base names is not named twice; a setting named as restarted that did not change is left out
  assert.equal(
    restartLabel("Q-learning", old, { ...old, algo: "sarsa" }, ["algo", "alpha"], ["algo"]),
    "Q-learning, before",
  );
  assert.equal(
    restartLabel("", { runs: "1", seed: "0" }, { runs: "200", seed: "3" }, ["seed", "runs"]),
    "seed 0, runs 1, before",
  );
  assert.equal(restartLabel("", { runs: "1" }, { runs: "1" }, ["runs"]), "the run, before");
});

test("Run my code keeps the reference run, or the edit it replaces", () => {
  assert.equal(codeRunLabel(false), "reference");
  assert.equal(codeRunLabel(true), "before your edit");
});
