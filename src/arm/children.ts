/**
 * Child resources kept inline in their parent (subnets in a VNet, rules in an NSG, routes in
 * a route table, ...). A child PUT or DELETE is a write of the parent with one element
 * replaced or removed, so the parent's validation (overlaps, priorities, in-use checks) runs
 * in one place whichever way the client writes, and the VNet's inline `subnets[]` and the
 * subnet resources can never disagree.
 */
import { ArmErrors } from "../model/errors.js";
import type { ArmResource } from "../model/resources/common.js";
import { idKey, type ResourceId } from "../model/resource-id.js";
import type { ArmResponse, Ctx } from "./context.js";
import { inTransaction } from "./context.js";
import { clone, isObject, resourceOf, topLevelOf } from "./documents.js";
import type { ChildSpec, ResourceKind } from "./kinds.js";
import { assertNoRunningOperation, isDone, lroHeaders, startOperation, updatingKeys } from "./lro.js";
import { applyReferences, findChild } from "./refs.js";
import { assertResourceGroup } from "./tenancy.js";
import { checkPreconditions, keepServerOwned } from "./tracked.js";
import { UnitOfWork } from "./unit-of-work.js";
import { countLimitOf } from "../model/catalog/limits.js";
import { arrayAt, assertResourceName, bodyObject, childEnvelope, objectAt, stringAt } from "./validate.js";
import { childViewOf } from "./view.js";

async function loadParent(ctx: Ctx, kind: ResourceKind, id: ResourceId): Promise<ArmResource> {
  const top = topLevelOf(id);
  const parent = resourceOf(await ctx.store.get(top.key));
  if (!parent) {
    await assertResourceGroup(ctx, id.subscriptionId!, id.resourceGroup!);
    throw ArmErrors.resourceNotFound(kind.type, id.names[0]!, id.resourceGroup!);
  }
  return parent;
}

export async function getChild(
  ctx: Ctx,
  kind: ResourceKind,
  spec: ChildSpec,
  id: ResourceId,
): Promise<ArmResponse> {
  const parent = await loadParent(ctx, kind, id);
  const child = findChild(parent, spec.property, id.names[1]!);
  if (!child) throw ArmErrors.childResourceNotFound(id.text);
  const updating = kind.lro === "sync" ? new Set<string>() : await updatingKeys(ctx, topLevelOf(id).key);
  return { status: 200, body: childViewOf(child, updating) };
}

export async function listChildren(
  ctx: Ctx,
  kind: ResourceKind,
  spec: ChildSpec,
  id: ResourceId,
): Promise<ArmResponse> {
  const parent = await loadParent(ctx, kind, id);
  const updating = kind.lro === "sync" ? new Set<string>() : await updatingKeys(ctx, topLevelOf(id).key);
  const list = parent.properties?.[spec.property];
  const value = Array.isArray(list) ? (list as ArmResource[]).map((c) => childViewOf(c, updating)) : [];
  return { status: 200, body: { value } };
}

/** Writes a new version of the parent (prepared by the kind) and answers for one child. */
async function writeParent(
  tx: Ctx,
  kind: ResourceKind,
  parentId: ResourceId,
  parent: ArmResource,
  input: ArmResource,
  childKey: string,
  mode: "put" | "delete",
  created: boolean,
  spec: ChildSpec,
): Promise<ArmResponse> {
  const next = await kind.prepare(tx, input, parent);
  keepServerOwned(kind, next, parent);
  const uow = new UnitOfWork(tx);
  uow.track(parent, next);
  await applyReferences(tx, uow, kind, next, parent);
  if (kind.afterWrite) await kind.afterWrite(tx, uow, next, parent);
  await uow.commit();
  const written =
    mode === "put"
      ? findChild(next, spec.property, childKey.slice(childKey.lastIndexOf("/") + 1))
      : undefined;
  if (kind.lro === "sync" || tx.immediate) {
    return mode === "put"
      ? { status: created ? 201 : 200, body: childViewOf(written!, new Set()) }
      : { status: 200 };
  }
  const updating = mode === "put" ? [childKey] : [];
  const op = await startOperation(tx, {
    subscriptionId: parentId.subscriptionId!,
    namespace: kind.namespace,
    location: next.location ?? "global",
    kind: mode === "put" ? "write" : "delete",
    target: parentId.key,
    updating,
  });
  if (mode === "delete") return { status: 202, headers: lroHeaders(tx, op, true) };
  const shown = isDone(op, tx.now) ? new Set<string>() : new Set(updating);
  return {
    status: created ? 201 : 200,
    body: childViewOf(written!, shown),
    headers: lroHeaders(tx, op, false),
  };
}

