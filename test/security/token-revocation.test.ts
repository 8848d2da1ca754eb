/**
 * Tokens do not outlive their principal (issue 10, item 4; docs/identity.md): ARM and the
 * admin API refuse at once a token whose principal was deleted, or whose credentials were reset
 * after it was issued (the token's credential generation is not the principal's any more).
 * Adding a secret (rotation without reset) keeps existing tokens, as Azure AD does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  armPut,
  bearer,
  followEvents,
  strictWorld,
  SUB_B,
  TENANT_B,
  type Sp,
  type StrictWorld,
} from "./strict-helpers.js";

let w: StrictWorld;

beforeAll(async () => {
  w = await strictWorld();
}, 60_000);

afterAll(async () => {
  await w?.dispose();
});

const RGS = `/subscriptions/${SUB_B}/resourcegroups?api-version=2021-04-01`;

/** A fresh principal of tenant B with Reader on its subscription, and a token for it. */
async function readerOfB(n: number): Promise<{ sp: Sp; token: string }> {
  const sp = await w.newSp(TENANT_B, `b1000000-0000-4000-8000-00000000000${n}`, `reader-${n}`);
  await w.assign(TENANT_B, sp.objectId, "Reader", `/subscriptions/${SUB_B}`);
  const token = await w.token(sp);
  expect((await w.call("GET", RGS, bearer(token))).status).toBe(200);
  return { sp, token };
}

function expectRevoked(r: { status: number; json: any; headers: Headers }, why: RegExp): void {
  expect(r.status).toBe(401);
  expect(r.json.error.code).toBe("InvalidAuthenticationToken");
  expect(r.json.error.message).toMatch(why);
  expect(r.headers.get("www-authenticate")).toMatch(/^Bearer authorization_uri=".*", error="invalid_token"/);
}

describe("a deleted principal's token", () => {
  it("is refused by ARM at once (401 InvalidAuthenticationToken), not at its expiry", async () => {
    const { sp, token } = await readerOfB(1);
    const del = await w.call("DELETE", `/_emulator/tenants/${TENANT_B}/servicePrincipals/${sp.appId}`, ADMIN);
    expect(del.status).toBe(200);
    expectRevoked(await w.call("GET", RGS, bearer(token)), /revoked: its principal no longer exists/);
  });

  it("stays refused when a principal is created again with the same object id", async () => {
    const { sp, token } = await readerOfB(2);
    await w.call("DELETE", `/_emulator/tenants/${TENANT_B}/servicePrincipals/${sp.appId}`, ADMIN);
    const again = await w.call("PUT", `/_emulator/tenants/${TENANT_B}/servicePrincipals/${sp.appId}`, ADMIN, {
      objectId: sp.objectId,
    });
    expect(again.status).toBe(201);
    expect(again.json.objectId).toBe(sp.objectId);
    expectRevoked(await w.call("GET", RGS, bearer(token)), /revoked/);
  });

  it("is refused by the admin API and the diagnostics too", async () => {
    const owner = await w.newSp(TENANT_B, "b1000000-0000-4000-8000-000000000009", "owner-2");
    await w.assign(TENANT_B, owner.objectId, "Owner", `/subscriptions/${SUB_B}`);
    const token = await w.token(owner);
    expect((await w.call("GET", "/_emulator/resources", bearer(token))).status).toBe(200);
    await w.call("DELETE", `/_emulator/tenants/${TENANT_B}/servicePrincipals/${owner.appId}`, ADMIN);
    expectRevoked(await w.call("GET", "/_emulator/resources", bearer(token)), /revoked/);
    expectRevoked(
      await w.call("GET", `/_emulator/tenants/${TENANT_B}/servicePrincipals`, bearer(token)),
      /revoked/,
    );
  });

  it("ends its event stream at the next event", async () => {
    const { sp, token } = await readerOfB(3);
    const stream = await followEvents(w, bearer(token));
    expect(stream.status).toBe(200);
    await w.call("DELETE", `/_emulator/tenants/${TENANT_B}/servicePrincipals/${sp.appId}`, ADMIN);
    // Any event now: the stream re-checks the token and ends.
    const owner = await w.token(w.ownerB);
    const rg = `/subscriptions/${SUB_B}/resourceGroups/revoke-rg`;
    await armPut(w, owner, rg, { location: "westus" });
    await armPut(w, owner, `${rg}/providers/Microsoft.Network/virtualNetworks/after-revoke`, {
      location: "westus",
      properties: { addressSpace: { addressPrefixes: ["10.40.0.0/16"] } },
    });
    await stream.ended;
    expect(stream.events.filter((e) => JSON.stringify(e).includes("after-revoke"))).toEqual([]);
  });
});

describe("a reset secret's old token", () => {
  it("is refused at once; the new secret's token works and the old secret no longer signs in", async () => {
    const { sp, token } = await readerOfB(4);
    const reset = await w.call("PUT", `/_emulator/tenants/${TENANT_B}/servicePrincipals/${sp.appId}`, ADMIN, {
      resetSecret: true,
    });
    expect(reset.status).toBe(200);
    expect(reset.json.secret).toEqual(expect.any(String));
    expect(reset.json.secret).not.toBe(sp.secret);
    expectRevoked(
      await w.call("GET", RGS, bearer(token)),
      /revoked: the credentials it was issued for were reset/,
    );
    const fresh = await w.token({ ...sp, secret: reset.json.secret });
    expect((await w.call("GET", RGS, bearer(fresh))).status).toBe(200);
    const old = await w.tokenAnswer(TENANT_B, {
      grant_type: "client_credentials",
      client_id: sp.appId,
      client_secret: sp.secret,
      scope: `${w.url}/.default`,
    });
    expect(old.status).toBe(401);
    expect(old.json.error_codes).toEqual([7000215]);
  });

  it("a user's password change revokes the user's tokens", async () => {
    const upn = "dana@contoso-b.example";
    const made = await w.call("PUT", `/_emulator/tenants/${TENANT_B}/users/${upn}`, ADMIN, {
      password: "first-P4ss",
    });
    await w.assign(TENANT_B, made.json.objectId, "Reader", `/subscriptions/${SUB_B}`);
    const login = async (password: string) =>
      w.tokenAnswer(TENANT_B, {
        grant_type: "password",
        client_id: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        username: upn,
        password,
        scope: `${w.url}/.default`,
      });
    const before = (await login("first-P4ss")).json.access_token as string;
    expect((await w.call("GET", RGS, bearer(before))).status).toBe(200);
    await w.call("PUT", `/_emulator/tenants/${TENANT_B}/users/${upn}`, ADMIN, { password: "second-P4ss" });
    expectRevoked(await w.call("GET", RGS, bearer(before)), /revoked/);
    const after = (await login("second-P4ss")).json.access_token as string;
    expect((await w.call("GET", RGS, bearer(after))).status).toBe(200);
  });

  it("adding a secret (newSecret: true, rotation without reset) keeps existing tokens and secrets, as in Azure AD", async () => {
    const { sp, token } = await readerOfB(5);
    const added = await w.call("PUT", `/_emulator/tenants/${TENANT_B}/servicePrincipals/${sp.appId}`, ADMIN, {
      newSecret: true,
    });
    expect(added.json.secret).toEqual(expect.any(String));
    expect((await w.call("GET", RGS, bearer(token))).status).toBe(200);
    expect(await w.token(sp)).toMatch(/^ey/);
    expect(await w.token({ ...sp, secret: added.json.secret })).toMatch(/^ey/);
  });
});
