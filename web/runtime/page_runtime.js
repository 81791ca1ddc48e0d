// The page's one Python runtime, started as soon as this small module runs. Each page loads it on its own, as an
// async module script at the top of <head> (index.html), so the Python worker starts while the rest of the page's
// code (web/app.js and its modules) is still loading; web/app.js imports the same instance (one module, one
// runtime) and shows where it stands when it starts listening.

import { PythonRuntime } from "./client.js";

/** Pyodide 0.27.7 crashes on iPad Safari (fixed in 0.28): web/app.js says so instead of starting it. */
export function isIPadSafari() {
  const ua = navigator.userAgent;
  const iPad = /iPad/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
  return iPad && /Safari/.test(ua) && !/CriOS|FxiOS|EdgiOS|Chrome/.test(ua);
}

const baseURL = new URL("../../", import.meta.url).href;
// The tests' small watchdog limits: only from a window.rlplay that a test's init script made before this module ran
// (web/app.js replaces it); a link cannot set them (web/runtime/client.js, limitsFrom). Likewise a test's
// "dedicated" (window.rlplay.worker): the fallback worker, run on purpose.
export const runtime = new PythonRuntime(baseURL, {
  limits: globalThis.rlplay?.limits,
  worker: globalThis.rlplay?.worker,
});

if (!isIPadSafari()) runtime.start().catch(() => {}); // errors are shown through the "state" event (web/app.js)
