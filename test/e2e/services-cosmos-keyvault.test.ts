/**
 * Cosmos DB accounts (@azure/arm-cosmosdb 16) and Key Vaults (@azure/arm-keyvault 5) over HTTPS:
 * their network ACL shapes and normalisations (SE-RES-4), Cosmos's asynchronous Conflict and Key
 * Vault's VirtualNetworkNotValid (SE-ACL-2), Key Vault's forbidden ranges (SE-ACL-5), limits
 * (SE-ACL-6) and any-region rules (SE-REG-4).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TENANCY } from "../../src/arm/arm.js";
import { SUB, startTestServer, type TestServer } from "./server.js";
import { POLL, clients, createVnet, failure, subnetId, vnetId } from "./services-clients.js";

let t: TestServer;
const RG = "e2e-cosmos-kv";
const docdb = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.DocumentDB/databaseAccounts`;

beforeAll(async () => {
  t = await startTestServer();
  await t.resources().resourceGroups.createOrUpdate(RG, { location: "westus" });
  await createVnet(t, RG, "vnet1", "westus", "10.7.0.0/16", [
    { name: "cosmos", prefix: "10.7.1.0/24", endpoints: ["Microsoft.AzureCosmosDB", "Microsoft.KeyVault"] },
    { name: "plain", prefix: "10.7.2.0/24" },
  ]);
});
afterAll(async () => {
  await t?.dispose();
});

describe("SE-RES-4: Cosmos DB accounts", () => {
  it("PUT answers 200 with provisioningState Initializing and Azure-AsyncOperation; the account then reads Succeeded", async () => {
    const put = await t.fetch("PUT", `${docdb}/rawcosmos?api-version=2019-08-01`, {
      location: "westus",
      kind: "GlobalDocumentDB",
      properties: {
        databaseAccountOfferType: "Standard",
        ipRangeFilter: "13.91.6.132,13.91.6.1/24",
        isVirtualNetworkFilterEnabled: true,
        virtualNetworkRules: [
          { id: subnetId(RG, "vnet1", "cosmos"), ignoreMissingVNetServiceEndpoint: false },
        ],
        locations: [{ locationName: "westus", failoverPriority: 0 }],
      },
    });
    expect(put.status).toBe(200);
    expect(put.json.properties.provisioningState).toBe("Initializing");
    expect(put.json.properties.locations[0]).toMatchObject({
      id: "rawcosmos-westus",
      locationName: "West US",
      provisioningState: "Initializing",
    });
    const status = put.headers.get("azure-asyncoperation")!;
    expect(
      (await t.fetch("GET", `${docdb}/rawcosmos?api-version=2019-08-01`)).json.properties.provisioningState,
    ).toBe("Initializing");
    expect((await t.fetch("GET", status)).json.status).toBe("InProgress");
    expect((await t.fetch("GET", status)).json.status).toBe("Succeeded");
    const got = await t.fetch("GET", `${docdb}/rawcosmos?api-version=2019-08-01`);
    expect(got.json.properties).toMatchObject({
      provisioningState: "Succeeded",
      ipRangeFilter: "13.91.6.132,13.91.6.1/24",
      documentEndpoint: "https://rawcosmos.documents.azure.com:443/",
      virtualNetworkRules: [{ id: subnetId(RG, "vnet1", "cosmos"), ignoreMissingVNetServiceEndpoint: false }],
    });
  });

  it("SE-ACL-2: a rule on a subnet without Microsoft.AzureCosmosDB fails through the operation status as Conflict", async () => {
    const put = await t.fetch("PUT", `${docdb}/failcosmos?api-version=2019-08-01`, {
      location: "westus",
      properties: {
        databaseAccountOfferType: "Standard",
        isVirtualNetworkFilterEnabled: true,
        virtualNetworkRules: [{ id: subnetId(RG, "vnet1", "plain") }],
      },
    });
    expect(put.status).toBe(200);
    expect(put.json.properties.provisioningState).toBe("Initializing");
    const status = put.headers.get("azure-asyncoperation")!;
    await t.fetch("GET", status);
    const done = await t.fetch("GET", status);
    expect(done.json.status).toBe("Failed");
    expect(done.json.error.code).toBe("Conflict");
    expect(done.json.error.message).toMatch(
      /^Database account creation failed\. Operation Id: [0-9a-f-]+, Error : Error encountered calling networking RP\. StatusCode: BadRequest, ErrorCode: SubnetsHaveNoServiceEndpointsConfigured, ErrorMessage: NRP ARM exception, ErrorCode: SubnetsHaveNoServiceEndpointsConfigured, ErrorMessage: Subnets plain of virtual network .* do not have ServiceEndpoints for Microsoft\.AzureCosmosDB resources configured\./,
    );
    expect((await t.fetch("GET", `${docdb}/failcosmos?api-version=2019-08-01`)).status).toBe(404);
  });

  it("the SDK caller gets the failed operation with the Conflict; ignoreMissingVNetServiceEndpoint stores the rule", async () => {
    const cosmos = clients(t).cosmos;
    const params = (ignore: boolean) => ({
      location: "westus",
      databaseAccountOfferType: "Standard" as const,
      locations: [{ locationName: "westus", failoverPriority: 0 }],
      isVirtualNetworkFilterEnabled: true,
      virtualNetworkRules: [{ id: subnetId(RG, "vnet1", "plain"), ignoreMissingVNetServiceEndpoint: ignore }],
    });
    const e = await failure(
      cosmos.databaseAccounts.beginCreateOrUpdateAndWait(RG, "sdkcosmos", params(false), POLL),
    );
    expect(e.message).toContain("Conflict");
    expect(e.message).toContain("SubnetsHaveNoServiceEndpointsConfigured");
    const ok = await cosmos.databaseAccounts.beginCreateOrUpdateAndWait(RG, "sdkcosmos", params(true), POLL);
    expect(ok.provisioningState).toBe("Succeeded");
    expect(ok.virtualNetworkRules).toEqual([
      { id: subnetId(RG, "vnet1", "plain"), ignoreMissingVNetServiceEndpoint: true },
    ]);
    const raw = await t.fetch("GET", `${docdb}/sdkcosmos?api-version=2024-11-15`);
    expect(raw.json.properties.virtualNetworkRules[0]).toHaveProperty(
      "ignoreMissingVNetServiceEndpoint",
      true,
    );
    const updated = await cosmos.databaseAccounts.beginUpdateAndWait(
      RG,
      "sdkcosmos",
      { ipRules: [{ ipAddressOrRange: "203.0.113.0/24" }] },
      POLL,
    );
    expect(updated.ipRules).toEqual([{ ipAddressOrRange: "203.0.113.0/24" }]);
  });

  it("SE-REG-4, SE-ACL-6: a westus subnet locks an eastus account; more than 64 rules are refused", async () => {
    const cosmos = clients(t).cosmos;
    const east = await cosmos.databaseAccounts.beginCreateOrUpdateAndWait(
      RG,
      "eastcosmos",
      {
        location: "eastus",
        databaseAccountOfferType: "Standard",
        locations: [{ locationName: "eastus" }],
        virtualNetworkRules: [{ id: subnetId(RG, "vnet1", "cosmos") }],
        isVirtualNetworkFilterEnabled: true,
      },
      POLL,
    );
    expect(east.virtualNetworkRules?.[0]?.id).toBe(subnetId(RG, "vnet1", "cosmos"));
    const many = Array.from({ length: 65 }, () => ({ id: subnetId(RG, "vnet1", "cosmos") }));
    const e = await failure(
      cosmos.databaseAccounts.beginUpdateAndWait(RG, "eastcosmos", { virtualNetworkRules: many }, POLL),
    );
    expect(e).toMatchObject({
      statusCode: 400,
      code: "BadRequest",
      message: expect.stringContaining("at most 64"),
    });
  });
});

describe("SE-RES-4: Key Vaults and their normalisations", () => {
  const kv = () => clients(t).keyvault;
  const base = {
    tenantId: DEFAULT_TENANCY.tenantId,
    sku: { family: "A" as const, name: "standard" as const },
    accessPolicies: [],
  };

  it("a bare IP is echoed as /32 and subnet ids come back lower-cased", async () => {
    const vault = await kv().vaults.createOrUpdate(
      RG,
      "kv-norm",
      {
        location: "westus",
        properties: {
          ...base,
          networkAcls: {
            defaultAction: "Deny",
            bypass: "AzureServices",
            ipRules: [{ value: "124.56.78.91" }],
            virtualNetworkRules: [{ id: subnetId(RG, "vnet1", "cosmos") }],
          },
        },
      },
      POLL,
    );
    expect(vault.properties.vaultUri).toBe("https://kv-norm.vault.azure.net/");
    expect(vault.properties.networkAcls).toMatchObject({
      defaultAction: "Deny",
      bypass: "AzureServices",
      ipRules: [{ value: "124.56.78.91/32" }],
      virtualNetworkRules: [{ id: subnetId(RG, "vnet1", "cosmos").toLowerCase() }],
    });
    const patched = await kv().vaults.update(RG, "kv-norm", {
      properties: { networkAcls: { defaultAction: "Allow", ipRules: [{ value: "198.51.100.0/24" }] } },
    });
    expect(patched.properties.networkAcls?.ipRules).toEqual([{ value: "198.51.100.0/24" }]);
    expect(patched.properties.networkAcls?.virtualNetworkRules).toEqual([
      { id: subnetId(RG, "vnet1", "cosmos").toLowerCase() },
    ]);
  });

  it("SE-ACL-2: a subnet without Microsoft.KeyVault is refused with VirtualNetworkNotValid, even with defaultAction Allow", async () => {
    const e = await failure(
      kv().vaults.createOrUpdate(
        RG,
        "kv-noep",
        {
          location: "westus",
          properties: {
            ...base,
            networkAcls: {
              defaultAction: "Allow",
              virtualNetworkRules: [{ id: subnetId(RG, "vnet1", "plain") }],
            },
          },
        },
        POLL,
      ),
    );
    expect(e).toMatchObject({ statusCode: 400, code: "VirtualNetworkNotValid" });
    expect(e.message).toBe(
      `Operation on Virtual Network could not be performed. StatusCode: 400 (BadRequest). Error Code: SubnetsHaveNoServiceEndpointsConfigured. Error Message: Subnets plain of virtual network ${vnetId(RG, "vnet1")} do not have ServiceEndpoints for Microsoft.KeyVault resources configured. Add Microsoft.KeyVault to subnet's ServiceEndpoints collection before trying to ACL Microsoft.KeyVault resources to these subnets..`,
    );
    const ignored = await kv().vaults.createOrUpdate(
      RG,
      "kv-ignore",
      {
        location: "westus",
        properties: {
          ...base,
          networkAcls: {
            defaultAction: "Deny",
            virtualNetworkRules: [
              { id: subnetId(RG, "vnet1", "plain"), ignoreMissingVnetServiceEndpoint: true },
            ],
          },
        },
      },
      POLL,
    );
    expect(ignored.properties.networkAcls?.virtualNetworkRules?.[0]).toMatchObject({
      ignoreMissingVnetServiceEndpoint: true,
    });
  });

  it.each([
    ["10.0.1.0/24", "10.0.0.0–10.255.255.255"],
    ["172.16.0.5", "172.16.0.0–172.31.255.255"],
    ["192.168.10.0/24", "192.168.0.0–192.168.255.255"],
  ])("SE-ACL-5: %s belongs to a forbidden range", async (value, range) => {
    const e = await failure(
      kv().vaults.update(RG, "kv-norm", { properties: { networkAcls: { ipRules: [{ value }] } } }),
    );
    expect(e).toMatchObject({ statusCode: 400, code: "BadRequest" });
    expect(e.message).toBe(
      `Invalid value found at properties.networkAcls.ipRules[0].value: ${value} belongs to forbidden range ${range} (private IP addresses)`,
    );
  });

  it("SE-ACL-6, SE-REG-4: 128 IP rules are refused; an eastus vault may name a westus subnet", async () => {
    const ips = Array.from({ length: 128 }, (_, i) => ({ value: `203.0.113.${i + 1}` }));
    const e = await failure(
      kv().vaults.update(RG, "kv-norm", { properties: { networkAcls: { ipRules: ips } } }),
    );
    expect(e).toMatchObject({
      statusCode: 400,
      code: "BadRequest",
      message: expect.stringContaining("at most 127"),
    });
    const east = await kv().vaults.createOrUpdate(
      RG,
      "kv-east",
      {
        location: "eastus",
        properties: {
          ...base,
          networkAcls: {
            defaultAction: "Deny",
            virtualNetworkRules: [{ id: subnetId(RG, "vnet1", "cosmos") }],
          },
        },
      },
      POLL,
    );
    expect(east.location).toBe("eastus");
  });
});
