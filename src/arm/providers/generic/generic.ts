/**
 * Types Lazurite does not model but real templates name (managed disks, VM extensions, Log
 * Analytics workspaces, Redis, Application Insights, identities, App Service…): served as
 * generic tracked resources so a whole real template deploys. ARM's envelope is validated
 * (name, location, tags), properties are stored and returned as sent with
 * `provisioningState: "Succeeded"`, writes are synchronous, and the resources take no part in
 * network decisions. Deployments mark their operations "not modelled" (docs/templates.md lists
 * the types). Child types (`virtualMachines/extensions`) are kept as documents of their own
 * under their parent (`KindRegistry.genericChild`).
 */
import { ArmErrors } from "../../../model/errors.js";
import type { ArmResource } from "../../../model/resources/common.js";
import { idKey, parseResourceId, type ResourceId } from "../../../model/resource-id.js";
import type { ArmResponse, Ctx } from "../../context.js";
import { inTransaction } from "../../context.js";
import { clone, documentOf, newEtag, resourceOf } from "../../documents.js";
import type { KindRegistry, ResourceKind } from "../../kinds.js";
import { listBody, pageRequest } from "../../paging.js";
import { assertResourceGroup } from "../../tenancy.js";
import { checkPreconditions } from "../../tracked.js";
import { bodyObject, envelope, extraTopLevel, objectAt, regionAt, tagsAt } from "../../validate.js";
import { tracked } from "../common.js";

