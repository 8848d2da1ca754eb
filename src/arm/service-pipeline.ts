/**
 * The write pipeline of service resources whose RPs answer differently from the network RP
 * (ResourceKind.serve): Storage (create: 202 + `Location`, the rest synchronous), the SQL family
 * (202 + `Azure-AsyncOperation` + `Location` with an empty body), Cosmos DB (200 with the body,
 * `provisioningState: "Initializing"`, failures through the operation status). Validation,
 * defaults, references and the commit are tracked.ts's (`writeTop`); only the answer differs.
 *
 * It also serves child resources kept as their own documents (parent = the resource's key),
 * as Azure shows them: SQL-family `virtualNetworkRules` / `firewallRules` / `databases` and the
 * Service Bus / Event Hubs `networkRuleSets/default` are not part of their parent's GET. Kept
 * apart, they reach the engine's Snapshot as the separate child entries it reads.
 */
import type { ArmError } from "../model/errors.js";
import { ArmErrors } from "../model/errors.js";
import type { ArmResource } from "../model/resources/common.js";
import { idKey, type ResourceId } from "../model/resource-id.js";
import type { ArmResponse, Ctx } from "./context.js";
import { inTransaction } from "./context.js";
import { clone, isObject, resourceOf } from "./documents.js";
import type { ResourceKind, ServeRoute } from "./kinds.js";
import { assertNoRunningOperation, opKey, runningOperation } from "./lro.js";
import {
  asyncHeaders,
  childDocView,
  phaseOf,
  startServiceOperation,
  storageLocationHeaders,
  type ServiceOperation,
} from "./service-operations.js";

export { childDocView };
import { assertResourceGroup } from "./tenancy.js";
import { canonicalId, checkPreconditions, mergePatch, removeTop, writeTop } from "./tracked.js";
import { UnitOfWork } from "./unit-of-work.js";
import { assertResourceName, bodyObject } from "./validate.js";

/**
 * Thrown by a kind's `prepare` for a refusal its RP reports asynchronously (Cosmos DB): the
 * pipeline then commits nothing but a failed operation, and answers as if the write started.
 * Never reaches the HTTP shell.
 */
export class DeferredFailure extends Error {
  constructor(
    /** The error the operation status reports, given the operation's id. */
    readonly make: (operationId: string) => ArmError,
    /** What the PUT answers meanwhile (the resource as requested). */
    readonly shown: ArmResource,
  ) {
    super("deferred failure");
    this.name = "DeferredFailure";
  }
}

/** A child resource kept as its own document. */
export interface SeparateChild {
  /** URL segment, e.g. `virtualNetworkRules`. */
  segment: string;
  /** Canonical type, e.g. `Microsoft.Sql/servers/virtualNetworkRules`. */
  type: string;
  /** `async`: 202 + Azure-AsyncOperation + Location; `sync`: the final answer at once. */
  lro: "async" | "sync";
  /** Status of a synchronous PUT that creates (the API's; Service Bus rule sets answer 200). */
  createdStatus?: 200 | 201;
  /** The only name the API allows (`default` for rule sets). */
  singleton?: string;
  /** Validates the request and returns the document to store (id, name, type, properties). */
  prepare(
    ctx: Ctx,
    args: {
      id: string;
      name: string;
      body: Record<string, unknown>;
      parent: ArmResource;
      existing?: ArmResource;
    },
  ): Promise<ArmResource>;
  /** GET answer when nothing is stored (Service Bus / Event Hubs: the implicit default rule set). */
  implicit?(parent: ArmResource, id: string): ArmResource;
}

export interface ServiceServeOptions {
  /** How top-level writes answer (`network`: leave them to tracked.ts). */
  answer: "storage" | "async" | "cosmos" | "network";
  children?: readonly SeparateChild[];
  /** Properties a PATCH replaces whole instead of merging (Storage `networkAcls`). */
  replaceOnPatch?: readonly string[];
  /** The GET view while an operation of the given phase runs (Cosmos: `Initializing`). */
  viewWhile?(resource: ArmResource, phase: "create" | "update"): ArmResource;
}

function lower(s: string | undefined): string {
  return (s ?? "").toLowerCase();
}

