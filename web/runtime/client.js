// The main thread's handle on the Python worker. One per page, shared by every demo.
//
//   const runtime = new PythonRuntime(baseURL);
//   runtime.addEventListener("progress", (e) => ...);   // {stage, pct, detail}
//   runtime.addEventListener("state", (e) => ...);      // {state: "loading" | "ready" | "error", error}
//   await runtime.start();                              // {pyodide, python, numpy, rlplay}
//   const payload = await runtime.call("gridworld", "run", {budget_ms: 8, since: 0});
//
// Calls never throw plain strings: a failure rejects with a RuntimeCallError carrying {kind, message, traceback,
// file}. kind is "input" (bad value: show the message), "code" (the learner's edited code failed: the Code panel marks
// its line), "internal" (a bug: show the traceback), "load" (a file
// failed to load: name it, offer Retry) or "crash" (the worker died or stopped answering: offer Restart).

export class RuntimeCallError extends Error {
  constructor({
    kind = "internal",
    message = "unknown error",
    traceback = "",
    file = "",
    function: functionName = "",
    line = 0,
    code_error: codeError = "",
  } = {}) {
    super(message);
    this.kind = kind;
    this.traceback = traceback;
    this.file = file;
    // kind "code": the learner's edited function failed (rlplay.demos.code): which function, line and failure
    this.function = functionName;
    this.line = line;
    this.codeError = codeError;
  }
}

// A call that has not answered by then means the worker is dead or wedged. The longest legitimate call (building a
// demo, or a budgeted run of at most 100 ms) is far shorter; loading gets its own, longer limit.
const CALL_TIMEOUT_MS = 8000;
const LOAD_TIMEOUT_MS = 120000;

export class PythonRuntime extends EventTarget {
  constructor(baseURL) {
    super();
    this.baseURL = baseURL;
    this.worker = null;
    this.state = "idle";
    this.versions = null;
    this.nextId = 1;
    this.pending = new Map();
    this.startPromise = null;
    this.generation = 0; // bumps on each restart, so controllers can tell that their driver is gone
  }

  start() {
    if (this.startPromise) return this.startPromise;
    this.generation += 1;
    this.setState("loading");
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.worker.onmessage = (event) => this.onMessage(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault?.();
      this.fail(
        new RuntimeCallError({
          kind: "crash",
          message: `The Python worker crashed: ${event.message || "unknown error"}`,
        }),
      );
    };
    this.worker.onmessageerror = () =>
      this.fail(
        new RuntimeCallError({ kind: "crash", message: "The Python worker sent a message that could not be read." }),
      );
    this.startPromise = this.send({ type: "init", baseURL: this.baseURL }, LOAD_TIMEOUT_MS).then(
      (versions) => {
        this.versions = versions;
        performance.mark("rlplay:python-ready");
        this.setState("ready");
        return versions;
      },
      (error) => {
        this.fail(error);
        throw error;
      },
    );
    return this.startPromise;
  }

  /** Stop the worker (the last resort for a run that must end now) and start a fresh one. */
  restart() {
    this.stop();
    return this.start();
  }

  stop() {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.startPromise = null;
    const error = new RuntimeCallError({ kind: "crash", message: "The Python worker was stopped." });
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(error);
    }
    this.pending.clear();
  }

  async call(demo, command, args = {}) {
    // After a crash, calls fail until the user restarts: a silent restart would hide what happened.
    if (this.state === "error") throw this.lastError;
    await this.start();
    return this.send({ type: "call", demo, command, args }, CALL_TIMEOUT_MS);
  }

  /** The worker's wasm heap size, for the benchmark's memory soak. */
  async memory() {
    await this.start();
    return this.send({ type: "memory" }, CALL_TIMEOUT_MS);
  }

  send(message, timeoutMs) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new RuntimeCallError({ kind: "crash", message: "The Python worker stopped answering." }));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ ...message, id });
    });
  }

  onMessage(data) {
    if (data.type === "progress") {
      this.dispatchEvent(new CustomEvent("progress", { detail: data }));
      return;
    }
    const entry = this.pending.get(data.id);
    if (!entry) return;
    this.pending.delete(data.id);
    clearTimeout(entry.timer);
    if (data.error) entry.reject(new RuntimeCallError(data.error));
    else entry.resolve(data.result);
  }

  fail(error) {
    if (this.state === "error") return;
    this.lastError = error;
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.startPromise = null;
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(error);
    }
    this.pending.clear();
    this.setState("error", error);
  }

  setState(state, error = null) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state, error } }));
  }
}
