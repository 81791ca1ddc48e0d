// A wheel's files, read in the worker before Python runs (web/runtime/snapshot.js puts them in Python's file system
// and loads NumPy's compiled extensions ahead of the interpreter). A wheel is a zip file; this reads only what wheels
// use: entries stored (method 0) or deflated (method 8), no zip64, no encryption, inflated by the browser's own
// DecompressionStream. Anything else is refused with an error, and the worker installs the wheel Pyodide's way.

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

/** Whether this browser can read wheels here (DecompressionStream: Chromium 80, Firefox 113, Safari 16.4). */
export function canUnzip() {
  return typeof DecompressionStream === "function";
}

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The files of the zip `buffer` (an ArrayBuffer): [{path, data: Uint8Array}], directories left out. */
export async function unzip(buffer) {
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  // The end record is the last 22 bytes, unless the archive has a comment (at most 65535 bytes) after it.
  let end = buffer.byteLength - 22;
  const earliest = Math.max(0, end - 65535);
  while (end >= earliest && view.getUint32(end, true) !== END_OF_CENTRAL_DIRECTORY) end--;
  if (end < earliest) throw new Error("not a zip file (no end of central directory)");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const names = new TextDecoder();
  const pending = [];
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== CENTRAL_FILE_HEADER) throw new Error("a damaged zip file (central directory)");
    const method = view.getUint16(at + 10, true);
    const compressedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const path = names.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (path.endsWith("/")) continue;
    if (path.startsWith("/") || path.split("/").includes(".."))
      throw new Error(`a zip entry outside its folder: ${path}`);
    if (compressedSize === 0xffffffff || local === 0xffffffff) throw new Error("zip64 archives are not read here");
    if (view.getUint32(local, true) !== LOCAL_FILE_HEADER) throw new Error("a damaged zip file (local header)");
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = bytes.subarray(start, start + compressedSize);
    if (method !== 0 && method !== 8) throw new Error(`zip method ${method} is not read here (${path})`);
    pending.push(
      (method === 8 ? inflate(raw) : Promise.resolve(raw)).then((data) => {
        if (data.length !== size) throw new Error(`${path}: ${data.length} bytes, the zip says ${size}`);
        return { path, data };
      }),
    );
  }
  return Promise.all(pending);
}
