// Unit tests of code-in-a-link (web/code/share.js), run by `node --test tests/js/`: a link is hostile input, so each
// attack below is refused with a message that names the problem, before anything is shown or run.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  codeLinkNotice,
  decodeCode,
  encodeCode,
  lastLoads,
  linkProblem,
  MAX_DECODED_BYTES,
  MAX_LINK_CHARS,
  readBounded,
} from "../../web/code/share.js";

/** base64url of deflate-raw(text): what a hand-made link carries, with no check of its content. */
async function pack(text) {
  const bytes = new Uint8Array(
    await new Response(
      new Blob([new TextEncoder().encode(text)]).stream().pipeThrough(new CompressionStream("deflate-raw")),
    ).arrayBuffer(),
  );
  return Buffer.from(bytes).toString("base64url");
}

const GRIDWORLD = [
  { name: "q_learning_update", editable: true },
  { name: "epsilon_greedy", editable: false },
];
const good = { demo: "gridworld", loads: [[0, "q_learning_update", "def q_learning_update(): pass\n"]] };

test("a link made by the page decodes to what was encoded", async () => {
  assert.deepEqual(await decodeCode(await encodeCode(good)), good);
  assert.equal(linkProblem(good, "gridworld", GRIDWORLD), "");
});

test("a decompression bomb is cut while it inflates, under the link limit", async () => {
  const bomb = await pack(" ".repeat(10_000_000)); // 10 MB of spaces packs into ~13,000 characters
  assert.ok(bomb.length <= MAX_LINK_CHARS, bomb.length);
  await assert.rejects(decodeCode(bomb), /could not be read \(more than 100,000 bytes once unpacked\)/);
});

test("readBounded stops a stream that never ends at its limit", async () => {
  let pulled = 0;
  const endless = new ReadableStream({
    pull(controller) {
      pulled += 1;
      controller.enqueue(new Uint8Array(4096));
    },
  });
  await assert.rejects(readBounded(endless, MAX_DECODED_BYTES), /more than 100,000 bytes/);
  assert.ok(pulled * 4096 <= MAX_DECODED_BYTES + 3 * 4096, `read ${pulled} chunks`);
  const small = new Blob([new Uint8Array([1, 2, 3])]).stream();
  assert.deepEqual([...(await readBounded(small, 3))], [1, 2, 3]);
});

test("text that is not a code link is refused with a reason", async () => {
  const cases = {
    "not base64url": ["a+b/c=", /not a code link/],
    "too long": ["A".repeat(MAX_LINK_CHARS + 1), /not a code link/],
    "one character": ["A", /could not be read/],
    "not deflate": ["AAAAAAAA", /could not be read/],
    "not JSON": [await pack("def f(): pass"), /could not be read/],
    "not UTF-8": [Buffer.from([0x01, 0x02, 0x00, 0xfd, 0xff, 0xfe]).toString("base64url"), /could not be read/],
    "nested 50,000 deep": [await pack(`${"[".repeat(50_000)}${"]".repeat(50_000)}`), /not in the expected form/],
  };
  for (const [name, [text, message]] of Object.entries(cases)) await assert.rejects(decodeCode(text), message, name);
});

test("names, steps and demos outside the expected form are refused before anything is shown", async () => {
  const forms = {
    "bidi in a name": { demo: "gridworld", loads: [[0, "q_learning\u202eupdate", "x"]] },
    "markup name": { demo: "gridworld", loads: [[0, "<img src=x onerror=alert(1)>", "x"]] },
    "dotted name": { demo: "gridworld", loads: [[0, "os.system", "x"]] },
    "step beyond 2**53": { demo: "gridworld", loads: [[1e300, "q_learning_update", "x"]] },
    "negative step": { demo: "gridworld", loads: [[-1, "q_learning_update", "x"]] },
    "source not text": { demo: "gridworld", loads: [[0, "q_learning_update", { toString: "x" }]] },
    "demo is markup": { demo: "<b>x</b>", loads: [[0, "ucb", "x"]] },
    "demo not text": { demo: ["gridworld"], loads: [[0, "ucb", "x"]] },
    "21 loads": { demo: "gridworld", loads: Array.from({ length: 21 }, () => [0, "q_learning_update", "x"]) },
    "no loads": { demo: "gridworld", loads: [] },
  };
  for (const [name, payload] of Object.entries(forms))
    await assert.rejects(decodeCode(await pack(JSON.stringify(payload))), /not in the expected form/, name);
});

test("code for another demo, or for functions the demo does not let you edit, is named and not offered", async () => {
  const other = await decodeCode(await pack(JSON.stringify({ demo: "bandit", loads: [[0, "ucb", "x"]] })));
  assert.equal(
    linkProblem(other, "gridworld", GRIDWORLD),
    "the code in this link is for the bandit demo, not the gridworld demo",
  );
  for (const name of ["__proto__", "constructor", "epsilon_greedy", "sarsa_update"]) {
    const link = await decodeCode(await pack(JSON.stringify({ demo: "gridworld", loads: [[0, name, "x"]] })));
    assert.match(
      linkProblem(link, "gridworld", GRIDWORLD),
      new RegExp(
        `is for ${name}, which the gridworld demo does not let you edit here \\(it offers q_learning_update\\)`,
      ),
    );
  }
});

test("code that no panel will show is reported by the page", async () => {
  const bandit = await pack(JSON.stringify({ demo: "bandit", loads: [[0, "ucb", "x"]] }));
  const demos = ["gridworld", "bandit", "cartpole"];
  assert.match(
    await codeLinkNotice(bandit, { focus: "bandit", embed: true, demos: ["bandit"] }),
    /an embed does not show or run/,
  );
  assert.match(
    await codeLinkNotice(bandit, { demos: ["gridworld"] }),
    /for the bandit demo, which this page does not show/,
  );
  assert.match(await codeLinkNotice("%%%", { demos }), /Ignored code: the code parameter is not a code link/);
  assert.equal(await codeLinkNotice("%%%", { focus: "gridworld", demos }), ""); // that demo's panel says why
  assert.equal(await codeLinkNotice(bandit, { focus: "gridworld", demos }), ""); // the bandit's panel shows it
  assert.equal(await codeLinkNotice("", { demos }), "");
});

test("a link's prompt shows and runs only the last version of each function, in order", () => {
  const hidden = [0, "ucb", "import js\njs.fetch('https://example.com/')\ndef ucb(q, n, t, c, u_tie):\n    return 0\n"];
  const shown = [40, "ucb", "def ucb(q, n, t, c, u_tie):\n    return 1\n"];
  const other = [9, "softmax", "def softmax(q, tau, u):\n    return 0\n"];
  assert.deepEqual(lastLoads([hidden, other, shown]), [other, shown]);
  assert.deepEqual(lastLoads([other]), [other]);
  for (const loads of [
    [hidden, shown],
    [hidden, other, shown],
    [shown, hidden],
  ]) {
    const kept = lastLoads(loads);
    assert.equal(new Set(kept.map((load) => load[1])).size, kept.length); // one version a function: all shown
  }
});
