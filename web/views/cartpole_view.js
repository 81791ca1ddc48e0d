// CartPoleView: draws one cart-pole state, to scale, from the state vector [x, x_dot, theta, theta_dot].
// It holds no training state: the controller hands it a frame (an already interpolated state plus what to label).
//
//   const view = new CartPoleView(container);            // adds two stacked canvases: static track, moving cart
//   view.draw({ state: [x, x_dot, theta, theta_dot], pRight: 0.73, action: 1, value: 41.2,
//               caption: "replay of episode 120", step: 57, total: 212, banner: "the pole fell past 12°" });
//
// Geometry follows Gymnasium's CartPole rendering: the world is in metres; the track spans ±x_threshold (2.4 m; the
// episode ends beyond it), the pole is pole_length (1.0 m) long and leans by theta (0 = upright, + = leaning right),
// and an episode also ends when |theta| > theta_threshold (12°), shown as a faint wedge around the pivot. The limits
// are rlplay's own, from web/contract.json: `new CartPoleView(container, { limits: contract.constants })`.

import { Disposables } from "../disposables.js";
import { drawArrow, fitCanvas, themeColor } from "../ui.js";

const CART_WIDTH = 0.4; // m (Gymnasium draws 50 px at 125 px/m)
const CART_HEIGHT = 0.24; // m
const VIEW_MARGIN = 0.3; // m of track visible beyond each bound
const MARGIN_TOP = 40; // CSS px kept for the caption line
const MARGIN_BOTTOM = 58; // CSS px kept for the bound labels and the policy gauge

export class CartPoleView {
  constructor(container, { label = "Cart-pole animation", limits } = {}) {
    // rlplay's limits (web/contract.json's cartpole constants): metres and radians
    this.xThreshold = limits.x_threshold.value;
    this.thetaThreshold = limits.theta_threshold.value;
    this.poleLength = limits.pole_length.value;
    this.viewHalfWidth = this.xThreshold + VIEW_MARGIN; // m of track visible either side of the centre
    this.wrapper = document.createElement("div");
    this.wrapper.className = "cartpole-stage";
    this.staticCanvas = document.createElement("canvas");
    this.staticCanvas.setAttribute("aria-hidden", "true");
    this.canvas = document.createElement("canvas");
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", label);
    this.wrapper.append(this.staticCanvas, this.canvas);
    container.append(this.wrapper);
    this.staticKey = "";
    this.colors = null;
    this.lastFrame = null;
    const refresh = () => {
      this.colors = null;
      this.staticKey = "";
      if (this.lastFrame) this.draw(this.lastFrame);
    };
    this.disposables = new Disposables(); // what it watches on the page; destroy() lets go
    if ("ResizeObserver" in window) this.disposables.observe(new ResizeObserver(refresh)).observe(this.wrapper);
    const scheme = window.matchMedia?.("(prefers-color-scheme: dark)");
    if (scheme) this.disposables.listen(scheme, "change", refresh);
  }

  /** Stop watching the stage's size and the colour scheme. */
  destroy() {
    this.disposables.dispose();
  }

  /** Metres to CSS pixels, and where the track is, for the current canvas size. */
  layout(width, height) {
    const scale = Math.max(
      10,
      Math.min(
        width / (2 * this.viewHalfWidth),
        (height - MARGIN_TOP - MARGIN_BOTTOM) / (this.poleLength + CART_HEIGHT + 0.12),
      ),
    );
    const trackY = height - MARGIN_BOTTOM;
    return { scale, trackY, centre: width / 2, px: (x) => width / 2 + x * scale };
  }

  theme() {
    this.colors ??= {
      text: themeColor("--text", "#222"),
      muted: themeColor("--muted", "#666"),
      border: themeColor("--border", "#ccc"),
      grid: themeColor("--chart-grid", "#ddd"),
      track: themeColor("--wall", "#444"),
      danger: themeColor("--danger", "#c33"),
      cart: themeColor("--agent", "#2f6fdf"),
      pole: themeColor("--gold", "#e0a100"),
      good: themeColor("--good", "#1e9e5a"),
      accent: themeColor("--accent", "#2f6fdf"),
      surface: themeColor("--surface", "#fff"),
      surface2: themeColor("--surface-2", "#eee"),
    };
    return this.colors;
  }

