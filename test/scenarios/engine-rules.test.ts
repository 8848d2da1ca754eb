/**
 * The engine's SPEC rules, one network per scenario, decided by evaluate().
 */
import { describe, expect, it } from "vitest";
import { Snapshot } from "../../src/engine/snapshot.js";
import { evaluate } from "../../src/engine/evaluate.js";
import { effectiveRouteTable, subnetRoutes } from "../../src/engine/routes.js";
import { resetConnections } from "../../src/engine/connections.js";
import { defaultServiceTagCatalog } from "../../src/model/catalog/synthetic-service-tags.js";
import { formatAddress, tryParseAddress } from "../../src/model/ip.js";
import type { ArmResource } from "../../src/model/resources/common.js";
import type { Flow } from "../../src/engine/types.js";
import {
  endpointPolicy,
  netId,
  nic,
  nsg,
  peering,
  pip,
  rgId,
  routeTable,
  sqlServer,
  storage,
  subnetId,
  vnet,
} from "../fixtures/net.js";

const tags = defaultServiceTagCatalog();
const build = (rs: ArmResource[]) => new Snapshot(rs, { serviceTags: tags });
const nicId = (n: string) => netId("networkInterfaces", n);
const acct = (n: string) => `${rgId()}/providers/Microsoft.Storage/storageAccounts/${n}`;
const check = (s: Snapshot, from: string, to: string, extra: Partial<Flow> = {}) =>
  evaluate(s, {
    source: { kind: "nic", nicId: nicId(from) },
    destination: { kind: "resource", resourceId: to },
    ...extra,
  });

describe("configuring endpoints", () => {
  it("SE-CFG-1, SE-CFG-2: one subnet holds endpoints for several services; each adds its own route and applies to every NIC", () => {
    const s = build([
      vnet(
        "v",
        "westus",
        ["10.1.0.0/16"],
        [
          {
            name: "a",
            prefix: "10.1.1.0/24",
            endpoints: ["Microsoft.Storage", "Microsoft.KeyVault", "Microsoft.Sql"],
          },
        ],
      ),
      nic("n1", "westus", subnetId("v", "a")),
      nic("n2", "westus", subnetId("v", "a")),
    ]);
    for (const n of ["n1", "n2"]) {
      const ep = effectiveRouteTable(s, nicId(n)).value.filter(
        (r) => r.nextHopType === "VirtualNetworkServiceEndpoint",
      );
      expect(ep).toHaveLength(3);
    }
  });

  it("SE-CFG-4: endpoint locations default to region+pair for Storage, the region for Sql, * for others", () => {
    const s = build([
      vnet(
        "v",
        "westus",
        ["10.1.0.0/16"],
        [
          {
            name: "a",
            prefix: "10.1.1.0/24",
            endpoints: ["Microsoft.Storage", "Microsoft.Sql", "Microsoft.KeyVault"],
          },
        ],
      ),
    ]);
    const sub = s.subnet(subnetId("v", "a"))!;
    expect(sub.endpoints).toEqual([
      { service: "Microsoft.Storage", locations: ["westus", "eastus"] },
      { service: "Microsoft.Sql", locations: ["westus"] },
      { service: "Microsoft.KeyVault", locations: ["*"] },
    ]);
  });

  it("SE-CFG-6: switching an endpoint on or off resets exactly the TCP connections from that subnet to that service", () => {
    const base = (eps: string[]) => [
      vnet(
        "v",
        "westus",
        ["10.1.0.0/16"],
        [
          { name: "a", prefix: "10.1.1.0/24", endpoints: eps },
          { name: "b", prefix: "10.1.2.0/24" },
        ],
      ),
      nic("na", "westus", subnetId("v", "a")),
      nic("nb", "westus", subnetId("v", "b")),
      storage("acct1", "westus"),
      ...sqlServer("sql1", "westus"),
    ];
    const before = build(base(["Microsoft.Sql"]));
    const after = build(base(["Microsoft.Sql", "Microsoft.Storage"]));
    const sql = `${rgId()}/providers/Microsoft.Sql/servers/sql1`;
    const open = [
      { id: "c1", sourceId: nicId("na"), destinationId: acct("acct1") },
      { id: "c2", sourceId: nicId("nb"), destinationId: acct("acct1") },
      { id: "c3", sourceId: nicId("na"), destinationId: sql },
      { id: "c4", sourceId: nicId("na"), destinationId: acct("acct1"), protocol: "Udp" as const },
    ];
    expect(resetConnections(before, after, open).map((r) => [r.connection.id, r.change])).toEqual([
      ["c1", "enabled"],
    ]);
    expect(resetConnections(after, before, open).map((r) => [r.connection.id, r.change])).toEqual([
      ["c1", "disabled"],
    ]);
  });

  it("SE-CFG-6: while a subnet is Updating, traffic to the service it is changing is briefly cut", () => {
    const s = build([
      vnet(
        "v",
        "westus",
        ["10.1.0.0/16"],
        [
          {
            name: "a",
            prefix: "10.1.1.0/24",
            endpoints: ["Microsoft.Storage"],
            provisioningState: "Updating",
          },
        ],
      ),
      nic("na", "westus", subnetId("v", "a")),
      storage("acct1", "westus"),
    ]);
    const d = check(s, "na", acct("acct1"));
    expect(d.decision).toBe("Denied");
    expect(d.blockers[0]!.kind).toBe("ServiceEndpoint");
  });
});

