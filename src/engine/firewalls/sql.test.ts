import { describe, expect, it } from "vitest";
import { parseAddress } from "../../model/ip.js";
import type { ArmResource } from "../../model/resources/common.js";
import { normalizeSqlServer, normalizeSqlVirtualNetworkRule } from "../../model/resources/sql-server.js";
import { evaluateFirewall } from "./index.js";
import type { FirewallInput } from "./index.js";

const VNET = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1";
const SUBNET1 = `${VNET}/subnets/subnet1`;
const SUBNET2 = `${VNET}/subnets/subnet2`;
const NS: Record<string, string> = {
  sql: "Microsoft.Sql",
  postgresql: "Microsoft.DBforPostgreSQL",
  mysql: "Microsoft.DBforMySQL",
  mariadb: "Microsoft.DBforMariaDB",
};

function server(flavor = "sql", props: Record<string, unknown> = {}): ArmResource {
  return normalizeSqlServer({
    id: `/subscriptions/s1/resourceGroups/rg/providers/${NS[flavor]}/servers/srv1`,
    name: "srv1",
    type: `${NS[flavor]}/servers`,
    location: "westus",
    properties: props,
  });
}
function vnetRule(
  s: ArmResource,
  name: string,
  subnetId: string,
  extra: Record<string, unknown> = {},
): ArmResource {
  return normalizeSqlVirtualNetworkRule({
    id: `${s.id}/virtualNetworkRules/${name}`,
    name,
    type: `${s.type}/virtualNetworkRules`,
    properties: { virtualNetworkSubnetId: subnetId, ...extra },
  });
}
function fwRule(s: ArmResource, name: string, start: string, end: string): ArmResource {
  return {
    id: `${s.id}/firewallRules/${name}`,
    name,
    type: `${s.type}/firewallRules`,
    properties: { startIpAddress: start, endIpAddress: end },
  };
}
function req(
  resource: ArmResource,
  children: ArmResource[],
  o: Partial<Omit<FirewallInput, "sourceAddress">> & { source?: string } = {},
): FirewallInput {
  const { source, ...rest } = o;
  return {
    resource,
    children,
    sourceAddress: parseAddress(source ?? (rest.subnetId ? "10.0.1.4" : "203.0.113.10")),
    subnetHasEndpoint: () => true,
    fromAzure: false,
    sameRegionAzure: false,
    trustedService: false,
    purpose: "rest",
    ...rest,
  };
}

