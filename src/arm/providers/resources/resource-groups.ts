/**
 * Microsoft.Resources resource groups (SE-RES-2): GET/HEAD/PUT/PATCH/DELETE and list, and
 * the generic resource lists (`.../resourceGroups/{rg}/resources`, `.../resources`).
 * PUT is synchronous (201/200); DELETE answers 202 + Location and removes every resource of
 * the group (resources elsewhere that still use one of them make the delete fail with that
 * resource's in-use error, as Azure's cascading delete does).
 */
import { ArmErrors, isArmError } from "../../../model/errors.js";
import type { ArmResource } from "../../../model/resources/common.js";
import type { ArmResponse, Ctx } from "../../context.js";
import { inTransaction } from "../../context.js";
import { clone, documentOf, newEtag } from "../../documents.js";
import { lroHeaders, runningFor, startOperation } from "../../lro.js";
import { listBody, pageRequest } from "../../paging.js";
import {
  RESOURCE_GROUP_TYPE,
  assertResourceGroup,
  getResourceGroup,
  resourceGroupKey,
} from "../../tenancy.js";
import { checkPreconditions, removeTop } from "../../tracked.js";
import { resourceGroupNameAllowed } from "../../../model/catalog/limits.js";
import { bodyObject, objectAt, regionAt, stringAt, tagsAt } from "../../validate.js";
import { viewOf } from "../../view.js";

function assertGroupName(name: string): void {
  if (!resourceGroupNameAllowed(name)) throw ArmErrors.invalidResourceGroupName(name);
}

function stripEtag(rg: ArmResource): ArmResource {
  const { etag: _etag, ...rest } = rg;
  return rest as ArmResource;
}

export async function getResourceGroupResponse(ctx: Ctx, sub: string, rg: string): Promise<ArmResponse> {
  return { status: 200, body: stripEtag(await assertResourceGroup(ctx, sub, rg)) };
}

export async function headResourceGroup(ctx: Ctx, sub: string, rg: string): Promise<ArmResponse> {
  return { status: (await getResourceGroup(ctx, sub, rg)) ? 204 : 404 };
}

export async function putResourceGroup(ctx: Ctx, sub: string, rg: string): Promise<ArmResponse> {
  const body = bodyObject(ctx.req.body);
  return inTransaction(ctx, async (tx) => {
    const existing = await getResourceGroup(tx, sub, rg);
    checkPreconditions(tx, existing?.etag);
    if (!existing) assertGroupName(rg);
    const location = regionAt(body.location, "Microsoft.Resources/resourceGroups");
    if (existing && existing.location !== location) {
      throw ArmErrors.invalidResourceGroupLocation(rg, existing.location ?? "", location);
    }
    const name = existing?.name ?? rg;
    const resource: ArmResource = {
      id: `/subscriptions/${sub}/resourceGroups/${name}`,
      name,
      type: "Microsoft.Resources/resourceGroups",
      location,
      etag: newEtag(tx.deps.ids),
      properties: { ...(objectAt(body.properties, "properties") ?? {}), provisioningState: "Succeeded" },
    };
    const tags = tagsAt(body.tags);
    if (tags) resource.tags = tags;
    const managedBy = stringAt(body.managedBy, "managedBy");
    if (managedBy) resource.managedBy = managedBy;
    await tx.store.put({
      ...documentOf(resource),
      key: resourceGroupKey(sub, rg),
      type: RESOURCE_GROUP_TYPE,
    });
    return { status: existing ? 200 : 201, body: stripEtag(resource) };
  });
}

export async function patchResourceGroup(ctx: Ctx, sub: string, rg: string): Promise<ArmResponse> {
  const body = bodyObject(ctx.req.body);
  return inTransaction(ctx, async (tx) => {
    const existing = await assertResourceGroup(tx, sub, rg);
    checkPreconditions(tx, existing.etag);
    const next = clone(existing);
    if (body.tags !== undefined) {
      const tags = tagsAt(body.tags);
      if (tags) next.tags = tags;
      else delete next.tags;
    }
    const managedBy = stringAt(body.managedBy, "managedBy");
    if (managedBy !== undefined) next.managedBy = managedBy;
    next.etag = newEtag(tx.deps.ids);
    await tx.store.put({ ...documentOf(next), key: resourceGroupKey(sub, rg), type: RESOURCE_GROUP_TYPE });
    return { status: 200, body: stripEtag(next) };
  });
}