/** Builds a kind's `serve` from the options. */
export function serveService(opts: ServiceServeOptions): NonNullable<ResourceKind["serve"]> {
  return async function serve(ctx: Ctx, route: ServeRoute): Promise<ArmResponse | undefined> {
    const kind = route.kind;
    const m = ctx.req.method;
    if (route.types.length === 1 && route.names.length === 1) {
      if (opts.answer === "network") return undefined;
      if (m === "PUT") return putService(ctx, kind, route.top, opts);
      if (m === "PATCH") return patchService(ctx, kind, route.top, opts);
      if (m === "DELETE") return deleteService(ctx, kind, route.top, opts);
      if (m === "GET" && opts.viewWhile) return getWhile(ctx, route.top, opts);
      return undefined;
    }
    if (route.types.length !== 2) return undefined;
    const spec = opts.children?.find((c) => lower(c.segment) === lower(route.types[1]));
    if (!spec) return undefined;
    if (route.names.length === 1) {
      if (m !== "GET") throw ArmErrors.methodNotAllowed(m);
      return listChildDocs(ctx, kind, spec, route.top);
    }
    if (route.names.length !== 2) return undefined;
    const name = route.names[1]!;
    if (m === "GET") return getChildDoc(ctx, kind, spec, route.top, name);
    if (m === "PUT") return putChildDoc(ctx, kind, spec, route.top, name);
    if (m === "DELETE") return deleteChildDoc(ctx, kind, spec, route.top, name);
    throw ArmErrors.methodNotAllowed(m);
  };
}

// ---- Top-level resources ----

async function getWhile(
  ctx: Ctx,
  id: ResourceId,
  opts: ServiceServeOptions,
): Promise<ArmResponse | undefined> {
  const existing = resourceOf(await ctx.store.get(id.key));
  if (!existing) return undefined;
  const phase = phaseOf(await runningOperation(ctx, id.key));
  return { status: 200, body: phase ? opts.viewWhile!(clone(existing), phase) : clone(existing) };
}

async function putService(
  ctx: Ctx,
  kind: ResourceKind,
  id: ResourceId,
  opts: ServiceServeOptions,
): Promise<ArmResponse> {
  const body = bodyObject(ctx.req.body);
  return inTransaction(ctx, async (tx) => {
    const existing = resourceOf(await tx.store.get(id.key));
    checkPreconditions(tx, existing?.etag);
    const rg = await assertResourceGroup(tx, id.subscriptionId!, id.resourceGroup!);
    await assertNoRunningOperation(tx, id.key);
    const name = existing?.name ?? id.names[0]!;
    if (body.properties !== undefined && body.properties !== null && !isObject(body.properties)) {
      throw ArmErrors.invalidRequestFormat(
        "Cannot parse the request. The value at 'properties' must be an object.",
      );
    }
    const input: ArmResource = {
      ...(body as Partial<ArmResource>),
      id: existing?.id ?? canonicalId(kind, rg.name, id, name),
      name,
      type: kind.type,
      properties: isObject(body.properties) ? body.properties : {},
    };
    return write(tx, kind, id, input, existing, opts);
  });
}

async function patchService(
  ctx: Ctx,
  kind: ResourceKind,
  id: ResourceId,
  opts: ServiceServeOptions,
): Promise<ArmResponse> {
  const body = bodyObject(ctx.req.body);
  return inTransaction(ctx, async (tx) => {
    const existing = resourceOf(await tx.store.get(id.key));
    if (!existing) {
      await assertResourceGroup(tx, id.subscriptionId!, id.resourceGroup!);
      throw ArmErrors.resourceNotFound(kind.type, id.names[0]!, id.resourceGroup!);
    }
    checkPreconditions(tx, existing.etag);
    await assertNoRunningOperation(tx, id.key);
    const merged = mergePatch(existing, body) as ArmResource;
    const props = isObject(body.properties) ? body.properties : {};
    for (const k of opts.replaceOnPatch ?? []) if (isObject(props[k])) merged.properties[k] = clone(props[k]);
    merged.id = existing.id;
    merged.name = existing.name;
    merged.type = existing.type;
    return write(tx, kind, id, merged, existing, opts);
  });
}

