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
// its line), "internal" (a bug: show the traceback), "load" (a file failed to load: name it, offer Retry), "update"
// (the server has another build than this page: offer Reload) or "crash" (the worker died or stopped answering:
// offer Restart).

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
    // kind "code": the learner's edited function failed (rlplay.core.user_code): which function, line and failure
    this.function = functionName;
    this.line = line;
    this.codeError = codeError;
  }
}

// The watchdog tells busy from dead by signs of life, never by how long a call or a load takes. The worker posts a
// heartbeat every HEARTBEAT_MS whenever its event loop is free (between calls, and during a load's downloads,
// which are asynchronous), byte progress while it downloads, and an answer for every call. A worker that owes
// answers and has shown no sign of life for STALL_MS is declared dead: one call holds the worker for a budget of
// at most ~100 ms, so 10 s of silence is no longer "busy". A load also has synchronous steps (compiling, starting
// the interpreter, unpacking and importing NumPy) that take a second or two here and far longer on a slow phone
// or a machine under load, so while loading the silence allowed is LOAD_STALL_MS. A slow link is judged by the
// worker itself, which names a file that has sent no byte for a while (worker.js): loading has no time limit.
//
// A learner's edited code gives signs of its own while it runs ("user-code" messages, at most every 0.5 s: at the
// start of each command's first edited call, and every few thousand lines it runs; rlplay.core.user_code), and says
// when a call that gave one returns ({running: false}). A worker silent for USER_CODE_STALL_MS since a sign of
// running edited code (no answer, no heartbeat, no return since) is stuck inside one C call of that code
// (sum(range(10**10))), which no line budget can stop; what the page does then is in web/code/recover.js. After the
// return, rlplay's own work (a PPO update on a large network) is judged by STALL_MS, as any call.
export const HEARTBEAT_MS = 1000;
export const STALL_MS = 10000;
export const LOAD_STALL_MS = 60000;
export const USER_CODE_STALL_MS = 2500;

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
    this.lastSignOfLife = 0;
    this.inUserCode = false; // the worker's last message was a sign of edited code running (see above)
    this.watchdog = null;
  }

  start() {
    if (this.startPromise) return this.startPromise;
    this.generation += 1;
    this.setState("loading");
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.worker.onmessage = (event) => this.onMessage(event.data);
    this.lastSignOfLife = performance.now();
    this.inUserCode = false;
    this.startWatchdog();
    this.worker.onerror = async (event) => {
      event.preventDefault?.();
      // hostile-links: a worker that never started is usually a missing file; name it (web/boot.js).
      const boot = globalThis.rlplayBoot;
      const missing = event.message ? null : await boot?.findMissing(new URL("./worker.js", import.meta.url).href);
      this.fail(
        new RuntimeCallError(
          missing
            ? {
                kind: "load",
                message: `Could not load ${boot.sitePath(missing.url)}: ${missing.reason}`,
                file: boot.sitePath(missing.url),
              }
            : { kind: "crash", message: `The Python worker crashed: ${event.message || "unknown error"}` },
        ),
      );
    };
    this.worker.onmessageerror = () =>
      this.fail(
        new RuntimeCallError({ kind: "crash", message: "The Python worker sent a message that could not be read." }),
      );
    // The page's build (build.py stamps it into index.html): the worker refuses a runtime of another build.
    const build = document.querySelector('meta[name="rlplay-build"]')?.content ?? null;
    this.startPromise = this.send({ type: "init", baseURL: this.baseURL, build }).then(
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
    this.stopWatchdog();
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.startPromise = null;
    const error = new RuntimeCallError({ kind: "crash", message: "The Python worker was stopped." });
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }

  // One timer for the worker's lifetime. A stall seen once only makes the watchdog suspicious: after a suspended
  // laptop or a frozen tab wakes, this timer may run before the messages the worker queued meanwhile are delivered,
  // so the worker is declared dead only if it still shows no sign of life one tick later.
  startWatchdog() {
    this.stopWatchdog();
    let suspicious = false;
    this.watchdog = setInterval(() => {
      const silentFor = performance.now() - this.lastSignOfLife;
      const allowed = this.state === "loading" ? LOAD_STALL_MS : this.inUserCode ? USER_CODE_STALL_MS : STALL_MS;
      if (this.pending.size === 0 || silentFor < allowed) {
        suspicious = false;
        return;
      }
      if (!suspicious) {
        suspicious = true;
        return;
      }
      this.fail(new RuntimeCallError({ kind: "crash", message: "The Python worker stopped answering." }));
    }, HEARTBEAT_MS);
  }

  stopWatchdog() {
    clearInterval(this.watchdog);
    this.watchdog = null;
  }

  async call(demo, command, args = {}) {
    // After a crash, calls fail until the user restarts: a silent restart would hide what happened.
    if (this.state === "error") throw this.lastError;
    await this.start();
    return this.send({ type: "call", demo, command, args });
  }

  /** The worker's wasm heap size, for the benchmark's memory soak. */
  async memory() {
    await this.start();
    return this.send({ type: "memory" });
  }

  send(message) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // A worker that had nothing to do was not silent: the stall clock starts when work is owed.
      if (this.pending.size === 0) this.lastSignOfLife = performance.now();
      this.pending.set(id, { resolve, reject, demo: message.demo, command: message.command, name: message.args?.name });
      this.worker.postMessage({ ...message, id });
    });
  }

  onMessage(data) {
    this.lastSignOfLife = performance.now();
    // Signs of edited code count for the call that gave them: a heartbeat (the event loop is free) or an answer
    // (the call is over) ends that.
    this.inUserCode = data.type === "user-code" && data.running;
    if (data.type === "user-code" || data.type === "heartbeat") return;
    if (data.type === "progress") {
      this.dispatchEvent(new CustomEvent("progress", { detail: data }));
      return;
    }
    const entry = this.pending.get(data.id);
    if (!entry) return;
    this.pending.delete(data.id);
    if (data.error) entry.reject(new RuntimeCallError(data.error));
    else entry.resolve(data.result);
  }

  fail(error) {
    if (this.state === "error") return;
    // The oldest call still owed is the one the worker was running when it died (calls run one at a time, in
    // order): its demo, so the page can tell a learner's edited code that hung the worker (web/code/recover.js).
    const stalled = this.pending.values().next().value;
    error.stalledDemo = stalled?.demo ?? "";
    error.stalledCommand = stalled?.command ?? "";
    error.stalledFunction = stalled?.name ?? ""; // set_code's function: edited code can hang while it loads
    error.inUserCode = Boolean(this.inUserCode);
    this.lastError = error;
    this.stopWatchdog();
    if (this.worker) this.worker.terminate();
    this.worker = null;
    this.startPromise = null;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    this.setState("error", error);
  }

  setState(state, error = null) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state, error } }));
  }
}