describe("routing", () => {
  const forced = () => [
    vnet(
      "v",
      "westus",
      ["10.1.0.0/16"],
      [
        {
          name: "app",
          prefix: "10.1.1.0/24",
          endpoints: ["Microsoft.Storage"],
          routeTable: netId("routeTables", "rt"),
        },
        { name: "nva", prefix: "10.1.9.0/24" },
      ],
    ),
    routeTable("rt", "westus", [
      { name: "default-to-nva", prefix: "0.0.0.0/0", hop: "VirtualAppliance", ip: "10.1.9.4" },
    ]),
    nic("app1", "westus", subnetId("v", "app")),
    nic("fw", "westus", subnetId("v", "nva"), {
      ip: "10.1.9.4",
      forwarding: true,
      pip: netId("publicIPAddresses", "fwpip"),
    }),
    pip("fwpip", "westus", "40.112.1.1"),
    storage("acct1", "westus", { vnetRules: [subnetId("v", "app")] }),
  ];

  it("SE-ROUTE-3, SE-ROUTE-4: forced tunnelling to an appliance no longer carries Storage traffic once the endpoint is on; other internet traffic still goes to the appliance", () => {
    const s = build(forced());
    const toStorage = check(s, "app1", acct("acct1"));
    expect(toStorage.nextHopType).toBe("VirtualNetworkServiceEndpoint");
    expect(toStorage.decision).toBe("Allowed");
    const routes = subnetRoutes(s, s.subnet(subnetId("v", "app"))!);
    expect(routes.lookup(tryParseAddress("8.8.8.8")!)!.nextHopType).toBe("VirtualAppliance");
    const eff = effectiveRouteTable(s, nicId("app1")).value;
    const sys0 = eff.find((r) => r.source === "Default" && r.addressPrefix[0] === "0.0.0.0/0")!;
    expect(sys0.state).toBe("Invalid");
    const user0 = eff.find((r) => r.source === "User")!;
    expect(user0).toMatchObject({
      name: "default-to-nva",
      state: "Active",
      nextHopType: "VirtualAppliance",
      nextHopIpAddress: ["10.1.9.4"],
    });
  });

  it("SE-ROUTE-1: on an equal prefix User beats BGP beats Default, and the losers stay listed Invalid", () => {
    const lgw: ArmResource = {
      id: netId("localNetworkGateways", "onprem"),
      name: "onprem",
      type: "Microsoft.Network/localNetworkGateways",
      location: "westus",
      properties: {
        gatewayIpAddress: "203.0.113.10",
        localNetworkAddressSpace: { addressPrefixes: ["192.168.0.0/16", "0.0.0.0/0"] },
      },
    };
    const gw: ArmResource = {
      id: netId("virtualNetworkGateways", "gw"),
      name: "gw",
      type: "Microsoft.Network/virtualNetworkGateways",
      location: "westus",
      properties: {
        gatewayType: "Vpn",
        ipConfigurations: [
          {
            name: "c",
            properties: { subnet: { id: subnetId("v", "GatewaySubnet") }, privateIPAddress: "10.1.255.4" },
          },
        ],
      },
    };
    const conn: ArmResource = {
      id: netId("connections", "c1"),
      name: "c1",
      type: "Microsoft.Network/connections",
      location: "westus",
      properties: {
        connectionType: "IPsec",
        virtualNetworkGateway1: { id: gw.id },
        localNetworkGateway2: { id: lgw.id },
      },
    };
    const s = build([
      vnet(
        "v",
        "westus",
        ["10.1.0.0/16"],
        [
          { name: "app", prefix: "10.1.1.0/24", routeTable: netId("routeTables", "rt") },
          { name: "GatewaySubnet", prefix: "10.1.255.0/27" },
        ],
      ),
      routeTable("rt", "westus", [{ name: "u", prefix: "192.168.0.0/16", hop: "None" }]),
      lgw,
      gw,
      conn,
      nic("app1", "westus", subnetId("v", "app")),
    ]);
    const eff = effectiveRouteTable(s, nicId("app1")).value;
    const at = (p: string) =>
      eff
        .filter((r) => r.addressPrefix.length === 1 && r.addressPrefix[0] === p)
        .map((r) => [r.source, r.state]);
    expect(at("192.168.0.0/16")).toEqual([
      ["Default", "Invalid"],
      ["VirtualNetworkGateway", "Invalid"],
      ["User", "Active"],
    ]);
    expect(at("0.0.0.0/0")).toEqual([
      ["Default", "Invalid"],
      ["VirtualNetworkGateway", "Active"],
    ]);
  });

  it("SE-ROUTE-3: VNet system routes win over a more specific BGP route", () => {
    const lgw: ArmResource = {
      id: netId("localNetworkGateways", "onprem"),
      name: "onprem",
      type: "Microsoft.Network/localNetworkGateways",
      location: "westus",
      properties: {
        gatewayIpAddress: "203.0.113.10",
        localNetworkAddressSpace: { addressPrefixes: ["10.1.1.0/25"] },
      },
    };
    const gw: ArmResource = {
      id: netId("virtualNetworkGateways", "gw"),
      name: "gw",
      type: "Microsoft.Network/virtualNetworkGateways",
      location: "westus",
      properties: {
        ipConfigurations: [{ name: "c", properties: { subnet: { id: subnetId("v", "GatewaySubnet") } } }],
      },
    };
    const s = build([
      vnet(
        "v",
        "westus",
        ["10.1.0.0/16"],
        [
          { name: "app", prefix: "10.1.1.0/24" },
          { name: "GatewaySubnet", prefix: "10.1.255.0/27" },
        ],
      ),
      lgw,
      gw,
      {
        id: netId("connections", "c"),
        name: "c",
        type: "Microsoft.Network/connections",
        location: "westus",
        properties: { virtualNetworkGateway1: { id: gw.id }, localNetworkGateway2: { id: lgw.id } },
      },
      nic("app1", "westus", subnetId("v", "app")),
    ]);
    const r = subnetRoutes(s, s.subnet(subnetId("v", "app"))!).lookup(tryParseAddress("10.1.1.10")!)!;
    expect(r.nextHopType).toBe("VnetLocal");
  });
});

