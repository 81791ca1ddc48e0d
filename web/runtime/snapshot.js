// Python ready from a memory snapshot: the second visit starts where the first one's start ended.
//
// Pyodide 0.27.7 can restore its wasm heap from a snapshot (loadPyodide({_loadSnapshot}), made by a runtime started
// with {_makeSnapshot: true} and pyodide.makeMemorySnapshot()): the interpreter, the stdlib, NumPy and rlplay
// imported, without running any of it again. Its known limit is binary extensions: a snapshot holds the heap, not
// the compiled extension modules nor their slots in the function table, and Pyodide's loadPackage puts them at
// addresses that depend on everything the heap held before. So NumPy's extensions are loaded here instead, by
// `installWheels`, in the runtime's preRun: before the interpreter starts, in a fixed order, where Emscripten places
// a library's data at the heap's base and its functions at the table's end. Both are the same on every start (the
// same build's wasm, the same libraries in the same order), so a heap saved after `import numpy` finds every
// library where it left it. Python's later dlopen of an extension finds it loaded by its path (Emscripten's
// loadDynamicLibrary), and `relink` gives the restored heap's dlopen handles back their libraries.
//
// Where: the first visit with an empty cache starts Python this way (wheels unpacked here, no loadPackage), saves the
// snapshot before the page's first call and stores it in the Cache Storage (`rlplay-python-<build>`, one build's
// at a time; web/sw.js keeps it), with the wheels' files as they were unpacked (unzipping them took a warm start's
// longest step, about 0.4-0.8 s on 2 cores). Later visits restore it, check it with a small computation whose answer the first
// visit stored beside it (the canary), and fall back to a fresh start, forgetting the snapshot, if anything about it
// is refused: a missing or partial entry, another build's, Pyodide's own checks, a canary that differs.

export const CACHE_PREFIX = "rlplay-python-";

// Run in the snapshot's state on both sides: NumPy's generator (four of its libraries), a ufunc and a reduction. A
// library restored at the wrong address or with a wrong function slot gives another answer or crashes. Cheap: it
// is on the warm start's path.
export const CANARY =
  "(lambda np: repr([float(np.random.default_rng(25).normal(size=64).sum()), " +
  "float(np.sin(np.linspace(0.0, 3.0, 64)).sum()), int(np.cumsum(np.arange(64) % 7).sum())]))(__import__('numpy'))";

function cacheName(build) {
  return `${CACHE_PREFIX}${build}`;
}

function entryURL(baseURL, name) {
  return new URL(`python-snapshot/${name}`, baseURL).href;
}

/** Whether snapshots can be kept here: the Cache Storage (secure contexts only). */
export function canKeepSnapshots() {
  return typeof caches === "object" && caches !== null;
}

/** This build's snapshot: {meta, heap, files}, or null when there is none (or only part of one). `heap` is a
 * promise of the Uint8Array; `files` one of the wheels' files as they were unpacked ([{path, data}], so a restore
 * unzips nothing). The meta entry is small and read first; the rest is read while the runtime's scripts load. */
export async function findSnapshot(baseURL, build) {
  if (!canKeepSnapshots() || !build) return null;
  const cache = await caches.open(cacheName(build));
  const [heap, files, meta] = await Promise.all(
    ["heap", "files", "meta.json"].map((name) => cache.match(entryURL(baseURL, name))),
  );
  if (!heap || !files || !meta) return null;
  const info = await meta.json();
  if (info.build !== build || !Array.isArray(info.files)) return null;
  const read = (response, bytes, what) =>
    response.arrayBuffer().then((buffer) => {
      if (buffer.byteLength !== bytes) throw new Error(`a partial snapshot (${what}: ${buffer.byteLength} bytes)`);
      return new Uint8Array(buffer);
    });
  const heapBytes = read(heap, info.bytes, "heap");
  const fileList = read(files, info.files_bytes, "files").then((all) => splitFiles(all, info.files));
  // Whoever needs them reports their failure, which refuses the snapshot (Pyodide awaits the heap).
  heapBytes.catch(() => {});
  fileList.catch(() => {});
  return { meta: info, heap: heapBytes, files: fileList };
}

/** The files' bytes one after another, and what splits them again: [[path, length], ...]. */
export function joinFiles(files) {
  return {
    blob: new Blob(files.map(({ data }) => data)),
    index: files.map(({ path, data }) => [path, data.byteLength]),
  };
}

/** [{path, data}] from `joinFiles`'s bytes and index; each `data` a view into `bytes`, nothing copied.
 *
 *   splitFiles(Uint8Array.of(1, 2, 3), [["a", 1], ["b", 2]]) -> [{path: "a", data: [1]}, {path: "b", data: [2, 3]}]
 */
