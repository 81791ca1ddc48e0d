// LineChart: a small canvas line chart shared by the demos (learning curves, regret, returns). It draws what it is
// handed and holds no training state; the controller owns the data and calls draw() when something new arrived.
//
//   import { LineChart, movingAverage } from "../views/line_chart.js";
//   const chart = new LineChart(canvas, { height: 200 });
//   chart.draw({
//     series: [
//       { label: "episode length", color: "--muted", y: lengths, faded: true },        // raw values, faint
//       { label: "moving average (20)", color: "--accent", y: movingAverage(lengths, 20), width: 2 },
//       { label: "mean ± 1 sd", color: "--good", x: steps, y: mean, band: sd },         // shaded mean ± band
//     ],
//     refLines: [{ y: 12, label: "optimal 12", color: "--gold" }],
//     xLabel: "episode", yLabel: "steps",
//     yLabelShort: "n",   // optional: the y title where yLabel does not fit (else yLabel is cut with an ellipsis)
//     yMin: 0,            // optional: any of yMin, yMax, xMin, xMax pins that end of an axis (else: from the data)
//     logX: false,        // optional: logarithmic x axis (x values <= 0 are skipped)
//     logBase: 10,        // optional, with logX: 2 puts a tick at every power of two (the book's parameter studies)
//   });
//
// Series fields:
//   y       ArrayLike of numbers (plain arrays, typed arrays; null / NaN / ±Infinity leave a gap in the line)
//   x       ArrayLike, same length as y, increasing. Default: 1, 2, 3, … (1-based, so it also works with logX);
//           xStart (number) shifts that default: x[i] = xStart + i.
//   color   a CSS colour or the name of a theme custom property ("--good"), resolved at every draw so charts follow
//           the light and dark themes.
//   width   line width in CSS px (default 1.75; faded series default to 1).
//   faded   draw faint (alpha 0.3) and beneath the others: raw noisy values under their moving average.
//   band    ArrayLike of half-widths: a shaded region y ± band (e.g. ±1 standard deviation or a confidence half-width).
//   label   shown in the legend row above the plot (omit the label to keep a series out of the legend).
// refLines: [{ y, label?, color? (default "--muted"), dash? (default [5, 4]) }]: horizontal reference lines, labelled
//   at their right end (labels that would collide move to the other side of their line or to the left, or are left
//   out), and always kept inside the y range.
//
// Options (constructor): height (CSS px, default 220; null = size the canvas with your own CSS, which must give it
//   a definite height), legend (default true), emptyText (shown when there is no data; default "no data yet"),
//   formatX / formatY (tick label formatters; default: compact numbers like 1.5k, 2M, 0.25), wholeX (x counts whole
//   things: its ticks are whole numbers, wholeTicks), yTicks / xTicks
//   (approximate tick counts; default from the size), ariaLabel (the canvas's accessible name; default
//   "<yLabel> against <xLabel>"; the chart sets role="img").
//
// Drawing: the backing store is CSS size × devicePixelRatio; the chart redraws itself with the last data when its
// canvas is resized (ResizeObserver) or the colour scheme changes. Long series are decimated to min/max per pixel
// column, so 100 000 points cost about as much as the plot's width. Call chart.destroy() to stop observing.
//
// draw() runs named steps: label, drawLegend, layout (chartRanges, yAxis, logTicks: the pure scale functions),
// drawAxes, drawData (drawBand, drawLine with decimatedRuns), drawRefLines (placeRefLabels), the empty-state
// message (placeEmptyText), so that no text is drawn over another. The pure ones are unit-tested in
// tests/js/line_chart.test.js; tests/e2e/test_layout.py checks every canvas's drawn text for overlaps.
//
// Also exported: movingAverage(values, window), niceTicks(min, max, count), formatCompact(value), chartRanges,
// knownAxes, yAxis, logTicks, log2Ticks, decimatedRuns, xOf, textBox, boxesOverlap, plotTopForLabels, placeRefLabels,
// placeEmptyText, fitWidth.

import { Disposables } from "../disposables.js";
import { fitCanvas, pixelRatio, themeColor } from "../ui.js";

const FONT_SIZE = 12; // CSS px, tick and legend labels
const LEGEND_ROW = 18; // CSS px per legend row

/**
 * Trailing moving average over `window` values; the first window-1 entries average what is available so far.
 * Non-finite values (null, NaN) are skipped and give NaN only if the whole window is empty.
 * movingAverage([2, 4, 6, 8], 2) → Float64Array [2, 3, 5, 7]
 */
