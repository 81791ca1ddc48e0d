// The Python worker: the only place Python runs. A module worker that loads Pyodide once, installs NumPy and the
// rlplay wheel, then answers {id, type: "call", demo, command, args} with {id, result} or {id, error}.
//
// It runs as a SharedWorker where the page's browser has one (web/runtime/client.js chooses), so that the embeds of
// one blog page (iframes of this site, same-origin with each other) share one Python: each page is a client with a
// port of its own (from onconnect), its own heartbeat, and its own state in Python (rlplay.app.bridge keys every
// driver by the client's id, which the worker gives, never the page). As a dedicated Worker it has one client, its
// page. Either way every message from a page comes in through self.onmessage (edited code that clears it makes the
// worker deaf to every page, as the watchdog expects), except a port's own goodbye, liveness and close requests.
//
// Data crossing the boundary: the bridge returns JSON text plus a list of NumPy arrays; each array is copied out of
// the wasm heap into its own typed array (no view is held across calls: heap growth would invalidate it) and
// transferred, not cloned. Every PyProxy is destroyed.

import {
  CANARY,
  canKeepSnapshots,
  findSnapshot,
  forgetSnapshot,
  installWheels,
  joinFiles,
  relink,
  snapshotMeta,
  storeSnapshot,
  unrestorable,
} from "./snapshot.js";
import { canUnzip, unzip } from "./wheel.js";

const STAGES = ["runtime", "numpy", "rlplay"];
const SHARED = typeof SharedWorkerGlobalScope !== "undefined" && self instanceof SharedWorkerGlobalScope;
// Which worker this is, in the versions every client is sent: the tests count the workers serving a page by it.
const WORKER_ID = Math.random().toString(36).slice(2, 10);
// A port not heard from for this long belongs to a page that went away without its goodbye (a crashed tab; an
// engine that fires no pagehide): its state is dropped. Pages say "alive" every heartbeat_ms while they watch the
// worker; a background tab's timers may be throttled to once a minute, hence minutes, not seconds.
const PORT_SILENCE_MS = 5 * 60 * 1000;

/** One page the worker serves: where its answers go, and its heartbeat. */
class Client {
  constructor(id, target) {
    this.id = id; // "" for a dedicated worker's page (rlplay.app.bridge's own client)
    this.target = target; // the port (shared) or the worker's global scope (dedicated)
    this.heartbeat = 0;
    this.lastHeard = Date.now();
    this.gone = false;
  }

  post(message, transfer = []) {
    this.target.postMessage(message, transfer);
  }

  beat(ms) {
    clearInterval(this.heartbeat);
    // Liveness for the page's watchdog (client.js): this fires whenever the event loop is free, so it keeps coming
    // during a load (its fetches are asynchronous) and between calls, however many are queued.
    this.heartbeat = setInterval(() => this.post({ type: "heartbeat" }), ms);
  }
}

const clients = new Map(); // message target (a port, or self) -> Client
let nextClient = 1;
let running = null; // the client whose call Python is running (its edited code's signs of life go to it)

function broadcast(message) {
  for (const client of clients.values()) client.post(message);
}

let pyodide = null;
let bridgeModule = null;
let bridgeHandle = null;
let loading = null;

// When each step of the load began and ended (epoch ms, so the page can place them on its own timeline): the
// benchmark's startup profile reads them from the versions that start() resolves to.
const timings = {};
function mark(name) {
  timings[name] = performance.timeOrigin + performance.now();
}
mark("worker_start");
const instantiateStreaming = WebAssembly.instantiateStreaming;
// A runtime that does not compile (a corrupted copy: the service worker drops it and fetches it again) is named as a
// file that did not load, so the page offers Retry. Pyodide logs such a failure and then never settles its load, so
// the load also races this promise (load).
let wasmFailed = null;
const wasmFailure = new Promise((_, reject) => {
  wasmFailed = reject;
});
wasmFailure.catch(() => {});
WebAssembly.instantiateStreaming = async (source, ...rest) => {
  mark("wasm_compile_start");
  try {
    return await instantiateStreaming(source, ...rest);
  } catch (error) {
    const response = await Promise.resolve(source).catch(() => null);
    const url = response?.url || new URL("pyodide.asm.wasm", self.location).href;
    const failure =
      error instanceof WebAssembly.CompileError ? new LoadError(url, `it did not compile (${error.message})`) : error;
    wasmFailed(failure);
    throw failure;
  } finally {
    mark("wasm_compile_end");
  }
};