describe("source address and identity", () => {
  it("SE-SRC-1: without an endpoint a VM reaches the service from its own public IP", () => {
    const s = build([
      vnet("v", "westus", ["10.1.0.0/16"], [{ name: "a", prefix: "10.1.1.0/24" }]),
      pip("p1", "westus", "52.160.10.20"),
      nic("n1", "westus", subnetId("v", "a"), { pip: netId("publicIPAddresses", "p1") }),
      storage("acct1", "eastus", { ipRules: ["52.160.10.20"] }),
    ]);
    const d = check(s, "n1", acct("acct1"));
    expect(d.sourceAddress).toBe("52.160.10.20");
    expect(d.decision).toBe("Allowed");
  });

  it("SE-SRC-1: with forced tunnelling to on-premises the service sees the on-premises edge address", () => {
    const lgw: ArmResource = {
      id: netId("localNetworkGateways", "onprem"),
      name: "onprem",
      type: "Microsoft.Network/localNetworkGateways",
      location: "westus",
      properties: {
        gatewayIpAddress: "203.0.113.10",
        localNetworkAddressSpace: { addressPrefixes: ["0.0.0.0/0"] },
      },
    };
    const gw: ArmResource = {
      id: netId("virtualNetworkGateways", "gw"),
      name: "gw",
      type: "Microsoft.Network/virtualNetworkGateways",
      location: "westus",
      properties: {
        ipConfigurations: [{ name: "c", properties: { subnet: { id: subnetId("v", "GatewaySubnet") } } }],
      },
    };
    const s = build([
      vnet(
        "v",
        "westus",
        ["10.1.0.0/16"],
        [
          { name: "a", prefix: "10.1.1.0/24" },
          { name: "GatewaySubnet", prefix: "10.1.255.0/27" },
        ],
      ),
      lgw,
      gw,
      {
        id: netId("connections", "c"),
        name: "c",
        type: "Microsoft.Network/connections",
        location: "westus",
        properties: { virtualNetworkGateway1: { id: gw.id }, localNetworkGateway2: { id: lgw.id } },
      },
      nic("n1", "westus", subnetId("v", "a")),
      storage("acct1", "eastus", { ipRules: ["203.0.113.10"] }),
    ]);
    const d = check(s, "n1", acct("acct1"));
    expect(d.nextHopType).toBe("VirtualNetworkGateway");
    expect(d.sourceAddress).toBe("203.0.113.10");
    expect(d.decision).toBe("Allowed");
  });

  it("SE-SRC-2: private address spaces may overlap; the subnet identity is what the VNet rule matches", () => {
    const other = `/subscriptions/00000000-0000-0000-0000-0000000000bb/resourceGroups/rg2`;
    const vB = vnet(
      "vb",
      "westus",
      ["10.1.0.0/16"],
      [{ name: "a", prefix: "10.1.1.0/24", endpoints: ["Microsoft.Storage"] }],
      { rg: "rg2", sub: "00000000-0000-0000-0000-0000000000bb" },
    );
    const nB = {
      ...nic("nb", "westus", `${other}/providers/Microsoft.Network/virtualNetworks/vb/subnets/a`),
      id: `${other}/providers/Microsoft.Network/networkInterfaces/nb`,
    };
    const s = build([
      vnet(
        "va",
        "westus",
        ["10.1.0.0/16"],
        [{ name: "a", prefix: "10.1.1.0/24", endpoints: ["Microsoft.Storage"] }],
      ),
      vB,
      nic("na", "westus", subnetId("va", "a")),
      nB,
      storage("acct1", "westus", { vnetRules: [subnetId("va", "a")] }),
    ]);
    const a = check(s, "na", acct("acct1"));
    const b = evaluate(s, {
      source: { kind: "nic", nicId: nB.id },
      destination: { kind: "resource", resourceId: acct("acct1") },
    });
    expect(a.sourceAddress).toBe(b.sourceAddress);
    expect(a.decision).toBe("Allowed");
    expect(b.decision).toBe("Denied");
  });

  it("SE-SRC-3: an IP rule for the VM's public address stops matching once the endpoint is on", () => {
    const net = (eps: string[]) => [
      vnet("v", "westus", ["10.1.0.0/16"], [{ name: "a", prefix: "10.1.1.0/24", endpoints: eps }]),
      pip("p1", "westus", "52.160.10.20"),
      nic("n1", "westus", subnetId("v", "a"), { pip: netId("publicIPAddresses", "p1") }),
      storage("acct1", "eastus", { ipRules: ["52.160.10.20"] }),
    ];
    expect(check(build(net([])), "n1", acct("acct1")).decision).toBe("Allowed");
    const after = check(build(net(["Microsoft.Storage"])), "n1", acct("acct1"));
    expect(after.decision).toBe("Denied");
    expect(after.sourceAddress).toBe("10.1.1.4");
    expect(after.blockers.some((b) => /virtual network rule|VNet rule/i.test(b.fix))).toBe(true);
  });

  it("SE-SRC-5: a same-region VM without an endpoint is not matched by IP rules for its public address, and the trace says so", () => {
    const s = build([
      vnet("v", "westus", ["10.1.0.0/16"], [{ name: "a", prefix: "10.1.1.0/24" }]),
      pip("p1", "westus", "52.160.10.20"),
      nic("n1", "westus", subnetId("v", "a"), { pip: netId("publicIPAddresses", "p1") }),
      storage("acct1", "westus", { ipRules: ["52.160.10.20"] }),
    ]);
    const d = check(s, "n1", acct("acct1"));
    expect(d.decision).toBe("Denied");
    const text = JSON.stringify(d.steps) + JSON.stringify(d.blockers);
    expect(text).toMatch(/same region/i);
  });
});

