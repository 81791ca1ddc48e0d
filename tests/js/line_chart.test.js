// Unit tests of the chart's pure parts (web/views/line_chart.js): scales, ticks, decimation, moving average, labels.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  chartRanges,
  decimatedRuns,
  formatCompact,
  logTicks,
  movingAverage,
  niceTicks,
  yAxis,
} from "../../web/views/line_chart.js";

test("niceTicks steps by 1, 2 or 5 × 10^k and covers the range", () => {
  assert.deepEqual(niceTicks(0, 97, 5), [0, 20, 40, 60, 80]);
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(-0.3, 0.3, 3), [-0.2, 0, 0.2]);
  assert.deepEqual(niceTicks(5, 5), [5]);
});

test("chartRanges takes the data, bands and reference lines, then pinned ends; gaps and log x ≤ 0 are skipped", () => {
  const series = [{ y: [1, null, 3, Number.NaN, 2] }, { x: [0, 10], y: [5, 6], band: [1, 0.5] }];
  assert.deepEqual(chartRanges(series, [{ y: 20 }]), { xLo: 0, xHi: 10, yLo: 1, yHi: 20, any: true });
  assert.deepEqual(chartRanges(series, [], { yMin: 0, xMax: 4 }), { xLo: 0, xHi: 4, yLo: 0, yHi: 6.5, any: true });
  const log = chartRanges([{ x: [0, 1, 100], y: [9, 1, 2] }], [], { logX: true });
  assert.equal(log.xLo, 1);
  assert.equal(log.xHi, 100);
  assert.equal(log.yLo, 1); // the point at x = 0 is not on a log axis
  assert.deepEqual(chartRanges([], []), { xLo: 0, xHi: 1, yLo: 0, yHi: 1, any: false });
  const flat = chartRanges([{ y: [3, 3] }], []);
  assert.ok(flat.yLo < 3 && flat.yHi > 3); // a flat line gets room above and below
});

test("yAxis rounds automatic ends out to ticks, keeps pinned ends, pads when rounding would waste space", () => {
  assert.deepEqual(yAxis(3, 97, 5), { yLo: 0, yHi: 100, ticks: [0, 20, 40, 60, 80, 100] });
  const pinned = yAxis(0, 97, 5, { yMin: 0, yMax: 97 });
  assert.equal(pinned.yLo, 0);
  assert.equal(pinned.yHi, 97);
  const padded = yAxis(100, 101.1, 2); // rounding 101.1 up to 102 would waste most of the plot
  assert.ok(padded.yHi > 101.1 && padded.yHi < 102);
});

test("logTicks gives 1-2-5 in a short span, decades only when crowded", () => {
  assert.deepEqual(logTicks(1, 10, 500), [1, 2, 5, 10]);
  assert.deepEqual(logTicks(1, 1e6, 500), [1, 10, 100, 1000, 10000, 100000, 1000000]);
  assert.deepEqual(logTicks(1, 100, 500), [1, 3, 10, 30, 100]);
  assert.deepEqual(logTicks(1, 100, 100), [1, 10, 100]); // room for 2: decades only
});

test("decimatedRuns keeps first, min, max and last per pixel column, and breaks runs at gaps", () => {
  const px = (x) => x / 1000; // 1000 points per pixel column
  const py = (y) => y;
  const y = Array.from({ length: 10000 }, (_, i) => Math.sin(i) * 10);
  const [run] = decimatedRuns({ y }, px, py);
  assert.ok(run.length / 2 <= 4 * 11, `${run.length / 2} points for 11 columns`); // ≤ 4 a column
  const ys = run.filter((_, k) => k % 2 === 1);
  assert.equal(Math.min(...ys), Math.min(...y)); // the extremes survive decimation
  assert.equal(Math.max(...ys), Math.max(...y));
  assert.equal(run[run.length - 1], py(y[y.length - 1])); // so does the last point
  const gappy = decimatedRuns({ y: [1, 2, null, 4, 5] }, (x) => x * 10, py);
  assert.equal(gappy.length, 2);
  assert.deepEqual(gappy[0].slice(0, 2), [10, 1]);
  assert.deepEqual(gappy[1].slice(0, 2), [40, 4]);
  assert.equal(decimatedRuns({ x: [0, 10], y: [1, 2] }, Math.log10, py, true).length, 1); // x = 0 skipped on log
});

test("movingAverage is trailing, starts with what is there, skips non-finite values", () => {
  assert.deepEqual(Array.from(movingAverage([2, 4, 6, 8], 2)), [2, 3, 5, 7]);
  assert.deepEqual(Array.from(movingAverage([1, null, 3], 3)), [1, 1, 2]);
  assert.ok(Number.isNaN(movingAverage([null], 3)[0]));
});

test("formatCompact writes short tick labels", () => {
  assert.equal(formatCompact(0), "0");
  assert.equal(formatCompact(1234), "1.23k");
  assert.equal(formatCompact(20000), "20k");
  assert.equal(formatCompact(2000000), "2M");
  assert.equal(formatCompact(0.25), "0.25");
  assert.equal(formatCompact(150), "150");
  assert.equal(formatCompact(Number.NaN), "");
});
