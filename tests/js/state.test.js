// Unit tests of the URL state registry (web/state.js), run by `node --test tests/js/`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { conditionHolds, displayText, MAX_NOTICES, parseValue, REPLAY_CAP, StateRegistry } from "../../web/state.js";

const schema = JSON.parse(readFileSync(new URL("../../web/params.json", import.meta.url), "utf8"));
const uiSchema = { gridworld: [{ name: "speed", type: "str", default: "30", choices: ["30", "max"] }] };
const plain = (object) => JSON.parse(JSON.stringify(object));

// What a hostile link could reach if a name were used as a property path.
function builtIns() {
  return {
    entries: Object.entries,
    toString: Object.prototype.toString,
    hasOwnProperty: Object.prototype.hasOwnProperty,
    valueOf: Object.prototype.valueOf,
    protoKeys: Object.getOwnPropertyNames(Object.prototype).sort().join(","),
    arrayKeys: Object.getOwnPropertyNames(Array.prototype).sort().join(","),
    functionKeys: Object.getOwnPropertyNames(Function.prototype).sort().join(","),
  };
}

test("parseValue checks types and ranges against the field", () => {
  const alpha = { name: "alpha", type: "float", low: 0, high: 1 };
  assert.deepEqual(parseValue(alpha, "0.25"), { ok: true, value: 0.25 });
  assert.equal(parseValue(alpha, "1.5").ok, false);
  assert.equal(parseValue(alpha, "NaN").ok, false);
  assert.equal(parseValue(alpha, "").ok, false);
  assert.equal(parseValue({ name: "n", type: "int", low: 0, high: 9 }, "2.5").ok, false);
  assert.deepEqual(parseValue({ name: "b", type: "bool" }, "yes"), { ok: true, value: true });
  assert.equal(parseValue({ name: "c", type: "str", choices: ["a", "b"] }, "z").ok, false);
});

test("numbers are read as Python reads them: no hex, binary, octal or padding", () => {
  const seed = { name: "seed", type: "int", low: 0, high: 2 ** 31 - 1 };
  for (const text of ["0x10", "0b101", "0o7", " 3", "3 ", "1_000", "１２", "Infinity", "+Infinity", "1e999"])
    assert.equal(parseValue(seed, text).ok, false, text);
  for (const [text, value] of [
    ["3", 3],
    ["+3", 3],
    ["3.", 3],
    ["3e2", 300],
    ["3.0", 3],
  ])
    assert.deepEqual(parseValue(seed, text), { ok: true, value }, text);
});

test("a demo's query string round-trips through load", () => {
  const registry = new StateRegistry(schema, uiSchema);
  registry.values.gridworld.seed = 7;
  registry.values.gridworld.speed = "max";
  const query = registry.demoQuery("gridworld", { steps: 120 });
  const copy = new StateRegistry(schema, uiSchema);
  assert.deepEqual(copy.load(`?${query}`), []);
  assert.deepEqual(plain(copy.values.gridworld), plain(registry.values.gridworld));
  assert.equal(copy.page.steps, 120);
  assert.equal(copy.page.demo, "gridworld");
});

test("the Embed snippet's query: only the settings that differ from their defaults, and it opens the same", () => {
  const registry = new StateRegistry(schema, uiSchema);
  assert.deepEqual(registry.load("?demo=gridworld&seed=7&speed=max&scene=cliff-walk&show=planning"), []);
  const query = new URLSearchParams(registry.demoQuery("gridworld", { embed: true, changedOnly: true }));
  assert.deepEqual([...query.keys()], ["demo", "embed", "scene", "seed", "speed"]);
  assert.equal(query.get("scene"), "cliff-walk");
  const copy = new StateRegistry(schema, uiSchema);
  assert.deepEqual(copy.load(`?${query}`), []);
  assert.deepEqual(plain(copy.values.gridworld), plain(registry.values.gridworld));
  // every Python setting, as before, when asked for the whole run (a link, the reproduce command)
  const whole = new URLSearchParams(registry.demoQuery("gridworld"));
  assert.ok([...whole.keys()].length > 20);
  // show= and scene= are the page's own, carried by its link
  const page = new URLSearchParams(registry.pageQuery());
  assert.equal(page.get("show"), "planning");
  assert.equal(page.get("scene"), "cliff-walk");
});

