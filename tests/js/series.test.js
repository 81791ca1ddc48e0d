// Unit tests of the growing series (web/framework/series.js), run by `node --test tests/js/`.
import assert from "node:assert/strict";
import { test } from "node:test";

import { GrowingSeries, rowsOf, tailPlacement } from "../../web/framework/series.js";

test("tails continue a series, replace what they overlap, and refuse to leave a gap", () => {
  const series = new GrowingSeries(2);
  assert.equal(series.put(0, [1, 2, 3]), true);
  assert.equal(series.put(3, new Float64Array([4, 5])), true); // grows past its first capacity
  assert.deepEqual(series.toArray(), [1, 2, 3, 4, 5]);
  assert.equal(series.put(2, [30]), true); // an overlap: series[2:] = [30]
  assert.deepEqual(series.toArray(), [1, 2, 30]);
  assert.equal(series.put(5, [6]), false); // a gap: nothing changes, the caller asks for the whole series
  assert.deepEqual(series.toArray(), [1, 2, 30]);
  assert.equal(series.put(-1, [0]), false);
  assert.equal(series.put(0, []), true);
  assert.equal(series.length, 0);
});

test("a long series grows by doubling and keeps every value", () => {
  const series = new GrowingSeries();
  const expected = [];
  for (let offset = 0; offset < 5000; offset += 7) {
    const tail = Array.from({ length: 7 }, (_, i) => offset + i);
    assert.ok(series.put(offset, tail));
    expected.push(...tail);
  }
  assert.equal(series.length, expected.length);
  assert.deepEqual(series.toArray(), expected);
  assert.ok(series.buffer.length < 2 * expected.length + 1024);
});

test("values is a view: no copy of the history per tail", () => {
  const series = new GrowingSeries();
  series.put(0, [1, 2]);
  const view = series.values;
  assert.ok(view instanceof Float64Array);
  assert.equal(view.buffer, series.buffer.buffer);
});

test("tailPlacement names the three cases", () => {
  assert.equal(tailPlacement(10, 10), "append");
  assert.equal(tailPlacement(10, 0), "overlap");
  assert.equal(tailPlacement(10, 12), "gap");
});

test("rowsOf splits a (rows, n) worker array into per-lane views", () => {
  const rows = rowsOf({ data: new Float64Array([1, 2, 3, 4, 5, 6]), shape: [3, 2] });
  assert.deepEqual(
    rows.map((row) => Array.from(row)),
    [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
  );
  assert.deepEqual(Array.from(rowsOf({ data: new Float64Array([7, 8]), shape: [2] })[0]), [7, 8]);
  assert.deepEqual(rowsOf(undefined), []);
});