describe("regions", () => {
  const net = (acctRegion: string, eps = ["Microsoft.Storage"]) =>
    build([
      vnet("v", "westus", ["10.1.0.0/16"], [{ name: "a", prefix: "10.1.1.0/24", endpoints: eps }]),
      nic("n1", "westus", subnetId("v", "a")),
      storage("acct1", acctRegion, { vnetRules: [subnetId("v", "a")] }),
    ]);

  it("SE-REG-2: a Storage endpoint covers the VNet's region and its pair", () => {
    expect(check(net("westus"), "n1", acct("acct1")).viaServiceEndpoint).toBe(true);
    expect(check(net("eastus"), "n1", acct("acct1")).viaServiceEndpoint).toBe(true);
  });

  it("SE-REG-5: outside the covered regions traffic takes the ordinary path and the VNet rule does not match", () => {
    const d = check(net("centralus"), "n1", acct("acct1"));
    expect(d.viaServiceEndpoint).toBe(false);
    expect(d.nextHopType).toBe("Internet");
    expect(d.decision).toBe("Denied");
    expect(
      d.steps.some((s) => s.kind === "ServiceEndpoint" && /does not cover centralus/.test(s.detail)),
    ).toBe(true);
  });

  it("SE-REG-1: a Sql endpoint covers only servers in the VNet's own region", () => {
    const mk = (region: string) =>
      build([
        vnet(
          "v",
          "westus",
          ["10.1.0.0/16"],
          [{ name: "a", prefix: "10.1.1.0/24", endpoints: ["Microsoft.Sql"] }],
        ),
        nic("n1", "westus", subnetId("v", "a")),
        ...sqlServer("sql1", region, [{ name: "r1", subnet: subnetId("v", "a") }]),
      ]);
    const sql = `${rgId()}/providers/Microsoft.Sql/servers/sql1`;
    const same = check(mk("westus"), "n1", sql);
    expect(same.viaServiceEndpoint).toBe(true);
    expect(same.decision).toBe("Allowed");
    expect(same.port).toBe(1433);
    const other = check(mk("eastus"), "n1", sql);
    expect(other.viaServiceEndpoint).toBe(false);
    expect(other.decision).toBe("Denied");
    expect(other.error?.code).toBe("40615");
  });

  it("SE-REG-4: a Key Vault in any region is reached over the endpoint", () => {
    const kv: ArmResource = {
      id: `${rgId()}/providers/Microsoft.KeyVault/vaults/kv1`,
      name: "kv1",
      type: "Microsoft.KeyVault/vaults",
      location: "japaneast",
      properties: {
        tenantId: "t",
        sku: { family: "A", name: "standard" },
        networkAcls: {
          defaultAction: "Deny",
          bypass: "None",
          virtualNetworkRules: [{ id: subnetId("v", "a") }],
          ipRules: [],
        },
      },
    };
    const s = build([
      vnet(
        "v",
        "westus",
        ["10.1.0.0/16"],
        [
          { name: "a", prefix: "10.1.1.0/24", endpoints: ["Microsoft.KeyVault"] },
          { name: "b", prefix: "10.1.2.0/24" },
        ],
      ),
      nic("n1", "westus", subnetId("v", "a")),
      nic("n2", "westus", subnetId("v", "b")),
      kv,
    ]);
    const ok = check(s, "n1", kv.id);
    expect(ok.viaServiceEndpoint).toBe(true);
    expect(ok.decision).toBe("Allowed");
    const no = check(s, "n2", kv.id);
    expect(no.decision).toBe("Denied");
    expect(no.error).toMatchObject({ status: 403, code: "ForbiddenByFirewall" });
  });
});

