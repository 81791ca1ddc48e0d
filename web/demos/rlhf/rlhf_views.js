// The RLHF demo's own renderers: the reward–KL picture (Gao et al. 2022) on a canvas, and two bar lists in the DOM
// (the next-word distributions of π_ref and π_θ after one context, and the reward model's score of each word).
// They draw what they are handed and hold no training state (web/demos/rlhf/rlhf.js owns it).

import { el, fitCanvas, formatStat, themeColor } from "../../ui.js";

/** Nice ticks for [lo, hi]: about `count` round numbers. */
function ticks(lo, hi, count) {
  const span = hi - lo || 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < 1e-12 ? 0 : v);
  return out;
}

/**
 * Reward against √KL: one line per run, gold solid and proxy dashed, each run's last point marked. `runs` is a list
 * of {label, color, kl: number[], gold: number[] | null, proxy: number[], emphasis: bool}.
 */
export class RewardKlView {
  constructor(canvas, { height = 260 } = {}) {
    this.canvas = canvas;
    this.height = height;
    canvas.style.height = `${height}px`;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", "Gold and proxy reward against the square root of KL, for each run");
    this.last = null;
    if ("ResizeObserver" in window) {
      this.observer = new ResizeObserver(() => this.last && this.draw(this.last));
      this.observer.observe(canvas);
    }
  }

  destroy() {
    this.observer?.disconnect();
  }

  draw(data) {
    this.last = data;
    const { context: ctx, width, height } = fitCanvas(this.canvas);
    ctx.clearRect(0, 0, width, height);
    const runs = data.runs.filter((run) => run.kl.length);
    const muted = themeColor("--muted");
    const text = themeColor("--text", "#222");
    ctx.font = "12px system-ui, sans-serif";
    if (!runs.length) {
      ctx.fillStyle = muted;
      ctx.textAlign = "center";
      ctx.fillText("no run yet", width / 2, height / 2);
      return;
    }
    let xMax = 0;
    let yMin = Number.POSITIVE_INFINITY;
    let yMax = Number.NEGATIVE_INFINITY;
    for (const run of runs) {
      for (const kl of run.kl) xMax = Math.max(xMax, Math.sqrt(Math.max(kl, 0)));
      for (const series of [run.gold, run.proxy]) {
        if (!series) continue;
        for (const v of series) {
          if (!Number.isFinite(v)) continue;
          yMin = Math.min(yMin, v);
          yMax = Math.max(yMax, v);
        }
      }
    }
    xMax = Math.max(xMax, 0.5);
    if (!(yMax > yMin)) [yMin, yMax] = [yMin - 1, yMax + 1];
    const pad = { left: 44, right: 12, top: 10, bottom: 34 };
    const x = (v) => pad.left + (Math.sqrt(Math.max(v, 0)) / xMax) * (width - pad.left - pad.right);
    const y = (v) => height - pad.bottom - ((v - yMin) / (yMax - yMin)) * (height - pad.top - pad.bottom);
    // axes and ticks
    ctx.strokeStyle = muted;
    ctx.fillStyle = muted;
    ctx.lineWidth = 1;
    ctx.globalAlpha = 0.35;
    for (const t of ticks(yMin, yMax, 4)) {
      ctx.beginPath();
      ctx.moveTo(pad.left, y(t));
      ctx.lineTo(width - pad.right, y(t));
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const t of ticks(yMin, yMax, 4)) ctx.fillText(formatStat(t, 1).replace("-", "−"), pad.left - 6, y(t));
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const t of ticks(0, xMax, 5)) ctx.fillText(formatStat(t, 1), x(t * t), height - pad.bottom + 4);
    ctx.fillText("√KL(policy ‖ reference), √nats", (pad.left + width - pad.right) / 2, height - 16);
    // runs: the faint ones first, the emphasised (current) run on top
    const ordered = [...runs].sort((a, b) => Number(a.emphasis) - Number(b.emphasis));
    for (const run of ordered) {
      const color = themeColor(run.color, run.color);
      ctx.globalAlpha = run.emphasis ? 1 : 0.75;
      for (const [series, dash] of [
        [run.gold, []],
        [run.proxy, [4, 3]],
      ]) {
        if (!series) continue;
        ctx.strokeStyle = color;
        ctx.lineWidth = run.emphasis ? 2.5 : 1.5;
        ctx.setLineDash(dash);
        ctx.beginPath();
        for (let i = 0; i < series.length; i++) {
          const px = x(run.kl[i]);
          const py = y(series[i]);
          if (i) ctx.lineTo(px, py);
          else ctx.moveTo(px, py);
        }
        ctx.stroke();
        const n = series.length - 1;
        ctx.setLineDash([]);
        ctx.fillStyle = color;
        ctx.beginPath();
        ctx.arc(x(run.kl[n]), y(series[n]), run.emphasis ? 4 : 3, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    ctx.fillStyle = text;
  }
}

/** Rows of labelled horizontal bars: `rows` is [{label, values: number[]}], `series` [{name, className}]. */
export function barRows(container, rows, series, { max, format = (v) => formatStat(v, 2), signed = false } = {}) {
  const top = max ?? Math.max(1e-12, ...rows.flatMap((row) => row.values.map(Math.abs)));
  container.replaceChildren(
    ...rows.map((row) =>
      el(
        "div",
        { class: "rlhf-bar-row" },
        el("span", { class: "rlhf-bar-label" }, row.label),
        el(
          "span",
          { class: "rlhf-bar-cells" },
          ...row.values.map((value, i) => {
            const bar = el("span", { class: `rlhf-bar ${series[i].className}` });
            const share = Math.min(1, Math.abs(value) / top);
            bar.style.width = `${(signed ? 50 : 100) * share}%`;
            if (signed) {
              bar.style.marginLeft = value < 0 ? `${50 - 50 * share}%` : "50%";
              bar.classList.toggle("is-negative", value < 0);
            }
            return el(
              "span",
              { class: "rlhf-bar-track", title: `${series[i].name}: ${format(value)}` },
              bar,
              el("span", { class: "rlhf-bar-value" }, format(value)),
            );
          }),
        ),
      ),
    ),
  );
}
