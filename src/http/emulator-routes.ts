/**
 * Non-ARM endpoints under the reserved `/_emulator` prefix (STYLE §6.17): health and the
 * tenant admin API. Errors use ARM's envelope like everything else.
 */
import type { FastifyInstance } from "fastify";
import type { ArmDeps } from "../arm/context.js";
import {
  createTenant,
  deleteTenant,
  getTenant,
  listTenantBodies,
  listTenantSubscriptions,
  putTenantSubscription,
} from "../arm/providers/resources/tenants.js";

function displayNameOf(body: unknown): string | undefined {
  const v = body && typeof body === "object" ? (body as Record<string, unknown>).displayName : undefined;
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

export function registerEmulatorRoutes(app: FastifyInstance, arm: ArmDeps): void {
  app.get("/_emulator/health", async () => ({ status: "ok" }));
  app.get("/_emulator/tenants", async () => ({ value: await listTenantBodies(arm) }));
  app.get<{ Params: { tenantId: string } }>("/_emulator/tenants/:tenantId", async (req) => getTenant(arm, req.params.tenantId));
  app.put<{ Params: { tenantId: string } }>("/_emulator/tenants/:tenantId", async (req, reply) => {
    const { created, tenant } = await createTenant(arm, req.params.tenantId, displayNameOf(req.body));
    return reply.status(created ? 201 : 200).send(tenant);
  });
  app.delete<{ Params: { tenantId: string } }>("/_emulator/tenants/:tenantId", async (req, reply) => {
    return reply.status((await deleteTenant(arm, req.params.tenantId)) ? 200 : 204).send();
  });
  app.get<{ Params: { tenantId: string } }>("/_emulator/tenants/:tenantId/subscriptions", async (req) => ({
    value: await listTenantSubscriptions(arm, req.params.tenantId),
  }));
  app.put<{ Params: { tenantId: string; subscriptionId: string } }>(
    "/_emulator/tenants/:tenantId/subscriptions/:subscriptionId",
    async (req, reply) => {
      const { created, subscription } = await putTenantSubscription(arm, req.params.tenantId, req.params.subscriptionId, displayNameOf(req.body));
      return reply.status(created ? 201 : 200).send(subscription);
    },
  );
}