  // The static layer: the track, its ±2.4 m bounds with the out-of-bounds zones, metre ticks, the gauge's frame.
  drawStatic(width, height) {
    const key = `${width}x${height}x${window.devicePixelRatio}`;
    if (key === this.staticKey) return;
    this.staticKey = key;
    const { context: g } = fitCanvas(this.staticCanvas);
    const c = this.theme();
    const { scale, trackY, px } = this.layout(width, height);
    g.clearRect(0, 0, width, height);
    // out of bounds: beyond ±2.4 m the episode ends
    g.fillStyle = c.danger;
    g.globalAlpha = 0.07;
    g.fillRect(0, 0, px(-this.xThreshold), trackY + 14);
    g.fillRect(px(this.xThreshold), 0, width - px(this.xThreshold), trackY + 14);
    g.globalAlpha = 1;
    // metre ticks
    g.strokeStyle = c.grid;
    g.lineWidth = 1;
    g.font = `12px ${getComputedStyle(this.canvas).fontFamily || "system-ui"}`;
    g.fillStyle = c.muted;
    g.textAlign = "center";
    g.textBaseline = "top";
    for (let m = -2; m <= 2; m++) {
      const x = Math.round(px(m)) + 0.5;
      g.beginPath();
      g.moveTo(x, trackY + 3);
      g.lineTo(x, trackY + 8);
      g.stroke();
      if (m !== 0 || width > 300) g.fillText(m === 0 ? "0" : `${signed(m, 0)} m`, x, trackY + 10);
    }
    // the track
    g.strokeStyle = c.track;
    g.lineWidth = 3;
    g.lineCap = "round";
    g.beginPath();
    g.moveTo(px(-this.viewHalfWidth) + 4, trackY + 1.5);
    g.lineTo(px(this.viewHalfWidth) - 4, trackY + 1.5);
    g.stroke();
    // the bounds
    g.strokeStyle = c.danger;
    g.lineWidth = 1.5;
    g.setLineDash([4, 4]);
    for (const side of [-1, 1]) {
      const x = Math.round(px(side * this.xThreshold)) + 0.5;
      g.beginPath();
      g.moveTo(x, trackY - (this.poleLength + CART_HEIGHT) * scale);
      g.lineTo(x, trackY + 14);
      g.stroke();
    }
    g.setLineDash([]);
    g.fillStyle = c.danger;
    g.textBaseline = "top";
    g.textAlign = "center";
    g.fillText(`−${this.xThreshold}`, px(-this.xThreshold), trackY + 22);
    g.fillText(`+${this.xThreshold}`, px(this.xThreshold), trackY + 22);
  }

