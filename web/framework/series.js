// Growing series on the page's side: a learning curve arrives as tails (values from index `offset` on, see
// rlplay.demos and web/contract.json's "growing" keys) and is kept here without copying its history on each tail.
//
//   const lengths = new GrowingSeries();
//   if (!lengths.put(snapshot.episode_lengths_offset, snapshot.episode_lengths.data)) wantWholeSeries = true;
//   chart.draw({ series: [{ y: lengths.values }] });      // a Float64Array view, valid until the next put
//
// No DOM here: tests/js/series.test.js runs it under node.

/**
 * Where a tail that starts at `offset` lands on a series that holds `have` values:
 *   "append"  offset === have: the tail continues the series;
 *   "overlap" offset < have: values the page holds are sent again (a fresh run, or an answer that raced a reset);
 *   "gap"     offset > have: values in between are missing (the page asked too late, or the sender dropped them).
 */
export function tailPlacement(have, offset) {
  if (offset === have) return "append";
  return offset < have ? "overlap" : "gap";
}

/** A series of numbers that grows by tails: series[offset:] = tail. */
export class GrowingSeries {
  constructor(capacity = 1024) {
    this.buffer = new Float64Array(Math.max(1, capacity));
    this.length = 0;
  }

  clear() {
    this.length = 0;
  }

  /** Put `tail` at `offset` (what was after it is replaced). False, and nothing changes, when it would leave a gap. */
  put(offset, tail) {
    if (!Number.isInteger(offset) || offset < 0 || offset > this.length) return false;
    const values = tail ?? [];
    const length = offset + values.length;
    if (length > this.buffer.length) {
      const grown = new Float64Array(Math.max(length, 2 * this.buffer.length));
      grown.set(this.buffer.subarray(0, offset));
      this.buffer = grown;
    }
    this.buffer.set(values, offset);
    this.length = length;
    return true;
  }

  /** The values held, as a view (no copy): valid until the next put. */
  get values() {
    return this.buffer.subarray(0, this.length);
  }

  /** The values held as a plain array (for JSON and tests). */
  toArray() {
    return Array.from(this.values);
  }
}

/**
 * The rows of a (rows, n) array from the worker ({data, shape}) as typed-array views: one per lane.
 * A 1-D array is one row.
 */
export function rowsOf(array) {
  if (!array?.shape) return [];
  const [count, length] = array.shape.length === 2 ? array.shape : [1, array.shape[0]];
  return Array.from({ length: count }, (_, i) => array.data.subarray(i * length, (i + 1) * length));
}
