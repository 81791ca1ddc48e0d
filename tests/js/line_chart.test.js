// Unit tests of the chart's pure parts (web/views/line_chart.js): scales, ticks, decimation, moving average, labels.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  boxesOverlap,
  chartRanges,
  decimatedRuns,
  fitWidth,
  formatCompact,
  knownAxes,
  log2Ticks,
  logTicks,
  movingAverage,
  niceTicks,
  placeEmptyText,
  placeRefLabels,
  plotTopForLabels,
  textBox,
  yAxis,
  yTitleCentre,
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

test("knownAxes: an axis without data is labelled only when its scale is declared", () => {
  assert.deepEqual(knownAxes(false, [], {}), { x: false, y: false }); // the made-up 0 to 1: no ticks
  assert.deepEqual(knownAxes(false, [], { xMin: 0, yMin: 0 }), { x: false, y: false }); // one end is not a scale
  assert.deepEqual(knownAxes(false, [], { xMin: 0, xMax: 500, yMin: 0, yMax: 520 }), { x: true, y: true });
  assert.deepEqual(knownAxes(false, [{ y: 475 }], { yMin: 0 }), { x: false, y: true }); // a reference line's value
  assert.deepEqual(knownAxes(true, [], {}), { x: true, y: true }); // data
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

test("log2Ticks puts a tick at every power of two, thinned by powers of two when crowded", () => {
  assert.deepEqual(log2Ticks(1 / 8, 4, 500), [0.125, 0.25, 0.5, 1, 2, 4]);
  assert.deepEqual(log2Ticks(1 / 128, 4, 300), [1 / 128, 1 / 32, 1 / 8, 0.5, 2]); // 9 octaves in 300 px: every other
  assert.deepEqual(log2Ticks(0.1, 1, 500), [0.125, 0.25, 0.5, 1]); // only powers of two inside the range
  assert.deepEqual(log2Ticks(0.3, 0.4, 500), []);
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
  assert.equal(formatCompact(-1), "−1"); // a minus sign, not a hyphen
  assert.equal(formatCompact(-1500), "−1.5k");
  assert.equal(formatCompact(-1e-4), "−1e-4");
});

test("textBox follows the canvas's textAlign and textBaseline", () => {
  assert.deepEqual(textBox(40, 100, 50, "right", "bottom"), { x0: 60, y0: 38, x1: 100, y1: 50 });
  assert.deepEqual(textBox(40, 100, 50, "center", "middle"), { x0: 80, y0: 44, x1: 120, y1: 56 });
  assert.deepEqual(textBox(40, 100, 50, "left", "top"), { x0: 100, y0: 50, x1: 140, y1: 62 });
  assert.ok(!boxesOverlap({ x0: 0, y0: 0, x1: 10, y1: 10 }, { x0: 10, y0: 0, x1: 20, y1: 10 })); // touching
  assert.ok(boxesOverlap({ x0: 0, y0: 0, x1: 10, y1: 10 }, { x0: 9, y0: 9, x1: 20, y1: 20 }));
});

// The cart-pole's learning curve in a 560×420 embed: a plot 150 px wide and 50 px tall, the cap (500) and the
// "solved" threshold (475) 2 px apart near its top, and no episode yet. This drew "solved 475" over "cap 500" and the
// empty-state message over both.
const SMALL_PLOT = { left: 40, right: 190, top: 60, bottom: 110 };
const CAP_AND_SOLVED = [
  { text: "cap 500", y: 66, width: 45 },
  { text: "solved 475", y: 68, width: 62 },
];

test("reference labels never overlap: a colliding label goes to the other side of its line, or left of the other", () => {
  const placed = placeRefLabels(CAP_AND_SOLVED, SMALL_PLOT);
  assert.equal(placed.length, 2);
  const [cap, solved] = placed;
  assert.ok(!boxesOverlap(cap.box, solved.box), JSON.stringify(placed));
  for (const { box } of placed) {
    assert.ok(box.x0 >= SMALL_PLOT.left && box.x1 <= SMALL_PLOT.right, JSON.stringify(box));
    assert.ok(box.y0 >= SMALL_PLOT.top && box.y1 <= SMALL_PLOT.bottom, JSON.stringify(box));
  }
  // The cap's label sits at the right end; too near the plot's top to go above, and no room between the lines, it
  // goes below both (crossing the threshold's line: the plot leaves no other place), and the threshold's label,
  // which would land on it, moves left past it.
  assert.equal(cap.x, SMALL_PLOT.right - 4);
  assert.ok(solved.box.x1 <= cap.box.x0, JSON.stringify(placed));
  // In a tall plot both go above their lines at the right end, if their lines are far enough apart.
  const tall = { left: 40, right: 300, top: 0, bottom: 300 };
  const apart = placeRefLabels(
    [
      { text: "cap 500", y: 30, width: 45 },
      { text: "solved 475", y: 60, width: 62 },
    ],
    tall,
  );
  assert.deepEqual(
    apart.map((label) => [label.x, label.baseline]),
    [
      [296, "bottom"],
      [296, "bottom"],
    ],
  );
});

test("a reference label stays clear of the other reference lines when the plot has room", () => {
  // The learning curve of a 390-px embed: the cap 16 px below the plot's top, the threshold 4 px below the cap. The
  // threshold's label above its line would sit on the cap's line (and read as the cap's): it goes below its own.
  const plot = { left: 60, right: 380, top: 500, bottom: 650 };
  const lines = [
    { text: "cap 500", y: 516, width: 45 },
    { text: "solved 475", y: 520, width: 62 },
  ];
  const [cap, solved] = placeRefLabels(lines, plot);
  assert.deepEqual([cap.baseline, cap.x], ["bottom", 376]);
  assert.deepEqual([solved.baseline, solved.x], ["top", 376]);
  for (const { box } of [cap, solved])
    for (const { y } of lines) assert.ok(!(box.y0 < y + 1 && y - 1 < box.y1), JSON.stringify([box, y]));
});

test("a reference label with no room anywhere in the plot is left out, never drawn over another", () => {
  const narrow = { left: 40, right: 120, top: 60, bottom: 76 };
  const placed = placeRefLabels(CAP_AND_SOLVED, narrow);
  for (let i = 0; i < placed.length; i++)
    for (let j = i + 1; j < placed.length; j++) assert.ok(!boxesOverlap(placed[i].box, placed[j].box));
  assert.ok(placed.length < 2);
});

test("the empty-state message keeps clear of the reference labels, or is not drawn", () => {
  const lines = [
    { text: "episode lengths", width: 90 },
    { text: "appear here", width: 70 },
  ];
  const tall = { left: 40, right: 200, top: 20, bottom: 220 };
  const labels = placeRefLabels(
    [
      { text: "cap 500", y: 120, width: 45 },
      { text: "solved 475", y: 124, width: 62 },
    ],
    tall,
  );
  const obstacles = labels.map((label) => label.box);
  const placed = placeEmptyText(lines, tall, obstacles);
  assert.ok(placed, "a 200 px plot has room for two lines");
  for (const line of placed) {
    for (const other of obstacles) assert.ok(!boxesOverlap(line.box, other), JSON.stringify([line, other]));
    assert.ok(line.box.y0 >= tall.top && line.box.y1 <= tall.bottom);
  }
  // Centred when the centre is free.
  const free = placeEmptyText(lines, tall, []);
  assert.equal((free[0].y + free[1].y) / 2, 120);
  // The 50 px plot of the small embed: the labels take its top, two lines need 40 px: no room, so no message.
  const small = placeRefLabels(CAP_AND_SOLVED, SMALL_PLOT).map((label) => label.box);
  assert.equal(placeEmptyText(lines, SMALL_PLOT, small), null);
  assert.equal(placeEmptyText([{ text: "far too wide for this plot", width: 400 }], tall, []), null);
});

test("fitWidth shortens with an ellipsis to the room there is", () => {
  const measure = (text) => text.length * 6;
  assert.equal(fitWidth("steps balanced", 100, measure), "steps balanced");
  assert.equal(fitWidth("steps balanced", 60, measure), "steps bal…");
  assert.equal(fitWidth("steps balanced", 3, measure), "");
});

test("the y title is centred on the plot, and moved into the free margin when it is longer than the plot", () => {
  assert.equal(yTitleCentre(40, 100, 140, 60, 200), 120); // fits beside the plot: on its middle
  assert.equal(yTitleCentre(120, 170, 190, 60, 200), 140); // would run off the foot: as low as it fits
  assert.equal(yTitleCentre(120, 62, 80, 60, 200), 120); // would run into the legend: as high as it fits
  assert.equal(yTitleCentre(140, 100, 140, 60, 200), 130); // exactly the margin's height: the margin's middle
});

test("the plot starts low enough for the highest labelled reference line's label to fit above it", () => {
  // The cart-pole's cap (500) on a y axis to 560, in a plot from 100 to 150 px: the line would be 5 px from the top.
  const top = plotTopForLabels([{ y: 500, label: "cap 500" }], 0, 560, 100, 150);
  const line = top + ((560 - 500) / 560) * (150 - top);
  assert.ok(Math.abs(line - 14 - 100) < 1e-9, `line at ${line}`); // 12 px of text and 2 px of gap above it
  // Room already, an unlabelled line, or a line outside the range: the top stays.
  assert.equal(plotTopForLabels([{ y: 300, label: "half" }], 0, 560, 100, 400), 100);
  assert.equal(plotTopForLabels([{ y: 500 }], 0, 560, 100, 150), 100);
  assert.equal(plotTopForLabels([{ y: 900, label: "off" }], 0, 560, 100, 150), 100);
});

test("wholeTicks: a count's axis never ticks between two whole numbers", async () => {
  const { wholeTicks } = await import("../../web/views/line_chart.js");
  assert.deepEqual(wholeTicks(1, 2, 5), [1, 2]);
  assert.deepEqual(wholeTicks(1, 3, 5), [1, 2, 3]);
  assert.deepEqual(wholeTicks(0, 100, 6), [0, 20, 40, 60, 80, 100]);
  for (const [lo, hi] of [
    [1, 2],
    [1, 4],
    [3, 7],
    [1, 11],
    [0, 1],
  ])
    for (const count of [2, 3, 5, 8]) assert.ok(wholeTicks(lo, hi, count).every(Number.isInteger), `${lo}..${hi}`);
});
