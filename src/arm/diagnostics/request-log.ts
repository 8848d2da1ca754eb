/**
 * The request log (SE-DIAG-1): every simulated request that reaches a service resource, as
 * the service saw it — time (from the injected clock), the source address (private over a
 * service endpoint, public otherwise), the subnet identity when there was one, the decision
 * and the rule that made it — plus the connection resets of SE-CFG-6.
 *
 * Kept in memory, not in the store: it is data-plane telemetry (like a service's own request
 * logs, not part of any ARM resource), written on every simulated request, and must not
 * contend with ARM writes for the store's single transaction lane nor change any etag. It is
 * bounded twice: a ring of `perResource` entries per resource, and at most `resources`
 * resources (the one written least recently is forgotten first). A restart empties it, as a
 * restart closes every simulated connection.
 */
import { idKey } from "../../model/resource-id.js";
import type { Step } from "../../engine/types.js";

export type LogOperation =
  /** One request (`POST /_emulator/requests`). */
  | "request"
  /** A connection opened (its first request) (`POST /_emulator/connections`). */
  | "connect"
  /** A request over an open connection. */
  | "connectionRequest"
  /** Network Watcher's connectivityCheck probing the resource. */
  | "connectivityCheck"
  /** An open connection reset by an endpoint change (SE-CFG-6). */
  | "reset";

export interface LogEntry {
  /** Sequence number, unique in the process (newest = highest). */
  seq: number;
  /** ISO time from the injected clock. */
  time: string;
  resourceId: string;
  operation: LogOperation;
  /** The source as the caller named it (`/…/virtualMachines/testvm0`, `internet:1.2.3.4`, …). */
  source: string;
  /** The address the service saw (SE-SRC-1, SE-SRC-2). */
  sourceAddress: string;
  /** The caller's private address, when it has one. */
  sourcePrivateAddress?: string;
  /** The subnet identity the service saw (only over a service endpoint). */
  subnetId?: string;
  viaServiceEndpoint: boolean;
  /** `Allowed` / `Denied` for requests; `Reset` for a reset connection. */
  decision: "Allowed" | "Denied" | "Reset";
  /** The rule that decided, as the service's API names it (`networkAcls.virtualNetworkRules[0]`, `networkAcls.defaultAction`). */
  rule?: string;
  /** The status the client got: 200, or the service's refusal (403 for Storage, …). */
  status?: number;
  /** The service's error, when it refused. */
  error?: { status?: number; code: string; message: string };
  /** The service's firewall verdict in words. */
  detail?: string;
  protocol?: string;
  port?: number;
  connectionId?: string;
  /** For a reset: which endpoint change on which subnet. */
  reset?: { subnetId: string; service: string; change: string };
}

export interface RequestLogLimits {
  /** Entries kept per resource (default 1000). */
  perResource: number;
  /** Resources kept (default 1000). */
  resources: number;
}

export const DEFAULT_LOG_LIMITS: RequestLogLimits = { perResource: 1000, resources: 1000 };

class Ring {
  private readonly items: LogEntry[] = [];
  private start = 0;
  constructor(private readonly capacity: number) {}
  push(e: LogEntry): void {
    if (this.items.length < this.capacity) this.items.push(e);
    else {
      this.items[this.start] = e;
      this.start = (this.start + 1) % this.capacity;
    }
  }
  /** Newest first. */
  newestFirst(): LogEntry[] {
    const n = this.items.length;
    const out: LogEntry[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.items[(this.start + n - 1 - i) % n]!;
    return out;
  }
  get size(): number {
    return this.items.length;
  }
}

export class RequestLog {
  private readonly rings = new Map<string, Ring>();
  private seq = 0;
  readonly limits: RequestLogLimits;

  constructor(limits: Partial<RequestLogLimits> = {}) {
    this.limits = { ...DEFAULT_LOG_LIMITS, ...limits };
    if (this.limits.perResource < 1 || this.limits.resources < 1)
      throw new RangeError("request log limits must be at least 1");
  }

  /** Records an entry (the log assigns `seq`) and returns it. */
  add(entry: Omit<LogEntry, "seq">): LogEntry {
    const e: LogEntry = { seq: ++this.seq, ...entry };
    const k = idKey(entry.resourceId);
    let ring = this.rings.get(k);
    if (ring) this.rings.delete(k);
    else {
      ring = new Ring(this.limits.perResource);
      if (this.rings.size >= this.limits.resources) {
        const oldest = this.rings.keys().next().value;
        if (oldest !== undefined) this.rings.delete(oldest);
      }
    }
    ring.push(e);
    // Re-inserted last: Map order is the order of last write.
    this.rings.set(k, ring);
    return e;
  }

  /** A resource's entries, newest first (at most `top`). */
  forResource(resourceId: string, top?: number): LogEntry[] {
    const list = this.rings.get(idKey(resourceId))?.newestFirst() ?? [];
    return top !== undefined ? list.slice(0, top) : list;
  }

  /** Every resource's entries merged, newest first (at most `top`). */
  all(top?: number): LogEntry[] {
    const list = [...this.rings.values()].flatMap((r) => r.newestFirst()).sort((a, b) => b.seq - a.seq);
    return top !== undefined ? list.slice(0, top) : list;
  }

  /** Number of resources with entries. */
  get resourceCount(): number {
    return this.rings.size;
  }
}

/** The firewall step of a trace (the first, when a NAT pair produced two). */
export function firewallStep(steps: readonly Step[]): Step | undefined {
  return steps.find((s) => s.kind === "ServiceFirewall");
}
