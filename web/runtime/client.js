// The main thread's handle on the Python worker. One per page, shared by every demo; the worker itself serves every
// embed of a blog page where the browser has SharedWorker (workerKind below; ARCHITECTURE.md, "One Python per page").
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
//   the silence allowed is load_stall_ms, and so it is while the worker builds a demo's driver (its `create`, one
//   call, which for the RLHF demo includes fitting its reward model). A slow link is judged by the worker itself,
//   which names a file that has sent no byte for fetch_stall_ms (worker.js): loading has no time limit.
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
 * How long the worker may stay silent while it owes answers. Setting up is not a call within the ~100 ms budget:
 * loading Pyodide, and a demo's `create`, which builds its driver in one call (the RLHF demo fits its reward model
 * there: 2.4 s natively, 5 s in a page at a load average of 29), so both get load_stall_ms; the oldest call owed (the
 * one the worker is running: it answers in order) says which. Edited code that gave a sign of running is judged by
 * its own limit first. silenceAllowed(LIMITS, {setup: true}) === 60000
 */
export function silenceAllowed(limits, { setup = false, inUserCode = false } = {}) {
  if (inUserCode) return limits.user_code_stall_ms;
  return setup ? limits.load_stall_ms : limits.stall_ms;
}

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

/**
 * Which worker a page tries first: "shared" (a SharedWorker, module type) where the browser has one, so that every
 * page of this site's build in the browser's partition (the embeds of one blog page, same-origin iframes of this
 * site) is served by one Python; else "dedicated" (a Worker per page, as before). Having SharedWorker is not having
 * module SharedWorkers, nor being allowed one: if the shared worker cannot be made or fails to start, the page falls
 * back to a dedicated worker at run time (PythonRuntime.fallBack). `forced` is "dedicated" only from a test's init
 * script (window.rlplay.worker, read once by web/app.js like the limits): the fallback, run on purpose.
 */
export function workerKind(forced, scope = globalThis) {
  if (forced === "dedicated") return "dedicated";
  return typeof scope.SharedWorker === "function" ? "shared" : "dedicated";
}

// The shared worker's generation is the number in its name: a page that declares the worker dead asks it to close
// itself (no page can terminate a SharedWorker) and moves to the next generation, a new worker under a new name;
// the other pages hear of it (the worker's "closing", this channel's "restarted", or their own watchdog) and follow.
// The generation a page reached is kept in localStorage, so an embed that starts later (a lazy iframe scrolled into
// view) joins the live worker rather than a closed or stuck one. ARCHITECTURE.md, "One Python per page".
const CHANNEL = "rlplay-python";
const generationKey = (build) => `rlplay-python-generation:${build ?? ""}`;

function storedGeneration(build) {
  try {
    return Number.parseInt(globalThis.localStorage?.getItem(generationKey(build)) ?? "0", 10) || 0;
  } catch {
    return 0; // storage blocked: generations still agree through the channel and the watchdog
  }
}

function storeGeneration(build, generation) {
  try {
    if (storedGeneration(build) < generation)
      globalThis.localStorage?.setItem(generationKey(build), String(generation));
  } catch {
    // as above
  }
}

/** A crash this page did not see happen: another page found the shared worker dead (web/app.js replays its demos). */
function elsewhere(message) {
  const error = new RuntimeCallError({ kind: "crash", message });
  error.elsewhere = true;
  return error;
}

export class PythonRuntime extends EventTarget {
  constructor(baseURL, { limits, worker } = {}) {
    super();
    this.baseURL = baseURL;
    this.limits = limitsFrom(limits);
    this.kind = workerKind(worker); // "shared" or "dedicated" (see workerKind)
    this.sharedGeneration = 0; // the shared worker's generation this page uses (see CHANNEL above)
    this.worker = null;
    this.port = null; // the shared worker's port
    this.state = "idle";
    this.versions = null;
    this.progress = {}; // stage -> the latest progress message of this start (for a listener that comes late)
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
    this.build = globalThis.document?.querySelector('meta[name="rlplay-build"]')?.content ?? null;
    this.channel = null;
    if (this.kind === "shared") this.listenToOtherPages();
  }

