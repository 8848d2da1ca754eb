/**
 * Service Bus (@azure/arm-servicebus 6) and Event Hubs (@azure/arm-eventhub 5) network rule sets,
 * Data Lake Store Gen1 accounts (raw HTTPS: no official scoped JS SDK exists) and Container
 * Registries (@azure/arm-containerregistry 12; VNet rules over raw HTTPS at api 2019-05-01,
 * because SDK 12's model no longer has them) — SE-RES-4, SE-ACL-2, SE-ACL-6, SE-REG-3, SE-REG-4.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUB, startTestServer, type TestServer } from "./server.js";
import { POLL, clients, createVnet, failure, subnetId, vnetId } from "./services-clients.js";

let t: TestServer;
const RG = "e2e-msg";
const rgPath = `/subscriptions/${SUB}/resourceGroups/${RG}/providers`;

beforeAll(async () => {
  t = await startTestServer();
  await t.resources().resourceGroups.createOrUpdate(RG, { location: "westus" });
  await createVnet(t, RG, "vnet1", "westus", "10.8.0.0/16", [
    {
      name: "msg",
      prefix: "10.8.1.0/24",
      endpoints: [
        "Microsoft.ServiceBus",
        "Microsoft.EventHub",
        "Microsoft.AzureActiveDirectory",
        "Microsoft.ContainerRegistry",
      ],
    },
    { name: "plain", prefix: "10.8.2.0/24" },
  ]);
  await createVnet(t, RG, "eastnet", "eastus", "10.9.0.0/16", [
    {
      name: "east",
      prefix: "10.9.1.0/24",
      endpoints: ["Microsoft.AzureActiveDirectory", "Microsoft.ServiceBus"],
    },
  ]);
});
afterAll(async () => {
  await t?.dispose();
});

describe("SE-RES-4: Service Bus and Event Hubs network rule sets", () => {
  it("a Premium Service Bus namespace takes VNet rules (subnet.id, any region) and IP masks; GET shows the implicit set first", async () => {
    const sb = clients(t).servicebus;
    const ns = await sb.namespaces.beginCreateOrUpdateAndWait(
      RG,
      "sbprem",
      { location: "eastus", sku: { name: "Premium", tier: "Premium", capacity: 1 } },
      POLL,
    );
    expect(ns.serviceBusEndpoint).toBe("https://sbprem.servicebus.windows.net:443/");
    const implicit = await sb.namespaces.getNetworkRuleSet(RG, "sbprem");
    expect(implicit).toMatchObject({
      name: "default",
      defaultAction: "Allow",
      virtualNetworkRules: [],
      ipRules: [],
    });
    const set = await sb.namespaces.createOrUpdateNetworkRuleSet(RG, "sbprem", {
      defaultAction: "Deny",
      virtualNetworkRules: [
        { subnet: { id: subnetId(RG, "vnet1", "msg") }, ignoreMissingVnetServiceEndpoint: false },
      ],
      ipRules: [{ ipMask: "1.1.1.1", action: "Allow" }],
    });
    expect(set).toMatchObject({
      name: "default",
      type: "Microsoft.ServiceBus/Namespaces/NetworkRuleSet",
      defaultAction: "Deny",
      virtualNetworkRules: [
        { subnet: { id: subnetId(RG, "vnet1", "msg") }, ignoreMissingVnetServiceEndpoint: false },
      ],
      ipRules: [{ ipMask: "1.1.1.1", action: "Allow" }],
    });
    const raw = await t.fetch(
      "GET",
      `${rgPath}/Microsoft.ServiceBus/namespaces/sbprem/networkRuleSets/default?api-version=2017-04-01`,
    );
    expect(raw.json.properties.virtualNetworkRules[0].subnet.id).toBe(subnetId(RG, "vnet1", "msg"));
  });

  it("SE-ACL-2: a subnet without Microsoft.ServiceBus is refused unless ignoreMissingVnetServiceEndpoint", async () => {
    const sb = clients(t).servicebus;
    const e = await failure(
      sb.namespaces.createOrUpdateNetworkRuleSet(RG, "sbprem", {
        defaultAction: "Deny",
        virtualNetworkRules: [{ subnet: { id: subnetId(RG, "vnet1", "plain") } }],
      }),
    );
    expect(e).toMatchObject({
      statusCode: 400,
      code: "BadRequest",
      message: expect.stringContaining(
        "do not have ServiceEndpoints for Microsoft.ServiceBus resources configured",
      ),
    });
    const ok = await sb.namespaces.createOrUpdateNetworkRuleSet(RG, "sbprem", {
      defaultAction: "Deny",
      virtualNetworkRules: [
        { subnet: { id: subnetId(RG, "vnet1", "plain") }, ignoreMissingVnetServiceEndpoint: true },
      ],
    });
    expect(ok.virtualNetworkRules?.[0]?.ignoreMissingVnetServiceEndpoint).toBe(true);
  });

  it("tiers: Service Bus Standard is refused, Event Hubs Basic is refused, Event Hubs Standard is accepted", async () => {
    const { servicebus: sb, eventhub: eh } = clients(t);
    await sb.namespaces.beginCreateOrUpdateAndWait(
      RG,
      "sbstd",
      { location: "westus", sku: { name: "Standard" } },
      POLL,
    );
    const std = await failure(
      sb.namespaces.createOrUpdateNetworkRuleSet(RG, "sbstd", {
        defaultAction: "Deny",
        ipRules: [{ ipMask: "1.1.1.1" }],
      }),
    );
    expect(std).toMatchObject({
      statusCode: 400,
      code: "BadRequest",
      message: expect.stringContaining("Premium"),
    });
    await eh.namespaces.beginCreateOrUpdateAndWait(
      RG,
      "ehbasic",
      { location: "westus", sku: { name: "Basic" } },
      POLL,
    );
    const basic = await failure(
      eh.namespaces.createOrUpdateNetworkRuleSet(RG, "ehbasic", {
        defaultAction: "Deny",
        virtualNetworkRules: [{ subnet: { id: subnetId(RG, "vnet1", "msg") } }],
      }),
    );
    expect(basic).toMatchObject({
      statusCode: 400,
      code: "BadRequest",
      message: expect.stringContaining("Basic"),
    });
    await eh.namespaces.beginCreateOrUpdateAndWait(
      RG,
      "ehstd",
      { location: "westus", sku: { name: "Standard" } },
      POLL,
    );
    const ok = await eh.namespaces.createOrUpdateNetworkRuleSet(RG, "ehstd", {
      defaultAction: "Deny",
      virtualNetworkRules: [{ subnet: { id: subnetId(RG, "vnet1", "msg") } }],
    });
    expect(ok).toMatchObject({ type: "Microsoft.EventHub/Namespaces/NetworkRuleSet", defaultAction: "Deny" });
    const noEp = await failure(
      eh.namespaces.createOrUpdateNetworkRuleSet(RG, "ehstd", {
        defaultAction: "Deny",
        virtualNetworkRules: [{ subnet: { id: subnetId(RG, "vnet1", "plain") } }],
      }),
    );
    expect(noEp).toMatchObject({
      statusCode: 400,
      code: "BadRequest",
      message: expect.stringContaining("Microsoft.EventHub"),
    });
  });

  it("SE-ACL-6: more than 128 IP rules are refused; a malformed mask is refused", async () => {
    const sb = clients(t).servicebus;
    const ips = Array.from({ length: 129 }, (_, i) => ({ ipMask: `203.0.113.${i + 1}` }));
    expect(
      await failure(
        sb.namespaces.createOrUpdateNetworkRuleSet(RG, "sbprem", { defaultAction: "Deny", ipRules: ips }),
      ),
    ).toMatchObject({ statusCode: 400, code: "BadRequest" });
    expect(
      await failure(
        sb.namespaces.createOrUpdateNetworkRuleSet(RG, "sbprem", {
          defaultAction: "Deny",
          ipRules: [{ ipMask: "1.2.3" }],
        }),
      ),
    ).toMatchObject({ statusCode: 400, code: "BadRequest" });
  });
});

describe("SE-RES-4: Data Lake Store Gen1 accounts (raw HTTPS, api 2016-11-01)", () => {
  const acct = (name: string) => `${rgPath}/Microsoft.DataLakeStore/accounts/${name}`;
  const api = "api-version=2016-11-01";

  it("firewallState, inline rules and the child rule resources are one source of truth", async () => {
    const put = await t.fetch("PUT", `${acct("adls1")}?${api}`, {
      location: "westus",
      properties: {
        firewallState: "Enabled",
        firewallAllowAzureIps: "Enabled",
        firewallRules: [
          { name: "office", properties: { startIpAddress: "203.0.113.1", endIpAddress: "203.0.113.9" } },
        ],
        virtualNetworkRules: [{ name: "msg", properties: { subnetId: subnetId(RG, "vnet1", "msg") } }],
      },
    });
    expect(put.status).toBe(201);
    expect(put.json.properties).toMatchObject({
      firewallState: "Enabled",
      firewallAllowAzureIps: "Enabled",
      endpoint: "adls1.azuredatalakestore.net",
      virtualNetworkRules: [
        {
          name: "msg",
          type: "Microsoft.DataLakeStore/accounts/virtualNetworkRules",
          properties: { subnetId: subnetId(RG, "vnet1", "msg") },
        },
      ],
    });
    const child = await t.fetch("GET", `${acct("adls1")}/virtualNetworkRules/msg?${api}`);
    expect(child.json.properties.subnetId).toBe(subnetId(RG, "vnet1", "msg"));
    const fw = await t.fetch("PUT", `${acct("adls1")}/firewallRules/home?${api}`, {
      properties: { startIpAddress: "198.51.100.7", endIpAddress: "198.51.100.7" },
    });
    expect(fw.status).toBe(201);
    const got = await t.fetch("GET", `${acct("adls1")}?${api}`);
    expect(got.json.properties.firewallRules.map((r: { name: string }) => r.name)).toEqual([
      "office",
      "home",
    ]);
  });

  it("SE-ACL-2: the subnet needs Microsoft.AzureActiveDirectory; SE-REG-3: and the account's region", async () => {
    const noEp = await t.fetch("PUT", `${acct("adls1")}/virtualNetworkRules/plain?${api}`, {
      properties: { subnetId: subnetId(RG, "vnet1", "plain") },
    });
    expect(noEp.status).toBe(400);
    expect(noEp.json.error.code).toBe("BadRequest");
    expect(noEp.json.error.message).toBe(
      `Subnets plain of virtual network ${vnetId(RG, "vnet1")} do not have ServiceEndpoints for Microsoft.AzureActiveDirectory resources configured. Add Microsoft.AzureActiveDirectory to subnet's ServiceEndpoints collection before trying to ACL Microsoft.AzureActiveDirectory resources to these subnets..`,
    );
    const east = await t.fetch("PUT", `${acct("adls1")}/virtualNetworkRules/east?${api}`, {
      properties: { subnetId: subnetId(RG, "eastnet", "east") },
    });
    expect(east.status).toBe(400);
    expect(east.json.error.message).toMatch(/region 'eastus'.*westus/);
  });
});

describe("SE-RES-4: Container Registries", () => {
  const reg = (name: string) => `${rgPath}/Microsoft.ContainerRegistry/registries/${name}`;
  const api = "api-version=2019-05-01";

  it("a Premium registry gets the default rule set and takes IP rules through the SDK", async () => {
    const acr = clients(t).acr;
    const r = await acr.registries.create(
      RG,
      "acrprem1",
      { location: "westus", sku: { name: "Premium" } },
      POLL,
    );
    expect(r.loginServer).toBe("acrprem1.azurecr.io");
    expect(r.networkRuleSet).toEqual({ defaultAction: "Allow", ipRules: [] });
    const u = await acr.registries.update(
      RG,
      "acrprem1",
      { networkRuleSet: { defaultAction: "Deny", ipRules: [{ iPAddressOrRange: "203.0.113.0/24" }] } },
      POLL,
    );
    expect(u.networkRuleSet).toEqual({
      defaultAction: "Deny",
      ipRules: [{ action: "Allow", iPAddressOrRange: "203.0.113.0/24" }],
    });
    const basic = await failure(
      acr.registries.create(
        RG,
        "acrbasic1",
        { location: "westus", sku: { name: "Basic" }, networkRuleSet: { defaultAction: "Deny" } },
        POLL,
      ),
    );
    expect(basic).toMatchObject({
      statusCode: 400,
      code: "BadRequest",
      message: expect.stringContaining("Premium"),
    });
  });

  it("SE-ACL-2, SE-REG-4: VNet rules (wire id/value) need Microsoft.ContainerRegistry; any region", async () => {
    const ok = await t.fetch("PUT", `${reg("acrvnet")}?${api}`, {
      location: "eastus",
      sku: { name: "Premium" },
      properties: {
        networkRuleSet: {
          defaultAction: "Deny",
          virtualNetworkRules: [{ action: "Allow", id: subnetId(RG, "vnet1", "msg") }],
          ipRules: [{ action: "Allow", value: "198.51.100.1" }],
        },
      },
    });
    expect(ok.status).toBe(201);
    expect(ok.json.properties.networkRuleSet).toEqual({
      defaultAction: "Deny",
      virtualNetworkRules: [{ action: "Allow", id: subnetId(RG, "vnet1", "msg") }],
      ipRules: [{ action: "Allow", value: "198.51.100.1" }],
    });
    const bad = await t.fetch("PUT", `${reg("acrvnet2")}?${api}`, {
      location: "westus",
      sku: { name: "Premium" },
      properties: {
        networkRuleSet: {
          defaultAction: "Deny",
          virtualNetworkRules: [{ id: subnetId(RG, "vnet1", "plain") }],
        },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({
      code: "BadRequest",
      message: expect.stringContaining("ServiceEndpoints for Microsoft.ContainerRegistry"),
    });
  });
});
