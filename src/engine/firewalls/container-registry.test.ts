import { describe, expect, it } from "vitest";
import { parseAddress } from "../../model/ip.js";
import type { ArmResource } from "../../model/resources/common.js";
import { normalizeContainerRegistry } from "../../model/resources/container-registry.js";
import { evaluateFirewall } from "./index.js";
import type { FirewallInput } from "./index.js";

const SUBNET1 =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/subnet1";
const SUBNET2 =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/subnet2";

function registry(sku: string, networkRuleSet?: Record<string, unknown>): ArmResource {
  return normalizeContainerRegistry({
    id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/reg1",
    name: "reg1",
    type: "Microsoft.ContainerRegistry/registries",
    location: "westus",
    sku: { name: sku },
    properties: networkRuleSet ? { networkRuleSet } : {},
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
const LOCKED = {
  defaultAction: "Deny",
  virtualNetworkRules: [{ action: "Allow", id: SUBNET1 }],
  ipRules: [{ action: "Allow", value: "198.51.100.0/24" }],
};

describe("Container Registry firewall", () => {
  it("SE-ACL-7: a new Premium registry (defaultAction Allow) admits everyone", () => {
    expect(evaluateFirewall(req(registry("Premium")))).toMatchObject({
      allowed: true,
      rule: "networkRuleSet.defaultAction",
    });
  });

  it("SE-RES-4: network rules apply to Premium registries only", () => {
    const r = evaluateFirewall(req(registry("Standard", LOCKED)));
    expect(r).toMatchObject({ allowed: true, rule: "sku" });
    expect(r.detail).toContain("Premium");
  });

  it("SE-ACL-1, SE-ACL-5: VNet rules (id) and IP rules (value) admit", () => {
    const reg = registry("Premium", LOCKED);
    expect(evaluateFirewall(req(reg, { subnetId: SUBNET1 }))).toMatchObject({
      allowed: true,
      rule: "networkRuleSet.virtualNetworkRules[0]",
    });
    expect(evaluateFirewall(req(reg, { source: "198.51.100.77" }))).toMatchObject({
      allowed: true,
      rule: "networkRuleSet.ipRules[0]",
    });
  });

  it("SE-ACL-9: a refusal is 403 DENIED 'client with IP … is not allowed access'", () => {
    const r = evaluateFirewall(req(registry("Premium", LOCKED), { subnetId: SUBNET2, source: "10.0.2.4" }));
    expect(r.allowed).toBe(false);
    expect(r.error).toEqual({
      status: 403,
      code: "DENIED",
      message:
        "client with IP '10.0.2.4' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.",
    });
    expect(r.fixes[0]!.fix).toBe(
      `Add a VNet rule for subnet vnet1/subnet2: { "action": "Allow", "id": "${SUBNET2}" } in networkRuleSet.virtualNetworkRules of reg1.`,
    );
  });

  it("SE-ACL-8: a rule whose subnet lost the Microsoft.ContainerRegistry endpoint matches nothing", () => {
    expect(
      evaluateFirewall(
        req(registry("Premium", LOCKED), { subnetId: SUBNET1, subnetHasEndpoint: () => false }),
      ).allowed,
    ).toBe(false);
  });
});
