// GridView: draws the gridworld on a canvas from the data it is handed (layout, Q, V*, the optimal policy, paths,
// the agent and its trail). It holds no training state: only what drawing needs (geometry, the static layer, the
// agent's on-screen position while a move is animated).
//
//   const view = new GridView(canvas, { onResize: () => controller.dirty = true });
//   const animating = view.draw({ layout, Q, V_star, policy_star, greedy_path, optimal_path, agent, trail,
//                                 show: { q, values, optimal, path, optimal_path, differs, trail, model },
//                                 cursor, drag, moveMs }, now);
//   view.cellAt(clientX, clientY) → [row, col] or null
//   view.layers → what the last frame drew: gridLayers()'s answer (web/views/grid_layers.js) plus `paths`
//
// Layers combine: Q(s,a) triangles, the learned V(s) and value iteration's V*(s) can all be on; each keeps its own
// place in a cell (V(s) a border around the triangles, V*(s) a framed centre square; a layer alone fills the
// cell) and all share one colour scale (grid_layers.js). The static layer (cell separators, walls, cliff, start,
// goal) is drawn once into an offscreen canvas and redrawn only when the layout, the size, the cells' geometry or the
// colour scheme changes. Each frame fills the cells, lays the static layer on top, then the moving parts.
//
// Colour: one diverging scale (--bad below 0, --good above), adapted at every frame to the values shown: symmetric
// around 0 (±max|v|) when they have both signs, else from their min to their max (the cliff's values are all
// negative: a scale fixed at ±100 would paint them one colour). Intensity is |t|^0.5, so small values stay visible.
// view.domain {lo, hi} is the range the colours span, for the legend (null when no value layer is shown).
// Actions: 0 up, 1 down, 2 left, 3 right.
//
// Lines: greedy path (solid, text colour), the comparison's greedy path (solid, --agent, a little below right), the
// optimal path (dashed, gold, a little above left when the greedy path is drawn too, so both show where they
// coincide); painted cells carry their reward as a label and a frame (solid = terminal, dashed = not).

import { Disposables } from "../disposables.js";
import { drawArrow, fitCanvas, pixelRatio, themeColor } from "../ui.js";
import { gridLayers, valueDomain } from "./grid_layers.js";

export { valueDomain };

const DELTAS = [
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
]; // (Δrow, Δcol) of up, down, left, right
const LUT_SIZE = 257;
const PATH_OFFSET = 0.1; // cells: how far the optimal and the second greedy path sit from the cells' centres
const reducedMotion = globalThis.matchMedia?.("(prefers-reduced-motion: reduce)"); // then the agent jumps cell to cell

