// The gridworld's learning curve in bounded memory (steps per episode, or any per-episode number): the first
// episodes exactly, later ones in buckets that merge as they fill. Pure data: no DOM, so node --test can check it.

const HEAD_EPISODES = 1024; // the learning curve keeps the first episodes exactly...
const TAIL_BUCKETS = 1024; // ...and at most this many averaged points after them: memory stays flat on long runs
export const MOVING_AVERAGE = 20; // episodes

/**
 * Steps per episode, in bounded memory: the first HEAD_EPISODES exactly (where the learning happens, and what a
 * log-scaled x axis spreads out), then at most TAIL_BUCKETS buckets of equal width; when they are full, neighbours
 * merge and each bucket then holds twice as many episodes.
 */
export class EpisodeCurve {
  constructor() {
    this.clear();
  }

  clear() {
    this.total = 0; // episodes seen
    this.headClosed = false;
    this.head = [];
    this.width = 1; // episodes per tail bucket
    this.sums = [];
    this.counts = [];
  }

  /** Count `n` episodes whose lengths are unknown: a gap in the curve (a bucket of NaN). */
  skip(n) {
    this.total += n;
    this.headClosed = true; // later episodes go after the gap
    this.sums.push(NaN);
    this.counts.push(n);
  }

  push(length) {
    this.total += 1;
    if (!this.headClosed && this.head.length < HEAD_EPISODES) {
      this.head.push(length);
      return;
    }
    const last = this.sums.length - 1;
    if (last >= 0 && this.counts[last] < this.width && !Number.isNaN(this.sums[last])) {
      this.sums[last] += length;
      this.counts[last] += 1;
      return;
    }
    if (this.sums.length >= TAIL_BUCKETS) {
      const sums = [];
      const counts = [];
      for (let i = 0; i < this.sums.length; i += 2) {
        sums.push(this.sums[i] + (this.sums[i + 1] ?? 0));
        counts.push(this.counts[i] + (this.counts[i + 1] ?? 0));
      }
      this.sums = sums;
      this.counts = counts;
      this.width *= 2;
    }
    this.sums.push(length);
    this.counts.push(1);
  }

  /**
   * Points {first, x (last episode, 1-based), y (mean steps per episode), average}: average is the mean over the
   * fewest trailing points that cover at least MOVING_AVERAGE episodes (fewer at the very start).
   */
  series() {
    const n = this.head.length + this.sums.length;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    const average = new Float64Array(n);
    const sumAt = (i) => (i < this.head.length ? this.head[i] : this.sums[i - this.head.length]);
    const countAt = (i) => (i < this.head.length ? 1 : this.counts[i - this.head.length]);
    let episode = 0;
    let windowSum = 0;
    let windowCount = 0;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const sum = sumAt(i);
      const count = countAt(i);
      episode += count;
      x[i] = episode;
      y[i] = sum / count;
      if (Number.isNaN(sum)) {
        // a gap (see skip): the moving average starts again after it
        average[i] = NaN;
        windowSum = 0;
        windowCount = 0;
        j = i + 1;
        continue;
      }
      windowSum += sum;
      windowCount += count;
      while (j < i && windowCount - countAt(j) >= MOVING_AVERAGE) {
        windowSum -= sumAt(j);
        windowCount -= countAt(j);
        j += 1;
      }
      average[i] = windowSum / windowCount;
    }
    return { x, y, average };
  }
}
