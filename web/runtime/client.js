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

// The watchdog tells busy from dead by what the worker owes, never by how long a call or a load takes. The worker
// posts a heartbeat every heartbeat_ms whenever its event loop is free (between calls, and during a load's downloads,
// which are asynchronous), byte progress while it downloads, and an answer for every call. Two ways to be dead:
// - silent: it owes answers and has shown no sign of life at all for stall_ms (one call holds the worker for a
//   budget of at most ~100 ms, so 10 s of silence is no longer "busy"). A load also has synchronous steps
//   (compiling, starting the interpreter, importing NumPy) that take far longer on a slow phone, so while loading
//   the silence allowed is load_stall_ms. A slow link is judged by the worker itself, which names a file that has
//   sent no byte for fetch_stall_ms (worker.js): loading has no time limit.
// - deaf: once loaded, it owes answers and has answered nothing for stall_ms, though heartbeats still come. Its event
//   loop is free, yet calls go unanswered: something replaced its message handler (edited code that sets
//   js.self.onmessage = None). Heartbeats are not answers; the answers owed decide.
//
// A learner's edited code gives signs of its own while it runs ("user-code" messages, at most every 0.5 s: at the
// start of each command's first edited call, and every few thousand lines it runs; rlplay.core.user_code), and says
// when a call that gave one returns ({running: false}). A worker silent for user_code_stall_ms since a sign of
// running edited code (no answer, no heartbeat, no return since) is stuck inside one C call of that code
// (sum(range(10**10))), which no line budget can stop; what the page does then is in web/code/recover.js. After the
// return, rlplay's own work (a PPO update on a large network) is judged by stall_ms, as any call.
export const LIMITS = Object.freeze({
  heartbeat_ms: 1000,
  stall_ms: 10000,
  load_stall_ms: 60000,
  user_code_stall_ms: 2500,
  fetch_stall_ms: 30000,
});

/**
 * The limits, with any of them replaced by the tests' own (small ones, so a test of a 10 s stall takes a second).
 * Only the page's start passes them, from window.rlplay.limits as a test's init script set it before any of the
 * page's code ran (web/app.js): nothing from a URL reaches here. Unknown names and values that are not positive
 * finite numbers are ignored. limitsFrom({stall_ms: 500}).stall_ms === 500
 */
export function limitsFrom(given) {
  const limits = { ...LIMITS };
  if (given && typeof given === "object") {
    for (const name of Object.keys(LIMITS)) {
      const value = Object.hasOwn(given, name) ? given[name] : undefined;
      if (typeof value === "number" && Number.isFinite(value) && value > 0) limits[name] = value;
    }
  }
  return Object.freeze(limits);
}

export class PythonRuntime extends EventTarget {
  constructor(baseURL, { limits } = {}) {
    super();
    this.baseURL = baseURL;
    this.limits = limitsFrom(limits);
    this.worker = null;
    this.state = "idle";
    this.versions = null;
    this.nextId = 1;
    this.pending = new Map();
    this.startPromise = null;
    this.generation = 0; // bumps on each restart, so controllers can tell that their driver is gone
    this.lastSignOfLife = 0;
    this.lastAnswer = 0; // when the worker last answered a call (or, if it owed none, when it was next asked one)
    this.lastAnsweredDemo = ""; // that answer's demo: after it, the worker took no call (see "deaf" above)
    this.sent = 0; // calls and messages posted to the worker, for the tests (a hidden tab posts none)
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
    this.lastAnswer = performance.now();
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
    this.startPromise = this.send({
      type: "init",
      baseURL: this.baseURL,
      build,
      limits: { heartbeat_ms: this.limits.heartbeat_ms, fetch_stall_ms: this.limits.fetch_stall_ms },
    }).then(
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
  // so the worker is declared dead only if it still owes the same answers one tick later.
  startWatchdog() {
    this.stopWatchdog();
    let suspicious = false;
    const { heartbeat_ms, stall_ms, load_stall_ms, user_code_stall_ms } = this.limits;
    this.watchdog = setInterval(() => {
      const now = performance.now();
      const loading = this.state === "loading";
      const silentFor = now - this.lastSignOfLife;
      const allowed = loading ? load_stall_ms : this.inUserCode ? user_code_stall_ms : stall_ms;
      const silent = silentFor >= allowed;
      const deaf = !loading && now - this.lastAnswer >= stall_ms;
      if (this.pending.size === 0 || !(silent || deaf)) {
        suspicious = false;
        return;
      }
      if (!suspicious) {
        suspicious = true;
        return;
      }
      const error = silent
        ? new RuntimeCallError({ kind: "crash", message: "The Python worker stopped answering." })
        : new RuntimeCallError({
            kind: "crash",
            message:
              `The Python worker stopped taking requests: it still runs, but answered none for ` +
              `${Math.round((now - this.lastAnswer) / 1000)} s.`,
          });
      error.deaf = !silent;
      this.fail(error);
    }, heartbeat_ms);
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
      // A worker that had nothing to do was not silent: the stall clocks start when work is owed.
      if (this.pending.size === 0) {
        this.lastSignOfLife = performance.now();
        this.lastAnswer = this.lastSignOfLife;
      }
      this.sent += 1;
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
    this.lastAnswer = this.lastSignOfLife;
    this.lastAnsweredDemo = entry.demo ?? "";
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
    error.lastAnsweredDemo = this.lastAnsweredDemo;
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