  /** Shared: another page moved to a newer worker generation (it found this one dead), or this page went away. */
  listenToOtherPages() {
    const page = globalThis.addEventListener ? globalThis : null;
    this.pageListeners = { page, pagehide: null, pageshow: null };
    if (typeof BroadcastChannel === "function") {
      this.channel = new BroadcastChannel(CHANNEL);
      this.channel.onmessage = ({ data }) => {
        if (data?.type !== "restarted" || data.build !== this.build || !(data.generation > this.sharedGeneration))
          return;
        const error = elsewhere(
          `The Python worker was restarted by another embed on this page (${data.reason || "it stopped answering"}).`,
        );
        if (this.state === "idle") {
          this.sharedGeneration = data.generation;
        } else if (this.state === "error") {
          // Already stopped (its own watchdog, or a Restart not pressed yet): it restarts with the others.
          this.sharedGeneration = data.generation;
          this.lastError = error;
          this.setState("error", error);
        } else {
          this.fail(error, { closeWorker: false, generation: data.generation });
        }
      };
    }
    // A page that goes away says goodbye, so the shared worker drops its state at once (SharedWorker has no port
    // close event in older engines; the worker also forgets a port silent for minutes). Restored from the
    // back/forward cache, the page has no state in Python any more: it starts again, replaying its demos.
    this.pageListeners.pagehide = () => {
      this.port?.postMessage({ type: "goodbye" });
      this.saidGoodbye = true;
    };
    this.pageListeners.pageshow = (event) => {
      if (!event.persisted || !this.saidGoodbye) return;
      this.saidGoodbye = false;
      if (this.state !== "idle") this.fail(elsewhere("The page was restored, and its Python state had been released."));
    };
    page?.addEventListener("pagehide", this.pageListeners.pagehide);
    page?.addEventListener("pageshow", this.pageListeners.pageshow);
  }

  /** What listenToOtherPages added, removed: a page that fell back to a dedicated worker has no other pages. */
  stopListeningToOtherPages() {
    this.channel?.close();
    this.channel = null;
    const { page, pagehide, pageshow } = this.pageListeners ?? {};
    page?.removeEventListener("pagehide", pagehide);
    page?.removeEventListener("pageshow", pageshow);
    this.pageListeners = null;
  }

