/**
 * Wrong secrets meet Azure AD's behaviour (issue 10, item 4; docs/identity.md): AADSTS7000215 in
 * Azure AD's token-error shape, and after 10 consecutive failures for one client the token
 * endpoint throttles it for 60 seconds — HTTP 429 with `Retry-After` for client credentials (what
 * Azure AD answers a client-credentials flood), AADSTS50053 (smart lockout) for a user's password.
 * Time is the server's injected clock, so the lockout's end is exact.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, bearer, strictWorld, SUB_A, TENANT_A, type StrictWorld } from "./strict-helpers.js";

// A frozen clock the tests move by hand: the lockout ends exactly when they say.
const start = Date.now();
const clock = { offset: 0, now: () => start + clock.offset };
let w: StrictWorld;

beforeAll(async () => {
  w = await strictWorld({ clock });
}, 60_000);

afterAll(async () => {
  await w?.dispose();
});

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function form(appId: string, secret: string): Record<string, string> {
  return {
    grant_type: "client_credentials",
    client_id: appId,
    client_secret: secret,
    scope: `${w.url}/.default`,
  };
}

describe("a wrong client secret", () => {
  it("AADSTS7000215 in Azure AD's token-error shape (error, error_description, error_codes, timestamp, trace_id, correlation_id)", async () => {
    const sp = await w.newSp(TENANT_A, "c1000000-0000-4000-8000-000000000001", "shape");
    const r = await w.tokenAnswer(TENANT_A, form(sp.appId, "wrong"));
    expect(r.status).toBe(401);
    expect(r.json.error).toBe("invalid_client");
    expect(r.json.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
    expect(r.json.error_codes).toEqual([7000215]);
    expect(r.json.timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
    expect(r.json.trace_id).toMatch(GUID);
    expect(r.json.correlation_id).toMatch(GUID);
    expect(r.json.error_description).toContain(`Trace ID: ${r.json.trace_id}`);
    expect(r.json.error_description).toContain(`Correlation ID: ${r.json.correlation_id}`);
  });
});

describe("200 wrong secrets in a row for one client", () => {
  it("the first 10 are AADSTS7000215, then HTTP 429 + Retry-After — even for the right secret — until 60 s have passed", async () => {
    const sp = await w.newSp(TENANT_A, "c1000000-0000-4000-8000-000000000002", "flooded");
    const other = await w.newSp(TENANT_A, "c1000000-0000-4000-8000-000000000003", "bystander");
    const statuses: number[] = [];
    let last: Awaited<ReturnType<StrictWorld["tokenAnswer"]>> | undefined;
    for (let i = 0; i < 200; i++) {
      last = await w.tokenAnswer(TENANT_A, form(sp.appId, `guess-${i}`));
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(190).fill(429));
    expect(last!.headers.get("retry-after")).toBe("60");
    expect(last!.json.error).toBe("temporarily_unavailable");
    expect(last!.json.error_codes).toEqual([90055]);
    expect(last!.json.error_description).toMatch(/^AADSTS90055: /);
    expect(last!.json.trace_id).toMatch(GUID);

    // The right secret is throttled too (so a guess cannot be confirmed during the lockout).
    const right = await w.tokenAnswer(TENANT_A, form(sp.appId, sp.secret));
    expect(right.status).toBe(429);
    // Another client of the tenant is not affected.
    expect((await w.tokenAnswer(TENANT_A, form(other.appId, other.secret))).status).toBe(200);

    clock.offset += 30_000;
    const half = await w.tokenAnswer(TENANT_A, form(sp.appId, sp.secret));
    expect(half.status).toBe(429);
    expect(half.headers.get("retry-after")).toBe("30");

    clock.offset += 30_000;
    const after = await w.tokenAnswer(TENANT_A, form(sp.appId, sp.secret));
    expect(after.status).toBe(200);
    expect(after.json.access_token).toMatch(/^ey/);
  });

  it("a success resets the count: 9 wrong, the right one, 9 wrong are never throttled", async () => {
    const sp = await w.newSp(TENANT_A, "c1000000-0000-4000-8000-000000000004", "careless");
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) statuses.push((await w.tokenAnswer(TENANT_A, form(sp.appId, "x"))).status);
    statuses.push((await w.tokenAnswer(TENANT_A, form(sp.appId, sp.secret))).status);
    for (let i = 0; i < 9; i++) statuses.push((await w.tokenAnswer(TENANT_A, form(sp.appId, "x"))).status);
    expect(statuses).toEqual([...Array(9).fill(401), 200, ...Array(9).fill(401)]);
  });

  it("resetting the secret lifts the lockout (an administrator's way out)", async () => {
    const sp = await w.newSp(TENANT_A, "c1000000-0000-4000-8000-000000000005", "reset-me");
    for (let i = 0; i < 10; i++) await w.tokenAnswer(TENANT_A, form(sp.appId, "x"));
    expect((await w.tokenAnswer(TENANT_A, form(sp.appId, sp.secret))).status).toBe(429);
    const reset = await w.call("PUT", `/_emulator/tenants/${TENANT_A}/servicePrincipals/${sp.appId}`, ADMIN, {
      resetSecret: true,
    });
    expect((await w.tokenAnswer(TENANT_A, form(sp.appId, reset.json.secret))).status).toBe(200);
  });
});

describe("a user's wrong passwords (smart lockout)", () => {
  it("after 10 failures: 400 AADSTS50053 even for the right password, until 60 s have passed", async () => {
    const upn = "erin@contoso.example";
    const made = await w.call("PUT", `/_emulator/tenants/${TENANT_A}/users/${upn}`, ADMIN, {
      password: "Right-P4ss",
    });
    await w.assign(TENANT_A, made.json.objectId, "Reader", `/subscriptions/${SUB_A}`);
    const login = (password: string) =>
      w.tokenAnswer(TENANT_A, {
        grant_type: "password",
        client_id: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        username: upn,
        password,
        scope: `${w.url}/.default`,
      });
    for (let i = 0; i < 10; i++) {
      const r = await login(`wrong-${i}`);
      expect(r.status).toBe(400);
      expect(r.json.error_codes).toEqual([50126]);
    }
    const locked = await login("Right-P4ss");
    expect(locked.status).toBe(400);
    expect(locked.json.error).toBe("invalid_grant");
    expect(locked.json.error_codes).toEqual([50053]);
    expect(locked.json.error_description).toMatch(/^AADSTS50053: /);
    clock.offset += 60_000;
    const ok = await login("Right-P4ss");
    expect(ok.status).toBe(200);
    expect(
      (
        await w.call(
          "GET",
          `/subscriptions/${SUB_A}/resourcegroups?api-version=2021-04-01`,
          bearer(ok.json.access_token),
        )
      ).status,
    ).toBe(200);
  });
});
