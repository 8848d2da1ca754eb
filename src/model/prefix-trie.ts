/**
 * A binary prefix trie with longest-prefix match, for IPv4 and IPv6. Ours on purpose:
 * the engine's route, NSG and firewall lookups run on it, so it stays allocation-free on
 * the lookup path (IPv4 walks a plain number; IPv6 splits the bigint once into words).
 */
import type { Address, Prefix } from "./ip.js";

interface Node<T> {
  z: Node<T> | undefined;
  o: Node<T> | undefined;
  has: boolean;
  value: T | undefined;
  length: number;
}

function node<T>(length: number): Node<T> {
  return { z: undefined, o: undefined, has: false, value: undefined, length };
}

function words6(v: bigint): [number, number, number, number] {
  return [
    Number((v >> 96n) & 0xffffffffn),
    Number((v >> 64n) & 0xffffffffn),
    Number((v >> 32n) & 0xffffffffn),
    Number(v & 0xffffffffn),
  ];
}

export interface TrieMatch<T> {
  length: number;
  value: T;
}

export class PrefixTrie<T> {
  private readonly root4: Node<T> = node(0);
  private readonly root6: Node<T> = node(0);
  private count = 0;

  get size(): number {
    return this.count;
  }

  private walkTo(p: Prefix, create: boolean): Node<T> | undefined {
    let n: Node<T> = p.family === 4 ? this.root4 : this.root6;
    if (p.family === 4) {
      const v = p.base;
      for (let i = 0; i < p.length; i++) {
        const bit = (v >>> (31 - i)) & 1;
        let next = bit ? n.o : n.z;
        if (!next) {
          if (!create) return undefined;
          next = node(i + 1);
          if (bit) n.o = next;
          else n.z = next;
        }
        n = next;
      }
      return n;
    }
    const w = words6(p.base);
    for (let i = 0; i < p.length; i++) {
      const bit = (w[i >>> 5]! >>> (31 - (i & 31))) & 1;
      let next = bit ? n.o : n.z;
      if (!next) {
        if (!create) return undefined;
        next = node(i + 1);
        if (bit) n.o = next;
        else n.z = next;
      }
      n = next;
    }
    return n;
  }

  /** Sets the value stored at exactly this prefix (replacing any previous one). */
  set(p: Prefix, value: T): void {
    const n = this.walkTo(p, true)!;
    if (!n.has) this.count++;
    n.has = true;
    n.value = value;
  }

  /** Updates the value at exactly this prefix with `fn(previous)`. */
  update(p: Prefix, fn: (prev: T | undefined) => T): void {
    const n = this.walkTo(p, true)!;
    if (!n.has) this.count++;
    n.value = fn(n.has ? n.value : undefined);
    n.has = true;
  }

  get(p: Prefix): T | undefined {
    const n = this.walkTo(p, false);
    return n && n.has ? n.value : undefined;
  }

  /** The value of the longest stored prefix containing `a`. */
  longestMatch(a: Address): T | undefined {
    if (a.family === 4) {
      let n: Node<T> | undefined = this.root4;
      let best: T | undefined = n.has ? n.value : undefined;
      const v = a.value;
      for (let i = 0; i < 32; i++) {
        n = (v >>> (31 - i)) & 1 ? n.o : n.z;
        if (!n) break;
        if (n.has) best = n.value;
      }
      return best;
    }
    let n: Node<T> | undefined = this.root6;
    let best: T | undefined = n.has ? n.value : undefined;
    const w = words6(a.value);
    for (let i = 0; i < 128; i++) {
      n = (w[i >>> 5]! >>> (31 - (i & 31))) & 1 ? n.o : n.z;
      if (!n) break;
      if (n.has) best = n.value;
    }
    return best;
  }

  /** Like longestMatch, with the matched prefix length. */
  longestMatchEntry(a: Address): TrieMatch<T> | undefined {
    const found = this.longestNode(a);
    return found ? { length: found.length, value: found.value as T } : undefined;
  }

  private longestNode(a: Address): Node<T> | undefined {
    if (a.family === 4) {
      let n: Node<T> | undefined = this.root4;
      let best: Node<T> | undefined = n.has ? n : undefined;
      const v = a.value;
      for (let i = 0; i < 32; i++) {
        n = (v >>> (31 - i)) & 1 ? n.o : n.z;
        if (!n) break;
        if (n.has) best = n;
      }
      return best;
    }
    let n: Node<T> | undefined = this.root6;
    let best: Node<T> | undefined = n.has ? n : undefined;
    const w = words6(a.value);
    for (let i = 0; i < 128; i++) {
      n = (w[i >>> 5]! >>> (31 - (i & 31))) & 1 ? n.o : n.z;
      if (!n) break;
      if (n.has) best = n;
    }
    return best;
  }

  /** Every stored prefix containing `a`, shortest first. */
  matches(a: Address): TrieMatch<T>[] {
    const out: TrieMatch<T>[] = [];
    this.visitPath(a, (n) => out.push({ length: n.length, value: n.value as T }));
    return out;
  }

