/**
 * Generic handlers for top-level resources (GET, PUT, PATCH, DELETE, list by resource
 * group and by subscription). The kind supplies validation and defaults; everything ARM
 * does the same way for every type lives here: preconditions, the operation lock, server-
 * owned properties, references, etags, LRO answers.
 */
import { ArmErrors } from "../model/errors.js";
import type { ArmResource } from "../model/resources/common.js";
import type { ResourceId } from "../model/resource-id.js";
import type { ArmResponse, Ctx } from "./context.js";
import { inTransaction } from "./context.js";
import { clone, isObject, resourceOf } from "./documents.js";
import type { ResourceKind } from "./kinds.js";
import {
  assertNoRunningOperation,
  isDone,
  lroHeaders,
  runningFor,
  startOperation,
  updatingKeys,
} from "./lro.js";
import { listBody, pageRequest } from "./paging.js";
import { applyReferences } from "./refs.js";
import { assertResourceGroup, getResourceGroup } from "./tenancy.js";
import { UnitOfWork } from "./unit-of-work.js";
import { assertResourceName, bodyObject, objectAt, tagsAt } from "./validate.js";
import { changedChildKeys, viewOf } from "./view.js";

/** If-Match / If-None-Match against the stored etag (undefined = absent). 412 PreconditionFailed. */
export function checkPreconditions(ctx: Ctx, etag: string | undefined): void {
  const parse = (h: string) =>
    h
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  const { ifMatch, ifNoneMatch } = ctx.req;
  if (ifMatch !== undefined) {
    const tags = parse(ifMatch);
    const ok =
      etag !== undefined &&
      (tags.includes("*") || tags.includes(etag) || tags.includes(etag.replace(/^W\//, "")));
    if (!ok) throw ArmErrors.preconditionFailed();
  }
  if (ifNoneMatch !== undefined && etag !== undefined) {
    const tags = parse(ifNoneMatch);
    if (tags.includes("*") || tags.includes(etag)) throw ArmErrors.preconditionFailed();
  }
}

/** Canonical id of a new top-level resource: stored resource-group casing, canonical type casing. */
export function canonicalId(kind: ResourceKind, rgName: string, id: ResourceId, name: string): string {
  return `/subscriptions/${id.subscriptionId}/resourceGroups/${rgName}/providers/${kind.namespace}/${kind.typeName}/${name}`;
}

/** Keeps server-owned top-level properties from the stored version (drops client-sent ones). */
export function keepServerOwned(
  kind: ResourceKind,
  next: ArmResource,
  existing: ArmResource | undefined,
): void {
  for (const k of kind.serverOwned) {
    const v = existing?.properties?.[k];
    if (v !== undefined) next.properties[k] = clone(v);
    else delete next.properties[k];
  }
}

async function notFound(ctx: Ctx, kind: ResourceKind, id: ResourceId): Promise<never> {
  if (!(await getResourceGroup(ctx, id.subscriptionId!, id.resourceGroup!)))
    throw ArmErrors.resourceGroupNotFound(id.resourceGroup!);
  throw ArmErrors.resourceNotFound(kind.type, id.names[0]!, id.resourceGroup!);
}

export async function getTop(ctx: Ctx, kind: ResourceKind, id: ResourceId): Promise<ArmResponse> {
  const existing = resourceOf(await ctx.store.get(id.key));
  if (!existing) return notFound(ctx, kind, id);
  const updating = kind.lro === "sync" ? new Set<string>() : await updatingKeys(ctx, id.key);
  return { status: 200, body: viewOf(kind, existing, updating) };
}

/** The write pipeline shared by PUT and merge-PATCH: prepare, references, commit, operation. */
export async function writeTop(
  tx: Ctx,
  kind: ResourceKind,
  id: ResourceId,
  input: ArmResource,
  existing: ArmResource | undefined,
  created: boolean,
): Promise<ArmResponse> {
  const next = await kind.prepare(tx, input, existing);
  keepServerOwned(kind, next, existing);
  const uow = new UnitOfWork(tx);
  uow.track(existing, next);
  await applyReferences(tx, uow, kind, next, existing);
  if (kind.afterWrite) await kind.afterWrite(tx, uow, next, existing);
  await uow.commit();
  const status = created ? (kind.createdStatus ?? 201) : 200;
  if (kind.lro === "sync" || tx.immediate) return { status, body: viewOf(kind, next, new Set()) };
  const updating = [
    id.key,
    ...kind.children.flatMap((s) => (s.readOnly ? [] : changedChildKeys(s, next, existing))),
  ];
  const op = await startOperation(tx, {
    subscriptionId: id.subscriptionId!,
    namespace: kind.namespace,
    location: next.location ?? "global",
    kind: "write",
    target: id.key,
    updating,
  });
  const shown = isDone(op, tx.now) ? new Set<string>() : new Set(updating);
  return { status, body: viewOf(kind, next, shown), headers: lroHeaders(tx, op, false) };
}

export async function putTop(ctx: Ctx, kind: ResourceKind, id: ResourceId): Promise<ArmResponse> {
  const body = bodyObject(ctx.req.body);
  return inTransaction(ctx, async (tx) => {
    const existing = resourceOf(await tx.store.get(id.key));
    checkPreconditions(tx, existing?.etag);
    const rg = await assertResourceGroup(tx, id.subscriptionId!, id.resourceGroup!);
    if (kind.lro !== "sync") await assertNoRunningOperation(tx, id.key);
    const name = existing?.name ?? id.names[0]!;
    if (!existing) assertResourceName(name, kind.type);
    const input: ArmResource = {
      ...(body as Partial<ArmResource>),
      id: existing?.id ?? canonicalId(kind, rg.name, id, name),
      name,
      type: kind.type,
      properties: propertiesOf(body),
    };
    return writeTop(tx, kind, id, input, existing, existing === undefined);
  });
}

/** A write's `properties`: an object (absent or null: empty); anything else is refused. */
function propertiesOf(body: Record<string, unknown>): Record<string, unknown> {
  const p = objectAt(body.properties, "properties");
  return p ?? {};
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export async function patchTop(ctx: Ctx, kind: ResourceKind, id: ResourceId): Promise<ArmResponse> {
  const body = bodyObject(ctx.req.body);
  return inTransaction(ctx, async (tx) => {
    const existing = resourceOf(await tx.store.get(id.key));
    if (!existing) return notFound(tx, kind, id);
    checkPreconditions(tx, existing.etag);
    if (kind.lro !== "sync") await assertNoRunningOperation(tx, id.key);
    if ((kind.patch ?? "tags") === "merge") {
      objectAt(body.properties, "properties");
      const merged = mergePatch(existing, body) as ArmResource;
      if (!isObject(merged.properties)) merged.properties = {};
      merged.id = existing.id;
      merged.name = existing.name;
      merged.type = existing.type;
      return writeTop(tx, kind, id, merged, existing, false);
    }
    const next = clone(existing);
    if (body.tags !== undefined) {
      const tags = tagsAt(body.tags);
      if (tags === undefined) delete next.tags;
      else next.tags = tags;
    }
    const uow = new UnitOfWork(tx);
    uow.track(existing, next);
    await uow.commit();
    return { status: 200, body: viewOf(kind, next, new Set()) };
  });
}

export async function deleteTop(ctx: Ctx, kind: ResourceKind, id: ResourceId): Promise<ArmResponse> {
  return inTransaction(ctx, async (tx) => {
    const existing = resourceOf(await tx.store.get(id.key));
    if (!existing) {
      await assertResourceGroup(tx, id.subscriptionId!, id.resourceGroup!);
      if (tx.req.ifMatch !== undefined) throw ArmErrors.preconditionFailed();
      return { status: 204 };
    }
    checkPreconditions(tx, existing.etag);
    if (kind.lro !== "sync") await assertNoRunningOperation(tx, id.key);
    await removeTop(tx, kind, existing);
    if (kind.lro === "sync") return { status: 200 };
    const op = await startOperation(tx, {
      subscriptionId: id.subscriptionId!,
      namespace: kind.namespace,
      location: existing.location ?? "global",
      kind: "delete",
      target: id.key,
      updating: [],
    });
    return { status: 202, headers: lroHeaders(tx, op, true) };
  });
}

/** Deletes a stored top-level resource: in-use checks, back references, side effects. */
export async function removeTop(tx: Ctx, kind: ResourceKind, existing: ArmResource): Promise<void> {
  if (kind.beforeDelete) await kind.beforeDelete(tx, existing);
  for (const spec of kind.children) {
    if (!spec.beforeDelete) continue;
    const list = existing.properties?.[spec.property];
    if (Array.isArray(list)) for (const c of list) await spec.beforeDelete(tx, c as ArmResource, existing);
  }
  const uow = new UnitOfWork(tx);
  uow.track(existing, clone(existing));
  uow.remove(existing.id, existing);
  await applyReferences(tx, uow, kind, undefined, existing);
  if (kind.afterWrite) await kind.afterWrite(tx, uow, undefined, existing);
  await uow.commit();
}

export async function listTop(
  ctx: Ctx,
  kind: ResourceKind,
  subscriptionId: string,
  resourceGroup?: string,
): Promise<ArmResponse> {
  if (resourceGroup !== undefined) await assertResourceGroup(ctx, subscriptionId, resourceGroup);
  const page = pageRequest(ctx);
  const res = await ctx.store.list({
    type: kind.type.toLowerCase(),
    subscriptionId: subscriptionId.toLowerCase(),
    ...(resourceGroup !== undefined ? { resourceGroup: resourceGroup.toLowerCase() } : {}),
    limit: page.limit,
    ...(page.after !== undefined ? { after: page.after } : {}),
  });
  const running =
    kind.lro === "sync"
      ? new Map<string, Set<string>>()
      : await runningFor(
          ctx,
          res.items.map((d) => d.key),
        );
  const value = res.items.map((d) => viewOf(kind, d.body as ArmResource, running.get(d.key) ?? new Set()));
  return { status: 200, body: listBody(ctx, value, res.next) };
}
