// The bandit race's machines and lanes: one slot machine per arm, and under it one lane per strategy showing what
// that strategy believes and does. A renderer only: it draws the numbers it is handed and keeps none of them.
//
//   const view = new BanditView(container);
//   view.draw({
//     lanes: [{label: "ε-greedy", color: "#e0703a"}, ...],   // fixed order, one per row of Q, N, lastArm
//     Q: [[...k], ...], N: [[...k], ...], lastArm: [2, 0, 2], // estimates Q(a), pull counts N(a), the arm just pulled
//     means: [...k], optimalArm: 3, reveal: false,           // the hidden means μ(a), drawn only when revealed
//     ucb: {lane: 2, c: 2, t: 140},                          // draw UCB's bonus c·√(ln t / N(a)) above its Q(a)
//     valueRange: [lo, hi],                                  // the shared scale of Q and μ
//   });
//
// Two stacked canvases: the machines' bodies, the lane frames and labels change only with the size, the theme, the
// number of arms or "Reveal" (static layer); the bars, estimates and lamps change with every pull (moving layer).

import { el, fitCanvas, themeColor } from "../ui.js";

const MACHINE_HEIGHT = 62; // px: body of a slot machine, with its window and one lamp per lane
const LANE_LABEL = 18; // px: the lane's name above its row
const VALUE_STRIP = 46; // px: estimates Q(a) (and the revealed μ(a)) on the shared value scale
const COUNT_STRIP = 32; // px: pull counts N(a), as bars of the share of pulls N(a)/t
const LANE_GAP = 8;
const STRIP_SCALE = [0.3, 1.6]; // the strips stretch or shrink within these factors to fill the container's height
const PAD_X = 6;

function colors() {
  return {
    text: themeColor("--text", "#1d1f24"),
    muted: themeColor("--muted", "#5d6270"),
    border: themeColor("--border", "#dcd8ce"),
    surface: themeColor("--surface", "#fff"),
    surface2: themeColor("--surface-2", "#f2f0ea"),
    grid: themeColor("--chart-grid", "#e6e2d8"),
    gold: themeColor("--gold", "#e0a100"),
    wall: themeColor("--wall", "#3a3d46"),
  };
}

function roundRect(context, x, y, width, height, radius) {
  context.beginPath();
  context.roundRect(x, y, width, height, Math.min(radius, width / 2, height / 2));
}

