/**
 * Tenants, subscriptions and resource groups as stored documents (SE-RES-2). A default
 * tenant and subscription exist from the first start; any well-formed subscription id a
 * client uses is registered in the default tenant on first use (like other local emulators),
 * so users can paste their real ids.
 */
import { ArmErrors } from "../model/errors.js";
import type { ArmResource } from "../model/resources/common.js";
import type { ArmDeps, Ctx } from "./context.js";
import { resourceOf } from "./documents.js";

export const TENANT_TYPE = "microsoft.resources/tenants";
export const SUBSCRIPTION_TYPE = "microsoft.resources/subscriptions";
export const RESOURCE_GROUP_TYPE = "microsoft.resources/resourcegroups";
export const PROVIDER_REGISTRATION_TYPE = "microsoft.resources/providers";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(s: string): boolean {
  return GUID.test(s);
}

export interface TenantBody {
  id: string;
  tenantId: string;
  displayName: string;
  defaultDomain: string;
  tenantCategory: "Home";
  domains: string[];
}

export interface SubscriptionBody {
  id: string;
  subscriptionId: string;
  tenantId: string;
  displayName: string;
  state: "Enabled" | "Disabled" | "Warned" | "PastDue" | "Deleted";
  subscriptionPolicies: { locationPlacementId: string; quotaId: string; spendingLimit: string };
  authorizationSource: string;
}

export function tenantKey(tenantId: string): string {
  return `/tenants/${tenantId.toLowerCase()}`;
}

export function subscriptionKey(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId.toLowerCase()}`;
}

export function resourceGroupKey(subscriptionId: string, rg: string): string {
  return `/subscriptions/${subscriptionId.toLowerCase()}/resourcegroups/${rg.toLowerCase()}`;
}

export function tenantBody(tenantId: string, displayName: string): TenantBody {
  const domain = `${displayName.toLowerCase().replace(/[^a-z0-9]+/g, "") || "lazurite"}.onmicrosoft.com`;
  return {
    id: `/tenants/${tenantId}`,
    tenantId,
    displayName,
    defaultDomain: domain,
    tenantCategory: "Home",
    domains: [domain],
  };
}

export function subscriptionBody(
  subscriptionId: string,
  tenantId: string,
  displayName: string,
): SubscriptionBody {
  return {
    id: `/subscriptions/${subscriptionId}`,
    subscriptionId,
    tenantId,
    displayName,
    state: "Enabled",
    subscriptionPolicies: {
      locationPlacementId: "Public_2014-09-01",
      quotaId: "PayAsYouGo_2014-09-01",
      spendingLimit: "Off",
    },
    authorizationSource: "RoleBased",
  };
}

export async function putTenant(deps: Pick<ArmDeps, "store">, body: TenantBody): Promise<void> {
  await deps.store.put({
    key: tenantKey(body.tenantId),
    id: body.id,
    type: TENANT_TYPE,
    etag: body.tenantId,
    body,
  });
}

export async function putSubscription(
  deps: Pick<ArmDeps, "store" | "cache">,
  body: SubscriptionBody,
): Promise<void> {
  await deps.store.put({
    key: subscriptionKey(body.subscriptionId),
    id: body.id,
    type: SUBSCRIPTION_TYPE,
    subscriptionId: body.subscriptionId.toLowerCase(),
    parent: tenantKey(body.tenantId),
    etag: body.subscriptionId,
    body,
  });
  deps.cache.subscriptions.add(body.subscriptionId.toLowerCase());
}

/** Creates the default tenant and subscription when missing (first start). */
export async function ensureDefaultTenancy(deps: ArmDeps): Promise<void> {
  const t = deps.tenancy;
  if (!(await deps.store.get(tenantKey(t.tenantId))))
    await putTenant(deps, tenantBody(t.tenantId, t.tenantDisplayName));
  if (!(await deps.store.get(subscriptionKey(t.subscriptionId)))) {
    await putSubscription(deps, subscriptionBody(t.subscriptionId, t.tenantId, t.subscriptionDisplayName));
  }
}

/** Validates a subscription id and registers it in the default tenant on first use. */
export async function ensureSubscription(ctx: Ctx, subscriptionId: string): Promise<void> {
  if (!isGuid(subscriptionId)) throw ArmErrors.invalidSubscriptionId(subscriptionId);
  const k = subscriptionId.toLowerCase();
  if (ctx.deps.cache.subscriptions.has(k)) return;
  const doc = await ctx.deps.store.get(subscriptionKey(k));
  if (doc) {
    ctx.deps.cache.subscriptions.add(k);
    return;
  }
  const t = ctx.deps.tenancy;
  await putSubscription(ctx.deps, subscriptionBody(k, t.tenantId, `Subscription ${k.slice(0, 8)}`));
}

export async function getSubscription(
  ctx: Ctx,
  subscriptionId: string,
): Promise<SubscriptionBody | undefined> {
  return (await ctx.store.get(subscriptionKey(subscriptionId)))?.body as SubscriptionBody | undefined;
}

export async function getResourceGroup(
  ctx: Ctx,
  subscriptionId: string,
  rg: string,
): Promise<ArmResource | undefined> {
  return resourceOf(await ctx.store.get(resourceGroupKey(subscriptionId, rg)));
}

export async function assertResourceGroup(
  ctx: Ctx,
  subscriptionId: string,
  rg: string,
): Promise<ArmResource> {
  const found = await getResourceGroup(ctx, subscriptionId, rg);
  if (!found) throw ArmErrors.resourceGroupNotFound(rg);
  return found;
}

function registrationKey(subscriptionId: string, namespace: string): string {
  return `${subscriptionId}/${namespace}`.toLowerCase();
}

/** The registration state of a namespace: Registered unless explicitly unregistered. */
export async function registrationState(
  ctx: Ctx,
  subscriptionId: string,
  namespace: string,
): Promise<string> {
  const k = registrationKey(subscriptionId, namespace);
  const cached = ctx.deps.cache.registrations.get(k);
  if (cached !== undefined) return cached;
  const doc = await ctx.deps.store.get(
    `${subscriptionKey(subscriptionId)}/providers/${namespace.toLowerCase()}`,
  );
  const state = (doc?.body as { registrationState?: string } | undefined)?.registrationState ?? "Registered";
  ctx.deps.cache.registrations.set(k, state);
  return state;
}

export async function setRegistrationState(
  ctx: Ctx,
  subscriptionId: string,
  namespace: string,
  state: string,
): Promise<void> {
  await ctx.store.put({
    key: `${subscriptionKey(subscriptionId)}/providers/${namespace.toLowerCase()}`,
    id: `/subscriptions/${subscriptionId}/providers/${namespace}`,
    type: PROVIDER_REGISTRATION_TYPE,
    subscriptionId: subscriptionId.toLowerCase(),
    etag: state,
    body: { namespace, registrationState: state },
  });
  ctx.deps.cache.registrations.set(registrationKey(subscriptionId, namespace), state);
}
