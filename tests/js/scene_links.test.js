// A link copied from a scene after changing its setup opens on the changes (web/scenes.js applyScene after
// web/state.js load), run by `node --test tests/js/`. The scene's values once overwrote the link's, and its steps
// the link's steps, so the opener saw the scene, not the screen that was shared.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { shareQuery } from "../../web/framework/share_query.js";
import { applyScene, findScene } from "../../web/scenes.js";
import { StateRegistry } from "../../web/state.js";

const read = (name) => JSON.parse(readFileSync(new URL(`../../web/${name}`, import.meta.url), "utf8"));
const schema = read("params.json");
const contract = read("contract.json");

/** The registry as a page opening `search` has it: the link read, then its scene (web/app.js). */
function open(search) {
  const registry = new StateRegistry(schema, {});
  registry.load(search);
  const scene = findScene(contract, registry.page.scene);
  if (scene) applyScene(registry, scene);
  return registry;
}

const run = (units) => ({
  demo: "gridworld",
  unitsDone: () => units,
  replayableSteps: () => units,
  linkExtras: () => ({}),
  linkNote: () => "",
  sideNote: () => "",
});

test("a scene's own link opens on the scene's setup", () => {
  const scene = findScene(contract, "dyna-q-planning");
  const registry = open("?scene=dyna-q-planning");
  for (const [name, value] of Object.entries(scene.settings))
    assert.equal(String(registry.get("gridworld", name)), String(value), name);
});

const DEFAULTS = Object.fromEntries(schema.gridworld.map((field) => [field.name, field.default]));
// A setting the scene changes, put back to its default by the user (an embed writes only non-defaults), and another
// set to a value of the user's own.
const SCENE = findScene(contract, "dyna-q-planning");
const BACK = Object.keys(SCENE.settings).find((name) => String(SCENE.settings[name]) !== String(DEFAULTS[name]));

for (const [name, value] of [
  ["planning_steps", 25],
  [BACK, DEFAULTS[BACK]],
]) {
  test(`a link copied after changing a scene's ${name} to ${value} opens on it and on the link's steps`, () => {
    const screen = open("?scene=dyna-q-planning");
    assert.notEqual(String(screen.get("gridworld", name)), String(value));
    screen.set("gridworld", name, value);
    for (const embed of [false, true]) {
      const { query } = shareQuery(run(1234), screen, { embed });
      const opened = open(`?${query}`);
      assert.equal(opened.page.scene, "dyna-q-planning");
      assert.equal(opened.get("gridworld", name), value, query);
      assert.equal(opened.page.steps, 1234);
      assert.deepEqual(opened.pythonParams("gridworld"), screen.pythonParams("gridworld"));
    }
  });
}
