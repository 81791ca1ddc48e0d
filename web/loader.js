// The one path by which the page loads a module once it runs: a demo (with its views, charts and framework), a
// lesson widget, the Code panel's editor. A failure names the file that did not load and offers Retry, as the
// runtime's own files do (web/runtime/worker.js):
//
//   const module = await importModule(new URL("./demos/bandit/bandit.js", import.meta.url));
//   // rejects with a ModuleLoadError: error.file === "web/views/line_chart.js", error.reason === "HTTP 500"
//   box.append(moduleFailure("The bandit demo could not start", error));
//
// The modules web/app.js imports statically are named the same way by web/boot.js (which runs before them all).
// Retry reloads the page: a browser keeps a module that failed to load as failed for the document's lifetime (a
// second import() of it fails at once, without asking the network), so only a new document fetches it again. The
// page's settings live in its URL, so a reload keeps them.

import { el } from "./ui.js";

export class ModuleLoadError extends Error {
  constructor(file, reason) {
    super(`${file} did not load (${reason})`);
    this.file = file;
    this.reason = reason;
  }
}

/** A module's URL as a person reads it: "web/views/line_chart.js". */
function sitePath(url) {
  const boot = globalThis.rlplayBoot;
  if (boot) return boot.sitePath(url);
  const root = new URL("../", import.meta.url).href;
  return url.startsWith(root) ? url.slice(root.length) : url;
}

/** import(url), or a ModuleLoadError naming the first file of its graph that does not load. */
export async function importModule(url) {
  const href = String(url);
  try {
    return await import(href);
  } catch (error) {
    // web/boot.js follows the module's imports to the first file that does not load. When every file loads, the
    // module itself failed to run (a syntax error in a partly deployed file, say): the browser's words, then.
    const missing = await globalThis.rlplayBoot?.findMissing(href).catch(() => null);
    if (missing) throw new ModuleLoadError(sitePath(missing.url), missing.reason);
    const failure = new ModuleLoadError(sitePath(href), error?.message || "it did not run");
    failure.everyFileLoads = true; // a request aborted on the way, or a file that does not run (web/boot.js)
    throw failure;
  }
}

/** The notice for a part of the page whose module did not load: what could not start, the file, and Retry. */
export function moduleFailure(what, error, { more = "" } = {}) {
  const detail = error instanceof ModuleLoadError ? `${error.message}.` : `${error?.message ?? error}.`;
  return el(
    "div",
    { class: "error-box", role: "alert", dataset: { failedFile: error?.file ?? "" } },
    el("p", {}, `${what}: ${detail}${more ? ` ${more}` : ""}`),
    el("p", {}, "Check your connection (or that the site was fully deployed), then retry."),
    el("button", { type: "button", onclick: () => location.reload() }, "Retry"),
  );
}
