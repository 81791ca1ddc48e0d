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
      for (const name of await caches.keys()) {
        if (name.startsWith("rlplay-") && name !== CACHE) await caches.delete(name);
      }
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

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
  event.respondWith(
    (async () => {
      const hit = await (await caches.open(CACHE)).match(key);
      return hit ?? fetch(event.request);
    })(),
  );
});
