/**
 * Who can reach a destination: every network interface of the snapshot (its default IP
 * configuration) asked the same question, one keyed row per NIC, sorted by subnet then NIC. A
 * row says what the destination sees (address, subnet identity, over an endpoint or not) and,
 * for a denial, the first blocker with its fix. Pure: answers from the engine alone.
 */
import { isArmError } from "../model/errors.js";
import { evaluate } from "../engine/evaluate.js";
import type { Snapshot } from "../engine/snapshot.js";
import type { Decision, FlowDestination, Protocol, Verdict } from "../engine/types.js";

/** The first blocker of a denial, reduced to what a row needs. */
export interface BlockerSummary {
  kind: string;
  resourceId?: string;
  rule?: string;
  fix: string;
}

/** For a denied decision, its first blocker (what to fix first); undefined when allowed. */
export function firstBlocker(d: Decision): BlockerSummary | undefined {
  const b = d.decision === "Denied" ? d.blockers[0] : undefined;
  if (!b) return undefined;
  return {
    kind: b.kind,
    ...(b.resourceId ? { resourceId: b.resourceId } : {}),
    ...(b.rule ? { rule: b.rule } : {}),
    fix: b.fix,
  };
}

export interface ReachRow {
  /** The network interface the flow starts at. */
  networkInterfaceId: string;
  virtualMachineId?: string;
  subnetId: string;
  decision: Verdict;
  /** The address the destination sees. */
  sourceAddress: string;
  viaServiceEndpoint: boolean;
  /** For a denial: what blocks first, and the smallest change that lifts it. */
  blocker?: BlockerSummary;
  /** The service's refusal code, when the service refuses. */
  errorCode?: string;
}

export interface ReachAnswer {
  destination: FlowDestination;
  port?: number;
  protocol?: Protocol;
  allowed: number;
  denied: number;
  rows: ReachRow[];
}

export function whoCanReach(
  snap: Snapshot,
  destination: FlowDestination,
  opts: { port?: number; protocol?: Protocol } = {},
): ReachAnswer {
  const rows: ReachRow[] = [];
  for (const nic of snap.nics.values()) {
    const cfg = nic.primaryConfig;
    if (!cfg) continue;
    let d;
    try {
      d = evaluate(snap, {
        source: { kind: "nic", nicId: nic.id },
        destination,
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.protocol ? { protocol: opts.protocol } : {}),
      });
    } catch (e) {
      if (isArmError(e) && e.code !== "InvalidFlow") throw e; // the destination itself is wrong
      continue; // a NIC the engine cannot start from (no subnet): not a source
    }
    const blocker = firstBlocker(d);
    rows.push({
      networkInterfaceId: nic.id,
      ...(nic.vmId ? { virtualMachineId: nic.vmId } : {}),
      subnetId: cfg.subnetId,
      decision: d.decision,
      sourceAddress: d.sourceAddress,
      viaServiceEndpoint: d.viaServiceEndpoint,
      ...(blocker ? { blocker } : {}),
      ...(d.error ? { errorCode: d.error.code } : {}),
    });
  }
  const key = (r: ReachRow) => `${r.subnetId.toLowerCase()}|${r.networkInterfaceId.toLowerCase()}`;
  rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const allowed = rows.filter((r) => r.decision === "Allowed").length;
  return {
    destination,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.protocol ? { protocol: opts.protocol } : {}),
    allowed,
    denied: rows.length - allowed,
    rows,
  };
}
