import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Address, Prefix } from "../model/ip.js";
import {
  addressV4,
  formatPrefix,
  isPublicAddress,
  parseAddress,
  parsePrefixLoose,
  prefixContainsAddress,
} from "../model/ip.js";
import { idKey } from "../model/resource-id.js";
import type {
  NetworkSecurityGroup,
  SecurityRule,
  SecurityRuleProperties,
} from "../model/resources/network-security-group.js";
import { defaultSecurityRules } from "../model/resources/network-security-group.js";
import { internetV4Prefixes } from "./nsg-address.js";
import type { NsgContext, NsgVerdict, Packet, TagResolver } from "./nsg.js";
import {
  compileNsg,
  effectiveNetworkSecurityGroupsFor,
  effectiveSecurityRules,
  evaluateNsgPath,
  orderForDirection,
} from "./nsg.js";

// ---------------------------------------------------------------------------------------------
// Fixtures

const SUB = "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network";
const NSG_ID = `${SUB}/networkSecurityGroups/test-nsg`;
const ASG_WEB = `${SUB}/applicationSecurityGroups/web`;
const ASG_DB = `${SUB}/applicationSecurityGroups/db`;

const p = (t: string): Prefix => parsePrefixLoose(t)!;
const a = (t: string): Address => parseAddress(t);

/** A fake catalog: a few global and regional tags, looked up case-insensitively. */
const TAGS: Record<string, string[]> = {
  "storage.westus": ["52.239.228.0/23", "20.150.34.0/23"],
  "storage.eastus": ["52.239.152.0/22", "20.38.98.0/24"],
  storage: ["52.239.228.0/23", "20.150.34.0/23", "52.239.152.0/22", "20.38.98.0/24", "2603:1030::/45"],
  sql: ["13.86.216.0/22", "40.78.224.0/21"],
  "azurecloud.eastus": ["40.71.0.0/16", "20.42.0.0/16"],
};
const fakeTags: TagResolver = {
  prefixes: (tag) => TAGS[tag.toLowerCase()]?.map(p),
};

/** VNet 10.0.0.0/16, a peered VNet 10.1.0.0/16, an on-premises 192.168.50.0/24 through a gateway, and IPv6 space. */
const VNET = ["10.0.0.0/16", "10.1.0.0/16", "192.168.50.0/24", "2001:db8:1::/48", "ace:cab:deca::/48"];
const ctx: NsgContext = {
  tags: fakeTags,
  virtualNetworkPrefixes: VNET.map(p),
  applicationSecurityGroupPrefixes: (key) =>
    key === idKey(ASG_WEB) ? [p("10.0.1.4/32"), p("10.0.1.5/32")] : undefined,
};

function rule(name: string, props: Partial<SecurityRuleProperties>): SecurityRule {
  return {
    id: `${NSG_ID}/securityRules/${name}`,
    name,
    type: "Microsoft.Network/networkSecurityGroups/securityRules",
    properties: {
      protocol: "*",
      sourcePortRange: "*",
      destinationPortRange: "*",
      sourceAddressPrefix: "*",
      destinationAddressPrefix: "*",
      access: "Allow",
      priority: 100,
      direction: "Inbound",
      ...props,
    },
  };
}

function nsg(
  rules: SecurityRule[],
  opts: { withDefaults?: boolean; id?: string } = {},
): NetworkSecurityGroup {
  const id = opts.id ?? NSG_ID;
  return {
    id,
    name: id.slice(id.lastIndexOf("/") + 1),
    type: "Microsoft.Network/networkSecurityGroups",
    location: "westus",
    properties: {
      securityRules: rules,
      ...(opts.withDefaults ? { defaultSecurityRules: defaultSecurityRules(id) } : {}),
    },
  };
}

function pkt(
  direction: "Inbound" | "Outbound",
  protocol: "Tcp" | "Udp" | "Icmp",
  src: string,
  dst: string,
  dstPort = 443,
  srcPort = 50000,
  extra: Partial<Packet> = {},
): Packet {
  return {
    direction,
    protocol,
    source: a(src),
    sourcePort: srcPort,
    destination: a(dst),
    destinationPort: dstPort,
    ...extra,
  };
}

const VM = "10.0.1.4";

// ---------------------------------------------------------------------------------------------
// SE-NSG-1