describe("network security groups", () => {
  it("SE-NSG-1, SE-NSG-3: deny-Internet plus allow-Storage.WestUS lets only Storage in the region out", () => {
    const g = nsg("g", "westus", [
      {
        name: "allow-storage-westus",
        priority: 100,
        direction: "Outbound",
        access: "Allow",
        dst: "Storage.WestUS",
      },
      { name: "deny-internet", priority: 4000, direction: "Outbound", access: "Deny", dst: "Internet" },
    ]);
    const s = build([
      vnet("v", "westus", ["10.1.0.0/16"], [{ name: "a", prefix: "10.1.1.0/24", nsg: g.id }]),
      g,
      nic("n1", "westus", subnetId("v", "a")),
      storage("west", "westus"),
      storage("east", "eastus"),
    ]);
    const west = check(s, "n1", acct("west"));
    expect(west.decision).toBe("Allowed");
    expect(west.steps.find((x) => x.kind === "NetworkSecurityGroup")?.rule).toBe(
      "securityRules/allow-storage-westus",
    );
    const east = check(s, "n1", acct("east"));
    expect(east.decision).toBe("Denied");
    expect(east.blockers[0]).toMatchObject({
      kind: "NetworkSecurityGroup",
      rule: "securityRules/deny-internet",
      resourceId: g.id,
    });
    const web = evaluate(s, {
      source: { kind: "nic", nicId: nicId("n1") },
      destination: { kind: "ip", address: "8.8.8.8" },
    });
    expect(web.decision).toBe("Denied");
  });

  it("SE-NSG-2: the default outbound rules let endpoint traffic pass", () => {
    const g = nsg("g", "westus", []);
    const s = build([
      vnet(
        "v",
        "westus",
        ["10.1.0.0/16"],
        [{ name: "a", prefix: "10.1.1.0/24", nsg: g.id, endpoints: ["Microsoft.Storage"] }],
      ),
      g,
      nic("n1", "westus", subnetId("v", "a")),
      storage("west", "westus", { vnetRules: [subnetId("v", "a")] }),
    ]);
    const d = check(s, "n1", acct("west"));
    expect(d.decision).toBe("Allowed");
    expect(d.steps.find((x) => x.kind === "NetworkSecurityGroup")?.rule).toBe(
      "defaultSecurityRules/AllowInternetOutBound",
    );
  });
});

