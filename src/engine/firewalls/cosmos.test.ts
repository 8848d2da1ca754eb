import { describe, expect, it } from "vitest";
import { parseAddress } from "../../model/ip.js";
import type { ArmResource } from "../../model/resources/common.js";
import { normalizeCosmosAccount } from "../../model/resources/cosmos-db.js";
import { evaluateFirewall } from "./index.js";
import type { FirewallInput } from "./index.js";

const SUBNET1 =
  "/subscriptions/subId/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/subnet1";
const SUBNET2 =
  "/subscriptions/subId/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/subnet2";

function account(props: Record<string, unknown>): ArmResource {
  return normalizeCosmosAccount({
    id: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.DocumentDB/databaseAccounts/ddb1",
    name: "ddb1",
    type: "Microsoft.DocumentDB/databaseAccounts",
    location: "westus",
    properties: props,
  });
}
function req(
  resource: ArmResource,
  o: Partial<Omit<FirewallInput, "sourceAddress">> & { source?: string } = {},
): FirewallInput {
  const { source, ...rest } = o;
  return {
    resource,
    children: [],
    sourceAddress: parseAddress(source ?? (rest.subnetId ? "10.0.1.4" : "203.0.113.10")),
    subnetHasEndpoint: () => true,
    fromAzure: false,
    sameRegionAzure: false,
    trustedService: false,
    purpose: "rest",
    ...rest,
  };
}

describe("Cosmos DB firewall", () => {
  it("SE-ACL-7: no IP filter and the VNet filter off admits everyone", () => {
    const a = account({});
    expect(evaluateFirewall(req(a))).toMatchObject({ allowed: true, rule: "ipRangeFilter" });
    expect(evaluateFirewall(req(a, { subnetId: SUBNET1 })).allowed).toBe(true);
  });

  it("SE-ACL-1: the example account (capital-VN flag) admits subnet1 over the endpoint", () => {
    const a = account({
      ipRangeFilter: "10.10.10.10",
      isVirtualNetworkFilterEnabled: true,
      virtualNetworkRules: [{ id: SUBNET1, ignoreMissingVNetServiceEndpoint: false }],
    });
    expect(evaluateFirewall(req(a, { subnetId: SUBNET1 }))).toMatchObject({
      allowed: true,
      rule: "virtualNetworkRules[0]",
    });
  });

  it("SE-ACL-9: another subnet gets 403 Forbidden with the VNET wording", () => {
    const a = account({ isVirtualNetworkFilterEnabled: true, virtualNetworkRules: [{ id: SUBNET1 }] });
    const r = evaluateFirewall(req(a, { subnetId: SUBNET2 }));
    expect(r.allowed).toBe(false);
    expect(r.rule).toBe("virtualNetworkRules");
    expect(r.error).toEqual({
      status: 403,
      code: "Forbidden",
      message:
        "Request originated from VNET through service endpoint. This is blocked by your Cosmos DB account firewall settings.",
    });
  });

  it("SE-ACL-1: VNet rules take effect only with isVirtualNetworkFilterEnabled; the fix says to switch it on", () => {
    const a = account({
      ipRangeFilter: "13.91.6.132",
      isVirtualNetworkFilterEnabled: false,
      virtualNetworkRules: [{ id: SUBNET1 }],
    });
    const r = evaluateFirewall(req(a, { subnetId: SUBNET1 }));
    expect(r.allowed).toBe(false);
    expect(r.rule).toBe("isVirtualNetworkFilterEnabled");
    expect(r.fixes[0]).toMatchObject({
      rule: "isVirtualNetworkFilterEnabled",
      fix: "Set isVirtualNetworkFilterEnabled to true on ddb1.",
    });
    const b = account({ ipRangeFilter: "13.91.6.132" });
    expect(evaluateFirewall(req(b, { subnetId: SUBNET1 })).fixes[0]!.fix).toContain(
      "and set isVirtualNetworkFilterEnabled to true",
    );
  });

  it("SE-ACL-5, SE-ACL-9: ipRangeFilter admits listed public addresses; others get the public-internet wording", () => {
    const a = account({ ipRangeFilter: "13.91.6.132,13.91.6.1/24" });
    expect(evaluateFirewall(req(a, { source: "13.91.6.132" }))).toMatchObject({
      allowed: true,
      rule: "ipRangeFilter",
    });
    expect(evaluateFirewall(req(a, { source: "13.91.6.77" })).allowed).toBe(true);
    const r = evaluateFirewall(req(a, { source: "198.51.100.1" }));
    expect(r.error).toEqual({
      status: 403,
      code: "Forbidden",
      message:
        "Request originated from IP 198.51.100.1 through public internet. This is blocked by your Cosmos DB account firewall settings.",
    });
    expect(r.fixes[0]).toMatchObject({
      rule: "ipRangeFilter",
      fix: 'Append "198.51.100.1" to ipRangeFilter of ddb1 (a comma-separated list).',
    });
  });

  it("SE-ACL-5: a private address in ipRangeFilter never matches a private source", () => {
    const a = account({ ipRangeFilter: "10.10.10.10" });
    expect(evaluateFirewall(req(a, { source: "10.10.10.10" })).allowed).toBe(false);
  });

  it("SE-ACL-7: 0.0.0.0 in ipRangeFilter admits Azure public addresses, not others", () => {
    const a = account({ ipRangeFilter: "0.0.0.0" });
    expect(evaluateFirewall(req(a, { source: "40.112.0.9", fromAzure: true }))).toMatchObject({
      allowed: true,
      rule: "ipRangeFilter",
    });
    expect(evaluateFirewall(req(a, { source: "198.51.100.1" })).allowed).toBe(false);
    const b = account({ ipRangeFilter: "1.2.3.4" });
    expect(
      evaluateFirewall(req(b, { source: "40.112.0.9", fromAzure: true })).fixes.map((f) => f.fix),
    ).toEqual([
      'Append "40.112.0.9" to ipRangeFilter of ddb1 (a comma-separated list).',
      'Append "0.0.0.0" to ipRangeFilter of ddb1 (admits every Azure datacenter address).',
    ]);
  });

  it("SE-ACL-5: newer ipRules[].ipAddressOrRange entries count too", () => {
    const a = account({ ipRules: [{ ipAddressOrRange: "198.51.100.0/24" }] });
    expect(evaluateFirewall(req(a, { source: "198.51.100.9" }))).toMatchObject({
      allowed: true,
      rule: "ipRules[0]",
    });
  });

  it("SE-ACL-7: the VNet filter on with no rules and no IP filter refuses the public internet", () => {
    const r = evaluateFirewall(req(account({ isVirtualNetworkFilterEnabled: true })));
    expect(r.allowed).toBe(false);
    expect(r.error?.message).toContain("through public internet");
  });

  it("SE-ACL-8: a rule stored with ignoreMissingVNetServiceEndpoint matches nothing while the subnet lacks the endpoint", () => {
    const a = account({
      isVirtualNetworkFilterEnabled: true,
      virtualNetworkRules: [{ id: SUBNET1, ignoreMissingVNetServiceEndpoint: true }],
    });
    const r = evaluateFirewall(req(a, { subnetId: SUBNET1, subnetHasEndpoint: () => false }));
    expect(r.allowed).toBe(false);
    expect(r.fixes[0]!.rule).toBe("virtualNetworkRules[0]");
  });
});