export function movingAverage(values, window) {
  const n = values?.length ?? 0;
  const out = new Float64Array(n);
  const w = Math.max(1, Math.floor(window) || 1);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== null && Number.isFinite(v)) {
      sum += v;
      count += 1;
    }
    if (i >= w) {
      const old = values[i - w];
      if (old !== null && Number.isFinite(old)) {
        sum -= old;
        count -= 1;
      }
    }
    out[i] = count > 0 ? sum / count : NaN;
  }
  return out;
}

/** Ticks of a count (sweeps, episodes): niceTicks with whole steps only, so no tick reads 1.5.
 * wholeTicks(1, 2, 5) → [1, 2]; wholeTicks(0, 97, 5) → [0, 20, …, 100] */
export function wholeTicks(min, max, count = 5) {
  const ticks = niceTicks(min, max, count);
  const whole = ticks.filter((t) => Number.isInteger(t));
  if (whole.length === ticks.length) return ticks;
  const lo = Math.ceil(min);
  const hi = Math.floor(max);
  if (hi < lo) return [lo];
  const step = Math.max(1, Math.ceil((hi - lo) / Math.max(1, count - 1)));
  const out = [];
  for (let t = lo; t <= hi; t += step) out.push(t);
  return out;
}

/** Round, readable tick values covering [min, max]: steps of 1, 2 or 5 × 10^k. niceTicks(0, 97, 5) → [0, 20, …, 100] */
export function niceTicks(min, max, count = 5) {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const residual = raw / magnitude;
  const step = (residual > 5 ? 10 : residual > 2 ? 5 : residual > 1 ? 2 : 1) * magnitude;
  const ticks = [];
  const first = Math.ceil(min / step - 1e-9) * step;
  for (let k = 0; k < 1000; k++) {
    const t = Number((first + k * step).toPrecision(12));
    if (t > max + step * 1e-9) break;
    ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  }
  return ticks;
}

/** A short label for a number: 1234 → "1.2k", 2000000 → "2M", 0.25 → "0.25", 1e-4 → "1e-4", -1 → "−1" (a minus
 * sign, not a hyphen). */
export function formatCompact(value) {
  const text = compact(value);
  return value < 0 ? text.replace(/^-/, "−") : text;
}

function compact(value) {
  if (!Number.isFinite(value)) return "";
  const a = Math.abs(value);
  if (a === 0) return "0";
  const trim = (s) => s.replace(/\.0+$|(\.\d*?)0+$/, "$1");
  if (a >= 1e9) return `${trim((value / 1e9).toFixed(1))}G`;
  if (a >= 1e6) return `${trim((value / 1e6).toFixed(1))}M`;
  if (a >= 1e4) return `${trim((value / 1e3).toFixed(a >= 1e5 ? 0 : 1))}k`;
  if (a >= 1000) return `${trim((value / 1e3).toFixed(2))}k`;
  if (a >= 1) return trim(value.toFixed(a >= 100 ? 0 : 2));
  if (a >= 1e-3) return trim(value.toPrecision(2));
  return value.toExponential(0);
}

function resolveColor(color, fallback) {
  if (!color) return themeColor(fallback, "#888");
  return color.startsWith("--") ? themeColor(color, "#888") : color;
}

function finite(v) {
  return v !== null && v !== undefined && Number.isFinite(v);
}

/** The x of point i of a series: its x array, or xStart + i (1-based by default). */
export function xOf(s, i) {
  return s.x ? s.x[i] : (s.xStart ?? 1) + i;
}

/**
 * The axes' ranges: from the data (bands and reference lines included), then pinned ends (spec.xMin, ...), and
 * never empty. Returns {xLo, xHi, yLo, yHi, any} (any: some point can be drawn).
 * chartRanges([{ y: [1, 3] }], [], { yMin: 0 }) → { xLo: 1, xHi: 2, yLo: 0, yHi: 3, any: true }
 */
export function chartRanges(series, refLines, spec = {}) {
  const logX = Boolean(spec.logX);
  let xLo = Infinity;
  let xHi = -Infinity;
  let yLo = Infinity;
  let yHi = -Infinity;
  let any = false;
  for (const s of series) {
    const n = s.y.length;
    for (let i = 0; i < n; i++) {
      const y = s.y[i];
      const x = xOf(s, i);
      if (!finite(y) || !finite(x) || (logX && x <= 0)) continue;
      any = true;
      if (x < xLo) xLo = x;
      if (x > xHi) xHi = x;
      const b = s.band && finite(s.band[i]) ? Math.abs(s.band[i]) : 0;
      if (y - b < yLo) yLo = y - b;
      if (y + b > yHi) yHi = y + b;
    }
  }
  for (const r of refLines) {
    if (r.y < yLo) yLo = r.y;
    if (r.y > yHi) yHi = r.y;
  }
  if (!Number.isFinite(xLo)) {
    xLo = logX ? 1 : 0;
    xHi = logX ? 10 : 1;
  }
  if (!Number.isFinite(yLo)) {
    yLo = 0;
    yHi = 1;
  }
  if (finite(spec.xMin)) xLo = spec.xMin;
  if (finite(spec.xMax)) xHi = spec.xMax;
  if (finite(spec.yMin)) yLo = spec.yMin;
  if (finite(spec.yMax)) yHi = spec.yMax;
  if (logX) {
    xLo = Math.max(xLo, 1e-12);
    if (!(xHi > xLo)) xHi = xLo * 10;
  } else if (!(xHi > xLo)) {
    xHi = xLo + 1;
  }
  if (!(yHi > yLo)) {
    const pad = Math.abs(yLo) > 0 ? Math.abs(yLo) * 0.1 : 1;
    yLo -= pad;
    yHi += pad;
  }
  return { xLo, xHi, yLo, yHi, any };
}

