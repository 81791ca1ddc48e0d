// The state registry: every demo's state in one place, round-tripping through the URL (as TensorFlow Playground's
// state.ts does). Python config fields come from web/params.json (generated from rlplay's config dataclasses by
// `python -m rlplay schema`); each demo controller adds its UI-only fields (speed, overlays, mode) in the same form.
//
// URL forms:
//   ?demo=gridworld&seed=3&alpha=0.2&speed=max&autoplay=1   one demo's fields, unprefixed (links, embeds)
//   ?gridworld.seed=3&bandit.epsilon=0.2                     several demos on the full page
// Page fields: demo, embed, hide (comma list of control names to hide), autoplay.
// Unknown or invalid values are ignored and reported as notices; the page shows them.

const PAGE_FIELDS = {
  demo: { name: "demo", type: "str", default: "", choices: ["", "gridworld", "bandit", "cartpole"] },
  embed: { name: "embed", type: "bool", default: false },
  autoplay: { name: "autoplay", type: "bool", default: false },
  hide: { name: "hide", type: "str", default: "" },
  // Replay the run to this many units of work on load (a shared link's training progress), then pause.
  steps: { name: "steps", type: "int", default: 0, low: 0, high: 100000000 },
};
const MAX_STRING = 2000;

/** Parse one URL string against a field; returns {ok, value, message}. */
export function parseValue(field, text) {
  const raw = String(text);
  if (field.type === "bool") {
    const lowered = raw.trim().toLowerCase();
    if (["1", "true", "yes", "on"].includes(lowered)) return { ok: true, value: true };
    if (["0", "false", "no", "off"].includes(lowered)) return { ok: true, value: false };
    return { ok: false, message: `${field.name} must be 1 or 0` };
  }
  if (field.type === "int" || field.type === "float") {
    if (field.allow?.includes(raw)) return { ok: true, value: raw };
    const number = raw.trim() === "" ? NaN : Number(raw);
    if (!Number.isFinite(number)) return { ok: false, message: `${field.name} must be a number` };
    if (field.type === "int" && !Number.isInteger(number))
      return { ok: false, message: `${field.name} must be a whole number` };
    if (field.low !== undefined && number < field.low)
      return { ok: false, message: `${field.name} must be at least ${field.low}` };
    if (field.high !== undefined && number > field.high)
      return { ok: false, message: `${field.name} must be at most ${field.high}` };
    return { ok: true, value: number };
  }
  if (field.choices && !field.choices.includes(raw)) {
    return { ok: false, message: `${field.name} must be one of ${field.choices.filter(Boolean).join(", ")}` };
  }
  if (raw.length > MAX_STRING) return { ok: false, message: `${field.name} is too long` };
  return { ok: true, value: raw };
}

function formatValue(value) {
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}

