// The state registry: every demo's state in one place, round-tripping through the URL (as TensorFlow Playground's
// state.ts does). Python config fields come from web/params.json (generated from rlplay's config dataclasses by
// `python -m rlplay schema`); each demo controller adds its UI-only fields (speed, overlays, mode) in the same form.
//
// URL forms:
//   ?demo=gridworld&seed=3&alpha=0.2&speed=max&autoplay=1   one demo's fields, unprefixed (links, embeds)
//   ?gridworld.seed=3&bandit.epsilon=0.2                     several demos on the full page
// Page fields: demo, embed, present (one demo on the whole screen), hide (comma list of control names to hide),
// autoplay, steps (replay a shared run), code, scene (a parameter study to open and run).
//
// A URL is hostile input. Parsing it cannot be turned against the page:
// - every parsed structure has no prototype (Object.create(null)) and every lookup is an own-property lookup, so a
//   name such as `constructor.entries`, `__proto__.toString` or `gridworld.__proto__.x` reaches nothing built in;
// - a name is looked up in an allow-list (the page fields, then the demo's fields); nothing is ever assigned through
//   a path taken from the URL;
// - a parameter given twice, or twice under two names (`seed` and `gridworld.seed`), keeps its first value and is
//   reported;
// - anything from the URL that the page shows goes through displayText(): control, bidi and invisible characters
//   become a visible ⟨U+XXXX⟩, so a notice cannot be reordered or hide text;
// - at most MAX_PARAMETERS parameters are read, and at most MAX_NOTICES notices are shown.
// Unknown or invalid values are ignored and reported as notices; the page shows them.
// Old links keep working: a UI field added later may declare `oldLinks` (see load), so a link from before it keeps
// showing what it showed, and every new link carries such a field whenever leaving it out would read as old.

// A shared link's steps= replays the run on load; more than this is capped (and the replay can be cancelled). One
// million units replays in about 2 s for the gridworld (~0.43 M steps/s in the browser, README benchmark) and about
// 28 s for the cart-pole (~35 k steps/s), which solves well within it; the bandit's horizon (at most 100,000 pulls)
// ends its runs first. A run a person trained by hand and shared is far shorter.
export const REPLAY_CAP = 1_000_000;
export const MAX_PARAMETERS = 100;
export const MAX_NOTICES = 12;
const MAX_STRING = 2000;
const NAME = /^[a-z][a-z0-9_]{0,39}$/;
// A number as a person writes one (no hex, no binary, no surrounding spaces): what Python's float() reads too.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Controls (Cc), format characters (Cf: soft hyphen, zero-width and bidi marks, bidi embeddings, overrides and
// isolates, word joiner, invisible operators, BOM, tag characters), line/paragraph separators and Hangul fillers.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0]/gu;

function nullObject(entries = []) {
  const out = Object.create(null);
  for (const [key, value] of entries) out[key] = value;
  return out;
}

function own(object, key) {
  return object != null && Object.hasOwn(object, key) ? object[key] : undefined;
}

// The page's own parameters: every one is read here, through the same allow-list, duplicate and value checks as the
// demos' settings (nothing else on the page reads the query string).
export const PAGE_FIELDS = new Map(
  [
    // The choices are the demos params.json declares (each registry fills them in from its schema).
    { name: "demo", type: "str", default: "", choices: [""] },
    { name: "embed", type: "bool", default: false },
    // Present mode: one demo on the whole screen, for a projector (web/present.js).
    { name: "present", type: "bool", default: false },
    { name: "autoplay", type: "bool", default: false },
    { name: "hide", type: "str", default: "" },
    // An embed's parts to show beyond its lesson view ("all": every part; README, "Embedding").
    { name: "show", type: "str", default: "" },
    // Replay the run to this many units of work on load (a shared link's training progress), then pause.
    { name: "steps", type: "int", default: 0, low: 0, cap: REPLAY_CAP },
    // Edited code carried by a link (web/code/share.js decodes it; only its Run button runs it): read as data here.
    { name: "code", type: "str", default: "", maxLength: 16000 },
    // The cart-pole run started from an agent: the site's pretrained one (loaded again, then steps= replayed), or the
    // sender's own file, which a link cannot carry (the page says so and starts untrained).
    { name: "agent", type: "str", default: "", choices: ["", "pretrained", "file"] },
    // A scene to open and start: a parameter study a demo offers (web/contract.json's `studies`, from rlplay.studies).
    { name: "scene", type: "str", default: "", maxLength: 60 },
  ].map((field) => [field.name, Object.freeze(field)]),
);

