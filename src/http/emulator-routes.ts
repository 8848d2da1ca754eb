/**
 * Non-ARM endpoints under the reserved `/_emulator` prefix (STYLE §6.17): health, the tenant
 * admin API, and Lazurite's diagnostics (docs/diagnostics.md): the access check `lazurite check`
 * prints, simulated requests and connections to service resources, the request log (SE-DIAG-1),
 * connection resets (SE-CFG-6), the event stream and the export of every resource. Errors use
 * ARM's envelope like everything else.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ArmDeps, Ctx } from "../arm/context.js";
import { allows, visible } from "../arm/providers/authorization/authorizer.js";
import {
  canRead,
  firstUnreadable,
  namedIds,
  readableItems,
  readActionOf,
} from "../arm/providers/authorization/visibility.js";
import { fullType, tryParseResourceId } from "../model/resource-id.js";
import type { Decision } from "../engine/types.js";
import { adminGate, type AdminAccess, type AdminGate } from "./admin-auth.js";
import {
  changeOf,
  diagnosticsOf,
  flowTextOf,
  reachTextOf,
  type EmulatorEvent,
  type FlowText,
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

export function registerEmulatorRoutes(
  app: FastifyInstance,
  arm: ArmDeps,
  gate: AdminGate = adminGate(arm, { mode: "open" }),
): void {
  registerDiagnosticRoutes(app, arm, gate);
  app.get("/_emulator/health", async () => ({ status: "ok" }));
  // Tenants: a token caller sees its own tenant; creating, deleting and moving need the admin key.
  const tenantScope = (t: string) => `/tenants/${t}`;
  const ownTenant = async (req: FastifyRequest, tenantId: string): Promise<AdminAccess> => {
    const access = await gate.access(req);
    if (access.kind === "token" && access.caller.tenantId.toLowerCase() !== tenantId.toLowerCase())
      gate.refuse(access, "Lazurite/tenants/read", tenantScope(tenantId));
    return access;
  };
  app.get("/_emulator/tenants", async (req) => {
    const access = await gate.access(req);
    const all = await listTenantBodies(arm);
    return {
      value:
        access.kind === "token"
          ? all.filter((t) => t.tenantId.toLowerCase() === access.caller.tenantId.toLowerCase())
          : all,
    };
  });
  app.get<{ Params: { tenantId: string } }>("/_emulator/tenants/:tenantId", async (req) => {
    await ownTenant(req, req.params.tenantId);
    return getTenant(arm, req.params.tenantId);
  });
  app.put<{ Params: { tenantId: string } }>("/_emulator/tenants/:tenantId", async (req, reply) => {
    await gate.requireAdmin(req, "Lazurite/tenants/write", tenantScope(req.params.tenantId));
    const { created, tenant } = await createTenant(arm, req.params.tenantId, displayNameOf(req.body));
    return reply.status(created ? 201 : 200).send(tenant);
  });
  app.delete<{ Params: { tenantId: string } }>("/_emulator/tenants/:tenantId", async (req, reply) => {
    await gate.requireAdmin(req, "Lazurite/tenants/delete", tenantScope(req.params.tenantId));
    return reply.status((await deleteTenant(arm, req.params.tenantId)) ? 200 : 204).send();
  });
  app.get<{ Params: { tenantId: string } }>("/_emulator/tenants/:tenantId/subscriptions", async (req) => {
    const access = await ownTenant(req, req.params.tenantId);
    const subs = await listTenantSubscriptions(arm, req.params.tenantId);
    if (access.kind !== "token") return { value: subs };
    const ctx = gate.ctx(req, access);
    const shown = [];
    for (const s of subs)
      if (await visible(ctx, "Microsoft.Resources/subscriptions/read", `/subscriptions/${s.subscriptionId}`))
        shown.push(s);
    return { value: shown };
  });
  app.put<{ Params: { tenantId: string; subscriptionId: string } }>(
    "/_emulator/tenants/:tenantId/subscriptions/:subscriptionId",
    async (req, reply) => {
      await gate.requireAdmin(
        req,
        "Lazurite/tenants/subscriptions/write",
        `${tenantScope(req.params.tenantId)}/subscriptions/${req.params.subscriptionId}`,
      );
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

/**
 * A token caller's view of diagnostics: an answer is given only when it names nothing the caller
 * cannot read (403 AuthorizationFailed on the first such id, with its read action); lists keep
 * the items that name only what it can read.
 */
async function assertReadable(gate: AdminGate, access: AdminAccess, ctx: Ctx, value: unknown): Promise<void> {
  if (access.kind !== "token") return;
  const id = await firstUnreadable(ctx, namedIds(value));
  if (id === undefined) return;
  const parsed = tryParseResourceId(id);
  gate.refuse(access, parsed ? readActionOf(parsed) : "*/read", id);
}

