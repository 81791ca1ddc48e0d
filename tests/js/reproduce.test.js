// Unit tests of the "Reproduce in Python" command builder (web/reproduce.js), run by `node --test tests/js/`.
// tests/test_security.py runs the commands it builds in bash, dash, zsh and fish.
import assert from "node:assert/strict";
import { test } from "node:test";

import { commandLine, shellWord, UnsafeWordError } from "../../web/reproduce.js";

const WHEEL = "http://127.0.0.1:8000/wheels/0123456789ab/rlplay-0.1.0-py3-none-any.whl";

test("a command from validated values is one line of plain words", () => {
  const command = commandLine({
    demo: "gridworld",
    args: [
      ["seed", "3"],
      ["walls", "-"],
      ["alpha", "1e-05"],
    ],
    steps: 1200,
    wheel: WHEEL,
  });
  assert.equal(
    command,
    `python3 -m venv rlplay-env && rlplay-env/bin/pip install --quiet ${WHEEL} && rlplay-env/bin/python -m rlplay gridworld --steps=1200 --seed=3 --walls=- --alpha=1e-05`,
  );
});

const HOSTILE = [
  "$(touch PWNED)",
  "`touch PWNED`",
  "'; touch PWNED; '",
  "\\'; touch PWNED #",
  "(touch PWNED)",
  "a b",
  "a\nb",
  "*",
  "~",
  "~root",
  "{a,b}",
  "a;b",
  "a&b",
  "a|b",
  "a>b",
  "$HOME",
  "%self",
  "!!",
  "^x",
  "=ls",
  "",
  "a\u202eb",
  "ａ",
  "；",
  "a#b",
  "a?",
  "[a]",
  'a"b',
];

for (const word of HOSTILE) {
  test(`the builder refuses ${JSON.stringify(word)} rather than quote it`, () => {
    assert.throws(() => shellWord(word), UnsafeWordError);
    assert.throws(
      () => commandLine({ demo: "gridworld", args: [["walls", word]], steps: 1, wheel: WHEEL }),
      UnsafeWordError,
    );
  });
}

test("steps must be a whole number", () => {
  for (const steps of [-1, 1.5, Number.NaN, 2 ** 53, "3"])
    assert.throws(() => commandLine({ demo: "bandit", args: [], steps, wheel: WHEEL }), UnsafeWordError);
});
