/**
 * The deployments API in process: the LRO (Accepted → Running → final), validate, cancel,
 * delete of an active deployment, list filters, exportTemplate of a deployment and of a resource
 * group, what-if's noise-free answer and refused writes, and strict-mode RBAC (the deployer needs
 * Microsoft.Resources/deployments/write and every resource's own write and join actions).
 */
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArmDeps } from "../../src/arm/arm.js";
import { ADMIN_KEY_HEADER } from "../../src/config/admin-key.js";
import { buildApp } from "../../src/http/app.js";
import { strictAuthenticator } from "../../src/http/auth.js";
import { Identity } from "../../src/identity/identity.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { deployHarness, readJson, rgScope, type DeployHarness } from "../templates/deploy-harness.js";

const dep = (rg: string, name: string) => `${rgScope(rg)}/providers/Microsoft.Resources/deployments/${name}`;
const vnetTemplate = (prefix = "10.1.0.0/16") => ({
  $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  contentVersion: "1.0.0.0",
  parameters: { secret: { type: "securestring", defaultValue: "hidden-value" } },
  resources: [
    {
      type: "Microsoft.Network/virtualNetworks",
      apiVersion: "2023-09-01",
      name: "v1",
      location: "westus",
      properties: {
        addressSpace: { addressPrefixes: [prefix] },
        subnets: [{ name: "s1", properties: { addressPrefix: prefix.replace("/16", "/24") } }],
      },
    },
  ],
  outputs: { id: { type: "string", value: "[resourceId('Microsoft.Network/virtualNetworks', 'v1')]" } },
});

