/**
 * Reads for other parts of the control plane (service-resource providers, diagnostics):
 * a resource or child as a GET would show it right now (`Updating` while an operation runs,
 * so a subnet being updated is reported as such to dependants), and every stored ARM resource
 * (to build the engine's snapshot).
 */
import type { ArmResource } from "../model/resources/common.js";
import { tryParseResourceId } from "../model/resource-id.js";
import type { ResourceStore } from "../store/store.js";
import type { Ctx } from "./context.js";
import { resourceOf, topLevelOf } from "./documents.js";
import { updatingKeys } from "./lro.js";
import { findChild } from "./refs.js";
import { childViewOf, viewOf } from "./view.js";

/** A resource (top-level, or a child one level deep such as a subnet) as GET shows it now; undefined when absent. */
export async function readResource(ctx: Ctx, id: string): Promise<ArmResource | undefined> {
  const parsed = tryParseResourceId(id);
  if (!parsed || parsed.namespace === undefined || parsed.types.length === 0 || parsed.types.length > 2)
    return undefined;
  const top = topLevelOf(parsed);
  const doc = resourceOf(await ctx.store.get(top.key));
  if (!doc) return undefined;
  const kind = ctx.deps.kinds.byType(doc.type);
  const updating = await updatingKeys(ctx, top.key);
  if (parsed.types.length === 1) return viewOf(kind, doc, updating);
  const spec = ctx.deps.kinds.child(parsed.namespace, parsed.types[0]!, parsed.types[1]!)?.spec;
  const child = spec ? findChild(doc, spec.property, parsed.names[1]!) : undefined;
  return child ? childViewOf(child, updating) : undefined;
}

/** True while a running operation reports the resource (e.g. a subnet) as `Updating`. */
export async function isUpdating(ctx: Ctx, id: string): Promise<boolean> {
  return (await readResource(ctx, id))?.properties?.provisioningState === "Updating";
}

/** Every stored top-level ARM resource (children inline), as stored. */
export async function allResources(store: ResourceStore): Promise<ArmResource[]> {
  const out: ArmResource[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.list({ limit: 1000, ...(after !== undefined ? { after } : {}) });
    for (const d of page.items) {
      if (
        d.resourceGroup === null ||
        d.type.startsWith("lazurite/") ||
        d.type === "microsoft.resources/resourcegroups"
      )
        continue;
      out.push(d.body as ArmResource);
    }
    if (!page.next) return out;
    after = page.next;
  }
}