test("unknown and invalid parameters are reported, and the defaults stay", () => {
  const registry = new StateRegistry(schema, uiSchema);
  const defaults = plain(registry.values);
  const notices = registry.load("?demo=gridworld&colour=red&seed=-3");
  assert.equal(notices.length, 2);
  assert.deepEqual(plain(registry.values), defaults);
});

const PROTOTYPE_PATHS = [
  "constructor.entries=1",
  "__proto__.toString=1",
  "gridworld.__proto__.x=1",
  "__proto__=1",
  "__proto__[toString]=1",
  "constructor=1",
  "constructor.prototype.polluted=1",
  "gridworld.constructor=1",
  "gridworld.hasOwnProperty=1",
  "toString=1",
  "valueOf.call=1",
  "prototype=1",
  "bandit.__defineGetter__=1",
  "gridworld.seed.__proto__=1",
  "__lookupGetter__=1",
  "hasOwnProperty=x",
  "demo=__proto__",
  "demo=constructor",
  "demo=toString",
];

for (const query of PROTOTYPE_PATHS) {
  for (const prefix of query.startsWith("demo=") ? [""] : ["", "demo=gridworld&"]) {
    test(`?${prefix}${query} leaves the built-ins intact and is reported`, () => {
      const before = builtIns();
      const registry = new StateRegistry(schema, uiSchema);
      const defaults = plain(registry.values);
      const notices = registry.load(`?${prefix}${query}`);
      assert.deepEqual(builtIns(), before);
      assert.equal({}.polluted, undefined);
      assert.equal({}.x, undefined);
      assert.equal(notices.length, 1, notices.join(" | "));
      assert.match(notices[0], /Ignored/);
      assert.deepEqual(plain(registry.values), defaults);
      // The registry still works after the attempt.
      assert.equal(registry.set("gridworld", "seed", 5).ok, true);
      assert.equal(registry.get("gridworld", "seed"), 5);
      assert.equal(registry.get("gridworld", "constructor"), undefined);
      assert.equal(registry.field("constructor", "entries"), undefined);
    });
  }
}

test("a parameter given twice keeps the first value and is reported", () => {
  const registry = new StateRegistry(schema, uiSchema);
  const notices = registry.load("?demo=gridworld&seed=3&seed=4");
  assert.equal(registry.get("gridworld", "seed"), 3);
  assert.deepEqual(notices, ["“seed” given twice; using the first."]);
});

test("a setting given under two names keeps the first and is reported as a conflict", () => {
  const registry = new StateRegistry(schema, uiSchema);
  const notices = registry.load("?demo=gridworld&gridworld.seed=8&seed=9");
  assert.equal(registry.get("gridworld", "seed"), 8);
  assert.equal(notices.length, 1);
  assert.match(notices[0], /“seed” and “gridworld\.seed” both set gridworld\.seed; using the first/);
});

test("page fields given twice keep the first", () => {
  const registry = new StateRegistry(schema, uiSchema);
  const notices = registry.load("?demo=bandit&demo=gridworld&embed=1&embed=0");
  assert.equal(registry.page.demo, "bandit");
  assert.equal(registry.page.embed, true);
  assert.deepEqual(notices, ["“demo” given twice; using the first.", "“embed” given twice; using the first."]);
});

test("steps above the replay cap are capped, reported, and still replay", () => {
  for (const text of ["1e9", "1000000000", "100000001", String(2 ** 53 + 2)]) {
    const registry = new StateRegistry(schema, uiSchema);
    const notices = registry.load(`?demo=cartpole&steps=${text}`);
    assert.equal(registry.page.steps, REPLAY_CAP, text);
    assert.equal(notices.length, 1);
    assert.match(notices[0], /capped at 1,000,000/);
  }
  const registry = new StateRegistry(schema, uiSchema);
  assert.deepEqual(registry.load(`?steps=${REPLAY_CAP}`), []);
  assert.equal(registry.page.steps, REPLAY_CAP);
  for (const text of ["-1", "1.5", "1e999", "0x100", "Infinity"]) {
    const other = new StateRegistry(schema, uiSchema);
    assert.equal(other.load(`?steps=${text}`).length, 1, text);
    assert.equal(other.page.steps, 0, text);
  }
});

