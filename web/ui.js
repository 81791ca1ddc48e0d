// Small DOM helpers shared by the demo controllers. Text goes in through textContent only: nothing from a URL or a
// user is ever parsed as markup.

/** Create an element: el("button", {type: "button", "aria-label": "Play"}, "Play"). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A figure as a plain number, rounded for reading: the data-value of a data-stat element ("-1" = not yet). */
export function formatStat(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "-1";
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(digits)));
}

/** A figure as people read it: "—" while there is none yet (the snapshot's −1), else grouped digits, true minus. */
export function displayStat(value, digits = 3) {
  const plain = formatStat(value, digits);
  if (plain === "-1") return "—";
  return Number(plain).toLocaleString("en-US", { maximumFractionDigits: digits }).replace("-", "−");
}

/**
 * Visible help for a setting: a small "?" button (mouse, touch and keyboard) that shows the one-line `doc`, and the
 * doc element itself, which is also the control's aria-describedby. Returns {button, doc}.
 */
export function infoTip(id, title, text) {
  const doc = el("span", { class: "control-doc", id, role: "tooltip", hidden: true }, text);
  // Named "Help" and described by the doc itself: a screen reader says "Help, button, <the doc>" on focus, and the
  // setting's own name stays unique to its control.
  const button = el(
    "button",
    {
      type: "button",
      class: "info-tip",
      "aria-label": "Help",
      "aria-describedby": id,
      "aria-expanded": "false",
      "aria-controls": id,
      dataset: { help: title },
    },
    "?",
  );
  const show = (open) => {
    doc.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
  };
  let pinned = false;
  button.addEventListener("click", () => {
    pinned = !pinned;
    show(pinned);
  });
  button.addEventListener("mouseenter", () => show(true));
  button.addEventListener("mouseleave", () => show(pinned));
  button.addEventListener("blur", () => {
    pinned = false;
    show(false);
  });
  button.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !doc.hidden) {
      pinned = false;
      show(false);
      event.stopPropagation();
    }
  });
  return { button, doc };
}

function sliderPosition(field, value) {
  if (field.log) return Math.log(value / field.low) / Math.log(field.high / field.low);
  return (value - field.low) / (field.high - field.low);
}

function sliderValue(field, position) {
  let value = field.log
    ? field.low * (field.high / field.low) ** position
    : field.low + position * (field.high - field.low);
  if (field.type === "int") return Math.round(value);
  const step = field.step ?? 0;
  if (step > 0 && !field.log) value = Math.round(value / step) * step;
  return Number(value.toPrecision(3));
}

/**
 * A labelled control for one registry field: a slider with its value for numbers, a select for choices, a checkbox
 * for booleans. Changes go to the registry; the registry's changes come back to the control.
 * Returns the wrapper element; its data-control is the field name (for hide=).
 */