describe("explanations", () => {
  it("SE-DIAG-3: a denial lists every blocker on the path, each with its fix", () => {
    const g = nsg("g", "westus", [
      { name: "deny-all-out", priority: 200, direction: "Outbound", access: "Deny" },
    ]);
    const s = build([
      vnet("v", "westus", ["10.1.0.0/16"], [{ name: "a", prefix: "10.1.1.0/24", nsg: g.id }]),
      g,
      nic("n1", "westus", subnetId("v", "a")),
      storage("acct1", "westus", { vnetRules: [] }),
    ]);
    const d = check(s, "n1", acct("acct1"));
    expect(d.decision).toBe("Denied");
    expect(d.blockers.map((b) => b.kind)).toEqual(["NetworkSecurityGroup", "ServiceFirewall"]);
    for (const b of d.blockers) expect(b.fix.length).toBeGreaterThan(10);
    expect(d.blockers[0]!.fix).toMatch(/priority/);
  });
});

describe("scenarios", () => {
  it("SE-SCN-1: peered VNets switch endpoints on per subnet; the resource lists each subnet it trusts; endpoint routes are not propagated over peering", () => {
    const vaId = netId("virtualNetworks", "va");
    const vbId = netId("virtualNetworks", "vb");
    const s = build([
      vnet(
        "va",
        "westus",
        ["10.1.0.0/16"],
        [{ name: "a", prefix: "10.1.1.0/24", endpoints: ["Microsoft.Storage"] }],
        { peerings: [peering("va", vbId)] },
      ),
      vnet(
        "vb",
        "westus",
        ["10.2.0.0/16"],
        [
          { name: "b", prefix: "10.2.1.0/24", endpoints: ["Microsoft.Storage"] },
          { name: "c", prefix: "10.2.2.0/24" },
        ],
        { peerings: [peering("vb", vaId)] },
      ),
      nic("na", "westus", subnetId("va", "a")),
      nic("nb", "westus", subnetId("vb", "b")),
      nic("nc", "westus", subnetId("vb", "c")),
      storage("acct1", "westus", { vnetRules: [subnetId("va", "a"), subnetId("vb", "b")] }),
    ]);
    expect(check(s, "na", acct("acct1")).decision).toBe("Allowed");
    expect(check(s, "nb", acct("acct1")).decision).toBe("Allowed");
    const c = check(s, "nc", acct("acct1"));
    expect(c.decision).toBe("Denied");
    expect(c.viaServiceEndpoint).toBe(false);
    const ncRoutes = effectiveRouteTable(s, nicId("nc")).value;
    expect(ncRoutes.some((r) => r.nextHopType === "VirtualNetworkServiceEndpoint")).toBe(false);
    expect(
      ncRoutes.some((r) => r.nextHopType === "VNetPeering" && r.addressPrefix[0] === "10.1.0.0/16"),
    ).toBe(true);
  });

  it("SE-SCN-2: with the endpoint only on the appliance's subnet, other subnets reach the service only through the appliance", () => {
    const net = (forwarding: boolean) =>
      build([
        vnet(
          "v",
          "westus",
          ["10.1.0.0/16"],
          [
            { name: "app", prefix: "10.1.1.0/24", routeTable: netId("routeTables", "rt") },
            { name: "nva", prefix: "10.1.9.0/24", endpoints: ["Microsoft.Storage"] },
          ],
        ),
        routeTable("rt", "westus", [
          { name: "to-nva", prefix: "0.0.0.0/0", hop: "VirtualAppliance", ip: "10.1.9.4" },
        ]),
        nic("app1", "westus", subnetId("v", "app")),
        nic("fw", "westus", subnetId("v", "nva"), { ip: "10.1.9.4", forwarding }),
        storage("acct1", "westus", { vnetRules: [subnetId("v", "nva")] }),
      ]);
    const d = check(net(true), "app1", acct("acct1"));
    expect(d.decision).toBe("Allowed");
    expect(d.nextHopType).toBe("VirtualAppliance");
    expect(d.sourceAddress).toBe("10.1.9.4");
    expect(d.sourceSubnetId).toBe(subnetId("v", "nva"));
    expect(d.steps.some((x) => x.kind === "VirtualAppliance")).toBe(true);
    const off = check(net(false), "app1", acct("acct1"));
    expect(off.decision).toBe("Denied");
    expect(off.blockers[0]).toMatchObject({ kind: "Route" });
    expect(off.blockers[0]!.fix).toMatch(/enableIPForwarding/);
  });

  it("SE-SCN-3: a service deployed into a delegated subnet reaches resources that trust that subnet", () => {
    const s = build([
      vnet(
        "v",
        "westus",
        ["10.1.0.0/16"],
        [
          {
            name: "apps",
            prefix: "10.1.3.0/24",
            endpoints: ["Microsoft.Storage"],
            delegations: ["Microsoft.Web/serverFarms"],
          },
        ],
      ),
      nic("managed", "westus", subnetId("v", "apps")),
      storage("acct1", "westus", { vnetRules: [subnetId("v", "apps")] }),
    ]);
    expect(check(s, "managed", acct("acct1")).decision).toBe("Allowed");
  });

  it("SE-SCN-4: VM disk IO is unaffected by Storage network rules; REST access to page blobs is subject to them", () => {
    const s = build([
      vnet("v", "westus", ["10.1.0.0/16"], [{ name: "a", prefix: "10.1.1.0/24" }]),
      nic("n1", "westus", subnetId("v", "a")),
      storage("disks", "westus", { vnetRules: [] }),
    ]);
    expect(check(s, "n1", acct("disks"), { purpose: "disk" }).decision).toBe("Allowed");
    expect(check(s, "n1", acct("disks")).decision).toBe("Denied");
  });
});

