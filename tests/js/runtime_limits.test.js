// The watchdog's limits (web/runtime/client.js): the tests may make them small; nothing else may change them.
import assert from "node:assert/strict";
import { test } from "node:test";

import { LIMITS, limitsFrom, PythonRuntime, silenceAllowed, workerKind } from "../../web/runtime/client.js";

test("the page's own limits, when nothing is given", () => {
  assert.deepEqual({ ...limitsFrom(undefined) }, { ...LIMITS });
  assert.deepEqual({ ...new PythonRuntime("/").limits }, { ...LIMITS });
  assert.ok(Object.isFrozen(new PythonRuntime("/").limits));
});

test("a test's small limits replace the named ones only", () => {
  const limits = limitsFrom({ stall_ms: 1500, heartbeat_ms: 250 });
  assert.equal(limits.stall_ms, 1500);
  assert.equal(limits.heartbeat_ms, 250);
  assert.equal(limits.load_stall_ms, LIMITS.load_stall_ms);
});

test("values that are not positive finite numbers, unknown names and inherited ones are ignored", () => {
  const hostile = Object.create({ stall_ms: 1 });
  Object.assign(hostile, {
    heartbeat_ms: "5",
    load_stall_ms: -1,
    user_code_stall_ms: Number.NaN,
    fetch_stall_ms: Number.POSITIVE_INFINITY,
    constructor: 3,
  });
  assert.deepEqual({ ...limitsFrom(hostile) }, { ...LIMITS });
  assert.deepEqual({ ...limitsFrom("stall_ms=1") }, { ...LIMITS });
});

test("the worker is shared where the browser has SharedWorker, dedicated without it or when a test forces it", () => {
  const withShared = { SharedWorker: function SharedWorker() {} };
  assert.equal(workerKind(undefined, withShared), "shared");
  assert.equal(workerKind(undefined, {}), "dedicated");
  assert.equal(workerKind("dedicated", withShared), "dedicated");
  // Only "dedicated" is a switch: anything else leaves the choice to the browser.
  assert.equal(workerKind("shared", {}), "dedicated");
  assert.equal(workerKind("anything", withShared), "shared");
});

test("setting up (a load, a demo's create) may be silent for load_stall_ms; edited code that runs, for its own limit", () => {
  const limits = limitsFrom({ stall_ms: 1000, load_stall_ms: 9000, user_code_stall_ms: 300 });
  assert.equal(silenceAllowed(limits), 1000);
  assert.equal(silenceAllowed(limits, { setup: true }), 9000);
  assert.equal(silenceAllowed(limits, { inUserCode: true }), 300);
  assert.equal(silenceAllowed(limits, { setup: true, inUserCode: true }), 300);
});