/**
 * Which axes have a scale worth labelling: one that comes from the data, or (with no data) from both pinned ends (the
 * y axis: or from reference lines). Before any data an axis would otherwise span a made-up 0 to 1, and its ticks
 * (0.2, 0.4, …) would read as values: it is drawn without them.
 * knownAxes(false, [], { yMin: 0, yMax: 520 }) → { x: false, y: true }
 */
export function knownAxes(any, refLines, spec = {}) {
  return {
    x: any || (finite(spec.xMin) && finite(spec.xMax)),
    y: any || refLines.length > 0 || (finite(spec.yMin) && finite(spec.yMax)),
  };
}

/**
 * The y axis's ticks, with its automatic ends rounded out to a tick unless that wastes more than a sixth of the
 * plot (then they are padded by 4%); pinned ends (spec.yMin, spec.yMax) stay. Returns {yLo, yHi, ticks}.
 */
export function yAxis(yLo, yHi, count, spec = {}) {
  let ticks = niceTicks(yLo, yHi, count);
  if (ticks.length < 2) return { yLo, yHi, ticks };
  const step = ticks[1] - ticks[0];
  const span = yHi - yLo;
  let lo = yLo;
  let hi = yHi;
  if (!finite(spec.yMin)) {
    const rounded = Math.floor(lo / step + 1e-9) * step;
    lo = lo - rounded <= span / 6 ? rounded : lo - 0.04 * span;
  }
  if (!finite(spec.yMax)) {
    const rounded = Math.ceil(hi / step - 1e-9) * step;
    hi = rounded - hi <= span / 6 ? rounded : hi + 0.04 * span;
  }
  ticks = niceTicks(lo, hi, count);
  return { yLo: lo, yHi: hi, ticks };
}

/** Ticks of a logarithmic axis: 1-2-5, 1-3 or 1 per decade as room allows (at least 50 px apart, else decades). */
export function logTicks(xLo, xHi, plotWidth) {
  const lx0 = Math.log10(xLo);
  const lx1 = Math.log10(xHi);
  const decades = lx1 - lx0;
  const mantissas = decades <= 1.5 ? [1, 2, 5] : decades <= 3 ? [1, 3] : [1];
  let ticks = [];
  for (let e = Math.floor(lx0); e <= Math.ceil(lx1); e++) {
    for (const m of mantissas) {
      const v = m * 10 ** e;
      if (v >= xLo * (1 - 1e-9) && v <= xHi * (1 + 1e-9)) ticks.push(v);
    }
  }
  const maxTicks = Math.max(2, Math.floor(plotWidth / 50));
  if (ticks.length > maxTicks) ticks = ticks.filter((v) => Math.abs(Math.log10(v) % 1) < 1e-9);
  return ticks;
}

/** Ticks of a base-2 logarithmic axis: every power of two in range, or every second, fourth, … one when they would
 * be closer than 36 px. log2Ticks(1 / 8, 4, 500) → [0.125, 0.25, 0.5, 1, 2, 4] */
export function log2Ticks(xLo, xHi, plotWidth) {
  const e0 = Math.ceil(Math.log2(xLo) - 1e-9);
  const e1 = Math.floor(Math.log2(xHi) + 1e-9);
  const count = e1 - e0 + 1;
  if (count < 1) return [];
  let stride = 1;
  while (stride < count && (plotWidth * stride) / Math.max(1, Math.log2(xHi / xLo)) < 36) stride *= 2;
  const ticks = [];
  for (let e = e0; e <= e1; e++) if ((e - e0) % stride === 0) ticks.push(2 ** e);
  return ticks;
}

/**
 * The polyline of one series in pixels, decimated: where several points fall in one pixel column, only the first,
 * the column's min and max and the last are kept, so 100 000 points cost about the plot's width. Gaps (null, NaN,
 * x ≤ 0 on a log axis) start a new run. Returns a list of runs, each a flat [X0, Y0, X1, Y1, ...].
 */