function shown(text) {
  const value = String(text);
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

export class StateRegistry extends EventTarget {
  /**
   * @param {Object<string, Array>} schema   demo -> Python config fields (web/params.json)
   * @param {Object<string, Array>} uiSchema demo -> UI-only fields, same form plus {ui: true}
   */
  constructor(schema, uiSchema = {}) {
    super();
    this.fields = {};
    this.values = {};
    for (const demo of Object.keys(schema)) {
      this.fields[demo] = {};
      this.values[demo] = {};
      for (const field of [...schema[demo], ...(uiSchema[demo] ?? []).map((f) => ({ ...f, ui: true }))]) {
        this.fields[demo][field.name] = field;
        this.values[demo][field.name] = field.default;
      }
    }
    this.page = Object.fromEntries(Object.values(PAGE_FIELDS).map((f) => [f.name, f.default]));
    this.urlTimer = 0;
  }

  demos() {
    return Object.keys(this.fields);
  }

  field(demo, name) {
    return this.fields[demo]?.[name];
  }

  get(demo, name) {
    return this.values[demo][name];
  }

  /** Set a value from the UI or a snapshot; returns {ok, message}. Emits "change" when it changed. */
  set(demo, name, value, { source = "ui" } = {}) {
    const field = this.field(demo, name);
    if (!field) return { ok: false, message: `unknown setting ${name}` };
    const parsed = parseValue(field, formatValue(value));
    if (!parsed.ok) return parsed;
    if (this.values[demo][name] === parsed.value) return parsed;
    this.values[demo][name] = parsed.value;
    this.dispatchEvent(new CustomEvent("change", { detail: { demo, name, value: parsed.value, source } }));
    this.scheduleURLUpdate();
    return parsed;
  }

  /** Read a query string. Returns the notices for everything that was ignored. */
  load(search) {
    const notices = [];
    const query = new URLSearchParams(search);
    for (const [key, text] of query) {
      if (PAGE_FIELDS[key]) {
        const parsed = parseValue(PAGE_FIELDS[key], text);
        if (parsed.ok) this.page[key] = parsed.value;
        else notices.push(`Ignored ${key}=“${shown(text)}”: ${parsed.message}.`);
      }
    }
    const focus = this.page.demo;
    for (const [key, text] of query) {
      if (PAGE_FIELDS[key]) continue;
      const dot = key.indexOf(".");
      let targets;
      let name = key;
      if (dot > 0 && this.fields[key.slice(0, dot)]) {
        targets = [key.slice(0, dot)];
        name = key.slice(dot + 1);
      } else if (focus) {
        targets = [focus];
      } else {
        targets = this.demos().filter((demo) => this.fields[demo][key]);
      }
      const known = targets.filter((demo) => this.fields[demo][name]);
      if (!known.length) {
        notices.push(`Ignored unknown parameter “${shown(key)}”.`);
        continue;
      }
      for (const demo of known) {
        const parsed = parseValue(this.fields[demo][name], text);
        if (parsed.ok) this.values[demo][name] = parsed.value;
        else notices.push(`Ignored ${name}=“${shown(text)}”: ${parsed.message}.`);
      }
    }
    return notices;
  }

  /** The Python config of a demo as URL-style strings, for rlplay.demos.bridge "create". */
  pythonParams(demo) {
    const out = {};
    for (const [name, field] of Object.entries(this.fields[demo])) {
      if (!field.ui) out[name] = formatValue(this.values[demo][name]);
    }
    return out;
  }

  /** A query string that reproduces one demo exactly (every Python field, the non-default UI fields). */
  demoQuery(demo, { embed = false, hide = "", autoplay = false, steps = 0 } = {}) {
    const query = new URLSearchParams();
    query.set("demo", demo);
    if (embed) query.set("embed", "1");
    if (hide) query.set("hide", hide);
    if (autoplay) query.set("autoplay", "1");
    if (steps > 0) query.set("steps", String(steps));
    for (const [name, field] of Object.entries(this.fields[demo])) {
      const value = this.values[demo][name];
      if (!field.ui || value !== field.default) query.set(name, formatValue(value));
    }
    return query.toString();
  }

  /** The query string for the current page: page fields, then every demo's non-default fields. */
  pageQuery() {
    const query = new URLSearchParams();
    const focus = this.page.demo;
    if (focus) query.set("demo", focus);
    if (this.page.embed) query.set("embed", "1");
    if (this.page.hide) query.set("hide", this.page.hide);
    if (this.page.autoplay) query.set("autoplay", "1");
    for (const demo of this.demos()) {
      for (const [name, field] of Object.entries(this.fields[demo])) {
        const value = this.values[demo][name];
        if (value === field.default) continue;
        query.set(demo === focus ? name : `${demo}.${name}`, formatValue(value));
      }
    }
    return query.toString();
  }

  scheduleURLUpdate() {
    clearTimeout(this.urlTimer);
    this.urlTimer = setTimeout(() => {
      const query = this.pageQuery();
      const url = `${location.pathname}${query ? `?${query}` : ""}${location.hash}`;
      history.replaceState(null, "", url);
    }, 150);
  }
}
