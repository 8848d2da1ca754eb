/**
 * Simulated long-lived connections (SE-CFG-6): a client opens a TCP connection from a NIC or
 * VM to a service resource, sends requests over it, and closes it. Turning a service endpoint
 * on or off on the connection's source subnet resets it — exactly the connections
 * `resetConnections` (src/engine/connections.ts) names for the snapshots before and after the
 * change; nothing else does.
 *
 * In memory: open TCP connections do not survive a restart of the emulator any more than of a
 * real host. Open connections are capped (`maxOpen`); closed and reset ones are kept, newest
 * last, up to `history` so that clients can still read why theirs ended.
 */
import type { OpenConnection, ResetConnection } from "../../engine/connections.js";
import type { Protocol } from "../../engine/types.js";
import { ArmErrors } from "../../model/errors.js";

export type ConnectionState = "Open" | "Reset" | "Closed";

export interface SimulatedConnection {
  id: string;
  state: ConnectionState;
  /** The ends as the client named them. */
  from: string;
  to: string;
  /** The NIC or VM the connection starts from. */
  sourceId: string;
  /** The service resource it goes to. */
  destinationId: string;
  /** The endpoint service of the destination (`Microsoft.Storage`, …). */
  service?: string;
  protocol: Protocol;
  port: number;
  /** The address the service saw when the connection opened, and the subnet identity over an endpoint. */
  sourceAddress: string;
  subnetId?: string;
  viaServiceEndpoint: boolean;
  openedAt: string;
  closedAt?: string;
  /** Requests sent over the connection after the one that opened it. */
  requests: number;
  /** Why it was closed, when the client did not close it (its source or destination was deleted). */
  closedReason?: string;
  /** Why it was reset (SE-CFG-6). */
  reset?: {
    time: string;
    subnetId: string;
    service: string;
    change: ResetConnection["change"];
    reason: string;
  };
}

export interface ConnectionLimits {
  maxOpen: number;
  history: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxOpen: 10_000, history: 1000 };

export class ConnectionRegistry {
  private readonly open = new Map<string, SimulatedConnection>();
  private readonly ended = new Map<string, SimulatedConnection>();
  readonly limits: ConnectionLimits;

  constructor(limits: Partial<ConnectionLimits> = {}) {
    this.limits = { ...DEFAULT_CONNECTION_LIMITS, ...limits };
  }

  add(c: SimulatedConnection): void {
    if (this.open.size >= this.limits.maxOpen) throw ArmErrors.tooManyConnections(this.limits.maxOpen);
    this.open.set(c.id.toLowerCase(), c);
  }

  get(id: string): SimulatedConnection | undefined {
    const k = id.toLowerCase();
    return this.open.get(k) ?? this.ended.get(k);
  }

  /** Every known connection: open ones first (oldest first), then ended ones (oldest first). */
  list(state?: ConnectionState): SimulatedConnection[] {
    const all = [...this.open.values(), ...this.ended.values()];
    return state ? all.filter((c) => c.state === state) : all;
  }

  /** The open connections in the engine's terms. */
  openForEngine(): OpenConnection[] {
    return [...this.open.values()].map((c) => ({
      id: c.id,
      sourceId: c.sourceId,
      destinationId: c.destinationId,
      protocol: c.protocol,
    }));
  }

  get openCount(): number {
    return this.open.size;
  }

  /** Ends an open connection (Closed or Reset); returns it, or undefined when it was not open. */
  end(
    id: string,
    state: "Closed" | "Reset",
    time: string,
    reset?: SimulatedConnection["reset"],
    closedReason?: string,
  ): SimulatedConnection | undefined {
    const k = id.toLowerCase();
    const c = this.open.get(k);
    if (!c) return undefined;
    this.open.delete(k);
    c.state = state;
    c.closedAt = time;
    if (reset) c.reset = reset;
    if (closedReason) c.closedReason = closedReason;
    this.ended.set(k, c);
    while (this.ended.size > this.limits.history) {
      const oldest = this.ended.keys().next().value;
      if (oldest === undefined) break;
      this.ended.delete(oldest);
    }
    return c;
  }
}