async function write(
  tx: Ctx,
  kind: ResourceKind,
  id: ResourceId,
  input: ArmResource,
  existing: ArmResource | undefined,
  opts: ServiceServeOptions,
): Promise<ArmResponse> {
  const created = existing === undefined;
  let res: ArmResponse;
  try {
    res = await writeTop({ ...tx, immediate: true }, kind, id, input, existing, created);
  } catch (e) {
    if (e instanceof DeferredFailure && !tx.immediate) return failLater(tx, kind, id, e, created);
    if (e instanceof DeferredFailure) throw e.make("00000000-0000-0000-0000-000000000000");
    throw e;
  }
  if (tx.immediate) return res;
  const written = res.body as ArmResource;
  const base = {
    subscriptionId: id.subscriptionId!,
    namespace: kind.namespace,
    location: written.location ?? "global",
    target: id.key,
  };
  switch (opts.answer) {
    case "storage": {
      if (!created) return res;
      const op = await startServiceOperation(tx, {
        ...base,
        kind: "write",
        phase: "create",
        resultId: written.id,
      });
      return { status: 202, headers: storageLocationHeaders(tx, op) };
    }
    case "async": {
      const op = await startServiceOperation(tx, {
        ...base,
        kind: "write",
        phase: created ? "create" : "update",
      });
      return { status: 202, headers: asyncHeaders(tx, op) };
    }
    default: {
      const phase = created ? "create" : "update";
      const op = await startServiceOperation(tx, { ...base, kind: "write", phase });
      const body = opts.viewWhile ? opts.viewWhile(clone(written), phase) : written;
      return { status: res.status, body, headers: asyncHeaders(tx, op) };
    }
  }
}

/** Records a failing operation (nothing else is written) and answers as if the write had started. */
async function failLater(
  tx: Ctx,
  kind: ResourceKind,
  id: ResourceId,
  f: DeferredFailure,
  created: boolean,
): Promise<ArmResponse> {
  const phase = created ? "create" : "update";
  const op: ServiceOperation = await startServiceOperation(tx, {
    subscriptionId: id.subscriptionId!,
    namespace: kind.namespace,
    location: f.shown.location ?? "global",
    kind: "write",
    target: id.key,
    phase,
  });
  const error = f.make(op.operationId);
  const doc = await tx.store.get(opKey(op.operationId));
  if (doc)
    await tx.store.put({
      ...doc,
      body: { ...op, error: { status: error.status, code: error.code, message: error.message } },
    });
  return {
    status: created ? (kind.createdStatus ?? 201) : 200,
    body: f.shown,
    headers: asyncHeaders(tx, op),
  };
}

async function deleteService(
  ctx: Ctx,
  kind: ResourceKind,
  id: ResourceId,
  opts: ServiceServeOptions,
): Promise<ArmResponse> {
  return inTransaction(ctx, async (tx) => {
    const existing = resourceOf(await tx.store.get(id.key));
    if (!existing) {
      await assertResourceGroup(tx, id.subscriptionId!, id.resourceGroup!);
      if (tx.req.ifMatch !== undefined) throw ArmErrors.preconditionFailed();
      return { status: 204 };
    }
    checkPreconditions(tx, existing.etag);
    await assertNoRunningOperation(tx, id.key);
    await removeTop(tx, kind, existing);
    if (opts.answer === "storage" || tx.immediate) return { status: 200 };
    const op = await startServiceOperation(tx, {
      subscriptionId: id.subscriptionId!,
      namespace: kind.namespace,
      location: existing.location ?? "global",
      kind: "delete",
      target: id.key,
    });
    return { status: 202, headers: asyncHeaders(tx, op) };
  });
}

// ---- Children kept as their own documents ----

async function loadParent(ctx: Ctx, kind: ResourceKind, top: ResourceId): Promise<ArmResource> {
  const parent = resourceOf(await ctx.store.get(top.key));
  if (parent) return parent;
  await assertResourceGroup(ctx, top.subscriptionId!, top.resourceGroup!);
  throw ArmErrors.resourceNotFound(kind.type, top.names[0]!, top.resourceGroup!);
}

function childIdOf(parent: ArmResource, spec: SeparateChild, name: string): string {
  return `${parent.id}/${spec.segment}/${name}`;
}

function checkSingleton(ctx: Ctx, spec: SeparateChild, name: string): void {
  if (spec.singleton !== undefined && name.toLowerCase() !== spec.singleton.toLowerCase()) {
    throw ArmErrors.routeNotFound(`${ctx.req.baseUrl}${ctx.req.path}`);
  }
}