function resourceTimings() {
  return performance.getEntriesByType("resource").map((entry) => ({
    file: new URL(entry.name).pathname.split("/").pop(),
    start: performance.timeOrigin + entry.startTime,
    end: performance.timeOrigin + entry.responseEnd,
    transfer_bytes: entry.transferSize,
    body_bytes: entry.encodedBodySize,
  }));
}

const shownPct = {};
const lastProgress = {}; // stage -> its last progress message, for a page that connects during the load
function progress(stage, pct, detail = "") {
  const clamped = Math.max(0, Math.min(100, Math.round(pct)));
  if (clamped < (shownPct[stage] ?? 0)) return; // a bar never goes back
  shownPct[stage] = clamped;
  lastProgress[stage] = { type: "progress", stage, pct: clamped, detail, at_ms: performance.now() };
  broadcast(lastProgress[stage]);
}

class LoadError extends Error {
  constructor(url, reason) {
    const file = new URL(url).pathname.split("/").pop();
    super(`Could not load ${file}: ${reason}`);
    this.file = file;
  }
}

// The page and the runtime come from different deploys (an old page after a new deploy, without the offline copy
// that would have kept them together): loading on could mix them, so the page is asked to reload.
class UpdateError extends Error {}

// A download is judged by its bytes, never by its total time: a 120 KB/s link takes minutes and is fine, while a
// file that has sent nothing at all for fetch_stall_ms is stalled and is named (the page offers Retry). Both limits
// come with the init message (web/runtime/client.js's LIMITS; the tests make them small); these are until then.
const limits = { heartbeat_ms: 1000, fetch_stall_ms: 30000 };

// Every file is fetched once, and all of them at once, as soon as the manifest names them. Pyodide asks for the
// same URLs later through fetch(); it is handed the response already under way (the original, with its URL, so
// the wasm keeps Chromium's streaming-compile and code-cache path), while a clone() of it is read here for the
// byte progress and the stall check. Nothing is downloaded twice, even with no HTTP cache (a private window).
const early = new Map(); // absolute URL -> Promise<Response>, until Pyodide takes it
const networkFetch = self.fetch.bind(self);
self.fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input), self.location.href).href;
  const response = early.get(url);
  if (!response) return networkFetch(input, init);
  early.delete(url);
  return response;
};

class Download {
  constructor(url, bytes, onBytes) {
    this.url = url;
    this.bytes = bytes; // from the manifest: the body's size once decoded (the server may gzip)
    this.received = 0;
    const abort = new AbortController();
    let stalled = false;
    let timer = 0;
    const armStallTimer = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        abort.abort();
      }, limits.fetch_stall_ms);
    };
    armStallTimer();
    const response = networkFetch(url, { signal: abort.signal });
    early.set(url, response);
    // Settles when every byte has arrived; rejects with the file's name and what went wrong.
    this.done = (async () => {
      try {
        const copy = (await response).clone();
        if (!copy.ok) throw new LoadError(url, `HTTP ${copy.status}`);
        const reader = copy.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          armStallTimer();
          this.received += value.length;
          onBytes();
        }
      } catch (error) {
        if (stalled) throw new LoadError(url, `no data for ${limits.fetch_stall_ms / 1000} s (the connection stalled)`);
        throw error instanceof LoadError ? error : new LoadError(url, `network error (${error.message})`);
      } finally {
        clearTimeout(timer);
      }
    })();
    this.done.catch(() => {}); // reported by whichever step needs the file
  }
}

function megabytes(bytes) {
  return (bytes / 1e6).toFixed(1);
}

