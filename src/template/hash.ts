/**
 * The deterministic hashes behind `uniqueString()` and `guid()`, in plain TypeScript (the
 * template layer imports no `node:*` module).
 *
 * - `uniqueString(a, b, …)`: the parts joined with `-`, UTF-8 encoded, hashed with the 64-bit
 *   MurmurHash variant of Azure's resource stack (two 32-bit lanes, seed 0), and the 64-bit
 *   value written as 13 characters of base32 (`abcdefghijklmnopqrstuvwxyz234567`), five bits at
 *   a time from the most significant end.
 * - `guid(a, b, …)`: an RFC 4122 name-based UUID, version 5 (SHA-1), of the parts joined with `-`
 *   under the namespace `11fb06fb-712d-4ddd-98c7-e71bbd588830`.
 */

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

function rotl32(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

function le32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}

function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Azure's 64-bit MurmurHash (seed 0) of `data`, as a bigint. */
export function murmurHash64(data: Uint8Array): bigint {
  const C1 = 0x239b961b;
  const C2 = 0xab0e9789;
  const length = data.length;
  let h1 = 0;
  let h2 = 0;
  let i = 0;
  for (; i + 7 < length; i += 8) {
    let k1 = le32(data, i);
    let k2 = le32(data, i + 4);
    k1 = Math.imul(rotl32(Math.imul(k1, C1) >>> 0, 15), C2) >>> 0;
    h1 = (rotl32((h1 ^ k1) >>> 0, 19) + h2) >>> 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) >>> 0;
    k2 = Math.imul(rotl32(Math.imul(k2, C2) >>> 0, 17), C1) >>> 0;
    h2 = (rotl32((h2 ^ k2) >>> 0, 13) + h1) >>> 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) >>> 0;
  }
  const rem = length - i;
  if (rem > 0) {
    let k1 = 0;
    for (let j = Math.min(rem, 4) - 1; j >= 0; j--) k1 = ((k1 << 8) | data[i + j]!) >>> 0;
    k1 = Math.imul(rotl32(Math.imul(k1, C1) >>> 0, 15), C2) >>> 0;
    h1 = (h1 ^ k1) >>> 0;
    if (rem > 4) {
      let k2 = 0;
      for (let j = rem - 5; j >= 0; j--) k2 = ((k2 << 8) | data[i + 4 + j]!) >>> 0;
      k2 = Math.imul(rotl32(Math.imul(k2, C2) >>> 0, 17), C1) >>> 0;
      h2 = (h2 ^ k2) >>> 0;
    }
  }
  h2 = (h2 ^ length) >>> 0;
  h1 = (((h1 ^ length) >>> 0) + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  return (BigInt(h2) << 32n) | BigInt(h1);
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** ARM's `uniqueString()`: 13 base32 characters of the hash of the parts joined with `-`. */
export function uniqueString(...parts: string[]): string {
  let h = murmurHash64(utf8(parts.join("-")));
  let out = "";
  for (let i = 0; i < 13; i++) {
    out += BASE32[Number(h >> 59n)];
    h = (h << 5n) & 0xffffffffffffffffn;
  }
  return out;
}

/** SHA-1 digest (FIPS 180-4) of `data`. */
export function sha1(data: Uint8Array): Uint8Array {
  const ml = data.length;
  const total = (((ml + 8) >> 6) + 1) << 6;
  const msg = new Uint8Array(total);
  msg.set(data);
  msg[ml] = 0x80;
  const bits = ml * 8;
  const view = new DataView(msg.buffer);
  view.setUint32(total - 8, Math.floor(bits / 0x100000000));
  view.setUint32(total - 4, bits >>> 0);
  let h0 = 0x67452301;
  let h1 = 0xefcdab89;
  let h2 = 0x98badcfe;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0;
  const w = new Uint32Array(80);
  for (let off = 0; off < total; off += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(off + t * 4);
    for (let t = 16; t < 80; t++) w[t] = rotl32(w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!, 1);
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const temp = (rotl32(a, 5) + (f >>> 0) + e + k + w[t]!) >>> 0;
      e = d;
      d = c;
      c = rotl32(b, 30);
      b = a;
      a = temp;
    }
    h0 = (h0 + a) >>> 0;
    h1 = (h1 + b) >>> 0;
    h2 = (h2 + c) >>> 0;
    h3 = (h3 + d) >>> 0;
    h4 = (h4 + e) >>> 0;
  }
  const out = new Uint8Array(20);
  const ov = new DataView(out.buffer);
  [h0, h1, h2, h3, h4].forEach((h, i) => ov.setUint32(i * 4, h));
  return out;
}

function hex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

const GUID_NAMESPACE = "11fb06fb-712d-4ddd-98c7-e71bbd588830";

/** RFC 4122 version-5 UUID of `name` in `namespace` (both in network byte order). */
export function uuidV5(namespace: string, name: string): string {
  const ns = namespace.replace(/-/g, "");
  const nsBytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) nsBytes[i] = parseInt(ns.slice(i * 2, i * 2 + 2), 16);
  const nameBytes = utf8(name);
  const buf = new Uint8Array(16 + nameBytes.length);
  buf.set(nsBytes);
  buf.set(nameBytes, 16);
  const h = sha1(buf).slice(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = hex(h);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** ARM's `guid()`: a version-5 UUID of the parts joined with `-`. */
export function guid(...parts: string[]): string {
  return uuidV5(GUID_NAMESPACE, parts.join("-"));
}