/**
 * Text from a URL or a user, made safe to show: controls, bidi and invisible characters become a visible
 * ⟨U+XXXX⟩, and long text is cut to `limit` characters. displayText("a\u202Eb") === "a⟨U+202E⟩b".
 */
/** One `shown_when` condition (rlplay.params.When.describe): {field, in | not_in | at_least}. */
export function conditionHolds(condition, value) {
  if (condition.at_least !== undefined) return value >= condition.at_least;
  if (condition.in) return condition.in.includes(value);
  if (condition.not_in) return !condition.not_in.includes(value);
  return true;
}

export function displayText(text, limit = Infinity) {
  const visible = String(text).replace(
    INVISIBLE,
    (ch) => `⟨U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}⟩`,
  );
  const chars = Array.from(visible);
  return chars.length > limit ? `${chars.slice(0, limit).join("")}…` : visible;
}

function shown(text) {
  return displayText(text, 40);
}

/** Parse one URL string against a field; returns {ok, value, message}. A capped value is ok, with a message. */
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
    const number = NUMBER.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(number)) return { ok: false, message: `${field.name} must be a number` };
    if (field.type === "int" && !Number.isInteger(number))
      return { ok: false, message: `${field.name} must be a whole number` };
    if (field.low !== undefined && number < field.low)
      return { ok: false, message: `${field.name} must be at least ${field.low}` };
    if (field.high !== undefined && number > field.high)
      return { ok: false, message: `${field.name} must be at most ${field.high}` };
    if (field.cap !== undefined && number > field.cap) {
      return {
        ok: true,
        value: field.cap,
        message: `${field.name}=${shown(raw)} is more than a link may ask for; capped at ${field.cap.toLocaleString("en-US")}`,
      };
    }
    return { ok: true, value: number };
  }
  if (raw.length > (field.maxLength ?? MAX_STRING)) return { ok: false, message: `${field.name} is too long` };
  if (field.choices && !field.choices.includes(raw)) {
    return { ok: false, message: `${field.name} must be one of ${field.choices.filter(Boolean).join(", ")}` };
  }
  return { ok: true, value: raw };
}

function formatValue(value) {
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}

export class StateRegistry extends EventTarget {
  /**
   * @param {Object<string, Array>} schema   demo -> Python config fields (web/params.json)
   * @param {Object<string, Array>} uiSchema demo -> UI-only fields, same form plus {ui: true}
   */
  constructor(schema, uiSchema = {}) {
    super();
    this.fields = nullObject();
    this.values = nullObject();
    for (const demo of Object.keys(schema)) {
      if (!NAME.test(demo)) continue;
      this.fields[demo] = nullObject();
      this.values[demo] = nullObject();
      for (const field of [...schema[demo], ...(own(uiSchema, demo) ?? []).map((f) => ({ ...f, ui: true }))]) {
        if (!NAME.test(field.name)) continue;
        this.fields[demo][field.name] = Object.freeze({ ...field });
        this.values[demo][field.name] = field.default;
      }
    }
    // demo= names one of the demos Python declares (params.json): no list here to keep in step
    this.pageFields = new Map(PAGE_FIELDS);
    const demo = PAGE_FIELDS.get("demo");
    this.pageFields.set("demo", Object.freeze({ ...demo, choices: ["", ...Object.keys(this.fields)] }));
    this.page = nullObject([...this.pageFields.values()].map((f) => [f.name, f.default]));
    this.given = new Set(); // what the last link read set itself (load): a scene fills in only the rest
    this.urlTimer = 0;
  }

  demos() {
    return Object.keys(this.fields);
  }

  field(demo, name) {
    return own(own(this.fields, demo), name);
  }

  get(demo, name) {
    return own(own(this.values, demo), name);
  }

  /**
   * Whether a field matters with the demo's current values: every condition of its `shown_when` (declared with the
   * field in Python's Param, read from params.json) holds. The page hides the controls of fields that do not.
   */
  shown(demo, name) {
    const conditions = this.field(demo, name)?.shown_when ?? [];
    return conditions.every((condition) => conditionHolds(condition, this.get(demo, condition.field)));
  }