/** The action a proposed write needs (what-if asks it of a token caller before answering). */
function writeActionOf(id: string, method: "PUT" | "DELETE"): string | undefined {
  const parsed = tryParseResourceId(id);
  if (!parsed) return undefined;
  const verb = method === "PUT" ? "write" : "delete";
  if (parsed.namespace === undefined)
    return parsed.resourceGroup !== undefined
      ? `Microsoft.Resources/subscriptions/resourceGroups/${verb}`
      : undefined;
  return `${fullType(parsed)}/${verb}`;
}

/** A request-log entry as a caller that reads its resource sees it: source ids it cannot read are left out. */
async function entryView(ctx: Ctx, entry: LogEntryLike): Promise<LogEntryLike | undefined> {
  if (!(await canRead(ctx, entry.resourceId))) return undefined;
  if (await readableSource(ctx, entry)) return entry;
  const { subnetId: _s, sourcePrivateAddress: _p, ...rest } = entry;
  return { ...rest, source: entry.sourceAddress };
}

interface LogEntryLike {
  resourceId: string;
  source: string;
  sourceAddress: string;
  subnetId?: string;
  sourcePrivateAddress?: string;
  [k: string]: unknown;
}

async function readableSource(ctx: Ctx, entry: LogEntryLike): Promise<boolean> {
  return (await firstUnreadable(ctx, namedIds([entry.source, entry.subnetId ?? ""]))) === undefined;
}

async function entriesView(ctx: Ctx, access: AdminAccess, entries: readonly LogEntryLike[]) {
  if (access.kind !== "token") return entries;
  const out: LogEntryLike[] = [];
  for (const e of entries) {
    const v = await entryView(ctx, e);
    if (v) out.push(v);
  }
  return out;
}

