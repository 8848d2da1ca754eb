/**
 * The reference evaluator's primitives, written the slow, obvious way on purpose: prefix
 * containment by integer division / shifts (not the masks of src/model/ip.ts), every lookup a
 * linear scan. Nothing here touches PrefixTrie, PrefixSet or the snapshot's memo.
 */
import type { Address, Prefix } from "../../src/model/ip.js";

/**
 * True when `p` contains `a`, computed by dropping the host bits of both (so a prefix written
 * with host bits set still works, as Azure reads firewall CIDRs).
 */
export function contains(p: Prefix, a: Address): boolean {
  if (p.family !== a.family) return false;
  if (p.family === 4) {
    const size = 2 ** (32 - p.length);
    return Math.floor((a.value as number) / size) === Math.floor(p.base / size);
  }
  const shift = BigInt(128 - p.length);
  return (a.value as bigint) >> shift === p.base >> shift;
}

/** True when some prefix of the list contains `a` (a plain loop over every prefix). */
export function anyContains(prefixes: readonly Prefix[], a: Address): boolean {
  for (const p of prefixes) if (contains(p, a)) return true;
  return false;
}

export function samePrefix(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.length === b.length && a.base === b.base;
}

/** True when `outer` contains every address of `inner`. */
export function containsPrefix(outer: Prefix, inner: Prefix): boolean {
  if (outer.family !== inner.family || inner.length < outer.length) return false;
  return contains(outer, { family: inner.family, value: inner.base } as Address);
}

const v4 = (a: number, b: number, c: number, d: number): number => a * 2 ** 24 + b * 2 ** 16 + c * 2 ** 8 + d;

/** IPv4 blocks that are never public: 0/8, RFC 1918, CGNAT, loopback, link-local, multicast + reserved. */
const NON_PUBLIC_V4: readonly Prefix[] = [
  { family: 4, base: v4(0, 0, 0, 0), length: 8 },
  { family: 4, base: v4(10, 0, 0, 0), length: 8 },
  { family: 4, base: v4(172, 16, 0, 0), length: 12 },
  { family: 4, base: v4(192, 168, 0, 0), length: 16 },
  { family: 4, base: v4(100, 64, 0, 0), length: 10 },
  { family: 4, base: v4(127, 0, 0, 0), length: 8 },
  { family: 4, base: v4(169, 254, 0, 0), length: 16 },
  { family: 4, base: v4(224, 0, 0, 0), length: 3 },
];

/** A routable public address: IPv4 outside the non-public blocks, IPv6 in 2000::/3. */
export function isPublic(a: Address): boolean {
  if (a.family === 4) return !anyContains(NON_PUBLIC_V4, a);
  return (a.value as bigint) >> 125n === 1n;
}

export function lower(v: unknown): string {
  return typeof v === "string" ? v.toLowerCase() : "";
}

export function arr<T>(v: T[] | undefined | null): T[] {
  return Array.isArray(v) ? v : [];
}

/** Inclusive range check for SQL-style `startIpAddress`–`endIpAddress` rules. */
export function inRange(a: Address, start: Address, end: Address): boolean {
  if (a.family !== start.family || a.family !== end.family) return false;
  return a.value >= start.value && a.value <= end.value;
}