describe("endpoint policies", () => {
  const net = () =>
    build([
      vnet(
        "v",
        "westus",
        ["10.1.0.0/16"],
        [
          {
            name: "a",
            prefix: "10.1.1.0/24",
            endpoints: ["Microsoft.Storage"],
            policies: [netId("serviceEndpointPolicies", "pol")],
          },
        ],
      ),
      endpointPolicy("pol", "westus", [acct("listed")]),
      nic("n1", "westus", subnetId("v", "a")),
      storage("listed", "westus", { vnetRules: [subnetId("v", "a")] }),
      storage("unlisted", "westus", { vnetRules: [subnetId("v", "a")] }),
      storage("faraway", "centralus", { defaultAction: "Allow" }),
    ]);

  it("SE-POL-1: a policy restricts endpoint traffic to the listed accounts", () => {
    const s = net();
    expect(check(s, "n1", acct("listed")).decision).toBe("Allowed");
    const d = check(s, "n1", acct("unlisted"));
    expect(d.decision).toBe("Denied");
    expect(d.blockers[0]).toMatchObject({
      kind: "ServiceEndpointPolicy",
      resourceId: netId("serviceEndpointPolicies", "pol"),
    });
    expect(d.blockers[0]!.fix).toContain(acct("unlisted"));
  });

  it("SE-POL-2: policies apply only to traffic over the endpoint (an account outside the endpoint regions is not filtered)", () => {
    const d = check(net(), "n1", acct("faraway"));
    expect(d.viaServiceEndpoint).toBe(false);
    expect(d.decision).toBe("Allowed");
    expect(d.steps.some((x) => x.kind === "ServiceEndpointPolicy")).toBe(false);
  });
});