export function decimatedRuns(s, px, py, logX = false) {
  const runs = [];
  let run = null;
  let column = NaN;
  let cMin = 0;
  let cMax = 0;
  let cLast = 0;
  let cx = 0;
  const flush = () => {
    if (!run || Number.isNaN(column)) return;
    if (cMin !== cMax) run.push(cx, cMin, cx, cMax);
    run.push(cx, cLast);
  };
  const n = s.y.length;
  for (let i = 0; i < n; i++) {
    const y = s.y[i];
    const x = xOf(s, i);
    if (!finite(y) || !finite(x) || (logX && x <= 0)) {
      flush();
      run = null;
      column = NaN;
      continue;
    }
    const X = px(x);
    const Y = py(y);
    const col = Math.round(X);
    if (!run) {
      run = [X, Y];
      runs.push(run);
      column = col;
      cx = X;
      cMin = cMax = cLast = Y;
    } else if (col === column) {
      if (Y < cMin) cMin = Y;
      if (Y > cMax) cMax = Y;
      cLast = Y;
      cx = X;
    } else {
      flush();
      run.push(X, Y);
      column = col;
      cx = X;
      cMin = cMax = cLast = Y;
    }
  }
  flush();
  return runs;
}

/**
 * The box of a text of `width` drawn at (x, y) with a canvas textAlign and textBaseline, in CSS px: {x0, y0, x1, y1}
 * (its em box: FONT_SIZE tall). textBox(40, 100, 50, "right", "bottom") → {x0: 60, y0: 38, x1: 100, y1: 50}
 */
export function textBox(width, x, y, align = "left", baseline = "alphabetic", size = FONT_SIZE) {
  const x0 = align === "right" || align === "end" ? x - width : align === "center" ? x - width / 2 : x;
  const y0 =
    baseline === "top" || baseline === "hanging"
      ? y
      : baseline === "middle"
        ? y - size / 2
        : baseline === "bottom" || baseline === "ideographic"
          ? y - size
          : y - 0.8 * size;
  return { x0, y0, x1: x0 + width, y1: y0 + size };
}

