/**
 * Lazurite's own diagnostics over a running server (SPEC §11, SE-CFG-6): the access check that
 * `lazurite check` and `/_emulator/check` share, simulated requests and long-lived connections
 * to service resources, the request log (SE-DIAG-1) and the event stream. One `Diagnostics` per
 * ArmDeps, installed once (`diagnosticsOf`), which hooks itself into the unit of work:
 *
 * - inside a write's transaction, when the write changes a virtual network and connections are
 *   open, it compares the snapshots before and after the write and notes which connections the
 *   change resets (`resetConnections`, exact: the same transaction, nothing in between);
 * - after the commit it publishes every resource change and applies the noted resets (log entry,
 *   `connectionReset` event). A write that fails resets nothing.
 *
 * The data-plane state (log, connections, events) is in memory (see request-log.ts and
 * connections.ts for why). Time comes only from `deps.clock`.
 */
import { resetConnections, type ResetConnection } from "../../engine/connections.js";
import { evaluate } from "../../engine/evaluate.js";
import { Snapshot } from "../../engine/snapshot.js";
import type { Decision, Flow, ServiceError } from "../../engine/types.js";
import { ArmErrors } from "../../model/errors.js";
import { childLabel, idKey, nameOfId } from "../../model/resource-id.js";
import type { ArmDeps, Ctx, ResourceChange } from "../context.js";
import { allResources } from "../read.js";
import { ConnectionRegistry, type ConnectionLimits, type SimulatedConnection } from "./connections.js";
import { EventBus } from "./event-bus.js";
import { parseDestinationText, parsePortText, parseProtocolText, parseSourceText } from "./flow-text.js";
import {
  RequestLog,
  firewallStep,
  type LogEntry,
  type LogOperation,
  type RequestLogLimits,
} from "./request-log.js";
import { beforeChanges, currentSnapshot, exportedResources } from "./snapshot-from-store.js";
import type { Change } from "../../analysis/change.js";
import { whatIfChange, type WhatIfReport } from "../../analysis/what-if.js";
import { whoCanReach, type ReachAnswer } from "../../analysis/who-can-reach.js";

export type { LogEntry } from "./request-log.js";
export type { SimulatedConnection } from "./connections.js";
export type { EmulatorEvent } from "./event-bus.js";

/** A flow as text, as `lazurite check` takes it and `/_emulator/check` receives it. */
/** The question of `who-can-reach`, as text: a destination (as `to` of a flow), port, protocol. */
export interface ReachText {
  to: string;
  port?: string;
  protocol?: string;
}

export interface FlowText {
  from: string;
  to: string;
  port?: string | number;
  protocol?: string;
  /** `rest` (default) or `disk` (VM disk IO, SE-SCN-4). */
  purpose?: string;
}

/** What happened to a simulated request. */
export type Outcome =
  /** The service admitted it. */
  | "Delivered"
  /** It reached the service, whose firewall refused it (logged, SE-DIAG-1). */
  | "RefusedByService"
  /** It never reached the service: a route, an NSG, an endpoint policy, DNS or an endpoint change in progress dropped it. */
  | "Dropped";

export interface SimulationResult {
  outcome: Outcome;
  /** What the client got: 200, or the service's refusal status (absent when dropped, or for TDS services). */
  status?: number;
  error?: ServiceError;
  /** The log entry, when the request reached the service. */
  entry?: LogEntry;
  decision: Decision;
}

export interface DiagnosticsOptions {
  log?: Partial<RequestLogLimits>;
  connections?: Partial<ConnectionLimits>;
  eventBuffer?: number;
}

function invalid(message: string): never {
  throw ArmErrors.invalidFlow(message);
}

function field(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" && name === "port") return String(v);
  return invalid(`'${name}' must be a string.`);
}

