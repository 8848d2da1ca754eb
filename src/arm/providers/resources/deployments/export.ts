/**
 * `POST /subscriptions/{s}/resourcegroups/{rg}/exportTemplate` (ARM's export): the group's
 * top-level resources as a deployable template (schema 2019-04-01). Properties the platform owns
 * (provisioningState, resourceGuid, etags, each kind's server-owned back references) are left
 * out; a resource that names another resource of the group depends on it (`dependsOn` with
 * `resourceId(...)`), so the template deploys in order. Names stay literal (ARM parameterises
 * them; with `options: "IncludeParameterDefaultValue"` the two deploy the same).
 */
import type { ArmResource } from "../../../../model/resources/common.js";
import { idKey, tryParseResourceId } from "../../../../model/resource-id.js";
import type { ArmResponse, Ctx } from "../../../context.js";
import { resourceOf } from "../../../documents.js";
import { assertResourceGroup, RESOURCE_GROUP_TYPE } from "../../../tenancy.js";
import { objectAt } from "../../../validate.js";
import { withoutNoise } from "./what-if.js";

const EXPORT_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

function stripOwned(ctx: Ctx, r: ArmResource): Record<string, unknown> {
  const kind = ctx.deps.kinds.byType(r.type);
  const props = JSON.parse(JSON.stringify(r.properties ?? {})) as Record<string, unknown>;
  for (const k of kind?.serverOwned ?? []) delete props[k];
  for (const spec of kind?.children ?? []) {
    const list = props[spec.property];
    if (spec.readOnly) {
      delete props[spec.property];
      continue;
    }
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!c || typeof c !== "object") continue;
      const child = c as Record<string, unknown>;
      delete child.id;
      delete child.type;
      const cp = child.properties as Record<string, unknown> | undefined;
      if (cp) for (const k of spec.serverOwned ?? []) delete cp[k];
    }
  }
  return withoutNoise(props) as Record<string, unknown>;
}

/** The template of a set of top-level resources (the group's, in store order). */
export function templateOf(ctx: Ctx, resources: readonly ArmResource[]): Record<string, unknown> {
  const byKey = new Map(resources.map((r) => [idKey(r.id), r]));
  const out: Record<string, unknown>[] = [];
  for (const r of resources) {
    const kind = ctx.deps.kinds.byType(r.type);
    const props = stripOwned(ctx, r);
    const text = JSON.stringify(props);
    const deps = new Set<string>();
    for (const m of text.matchAll(/"(\/subscriptions\/[^"]+)"/g)) {
      const p = tryParseResourceId(m[1]!);
      if (!p || p.namespace === undefined) continue;
      const topKey =
        p.types.length > 1
          ? idKey(
              `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}/providers/${p.namespace}/${p.types[0]}/${p.names[0]}`,
            )
          : p.key;
      const target = byKey.get(topKey);
      if (target && topKey !== idKey(r.id)) deps.add(`[resourceId('${target.type}', '${target.name}')]`);
    }
    const res: Record<string, unknown> = {
      type: r.type,
      apiVersion:
        kind?.apiVersions?.[0] ??
        ctx.deps.kinds.namespaceApiVersions(r.type.split("/")[0]!)[0] ??
        "2023-09-01",
      name: r.name,
    };
    if (r.location !== undefined) res.location = r.location;
    if (r.tags !== undefined) res.tags = r.tags;
    for (const k of ["sku", "kind", "zones", "identity", "plan", "extendedLocation"])
      if (r[k] !== undefined) res[k] = r[k];
    if (deps.size > 0) res.dependsOn = [...deps].sort();
    res.properties = props;
    out.push(res);
  }
  return { $schema: EXPORT_SCHEMA, contentVersion: "1.0.0.0", parameters: {}, variables: {}, resources: out };
}

export async function exportResourceGroup(ctx: Ctx, sub: string, rg: string): Promise<ArmResponse> {
  await assertResourceGroup(ctx, sub, rg);
  const body = objectAt(ctx.req.body ?? {}, "body") ?? {};
  const wanted = Array.isArray(body.resources) ? body.resources.map((x) => String(x)) : ["*"];
  const all = wanted.includes("*");
  const want = new Set(wanted.map((x) => idKey(x)));
  const docs = (await ctx.store.list({ subscriptionId: sub.toLowerCase(), resourceGroup: rg.toLowerCase() }))
    .items;
  const resources = docs
    .filter((d) => !d.type.startsWith("lazurite/") && d.type !== RESOURCE_GROUP_TYPE && d.type.includes("/"))
    .map((d) => resourceOf(d)!)
    .filter((r) => all || want.has(idKey(r.id)));
  return { status: 200, body: { template: templateOf(ctx, resources) } };
}
