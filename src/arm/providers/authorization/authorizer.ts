/**
 * The enforcing Authorizer (authz.ts seam): every ARM operation's action is checked at its
 * scope against the caller's role assignments (src/arm/rbac.ts evaluates them), and a write
 * naming subnets in VNet rules also needs `joinViaServiceEndpoint/action` on each subnet
 * (SE-ACL-3) in a subscription of the same tenant (SE-ACL-4).
 *
 * Open-mode callers (no caller, or `kind: "open"`) act as Owner: RBAC is skipped, but the
 * tenant rule of SE-ACL-4 still holds (it is a property of the two resources, not of the
 * caller): the subnet's subscription must belong to the tenant of the resource's subscription.
 */
import { ArmErrors } from "../../../model/errors.js";
import type { Authorizer, Caller } from "../../authz.js";
import type { ArmRequest, Ctx } from "../../context.js";
import { hasAssignmentWithin, isAllowed, type Grant } from "../../rbac.js";
import { getSubscription } from "../../tenancy.js";
import { assignmentsOfPrincipal, resolveRole, subscriptionOfScope } from "./records.js";

/** An authenticated strict-mode caller (everything else acts as Owner). */
export type EnforcedCaller = Caller & {
  kind: "servicePrincipal" | "user";
  objectId: string;
  tenantId: string;
};

export function enforcedCaller(ctx: Ctx): EnforcedCaller | undefined {
  const c = ctx.req.caller;
  if (!c || c.kind === "open" || c.objectId === undefined || c.tenantId === undefined) return undefined;
  return c as EnforcedCaller;
}

export function clientLabel(c: EnforcedCaller): string {
  return c.clientName ?? c.objectId;
}

/** The caller's role assignments, resolved once per request. */
const grantCache = new WeakMap<ArmRequest, Promise<Grant[]>>();

export function grantsOf(ctx: Ctx): Promise<Grant[]> {
  const caller = enforcedCaller(ctx);
  if (!caller) return Promise.resolve([]);
  let p = grantCache.get(ctx.req);
  if (!p) {
    p = (async () => {
      const grants: Grant[] = [];
      for (const a of await assignmentsOfPrincipal(ctx.store, caller.objectId)) {
        const role = await resolveRole(ctx.store, a.properties.roleDefinitionId, caller.tenantId);
        if (role) grants.push({ scope: a.properties.scope, permissions: role.permissions });
      }
      return grants;
    })();
    grantCache.set(ctx.req, p);
  }
  return p;
}

/** Forgets the cached assignments (after the request itself changed them). */
export function forgetGrants(ctx: Ctx): void {
  grantCache.delete(ctx.req);
}

/** May the caller perform `action` at `scope`? Always true for open-mode callers. */
export async function allows(ctx: Ctx, action: string, scope: string): Promise<boolean> {
  if (!enforcedCaller(ctx)) return true;
  return isAllowed(await grantsOf(ctx), action, scope);
}

/** `allows`, or the caller holds some assignment at or below `scope` (what list filters and subscription reads use). */
export async function visible(ctx: Ctx, action: string, scope: string): Promise<boolean> {
  if (!enforcedCaller(ctx)) return true;
  const grants = await grantsOf(ctx);
  return isAllowed(grants, action, scope) || hasAssignmentWithin(grants, scope);
}

async function tenantOfSubscription(ctx: Ctx, subscriptionId: string): Promise<string | undefined> {
  return (await getSubscription(ctx, subscriptionId))?.tenantId;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

async function check(ctx: Ctx, action: string, scope: string): Promise<void> {
  const caller = enforcedCaller(ctx);
  if (!caller) return;
  if (!(await allows(ctx, action, scope)))
    throw ArmErrors.authorizationFailed(clientLabel(caller), caller.objectId, action, scope);
}

async function checkLinked(
  ctx: Ctx,
  action: string,
  scope: string,
  linkedAction: string,
  linkedScopes: readonly string[],
): Promise<void> {
  await check(ctx, action, scope);
  const caller = enforcedCaller(ctx);
  const defaultTenant = ctx.deps.tenancy.tenantId;
  const scopeSub = subscriptionOfScope(scope);
  // Open mode: the resource's tenant (unknown subscriptions register into the default tenant).
  const currentTenant =
    caller?.tenantId ??
    (scopeSub !== undefined ? await tenantOfSubscription(ctx, scopeSub) : undefined) ??
    defaultTenant;
  const missing: string[] = [];
  for (const linked of linkedScopes) {
    const sub = subscriptionOfScope(linked);
    const tenant =
      sub !== undefined
        ? ((await tenantOfSubscription(ctx, sub)) ?? (caller ? undefined : defaultTenant))
        : undefined;
    if (sub !== undefined && tenant !== undefined && !same(tenant, currentTenant)) {
      throw ArmErrors.linkedSubscriptionOtherTenant(action, scope, currentTenant, sub);
    }
    if (caller && (tenant === undefined || !(await allows(ctx, linkedAction, linked)))) missing.push(linked);
  }
  if (caller && missing.length > 0) {
    throw ArmErrors.linkedAuthorizationFailed(
      clientLabel(caller),
      caller.objectId,
      action,
      scope,
      linkedAction,
      missing,
    );
  }
}

async function checkJoin(
  ctx: Ctx,
  action: string,
  scope: string,
  linkedAction: string,
  linkedScopes: readonly string[],
): Promise<void> {
  const caller = enforcedCaller(ctx);
  if (!caller) return;
  const missing: string[] = [];
  for (const linked of linkedScopes) if (!(await allows(ctx, linkedAction, linked))) missing.push(linked);
  if (missing.length > 0) {
    throw ArmErrors.linkedAuthorizationFailed(
      clientLabel(caller),
      caller.objectId,
      action,
      scope,
      linkedAction,
      missing,
    );
  }
}

export const rbacAuthorizer: Authorizer = { check, checkLinked, checkJoin };
