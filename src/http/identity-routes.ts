/**
 * Lazurite as its own Azure AD authority, on the same HTTPS server as ARM.
 *
 * What `@azure/identity`'s ClientSecretCredential calls with `authorityHost: "https://localhost:PORT"`,
 * tenant id T and `disableInstanceDiscovery: true` (MSAL Node under the hood; docs/identity.md):
 *   GET  /T/v2.0/.well-known/openid-configuration   (MSAL validates `issuer`: same scheme, host and port)
 *   POST /T/oauth2/v2.0/token   client_id, client_secret, grant_type=client_credentials, scope={resource}/.default
 * Without `disableInstanceDiscovery` MSAL first asks login.microsoftonline.com for instance
 * metadata (unreachable offline), so the option is required; `/common/discovery/instance` is
 * served all the same for clients that route it here.
 * Also served: the v1 endpoints (`/T/.well-known/openid-configuration`, `/T/oauth2/token` with
 * `resource`), the JWKS (`/T/discovery/v2.0/keys`, `/T/discovery/keys`), and the password grant
 * for users. The az CLI's ADFS routes (src/http/adfs.ts) issue the same tokens.
 *
 * The `/_emulator/tenants/{t}/servicePrincipals|users|roleAssignments` admin API manages
 * principals and bootstraps role assignments (not an Azure API). In strict mode it needs the
 * admin key, or a token of the tenant's owner (src/http/admin-auth.ts, docs/identity.md).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { newCtx } from "../arm/arm.js";
import type { ArmDeps } from "../arm/context.js";
import { builtInRoleByName } from "../arm/providers/authorization/built-in-roles.js";
import { listCustomRoles, type DirectoryPrincipal } from "../arm/providers/authorization/records.js";
import { putAssignment } from "../arm/providers/authorization/routes.js";
import { getSubscription, tenantKey } from "../arm/tenancy.js";
import type { Identity, OAuthAnswer } from "../identity/identity.js";
import { ArmErrors } from "../model/errors.js";
import { tryParseResourceId } from "../model/resource-id.js";
import { isTenantOwner } from "../arm/providers/authorization/visibility.js";
import { baseUrlOf } from "./adfs.js";
import { adminGate, type AdminGate } from "./admin-auth.js";

function formOf(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (body && typeof body === "object") {
    for (const [k, v] of Object.entries(body as Record<string, unknown>))
      if (typeof v === "string") out[k] = v;
  }
  return out;
}

function objectOf(body: unknown): Record<string, unknown> {
  return body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);

/** A principal as the admin API shows it (never its credentials). */
export function principalView(p: DirectoryPrincipal): Record<string, unknown> {
  return {
    objectId: p.objectId,
    tenantId: p.tenantId,
    type: p.kind,
    displayName: p.displayName,
    ...(p.appId !== undefined ? { appId: p.appId } : {}),
    ...(p.userPrincipalName !== undefined ? { userPrincipalName: p.userPrincipalName } : {}),
  };
}

type TenantParams = { Params: { tenant: string } };