// One stage's downloads, as one progress bar: the downloads are its first 80%, unpacking and importing the rest.
function stageProgress(stage, downloads) {
  const report = () => {
    const got = downloads.reduce((sum, d) => sum + Math.min(d.received, d.bytes || d.received), 0);
    const want = downloads.reduce((sum, d) => sum + (d.bytes || d.received), 0);
    if (want > 0) progress(stage, (80 * got) / want, `${megabytes(got)} of ${megabytes(want)} MB`);
  };
  return report;
}

// A step that consumes downloads fails with the download's own error (naming the file) rather than whatever
// Pyodide makes of a broken response.
async function step(downloads, work) {
  const failed = Promise.all(downloads.map((d) => d.done)).then(() => new Promise(() => {}));
  return Promise.race([work(), failed]);
}

/** A download's files (a wheel), read from the response the download started. */
async function readWheel(download) {
  await download.done;
  const response = await self.fetch(download.url);
  return unzip(await response.arrayBuffer());
}

// Emscripten's Module of the runtime loadWithWheels started (snapshot.js reads its dynamic linker's tables).
let emscripten = null;

/** loadPyodide with the wheels (a promise: they are unpacked and compiled while the runtime's wasm compiles)
 * installed and NumPy's extensions loaded before the interpreter starts. */
async function loadWithWheels(module, options, wheels) {
  const create = globalThis._createPyodideModule;
  let failed = null;
  globalThis._createPyodideModule = (settings) => {
    const onModule = (Module) => {
      emscripten = Module;
    };
    settings.preRun.push(
      installWheels(
        wheels,
        onModule,
        (error) => {
          failed = error;
        },
        mark,
      ),
    );
    return create(settings);
  };
  try {
    const started = await module.loadPyodide(options);
    if (failed) throw failed;
    return started;
  } finally {
    globalThis._createPyodideModule = create;
  }
}

/** The heap as it is now (nothing of the page's has run yet), with what restoring it needs; null if it cannot be
 * restored. The copy is taken now; what is slow about it (the canary, storing) comes after. */
function takeSnapshot({ libs, files }) {
  const extra = unrestorable(emscripten, libs);
  if (extra.length) {
    console.warn(`Python snapshot not made: ${extra.join(", ")} loaded by Python itself`);
    return Promise.resolve(null);
  }
  let bytes;
  // Pyodide checks that the JS objects Python holds are the ones a fresh start has; the one it holds that differs
  // after an import is its record of loaded packages ({numpy: "Unknown"}, from the import hook), which a restored
  // runtime does not need. It is emptied for the copy and refilled.
  const loaded = { ...pyodide.loadedPackages };
  try {
    for (const name of Object.keys(loaded)) delete pyodide.loadedPackages[name];
    bytes = pyodide.makeMemorySnapshot();
  } catch (error) {
    console.warn(`Python snapshot not made: ${error.message}`);
    return Promise.resolve(null);
  } finally {
    Object.assign(pyodide.loadedPackages, loaded);
  }
  const meta = snapshotMeta(emscripten, libs, pyodide.runPython(CANARY));
  // The files are copied now (a Blob copies what it is made of), before any of the page's calls run.
  return Promise.resolve({ bytes, files: joinFiles(files), meta });
}