describe("SE-NSG-1: NSG rule evaluation", () => {
  it("SE-NSG-1: rules are evaluated in ascending priority whatever their listing order; the first match wins", () => {
    const c = compileNsg(
      nsg([
        rule("deny-web", { access: "Deny", priority: 300, destinationPortRange: "80" }),
        rule("allow-web", { access: "Allow", priority: 200, destinationPortRange: "80" }),
        rule("deny-all-tcp", { access: "Deny", priority: 250, protocol: "Tcp" }),
      ]),
      ctx,
    );
    const v = c.evaluate(pkt("Inbound", "Tcp", "8.8.8.8", VM, 80));
    expect(v).toEqual({
      access: "Allow",
      ruleName: "securityRules/allow-web",
      ruleId: `${NSG_ID}/securityRules/allow-web`,
      priority: 200,
    });
    expect(c.evaluate(pkt("Inbound", "Tcp", "8.8.8.8", VM, 81)).ruleName).toBe("securityRules/deny-all-tcp");
    expect(c.evaluate(pkt("Inbound", "Udp", "8.8.8.8", VM, 81)).ruleName).toBe(
      "defaultSecurityRules/DenyAllInBound",
    );
  });

  it("SE-NSG-1: the six default rules come last and decide what no user rule matches", () => {
    for (const withDefaults of [false, true]) {
      const c = compileNsg(nsg([], { withDefaults }), ctx);
      const cases: Array<[Packet, string, string]> = [
        [pkt("Inbound", "Tcp", "10.1.3.3", VM, 22), "Allow", "AllowVnetInBound"],
        [pkt("Inbound", "Tcp", "192.168.50.7", VM, 22), "Allow", "AllowVnetInBound"],
        [pkt("Inbound", "Tcp", "168.63.129.16", VM, 80), "Allow", "AllowAzureLoadBalancerInBound"],
        [pkt("Inbound", "Tcp", "8.8.8.8", VM, 22), "Deny", "DenyAllInBound"],
        [pkt("Outbound", "Tcp", VM, "10.0.2.9", 1433), "Allow", "AllowVnetOutBound"],
        [pkt("Outbound", "Tcp", VM, "52.239.228.10", 443), "Allow", "AllowInternetOutBound"],
        [pkt("Outbound", "Udp", VM, "172.16.0.1", 53), "Deny", "DenyAllOutBound"],
      ];
      for (const [packet, access, name] of cases) {
        const v = c.evaluate(packet);
        expect({ access: v.access, ruleName: v.ruleName }).toEqual({
          access,
          ruleName: `defaultSecurityRules/${name}`,
        });
        expect(v.ruleId).toBe(`${NSG_ID}/defaultSecurityRules/${name}`);
        expect(v.priority).toBeGreaterThanOrEqual(65000);
      }
    }
  });

  it("SE-NSG-1: a user rule, even at priority 4096, pre-empts the default rules", () => {
    const c = compileNsg(
      nsg([
        rule("deny-vnet-out", {
          direction: "Outbound",
          access: "Deny",
          priority: 4096,
          destinationAddressPrefix: "VirtualNetwork",
        }),
        rule("allow-ssh", { priority: 4096, protocol: "Tcp", destinationPortRange: "22" }),
      ]),
      ctx,
    );
    expect(c.evaluate(pkt("Outbound", "Tcp", VM, "10.0.2.9", 1433)).ruleName).toBe(
      "securityRules/deny-vnet-out",
    );
    expect(c.evaluate(pkt("Inbound", "Tcp", "8.8.8.8", VM, 22)).access).toBe("Allow");
  });

  it("SE-NSG-1: rules only apply in their own direction", () => {
    const c = compileNsg(
      nsg([rule("deny-out", { direction: "Outbound", access: "Deny", priority: 100 })]),
      ctx,
    );
    expect(c.evaluate(pkt("Inbound", "Tcp", "10.0.2.9", VM)).ruleName).toBe(
      "defaultSecurityRules/AllowVnetInBound",
    );
    expect(c.evaluate(pkt("Outbound", "Tcp", VM, "10.0.2.9")).ruleName).toBe("securityRules/deny-out");
  });

  it("SE-NSG-1: protocol * matches Tcp, Udp and Icmp; Tcp/Udp/Icmp match only themselves", () => {
    const c = compileNsg(
      nsg([
        rule("tcp", { priority: 100, protocol: "Tcp", sourceAddressPrefix: "1.1.1.1" }),
        rule("udp", { priority: 110, protocol: "Udp", sourceAddressPrefix: "1.1.1.1" }),
        rule("icmp", { priority: 120, protocol: "Icmp", sourceAddressPrefix: "1.1.1.1" }),
        rule("any", { priority: 130, protocol: "*", sourceAddressPrefix: "2.2.2.2" }),
        rule("esp", { priority: 140, protocol: "Esp", sourceAddressPrefix: "3.3.3.3" }),
      ]),
      ctx,
    );
    expect(c.evaluate(pkt("Inbound", "Tcp", "1.1.1.1", VM)).ruleName).toBe("securityRules/tcp");
    expect(c.evaluate(pkt("Inbound", "Udp", "1.1.1.1", VM)).ruleName).toBe("securityRules/udp");
    expect(c.evaluate(pkt("Inbound", "Icmp", "1.1.1.1", VM, 0, 0)).ruleName).toBe("securityRules/icmp");
    for (const proto of ["Tcp", "Udp", "Icmp"] as const) {
      expect(c.evaluate(pkt("Inbound", proto, "2.2.2.2", VM, 0, 0)).ruleName).toBe("securityRules/any");
      expect(c.evaluate(pkt("Inbound", proto, "3.3.3.3", VM, 0, 0)).ruleName).toBe(
        "defaultSecurityRules/DenyAllInBound",
      );
    }
  });

  it("SE-NSG-1: port ranges: *, single, lo-hi and the plural arrays; ICMP never matches a port-restricted rule", () => {
    const c = compileNsg(
      nsg([
        rule("single", { priority: 100, destinationPortRange: "80" }),
        rule("range", { priority: 110, destinationPortRange: "1000-2000" }),
        rule("plural", {
          priority: 120,
          destinationPortRange: undefined,
          destinationPortRanges: ["22", "3389", "5000-5010"],
        }),
        rule("srcport", { priority: 130, sourcePortRange: "53", destinationPortRange: "*" }),
      ]),
      ctx,
    );
    const at = (dport: number, sport = 50000) =>
      c.evaluate(pkt("Inbound", "Tcp", "8.8.8.8", VM, dport, sport)).ruleName;
    expect(at(80)).toBe("securityRules/single");
    expect(at(1000)).toBe("securityRules/range");
    expect(at(2000)).toBe("securityRules/range");
    expect(at(2001)).toBe("defaultSecurityRules/DenyAllInBound");
    expect(at(22)).toBe("securityRules/plural");
    expect(at(3389)).toBe("securityRules/plural");
    expect(at(5005)).toBe("securityRules/plural");
    expect(at(5011)).toBe("defaultSecurityRules/DenyAllInBound");
    expect(at(7, 53)).toBe("securityRules/srcport");
    expect(c.evaluate(pkt("Inbound", "Icmp", "8.8.8.8", VM, 80, 0)).ruleName).toBe(
      "defaultSecurityRules/DenyAllInBound",
    );
  });

  it("SE-NSG-1: address prefixes: *, 0.0.0.0/0, CIDR, bare IP and the plural arrays", () => {
    const c = compileNsg(
      nsg([
        rule("bare", { priority: 100, sourceAddressPrefix: "1.2.3.4" }),
        rule("cidr", { priority: 110, sourceAddressPrefix: "5.6.0.0/16" }),
        rule("plural", {
          priority: 120,
          sourceAddressPrefix: undefined,
          sourceAddressPrefixes: ["9.9.9.9", "7.7.0.0/16"],
        }),
        rule("v4-any", { priority: 130, sourceAddressPrefix: "0.0.0.0/0", destinationPortRange: "8080" }),
        rule("any", { priority: 140, sourceAddressPrefix: "*", destinationPortRange: "9090" }),
      ]),
      ctx,
    );
    const from = (src: string, port = 443) => c.evaluate(pkt("Inbound", "Tcp", src, VM, port)).ruleName;
    expect(from("1.2.3.4")).toBe("securityRules/bare");
    expect(from("1.2.3.5")).toBe("defaultSecurityRules/DenyAllInBound");
    expect(from("5.6.200.1")).toBe("securityRules/cidr");
    expect(from("7.7.1.1")).toBe("securityRules/plural");
    expect(from("9.9.9.9")).toBe("securityRules/plural");
    expect(from("8.8.8.8", 8080)).toBe("securityRules/v4-any");
    expect(c.evaluate(pkt("Inbound", "Tcp", "2001:4860::8888", "2001:db8:1::4", 8080)).ruleName).toBe(
      "defaultSecurityRules/DenyAllInBound",
    );
    expect(c.evaluate(pkt("Inbound", "Tcp", "2001:4860::8888", "2001:db8:1::4", 9090)).ruleName).toBe(
      "securityRules/any",
    );
  });

  it("SE-NSG-1: application security group rules match the packet's ASG sets", () => {
    const c = compileNsg(
      nsg([
        rule("web-to-db", {
          priority: 100,
          direction: "Outbound",
          sourceAddressPrefix: undefined,
          destinationAddressPrefix: undefined,
          sourceApplicationSecurityGroups: [{ id: ASG_WEB }],
          destinationApplicationSecurityGroups: [{ id: ASG_DB.toUpperCase() }],
          destinationPortRange: "1433",
          access: "Deny",
        }),
      ]),
      ctx,
    );
    const web = new Set([idKey(ASG_WEB)]);
    const db = new Set([idKey(ASG_DB)]);
    expect(
      c.evaluate(
        pkt("Outbound", "Tcp", VM, "10.0.2.9", 1433, 50000, { sourceAsgs: web, destinationAsgs: db }),
      ).ruleName,
    ).toBe("securityRules/web-to-db");
    expect(
      c.evaluate(pkt("Outbound", "Tcp", VM, "10.0.2.9", 1433, 50000, { sourceAsgs: web })).ruleName,
    ).toBe("defaultSecurityRules/AllowVnetOutBound");
    expect(
      c.evaluate(pkt("Outbound", "Tcp", VM, "10.0.2.9", 1433, 50000, { sourceAsgs: db, destinationAsgs: db }))
        .access,
    ).toBe("Allow");
  });

  it("SE-NSG-1: inbound is checked subnet → NIC, outbound NIC → subnet; the first Deny stops the path", () => {
    expect(orderForDirection("Inbound", "S", "N")).toEqual([
      { where: "subnet", nsg: "S" },
      { where: "nic", nsg: "N" },
    ]);
    expect(orderForDirection("Outbound", "S", "N")).toEqual([
      { where: "nic", nsg: "N" },
      { where: "subnet", nsg: "S" },
    ]);
    const subnetNsg = compileNsg(
      nsg(
        [
          rule("deny-all", { access: "Deny", priority: 100, direction: "Inbound" }),
          rule("deny-all-out", { access: "Deny", priority: 100, direction: "Outbound" }),
        ],
        {
          id: `${SUB}/networkSecurityGroups/subnet-nsg`,
        },
      ),
      ctx,
    );
    const nicNsg = compileNsg(nsg([], { id: `${SUB}/networkSecurityGroups/nic-nsg` }), ctx);
    const inbound = evaluateNsgPath(pkt("Inbound", "Tcp", "10.0.2.9", VM), subnetNsg, nicNsg);
    expect(inbound.access).toBe("Deny");
    expect(inbound.checks.map((c) => [c.where, c.verdict.ruleName])).toEqual([
      ["subnet", "securityRules/deny-all"],
    ]);
    const outbound = evaluateNsgPath(pkt("Outbound", "Tcp", VM, "10.0.2.9"), subnetNsg, nicNsg);
    expect(outbound.access).toBe("Deny");
    expect(outbound.checks.map((c) => [c.where, c.verdict.ruleName])).toEqual([
      ["nic", "defaultSecurityRules/AllowVnetOutBound"],
      ["subnet", "securityRules/deny-all-out"],
    ]);
  });

  it("SE-NSG-1: both NSGs must allow; an absent NSG filters nothing", () => {
    expect(orderForDirection("Inbound", undefined, undefined)).toEqual([]);
    expect(orderForDirection("Outbound", undefined, "N")).toEqual([{ where: "nic", nsg: "N" }]);
    const none = evaluateNsgPath(pkt("Inbound", "Tcp", "8.8.8.8", VM, 22));
    expect(none).toEqual({ access: "Allow", checks: [] });
    const nicOnly = compileNsg(nsg([rule("allow-ssh", { priority: 100, destinationPortRange: "22" })]), ctx);
    const r = evaluateNsgPath(pkt("Inbound", "Tcp", "8.8.8.8", VM, 22), undefined, nicOnly);
    expect(r.access).toBe("Allow");
    expect(r.checks).toHaveLength(1);
    const subnetDefault = compileNsg(nsg([], { id: `${SUB}/networkSecurityGroups/subnet-nsg` }), ctx);
    const both = evaluateNsgPath(pkt("Inbound", "Tcp", "8.8.8.8", VM, 22), subnetDefault, nicOnly);
    expect(both.access).toBe("Deny");
    expect(both.checks[0]!.verdict.ruleName).toBe("defaultSecurityRules/DenyAllInBound");
  });
});