describe("deployments API", () => {
  let h: DeployHarness;
  beforeAll(async () => {
    h = await deployHarness({ inProgressPolls: 2 });
    await h.group("api");
  });
  afterAll(async () => h.close());

  it("PUT answers 201 Accepted with Azure-AsyncOperation; the status runs, then Succeeded; secure parameters are not echoed", async () => {
    const { put, final, polls } = await h.deploy(rgScope("api"), "one", vnetTemplate());
    expect(put.statusCode).toBe(201);
    expect(put.headers["azure-asyncoperation"]).toMatch(
      /\/deployments\/one\/operationStatuses\/[0-9a-f-]+\?api-version=/,
    );
    expect(h.json(put).properties.provisioningState).toBe("Accepted");
    expect(polls).toEqual(["Running", "Running", "Succeeded"]);
    expect(final.properties).toMatchObject({
      provisioningState: "Succeeded",
      mode: "Incremental",
      parameters: { secret: { type: "SecureString" } },
      outputs: { id: { type: "String" } },
    });
    expect(final.properties.parameters.secret.value).toBeUndefined();
    expect(final.properties.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(final.properties.templateHash).toMatch(/^\d+$/);
    expect(final.properties.duration).toMatch(/^PT[\d.]+S$/);
    expect(final.properties.outputResources).toEqual([
      { id: `${rgScope("api")}/providers/Microsoft.Network/virtualNetworks/v1` },
    ]);
    const again = await h.deploy(rgScope("api"), "one", vnetTemplate());
    expect(again.put.statusCode).toBe(200);
  });

  it("a running deployment cannot be replaced or deleted (DeploymentActive) but can be cancelled; a finished one cannot", async () => {
    const put = await h.req("PUT", dep("api", "busy"), {
      properties: { mode: "Incremental", template: vnetTemplate() },
    });
    expect(put.statusCode).toBe(201);
    const replace = await h.req("PUT", dep("api", "busy"), {
      properties: { mode: "Incremental", template: vnetTemplate() },
    });
    expect(h.json(replace).error.code).toBe("DeploymentActive");
    expect(h.json(await h.req("DELETE", dep("api", "busy"))).error.code).toBe("DeploymentActive");
    expect((await h.req("POST", `${dep("api", "busy")}/cancel`)).statusCode).toBe(204);
    expect(h.json(await h.req("GET", dep("api", "busy"))).properties.provisioningState).toBe("Canceled");
    const status = put.headers["azure-asyncoperation"] as string;
    expect(h.json(await h.req("GET", status.replace(/^https:\/\/[^/]+/, ""))).status).toBe("Canceled");
    const late = await h.req("POST", `${dep("api", "busy")}/cancel`);
    expect(late.statusCode).toBe(409);
    expect(h.json(late).error.code).toBe("DeploymentCannotBeCancelled");
    const del = await h.req("DELETE", dep("api", "busy"));
    expect(del.statusCode).toBe(202);
    expect(h.json(await h.req("GET", dep("api", "busy"))).error.code).toBe("DeploymentNotFound");
  });

  it("validate answers validatedResources without deploying; template and body errors are ARM's", async () => {
    const v = await h.req("POST", `${dep("api", "val")}/validate`, {
      properties: { mode: "Incremental", template: vnetTemplate("10.2.0.0/16") },
    });
    expect(v.statusCode).toBe(200);
    expect(h.json(v).properties.validatedResources).toEqual([
      { id: `${rgScope("api")}/providers/Microsoft.Network/virtualNetworks/v1` },
    ]);
    const bad = await h.req("POST", `${dep("api", "val")}/validate`, {
      properties: { mode: "Incremental", template: { ...vnetTemplate(), resources: "[nope(" } },
    });
    expect(bad.statusCode).toBe(400);
    expect(h.json(bad).error.code).toBe("InvalidTemplate");
    const noMode = await h.req("PUT", dep("api", "x"), { properties: { template: vnetTemplate() } });
    expect(h.json(noMode).error.code).toBe("InvalidRequestContent");
    const link = await h.req("PUT", dep("api", "x"), {
      properties: { mode: "Incremental", templateLink: { uri: "https://example.invalid/t.json" } },
    });
    expect(h.json(link).error.code).toBe("InvalidContentLink");
    const noGroup = await h.req("PUT", dep("missing", "x"), {
      properties: { mode: "Incremental", template: vnetTemplate() },
    });
    expect(h.json(noGroup).error.code).toBe("ResourceGroupNotFound");
  });

  it("list filters on provisioningState; exportTemplate returns the template as sent", async () => {
    await h.deploy(rgScope("api"), "fails", readJson("12-fail-subnet-outside-vnet.json"));
    const failed = h.json(
      await h.req(
        "GET",
        `${rgScope("api")}/providers/Microsoft.Resources/deployments?$filter=provisioningState eq 'Failed'`,
      ),
    );
    expect(failed.value.map((d: { name: string }) => d.name)).toEqual(["fails"]);
    const all = h.json(await h.req("GET", `${rgScope("api")}/providers/Microsoft.Resources/deployments`));
    expect(all.value.map((d: { name: string }) => d.name).sort()).toEqual(["fails", "one"]);
    const exp = h.json(await h.req("POST", `${dep("api", "one")}/exportTemplate`));
    expect(exp.template).toEqual(vnetTemplate());
  });

  it("resourceGroups/{rg}/exportTemplate writes a template that redeploys to no change", async () => {
    await h.group("exp");
    await h.deploy(rgScope("exp"), "qs", readJson("16-route-table-subnet.json"));
    const res = await h.req("POST", `${rgScope("exp")}/exportTemplate`, { resources: ["*"] }, "2021-04-01");
    expect(res.statusCode).toBe(200);
    const template = h.json(res).template;
    const vnet = template.resources.find(
      (r: { type: string }) => r.type === "Microsoft.Network/virtualNetworks",
    );
    expect(vnet.dependsOn).toEqual(["[resourceId('Microsoft.Network/routeTables', 'rt-spoke')]"]);
    expect(JSON.stringify(template)).not.toMatch(/provisioningState|resourceGuid|"etag"/);
    const w = await h.whatIf(rgScope("exp"), "re", template);
    expect(w.properties.changes.filter((c: { changeType: string }) => c.changeType !== "NoChange")).toEqual(
      [],
    );
  });

  it("what-if is a dry run: nothing is written; a refused write shows as Unsupported with the provider's error", async () => {
    await h.group("wi");
    const w = await h.whatIf(rgScope("wi"), "new", vnetTemplate("10.3.0.0/16"));
    expect(w.properties.changes.map((c: { changeType: string }) => c.changeType)).toEqual(["Create"]);
    expect(w.properties.changes[0].after.properties.subnets[0].properties.addressPrefix).toBe("10.3.0.0/24");
    expect(
      (
        await h.req(
          "GET",
          `${rgScope("wi")}/providers/Microsoft.Network/virtualNetworks/v1`,
          undefined,
          "2023-09-01",
        )
      ).statusCode,
    ).toBe(404);
    expect(h.json(await h.req("GET", dep("wi", "new"))).error.code).toBe("DeploymentNotFound");
    const bad = await h.whatIf(rgScope("wi"), "bad", readJson("12-fail-subnet-outside-vnet.json"));
    const vnet = bad.properties.changes.find((c: { resourceId: string }) =>
      c.resourceId.endsWith("vnet-bad"),
    );
    expect(vnet.changeType).toBe("Unsupported");
    expect(vnet.unsupportedReason).toMatch(/NetcfgSubnetRangeOutsideVnet/);
    expect(bad.properties.diagnostics).toContainEqual(
      expect.objectContaining({ level: "Error", code: "NetcfgSubnetRangeOutsideVnet" }),
    );
  });

  it("SE-CFG-7, SE-CFG-6: what-if of a VNet template that forgets serviceEndpoints warns in its diagnostics", async () => {
    await h.group("se");
    const t = readJson("01-vnet-two-subnets.json");
    await h.deploy(rgScope("se"), "d", t);
    delete t.resources[0].properties.subnets[1].properties.serviceEndpoints;
    const w = await h.whatIf(rgScope("se"), "d", t);
    const change = w.properties.changes[0];
    expect(change.changeType).toBe("Modify");
    expect(change.delta[0]).toMatchObject({ path: "properties.subnets", propertyChangeType: "Array" });
    const codes = w.properties.diagnostics.map((d: { code: string; target: string }) => d.code);
    expect(codes).toEqual(expect.arrayContaining(["ServiceEndpointRemoved", "ConnectionsReset"]));
    const removed = w.properties.diagnostics.find(
      (d: { code: string }) => d.code === "ServiceEndpointRemoved",
    );
    expect(removed).toMatchObject({
      level: "Warning",
      target: `${rgScope("se")}/providers/Microsoft.Network/virtualNetworks/vnet-basic/subnets/backend`,
    });
  });
});

describe("deployments under strict RBAC", () => {
  const TENANT = "72f988bf-0000-0000-0000-000000000001";
  const ADMIN_KEY = "deployments-test-admin-key";
  const SUB = "00000000-0000-0000-0000-000000000001";
  let app: FastifyInstance;
  let close: () => Promise<void>;
  const send = (
    method: string,
    url: string,
    token: string | undefined,
    body?: unknown,
    form?: Record<string, string>,
  ) =>
    app.inject({
      method: method as "GET",
      url,
      headers: {
        host: "localhost:8443",
        ...(url.startsWith("/_emulator") ? { [ADMIN_KEY_HEADER]: ADMIN_KEY } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(form
          ? { "content-type": "application/x-www-form-urlencoded" }
          : body !== undefined
            ? { "content-type": "application/json" }
            : {}),
      },
      ...(form
        ? { payload: new URLSearchParams(form).toString() }
        : body !== undefined
          ? { payload: JSON.stringify(body) }
          : {}),
    });
  const json = (r: LightMyRequestResponse) => JSON.parse(r.body);
  async function principal(n: number, role: string | undefined, scope: string): Promise<string> {
    const appId = `aaaaaaaa-0000-4000-8000-00000000010${n}`;
    const sp = json(
      await send("PUT", `/_emulator/tenants/${TENANT}/servicePrincipals/${appId}`, undefined, {
        secret: "s",
      }),
    );
    if (role)
      await send("POST", `/_emulator/tenants/${TENANT}/roleAssignments`, undefined, {
        principalId: sp.objectId,
        roleName: role,
        scope,
      });
    return json(
      await send("POST", `/${TENANT}/oauth2/v2.0/token`, undefined, undefined, {
        grant_type: "client_credentials",
        client_id: appId,
        client_secret: "s",
        scope: "https://localhost:8443/.default",
      }),
    ).access_token;
  }
  let owner: string;
  beforeAll(async () => {
    const { store } = await openSqliteStore({ filename: ":memory:" });
    let n = 0;
    const deps = await createArmDeps({
      store,
      clock: { now: () => Date.UTC(2026, 0, 1) },
      ids: { guid: () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, "0")}` },
      lro: { inProgressPolls: 0, maxDurationMs: 0 },
    });
    const identity = await Identity.create(deps, { mode: "strict" });
    app = buildApp({ arm: deps, identity, auth: strictAuthenticator(identity, deps), adminKey: ADMIN_KEY });
    close = async () => {
      await app.close();
      await store.close();
    };
    owner = await principal(1, "Owner", `/subscriptions/${SUB}`);
    for (const rg of ["rbac", "hub"])
      await send("PUT", `/subscriptions/${SUB}/resourcegroups/${rg}?api-version=2021-04-01`, owner, {
        location: "westus",
      });
    await send(
      "PUT",
      `/subscriptions/${SUB}/resourceGroups/hub/providers/Microsoft.Network/networkSecurityGroups/hub-nsg?api-version=2023-09-01`,
      owner,
      { location: "westus", properties: {} },
    );
  });
  afterAll(async () => close());

  const put = (token: string, name: string, template: unknown) =>
    send(
      "PUT",
      `/subscriptions/${SUB}/resourceGroups/rbac/providers/Microsoft.Resources/deployments/${name}?api-version=2022-09-01`,
      token,
      {
        properties: { mode: "Incremental", template },
      },
    );

  it("a Reader may not deploy: 403 AuthorizationFailed on Microsoft.Resources/deployments/write", async () => {
    const reader = await principal(2, "Reader", `/subscriptions/${SUB}/resourceGroups/rbac`);
    const r = await put(reader, "d", vnetTemplate());
    expect(r.statusCode).toBe(403);
    expect(json(r).error.code).toBe("AuthorizationFailed");
    expect(json(r).error.message).toMatch(/Microsoft\.Resources\/deployments\/write/);
  });

  it("a deployer without a resource's own write action is refused before anything runs", async () => {
    const storage = await principal(
      3,
      "Storage Account Contributor",
      `/subscriptions/${SUB}/resourceGroups/rbac`,
    );
    const r = await put(storage, "d", vnetTemplate());
    expect(r.statusCode).toBe(403);
    expect(json(r).error.message).toMatch(/Microsoft\.Network\/virtualNetworks\/write/);
  });

  it("resources go through the linked access check: an NSG elsewhere needs its join action (LinkedAuthorizationFailed in the details)", async () => {
    const net = await principal(4, "Network Contributor", `/subscriptions/${SUB}/resourceGroups/rbac`);
    const template = vnetTemplate();
    (
      template.resources[0]!.properties.subnets[0]!.properties as Record<string, unknown>
    ).networkSecurityGroup = {
      id: `/subscriptions/${SUB}/resourceGroups/hub/providers/Microsoft.Network/networkSecurityGroups/hub-nsg`,
    };
    const r = await put(net, "join", template);
    expect(r.statusCode).toBe(201);
    const d = json(
      await send(
        "GET",
        `/subscriptions/${SUB}/resourceGroups/rbac/providers/Microsoft.Resources/deployments/join?api-version=2022-09-01`,
        net,
      ),
    );
    expect(d.properties.provisioningState).toBe("Failed");
    expect(d.properties.error.details[0].code).toBe("LinkedAuthorizationFailed");
    const ok = await put(net, "plain", vnetTemplate("10.9.0.0/16"));
    expect(ok.statusCode).toBe(201);
    expect(json(ok).properties.provisioningState).toBe("Succeeded");
  });
});
