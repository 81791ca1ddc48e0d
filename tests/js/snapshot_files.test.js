// The wheels' files kept beside the Python snapshot (web/runtime/snapshot.js): joined into one entry on the first
// visit, split again on a restore, and a damaged entry refused rather than half used.
import assert from "node:assert/strict";
import { test } from "node:test";
import { joinFiles, splitFiles } from "../../web/runtime/snapshot.js";

const FILES = [
  { path: "numpy/__init__.py", data: new TextEncoder().encode("import sys\n") },
  { path: "numpy/empty.py", data: new Uint8Array(0) },
  { path: "numpy/_core/lib.so", data: Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0) },
];

async function roundTrip(files) {
  const { blob, index } = joinFiles(files);
  return { bytes: new Uint8Array(await blob.arrayBuffer()), index };
}

test("the files come back as they went in, in their order, empty files included", async () => {
  const { bytes, index } = await roundTrip(FILES);
  assert.equal(bytes.length, 11 + 0 + 8);
  const back = splitFiles(bytes, index);
  assert.deepEqual(
    back.map(({ path }) => path),
    FILES.map(({ path }) => path),
  );
  for (const [i, { data }] of back.entries()) assert.deepEqual([...data], [...FILES[i].data]);
});

test("the split copies nothing: each file is a view into the one entry", async () => {
  const { bytes, index } = await roundTrip(FILES);
  for (const { data } of splitFiles(bytes, index)) assert.equal(data.buffer, bytes.buffer);
});

test("an entry that does not match its index is refused", async () => {
  const { bytes, index } = await roundTrip(FILES);
  assert.throws(() => splitFiles(bytes.subarray(0, bytes.length - 1), index), /damaged snapshot/);
  assert.throws(() => splitFiles(Uint8Array.of(...bytes, 0), index), /damaged snapshot/);
  assert.throws(() => splitFiles(bytes, [...index.slice(0, 2), ["numpy/_core/lib.so", -8]]), /damaged snapshot/);
  assert.throws(() => splitFiles(bytes, [[42, bytes.length]]), /damaged snapshot/);
});
