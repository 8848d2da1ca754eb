/**
 * The DNS the VM namespaces use (on 168.63.129.16, Azure's platform DNS address): it answers A
 * queries for the services' host names with the public address the engine resolves them to
 * (SE-SRC-4: the same with or without service endpoints) and NXDOMAIN for anything else; it
 * forwards nothing. Hand-rolled (one question, A records only: ~60 lines) rather than a DNS
 * library, since nothing beyond RFC 1035 §4.1 message framing is needed.
 */

export interface DnsQuestion {
  id: number;
  name: string;
  type: number;
  /** The question section as received (echoed in the answer). */
  raw: Buffer;
  rd: boolean;
}

export function parseQuery(msg: Buffer): DnsQuestion | undefined {
  if (msg.length < 12) return undefined;
  const qd = msg.readUInt16BE(4);
  if (qd !== 1 || (msg[2]! & 0x80) !== 0) return undefined;
  const labels: string[] = [];
  let off = 12;
  for (;;) {
    if (off >= msg.length) return undefined;
    const len = msg[off]!;
    if (len === 0) {
      off += 1;
      break;
    }
    if (len > 63 || off + 1 + len > msg.length) return undefined;
    labels.push(msg.subarray(off + 1, off + 1 + len).toString("latin1"));
    off += 1 + len;
  }
  if (off + 4 > msg.length) return undefined;
  const type = msg.readUInt16BE(off);
  return {
    id: msg.readUInt16BE(0),
    name: labels.join(".").toLowerCase(),
    type,
    raw: msg.subarray(12, off + 4),
    rd: (msg[2]! & 0x01) !== 0,
  };
}

const TYPE_A = 1;

/** The answer to a query: `address` (IPv4) for an A question about a known name, else NXDOMAIN/empty. */
export function answer(q: DnsQuestion, address: string | undefined): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  // QR=1, AA=1, RD copied; RA=0 (recursion is not offered: nothing is forwarded).
  header[2] = 0x84 | (q.rd ? 1 : 0);
  const withA = address !== undefined && q.type === TYPE_A && /^\d+\.\d+\.\d+\.\d+$/.test(address);
  header[3] = address === undefined ? 3 : 0; // RCODE 3 = NXDOMAIN
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(withA ? 1 : 0, 6);
  if (!withA) return Buffer.concat([header, q.raw]);
  const rr = Buffer.alloc(16);
  rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
  rr.writeUInt16BE(TYPE_A, 2);
  rr.writeUInt16BE(1, 4); // IN
  rr.writeUInt32BE(60, 6); // TTL
  rr.writeUInt16BE(4, 10);
  address.split(".").forEach((o, i) => (rr[12 + i] = Number(o)));
  return Buffer.concat([header, q.raw, rr]);
}
