/**
 * Long-running operations of the service resource providers (Storage, SQL family, Cosmos DB,
 * Key Vault, Service Bus, Event Hubs, Data Lake Store, Container Registry). They are the
 * operations of lro.ts (same documents, same lock, same deterministic completion) with what
 * those RPs add:
 *
 * - an operation may **fail** (Cosmos DB reports a refused VNet rule through the operation
 *   status: `{ status: "Failed", error: { code: "Conflict", ... } }`, azure-facts §4.9);
 * - Storage's create answers `202` + `Location: .../locations/{loc}/asyncoperations/{id}?monitor=true`,
 *   and that URL answers 202 until done, then 200 with the account itself (real-clients §1.2);
 * - the SQL family answers 202 with both `Azure-AsyncOperation` and `Location`.
 *
 * Status and result URLs use lro.ts's generic paths (`locations/{loc}/operations/{id}` and
 * `operationResults/{id}`) under each namespace rather than each RP's own path names
 * (`serverAzureAsyncOperation`, `operationsStatus`, ...): clients follow the headers.
 */
import { ArmErrors } from "../model/errors.js";
import type { ArmError } from "../model/errors.js";
import type { ArmResponse, Ctx } from "./context.js";
import type { LocationHandler } from "./kinds.js";
import {
  absoluteUrl,
  lroHeaders,
  opKey,
  poll,
  startOperation,
  statusPath,
  type OperationBody,
} from "./lro.js";
import type { ArmResource } from "../model/resources/common.js";
import { idKey } from "../model/resource-id.js";
import { clone } from "./documents.js";
import { readResource } from "./read.js";

export interface ServiceOperation extends OperationBody {
  /** Set when the operation fails: the status says `Failed` with this error. */
  error?: { status: number; code: string; message: string };
  /** `create` while a resource is being created (Cosmos shows `Initializing`), `update` otherwise. */
  phase?: "create" | "update";
  /** The resource a Storage-style `Location` poll answers with once done. */
  resultId?: string;
}

export interface StartArgs {
  subscriptionId: string;
  namespace: string;
  location: string;
  kind: "write" | "delete";
  /** Lower-cased key the operation locks (AnotherOperationInProgress for a second write). */
  target: string;
  updating?: string[];
  error?: ArmError;
  phase?: "create" | "update";
  resultId?: string;
}

/** Records an operation (in the write's transaction); with `error` it ends `Failed`. */
export async function startServiceOperation(ctx: Ctx, args: StartArgs): Promise<ServiceOperation> {
  const op: ServiceOperation = await startOperation(ctx, {
    subscriptionId: args.subscriptionId,
    namespace: args.namespace,
    location: args.location,
    kind: args.kind,
    target: args.target,
    updating: args.updating ?? [],
  });
  if (args.error === undefined && args.phase === undefined && args.resultId === undefined) return op;
  if (args.error)
    op.error = { status: args.error.status, code: args.error.code, message: args.error.message };
  if (args.phase) op.phase = args.phase;
  if (args.resultId) op.resultId = args.resultId;
  const doc = await ctx.store.get(opKey(op.operationId));
  if (doc) await ctx.store.put({ ...doc, body: op });
  return op;
}

/** The running operation's phase on a resource tree, if it is a service operation that says one. */
export function phaseOf(op: OperationBody | undefined): "create" | "update" | undefined {
  return (op as ServiceOperation | undefined)?.phase;
}

/** `Azure-AsyncOperation` + `Location` + `Retry-After` (SQL family, Cosmos DB). */
export function asyncHeaders(ctx: Ctx, op: ServiceOperation): Record<string, string> {
  return lroHeaders(ctx, op, true);
}

/** Storage's `Location` for a create: `.../providers/Microsoft.Storage/locations/{loc}/asyncoperations/{id}?monitor=true&api-version=`. */
export function storageLocationHeaders(ctx: Ctx, op: ServiceOperation): Record<string, string> {
  const path = `/subscriptions/${op.subscriptionId}/providers/${op.namespace}/locations/${op.location}/asyncoperations/${op.operationId}`;
  return {
    Location: `${ctx.req.baseUrl}${path}?monitor=true&api-version=${encodeURIComponent(ctx.req.apiVersion)}`,
    "Retry-After": "1",
  };
}

