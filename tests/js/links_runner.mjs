// Reads hostile links through the page's state registry, as app.js does on load, outside any browser: for
// tests/test_hostile_links.py. Input (stdin): a JSON list of query strings. Output (stdout): for each, the registry's
// notices, the Python settings it would send to each demo's driver (create), the page's focus demo, and whether
// JavaScript's built-ins are intact afterwards.
import { readFileSync } from "node:fs";

import { StateRegistry } from "../../web/state.js";

const web = new URL("../../web/", import.meta.url);
const schema = JSON.parse(readFileSync(new URL("params.json", web), "utf8"));
const uiSchema = {};
for (const demo of Object.keys(schema)) {
  try {
    const module = await import(new URL(`demos/${demo}/${demo}.js`, web));
    uiSchema[demo] = module.default.uiFields ?? [];
  } catch {
    uiSchema[demo] = []; // a demo with no controller (none today) has no page-only settings
  }
}

function builtInsIntact() {
  const probe = { a: 1 };
  return (
    typeof Object.entries === "function" &&
    Object.entries(probe).length === 1 &&
    probe.toString() === "[object Object]" &&
    probe.polluted === undefined &&
    probe.x === undefined &&
    typeof Object.prototype.hasOwnProperty === "function" &&
    Array.prototype.polluted === undefined
  );
}

const queries = JSON.parse(readFileSync(0, "utf8"));
const results = queries.map((query) => {
  const registry = new StateRegistry(schema, uiSchema);
  const notices = registry.load(`?${query}`);
  const python = Object.fromEntries(registry.demos().map((demo) => [demo, registry.pythonParams(demo)]));
  return { notices, python, focus: registry.page.demo ?? null, builtIns: builtInsIntact() };
});
process.stdout.write(JSON.stringify(results));
