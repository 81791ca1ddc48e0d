// Unit tests of the URL state registry (web/state.js), run by `node --test tests/js/`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { parseValue, StateRegistry } from "../../web/state.js";

const schema = JSON.parse(readFileSync(new URL("../../web/params.json", import.meta.url), "utf8"));
const uiSchema = { gridworld: [{ name: "speed", type: "str", default: "30", choices: ["30", "max"] }] };

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

test("a demo's query string round-trips through load", () => {
  const registry = new StateRegistry(schema, uiSchema);
  registry.values.gridworld.seed = 7;
  registry.values.gridworld.speed = "max";
  const query = registry.demoQuery("gridworld", { steps: 120 });
  const copy = new StateRegistry(schema, uiSchema);
  assert.deepEqual(copy.load(`?${query}`), []);
  assert.deepEqual(copy.values.gridworld, registry.values.gridworld);
  assert.equal(copy.page.steps, 120);
  assert.equal(copy.page.demo, "gridworld");
});

test("unknown and invalid parameters are reported, and the defaults stay", () => {
  const registry = new StateRegistry(schema, uiSchema);
  const defaults = structuredClone(registry.values);
  const notices = registry.load("?demo=gridworld&colour=red&seed=-3");
  assert.equal(notices.length, 2);
  assert.deepEqual(registry.values, defaults);
});