function parseColor(text) {
  const value = String(text).trim();
  let match = value.match(/^#([0-9a-f]{3})$/i);
  if (match) return [...match[1]].map((h) => parseInt(h + h, 16));
  match = value.match(/^#([0-9a-f]{6})$/i);
  if (match) return [0, 2, 4].map((i) => parseInt(match[1].slice(i, i + 2), 16));
  match = value.match(/^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/i);
  if (match) return [Number(match[1]), Number(match[2]), Number(match[3])];
  return [128, 128, 128];
}

function mix(a, b, t) {
  return a.map((x, i) => Math.round(x + (b[i] - x) * t));
}

/** The colour of a value in a domain: symmetric domains diverge from neutral at 0; one-sided ones run from neutral
 * at the end nearest 0 to full --good / --bad at the far end. */
export function valueColor(palette, value, domain = { lo: -1, hi: 1 }) {
  const { lo, hi } = domain;
  let t;
  if (lo < 0 && hi > 0) t = value / hi;
  else if (hi <= 0) t = -(hi - value) / (hi - lo || 1);
  else t = (value - lo) / (hi - lo || 1);
  t = Math.max(-1, Math.min(1, t));
  return palette.lut[Math.round((t + 1) * 0.5 * (LUT_SIZE - 1))];
}

function readPalette() {
  const names = {
    good: ["--good", "#1e9e5a"],
    bad: ["--bad", "#8a4bd1"],
    neutral: ["--surface", "#ffffff"],
    cell: ["--surface-2", "#f2f0ea"],
    line: ["--border", "#dcd8ce"],
    text: ["--text", "#1d1f24"],
    muted: ["--muted", "#5d6270"],
    wall: ["--wall", "#3a3d46"],
    gold: ["--gold", "#e0a100"],
    agent: ["--agent", "#2f6fdf"],
    danger: ["--danger", "#c62f2f"],
    focus: ["--focus", "#ffb000"],
  };
  const palette = {};
  for (const [key, [name, fallback]] of Object.entries(names)) palette[key] = themeColor(name, fallback);
  const good = parseColor(palette.good);
  const bad = parseColor(palette.bad);
  const neutral = parseColor(palette.neutral);
  palette.lut = [];
  for (let i = 0; i < LUT_SIZE; i++) {
    const t = (i / (LUT_SIZE - 1)) * 2 - 1;
    const intensity = Math.sqrt(Math.abs(t));
    const [r, g, b] = mix(neutral, t >= 0 ? good : bad, intensity);
    palette.lut.push(`rgb(${r} ${g} ${b})`);
  }
  return palette;
}

export class GridView {
  constructor(canvas, { onResize = () => {} } = {}) {
    this.canvas = canvas;
    this.onResize = onResize;
    this.staticLayer = document.createElement("canvas");
    this.staticKey = "";
    this.palette = readPalette();
    this.geometry = null;
    this.shownAgent = null; // [row, col] as drawn, fractional during a move
    this.animation = null;
    this.rows = 0;
    this.cols = 0;
    this.disposables = new Disposables(); // what it watches on the page; destroy() lets go
    if ("ResizeObserver" in window) {
      const observer = new ResizeObserver(() => {
        this.staticKey = "";
        this.onResize();
      });
      this.disposables.observe(observer).observe(canvas);
    }
    const scheme = window.matchMedia?.("(prefers-color-scheme: dark)");
    if (scheme)
      this.disposables.listen(scheme, "change", () => {
        this.palette = readPalette();
        this.staticKey = "";
        this.onResize();
      });
  }

  /** Stop watching the canvas's size and the colour scheme. */
  destroy() {
    this.disposables.dispose();
  }

  /** Keep the canvas's shape that of the grid: its height follows its width. */
  setShape(rows, cols) {
    if (rows === this.rows && cols === this.cols) return;
    this.rows = rows;
    this.cols = cols;
    this.canvas.style.aspectRatio = `${cols} / ${rows}`;
    this.staticKey = "";
  }

  /** The cell under a pointer, or null outside the grid. */
  cellAt(clientX, clientY) {
    const g = this.geometry;
    if (!g) return null;
    const rect = this.canvas.getBoundingClientRect();
    const zoom = this.canvas.currentCSSZoom || 1; // present mode: the client box is zoomed, the geometry is not
    const col = Math.floor(((clientX - rect.left) / zoom - g.x0) / g.size);
    const row = Math.floor(((clientY - rect.top) / zoom - g.y0) / g.size);
    if (row < 0 || col < 0 || row >= g.rows || col >= g.cols) return null;
    return [row, col];
  }

  /** Centre of a cell in CSS pixels of the canvas (for tests and tooltips). */
  cellCenter(row, col) {
    const g = this.geometry;
    return g ? [g.x0 + (col + 0.5) * g.size, g.y0 + (row + 0.5) * g.size] : null;
  }

  /**
   * What `data` would draw: the open cells and the layers (grid_layers.js), in `data.domain`'s colour scale when it
   * is given (two grids side by side share one: the same colour is the same number in both).
   */
  plan(data) {
    const { layout } = data;
    const blocked = new Set([...layout.walls, ...(layout.cliff ?? [])].map(([r, c]) => r * layout.cols + c));
    const goalIndex = layout.goal[0] * layout.cols + layout.goal[1];
    const open = (s) => !blocked.has(s) && s !== goalIndex;
    const plan = gridLayers(data.show ?? {}, { Q: data.Q?.data ?? null, V_star: data.V_star?.data ?? null }, open);
    if (data.domain && plan.domain) plan.domain = data.domain;
    return { open, plan };
  }

  draw(data, now) {
    const { layout } = data;
    this.setShape(layout.rows, layout.cols);
    const { context: ctx, width, height } = fitCanvas(this.canvas);
    const size = Math.floor(Math.min(width / layout.cols, height / layout.rows) * 4) / 4;
    if (!(size > 2)) return false;
    const g = {
      rows: layout.rows,
      cols: layout.cols,
      size,
      x0: (width - size * layout.cols) / 2,
      y0: (height - size * layout.rows) / 2,
    };
    this.geometry = g;
    const show = data.show ?? {};
    const { open, plan } = this.plan(data);
    const greedyShown = Boolean(show.path && data.greedy_path?.data?.length >= 4); // a line needs two cells
    const optimalShown = Boolean(show.optimal_path && data.optimal_path?.data?.length >= 4);
    this.domain = plan.domain;
    this.layers = { ...plan, paths: [...(optimalShown ? ["optimal"] : []), ...(greedyShown ? ["greedy"] : [])] };

    ctx.clearRect(0, 0, width, height);
    this.drawValues(ctx, g, data, plan, open);
    this.drawStatic(ctx, g, layout, plan, Boolean(show.q && data.Q), width, height);
    this.drawArrows(ctx, g, data, plan.arrows, open);
    if (show.differs) this.drawDiffers(ctx, g, data, plan.arrows === "optimal", open);
    if (show.model && data.model_seen?.data) this.drawModel(ctx, g, data.model_seen.data, plan.inset);
    if (optimalShown)
      this.drawPath(ctx, g, data.optimal_path, { optimal: true, layout, offset: greedyShown ? -PATH_OFFSET : 0 });
    if (show.path && data.greedy_path_b?.data?.length)
      this.drawPath(ctx, g, data.greedy_path_b, {
        optimal: false,
        layout,
        color: this.palette.agent,
        offset: PATH_OFFSET,
      });
    if (greedyShown) this.drawPath(ctx, g, data.greedy_path, { optimal: false, layout });
    if (show.trail && data.trail?.length > 1) this.drawTrail(ctx, g, data.trail);
    const animating = this.drawAgent(ctx, g, data.agent, reducedMotion?.matches ? 0 : (data.moveMs ?? 0), now, layout);
    if (data.drag) this.drawDrag(ctx, g, data.drag);
    if (data.cursor) this.drawCursor(ctx, g, data.cursor);
    return animating;
  }

  // ---- the cells' values --------------------------------------------------------------------------------------

  /**
   * Each open cell, from the back: the learned V(s) (or V* alone) over the whole cell, the Q triangles inset by
   * plan.inset, V* as a framed centre square of half side plan.centre; all in one colour domain.
   */
  drawValues(ctx, g, data, plan, open) {
    const { rows, cols, size, x0, y0 } = g;
    const palette = this.palette;
    const Q = data.Q?.data;
    const V = data.V_star?.data;
    const domain = plan.domain ?? { lo: -1, hi: 1 };
    const shown = new Map(plan.layers.map((layer) => [layer.name, layer]));
    const fill = shown.get("v")
      ? (s) => Math.max(Q[s * 4], Q[s * 4 + 1], Q[s * 4 + 2], Q[s * 4 + 3])
      : shown.get("vstar")?.place === "cell"
        ? (s) => V[s]
        : null;
    const d = plan.inset * size;
    const half = plan.centre * size;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const s = r * cols + c;
        if (!open(s)) continue;
        const x = x0 + c * size;
        const y = y0 + r * size;
        const cx = x + size / 2;
        const cy = y + size / 2;
        ctx.fillStyle = fill ? valueColor(palette, fill(s), domain) : palette.neutral;
        ctx.fillRect(x, y, size, size);
        if (shown.has("q")) {
          // up, down, left, right: the triangle between the cell's centre and that edge (inset by d)
          const [l, t, rt, b] = [x + d, y + d, x + size - d, y + size - d];
          const corners = [
            [l, t, rt, t],
            [rt, b, l, b],
            [l, b, l, t],
            [rt, t, rt, b],
          ];
          for (let a = 0; a < 4; a++) {
            ctx.fillStyle = valueColor(palette, Q[s * 4 + a], domain);
            ctx.beginPath();
            ctx.moveTo(cx, cy);
            ctx.lineTo(corners[a][0], corners[a][1]);
            ctx.lineTo(corners[a][2], corners[a][3]);
            ctx.closePath();
            ctx.fill();
          }
        }
        if (half > 0) {
          ctx.fillStyle = valueColor(palette, V[s], domain);
          ctx.fillRect(cx - half, cy - half, 2 * half, 2 * half);
          ctx.strokeStyle = palette.neutral; // not gold: gold is the optimal path's, which crosses it
          ctx.lineWidth = Math.max(1.5, size * 0.035);
          ctx.strokeRect(cx - half, cy - half, 2 * half, 2 * half);
        }
        if (plan.numbers && size * 0.17 >= 12) {
          const v = fill(s);
          const strong = Math.abs(v) > 0.6 * Math.max(Math.abs(domain.lo), Math.abs(domain.hi));
          ctx.fillStyle = strong && domain.lo < 0 && domain.hi > 0 ? palette.neutral : palette.text;
          ctx.font = `${Math.round(size * 0.17)}px system-ui, sans-serif`;
          ctx.textAlign = "center";
          ctx.textBaseline = "alphabetic";
          const text = Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2).replace(/^(-?)0\./, "$1.");
          ctx.fillText(text, x + size / 2, y + size - size * 0.16);
        }
      }
    }
  }

  // ---- the static layer: separators, walls, cliff, start and goal ------------------------------------------

  drawStatic(ctx, g, layout, plan, triangles, width, height) {
    const ratio = pixelRatio(this.canvas);
    const cells = triangles ? [plan.inset, plan.centre] : null; // the separators' geometry, or none
    const key = JSON.stringify([layout, cells, width, height, ratio, g.size]);
    if (key !== this.staticKey) {
      this.staticKey = key;
      const layer = this.staticLayer;
      layer.width = Math.max(1, Math.round(width * ratio));
      layer.height = Math.max(1, Math.round(height * ratio));
      const s = layer.getContext("2d");
      s.setTransform(ratio, 0, 0, ratio, 0, 0);
      s.clearRect(0, 0, width, height);
      this.paintStatic(s, g, layout, cells);
    }
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.staticLayer, 0, 0);
    ctx.restore();
  }

  /** `cells`: [inset, centre] of the Q triangles (fractions of a cell), or null when no triangles are drawn. */
  paintStatic(s, g, layout, cells) {
    const { rows, cols, size, x0, y0 } = g;
    const p = this.palette;
    const blocked = new Set([...layout.walls, ...(layout.cliff ?? [])].map(([r, c]) => r * cols + c));
    // Triangle separators, in the page colour: the diagonals of every open cell, from the triangles' outer corners
    // (inset inside a V(s) border, which they outline) to the V* square's corners when it is drawn.
    s.strokeStyle = p.neutral;
    s.lineWidth = Math.max(1, size * 0.025);
    if (cells) {
      const [inset, centre] = cells;
      const out = (0.5 - inset) * size;
      const inner = centre * size;
      s.beginPath();
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          if (blocked.has(r * cols + c) || (r === layout.goal[0] && c === layout.goal[1])) continue;
          const cx = x0 + (c + 0.5) * size;
          const cy = y0 + (r + 0.5) * size;
          for (const [dx, dy] of [
            [-1, -1],
            [1, -1],
            [1, 1],
            [-1, 1],
          ]) {
            s.moveTo(cx + dx * out, cy + dy * out);
            s.lineTo(cx + dx * inner, cy + dy * inner);
          }
          if (inset > 0) s.rect(cx - out, cy - out, 2 * out, 2 * out);
        }
      }
      s.stroke();
    }
    // Cell borders.
    s.lineWidth = Math.max(1.5, size * 0.05);
    s.beginPath();
    for (let r = 0; r <= rows; r++) {
      s.moveTo(x0, y0 + r * size);
      s.lineTo(x0 + cols * size, y0 + r * size);
    }
    for (let c = 0; c <= cols; c++) {
      s.moveTo(x0 + c * size, y0);
      s.lineTo(x0 + c * size, y0 + rows * size);
    }
    s.stroke();
    const inset = Math.max(1, size * 0.04);
    const radius = size * 0.12;
    // Walls.
    s.fillStyle = p.wall;
    for (const [r, c] of layout.walls) {
      s.beginPath();
      s.roundRect(x0 + c * size + inset, y0 + r * size + inset, size - 2 * inset, size - 2 * inset, radius);
      s.fill();
    }
    // The cliff: hatched in the danger colour.
    for (const [r, c] of layout.cliff ?? []) {
      const x = x0 + c * size + inset;
      const y = y0 + r * size + inset;
      const w = size - 2 * inset;
      s.save();
      s.beginPath();
      s.roundRect(x, y, w, w, radius);
      s.clip();
      s.globalAlpha = 0.18;
      s.fillStyle = p.danger;
      s.fillRect(x, y, w, w);
      s.globalAlpha = 0.6;
      s.strokeStyle = p.danger;
      s.lineWidth = Math.max(1, size * 0.04);
      s.beginPath();
      for (let k = -w; k < w; k += size * 0.22) {
        s.moveTo(x + k, y + w);
        s.lineTo(x + k + w, y);
      }
      s.stroke();
      s.restore();
    }
    // Painted rewards: a frame in the reward's colour (solid: the episode ends there) and the reward as a label.
    for (const [r, c, reward, end] of layout.painted ?? []) {
      const x = x0 + c * size + inset;
      const y = y0 + r * size + inset;
      const w = size - 2 * inset;
      s.save();
      s.strokeStyle = reward < 0 ? p.danger : p.good;
      s.lineWidth = Math.max(2, size * 0.08);
      if (!end) s.setLineDash([size * 0.12, size * 0.08]);
      s.beginPath();
      s.roundRect(x + s.lineWidth / 2, y + s.lineWidth / 2, w - s.lineWidth, w - s.lineWidth, radius);
      s.stroke();
      s.setLineDash([]);
      s.fillStyle = reward < 0 ? p.danger : p.good;
      s.font = `700 ${Math.round(size * 0.2)}px system-ui, sans-serif`;
      s.textAlign = "left";
      s.textBaseline = "top";
      const label = `${reward > 0 ? "+" : reward < 0 ? "−" : ""}${Math.abs(reward)}${end ? " end" : ""}`;
      s.fillText(label, x + size * 0.1, y + size * 0.08);
      s.restore();
    }
    // The goal: gold, with a star.
    const [gr, gc] = layout.goal;
    s.fillStyle = p.gold;
    s.beginPath();
    s.roundRect(x0 + gc * size + inset, y0 + gr * size + inset, size - 2 * inset, size - 2 * inset, radius);
    s.fill();
    this.star(s, x0 + (gc + 0.5) * size, y0 + (gr + 0.5) * size, size * 0.28, p.neutral);
    // The start: a ring with an S.
    const [sr, sc] = layout.start;
    const cx = x0 + (sc + 0.5) * size;
    const cy = y0 + (sr + 0.5) * size;
    s.strokeStyle = p.text;
    s.lineWidth = Math.max(1.5, size * 0.05);
    s.beginPath();
    s.arc(cx, cy, size * 0.36, 0, 2 * Math.PI);
    s.stroke();
    // "S" in the cell's top-left corner, outside the ring (it used to sit on the ring's top), on a plate of the
    // cell colour so it reads over any value colour.
    const fontPx = Math.max(12, Math.round(size * 0.18));
    const corner = Math.max(0.16 * size, 0.7 * fontPx);
    const lx = x0 + sc * size + corner;
    const ly = y0 + sr * size + corner;
    s.fillStyle = p.cell;
    s.beginPath();
    s.arc(lx, ly, 0.7 * fontPx, 0, 2 * Math.PI);
    s.fill();
    s.fillStyle = p.text;
    s.font = `600 ${fontPx}px system-ui, sans-serif`;
    s.textAlign = "center";
    s.textBaseline = "middle";
    s.fillText("S", lx, ly);
  }

  star(s, cx, cy, radius, color) {
    s.fillStyle = color;
    s.beginPath();
    for (let k = 0; k < 10; k++) {
      const angle = -Math.PI / 2 + (k * Math.PI) / 5;
      const r = k % 2 === 0 ? radius : radius * 0.45;
      s.lineTo(cx + r * Math.cos(angle), cy + r * Math.sin(angle));
    }
    s.closePath();
    s.fill();
  }

  // ---- arrows, paths, the agent -------------------------------------------------------------------------------

  /** The arrow of an action at a cell centre: from behind the centre to `length` ahead of it. */
  arrow(ctx, cx, cy, action, length, width, color) {
    const [dr, dc] = DELTAS[action];
    drawArrow(ctx, cx - dc * length * 0.55, cy - dr * length * 0.55, cx + dc * length, cy + dr * length, {
      color,
      width,
      head: length * 0.55,
      spread: 0.6,
      inset: 0.6,
    });
  }

  drawArrows(ctx, g, data, kind, open) {
    const { rows, cols, size, x0, y0 } = g;
    const greedy = data.greedy_action?.data; // rlplay's argmax Q (first maximum), -1 where nothing is learned
    const policy = data.policy_star?.data;
    if (kind === "greedy" && !greedy) return;
    if (kind === "optimal" && !policy) return;
    const color = this.palette.text;
    ctx.globalAlpha = kind === "optimal" ? 0.85 : 0.7;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const s = r * cols + c;
        if (!open(s)) continue;
        const action = kind === "optimal" ? policy[s] : greedy[s];
        if (action < 0) continue;
        this.arrow(
          ctx,
          x0 + (c + 0.5) * size,
          y0 + (r + 0.5) * size,
          action,
          size * 0.2,
          Math.max(1.25, size * 0.045),
          color,
        );
      }
    }
    ctx.globalAlpha = 1;
  }

  /** Dyna-Q's model: a small dot near the edge of each (s, a) it has seen (the side the action points to), inside
   * the triangles when a V(s) border (`inset`, a fraction of the cell) surrounds them. */
  drawModel(ctx, g, seen, inset = 0) {
    const { rows, cols, size, x0, y0 } = g;
    ctx.save();
    ctx.fillStyle = this.palette.agent;
    ctx.globalAlpha = 0.9;
    const radius = Math.max(1.5, size * 0.045);
    const reach = 0.5 - Math.max(0.12, inset + 0.08); // from the centre, in cells
    for (let s = 0; s < rows * cols; s++) {
      const cx = x0 + ((s % cols) + 0.5) * size;
      const cy = y0 + (Math.floor(s / cols) + 0.5) * size;
      for (let a = 0; a < 4; a++) {
        if (!seen[s * 4 + a]) continue;
        const [dr, dc] = DELTAS[a];
        ctx.beginPath();
        ctx.arc(cx + dc * size * reach, cy + dr * size * reach, radius, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    ctx.restore();
  }

  /** Outline the cells in `data.differs`; where the optimal arrows are drawn, add the learned one in red. */
  drawDiffers(ctx, g, data, optimalArrows, open) {
    const { size, x0, y0, cols } = g;
    const cells = data.differs ?? [];
    const greedy = data.greedy_action?.data;
    const width = Math.max(2, size * 0.06);
    const inset = Math.max(1, size * 0.04) + width / 2;
    for (const s of cells) {
      if (!open(s)) continue;
      const r = Math.floor(s / cols);
      const c = s % cols;
      ctx.strokeStyle = this.palette.danger;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.roundRect(x0 + c * size + inset, y0 + r * size + inset, size - 2 * inset, size - 2 * inset, size * 0.12);
      ctx.stroke();
      // Under V* alone, also show what was learned there, in the same red, beside the optimal arrow.
      if (optimalArrows && greedy) {
        const action = greedy[s];
        if (action >= 0) {
          ctx.globalAlpha = 0.9;
          this.arrow(
            ctx,
            x0 + (c + 0.5) * size,
            y0 + (r + 0.5) * size,
            action,
            size * 0.26,
            Math.max(1.25, size * 0.04),
            this.palette.danger,
          );
          ctx.globalAlpha = 1;
        }
      }
    }
  }

  drawPath(ctx, g, path, { optimal, layout, color = null, offset = 0 }) {
    const { size } = g;
    const x0 = g.x0 + offset * size; // a second greedy path is drawn a little aside, so both stay visible
    const y0 = g.y0 + offset * size;
    const points = path.data;
    const k = points.length / 2;
    if (k < 2) return;
    const last = [points[2 * k - 2], points[2 * k - 1]];
    const reached = last[0] === layout.goal[0] && last[1] === layout.goal[1];
    const p = this.palette;
    const at = (i) => [x0 + (points[2 * i + 1] + 0.5) * size, y0 + (points[2 * i] + 0.5) * size];
    ctx.save();
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    if (optimal) {
      ctx.strokeStyle = p.gold;
      ctx.lineWidth = Math.max(2, size * 0.07);
      ctx.setLineDash([size * 0.12, size * 0.12]);
      ctx.lineCap = "butt"; // round caps would close the gaps: the dashes must read as dashes
      ctx.globalAlpha = 0.95;
    } else {
      ctx.strokeStyle = reached ? (color ?? p.text) : p.danger;
      ctx.lineWidth = Math.max(2.5, size * 0.075);
      ctx.globalAlpha = 0.55;
      if (!reached) ctx.setLineDash([size * 0.18, size * 0.12]);
    }
    ctx.beginPath();
    for (let i = 0; i < k; i++) {
      const [x, y] = at(i);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.stroke();
    ctx.setLineDash([]);
    if (!optimal && !reached) {
      // The greedy walk loops here: mark where it gives up.
      const [x, y] = at(k - 1);
      const d = size * 0.16;
      ctx.globalAlpha = 0.9;
      ctx.lineWidth = Math.max(2, size * 0.07);
      ctx.beginPath();
      ctx.moveTo(x - d, y - d);
      ctx.lineTo(x + d, y + d);
      ctx.moveTo(x + d, y - d);
      ctx.lineTo(x - d, y + d);
      ctx.stroke();
    }
    ctx.restore();
  }

  drawTrail(ctx, g, trail) {
    const { size, x0, y0 } = g;
    const n = trail.length;
    ctx.save();
    ctx.fillStyle = this.palette.agent;
    for (let i = 0; i < n - 1; i++) {
      const [r, c] = trail[i];
      ctx.globalAlpha = 0.08 + 0.35 * (i / n);
      ctx.beginPath();
      ctx.arc(x0 + (c + 0.5) * size, y0 + (r + 0.5) * size, size * 0.1, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.restore();
  }

  /** The agent; a move to a neighbouring cell is animated over moveMs. Returns true while the move is drawn. */
  drawAgent(ctx, g, agent, moveMs, now, _layout) {
    if (!agent) return false;
    const target = [agent[0], agent[1]];
    const from = this.shownAgent;
    const sameTarget = this.animation && this.animation.to[0] === target[0] && this.animation.to[1] === target[1];
    if (!sameTarget) {
      const near = from && Math.abs(from[0] - target[0]) + Math.abs(from[1] - target[1]) <= 1.01;
      this.animation =
        moveMs > 0 && near && (from[0] !== target[0] || from[1] !== target[1])
          ? { from: [...from], to: target, start: now, duration: moveMs }
          : { from: target, to: target, start: now, duration: 0 };
    }
    const a = this.animation;
    let t = a.duration > 0 ? Math.min(1, (now - a.start) / a.duration) : 1;
    t = t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2; // ease in-out
    const row = a.from[0] + (a.to[0] - a.from[0]) * t;
    const col = a.from[1] + (a.to[1] - a.from[1]) * t;
    this.shownAgent = [row, col];
    const { size, x0, y0 } = g;
    const x = x0 + (col + 0.5) * size;
    const y = y0 + (row + 0.5) * size;
    ctx.fillStyle = this.palette.agent;
    ctx.strokeStyle = this.palette.neutral;
    ctx.lineWidth = Math.max(1.5, size * 0.05);
    ctx.beginPath();
    ctx.arc(x, y, size * 0.24, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    return t < 1 && a.duration > 0;
  }

  drawDrag(ctx, g, drag) {
    if (!drag.over) return;
    const { size, x0, y0 } = g;
    const [r, c] = drag.over;
    ctx.save();
    ctx.globalAlpha = 0.55;
    ctx.strokeStyle = drag.kind === "goal" ? this.palette.gold : this.palette.text;
    ctx.lineWidth = Math.max(2, size * 0.07);
    ctx.setLineDash([size * 0.1, size * 0.08]);
    ctx.beginPath();
    ctx.roundRect(x0 + c * size + 3, y0 + r * size + 3, size - 6, size - 6, size * 0.14);
    ctx.stroke();
    ctx.restore();
  }

  drawCursor(ctx, g, [r, c]) {
    const { size, x0, y0 } = g;
    ctx.strokeStyle = this.palette.focus;
    ctx.lineWidth = Math.max(3, size * 0.08);
    ctx.beginPath();
    ctx.roundRect(x0 + c * size + 2, y0 + r * size + 2, size - 4, size - 4, size * 0.1);
    ctx.stroke();
  }
}
