// Edited code in a link, and in a Python file that replays the run natively.
//
// A link carries ?code=<base64url of deflate-raw(JSON)>, the JSON being {demo, loads: [[step, name, source], ...]}
// (the step at which each function was loaded). Code from a link is data until the user asks for it to run
// (web/code/panel.js shows a prompt); here it is only decoded and checked for shape, never evaluated.

export const MAX_LINK_CHARS = 16000; // of the encoded parameter: beyond it, a link is no longer a fair thing to paste
const MAX_DECODED_CHARS = 100000;

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
    const bytes = await pipe(fromBase64url(text), new DecompressionStream("deflate-raw"));
    if (bytes.length > MAX_DECODED_CHARS) throw new Error("too long once unpacked");
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new Error(`the code in this link could not be read (${error.message})`);
  }
  const loads = json?.loads;
  const valid =
    typeof json?.demo === "string" &&
    Array.isArray(loads) &&
    loads.length > 0 &&
    loads.length <= 20 &&
    loads.every(
      (load) =>
        Array.isArray(load) &&
        load.length === 3 &&
        Number.isInteger(load[0]) &&
        load[0] >= 0 &&
        typeof load[1] === "string" &&
        typeof load[2] === "string",
    );
  if (!valid) throw new Error("the code in this link is not in the expected form");
  return { demo: json.demo, loads };
}

/** A Python literal for ``value`` (JSON strings, numbers, lists and objects are valid Python literals). */
function pythonLiteral(value) {
  return JSON.stringify(value, null, 1);
}

/** A self-contained .py that replays the run natively with the same code, and prints its figures. */
export function pythonFile({ demo, params, loads, steps, note }) {
  return [
    `"""Replay an RL Playground ${demo} run with edited code, natively: the same numbers as the page.`,
    "",
    "Run it where rlplay is importable (from the repository: PYTHONPATH=py python3 this_file.py).",
    note ? `\n${note}` : "",
    '"""',
    "",
    "import json",
    "",
    "from rlplay.demos.code import reproduce",
    "",
    `DEMO = ${pythonLiteral(demo)}`,
    `PARAMS = ${pythonLiteral(params)}`,
    "# [step at which it was loaded, function name, source]",
    `LOADS = ${pythonLiteral(loads)}`,
    `STEPS = ${steps}`,
    "",
    'if __name__ == "__main__":',
    "    print(json.dumps(reproduce(DEMO, PARAMS, LOADS, STEPS), indent=1))",
    "",
  ].join("\n");
}