  /**
   * Draw one frame. frame: {state, pRight?, action?, value?, caption?, shortCaption?, step?, total?, banner?, tone?}
   * (shortCaption is shown where the caption does not fit, before either is cut with an ellipsis).
   * pRight is π(right|s) (null when unknown); action is the push applied (0 left, 1 right, null unknown).
   */
  draw(frame) {
    this.lastFrame = frame;
    const { context: g, width, height } = fitCanvas(this.canvas);
    if (width < 20 || height < 20) return;
    this.drawStatic(width, height);
    const c = this.theme();
    const { scale, trackY, px } = this.layout(width, height);
    g.clearRect(0, 0, width, height);
    const font = getComputedStyle(this.canvas).fontFamily || "system-ui";
    const [x, , theta] = frame.state ?? [0, 0, 0, 0];
    const danger = Math.min(1, Math.abs(theta) / this.thetaThreshold);

    const cartX = px(Math.max(-this.viewHalfWidth, Math.min(this.viewHalfWidth, x)));
    const cartW = CART_WIDTH * scale;
    const cartH = CART_HEIGHT * scale;
    const wheel = Math.max(2, 0.05 * scale);
    const cartTop = trackY - wheel * 2 - cartH;
    const pivotY = cartTop + cartH * 0.25;

    // the 12° wedge: inside it the episode goes on
    const poleLength = this.poleLength * scale;
    g.fillStyle = c.good;
    g.globalAlpha = 0.1;
    g.beginPath();
    g.moveTo(cartX, pivotY);
    g.arc(cartX, pivotY, poleLength * 1.08, -Math.PI / 2 - this.thetaThreshold, -Math.PI / 2 + this.thetaThreshold);
    g.closePath();
    g.fill();
    g.globalAlpha = 1;

    // push arrows: one per action, each as strong as its probability under the policy
    const arrowY = cartTop + cartH / 2;
    const pRight = Number.isFinite(frame.pRight) ? frame.pRight : null;
    for (const [side, p] of [
      [-1, pRight === null ? null : 1 - pRight],
      [1, pRight],
    ]) {
      const taken = frame.action === (side > 0 ? 1 : 0);
      const strength = p === null ? (taken ? 1 : 0) : p;
      if (strength <= 0.02) continue;
      const start = cartX - side * (cartW / 2 + 4);
      const length = (0.12 + 0.38 * strength) * scale;
      // an arrow pushing the cart in direction `side` sits on the opposite side of the cart, pointing at it
      const width = Math.max(2, 0.06 * scale * (0.5 + strength));
      drawArrow(g, start - side * length, arrowY, start, arrowY, {
        color: c.accent,
        alpha: 0.25 + 0.75 * strength,
        width,
        head: width * 2.6,
        spread: 0.7,
      });
    }

    // the cart
    g.fillStyle = c.cart;
    roundRect(g, cartX - cartW / 2, cartTop, cartW, cartH, Math.min(6, cartH / 4));
    g.fill();
    g.fillStyle = c.track;
    for (const side of [-1, 1]) {
      g.beginPath();
      g.arc(cartX + side * cartW * 0.28, trackY - wheel, wheel, 0, 2 * Math.PI);
      g.fill();
    }

    // the pole, at its true angle; it reddens as |theta| nears 12°
    const tipX = cartX + Math.sin(theta) * poleLength;
    const tipY = pivotY - Math.cos(theta) * poleLength;
    g.strokeStyle = mix(c.pole, c.danger, danger * danger);
    g.lineWidth = Math.max(4, 0.08 * scale);
    g.lineCap = "round";
    g.beginPath();
    g.moveTo(cartX, pivotY);
    g.lineTo(tipX, tipY);
    g.stroke();
    g.fillStyle = c.surface;
    g.strokeStyle = c.track;
    g.lineWidth = 1.5;
    g.beginPath();
    g.arc(cartX, pivotY, Math.max(3, 0.035 * scale), 0, 2 * Math.PI);
    g.fill();
    g.stroke();

    // the policy gauge: π(right|s) on [0, 1], centred under the track
    const gaugeW = Math.min(260, width * 0.5);
    const gaugeX = (width - gaugeW) / 2;
    const gaugeY = height - 16;
    g.font = `12px ${font}`;
    g.textBaseline = "middle";
    g.fillStyle = c.surface2;
    roundRect(g, gaugeX, gaugeY - 4, gaugeW, 8, 4);
    g.fill();
    g.strokeStyle = c.border;
    g.lineWidth = 1;
    g.stroke();
    if (pRight !== null) {
      const mid = gaugeX + gaugeW / 2;
      const at = gaugeX + gaugeW * pRight;
      g.fillStyle = c.accent;
      g.fillRect(Math.min(mid, at), gaugeY - 3, Math.abs(at - mid), 6);
      g.beginPath();
      g.arc(at, gaugeY, 5, 0, 2 * Math.PI);
      g.fill();
    }
    g.strokeStyle = c.muted;
    g.beginPath();
    g.moveTo(gaugeX + gaugeW / 2 + 0.5, gaugeY - 7);
    g.lineTo(gaugeX + gaugeW / 2 + 0.5, gaugeY + 7);
    g.stroke();
    g.fillStyle = c.muted;
    g.textAlign = "right";
    g.fillText("← left", gaugeX - 6, gaugeY);
    g.textAlign = "left";
    g.fillText("right →", gaugeX + gaugeW + 6, gaugeY);
    g.textAlign = "center";
    g.fillStyle = c.text;
    g.fillText(pRight === null ? "π(right | s): —" : `π(right | s) = ${pRight.toFixed(2)}`, width / 2, gaugeY - 13);

    // captions: what is shown (left), the clock (right)
    g.font = `12px ${font}`;
    g.textBaseline = "top";
    g.textAlign = "left";
    g.fillStyle = c.text;
    const clock = Number.isFinite(frame.step) ? 90 : 0; // room kept for the step counter on the right
    if (frame.caption) {
      const room = width - 20 - clock;
      const caption =
        g.measureText(frame.caption).width <= room ? frame.caption : (frame.shortCaption ?? frame.caption);
      g.fillText(fitText(g, caption, room), 10, 8);
    }
    g.fillStyle = c.muted;
    const details = [];
    if (Number.isFinite(frame.value)) details.push(`V(s) = ${signed(frame.value, 1)}`);
    details.push(`θ = ${signed((theta * 180) / Math.PI, 1)}°   x = ${signed(x, 2)} m`);
    g.fillText(details.join("   "), 10, 24);
    if (Number.isFinite(frame.step)) {
      g.textAlign = "right";
      g.fillStyle = c.text;
      const total = Number.isFinite(frame.total) ? ` / ${frame.total}` : "";
      g.fillText(`step ${frame.step}${total}`, width - 10, 8);
      g.fillStyle = c.muted;
      g.fillText(`t = ${(frame.step * 0.02).toFixed(2)} s`, width - 10, 24);
    }

    if (frame.banner) this.drawBanner(g, frame, width, font, c);
  }