/** Reads `{to, port?, protocol?}` (who can reach) from a request body or query. */
export function reachTextOf(body: unknown): ReachText {
  if (!body || typeof body !== "object" || Array.isArray(body))
    invalid('Expected a JSON object {"to": DEST, "port"?, "protocol"?}.');
  const b = body as Record<string, unknown>;
  const to = field(b, "to");
  if (to === undefined || to === "")
    invalid(
      "'to' is required: a service resource id (optionally #blob, #dfs, ...), a host name, or an IP address.",
    );
  const port = field(b, "port");
  const protocol = field(b, "protocol");
  return { to, ...(port !== undefined ? { port } : {}), ...(protocol !== undefined ? { protocol } : {}) };
}

/** Reads a proposed write `{method: PUT|DELETE, id, body?}` (what-if) from a request body. */
export function changeOf(body: unknown): Change {
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw ArmErrors.invalidParameter(
      'Expected a JSON object {"method": "PUT" | "DELETE", "id": ID, "body"?: {...}}.',
      "body",
    );
  const b = body as Record<string, unknown>;
  const method = typeof b.method === "string" ? b.method.toUpperCase() : "";
  if (method !== "PUT" && method !== "DELETE")
    throw ArmErrors.invalidParameter("'method' must be PUT or DELETE.", "method");
  if (typeof b.id !== "string" || b.id === "")
    throw ArmErrors.invalidParameter("'id' is required: the resource id the write names.", "id");
  if (method === "DELETE") return { kind: "delete", id: b.id };
  if (!b.body || typeof b.body !== "object" || Array.isArray(b.body))
    throw ArmErrors.invalidParameter(
      "'body' is required for a PUT: the resource as the request would send it.",
      "body",
    );
  return { kind: "put", id: b.id, body: b.body };
}

/** Reads `{from, to, port?, protocol?, purpose?}` from a request body or query. */
export function flowTextOf(body: unknown): FlowText {
  if (!body || typeof body !== "object" || Array.isArray(body))
    invalid('Expected a JSON object {"from": SOURCE, "to": DEST, "port"?, "protocol"?}.');
  const b = body as Record<string, unknown>;
  const from = field(b, "from");
  const to = field(b, "to");
  if (!from)
    invalid(
      "'from' is required: a NIC or VM resource id, onprem:<IP>@<circuit-or-local-gateway-id>, or internet:<IP>.",
    );
  if (!to)
    invalid(
      "'to' is required: a service resource id (optionally #blob, #dfs, ...), a host name, or an IP address.",
    );
  const out: FlowText = { from, to };
  const port = field(b, "port");
  const protocol = field(b, "protocol");
  const purpose = field(b, "purpose");
  if (port !== undefined) out.port = port;
  if (protocol !== undefined) out.protocol = protocol;
  if (purpose !== undefined) out.purpose = purpose;
  return out;
}

/** The engine flow of a text flow (ARM `InvalidFlow` on bad text). */
export function flowOf(t: FlowText): Flow {
  const port = parsePortText(t.port, invalid, "port");
  const protocol = parseProtocolText(t.protocol, invalid, "protocol");
  if (t.purpose !== undefined && t.purpose !== "rest" && t.purpose !== "disk")
    invalid(`purpose ${t.purpose}: expected rest or disk`);
  return {
    source: parseSourceText(t.from, invalid, "from"),
    destination: parseDestinationText(t.to, invalid, "to"),
    ...(port !== undefined ? { port } : {}),
    ...(protocol ? { protocol } : {}),
    ...(t.purpose ? { purpose: t.purpose as "rest" | "disk" } : {}),
  };
}

/** Did the request reach the service? Only firewall blockers, and a firewall step in the trace. */
function reachedService(d: Decision): boolean {
  return (
    d.destinationResourceId !== undefined &&
    firewallStep(d.steps) !== undefined &&
    d.blockers.every((b) => b.kind === "ServiceFirewall")
  );
}

/** `its source testvm0` / `its destination acct` for a deleted end of a connection. */
function endOf(key: string, c: SimulatedConnection): string {
  return key === idKey(c.sourceId)
    ? `its source ${nameOfId(c.sourceId)}`
    : `its destination ${nameOfId(c.destinationId)}`;
}

