/**
 * The `/_emulator` admin API for tenants (SE-RES-2): list, create, delete tenants and place
 * subscriptions in them. Not an Azure API (STYLE §6.17); ARM-shaped errors all the same.
 */
import { ArmErrors } from "../../../model/errors.js";
import type { ArmDeps } from "../../context.js";
import {
  SUBSCRIPTION_TYPE,
  TENANT_TYPE,
  isGuid,
  putSubscription,
  putTenant,
  subscriptionBody,
  subscriptionKey,
  tenantBody,
  tenantKey,
  type SubscriptionBody,
  type TenantBody,
} from "../../tenancy.js";

export async function listTenantBodies(deps: ArmDeps): Promise<TenantBody[]> {
  return (await deps.store.list({ type: TENANT_TYPE })).items.map((d) => d.body as TenantBody);
}

export async function getTenant(deps: ArmDeps, tenantId: string): Promise<TenantBody> {
  const doc = await deps.store.get(tenantKey(tenantId));
  if (!doc) throw ArmErrors.tenantNotFound(tenantId);
  return doc.body as TenantBody;
}

export async function createTenant(
  deps: ArmDeps,
  tenantId: string,
  displayName: string | undefined,
): Promise<{ created: boolean; tenant: TenantBody }> {
  if (!isGuid(tenantId))
    throw ArmErrors.invalidParameter(`The tenant id '${tenantId}' must be a GUID.`, "tenantId");
  const existing = await deps.store.get(tenantKey(tenantId));
  const tenant = tenantBody(
    tenantId.toLowerCase(),
    displayName ??
      (existing?.body as TenantBody | undefined)?.displayName ??
      `Tenant ${tenantId.slice(0, 8)}`,
  );
  await putTenant(deps, tenant);
  return { created: !existing, tenant };
}

export async function listTenantSubscriptions(deps: ArmDeps, tenantId: string): Promise<SubscriptionBody[]> {
  await getTenant(deps, tenantId);
  const page = await deps.store.list({ type: SUBSCRIPTION_TYPE, parent: tenantKey(tenantId) });
  return page.items.map((d) => d.body as SubscriptionBody);
}

export async function deleteTenant(deps: ArmDeps, tenantId: string): Promise<boolean> {
  if (tenantId.toLowerCase() === deps.tenancy.tenantId.toLowerCase()) {
    throw ArmErrors.badRequest("The default tenant cannot be deleted.");
  }
  const doc = await deps.store.get(tenantKey(tenantId));
  if (!doc) return false;
  if ((await listTenantSubscriptions(deps, tenantId)).length > 0) {
    throw ArmErrors.badRequest(`Tenant '${tenantId}' still owns subscriptions; move or delete them first.`);
  }
  await deps.store.delete(tenantKey(tenantId));
  return true;
}

/** Creates a subscription in a tenant, or moves an existing one there. */
export async function putTenantSubscription(
  deps: ArmDeps,
  tenantId: string,
  subscriptionId: string,
  displayName: string | undefined,
): Promise<{ created: boolean; subscription: SubscriptionBody }> {
  const tenant = await getTenant(deps, tenantId);
  if (!isGuid(subscriptionId)) throw ArmErrors.invalidSubscriptionId(subscriptionId);
  const existing = (await deps.store.get(subscriptionKey(subscriptionId)))?.body as
    SubscriptionBody | undefined;
  const body = subscriptionBody(
    existing?.subscriptionId ?? subscriptionId.toLowerCase(),
    tenant.tenantId,
    displayName ?? existing?.displayName ?? `Subscription ${subscriptionId.slice(0, 8)}`,
  );
  await putSubscription(deps, body);
  return { created: !existing, subscription: body };
}
