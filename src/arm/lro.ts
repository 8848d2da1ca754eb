/**
 * Long-running operations, as the network and compute RPs run them (azure-facts §4.9,
 * real-clients §1.2–1.3): a write stores the resource in its final form at once and records
 * an operation. Until the operation completes, reads of the resources it targets say
 * `provisioningState: "Updating"` and a second write to the same resource tree gets 409
 * `AnotherOperationInProgress`.
 *
 * Completion is deterministic (LroPolicy): the operation answers `InProgress` to the first
 * `inProgressPolls` status polls and `Succeeded` afterwards, or completes by itself once
 * `maxDurationMs` of the injected clock have passed since it started (so clients that never
 * poll are not blocked for ever).
 *
 * Operation documents live in the store (key `op:{id}`, parent = the target's top-level key),
 * so a restart neither forgets nor completes them early.
 */
import { ArmErrors } from "../model/errors.js";
import type { ArmResponse, Ctx } from "./context.js";

export const OPERATION_TYPE = "lazurite/operations";

export interface OperationBody {
  operationId: string;
  subscriptionId: string;
  namespace: string;
  location: string;
  kind: "write" | "delete";
  /** Lower-cased top-level key the operation locks. */
  target: string;
  /** Lower-cased keys that read `Updating` while the operation runs. */
  updating: string[];
  startMs: number;
  dueMs: number;
  pollsNeeded: number;
  polls: number;
  completedMs?: number;
}

export function opKey(operationId: string): string {
  return `op:${operationId.toLowerCase()}`;
}

