// Which worker runs Python, decided at run time (web/runtime/client.js, PythonRuntime.connect): a page tries the
// shared worker where the browser has SharedWorker and falls back to a dedicated one when the shared worker cannot
// be made (its constructor throws: no module SharedWorker, or none allowed) or reports an error before its first
// message (its script did not start). Played with fake workers whose every message the test answers itself.
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";

import { PythonRuntime, RuntimeCallError } from "../../web/runtime/client.js";

const VERSIONS = { python: "3.12.7", worker: "dedicated" };

/** A dedicated module worker: records what it is sent; the test answers as the real one would. */
class FakeWorker {
  static made = [];
  constructor(url, options) {
    if (FakeWorker.refuse) throw new TypeError(FakeWorker.refuse);
    this.url = String(url);
    this.options = options;
    this.sent = [];
    this.terminated = false;
    FakeWorker.made.push(this);
  }
  postMessage(message) {
    this.sent.push(message);
  }
  terminate() {
    this.terminated = true;
  }
  answer(message, result) {
    this.onmessage?.({ data: { id: message.id, result } });
  }
}

/** A SharedWorker whose constructor throws `refuse` if set; else one port the test speaks for. */
class FakeSharedWorker {
  static made = [];
  constructor(url, options) {
    if (FakeSharedWorker.refuse) throw FakeSharedWorker.refuse;
    this.url = String(url);
    this.options = options;
    this.port = {
      sent: [],
      closed: false,
      start() {},
      close() {
        this.closed = true;
      },
      postMessage(message) {
        this.sent.push(message);
      },
    };
    FakeSharedWorker.made.push(this);
  }
  /** The error event a SharedWorker gets when its script fails to load or to run. */
  fail(message = "") {
    let prevented = false;
    this.onerror?.({ message, preventDefault: () => (prevented = true) });
    return prevented;
  }
  say(data) {
    this.port.onmessage?.({ data });
  }
}

/** The pages' channel (Node's own would keep the test process alive). */
class FakeBroadcastChannel {
  postMessage() {}
  close() {
    this.closed = true;
  }
}

const saved = {};
beforeEach(() => {
  for (const name of ["Worker", "SharedWorker", "BroadcastChannel"]) saved[name] = globalThis[name];
  globalThis.Worker = FakeWorker;
  globalThis.SharedWorker = FakeSharedWorker;
  globalThis.BroadcastChannel = FakeBroadcastChannel;
  FakeWorker.made = [];
  FakeWorker.refuse = "";
  FakeSharedWorker.made = [];
  FakeSharedWorker.refuse = null;
});
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) globalThis[name] = value;
});

/** A runtime whose start is under way; stop() it at the end (its watchdog is a timer). */
function starting() {
  const runtime = new PythonRuntime("/", { limits: { heartbeat_ms: 60_000 } });
  const started = runtime.start();
  started.catch(() => {}); // each test looks at it when it means to
  return { runtime, started };
}

test("a browser with SharedWorker and module support runs the shared worker, and stays on it", async () => {
  const { runtime } = starting();
  try {
    assert.equal(runtime.kind, "shared");
    assert.equal(FakeSharedWorker.made.length, 1);
    assert.equal(FakeSharedWorker.made[0].options.type, "module");
    assert.equal(FakeWorker.made.length, 0);
    assert.equal(FakeSharedWorker.made[0].port.sent[0].type, "init");
    assert.equal(runtime.sharedFallback, undefined);
  } finally {
    runtime.stop();
  }
});

test("a SharedWorker constructor that refuses the module type: the page starts on a dedicated worker", async () => {
  FakeSharedWorker.refuse = new TypeError("Module scripts are not supported on SharedWorker yet");
  const { runtime, started } = starting();
  try {
    assert.equal(runtime.kind, "dedicated");
    assert.match(runtime.sharedFallback, /TypeError: Module scripts are not supported/);
    assert.equal(runtime.channel, null, "a dedicated page listens to no other page");
    assert.equal(runtime.pageListeners, null);
    const [worker] = FakeWorker.made;
    assert.equal(worker.options.type, "module");
    assert.ok(worker.url.endsWith("/web/runtime/worker.js"));
    const [init] = worker.sent;
    assert.equal(init.type, "init");
    worker.answer(init, VERSIONS);
    assert.deepEqual(await started, VERSIONS);
    assert.equal(runtime.state, "ready");
  } finally {
    runtime.stop();
  }
});

test("a shared worker that errs before its first message: what the page sent goes to a dedicated worker", async () => {
  const { runtime, started } = starting();
  try {
    const [shared] = FakeSharedWorker.made;
    const [init] = shared.port.sent;
    assert.equal(FakeWorker.made.length, 0, "nothing falls back before the shared worker fails");
    assert.ok(shared.fail(), "the error is handled (not reported as the page's)");
    assert.equal(runtime.kind, "dedicated");
    assert.ok(shared.port.closed);
    assert.match(runtime.sharedFallback, /did not start/);
    const [worker] = FakeWorker.made;
    assert.deepEqual(worker.sent, [init], "the same init, with its id, once");
    worker.answer(init, VERSIONS);
    assert.deepEqual(await started, VERSIONS);
    // Calls after the fallback go to the dedicated worker too.
    const call = runtime.call("bandit", "snapshot", { since: 0 });
    await Promise.resolve();
    const asked = worker.sent.at(-1);
    assert.equal(asked.type, "call");
    worker.answer(asked, { ok: true });
    assert.deepEqual(await call, { ok: true });
    // A late event from the shared worker it left changes nothing.
    shared.fail("late");
    assert.equal(FakeWorker.made.length, 1);
    assert.equal(runtime.state, "ready");
  } finally {
    runtime.stop();
  }
});

test("a shared worker that had spoken and then errs is lost as a crashed one, with no fallback", async () => {
  const { runtime, started } = starting();
  try {
    const [shared] = FakeSharedWorker.made;
    shared.say({ type: "heartbeat" });
    shared.fail("boom");
    await assert.rejects(started, (error) => error instanceof RuntimeCallError && error.kind === "crash");
    assert.equal(runtime.kind, "shared");
    assert.equal(FakeWorker.made.length, 0);
    assert.equal(runtime.sharedFallback, undefined);
  } finally {
    runtime.stop();
  }
});

test("no module worker of either kind: the start fails and says what the browser lacks", async () => {
  FakeSharedWorker.refuse = new TypeError("Module scripts are not supported on SharedWorker yet");
  FakeWorker.refuse = "Module scripts are not supported on DedicatedWorker yet";
  const { runtime, started } = starting();
  try {
    await assert.rejects(started, (error) => {
      assert.equal(error.kind, "crash");
      assert.match(error.message, /cannot start the Python worker/);
      assert.match(error.message, /Firefox 114/);
      return true;
    });
    assert.equal(runtime.state, "error");
  } finally {
    runtime.stop();
  }
});

test("a shared worker that fails to start where no dedicated module worker can be made either: the start fails", async () => {
  FakeWorker.refuse = "Module scripts are not supported on DedicatedWorker yet";
  const { runtime, started } = starting();
  try {
    FakeSharedWorker.made[0].fail();
    await assert.rejects(started, (error) => error.kind === "crash" && /cannot start/.test(error.message));
    assert.equal(runtime.state, "error");
  } finally {
    runtime.stop();
  }
});
