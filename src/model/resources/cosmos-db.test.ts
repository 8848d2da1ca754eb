import { describe, expect, it } from "vitest";
import { cosmosIpEntries, normalizeCosmosAccount, parseIpRangeFilter } from "./cosmos-db.js";

describe("Cosmos DB account model (SE-RES-4)", () => {
  it("SE-RES-4: a new account gets Azure's defaults, locations with ids and display names", () => {
    const a = normalizeCosmosAccount({
      id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/DDB1",
      name: "DDB1",
      type: "Microsoft.DocumentDB/databaseAccounts",
      location: "westus",
      properties: {
        databaseAccountOfferType: "Standard",
        locations: [
          { locationName: "eastus", failoverPriority: 1 },
          { locationName: "southcentralus", failoverPriority: 0 },
        ],
      },
    });
    expect(a.kind).toBe("GlobalDocumentDB");
    expect(a.properties.ipRangeFilter).toBe("");
    expect(a.properties.isVirtualNetworkFilterEnabled).toBe(false);
    expect(a.properties.virtualNetworkRules).toEqual([]);
    expect(a.properties.documentEndpoint).toBe("https://ddb1.documents.azure.com:443/");
    expect(a.properties.locations!.map((l) => [l.id, l.locationName, l.failoverPriority])).toEqual([
      ["ddb1-southcentralus", "South Central US", 0],
      ["ddb1-eastus", "East US", 1],
    ]);
    expect(a.properties.writeLocations!.map((l) => l.id)).toEqual(["ddb1-southcentralus"]);
    expect(a.properties.readLocations).toHaveLength(2);
    expect(a.properties.failoverPolicies).toEqual([
      { id: "ddb1-southcentralus", locationName: "South Central US", failoverPriority: 0 },
      { id: "ddb1-eastus", locationName: "East US", failoverPriority: 1 },
    ]);
  });

  it("SE-RES-4: the capital-VN flag ignoreMissingVNetServiceEndpoint round-trips as spelled", () => {
    const a = normalizeCosmosAccount({
      id: "/a",
      name: "a",
      type: "Microsoft.DocumentDB/databaseAccounts",
      location: "westus",
      properties: {
        isVirtualNetworkFilterEnabled: true,
        virtualNetworkRules: [{ id: "/x/subnets/s", ignoreMissingVNetServiceEndpoint: true }],
      },
    });
    expect(a.properties.virtualNetworkRules).toEqual([
      { id: "/x/subnets/s", ignoreMissingVNetServiceEndpoint: true },
    ]);
    expect(a.properties.virtualNetworkRules![0]).not.toHaveProperty("ignoreMissingVnetServiceEndpoint");
    expect(a.properties.locations).toHaveLength(1);
    expect(a.properties.locations![0]!.locationName).toBe("West US");
  });

  it("SE-ACL-5: ipRangeFilter is one comma-separated string; newer ipRules are read too", () => {
    expect(parseIpRangeFilter("13.91.6.132, 13.91.6.1/24,,0.0.0.0")).toEqual([
      "13.91.6.132",
      "13.91.6.1/24",
      "0.0.0.0",
    ]);
    expect(parseIpRangeFilter(undefined)).toEqual([]);
    expect(
      cosmosIpEntries({ ipRangeFilter: "1.2.3.4", ipRules: [{ ipAddressOrRange: "5.6.7.0/24" }] }),
    ).toEqual([
      { value: "1.2.3.4", source: "ipRangeFilter" },
      { value: "5.6.7.0/24", source: "ipRules[0]" },
    ]);
  });
});
