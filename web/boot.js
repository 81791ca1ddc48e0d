// The page's safety net: a classic (non-module) script that runs before web/app.js and says what failed when the
// page's own code cannot run at all, instead of leaving it at "loading" forever. It names
// - a missing file among the page's modules (a partial deploy: web/app.js or a module it imports is not there), by
//   fetching the module graph and following its imports to the first file that does not load;
// - a sandboxed iframe (sandbox="allow-scripts" without allow-same-origin) on a server that sends no CORS headers:
//   its document has an opaque origin, so module scripts and the worker cannot load; the notice says what the
//   embed needs and links to the full page.
// It also gives web/app.js and the runtime client `rlplayBoot.findMissing(url)` to name a missing file, and
// `rlplayBoot.retryOnce()` for a module that failed with every file in place (see there).
// Text goes in through textContent only.

(() => {
  const IMPORT = /(?:^|[\s;])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
  const state = { started: false };

  /** The first file under `url` (following static and dynamic imports) that does not load: {url, reason} or null. */
  async function findMissing(url, seen = new Set()) {
    if (seen.has(url) || seen.size > 60) return null;
    seen.add(url);
    let response;
    try {
      response = await fetch(url, { cache: "no-cache" });
    } catch (error) {
      return { url, reason: `network error (${error.message})` };
    }
    if (!response.ok) return { url, reason: `HTTP ${response.status}` };
    if (!/\.m?js$/.test(new URL(url).pathname)) return null;
    const text = await response.text();
    for (const match of text.matchAll(IMPORT)) {
      const found = await findMissing(new URL(match[1] ?? match[2], url).href, seen);
      if (found) return found;
    }
    return null;
  }

  /** A path relative to the site root, for people: "web/ui.js". */
  function sitePath(url) {
    const root = new URL("..", document.currentScript?.src ?? location.href).href;
    return url.startsWith(root) ? url.slice(root.length) : url;
  }

  function fullPageURL() {
    const url = new URL(location.href);
    url.searchParams.delete("embed");
    return url.href;
  }

  function show(title, detail, { retry = true, link = false } = {}) {
    const banner = document.getElementById("runtime-banner");
    if (!banner) return;
    const heading = document.createElement("p");
    heading.className = "banner-title";
    heading.setAttribute("role", "alert");
    heading.textContent = title;
    const text = document.createElement("p");
    text.textContent = detail;
    const parts = [heading, text];
    if (link) {
      const anchor = document.createElement("a");
      anchor.href = fullPageURL();
      anchor.target = "_blank";
      anchor.rel = "noopener";
      anchor.textContent = "Open the full page";
      parts.push(anchor);
    }
    if (retry) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "primary";
      button.textContent = "Retry";
      button.addEventListener("click", () => location.reload());
      parts.push(button);
    }
    banner.replaceChildren(...parts);
    banner.dataset.state = "error";
    banner.hidden = false;
    for (const root of document.querySelectorAll("[data-demo]")) root.dataset.status = "error";
  }

  // A module graph can fail with every file in place: under load, Chromium aborted requests that the service worker
  // was serving (net::ERR_ABORTED) while an update check ran (web/runtime/offline.js). A page whose files all load
  // when asked again reloads itself, at most once a minute, before it says that it could not start.
  const RETRIED = `rlplay-retried:${location.href}`;
  function retryOnce() {
    try {
      if (Date.now() - Number(sessionStorage.getItem(RETRIED) ?? 0) < 60_000) return false;
      sessionStorage.setItem(RETRIED, String(Date.now()));
    } catch {
      return false; // no storage (a sandboxed or blocked frame): no reload it could not limit; Retry stays
    }
    location.reload();
    return true;
  }

  async function diagnose() {
    if (state.started) return;
    if (self.origin === "null") {
      show(
        "This embed cannot start: it is in a sandboxed frame.",
        'The iframe has sandbox="allow-scripts" without allow-same-origin, and this server sends no CORS headers, ' +
          "so the page cannot load its code or Python. Add allow-same-origin to the iframe's sandbox " +
          "(or serve the site with Access-Control-Allow-Origin), or open the full page.",
        { retry: false, link: true },
      );
      return;
    }
    // Every module script of the page (web/runtime/page_runtime.js, then web/app.js), each file fetched once.
    let missing = null;
    const seen = new Set();
    for (const script of document.querySelectorAll('script[type="module"][src]')) {
      missing ??= await findMissing(script.src, seen);
    }
    if (state.started) return;
    if (!missing && retryOnce()) return;
    show(
      missing
        ? `The page could not start: ${sitePath(missing.url)} did not load (${missing.reason}).`
        : "The page could not start: its code did not run.",
      "Check your connection, or that the site was fully deployed, then retry.",
    );
  }

  globalThis.rlplayBoot = {
    findMissing,
    retryOnce,
    sitePath,
    fullPageURL,
    /** web/app.js calls this as its first statement: the page's code is running. */
    started() {
      state.started = true;
    },
  };
  // Module scripts run before "load"; if web/app.js has not said it started by then, its module graph failed.
  window.addEventListener("load", () => setTimeout(diagnose, 0));
})();
