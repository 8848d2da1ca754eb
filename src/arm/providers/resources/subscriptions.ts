/**
 * Subscriptions and tenants as ARM lists them (`GET /subscriptions`, `/subscriptions/{id}`,
 * `/subscriptions/{id}/locations`, `/tenants`). In open auth mode every caller sees every
 * subscription (the identity issue scopes this to the caller's tenant).
 */
import { REGIONS } from "../../../model/catalog/regions.js";
import type { ArmResponse, Ctx } from "../../context.js";
import { listBody, pageRequest } from "../../paging.js";
import {
  SUBSCRIPTION_TYPE,
  TENANT_TYPE,
  getSubscription,
  type SubscriptionBody,
  type TenantBody,
} from "../../tenancy.js";

export async function listSubscriptions(ctx: Ctx): Promise<ArmResponse> {
  const page = pageRequest(ctx);
  const res = await ctx.store.list({
    type: SUBSCRIPTION_TYPE,
    limit: page.limit,
    ...(page.after !== undefined ? { after: page.after } : {}),
  });
  const value = res.items.map((d) => d.body as SubscriptionBody);
  return { status: 200, body: listBody(ctx, value, res.next) };
}

export async function getSubscriptionResponse(ctx: Ctx, sub: string): Promise<ArmResponse> {
  return { status: 200, body: await getSubscription(ctx, sub) };
}

export async function listTenants(ctx: Ctx): Promise<ArmResponse> {
  const res = await ctx.store.list({ type: TENANT_TYPE });
  return { status: 200, body: { value: res.items.map((d) => d.body as TenantBody) } };
}

export async function listLocations(_ctx: Ctx, sub: string): Promise<ArmResponse> {
  const value = REGIONS.map((r) => ({
    id: `/subscriptions/${sub}/locations/${r.name}`,
    name: r.name,
    displayName: r.displayName,
    regionalDisplayName: `(${r.geography}) ${r.displayName}`,
    metadata: {
      regionType: "Physical",
      regionCategory: "Recommended",
      geographyGroup: r.geography,
      ...(r.pairedRegion
        ? {
            pairedRegion: [{ name: r.pairedRegion, id: `/subscriptions/${sub}/locations/${r.pairedRegion}` }],
          }
        : {}),
    },
  }));
  return { status: 200, body: { value } };
}