function changeWords(r: ResetConnection): string {
  const where = `subnet ${childLabel(r.subnetId)}`;
  const what =
    r.change === "enabled"
      ? "switched on"
      : r.change === "disabled"
        ? "switched off"
        : "changed (its locations)";
  return `the ${r.service} service endpoint on ${where} was ${what}; Azure closes every open TCP connection from the subnet to the service when an endpoint is switched on or off (SE-CFG-6).`;
}

const NETWORK_VNET = "microsoft.network/virtualnetworks";

export class Diagnostics {
  readonly log: RequestLog;
  readonly events: EventBus;
  readonly connections: ConnectionRegistry;
  /** Resets noted inside a write's transaction, applied after its commit (keyed by the request's change list). */
  private readonly pending = new WeakMap<readonly ResourceChange[], ResetConnection[]>();

  constructor(
    readonly deps: ArmDeps,
    opts: DiagnosticsOptions = {},
  ) {
    this.log = new RequestLog(opts.log);
    this.events = new EventBus(() => deps.clock.now(), opts.eventBuffer);
    this.connections = new ConnectionRegistry(opts.connections);
  }

  /** A context for diagnostic reads outside an ARM request. */
  ctx(): Ctx {
    const req = {
      method: "GET",
      path: "/_emulator",
      query: {},
      apiVersion: "",
      body: undefined,
      baseUrl: "https://localhost",
    };
    return { deps: this.deps, store: this.deps.store, req, now: this.deps.clock.now(), changes: [] };
  }

