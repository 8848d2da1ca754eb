/**
 * What a strict-mode caller may see outside ARM's own routes: Lazurite's diagnostics
 * (`/_emulator/check`, who-can-reach, what-if, resources, the request log, connections, events)
 * and the directory admin API (docs/identity.md, "Strict mode: the admin API").
 *
 * - `canRead(ctx, id)`: the id's subscription belongs to the caller's tenant and the caller holds
 *   the id's read action there (`{type}/read`, as an ARM GET of it would ask). Open-mode callers
 *   read everything.
 * - `namedIds(value)`: every ARM id a JSON answer names (ids, and ids inside flow texts such as
 *   `onprem:10.0.0.1@/subscriptions/…` or `…/storageAccounts/x#blob`). An answer is shown to a
 *   caller only when it can read every id the answer names; list answers drop the items that
 *   name something it cannot read.
 * - `isTenantOwner(ctx, tenantId)`: the caller is of the tenant and holds Owner's power
 *   (`Microsoft.Authorization/roleAssignments/write` and resource-group writes) at every
 *   subscription of it: such a caller may manage the tenant's principals without the admin key,
 *   since it can already grant itself anything in the tenant.
 */
import { fullType, tryParseResourceId, type ResourceId } from "../../../model/resource-id.js";
import type { Ctx } from "../../context.js";
import { getSubscription, SUBSCRIPTION_TYPE, tenantKey, type SubscriptionBody } from "../../tenancy.js";
import { allows, enforcedCaller } from "./authorizer.js";

/** The action an ARM GET of the id checks. */
export function readActionOf(id: ResourceId): string {
  if (id.namespace === undefined) {
    return id.resourceGroup !== undefined
      ? "Microsoft.Resources/subscriptions/resourceGroups/read"
      : "Microsoft.Resources/subscriptions/read";
  }
  return `${fullType(id)}/read`;
}

/** May the caller read the resource with this id? (Always, for open-mode callers.) */
export async function canRead(ctx: Ctx, id: string): Promise<boolean> {
  const caller = enforcedCaller(ctx);
  if (!caller) return true;
  const parsed = tryParseResourceId(id);
  if (!parsed || parsed.subscriptionId === undefined) return false;
  const sub = await getSubscription(ctx, parsed.subscriptionId);
  if (!sub || sub.tenantId.toLowerCase() !== caller.tenantId.toLowerCase()) return false;
  return allows(ctx, readActionOf(parsed), parsed.text);
}

const ID_IN_TEXT = /\/subscriptions\/[^\s#"',;()<>]+/gi;

/** Every ARM id a JSON value names, in order of appearance, each once (lower-case keyed). */
export function namedIds(value: unknown): string[] {
  const out = new Map<string, string>();
  const seen = new Set<unknown>();
  const visit = (v: unknown, depth: number): void => {
    if (depth > 64) return;
    if (typeof v === "string") {
      if (!v.includes("/subscriptions/") && !v.toLowerCase().includes("/subscriptions/")) return;
      for (const m of v.matchAll(ID_IN_TEXT)) {
        const parsed = tryParseResourceId(m[0].replace(/\/+$/, ""));
        if (parsed && !out.has(parsed.key)) out.set(parsed.key, parsed.text);
      }
      return;
    }
    if (!v || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else for (const x of Object.values(v as Record<string, unknown>)) visit(x, depth + 1);
  };
  visit(value, 0);
  return [...out.values()];
}

/** The first id of `ids` the caller cannot read, if any. */
export async function firstUnreadable(ctx: Ctx, ids: readonly string[]): Promise<string | undefined> {
  if (!enforcedCaller(ctx)) return undefined;
  for (const id of ids) if (!(await canRead(ctx, id))) return id;
  return undefined;
}

/** Does the caller read every id the value names? */
export async function readsAll(ctx: Ctx, value: unknown): Promise<boolean> {
  return (await firstUnreadable(ctx, namedIds(value))) === undefined;
}

/** The items of a list the caller reads every named id of. */
export async function readableItems<T>(ctx: Ctx, items: readonly T[]): Promise<T[]> {
  if (!enforcedCaller(ctx)) return [...items];
  const out: T[] = [];
  for (const item of items) if (await readsAll(ctx, item)) out.push(item);
  return out;
}

/** The subscriptions of a tenant. */
export async function subscriptionsOfTenant(ctx: Ctx, tenantId: string): Promise<SubscriptionBody[]> {
  const page = await ctx.store.list({ type: SUBSCRIPTION_TYPE, parent: tenantKey(tenantId) });
  return page.items.map((d) => d.body as SubscriptionBody);
}

const OWNER_ACTIONS = [
  "Microsoft.Authorization/roleAssignments/write",
  "Microsoft.Resources/subscriptions/resourceGroups/write",
];

/** Is the caller a principal of the tenant holding Owner's power at every one of its subscriptions? */
export async function isTenantOwner(ctx: Ctx, tenantId: string): Promise<boolean> {
  const caller = enforcedCaller(ctx);
  if (!caller) return true;
  if (caller.tenantId.toLowerCase() !== tenantId.toLowerCase()) return false;
  const subs = await subscriptionsOfTenant(ctx, tenantId);
  if (subs.length === 0) return false;
  for (const s of subs) {
    const scope = `/subscriptions/${s.subscriptionId}`;
    for (const a of OWNER_ACTIONS) if (!(await allows(ctx, a, scope))) return false;
  }
  return true;
}
