/**
 * Classifies an IPv4 address against many prefix lists at once: which of the lists contain it.
 * The address space is cut at every boundary of every prefix into elementary segments; each
 * segment carries one bit per list. Looking an address up is one search for its segment, after
 * which "is it in list i?" is a bit test, however many lists are asked. The engine uses it for
 * the service tags NSG rules name: one packet meets dozens of tag checks on its path.
 *
 * Ours on purpose (like the prefix trie): it is part of the engine's lookup path.
 */
import type { Prefix } from "./ip.js";

export class PrefixClassifier {
  /** 32-bit words per segment row. */
  readonly words: number;
  /** Segment rows, `words` ints each: bit i of a row is set when list i contains the segment. */
  readonly bits: Int32Array;
  /** Segment starts, sorted, the first 0 (every address has a segment). */
  private readonly starts: Float64Array;
  /** For each top 16 bits of an address, the index of the first segment starting at or above it. */
  private readonly block: Uint32Array;

  constructor(lists: ReadonlyArray<readonly Prefix[]>) {
    const words = Math.max(1, Math.ceil(lists.length / 32));
    this.words = words;
    const bounds = new Set<number>([0]);
    for (const list of lists)
      for (const p of list) {
        if (p.family !== 4) continue;
        bounds.add(p.base);
        const end = p.base + 2 ** (32 - p.length);
        if (end <= 0xffffffff) bounds.add(end);
      }
    const starts = Float64Array.from([...bounds].sort((a, b) => a - b));
    this.starts = starts;
    const block = new Uint32Array(65537);
    let k = 0;
    for (let top = 0; top <= 65536; top++) {
      const at = top * 65536;
      while (k < starts.length && starts[k]! < at) k++;
      block[top] = k;
    }
    this.block = block;
    const bits = new Int32Array(starts.length * words);
    lists.forEach((list, i) => {
      const w = i >>> 5;
      const b = 1 << (i & 31);
      for (const p of list) {
        if (p.family !== 4) continue;
        const from = this.segment(p.base);
        const end = p.base + 2 ** (32 - p.length);
        const to = end <= 0xffffffff ? this.segment(end) : starts.length;
        for (let s = from; s < to; s++) bits[s * words + w]! |= b;
      }
    });
    this.bits = bits;
  }

  /** Index of the segment containing the IPv4 address value `v`. */
  segment(v: number): number {
    const starts = this.starts;
    const top = v >>> 16;
    // The segment is the last start ≤ v: between the first start ≥ top's block and the next block's.
    let l = Math.max(0, this.block[top]! - 1);
    let h = Math.min(starts.length - 1, this.block[top + 1]!);
    while (l < h) {
      const m = (l + h + 1) >>> 1;
      if (starts[m]! <= v) l = m;
      else h = m - 1;
    }
    return l;
  }

  /** Offset in `bits` of the row of the IPv4 address value `v`. */
  row(v: number): number {
    return this.segment(v) * this.words;
  }

  /** Does list `i` contain the address whose row is at `row`? */
  has(row: number, i: number): boolean {
    return ((this.bits[row + (i >>> 5)]! >>> (i & 31)) & 1) === 1;
  }
}
