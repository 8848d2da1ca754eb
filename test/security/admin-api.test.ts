/**
 * Strict mode means strict for the `/_emulator` admin API too (issue 10, item 3; docs/identity.md):
 * every dangerous call an anonymous client could make is refused without the admin credential
 * (401 in ARM's shape), refused to a token that may not make it (403 AuthorizationFailed), and
 * works with the admin key read from the data dir. The CLI finds the key the way a user gives it.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { loadConfig } from "../../src/config/config.js";
import { startServer } from "../../src/main.js";
import { ADMIN_KEY_HEADER, tempDataDir } from "../e2e/server.js";
import {
  ADMIN,
  bearer,
  NONE,
  strictWorld,
  SUB_A,
  SUB_B,
  TENANT_A,
  TENANT_B,
  type Answer,
  type StrictWorld,
} from "./strict-helpers.js";

let w: StrictWorld;
let tokenA: string;
let tokenB: string;

beforeAll(async () => {
  w = await strictWorld();
  tokenA = await w.token(w.ownerA);
  tokenB = await w.token(w.ownerB);
}, 60_000);

afterAll(async () => {
  await w?.dispose();
});

/** ARM's 401 for a call without any credential. */
function expectUnauthenticated(r: Answer): void {
  expect(r.status).toBe(401);
  expect(r.json.error).toEqual({
    code: "AuthenticationFailed",
    message: "Authentication failed. The 'Authorization' header is missing.",
  });
  expect(r.headers.get("www-authenticate")).toMatch(/^Bearer authorization_uri="https:\/\/localhost:\d+\/"/);
}

/** ARM's 403 for a token that may not make the call. */
function expectForbidden(r: Answer, sp: { appId: string; objectId: string }, action: RegExp): void {
  expect(r.status).toBe(403);
  expect(r.json.error.code).toBe("AuthorizationFailed");
  expect(r.json.error.message).toContain(`The client '${sp.appId}' with object id '${sp.objectId}'`);
  expect(r.json.error.message).toMatch(action);
}

const ATTACKER_APP = "e0000000-0000-4000-8000-0000000000e1";

describe("the admin API without a credential (every dangerous call of issue 10 refused with 401)", () => {
  const cases: Array<[string, string, string, unknown?]> = [
    ["list every tenant", "GET", "/_emulator/tenants"],
    ["read a tenant", "GET", `/_emulator/tenants/${TENANT_B}`],
    ["list a tenant's subscriptions", "GET", `/_emulator/tenants/${TENANT_B}/subscriptions`],
    ["list every principal of a tenant", "GET", `/_emulator/tenants/${TENANT_B}/servicePrincipals`],
    ["list a tenant's users", "GET", `/_emulator/tenants/${TENANT_B}/users`],
    ["read all resources", "GET", "/_emulator/resources"],
    ["read the request log", "GET", "/_emulator/requests"],
    ["list connections", "GET", "/_emulator/connections"],
    ["follow the events", "GET", "/_emulator/events"],
    [
      "create a principal in tenant B",
      "PUT",
      `/_emulator/tenants/${TENANT_B}/servicePrincipals/${ATTACKER_APP}`,
      {},
    ],
    [
      "create a user in tenant B",
      "PUT",
      `/_emulator/tenants/${TENANT_B}/users/eve@b.example`,
      { password: "x" },
    ],
    [
      "make a principal Owner",
      "POST",
      `/_emulator/tenants/${TENANT_B}/roleAssignments`,
      {
        principalId: "00000000-0000-4000-8000-0000000000ff",
        roleName: "Owner",
        scope: `/subscriptions/${SUB_B}`,
      },
    ],
    [
      "reset another principal's secret",
      "PUT",
      `/_emulator/tenants/${TENANT_B}/servicePrincipals/b0000000-0000-4000-8000-0000000000b1`,
      { resetSecret: true },
    ],
    [
      "add a secret to another principal",
      "PUT",
      `/_emulator/tenants/${TENANT_B}/servicePrincipals/b0000000-0000-4000-8000-0000000000b1`,
      { newSecret: true },
    ],
    [
      "delete a principal",
      "DELETE",
      `/_emulator/tenants/${TENANT_B}/servicePrincipals/b0000000-0000-4000-8000-0000000000b1`,
    ],
    [
      "move a subscription between tenants",
      "PUT",
      `/_emulator/tenants/${TENANT_B}/subscriptions/${SUB_A}`,
      {},
    ],
    ["create a tenant", "PUT", "/_emulator/tenants/c0c0c0c0-0000-4000-8000-00000000000c", {}],
    ["delete a tenant", "DELETE", `/_emulator/tenants/${TENANT_B}`],
    ["run the access check", "POST", "/_emulator/check", { from: "internet:1.2.3.4", to: "10.0.0.4" }],
    ["ask who can reach", "POST", "/_emulator/who-can-reach", { to: "10.0.0.4" }],
  ];
  for (const [what, method, path, body] of cases) {
    it(`${what}: ${method} ${path.replace(/[0-9a-f-]{36}/g, "…")} → 401 AuthenticationFailed`, async () => {
      expectUnauthenticated(await w.call(method, path, NONE, body));
    });
  }

  it("nothing was changed by those calls: B's Owner still signs in with its secret, the subscription stayed in A, tenant B exists", async () => {
    expect(await w.token(w.ownerB)).toMatch(/^ey/);
    const subs = (await w.call("GET", `/_emulator/tenants/${TENANT_A}/subscriptions`, ADMIN)).json.value;
    expect(subs.map((s: { subscriptionId: string }) => s.subscriptionId)).toContain(SUB_A);
    expect((await w.call("GET", `/_emulator/tenants/${TENANT_B}`, ADMIN)).status).toBe(200);
    const sps = (await w.call("GET", `/_emulator/tenants/${TENANT_B}/servicePrincipals`, ADMIN)).json.value;
    expect(sps.map((p: { appId: string }) => p.appId)).not.toContain(ATTACKER_APP);
  });

  it("health stays open (a probe needs no key)", async () => {
    expect((await w.call("GET", "/_emulator/health", NONE)).json).toEqual({ status: "ok" });
  });

  it("a wrong admin key or a token not signed here: 401 InvalidAuthenticationToken", async () => {
    const wrongKey = await w.call("GET", "/_emulator/tenants", {
      headers: { [ADMIN_KEY_HEADER]: "lzadm_guess" },
    });
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.json.error).toEqual({
      code: "InvalidAuthenticationToken",
      message: "The admin key is not valid.",
    });
    const junk = await w.call("GET", "/_emulator/tenants", bearer("not-a-token"));
    expect(junk.status).toBe(401);
    expect(junk.json.error.code).toBe("InvalidAuthenticationToken");
  });
});