export function isDone(op: OperationBody, now: number): boolean {
  return op.completedMs !== undefined || op.polls >= op.pollsNeeded || now >= op.dueMs;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Path of the operation-status resource (`Azure-AsyncOperation`). */
export function statusPath(
  op: Pick<OperationBody, "subscriptionId" | "namespace" | "location" | "operationId">,
): string {
  if (op.namespace === "Microsoft.Resources")
    return `/subscriptions/${op.subscriptionId}/operationresults/${op.operationId}`;
  return `/subscriptions/${op.subscriptionId}/providers/${op.namespace}/locations/${op.location}/operations/${op.operationId}`;
}

/** Path of the operation-result resource (`Location`). */
export function resultPath(
  op: Pick<OperationBody, "subscriptionId" | "namespace" | "location" | "operationId">,
): string {
  if (op.namespace === "Microsoft.Resources")
    return `/subscriptions/${op.subscriptionId}/operationresults/${op.operationId}`;
  return `/subscriptions/${op.subscriptionId}/providers/${op.namespace}/locations/${op.location}/operationResults/${op.operationId}`;
}

export function absoluteUrl(ctx: Ctx, path: string): string {
  return `${ctx.req.baseUrl}${path}?api-version=${encodeURIComponent(ctx.req.apiVersion)}`;
}

/** The running operation on a top-level resource tree, if any. */
export async function runningOperation(ctx: Ctx, targetKey: string): Promise<OperationBody | undefined> {
  const page = await ctx.store.list({ type: OPERATION_TYPE, parent: targetKey });
  let running: OperationBody | undefined;
  for (const d of page.items) {
    const op = d.body as OperationBody;
    if (!isDone(op, ctx.now) && (!running || op.startMs > running.startMs)) running = op;
  }
  return running;
}

/** Keys reading `Updating` in a tree right now (empty when nothing runs). */
export async function updatingKeys(ctx: Ctx, targetKey: string): Promise<Set<string>> {
  const op = await runningOperation(ctx, targetKey);
  return new Set(op ? op.updating : []);
}

/** Running operations of several trees at once, by target key (one query for list answers). */
export async function runningFor(ctx: Ctx, targetKeys: readonly string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  if (targetKeys.length === 0) return out;
  const page = await ctx.store.list({ type: OPERATION_TYPE, parentIn: targetKeys });
  for (const d of page.items) {
    const op = d.body as OperationBody;
    if (isDone(op, ctx.now)) continue;
    const set = out.get(op.target) ?? new Set<string>();
    for (const k of op.updating) set.add(k);
    out.set(op.target, set);
  }
  return out;
}

/** 409 AnotherOperationInProgress when an operation runs on the tree. */
export async function assertNoRunningOperation(ctx: Ctx, targetKey: string): Promise<void> {
  const op = await runningOperation(ctx, targetKey);
  if (op) throw ArmErrors.anotherOperationInProgress(absoluteUrl(ctx, statusPath(op)));
}

const KEEP_FINISHED = 3;

/** Records a new operation (inside the write's transaction) and prunes old finished ones. */
export async function startOperation(
  ctx: Ctx,
  args: {
    subscriptionId: string;
    namespace: string;
    location: string;
    kind: "write" | "delete";
    target: string;
    updating: string[];
  },
): Promise<OperationBody> {
  const policy = ctx.deps.lro;
  const op: OperationBody = {
    operationId: ctx.deps.ids.guid(),
    subscriptionId: args.subscriptionId,
    namespace: args.namespace,
    location: (args.location || "global").toLowerCase(),
    kind: args.kind,
    target: args.target,
    updating: args.updating,
    startMs: ctx.now,
    dueMs: ctx.now + Math.max(0, policy.maxDurationMs),
    pollsNeeded: Math.max(0, Math.floor(policy.inProgressPolls)),
    polls: 0,
  };
  const previous = await ctx.store.list({ type: OPERATION_TYPE, parent: args.target });
  const finished = previous.items
    .map((d) => d.body as OperationBody)
    .filter((o) => isDone(o, ctx.now))
    .sort((a, b) => b.startMs - a.startMs);
  for (const old of finished.slice(KEEP_FINISHED - 1)) await ctx.store.delete(opKey(old.operationId));
  await ctx.store.put({
    key: opKey(op.operationId),
    id: statusPath(op),
    type: OPERATION_TYPE,
    subscriptionId: args.subscriptionId.toLowerCase(),
    parent: args.target,
    etag: op.operationId,
    body: op,
  });
  return op;
}

/** Headers of an accepted asynchronous write or delete. */
export function lroHeaders(ctx: Ctx, op: OperationBody, withLocation: boolean): Record<string, string> {
  const h: Record<string, string> = {
    "Azure-AsyncOperation": absoluteUrl(ctx, statusPath(op)),
    "Retry-After": "1",
  };
  if (withLocation) h["Location"] = absoluteUrl(ctx, resultPath(op));
  return h;
}

/** Reads an operation for a poll; counts the poll and completes it when due. */
export async function poll(
  ctx: Ctx,
  subscriptionId: string,
  operationId: string,
): Promise<{ op: OperationBody; done: boolean }> {
  return ctx.store.transaction(async (store) => {
    const doc = await store.get(opKey(operationId));
    const op = doc?.body as OperationBody | undefined;
    if (!doc || !op || op.subscriptionId.toLowerCase() !== subscriptionId.toLowerCase()) {
      throw ArmErrors.operationNotFound(operationId);
    }
    const done = isDone(op, ctx.now);
    if (done && op.completedMs !== undefined) return { op, done };
    if (done) op.completedMs = op.polls >= op.pollsNeeded ? ctx.now : Math.min(ctx.now, op.dueMs);
    else op.polls += 1;
    await store.put({ ...doc, body: op });
    return { op, done };
  });
}

/** `GET .../operations/{id}`: the operation-status resource. */
export async function operationStatus(
  ctx: Ctx,
  subscriptionId: string,
  operationId: string,
): Promise<ArmResponse> {
  const { op, done } = await poll(ctx, subscriptionId, operationId);
  const body: Record<string, unknown> = {
    id: statusPath(op),
    name: op.operationId,
    status: done ? "Succeeded" : "InProgress",
    startTime: iso(op.startMs),
  };
  if (done) {
    body.endTime = iso(op.completedMs ?? ctx.now);
    body.percentComplete = 100;
  }
  return { status: 200, body, headers: done ? {} : { "Retry-After": "1" } };
}

/** `GET .../operationResults/{id}` (the `Location` URL): 202 while running, then 204 (200 for a write). */
export async function operationResult(
  ctx: Ctx,
  subscriptionId: string,
  operationId: string,
): Promise<ArmResponse> {
  const { op, done } = await poll(ctx, subscriptionId, operationId);
  if (!done) {
    return {
      status: 202,
      headers: { Location: absoluteUrl(ctx, resultPath(op)), "Retry-After": "1" },
    };
  }
  return { status: op.kind === "delete" ? 204 : 200 };
}
