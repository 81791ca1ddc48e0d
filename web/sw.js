// The offline service worker: after one visit, the page, the Python runtime, NumPy and the rlplay wheel come from
// the Cache Storage, so a second visit needs no network at all.
//
// One build, one cache. build.py writes this file to dist/sw.js with BUILD filled in: the build's version (a hash
// of every file's content) and each file's path and sha256. Any change to any file therefore changes this script,
// which is how the browser notices a new deploy. The new version installs beside the old one into its own cache,
// and every file is checked against its sha256 as it is stored, so a deploy that is only half uploaded cannot be
// cached as a mix (the install fails and is retried on a later visit). A page is served, with all it loads, from
// the one cache of the version that controls it: never an old runtime with a new page, nor the reverse. The new
// version takes over when the reader accepts the page's "new version: reload" notice, or when every tab of the
// old one has closed.
//
// A first visit's tab is claimed as soon as the first version activates (clients.claim): from then on, whatever it
// loads later (the Code panel's editor, a restarted worker's runtime) comes from this build's cache, so the tab runs
// one build from load to close even if a deploy lands while it is open. Claiming can only go wrong if a deploy landed
// between that tab's load and this install (the tab is then older than this cache): the page asks for this
// version when it is claimed and, if it is not its own, offers the reload before anything else is loaded
// (web/runtime/offline.js); the Python worker refuses a runtime of another build in any case.
//
// A cached file is checked against its sha256 each time it is served, after it is handed over (no delay): one that
// no longer matches (a corrupted disk entry) is dropped and fetched again, verified, so the next load (Retry) gets a
// good copy. A file whose hash check cannot even run (a read error) is dropped too.

const BUILD = { version: "dev", files: [] }; // replaced by build.py

const CACHE = `rlplay-${BUILD.version}`;
const SCOPE = new URL("./", self.location).href;
const SHA256 = new Map(BUILD.files.map(([path, sha256]) => [new URL(path, SCOPE).href, sha256]));

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function fetchVerified(url, sha256) {
  // Content-addressed or versioned paths may come from the HTTP cache (a first visit has just downloaded them, so
  // precaching costs no second download); everything else is revalidated with the server.
  const immutable = url.includes("/pyodide/") || url.includes("/wheels/");
  const response = await fetch(url, { cache: immutable ? "default" : "no-cache" });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const stored = response.clone(); // keeps the response's URL: the wasm stays on Chromium's code-cache path
  const digest = hex(await crypto.subtle.digest("SHA-256", await response.arrayBuffer()));
  if (digest !== sha256) throw new Error(`${url} is not this build's file (a deploy in progress?)`);
  return stored;
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await Promise.all(
        [...SHA256].map(async ([url, sha256]) => {
          if (await cache.match(url)) return; // an interrupted install resumes where it stopped
          await cache.put(url, await fetchVerified(url, sha256));
        }),
      );
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      // The worker's Python snapshot of this build (web/runtime/snapshot.js) stays; every other build's cache goes.
      const keep = [CACHE, `rlplay-python-${BUILD.version}`];
      for (const name of await caches.keys()) {
        if (name.startsWith("rlplay-") && !keep.includes(name)) await caches.delete(name);
      }
      await self.clients.claim(); // see the top: a first visit's tab runs this build from now on
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
  // The page asks which build serves it once it is claimed (web/runtime/offline.js).
  if (event.data === "version") event.source?.postMessage({ type: "rlplay:sw-version", version: BUILD.version });
});

/** Check a cached file against its sha256 after serving it; a bad copy is dropped and fetched again, verified. */
async function heal(key, hit) {
  const sha256 = SHA256.get(key);
  let good = false;
  try {
    good = hex(await crypto.subtle.digest("SHA-256", await hit.arrayBuffer())) === sha256;
  } catch {
    good = false;
  }
  if (good) return;
  const cache = await caches.open(CACHE);
  await cache.delete(key);
  try {
    await cache.put(key, await fetchVerified(key, sha256));
  } catch {
    // Offline or mid-deploy: the entry stays dropped, so the next request goes to the network.
  }
}

function cacheKey(request) {
  const url = new URL(request.url);
  url.hash = "";
  if (request.mode === "navigate") {
    // The page with any query (?demo=gridworld&embed=1...) is the one cached index.html.
    const path = url.origin + url.pathname;
    return path === SCOPE || path === `${SCOPE}index.html` ? `${SCOPE}index.html` : null;
  }
  return url.href;
}

self.addEventListener("fetch", (event) => {
  if (event.request.method !== "GET") return;
  const key = cacheKey(event.request);
  if (!key || !SHA256.has(key)) return; // not part of the site: the network, as without a service worker
  const served = (async () => {
    const hit = await (await caches.open(CACHE)).match(key);
    if (hit) event.waitUntil(heal(key, hit.clone()));
    return hit ?? fetch(event.request);
  })();
  event.respondWith(served);
});
