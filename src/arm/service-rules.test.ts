import { describe, expect, it } from "vitest";
import { defaultServiceTagCatalog } from "../model/catalog/synthetic-service-tags.js";
import { prefixContainsAddress, tryParseAddress } from "../model/ip.js";
import { isRefusedStorageIpRule } from "./providers/storage/storage-accounts.js";
import {
  allowedRegions,
  endpointServiceOf,
  isSubnetId,
  noEndpointsSentence,
  servicePublicAddress,
} from "./service-rules.js";
import { lostEndpoints } from "./service-stale-rules.js";

const vnet = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";

describe("service-rules", () => {
  it("isSubnetId: ARM and classic subnet ids only", () => {
    expect(isSubnetId(`${vnet}/subnets/a`)).toBe(true);
    expect(
      isSubnetId(
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ClassicNetwork/virtualNetworks/v/subnets/a",
      ),
    ).toBe(true);
    expect(isSubnetId(vnet)).toBe(false);
    expect(isSubnetId("subnet1")).toBe(false);
    expect(isSubnetId(42)).toBe(false);
  });

  it("SE-ACL-2: the network RP's sentence names the subnets and the VNet", () => {
    expect(noEndpointsSentence("Microsoft.Storage", ["a", "b"], vnet)).toBe(
      `Subnets a,b of virtual network ${vnet} do not have ServiceEndpoints for Microsoft.Storage resources configured. Add Microsoft.Storage to subnet's ServiceEndpoints collection before trying to ACL Microsoft.Storage resources to these subnets.`,
    );
  });

  it("SE-REG-1..4: regions a rule may name, by the service's scope", () => {
    expect(allowedRegions(endpointServiceOf("Microsoft.Storage/storageAccounts"), "westus")).toEqual([
      "westus",
      "eastus",
    ]);
    expect(allowedRegions(endpointServiceOf("Microsoft.DBforMySQL/servers"), "westus")).toEqual(["westus"]);
    expect(allowedRegions(endpointServiceOf("Microsoft.DataLakeStore/accounts"), "westus")).toEqual([
      "westus",
    ]);
    expect(allowedRegions(endpointServiceOf("Microsoft.KeyVault/vaults"), "westus")).toEqual(["*"]);
  });

  it("SE-ACL-5: Storage refuses private, /31, /32, IPv6 and malformed IP rules; a bare public address is fine", () => {
    for (const v of [
      "10.1.2.3",
      "172.20.0.0/16",
      "192.168.0.0/24",
      "8.8.8.8/32",
      "8.8.8.8/31",
      "::1",
      "x",
      "8.8.8.9/24",
    ])
      expect(isRefusedStorageIpRule(v), v).toBe(true);
    for (const v of ["8.8.8.8", "8.8.8.0/24", "100.64.0.1"]) expect(isRefusedStorageIpRule(v), v).toBe(false);
  });

  it("a service resource's public address is drawn from its service tag in its region, deterministically", () => {
    const cat = defaultServiceTagCatalog();
    const kv = {
      id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1",
      name: "kv1",
      type: "Microsoft.KeyVault/vaults",
      location: "westus",
      properties: {},
    };
    const a = servicePublicAddress(kv, cat)!;
    expect(servicePublicAddress(kv, cat)).toBe(a);
    expect(
      cat
        .regional("AzureKeyVault", "westus")!
        .prefixes.some((p) => prefixContainsAddress(p, tryParseAddress(a)!)),
    ).toBe(true);
  });

  it("SE-ACL-8: lostEndpoints sees deleted subnets, deleted VNets and removed endpoints", () => {
    const v = (subnets: Array<[string, string[]]>) => ({
      id: vnet,
      name: "v",
      type: "Microsoft.Network/virtualNetworks",
      properties: {
        subnets: subnets.map(([n, eps]) => ({
          id: `${vnet}/subnets/${n}`,
          name: n,
          properties: { serviceEndpoints: eps.map((service) => ({ service })) },
        })),
      },
    });
    const before = v([
      ["a", ["Microsoft.Storage", "Microsoft.Sql"]],
      ["b", ["Microsoft.Sql"]],
      ["c", []],
    ]);
    const lost = lostEndpoints([
      {
        id: vnet,
        type: "Microsoft.Network/virtualNetworks",
        before,
        after: v([
          ["a", ["Microsoft.Sql"]],
          ["c", ["Microsoft.Storage"]],
        ]),
      },
    ]);
    expect(lost.get(`${vnet}/subnets/a`.toLowerCase())).toEqual(new Set(["microsoft.storage"]));
    expect(lost.get(`${vnet}/subnets/b`.toLowerCase())).toBe("deleted");
    expect(lost.has(`${vnet}/subnets/c`.toLowerCase())).toBe(false);
    const gone = lostEndpoints([{ id: vnet, type: "Microsoft.Network/virtualNetworks", before }]);
    expect([...gone.values()]).toEqual(["deleted", "deleted", "deleted"]);
    expect(lostEndpoints([{ id: vnet, type: "Microsoft.Network/virtualNetworks", after: before }]).size).toBe(
      0,
    );
  });
});