export function fieldControl(
  registry,
  demo,
  name,
  { label, format = (v) => String(v), choiceLabels, exact = false } = {},
) {
  const field = registry.field(demo, name);
  const id = `${demo}-${name}`;
  // The label and the choices' names are declared with the field in Python (params.json); a demo may override.
  const title = label ?? field.label ?? name;
  choiceLabels = choiceLabels ?? field.choice_labels ?? {};
  const wrapper = el("div", { class: "control", dataset: { control: name } });
  const tip = field.doc ? infoTip(`${id}-doc`, title, field.doc) : null;
  const help = tip?.doc ?? null;
  const withTip = (labelNode) => (tip ? el("span", { class: "control-head" }, labelNode, tip.button) : labelNode);
  let input;
  let output = null;
  if (field.type === "bool") {
    input = el("input", { type: "checkbox", id, "aria-describedby": help ? `${id}-doc` : null });
    input.checked = registry.get(demo, name);
    input.addEventListener("change", () => registry.set(demo, name, input.checked));
    wrapper.append(withTip(el("label", { for: id, class: "check" }, input, " ", title)));
  } else if (field.choices) {
    input = el(
      "select",
      { id, "aria-describedby": help ? `${id}-doc` : null },
      field.choices.map((choice) => el("option", { value: choice }, choiceLabels[choice] ?? choice)),
    );
    input.value = registry.get(demo, name);
    input.addEventListener("change", () => registry.set(demo, name, input.value));
    wrapper.append(withTip(el("label", { for: id }, title)), input);
  } else if ((field.type === "int" || field.type === "float") && field.low !== undefined && field.high !== undefined) {
    input = el("input", {
      type: "range",
      id,
      min: 0,
      max: 1000,
      step: 1,
      "aria-describedby": help ? `${id}-doc` : null,
    });
    // A count a teacher types (exact): a number box beside the slider takes any value in range, to the unit; a
    // slider's thousand positions cannot reach every count (issue 24: dragging to 50 seeds gave 11).
    const box = exact
      ? el("input", {
          type: "number",
          class: "value exact",
          min: field.low,
          max: field.high,
          step: field.type === "int" ? (field.step ?? 1) : "any",
          inputmode: field.type === "int" ? "numeric" : "decimal",
          "aria-label": `${title} (exact)`,
        })
      : null;
    output = box ?? el("output", { for: id, class: "value" });
    const show = (value) => {
      input.value = String(Math.round(1000 * sliderPosition(field, value)));
      input.setAttribute("aria-valuetext", format(value));
      if (box) box.value = String(value);
      else output.textContent = format(value);
    };
    show(registry.get(demo, name));
    input.addEventListener("input", () => {
      const value = sliderValue(field, Number(input.value) / 1000);
      if (box) box.value = String(value);
      else output.textContent = format(value);
      input.setAttribute("aria-valuetext", format(value));
      registry.set(demo, name, value);
    });
    box?.addEventListener("change", () => {
      const result = registry.set(demo, name, box.value.trim());
      show(registry.get(demo, name)); // refused (out of range, not whole): the value in force again
      box.setCustomValidity(result.ok ? "" : result.message);
      if (!result.ok) box.reportValidity();
    });
    registry.addEventListener("change", (event) => {
      if (event.detail.demo === demo && event.detail.name === name && event.detail.source !== "ui")
        show(event.detail.value);
    });
    wrapper.append(withTip(el("label", { for: id }, title)), input, output);
    if (help) wrapper.append(help);
    return wrapper;
  } else {
    input = el("input", { type: "text", id, spellcheck: "false", "aria-describedby": help ? `${id}-doc` : null });
    input.value = registry.get(demo, name);
    input.addEventListener("change", () => registry.set(demo, name, input.value));
    wrapper.append(withTip(el("label", { for: id }, title)), input);
  }
  registry.addEventListener("change", (event) => {
    if (event.detail.demo !== demo || event.detail.name !== name || event.detail.source === "ui") return;
    if (field.type === "bool") input.checked = event.detail.value;
    else input.value = event.detail.value;
  });
  if (help) wrapper.append(help);
  return wrapper;
}

/** Device pixels per CSS pixel of a canvas: the screen's ratio times any CSS zoom around it (present mode scales a
 *  demo up with zoom; a backing store of the unzoomed size would be stretched, blurred). */
export function pixelRatio(canvas) {
  return (window.devicePixelRatio || 1) * (canvas.currentCSSZoom || 1);
}

/** Size a canvas's backing store to its CSS size × pixelRatio; returns the 2D context scaled to CSS pixels. */
export function fitCanvas(canvas) {
  const ratio = pixelRatio(canvas);
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { context, width: canvas.clientWidth, height: canvas.clientHeight };
}

