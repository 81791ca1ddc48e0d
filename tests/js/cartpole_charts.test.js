// Unit tests of the cart-pole's chart data and words (web/demos/cartpole/cartpole_charts.js), against hand-computed values.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  advantageSpec,
  advantageTexts,
  curveSpec,
  discountedReturns,
  previousRunLabel,
  valueSpec,
  valueStory,
  valueTexts,
} from "../../web/demos/cartpole/cartpole_charts.js";

const LIMITS = { cap: 500, solved: 475, window: 2 };

test("discountedReturns: G_t = 1 + γ G_{t+1} from the end, G_T = 0", () => {
  // γ = 0.5, T = 3: G_2 = 1, G_1 = 1 + 0.5 = 1.5, G_0 = 1 + 0.75 = 1.75
  assert.deepEqual(Array.from(discountedReturns(3, 0.5)), [1.75, 1.5, 1]);
  // γ = 0.9: the closed form (1 − γ^(T−t)) / (1 − γ)
  const G = discountedReturns(50, 0.9);
  for (let t = 0; t < 50; t++) assert.ok(Math.abs(G[t] - (1 - 0.9 ** (50 - t)) / 0.1) < 1e-12);
  assert.equal(discountedReturns(0, 0.9).length, 0);
});

test("the learning curve: earlier runs faded, this run's episodes and their moving mean, the cap and solved lines", () => {
  const previousRuns = [{ label: "PPO, before", algo: "ppo", mean100: [1, 2] }];
  const spec = curveSpec({ algo: "dqn", lengths: [10, 20, 30], previousRuns, limits: LIMITS });
  assert.deepEqual(
    spec.series.map((s) => [s.label, s.color, Boolean(s.faded)]),
    [
      ["PPO, before", "--cp-ppo", true],
      ["each episode", "--cp-dqn", true],
      ["DQN: mean of last 2", "--cp-dqn", false],
    ],
  );
  assert.deepEqual(Array.from(spec.series[2].y), [10, 15, 25]); // mean of the last 2 (1 at the first)
  assert.deepEqual(
    spec.refLines.map((r) => [r.y, r.label]),
    [
      [500, "cap 500"],
      [475, "solved 475"],
    ],
  );
  assert.equal(spec.yMax, 560); // ⌈500 × 1.12⌉: room above the cap for its label
});

test("the advantage chart names TD errors for DQN and advantages otherwise", () => {
  assert.equal(advantageTexts("dqn").title, "TD-error scale per update");
  assert.equal(advantageTexts("ppo").title, "Advantage scale per update");
  const spec = advantageSpec({ algo: "ppo", advScale: [2, 4] });
  assert.equal(spec.series[1].label, "PPO: std of advantages (mean of 20)");
  assert.deepEqual(Array.from(spec.series[1].y), [2, 3]);
  assert.equal(advantageSpec({ algo: "dqn", advScale: [] }).yLabel, "TD error std");
});

test("the value chart: V(s) or max Q(s, a) against the return that followed, a cursor at the replay's step", () => {
  assert.equal(valueTexts("dqn").title, "Q-network: max Q(s, a) along the replayed episode");
  assert.equal(valueTexts("ppo").noCritic, null);
  assert.match(valueTexts("reinforce").noCritic, /^REINFORCE has no critic and no baseline/);
  assert.match(valueTexts("reinforce-baseline").noCritic, /its baseline b\(t\)/);
  const replay = { T: 3, k: 1.7, gamma: 0.5, values: [1.5, 1.25, 1] };
  const spec = valueSpec({ replay, algo: "actor-critic" });
  assert.deepEqual(Array.from(spec.series[0].y), [1.75, 1.5, 1]);
  assert.equal(spec.series[1].label, "critic V(sₜ), now");
  assert.deepEqual([spec.series[2].x, spec.series[2].y], [[2], [1.25]]); // step 2 (1-based), V there
  assert.deepEqual([spec.refLines[0].y, spec.refLines[0].label], [2, "1/(1−γ) = 2"]);
});

test("valueStory tells what the value chart shows", () => {
  assert.match(valueStory([100], 500, 500), /^At the cap the episode was cut, not failed: V\(s\)/);
  assert.match(valueStory([100], 500, 500, true), /max Q\(s, a\) keeps predicting/);
  // a peak of 10 and a tail of 6 < 0.7 × 10: it saw the fall coming
  assert.match(valueStory([8, 10, 6], 3, 500), /^The critic sees the fall coming/);
  assert.match(valueStory([8, 10, 6], 3, 500, true), /^The Q-network sees the fall coming/);
  // a tail of 7 = 0.7 × 10 is not below it
  assert.match(valueStory([8, 10, 7], 3, 500), /^V\(s\) is the critic's estimate now/);
});

test("an earlier run's label names its algorithm and the settings that differ, never algo itself", () => {
  const run = { algo: "ppo", config: { algo: "ppo", lr: "0.01", seed: "0", gamma: "0.99" } };
  assert.equal(previousRunLabel(run, { algo: "dqn", lr: "0.01", seed: "1", gamma: "0.99" }), "PPO (seed 0), before");
  assert.equal(previousRunLabel(run, { algo: "dqn" }), "PPO, before");
  assert.equal(previousRunLabel({ algo: "odd", config: {} }, {}), "odd, before");
});