async function load(baseURL, build) {
  // The page's build names its snapshot: looked up (and its heap read) while the manifest comes. A page without one
  // looks it up once the manifest has named the build.
  const pageBuildSnapshot = build && canUnzip() ? findSnapshot(baseURL, build).catch(() => null) : null;
  const manifestURL = new URL("manifest.json", baseURL).href;
  const manifestResponse = await networkFetch(manifestURL, { cache: "no-cache" }).catch((error) => {
    throw new LoadError(manifestURL, `network error (${error.message})`);
  });
  if (!manifestResponse.ok) throw new LoadError(manifestURL, `HTTP ${manifestResponse.status}`);
  const manifest = await manifestResponse.json();
  if (build && manifest.version !== build) {
    throw new UpdateError("A new version of RL Playground was published while this page was open: reload the page.");
  }
  mark("manifest_end");
  const indexURL = new URL(manifest.pyodide, baseURL).href;
  const sizes = manifest.files ?? {};
  const bars = {};
  const start = (stage, path) => {
    const download = new Download(new URL(path, baseURL).href, sizes[path] ?? 0, () => bars[stage]());
    return download;
  };
  const runtime = [
    start("runtime", `${manifest.pyodide}pyodide.asm.wasm`),
    start("runtime", manifest.stdlib ?? `${manifest.pyodide}python_stdlib.zip`),
    start("runtime", `${manifest.pyodide}pyodide-lock.json`),
  ];
  bars.runtime = stageProgress("runtime", runtime);
  // Once a stage's bytes are in, its bar names the work on the CPU that follows.
  const then = (downloads, stage, what) =>
    Promise.all(downloads.map((d) => d.done)).then(
      () => progress(stage, 85, what),
      () => {},
    );
  then(runtime, "runtime", "starting Python");
  // NumPy's and rlplay's wheels are downloaded only for a start without a snapshot (which holds their files).
  let wheelDownloads = null;
  const wheels = () => {
    if (wheelDownloads) return wheelDownloads;
    const numpy = start("numpy", manifest.numpy_wheel);
    const rlplay = start("rlplay", manifest.rlplay_wheel);
    bars.numpy = stageProgress("numpy", [numpy]);
    bars.rlplay = stageProgress("rlplay", [rlplay]);
    then([numpy], "numpy", "downloaded");
    then([rlplay], "rlplay", "downloaded");
    wheelDownloads = { numpy, rlplay };
    return wheelDownloads;
  };
  // This build's snapshot (looked up while the manifest or the scripts load): a restore needs no wheel.
  const snapshot = canUnzip()
    ? (pageBuildSnapshot ?? findSnapshot(baseURL, manifest.version).catch(() => null))
    : Promise.resolve(null);
  snapshot.then((found) => found || wheels());
  // NumPy's and rlplay's files, and NumPy's extensions compiled (for the snapshot's fixed placement:
  // web/runtime/snapshot.js), while the wasm compiles: from the snapshot's copy of them, or unzipped from the wheels
  // (as soon as the lookup finds no snapshot). Without DecompressionStream, Pyodide installs the wheels.
  const withLibraries = async (files) => {
    const compiled = files
      .filter(({ path }) => path.endsWith(".so"))
      .sort((a, b) => (a.path < b.path ? -1 : 1))
      .map(async ({ path, data }) => ({ path, module: await WebAssembly.compile(data) }));
    const libs = await Promise.all(compiled);
    mark("wheels_end");
    return { files, libs };
  };
  let unzipped = null;
  const unzippedWheels = () => {
    const { numpy, rlplay } = wheels();
    unzipped ??= Promise.all([readWheel(numpy), readWheel(rlplay)]).then(([numpyFiles, rlplayFiles]) =>
      withLibraries([...numpyFiles, ...rlplayFiles]),
    );
    unzipped.catch(() => {}); // reported by the start that needs them
    return unzipped;
  };
  snapshot.then((found) => canUnzip() && !found && unzippedWheels());
  // Pyodide's two scripts load meanwhile, as modules (the code cache keeps them compiled for the next visit).
  const scriptURL = (name) => new URL(name, indexURL).href;
  const importScript = (name) =>
    import(scriptURL(name)).catch((error) => {
      throw new LoadError(scriptURL(name), error.message);
    });
  const [module] = await Promise.all([importScript("pyodide.mjs"), importScript("pyodide.asm.js")]);

  const options = {
    indexURL,
    packages: [],
    ...(manifest.stdlib ? { stdLibURL: new URL(manifest.stdlib, baseURL).href } : {}),
  };

  mark("interpreter_start");
  let startMode = "pyodide packages";
  const found = await snapshot;
  if (found) {
    try {
      const restore = { ...options, _loadSnapshot: found.heap };
      const files = found.files.then(withLibraries);
      pyodide = await step(runtime, () => Promise.race([loadWithWheels(module, restore, files), wasmFailure]));
      mark("restored");
      relink(emscripten, found.meta);
      if (pyodide.runPython(CANARY) !== found.meta.canary) throw new Error("the snapshot's canary differs");
      startMode = "snapshot";
    } catch (error) {
      if (error instanceof LoadError) throw error;
      // Refused: start afresh (and make a new snapshot).
      console.warn(`Python snapshot not used: ${error.message}`);
      pyodide = null;
      await forgetSnapshot(manifest.version).catch(() => {});
    }
  }
  let made = null;
  if (!pyodide && canUnzip()) {
    const makeSnapshot = canKeepSnapshots();
    const fresh = { ...options, _makeSnapshot: makeSnapshot };
    try {
      const files = unzippedWheels();
      const downloads = [wheels().numpy, wheels().rlplay, ...runtime];
      pyodide = await step(downloads, () => Promise.race([loadWithWheels(module, fresh, files), wasmFailure]));
    } catch (error) {
      if (error instanceof LoadError) throw error;
      console.warn(`Wheels left to Pyodide: ${error.message}`);
    }
  }
  if (pyodide && startMode !== "snapshot") {
    const makeSnapshot = canKeepSnapshots();
    mark("interpreter_end");
    progress("runtime", 100);
    mark("numpy_start");
    progress("numpy", 90, "importing");
    pyodide.runPython("import numpy, numpy.random");
    mark("numpy_end");
    progress("numpy", 100);
    progress("rlplay", 90, "importing");
    pyodide.runPython("import rlplay.app.bridge");
    // A page imports only the demos it opens; a snapshot serves every page, so it holds them all.
    if (makeSnapshot) {
      pyodide.runPython("import rlplay.demos as d, importlib; [importlib.import_module(m) for m in d.DEMOS.values()]");
    }
    mark("rlplay_import_end");
    if (makeSnapshot) made = takeSnapshot(await unzippedWheels());
    mark("snapshot_end");
    startMode = "fresh";
  }
  if (startMode === "snapshot") {
    mark("interpreter_end");
    mark("numpy_start");
    mark("numpy_end");
    progress("runtime", 100);
    progress("numpy", 100);
  }
  if (!pyodide) {
    pyodide = await step(runtime, () => Promise.race([module.loadPyodide(options), wasmFailure]));
    mark("interpreter_end");
    progress("runtime", 100);

    mark("numpy_start");
    const packageErrors = [];
    const quiet = { messageCallback: () => {}, errorCallback: (m) => packageErrors.push(m) };
    const { numpy: numpyDownload, rlplay: rlplayDownload } = wheels();
    await step([numpyDownload], async () => {
      await numpyDownload.done;
      progress("numpy", 90, "unpacking and importing");
      await pyodide.loadPackage("numpy", quiet);
    });
    if (packageErrors.length) throw new LoadError(numpyDownload.url, packageErrors.join("; "));
    pyodide.pyimport("numpy").destroy();
    mark("numpy_end");
    progress("numpy", 100);

    await step([rlplayDownload], async () => {
      await rlplayDownload.done;
      progress("rlplay", 90, "installing");
      await pyodide.loadPackage(rlplayDownload.url, quiet);
    });
    if (packageErrors.length) throw new LoadError(rlplayDownload.url, packageErrors.join("; "));
  }
  // The module and its handle() stay alive for the worker's lifetime (the handle is borrowed from the module).
  bridgeModule = pyodide.pyimport("rlplay.app.bridge");
  bridgeHandle = bridgeModule.handle;
  // Signs of life from a learner's edited code while it runs (rlplay.core.user_code.on_user_code_alive): the watchdog
  // tells a worker stuck inside one C call of edited code by them (web/runtime/client.js).
  const userCode = pyodide.pyimport("rlplay.core.user_code");
  userCode.on_user_code_alive = (alive) => running?.post({ type: "user-code", running: Boolean(alive) });
  userCode.destroy();
  const versions = pyodide.runPython(
    "import sys, numpy, rlplay; f'{sys.version.split()[0]}|{numpy.__version__}|{rlplay.__version__}'",
  );
  mark("rlplay_end");
  progress("rlplay", 100);
  const [python, numpy, rlplay] = versions.split("|");
  if (made) {
    // Stored while the page makes its first calls; a store that fails leaves the next visit a fresh start.
    made
      .then((heap) => heap && storeSnapshot(baseURL, manifest.version, heap.bytes, heap.files, heap.meta))
      .catch((error) => console.warn(`Python snapshot not stored: ${error.message}`));
  }
  return {
    pyodide: pyodide.version,
    python,
    numpy,
    rlplay,
    build: manifest.version,
    start: startMode, // "snapshot", "fresh" (a snapshot made) or "pyodide packages" (the fallback without one)
    worker: SHARED ? "shared" : "dedicated",
    worker_id: WORKER_ID,
    timings,
    resources: resourceTimings(),
  };
}