  /**
   * Give each field declared with `default_by` in Python's Param (params.json: `{field, values, otherwise}`), except
   * those `kept` names as "demo.name", its default under the current value of the field it follows: what Python's
   * `resolve_defaults` gives a field left out. No event: called while a link or a scene is read, before any driver.
   */
  followDefaults(demo, kept = new Set()) {
    for (const [name, field] of Object.entries(this.fields[demo] ?? {})) {
      const rule = field.default_by;
      if (!rule || kept.has(`${demo}.${name}`)) continue;
      const choice = String(this.values[demo][rule.field]);
      this.values[demo][name] = Object.hasOwn(rule.values ?? {}, choice) ? rule.values[choice] : rule.otherwise;
    }
  }

  /** Set a value from the UI or a snapshot; returns {ok, message}. Emits "change" when it changed. */
  set(demo, name, value, { source = "ui" } = {}) {
    const field = this.field(demo, name);
    if (!field) return { ok: false, message: `unknown setting ${shown(name)}` };
    const parsed = parseValue(field, formatValue(value));
    if (!parsed.ok) return parsed;
    if (this.values[demo][name] === parsed.value) return parsed;
    this.values[demo][name] = parsed.value;
    this.dispatchEvent(new CustomEvent("change", { detail: { demo, name, value: parsed.value, source } }));
    this.scheduleURLUpdate();
    return parsed;
  }

  /** Every value back to its default, the page fields too, and no URL update pending: a registry that has read
   *  nothing (before load() reads another link into it: the page's open()). Emits no events. */
  reset() {
    for (const demo of this.demos())
      for (const [name, field] of Object.entries(this.fields[demo])) this.values[demo][name] = field.default;
    for (const field of this.pageFields.values()) this.page[field.name] = field.default;
    this.given = new Set();
    clearTimeout(this.urlTimer);
    this.urlTimer = 0;
  }

  /**
   * Read a query string. Returns the notices for everything that was ignored, capped or given twice.
   * Nothing here assigns through a name from the URL: each name is first resolved against the allow-list.
   */
  load(search) {
    const notices = [];
    const entries = [...new URLSearchParams(search)];
    if (entries.length > MAX_PARAMETERS) {
      notices.push(`The link has ${entries.length} parameters; only the first ${MAX_PARAMETERS} were read.`);
      entries.length = MAX_PARAMETERS;
    }
    // Where each setting's value came from: "page.steps" or "gridworld.seed" -> the name as written in the URL.
    const taken = new Map();
    const claim = (target, key) => {
      const first = taken.get(target);
      if (first === undefined) {
        taken.set(target, key);
        return true;
      }
      notices.push(
        first === key
          ? `“${shown(key)}” given twice; using the first.`
          : `“${shown(key)}” and “${shown(first)}” both set ${target.replace(/^page\./, "")}; using the first (“${shown(first)}”).`,
      );
      return false;
    };
    for (const [key, text] of entries) {
      const field = this.pageFields.get(key);
      if (!field || !claim(`page.${key}`, key)) continue;
      const parsed = parseValue(field, text);
      if (parsed.ok) {
        this.page[key] = parsed.value;
        if (parsed.message) notices.push(`${parsed.message}.`);
      } else notices.push(`Ignored ${key}=“${shown(text)}”: ${parsed.message}.`);
    }
    const focus = this.page.demo;
    for (const [key, text] of entries) {
      if (this.pageFields.has(key)) continue;
      const parts = key.split(".");
      if (parts.length > 2 || !parts.every((part) => NAME.test(part))) {
        notices.push(`Ignored “${shown(key)}”: not a setting name.`);
        continue;
      }
      let targets;
      let name = key;
      if (parts.length === 2) {
        if (!own(this.fields, parts[0])) {
          notices.push(`Ignored unknown parameter “${shown(key)}”.`);
          continue;
        }
        targets = [parts[0]];
        name = parts[1];
      } else if (focus) {
        targets = [focus];
      } else {
        targets = this.demos().filter((demo) => this.field(demo, key));
      }
      const known = targets.filter((demo) => this.field(demo, name));
      if (!known.length) {
        notices.push(`Ignored unknown parameter “${shown(key)}”.`);
        continue;
      }
      for (const demo of known) {
        if (!claim(`${demo}.${name}`, key)) continue;
        const parsed = parseValue(this.field(demo, name), text);
        if (parsed.ok) this.values[demo][name] = parsed.value;
        else notices.push(`Ignored ${name}=“${shown(text)}”: ${parsed.message}.`);
      }
    }
    // A link made before a field existed: a field with `oldLinks: {given: [names], value}` that the link does not
    // set, in a link that sets one of `given` true, takes `value` (what such a link showed then).
    for (const demo of this.demos()) {
      for (const [name, field] of Object.entries(this.fields[demo])) {
        if (!field.oldLinks || taken.has(`${demo}.${name}`)) continue;
        const old = field.oldLinks.given.some((g) => taken.has(`${demo}.${g}`) && this.values[demo][g] === true);
        if (old) this.values[demo][name] = field.oldLinks.value;
      }
    }
    // A field whose default follows another (Python's default_by: a rule's own α) and that the link leaves out takes
    // its default under the link's choice, as the CLI does: `algo=sarsa` runs SARSA at SARSA's α.
    for (const demo of this.demos()) this.followDefaults(demo, taken);
    // What the link itself set ("page.steps", "gridworld.seed"): a scene it names fills in only the rest.
    this.given = new Set(taken.keys());
    if (notices.length > MAX_NOTICES) {
      const more = notices.length - (MAX_NOTICES - 1);
      notices.length = MAX_NOTICES - 1;
      notices.push(`…and ${more} more problems with the link.`);
    }
    return notices;
  }
  /** The Python config of a demo as URL-style strings, for rlplay.app.bridge "create". */
  pythonParams(demo) {
    const out = {};
    for (const [name, field] of Object.entries(this.fields[demo])) {
      if (!field.ui) out[name] = formatValue(this.values[demo][name]);
    }
    return out;
  }

