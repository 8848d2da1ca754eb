/**
 * IPv4 / IPv6 addresses and prefixes. Parsing and text formatting go through ipaddr.js;
 * the arithmetic (containment, overlap, ranges) is ours because the engine's hot path
 * needs plain numbers: IPv4 values are unsigned 32-bit numbers, IPv6 values are bigints.
 */
import ipaddr from "ipaddr.js";
import { ArmErrors, textOf } from "./errors.js";

export type Family = 4 | 6;

export interface Address4 {
  readonly family: 4;
  readonly value: number;
}
export interface Address6 {
  readonly family: 6;
  readonly value: bigint;
}
export type Address = Address4 | Address6;

export interface Prefix4 {
  readonly family: 4;
  /** Network address (host bits zero), unsigned 32-bit. */
  readonly base: number;
  readonly length: number;
}
export interface Prefix6 {
  readonly family: 6;
  readonly base: bigint;
  readonly length: number;
}
export type Prefix = Prefix4 | Prefix6;

const V6_ALL = (1n << 128n) - 1n;

function v6ToBigint(a: ipaddr.IPv6): bigint {
  let v = 0n;
  for (const part of a.parts) v = (v << 16n) | BigInt(part);
  return v;
}

const V4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Strict dotted quad without surrounding space, by hand (the common case): four decimal octets
 * 0–255 without leading zeros. -1 when `s` is not exactly that.
 */