export function splitFiles(bytes, index) {
  const files = [];
  let at = 0;
  for (const [path, length] of index) {
    if (typeof path !== "string" || !Number.isInteger(length) || length < 0 || at + length > bytes.length) {
      throw new Error("a damaged snapshot (its files do not match their index)");
    }
    files.push({ path, data: bytes.subarray(at, at + length) });
    at += length;
  }
  if (at !== bytes.length) throw new Error("a damaged snapshot (its files do not match their index)");
  return files;
}

/** Keep `heap` and the wheels' unpacked files (`joinFiles`'s) as this build's snapshot; other builds' snapshots go. The heap and
 * files entries are written first, the meta entry (which findSnapshot needs) last, so an interrupted store leaves
 * no snapshot rather than part of one. */
export async function storeSnapshot(baseURL, build, heap, joined, meta) {
  for (const name of await caches.keys()) {
    if (name.startsWith(CACHE_PREFIX) && name !== cacheName(build)) await caches.delete(name);
  }
  const cache = await caches.open(cacheName(build));
  const binary = { headers: { "content-type": "application/octet-stream" } };
  await cache.put(entryURL(baseURL, "heap"), new Response(heap, binary));
  await cache.put(entryURL(baseURL, "files"), new Response(joined.blob, binary));
  const json = { headers: { "content-type": "application/json" } };
  const info = { ...meta, build, bytes: heap.byteLength, files: joined.index, files_bytes: joined.blob.size };
  await cache.put(entryURL(baseURL, "meta.json"), new Response(JSON.stringify(info), json));
}

export async function forgetSnapshot(build) {
  if (canKeepSnapshots()) await caches.delete(cacheName(build));
}

/**
 * Pyodide's preRun hook that puts the wheels' files under site-packages and loads NumPy's compiled extension modules
 * before the interpreter starts. `wheels` is a promise of {files, libs: [{path, module: WebAssembly.Module}]} (libs in
 * a fixed order); the start waits for it (an Emscripten run dependency). `onModule` is handed Emscripten's Module
 * (for `relink` and `snapshotMeta`), `onError` what went wrong (the interpreter then starts without them, and the
 * caller refuses that start); `mark(name)` times the steps.
 */
export function installWheels(wheels, onModule, onError, mark = () => {}) {
  return (Module) => {
    onModule(Module);
    Module.addRunDependency("rlplay-wheels");
    wheels
      .then(({ files, libs }) => {
        mark("prerun_start");
        const sitePackages = `/lib/python${Module._py_version_major()}.${Module._py_version_minor()}/site-packages`;
        for (const { path, data } of files) {
          const target = `${sitePackages}/${path}`;
          Module.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
          Module.FS.writeFile(target, data, { canOwn: true });
        }
        mark("files_end");
        for (const { path, module } of libs) {
          const target = `${sitePackages}/${path}`;
          // As Pyodide loads a Python extension: its symbols local to it, never unloaded.
          const flags = { loadAsync: false, global: false, nodelete: true, allowUndefined: true };
          const exports = Module.loadWebAssemblyModule(module, flags, target, {});
          const library = Module.newDSO(target, undefined, exports);
          library.global = false;
        }
        // The libraries' pointers to the interpreter's functions get their table slots now, in this fixed order.
        Module.reportUndefinedSymbols();
        mark("libraries_end");
      })
      .catch(onError)
      .finally(() => Module.removeRunDependency("rlplay-wheels"));
  };
}

/** What a restore needs beside the heap: which library each of the heap's dlopen handles is. */
export function snapshotMeta(Module, libs, canary) {
  const handles = Object.entries(Module.LDSO.loadedLibsByHandle).map(([handle, library]) => [handle, library.name]);
  return { libraries: libs.map(({ path }) => path), handles, canary };
}

/** Libraries loaded that `installWheels` did not load: a snapshot would hold them without a way to restore them. */
export function unrestorable(Module, libs) {
  const preloaded = new Set(libs.map(({ path }) => path));
  return Object.keys(Module.LDSO.loadedLibsByName).filter(
    (name) => name !== "__main__" && ![...preloaded].some((path) => name.endsWith(`/${path}`)),
  );
}

export function relink(Module, meta) {
  for (const [handle, name] of meta.handles) {
    const library = Module.LDSO.loadedLibsByName[name];
    if (!library) throw new Error(`the snapshot's library ${name} is not loaded`);
    Module.LDSO.loadedLibsByHandle[handle] = library;
  }
}
