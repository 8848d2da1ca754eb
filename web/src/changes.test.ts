/** The portal's write bodies: whole objects that keep what the user did not touch. */
import { describe, expect, it } from "vitest";
import { ipInRange, networkingOf, subnetWithEndpoints, validIpRange, withNetworking } from "./changes.js";
import type { Res } from "./model.js";

const SUBNET_ID =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a";
const OTHER_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/b";

const subnet: Res = {
  id: SUBNET_ID,
  name: "a",
  type: "Microsoft.Network/virtualNetworks/subnets",
  etag: 'W/"1"',
  properties: {
    addressPrefix: "10.0.1.0/24",
    networkSecurityGroup: {
      id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n",
    },
    routeTable: { id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/r" },
    delegations: [{ name: "d", properties: { serviceName: "Microsoft.Web/serverFarms" } }],
    serviceEndpoints: [
      { service: "Microsoft.Storage", locations: ["westus", "eastus"] },
      { service: "Microsoft.Sql", locations: ["westus"] },
    ],
    serviceEndpointPolicies: [
      { id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/serviceEndpointPolicies/p" },
    ],
    privateEndpointNetworkPolicies: "Disabled",
  },
};

describe("subnet endpoint changes", () => {
  it("SE-CFG-7: ticking one more endpoint keeps every other subnet property and every other endpoint with its locations", () => {
    const body = subnetWithEndpoints(subnet, ["Microsoft.Storage", "Microsoft.Sql", "Microsoft.KeyVault"]);
    expect(body.etag).toBeUndefined();
    const { serviceEndpoints, ...rest } = body.properties;
    const { serviceEndpoints: _was, ...before } = subnet.properties!;
    expect(rest).toEqual(before);
    expect(serviceEndpoints).toEqual([
      { service: "Microsoft.Storage", locations: ["westus", "eastus"] },
      { service: "Microsoft.Sql", locations: ["westus"] },
      { service: "Microsoft.KeyVault" },
    ]);
    expect(subnet.properties!.serviceEndpoints).toHaveLength(2); // the GET answer is not modified
  });

  it("unticking removes only that endpoint; locations typed for an endpoint are written", () => {
    const body = subnetWithEndpoints(subnet, ["Microsoft.Storage"], { "Microsoft.Storage": ["westus"] });
    expect(body.properties.serviceEndpoints).toEqual([
      { service: "Microsoft.Storage", locations: ["westus"] },
    ]);
    expect(body.properties.delegations).toEqual(subnet.properties!.delegations);
  });
});

const account: Res = {
  id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct",
  name: "acct",
  type: "Microsoft.Storage/storageAccounts",
  location: "westus",
  sku: { name: "Standard_LRS" },
  kind: "StorageV2",
  properties: {
    minimumTlsVersion: "TLS1_2",
    networkAcls: {
      bypass: "AzureServices, Logging",
      defaultAction: "Deny",
      virtualNetworkRules: [{ id: SUBNET_ID, action: "Allow", state: "succeeded" }],
      ipRules: [{ value: "203.0.113.0/24", action: "Allow" }],
      resourceAccessRules: [{ tenantId: "t", resourceId: "x" }],
    },
  },
};

describe("Networking page", () => {
  it("reads the page from networkAcls: mode, subnets, ranges, exceptions", () => {
    expect(networkingOf(account)).toEqual({
      mode: "selected",
      subnetIds: [SUBNET_ID],
      ipRanges: ["203.0.113.0/24"],
      bypass: ["AzureServices", "Logging"],
    });
    expect(networkingOf({ ...account, properties: { publicNetworkAccess: "Disabled" } }).mode).toBe(
      "disabled",
    );
    expect(networkingOf({ ...account, properties: {} }).mode).toBe("all");
  });

  it("adding a subnet keeps the account's other properties and rules; the read-only rule state is not sent", () => {
    const edit = networkingOf(account);
    const body = withNetworking(account, { ...edit, subnetIds: [...edit.subnetIds, OTHER_ID] });
    expect(body.sku).toEqual({ name: "Standard_LRS" });
    expect(body.kind).toBe("StorageV2");
    expect(body.properties.minimumTlsVersion).toBe("TLS1_2");
    expect(body.properties.networkAcls).toEqual({
      bypass: "AzureServices, Logging",
      defaultAction: "Deny",
      virtualNetworkRules: [
        { id: SUBNET_ID, action: "Allow" },
        { id: OTHER_ID, action: "Allow" },
      ],
      ipRules: [{ value: "203.0.113.0/24", action: "Allow" }],
      resourceAccessRules: [{ tenantId: "t", resourceId: "x" }],
    });
  });

  it("all networks, disabled, and no exceptions write Azure's values", () => {
    const all = withNetworking(account, { mode: "all", subnetIds: [], ipRanges: [], bypass: [] });
    expect(all.properties.networkAcls.defaultAction).toBe("Allow");
    expect(all.properties.networkAcls.bypass).toBe("None");
    const off = withNetworking(account, { ...networkingOf(account), mode: "disabled" });
    expect(off.properties.publicNetworkAccess).toBe("Disabled");
  });

  it("Key Vault rules carry no action", () => {
    const vault: Res = {
      ...account,
      id: account.id.replace("Microsoft.Storage/storageAccounts", "Microsoft.KeyVault/vaults"),
      type: "Microsoft.KeyVault/vaults",
      properties: {},
    };
    const body = withNetworking(vault, {
      mode: "selected",
      subnetIds: [SUBNET_ID],
      ipRanges: ["1.2.3.4"],
      bypass: ["AzureServices"],
    });
    expect(body.properties.networkAcls).toEqual({
      virtualNetworkRules: [{ id: SUBNET_ID }],
      ipRules: [{ value: "1.2.3.4" }],
      defaultAction: "Deny",
      bypass: "AzureServices",
    });
  });
});

describe("IP ranges", () => {
  it("accepts IPv4 addresses and CIDR ranges and matches addresses against them", () => {
    expect(validIpRange("203.0.113.0/24")).toBe(true);
    expect(validIpRange("203.0.113.7")).toBe(true);
    expect(validIpRange("203.0.113.0/33")).toBe(false);
    expect(validIpRange("300.1.1.1")).toBe(false);
    expect(validIpRange("example")).toBe(false);
    expect(ipInRange("203.0.113.9", "203.0.113.0/24")).toBe(true);
    expect(ipInRange("203.0.114.9", "203.0.113.0/24")).toBe(false);
    expect(ipInRange("52.1.2.3", "52.1.2.3")).toBe(true);
    expect(ipInRange("52.1.2.3", "0.0.0.0/0")).toBe(true);
  });
});