function errorBody(e: NonNullable<ServiceOperation["error"]>): { code: string; message: string } {
  return { code: e.code, message: e.message };
}

function one(rest: string[], ctx: Ctx): string {
  if (rest.length !== 1) throw ArmErrors.routeNotFound(`${ctx.req.baseUrl}${ctx.req.path}`);
  return rest[0]!;
}

/** `GET .../locations/{loc}/operations/{id}`: InProgress, then Succeeded or Failed (with the error). */
export const serviceOperationStatus: LocationHandler = {
  methods: ["GET"],
  async handle(ctx, a) {
    const { op, done } = await poll(ctx, a.subscriptionId, one(a.rest, ctx));
    const s = op as ServiceOperation;
    const body: Record<string, unknown> = {
      id: statusPath(op),
      name: op.operationId,
      status: done ? (s.error ? "Failed" : "Succeeded") : "InProgress",
      startTime: new Date(op.startMs).toISOString(),
    };
    if (done) {
      body.endTime = new Date(op.completedMs ?? ctx.now).toISOString();
      body.percentComplete = 100;
      if (s.error) body.error = errorBody(s.error);
    }
    const headers: Record<string, string> = done ? {} : { "Retry-After": "1" };
    return { status: 200, body, headers };
  },
};

/** `GET .../locations/{loc}/operationResults/{id}`: 202 while running; then 200 / 204, or the failure. */
export const serviceOperationResult: LocationHandler = {
  methods: ["GET"],
  async handle(ctx, a) {
    const { op, done } = await poll(ctx, a.subscriptionId, one(a.rest, ctx));
    const s = op as ServiceOperation;
    if (!done)
      return { status: 202, headers: { Location: absoluteUrl(ctx, ctx.req.path), "Retry-After": "1" } };
    if (s.error) return { status: s.error.status, body: { error: errorBody(s.error) } };
    if (op.kind === "delete") return { status: 204 };
    const resource = await resultOf(ctx, s);
    return resource ? { status: 200, body: resource } : { status: 200 };
  },
};

/** A child kept as its own document, as the API shows it (these RPs' child resources carry no etag). */
export function childDocView(doc: ArmResource): ArmResource {
  const { etag: _etag, ...rest } = clone(doc);
  return rest as ArmResource;
}

/** The written resource as a GET shows it now (a top-level resource, or a child kept as its own document). */
async function resultOf(ctx: Ctx, op: ServiceOperation): Promise<unknown> {
  const doc = await ctx.store.get(idKey(op.resultId ?? op.target));
  if (!doc) return undefined;
  const body = doc.body as ArmResource;
  return ctx.deps.kinds.byType(body.type) ? readResource(ctx, body.id) : childDocView(body);
}

/**
 * Storage's `GET .../locations/{loc}/asyncoperations/{id}`: 202 + `Location` while running; once
 * done, 200 with the account as a GET shows it (the LRO's final result, real-clients §1.2).
 */
export const storageAsyncOperation: LocationHandler = {
  methods: ["GET"],
  async handle(ctx, a): Promise<ArmResponse> {
    const { op, done } = await poll(ctx, a.subscriptionId, one(a.rest, ctx));
    const s = op as ServiceOperation;
    if (!done) {
      const q = Object.entries(ctx.req.query)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
        .join("&");
      return {
        status: 202,
        headers: { Location: `${ctx.req.baseUrl}${ctx.req.path}${q ? `?${q}` : ""}`, "Retry-After": "1" },
      };
    }
    if (s.error) return { status: s.error.status, body: { error: errorBody(s.error) } };
    if (op.kind === "delete") return { status: 200 };
    const resource = await resultOf(ctx, s);
    if (!resource) throw ArmErrors.operationNotFound(op.operationId);
    return { status: 200, body: resource };
  },
};