describe("the admin API with a token of another tenant (403 AuthorizationFailed, nothing changes)", () => {
  it("tenant A's Owner cannot list tenant B's principals, create one there, or make it Owner", async () => {
    const a = w.ownerA;
    expectForbidden(
      await w.call("GET", `/_emulator/tenants/${TENANT_B}/servicePrincipals`, bearer(tokenA)),
      a,
      /Lazurite\/tenants\/servicePrincipals\/read/,
    );
    expectForbidden(
      await w.call(
        "PUT",
        `/_emulator/tenants/${TENANT_B}/servicePrincipals/${ATTACKER_APP}`,
        bearer(tokenA),
        {},
      ),
      a,
      /Lazurite\/tenants\/servicePrincipals\/write/,
    );
    expectForbidden(
      await w.call("POST", `/_emulator/tenants/${TENANT_B}/roleAssignments`, bearer(tokenA), {
        principalId: a.objectId,
        roleName: "Owner",
        scope: `/subscriptions/${SUB_B}`,
      }),
      a,
      /roleAssignments\/write/,
    );
  });

  it("tenant A's Owner cannot reset B's Owner's secret, delete it, move a subscription or delete tenant B", async () => {
    const a = w.ownerA;
    const spB = `/_emulator/tenants/${TENANT_B}/servicePrincipals/${w.ownerB.appId}`;
    const reset = await w.call("PUT", spB, bearer(tokenA), { resetSecret: true });
    expectForbidden(reset, a, /servicePrincipals\/write/);
    expect(reset.json.secret).toBeUndefined();
    expectForbidden(await w.call("DELETE", spB, bearer(tokenA)), a, /servicePrincipals\/delete/);
    expectForbidden(
      await w.call("PUT", `/_emulator/tenants/${TENANT_A}/subscriptions/${SUB_B}`, bearer(tokenA), {}),
      a,
      /Lazurite\/tenants\/subscriptions\/write/,
    );
    expectForbidden(
      await w.call("DELETE", `/_emulator/tenants/${TENANT_B}`, bearer(tokenA)),
      a,
      /tenants\/delete/,
    );
    // B's Owner still works as before.
    expect(await w.token(w.ownerB)).toMatch(/^ey/);
  });

  it("a token lists only its own tenant", async () => {
    const r = await w.call("GET", "/_emulator/tenants", bearer(tokenB));
    expect(r.status).toBe(200);
    expect(r.json.value.map((t: { tenantId: string }) => t.tenantId)).toEqual([TENANT_B]);
    expectForbidden(
      await w.call("GET", `/_emulator/tenants/${TENANT_A}`, bearer(tokenB)),
      w.ownerB,
      /tenants\/read/,
    );
  });

  it("even the tenant's Owner cannot create tenants or place subscriptions (admin key only)", async () => {
    expectForbidden(
      await w.call(
        "PUT",
        `/_emulator/tenants/${TENANT_B}/subscriptions/dddddddd-0000-4000-8000-00000000000d`,
        bearer(tokenB),
        {},
      ),
      w.ownerB,
      /Lazurite\/tenants\/subscriptions\/write/,
    );
  });
});