/** Deletion order so that users go before what they use (VMs before NICs before VNets, ...). */
const DELETE_ORDER = [
  "microsoft.compute/virtualmachines",
  "microsoft.network/connections",
  "microsoft.network/virtualnetworkgateways",
  "microsoft.network/networkinterfaces",
  "microsoft.network/publicipaddresses",
];

function deleteRank(type: string): number {
  const i = DELETE_ORDER.indexOf(type.toLowerCase());
  return i < 0 ? DELETE_ORDER.length : i;
}

export async function deleteResourceGroup(ctx: Ctx, sub: string, rg: string): Promise<ArmResponse> {
  return inTransaction(ctx, async (tx) => {
    const existing = await getResourceGroup(tx, sub, rg);
    if (!existing) throw ArmErrors.resourceGroupNotFound(rg);
    checkPreconditions(tx, existing.etag);
    const docs = (
      await tx.store.list({ subscriptionId: sub.toLowerCase(), resourceGroup: rg.toLowerCase() })
    ).items.filter((d) => d.type !== RESOURCE_GROUP_TYPE);
    docs.sort((a, b) => deleteRank(a.type) - deleteRank(b.type) || (a.key < b.key ? -1 : 1));
    // Users inside the group go first; a resource still in use after a pass waits for the next
    // one. No progress in a pass means something outside the group uses it: that error stands.
    let pending = docs.map((d) => d.key);
    while (pending.length > 0) {
      const failed: Array<{ key: string; error: unknown }> = [];
      for (const key of pending) {
        const current = await tx.store.get(key);
        if (!current) continue;
        const r = current.body as ArmResource;
        const kind = tx.deps.kinds.byType(r.type);
        try {
          if (kind) await removeTop(tx, kind, r);
          else await tx.store.delete(key);
        } catch (error) {
          if (!isArmError(error)) throw error;
          failed.push({ key, error });
        }
      }
      if (failed.length === pending.length) throw failed[0]!.error;
      pending = failed.map((f) => f.key);
    }
    await tx.store.delete(resourceGroupKey(sub, rg));
    const op = await startOperation(tx, {
      subscriptionId: sub,
      namespace: "Microsoft.Resources",
      location: existing.location ?? "global",
      kind: "delete",
      target: resourceGroupKey(sub, rg),
      updating: [],
    });
    const headers = lroHeaders(tx, op, true);
    delete headers["Azure-AsyncOperation"];
    return { status: 202, headers };
  });
}

export async function listResourceGroups(ctx: Ctx, sub: string): Promise<ArmResponse> {
  const page = pageRequest(ctx);
  const res = await ctx.store.list({
    type: RESOURCE_GROUP_TYPE,
    subscriptionId: sub.toLowerCase(),
    limit: page.limit,
    ...(page.after !== undefined ? { after: page.after } : {}),
  });
  return {
    status: 200,
    body: listBody(
      ctx,
      res.items.map((d) => stripEtag(d.body as ArmResource)),
      res.next,
    ),
  };
}

/** Generic resource list (`az resource list`): every top-level resource of the scope, ARM's short form. */
export async function listResources(ctx: Ctx, sub: string, rg: string | undefined): Promise<ArmResponse> {
  if (rg !== undefined) await assertResourceGroup(ctx, sub, rg);
  const page = pageRequest(ctx);
  const res = await ctx.store.list({
    subscriptionId: sub.toLowerCase(),
    ...(rg !== undefined ? { resourceGroup: rg.toLowerCase() } : {}),
    limit: page.limit,
    ...(page.after !== undefined ? { after: page.after } : {}),
  });
  const running = await runningFor(
    ctx,
    res.items.map((d) => d.key),
  );
  const value = res.items
    .filter(
      (d) =>
        d.resourceGroup !== null &&
        d.type.includes("/") &&
        d.type !== RESOURCE_GROUP_TYPE &&
        !d.type.startsWith("lazurite/"),
    )
    .map((d) => {
      const r = viewOf(
        ctx.deps.kinds.byType((d.body as ArmResource).type),
        d.body as ArmResource,
        running.get(d.key) ?? new Set(),
      );
      const out: Record<string, unknown> = { id: r.id, name: r.name, type: r.type };
      for (const k of ["location", "tags", "sku", "kind", "etag"]) if (r[k] !== undefined) out[k] = r[k];
      if (ctx.req.query["$expand"]?.toLowerCase().includes("properties")) out.properties = r.properties;
      return out;
    });
  return { status: 200, body: listBody(ctx, value, res.next) };
}
