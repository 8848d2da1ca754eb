/**
 * ARM protocol behaviour of the HTTP shell, in-process (app.inject): api-version, error
 * envelopes for Fastify's own errors, case-insensitive paths, headers, paging, conditional
 * requests, LRO semantics, and the az login endpoints.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { API, SUB, harness, net, rg, type Harness } from "./helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
  await h.req("PUT", rg(), { location: "westus" });
});
afterEach(async () => {
  await h.close();
});

const vnetBody = (prefix = "10.0.0.0/16") => ({
  location: "westus",
  properties: { addressSpace: { addressPrefixes: [prefix] } },
});

describe("api-version", () => {
  it("is required: 400 MissingApiVersionParameter with ARM's message", async () => {
    const res = await h.app.inject({ method: "GET", url: `${rg()}`, headers: { host: "localhost:8443" } });
    expect(res.statusCode).toBe(400);
    expect(h.json(res)).toEqual({
      error: {
        code: "MissingApiVersionParameter",
        message: "The api-version query parameter (?api-version=) is required for all requests.",
      },
    });
  });

  it("accepts the versions real clients send, 2017 to 2026, previews included", async () => {
    for (const v of [
      "2017-06-01",
      "2019-11-01",
      "2020-11-01-preview",
      "2022-08-01-preview",
      "2025-05-01",
      "2026-09-01",
    ]) {
      const res = await h.req("GET", `${rg()}?api-version=${v}`);
      expect(res.statusCode, v).toBe(200);
    }
  });

  it("refuses malformed or out-of-range versions with InvalidApiVersionParameter", async () => {
    for (const v of ["yesterday", "2099-01-01", "2020-13-01"]) {
      const res = await h.req("GET", `${rg()}?api-version=${v}`);
      expect(res.statusCode).toBe(400);
      expect(h.json(res).error.code).toBe("InvalidApiVersionParameter");
    }
  });
});

describe("bad input always gets an ARM-shaped 4xx", () => {
  it("malformed JSON → 400 InvalidRequestContent", async () => {
    const res = await h.req("PUT", `${net()}/virtualNetworks/v1`, '{"location": "westus", ');
    expect(res.statusCode).toBe(400);
    expect(h.json(res).error.code).toBe("InvalidRequestContent");
  });

  it("a body that is not an object → 400 InvalidRequestContent", async () => {
    for (const body of ["[1,2]", '"text"', "42", "null"]) {
      const res = await h.req("PUT", `${net()}/virtualNetworks/v1`, body);
      expect(res.statusCode, body).toBe(400);
      expect(h.json(res).error.code).toBe("InvalidRequestContent");
    }
  });

  it("wrong types inside the body → 400 InvalidRequestFormat naming the path", async () => {
    const res = await h.req("PUT", `${net()}/virtualNetworks/v1`, {
      location: "westus",
      properties: { subnets: "all of them" },
    });
    expect(res.statusCode).toBe(400);
    expect(h.json(res).error.code).toBe("InvalidRequestFormat");
    expect(h.json(res).error.message).toContain("properties.subnets");
    const res2 = await h.req("PUT", `${net()}/virtualNetworks/v1`, { location: 7 });
    expect(h.json(res2).error.code).toBe("InvalidRequestFormat");
    const res3 = await h.req("PUT", `${net()}/virtualNetworks/v1`, { location: "westus", tags: { a: 1 } });
    expect(h.json(res3).error.code).toBe("InvalidRequestFormat");
  });

  it("a body over the limit → 413 in ARM's shape", async () => {
    const small = await harness({ bodyLimit: 1024 });
    try {
      const res = await small.req("PUT", `${net()}/virtualNetworks/v1`, {
        location: "westus",
        tags: { big: "x".repeat(5000) },
      });
      expect(res.statusCode).toBe(413);
      expect(small.json(res).error.code).toBe("RequestEntityTooLarge");
    } finally {
      await small.close();
    }
  });

  it("a non-JSON content type with a body → 415 UnsupportedMediaType", async () => {
    const res = await h.req("PUT", `${net()}/virtualNetworks/v1`, "location=westus", {
      "content-type": "text/plain",
    });
    expect(res.statusCode).toBe(415);
    expect(h.json(res).error.code).toBe("UnsupportedMediaType");
  });

  it("a GET with a JSON content type and no body is fine (autorest clients send one)", async () => {
    const res = await h.req("GET", rg(), undefined, { "content-type": "application/json" });
    expect(res.statusCode).toBe(200);
  });

  it("unknown routes, namespaces and types → 404 in ARM's shape", async () => {
    const a = await h.req("GET", "/nothing/here");
    expect(a.statusCode).toBe(404);
    expect(h.json(a).error.code).toBe("NotFound");
    const b = await h.req("GET", `${rg()}/providers/Microsoft.Nope/things/x`);
    expect(h.json(b).error.code).toBe("InvalidResourceNamespace");
    const c = await h.req("GET", `${net()}/fooBars/x`);
    expect(c.statusCode).toBe(404);
    expect(h.json(c).error.code).toBe("InvalidResourceType");
  });

  it("odd ids and names → 400, never 500", async () => {
    const cases = [
      [`/subscriptions/not-a-guid/resourceGroups/rg1`, "InvalidSubscriptionId"],
      [`${net()}/virtualNetworks/${encodeURIComponent("bad name!")}`, "InvalidResourceName"],
      [`${net()}/virtualNetworks/${"a".repeat(81)}`, "InvalidResourceName"],
      [`${net()}/virtualNetworks/%E0%A4%A`, "BadRequest"],
      [`/subscriptions/${SUB}/resourceGroups/${encodeURIComponent("bad/..")}`, "InvalidResourceGroupName"],
    ] as const;
    for (const [url, code] of cases) {
      const res = await h.req("PUT", url, vnetBody());
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, url).toBeLessThan(500);
      expect(h.json(res).error.code, url).toBe(code);
    }
  });

  it("unsupported methods → 405 MethodNotAllowed", async () => {
    await h.put(`${net()}/networkSecurityGroups/n1`, { location: "westus" });
    const res = await h.req("PUT", `${net()}/networkSecurityGroups/n1/defaultSecurityRules/DenyAllInBound`, {
      properties: {},
    });
    expect(res.statusCode).toBe(405);
    expect(h.json(res).error.code).toBe("MethodNotAllowed");
  });
});

describe("paths", () => {
  it("SE-RES-1: match case-insensitively and echo the casing the resource was created with", async () => {
    await h.put(`${net()}/virtualNetworks/MyVNet`, vnetBody());
    const res = await h.req(
      "GET",
      `/SUBSCRIPTIONS/${SUB}/resourcegroups/RG1/providers/microsoft.network/VIRTUALNETWORKS/myvnet`,
    );
    expect(res.statusCode).toBe(200);
    expect(h.json(res).name).toBe("MyVNet");
    expect(h.json(res).id).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/MyVNet`,
    );
  });

  it("collapse leading double slashes (az's //metadata/endpoints) and duplicate slashes", async () => {
    const res = await h.app.inject({
      method: "GET",
      url: "//metadata/endpoints?api-version=2015-01-01",
      headers: { host: "localhost:8443" },
    });
    expect(res.statusCode).toBe(200);
    expect(h.json(res).authentication.loginEndpoint).toBe("https://localhost:8443/adfs");
    const res2 = await h.req("GET", `//subscriptions//${SUB}//resourceGroups//rg1`);
    expect(res2.statusCode).toBe(200);
  });
});

describe("headers", () => {
  it("every answer carries x-ms-request-id and x-ms-correlation-request-id (echoing the client's)", async () => {
    const res = await h.req("GET", rg(), undefined, {
      "x-ms-correlation-request-id": "corr-1",
      "x-ms-client-request-id": "cli-1",
    });
    expect(res.headers["x-ms-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers["x-ms-correlation-request-id"]).toBe("corr-1");
    expect(res.headers["x-ms-client-request-id"]).toBe("cli-1");
    const err = await h.req("GET", `${rg("missing")}`);
    expect(err.headers["x-ms-request-id"]).toBeDefined();
  });
});

describe("long-running operations (azure-facts §4.9)", () => {
  it("PUT answers 201 with provisioningState Updating + Azure-AsyncOperation + Retry-After: 1; the status goes InProgress then Succeeded", async () => {
    const res = await h.req("PUT", `${net()}/virtualNetworks/v1`, vnetBody());
    expect(res.statusCode).toBe(201);
    expect(h.json(res).properties.provisioningState).toBe("Updating");
    expect(res.headers["retry-after"]).toBe("1");
    const op = String(res.headers["azure-asyncoperation"]);
    expect(op).toMatch(
      new RegExp(
        `^https://localhost:8443/subscriptions/${SUB}/providers/Microsoft.Network/locations/westus/operations/[0-9a-f-]+\\?api-version=2025-05-01$`,
      ),
    );
    expect(h.json(await h.req("GET", `${net()}/virtualNetworks/v1`)).properties.provisioningState).toBe(
      "Updating",
    );
    const path = op.replace("https://localhost:8443", "");
    const first = await h.req("GET", path);
    expect(h.json(first).status).toBe("InProgress");
    expect(first.headers["retry-after"]).toBe("1");
    expect(h.json(await h.req("GET", path)).status).toBe("Succeeded");
    expect(h.json(await h.req("GET", path)).status).toBe("Succeeded");
    expect(h.json(await h.req("GET", `${net()}/virtualNetworks/v1`)).properties.provisioningState).toBe(
      "Succeeded",
    );
  });

  it("a second write while the first runs → 409 AnotherOperationInProgress naming the running operation", async () => {
    const first = await h.req("PUT", `${net()}/virtualNetworks/v1`, vnetBody());
    const second = await h.req("PUT", `${net()}/virtualNetworks/v1/subnets/s1`, {
      properties: { addressPrefix: "10.0.1.0/24" },
    });
    expect(second.statusCode).toBe(409);
    expect(h.json(second).error.code).toBe("AnotherOperationInProgress");
    expect(h.json(second).error.message).toContain(String(first.headers["azure-asyncoperation"]));
  });

  it("an operation nobody polls completes after maxDurationMs of the injected clock", async () => {
    await h.req("PUT", `${net()}/virtualNetworks/v1`, vnetBody());
    h.clock.t += 59_000;
    expect(h.json(await h.req("GET", `${net()}/virtualNetworks/v1`)).properties.provisioningState).toBe(
      "Updating",
    );
    h.clock.t += 1_000;
    expect(h.json(await h.req("GET", `${net()}/virtualNetworks/v1`)).properties.provisioningState).toBe(
      "Succeeded",
    );
    const again = await h.req("PUT", `${net()}/virtualNetworks/v1`, vnetBody());
    expect(again.statusCode).toBe(200);
  });

  it("SE-CFG-6: a subnet whose endpoints change reads Updating (endpoints too) until the operation completes", async () => {
    await h.put(`${net()}/virtualNetworks/v1`, {
      ...vnetBody(),
      properties: {
        ...vnetBody().properties,
        subnets: [
          { name: "s1", properties: { addressPrefix: "10.0.1.0/24" } },
          { name: "s2", properties: { addressPrefix: "10.0.2.0/24" } },
        ],
      },
    });
    await h.req("PUT", `${net()}/virtualNetworks/v1/subnets/s1`, {
      properties: { addressPrefix: "10.0.1.0/24", serviceEndpoints: [{ service: "Microsoft.Storage" }] },
    });
    const s1 = h.json(await h.req("GET", `${net()}/virtualNetworks/v1/subnets/s1`));
    expect(s1.properties.provisioningState).toBe("Updating");
    expect(s1.properties.serviceEndpoints[0].provisioningState).toBe("Updating");
    const s2 = h.json(await h.req("GET", `${net()}/virtualNetworks/v1/subnets/s2`));
    expect(s2.properties.provisioningState).toBe("Succeeded");
  });

  it("DELETE answers 202 with Location + Azure-AsyncOperation; the Location URL answers 202 then 204; the resource is gone (404)", async () => {
    await h.put(`${net()}/virtualNetworks/v1`, vnetBody());
    const res = await h.req("DELETE", `${net()}/virtualNetworks/v1`);
    expect(res.statusCode).toBe(202);
    expect(res.body).toBe("");
    const loc = String(res.headers.location).replace("https://localhost:8443", "");
    expect(loc).toContain("/providers/Microsoft.Network/locations/westus/operationResults/");
    expect(res.headers["azure-asyncoperation"]).toBeDefined();
    expect((await h.req("GET", loc)).statusCode).toBe(202);
    expect((await h.req("GET", loc)).statusCode).toBe(204);
    const gone = await h.req("GET", `${net()}/virtualNetworks/v1`);
    expect(gone.statusCode).toBe(404);
    expect(h.json(gone).error.code).toBe("ResourceNotFound");
    expect((await h.req("DELETE", `${net()}/virtualNetworks/v1`)).statusCode).toBe(204);
  });

  it("an unknown operation id → 404 OperationNotFound", async () => {
    const res = await h.req(
      "GET",
      `/subscriptions/${SUB}/providers/Microsoft.Network/locations/westus/operations/00000000-0000-0000-0000-000000000000`,
    );
    expect(res.statusCode).toBe(404);
    expect(h.json(res).error.code).toBe("OperationNotFound");
  });
});

describe("etags and conditional requests", () => {
  it("If-Match with a stale etag → 412 PreconditionFailed; with the current one → accepted", async () => {
    const created = h.json(await h.put(`${net()}/virtualNetworks/v1`, vnetBody()));
    const updated = h.json(await h.put(`${net()}/virtualNetworks/v1`, vnetBody("10.1.0.0/16")));
    expect(updated.etag).not.toBe(created.etag);
    const stale = await h.req("PUT", `${net()}/virtualNetworks/v1`, vnetBody(), { "if-match": created.etag });
    expect(stale.statusCode).toBe(412);
    expect(h.json(stale).error.code).toBe("PreconditionFailed");
    const fresh = await h.req("PUT", `${net()}/virtualNetworks/v1`, vnetBody(), { "if-match": updated.etag });
    expect(fresh.statusCode).toBe(200);
  });

  it("If-None-Match: * refuses to overwrite an existing resource; If-Match: * refuses to create", async () => {
    const a = await h.req("PUT", `${net()}/virtualNetworks/v2`, vnetBody(), { "if-match": "*" });
    expect(a.statusCode).toBe(412);
    await h.put(`${net()}/virtualNetworks/v2`, vnetBody());
    const b = await h.req("PUT", `${net()}/virtualNetworks/v2`, vnetBody(), { "if-none-match": "*" });
    expect(b.statusCode).toBe(412);
  });

  it("a subnet shares its VNet's etag; If-Match on a subnet uses it", async () => {
    const vnet = h.json(
      await h.put(`${net()}/virtualNetworks/v1`, {
        ...vnetBody(),
        properties: {
          ...vnetBody().properties,
          subnets: [{ name: "s1", properties: { addressPrefix: "10.0.1.0/24" } }],
        },
      }),
    );
    expect(vnet.properties.subnets[0].etag).toBe(vnet.etag);
    const bad = await h.req(
      "PUT",
      `${net()}/virtualNetworks/v1/subnets/s1`,
      { properties: { addressPrefix: "10.0.1.0/24" } },
      { "if-match": 'W/"nope"' },
    );
    expect(bad.statusCode).toBe(412);
    const ok = await h.req(
      "PUT",
      `${net()}/virtualNetworks/v1/subnets/s1`,
      { properties: { addressPrefix: "10.0.1.0/24" } },
      { "if-match": vnet.etag },
    );
    expect(ok.statusCode).toBe(200);
  });
});

describe("paging", () => {
  it("lists page with an absolute https nextLink on the server's own URL (never a forged Host) until every item was seen", async () => {
    const small = await harness({ pageSize: 2, lro: { inProgressPolls: 0, maxDurationMs: 0 } });
    try {
      await small.req("PUT", rg(), { location: "westus" });
      for (let i = 0; i < 5; i++)
        await small.req("PUT", `${net()}/networkSecurityGroups/nsg${i}`, { location: "westus" });
      const names: string[] = [];
      let url: string | undefined = `${net()}/networkSecurityGroups?${API}`;
      let pages = 0;
      while (url) {
        const res = await small.app.inject({ method: "GET", url, headers: { host: "example.test:9443" } });
        const body = small.json(res);
        names.push(...body.value.map((v: { name: string }) => v.name));
        pages++;
        if (body.nextLink)
          expect(body.nextLink).toMatch(/^https:\/\/localhost\/subscriptions\/.*\$skiptoken=/);
        url = body.nextLink?.replace("https://localhost", "");
      }
      expect(pages).toBe(3);
      expect(names).toEqual(["nsg0", "nsg1", "nsg2", "nsg3", "nsg4"]);
    } finally {
      await small.close();
    }
  });

  it("a garbage $skiptoken → 400 InvalidParameter", async () => {
    const res = await h.req("GET", `${net()}/virtualNetworks?${API}&$skiptoken=%%%`);
    expect(res.statusCode).toBe(400);
  });
});

describe("tenancy", () => {
  it("any well-formed subscription id is registered in the default tenant on first use", async () => {
    const fresh = "9b3e1a22-0000-4000-8000-00000000abcd";
    const res = await h.req("PUT", `/subscriptions/${fresh}/resourceGroups/g`, { location: "eastus" });
    expect(res.statusCode).toBe(201);
    const sub = h.json(await h.req("GET", `/subscriptions/${fresh}`));
    expect(sub).toMatchObject({ subscriptionId: fresh, state: "Enabled", tenantId: h.deps.tenancy.tenantId });
    const list = h.json(await h.req("GET", "/subscriptions?api-version=2019-11-01"));
    expect(list.value.map((s: { subscriptionId: string }) => s.subscriptionId)).toEqual(
      expect.arrayContaining([fresh, SUB, h.deps.tenancy.subscriptionId]),
    );
  });

  it("the /_emulator admin API creates tenants and moves subscriptions into them", async () => {
    const tid = "aaaaaaaa-0000-4000-8000-000000000001";
    const created = await h.app.inject({
      method: "PUT",
      url: `/_emulator/tenants/${tid}`,
      payload: { displayName: "Contoso" },
      headers: { "content-type": "application/json" },
    });
    expect(created.statusCode).toBe(201);
    const moved = await h.app.inject({
      method: "PUT",
      url: `/_emulator/tenants/${tid}/subscriptions/${SUB}`,
      payload: {},
      headers: { "content-type": "application/json" },
    });
    expect(moved.statusCode).toBe(200);
    expect(h.json(await h.req("GET", `/subscriptions/${SUB}`)).tenantId).toBe(tid);
    const tenants = h.json(await h.req("GET", "/tenants?api-version=2020-01-01"));
    expect(tenants.value.map((t: { tenantId: string }) => t.tenantId)).toContain(tid);
    const missing = await h.app.inject({
      method: "GET",
      url: "/_emulator/tenants/bbbbbbbb-0000-4000-8000-000000000001",
    });
    expect(missing.statusCode).toBe(404);
    expect(h.json(missing).error.code).toBe("TenantNotFound");
  });

  it("providers list/register/unregister; an unregistered namespace answers 409 MissingSubscriptionRegistration", async () => {
    const p = h.json(
      await h.req("GET", `/subscriptions/${SUB}/providers/microsoft.network?api-version=2019-10-01`),
    );
    expect(p.namespace).toBe("Microsoft.Network");
    expect(p.registrationState).toBe("Registered");
    const subnets = p.resourceTypes.find(
      (t: { resourceType: string }) => t.resourceType === "virtualNetworks/subnets",
    );
    expect(subnets.apiVersions[0]).toBe("2025-05-01");
    await h.req("POST", `/subscriptions/${SUB}/providers/Microsoft.Network/unregister`);
    const refused = await h.req("GET", `${net()}/virtualNetworks`);
    expect(refused.statusCode).toBe(409);
    expect(h.json(refused).error.code).toBe("MissingSubscriptionRegistration");
    await h.req("POST", `/subscriptions/${SUB}/providers/Microsoft.Network/register`);
    expect((await h.req("GET", `${net()}/virtualNetworks`)).statusCode).toBe(200);
  });

  it("resource groups: 404 ResourceGroupNotFound for resources in a missing group, HEAD, PATCH tags, list", async () => {
    const res = await h.req("PUT", `${net("nogroup")}/virtualNetworks/v1`, vnetBody());
    expect(res.statusCode).toBe(404);
    expect(h.json(res).error.code).toBe("ResourceGroupNotFound");
    expect((await h.req("HEAD", rg())).statusCode).toBe(204);
    expect((await h.req("HEAD", rg("nogroup"))).statusCode).toBe(404);
    const patched = h.json(await h.req("PATCH", rg(), { tags: { a: "b" } }));
    expect(patched.tags).toEqual({ a: "b" });
    const moved = await h.req("PUT", rg(), { location: "eastus" });
    expect(h.json(moved).error.code).toBe("InvalidResourceGroupLocation");
    const list = h.json(await h.req("GET", `/subscriptions/${SUB}/resourcegroups`));
    expect(list.value.map((g: { name: string }) => g.name)).toEqual(["rg1"]);
  });
});

describe("az login endpoints (real-clients §2.2)", () => {
  it("serves the ADFS discovery document and a token for any client", async () => {
    const disc = await h.app.inject({
      method: "GET",
      url: "/adfs/.well-known/openid-configuration",
      headers: { host: "localhost:8443" },
    });
    expect(h.json(disc)).toMatchObject({
      issuer: "https://localhost:8443/adfs",
      token_endpoint: "https://localhost:8443/adfs/oauth2/token",
      authorization_endpoint: "https://localhost:8443/adfs/oauth2/authorize",
    });
    const tok = await h.app.inject({
      method: "POST",
      url: "/adfs/oauth2/token",
      headers: { host: "localhost:8443", "content-type": "application/x-www-form-urlencoded" },
      payload:
        "client_id=abc&grant_type=client_credentials&client_secret=s&scope=https%3A%2F%2Flocalhost%3A8443%2F%2F.default",
    });
    expect(tok.statusCode).toBe(200);
    expect(h.json(tok)).toMatchObject({ token_type: "Bearer", expires_in: 86399 });
    expect(h.json(tok).access_token.split(".")).toHaveLength(3);
  });
});