  start() {
    if (this.startPromise) return this.startPromise;
    this.generation += 1;
    this.progress = {};
    this.setState("loading");
    this.lastSignOfLife = performance.now();
    this.lastAnswer = performance.now();
    this.inUserCode = false;
    try {
      this.connect();
    } catch (error) {
      // Not even a dedicated module worker (Firefox before 114 has none; nor has Chrome before 80).
      const failure = new RuntimeCallError({
        kind: "crash",
        message:
          `This browser cannot start the Python worker (${error.message}). RL Playground needs module workers: ` +
          "Chrome or Edge 80, Firefox 114, Safari 15 or later.",
      });
      this.fail(failure, { closeWorker: false });
      return Promise.reject(failure);
    }
    this.startWatchdog();
    // The page's build (build.py stamps it into index.html): the worker refuses a runtime of another build.
    this.startPromise = this.send({
      type: "init",
      baseURL: this.baseURL,
      build: this.build,
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

  /** Make the worker this page talks to (this.worker): the shared one (see workerKind) unless the browser refuses
   * it, else a dedicated one. Throws if the browser cannot make even a dedicated module worker. */
  connect() {
    const script = new URL("./worker.js", import.meta.url);
    if (this.kind === "shared") {
      try {
        this.worker = this.connectShared(script);
        return;
      } catch (error) {
        // No module SharedWorker (a TypeError), or none allowed here (a SecurityError).
        this.leaveShared(`new SharedWorker() threw ${error.name}: ${error.message}`);
      }
    }
    const worker = new Worker(script, { type: "module" });
    worker.onmessage = (event) => this.onMessage(event.data);
    worker.onerror = (event) => this.onWorkerError(event);
    worker.onmessageerror = () => this.onMessageError();
    this.worker = worker;
  }

  /** The shared worker, behind the face of a dedicated one (postMessage, terminate, onerror). */
  connectShared(script) {
    this.sharedGeneration = Math.max(this.sharedGeneration, storedGeneration(this.build));
    const worker = new SharedWorker(script, {
      type: "module",
      name: `rlplay-python ${this.build ?? ""} #${this.sharedGeneration}`,
    });
    const port = worker.port;
    this.port = port;
    let heard = false;
    port.onmessage = (event) => {
      heard = true;
      this.onMessage(event.data);
    };
    port.start();
    // A SharedWorker's error event means its script did not start (it failed to load or to run: no module support,
    // blocked by the browser's settings); a started worker's own errors never reach the page. Before the worker's
    // first word this page falls back to a dedicated worker; after it, the worker is lost as any crashed one.
    worker.onerror = (event) => {
      if (this.worker !== facade) return;
      if (heard) {
        this.onWorkerError(event);
        return;
      }
      event.preventDefault?.();
      this.fallBack(`the shared worker did not start (${event.message || "an error event before its first message"})`);
    };
    port.onmessageerror = () => this.onMessageError();
    // The tests' fault injection (window.rlplay.runtime.worker.terminate()): the worker closes without a word,
    // as a crashed one would; the watchdog finds it silent.
    const facade = {
      postMessage: (message, transfer) => port.postMessage(message, transfer),
      terminate: () => port.postMessage({ type: "close", quiet: true }),
    };
    return facade;
  }

  /** This page runs on a dedicated worker from now on (`reason`: why not the shared one, kept in sharedFallback). */
  leaveShared(reason) {
    this.kind = "dedicated";
    this.sharedFallback = reason;
    this.stopListeningToOtherPages();
    this.port?.close();
    this.port = null;
    console.warn(`RL Playground: Python runs in a dedicated worker: ${reason}.`);
  }

  /** The shared worker failed to start after this page had posted to it: the same messages go to a dedicated one. */
  fallBack(reason) {
    this.leaveShared(reason);
    this.worker = null;
    try {
      this.connect();
    } catch (error) {
      this.fail(
        new RuntimeCallError({
          kind: "crash",
          message: `This browser cannot start the Python worker (${error.message}).`,
        }),
        { closeWorker: false },
      );
      return;
    }
    this.lastSignOfLife = performance.now();
    for (const entry of this.pending.values()) this.worker.postMessage(entry.message);
  }

  async onWorkerError(event) {
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
  }

  onMessageError() {
    this.fail(
      new RuntimeCallError({ kind: "crash", message: "The Python worker sent a message that could not be read." }),
    );
  }

  /** Stop the worker (the last resort for a run that must end now) and start a fresh one. Shared: the other pages
   * still on the worker this page left are told, and restart too (each replays its own demos: web/app.js). */
  restart() {
    const reason = this.lastError && !this.lastError.elsewhere ? this.lastError.message : "";
    this.stop();
    const started = this.start();
    if (this.kind === "shared" && reason) this.announceRestart(reason);
    return started;
  }

  stop() {
    this.stopWatchdog();
    this.release();
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
    const { heartbeat_ms, stall_ms } = this.limits;
    this.watchdog = setInterval(() => {
      const now = performance.now();
      const oldest = this.pending.values().next().value;
      const setup = this.state === "loading" || oldest?.command === "create";
      const silentFor = now - this.lastSignOfLife;
      const allowed = silenceAllowed(this.limits, { setup, inUserCode: this.inUserCode });
      const silent = silentFor >= allowed;
      const deaf = !setup && now - this.lastAnswer >= stall_ms;
      // Shared: this page is alive (the worker forgets a port silent for minutes: its page went away).
      this.port?.postMessage({ type: "alive" });
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
      const posted = { ...message, id }; // kept: a fallback posts it again (fallBack)
      this.pending.set(id, {
        resolve,
        reject,
        demo: message.demo,
        command: message.command,
        name: message.args?.name,
        message: posted,
      });
      this.worker.postMessage(posted);
    });
  }

  onMessage(data) {
    this.lastSignOfLife = performance.now();
    // Signs of edited code count for the call that gave them: a heartbeat (the event loop is free) or an answer
    // (the call is over) ends that.
    this.inUserCode = data.type === "user-code" && data.running;
    if (data.type === "user-code" || data.type === "heartbeat") return;
    if (data.type === "progress") {
      this.progress[data.stage] = data;
      this.dispatchEvent(new CustomEvent("progress", { detail: data }));
      return;
    }
    // Shared: another page found the worker dead and asked it to close; an error nothing in the worker caught; this
    // page's port was forgotten (silent for minutes: a frozen tab), with its state.
    if (data.type === "closing") {
      this.fail(elsewhere(`The Python worker was stopped by another embed on this page (${data.reason}).`), {
        closeWorker: false,
      });
      return;
    }
    if (data.type === "crash") {
      this.fail(new RuntimeCallError({ kind: "crash", message: `The Python worker crashed: ${data.message}` }));
      return;
    }
    if (data.type === "forgotten") {
      this.fail(elsewhere("The Python worker had released this page's state (it was silent for minutes)."), {
        closeWorker: false,
        sameGeneration: true,
      });
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

  /** Let go of the worker: terminate a dedicated one; leave a shared one, asking it to close (`closeWorker`: this
   * page found it dead) or saying goodbye (it serves the other pages on). */
  release({ closeWorker = false, reason = "" } = {}) {
    if (this.kind === "shared") {
      this.port?.postMessage(closeWorker ? { type: "close", reason } : { type: "goodbye" });
      this.port?.close();
      this.port = null;
    } else if (this.worker) {
      this.worker.terminate();
    }
    this.worker = null;
  }

  /**
   * The worker is dead for this page (or, shared, `error.elsewhere`: another page found it dead). Shared, unless
   * `sameGeneration`, the page moves on to the next generation (`generation`, if another page named it) and, if it
   * found the worker dead itself (`closeWorker`), asks it to close: the next start() connects to a new worker under
   * a new name, and the other pages follow.
   */
  fail(error, { closeWorker = true, sameGeneration = false, generation = 0 } = {}) {
    if (this.state === "error") return;
    if (this.kind === "shared" && !sameGeneration && this.port) {
      this.sharedGeneration = Math.max(generation, this.sharedGeneration + 1);
      storeGeneration(this.build, this.sharedGeneration);
    }
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
    this.release({ closeWorker, reason: error.message });
    this.startPromise = null;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    this.setState("error", error);
  }

  /** Shared: tell the other pages this one moved to a new worker (they leave the old one, which it found dead). */
  announceRestart(reason) {
    this.channel?.postMessage({ type: "restarted", build: this.build, generation: this.sharedGeneration, reason });
  }

  setState(state, error = null) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: { state, error } }));
  }
}