describe("the admin API with the tenant's own Owner token", () => {
  it("manages its tenant's principals and grants roles through ARM's own check", async () => {
    const app = "b0000000-0000-4000-8000-0000000000b2";
    const created = await w.call(
      "PUT",
      `/_emulator/tenants/${TENANT_B}/servicePrincipals/${app}`,
      bearer(tokenB),
      {
        displayName: "reader-b",
      },
    );
    expect(created.status).toBe(201);
    expect(created.json.secret).toEqual(expect.any(String));
    const assigned = await w.call("POST", `/_emulator/tenants/${TENANT_B}/roleAssignments`, bearer(tokenB), {
      principalId: created.json.objectId,
      roleName: "Reader",
      scope: `/subscriptions/${SUB_B}`,
    });
    expect(assigned.status).toBe(201);
    // A Reader of the tenant is not its owner: it may neither manage principals nor grant roles.
    const readerToken = await w.token({ tenantId: TENANT_B, appId: app, secret: created.json.secret });
    const reader = { appId: app, objectId: created.json.objectId };
    expectForbidden(
      await w.call("GET", `/_emulator/tenants/${TENANT_B}/servicePrincipals`, bearer(readerToken)),
      reader,
      /servicePrincipals\/read/,
    );
    expectForbidden(
      await w.call("POST", `/_emulator/tenants/${TENANT_B}/roleAssignments`, bearer(readerToken), {
        principalId: created.json.objectId,
        roleName: "Owner",
        scope: `/subscriptions/${SUB_B}`,
      }),
      reader,
      /Microsoft\.Authorization\/roleAssignments\/write/,
    );
  });
});

describe("the admin key", () => {
  it("works as x-lazurite-admin-key and as Authorization: Bearer; the file is mode 0600", async () => {
    expect(w.adminKey).toMatch(/^lzadm_[A-Za-z0-9_-]{43}$/);
    const file = join(w.t.dataDir, "admin-key");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The database holds the signing keys and credentials: no more readable than the key.
    expect(statSync(join(w.t.dataDir, "lazurite.db")).mode & 0o077).toBe(0);
    const viaHeader = await w.call("GET", "/_emulator/tenants", ADMIN);
    expect(viaHeader.json.value.map((t: { tenantId: string }) => t.tenantId).sort()).toEqual(
      [TENANT_A, TENANT_B].sort(),
    );
    const viaBearer = await w.call("GET", "/_emulator/resources", bearer(w.adminKey!));
    expect(viaBearer.status).toBe(200);
  });

  it("is printed once, when generated, and read from the data dir on later starts", async () => {
    const dataDir = tempDataDir();
    const config = loadConfig({ port: 0, dataDir, logLevel: "silent", auth: "strict" }, {}, dataDir);
    const first: string[] = [];
    const s1 = await startServer(config, { print: (l) => first.push(l) });
    await s1.close();
    const second: string[] = [];
    const s2 = await startServer(config, { print: (l) => second.push(l) });
    await s2.close();
    const key = s1.adminKey!;
    expect(first.filter((l) => l.includes(key))).toHaveLength(1);
    expect(second.join("\n")).not.toContain(key);
    expect(second.join("\n")).toContain(join(dataDir, "admin-key"));
    expect(s2.adminKey).toBe(key);
  });

  it("the CLI sends it from LAZURITE_ADMIN_KEY, or from the local data dir's file for a loopback server", async () => {
    const run = async (env: NodeJS.ProcessEnv) => {
      let out = "";
      let err = "";
      const code = await main(
        [
          "node",
          "lazurite",
          "who-can-reach",
          "--to",
          "10.0.0.4",
          "--server",
          w.url,
          "--ca",
          w.t.server.caFile,
          "--output",
          "json",
        ],
        { out: (s) => (out += s), err: (s) => (err += s) },
        env,
      );
      return { code, out, err };
    };
    const anonymous = await run({ LAZURITE_DATA_DIR: tempDataDir() });
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.err).toMatch(/InvalidAuthenticationToken|AuthenticationFailed/);
    const fromEnv = await run({ LAZURITE_ADMIN_KEY: w.adminKey!, LAZURITE_DATA_DIR: tempDataDir() });
    expect(fromEnv.err).toBe("");
    expect(fromEnv.code).toBe(0);
    const fromFile = await run({ LAZURITE_DATA_DIR: w.t.dataDir });
    expect(fromFile.code).toBe(0);
  });
});
