/**
 * Who can reach a destination: every network interface of the snapshot (its default IP
 * configuration) asked the same question, one keyed row per NIC, sorted by subnet then NIC. A
 * row says what the destination sees (address, subnet identity, over an endpoint or not) and,
 * for a denial, the first blocker with its fix. Pure: answers from the engine alone.
 */
import { isArmError } from "../model/errors.js";
import { evaluate } from "../engine/evaluate.js";
import type { Snapshot } from "../engine/snapshot.js";
import type { FlowDestination, Protocol, Verdict } from "../engine/types.js";

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
  blocker?: { kind: string; resourceId?: string; rule?: string; fix: string };
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
    const first = d.decision === "Denied" ? d.blockers[0] : undefined;
    rows.push({
      networkInterfaceId: nic.id,
      ...(nic.vmId ? { virtualMachineId: nic.vmId } : {}),
      subnetId: cfg.subnetId,
      decision: d.decision,
      sourceAddress: d.sourceAddress,
      viaServiceEndpoint: d.viaServiceEndpoint,
      ...(first
        ? {
            blocker: {
              kind: first.kind,
              ...(first.resourceId ? { resourceId: first.resourceId } : {}),
              ...(first.rule ? { rule: first.rule } : {}),
              fix: first.fix,
            },
          }
        : {}),
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
