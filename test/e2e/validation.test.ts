/**
 * Every validation error of the control plane reaches the official SDK as a RestError with
 * Azure's status and code (real-clients §1.5).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAST, SUB, restError, startTestServer, type TestServer } from "./server.js";

let t: TestServer;
const RG = "e2e-validation";
const base = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network`;
const subnetId = (name: string) => `${base}/virtualNetworks/v1/subnets/${name}`;

beforeAll(async () => {
  t = await startTestServer();
  await t.resources().resourceGroups.createOrUpdate(RG, { location: "westus" });
  await t.network().virtualNetworks.beginCreateOrUpdateAndWait(
    RG,
    "v1",
    {
      location: "westus",
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [{ name: "a", addressPrefix: "10.0.1.0/24" }],
    },
    FAST,
  );
});
afterAll(async () => {
  await t?.dispose();
});

async function expectCode(p: Promise<unknown>, status: number, code: string): Promise<string> {
  const e = await restError(p);
  expect(e.statusCode, e.message).toBe(status);
  expect(e.code, e.message).toBe(code);
  return e.message;
}

describe("address validation", () => {
  it("InvalidCIDRNotation: host bits set, the message names the normalised prefix", async () => {
    const msg = await expectCode(
      t.network().subnets.beginCreateOrUpdateAndWait(RG, "v1", "b", { addressPrefix: "10.0.2.7/24" }, FAST),
      400,
      "InvalidCIDRNotation",
    );
    expect(msg).toContain("10.0.2.0/24");
    expect(msg).toContain(subnetId("b"));
  });

  it("InvalidAddressPrefixFormat: an unparsable prefix (subnet and VNet space)", async () => {
    await expectCode(
      t.network().subnets.beginCreateOrUpdateAndWait(RG, "v1", "b", { addressPrefix: "10.0.300.0/24" }, FAST),
      400,
      "InvalidAddressPrefixFormat",
    );
    await expectCode(
      t
        .network()
        .virtualNetworks.beginCreateOrUpdateAndWait(
          RG,
          "v2",
          { location: "westus", addressSpace: { addressPrefixes: ["banana"] } },
          FAST,
        ),
      400,
      "InvalidAddressPrefixFormat",
    );
  });

  it("NetcfgSubnetRangeOutsideVnet", async () => {
    const msg = await expectCode(
      t.network().subnets.beginCreateOrUpdateAndWait(RG, "v1", "b", { addressPrefix: "10.9.0.0/24" }, FAST),
      400,
      "NetcfgSubnetRangeOutsideVnet",
    );
    expect(msg).toBe(
      "Subnet 'b' is not valid because its IP address range is outside the IP address range of virtual network 'v1'.",
    );
  });

  it("NetcfgSubnetRangesOverlap", async () => {
    const msg = await expectCode(
      t.network().subnets.beginCreateOrUpdateAndWait(RG, "v1", "b", { addressPrefix: "10.0.1.128/25" }, FAST),
      400,
      "NetcfgSubnetRangesOverlap",
    );
    expect(msg).toContain("Subnet 'b'");
  });

  it("NetcfgInvalidSubnet: no prefix, or smaller than /29", async () => {
    await expectCode(
      t.network().subnets.beginCreateOrUpdateAndWait(RG, "v1", "b", {}, FAST),
      400,
      "NetcfgInvalidSubnet",
    );
    await expectCode(
      t.network().subnets.beginCreateOrUpdateAndWait(RG, "v1", "b", { addressPrefix: "10.0.9.0/30" }, FAST),
      400,
      "NetcfgInvalidSubnet",
    );
  });
});

describe("service endpoints (SE-CFG-3, SE-CFG-4)", () => {
  it("SE-CFG-3: an unknown service name → SubnetHasServiceEndpointWithInvalidServiceName", async () => {
    const msg = await expectCode(
      t
        .network()
        .subnets.beginCreateOrUpdateAndWait(
          RG,
          "v1",
          "b",
          { addressPrefix: "10.0.2.0/24", serviceEndpoints: [{ service: "Microsoft.Stroage" }] },
          FAST,
        ),
      400,
      "SubnetHasServiceEndpointWithInvalidServiceName",
    );
    expect(msg).toContain("'Microsoft.Stroage'");
    expect(msg).toContain("Microsoft.Storage");
  });

  it("SE-CFG-4: endpoint locations outside the known regions → SubnetHasServiceEndpointWithInvalidLocation", async () => {
    await expectCode(
      t.network().subnets.beginCreateOrUpdateAndWait(
        RG,
        "v1",
        "b",
        {
          addressPrefix: "10.0.2.0/24",
          serviceEndpoints: [{ service: "Microsoft.Storage", locations: ["westus", "atlantis"] }],
        },
        FAST,
      ),
      400,
      "SubnetHasServiceEndpointWithInvalidLocation",
    );
  });

  it("the same service twice on one subnet is refused", async () => {
    await expectCode(
      t.network().subnets.beginCreateOrUpdateAndWait(
        RG,
        "v1",
        "b",
        {
          addressPrefix: "10.0.2.0/24",
          serviceEndpoints: [{ service: "Microsoft.Sql" }, { service: "microsoft.sql" }],
        },
        FAST,
      ),
      400,
      "SubnetHasDuplicateServiceEndpoint",
    );
  });
});

describe("NSG rules", () => {
  const rule = (priority: number, direction = "Inbound") => ({
    protocol: "Tcp",
    access: "Allow",
    direction,
    priority,
    sourceAddressPrefix: "*",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "80",
  });

  it("SecurityRuleInvalidPriority: outside 100–4096", async () => {
    for (const p of [99, 4097]) {
      await expectCode(
        t
          .network()
          .networkSecurityGroups.beginCreateOrUpdateAndWait(
            RG,
            "nsg",
            { location: "westus", securityRules: [{ name: "r", ...rule(p) }] },
            FAST,
          ),
        400,
        "SecurityRuleInvalidPriority",
      );
    }
  });

  it("SecurityRuleConflict: same priority and direction; same priority in the other direction is fine", async () => {
    await expectCode(
      t.network().networkSecurityGroups.beginCreateOrUpdateAndWait(
        RG,
        "nsg",
        {
          location: "westus",
          securityRules: [
            { name: "r1", ...rule(200) },
            { name: "r2", ...rule(200) },
          ],
        },
        FAST,
      ),
      400,
      "SecurityRuleConflict",
    );
    const ok = await t.network().networkSecurityGroups.beginCreateOrUpdateAndWait(
      RG,
      "nsg",
      {
        location: "westus",
        securityRules: [
          { name: "r1", ...rule(200) },
          { name: "r2", ...rule(200, "Outbound") },
        ],
      },
      FAST,
    );
    expect(ok.securityRules).toHaveLength(2);
    await expectCode(
      t.network().securityRules.beginCreateOrUpdateAndWait(RG, "nsg", "r3", rule(200), FAST),
      400,
      "SecurityRuleConflict",
    );
  });

  it("bad ports, prefixes and protocols", async () => {
    await expectCode(
      t
        .network()
        .securityRules.beginCreateOrUpdateAndWait(
          RG,
          "nsg",
          "r4",
          { ...rule(300), destinationPortRange: "70000" },
          FAST,
        ),
      400,
      "SecurityRuleInvalidPortRange",
    );
    await expectCode(
      t
        .network()
        .securityRules.beginCreateOrUpdateAndWait(
          RG,
          "nsg",
          "r4",
          { ...rule(300), sourceAddressPrefix: "NotATag" },
          FAST,
        ),
      400,
      "SecurityRuleInvalidAddressPrefix",
    );
    await expectCode(
      t
        .network()
        .securityRules.beginCreateOrUpdateAndWait(RG, "nsg", "r4", { ...rule(300), protocol: "Gre" }, FAST),
      400,
      "SecurityRuleInvalidProtocol",
    );
  });
});

describe("routes", () => {
  it("nextHopIpAddress only with VirtualAppliance, required with it", async () => {
    const net = t.network();
    await net.routeTables.beginCreateOrUpdateAndWait(RG, "rt", { location: "westus" }, FAST);
    await expectCode(
      net.routes.beginCreateOrUpdateAndWait(
        RG,
        "rt",
        "r",
        { addressPrefix: "0.0.0.0/0", nextHopType: "Internet", nextHopIpAddress: "10.0.0.4" },
        FAST,
      ),
      400,
      "RouteNextHopIpAddressNotAllowed",
    );
    await expectCode(
      net.routes.beginCreateOrUpdateAndWait(
        RG,
        "rt",
        "r",
        { addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance" },
        FAST,
      ),
      400,
      "RouteNextHopIpAddressRequired",
    );
  });

  it("users may not create VirtualNetworkServiceEndpoint (or VNetPeering) routes", async () => {
    for (const hop of ["VirtualNetworkServiceEndpoint", "VNetPeering"]) {
      await expectCode(
        t
          .network()
          .routes.beginCreateOrUpdateAndWait(
            RG,
            "rt",
            "r",
            { addressPrefix: "20.0.0.0/8", nextHopType: hop },
            FAST,
          ),
        400,
        "RouteNextHopTypeNotAllowed",
      );
    }
  });
});

describe("NICs and in-use resources", () => {
  it("PrivateIPAddressInReservedRange for a static IP among the 5 reserved addresses; PrivateIPAddressNotInSubnet; PrivateIPAddressInUse", async () => {
    const nic = (name: string, ip: string) =>
      t.network().networkInterfaces.beginCreateOrUpdateAndWait(
        RG,
        name,
        {
          location: "westus",
          ipConfigurations: [
            {
              name: "c",
              subnet: { id: subnetId("a") },
              privateIPAllocationMethod: "Static",
              privateIPAddress: ip,
            },
          ],
        },
        FAST,
      );
    for (const ip of ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"]) {
      const msg = await expectCode(nic("n1", ip), 400, "PrivateIPAddressInReservedRange");
      expect(msg).toBe(
        `Private static IP address ${ip} falls within reserved IP range of subnet prefix 10.0.1.0/24.`,
      );
    }
    await expectCode(nic("n1", "10.0.7.9"), 400, "PrivateIPAddressNotInSubnet");
    await nic("n1", "10.0.1.4");
    await expectCode(nic("n2", "10.0.1.4"), 400, "PrivateIPAddressInUse");
  });

  it("InUseSubnetCannotBeDeleted: by subnet DELETE and by a VNet PUT that leaves the subnet out", async () => {
    const msg = await expectCode(
      t.network().subnets.beginDeleteAndWait(RG, "v1", "a", FAST),
      400,
      "InUseSubnetCannotBeDeleted",
    );
    expect(msg).toContain(`${base}/networkInterfaces/n1/ipConfigurations/c`);
    await expectCode(
      t
        .network()
        .virtualNetworks.beginCreateOrUpdateAndWait(
          RG,
          "v1",
          { location: "westus", addressSpace: { addressPrefixes: ["10.0.0.0/16"] }, subnets: [] },
          FAST,
        ),
      400,
      "InUseSubnetCannotBeDeleted",
    );
    expect((await t.network().subnets.get(RG, "v1", "a")).name).toBe("a");
  });

  it("InUseSubnetCannotBeUpdated: the prefix of a subnet in use cannot change", async () => {
    await expectCode(
      t.network().subnets.beginCreateOrUpdateAndWait(RG, "v1", "a", { addressPrefix: "10.0.0.0/23" }, FAST),
      400,
      "InUseSubnetCannotBeUpdated",
    );
  });

  it("references to resources that do not exist → InvalidResourceReference (or LinkedInvalidPropertyId for non-ids)", async () => {
    await expectCode(
      t.network().subnets.beginCreateOrUpdateAndWait(
        RG,
        "v1",
        "b",
        {
          addressPrefix: "10.0.2.0/24",
          networkSecurityGroup: { id: `${base}/networkSecurityGroups/ghost` },
        },
        FAST,
      ),
      400,
      "InvalidResourceReference",
    );
    await expectCode(
      t
        .network()
        .networkInterfaces.beginCreateOrUpdateAndWait(
          RG,
          "n3",
          { location: "westus", ipConfigurations: [{ name: "c", subnet: { id: subnetId("ghost") } }] },
          FAST,
        ),
      400,
      "InvalidResourceReference",
    );
    await expectCode(
      t
        .network()
        .networkInterfaces.beginCreateOrUpdateAndWait(
          RG,
          "n3",
          { location: "eastus", ipConfigurations: [{ name: "c", subnet: { id: subnetId("a") } }] },
          FAST,
        ),
      400,
      "InvalidResourceReference",
    );
    await expectCode(
      t
        .network()
        .subnets.beginCreateOrUpdateAndWait(
          RG,
          "v1",
          "b",
          { addressPrefix: "10.0.2.0/24", routeTable: { id: "not-an-id" } },
          FAST,
        ),
      400,
      "LinkedInvalidPropertyId",
    );
  });

  it("location: required, a known region, unchangeable", async () => {
    await expectCode(
      t
        .network()
        .virtualNetworks.beginCreateOrUpdateAndWait(
          RG,
          "v3",
          { addressSpace: { addressPrefixes: ["10.3.0.0/16"] } },
          FAST,
        ),
      400,
      "LocationRequired",
    );
    await expectCode(
      t
        .network()
        .virtualNetworks.beginCreateOrUpdateAndWait(
          RG,
          "v3",
          { location: "moon", addressSpace: { addressPrefixes: ["10.3.0.0/16"] } },
          FAST,
        ),
      400,
      "LocationNotAvailableForResourceType",
    );
    await expectCode(
      t
        .network()
        .virtualNetworks.beginCreateOrUpdateAndWait(
          RG,
          "v1",
          { location: "eastus", addressSpace: { addressPrefixes: ["10.0.0.0/16"] } },
          FAST,
        ),
      400,
      "InvalidResourceLocation",
    );
  });

  it("missing resources: ResourceNotFound (top level), NotFound (child), ResourceGroupNotFound", async () => {
    await expectCode(t.network().virtualNetworks.get(RG, "nope"), 404, "ResourceNotFound");
    await expectCode(t.network().subnets.get(RG, "v1", "nope"), 404, "NotFound");
    await expectCode(t.network().subnets.get(RG, "nope", "nope"), 404, "ResourceNotFound");
    await expectCode(t.network().virtualNetworks.get("no-such-group", "v1"), 404, "ResourceGroupNotFound");
  });
});

describe("ETag conflicts", () => {
  it("If-Match with a stale etag → 412 PreconditionFailed; the current etag → accepted", async () => {
    const net = t.network();
    const before = await net.routeTables.get(RG, "rt");
    await net.routeTables.beginCreateOrUpdateAndWait(
      RG,
      "rt",
      { location: "westus", tags: { v: "2" } },
      FAST,
    );
    // arm-network has no If-Match option on route tables: send the same PUT over HTTPS by hand.
    const stale = await t.fetch(
      "PUT",
      `${base}/routeTables/rt?api-version=2025-05-01`,
      { location: "westus" },
      { "if-match": before.etag! },
    );
    expect(stale.status).toBe(412);
    expect(stale.json.error.code).toBe("PreconditionFailed");
    const current = await net.routeTables.get(RG, "rt");
    const ok = await t.fetch(
      "PUT",
      `${base}/routeTables/rt?api-version=2025-05-01`,
      { location: "westus" },
      { "if-match": current.etag! },
    );
    expect(ok.status).toBe(200);
  });
});

describe("SE-RES-5: classic virtual networks", () => {
  it("a classic VNet can exist, but a service endpoint on one of its subnets is refused", async () => {
    const classic = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ClassicNetwork/virtualNetworks/old?api-version=2016-11-01`;
    const created = await t.fetch("PUT", classic, {
      location: "westus",
      properties: {
        addressSpace: { addressPrefixes: ["172.16.0.0/16"] },
        subnets: [{ name: "legacy", properties: { addressPrefix: "172.16.1.0/24" } }],
      },
    });
    expect(created.status).toBe(201);
    const refused = await t.fetch("PUT", classic, {
      location: "westus",
      properties: {
        addressSpace: { addressPrefixes: ["172.16.0.0/16"] },
        subnets: [
          {
            name: "legacy",
            properties: {
              addressPrefix: "172.16.1.0/24",
              serviceEndpoints: [{ service: "Microsoft.Storage" }],
            },
          },
        ],
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe("ServiceEndpointsNotSupportedOnClassicVirtualNetwork");
    const subnetPut = await t.fetch(
      "PUT",
      `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ClassicNetwork/virtualNetworks/old/subnets/legacy?api-version=2016-11-01`,
      { properties: { addressPrefix: "172.16.1.0/24", serviceEndpoints: [{ service: "Microsoft.Sql" }] } },
    );
    expect(subnetPut.json.error.code).toBe("ServiceEndpointsNotSupportedOnClassicVirtualNetwork");
    const nic = await restError(
      t.network().networkInterfaces.beginCreateOrUpdateAndWait(
        RG,
        "classic-nic",
        {
          location: "westus",
          ipConfigurations: [
            {
              name: "c",
              subnet: {
                id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ClassicNetwork/virtualNetworks/old/subnets/legacy`,
              },
            },
          ],
        },
        FAST,
      ),
    );
    expect(nic.code).toBe("LinkedInvalidPropertyId");
  });
});