test("bidi controls and invisible characters are shown as visible code points", () => {
  assert.equal(displayText("a\u202Eb"), "a⟨U+202E⟩b");
  assert.equal(displayText("x\u200By\u2066z\u2069"), "x⟨U+200B⟩y⟨U+2066⟩z⟨U+2069⟩");
  assert.equal(displayText("tag\u{E0041}"), "tag⟨U+E0041⟩");
  assert.equal(displayText("new\nline\r\0"), "new⟨U+000A⟩line⟨U+000D⟩⟨U+0000⟩");
  assert.equal(displayText("ok ε γ 🎲"), "ok ε γ 🎲");
  const registry = new StateRegistry(schema, uiSchema);
  for (const query of ["?demo=gridworld&see\u202Ed=1", "?demo=gridworld&seed=1\u202E2", "?demo=\u2067gridworld"]) {
    const notices = registry.load(query.replace(/[^\x20-\x7e]/g, (c) => encodeURIComponent(c)));
    assert.equal(notices.length, 1, query);
    assert.doesNotMatch(notices[0], /[\u200b-\u200f\u202a-\u202e\u2066-\u2069]/, notices[0]);
    assert.match(notices[0], /⟨U\+20(2E|67)⟩/);
  }
});

test("a flood of parameters is read up to a limit, and the notices are bounded", () => {
  const registry = new StateRegistry(schema, uiSchema);
  const query = Array.from({ length: 5000 }, (_, i) => `junk${i}=1`).join("&");
  const notices = registry.load(`?${query}`);
  assert.equal(notices.length, MAX_NOTICES);
  assert.match(notices[0], /5000 parameters; only the first 100 were read/);
  assert.match(notices.at(-1), /more problems with the link/);
});

test("long names and values are cut in notices", () => {
  const registry = new StateRegistry(schema, uiSchema);
  const [notice] = registry.load(`?demo=gridworld&walls=${"x".repeat(3000)}`);
  assert.ok(notice.length < 120, notice);
  assert.match(notice, /walls is too long/);
});

test("a link's code is a page field: read as data, not reported, bounded", () => {
  const registry = new StateRegistry(schema, uiSchema);
  assert.deepEqual(registry.load(`?demo=bandit&code=${"A".repeat(3000)}`), []);
  assert.equal(registry.page.code.length, 3000);
  const other = new StateRegistry(schema, uiSchema);
  assert.match(other.load(`?code=${"A".repeat(20000)}`)[0], /code is too long/);
});

test("an old link (before a field existed) keeps what it showed; a new link is never read as old", () => {
  const ui = {
    gridworld: [
      { name: "show_values", type: "bool", default: false },
      { name: "show_optimal", type: "bool", default: false },
      {
        name: "show_q",
        type: "bool",
        default: true,
        oldLinks: { given: ["show_values", "show_optimal"], value: false },
      },
      { name: "show_optimal_path", type: "bool", default: false, oldLinks: { given: ["show_optimal"], value: true } },
    ],
  };
  const read = (query) => {
    const registry = new StateRegistry(schema, ui);
    assert.deepEqual(registry.load(query), []);
    return registry;
  };
  const shown = (registry) =>
    ["show_q", "show_values", "show_optimal", "show_optimal_path"].map((name) => registry.get("gridworld", name));
  // Old links: the layer they asked for, alone (and V* with its optimal path).
  assert.deepEqual(shown(read("?demo=gridworld&show_values=1")), [false, true, false, false]);
  assert.deepEqual(shown(read("?demo=gridworld&show_optimal=1")), [false, false, true, true]);
  assert.deepEqual(shown(read("?gridworld.show_optimal=1")), [false, false, true, true]);
  // Not old: nothing set, a layer set false, or the new field given.
  assert.deepEqual(shown(read("?demo=gridworld")), [true, false, false, false]);
  assert.deepEqual(shown(read("?demo=gridworld&show_values=0")), [true, false, false, false]);
  assert.deepEqual(shown(read("?demo=gridworld&show_values=1&show_q=1")), [true, true, false, false]);
  assert.deepEqual(shown(read("?demo=gridworld&show_optimal=1&show_optimal_path=0")), [false, false, true, false]);
  // Every combination round-trips through both kinds of query.
  for (let bits = 0; bits < 16; bits++) {
    const registry = read("");
    ["show_q", "show_values", "show_optimal", "show_optimal_path"].forEach((name, i) => {
      registry.set("gridworld", name, Boolean(bits & (1 << i)));
    });
    assert.deepEqual(shown(read(`?${registry.demoQuery("gridworld")}`)), shown(registry), `demoQuery ${bits}`);
    assert.deepEqual(shown(read(`?${registry.pageQuery()}`)), shown(registry), `pageQuery ${bits}`);
  }
});

