/**
 * Microsoft.Storage/storageAccounts through the official @azure/arm-storage 21 client over
 * HTTPS: creation as Azure does it, networkAcls updates, every refusal, the IaC ordering
 * mistake and the stale-rule story (SE-RES-4, SE-ACL-2, SE-ACL-4, SE-ACL-5, SE-ACL-6, SE-ACL-8,
 * SE-REG-2, SE-LIM-1, SE-RES-5).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Snapshot } from "../../src/engine/snapshot.js";
import { evaluate } from "../../src/engine/evaluate.js";
import type { Authorizer } from "../../src/arm/authz.js";
import { ArmError } from "../../src/model/errors.js";
import { SUB, startTestServer, type TestServer } from "./server.js";
import { POLL, clients, createVnet, failure, setEndpoints, subnetId, vnetId } from "./services-clients.js";

let t: TestServer;
const RG = "e2e-storage";
const base = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts`;
const api = "api-version=2023-01-01";

beforeAll(async () => {
  t = await startTestServer({ flags: { lroMaxMs: 60_000 } });
  await t.resources().resourceGroups.createOrUpdate(RG, { location: "westus" });
  await createVnet(t, RG, "vnet1", "westus", "10.1.0.0/16", [
    { name: "withsto", prefix: "10.1.1.0/24", endpoints: ["Microsoft.Storage"] },
    { name: "plain", prefix: "10.1.2.0/24" },
    { name: "plain2", prefix: "10.1.3.0/24" },
  ]);
});
afterAll(async () => {
  await t?.dispose();
});

const storage = () => clients(t).storage;

describe("SE-RES-4: storage accounts as the Storage RP serves them", () => {
  it("create answers 202 with an empty body and a Location that answers 202, then 200 with the account", async () => {
    const put = await t.fetch("PUT", `${base}/rawacct1?${api}`, {
      location: "westus",
      sku: { name: "Standard_RAGRS" },
      kind: "StorageV2",
    });
    expect(put.status).toBe(202);
    expect(put.json).toBeUndefined();
    const loc = put.headers.get("location")!;
    expect(loc).toMatch(
      /\/providers\/Microsoft\.Storage\/locations\/westus\/asyncoperations\/[0-9a-f-]+\?monitor=true&api-version=2023-01-01$/,
    );
    const first = await t.fetch("GET", loc);
    expect(first.status).toBe(202);
    expect(first.headers.get("retry-after")).toBe("1");
    const done = await t.fetch("GET", loc);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({
      id: `${base}/rawacct1`,
      name: "rawacct1",
      type: "Microsoft.Storage/storageAccounts",
      location: "westus",
      sku: { name: "Standard_RAGRS", tier: "Standard" },
      kind: "StorageV2",
      properties: {
        provisioningState: "Succeeded",
        networkAcls: {
          bypass: "AzureServices",
          virtualNetworkRules: [],
          ipRules: [],
          defaultAction: "Allow",
        },
        primaryLocation: "westus",
        secondaryLocation: "eastus",
        statusOfPrimary: "available",
        primaryEndpoints: {
          blob: "https://rawacct1.blob.core.windows.net/",
          web: "https://rawacct1.web.core.windows.net/",
        },
        secondaryEndpoints: { blob: "https://rawacct1-secondary.blob.core.windows.net/" },
      },
    });
  });

  it("the SDK's create polls the Location to the account; update PATCHes networkAcls; delete removes it", async () => {
    const acct = await storage().storageAccounts.create(
      RG,
      "sdkacct1",
      { location: "westus", sku: { name: "Standard_LRS" }, kind: "StorageV2" },
      POLL,
    );
    expect(acct.provisioningState).toBe("Succeeded");
    expect(acct.primaryEndpoints?.blob).toBe("https://sdkacct1.blob.core.windows.net/");
    expect(acct.networkRuleSet?.defaultAction).toBe("Allow");
    const updated = await storage().storageAccounts.update(RG, "sdkacct1", {
      networkRuleSet: {
        defaultAction: "Deny",
        bypass: "Logging, Metrics",
        virtualNetworkRules: [{ virtualNetworkResourceId: subnetId(RG, "vnet1", "withsto") }],
        ipRules: [{ iPAddressOrRange: "203.0.113.7" }, { iPAddressOrRange: "198.51.100.0/24" }],
      },
    });
    expect(updated.networkRuleSet).toMatchObject({
      defaultAction: "Deny",
      bypass: "Logging, Metrics",
      virtualNetworkRules: [
        { virtualNetworkResourceId: subnetId(RG, "vnet1", "withsto"), action: "Allow", state: "succeeded" },
      ],
      ipRules: [
        { iPAddressOrRange: "203.0.113.7", action: "Allow" },
        { iPAddressOrRange: "198.51.100.0/24", action: "Allow" },
      ],
    });
    // Wire names are id / value (SDK: virtualNetworkResourceId / iPAddressOrRange).
    const raw = await t.fetch("GET", `${base}/sdkacct1?${api}`);
    expect(raw.json.properties.networkAcls.virtualNetworkRules[0].id).toBe(subnetId(RG, "vnet1", "withsto"));
    expect(raw.json.properties.networkAcls.ipRules[0].value).toBe("203.0.113.7");
    await storage().storageAccounts.delete(RG, "sdkacct1");
    expect((await failure(storage().storageAccounts.getProperties(RG, "sdkacct1"))).statusCode).toBe(404);
  });

  it("a bad account name is AccountNameInvalid", async () => {
    const e = await failure(
      storage().storageAccounts.create(
        RG,
        "Bad_Name",
        { location: "westus", sku: { name: "Standard_LRS" }, kind: "StorageV2" },
        POLL,
      ),
    );
    expect(e).toMatchObject({ statusCode: 400, code: "AccountNameInvalid" });
  });
});

describe("SE-ACL-2: VNet rules need the subnet's Microsoft.Storage endpoint", () => {
  it("refused with NetworkAclsValidationFailure naming the subnets and the VNet, with the double period", async () => {
    const e = await failure(
      storage().storageAccounts.create(
        RG,
        "noendpoint1",
        {
          location: "westus",
          sku: { name: "Standard_LRS" },
          kind: "StorageV2",
          networkRuleSet: {
            defaultAction: "Allow",
            virtualNetworkRules: [
              { virtualNetworkResourceId: subnetId(RG, "vnet1", "plain") },
              { virtualNetworkResourceId: subnetId(RG, "vnet1", "plain2") },
            ],
          },
        },
        POLL,
      ),
    );
    expect(e).toMatchObject({ statusCode: 400, code: "NetworkAclsValidationFailure" });
    expect(e.message).toBe(
      `Validation of network acls failure: SubnetsHaveNoServiceEndpointsConfigured:Subnets plain,plain2 of virtual network ${vnetId(RG, "vnet1")} do not have ServiceEndpoints for Microsoft.Storage resources configured. Add Microsoft.Storage to subnet's ServiceEndpoints collection before trying to ACL Microsoft.Storage resources to these subnets..`,
    );
    expect((await failure(storage().storageAccounts.getProperties(RG, "noendpoint1"))).statusCode).toBe(404);
  });

  it("the IaC ordering mistake: the rule before the endpoint is refused; the endpoint first, then the rule, is accepted", async () => {
    await createVnet(t, RG, "iac", "westus", "10.9.0.0/16", [{ name: "app", prefix: "10.9.1.0/24" }]);
    await storage().storageAccounts.create(
      RG,
      "iacacct",
      { location: "westus", sku: { name: "Standard_LRS" }, kind: "StorageV2" },
      POLL,
    );
    const rule = {
      defaultAction: "Deny" as const,
      virtualNetworkRules: [{ virtualNetworkResourceId: subnetId(RG, "iac", "app") }],
    };
    const refused = await failure(storage().storageAccounts.update(RG, "iacacct", { networkRuleSet: rule }));
    expect(refused).toMatchObject({ statusCode: 400, code: "NetworkAclsValidationFailure" });
    expect(
      (await storage().storageAccounts.getProperties(RG, "iacacct")).networkRuleSet?.virtualNetworkRules,
    ).toEqual([]);
    await setEndpoints(t, RG, "iac", "app", "10.9.1.0/24", ["Microsoft.Storage"]);
    const ok = await storage().storageAccounts.update(RG, "iacacct", { networkRuleSet: rule });
    expect(ok.networkRuleSet?.virtualNetworkRules?.[0]?.state).toBe("succeeded");
  });

  it("SE-CFG-6: a subnet still Updating is refused with SubnetsNotProvisioned", async () => {
    await storage().storageAccounts.create(
      RG,
      "updacct",
      { location: "westus", sku: { name: "Standard_LRS" }, kind: "StorageV2" },
      POLL,
    );
    // A raw PUT (nobody polls it): the subnet reads Updating until its operation completes.
    const put = await t.fetch("PUT", `${vnetId(RG, "vnet1")}/subnets/fresh?api-version=2025-05-01`, {
      properties: { addressPrefix: "10.1.9.0/24", serviceEndpoints: [{ service: "Microsoft.Storage" }] },
    });
    expect(put.json.properties.provisioningState).toBe("Updating");
    const e = await failure(
      storage().storageAccounts.update(RG, "updacct", {
        networkRuleSet: {
          defaultAction: "Deny",
          virtualNetworkRules: [{ virtualNetworkResourceId: subnetId(RG, "vnet1", "fresh") }],
        },
      }),
    );
    expect(e).toMatchObject({ statusCode: 400, code: "NetworkAclsValidationFailure" });
    expect(e.message).toBe(
      `Validation of network acls failure: SubnetsNotProvisioned:Cannot proceed with operation because subnets fresh of the virtual network ${vnetId(RG, "vnet1")} are not provisioned. They are in Updating state..`,
    );
  });

  it("SE-RES-5: a classic VNet's subnet is refused", async () => {
    const classic = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ClassicNetwork/virtualNetworks/old`;
    const put = await t.fetch("PUT", `${classic}?api-version=2016-11-01`, {
      location: "westus",
      properties: {
        addressSpace: { addressPrefixes: ["10.50.0.0/16"] },
        subnets: [{ name: "s", properties: { addressPrefix: "10.50.1.0/24" } }],
      },
    });
    expect(put.status).toBeLessThan(300);
    const e = await failure(
      storage().storageAccounts.create(
        RG,
        "classicacct",
        {
          location: "westus",
          sku: { name: "Standard_LRS" },
          kind: "StorageV2",
          networkRuleSet: {
            defaultAction: "Deny",
            virtualNetworkRules: [{ virtualNetworkResourceId: `${classic}/subnets/s` }],
          },
        },
        POLL,
      ),
    );
    expect(e).toMatchObject({ statusCode: 400, code: "NetworkAclsValidationFailure" });
    expect(e.message).toMatch(/classic \(Microsoft\.ClassicNetwork\) virtual network/);
  });

  it("a subnet that does not exist, and an id that is not a subnet's, are refused", async () => {
    const missing = await failure(
      storage().storageAccounts.create(
        RG,
        "missacct",
        {
          location: "westus",
          sku: { name: "Standard_LRS" },
          kind: "StorageV2",
          networkRuleSet: {
            defaultAction: "Deny",
            virtualNetworkRules: [{ virtualNetworkResourceId: subnetId(RG, "vnet1", "nope") }],
          },
        },
        POLL,
      ),
    );
    expect(missing).toMatchObject({ statusCode: 400, code: "NetworkAclsValidationFailure" });
    expect(missing.message).toContain(
      `Virtual network ${vnetId(RG, "vnet1")} does not have subnets with names nope.`,
    );
    const malformed = await failure(
      storage().storageAccounts.create(
        RG,
        "badidacct",
        {
          location: "westus",
          sku: { name: "Standard_LRS" },
          kind: "StorageV2",
          networkRuleSet: {
            defaultAction: "Deny",
            virtualNetworkRules: [{ virtualNetworkResourceId: "subnet1" }],
          },
        },
        POLL,
      ),
    );
    expect(malformed).toMatchObject({ statusCode: 400, code: "InvalidValuesForRequestParameters" });
  });
});

describe("SE-REG-2: a Storage rule may name subnets in the account's region or its pair", () => {
  it("eastus (the pair of westus) is accepted; centralus is refused", async () => {
    await createVnet(t, RG, "east", "eastus", "10.20.0.0/16", [
      { name: "e1", prefix: "10.20.1.0/24", endpoints: ["Microsoft.Storage"] },
    ]);
    await createVnet(t, RG, "central", "centralus", "10.21.0.0/16", [
      { name: "c1", prefix: "10.21.1.0/24", endpoints: ["Microsoft.Storage"] },
    ]);
    const ok = await storage().storageAccounts.create(
      RG,
      "pairacct",
      {
        location: "westus",
        sku: { name: "Standard_GRS" },
        kind: "StorageV2",
        networkRuleSet: {
          defaultAction: "Deny",
          virtualNetworkRules: [{ virtualNetworkResourceId: subnetId(RG, "east", "e1") }],
        },
      },
      POLL,
    );
    expect(ok.networkRuleSet?.virtualNetworkRules?.[0]?.state).toBe("succeeded");
    const e = await failure(
      storage().storageAccounts.update(RG, "pairacct", {
        networkRuleSet: {
          defaultAction: "Deny",
          virtualNetworkRules: [{ virtualNetworkResourceId: subnetId(RG, "central", "c1") }],
        },
      }),
    );
    expect(e).toMatchObject({ statusCode: 400, code: "NetworkAclsValidationFailure" });
    expect(e.message).toMatch(/region 'centralus'.*westus or eastus/);
  });
});

describe("SE-ACL-5: Storage IP rules take public IPv4 addresses and ranges only", () => {
  it.each([
    "10.0.0.0/8",
    "192.168.1.4",
    "172.16.5.0/24",
    "203.0.113.0/31",
    "203.0.113.9/32",
    "not-an-ip",
    "2001:db8::/64",
    "203.0.113.7/24",
  ])("%s is refused with InvalidValuesForRequestParameters", async (value) => {
    const e = await failure(
      storage().storageAccounts.update(RG, "updacct", {
        networkRuleSet: { defaultAction: "Deny", ipRules: [{ iPAddressOrRange: value }] },
      }),
    );
    expect(e).toMatchObject({ statusCode: 400, code: "InvalidValuesForRequestParameters" });
    expect(e.message).toBe(
      "Values for request parameters are invalid: networkAcls.ipRule[*].value. For more information, see - https://aka.ms/storagenetworkruleset",
    );
  });
});

describe("SE-ACL-6, SE-LIM-1: at most 200 IP rules and 200 VNet rules per account", () => {
  it("200 IP rules are accepted, 201 refused; 201 VNet rules refused", async () => {
    const ips = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        iPAddressOrRange: `203.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      }));
    const ok = await storage().storageAccounts.update(RG, "updacct", {
      networkRuleSet: { defaultAction: "Deny", ipRules: ips(200) },
    });
    expect(ok.networkRuleSet?.ipRules).toHaveLength(200);
    const e = await failure(
      storage().storageAccounts.update(RG, "updacct", {
        networkRuleSet: { defaultAction: "Deny", ipRules: ips(201) },
      }),
    );
    expect(e).toMatchObject({
      statusCode: 400,
      code: "InvalidValuesForRequestParameters",
      message: expect.stringContaining("networkAcls.ipRules[]"),
    });
    const rules = Array.from({ length: 201 }, () => ({
      virtualNetworkResourceId: subnetId(RG, "vnet1", "withsto"),
    }));
    const v = await failure(
      storage().storageAccounts.update(RG, "updacct", {
        networkRuleSet: { defaultAction: "Deny", virtualNetworkRules: rules },
      }),
    );
    expect(v).toMatchObject({
      statusCode: 400,
      code: "InvalidValuesForRequestParameters",
      message: expect.stringContaining("networkAcls.virtualNetworkRules[]"),
    });
  });
});

describe("SE-ACL-4: subnets are checked through the authorization seam", () => {
  it("the write's action, the account and every named subnet reach checkLinked; its refusal reaches the caller", async () => {
    const seen: Array<{ action: string; scope: string; linkedAction: string; linked: readonly string[] }> =
      [];
    const other = "99999999-0000-0000-0000-000000000009";
    const deny: Authorizer = {
      async check() {},
      async checkJoin() {},
      async checkLinked(_ctx, action, scope, linkedAction, linked) {
        seen.push({ action, scope, linkedAction, linked });
        const foreign = linked.find((id) => id.toLowerCase().includes(other));
        if (foreign) {
          throw new ArmError(
            403,
            "LinkedAuthorizationFailed",
            `The client has permission to perform action '${action}' on scope '${scope}', however the current tenant is not authorized to access linked subscription '${other}'.`,
          );
        }
      },
    };
    const previous = t.server.deps.authz;
    t.server.deps.authz = deny;
    try {
      const foreignSubnet = subnetId("rg", "v", "s", other);
      const e = await failure(
        storage().storageAccounts.create(
          RG,
          "tenantacct",
          {
            location: "westus",
            sku: { name: "Standard_LRS" },
            kind: "StorageV2",
            networkRuleSet: {
              defaultAction: "Deny",
              virtualNetworkRules: [{ virtualNetworkResourceId: foreignSubnet }],
            },
          },
          POLL,
        ),
      );
      expect(e).toMatchObject({ statusCode: 403, code: "LinkedAuthorizationFailed" });
      expect(seen.at(-1)).toEqual({
        action: "Microsoft.Storage/storageAccounts/write",
        scope: `${base}/tenantacct`,
        linkedAction: "Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action",
        linked: [foreignSubnet],
      });
    } finally {
      if (previous) t.server.deps.authz = previous;
      else delete t.server.deps.authz;
    }
  });
});

describe("SE-ACL-4: a subnet whose subscription belongs to another tenant is refused (identity's authorizer)", () => {
  it("same tenant, other subscription: accepted; other tenant: 403 LinkedAuthorizationFailed", async () => {
    const tenant2 = "7e57e57e-0000-0000-0000-000000000002";
    const sameTenantSub = "22222222-0000-0000-0000-000000000002";
    const otherTenantSub = "33333333-0000-0000-0000-000000000003";
    expect(
      (await t.fetch("PUT", `/_emulator/tenants/${tenant2}`, { displayName: "Other" })).status,
    ).toBeLessThan(300);
    expect(
      (
        await t.fetch("PUT", `/_emulator/tenants/${tenant2}/subscriptions/${otherTenantSub}`, {
          displayName: "Theirs",
        })
      ).status,
    ).toBeLessThan(300);
    for (const sub of [sameTenantSub, otherTenantSub]) {
      await t.resources(sub).resourceGroups.createOrUpdate("net", { location: "westus" });
      await t.network(sub).virtualNetworks.beginCreateOrUpdateAndWait(
        "net",
        "v1",
        {
          location: "westus",
          addressSpace: { addressPrefixes: ["10.60.0.0/16"] },
          subnets: [
            {
              name: "s",
              addressPrefix: "10.60.1.0/24",
              serviceEndpoints: [{ service: "Microsoft.Storage" }],
            },
          ],
        },
        POLL,
      );
    }
    const params = (sub: string) => ({
      location: "westus",
      sku: { name: "Standard_LRS" as const },
      kind: "StorageV2" as const,
      networkRuleSet: {
        defaultAction: "Deny" as const,
        virtualNetworkRules: [{ virtualNetworkResourceId: subnetId("net", "v1", "s", sub) }],
      },
    });
    const ok = await storage().storageAccounts.create(RG, "xsubacct", params(sameTenantSub), POLL);
    expect(ok.networkRuleSet?.virtualNetworkRules?.[0]?.state).toBe("succeeded");
    const e = await failure(
      storage().storageAccounts.create(RG, "xtenantacct", params(otherTenantSub), POLL),
    );
    expect(e).toMatchObject({ statusCode: 403, code: "LinkedAuthorizationFailed" });
    expect(e.message).toContain(otherTenantSub);
  });
});

describe("SE-ACL-8: a rule whose subnet lost its endpoint goes stale and stays so", () => {
  const snapshot = async () => {
    const list = await t.fetch(
      "GET",
      `/subscriptions/${SUB}/resourceGroups/${RG}/resources?$expand=properties&api-version=2021-04-01`,
    );
    return new Snapshot(list.json.value, { serviceTags: t.server.deps.serviceTags });
  };

  it("endpoint removed → networkSourceDeleted (denied); endpoint back → still stale (denied); rule re-added → succeeded (allowed)", async () => {
    await createVnet(t, RG, "stale", "westus", "10.5.0.0/16", [
      { name: "s1", prefix: "10.5.1.0/24", endpoints: ["Microsoft.Storage"] },
    ]);
    const nic = await t.network().networkInterfaces.beginCreateOrUpdateAndWait(
      RG,
      "stalenic",
      {
        location: "westus",
        ipConfigurations: [{ name: "ipconfig1", subnet: { id: subnetId(RG, "stale", "s1") } }],
      },
      POLL,
    );
    const rule = { virtualNetworkResourceId: subnetId(RG, "stale", "s1") };
    await storage().storageAccounts.create(
      RG,
      "staleacct",
      {
        location: "westus",
        sku: { name: "Standard_LRS" },
        kind: "StorageV2",
        networkRuleSet: { defaultAction: "Deny", virtualNetworkRules: [rule] },
      },
      POLL,
    );
    const state = async () =>
      (await storage().storageAccounts.getProperties(RG, "staleacct")).networkRuleSet
        ?.virtualNetworkRules?.[0]?.state;
    const decide = async () =>
      evaluate(await snapshot(), {
        source: { kind: "nic", nicId: nic.id! },
        destination: { kind: "resource", resourceId: `${base}/staleacct` },
      });
    expect(await state()).toBe("succeeded");
    expect((await decide()).decision).toBe("Allowed");

    await setEndpoints(t, RG, "stale", "s1", "10.5.1.0/24", []);
    expect(await state()).toBe("networkSourceDeleted");
    expect((await decide()).decision).toBe("Denied");

    await setEndpoints(t, RG, "stale", "s1", "10.5.1.0/24", ["Microsoft.Storage"]);
    expect(await state()).toBe("networkSourceDeleted");
    const stale = await decide();
    expect(stale.decision).toBe("Denied");
    expect(stale.error).toMatchObject({ status: 403, code: "AuthorizationFailure" });

    await storage().storageAccounts.update(RG, "staleacct", {
      networkRuleSet: { defaultAction: "Deny", virtualNetworkRules: [] },
    });
    const back = await storage().storageAccounts.update(RG, "staleacct", {
      networkRuleSet: { defaultAction: "Deny", virtualNetworkRules: [rule] },
    });
    expect(back.networkRuleSet?.virtualNetworkRules?.[0]?.state).toBe("succeeded");
    expect((await decide()).decision).toBe("Allowed");
  });

  it("deleting the subnet leaves the rule as networkSourceDeleted", async () => {
    await createVnet(t, RG, "gone", "westus", "10.6.0.0/16", [
      { name: "keep", prefix: "10.6.1.0/24" },
      { name: "bye", prefix: "10.6.2.0/24", endpoints: ["Microsoft.Storage"] },
    ]);
    await storage().storageAccounts.create(
      RG,
      "goneacct",
      {
        location: "westus",
        sku: { name: "Standard_LRS" },
        kind: "StorageV2",
        networkRuleSet: {
          defaultAction: "Deny",
          virtualNetworkRules: [{ virtualNetworkResourceId: subnetId(RG, "gone", "bye") }],
        },
      },
      POLL,
    );
    await t.network().subnets.beginDeleteAndWait(RG, "gone", "bye", POLL);
    const rules = (await storage().storageAccounts.getProperties(RG, "goneacct")).networkRuleSet
      ?.virtualNetworkRules;
    expect(rules).toEqual([
      {
        virtualNetworkResourceId: subnetId(RG, "gone", "bye"),
        action: "Allow",
        state: "networkSourceDeleted",
      },
    ]);
  });
});
