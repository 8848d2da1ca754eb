/**
 * Identity and RBAC in process (Fastify inject, in-memory store, a settable clock): the token
 * endpoint's grants and errors, the ADFS route the az CLI uses, token expiry on the injected
 * clock, Microsoft.Authorization's validation errors, the directory admin API, and open mode
 * (any token acts as Owner; SE-ACL-4's tenant rule still holds).
 */
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArmDeps, newCtx } from "../../src/arm/arm.js";
import { authorizeSubnetJoin } from "../../src/arm/authz.js";
import type { ArmDeps } from "../../src/arm/context.js";
import {
  CONTRIBUTOR,
  NETWORK_CONTRIBUTOR,
  OWNER,
  READER,
} from "../../src/arm/providers/authorization/built-in-roles.js";
import { loadConfig } from "../../src/config/config.js";
import { buildApp } from "../../src/http/app.js";
import { strictAuthenticator } from "../../src/http/auth.js";
import { ADMIN_KEY_HEADER } from "../../src/config/admin-key.js";
import { Identity, audienceOf, dotnetUtc } from "../../src/identity/identity.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";

const TENANT = "72f988bf-0000-0000-0000-000000000001";
const OTHER_TENANT = "0e0e0e0e-0000-4000-8000-00000000000e";
const SUB = "00000000-0000-0000-0000-000000000001";
const OTHER_SUB = "0e0e0e0e-1111-4111-8111-0000000000e1";
const BASE = "https://localhost:8443";
const ADMIN_KEY = "lzadm_test-admin-key-of-the-in-process-server";
const RA = "providers/Microsoft.Authorization/roleAssignments";
const roleId = (guid: string) =>
  `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

interface World {
  app: FastifyInstance;
  deps: ArmDeps;
  identity: Identity;
  clock: { t: number };
  close(): Promise<void>;
}

async function world(mode: "open" | "strict"): Promise<World> {
  const { store } = await openSqliteStore({ filename: ":memory:" });
  const clock = { t: Date.UTC(2026, 0, 1, 9, 30, 0) };
  let n = 0;
  const deps = await createArmDeps({
    store,
    clock: { now: () => clock.t },
    ids: { guid: () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, "0")}` },
    lro: { inProgressPolls: 0, maxDurationMs: 0 },
  });
  const identity = await Identity.create(deps, { mode });
  const app = buildApp({
    arm: deps,
    identity,
    ...(mode === "strict" ? { auth: strictAuthenticator(identity, deps), adminKey: ADMIN_KEY } : {}),
  });
  return {
    app,
    deps,
    identity,
    clock,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

function req(
  w: World,
  method: string,
  url: string,
  opts: { body?: unknown; token?: string; form?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  // The admin API needs the admin key in strict mode (ARM routes ignore the header).
  const headers: Record<string, string> = { host: "localhost:8443", [ADMIN_KEY_HEADER]: ADMIN_KEY };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let payload: string | undefined;
  if (opts.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    payload = new URLSearchParams(opts.form).toString();
  } else if (opts.body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(opts.body);
  }
  return w.app.inject({
    method: method as "GET",
    url,
    headers,
    ...(payload !== undefined ? { payload } : {}),
  });
}

const json = (r: LightMyRequestResponse) => (r.body ? JSON.parse(r.body) : undefined);

async function token(
  w: World,
  form: Record<string, string>,
  path = `/${TENANT}/oauth2/v2.0/token`,
): Promise<LightMyRequestResponse> {
  return req(w, "POST", path, { form });
}

describe("identity in process: strict mode", () => {
  let w: World;
  let sp: { appId: string; objectId: string; secret: string };
  let spToken: string;

  beforeAll(async () => {
    w = await world("strict");
    const r = json(
      await req(
        w,
        "PUT",
        `/_emulator/tenants/${TENANT}/servicePrincipals/aaaaaaaa-0000-4000-8000-000000000001`,
        { body: { displayName: "ops", secret: "s3cret" } },
      ),
    );
    sp = { appId: r.appId, objectId: r.objectId, secret: r.secret };
    expect(r.secret).toBe("s3cret");
    const a = await req(w, "POST", `/_emulator/tenants/${TENANT}/roleAssignments`, {
      body: { principalId: sp.objectId, roleName: "Owner", scope: `/subscriptions/${SUB}` },
    });
    expect(a.statusCode).toBe(201);
    spToken = json(
      await token(w, {
        grant_type: "client_credentials",
        client_id: sp.appId,
        client_secret: "s3cret",
        scope: `${BASE}/.default`,
      }),
    ).access_token;
  });
  afterAll(async () => w?.close());

  it("the admin API never shows credentials; a PUT without a secret keeps the old one", async () => {
    const list = json(await req(w, "GET", `/_emulator/tenants/${TENANT}/servicePrincipals`));
    expect(list.value).toEqual([
      {
        objectId: sp.objectId,
        tenantId: TENANT,
        type: "ServicePrincipal",
        displayName: "ops",
        appId: sp.appId,
      },
    ]);
    const again = await req(w, "PUT", `/_emulator/tenants/${TENANT}/servicePrincipals/${sp.appId}`, {
      body: { displayName: "ops2" },
    });
    expect(again.statusCode).toBe(200);
    expect(json(again).secret).toBeUndefined();
    expect(
      json(
        await token(w, {
          grant_type: "client_credentials",
          client_id: sp.appId,
          client_secret: "s3cret",
          scope: `${BASE}/.default`,
        }),
      ).access_token,
    ).toBeTruthy();
    expect(
      (
        await req(
          w,
          "GET",
          `/_emulator/tenants/${TENANT}/servicePrincipals/ffffffff-0000-4000-8000-000000000001`,
        )
      ).statusCode,
    ).toBe(404);
  });

  it("token endpoint errors are Azure AD's (AADSTS codes, OAuth error names, statuses)", async () => {
    const cases: Array<[Record<string, string>, string, number, string]> = [
      [
        {
          grant_type: "client_credentials",
          client_id: sp.appId,
          client_secret: "nope",
          scope: `${BASE}/.default`,
        },
        `/${TENANT}/oauth2/v2.0/token`,
        401,
        "AADSTS7000215",
      ],
      [
        { grant_type: "client_credentials", client_id: sp.appId, scope: `${BASE}/.default` },
        `/${TENANT}/oauth2/v2.0/token`,
        401,
        "AADSTS7000218",
      ],
      [
        {
          grant_type: "client_credentials",
          client_id: "bbbbbbbb-0000-4000-8000-000000000001",
          client_secret: "x",
          scope: `${BASE}/.default`,
        },
        `/${TENANT}/oauth2/v2.0/token`,
        400,
        "AADSTS700016",
      ],
      [
        {
          grant_type: "client_credentials",
          client_id: sp.appId,
          client_secret: "s3cret",
          scope: `${BASE}/.default`,
        },
        `/99999999-0000-4000-8000-000000000009/oauth2/v2.0/token`,
        400,
        "AADSTS90002",
      ],
      [
        { grant_type: "authorization_code", client_id: sp.appId, code: "x" },
        `/${TENANT}/oauth2/v2.0/token`,
        400,
        "AADSTS70003",
      ],
      [
        { grant_type: "client_credentials", client_id: sp.appId, client_secret: "s3cret" },
        `/${TENANT}/oauth2/v2.0/token`,
        400,
        "AADSTS90014",
      ],
    ];
    for (const [form, path, status, code] of cases) {
      const r = await token(w, form, path);
      expect([code, r.statusCode]).toEqual([code, status]);
      expect(json(r).error_description).toMatch(new RegExp(`^${code}: `));
      expect(json(r).error_codes).toEqual([Number(code.slice(6))]);
    }
  });

  it("the v1 endpoint takes `resource`; the ADFS route (az CLI) checks the secret and signs the same tokens", async () => {
    const v1 = json(
      await token(
        w,
        {
          grant_type: "client_credentials",
          client_id: sp.appId,
          client_secret: "s3cret",
          resource: `${BASE}/`,
        },
        `/${TENANT}/oauth2/token`,
      ),
    );
    expect(v1.resource).toBe(`${BASE}/`);
    expect(
      (
        await req(w, "GET", `/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`, {
          token: v1.access_token,
        })
      ).statusCode,
    ).toBe(200);
    const bad = await token(
      w,
      {
        grant_type: "client_credentials",
        client_id: sp.appId,
        client_secret: "x",
        scope: `${BASE}//.default`,
      },
      "/adfs/oauth2/token",
    );
    expect(bad.statusCode).toBe(401);
    const az = json(
      await token(
        w,
        {
          grant_type: "client_credentials",
          client_id: sp.appId,
          client_secret: "s3cret",
          scope: `${BASE}//.default`,
        },
        "/adfs/oauth2/token",
      ),
    );
    expect(
      (await req(w, "GET", `/subscriptions?api-version=2019-11-01`, { token: az.access_token })).statusCode,
    ).toBe(200);
    expect(json(await req(w, "GET", "/adfs/discovery/keys")).keys).toHaveLength(1);
  });

  it("a token that was valid expires on the injected clock: 401 ExpiredAuthenticationToken (5 minutes of skew)", async () => {
    const t0 = w.clock.t;
    const fresh = json(
      await token(w, {
        grant_type: "client_credentials",
        client_id: sp.appId,
        client_secret: "s3cret",
        scope: `${BASE}/.default`,
      }),
    ).access_token;
    try {
      w.clock.t = t0 + 3599_000 + 4 * 60_000;
      expect(
        (await req(w, "GET", `/subscriptions/${SUB}?api-version=2020-01-01`, { token: fresh })).statusCode,
      ).toBe(200);
      w.clock.t = t0 + 3599_000 + 6 * 60_000;
      const r = await req(w, "GET", `/subscriptions/${SUB}?api-version=2020-01-01`, { token: fresh });
      expect(r.statusCode).toBe(401);
      expect(json(r).error).toEqual({
        code: "ExpiredAuthenticationToken",
        message: `The access token expiry UTC time '${dotnetUtc(t0 + 3599_000 - (t0 % 1000))}' is earlier than current UTC time '${dotnetUtc(w.clock.t)}'.`,
      });
    } finally {
      w.clock.t = t0;
    }
    expect(dotnetUtc(Date.UTC(2026, 5, 15, 8, 22, 51))).toBe("6/15/2026 8:22:51 AM");
    expect(dotnetUtc(Date.UTC(2026, 5, 15, 0, 5, 1))).toBe("6/15/2026 12:05:01 AM");
    expect(dotnetUtc(Date.UTC(2026, 5, 15, 13, 0, 0))).toBe("6/15/2026 1:00:00 PM");
  });

  it("users sign in with the password grant; AuthorizationFailed names them by UPN", async () => {
    const u = json(
      await req(w, "PUT", `/_emulator/tenants/${TENANT}/users/alice@lazurite.onmicrosoft.com`, {
        body: { password: "pw" },
      }),
    );
    expect(u.type).toBe("User");
    const wrong = await token(w, {
      grant_type: "password",
      client_id: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
      username: "alice@lazurite.onmicrosoft.com",
      password: "x",
      scope: `${BASE}/.default`,
    });
    expect(json(wrong).error).toBe("invalid_grant");
    const ok = json(
      await token(w, {
        grant_type: "password",
        client_id: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        username: "alice@lazurite.onmicrosoft.com",
        password: "pw",
        scope: `${BASE}/.default openid profile`,
      }),
    );
    expect(ok.id_token).toBeTruthy();
    const r = await req(w, "PUT", `/subscriptions/${SUB}/resourcegroups/alice?api-version=2021-04-01`, {
      token: ok.access_token,
      body: { location: "westus" },
    });
    expect(r.statusCode).toBe(403);
    expect(json(r).error.message).toBe(
      `The client 'alice@lazurite.onmicrosoft.com' with object id '${u.objectId}' does not have authorization to perform action 'Microsoft.Resources/subscriptions/resourceGroups/write' over scope '/subscriptions/${SUB}/resourcegroups/alice' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
    // Reader at the subscription: reads pass, writes do not.
    await req(
      w,
      "PUT",
      `/subscriptions/${SUB}/${RA}/00000000-0000-4000-8000-0000000000aa?api-version=2022-04-01`,
      {
        token: spToken,
        body: { properties: { roleDefinitionId: roleId(READER), principalId: u.objectId } },
      },
    );
    expect(
      (
        await req(w, "GET", `/subscriptions/${SUB}/resourcegroups?api-version=2021-04-01`, {
          token: ok.access_token,
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await req(w, "PUT", `/subscriptions/${SUB}/resourcegroups/alice?api-version=2021-04-01`, {
          token: ok.access_token,
          body: { location: "westus" },
        })
      ).statusCode,
    ).toBe(403);
  });

  it("LRO status polls need authentication only; everything else needs its action", async () => {
    expect(
      (
        await req(
          w,
          "GET",
          `/subscriptions/${SUB}/providers/Microsoft.Network/locations/westus/operations/x?api-version=2024-05-01`,
        )
      ).statusCode,
    ).toBe(401);
    const rg = await req(w, "PUT", `/subscriptions/${SUB}/resourcegroups/lro?api-version=2021-04-01`, {
      token: spToken,
      body: { location: "westus" },
    });
    expect(rg.statusCode).toBe(201);
  });

  it("Microsoft.Authorization validates like Azure: ids, roles, principals, duplicates, updates, scopes, custom role names", async () => {
    const at = (name: string, scope = `/subscriptions/${SUB}`) =>
      `${scope}/${RA}/${name}?api-version=2022-04-01`;
    const put = (url: string, properties: Record<string, unknown>) =>
      req(w, "PUT", url, { token: spToken, body: { properties } });
    const code = async (r: Promise<LightMyRequestResponse>) => {
      const x = await r;
      return [x.statusCode, json(x)?.error?.code];
    };
    const target = json(
      await req(
        w,
        "PUT",
        `/_emulator/tenants/${TENANT}/servicePrincipals/aaaaaaaa-0000-4000-8000-000000000002`,
        { body: {} },
      ),
    );
    expect(
      await code(put(at("not-a-guid"), { roleDefinitionId: roleId(READER), principalId: target.objectId })),
    ).toEqual([400, "InvalidRoleAssignmentId"]);
    expect(
      await code(
        put(at("00000000-0000-4000-8000-0000000000b1"), {
          roleDefinitionId: roleId("12345678-0000-4000-8000-000000000000"),
          principalId: target.objectId,
        }),
      ),
    ).toEqual([404, "RoleDefinitionDoesNotExist"]);
    expect(
      await code(
        put(at("00000000-0000-4000-8000-0000000000b1"), {
          roleDefinitionId: roleId(READER),
          principalId: "12345678-0000-4000-8000-000000000000",
        }),
      ),
    ).toEqual([400, "PrincipalNotFound"]);
    expect(
      await code(
        put(at("00000000-0000-4000-8000-0000000000b1"), {
          roleDefinitionId: roleId(READER),
          principalId: target.objectId,
          principalType: "User",
        }),
      ),
    ).toEqual([400, "UnmatchedPrincipalType"]);
    const created = await put(at("00000000-0000-4000-8000-0000000000b1"), {
      roleDefinitionId: roleId(READER),
      principalId: target.objectId,
    });
    expect(created.statusCode).toBe(201);
    expect(json(created)).toMatchObject({
      id: `/subscriptions/${SUB}/${RA}/00000000-0000-4000-8000-0000000000b1`,
      name: "00000000-0000-4000-8000-0000000000b1",
      type: "Microsoft.Authorization/roleAssignments",
      properties: {
        scope: `/subscriptions/${SUB}`,
        roleDefinitionId: roleId(READER),
        principalId: target.objectId,
        principalType: "ServicePrincipal",
        createdBy: sp.objectId,
      },
    });
    expect(
      (
        await put(at("00000000-0000-4000-8000-0000000000b1"), {
          roleDefinitionId: roleId(READER),
          principalId: target.objectId,
          description: "again",
        })
      ).statusCode,
    ).toBe(200);
    expect(
      await code(
        put(at("00000000-0000-4000-8000-0000000000b1"), {
          roleDefinitionId: roleId(CONTRIBUTOR),
          principalId: target.objectId,
        }),
      ),
    ).toEqual([400, "RoleAssignmentUpdateNotPermitted"]);
    expect(
      await code(
        put(at("00000000-0000-4000-8000-0000000000b2"), {
          roleDefinitionId: roleId(READER),
          principalId: target.objectId,
        }),
      ),
    ).toEqual([409, "RoleAssignmentExists"]);
    expect(await code(req(w, "GET", at("00000000-0000-4000-8000-0000000000b9"), { token: spToken }))).toEqual(
      [404, "RoleAssignmentNotFound"],
    );
    expect(
      await code(
        put(at("00000000-0000-4000-8000-0000000000b3", `/subscriptions/${SUB}/resourceGroups/nope`), {
          roleDefinitionId: roleId(READER),
          principalId: target.objectId,
        }),
      ),
    ).toEqual([404, "ResourceGroupNotFound"]);

    // Custom roles: unique names per tenant, assignable only inside their scopes, not deletable while assigned.
    await req(w, "PUT", `/subscriptions/${SUB}/resourcegroups/custom?api-version=2021-04-01`, {
      token: spToken,
      body: { location: "westus" },
    });
    const def = (name: string, roleName: string, scopes: string[]) =>
      req(
        w,
        "PUT",
        `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${name}?api-version=2022-04-01`,
        {
          token: spToken,
          body: {
            properties: {
              roleName,
              type: "CustomRole",
              permissions: [{ actions: ["Microsoft.Network/*/read"] }],
              assignableScopes: scopes,
            },
          },
        },
      );
    const rg = `/subscriptions/${SUB}/resourceGroups/custom`;
    expect((await def("c0000000-0000-4000-8000-000000000001", "Net reader", [rg])).statusCode).toBe(201);
    expect(await code(def("c0000000-0000-4000-8000-000000000002", "net READER", [rg]))).toEqual([
      409,
      "RoleDefinitionWithSameNameExists",
    ]);
    expect(await code(def("c0000000-0000-4000-8000-000000000003", "Reader", [rg]))).toEqual([
      409,
      "RoleDefinitionWithSameNameExists",
    ]);
    expect(await code(def("not-a-guid", "X", [rg]))).toEqual([400, "InvalidRoleDefinitionId"]);
    const custom = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/c0000000-0000-4000-8000-000000000001`;
    expect(
      await code(
        put(at("00000000-0000-4000-8000-0000000000b4"), {
          roleDefinitionId: custom,
          principalId: target.objectId,
        }),
      ),
    ).toEqual([400, "ScopeDoesNotMatchRoleDefinition"]);
    expect(
      (
        await put(at("00000000-0000-4000-8000-0000000000b5", rg), {
          roleDefinitionId: custom,
          principalId: target.objectId,
        })
      ).statusCode,
    ).toBe(201);
    const delDef = () => req(w, "DELETE", `${custom}?api-version=2022-04-01`, { token: spToken });
    expect(await code(delDef())).toEqual([409, "RoleDefinitionHasAssignments"]);
    expect(
      (await req(w, "DELETE", at("00000000-0000-4000-8000-0000000000b5", rg), { token: spToken })).statusCode,
    ).toBe(200);
    expect(
      (await req(w, "DELETE", at("00000000-0000-4000-8000-0000000000b5", rg), { token: spToken })).statusCode,
    ).toBe(204);
    expect((await delDef()).statusCode).toBe(200);
    expect(await code(req(w, "GET", `${custom}?api-version=2022-04-01`, { token: spToken }))).toEqual([
      404,
      "RoleDefinitionDoesNotExist",
    ]);

    // Listing with $filter=atScope() shows assignments at or above the scope only.
    const listed = json(
      await req(w, "GET", `${rg}/${RA}?api-version=2022-04-01&$filter=atScope()`, { token: spToken }),
    );
    expect(
      listed.value.every(
        (a: { properties: { scope: string } }) =>
          !a.properties.scope.toLowerCase().startsWith(rg.toLowerCase() + "/"),
      ),
    ).toBe(true);
    expect(
      listed.value.map((a: { properties: { principalId: string } }) => a.properties.principalId),
    ).toContain(sp.objectId);
  });

  it("network roles work at resource-group scope through raw ARM calls too (SE-CFG-5)", async () => {
    const ops = json(
      await req(
        w,
        "PUT",
        `/_emulator/tenants/${TENANT}/servicePrincipals/aaaaaaaa-0000-4000-8000-000000000003`,
        { body: { secret: "n" } },
      ),
    );
    await req(w, "PUT", `/subscriptions/${SUB}/resourcegroups/net?api-version=2021-04-01`, {
      token: spToken,
      body: { location: "westus" },
    });
    await req(
      w,
      "PUT",
      `/subscriptions/${SUB}/resourceGroups/net/${RA}/00000000-0000-4000-8000-0000000000c1?api-version=2022-04-01`,
      {
        token: spToken,
        body: { properties: { roleDefinitionId: roleId(NETWORK_CONTRIBUTOR), principalId: ops.objectId } },
      },
    );
    const t = json(
      await token(w, {
        grant_type: "client_credentials",
        client_id: ops.appId,
        client_secret: "n",
        scope: `${BASE}/.default`,
      }),
    ).access_token;
    const vnet = await req(
      w,
      "PUT",
      `/subscriptions/${SUB}/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v?api-version=2024-05-01`,
      {
        token: t,
        body: {
          location: "westus",
          properties: {
            addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
            subnets: [
              {
                name: "s",
                properties: {
                  addressPrefix: "10.0.1.0/24",
                  serviceEndpoints: [{ service: "Microsoft.Sql" }],
                },
              },
            ],
          },
        },
      },
    );
    expect(vnet.statusCode).toBe(201);
    const rg2 = await req(w, "PUT", `/subscriptions/${SUB}/resourcegroups/net2?api-version=2021-04-01`, {
      token: t,
      body: { location: "westus" },
    });
    expect(json(rg2).error.code).toBe("AuthorizationFailed");
  });

  it("associating another resource needs its join action (Azure's linked access check): NSG, subnet, peering", async () => {
    const net = (rg: string, type: string, name: string) =>
      `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/${type}/${name}`;
    const put = (id: string, body: unknown, tok: string) =>
      req(w, "PUT", `${id}?api-version=2024-05-01`, { token: tok, body });
    for (const rg of ["joinhub", "joinapp"])
      await req(w, "PUT", `/subscriptions/${SUB}/resourcegroups/${rg}?api-version=2021-04-01`, {
        token: spToken,
        body: { location: "westus" },
      });
    const nsg = net("joinhub", "networkSecurityGroups", "hub-nsg");
    expect((await put(nsg, { location: "westus" }, spToken)).statusCode).toBe(201);
    const hubVnet = net("joinhub", "virtualNetworks", "hubnet");
    const hubBody = {
      location: "westus",
      properties: {
        addressSpace: { addressPrefixes: ["10.50.0.0/16"] },
        subnets: [{ name: "shared", properties: { addressPrefix: "10.50.1.0/24" } }],
      },
    };
    expect((await put(hubVnet, hubBody, spToken)).statusCode).toBe(201);

    // A Network Contributor of joinapp only.
    const ops = json(
      await req(
        w,
        "PUT",
        `/_emulator/tenants/${TENANT}/servicePrincipals/aaaaaaaa-0000-4000-8000-000000000009`,
        { body: { secret: "j" } },
      ),
    );
    const assign = (name: string, scope: string, role: string) =>
      req(w, "PUT", `${scope}/${RA}/${name}?api-version=2022-04-01`, {
        token: spToken,
        body: { properties: { roleDefinitionId: role, principalId: ops.objectId } },
      });
    const appRg = `/subscriptions/${SUB}/resourceGroups/joinapp`;
    expect(
      (await assign("00000000-0000-4000-8000-0000000000d1", appRg, roleId(NETWORK_CONTRIBUTOR))).statusCode,
    ).toBe(201);
    const t = json(
      await token(w, {
        grant_type: "client_credentials",
        client_id: ops.appId,
        client_secret: "j",
        scope: `${BASE}/.default`,
      }),
    ).access_token;

    const appVnet = net("joinapp", "virtualNetworks", "appnet");
    const appBody = {
      location: "westus",
      properties: {
        addressSpace: { addressPrefixes: ["10.60.0.0/16"] },
        subnets: [
          { name: "web", properties: { addressPrefix: "10.60.1.0/24", networkSecurityGroup: { id: nsg } } },
        ],
      },
    };
    const nic = net("joinapp", "networkInterfaces", "app-nic");
    const nicBody = {
      location: "westus",
      properties: {
        ipConfigurations: [
          { name: "ipconfig1", properties: { subnet: { id: `${hubVnet}/subnets/shared` } } },
        ],
      },
    };
    const peering = `${net("joinapp", "virtualNetworks", "appnet2")}/virtualNetworkPeerings/to-hub`;

    // Without the joins: 403 LinkedAuthorizationFailed naming the write, the join action and the target.
    const r1 = json(await put(appVnet, appBody, t));
    expect(r1.error.code).toBe("LinkedAuthorizationFailed");
    expect(r1.error.message).toContain(
      `perform action 'Microsoft.Network/virtualNetworks/subnets/write' on scope '${appVnet}/subnets/web'`,
    );
    expect(r1.error.message).toContain(
      `perform action 'Microsoft.Network/networkSecurityGroups/join/action' on the linked scope(s) '${nsg}'`,
    );
    const r2 = json(await put(nic, nicBody, t));
    expect(r2.error.code).toBe("LinkedAuthorizationFailed");
    expect(r2.error.message).toContain(`'Microsoft.Network/networkInterfaces/write' on scope '${nic}'`);
    expect(r2.error.message).toContain(
      `'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s) '${hubVnet}/subnets/shared'`,
    );
    expect(
      (
        await put(
          net("joinapp", "virtualNetworks", "appnet2"),
          { location: "westus", properties: { addressSpace: { addressPrefixes: ["10.70.0.0/16"] } } },
          t,
        )
      ).statusCode,
    ).toBe(201);
    const r3 = json(await put(peering, { properties: { remoteVirtualNetwork: { id: hubVnet } } }, t));
    expect(r3.error.code).toBe("LinkedAuthorizationFailed");
    expect(r3.error.message).toContain(
      `'Microsoft.Network/virtualNetworks/peer/action' on the linked scope(s) '${hubVnet}'`,
    );
    // Nothing was written.
    expect((await req(w, "GET", `${appVnet}?api-version=2024-05-01`, { token: t })).statusCode).toBe(404);
    expect((await req(w, "GET", `${nic}?api-version=2024-05-01`, { token: t })).statusCode).toBe(404);

    // A custom role holding just the three joins, at the hub's resource group: all three go through.
    const joiner = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/c0000000-0000-4000-8000-0000000000d2`;
    const hubRg = `/subscriptions/${SUB}/resourceGroups/joinhub`;
    const created = await req(w, "PUT", `${joiner}?api-version=2022-04-01`, {
      token: spToken,
      body: {
        properties: {
          roleName: "Hub joiner",
          type: "CustomRole",
          permissions: [
            {
              actions: [
                "Microsoft.Network/networkSecurityGroups/join/action",
                "Microsoft.Network/virtualNetworks/subnets/join/action",
                "Microsoft.Network/virtualNetworks/peer/action",
              ],
            },
          ],
          assignableScopes: [hubRg],
        },
      },
    });
    expect(created.statusCode).toBe(201);
    expect((await assign("00000000-0000-4000-8000-0000000000d3", hubRg, joiner)).statusCode).toBe(201);
    expect((await put(appVnet, appBody, t)).statusCode).toBe(201);
    expect((await put(nic, nicBody, t)).statusCode).toBe(201);
    expect(
      (await put(peering, { properties: { remoteVirtualNetwork: { id: hubVnet } } }, t)).statusCode,
    ).toBe(201);
  });
});

describe("identity in process: open mode (the default)", () => {
  let w: World;
  beforeAll(async () => {
    w = await world("open");
  });
  afterAll(async () => w?.close());

  it("any bearer token, or none, acts as Owner; unknown subscriptions register into the default tenant", async () => {
    expect(
      (
        await req(w, "PUT", `/subscriptions/${OTHER_SUB}/resourcegroups/x?api-version=2021-04-01`, {
          body: { location: "westus" },
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await req(w, "GET", `/subscriptions/${OTHER_SUB}/resourcegroups/x?api-version=2021-04-01`, {
          token: "anything",
        })
      ).statusCode,
    ).toBe(200);
    expect(json(await req(w, "GET", `/subscriptions/${OTHER_SUB}?api-version=2020-01-01`)).tenantId).toBe(
      TENANT,
    );
    // The token endpoint hands any client a token (the quick start needs no setup).
    const r = json(
      await token(w, {
        grant_type: "client_credentials",
        client_id: "whatever",
        client_secret: "x",
        scope: `${BASE}/.default`,
      }),
    );
    expect(r.access_token.split(".")).toHaveLength(3);
  });

  it("SE-ACL-4 holds in open mode too: a subnet in a subscription of another tenant cannot be named", async () => {
    await req(w, "PUT", `/_emulator/tenants/${OTHER_TENANT}`, { body: { displayName: "Other" } });
    await req(
      w,
      "PUT",
      `/_emulator/tenants/${OTHER_TENANT}/subscriptions/0e0e0e0e-2222-4222-8222-0000000000e2`,
      { body: {} },
    );
    const ctx = newCtx(w.deps, {
      method: "PUT",
      path: "/",
      query: {},
      apiVersion: "2023-05-01",
      body: undefined,
      baseUrl: BASE,
      caller: { kind: "open" },
    });
    const account = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa`;
    const foreign =
      "/subscriptions/0e0e0e0e-2222-4222-8222-0000000000e2/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/s";
    const local = `/subscriptions/${OTHER_SUB}/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/s`;
    const never =
      "/subscriptions/0e0e0e0e-3333-4333-8333-0000000000e3/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/s";
    await expect(
      authorizeSubnetJoin(ctx, "Microsoft.Storage/storageAccounts/write", account, [local, never]),
    ).resolves.toBeUndefined();
    await expect(
      authorizeSubnetJoin(ctx, "Microsoft.Storage/storageAccounts/write", account, [local, foreign]),
    ).rejects.toMatchObject({
      status: 403,
      code: "LinkedAuthorizationFailed",
      message: `The client has permission to perform action 'Microsoft.Storage/storageAccounts/write' on scope '${account}', however the current tenant '${TENANT}' is not authorized to access linked subscription '0e0e0e0e-2222-4222-8222-0000000000e2'.`,
    });
  });

  it("role assignments work in open mode through the same API (stored, not enforced)", async () => {
    const p = json(
      await req(
        w,
        "PUT",
        `/_emulator/tenants/${TENANT}/servicePrincipals/aaaaaaaa-0000-4000-8000-00000000000f`,
        { body: {} },
      ),
    );
    const r = await req(
      w,
      "PUT",
      `/subscriptions/${SUB}/${RA}/00000000-0000-4000-8000-0000000000d1?api-version=2022-04-01`,
      {
        body: { properties: { roleDefinitionId: roleId(OWNER), principalId: p.objectId } },
      },
    );
    expect(r.statusCode).toBe(201);
    expect(
      json(await req(w, "GET", `/subscriptions/${SUB}/${RA}?api-version=2022-04-01`)).value,
    ).toHaveLength(1);
  });
});

describe("identity helpers", () => {
  it("--auth / LAZURITE_AUTH: open by default, strict on request, anything else refused", () => {
    expect(loadConfig({}, {}, "/w").auth).toBe("open");
    expect(loadConfig({ auth: "strict" }, {}, "/w").auth).toBe("strict");
    expect(loadConfig({}, { LAZURITE_AUTH: "STRICT" }, "/w").auth).toBe("strict");
    expect(() => loadConfig({ auth: "closed" }, {}, "/w")).toThrow(/--auth/);
  });

  it("the audience of a token request: v2 scope without /.default (az's double slash kept), or v1 resource", () => {
    expect(audienceOf({ scope: "https://localhost:8443/.default" })).toBe("https://localhost:8443");
    expect(audienceOf({ scope: "https://localhost:8443//.default" })).toBe("https://localhost:8443/");
    expect(audienceOf({ scope: "openid profile https://management.azure.com/.default offline_access" })).toBe(
      "https://management.azure.com",
    );
    expect(audienceOf({ resource: "https://management.core.windows.net/" })).toBe(
      "https://management.core.windows.net/",
    );
    expect(audienceOf({})).toBeUndefined();
  });
});
