// The Python worker: the only place Python runs. A module worker that loads Pyodide once, installs NumPy and the
// rlplay wheel, then answers {id, type: "call", demo, command, args} with {id, result} or {id, error}.
//
// Data crossing the boundary: the bridge returns JSON text plus a list of NumPy arrays; each array is copied out of
// the wasm heap into its own typed array (no view is held across calls: heap growth would invalidate it) and
// transferred, not cloned. Every PyProxy is destroyed.

const STAGES = ["runtime", "numpy", "rlplay"];
let pyodide = null;
let bridgeModule = null;
let bridgeHandle = null;
let loading = null;

function progress(stage, pct, detail = "") {
  const clamped = Math.max(0, Math.min(100, Math.round(pct)));
  postMessage({ type: "progress", stage, pct: clamped, detail, at_ms: performance.now() });
}

// Fetch a file with byte progress; the response lands in the HTTP cache (the server marks these paths immutable),
// so Pyodide's own fetch of the same URL a moment later is served locally. Names the file when it fails.
async function prefetch(url, onBytes) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new LoadError(url, `network error (${error.message})`);
  }
  if (!response.ok) throw new LoadError(url, `HTTP ${response.status}`);
  const total = Number(response.headers.get("Content-Length")) || 0;
  const reader = response.body.getReader();
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.length;
    onBytes(received, total);
  }
  return received;
}

class LoadError extends Error {
  constructor(url, reason) {
    const file = new URL(url).pathname.split("/").pop();
    super(`Could not load ${file}: ${reason}`);
    this.file = file;
  }
}

async function prefetchStage(stage, urls) {
  const seen = new Map();
  progress(stage, 0);
  await Promise.all(
    urls.map((url) =>
      prefetch(url, (received, total) => {
        seen.set(url, [received, total]);
        let got = 0;
        let want = 0;
        for (const [r, t] of seen.values()) {
          got += r;
          want += Math.max(t, r);
        }
        // Downloads are the first 80% of a stage; unpacking and importing the rest.
        if (seen.size === urls.length && want > 0) progress(stage, (80 * got) / want);
      }),
    ),
  );
  progress(stage, 80);
}

async function load(baseURL) {
  const manifestURL = new URL("manifest.json", baseURL).href;
  const manifestResponse = await fetch(manifestURL, { cache: "no-cache" }).catch((error) => {
    throw new LoadError(manifestURL, `network error (${error.message})`);
  });
  if (!manifestResponse.ok) throw new LoadError(manifestURL, `HTTP ${manifestResponse.status}`);
  const manifest = await manifestResponse.json();
  const indexURL = new URL(manifest.pyodide, baseURL).href;
  const runtimeFiles = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];
  await prefetchStage(
    "runtime",
    runtimeFiles.map((name) => new URL(name, indexURL).href),
  );
  let module;
  try {
    module = await import(new URL("pyodide.mjs", indexURL).href);
  } catch (error) {
    throw new LoadError(new URL("pyodide.mjs", indexURL).href, error.message);
  }
  pyodide = await module.loadPyodide({ indexURL, packages: [] });
  progress("runtime", 100);

  const lock = await (await fetch(new URL("pyodide-lock.json", indexURL))).json();
  const numpyURL = new URL(lock.packages.numpy.file_name, indexURL).href;
  await prefetchStage("numpy", [numpyURL]);
  const packageErrors = [];
  await pyodide.loadPackage("numpy", { messageCallback: () => {}, errorCallback: (m) => packageErrors.push(m) });
  if (packageErrors.length) throw new LoadError(numpyURL, packageErrors.join("; "));
  progress("numpy", 100);

  const wheelURL = new URL(manifest.rlplay_wheel, baseURL).href;
  await prefetchStage("rlplay", [wheelURL]);
  await pyodide.loadPackage(wheelURL, { messageCallback: () => {}, errorCallback: (m) => packageErrors.push(m) });
  if (packageErrors.length) throw new LoadError(wheelURL, packageErrors.join("; "));
  // The module and its handle() stay alive for the worker's lifetime (the handle is borrowed from the module).
  bridgeModule = pyodide.pyimport("rlplay.demos.bridge");
  bridgeHandle = bridgeModule.handle;
  const versions = pyodide.runPython(
    "import sys, numpy, rlplay; f'{sys.version.split()[0]}|{numpy.__version__}|{rlplay.__version__}'",
  );
  progress("rlplay", 100);
  const [python, numpy, rlplay] = versions.split("|");
  return { pyodide: pyodide.version, python, numpy, rlplay, built: manifest.built };
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

function callBridge(demo, command, args) {
  const out = bridgeHandle(demo, command, JSON.stringify(args ?? {}));
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

self.onmessage = async (event) => {
  const { id, type } = event.data;
  try {
    if (type === "init") {
      loading ??= load(event.data.baseURL);
      const versions = await loading;
      postMessage({ id, result: versions });
      return;
    }
    if (type === "call") {
      if (!bridgeHandle) await loading;
      const { demo, command, args } = event.data;
      const { payload, transfer } = callBridge(demo, command, args);
      if (payload.error) postMessage({ id, error: payload.error });
      else postMessage({ id, result: payload }, transfer);
      return;
    }
    if (type === "memory") {
      // For the benchmark's soak: the wasm heap is one WebAssembly.Memory; its size only grows.
      if (!pyodide) await loading;
      postMessage({ id, result: { wasm_heap_bytes: pyodide._module.HEAP8.buffer.byteLength } });
      return;
    }
    postMessage({ id, error: { kind: "internal", message: `unknown message type ${type}` } });
  } catch (error) {
    postMessage({
      id,
      error: {
        kind: error instanceof LoadError ? "load" : "internal",
        message: error.message ?? String(error),
        file: error.file,
        traceback: error.stack,
      },
    });
  }
};

postMessage({ type: "progress", stage: STAGES[0], pct: 0, detail: "worker started" });