const NAME = /^[^<>%&:\\?/#*$^+,;=\s][^<>%&:\\?/#*$^+,;=]{0,259}$/u;

/** Top-level types stored generically: namespace → type names (`location: global` for the few global ones). */
export const GENERIC_TYPES: ReadonlyArray<{ namespace: string; types: string[]; apiVersions: string[] }> = [
  {
    namespace: "Microsoft.Compute",
    types: ["disks", "snapshots", "images", "sshPublicKeys"],
    apiVersions: [],
  },
  {
    namespace: "Microsoft.OperationalInsights",
    types: ["workspaces"],
    apiVersions: ["2023-09-01", "2022-10-01", "2021-06-01", "2020-08-01"],
  },
  {
    namespace: "Microsoft.Cache",
    types: ["redis"],
    apiVersions: ["2024-03-01", "2023-08-01", "2022-06-01", "2020-06-01"],
  },
  {
    namespace: "Microsoft.Insights",
    types: ["components", "actionGroups", "metricAlerts", "autoscalesettings"],
    apiVersions: ["2023-01-01", "2022-06-15", "2020-02-02", "2015-05-01"],
  },
  {
    namespace: "Microsoft.ManagedIdentity",
    types: ["userAssignedIdentities"],
    apiVersions: ["2023-01-31", "2018-11-30"],
  },
  {
    namespace: "Microsoft.Web",
    types: ["serverfarms", "sites"],
    apiVersions: ["2023-01-01", "2022-03-01", "2021-02-01"],
  },
];

/** Child types stored generically: `namespace/parentType` → child segments. */
export const GENERIC_CHILDREN: ReadonlyArray<{ namespace: string; parent: string; segments: string[] }> = [
  { namespace: "Microsoft.Compute", parent: "virtualMachines", segments: ["extensions"] },
  { namespace: "Microsoft.Web", parent: "sites", segments: ["config"] },
];

const GLOBAL = new Set(["microsoft.insights/actiongroups", "microsoft.insights/metricalerts"]);

export function genericKind(namespace: string, typeName: string): ResourceKind {
  const type = `${namespace}/${typeName}`;
  return {
    namespace,
    typeName,
    type,
    lro: "sync",
    location: GLOBAL.has(type.toLowerCase()) ? "global" : "required",
    children: [],
    serverOwned: [],
    patch: "merge",
    notModelled: true,
    async prepare(_ctx, input, existing) {
      if (!existing && !NAME.test(input.name)) throw ArmErrors.invalidResourceName(input.name, type);
      return tracked(input, existing, type, { ...input.properties, provisioningState: "Succeeded" });
    },
  };
}

/** Declares the generic namespaces (those not served otherwise) and kinds on a registry. */
export function addGenericTypes(r: KindRegistry): KindRegistry {
  for (const g of GENERIC_TYPES) {
    if (!r.namespaceName(g.namespace)) r.namespace(g.namespace, g.apiVersions);
    for (const t of g.types) if (!r.top(g.namespace, t)) r.add(genericKind(r.namespaceName(g.namespace)!, t));
  }
  for (const c of GENERIC_CHILDREN) for (const s of c.segments) r.genericChild(c.namespace, c.parent, s);
  return r;
}

const CHILD_TYPE = (parent: ResourceKind, segment: string) => `${parent.type}/${segment}`;

function childId(top: ResourceId, segment: string, name: string): string {
  return `${top.text}/${segment}/${name}`;
}

/** GET / PUT / DELETE / list of a generic child (`.../virtualMachines/{vm}/extensions/{name}`). */
export async function serveGenericChild(
  ctx: Ctx,
  parent: ResourceKind,
  top: ResourceId,
  segment: string,
  name: string | undefined,
): Promise<ArmResponse> {
  const type = CHILD_TYPE(parent, segment);
  const parentDoc = resourceOf(await ctx.store.get(top.key));
  if (!parentDoc) {
    await assertResourceGroup(ctx, top.subscriptionId!, top.resourceGroup!);
    throw ArmErrors.resourceNotFound(parent.type, top.names[0]!, top.resourceGroup!);
  }
  if (name === undefined) {
    if (ctx.req.method !== "GET") throw ArmErrors.methodNotAllowed(ctx.req.method);
    const page = pageRequest(ctx);
    const res = await ctx.store.list({
      type: type.toLowerCase(),
      parent: top.key,
      limit: page.limit,
      ...(page.after !== undefined ? { after: page.after } : {}),
    });
    return {
      status: 200,
      body: listBody(
        ctx,
        res.items.map((d) => d.body),
        res.next,
      ),
    };
  }
  const id = parseResourceId(childId(top, segment, name));
  switch (ctx.req.method) {
    case "GET": {
      const doc = resourceOf(await ctx.store.get(id.key));
      if (!doc) throw ArmErrors.resourceNotFound(type, `${top.names[0]}/${name}`, top.resourceGroup!);
      return { status: 200, body: doc };
    }
    case "PUT": {
      const body = bodyObject(ctx.req.body);
      return inTransaction(ctx, async (tx) => {
        const existing = resourceOf(await tx.store.get(id.key));
        checkPreconditions(tx, existing?.etag);
        if (!existing && !NAME.test(name)) throw ArmErrors.invalidResourceName(name, type);
        const location =
          body.location === undefined || body.location === null
            ? parentDoc.location
            : regionAt(body.location, type);
        const r: ArmResource = envelope({
          id: existing?.id ?? `${parentDoc.id}/${segment}/${name}`,
          name: existing?.name ?? name,
          type,
          ...(location !== undefined ? { location } : {}),
          tags: tagsAt(body.tags),
          extra: extraTopLevel(body),
          properties: { ...(objectAt(body.properties, "properties") ?? {}), provisioningState: "Succeeded" },
        });
        r.etag = newEtag(tx.deps.ids);
        await tx.store.put(documentOf(r, top.key));
        tx.changes?.push({ id: r.id, type, ...(existing ? { before: existing } : {}), after: r });
        return { status: existing ? 200 : 201, body: clone(r) };
      });
    }
    case "DELETE": {
      const existing = resourceOf(await ctx.store.get(id.key));
      if (!existing) return { status: 204 };
      await ctx.store.delete(idKey(existing.id));
      return { status: 200 };
    }
    default:
      throw ArmErrors.methodNotAllowed(ctx.req.method);
  }
}