const TYPED_ARRAYS = {
  d: Float64Array,
  f: Float32Array,
  i: Int32Array,
  l: Int32Array,
  b: Int8Array,
  B: Uint8Array,
  "?": Uint8Array,
  h: Int16Array,
  H: Uint16Array,
  I: Uint32Array,
};

function callBridge(client, demo, command, args) {
  running = client;
  let out;
  try {
    out = bridgeHandle(demo, command, JSON.stringify(args ?? {}), client.id);
  } finally {
    running = null;
  }
  const transfer = [];
  let payload;
  try {
    payload = JSON.parse(out.get(0));
    const arrays = out.get(1);
    try {
      for (let i = 0; i < arrays.length; i++) {
        const pair = arrays.get(i);
        const name = pair.get(0);
        const array = pair.get(1);
        const buffer = array.getBuffer();
        try {
          const format = buffer.format.replace(/[<>=!@]/g, "");
          const Typed = TYPED_ARRAYS[format] ?? Float64Array;
          const copy = new Typed(buffer.data.length);
          copy.set(buffer.data);
          payload.snapshot[name] = { data: copy, shape: Array.from(buffer.shape) };
          transfer.push(copy.buffer);
        } finally {
          buffer.release();
          array.destroy();
          pair.destroy();
        }
      }
    } finally {
      arrays.destroy();
    }
  } finally {
    out.destroy();
  }
  return { payload, transfer };
}