  /** True when some stored prefix contains `a`. */
  containsAddress(a: Address): boolean {
    if (a.family === 4) {
      let n: Node<T> | undefined = this.root4;
      if (n.has) return true;
      const v = a.value;
      for (let i = 0; i < 32; i++) {
        n = (v >>> (31 - i)) & 1 ? n.o : n.z;
        if (!n) return false;
        if (n.has) return true;
      }
      return false;
    }
    return this.longestMatchEntry(a) !== undefined;
  }

  private visitPath(a: Address, fn: (n: Node<T>) => void): void {
    let n: Node<T> | undefined = a.family === 4 ? this.root4 : this.root6;
    if (n.has) fn(n);
    if (a.family === 4) {
      const v = a.value;
      for (let i = 0; i < 32; i++) {
        n = (v >>> (31 - i)) & 1 ? n.o : n.z;
        if (!n) return;
        if (n.has) fn(n);
      }
      return;
    }
    const w = words6(a.value);
    for (let i = 0; i < 128; i++) {
      n = (w[i >>> 5]! >>> (31 - (i & 31))) & 1 ? n.o : n.z;
      if (!n) return;
      if (n.has) fn(n);
    }
  }
}

/** Interval count from which a set gets a first-level index (256 KiB) on the address's top 16 bits. */
const INDEXED_SET_MIN = 256;

/**
 * A set of prefixes answering "does any member contain this address?". IPv4 members are
 * compiled (on first query after a change) into sorted, merged address intervals in two typed
 * arrays, so a query is a binary search over contiguous memory instead of a pointer walk down
 * a trie: large service-tag sets (AzureCloud: ~15,000 prefixes) stay cache-friendly. IPv6
 * members live in a trie.
 */
export class PrefixSet {
  /** Distinct IPv4 members (`base * 64 + length`), for `size`. */
  private readonly keys4 = new Set<number>();
  private readonly pending4: Array<{ base: number; length: number }> = [];
  private readonly trie6 = new PrefixTrie<true>();
  /** Merged intervals, interleaved: [lo0, hi0, lo1, hi1, …] (a probe and its check share a cache line). */
  private iv: Float64Array = new Float64Array(0);
  private block: Uint32Array | undefined = undefined;
  private dirty = false;

  constructor(prefixes: Iterable<Prefix> = []) {
    for (const p of prefixes) this.add(p);
  }

  add(p: Prefix): void {
    if (p.family === 6) {
      this.trie6.set(p, true);
      return;
    }
    const key = p.base * 64 + p.length;
    if (this.keys4.has(key)) return;
    this.keys4.add(key);
    this.pending4.push({ base: p.base, length: p.length });
    this.dirty = true;
  }

  private compile(): void {
    const list = this.pending4.map((p) => [p.base, p.base + 2 ** (32 - p.length) - 1] as [number, number]);
    list.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const lo: number[] = [];
    const hi: number[] = [];
    for (const [s, e] of list) {
      const last = hi.length - 1;
      if (last >= 0 && s <= hi[last]! + 1) {
        if (e > hi[last]!) hi[last] = e;
      } else {
        lo.push(s);
        hi.push(e);
      }
    }
    const iv = new Float64Array(lo.length * 2);
    for (let i = 0; i < lo.length; i++) {
      iv[2 * i] = lo[i]!;
      iv[2 * i + 1] = hi[i]!;
    }
    this.iv = iv;
    // Large sets get a first-level index on the top 16 bits of the address: `block[k]` is the
    // number of intervals starting below k·65536, so a query searches only its block's few.
    if (lo.length >= INDEXED_SET_MIN) {
      const block = new Uint32Array(65537);
      let j = 0;
      for (let k = 0; k <= 65536; k++) {
        const start = k * 65536;
        while (j < lo.length && lo[j]! < start) j++;
        block[k] = j;
      }
      this.block = block;
    } else {
      this.block = undefined;
    }
    this.dirty = false;
  }

  has(a: Address): boolean {
    if (a.family === 6) return this.trie6.containsAddress(a);
    if (this.dirty) this.compile();
    const iv = this.iv;
    const v = a.value;
    let h = (iv.length >>> 1) - 1;
    if (h < 0 || v < iv[0]!) return false;
    let l = 0;
    const block = this.block;
    if (block !== undefined) {
      // The last interval starting at or below v is in [block[top] - 1, block[top + 1] - 1].
      const top = v >>> 16;
      l = block[top]! - 1;
      h = block[top + 1]! - 1;
      if (l < 0) l = 0;
    }
    // The last interval starting at or below v.
    while (l < h) {
      const m = (l + h + 1) >>> 1;
      if (iv[2 * m]! <= v) l = m;
      else h = m - 1;
    }
    return v <= iv[2 * l + 1]!;
  }

  get size(): number {
    return this.keys4.size + this.trie6.size;
  }
}