describe("on-premises", () => {
  const circuit = (peerings: ArmResource[]): ArmResource => ({
    id: netId("expressRouteCircuits", "er1"),
    name: "er1",
    type: "Microsoft.Network/expressRouteCircuits",
    location: "westus",
    properties: { peerings },
  });
  const publicPeering: ArmResource = {
    id: `${netId("expressRouteCircuits", "er1")}/peerings/AzurePublicPeering`,
    name: "AzurePublicPeering",
    type: "Microsoft.Network/expressRouteCircuits/peerings",
    properties: {
      peeringType: "AzurePublicPeering",
      state: "Enabled",
      natAddresses: ["198.51.100.1", "198.51.100.2"],
    },
  };

  it("SE-ONP-1: a resource locked to VNets is unreachable from on-premises", () => {
    const s = build([circuit([publicPeering]), storage("acct1", "westus", { vnetRules: [] })]);
    const d = evaluate(s, {
      source: { kind: "onprem", address: "192.168.5.5", via: netId("expressRouteCircuits", "er1") },
      destination: { kind: "resource", resourceId: acct("acct1") },
    });
    expect(d.decision).toBe("Denied");
    expect(d.viaServiceEndpoint).toBe(false);
    expect(d.steps.some((x) => /never uses service endpoints/.test(x.detail))).toBe(true);
  });

  it("SE-ONP-2: ExpressRoute public peering uses two NAT addresses, and both must be in the IP firewall", () => {
    const one = build([circuit([publicPeering]), storage("acct1", "westus", { ipRules: ["198.51.100.1"] })]);
    const src = {
      kind: "onprem" as const,
      address: "192.168.5.5",
      via: netId("expressRouteCircuits", "er1"),
    };
    const d1 = evaluate(one, { source: src, destination: { kind: "resource", resourceId: acct("acct1") } });
    expect(d1.decision).toBe("Denied");
    expect(d1.blockers.some((b) => b.fix.includes("198.51.100.2"))).toBe(true);
    const both = build([
      circuit([publicPeering]),
      storage("acct1", "westus", { ipRules: ["198.51.100.1", "198.51.100.2"] }),
    ]);
    const d2 = evaluate(both, { source: src, destination: { kind: "resource", resourceId: acct("acct1") } });
    expect(d2.decision).toBe("Allowed");
    expect(d2.sourceAddress).toBe("198.51.100.1");
  });

  it("SE-ONP-2: Microsoft peering uses the customer's advertised NAT prefixes", () => {
    const ms: ArmResource = {
      id: `${netId("expressRouteCircuits", "er1")}/peerings/MicrosoftPeering`,
      name: "MicrosoftPeering",
      type: "Microsoft.Network/expressRouteCircuits/peerings",
      properties: {
        peeringType: "MicrosoftPeering",
        state: "Enabled",
        microsoftPeeringConfig: { advertisedPublicPrefixes: ["203.0.113.0/30"] },
      },
    };
    const s = build([circuit([ms]), storage("acct1", "westus", { ipRules: ["203.0.113.0/30"] })]);
    const d = evaluate(s, {
      source: { kind: "onprem", address: "192.168.5.5", via: netId("expressRouteCircuits", "er1") },
      destination: { kind: "resource", resourceId: acct("acct1") },
    });
    expect(d.sourceAddress).toBe("203.0.113.0");
    expect(d.decision).toBe("Allowed");
  });
});

describe("service firewall state", () => {
  it("SE-ACL-8: a rule left in networkSourceDeleted matches nothing, even after the endpoint is back", () => {
    const s = build([
      vnet(
        "v",
        "westus",
        ["10.1.0.0/16"],
        [{ name: "a", prefix: "10.1.1.0/24", endpoints: ["Microsoft.Storage"] }],
      ),
      nic("n1", "westus", subnetId("v", "a")),
      storage("acct1", "westus", { vnetRules: [{ id: subnetId("v", "a"), state: "networkSourceDeleted" }] }),
    ]);
    const d = check(s, "n1", acct("acct1"));
    expect(d.decision).toBe("Denied");
    expect(d.blockers.some((b) => /re-?add/i.test(b.fix))).toBe(true);
  });

  it("SE-ACL-7: an internet client is refused once only VNet rules remain, and admitted while the default action is Allow", () => {
    const locked = build([storage("acct1", "westus", { vnetRules: [] })]);
    const open = build([storage("acct1", "westus")]);
    const src = { kind: "internet" as const, address: "8.8.4.4" };
    expect(
      evaluate(locked, { source: src, destination: { kind: "resource", resourceId: acct("acct1") } })
        .decision,
    ).toBe("Denied");
    expect(
      evaluate(open, { source: src, destination: { kind: "resource", resourceId: acct("acct1") } }).decision,
    ).toBe("Allowed");
  });

  it("resolves literal service addresses and host names to the resource", () => {
    const s = build([storage("acct1", "westus")]);
    const a = s.service(acct("acct1"))!.address;
    const d = evaluate(s, {
      source: { kind: "internet", address: "8.8.4.4" },
      destination: { kind: "ip", address: formatAddress(a) },
    });
    expect(d.destinationResourceId).toBe(acct("acct1"));
    const miss = evaluate(s, {
      source: { kind: "internet", address: "8.8.4.4" },
      destination: { kind: "host", host: "nope.blob.core.windows.net" },
    });
    expect(miss.decision).toBe("Denied");
    expect(miss.blockers[0]!.kind).toBe("Dns");
  });
});
