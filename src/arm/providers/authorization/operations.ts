/**
 * Which action each ARM operation needs, at which scope, the way Azure names them:
 * `{namespace}/{type}[/{childType}]/{read|write|delete}` for resources (GET/HEAD → read,
 * PUT/PATCH → write, DELETE → delete), `{namespace}/{type}/{action}/action` for POST actions,
 * `Microsoft.Resources/subscriptions/resourceGroups/{op}` for resource groups,
 * `{namespace}/register/action` for provider registration.
 *
 * dispatch.ts calls `authorizeRequest` once per request (before the handler runs, so a
 * refused write changes nothing and a refused read of a missing resource says 403, not 404,
 * as ARM does) and `filterListResponse` on its answer.
 *
 * Besides the plain check, three treatments (docs/identity.md):
 * - `visible`: reading a subscription, its providers and locations needs the read action or
 *   any role assignment inside the subscription (as in Azure, where any role in a
 *   subscription makes it show up).
 * - `filter`: the subscription, tenant, resource-group and generic resource lists show only
 *   what the caller can see.
 * - `none`: LRO status polls (`.../locations/{l}/operations/{id}`, `operationresults`) and
 *   the tenant-level provider list need authentication only.
 * Every subscription-scoped request first passes `admitSubscription`: in strict mode an
 * unknown subscription is 404 `SubscriptionNotFound` and one of another tenant is 401
 * `InvalidAuthenticationTokenTenant` (tenant isolation).
 */
import { ArmErrors } from "../../../model/errors.js";
import { authorize } from "../../authz.js";
import type { ArmResponse, Ctx } from "../../context.js";
import { getSubscription, isGuid } from "../../tenancy.js";
import { clientLabel, enforcedCaller, visible } from "./authorizer.js";
import { authorityUrl, issuerUrl } from "./authority.js";

export type ListItemRule = "subscription" | "tenant" | "resourceGroup" | "resource";

export interface ArmOperation {
  mode: "check" | "visible" | "filter" | "none";
  /** The subscription in the URL (tenant admission). */
  subscriptionId?: string;
  action?: string;
  scope?: string;
  /** `filter`: which rule decides whether a list item is shown. */
  items?: ListItemRule;
}

const lower = (s: string | undefined) => (s ?? "").toLowerCase();

function verb(method: string): string {
  switch (method) {
    case "GET":
    case "HEAD":
      return "read";
    case "PUT":
    case "PATCH":
      return "write";
    case "DELETE":
      return "delete";
    default:
      return "action";
  }
}

function pathOf(segs: readonly string[], n: number): string {
  return "/" + segs.slice(0, n).join("/");
}

/** The action and scope of one request (segments as dispatch decoded them). */
export function operationOf(ctx: Ctx, segs: readonly string[]): ArmOperation {
  const m = ctx.req.method;
  const head = lower(segs[0]);
  if (head === "tenants") return { mode: "filter", items: "tenant" };
  if (head !== "subscriptions") return { mode: "none" };
  if (segs.length === 1) return { mode: "filter", items: "subscription" };
  const sub = segs[1]!;
  const subScope = pathOf(segs, 2);
  const base = { subscriptionId: sub };
  if (segs.length === 2)
    return { ...base, mode: "visible", action: "Microsoft.Resources/subscriptions/read", scope: subScope };
  const r0 = lower(segs[2]);
  if (r0 === "resourcegroups") {
    if (segs.length === 3) return { ...base, mode: "filter", items: "resourceGroup" };
    const rgScope = pathOf(segs, 4);
    if (segs.length === 4)
      return {
        ...base,
        mode: "check",
        action: `Microsoft.Resources/subscriptions/resourceGroups/${verb(m)}`,
        scope: rgScope,
      };
    if (segs.length === 5 && lower(segs[4]) === "resources")
      return { ...base, mode: "filter", items: "resource" };
    if (lower(segs[4]) === "providers" && segs.length >= 7)
      return { ...base, ...resourceOperation(ctx, segs, 5, rgScope) };
    if (lower(segs[4]) === "deployments" && segs.length >= 6)
      return {
        ...base,
        ...resourceOperation(
          ctx,
          [...segs.slice(0, 4), "providers", "Microsoft.Resources", ...segs.slice(4)],
          5,
          rgScope,
        ),
      };
    if (segs.length === 5 && lower(segs[4]) === "exporttemplate")
      return {
        ...base,
        mode: "check",
        action: "Microsoft.Resources/subscriptions/resourceGroups/exportTemplate/action",
        scope: rgScope,
      };
    return { ...base, mode: "none" };
  }
  if (r0 === "providers") {
    if (segs.length <= 4)
      return {
        ...base,
        mode: "visible",
        action: "Microsoft.Resources/subscriptions/providers/read",
        scope: subScope,
      };
    const ns = ctx.deps.kinds.namespaceName(segs[3]!) ?? segs[3]!;
    const r4 = lower(segs[4]);
    if (segs.length === 5 && (r4 === "register" || r4 === "unregister")) {
      return { ...base, mode: "check", action: `${ns}/${r4}/action`, scope: subScope };
    }
    if (r4 === "locations" && segs.length >= 7) {
      const seg = lower(segs[6]);
      if (seg === "operations" || seg === "operationresults") return { ...base, mode: "none" };
      return {
        ...base,
        mode: "check",
        action: `${ns}/locations/${segs[6]}/${m === "POST" ? "action" : "read"}`,
        scope: subScope,
      };
    }
    // Subscription-scope deployments: `Microsoft.Resources/deployments/...` at the subscription.
    if (lower(ns) === "microsoft.resources" && r4 === "deployments")
      return { ...base, ...resourceOperation(ctx, segs, 3, subScope) };
    if (segs.length === 5) {
      const type = ctx.deps.kinds.top(ns, segs[4]!)?.typeName ?? segs[4]!;
      return { ...base, mode: "check", action: `${ns}/${type}/read`, scope: subScope };
    }
    return { ...base, mode: "none" };
  }
  if (r0 === "resources" && segs.length === 3) return { ...base, mode: "filter", items: "resource" };
  if (r0 === "locations" && segs.length === 3)
    return {
      ...base,
      mode: "visible",
      action: "Microsoft.Resources/subscriptions/locations/read",
      scope: subScope,
    };
  return { ...base, mode: "none" };
}

