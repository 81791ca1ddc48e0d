// Unit tests of the gridworld's value layers (web/views/grid_layers.js), run by `node --test tests/js/`.
// Oracles: hand-computed minima and maxima of small tables, and the places the module's header draws.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  CENTRE,
  FRAME,
  gridLayers,
  layerText,
  stateValues,
  valueDomain,
  valueRange,
} from "../../web/views/grid_layers.js";

// Three states: s0 open, s1 open, s2 a wall (not open). Q rows: up, down, left, right.
const Q = Float64Array.from([-3, -1, -2, -4, -0.5, -6, -1, -1, 99, 99, 99, 99]);
const V_star = Float64Array.from([-0.8, -0.2, 42]);
const open = (s) => s !== 2;
const data = { Q, V_star };

test("stateValues is max over actions; valueRange skips what `use` refuses and non-finite entries", () => {
  assert.deepEqual(Array.from(stateValues(Q)), [-1, -0.5, 99]);
  assert.deepEqual(valueRange([3, -1, Number.NaN, 2]), { lo: -1, hi: 3 });
  assert.deepEqual(
    valueRange([5, 1], (i) => i > 0),
    { lo: 1, hi: 1 },
  );
  assert.equal(valueRange([Number.NaN]), null);
  assert.deepEqual(valueDomain([-2, 1]), { lo: -2, hi: 2 });
  assert.deepEqual(valueDomain([-100, -13]), { lo: -100, hi: -13 });
});

test("every value layer on: V a border, Q triangles inside it, V* a centre square, one shared domain", () => {
  const plan = gridLayers({ q: true, values: true, optimal: true }, data, open);
  assert.deepEqual(
    plan.layers.map((l) => [l.name, l.place, l.lo, l.hi]),
    [
      ["v", "frame", -1, -0.5], // max_a Q over the open states
      ["q", "triangles", -6, -0.5], // every action of the open states
      ["vstar", "centre", -0.8, -0.2],
    ],
  );
  // One domain over the states' values of V and V* (the wall's 99 and 42 left out): min -1, max -0.2.
  assert.deepEqual(plan.domain, { lo: -1, hi: -0.2 });
  assert.equal(plan.inset, FRAME);
  assert.equal(plan.centre, CENTRE);
  assert.equal(plan.numbers, null); // no numbers over three layers
  assert.equal(plan.arrows, "greedy");
});

test("a layer alone fills the cell (as before the layers combined), with its numbers", () => {
  const onlyV = gridLayers({ values: true }, data, open);
  assert.deepEqual(
    onlyV.layers.map((l) => l.place),
    ["cell"],
  );
  assert.equal(onlyV.numbers, "v");
  assert.equal(onlyV.arrows, "greedy");
  const onlyStar = gridLayers({ optimal: true }, data, open);
  assert.deepEqual(
    onlyStar.layers.map((l) => l.place),
    ["cell"],
  );
  assert.equal(onlyStar.numbers, "vstar");
  assert.equal(onlyStar.arrows, "optimal"); // V* alone keeps value iteration's arrows
  assert.deepEqual(onlyStar.domain, { lo: -0.8, hi: -0.2 });
  const onlyQ = gridLayers({ q: true }, data, open);
  assert.deepEqual(
    onlyQ.layers.map((l) => l.place),
    ["triangles"],
  );
  assert.equal(onlyQ.inset, 0);
  assert.equal(onlyQ.numbers, null);
  // The triangles' scale is the states' values (worse actions run off its end at full strength), as before.
  assert.deepEqual(onlyQ.domain, { lo: -1, hi: -0.5 });
});

test("pairs: Q with V* puts V* in the centre; V with V* without Q puts V* in the centre of a V cell", () => {
  const qStar = gridLayers({ q: true, optimal: true }, data, open);
  assert.deepEqual(
    qStar.layers.map((l) => `${l.name}:${l.place}`),
    ["q:triangles", "vstar:centre"],
  );
  assert.equal(qStar.inset, 0);
  assert.equal(qStar.centre, CENTRE);
  const vStar = gridLayers({ values: true, optimal: true }, data, open);
  assert.deepEqual(
    vStar.layers.map((l) => `${l.name}:${l.place}`),
    ["v:cell", "vstar:centre"],
  );
  assert.equal(vStar.numbers, null);
  const qV = gridLayers({ q: true, values: true }, data, open);
  assert.deepEqual(
    qV.layers.map((l) => `${l.name}:${l.place}`),
    ["v:frame", "q:triangles"],
  );
  assert.equal(qV.centre, 0);
});

test("nothing shown, or nothing yet to show: no layer, no domain, greedy arrows", () => {
  const none = gridLayers({}, data, open);
  assert.deepEqual(none.layers, []);
  assert.equal(none.domain, null);
  assert.equal(none.arrows, "greedy");
  const noData = gridLayers({ q: true, values: true, optimal: true }, {}, open);
  assert.deepEqual(noData.layers, []);
  assert.equal(noData.domain, null);
});

test("a domain with both signs is symmetric over every layer's state values", () => {
  const plan = gridLayers({ values: true, optimal: true }, { Q, V_star: Float64Array.from([-0.8, 3, 0]) }, open);
  assert.deepEqual(plan.domain, { lo: -3, hi: 3 });
});

test("layerText names the layer, its place and its range with true minus signs", () => {
  assert.equal(layerText({ name: "q", place: "triangles", lo: -2, hi: 1 }), "Q(s, a), triangles: −2 to 1");
  assert.equal(
    layerText({ name: "vstar", place: "centre", lo: -8.123, hi: 0 }, (v) => v.toFixed(1)),
    "V*(s), centre square: −8.1 to 0.0",
  );
  assert.equal(layerText({ name: "v", place: "frame" }), "V(s), cell border: nothing yet");
  // Before any learning every Q is 0: one value, said once (the legend read "0 to 0").
  assert.equal(layerText({ name: "q", place: "triangles", lo: 0, hi: 0 }), "Q(s, a), triangles: all 0");
  // Two values that round to the same text are said once too.
  assert.equal(
    layerText({ name: "v", place: "cell", lo: 0.001, hi: 0.004 }, (v) => v.toFixed(2)),
    "V(s), whole cell: all 0.00",
  );
});