  /** A rounded label over the sky: one line if it fits, else two (split at " — "), shrunk to fit. */
  drawBanner(g, frame, width, font, c) {
    const lines = String(frame.banner).split(" — ");
    let size = width < 420 ? 13 : 15;
    const widest = () => Math.max(...lines.map((line) => g.measureText(line).width));
    g.font = `600 ${size}px ${font}`;
    if (lines.length > 1 && g.measureText(lines.join(" — ")).width + 24 <= width - 16)
      lines.splice(0, lines.length, lines.join(" — "));
    while (size > 12 && widest() + 24 > width - 16) {
      size -= 1;
      g.font = `600 ${size}px ${font}`;
    }
    const lineHeight = size + 5;
    const w = Math.min(width - 8, widest() + 24);
    const h = lines.length * lineHeight + 10;
    const top = MARGIN_TOP + 2;
    g.fillStyle = c.surface;
    g.globalAlpha = 0.92;
    roundRect(g, width / 2 - w / 2, top, w, h, Math.min(14, h / 2));
    g.fill();
    g.globalAlpha = 1;
    const tone = frame.tone === "good" ? c.good : frame.tone === "bad" ? c.danger : null;
    g.strokeStyle = tone ?? c.border;
    g.lineWidth = 1.5;
    g.stroke();
    g.textAlign = "center";
    g.textBaseline = "middle";
    lines.forEach((line, i) => {
      g.fillStyle = i === 0 ? (tone ?? c.text) : c.muted;
      g.fillText(line, width / 2, top + 5 + lineHeight * (i + 0.5) + 1);
    });
  }
}

/** value.toFixed(digits) with a minus sign (−), not a hyphen; a value that rounds to zero has none: signed(-0.004, 2) → "0.00". */
function signed(value, digits) {
  const text = value.toFixed(digits);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text.replace(/^-/, "−");
}

/** The text, cut with an ellipsis if it is wider than maxWidth. */
function fitText(g, text, maxWidth) {
  if (g.measureText(text).width <= maxWidth) return text;
  let cut = text;
  while (cut.length > 1 && g.measureText(`${cut}…`).width > maxWidth) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function roundRect(g, x, y, w, h, r) {
  g.beginPath();
  g.moveTo(x + r, y);
  g.arcTo(x + w, y, x + w, y + h, r);
  g.arcTo(x + w, y + h, x, y + h, r);
  g.arcTo(x, y + h, x, y, r);
  g.arcTo(x, y, x + w, y, r);
  g.closePath();
}

// Blend two CSS hex colours (t = 0 → a, 1 → b); anything that is not #rrggbb falls back to a.
function mix(a, b, t) {
  const parse = (s) => (/^#[0-9a-f]{6}$/i.test(s) ? [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16)) : null);
  const A = parse(a);
  const B = parse(b);
  if (!A || !B || t <= 0) return a;
  const out = A.map((v, i) => Math.round(v + (B[i] - v) * Math.min(1, t)));
  return `rgb(${out.join(",")})`;
}
