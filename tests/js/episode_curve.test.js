// Unit tests of the gridworld's bounded learning curve (web/demos/gridworld/gridworld_curve.js), against a plain-array oracle.
import assert from "node:assert/strict";
import { test } from "node:test";

import { EpisodeCurve, MOVING_AVERAGE } from "../../web/demos/gridworld/gridworld_curve.js";

test("the first episodes are kept exactly, with a trailing moving average", () => {
  const curve = new EpisodeCurve();
  const lengths = Array.from({ length: 50 }, (_, i) => 100 - i);
  for (const length of lengths) curve.push(length);
  const { x, y, average } = curve.series();
  assert.deepEqual(
    Array.from(x),
    lengths.map((_, i) => i + 1),
  );
  assert.deepEqual(Array.from(y), lengths);
  const window = lengths.slice(50 - MOVING_AVERAGE);
  assert.equal(average[49], window.reduce((a, b) => a + b, 0) / MOVING_AVERAGE);
  assert.equal(average[0], 100);
});

test("a long run stays bounded, every episode counted, and bucket means are the means of their episodes", () => {
  const curve = new EpisodeCurve();
  const n = 100_000;
  let total = 0;
  for (let i = 0; i < n; i++) {
    curve.push(i % 7);
    total += i % 7;
  }
  const { x, y } = curve.series();
  assert.equal(curve.total, n);
  assert.equal(x[x.length - 1], n);
  assert.ok(x.length <= 1024 + 1024, `${x.length} points`);
  // the points' weighted sum (mean × episodes in the point) is the sum of every episode
  let sum = 0;
  let previous = 0;
  for (let i = 0; i < x.length; i++) {
    sum += y[i] * (x[i] - previous);
    previous = x[i];
  }
  assert.ok(Math.abs(sum - total) < 1e-6 * total);
});

test("skipped episodes leave a gap (NaN) and the moving average starts again after it", () => {
  const curve = new EpisodeCurve();
  for (let i = 0; i < 5; i++) curve.push(10);
  curve.skip(100);
  curve.push(20);
  const { x, y, average } = curve.series();
  assert.equal(curve.total, 106);
  assert.ok(Number.isNaN(y[5]) && Number.isNaN(average[5]));
  assert.equal(x[x.length - 1], 106);
  assert.equal(average[average.length - 1], 20);
});
