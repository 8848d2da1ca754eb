/**
 * Non-ARM endpoints under the reserved `/_emulator` prefix (STYLE §6.17): health, the tenant
 * admin API, and Lazurite's diagnostics (docs/diagnostics.md): the access check `lazurite check`
 * prints, simulated requests and connections to service resources, the request log (SE-DIAG-1),
 * connection resets (SE-CFG-6), the event stream and the export of every resource. Errors use
 * ARM's envelope like everything else.
 */
import type { FastifyInstance } from "fastify";
import type { ArmDeps } from "../arm/context.js";
import {
  changeOf,
  diagnosticsOf,
  flowTextOf,
  reachTextOf,
  type SimulationResult,
} from "../arm/diagnostics/index.js";
import { exportedResources } from "../arm/diagnostics/snapshot-from-store.js";
import type { ConnectionState } from "../arm/diagnostics/connections.js";
import { ArmErrors } from "../model/errors.js";
import { registerEventRoutes } from "./events.js";
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
  registerDiagnosticRoutes(app, arm);
  app.get("/_emulator/health", async () => ({ status: "ok" }));
  app.get("/_emulator/tenants", async () => ({ value: await listTenantBodies(arm) }));
  app.get<{ Params: { tenantId: string } }>("/_emulator/tenants/:tenantId", async (req) =>
    getTenant(arm, req.params.tenantId),
  );
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
      const { created, subscription } = await putTenantSubscription(
        arm,
        req.params.tenantId,
        req.params.subscriptionId,
        displayNameOf(req.body),
      );
      return reply.status(created ? 201 : 200).send(subscription);
    },
  );
}

function topOf(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw ArmErrors.invalidParameter(`'$top' must be a positive integer, got '${text}'.`, "$top");
  return Number(text);
}

/** A simulated request's answer: what the client got, whether the service logged it, and why. */
function simulation(r: SimulationResult): Record<string, unknown> {
  return {
    outcome: r.outcome,
    ...(r.status !== undefined ? { status: r.status } : {}),
    ...(r.error ? { error: r.error } : {}),
    logged: r.entry !== undefined,
    ...(r.entry ? { entry: r.entry } : {}),
    decision: r.decision,
  };
}

const STATES: readonly ConnectionState[] = ["Open", "Reset", "Closed"];

function registerDiagnosticRoutes(app: FastifyInstance, arm: ArmDeps): void {
  const diag = diagnosticsOf(arm);

  // The access check: exactly the JSON `lazurite check` prints (not logged: no traffic is sent).
  app.post("/_emulator/check", async (req) => diag.check(diag.ctx(), flowTextOf(req.body)));
  app.get("/_emulator/check", async (req) => diag.check(diag.ctx(), flowTextOf(req.query)));

  // Analysis (src/analysis): who can reach a destination; what a write would break before it is applied.
  app.post("/_emulator/who-can-reach", async (req) => diag.whoCanReach(diag.ctx(), reachTextOf(req.body)));
  app.get("/_emulator/who-can-reach", async (req) => diag.whoCanReach(diag.ctx(), reachTextOf(req.query)));
  app.post("/_emulator/what-if", async (req) => diag.whatIf(diag.ctx(), changeOf(req.body)));

  // Every stored resource in its final form: what `lazurite export` writes as a --config file.
  app.get("/_emulator/resources", async () => ({ value: await exportedResources(diag.ctx()) }));

  // Simulated requests, and the request log (SE-DIAG-1), newest first.
  app.post("/_emulator/requests", async (req) =>
    simulation(await diag.request(diag.ctx(), flowTextOf(req.body))),
  );
  app.get<{ Querystring: { resourceId?: string; $top?: string; top?: string } }>(
    "/_emulator/requests",
    async (req) => {
      const top = topOf(req.query.$top ?? req.query.top);
      const id = req.query.resourceId;
      return { value: id ? diag.log.forResource(id, top) : diag.log.all(top) };
    },
  );

  // Simulated long-lived connections (SE-CFG-6).
  app.post("/_emulator/connections", async (req, reply) => {
    const { connection, result } = await diag.openConnection(diag.ctx(), flowTextOf(req.body));
    if (connection) return reply.status(201).send({ ...connection, ...simulation(result) });
    return reply
      .status(200)
      .send({ state: result.outcome === "RefusedByService" ? "Refused" : "Failed", ...simulation(result) });
  });
  app.get<{ Querystring: { state?: string } }>("/_emulator/connections", async (req) => {
    const s = req.query.state;
    const state = s === undefined ? undefined : STATES.find((x) => x.toLowerCase() === s.toLowerCase());
    if (s !== undefined && !state)
      throw ArmErrors.invalidParameter(`'state' must be one of ${STATES.join(", ")}.`, "state");
    return { value: diag.connections.list(state) };
  });
  app.get<{ Params: { id: string } }>("/_emulator/connections/:id", async (req) => {
    const c = diag.connections.get(req.params.id);
    if (!c) throw ArmErrors.connectionNotFound(req.params.id);
    return c;
  });
  app.post<{ Params: { id: string } }>("/_emulator/connections/:id/requests", async (req) => {
    const { connection, result } = await diag.requestOverConnection(diag.ctx(), req.params.id);
    return { connection, ...simulation(result) };
  });
  app.delete<{ Params: { id: string } }>("/_emulator/connections/:id", async (req) =>
    diag.closeConnection(req.params.id),
  );

  registerEventRoutes(app, diag.events);
}
