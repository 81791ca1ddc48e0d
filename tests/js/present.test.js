// Present mode's pure rules (web/present.js): the zoom that fits a screen, and what each key does.
import assert from "node:assert/strict";
import { test } from "node:test";

import { PRESENT_HEIGHT, PRESENT_WIDTH, presentKey, presentZoom } from "../../web/present.js";

test("presentZoom fits the present layout to the screen, never below 1", () => {
  assert.equal(presentZoom(PRESENT_WIDTH, PRESENT_HEIGHT), 1);
  assert.ok(Math.abs(presentZoom(1920, 1080) - 1920 / 1152) < 1e-12);
  // 12 px chart labels read at least 20 px on a 1920 × 1080 projector
  assert.ok(12 * presentZoom(1920, 1080) >= 20);
  assert.equal(presentZoom(800, 600), 1); // smaller than the layout: no shrinking, it scrolls
  assert.equal(presentZoom(3840, 1080), 1080 / PRESENT_HEIGHT); // the shorter side decides
});

test("presentKey: arrows and page keys move through scenes, Space plays, Escape leaves, the rest is not ours", () => {
  assert.equal(presentKey("ArrowRight"), "next");
  assert.equal(presentKey("PageDown"), "next");
  assert.equal(presentKey("ArrowLeft"), "previous");
  assert.equal(presentKey("PageUp"), "previous");
  assert.equal(presentKey(" "), "toggle");
  assert.equal(presentKey("Escape"), "leave");
  for (const key of ["a", "Enter", "Tab", "ArrowUp"]) assert.equal(presentKey(key), null);
});