describe("SQL-family firewall", () => {
  it("SE-ACL-7, SE-ACL-9: a SQL server is locked by default: 40615 naming the client IP", () => {
    const r = evaluateFirewall(req(server(), [], { source: "203.0.113.10" }));
    expect(r.allowed).toBe(false);
    expect(r.rule).toBe("firewallRules");
    expect(r.error).toEqual({
      code: "40615",
      message:
        "Cannot open server 'srv1' requested by the login. Client with IP address '203.0.113.10' is not allowed to access the server. To enable access, use the Windows Azure Management Portal or run sp_set_firewall_rule on the master database to create a firewall rule for this IP address or address range. It may take up to five minutes for this change to take effect.",
    });
    expect(r.error?.status).toBeUndefined();
    expect(r.fixes[0]!.fix).toContain('startIpAddress "203.0.113.10" and endIpAddress "203.0.113.10"');
  });

  it("SE-ACL-1: a VNet rule (virtualNetworkSubnetId) admits its subnet over the Microsoft.Sql endpoint", () => {
    const s = server();
    const r = evaluateFirewall(req(s, [vnetRule(s, "rule1", SUBNET1)], { subnetId: SUBNET1.toLowerCase() }));
    expect(r).toMatchObject({ allowed: true, rule: "virtualNetworkRules/rule1" });
  });

  it("SE-ACL-9: over the endpoint without a matching VNet rule: 40914", () => {
    const s = server();
    const r = evaluateFirewall(req(s, [vnetRule(s, "rule1", SUBNET1)], { subnetId: SUBNET2 }));
    expect(r.allowed).toBe(false);
    expect(r.rule).toBe("virtualNetworkRules");
    expect(r.error).toEqual({
      code: "40914",
      message:
        "Cannot open server 'srv1' requested by the login. Client is not allowed to access the server.",
    });
    expect(r.fixes[0]!.rule).toBe("virtualNetworkRules");
    expect(r.fixes[0]!.fix).toContain(`virtualNetworkSubnetId "${SUBNET2}"`);
  });

  it("SE-SRC-3: a firewall rule for the subnet's public address stops matching once Microsoft.Sql is on, and the fix says why", () => {
    const s = server();
    const children = [fwRule(s, "vm-public-ip", "52.10.0.5", "52.10.0.5")];
    expect(evaluateFirewall(req(s, children, { source: "52.10.0.5" }))).toMatchObject({
      allowed: true,
      rule: "firewallRules/vm-public-ip",
    });
    const r = evaluateFirewall(req(s, children, { subnetId: SUBNET1, source: "10.0.1.4" }));
    expect(r.allowed).toBe(false);
    expect(r.error?.code).toBe("40914");
    expect(r.fixes[0]!.reason).toContain(
      "firewall (IP) rules cannot match a caller that arrives over the Microsoft.Sql endpoint",
    );
    expect(r.fixes[1]!.fix).toContain("remove Microsoft.Sql from subnet vnet1/subnet1");
  });

  it("SE-ACL-5: firewall rules are inclusive start-end ranges of public addresses", () => {
    const s = server();
    const children = [fwRule(s, "office", "198.51.100.10", "198.51.100.20")];
    expect(evaluateFirewall(req(s, children, { source: "198.51.100.10" })).allowed).toBe(true);
    expect(evaluateFirewall(req(s, children, { source: "198.51.100.20" })).allowed).toBe(true);
    expect(evaluateFirewall(req(s, children, { source: "198.51.100.21" })).allowed).toBe(false);
    const priv = [fwRule(s, "private", "10.0.0.0", "10.255.255.255")];
    expect(evaluateFirewall(req(s, priv, { source: "10.0.1.4" })).allowed).toBe(false);
  });

  it("SE-ACL-7: 0.0.0.0-0.0.0.0 (AllowAllWindowsAzureIps) admits Azure public addresses only", () => {
    const s = server();
    const children = [fwRule(s, "AllowAllWindowsAzureIps", "0.0.0.0", "0.0.0.0")];
    expect(evaluateFirewall(req(s, children, { source: "40.112.0.9", fromAzure: true }))).toMatchObject({
      allowed: true,
      rule: "firewallRules/AllowAllWindowsAzureIps",
    });
    expect(evaluateFirewall(req(s, children, { source: "198.51.100.3" })).allowed).toBe(false);
    // Over the endpoint the gateway sees a private address: only a VNet rule can admit.
    expect(evaluateFirewall(req(s, children, { subnetId: SUBNET1, fromAzure: true })).error?.code).toBe(
      "40914",
    );
  });

  it("SE-ACL-7: an Azure caller without the allow-Azure rule is offered an IP rule first, then the switch", () => {
    const r = evaluateFirewall(req(server(), [], { source: "40.112.0.9", fromAzure: true }));
    expect(r.fixes.map((f) => f.rule)).toEqual(["firewallRules", "firewallRules/AllowAllWindowsAzureIps"]);
  });

  it("SE-ACL-8, SE-ACL-2: a rule stored with ignoreMissingVnetServiceEndpoint matches nothing until the endpoint exists", () => {
    const s = server();
    const children = [vnetRule(s, "early", SUBNET1, { ignoreMissingVnetServiceEndpoint: true })];
    const before = evaluateFirewall(req(s, children, { subnetId: SUBNET1, subnetHasEndpoint: () => false }));
    expect(before.allowed).toBe(false);
    expect(before.fixes[0]).toMatchObject({ rule: "virtualNetworkRules/early" });
    expect(evaluateFirewall(req(s, children, { subnetId: SUBNET1 })).allowed).toBe(true);
  });

  it("SE-ACL-8: a rule in state Deleting matches nothing", () => {
    const s = server();
    const r = evaluateFirewall(
      req(s, [vnetRule(s, "r", SUBNET1, { state: "Deleting" })], { subnetId: SUBNET1 }),
    );
    expect(r.allowed).toBe(false);
    expect(r.detail).toContain("state is Deleting");
  });

  it("SE-ACL-9: PostgreSQL refuses with its pg_hba text, and over the endpoint with the VNet text", () => {
    const s = server("postgresql");
    const ip = evaluateFirewall(
      req(s, [], { source: "203.0.113.10", login: { user: "admin@srv1", database: "app" } }),
    );
    expect(ip.error).toEqual({
      code: "28000",
      message: 'no pg_hba.conf entry for host "203.0.113.10", user "admin@srv1", database "app", SSL on',
    });
    const vnet = evaluateFirewall(req(s, [], { subnetId: SUBNET1 }));
    expect(vnet.error?.message).toBe(
      "Client from Azure Virtual Networks is not allowed to access the server. Please make sure your Virtual Network is correctly configured.",
    );
  });

  it("SE-ACL-9: MySQL and MariaDB name their product in the IP refusal", () => {
    expect(evaluateFirewall(req(server("mysql"), [], { source: "203.0.113.10" })).error).toEqual({
      code: "9000",
      message: "Client with IP address '203.0.113.10' is not allowed to connect to this MySQL server.",
    });
    expect(evaluateFirewall(req(server("mariadb"), [], { source: "203.0.113.10" })).error?.message).toBe(
      "Client with IP address '203.0.113.10' is not allowed to connect to this MariaDB server.",
    );
  });

  it("SE-ACL-1: PostgreSQL / MySQL / MariaDB VNet rules work like SQL's", () => {
    for (const flavor of ["postgresql", "mysql", "mariadb"]) {
      const s = server(flavor);
      const r = evaluateFirewall(req(s, [vnetRule(s, "r1", SUBNET1)], { subnetId: SUBNET1 }));
      expect(r, flavor).toMatchObject({ allowed: true, rule: "virtualNetworkRules/r1" });
    }
  });

  it("SE-ONP-1: on-premises sources are admitted only by a firewall rule for their NAT address", () => {
    const s = server();
    const children = [vnetRule(s, "r1", SUBNET1)];
    expect(evaluateFirewall(req(s, children, { source: "131.107.0.10" })).allowed).toBe(false);
    expect(
      evaluateFirewall(
        req(s, [...children, fwRule(s, "onprem", "131.107.0.10", "131.107.0.11")], {
          source: "131.107.0.10",
        }),
      ).allowed,
    ).toBe(true);
  });

  it("ignores other children and refuses everything when publicNetworkAccess is Disabled", () => {
    const s = server("sql", { publicNetworkAccess: "Disabled" });
    const r = evaluateFirewall(req(s, [vnetRule(s, "r1", SUBNET1)], { subnetId: SUBNET1 }));
    expect(r).toMatchObject({ allowed: false, rule: "publicNetworkAccess" });
    const t = server();
    const db = {
      id: `${t.id}/databases/db`,
      name: "db",
      type: "Microsoft.Sql/servers/databases",
      properties: {},
    };
    expect(evaluateFirewall(req(t, [db, fwRule(t, "all", "0.0.0.1", "255.255.255.255")])).allowed).toBe(true);
  });
});
