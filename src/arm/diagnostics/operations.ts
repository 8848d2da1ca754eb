/**
 * Long-running POSTs that answer a result (effectiveRouteTable, effectiveNetworkSecurityGroups,
 * Network Watcher's ipFlowVerify, nextHop, …), as the network RP runs them and as
 * @azure/arm-network's pollers expect (`resourceLocationConfig: "location"`):
 *
 *   POST …/effectiveRouteTable          → 202, `Location: …/locations/{loc}/operationResults/{id}`, `Retry-After`
 *                                         (200 with the result at once when the LroPolicy completes operations without polls)
 *   GET  …/operationResults/{id}        → 202 while running, then 200 with the result body
 *   GET  …/operations/{id}              → `{status: InProgress|Succeeded}` (for clients that look)
 *
 * The result is computed when the POST arrives (from the resources as they are then) and kept
 * in the store next to the write operations (key `diagop:{id}`), so a restart does not lose a
 * poll; completion follows the server's LroPolicy like every other operation. Only the newest
 * KEEP results per subscription are kept.
 */
import { ArmErrors } from "../../model/errors.js";
import type { ArmResponse, Ctx } from "../context.js";
import type { LocationHandler } from "../kinds.js";
import { absoluteUrl, resultPath, statusPath } from "../lro.js";

export const DIAGNOSTIC_OPERATION_TYPE = "lazurite/diagnostic-operations";
const KEEP = 50;

interface DiagnosticOperation {
  operationId: string;
  subscriptionId: string;
  namespace: string;
  location: string;
  startMs: number;
  dueMs: number;
  pollsNeeded: number;
  polls: number;
  completedMs?: number;
  result: unknown;
}

function key(operationId: string): string {
  return `diagop:${operationId.toLowerCase()}`;
}

function parentKey(subscriptionId: string): string {
  return `diagops:${subscriptionId.toLowerCase()}`;
}

function done(op: DiagnosticOperation, now: number): boolean {
  return op.completedMs !== undefined || op.polls >= op.pollsNeeded || now >= op.dueMs;
}

/** Records the result and answers 202 + Location (the network RP's answer to these POSTs). */
export async function acceptDiagnostic(
  ctx: Ctx,
  args: { subscriptionId: string; location: string; result: unknown },
): Promise<ArmResponse> {
  const policy = ctx.deps.lro;
  // Complete at once (fixture loading, or a server told to answer LROs without polls): 200 with the result.
  if (ctx.immediate || policy.inProgressPolls <= 0 || policy.maxDurationMs <= 0)
    return { status: 200, body: args.result };
  const op: DiagnosticOperation = {
    operationId: ctx.deps.ids.guid(),
    subscriptionId: args.subscriptionId,
    namespace: "Microsoft.Network",
    location: (args.location || "global").toLowerCase(),
    startMs: ctx.now,
    dueMs: ctx.now + Math.max(0, policy.maxDurationMs),
    pollsNeeded: Math.max(0, Math.floor(policy.inProgressPolls)),
    polls: 0,
    result: args.result,
  };
  const parent = parentKey(args.subscriptionId);
  await ctx.store.transaction(async (store) => {
    const old = await store.list({ type: DIAGNOSTIC_OPERATION_TYPE, parent });
    const byAge = old.items.map((d) => d.body as DiagnosticOperation).sort((a, b) => b.startMs - a.startMs);
    for (const o of byAge.slice(KEEP - 1)) await store.delete(key(o.operationId));
    await store.put({
      key: key(op.operationId),
      id: statusPath(op),
      type: DIAGNOSTIC_OPERATION_TYPE,
      subscriptionId: args.subscriptionId.toLowerCase(),
      parent,
      etag: op.operationId,
      body: op,
    });
  });
  return {
    status: 202,
    headers: { Location: absoluteUrl(ctx, resultPath(op)), "Retry-After": "1" },
  };
}

async function poll(
  ctx: Ctx,
  subscriptionId: string,
  operationId: string,
): Promise<{ op: DiagnosticOperation; done: boolean } | undefined> {
  return ctx.store.transaction(async (store) => {
    const doc = await store.get(key(operationId));
    const op = doc?.body as DiagnosticOperation | undefined;
    if (!doc || !op) return undefined;
    if (op.subscriptionId.toLowerCase() !== subscriptionId.toLowerCase())
      throw ArmErrors.operationNotFound(operationId);
    const finished = done(op, ctx.now);
    if (finished && op.completedMs !== undefined) return { op, done: true };
    if (finished) op.completedMs = ctx.now;
    else op.polls += 1;
    await store.put({ ...doc, body: op });
    return { op, done: finished };
  });
}

/** Wraps `locations/{loc}/operationResults`: diagnostic results first, write operations otherwise. */
export function withDiagnosticResults(inner: LocationHandler): LocationHandler {
  return {
    methods: inner.methods,
    async handle(ctx, a) {
      if (a.rest.length === 1) {
        const p = await poll(ctx, a.subscriptionId, a.rest[0]!);
        if (p) {
          if (!p.done)
            return {
              status: 202,
              headers: { Location: absoluteUrl(ctx, resultPath(p.op)), "Retry-After": "1" },
            };
          return { status: 200, body: p.op.result };
        }
      }
      return inner.handle(ctx, a);
    },
  };
}

/** Wraps `locations/{loc}/operations`: the status of a diagnostic operation, or of a write. */
export function withDiagnosticStatus(inner: LocationHandler): LocationHandler {
  return {
    methods: inner.methods,
    async handle(ctx, a) {
      if (a.rest.length === 1) {
        const p = await poll(ctx, a.subscriptionId, a.rest[0]!);
        if (p) {
          const body: Record<string, unknown> = {
            id: statusPath(p.op),
            name: p.op.operationId,
            status: p.done ? "Succeeded" : "InProgress",
            startTime: new Date(p.op.startMs).toISOString(),
          };
          if (p.done) {
            body.endTime = new Date(p.op.completedMs ?? ctx.now).toISOString();
            body.percentComplete = 100;
          }
          return { status: 200, body, headers: p.done ? {} : { "Retry-After": "1" } };
        }
      }
      return inner.handle(ctx, a);
    },
  };
}