/** A colour with alpha, from a CSS hex colour (#rgb or #rrggbb); other forms are returned unchanged. */
function alpha(color, a) {
  const hex = color.trim();
  if (!/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(hex)) return color;
  const full = hex.length === 4 ? [...hex.slice(1)].map((c) => c + c).join("") : hex.slice(1);
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${a})`;
}

export function formatValue(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return value.toFixed(2);
}

export class BanditView {
  constructor(container, { label = "Slot machines and the three strategies' estimates and pull counts" } = {}) {
    this.staticCanvas = el("canvas", { class: "bandit-layer bandit-static", "aria-hidden": "true" });
    this.movingCanvas = el("canvas", { class: "bandit-layer bandit-moving", role: "img", "aria-label": label });
    this.wrapper = el("div", { class: "bandit-machines" }, this.staticCanvas, this.movingCanvas);
    container.append(this.wrapper);
    this.staticKey = "";
  }

  /** The CSS height the view needs for a number of lanes; the container sets it so the layout does not jump. */
  static heightFor(laneCount) {
    return MACHINE_HEIGHT + 10 + laneCount * (LANE_LABEL + VALUE_STRIP + COUNT_STRIP + LANE_GAP);
  }

  /** Where things go in a width × height box. At heightFor(laneCount) the strips have their natural size; a
   *  container of another height (an embed fills what its frame has left) stretches or shrinks them. */
  layout(width, height, k, laneCount) {
    const columnWidth = (width - 2 * PAD_X) / k;
    const room = (height - MACHINE_HEIGHT - 10) / laneCount - LANE_LABEL - LANE_GAP;
    const scale = Math.max(STRIP_SCALE[0], Math.min(STRIP_SCALE[1], room / (VALUE_STRIP + COUNT_STRIP)));
    const valueStrip = Math.round(VALUE_STRIP * scale);
    const countStrip = Math.round(COUNT_STRIP * scale);
    const lanes = [];
    let y = MACHINE_HEIGHT + 10;
    for (let i = 0; i < laneCount; i++) {
      const labelY = y;
      const valueTop = y + LANE_LABEL;
      const countTop = valueTop + valueStrip;
      lanes.push({ labelY, valueTop, valueBottom: countTop - 4, countTop, countBottom: countTop + countStrip });
      y = countTop + countStrip + LANE_GAP;
    }
    return { columnWidth, lanes, x: (arm) => PAD_X + arm * columnWidth };
  }

  draw(data) {
    const k = data.means.length;
    if (!k) return;
    const palette = colors();
    const { width } = fitCanvas(this.staticCanvas);
    const key = [
      width,
      this.staticCanvas.clientHeight,
      window.devicePixelRatio,
      k,
      data.reveal,
      data.reveal ? data.means.join() : "",
      data.optimalArm,
      Object.values(palette).join(),
      data.lanes.map((lane) => lane.label + lane.color).join(),
    ].join("|");
    if (key !== this.staticKey) {
      this.staticKey = key;
      this.drawStatic(data, palette);
    }
    this.drawMoving(data, palette);
  }

  drawStatic(data, palette) {
    const { context, width, height } = fitCanvas(this.staticCanvas);
    context.clearRect(0, 0, width, height);
    const k = data.means.length;
    const { columnWidth, lanes, x } = this.layout(width, height, k, data.lanes.length);
    const inset = Math.min(5, columnWidth * 0.08);
    context.textAlign = "center";
    context.textBaseline = "middle";
    for (let arm = 0; arm < k; arm++) {
      const left = x(arm) + inset;
      const bodyWidth = columnWidth - 2 * inset;
      const best = data.reveal && arm === data.optimalArm;
      // The machine: a rounded body, the arm's number, a window with its mean (or "?"), lamps below.
      roundRect(context, left, 4, bodyWidth, MACHINE_HEIGHT - 8, 8);
      context.fillStyle = palette.surface2;
      context.fill();
      context.lineWidth = best ? 2.5 : 1;
      context.strokeStyle = best ? palette.gold : palette.border;
      context.stroke();
      context.fillStyle = palette.muted;
      context.font = "600 12px system-ui, sans-serif";
      // "arm 3" when it fits inside the body with 4 px to spare each side, else the number alone
      const label = best ? `★ ${arm + 1}` : `arm ${arm + 1}`;
      const short = best ? `★${arm + 1}` : String(arm + 1);
      context.fillText(context.measureText(label).width <= bodyWidth - 8 ? label : short, left + bodyWidth / 2, 14);
      const windowWidth = Math.max(10, bodyWidth - 10);
      roundRect(context, left + (bodyWidth - windowWidth) / 2, 22, windowWidth, 18, 4);
      context.fillStyle = palette.surface;
      context.fill();
      context.strokeStyle = palette.border;
      context.lineWidth = 1;
      context.stroke();
      context.fillStyle = data.reveal ? (best ? palette.gold : palette.text) : palette.muted;
      // 12 px at least (legible); in a narrow window the mean drops its leading zero, and is left out if it still
      // does not fit (the tooltip-free table below the race gives every figure in full).
      context.font = `${data.reveal ? 600 : 400} 12px ui-monospace, monospace`;
      let text = data.reveal ? formatValue(data.means[arm]) : "?";
      if (context.measureText(text).width > windowWidth - 4) text = text.replace(/^(-?)0\./, "$1.");
      if (context.measureText(text).width <= windowWidth - 4) context.fillText(text, left + bodyWidth / 2, 31.5);
    }
    // Lane frames: a faint cell per arm, so columns line up with the machines above.
    context.textAlign = "left";
    context.textBaseline = "alphabetic";
    data.lanes.forEach((lane, i) => {
      const row = lanes[i];
      for (let arm = 0; arm < k; arm++) {
        roundRect(context, x(arm) + 2, row.valueTop, columnWidth - 4, row.countBottom - row.valueTop, 5);
        context.fillStyle = alpha(palette.surface2, 1);
        context.fill();
      }
      context.fillStyle = lane.color;
      roundRect(context, PAD_X, row.labelY + 4, 10, 10, 2);
      context.fill();
    });
  }

  drawMoving(data, palette) {
    const { context, width, height } = fitCanvas(this.movingCanvas);
    context.clearRect(0, 0, width, height);
    const k = data.means.length;
    const { columnWidth, lanes, x } = this.layout(width, height, k, data.lanes.length);
    const [lo, hi] = data.valueRange;
    const inset = Math.min(5, columnWidth * 0.08);
    const bodyWidth = columnWidth - 2 * inset;

    // Lamps on each machine: lit in a lane's colour when that lane pulled it last.
    const lampRadius = Math.max(2.5, Math.min(5, bodyWidth / (3 * data.lanes.length)));
    for (let arm = 0; arm < k; arm++) {
      const centre = x(arm) + columnWidth / 2;
      data.lanes.forEach((lane, i) => {
        const lampX = centre + (i - (data.lanes.length - 1) / 2) * (lampRadius * 2.6);
        context.beginPath();
        context.arc(lampX, MACHINE_HEIGHT - 14, lampRadius, 0, 2 * Math.PI);
        const lit = data.lastArm[i] === arm;
        context.fillStyle = lit ? lane.color : alpha(lane.color, 0.16);
        context.fill();
        if (lit) {
          context.lineWidth = 1.5;
          context.strokeStyle = palette.surface;
          context.stroke();
        }
      });
    }

    data.lanes.forEach((lane, i) => {
      const row = lanes[i];
      const Q = data.Q[i];
      const N = data.N[i];
      const pulls = N.reduce((sum, n) => sum + n, 0);
      const span = row.valueBottom - row.valueTop - 6;
      const valueY = (v) => row.valueBottom - 3 - Math.max(0, Math.min(1, (v - lo) / (hi - lo || 1))) * span;

      // The lane's name, and its greedy arm right now.
      context.font = "600 12px system-ui, sans-serif";
      context.textBaseline = "alphabetic";
      context.textAlign = "left";
      context.fillStyle = palette.text;
      context.fillText(lane.label, PAD_X + 15, row.labelY + 13);
      if (lane.note) {
        const labelWidth = context.measureText(lane.label).width;
        context.font = "12px system-ui, sans-serif";
        context.fillStyle = palette.muted;
        context.fillText(lane.note, PAD_X + 22 + labelWidth, row.labelY + 13);
      }

      // Zero on the value scale, when it is in range.
      if (lo < 0 && hi > 0) {
        context.strokeStyle = palette.grid;
        context.lineWidth = 1;
        context.setLineDash([3, 3]);
        context.beginPath();
        context.moveTo(PAD_X, Math.round(valueY(0)) + 0.5);
        context.lineTo(width - PAD_X, Math.round(valueY(0)) + 0.5);
        context.stroke();
        context.setLineDash([]);
      }

      for (let arm = 0; arm < k; arm++) {
        const left = x(arm) + 2;
        const cellWidth = columnWidth - 4;
        const centre = left + cellWidth / 2;
        const pulled = data.lastArm[i] === arm;
        if (pulled) {
          roundRect(context, left, row.valueTop, cellWidth, row.countBottom - row.valueTop, 5);
          context.fillStyle = alpha(lane.color, 0.16);
          context.fill();
          context.lineWidth = 1.5;
          context.strokeStyle = lane.color;
          context.stroke();
        }

        // The hidden mean μ(a), when revealed: a gold dashed line across the cell.
        if (data.reveal) {
          const y = valueY(data.means[arm]);
          context.strokeStyle = palette.gold;
          context.lineWidth = 2;
          context.setLineDash([4, 3]);
          context.beginPath();
          context.moveTo(left + 3, y);
          context.lineTo(left + cellWidth - 3, y);
          context.stroke();
          context.setLineDash([]);
        }

        // UCB's optimism: a whisker from Q(a) up to Q(a) + c·√(ln t / N(a)), clipped to the strip.
        if (data.ucb && data.ucb.lane === i && data.ucb.t > 0) {
          const top = N[arm] > 0 ? valueY(Q[arm] + data.ucb.c * Math.sqrt(Math.log(data.ucb.t) / N[arm])) : -Infinity;
          const y0 = valueY(N[arm] > 0 ? Q[arm] : 0);
          const y1 = Math.max(row.valueTop + 2, top);
          context.strokeStyle = alpha(lane.color, 0.7);
          context.lineWidth = 1.5;
          context.beginPath();
          context.moveTo(centre, y0);
          context.lineTo(centre, y1);
          context.moveTo(centre - 4, y1);
          context.lineTo(centre + 4, y1);
          context.stroke();
        }

        // The estimate Q(a): a bar-shaped marker in the lane's colour; hollow while the arm is untried.
        const qY = valueY(N[arm] > 0 ? Q[arm] : 0);
        const markerWidth = Math.min(cellWidth * 0.5, 28); // narrower than μ's line, whose ends stay visible
        roundRect(context, centre - markerWidth / 2, qY - 2.5, markerWidth, 5, 2.5);
        if (N[arm] > 0) {
          context.fillStyle = lane.color;
          context.fill();
        } else {
          context.lineWidth = 1;
          context.strokeStyle = alpha(lane.color, 0.8);
          context.stroke();
        }

        // The pull count N(a): a bar of the share N(a)/t, and the count itself.
        const share = pulls > 0 ? N[arm] / pulls : 0;
        const barMax = row.countBottom - row.countTop - 3;
        const barHeight = share * barMax;
        const barWidth = Math.min(cellWidth * 0.62, 30);
        if (barHeight > 0) {
          roundRect(context, centre - barWidth / 2, row.countBottom - 2 - barHeight, barWidth, barHeight, 2);
          context.fillStyle = alpha(lane.color, pulled ? 0.85 : 0.55);
          context.fill();
        }
        context.font = "12px ui-monospace, monospace";
        context.textAlign = "center";
        context.textBaseline = "bottom";
        context.fillStyle = share > 0.55 ? palette.surface : palette.muted;
        const countText = String(N[arm]);
        // 12 px text needs a strip of 14 px (a short embed squeezes the strips): else the bar alone tells.
        if (row.countBottom - row.countTop >= 14 && context.measureText(countText).width < cellWidth - 2) {
          context.fillText(countText, centre, share > 0.55 ? row.countBottom - 3 : row.countBottom - 3 - barHeight);
        }
      }
    });
  }
}