/** Two different valid URL values of a page field, read from its declaration (so a field added later is covered). */
function twoValues(field) {
  if (field.type === "bool") return ["1", "0"];
  if (field.type === "int") return [String((field.low ?? 0) + 2), String((field.low ?? 0) + 1)];
  if (field.choices) return [...field.choices.filter(Boolean), ""].slice(0, 2);
  return ["first", "second"];
}

// A registry's page fields: demo= takes its choices from the schema (the demos params.json declares).
for (const field of new StateRegistry(schema, uiSchema).pageFields.values()) {
  test(`page field ${field.name} given twice keeps the first and is reported, as a demo setting is`, () => {
    const [first, second] = twoValues(field);
    assert.notEqual(first, second);
    const registry = new StateRegistry(schema, uiSchema);
    const notices = registry.load(`?${field.name}=${first}&${field.name}=${second}`);
    assert.equal(registry.page[field.name], parseValue(field, first).value);
    assert.deepEqual(notices, [`“${field.name}” given twice; using the first.`]);
  });

  test(`page field ${field.name} is allow-listed: a bad value, a demo prefix and a near miss are reported`, () => {
    const registry = new StateRegistry(schema, uiSchema);
    const notices = registry.load(`?gridworld.${field.name}=1&${field.name.toUpperCase()}=1`);
    assert.equal(registry.page[field.name], field.default);
    assert.deepEqual(notices, [
      `Ignored unknown parameter “gridworld.${field.name}”.`,
      `Ignored “${field.name.toUpperCase()}”: not a setting name.`,
    ]);
    const bad = field.type === "str" && !field.choices ? "x".repeat((field.maxLength ?? 2000) + 1) : "bogus";
    const badNotices = new StateRegistry(schema, uiSchema).load(`?${field.name}=${bad}`);
    assert.equal(badNotices.length, 1);
    assert.match(badNotices[0], new RegExp(`${field.name}`));
  });
}

test("a setting is shown exactly when its shown_when (declared in Python, params.json) holds", () => {
  const registry = new StateRegistry(schema, uiSchema);
  assert.equal(registry.shown("gridworld", "tau"), false); // ε-greedy by default
  assert.equal(registry.shown("gridworld", "epsilon"), true);
  registry.set("gridworld", "explore", "softmax");
  assert.equal(registry.shown("gridworld", "tau"), true);
  assert.equal(registry.shown("gridworld", "epsilon"), false);
  assert.equal(registry.shown("gridworld", "episodes"), false); // only when averaging over seeds
  registry.set("gridworld", "seeds", 2);
  assert.equal(registry.shown("gridworld", "episodes"), true);
  assert.equal(registry.shown("cartpole", "dqn_lr"), false);
  registry.set("cartpole", "algo", "dqn");
  assert.deepEqual(
    ["lr", "hidden", "dqn_lr", "dqn_hidden"].map((name) => registry.shown("cartpole", name)),
    [false, false, true, true],
  );
  assert.equal(registry.shown("gridworld", "alpha"), true); // no condition: always shown
});

test("conditionHolds reads the three forms of a condition", () => {
  assert.equal(conditionHolds({ field: "a", in: ["x"] }, "x"), true);
  assert.equal(conditionHolds({ field: "a", not_in: ["x"] }, "x"), false);
  assert.equal(conditionHolds({ field: "a", at_least: 2 }, 1), false);
  assert.equal(conditionHolds({ field: "a", at_least: 2 }, 2), true);
});