// ---------------------------------------------------------------------------------------------
// SE-NSG-2

describe("SE-NSG-2: service tags", () => {
  const tagRule = (name: string, prio: number, dst: string) =>
    rule(name, { direction: "Outbound", priority: prio, destinationAddressPrefix: dst, access: "Deny" });
  const out = (c: ReturnType<typeof compileNsg>, dst: string) =>
    c.evaluate(pkt("Outbound", "Tcp", VM, dst, 443)).ruleName;

  it("SE-NSG-2: a regional tag (Storage.WestUS) covers only that region's prefixes; names are case-insensitive", () => {
    const c = compileNsg(nsg([tagRule("west", 100, "Storage.WestUS"), tagRule("sql", 110, "SQL")]), ctx);
    expect(out(c, "52.239.229.1")).toBe("securityRules/west");
    expect(out(c, "20.150.35.200")).toBe("securityRules/west");
    expect(out(c, "52.239.152.1")).toBe("defaultSecurityRules/AllowInternetOutBound");
    expect(out(c, "40.78.225.1")).toBe("securityRules/sql");
    const lower = compileNsg(nsg([tagRule("west", 100, "storage.westus")]), ctx);
    expect(out(lower, "52.239.229.1")).toBe("securityRules/west");
  });

  it("SE-NSG-2: a global tag (Storage) covers every region, IPv6 included; AzureCloud.eastus works too", () => {
    const c = compileNsg(
      nsg([tagRule("storage", 100, "Storage"), tagRule("cloud", 110, "AzureCloud.eastus")]),
      ctx,
    );
    expect(out(c, "52.239.229.1")).toBe("securityRules/storage");
    expect(out(c, "20.38.98.7")).toBe("securityRules/storage");
    expect(out(c, "2603:1030::10")).toBe("securityRules/storage");
    expect(out(c, "40.71.3.3")).toBe("securityRules/cloud");
    expect(out(c, "8.8.8.8")).toBe("defaultSecurityRules/AllowInternetOutBound");
  });

  it("SE-NSG-2: an unknown tag matches nothing", () => {
    const c = compileNsg(nsg([tagRule("bogus", 100, "NoSuchTag")]), ctx);
    for (const dst of ["8.8.8.8", "10.0.2.9", "52.239.229.1"])
      expect(out(c, dst)).not.toBe("securityRules/bogus");
  });

  it("SE-NSG-2: Internet is public space outside VirtualNetwork, and includes Azure service addresses such as Storage", () => {
    const c = compileNsg(nsg([tagRule("inet", 100, "Internet")]), ctx);
    expect(out(c, "52.239.229.1")).toBe("securityRules/inet"); // Storage.WestUS address
    expect(out(c, "8.8.8.8")).toBe("securityRules/inet");
    expect(out(c, "2603:1030::10")).toBe("securityRules/inet");
    for (const dst of [
      "10.0.2.9",
      "10.1.0.1",
      "192.168.50.7",
      "172.16.0.1",
      "100.64.0.1",
      "127.0.0.1",
      "169.254.169.254",
      "224.0.0.1",
    ]) {
      expect(out(c, dst)).not.toBe("securityRules/inet");
    }
    // Public space inside VirtualNetwork is not Internet.
    const publicVnet: NsgContext = {
      tags: fakeTags,
      virtualNetworkPrefixes: [p("10.0.0.0/16"), p("52.239.228.0/24"), p("2603:1030::/48")],
    };
    const c2 = compileNsg(nsg([tagRule("inet", 100, "Internet")]), publicVnet);
    expect(out(c2, "52.239.228.9")).toBe("defaultSecurityRules/AllowVnetOutBound");
    expect(out(c2, "52.239.229.1")).toBe("securityRules/inet");
    expect(out(c2, "2603:1030::10")).toBe("defaultSecurityRules/AllowVnetOutBound");
  });

  it("SE-NSG-2: VirtualNetwork is the VNet, its peers and connected on-premises space", () => {
    const c = compileNsg(nsg([tagRule("vnet", 100, "VirtualNetwork")]), ctx);
    for (const dst of ["10.0.2.9", "10.1.200.1", "192.168.50.7", "2001:db8:1::9"])
      expect(out(c, dst)).toBe("securityRules/vnet");
    for (const dst of ["10.2.0.1", "192.168.51.1", "8.8.8.8"])
      expect(out(c, dst)).not.toBe("securityRules/vnet");
  });

  it("SE-NSG-2: classic spellings VIRTUAL_NETWORK, AZURE_LOADBALANCER, INTERNET and AzureLoadBalancer = 168.63.129.16", () => {
    const c = compileNsg(
      nsg([
        rule("lb", { priority: 100, sourceAddressPrefix: "AZURE_LOADBALANCER", access: "Deny" }),
        rule("vnet", { priority: 110, sourceAddressPrefix: "VIRTUAL_NETWORK", access: "Deny" }),
        rule("inet", { priority: 120, sourceAddressPrefix: "INTERNET", access: "Allow" }),
      ]),
      ctx,
    );
    const from = (src: string) => c.evaluate(pkt("Inbound", "Tcp", src, VM)).ruleName;
    expect(from("168.63.129.16")).toBe("securityRules/lb");
    expect(from("168.63.129.17")).toBe("securityRules/inet");
    expect(from("10.1.0.9")).toBe("securityRules/vnet");
    expect(from("8.8.8.8")).toBe("securityRules/inet");
    expect(from("172.16.0.1")).toBe("defaultSecurityRules/DenyAllInBound");
  });
});