function registerDiagnosticRoutes(app: FastifyInstance, arm: ArmDeps, gate: AdminGate): void {
  const diag = diagnosticsOf(arm);
  /** The caller and a context carrying it (RBAC reads). */
  const who = async (req: FastifyRequest) => {
    const access = await gate.access(req);
    return { access, ctx: gate.ctx(req, access) };
  };

  /** A decision shown to a token caller only when it reads every resource the flow and the answer name. */
  const checked = async (req: FastifyRequest, text: FlowText): Promise<Decision> => {
    const { access, ctx } = await who(req);
    await assertReadable(gate, access, ctx, text);
    const d = await diag.check(ctx, text);
    await assertReadable(gate, access, ctx, d);
    return d;
  };

  // The access check: exactly the JSON `lazurite check` prints (not logged: no traffic is sent).
  app.post("/_emulator/check", async (req) => checked(req, flowTextOf(req.body)));
  app.get("/_emulator/check", async (req) => checked(req, flowTextOf(req.query)));

  // Analysis (src/analysis): who can reach a destination; what a write would break before it is applied.
  const reach = async (req: FastifyRequest, body: unknown) => {
    const { access, ctx } = await who(req);
    const text = reachTextOf(body);
    await assertReadable(gate, access, ctx, text);
    const answer = await diag.whoCanReach(ctx, text);
    if (access.kind !== "token") return answer;
    const rows = await readableItems(ctx, answer.rows);
    return {
      ...answer,
      allowed: rows.filter((r) => r.decision === "Allowed").length,
      denied: rows.filter((r) => r.decision !== "Allowed").length,
      rows,
    };
  };
  app.post("/_emulator/who-can-reach", async (req) => reach(req, req.body));
  app.get("/_emulator/who-can-reach", async (req) => reach(req, req.query));
  app.post("/_emulator/what-if", async (req) => {
    const { access, ctx } = await who(req);
    const change = changeOf(req.body);
    if (access.kind === "token") {
      const method = change.kind === "put" ? "PUT" : "DELETE";
      const action = writeActionOf(change.id, method);
      if (!action || !(await canRead(ctx, change.id)) || !(await allows(ctx, action, change.id)))
        gate.refuse(access, action ?? "*/write", change.id);
    }
    const report = await diag.whatIf(ctx, change);
    if (access.kind !== "token") return report;
    const flows = await readableItems(ctx, report.flows);
    return {
      ...report,
      changes: await readableItems(ctx, report.changes),
      endpointChanges: await readableItems(ctx, report.endpointChanges),
      costs: await readableItems(ctx, report.costs),
      warnings: await readableItems(ctx, report.warnings),
      broken: flows.filter((f) => f.before === "Allowed" && f.after === "Denied").length,
      opened: flows.filter((f) => f.before === "Denied" && f.after === "Allowed").length,
      flows,
    };
  });

  // Every stored resource in its final form: what `lazurite export` writes as a --config file.
  app.get("/_emulator/resources", async (req) => {
    const { access, ctx } = await who(req);
    const all = await exportedResources(ctx);
    if (access.kind !== "token") return { value: all };
    const value = [];
    for (const r of all) if (typeof r.id === "string" && (await canRead(ctx, r.id))) value.push(r);
    return { value };
  });

  // Simulated requests, and the request log (SE-DIAG-1), newest first.
  app.post("/_emulator/requests", async (req) => {
    const text = flowTextOf(req.body);
    const { access, ctx } = await who(req);
    // A token caller sends only between resources it reads, checked before anything is logged.
    if (access.kind === "token") await checked(req, text);
    return simulation(await diag.request(ctx, text));
  });
  app.get<{ Querystring: { resourceId?: string; $top?: string; top?: string } }>(
    "/_emulator/requests",
    async (req) => {
      const { access, ctx } = await who(req);
      const top = topOf(req.query.$top ?? req.query.top);
      const id = req.query.resourceId;
      if (id) await assertReadable(gate, access, ctx, id);
      const entries = id ? diag.log.forResource(id, top) : diag.log.all(top);
      return { value: await entriesView(ctx, access, entries as unknown as LogEntryLike[]) };
    },
  );

  // Simulated long-lived connections (SE-CFG-6): a token caller sees those between resources it reads.
  const ownConnection = async (req: FastifyRequest, id: string) => {
    const { access, ctx } = await who(req);
    const c = diag.connections.get(id);
    if (!c || !(await connectionShown(ctx, c))) throw ArmErrors.connectionNotFound(id);
    return { access, ctx, c };
  };
  app.post("/_emulator/connections", async (req, reply) => {
    const text = flowTextOf(req.body);
    const { access, ctx } = await who(req);
    if (access.kind === "token") await checked(req, text);
    const { connection, result } = await diag.openConnection(ctx, text);
    if (connection) return reply.status(201).send({ ...connection, ...simulation(result) });
    return reply
      .status(200)
      .send({ state: result.outcome === "RefusedByService" ? "Refused" : "Failed", ...simulation(result) });
  });
  app.get<{ Querystring: { state?: string } }>("/_emulator/connections", async (req) => {
    const { ctx } = await who(req);
    const s = req.query.state;
    const state = s === undefined ? undefined : STATES.find((x) => x.toLowerCase() === s.toLowerCase());
    if (s !== undefined && !state)
      throw ArmErrors.invalidParameter(`'state' must be one of ${STATES.join(", ")}.`, "state");
    const value = [];
    for (const c of diag.connections.list(state)) if (await connectionShown(ctx, c)) value.push(c);
    return { value };
  });
  app.get<{ Params: { id: string } }>(
    "/_emulator/connections/:id",
    async (req) => (await ownConnection(req, req.params.id)).c,
  );
  app.post<{ Params: { id: string } }>("/_emulator/connections/:id/requests", async (req) => {
    const { ctx } = await ownConnection(req, req.params.id);
    const { connection, result } = await diag.requestOverConnection(ctx, req.params.id);
    return { connection, ...simulation(result) };
  });
  app.delete<{ Params: { id: string } }>("/_emulator/connections/:id", async (req) => {
    await ownConnection(req, req.params.id);
    return diag.closeConnection(req.params.id);
  });

  registerEventRoutes(app, diag.events, {
    gate,
    view: (ctx, e) => eventView(ctx, e),
  });
}

/** A connection is shown to a caller that reads both of its ends. */
async function connectionShown(ctx: Ctx, c: { sourceId: string; destinationId: string }): Promise<boolean> {
  return (await firstUnreadable(ctx, [c.sourceId, c.destinationId])) === undefined;
}

/** An event as a caller sees it (undefined: not shown). */
async function eventView(ctx: Ctx, e: EmulatorEvent): Promise<EmulatorEvent | undefined> {
  switch (e.type) {
    case "request": {
      const entry = e.data.entry as LogEntryLike | undefined;
      if (!entry) return undefined;
      const v = await entryView(ctx, entry);
      return v ? { ...e, data: { ...e.data, entry: v } } : undefined;
    }
    case "resource": {
      const id = e.data.resourceId;
      return typeof id === "string" && (await canRead(ctx, id)) ? e : undefined;
    }
    default: {
      const c = e.data.connection as { sourceId?: string; destinationId?: string } | undefined;
      if (!c || typeof c.sourceId !== "string" || typeof c.destinationId !== "string") return undefined;
      return (await connectionShown(ctx, { sourceId: c.sourceId, destinationId: c.destinationId }))
        ? e
        : undefined;
    }
  }
}
