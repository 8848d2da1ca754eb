/**
 * What the engine and the reference must agree on, and a runner that turns a thrown ArmError
 * into a comparable outcome (both must refuse a flow naming unknown things the same way).
 */
import { ArmError } from "../../src/model/errors.js";
import type { Decision, Flow } from "../../src/engine/types.js";
import type { Snapshot } from "../../src/engine/snapshot.js";

export interface Outcome {
  decision?: string;
  sourceAddress?: string;
  viaServiceEndpoint?: boolean;
  nextHopType?: string;
  destinationAddress?: string;
  /** `kind resourceId` per blocker, in order. */
  blockers?: string[];
  error?: string;
  /** ArmError code (or `crash: message` for anything else) when evaluation threw. */
  threw?: string;
}

export function outcomeOf(d: Decision): Outcome {
  return {
    decision: d.decision,
    sourceAddress: d.sourceAddress,
    viaServiceEndpoint: d.viaServiceEndpoint,
    nextHopType: d.nextHopType,
    destinationAddress: d.destinationAddress,
    blockers: d.blockers.map((b) => `${b.kind} ${b.resourceId ?? "-"}`),
    ...(d.error ? { error: d.error.code } : {}),
  };
}

export function run(fn: (s: Snapshot, f: Flow) => Decision, snap: Snapshot, flow: Flow): Outcome {
  try {
    return outcomeOf(fn(snap, flow));
  } catch (e) {
    if (e instanceof ArmError) return { threw: e.code };
    return { threw: `crash: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The fields on which two outcomes differ (empty when they agree). */
export function differences(a: Outcome, b: Outcome): string[] {
  const out: string[] = [];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof Outcome>;
  for (const k of keys) {
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k]))
      out.push(`${k}: engine ${JSON.stringify(a[k])} ≠ reference ${JSON.stringify(b[k])}`);
  }
  return out;
}
