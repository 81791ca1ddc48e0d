// Edited code in a link, and in a Python file that replays the run natively.
//
// A link carries ?code=<base64url of deflate-raw(JSON)>, the JSON being {demo, loads: [[step, name, source], ...]}
// (the step at which each function was loaded). Code from a link is data until the user asks for it to run
// (web/code/panel.js shows a prompt); here it is only decoded and checked for shape, never evaluated.

export const MAX_LINK_CHARS = 16000; // of the encoded parameter: beyond it, a link is no longer a fair thing to paste
export const MAX_DECODED_BYTES = 100000; // once inflated: deflate packs up to ~1000:1, so a link could unpack to 12 MB
const MAX_LOADS = 20;
// A function name is a Python identifier in ASCII (rlplay's are): no bidi or look-alike characters reach the page.
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,79}$/;
const DEMO_NAME = /^[a-z][a-z0-9_]{0,39}$/;

function toBase64url(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function pipe(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/**
 * Read a byte stream to its end, but never more than `limit` bytes: past it, the stream is cancelled and an Error
 * thrown. A decompression bomb (or a source that never ends) is cut while it inflates, not after.
 */
export async function readBounded(stream, limit) {
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      reader.cancel().catch(() => {});
      throw new Error(`more than ${limit.toLocaleString("en-US")} bytes once unpacked`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** {demo, loads} -> the link parameter; throws an Error with a readable message if it is too long. */
export async function encodeCode(payload) {
  const json = new TextEncoder().encode(JSON.stringify(payload));
  const text = toBase64url(await pipe(json, new CompressionStream("deflate-raw")));
  if (text.length > MAX_LINK_CHARS) {
    throw new Error(
      `the code is too long for a link (${text.length} characters compressed; at most ${MAX_LINK_CHARS})`,
    );
  }
  return text;
}

/** The link parameter -> {demo, loads}; throws an Error with a readable message for anything else. */
export async function decodeCode(text) {
  if (typeof text !== "string" || text.length > MAX_LINK_CHARS || !/^[A-Za-z0-9_-]+$/.test(text)) {
    throw new Error("the code parameter is not a code link (wrong characters or too long)");
  }
  let json;
  try {
    const packed = new Blob([fromBase64url(text)]).stream();
    const bytes = await readBounded(packed.pipeThrough(new DecompressionStream("deflate-raw")), MAX_DECODED_BYTES);
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new Error(`the code in this link could not be read (${error.message})`);
  }
  const loads = json?.loads;
  const valid =
    typeof json?.demo === "string" &&
    DEMO_NAME.test(json.demo) &&
    Array.isArray(loads) &&
    loads.length > 0 &&
    loads.length <= MAX_LOADS &&
    loads.every(
      (load) =>
        Array.isArray(load) &&
        load.length === 3 &&
        Number.isSafeInteger(load[0]) &&
        load[0] >= 0 &&
        typeof load[1] === "string" &&
        FUNCTION_NAME.test(load[1]) &&
        typeof load[2] === "string",
    );
  if (!valid) throw new Error("the code in this link is not in the expected form");
  return { demo: json.demo, loads };
}

/**
 * Why a decoded link's code cannot be offered to `demo`, whose functions are `functions` (as the bridge's get_source
 * describes them), or "" if it can. Names it does not run, or may not edit, are refused before anything is shown.
 */
export function linkProblem(link, demo, functions) {
  if (link.demo !== demo) return `the code in this link is for the ${link.demo} demo, not the ${demo} demo`;
  const editable = new Set(functions.filter((entry) => entry.editable !== false).map((entry) => entry.name));
  const unknown = [...new Set(link.loads.map((load) => load[1]))].filter((name) => !editable.has(name));
  if (!unknown.length) return "";
  const offered = [...editable].join(", ") || "none";
  return `the code in this link is for ${unknown.join(", ")}, which the ${demo} demo does not let you edit here (it offers ${offered})`;
}

/**
 * The loads a link's prompt shows and runs: the last version of each function, in the order of those last loads.
 * A link made by the page holds every version a run loaded (the .py replays them at their steps), but a link's code
 * runs from the start, where only the last of each counts; and an earlier version's top level, if it were run, would
 * run code the editor never showed. lastLoads([[0, "f", "a"], [9, "g", "b"], [40, "f", "c"]])
 * → [[9, "g", "b"], [40, "f", "c"]]
 */
export function lastLoads(loads) {
  const last = new Map();
  for (const [index, load] of loads.entries()) last.set(load[1], index);
  return loads.filter((load, index) => last.get(load[1]) === index);
}

/**
 * What the page must say about a link's `code` that no Code panel will show (each panel reports what it shows):
 * an embed has no Code panel; code for a demo not on the page; a link that cannot be read and opens no one demo
 * (with demo=, that demo's panel says why). "" when a panel takes care of it, or there is no code.
 */
export async function codeLinkNotice(text, { focus = "", embed = false, demos = [] } = {}) {
  if (!text) return "";
  if (embed) {
    return "This link carries edited code, which an embed does not show or run: the demo runs rlplay's own code. Open the full page to see the code.";
  }
  let link;
  try {
    link = await decodeCode(text);
  } catch (error) {
    return focus && demos.includes(focus) ? "" : `Ignored code: ${error.message}. Nothing from it will run.`;
  }
  if (!demos.includes(link.demo))
    return `Ignored code: it is for the ${link.demo} demo, which this page does not show. Nothing from it will run.`;
  return "";
}

/** A Python literal for ``value`` (JSON strings, numbers, lists and objects are valid Python literals). */
function pythonLiteral(value) {
  return JSON.stringify(value, null, 1);
}

/**
 * A self-contained .py that replays the run natively with the same code, and prints its figures: the settings at
 * step 0 (`params`), the code loaded at step 0 (`loads`), each mid-run change at its step (`changes`, [step, command,
 * args] as the page sent them: a setting, an edit of the grid, a code load) and the agent file it started from
 * (`agent`, a URL or a path), as rlplay.app.replay.reproduce reads them.
 */
export function pythonFile({ demo, params, loads, steps, note, changes = [], agent = null }) {
  return [
    `"""Replay an RL Playground ${demo} run with edited code, natively: the same numbers as the page.`,
    "",
    "Run it where rlplay is importable (from the repository: PYTHONPATH=py python3 this_file.py).",
    note ? `\n${note}` : "",
    '"""',
    "",
    "import json",
    "",
    "from rlplay.app.replay import reproduce",
    "",
    `DEMO = ${pythonLiteral(demo)}`,
    "# the settings at step 0",
    `PARAMS = ${pythonLiteral(params)}`,
    "# [step at which it was loaded, function name, source]",
    `LOADS = ${pythonLiteral(loads)}`,
    "# what changed during the run: [step, command, arguments], each applied when the run reaches its step",
    `CHANGES = json.loads(${JSON.stringify(JSON.stringify(changes))})`,
    "# the agent file the run started from (a URL or a path), or None: a run from scratch",
    `AGENT = ${agent === null ? "None" : pythonLiteral(agent)}`,
    `STEPS = ${steps}`,
    "",
    'if __name__ == "__main__":',
    "    print(json.dumps(reproduce(DEMO, PARAMS, LOADS, STEPS, CHANGES, AGENT), indent=1))",
    "",
  ].join("\n");
}