async function listChildDocs(
  ctx: Ctx,
  kind: ResourceKind,
  spec: SeparateChild,
  top: ResourceId,
): Promise<ArmResponse> {
  const parent = await loadParent(ctx, kind, top);
  const page = await ctx.store.list({ type: spec.type.toLowerCase(), parent: idKey(parent.id) });
  const value = page.items.map((d) => childDocView(d.body as ArmResource));
  if (value.length === 0 && spec.implicit && spec.singleton)
    value.push(spec.implicit(parent, childIdOf(parent, spec, spec.singleton)));
  return { status: 200, body: { value } };
}

async function getChildDoc(
  ctx: Ctx,
  kind: ResourceKind,
  spec: SeparateChild,
  top: ResourceId,
  name: string,
): Promise<ArmResponse> {
  const parent = await loadParent(ctx, kind, top);
  checkSingleton(ctx, spec, name);
  const doc = resourceOf(await ctx.store.get(idKey(childIdOf(parent, spec, name))));
  if (doc) return { status: 200, body: childDocView(doc) };
  if (spec.implicit)
    return { status: 200, body: spec.implicit(parent, childIdOf(parent, spec, spec.singleton ?? name)) };
  throw ArmErrors.resourceNotFound(spec.type, `${parent.name}/${name}`, top.resourceGroup!);
}

async function putChildDoc(
  ctx: Ctx,
  kind: ResourceKind,
  spec: SeparateChild,
  top: ResourceId,
  urlName: string,
): Promise<ArmResponse> {
  const body = bodyObject(ctx.req.body);
  return inTransaction(ctx, async (tx) => {
    const parent = await loadParent(tx, kind, top);
    checkSingleton(tx, spec, urlName);
    const existing = resourceOf(await tx.store.get(idKey(childIdOf(parent, spec, urlName))));
    const name = existing?.name ?? spec.singleton ?? urlName;
    if (!existing) assertResourceName(name, spec.type);
    const id = childIdOf(parent, spec, name);
    await assertNoRunningOperation(tx, idKey(id));
    const next = await spec.prepare(tx, { id, name, body, parent, ...(existing ? { existing } : {}) });
    const uow = new UnitOfWork(tx);
    uow.track(existing, next, idKey(parent.id));
    await uow.commit();
    if (spec.lro === "sync" || tx.immediate) {
      return { status: existing ? 200 : (spec.createdStatus ?? 201), body: childDocView(next) };
    }
    const op = await startServiceOperation(tx, {
      subscriptionId: top.subscriptionId!,
      namespace: kind.namespace,
      location: parent.location ?? "global",
      kind: "write",
      target: idKey(id),
      phase: existing ? "update" : "create",
    });
    return { status: 202, headers: asyncHeaders(tx, op) };
  });
}

async function deleteChildDoc(
  ctx: Ctx,
  kind: ResourceKind,
  spec: SeparateChild,
  top: ResourceId,
  name: string,
): Promise<ArmResponse> {
  return inTransaction(ctx, async (tx) => {
    const parent = await loadParent(tx, kind, top);
    checkSingleton(tx, spec, name);
    const key = idKey(childIdOf(parent, spec, name));
    const existing = resourceOf(await tx.store.get(key));
    if (!existing) return { status: 204 };
    await assertNoRunningOperation(tx, key);
    const uow = new UnitOfWork(tx);
    uow.remove(existing.id, existing);
    await uow.commit();
    if (spec.lro === "sync" || tx.immediate) return { status: 200 };
    const op = await startServiceOperation(tx, {
      subscriptionId: top.subscriptionId!,
      namespace: kind.namespace,
      location: parent.location ?? "global",
      kind: "delete",
      target: key,
    });
    return { status: 202, headers: asyncHeaders(tx, op) };
  });
}

/** Removes a resource's child documents with it (call from the kind's `afterWrite` on delete). */
export async function removeChildDocs(tx: Ctx, uow: UnitOfWork, parentId: string): Promise<void> {
  const page = await tx.store.list({ parent: idKey(parentId) });
  for (const d of page.items) {
    if (d.type.startsWith("lazurite/")) continue;
    await uow.load(d.id);
    uow.remove(d.id, d.body as ArmResource);
  }
}

/** Child documents of a resource of one type (for validation: limits, duplicates). */
export async function childDocs(ctx: Ctx, parentId: string, type: string): Promise<ArmResource[]> {
  const page = await ctx.store.list({ type: type.toLowerCase(), parent: idKey(parentId) });
  return page.items.map((d) => d.body as ArmResource);
}
