import { describe, expect, it } from "vitest";
import { dataLakeRules, normalizeDataLakeStoreAccount } from "./data-lake-store.js";

const ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataLakeStore/accounts/lake1";

describe("Data Lake Store Gen1 model (SE-RES-4)", () => {
  it("SE-RES-4: a new account has its firewall off, Azure IPs not allowed, and its endpoint", () => {
    const a = normalizeDataLakeStoreAccount({
      id: ID,
      name: "lake1",
      type: "Microsoft.DataLakeStore/accounts",
      location: "eastus2",
      properties: {},
    });
    expect(a.properties).toMatchObject({
      firewallState: "Disabled",
      firewallAllowAzureIps: "Disabled",
      firewallRules: [],
      virtualNetworkRules: [],
      trustedIdProviderState: "Disabled",
      encryptionState: "Enabled",
      endpoint: "lake1.azuredatalakestore.net",
      currentTier: "Consumption",
      state: "Active",
    });
  });

  it("SE-RES-4: inline rules keep {name, properties:{subnetId}} and gain ids and types", () => {
    const a = normalizeDataLakeStoreAccount({
      id: ID,
      name: "lake1",
      type: "Microsoft.DataLakeStore/accounts",
      properties: {
        firewallState: "Enabled",
        virtualNetworkRules: [{ name: "v1", properties: { subnetId: "/x/subnets/a" } }],
        firewallRules: [{ name: "f1", properties: { startIpAddress: "1.1.1.1", endIpAddress: "1.1.1.9" } }],
      },
    });
    expect(a.properties.virtualNetworkRules).toEqual([
      {
        name: "v1",
        properties: { subnetId: "/x/subnets/a" },
        id: `${ID}/virtualNetworkRules/v1`,
        type: "Microsoft.DataLakeStore/accounts/virtualNetworkRules",
      },
    ]);
    expect(a.properties.firewallRules![0]!.properties).toEqual({
      startIpAddress: "1.1.1.1",
      endIpAddress: "1.1.1.9",
    });
  });

  it("merges inline and child rules by name, children winning", () => {
    const a = normalizeDataLakeStoreAccount({
      id: ID,
      name: "lake1",
      type: "Microsoft.DataLakeStore/accounts",
      properties: { virtualNetworkRules: [{ name: "v1", properties: { subnetId: "/old" } }] },
    });
    const r = dataLakeRules(a, [
      {
        id: `${ID}/virtualNetworkRules/V1`,
        name: "V1",
        type: "Microsoft.DataLakeStore/accounts/virtualNetworkRules",
        properties: { subnetId: "/new" },
      },
      {
        id: `${ID}/firewallRules/f`,
        name: "f",
        type: "Microsoft.DataLakeStore/accounts/firewallRules",
        properties: { startIpAddress: "1.1.1.1", endIpAddress: "1.1.1.1" },
      },
    ]);
    expect(r.virtualNetworkRules.map((v) => v.properties.subnetId)).toEqual(["/new"]);
    expect(r.firewallRules.map((f) => f.name)).toEqual(["f"]);
  });
});