/** `{ns}/{type}[/{name}[/{child}[/{name}]...]]` starting at `segs[i]` under a resource group. */
function resourceOperation(ctx: Ctx, segs: readonly string[], i: number, rgScope: string): ArmOperation {
  const m = ctx.req.method;
  const kinds = ctx.deps.kinds;
  const ns = kinds.namespaceName(segs[i]!) ?? segs[i]!;
  const rest = segs.slice(i + 1);
  const kind = kinds.top(ns, rest[0]!);
  const typeNames: string[] = [kind?.typeName ?? rest[0]!];
  for (let k = 2; k < rest.length; k += 2) {
    const seg = rest[k]!;
    const child = k === 2 ? kind?.children.find((c) => lower(c.segment) === lower(seg)) : undefined;
    typeNames.push(child?.segment ?? seg);
  }
  const type = `${ns}/${typeNames.join("/")}`;
  if (rest.length === 1) return { mode: "check", action: `${type}/read`, scope: rgScope };
  if (rest.length % 2 === 0)
    return { mode: "check", action: `${type}/${verb(m)}`, scope: pathOf(segs, i + 1 + rest.length) };
  // An odd tail: a child collection (list → read) or an action under the resource (POST → action).
  const parentScope = pathOf(segs, i + rest.length);
  const isChild = rest.length === 3 && kind?.children.some((c) => lower(c.segment) === lower(rest[2]));
  return {
    mode: "check",
    action: `${type}/${isChild || m !== "POST" ? verb(m) : "action"}`,
    scope: parentScope,
  };
}

/**
 * Strict mode, before anything touches a subscription: it must exist (no registration on
 * first use) and belong to the caller's tenant.
 */
export async function admitSubscription(ctx: Ctx, subscriptionId: string): Promise<void> {
  const caller = enforcedCaller(ctx);
  if (!caller || !isGuid(subscriptionId)) return;
  const sub = await getSubscription(ctx, subscriptionId);
  if (!sub) throw ArmErrors.subscriptionNotFound(subscriptionId);
  if (sub.tenantId.toLowerCase() !== caller.tenantId.toLowerCase()) {
    const base = ctx.req.baseUrl;
    throw ArmErrors.invalidAuthenticationTokenTenant(
      issuerUrl(base, caller.tenantId),
      issuerUrl(base, sub.tenantId),
      authorityUrl(base, sub.tenantId),
    );
  }
}

/** Tenant admission and the operation's check; returns the operation for `filterListResponse`. */
export async function authorizeRequest(ctx: Ctx, segs: readonly string[]): Promise<ArmOperation> {
  const op = operationOf(ctx, segs);
  if (op.subscriptionId !== undefined) await admitSubscription(ctx, op.subscriptionId);
  const caller = enforcedCaller(ctx);
  if (op.mode === "check") await authorize(ctx, op.action!, op.scope!);
  else if (op.mode === "visible" && caller && !(await visible(ctx, op.action!, op.scope!))) {
    throw ArmErrors.authorizationFailed(clientLabel(caller), caller.objectId, op.action!, op.scope!);
  }
  return op;
}

async function shows(ctx: Ctx, rule: ListItemRule, item: Record<string, unknown>): Promise<boolean> {
  const caller = enforcedCaller(ctx)!;
  const id = typeof item.id === "string" ? item.id : "";
  switch (rule) {
    case "tenant":
      return String(item.tenantId ?? "").toLowerCase() === caller.tenantId.toLowerCase();
    case "subscription":
      return (
        String(item.tenantId ?? "").toLowerCase() === caller.tenantId.toLowerCase() &&
        visible(ctx, "Microsoft.Resources/subscriptions/read", id)
      );
    case "resourceGroup":
      return visible(ctx, "Microsoft.Resources/subscriptions/resourceGroups/read", id);
    case "resource":
      return visible(ctx, `${String(item.type ?? "")}/read`, id);
  }
}

/** Drops from a list answer what the caller may not see (strict mode, `filter` operations). */
export async function filterListResponse(ctx: Ctx, op: ArmOperation, res: ArmResponse): Promise<ArmResponse> {
  if (op.mode !== "filter" || !enforcedCaller(ctx) || res.status !== 200) return res;
  const body = res.body as { value?: unknown[] } | undefined;
  if (!body || !Array.isArray(body.value)) return res;
  const value: unknown[] = [];
  for (const item of body.value) {
    if (item && typeof item === "object" && (await shows(ctx, op.items!, item as Record<string, unknown>)))
      value.push(item);
  }
  return { ...res, body: { ...body, value } };
}
