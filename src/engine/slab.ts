/**
 * Packs the engine's many small integer tables (compiled NSG rules, route intervals) into shared
 * chunks. A decision walks a handful of these tables picked at random from a large estate; a
 * table of its own is two scattered allocations (the typed array and its backing store), a
 * table in a shared chunk is one contiguous run next to the tables compiled with it, behind a
 * chunk header that stays in cache. Measured by `npm run bench` (issue 2).
 *
 * Memory management only: no I/O, no clock. A chunk lives as long as any table in it (or while
 * it is the one being filled); tables larger than a sixteenth of a chunk get their own array.
 */
const CHUNK_INTS = 1 << 18; // 1 MB

let chunk: Int32Array | undefined;
let used = 0;

/** A run of `n` zeroed ints: `buf[off] … buf[off + n - 1]`. */
export interface Int32Run {
  readonly buf: Int32Array;
  readonly off: number;
}

export function allocInt32(n: number): Int32Run {
  if (n > CHUNK_INTS >>> 4) return { buf: new Int32Array(n), off: 0 };
  if (chunk === undefined || used + n > CHUNK_INTS) {
    chunk = new Int32Array(CHUNK_INTS);
    used = 0;
  }
  const off = used;
  used += n;
  return { buf: chunk, off };
}
