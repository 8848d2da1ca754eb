import { describe, expect, it } from "vitest";
import {
  ENDPOINT_SERVICES,
  RULE_LIMITS,
  coveredRegions,
  endpointCoversRegion,
  endpointServiceForResourceType,
  findEndpointService,
  normalizeLocations,
  ruleLimitsFor,
  ruleRegionAllowed,
} from "./endpoint-services.js";

const svc = (name: string) => {
  const s = findEndpointService(name);
  if (!s) throw new Error(`no ${name}`);
  return s;
};

describe("endpoint services", () => {
  it("SE-CFG-3: lists the endpoint services in Azure's list order", () => {
    expect(ENDPOINT_SERVICES.map((s) => s.name)).toEqual([
      "Microsoft.Storage",
      "Microsoft.Sql",
      "Microsoft.AzureActiveDirectory",
      "Microsoft.AzureCosmosDB",
      "Microsoft.Web",
      "Microsoft.KeyVault",
      "Microsoft.EventHub",
      "Microsoft.ServiceBus",
      "Microsoft.ContainerRegistry",
      "Microsoft.CognitiveServices",
    ]);
    expect(svc("Microsoft.ContainerRegistry").status).toBe("Preview");
    expect(ENDPOINT_SERVICES.filter((s) => s.status === "Preview").map((s) => s.name)).toEqual([
      "Microsoft.ContainerRegistry",
    ]);
  });

  it("SE-CFG-3: names match case-insensitively and come back in canonical casing; unknown names are not found", () => {
    expect(findEndpointService("microsoft.storage")?.name).toBe("Microsoft.Storage");
    expect(findEndpointService("MICROSOFT.KEYVAULT")?.name).toBe("Microsoft.KeyVault");
    expect(findEndpointService("Microsoft.Storage.Global")).toBeUndefined();
    expect(findEndpointService("Microsoft.DataLake")).toBeUndefined();
    expect(findEndpointService("")).toBeUndefined();
  });

  it("SE-CFG-3: PostgreSQL, MySQL, MariaDB and SQL use Microsoft.Sql; Data Lake Store Gen1 uses Microsoft.AzureActiveDirectory", () => {
    for (const t of [
      "Microsoft.Sql/servers",
      "Microsoft.DBforPostgreSQL/servers",
      "microsoft.dbformysql/servers",
      "Microsoft.DBforMariaDB/servers",
    ]) {
      expect(endpointServiceForResourceType(t)?.name, t).toBe("Microsoft.Sql");
    }
    expect(endpointServiceForResourceType("Microsoft.DataLakeStore/accounts")?.name).toBe(
      "Microsoft.AzureActiveDirectory",
    );
    expect(endpointServiceForResourceType("Microsoft.Storage/storageAccounts")?.name).toBe(
      "Microsoft.Storage",
    );
    expect(endpointServiceForResourceType("Microsoft.DocumentDB/databaseAccounts")?.name).toBe(
      "Microsoft.AzureCosmosDB",
    );
    expect(endpointServiceForResourceType("Microsoft.ContainerRegistry/registries")?.name).toBe(
      "Microsoft.ContainerRegistry",
    );
    expect(endpointServiceForResourceType("Microsoft.Compute/virtualMachines")).toBeUndefined();
  });

  it("each service names the service tag its endpoint routes carry (SE-ROUTE-2)", () => {
    expect(Object.fromEntries(ENDPOINT_SERVICES.map((s) => [s.name, s.serviceTag]))).toEqual({
      "Microsoft.Storage": "Storage",
      "Microsoft.Sql": "Sql",
      "Microsoft.AzureActiveDirectory": "AzureActiveDirectory",
      "Microsoft.AzureCosmosDB": "AzureCosmosDB",
      "Microsoft.Web": "AppService",
      "Microsoft.KeyVault": "AzureKeyVault",
      "Microsoft.EventHub": "EventHub",
      "Microsoft.ServiceBus": "ServiceBus",
      "Microsoft.ContainerRegistry": "AzureContainerRegistry",
      "Microsoft.CognitiveServices": "CognitiveServicesManagement",
    });
  });

  it("SE-CFG-4: westus defaults — Storage [westus, eastus], Sql [westus], Key Vault [*]", () => {
    expect(svc("Microsoft.Storage").defaultLocations("westus")).toEqual(["westus", "eastus"]);
    expect(svc("Microsoft.Sql").defaultLocations("westus")).toEqual(["westus"]);
    expect(svc("Microsoft.KeyVault").defaultLocations("westus")).toEqual(["*"]);
    for (const s of ENDPOINT_SERVICES) {
      if (s.name === "Microsoft.Storage" || s.name === "Microsoft.Sql") continue;
      expect(s.defaultLocations("westus"), s.name).toEqual(["*"]);
    }
  });

  it("SE-CFG-4: Storage puts its own region first, then the pair (one-way pairs follow the VNet's region)", () => {
    const storage = svc("Microsoft.Storage");
    expect(storage.defaultLocations("eastus")).toEqual(["eastus", "westus"]);
    expect(storage.defaultLocations("westcentralus")).toEqual(["westcentralus", "westus2"]);
    expect(storage.defaultLocations("brazilsouth")).toEqual(["brazilsouth", "southcentralus"]);
    expect(storage.defaultLocations("southcentralus")).toEqual(["southcentralus", "northcentralus"]);
    expect(storage.defaultLocations("West US")).toEqual(["westus", "eastus"]);
    expect(storage.defaultLocations("qatarcentral")).toEqual(["qatarcentral"]);
    expect(svc("Microsoft.Sql").defaultLocations("Korea Central")).toEqual(["koreacentral"]);
  });

  it("SE-CFG-4: explicit locations are validated against known regions", () => {
    expect(normalizeLocations(["West US", "eastus", "westus"])).toEqual({
      locations: ["westus", "eastus"],
      unknown: [],
    });
    expect(normalizeLocations(["*"])).toEqual({ locations: ["*"], unknown: [] });
    expect(normalizeLocations(["westus", "atlantis"])).toEqual({
      locations: ["westus"],
      unknown: ["atlantis"],
    });
  });

  it("SE-REG-5: an endpoint covers only its locations; '*' covers every region", () => {
    const ep = { service: "Microsoft.Storage", locations: ["westus", "eastus"] };
    expect(endpointCoversRegion(ep, "westus")).toBe(true);
    expect(endpointCoversRegion(ep, "East US")).toBe(true);
    expect(endpointCoversRegion(ep, "westus2")).toBe(false);
    expect(endpointCoversRegion({ service: "Microsoft.KeyVault", locations: ["*"] }, "japaneast")).toBe(true);
    expect(endpointCoversRegion({ service: "Microsoft.KeyVault", locations: [] }, "japaneast")).toBe(false);
    expect(endpointCoversRegion({ service: "Microsoft.KeyVault" }, "japaneast")).toBe(false);
    expect(coveredRegions(["WestUS", "westus", "eastus"])).toEqual(["westus", "eastus"]);
    expect(coveredRegions(["westus", "*"])).toBe("*");
  });

  it("SE-REG-1: Sql-family rules need the subnet in the server's own region", () => {
    expect(ruleRegionAllowed(svc("Microsoft.Sql"), "westus", "westus")).toBe(true);
    expect(ruleRegionAllowed(svc("Microsoft.Sql"), "eastus", "westus")).toBe(false);
  });

  it("SE-REG-2: Storage rules accept subnets in the account's region or its pair, one-way pairs by the account's region", () => {
    const storage = svc("Microsoft.Storage");
    expect(storage.regionScope).toBe("pair");
    expect(ruleRegionAllowed(storage, "eastus", "westus")).toBe(true);
    expect(ruleRegionAllowed(storage, "westus2", "westus")).toBe(false);
    // Account in southcentralus: its pair is northcentralus, not brazilsouth.
    expect(ruleRegionAllowed(storage, "northcentralus", "southcentralus")).toBe(true);
    expect(ruleRegionAllowed(storage, "brazilsouth", "southcentralus")).toBe(false);
    // Account in brazilsouth: its (one-way) pair is southcentralus.
    expect(ruleRegionAllowed(storage, "southcentralus", "brazilsouth")).toBe(true);
  });

  it("SE-REG-3 / SE-REG-4: Data Lake Gen1 same region only; Key Vault, Cosmos DB, Service Bus any region", () => {
    const aad = svc("Microsoft.AzureActiveDirectory");
    expect(aad.regionScope).toBe("same");
    expect(ruleRegionAllowed(aad, "eastus2", "eastus2")).toBe(true);
    expect(ruleRegionAllowed(aad, "centralus", "eastus2")).toBe(false);
    for (const name of [
      "Microsoft.KeyVault",
      "Microsoft.AzureCosmosDB",
      "Microsoft.ServiceBus",
      "Microsoft.EventHub",
    ]) {
      expect(ruleRegionAllowed(svc(name), "japaneast", "westeurope"), name).toBe(true);
    }
  });

  it("SE-ACL-6 / SE-LIM-1: one catalog of per-resource rule limits", () => {
    expect(ruleLimitsFor("Microsoft.Storage/storageAccounts")).toEqual({
      virtualNetworkRules: 200,
      ipRules: 200,
    });
    expect(ruleLimitsFor("microsoft.sql/servers")).toEqual({ virtualNetworkRules: 128, ipRules: 128 });
    expect(ruleLimitsFor("Microsoft.DBforPostgreSQL/servers")?.virtualNetworkRules).toBe(128);
    expect(ruleLimitsFor("Microsoft.KeyVault/vaults")).toEqual({ virtualNetworkRules: 127, ipRules: 127 });
    expect(ruleLimitsFor("Microsoft.DocumentDB/databaseAccounts")?.virtualNetworkRules).toBe(64);
    expect(ruleLimitsFor("Microsoft.ServiceBus/namespaces")?.virtualNetworkRules).toBe(128);
    expect(ruleLimitsFor("Microsoft.EventHub/namespaces")?.ipRules).toBe(128);
    expect(ruleLimitsFor("Microsoft.DataLakeStore/accounts")).toEqual({
      virtualNetworkRules: 100,
      ipRules: 100,
    });
    expect(ruleLimitsFor("Microsoft.ContainerRegistry/registries")).toEqual({
      virtualNetworkRules: 100,
      ipRules: 100,
    });
    expect(ruleLimitsFor("Microsoft.Network/virtualNetworks")).toBeUndefined();
    expect(ruleLimitsFor("constructor")).toBeUndefined();
    expect(ruleLimitsFor("__proto__")).toBeUndefined();
  });

  it("SE-LIM-1: every lockable resource type of a 2019 endpoint service has limits, and every limit key is such a type", () => {
    const lockable = ENDPOINT_SERVICES.filter(
      (s) => s.name !== "Microsoft.Web" && s.name !== "Microsoft.CognitiveServices",
    ).flatMap((s) => s.resourceTypes.map((t) => t.toLowerCase()));
    expect(Object.keys(RULE_LIMITS).sort()).toEqual([...lockable].sort());
    for (const v of Object.values(RULE_LIMITS)) {
      expect(v.virtualNetworkRules).toBeGreaterThan(0);
      expect(v.ipRules).toBeGreaterThan(0);
    }
  });
});