  private nowIso(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  /** The access check of `lazurite check` over the server's current resources (not logged: no traffic). */
  async check(ctx: Ctx, text: FlowText): Promise<Decision> {
    const flow = flowOf(text);
    return evaluate(await currentSnapshot(ctx), flow);
  }

  /** Who can reach a destination: every NIC of the store asked the same question (src/analysis). */
  async whoCanReach(ctx: Ctx, text: ReachText): Promise<ReachAnswer> {
    const destination = parseDestinationText(text.to, invalid, "to");
    const port = parsePortText(text.port, invalid, "port");
    const protocol = parseProtocolText(text.protocol, invalid, "protocol");
    return whoCanReach(await currentSnapshot(ctx), destination, {
      ...(port !== undefined ? { port } : {}),
      ...(protocol ? { protocol } : {}),
    });
  }

  /**
   * What a write would break, before it is applied: the stored resources with the write applied
   * as ARM stores it (whole-object PUT, SE-CFG-7), compared with them as they are (src/analysis).
   */
  async whatIf(ctx: Ctx, change: Change): Promise<WhatIfReport> {
    return whatIfChange(await exportedResources(ctx), change, ctx.deps.serviceTags);
  }

  /** Sends one simulated request and logs it when it reaches the service (SE-DIAG-1). */
  async request(
    ctx: Ctx,
    text: FlowText,
    operation: LogOperation = "request",
    connectionId?: string,
  ): Promise<SimulationResult> {
    const flow = flowOf(text);
    const decision = evaluate(await currentSnapshot(ctx), flow);
    return this.record(text.from, decision, operation, connectionId);
  }

  /** Logs a decision already made (connectivityCheck) and says what the client got. */
  record(
    source: string,
    decision: Decision,
    operation: LogOperation,
    connectionId?: string,
  ): SimulationResult {
    const reached = reachedService(decision);
    const outcome: Outcome =
      decision.decision === "Allowed" ? "Delivered" : reached ? "RefusedByService" : "Dropped";
    const result: SimulationResult = { outcome, decision };
    if (outcome === "Delivered") result.status = 200;
    if (outcome === "RefusedByService" && decision.error) {
      result.error = decision.error;
      if (decision.error.status !== undefined) result.status = decision.error.status;
    }
    if (reached) {
      const fw = firewallStep(decision.steps)!;
      const entry = this.log.add({
        time: this.nowIso(),
        resourceId: decision.destinationResourceId!,
        operation,
        source,
        sourceAddress: decision.sourceAddress,
        ...(decision.sourcePrivateAddress ? { sourcePrivateAddress: decision.sourcePrivateAddress } : {}),
        ...(decision.sourceSubnetId ? { subnetId: decision.sourceSubnetId } : {}),
        viaServiceEndpoint: decision.viaServiceEndpoint,
        decision: decision.decision,
        ...(fw.rule ? { rule: fw.rule } : {}),
        ...(result.status !== undefined ? { status: result.status } : {}),
        ...(result.error ? { error: result.error } : {}),
        detail: fw.detail,
        protocol: decision.protocol,
        port: decision.port,
        ...(connectionId ? { connectionId } : {}),
      });
      result.entry = entry;
      this.events.publish("request", { entry });
    }
    return result;
  }

  /** Opens a simulated TCP connection (its first request decides whether it opens). */
  async openConnection(
    ctx: Ctx,
    text: FlowText,
  ): Promise<{ connection?: SimulatedConnection; result: SimulationResult }> {
    const flow = flowOf(text);
    if (flow.source.kind !== "nic" && flow.source.kind !== "vm") {
      invalid(
        "A simulated connection starts at a network interface or a virtual machine (SE-CFG-6 resets connections per source subnet).",
      );
    }
    if ((flow.protocol ?? "Tcp") !== "Tcp") invalid("Simulated connections are TCP connections.");
    const snap = await currentSnapshot(ctx);
    const decision = evaluate(snap, flow);
    if (!decision.destinationResourceId)
      invalid(`'${text.to}' is not a service resource Lazurite knows; connections go to service resources.`);
    const id = this.deps.ids.guid();
    const result = this.record(text.from, decision, "connect", id);
    if (result.outcome !== "Delivered") return { result };
    const connection: SimulatedConnection = {
      id,
      state: "Open",
      from: text.from,
      to: text.to,
      sourceId: flow.source.kind === "vm" ? flow.source.vmId : flow.source.nicId,
      destinationId: decision.destinationResourceId,
      ...(decision.service ? { service: decision.service } : {}),
      protocol: decision.protocol,
      port: decision.port,
      sourceAddress: decision.sourceAddress,
      ...(decision.sourceSubnetId ? { subnetId: decision.sourceSubnetId } : {}),
      viaServiceEndpoint: decision.viaServiceEndpoint,
      openedAt: this.nowIso(),
      requests: 0,
    };
    this.connections.add(connection);
    this.events.publish("connectionOpened", { connection: { ...connection } });
    return { connection, result };
  }

  /** A request over an open connection; ConnectionReset once an endpoint change reset it. */
  async requestOverConnection(
    ctx: Ctx,
    id: string,
  ): Promise<{ connection: SimulatedConnection; result: SimulationResult }> {
    const c = this.connections.get(id);
    if (!c) throw ArmErrors.connectionNotFound(id);
    if (c.state === "Reset")
      throw ArmErrors.connectionReset(c.id, c.reset?.reason ?? "an endpoint change reset it.");
    if (c.state === "Closed") throw ArmErrors.connectionNotFound(c.id, `was closed at ${c.closedAt}`);
    const result = await this.request(
      ctx,
      { from: c.from, to: c.to, port: c.port, protocol: c.protocol },
      "connectionRequest",
      c.id,
    );
    c.requests += 1;
    return { connection: c, result };
  }

  closeConnection(id: string): SimulatedConnection {
    const c = this.connections.get(id);
    if (!c) throw ArmErrors.connectionNotFound(id);
    if (c.state !== "Open") return c;
    const ended = this.connections.end(id, "Closed", this.nowIso())!;
    this.events.publish("connectionClosed", { connection: { ...ended } });
    return ended;
  }

  /** inTransaction hook: note the connections a virtual-network write resets (SE-CFG-6). */
  private async noteResets(tx: Ctx, changes: readonly ResourceChange[]): Promise<void> {
    if (!tx.changes || this.connections.openCount === 0) return;
    if (!changes.some((c) => c.type.toLowerCase() === NETWORK_VNET)) return;
    const after = await allResources(tx.store);
    const before = beforeChanges(after, changes);
    const opts = { serviceTags: this.deps.serviceTags };
    const afterSnap = new Snapshot(after, opts);
    const beforeSnap = new Snapshot(before, opts);
    // A source that disappears with the change is not an endpoint switch: leave it to its own fate.
    const open = this.connections
      .openForEngine()
      .filter(
        (c) =>
          (beforeSnap.vm(c.sourceId) ?? beforeSnap.nic(c.sourceId)) &&
          (afterSnap.vm(c.sourceId) ?? afterSnap.nic(c.sourceId)),
      );
    const resets = resetConnections(beforeSnap, afterSnap, open);
    if (resets.length === 0) return;
    const list = this.pending.get(tx.changes) ?? [];
    list.push(...resets);
    this.pending.set(tx.changes, list);
  }

  /** afterCommit hook: publish the changes, apply the resets noted for them. */
  private afterCommit(ctx: Ctx, changes: readonly ResourceChange[]): void {
    for (const c of changes) {
      if (c.type.toLowerCase().startsWith("lazurite/")) continue;
      const after = c.after as { etag?: string } | undefined;
      this.events.publish("resource", {
        action: c.before === undefined ? "created" : c.after === undefined ? "deleted" : "updated",
        resourceId: c.id,
        resourceType: c.type,
        ...(after?.etag ? { etag: after.etag } : {}),
      });
    }
    const key = ctx.changes ?? changes;
    const resets = this.pending.get(key);
    if (resets) {
      this.pending.delete(key);
      for (const r of resets) this.applyReset(r);
    }
    // A connection whose VM, NIC or service resource was deleted is gone with it.
    const deleted = changes.filter((c) => c.after === undefined).map((c) => idKey(c.id));
    if (deleted.length === 0) return;
    for (const c of this.connections.list("Open")) {
      const gone = deleted.find((k) => k === idKey(c.sourceId) || k === idKey(c.destinationId));
      if (!gone) continue;
      const ended = this.connections.end(
        c.id,
        "Closed",
        this.nowIso(),
        undefined,
        `${endOf(gone, c)} was deleted.`,
      );
      if (ended) this.events.publish("connectionClosed", { connection: { ...ended } });
    }
  }

  private applyReset(r: ResetConnection): void {
    const time = this.nowIso();
    const reason = changeWords(r);
    const c = this.connections.end(r.connection.id, "Reset", time, {
      time,
      subnetId: r.subnetId,
      service: r.service,
      change: r.change,
      reason,
    });
    if (!c) return;
    const entry = this.log.add({
      time,
      resourceId: c.destinationId,
      operation: "reset",
      source: c.from,
      sourceAddress: c.sourceAddress,
      ...(c.subnetId ? { subnetId: c.subnetId } : {}),
      viaServiceEndpoint: c.viaServiceEndpoint,
      decision: "Reset",
      detail: reason,
      protocol: c.protocol,
      port: c.port,
      connectionId: c.id,
      reset: { subnetId: r.subnetId, service: r.service, change: r.change },
    });
    this.events.publish("connectionReset", { connection: { ...c }, logSeq: entry.seq });
  }

  /** Hooks itself into the unit of work (once). */
  install(): void {
    const hooks = this.deps.hooks;
    if (!hooks) return;
    // An observer never aborts a write: a failure here only costs the resets it would have noted.
    hooks.inTransaction.push((tx, changes) => this.noteResets(tx, changes).catch(() => undefined));
    hooks.afterCommit.push((ctx, changes) => {
      try {
        this.afterCommit(ctx, changes);
      } catch {
        // Observers never turn a committed write into an error.
      }
    });
  }
}

const installed = new WeakMap<ArmDeps, Diagnostics>();

/** The diagnostics of a control plane, created and hooked in on first use. */
export function diagnosticsOf(deps: ArmDeps, opts?: DiagnosticsOptions): Diagnostics {
  let d = installed.get(deps);
  if (!d) {
    d = new Diagnostics(deps, opts);
    d.install();
    installed.set(deps, d);
  }
  return d;
}