/** Whether two boxes overlap (boxes that only touch do not). */
export function boxesOverlap(a, b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/**
 * The plot's top, lowered from `top` just enough that the highest labelled reference line has room for its label
 * above it (the band between is for labels only): a line at the very top of the y range would otherwise push its
 * label below, across the lines under it. A line at fraction f of the plot from its top sits at
 * top' + f·(bottom − top'), which must be FONT_SIZE + 2 below `top`.
 * plotTopForLabels([{ y: 500, label: "cap" }], 0, 560, 100, 150) → 109.68 (the line at 114, its label at 100–112)
 */
export function plotTopForLabels(refLines, yLo, yHi, top, bottom, size = FONT_SIZE) {
  const labelled = refLines.filter((r) => r.label && r.y >= yLo && r.y <= yHi);
  if (!labelled.length || !(yHi > yLo)) return top;
  const f = (yHi - Math.max(...labelled.map((r) => r.y))) / (yHi - yLo);
  if (f >= 1) return top;
  const needed = (top + size + 2 - f * bottom) / (1 - f);
  return needed > top ? Math.min(needed, bottom - 20) : top;
}

/**
 * Where the reference lines' labels go: at the right end of their line, above it (or below), clear of each other,
 * of `obstacles` and, if at all possible, of the other reference lines (a label crossed by another line reads as
 * that line's). Tried in order: each side at the right end, then each side moved left past the labels it hits;
 * first clear of the other lines, then (a plot too low for that) crossing them. A label that finds no place inside
 * the plot is left out rather than drawn over another. labels: [{text, y (px of its line), width (px)}]; plot:
 * {left, right, top, bottom}. Returns [{text, x, y, baseline, box}] (x is the right end: drawn right-aligned).
 */
export function placeRefLabels(labels, plot, obstacles = [], size = FONT_SIZE) {
  const placed = [];
  const taken = [...obstacles];
  const lineBox = (y) => ({ x0: plot.left, y0: y - 1, x1: plot.right, y1: y + 1 });
  for (const [index, { text, y, width }] of labels.entries()) {
    const otherLines = labels.filter((_, i) => i !== index).map((label) => lineBox(label.y));
    const sides = [];
    if (y - plot.top >= size + 2) sides.push({ baseline: "bottom", ty: y - 2 });
    if (plot.bottom - y >= size + 2) sides.push({ baseline: "top", ty: y + 2 });
    let found = null;
    for (const avoidLines of [true, false]) {
      for (const shift of [false, true]) {
        for (const { baseline, ty } of sides) {
          let x = plot.right - 4;
          for (let tries = 0; tries < 20 && x - width >= plot.left + 4; tries++) {
            const box = textBox(width, x, ty, "right", baseline, size);
            if (avoidLines && otherLines.some((line) => boxesOverlap(box, line))) break; // moving left cannot help
            const hit = taken.filter((other) => boxesOverlap(box, other));
            if (!hit.length) {
              found = { text, x, y: ty, baseline, box };
              break;
            }
            if (!shift) break;
            x = Math.min(...hit.map((other) => other.x0)) - 6;
          }
          if (found) break;
        }
        if (found) break;
      }
      if (found) break;
    }
    if (found) {
      placed.push(found);
      taken.push(found.box);
    }
  }
  return placed;
}

/**
 * Where the lines of the empty-state message go: centred in the plot if that is clear of `obstacles` (reference
 * lines and their labels), else the clear position nearest the centre; null when the message fits nowhere (it is
 * then not drawn: a chart says nothing rather than write over its own labels). lines: [{text, width}].
 * Returns [{text, x, y, box}] (x is the centre, y the middle of each line).
 */
export function placeEmptyText(lines, plot, obstacles = [], size = FONT_SIZE) {
  const lineHeight = size + 4;
  const blockHeight = lines.length * lineHeight;
  const widest = Math.max(0, ...lines.map((line) => line.width));
  if (!lines.length || blockHeight > plot.bottom - plot.top - 4 || widest > plot.right - plot.left - 8) return null;
  const x = (plot.left + plot.right) / 2;
  const centre = (plot.top + plot.bottom) / 2;
  const lowest = plot.top + 2 + blockHeight / 2;
  const highest = plot.bottom - 2 - blockHeight / 2;
  const at = (middle) =>
    lines.map(({ text, width }, i) => {
      const y = middle + (i - (lines.length - 1) / 2) * lineHeight;
      return { text, x, y, box: textBox(width, x, y, "center", "middle", lineHeight) };
    });
  // Candidates by distance from the centre, 2 px apart, within the plot.
  for (let offset = 0; offset <= highest - lowest; offset += 2) {
    for (const middle of offset ? [centre - offset, centre + offset] : [centre]) {
      if (middle < lowest || middle > highest) continue;
      const placed = at(middle);
      if (!placed.some((line) => obstacles.some((other) => boxesOverlap(line.box, other)))) return placed;
    }
  }
  return null;
}

/** `text` shortened with an ellipsis to fit `maxWidth` px (as measured by `measure`); "" if not even "…" fits. */
export function fitWidth(text, maxWidth, measure) {
  if (measure(text) <= maxWidth) return text;
  for (let n = text.length - 1; n > 0; n--) {
    const shorter = `${text.slice(0, n).trimEnd()}…`;
    if (measure(shorter) <= maxWidth) return shorter;
  }
  return measure("…") <= maxWidth ? "…" : "";
}

/** Where a y-axis title `width` px long is centred: on the plot [plotTop, plotBottom], moved as little as it must
 * to stay inside the margin's free span [roomTop, roomBottom]: yTitleCentre(40, 100, 140, 60, 200) → 120, the plot's
 * middle; yTitleCentre(120, 170, 190, 60, 200) → 140, as low as a title 120 px long fits. */
export function yTitleCentre(width, plotTop, plotBottom, roomTop, roomBottom) {
  const half = width / 2;
  const centre = (plotTop + plotBottom) / 2;
  return Math.min(Math.max(centre, roomTop + half), Math.max(roomTop + half, roomBottom - half));
}

export class LineChart {
  constructor(canvas, options = {}) {
    this.canvas = canvas;
    this.options = {
      height: 220,
      legend: true,
      emptyText: "no data yet",
      formatX: formatCompact,
      formatY: formatCompact,
      ...options,
    };
    if (this.options.height !== null && this.options.height !== undefined)
      canvas.style.height = `${this.options.height}px`;
    if (!canvas.hasAttribute("role")) canvas.setAttribute("role", "img");
    this.spec = null;
    this.pending = false;
    this.disposables = new Disposables(); // what it watches on the page; destroy() lets go
    if ("ResizeObserver" in window) {
      let lastWidth = -1;
      let lastHeight = -1;
      const observer = new ResizeObserver(() => {
        if (canvas.clientWidth === lastWidth && canvas.clientHeight === lastHeight) return;
        lastWidth = canvas.clientWidth;
        lastHeight = canvas.clientHeight;
        this.redrawSoon();
      });
      this.disposables.observe(observer).observe(canvas);
    }
    const scheme = globalThis.matchMedia?.("(prefers-color-scheme: dark)");
    if (scheme) this.disposables.listen(scheme, "change", () => this.redrawSoon());
  }

  /** Stop watching the canvas's size and the colour scheme, and drop a pending redraw. */
  destroy() {
    this.disposables.dispose();
    this.spec = null;
  }

  /** Redraw the last data in the next animation frame (after a resize or a theme change). */
  redrawSoon() {
    if (this.pending || !this.spec) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      if (this.spec) this.draw(this.spec);
    });
  }

  /** Draw `spec` (see the top of this file): legend, axes, data, reference lines, in that order. */
  draw(spec) {
    this.spec = spec;
    const { context: g, width, height } = fitCanvas(this.canvas);
    if (width < 10 || height < 10) return;
    const series = (spec.series ?? []).filter((s) => s?.y);
    const refLines = (spec.refLines ?? []).filter((r) => r && finite(r.y));
    this.label(spec);
    const colors = {
      text: resolveColor("--muted"),
      grid: resolveColor("--chart-grid"),
      axis: resolveColor("--border"),
    };
    g.clearRect(0, 0, width, height);
    g.font = `${FONT_SIZE}px ${getComputedStyle(this.canvas).fontFamily || "system-ui, sans-serif"}`;
    g.textBaseline = "middle";
    const top = this.drawLegend(g, series, width, colors);
    const plot = this.layout(g, spec, series, refLines, { width, height, top });
    if (!plot) return;
    this.drawAxes(g, spec, plot, colors, height);
    this.drawData(g, series, plot);
    const refBoxes = this.drawRefLines(g, refLines, plot);
    if (!plot.any && this.options.emptyText) {
      g.fillStyle = colors.text;
      // Word-wrapped to the plot's width, so that a narrow chart does not cut its own message.
      const lines = [];
      for (const word of String(this.options.emptyText).split(" ")) {
        const last = lines.length - 1;
        if (last >= 0 && g.measureText(`${lines[last]} ${word}`).width <= plot.width - 8) lines[last] += ` ${word}`;
        else lines.push(word);
      }
      const measured = lines.map((text) => ({ text, width: g.measureText(text).width }));
      const placed = placeEmptyText(measured, plot, refBoxes);
      g.textAlign = "center";
      g.textBaseline = "middle";
      for (const line of placed ?? []) g.fillText(line.text, line.x, line.y);
    }
  }

  /** The canvas's accessible name: the option, or "<yLabel> against <xLabel>" of what this draw shows (a chart that
   *  switches from steps to averaged returns is named again). */
  label(spec) {
    const text = this.options.ariaLabel || `${spec.yLabel ?? "value"} against ${spec.xLabel ?? "x"}`;
    if (this.canvas.getAttribute("aria-label") !== text) this.canvas.setAttribute("aria-label", text);
  }

  /** The legend row(s) above the plot; returns the y where the plot may start. */
  drawLegend(g, series, width, colors) {
    const items = this.options.legend ? series.filter((s) => s.label) : [];
    if (!items.length) return 10;
    let x = 8;
    let y = 6 + LEGEND_ROW / 2;
    for (const s of items) {
      const text = String(s.label);
      const w = 18 + g.measureText(text).width + 14;
      if (x + w > width - 4 && x > 8) {
        x = 8;
        y += LEGEND_ROW;
      }
      g.globalAlpha = s.faded ? 0.45 : 1;
      g.strokeStyle = resolveColor(s.color, "--accent");
      g.lineWidth = s.faded ? 1.5 : Math.max(2, s.width ?? 2);
      g.beginPath();
      g.moveTo(x, y);
      g.lineTo(x + 14, y);
      g.stroke();
      if (s.band) {
        g.globalAlpha = 0.2;
        g.fillStyle = g.strokeStyle;
        g.fillRect(x, y - 5, 14, 10);
      }
      g.globalAlpha = 1;
      g.fillStyle = colors.text;
      g.textAlign = "left";
      g.fillText(text, x + 18, y);
      x += w;
    }
    return y + LEGEND_ROW / 2 + 10;
  }

  /** Ranges, ticks and the plot rectangle, with the data → pixel maps; null when there is no room to plot. */
  layout(g, spec, series, refLines, { width, height, top: legendBottom }) {
    let top = legendBottom;
    const o = this.options;
    const logX = Boolean(spec.logX);
    const range = chartRanges(series, refLines, spec);
    const known = knownAxes(range.any, refLines, spec);
    const yTickCount = o.yTicks ?? Math.max(2, Math.min(6, Math.floor((height - top - 30) / 32)));
    const axis = yAxis(range.yLo, range.yHi, yTickCount, spec);
    const { yLo, yHi } = axis;
    const yTicks = known.y ? axis.ticks : [];
    const { xLo, xHi } = range;
    let labelWidth = 0;
    for (const t of yTicks) labelWidth = Math.max(labelWidth, g.measureText(o.formatY(t)).width);
    const left = Math.ceil(6 + (spec.yLabel ? FONT_SIZE + 6 : 0) + labelWidth + 6);
    const right = width - 10;
    // A very short chart gives the x axis's title up to its plot (the tick labels stay, and so does the canvas's
    // accessible name), rather than draw nothing at all.
    const xLabel = spec.xLabel && height - 2 * FONT_SIZE - 12 - top >= 40 ? spec.xLabel : null;
    const bottom = height - (xLabel ? 2 * FONT_SIZE + 12 : FONT_SIZE + 10);
    const labelTop = top;
    top = plotTopForLabels(refLines, yLo, yHi, labelTop, bottom);
    const plotW = right - left;
    const plotH = bottom - top;
    if (plotW < 20 || plotH < 20) return null;
    const lx0 = logX ? Math.log10(xLo) : xLo;
    const lx1 = logX ? Math.log10(xHi) : xHi;
    const xTickCount = o.xTicks ?? Math.max(2, Math.min(8, Math.floor(plotW / 70)));
    let xTicks = [];
    if (known.x && logX) xTicks = spec.logBase === 2 ? log2Ticks(xLo, xHi, plotW) : logTicks(xLo, xHi, plotW);
    else if (known.x) xTicks = o.wholeX ? wholeTicks(xLo, xHi, xTickCount) : niceTicks(xLo, xHi, xTickCount);
    const ratio = pixelRatio(this.canvas);
    return {
      logX,
      any: range.any,
      xLo,
      xHi,
      yLo,
      yHi,
      xTicks,
      yTicks,
      left,
      right,
      top,
      labelTop,
      bottom,
      xLabel,
      width: plotW,
      height: plotH,
      ratio,
      px: (x) => left + (((logX ? Math.log10(x) : x) - lx0) / (lx1 - lx0)) * plotW,
      py: (y) => bottom - ((y - yLo) / (yHi - yLo)) * plotH,
      crisp: (v) => (Math.round(v * ratio) + 0.5) / ratio,
    };
  }

  /** Grid lines with their tick labels, the two axes, and the axis labels. */
  drawAxes(g, spec, plot, colors, height) {
    const o = this.options;
    const { left, right, top, bottom, px, py, crisp } = plot;
    g.lineWidth = 1 / plot.ratio;
    g.strokeStyle = colors.grid;
    g.fillStyle = colors.text;
    g.textAlign = "right";
    for (const t of plot.yTicks) {
      if (t < plot.yLo - 1e-12 || t > plot.yHi + 1e-12) continue;
      const y = crisp(py(t));
      g.beginPath();
      g.moveTo(left, y);
      g.lineTo(right, y);
      g.stroke();
      g.fillText(o.formatY(t), left - 6, y);
    }
    g.textAlign = "center";
    g.textBaseline = "top";
    for (const t of plot.xTicks) {
      const x = crisp(px(t));
      if (x < left - 0.5 || x > right + 0.5) continue;
      g.strokeStyle = colors.grid;
      g.beginPath();
      g.moveTo(x, top);
      g.lineTo(x, bottom);
      g.stroke();
      g.fillText(o.formatX(t), Math.min(Math.max(x, left + 8), right - 8), bottom + 4);
    }
    g.strokeStyle = colors.axis;
    g.lineWidth = 1;
    g.beginPath();
    g.moveTo(crisp(left), top);
    g.lineTo(crisp(left), crisp(bottom));
    g.lineTo(right, crisp(bottom));
    g.stroke();
    g.fillStyle = colors.text;
    if (plot.xLabel) {
      g.textAlign = "center";
      g.textBaseline = "bottom";
      g.fillText(String(plot.xLabel), left + plot.width / 2, height - 2);
    }
    if (spec.yLabel) {
      // In the left margin, which is free from the legend down to the canvas's foot: centred on the plot, moved to
      // fit when it is longer than the plot is high; yLabelShort (or an ellipsis) only if it is longer than the margin.
      const measure = (t) => g.measureText(t).width;
      const room = height - 2 - plot.labelTop;
      const long = String(spec.yLabel);
      const text = fitWidth(measure(long) > room && spec.yLabelShort ? String(spec.yLabelShort) : long, room, measure);
      const centre = yTitleCentre(measure(text), top, bottom, plot.labelTop, height - 2);
      g.save();
      g.translate(4 + FONT_SIZE / 2, centre);
      g.rotate(-Math.PI / 2);
      g.textAlign = "center";
      g.textBaseline = "middle";
      g.fillText(text, 0, 0);
      g.restore();
    }
  }

  /** Bands, then lines, clipped to the plot; faded series beneath the others. */
  drawData(g, series, plot) {
    g.save();
    g.beginPath();
    g.rect(plot.left, plot.top - 1, plot.width + 1, plot.height + 2);
    g.clip();
    const ordered = [...series.filter((s) => s.faded), ...series.filter((s) => !s.faded)];
    for (const s of ordered) if (s.band) this.drawBand(g, s, xOf, plot.px, plot.py, plot.logX, plot.width);
    for (const s of ordered) this.drawLine(g, s, plot);
    g.restore();
  }

  /** Horizontal reference lines, labelled at their right end on a plate of the chart's colour (placeRefLabels keeps
   * the labels apart; the data under a label is covered: a curve through "solved 475" struck it out).
   * Returns the boxes the lines and labels take, for the empty-state message to keep clear of. */
  drawRefLines(g, refLines, plot) {
    const { left, right, crisp, py } = plot;
    const taken = [];
    const labels = [];
    for (const r of refLines) {
      if (r.y < plot.yLo || r.y > plot.yHi) continue;
      const color = resolveColor(r.color, "--muted");
      const y = crisp(py(r.y));
      g.strokeStyle = color;
      g.lineWidth = 1.25;
      g.setLineDash(r.dash ?? [5, 4]);
      g.beginPath();
      g.moveTo(left, y);
      g.lineTo(right, y);
      g.stroke();
      g.setLineDash([]);
      taken.push({ x0: left, y0: y - 1, x1: right, y1: y + 1 });
      if (r.label) labels.push({ text: String(r.label), y, width: g.measureText(String(r.label)).width, color });
    }
    g.textAlign = "right";
    for (const label of placeRefLabels(labels, { ...plot, top: plot.labelTop })) {
      const { color } = labels.find((l) => l.text === label.text);
      g.textBaseline = label.baseline;
      const { x0, y0, x1, y1 } = label.box;
      g.fillStyle = resolveColor("--surface-2");
      g.fillRect(x0 - 2, y0 - 1, x1 - x0 + 4, y1 - y0 + 2); // 1 px more than the text, still clear of its line
      g.fillStyle = color;
      g.fillText(label.text, label.x, label.y);
      taken.push(label.box);
    }
    return taken;
  }

  /** One path per series, decimated to first/min/max/last per pixel column (decimatedRuns); a lone point is a dot. */
  drawLine(g, s, plot) {
    if (!s.y.length) return;
    g.strokeStyle = resolveColor(s.color, "--accent");
    g.globalAlpha = s.faded ? 0.3 : 1;
    g.lineWidth = s.width ?? (s.faded ? 1 : 1.75);
    g.lineJoin = "round";
    g.lineCap = "round";
    const runs = decimatedRuns(s, plot.px, plot.py, plot.logX);
    g.beginPath();
    for (const run of runs) {
      g.moveTo(run[0], run[1]);
      for (let k = 2; k < run.length; k += 2) g.lineTo(run[k], run[k + 1]);
    }
    g.stroke();
    if (s.y.length === 1 && runs.length === 1) {
      g.fillStyle = g.strokeStyle;
      g.beginPath();
      g.arc(runs[0][0], runs[0][1], 2.5, 0, 2 * Math.PI);
      g.fill();
    }
    g.globalAlpha = 1;
  }

  // The band y ± half-width as one filled polygon per unbroken run, sampled at most about twice per pixel.
  drawBand(g, s, xOf, px, py, logX, plotW) {
    const n = s.y.length;
    const stride = Math.max(1, Math.floor(n / (2 * plotW)));
    g.fillStyle = resolveColor(s.color, "--accent");
    g.globalAlpha = s.faded ? 0.08 : 0.18;
    let upper = [];
    let lower = [];
    const fill = () => {
      if (upper.length >= 2) {
        g.beginPath();
        g.moveTo(upper[0][0], upper[0][1]);
        for (const [x, y] of upper) g.lineTo(x, y);
        for (let k = lower.length - 1; k >= 0; k--) g.lineTo(lower[k][0], lower[k][1]);
        g.closePath();
        g.fill();
      }
      upper = [];
      lower = [];
    };
    for (let i = 0; i < n; i += stride) {
      const k = i + stride >= n ? n - 1 : i; // always include the last point
      const y = s.y[k];
      const b = s.band[k];
      const x = xOf(s, k);
      if (!finite(y) || !finite(b) || !finite(x) || (logX && x <= 0)) {
        fill();
        continue;
      }
      const X = px(x);
      upper.push([X, py(y + Math.abs(b))]);
      lower.push([X, py(y - Math.abs(b))]);
      if (k === n - 1) break;
    }
    fill();
    g.globalAlpha = 1;
  }
}