export async function putChild(
  ctx: Ctx,
  kind: ResourceKind,
  spec: ChildSpec,
  id: ResourceId,
): Promise<ArmResponse> {
  if (spec.readOnly) throw ArmErrors.methodNotAllowed(ctx.req.method);
  const body = bodyObject(ctx.req.body);
  return inTransaction(ctx, async (tx) => {
    const parent = await loadParent(tx, kind, id);
    const parentId = topLevelOf(id);
    const existing = findChild(parent, spec.property, id.names[1]!);
    checkPreconditions(tx, existing?.etag);
    if (kind.lro !== "sync") await assertNoRunningOperation(tx, parentId.key);
    const name = existing?.name ?? id.names[1]!;
    if (!existing) assertResourceName(name, spec.type);
    const childInput: Record<string, unknown> = {
      ...body,
      name,
      properties: objectAt(body.properties, "properties") ?? {},
    };
    const input = clone(parent);
    const list = (
      Array.isArray(input.properties[spec.property]) ? input.properties[spec.property] : []
    ) as Record<string, unknown>[];
    const at = list.findIndex((c) => String(c?.name).toLowerCase() === name.toLowerCase());
    if (at >= 0) list[at] = childInput;
    else list.push(childInput);
    input.properties[spec.property] = list;
    const childKey = idKey(`${parent.id}/${spec.segment}/${name}`);
    return writeParent(tx, kind, parentId, parent, input, childKey, "put", existing === undefined, spec);
  });
}

export async function deleteChild(
  ctx: Ctx,
  kind: ResourceKind,
  spec: ChildSpec,
  id: ResourceId,
): Promise<ArmResponse> {
  if (spec.readOnly) throw ArmErrors.methodNotAllowed(ctx.req.method);
  return inTransaction(ctx, async (tx) => {
    const parentId = topLevelOf(id);
    const parent = resourceOf(await tx.store.get(parentId.key));
    const existing = parent ? findChild(parent, spec.property, id.names[1]!) : undefined;
    if (!parent || !existing) {
      if (!parent) {
        await assertResourceGroup(tx, id.subscriptionId!, id.resourceGroup!);
      }
      if (tx.req.ifMatch !== undefined) throw ArmErrors.preconditionFailed();
      return { status: 204 };
    }
    checkPreconditions(tx, existing.etag);
    if (kind.lro !== "sync") await assertNoRunningOperation(tx, parentId.key);
    const input = clone(parent);
    input.properties[spec.property] = (input.properties[spec.property] as ArmResource[]).filter(
      (c) => String(c.name).toLowerCase() !== String(existing.name).toLowerCase(),
    );
    return writeParent(tx, kind, parentId, parent, input, idKey(existing.id), "delete", false, spec);
  });
}

/**
 * Prepares a parent's inline child array from a request: each element needs a name (or an
 * id ending in one), names are unique, ids/types are assigned, server-owned properties are
 * kept from the stored child, and children that disappear pass the spec's `beforeDelete`.
 * `build` returns the child's properties (validation and defaults of the kind).
 */
export async function prepareChildren(
  ctx: Ctx,
  args: {
    parentId: string;
    spec: ChildSpec;
    input: unknown;
    existingParent: ArmResource | undefined;
    path: string;
    build: (
      child: { id: string; name: string; properties: Record<string, unknown>; raw: Record<string, unknown> },
      existing: ArmResource | undefined,
      index: number,
    ) => Record<string, unknown> | Promise<Record<string, unknown>>;
  },
): Promise<ArmResource[]> {
  const { spec, existingParent } = args;
  const list = arrayAt(args.input, args.path) ?? [];
  const limit = countLimitOf(spec.type);
  if (limit && list.length > limit.max)
    throw ArmErrors.quotaExceeded(limit.what, limit.quota, limit.max, list.length);
  const seen = new Set<string>();
  const out: ArmResource[] = [];
  for (let i = 0; i < list.length; i++) {
    const el = list[i];
    const path = `${args.path}[${i}]`;
    if (!isObject(el))
      throw ArmErrors.invalidRequestFormat(
        `Cannot parse the request. The value at '${path}' must be an object.`,
      );
    let name = stringAt(el.name, `${path}.name`);
    if (name === undefined) {
      const fromId = stringAt(el.id, `${path}.id`);
      name = fromId?.replace(/\/+$/, "").split("/").pop();
    }
    if (!name)
      throw ArmErrors.invalidRequestFormat(
        `Cannot parse the request. The value at '${path}.name' is required.`,
      );
    if (seen.has(name.toLowerCase())) {
      throw ArmErrors.invalidRequestFormat(
        `Cannot parse the request. The name '${name}' appears more than once in '${args.path}'.`,
      );
    }
    seen.add(name.toLowerCase());
    const existing = findChild(existingParent, spec.property, name);
    const childName = existing?.name ?? name;
    if (!existing) assertResourceName(childName, spec.type);
    const id = `${args.parentId}/${spec.segment}/${childName}`;
    const props = clone(objectAt(el.properties, `${path}.properties`) ?? {});
    const properties = await args.build({ id, name: childName, properties: props, raw: el }, existing, i);
    for (const k of spec.serverOwned ?? []) {
      const v = existing?.properties?.[k];
      if (v !== undefined) properties[k] = clone(v);
      else delete properties[k];
    }
    out.push(childEnvelope(id, childName, spec.type, properties));
  }
  if (spec.beforeDelete && existingParent) {
    const prev = existingParent.properties?.[spec.property];
    if (Array.isArray(prev)) {
      for (const c of prev as ArmResource[]) {
        if (!seen.has(String(c.name).toLowerCase())) await spec.beforeDelete(ctx, c, existingParent);
      }
    }
  }
  return out;
}