  /** A query string that reproduces one demo exactly (every Python field, the non-default UI fields). */
  demoQuery(demo, { embed = false, hide = "", autoplay = false, steps = 0, agent = "", changedOnly = false } = {}) {
    const query = new URLSearchParams();
    query.set("demo", demo);
    if (embed) query.set("embed", "1");
    if (agent) query.set("agent", agent);
    if (hide) query.set("hide", hide);
    if (this.page.scene) query.set("scene", this.page.scene);
    if (autoplay) query.set("autoplay", "1");
    if (steps > 0) query.set("steps", String(steps));
    for (const [name, field] of Object.entries(this.fields[demo])) {
      const value = this.values[demo][name];
      // changedOnly (the Embed snippet): a Python field only where it differs from its default
      const differs = formatValue(value) !== formatValue(field.default);
      if (field.ui ? this.written(demo, name) : !changedOnly || differs) query.set(name, formatValue(value));
    }
    return query.toString();
  }

  /** Whether a link must carry a UI field: when it is not its default, or when leaving it out would make the link
   * read as an old one (see `oldLinks` in load). */
  written(demo, name) {
    const field = this.fields[demo][name];
    if (this.values[demo][name] !== field.default) return true;
    return Boolean(field.oldLinks?.given.some((g) => this.values[demo][g] === true));
  }

  /** The query string for the current page: page fields, then every demo's non-default fields. */
  pageQuery() {
    const query = new URLSearchParams();
    const focus = this.page.demo;
    if (focus) query.set("demo", focus);
    if (this.page.embed) query.set("embed", "1");
    if (this.page.present) query.set("present", "1");
    if (this.page.hide) query.set("hide", this.page.hide);
    if (this.page.show) query.set("show", this.page.show);
    if (this.page.scene) query.set("scene", this.page.scene);
    if (this.page.autoplay) query.set("autoplay", "1");
    for (const demo of this.demos()) {
      for (const name of Object.keys(this.fields[demo])) {
        const value = this.values[demo][name];
        if (!this.written(demo, name)) continue;
        query.set(demo === focus ? name : `${demo}.${name}`, formatValue(value));
      }
    }
    return query.toString();
  }

  scheduleURLUpdate() {
    if (typeof history === "undefined") return; // outside a page (the unit tests)
    clearTimeout(this.urlTimer);
    this.urlTimer = setTimeout(() => {
      const query = this.pageQuery();
      const url = `${location.pathname}${query ? `?${query}` : ""}${location.hash}`;
      history.replaceState(null, "", url);
    }, 150);
  }
}
