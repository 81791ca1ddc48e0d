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
// A cached file is checked against its sha256 after it is served: one that no longer matches (a corrupted disk
// entry) is dropped and fetched again, verified, so the next load (Retry) gets a good copy. A file whose hash check
// cannot even run (a read error) is dropped too. The checks wait until the page has started (HEAL_DELAY_MS) and run
// one at a time: hashing 16 MB while serving it made a warm start's files arrive in about 1 s instead of 0.15 s on
// 2 cores. A request for a file whose check is still waiting runs that check first (a Retry right after a failure
// gets the good copy).

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

const HEAL_DELAY_MS = 5000;

/** Check a cached file against its sha256; a bad copy is dropped and fetched again, verified. */
async function heal(key) {
  const sha256 = SHA256.get(key);
  const cache = await caches.open(CACHE);
  let good = false;
  try {
    const hit = await cache.match(key);
    if (!hit) return; // already dropped: the next request fetches it
    good = hex(await crypto.subtle.digest("SHA-256", await hit.arrayBuffer())) === sha256;
  } catch {
    good = false;
  }
  if (good) return;
  await cache.delete(key);
  try {
    await cache.put(key, await fetchVerified(key, sha256));
  } catch {
    // Offline or mid-deploy: the entry stays dropped, so the next request goes to the network.
  }
}

const waitingChecks = new Map(); // key -> {run(): start it now, done: its promise}
let checksInTurn = Promise.resolve();

/** `heal(key)` after HEAL_DELAY_MS, one check at a time; a check already waiting for `key` is not added twice. */
function checkLater(key) {
  const waiting = waitingChecks.get(key);
  if (waiting) return waiting.done;
  let run = () => {};
  const started = new Promise((resolve) => {
    run = resolve;
  });
  const done = started.then(() => heal(key)).finally(() => waitingChecks.delete(key));
  waitingChecks.set(key, { run, done });
  setTimeout(() => {
    checksInTurn = checksInTurn.then(() => {
      run();
      return done.catch(() => {}); // one check that fails never stops the others
    });
  }, HEAL_DELAY_MS);
  return done;
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
    const waiting = waitingChecks.get(key);
    if (waiting) {
      waiting.run();
      await waiting.done.catch(() => {}); // whatever the check found, the cache now answers for this file
    }
    const hit = await (await caches.open(CACHE)).match(key);
    if (hit) event.waitUntil(checkLater(key));
    return hit ?? fetch(event.request);
  })();
  event.respondWith(served);
});