// ---------------------------------------------------------------------------------------------
// SE-NSG-3

describe("SE-NSG-3: deny Internet outbound, allow Storage in my region", () => {
  it("SE-NSG-3: Storage.WestUS is allowed by the allow rule; Storage.EastUS and 8.8.8.8 are denied by the deny rule", () => {
    const c = compileNsg(
      nsg([
        rule("deny-internet", {
          direction: "Outbound",
          priority: 4000,
          destinationAddressPrefix: "Internet",
          access: "Deny",
        }),
        rule("allow-storage-westus", {
          direction: "Outbound",
          priority: 100,
          protocol: "Tcp",
          destinationAddressPrefix: "Storage.WestUS",
          destinationPortRange: "443",
          access: "Allow",
        }),
      ]),
      ctx,
    );
    const west = c.evaluate(pkt("Outbound", "Tcp", VM, "52.239.229.1", 443));
    expect(west).toMatchObject({
      access: "Allow",
      ruleName: "securityRules/allow-storage-westus",
      priority: 100,
    });
    for (const dst of ["52.239.152.1", "20.38.98.7", "8.8.8.8"]) {
      expect(c.evaluate(pkt("Outbound", "Tcp", VM, dst, 443))).toMatchObject({
        access: "Deny",
        ruleName: "securityRules/deny-internet",
        priority: 4000,
      });
    }
    // VNet-internal traffic still flows through the default rule.
    expect(c.evaluate(pkt("Outbound", "Tcp", VM, "10.0.2.9", 443)).ruleName).toBe(
      "defaultSecurityRules/AllowVnetOutBound",
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Effective security rules

/**
 * The `effectiveSecurityRules` of Azure/azure-rest-api-specs
 * …/stable/2018-08-01/examples/NetworkInterfaceEffectiveNSGList.json (copied verbatim from
 * /work/shared/reference/rest-examples/NetworkInterfaceEffectiveNSGList.json).
 */
const EXAMPLE_RULES = [
  {
    name: "securityRules/rule1",
    protocol: "Tcp",
    sourcePortRange: "456-456",
    destinationPortRange: "6579-6579",
    sourceAddressPrefix: "0.0.0.0/32",
    destinationAddressPrefix: "0.0.0.0/32",
    access: "Allow",
    priority: 234,
    direction: "Inbound",
  },
  {
    name: "securityRules/default-allow-rdp",
    protocol: "Tcp",
    sourcePortRange: "0-65535",
    destinationPortRange: "3389-3389",
    sourceAddressPrefix: "1.1.1.1/32",
    destinationAddressPrefix: "0.0.0.0/0",
    access: "Allow",
    priority: 1000,
    direction: "Inbound",
  },
  {
    name: "defaultSecurityRules/AllowInternetOutBound",
    protocol: "All",
    sourcePortRange: "0-65535",
    destinationPortRange: "0-65535",
    sourceAddressPrefix: "0.0.0.0/0",
    destinationAddressPrefix: "Internet",
    expandedDestinationAddressPrefix: ["32.0.0.0/3", "4.0.0.0/6", "2.0.0.0/7", "1.0.0.0/8"],
    access: "Allow",
    priority: 65001,
    direction: "Outbound",
  },
] as const;

const PLURAL_KEYS = [
  "sourcePortRanges",
  "destinationPortRanges",
  "sourceAddressPrefixes",
  "destinationAddressPrefixes",
];

describe("effective security rules (azure-facts §1.4)", () => {
  const exampleNsg = nsg([
    rule("default-allow-rdp", {
      protocol: "Tcp",
      sourcePortRange: "*",
      destinationPortRange: "3389",
      sourceAddressPrefix: "1.1.1.1",
      priority: 1000,
    }),
    rule("rule1", {
      protocol: "Tcp",
      sourcePortRange: "456",
      destinationPortRange: "6579",
      sourceAddressPrefix: "0.0.0.0",
      destinationAddressPrefix: "0.0.0.0",
      priority: 234,
    }),
  ]);

  it("reproduces the REST example's rules: same values, same keys in the same order, plus the plural arrays", () => {
    const got = effectiveSecurityRules(exampleNsg, ctx);
    for (const want of EXAMPLE_RULES) {
      const mine = got.find((r) => r.name === want.name) as unknown as Record<string, unknown>;
      expect(mine, want.name).toBeDefined();
      expect(Object.keys(mine).filter((k) => !PLURAL_KEYS.includes(k))).toEqual(Object.keys(want));
      for (const [k, v] of Object.entries(want)) {
        if (k === "expandedDestinationAddressPrefix")
          expect(mine[k]).toEqual(expect.arrayContaining([...(v as readonly string[])]));
        else expect(mine[k], `${want.name}.${k}`).toEqual(v);
      }
      // The plural arrays sit between their singular fields and the expansions, as in the real service's output.
      const keys = Object.keys(mine);
      expect(keys.slice(2, 10)).toEqual([
        "sourcePortRange",
        "destinationPortRange",
        "sourcePortRanges",
        "destinationPortRanges",
        "sourceAddressPrefix",
        "destinationAddressPrefix",
        "sourceAddressPrefixes",
        "destinationAddressPrefixes",
      ]);
      expect(mine.sourcePortRanges).toEqual([mine.sourcePortRange]);
      expect(mine.destinationAddressPrefixes).toEqual([mine.destinationAddressPrefix]);
    }
  });

  it("lists user rules by direction and priority, then the six default rules with prefixed names", () => {
    const names = effectiveSecurityRules(exampleNsg, ctx).map((r) => r.name);
    expect(names).toEqual([
      "securityRules/rule1",
      "securityRules/default-allow-rdp",
      "defaultSecurityRules/AllowVnetInBound",
      "defaultSecurityRules/AllowAzureLoadBalancerInBound",
      "defaultSecurityRules/DenyAllInBound",
      "defaultSecurityRules/AllowVnetOutBound",
      "defaultSecurityRules/AllowInternetOutBound",
      "defaultSecurityRules/DenyAllOutBound",
    ]);
  });

  it("normalises protocol, ports and addresses; tags stay and are expanded", () => {
    const rules = effectiveSecurityRules(
      nsg([
        rule("plural", {
          protocol: "*",
          sourcePortRange: undefined,
          destinationPortRange: undefined,
          destinationPortRanges: ["80", "8000-8080"],
          sourceAddressPrefix: undefined,
          sourceAddressPrefixes: ["10.0.0.0/24", "4.4.4.4"],
          destinationAddressPrefix: "Storage.WestUS",
          direction: "Outbound",
          priority: 200,
        }),
        rule("asg", {
          protocol: "udp",
          sourceAddressPrefix: undefined,
          sourceApplicationSecurityGroups: [{ id: ASG_WEB }],
          priority: 300,
        }),
      ]),
      ctx,
    );
    const plural = rules.find((r) => r.name === "securityRules/plural")!;
    expect(plural).toEqual({
      name: "securityRules/plural",
      protocol: "All",
      sourcePortRange: "0-65535",
      sourcePortRanges: ["0-65535"],
      destinationPortRanges: ["80-80", "8000-8080"],
      destinationAddressPrefix: "Storage.WestUS",
      sourceAddressPrefixes: ["10.0.0.0/24", "4.4.4.4/32"],
      destinationAddressPrefixes: ["Storage.WestUS"],
      expandedDestinationAddressPrefix: ["52.239.228.0/23", "20.150.34.0/23"],
      access: "Allow",
      priority: 200,
      direction: "Outbound",
    });
    expect("destinationPortRange" in plural).toBe(false);
    expect("expandedSourceAddressPrefix" in plural).toBe(false);
    const asg = rules.find((r) => r.name === "securityRules/asg")!;
    expect(asg.protocol).toBe("Udp");
    expect(asg.sourceAddressPrefix).toBe("web");
    expect(asg.expandedSourceAddressPrefix).toEqual(["10.0.1.4/32", "10.0.1.5/32"]);
    const lb = rules.find((r) => r.name === "defaultSecurityRules/AllowAzureLoadBalancerInBound")!;
    expect(lb).toMatchObject({
      sourceAddressPrefix: "AzureLoadBalancer",
      destinationAddressPrefix: "0.0.0.0/0",
      expandedSourceAddressPrefix: ["168.63.129.16/32"],
    });
    const vnetIn = rules.find((r) => r.name === "defaultSecurityRules/AllowVnetInBound")!;
    expect(vnetIn.expandedSourceAddressPrefix).toEqual(VNET.map((t) => formatPrefix(p(t))));
    expect(vnetIn.expandedDestinationAddressPrefix).toEqual(VNET.map((t) => formatPrefix(p(t))));
  });

  it("effectiveNetworkSecurityGroupsFor: one entry per attached NSG with its own association and a tagMap", () => {
    const nicId = `${SUB}/networkInterfaces/nic1`;
    const subnetId = `${SUB}/virtualNetworks/rg1-vnet/subnets/default`;
    const subnetNsg = nsg(
      [rule("to-storage", { direction: "Outbound", destinationAddressPrefix: "Storage", priority: 150 })],
      {
        id: `${SUB}/networkSecurityGroups/subnet-nsg`,
      },
    );
    const body = effectiveNetworkSecurityGroupsFor({ nicId, nicNsg: exampleNsg, subnetId, subnetNsg }, ctx);
    expect(body.value).toHaveLength(2);
    const [nicEntry, subnetEntry] = body.value;
    expect(Object.keys(nicEntry!)).toEqual([
      "networkSecurityGroup",
      "association",
      "effectiveSecurityRules",
      "tagMap",
    ]);
    expect(nicEntry!.networkSecurityGroup).toEqual({ id: NSG_ID });
    expect(nicEntry!.association).toEqual({ networkInterface: { id: nicId } });
    expect(subnetEntry!.association).toEqual({ subnet: { id: subnetId } });
    expect(Object.keys(nicEntry!.tagMap)).toEqual(["VirtualNetwork", "AzureLoadBalancer", "Internet"]);
    // Inbound rules come first, so the outbound rule's Storage tag follows the inbound defaults' tags.
    expect(Object.keys(subnetEntry!.tagMap)).toEqual([
      "VirtualNetwork",
      "AzureLoadBalancer",
      "Storage",
      "Internet",
    ]);
    expect(subnetEntry!.tagMap.Storage).toEqual(TAGS.storage!.map((t) => formatPrefix(p(t))));
    expect(nicEntry!.tagMap.AzureLoadBalancer).toEqual(["168.63.129.16/32"]);
    expect(nicEntry!.tagMap.Internet).toEqual(
      expect.arrayContaining(["32.0.0.0/3", "4.0.0.0/6", "2.0.0.0/7", "1.0.0.0/8"]),
    );
    expect(effectiveNetworkSecurityGroupsFor({ nicId, subnetId }, ctx)).toEqual({ value: [] });
    expect(
      effectiveNetworkSecurityGroupsFor({ nicId, subnetId, subnetNsg }, ctx).value.map((e) => e.association),
    ).toEqual([{ subnet: { id: subnetId } }]);
  });

  it("the Internet expansion is exactly the public IPv4 space outside VirtualNetwork, summarised into CIDR blocks", () => {
    const vnet = [p("10.0.0.0/16"), p("52.239.228.0/24")];
    const blocks = internetV4Prefixes(vnet);
    expect(blocks.map(formatPrefix).slice(0, 6)).toEqual([
      "1.0.0.0/8",
      "2.0.0.0/7",
      "4.0.0.0/6",
      "8.0.0.0/7",
      "11.0.0.0/8",
      "12.0.0.0/6",
    ]);
    // Sorted, disjoint, and no two siblings left unmerged.
    for (let i = 1; i < blocks.length; i++) {
      const prev = blocks[i - 1]!;
      expect(prev.base + 2 ** (32 - prev.length)).toBeLessThanOrEqual(blocks[i]!.base);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const addr = addressV4(n);
        const inBlocks = blocks.some((b) => prefixContainsAddress(b, addr));
        const expected = isPublicAddress(addr) && !vnet.some((v) => prefixContainsAddress(v, addr));
        return inBlocks === expected;
      }),
      { numRuns: 10_000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Property: compiled evaluation = a straightforward evaluator

/** The obvious reading of NSG rules, re-parsing every string on every packet. */
function naiveEvaluate(group: NetworkSecurityGroup, context: NsgContext, packet: Packet): NsgVerdict {
  const dirOf = (r: SecurityRule) => String(r.properties.direction).toLowerCase();
  const want = packet.direction.toLowerCase();
  const sorted = (rules: SecurityRule[]) =>
    rules
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => dirOf(r) === want)
      .sort((x, y) => x.r.properties.priority - y.r.properties.priority || x.i - y.i)
      .map(({ r }) => r);
  const listed = group.properties.defaultSecurityRules ?? [];
  const user = sorted(group.properties.securityRules ?? []);
  const defaults = sorted(listed.length > 0 ? listed : defaultSecurityRules(group.id));

  const entries = (single: string | undefined, plural: string[] | undefined) =>
    [single, ...(plural ?? [])].filter((x): x is string => typeof x === "string" && x.trim() !== "");

  const portOk = (list: string[], port: number) => {
    if (list.length === 0) return true;
    const anyPort = list.some((t) => t.trim() === "*" || t.trim() === "0-65535");
    if (packet.protocol === "Icmp") return anyPort;
    return list.some((t) => {
      const s = t.trim();
      if (s === "*") return true;
      const [lo, hi] = s.includes("-") ? s.split("-").map(Number) : [Number(s), Number(s)];
      return port >= lo! && port <= hi!;
    });
  };

  const inVnet = (x: Address) => context.virtualNetworkPrefixes.some((v) => prefixContainsAddress(v, x));
  const addrOk = (
    list: string[],
    asgIds: Array<{ id: string }> | undefined,
    x: Address,
    asgs: ReadonlySet<string> | undefined,
  ) => {
    if (list.length === 0 && (asgIds ?? []).length === 0) return true;
    for (const t of list) {
      const s = t.trim();
      if (s === "*") return true;
      const pre = parsePrefixLoose(s);
      if (pre) {
        if (prefixContainsAddress(pre, x)) return true;
        continue;
      }
      const tag = s.toLowerCase();
      if (tag === "virtualnetwork" || tag === "virtual_network") {
        if (inVnet(x)) return true;
      } else if (tag === "internet") {
        if (isPublicAddress(x) && !inVnet(x)) return true;
      } else if (tag === "azureloadbalancer" || tag === "azure_loadbalancer") {
        if (x.family === 4 && x.value === a("168.63.129.16").value) return true;
      } else if ((context.tags.prefixes(s) ?? []).some((q) => prefixContainsAddress(q, x))) {
        return true;
      }
    }
    return (asgIds ?? []).some((g) => asgs?.has(g.id.toLowerCase()) ?? false);
  };

  for (const [list, isDefault] of [
    [user, false],
    [defaults, true],
  ] as const) {
    for (const r of list) {
      const q = r.properties;
      const proto = String(q.protocol).toLowerCase();
      if (proto !== "*" && proto !== packet.protocol.toLowerCase()) continue;
      if (!portOk(entries(q.sourcePortRange, q.sourcePortRanges), packet.sourcePort)) continue;
      if (!portOk(entries(q.destinationPortRange, q.destinationPortRanges), packet.destinationPort)) continue;
      if (
        !addrOk(
          entries(q.sourceAddressPrefix, q.sourceAddressPrefixes),
          q.sourceApplicationSecurityGroups,
          packet.source,
          packet.sourceAsgs,
        )
      )
        continue;
      if (
        !addrOk(
          entries(q.destinationAddressPrefix, q.destinationAddressPrefixes),
          q.destinationApplicationSecurityGroups,
          packet.destination,
          packet.destinationAsgs,
        )
      )
        continue;
      return {
        access: q.access === "Allow" ? "Allow" : "Deny",
        ruleName: `${isDefault ? "defaultSecurityRules" : "securityRules"}/${r.name}`,
        ruleId: r.id,
        priority: q.priority,
      };
    }
  }
  throw new Error("no rule matched: the default DenyAll rules should always match");
}

describe("compiled evaluation (property)", () => {
  const ADDR_TEXTS = [
    "*",
    "0.0.0.0/0",
    "::/0",
    "10.0.0.0/16",
    "10.0.1.4",
    "10.0.1.0/24",
    "8.8.8.8",
    "52.239.0.0/16",
    "2001:db8:1::/48",
    "2603:1030::/32",
    "VirtualNetwork",
    "virtualnetwork",
    "VIRTUAL_NETWORK",
    "Internet",
    "INTERNET",
    "AzureLoadBalancer",
    "AZURE_LOADBALANCER",
    "Storage",
    "Storage.WestUS",
    "storage.eastus",
    "Sql",
    "AzureCloud.eastus",
    "NoSuchTag",
  ];
  const PACKET_ADDRS = [
    "10.0.1.4",
    "10.0.2.9",
    "10.1.0.5",
    "192.168.50.7",
    "168.63.129.16",
    "8.8.8.8",
    "52.239.228.10",
    "52.239.153.1",
    "20.38.98.7",
    "13.86.217.1",
    "40.71.3.3",
    "192.168.1.1",
    "172.16.0.1",
    "100.64.0.1",
    "0.0.0.1",
    "255.255.255.255",
    "2001:db8:1::9",
    "2001:4860::8888",
    "2603:1030::5",
    "ace:cab:deca::1",
    "fd00::1",
  ];
  const ASGS = [ASG_WEB, ASG_DB, `${SUB}/applicationSecurityGroups/ops`];

  const cidrArb = fc
    .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
    .map(([n, len]) =>
      formatPrefix({
        family: 4,
        base: len === 0 ? 0 : ((n >>> (32 - len)) << (32 - len)) >>> 0,
        length: len,
      }),
    );
  const addrTextArb = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ADDR_TEXTS) },
    { weight: 1, arbitrary: cidrArb },
  );
  const portTextArb = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom("*", "80", "443", "53", "1000-2000", "0-65535", "0-1023") },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 65535 }).map(String) },
  );
  // ASG ids in rules may use any casing; packets carry lower-cased keys.
  const asgListArb = fc
    .subarray(ASGS, { minLength: 1, maxLength: 2 })
    .chain((ids) => fc.tuple(...ids.map((id) => fc.constantFrom(id, id.toUpperCase()))))
    .map((ids) => ids.map((id) => ({ id })));

  const sideArb = (kind: "port" | "addr") =>
    fc.record({
      mode: fc.constantFrom(
        "single",
        "plural",
        "both",
        "none",
        ...(kind === "addr" ? ["asg", "asg+single"] : []),
      ),
      single: kind === "port" ? portTextArb : addrTextArb,
      plural: fc.array(kind === "port" ? portTextArb : addrTextArb, { minLength: 1, maxLength: 3 }),
      asgs: asgListArb,
    });

  const ruleArb = fc.record({
    protocol: fc.constantFrom("*", "Tcp", "Udp", "Icmp", "tcp", "UDP", "Esp", "Ah"),
    access: fc.constantFrom("Allow", "Deny"),
    direction: fc.constantFrom("Inbound", "Outbound", "inbound", "OUTBOUND"),
    sp: sideArb("port"),
    dp: sideArb("port"),
    sa: sideArb("addr"),
    da: sideArb("addr"),
  });

  const nsgArb = fc
    .tuple(
      fc.uniqueArray(fc.integer({ min: 100, max: 4096 }), { minLength: 0, maxLength: 12 }),
      fc.array(ruleArb, { minLength: 12, maxLength: 12 }),
      fc.boolean(),
    )
    .map(([priorities, specs, withDefaults]) => {
      const rules = priorities.map((priority, i) => {
        const s = specs[i]!;
        const props: SecurityRuleProperties = {
          protocol: s.protocol,
          access: s.access,
          direction: s.direction,
          priority,
        };
        const port = (
          side: typeof s.sp,
          single: "sourcePortRange" | "destinationPortRange",
          plural: "sourcePortRanges" | "destinationPortRanges",
        ) => {
          if (side.mode === "single" || side.mode === "both") props[single] = side.single;
          if (side.mode === "plural" || side.mode === "both") props[plural] = side.plural;
        };
        const addr = (
          side: typeof s.sa,
          single: "sourceAddressPrefix" | "destinationAddressPrefix",
          plural: "sourceAddressPrefixes" | "destinationAddressPrefixes",
          asg: "sourceApplicationSecurityGroups" | "destinationApplicationSecurityGroups",
        ) => {
          if (side.mode === "single" || side.mode === "both" || side.mode === "asg+single")
            props[single] = side.single;
          if (side.mode === "plural" || side.mode === "both") props[plural] = side.plural;
          if (side.mode === "asg" || side.mode === "asg+single") props[asg] = side.asgs;
        };
        port(s.sp, "sourcePortRange", "sourcePortRanges");
        port(s.dp, "destinationPortRange", "destinationPortRanges");
        addr(s.sa, "sourceAddressPrefix", "sourceAddressPrefixes", "sourceApplicationSecurityGroups");
        addr(
          s.da,
          "destinationAddressPrefix",
          "destinationAddressPrefixes",
          "destinationApplicationSecurityGroups",
        );
        return { ...rule(`r${i}`, {}), properties: props };
      });
      return nsg(rules, { withDefaults });
    });

  const addrArb = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...PACKET_ADDRS).map(a) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }).map(addressV4) },
  );
  const portArb = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(0, 53, 80, 443, 1000, 1500, 2000, 2001, 65535) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 65535 }) },
  );
  const asgSetArb = fc.option(
    fc.subarray(ASGS).map((ids) => new Set(ids.map(idKey))),
    { nil: undefined },
  );
  const packetArb = fc.record({
    direction: fc.constantFrom("Inbound" as const, "Outbound" as const),
    protocol: fc.constantFrom("Tcp" as const, "Udp" as const, "Icmp" as const),
    source: addrArb,
    sourcePort: portArb,
    destination: addrArb,
    destinationPort: portArb,
    sourceAsgs: asgSetArb,
    destinationAsgs: asgSetArb,
  });

  it("compiled evaluation equals the naive evaluator over random rules and packets (10,000 runs)", () => {
    fc.assert(
      fc.property(nsgArb, fc.array(packetArb, { minLength: 1, maxLength: 4 }), (group, packets) => {
        const compiled = compileNsg(group, ctx);
        for (const raw of packets) {
          const packet: Packet = { ...raw };
          if (raw.sourceAsgs === undefined) delete packet.sourceAsgs;
          if (raw.destinationAsgs === undefined) delete packet.destinationAsgs;
          expect(compiled.evaluate(packet)).toEqual(naiveEvaluate(group, ctx, packet));
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