export function registerIdentityRoutes(
  app: FastifyInstance,
  arm: ArmDeps,
  identity: Identity,
  gate: AdminGate = adminGate(arm, { mode: "open" }),
): void {
  /** The tenant of an authority URL; in open mode any GUID is accepted as a tenant id. */
  const tenantIdOf = async (segment: string): Promise<string | undefined> => {
    const t = await identity.resolveTenant(segment);
    if (t) return t.tenantId;
    if (identity.mode === "open" && /^[0-9a-f-]{36}$/i.test(segment)) return segment.toLowerCase();
    if (["common", "organizations"].includes(segment.toLowerCase())) return arm.tenancy.tenantId;
    return undefined;
  };

  const discovery =
    (version: "v1" | "v2") => async (req: FastifyRequest<TenantParams>, reply: FastifyReply) => {
      const tid = await tenantIdOf(req.params.tenant);
      if (!tid) {
        return reply.status(400).send({
          error: "invalid_tenant",
          error_description: `AADSTS90002: Tenant '${req.params.tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
          error_codes: [90002],
        });
      }
      return identity.openIdConfiguration(baseUrlOf(req), tid, version);
    };
  app.get<TenantParams>("/:tenant/v2.0/.well-known/openid-configuration", discovery("v2"));
  app.get<TenantParams>("/:tenant/.well-known/openid-configuration", discovery("v1"));
  app.get<TenantParams>("/:tenant/discovery/v2.0/keys", async () => identity.jwks());
  app.get<TenantParams>("/:tenant/discovery/keys", async () => identity.jwks());
  app.get("/common/discovery/instance", async (req) => {
    const b = baseUrlOf(req);
    const host = new URL(b).host;
    return {
      tenant_discovery_endpoint: `${b}/common/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    };
  });

  const token = (version: "v1" | "v2") => async (req: FastifyRequest<TenantParams>, reply: FastifyReply) => {
    const auth = typeof req.headers.authorization === "string" ? req.headers.authorization : undefined;
    const answer: OAuthAnswer = await identity.token(
      formOf(req.body),
      { baseUrl: baseUrlOf(req), tenant: req.params.tenant, version },
      auth,
    );
    if (answer.headers) reply.headers(answer.headers);
    return reply.status(answer.status).header("cache-control", "no-store, no-cache").send(answer.body);
  };
  app.post<TenantParams>("/:tenant/oauth2/v2.0/token", token("v2"));
  app.post<TenantParams>("/:tenant/oauth2/token", token("v1"));

  // ---- /_emulator directory admin ----
  // Strict mode: the admin key, or a token of the tenant's owner (Owner at every subscription of it).
  const directory = async (req: FastifyRequest<P>, what: string, verb: string) => {
    const access = await gate.access(req);
    if (access.kind !== "token") return;
    const scope = `/tenants/${req.params.tenantId}/${what}`;
    if (!(await isTenantOwner(gate.ctx(req, access), req.params.tenantId)))
      gate.refuse(access, `Lazurite/tenants/${what}/${verb}`, scope);
  };
  type P = { Params: { tenantId: string; appId: string; upn: string } };
  app.addHook("preHandler", async (req) => {
    const m = /^\/_emulator\/tenants\/[^/]+\/(servicePrincipals|users)(\/|$|\?)/i.exec(req.url);
    if (!m) return;
    const verb = req.method === "GET" ? "read" : req.method === "DELETE" ? "delete" : "write";
    await directory(req as FastifyRequest<P>, m[1]!, verb);
  });
  app.get<P>("/_emulator/tenants/:tenantId/servicePrincipals", async (req) => ({
    value: (await identity.listPrincipals(req.params.tenantId, "ServicePrincipal")).map(principalView),
  }));
  app.get<P>("/_emulator/tenants/:tenantId/servicePrincipals/:appId", async (req) =>
    principalView(await identity.findServicePrincipal(req.params.tenantId, req.params.appId)),
  );
  app.put<P>("/_emulator/tenants/:tenantId/servicePrincipals/:appId", async (req, reply) => {
    const b = objectOf(req.body);
    const { created, principal, secret } = await identity.putServicePrincipal(
      req.params.tenantId,
      req.params.appId,
      {
        ...(str(b.displayName) !== undefined ? { displayName: str(b.displayName)! } : {}),
        ...(str(b.secret) !== undefined ? { secret: str(b.secret)! } : {}),
        ...(str(b.objectId) !== undefined ? { objectId: str(b.objectId)! } : {}),
        newSecret: b.newSecret === true,
        resetSecret: b.resetSecret === true,
      },
    );
    return reply
      .status(created ? 201 : 200)
      .send({ ...principalView(principal), ...(secret !== undefined ? { secret } : {}) });
  });
  app.delete<P>("/_emulator/tenants/:tenantId/servicePrincipals/:appId", async (req, reply) => {
    const p = await identity
      .findServicePrincipal(req.params.tenantId, req.params.appId)
      .catch(() => undefined);
    if (!p) return reply.status(204).send();
    await identity.deletePrincipal(p);
    return reply.status(200).send(principalView(p));
  });
  app.get<P>("/_emulator/tenants/:tenantId/users", async (req) => ({
    value: (await identity.listPrincipals(req.params.tenantId, "User")).map(principalView),
  }));
  app.get<P>("/_emulator/tenants/:tenantId/users/:upn", async (req) =>
    principalView(await identity.findUser(req.params.tenantId, req.params.upn)),
  );
  app.put<P>("/_emulator/tenants/:tenantId/users/:upn", async (req, reply) => {
    const b = objectOf(req.body);
    const { created, principal, password } = await identity.putUser(req.params.tenantId, req.params.upn, {
      ...(str(b.displayName) !== undefined ? { displayName: str(b.displayName)! } : {}),
      ...(str(b.password) !== undefined ? { password: str(b.password)! } : {}),
      ...(str(b.objectId) !== undefined ? { objectId: str(b.objectId)! } : {}),
    });
    return reply
      .status(created ? 201 : 200)
      .send({ ...principalView(principal), ...(password !== undefined ? { password } : {}) });
  });
  app.delete<P>("/_emulator/tenants/:tenantId/users/:upn", async (req, reply) => {
    const p = await identity.findUser(req.params.tenantId, req.params.upn).catch(() => undefined);
    if (!p) return reply.status(204).send();
    await identity.deletePrincipal(p);
    return reply.status(200).send(principalView(p));
  });

  /** Bootstrap: assigns a role without an RBAC check (how strict mode gets its first Owner). */
  // Strict mode: with the admin key it assigns without an RBAC check; with a token of the tenant
  // it is checked exactly as ARM's role assignment PUT (roleAssignments/write at the scope).
  app.post<P>("/_emulator/tenants/:tenantId/roleAssignments", async (req, reply) => {
    const access = await gate.access(req);
    const b = objectOf(req.body);
    if (access.kind === "token" && access.caller.tenantId.toLowerCase() !== req.params.tenantId.toLowerCase())
      gate.refuse(access, "Microsoft.Authorization/roleAssignments/write", `/tenants/${req.params.tenantId}`);
    const tenantDoc = await arm.store.get(tenantKey(req.params.tenantId));
    if (!tenantDoc) throw ArmErrors.tenantNotFound(req.params.tenantId);
    const tenantId = (tenantDoc.body as { tenantId: string }).tenantId;
    const scope = str(b.scope);
    const principalId = str(b.principalId);
    if (!scope)
      throw ArmErrors.invalidParameter(
        "'scope' is required (a subscription, resource group or resource id).",
        "scope",
      );
    if (!principalId)
      throw ArmErrors.invalidParameter(
        "'principalId' is required (the principal's object id).",
        "principalId",
      );
    const ctx = newCtx(arm, {
      method: "PUT",
      path: "/_emulator/roleAssignments",
      query: {},
      apiVersion: "2022-04-01",
      body: undefined,
      baseUrl: baseUrlOf(req),
      caller: access.kind === "token" ? access.caller : { kind: "open" },
    });
    const subId = tryParseResourceId(scope)?.subscriptionId;
    const sub = subId !== undefined ? await getSubscription(ctx, subId) : undefined;
    if (subId === undefined)
      throw ArmErrors.invalidParameter(
        `The scope '${scope}' is not a subscription, resource group or resource id.`,
        "scope",
      );
    if (!sub) throw ArmErrors.subscriptionNotFound(subId);
    if (sub.tenantId.toLowerCase() !== tenantId.toLowerCase()) {
      throw ArmErrors.invalidParameter(
        `The subscription '${subId}' belongs to tenant '${sub.tenantId}', not '${tenantId}'.`,
        "scope",
      );
    }
    let roleDefinitionId = str(b.roleDefinitionId);
    const roleName = str(b.roleName);
    if (!roleDefinitionId && roleName) {
      const builtIn = builtInRoleByName(roleName);
      const custom = (await listCustomRoles(arm.store, tenantId)).find(
        (r) => r.properties.roleName.toLowerCase() === roleName.toLowerCase(),
      );
      roleDefinitionId = builtIn?.id ?? custom?.name;
      if (!roleDefinitionId) throw ArmErrors.roleDefinitionDoesNotExist(roleName);
    }
    if (!roleDefinitionId)
      throw ArmErrors.invalidParameter("'roleDefinitionId' or 'roleName' is required.", "roleDefinitionId");
    const name = str(b.name) ?? arm.ids.guid();
    const res = await putAssignment(ctx, scope, name, { properties: { roleDefinitionId, principalId } });
    return reply.status(res.status).send(res.body);
  });
}
