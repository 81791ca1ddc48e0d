// Unit tests of the lifecycle helper (web/disposables.js): whatever a mount attaches through it, dispose() takes away.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Disposables } from "../../web/disposables.js";

const tick = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test("a listener hears its target until dispose, and not after", () => {
  const target = new EventTarget();
  const disposables = new Disposables();
  const heard = [];
  disposables.listen(target, "change", (event) => heard.push(event.detail));
  target.dispatchEvent(new CustomEvent("change", { detail: 1 }));
  disposables.dispose();
  target.dispatchEvent(new CustomEvent("change", { detail: 2 }));
  assert.deepEqual(heard, [1]);
  assert.equal(disposables.isDisposed, true);
  assert.equal(disposables.size, 0);
});

test("a capturing listener is removed with its capture flag", () => {
  const target = new EventTarget();
  const disposables = new Disposables();
  let calls = 0;
  disposables.listen(target, "x", () => calls++, { capture: true });
  disposables.dispose();
  target.dispatchEvent(new Event("x"));
  assert.equal(calls, 0);
});

test("undos run newest first, once; a second dispose does nothing", () => {
  const disposables = new Disposables();
  const order = [];
  disposables.add(() => order.push("first"));
  disposables.add({ destroy: () => order.push("chart") });
  disposables.add({ dispose: () => order.push("view") });
  disposables.observe({ disconnect: () => order.push("observer") });
  assert.equal(disposables.size, 4);
  disposables.dispose();
  disposables.dispose();
  assert.deepEqual(order, ["observer", "view", "chart", "first"]);
});

test("something added after dispose is undone at once (a late answer cannot outlive the mount)", () => {
  const disposables = new Disposables();
  disposables.dispose();
  let destroyed = false;
  const editor = { destroy: () => (destroyed = true) };
  assert.equal(disposables.add(editor), editor);
  assert.equal(destroyed, true);
  assert.equal(disposables.size, 0);
});

test("add refuses what it could not undo", () => {
  const disposables = new Disposables();
  assert.throws(() => disposables.add({}), TypeError);
  assert.throws(() => disposables.add(null), TypeError);
  assert.equal(disposables.size, 0);
});

test("one failing undo does not stop the others; its error comes out after all ran", () => {
  const disposables = new Disposables();
  const ran = [];
  disposables.add(() => ran.push("a"));
  disposables.add(() => {
    throw new Error("boom");
  });
  disposables.add(() => ran.push("c"));
  assert.throws(() => disposables.dispose(), /boom/);
  assert.deepEqual(ran, ["c", "a"]);
  assert.equal(disposables.isDisposed, true);
});

test("a timeout fires while mounted and forgets itself; one pending at dispose never fires", async () => {
  const disposables = new Disposables();
  const fired = [];
  disposables.setTimeout(() => fired.push("early"), 1);
  disposables.setTimeout(() => fired.push("late"), 40);
  assert.equal(disposables.size, 2);
  await tick(15);
  assert.deepEqual(fired, ["early"]);
  assert.equal(disposables.size, 1); // the fired one holds nothing
  disposables.dispose();
  await tick(50);
  assert.deepEqual(fired, ["early"]);
});

test("clearTimeout through the set clears it and drops its undo (it stands in for the global: the Announcer)", async () => {
  const disposables = new Disposables();
  let fired = false;
  const id = disposables.setTimeout(() => (fired = true), 5);
  disposables.clearTimeout(id);
  assert.equal(disposables.size, 0);
  await tick(20);
  assert.equal(fired, false);
});

test("an interval runs until dispose", async () => {
  const disposables = new Disposables();
  let calls = 0;
  disposables.setInterval(() => calls++, 2);
  // until it has run twice (a fixed wait flakes on a loaded machine), for at most 5 s
  for (const deadline = Date.now() + 5000; calls < 2 && Date.now() < deadline; ) await tick(5);
  disposables.dispose();
  const seen = calls;
  assert.ok(seen >= 2, `the interval ran ${seen} times`);
  await tick(30);
  assert.equal(calls, seen);
});

test("an animation loop runs every frame until dispose, or until its own stop()", () => {
  const queued = new Map();
  let next = 1;
  globalThis.requestAnimationFrame = (callback) => {
    queued.set(next, callback);
    return next++;
  };
  globalThis.cancelAnimationFrame = (id) => queued.delete(id);
  const runFrame = (now) => {
    const callbacks = [...queued.values()];
    queued.clear();
    for (const callback of callbacks) callback(now);
  };
  try {
    const disposables = new Disposables();
    const seen = [];
    disposables.frames((now) => seen.push(now));
    const stop = disposables.frames((now) => seen.push(-now));
    runFrame(1);
    stop();
    runFrame(2);
    assert.deepEqual(seen, [1, -1, 2]);
    disposables.dispose();
    assert.equal(queued.size, 0); // nothing left to run
    runFrame(3);
    assert.deepEqual(seen, [1, -1, 2]);
  } finally {
    delete globalThis.requestAnimationFrame;
    delete globalThis.cancelAnimationFrame;
  }
});

test("a scoped target: listeners added through it go with the set, the rest reaches the target itself", () => {
  class Registry extends EventTarget {
    constructor() {
      super();
      this.values = { seed: 0 };
    }
    set(name, value) {
      this.values[name] = value;
      this.dispatchEvent(new CustomEvent("change", { detail: { name, value } }));
    }
  }
  const registry = new Registry();
  const disposables = new Disposables();
  const scoped = disposables.scope(registry);
  const heardScoped = [];
  const heardDirect = [];
  scoped.addEventListener("change", (event) => heardScoped.push(event.detail.value));
  registry.addEventListener("change", (event) => heardDirect.push(event.detail.value));
  scoped.set("seed", 3); // a method, called on the registry itself (EventTarget's own methods need the real this)
  assert.equal(scoped.values.seed, 3);
  assert.equal(registry.values.seed, 3);
  assert.equal(disposables.size, 1);
  disposables.dispose();
  registry.set("seed", 4);
  assert.deepEqual(heardScoped, [3]);
  assert.deepEqual(heardDirect, [3, 4]); // the page's own listener is not the mount's to remove
});