function fastV4(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  let first = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits === 0) first = c;
      else if (first === 48) return -1; // leading zero
      if (++digits > 3) return -1;
      octet = octet * 10 + (c - 48);
      if (octet > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/** Parses a dotted-quad IPv4 (strict: four decimal octets) or an IPv6 address. */
export function tryParseAddress(text: string): Address | undefined {
  if (typeof text !== "string") return undefined;
  const fast = fastV4(text);
  if (fast >= 0) return { family: 4, value: fast };
  const s = text.trim();
  if (V4_RE.test(s)) {
    const p = s.split(".");
    return {
      family: 4,
      value: ((+p[0]! << 24) | (+p[1]! << 16) | (+p[2]! << 8) | +p[3]!) >>> 0,
    };
  }
  if (s.includes(":") && ipaddr.IPv6.isValid(s)) {
    const a = ipaddr.IPv6.parse(s);
    if (a.isIPv4MappedAddress()) return { family: 6, value: v6ToBigint(a) };
    return { family: 6, value: v6ToBigint(a) };
  }
  return undefined;
}

export function parseAddress(text: string): Address {
  const a = tryParseAddress(text);
  if (!a) throw ArmErrors.invalidAddressPrefixFormat(textOf(text));
  return a;
}

export function addressV4(value: number): Address4 {
  return { family: 4, value: value >>> 0 };
}

export function formatAddress(a: Address): string {
  if (a.family === 4) {
    const v = a.value;
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const parts: number[] = [];
  let v = a.value;
  for (let i = 0; i < 8; i++) {
    parts.unshift(Number(v & 0xffffn));
    v >>= 16n;
  }
  return new ipaddr.IPv6(parts).toString();
}

export function maskV4(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}
function maskV6(length: number): bigint {
  return length === 0 ? 0n : (V6_ALL << BigInt(128 - length)) & V6_ALL;
}

export type PrefixParse =
  | { ok: true; prefix: Prefix }
  | { ok: false; reason: "format" }
  | { ok: false; reason: "hostBits"; normalized: Prefix };

/**
 * Parses `a.b.c.d/n`, an IPv6 CIDR, or a bare address (taken as /32 or /128).
 * Reports host bits separately so callers can answer Azure's `InvalidCIDRNotation`.
 */
export function parsePrefixDetailed(text: string): PrefixParse {
  if (typeof text !== "string") return { ok: false, reason: "format" };
  const s = text.trim();
  const slash = s.indexOf("/");
  const addrText = slash < 0 ? s : s.slice(0, slash);
  const lenText = slash < 0 ? undefined : s.slice(slash + 1);
  const a = tryParseAddress(addrText);
  if (!a) return { ok: false, reason: "format" };
  const max = a.family === 4 ? 32 : 128;
  let length = max;
  if (lenText !== undefined) {
    if (!/^\d{1,3}$/.test(lenText)) return { ok: false, reason: "format" };
    length = Number(lenText);
    if (length > max) return { ok: false, reason: "format" };
  }
  if (a.family === 4) {
    const base = (a.value & maskV4(length)) >>> 0;
    const prefix: Prefix4 = { family: 4, base, length };
    return base === a.value ? { ok: true, prefix } : { ok: false, reason: "hostBits", normalized: prefix };
  }
  const base = a.value & maskV6(length);
  const prefix: Prefix6 = { family: 6, base, length };
  return base === a.value ? { ok: true, prefix } : { ok: false, reason: "hostBits", normalized: prefix };
}

export function tryParsePrefix(text: string): Prefix | undefined {
  const r = parsePrefixDetailed(text);
  return r.ok ? r.prefix : undefined;
}

/** Parses a prefix, zeroing host bits silently (for catalog data that is known good). */
export function parsePrefixLoose(text: string): Prefix | undefined {
  const r = parsePrefixDetailed(text);
  if (r.ok) return r.prefix;
  if (r.reason === "hostBits") return r.normalized;
  return undefined;
}

/**
 * Parses a prefix the way Azure's network RP validates one: unparsable →
 * `InvalidAddressPrefixFormat`, host bits set → `InvalidCIDRNotation` naming the normalised prefix.
 */
export function parsePrefixStrict(text: string, resourceId: string): Prefix {
  const r = parsePrefixDetailed(text);
  if (r.ok) return r.prefix;
  if (r.reason === "hostBits")
    throw ArmErrors.invalidCidrNotation(text, resourceId, formatPrefix(r.normalized));
  throw ArmErrors.invalidAddressPrefixFormat(textOf(text));
}

export function formatPrefix(p: Prefix): string {
  return p.family === 4
    ? `${formatAddress({ family: 4, value: p.base })}/${p.length}`
    : `${formatAddress({ family: 6, value: p.base })}/${p.length}`;
}

export function prefixOf(a: Address): Prefix {
  return a.family === 4
    ? { family: 4, base: a.value, length: 32 }
    : { family: 6, base: a.value, length: 128 };
}

export function prefixContainsAddress(p: Prefix, a: Address): boolean {
  if (p.family === 4) {
    return a.family === 4 && (a.value & maskV4(p.length)) >>> 0 === p.base;
  }
  return a.family === 6 && (a.value & maskV6(p.length)) === p.base;
}

/** True when `outer` contains all of `inner` (equal prefixes contain each other). */
export function prefixContainsPrefix(outer: Prefix, inner: Prefix): boolean {
  if (outer.family !== inner.family || inner.length < outer.length) return false;
  if (outer.family === 4) return ((inner.base as number) & maskV4(outer.length)) >>> 0 === outer.base;
  return ((inner.base as bigint) & maskV6(outer.length)) === outer.base;
}

export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  return prefixContainsPrefix(a, b) || prefixContainsPrefix(b, a);
}

export function prefixEquals(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.length === b.length && a.base === b.base;
}

/** Number of addresses in an IPv4 prefix (as a number) or IPv6 prefix (as a bigint). */
export function prefixSize(p: Prefix): number | bigint {
  return p.family === 4 ? 2 ** (32 - p.length) : 1n << BigInt(128 - p.length);
}

/** Last address of the prefix. */
export function lastAddress(p: Prefix): Address {
  if (p.family === 4) return { family: 4, value: (p.base + 2 ** (32 - p.length) - 1) >>> 0 };
  return { family: 6, value: p.base + (1n << BigInt(128 - p.length)) - 1n };
}

/** The address at `offset` inside the prefix (offset may be negative: counted from the end + 1). */
export function addressAt(p: Prefix, offset: number): Address {
  if (p.family === 4) {
    const size = 2 ** (32 - p.length);
    const o = offset < 0 ? size + offset : offset;
    return { family: 4, value: (p.base + o) >>> 0 };
  }
  const size = 1n << BigInt(128 - p.length);
  const o = offset < 0 ? size + BigInt(offset) : BigInt(offset);
  return { family: 6, value: p.base + o };
}

export function compareAddress(a: Address, b: Address): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export function addressEquals(a: Address, b: Address): boolean {
  return a.family === b.family && a.value === b.value;
}

const PRIVATE_V4: Prefix4[] = [
  { family: 4, base: 0x0a000000, length: 8 },
  { family: 4, base: 0xac100000, length: 12 },
  { family: 4, base: 0xc0a80000, length: 16 },
];

/** RFC 1918 private ranges (what Storage and Key Vault refuse in IP rules). */
export const RFC1918: readonly Prefix4[] = PRIVATE_V4;

/** Address spaces that are never public: RFC1918, CGNAT 100.64/10, loopback, link-local, multicast, reserved. */
const NON_PUBLIC_V4: Prefix4[] = [
  { family: 4, base: 0x00000000, length: 8 },
  ...PRIVATE_V4,
  { family: 4, base: 0x64400000, length: 10 },
  { family: 4, base: 0x7f000000, length: 8 },
  { family: 4, base: 0xa9fe0000, length: 16 },
  { family: 4, base: 0xe0000000, length: 3 },
];

export function isPrivateV4(p: Prefix | Address): boolean {
  const pref = "length" in p ? p : prefixOf(p);
  return pref.family === 4 && PRIVATE_V4.some((r) => prefixesOverlap(r, pref));
}

/** Which RFC 1918 range a prefix falls in, for Key Vault's "forbidden range" message. */
export function privateRangeOf(p: Prefix): Prefix4 | undefined {
  return p.family === 4 ? PRIVATE_V4.find((r) => prefixesOverlap(r, p)) : undefined;
}

/** True when the address is a routable public address (IPv4: not in any non-public block). */
export function isPublicAddress(a: Address): boolean {
  if (a.family === 4) {
    const v = a.value;
    for (let i = 0; i < NON_PUBLIC_V4.length; i++) {
      const r = NON_PUBLIC_V4[i]!;
      if ((v & maskV4(r.length)) >>> 0 === r.base) return false;
    }
    return true;
  }
  const v = a.value;
  // 2000::/3 global unicast only.
  return v >> 125n === 1n;
}

/** The address `n` after `a` (wrapping is the caller's problem). */
export function nextAddress(a: Address, n = 1): Address {
  return a.family === 4
    ? { family: 4, value: (a.value + n) >>> 0 }
    : { family: 6, value: a.value + BigInt(n) };
}

/**
 * Azure reserves five addresses in every subnet: the network address, .1 (gateway),
 * .2 and .3 (Azure DNS), and the last (broadcast).
 */
export function isReservedInSubnet(subnet: Prefix, a: Address): boolean {
  if (!prefixContainsAddress(subnet, a)) return false;
  if (subnet.family === 4) {
    const off = (a.value as number) - subnet.base;
    const size = 2 ** (32 - subnet.length);
    return off < 4 || off === size - 1;
  }
  const off = (a.value as bigint) - subnet.base;
  const size = 1n << BigInt(128 - subnet.length);
  return off < 4n || off === size - 1n;
}

/** Usable addresses in a subnet: size minus Azure's five reserved ones. */
export function usableAddressCount(subnet: Prefix): number {
  const size = prefixSize(subnet);
  const n = typeof size === "bigint" ? Number(size > 1n << 52n ? 1n << 52n : size) : size;
  return Math.max(0, n - 5);
}

/**
 * Allocates the lowest free, non-reserved address of a subnet (Azure's dynamic
 * allocation order), skipping `used` (keys from `addressKey`). Undefined when full.
 */
export function allocateAddress(subnet: Prefix, used: ReadonlySet<string>): Address | undefined {
  const size = prefixSize(subnet);
  const limit = typeof size === "bigint" ? (size > 1n << 20n ? 1 << 20 : Number(size)) : size;
  for (let off = 4; off < limit - 1; off++) {
    const a = addressAt(subnet, off);
    if (!used.has(addressKey(a))) return a;
  }
  return undefined;
}

export function addressKey(a: Address): string {
  return a.family === 4 ? `4:${a.value}` : `6:${a.value.toString(16)}`;
}

/** Covers the inclusive range [start, end] with the fewest CIDR prefixes (IPv4). */
export function rangeToPrefixesV4(start: number, end: number): Prefix4[] {
  const out: Prefix4[] = [];
  let s = start >>> 0;
  const e = end >>> 0;
  while (s <= e) {
    let len = 32;
    while (len > 0) {
      const m = maskV4(len - 1);
      const size = 2 ** (32 - (len - 1));
      if ((s & m) >>> 0 !== s || s + size - 1 > e) break;
      len--;
    }
    out.push({ family: 4, base: s, length: len });
    const next = s + 2 ** (32 - len);
    if (next > 0xffffffff) break;
    s = next;
  }
  return out;
}
