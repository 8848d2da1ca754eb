/**
 * Loads ARM resources (e.g. the demo network) through the providers, so they get the same
 * validation, defaults and back references as resources created over the API, with no LRO.
 * Types Lazurite does not serve yet are stored as given (with an etag).
 */
import type { ArmResource } from "../model/resources/common.js";
import { parseResourceId } from "../model/resource-id.js";
import { newCtx } from "./arm.js";
import type { ArmDeps, Ctx } from "./context.js";
import { documentOf, newEtag } from "./documents.js";
import { dispatch } from "./dispatch.js";

function requestFor(deps: ArmDeps, method: string, path: string, body: unknown): Ctx {
  const ctx = newCtx(deps, {
    method,
    path,
    query: {},
    apiVersion: "2025-05-01",
    body,
    baseUrl: "https://localhost",
  });
  ctx.immediate = true;
  return ctx;
}

/** Creates the resource groups the resources live in (location of their first resource), then the resources in order. */
export async function loadResources(deps: ArmDeps, resources: readonly ArmResource[]): Promise<void> {
  const groups = new Map<string, { sub: string; rg: string; location: string }>();
  for (const r of resources) {
    const id = parseResourceId(r.id);
    if (id.subscriptionId === undefined || id.resourceGroup === undefined) continue;
    const k = `${id.subscriptionId}/${id.resourceGroup}`.toLowerCase();
    if (!groups.has(k))
      groups.set(k, { sub: id.subscriptionId, rg: id.resourceGroup, location: r.location ?? "westus" });
  }
  for (const g of groups.values()) {
    const path = `/subscriptions/${g.sub}/resourceGroups/${g.rg}`;
    await dispatch(requestFor(deps, "PUT", path, { location: g.location }));
  }
  for (const r of resources) {
    const kind = deps.kinds.byType(r.type);
    if (kind) {
      await dispatch(requestFor(deps, "PUT", parseResourceId(r.id).text, r));
    } else {
      await deps.store.put(documentOf({ ...r, etag: newEtag(deps.ids) }));
    }
  }
}
