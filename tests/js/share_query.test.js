// Copy link and the Embed snippet carry the same run (web/framework/share_query.js), run by `node --test tests/js/`.
// The browser half (the embed, opened, shows the screen's figures) is tests/e2e/test_sharing.py.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { shareQuery } from "../../web/framework/share_query.js";
import { REPLAY_CAP, StateRegistry } from "../../web/state.js";

const schema = JSON.parse(readFileSync(new URL("../../web/params.json", import.meta.url), "utf8"));

/** A controller as shareQuery sees one: its units, whether settings changed mid-run, its lineage, and the work
 *  beside the run it shows (`side`: a sentence per `what`). */
function controller({ units, changed = false, extras = {}, note = "", side = () => "" }) {
  return {
    demo: "cartpole",
    unitsDone: () => units,
    replayableSteps: () => (changed ? 0 : units),
    linkExtras: () => extras,
    linkNote: () => note,
    sideNote: side,
  };
}

const parse = (query) => Object.fromEntries(new URLSearchParams(query));

function both(run, search = "") {
  const registry = new StateRegistry(schema, {});
  registry.load(search);
  const link = shareQuery(run, registry);
  const embed = shareQuery(run, registry, { embed: true });
  return { link: parse(link.query), embed: parse(embed.query), linkNote: link.note, embedNote: embed.note };
}

test("the embed carries the link's steps and agent, and its settings that differ from the defaults", () => {
  const { link, embed } = both(controller({ units: 26812, extras: { agent: "pretrained" } }), "?cartpole.lr=0.02");
  assert.equal(embed.embed, "1");
  assert.equal(embed.steps, "26812");
  assert.equal(embed.agent, "pretrained");
  assert.equal(embed.lr, "0.02");
  delete embed.embed;
  for (const [name, value] of Object.entries(embed)) assert.equal(link[name], value, name);
  // what the embed leaves out is at its default in the link (a Python field) or is the embed's own
  const defaults = Object.fromEntries(schema.cartpole.map((field) => [field.name, String(field.default)]));
  const left = Object.keys(link).filter((name) => !(name in embed) && name in defaults);
  assert.ok(left.length > 5, `only ${left.length} settings left out`);
  for (const name of left) assert.equal(link[name], defaults[name], name);
});

test("after a mid-run change neither carries steps, and both say so", () => {
  const { link, embed, linkNote, embedNote } = both(controller({ units: 700, changed: true }));
  assert.ok(!("steps" in link) && !("steps" in embed));
  assert.match(linkNote, /Settings changed during this run: the link replays the current settings from the start/);
  assert.match(embedNote, /Settings changed during this run: the embed replays the current settings from the start/);
});

test("a run past the steps a link replays says where the link opens", () => {
  const { link, linkNote } = both(controller({ units: REPLAY_CAP + 5 }));
  assert.equal(link.steps, String(REPLAY_CAP + 5));
  assert.match(linkNote, /past the 1,000,000 a link replays: the link opens at step 1,000,000/);
  assert.equal(both(controller({ units: REPLAY_CAP })).linkNote, "");
});

test("work beside the run keeps the steps of both, and each says it is not in it", () => {
  const side = (what) => `${what} does not carry the β sweep.`;
  const { link, embed, linkNote, embedNote } = both(controller({ units: 10, side }));
  assert.equal(link.steps, "10");
  assert.equal(embed.steps, "10");
  assert.equal(linkNote, "the link does not carry the β sweep.");
  assert.equal(embedNote, "the embed does not carry the β sweep.");
});
