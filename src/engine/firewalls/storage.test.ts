import { describe, expect, it } from "vitest";
import { parseAddress } from "../../model/ip.js";
import type { ArmResource } from "../../model/resources/common.js";
import { normalizeStorageAccount } from "../../model/resources/storage-account.js";
import { evaluateFirewall } from "./index.js";
import type { FirewallInput } from "./index.js";

const VNET = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1";
const SUBNET1 = `${VNET}/subnets/subnet1`;
const SUBNET2 = `${VNET}/subnets/subnet2`;

function account(networkAcls?: Record<string, unknown>, extra: Record<string, unknown> = {}): ArmResource {
  return normalizeStorageAccount({
    id: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct1",
    name: "acct1",
    type: "Microsoft.Storage/storageAccounts",
    location: "westus",
    kind: "StorageV2",
    sku: { name: "Standard_LRS" },
    properties: { ...(networkAcls ? { networkAcls } : {}), ...extra },
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

const DENY_VNET1 = {
  defaultAction: "Deny",
  bypass: "None",
  virtualNetworkRules: [{ id: SUBNET1, action: "Allow" }],
};

describe("storage firewall", () => {
  it("SE-ACL-7: a new account (no rules, defaultAction Allow) admits everyone", () => {
    const a = account();
    for (const input of [
      req(a),
      req(a, { subnetId: SUBNET2 }),
      req(a, { source: "10.9.9.9" }),
      req(a, { sameRegionAzure: true }),
    ]) {
      const r = evaluateFirewall(input);
      expect(r.allowed).toBe(true);
      expect(r.rule).toBe("networkAcls.defaultAction");
      expect(r.fixes).toEqual([]);
    }
  });

  it("SE-ACL-7: rules are inert while defaultAction is Allow", () => {
    const r = evaluateFirewall(
      req(account({ ...DENY_VNET1, defaultAction: "Allow" }), { source: "198.51.100.1" }),
    );
    expect(r.allowed).toBe(true);
    expect(r.detail).toContain("inert");
  });

  it("SE-ACL-1: a request over subnet1's endpoint matches the VNet rule naming subnet1 (ids case-insensitive)", () => {
    const a = account({
      ...DENY_VNET1,
      virtualNetworkRules: [{ id: SUBNET1.toUpperCase(), action: "Allow" }],
    });
    const r = evaluateFirewall(req(a, { subnetId: SUBNET1 }));
    expect(r).toMatchObject({ allowed: true, rule: "networkAcls.virtualNetworkRules[0]" });
    expect(r.detail).toContain("vnet1/subnet1");
  });

  it("SE-ACL-1, SE-ACL-9: another subnet is refused with 403 AuthorizationFailure and told to add a VNet rule", () => {
    const r = evaluateFirewall(req(account(DENY_VNET1), { subnetId: SUBNET2 }));
    expect(r.allowed).toBe(false);
    expect(r.rule).toBe("networkAcls.defaultAction");
    expect(r.error).toEqual({
      status: 403,
      code: "AuthorizationFailure",
      message: "This request is not authorized to perform this operation.",
    });
    expect(r.fixes[0]!.rule).toBe("networkAcls.virtualNetworkRules");
    expect(r.fixes[0]!.fix).toContain(`{ "id": "${SUBNET2}", "action": "Allow" }`);
  });

  it("SE-SRC-2: the VNet rule matches the subnet identity, not the address (overlapping private spaces)", () => {
    const a = account(DENY_VNET1);
    const other =
      "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet2/subnets/subnet1";
    expect(evaluateFirewall(req(a, { subnetId: SUBNET1, source: "10.0.1.4" })).allowed).toBe(true);
    expect(evaluateFirewall(req(a, { subnetId: other, source: "10.0.1.4" })).allowed).toBe(false);
  });

  it("SE-ACL-8: a rule left in networkSourceDeleted matches nothing, even once the subnet is back", () => {
    const a = account({
      ...DENY_VNET1,
      virtualNetworkRules: [{ id: SUBNET1, action: "Allow", state: "networkSourceDeleted" }],
    });
    const r = evaluateFirewall(req(a, { subnetId: SUBNET1 }));
    expect(r.allowed).toBe(false);
    expect(r.detail).toContain("networkSourceDeleted");
    expect(r.detail).toContain("SE-ACL-8");
    expect(r.fixes[0]).toMatchObject({ rule: "networkAcls.virtualNetworkRules[0]" });
    expect(r.fixes[0]!.fix).toMatch(
      /^Re-add the VNet rule: remove networkAcls\.virtualNetworkRules\[0\] and add/,
    );
  });

  it("SE-ACL-8: a rule whose subnet lost its endpoint matches nothing", () => {
    const a = account(DENY_VNET1);
    const r = evaluateFirewall(req(a, { subnetId: SUBNET1, subnetHasEndpoint: () => false }));
    expect(r.allowed).toBe(false);
    expect(r.detail).toContain("no longer carries the Microsoft.Storage endpoint");
  });

  it("SE-ACL-5: IP rules admit public sources by address or CIDR", () => {
    const a = account({
      defaultAction: "Deny",
      bypass: "None",
      ipRules: [{ value: "198.51.100.7" }, { value: "203.0.113.0/24" }],
    });
    expect(evaluateFirewall(req(a, { source: "198.51.100.7" }))).toMatchObject({
      allowed: true,
      rule: "networkAcls.ipRules[0]",
    });
    expect(evaluateFirewall(req(a, { source: "203.0.113.200" }))).toMatchObject({
      allowed: true,
      rule: "networkAcls.ipRules[1]",
    });
    const denied = evaluateFirewall(req(a, { source: "198.51.100.8" }));
    expect(denied.allowed).toBe(false);
    expect(denied.fixes[0]).toMatchObject({ rule: "networkAcls.ipRules" });
    expect(denied.fixes[0]!.fix).toContain('{ "value": "198.51.100.8", "action": "Allow" }');
  });

  it("SE-ACL-5: a private source never matches an IP rule, even one that contains it", () => {
    const a = account({ defaultAction: "Deny", bypass: "None", ipRules: [{ value: "10.0.0.0/8" }] });
    const r = evaluateFirewall(req(a, { source: "10.0.1.4" }));
    expect(r.allowed).toBe(false);
    expect(r.detail).toContain("private address");
    expect(r.fixes[0]!.fix).toContain("Turn on the Microsoft.Storage service endpoint");
  });

  it("SE-SRC-3: with the endpoint on, the IP rule for the VM's public address stops matching", () => {
    const a = account({ defaultAction: "Deny", bypass: "None", ipRules: [{ value: "198.51.100.7" }] });
    expect(evaluateFirewall(req(a, { source: "198.51.100.7" })).allowed).toBe(true);
    const r = evaluateFirewall(req(a, { subnetId: SUBNET1, source: "10.0.1.4" }));
    expect(r.allowed).toBe(false);
    expect(r.detail).toContain("SE-SRC-3");
    expect(r.fixes.map((f) => f.rule)).toEqual(["networkAcls.virtualNetworkRules"]);
  });

  it("SE-SRC-5: a same-region Azure caller without an endpoint is never matched by IP rules, and the detail says so", () => {
    const a = account({ defaultAction: "Deny", bypass: "None", ipRules: [{ value: "198.51.100.7" }] });
    const r = evaluateFirewall(req(a, { source: "198.51.100.7", sameRegionAzure: true, fromAzure: true }));
    expect(r.allowed).toBe(false);
    expect(r.detail).toContain("SE-SRC-5");
    expect(r.detail).toContain("networkAcls.ipRules[0]");
    expect(r.fixes).toHaveLength(1);
    expect(r.fixes[0]!.reason).toContain("SE-SRC-5");
    expect(r.fixes[0]!.fix).toContain(
      "Turn on the Microsoft.Storage service endpoint on the caller's subnet",
    );
    expect(r.fixes.some((f) => f.rule === "networkAcls.ipRules")).toBe(false);
    expect(r.detail).toContain("same region as the account (westus)");
  });

  it("SE-SRC-5: when the caller's subnet is known, the fix names it", () => {
    const a = account({ defaultAction: "Deny", bypass: "None", ipRules: [{ value: "198.51.100.7" }] });
    const r = evaluateFirewall(
      req(a, { source: "198.51.100.7", sameRegionAzure: true, callerSubnetId: SUBNET2 }),
    );
    expect(r.fixes[0]!.fix).toBe(
      `Turn on the Microsoft.Storage service endpoint on subnet vnet1/subnet2, then add a VNet rule for subnet vnet1/subnet2: { "id": "${SUBNET2}", "action": "Allow" } in networkAcls.virtualNetworkRules of acct1.`,
    );
  });

  it("SE-SRC-5: the same caller over the endpoint is admitted by a VNet rule", () => {
    const r = evaluateFirewall(
      req(account(DENY_VNET1), { subnetId: SUBNET1, sameRegionAzure: true, fromAzure: true }),
    );
    expect(r).toMatchObject({ allowed: true, rule: "networkAcls.virtualNetworkRules[0]" });
  });

  it("SE-ACL-7: bypass AzureServices admits trusted Microsoft services; None does not", () => {
    const trusted = evaluateFirewall(
      req(account({ defaultAction: "Deny", bypass: "Logging, AzureServices" }), { trustedService: true }),
    );
    expect(trusted).toMatchObject({ allowed: true, rule: "networkAcls.bypass" });
    const none = evaluateFirewall(
      req(account({ defaultAction: "Deny", bypass: "None" }), { trustedService: true }),
    );
    expect(none.allowed).toBe(false);
    expect(none.fixes[0]).toMatchObject({
      rule: "networkAcls.bypass",
      fix: 'Set networkAcls.bypass to "AzureServices".',
    });
    const notTrusted = evaluateFirewall(req(account({ defaultAction: "Deny", bypass: "AzureServices" })));
    expect(notTrusted.allowed).toBe(false);
  });

  it("SE-ACL-7: bypass Logging/Metrics is only noted (it admits analytics reads only)", () => {
    const r = evaluateFirewall(
      req(account({ defaultAction: "Deny", bypass: "Logging, Metrics" }), { trustedService: true }),
    );
    expect(r.allowed).toBe(false);
    expect(r.detail).toContain("Logging and Metrics");
    expect(r.fixes[0]!.fix).toBe('Set networkAcls.bypass to "Logging, Metrics, AzureServices".');
  });

  it("SE-SCN-4: VM disk IO is never subject to the network rules; REST access to page blobs is", () => {
    const a = account({ defaultAction: "Deny", bypass: "None" });
    const disk = evaluateFirewall(req(a, { purpose: "disk" }));
    expect(disk.allowed).toBe(true);
    expect(disk.detail).toContain("SE-SCN-4");
    expect(evaluateFirewall(req(a, { purpose: "rest" })).allowed).toBe(false);
  });

  it("SE-ONP-1: on-premises traffic can only be admitted by an IP rule for its public NAT address", () => {
    const locked = account(DENY_VNET1);
    const r = evaluateFirewall(req(locked, { source: "131.107.0.50" }));
    expect(r.allowed).toBe(false);
    expect(r.fixes[0]!.fix).toContain('"value": "131.107.0.50"');
    const open = account({ ...DENY_VNET1, ipRules: [{ value: "131.107.0.50" }] });
    expect(evaluateFirewall(req(open, { source: "131.107.0.50" })).allowed).toBe(true);
  });

  it("SE-ONP-2: both ExpressRoute public-peering NAT addresses must be listed", () => {
    const one = account({ ...DENY_VNET1, ipRules: [{ value: "131.107.0.10" }] });
    expect(evaluateFirewall(req(one, { source: "131.107.0.10" })).allowed).toBe(true);
    expect(evaluateFirewall(req(one, { source: "131.107.0.11" })).allowed).toBe(false);
    const both = account({ ...DENY_VNET1, ipRules: [{ value: "131.107.0.10" }, { value: "131.107.0.11" }] });
    expect(evaluateFirewall(req(both, { source: "131.107.0.11" })).allowed).toBe(true);
  });

  it("SE-ACL-7: publicNetworkAccess Disabled refuses even a matching rule", () => {
    const r = evaluateFirewall(
      req(account(DENY_VNET1, { publicNetworkAccess: "Disabled" }), { subnetId: SUBNET1 }),
    );
    expect(r).toMatchObject({ allowed: false, rule: "publicNetworkAccess" });
    expect(r.error?.code).toBe("AuthorizationFailure");
  });
});