function errorData(error) {
  return {
    kind: error instanceof LoadError ? "load" : error instanceof UpdateError ? "update" : "internal",
    message: error.message ?? String(error),
    file: error.file,
    traceback: error.stack,
  };
}

// Calls wait in an inbox and run one at a time, in order. Between two calls the worker yields to its event loop, so
// every message already sent reaches the inbox, and a run of `configure` calls to one demo (a slider dragged faster
// than Python answers) becomes one call with the merged params: the worker never works through a backlog of
// settings the user has already left behind. The earlier calls of a merged run are answered {superseded: true}.
const inbox = [];
let draining = false;
const yielder = new MessageChannel();

function yieldToEventLoop() {
  // Not setTimeout: nested timers are clamped to 4 ms, which would tax every short chunk of work at max speed.
  return new Promise((resolve) => {
    yielder.port1.onmessage = () => resolve();
    yielder.port2.postMessage(null);
  });
}

function takeNextCall() {
  const message = inbox.shift();
  if (message.command !== "configure") return { message, superseded: [] };
  const superseded = [];
  let merged = message;
  while (
    inbox.length &&
    inbox[0].command === "configure" &&
    inbox[0].demo === message.demo &&
    inbox[0].client === message.client
  ) {
    const next = inbox.shift();
    superseded.push(merged.id);
    merged = {
      ...next,
      args: { ...merged.args, ...next.args, params: { ...merged.args?.params, ...next.args?.params } },
    };
  }
  return { message: merged, superseded };
}

async function drainInbox() {
  draining = true;
  try {
    if (!bridgeHandle) await loading;
    while (inbox.length) {
      const { message, superseded } = takeNextCall();
      const { client } = message;
      if (client.gone) continue; // its page said goodbye while the call waited
      try {
        const { payload, transfer } = callBridge(client, message.demo, message.command, message.args);
        for (const id of superseded) client.post({ id, result: { superseded: true, snapshot: null } });
        if (payload.error) client.post({ id: message.id, error: payload.error });
        else client.post({ id: message.id, result: payload }, transfer);
      } catch (error) {
        for (const id of [...superseded, message.id]) client.post({ id, error: errorData(error) });
      }
      await yieldToEventLoop();
    }
  } catch (error) {
    // The load failed: every waiting call fails with it.
    for (const { id, client } of inbox.splice(0)) client.post({ id, error: errorData(error) });
  } finally {
    draining = false;
  }
}