/** A CSS custom property's value, so canvases follow the light and dark themes. */
export function themeColor(name, fallback = "#888") {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/**
 * An arrow from (x0, y0) to the tip (x1, y1): a round-capped shaft and a filled head `head` long whose half-width is
 * `spread` × head; the shaft stops `inset` × head short of the tip, under the head.
 */
export function drawArrow(ctx, x0, y0, x1, y1, { color, width, head, spread = 0.6, inset = 1, alpha = 1 }) {
  const length = Math.hypot(x1 - x0, y1 - y0) || 1;
  const ux = (x1 - x0) / length;
  const uy = (y1 - y0) / length;
  ctx.globalAlpha = alpha;
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = width;
  ctx.lineCap = "round";
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1 - ux * head * inset, y1 - uy * head * inset);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - ux * head - uy * head * spread, y1 - uy * head + ux * head * spread);
  ctx.lineTo(x1 - ux * head + uy * head * spread, y1 - uy * head - ux * head * spread);
  ctx.closePath();
  ctx.fill();
  ctx.globalAlpha = 1;
}

/** How often a demo's screen-reader summary may speak while it runs: often enough to follow, rare enough to bear. */
export const ANNOUNCE_EVERY_MS = 3000;

/**
 * A demo's one screen-reader voice: an aria-live element that speaks at most once every `everyMs`. A newer text
 * waits for its turn (the latest wins, the same text is never repeated); `say(text, { now: true })` speaks at once
 * (a finish, a pause). With `shown`, a visible sentence takes every text at once, so it never lags the figures beside
 * it; the voice speaks less often, never older than what is shown. The clock and timers can be injected
 * (tests/js/ui.test.js).
 */
export class Announcer {
  constructor(
    element,
    { everyMs = ANNOUNCE_EVERY_MS, clock = () => performance.now(), timers = globalThis, shown = null } = {},
  ) {
    this.element = element;
    // A sentence on screen beside the figures: it takes every text at once (one snapshot, one truth, issue 24);
    // only the voice waits its turn.
    this.shown = shown;
    this.everyMs = everyMs;
    this.clock = clock;
    this.timers = timers;
    this.spoken = "";
    this.spokenAt = -Infinity;
    this.pending = null;
    this.timer = 0;
  }

  say(text, { now = false } = {}) {
    if (this.shown && this.shown.textContent !== text) this.shown.textContent = text;
    if (this.timer) {
      this.timers.clearTimeout(this.timer);
      this.timer = 0;
    }
    this.pending = null;
    if (text === this.spoken) return;
    const wait = now ? 0 : this.spokenAt + this.everyMs - this.clock();
    if (wait <= 0) {
      this.speak(text);
      return;
    }
    this.pending = text;
    this.timer = this.timers.setTimeout(() => {
      this.timer = 0;
      if (this.pending !== null) this.speak(this.pending);
    }, wait);
  }

  speak(text) {
    this.pending = null;
    this.spoken = text;
    this.spokenAt = this.clock();
    this.element.textContent = text;
  }
}

/**
 * A seed as a number box (a slider over 0..2³¹−1 could not pick one), bound to the registry; a value the registry
 * refuses is reported through `onInvalid(message)` and the box shows the current seed again.
 */
export function seedControl(registry, demo, name, { label = "Seed", className = "", onInvalid = () => {} } = {}) {
  const id = `${demo}-${name}`;
  const field = registry.field(demo, name);
  const input = el("input", {
    type: "number",
    id,
    min: field?.low ?? 0,
    max: field?.high ?? 2147483647,
    step: 1,
    inputmode: "numeric",
    "aria-describedby": field?.doc ? `${id}-doc` : null,
  });
  input.value = String(registry.get(demo, name));
  input.addEventListener("change", () => {
    const result = registry.set(demo, name, input.value);
    if (!result.ok) {
      input.value = String(registry.get(demo, name));
      onInvalid(`${label} not changed: ${result.message}.`);
    }
  });
  registry.addEventListener("change", (event) => {
    if (event.detail.demo === demo && event.detail.name === name) input.value = String(event.detail.value);
  });
  return el(
    "div",
    { class: ["control", "seed", className].filter(Boolean).join(" "), dataset: { control: name } },
    el("label", { for: id }, label),
    input,
    field?.doc ? el("span", { class: "visually-hidden", id: `${id}-doc` }, field.doc) : null,
  );
}
