/**
 * Who can reach a destination: every network interface of the snapshot (its default IP
 * configuration) asked the same question, one keyed row per NIC, sorted by subnet then NIC. A
 * row says what the destination sees (address, subnet identity, over an endpoint or not) and,
 * for a denial, the first blocker with its fix. Pure: answers from the engine alone.
 *
 * `whoCanReach` decides once per source class (src/analysis/classes.ts) and expands a row per
 * NIC; `whoCanReachPairwise` asks the engine once per NIC. Both give the same answer.
 */
import { isArmError } from "../model/errors.js";
import { evaluate } from "../engine/evaluate.js";
import type { Snapshot } from "../engine/snapshot.js";
import type { FlowDestination, Protocol, Verdict } from "../engine/types.js";
import { factsOf, ReachClasses, type BlockerSummary, type FlowFacts } from "./classes.js";

export { firstBlocker, type BlockerSummary } from "./classes.js";

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

export interface ReachOptions {
  port?: number;
  protocol?: Protocol;
}

function rowOf(nic: { id: string; vmId?: string }, subnetId: string, f: FlowFacts): ReachRow {
  return {
    networkInterfaceId: nic.id,
    ...(nic.vmId ? { virtualMachineId: nic.vmId } : {}),
    subnetId,
    decision: f.decision,
    sourceAddress: f.sourceAddress,
    viaServiceEndpoint: f.viaServiceEndpoint,
    ...(f.blocker ? { blocker: f.blocker } : {}),
    ...(f.errorCode ? { errorCode: f.errorCode } : {}),
  };
}

function answerOf(destination: FlowDestination, opts: ReachOptions, rows: ReachRow[]): ReachAnswer {
  const key = (r: ReachRow) => `${r.subnetId.toLowerCase()}|${r.networkInterfaceId.toLowerCase()}`;
  const keyed = rows.map((r) => [key(r), r] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const sorted = keyed.map(([, r]) => r);
  let allowed = 0;
  for (const r of sorted) if (r.decision === "Allowed") allowed++;
  return {
    destination,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.protocol ? { protocol: opts.protocol } : {}),
    allowed,
    denied: sorted.length - allowed,
    rows: sorted,
  };
}

/** Who can reach `destination`: one engine decision per source class, one row per NIC. */
export function whoCanReach(
  snap: Snapshot,
  destination: FlowDestination,
  opts: ReachOptions = {},
): ReachAnswer {
  let classes: ReachClasses;
  try {
    classes = new ReachClasses(snap, { destination, ...opts });
  } catch (e) {
    const anySource = [...snap.nics.values()].some((n) => n.primaryConfig);
    if (anySource && !(isArmError(e) && e.code === "InvalidFlow")) throw e; // the destination itself is wrong
    return answerOf(destination, opts, []); // no NIC can start a flow to it
  }
  const rows: ReachRow[] = [];
  for (const nic of snap.nics.values()) {
    let f: FlowFacts | undefined;
    try {
      f = classes.facts(nic);
    } catch (e) {
      if (isArmError(e) && e.code !== "InvalidFlow") throw e;
      continue; // a NIC the engine cannot start from: not a source
    }
    if (f) rows.push(rowOf(nic, nic.primaryConfig!.subnetId, f));
  }
  return answerOf(destination, opts, rows);
}

/** The same answer as `whoCanReach`, asking the engine once per NIC (the reference for the class answer). */
export function whoCanReachPairwise(
  snap: Snapshot,
  destination: FlowDestination,
  opts: ReachOptions = {},
): ReachAnswer {
  const rows: ReachRow[] = [];
  for (const nic of snap.nics.values()) {
    const cfg = nic.primaryConfig;
    if (!cfg) continue;
    let f: FlowFacts;
    try {
      f = factsOf(
        evaluate(snap, {
          source: { kind: "nic", nicId: nic.id },
          destination,
          ...(opts.port !== undefined ? { port: opts.port } : {}),
          ...(opts.protocol ? { protocol: opts.protocol } : {}),
        }),
      );
    } catch (e) {
      if (isArmError(e) && e.code !== "InvalidFlow") throw e; // the destination itself is wrong
      continue; // a NIC the engine cannot start from (no subnet): not a source
    }
    rows.push(rowOf(nic, cfg.subnetId, f));
  }
  return answerOf(destination, opts, rows);
}