/** Every message from a page, shared or dedicated: `event.target` is the page's port (or, dedicated, this scope). */
async function receive(event) {
  const client = clients.get(event.target);
  if (!client) return;
  const { id, type } = event.data;
  if (type === "call") {
    inbox.push({ ...event.data, client });
    if (!draining) drainInbox();
    return;
  }
  try {
    if (type === "init") {
      if (!loading) setLimits(event.data.limits);
      const heartbeat = event.data.limits?.heartbeat_ms;
      client.beat(typeof heartbeat === "number" && Number.isFinite(heartbeat) && heartbeat > 0 ? heartbeat : 1000);
      loading ??= load(event.data.baseURL, event.data.build);
      const versions = await loading;
      client.post({ id, result: { ...versions, client: client.id, clients: clients.size } });
      return;
    }
    if (type === "memory") {
      // For the benchmark's soak: the wasm heap is one WebAssembly.Memory; its size only grows.
      if (!pyodide) await loading;
      client.post({ id, result: { wasm_heap_bytes: pyodide._module.HEAP8.buffer.byteLength } });
      return;
    }
    client.post({ id, error: { kind: "internal", message: `unknown message type ${type}` } });
  } catch (error) {
    client.post({ id, error: errorData(error) });
  }
}
self.onmessage = receive;

/** A page went away (its goodbye, or a port silent for PORT_SILENCE_MS): its calls, heartbeat and Python state go. */
function forget(client) {
  if (client.gone) return;
  client.gone = true;
  clearInterval(client.heartbeat);
  clients.delete(client.target);
  for (let i = inbox.length - 1; i >= 0; i--) if (inbox[i].client === client) inbox.splice(i, 1);
  try {
    bridgeModule?.forget_client(client.id);
  } catch (error) {
    console.warn(`client ${client.id} not forgotten: ${error.message}`);
  }
}

if (SHARED) {
  self.onconnect = (event) => {
    const port = event.ports[0];
    const client = new Client(String(nextClient++), port);
    clients.set(port, client);
    port.onmessage = (message) => {
      client.lastHeard = Date.now();
      const type = message.data?.type;
      // A page whose port was forgotten learns it at once (its drivers are gone: it starts again).
      if (client.gone) return port.postMessage({ type: "forgotten" });
      if (type === "alive") return;
      if (type === "goodbye") return forget(client);
      // A page's watchdog decided this worker is dead (silent, or deaf: see web/runtime/client.js). No page can
      // terminate a SharedWorker, so it asks the worker to close itself; every other page is told (a worker stuck
      // inside one C call reads this only once the call returns). "quiet": the tests' stand-in for a worker that
      // died without a word (window.rlplay.runtime.worker.terminate()).
      if (type === "close") {
        if (!message.data.quiet) broadcast({ type: "closing", reason: String(message.data.reason ?? "") });
        for (const other of [...clients.values()]) forget(other);
        self.close();
        return;
      }
      self.onmessage?.(message);
    };
    port.start();
    client.beat(limits.heartbeat_ms);
    for (const stage of STAGES) if (lastProgress[stage]) client.post(lastProgress[stage]);
  };
  setInterval(() => {
    const now = Date.now();
    for (const client of [...clients.values()]) if (now - client.lastHeard > PORT_SILENCE_MS) forget(client);
  }, 30_000);
  // An error nothing caught: a dedicated worker's page hears of it through its onerror; a shared worker's pages
  // would not, so it is sent to each (the page treats it as a crash, as it does a dedicated worker's).
  self.addEventListener("error", (event) => broadcast({ type: "crash", message: String(event.message ?? "") }));
} else {
  const page = new Client("", self);
  clients.set(self, page);
  page.beat(limits.heartbeat_ms);
}

progress(STAGES[0], 0, "starting…");

/** The first page's limits (positive numbers only), once, before the load starts. */
function setLimits(given) {
  for (const name of Object.keys(limits)) {
    const value = given?.[name];
    if (typeof value === "number" && Number.isFinite(value) && value > 0) limits[name] = value;
  }
}
