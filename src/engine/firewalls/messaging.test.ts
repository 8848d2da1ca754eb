import { describe, expect, it } from "vitest";
import { parseAddress } from "../../model/ip.js";
import type { ArmResource } from "../../model/resources/common.js";
import { normalizeNetworkRuleSet } from "../../model/resources/messaging.js";
import { evaluateFirewall, MESSAGING_FIREWALL_MESSAGE } from "./index.js";
import type { FirewallInput } from "./index.js";

const SUBNET2 =
  "/subscriptions/subscriptionid/resourcegroups/resourcegroupid/providers/Microsoft.Network/virtualNetworks/myvn/subnets/subnet2";
const SUBNET3 =
  "/subscriptions/subscriptionid/resourcegroups/resourcegroupid/providers/Microsoft.Network/virtualNetworks/myvn/subnets/subnet3";
const SUBNET9 =
  "/subscriptions/subscriptionid/resourcegroups/resourcegroupid/providers/Microsoft.Network/virtualNetworks/myvn/subnets/subnet9";

function namespace(service: "ServiceBus" | "EventHub"): ArmResource {
  return {
    id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.${service}/namespaces/ns1`,
    name: "ns1",
    type: `Microsoft.${service}/namespaces`,
    location: "westus",
    sku: { name: service === "ServiceBus" ? "Premium" : "Standard" },
    properties: {},
  };
}
function ruleSet(ns: ArmResource, props: Record<string, unknown>): ArmResource {
  return normalizeNetworkRuleSet({
    id: `${ns.id}/networkRuleSets/default`,
    name: "default",
    type: `${ns.type}/networkRuleSets`,
    properties: props,
  });
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
/** The rule set of SBNetworkRuleSetCreate.json. */
const EXAMPLE = {
  defaultAction: "Deny",
  virtualNetworkRules: [
    { subnet: { id: SUBNET2 }, ignoreMissingVnetServiceEndpoint: true },
    { subnet: { id: SUBNET3 }, ignoreMissingVnetServiceEndpoint: false },
  ],
  ipRules: [
    { ipMask: "1.1.1.1", action: "Allow" },
    { ipMask: "1.1.1.2", action: "Allow" },
  ],
};

describe("Service Bus / Event Hubs firewall", () => {
  it("SE-ACL-7: a namespace without networkRuleSets/default, or with defaultAction Allow, admits everyone", () => {
    const ns = namespace("ServiceBus");
    expect(evaluateFirewall(req(ns, []))).toMatchObject({ allowed: true, rule: "networkRuleSets/default" });
    expect(evaluateFirewall(req(ns, [ruleSet(ns, { ...EXAMPLE, defaultAction: "Allow" })]))).toMatchObject({
      allowed: true,
      rule: "networkRuleSets/default.defaultAction",
    });
  });

  it("SE-ACL-1: a VNet rule (subnet.id) admits its subnet over the endpoint", () => {
    const ns = namespace("ServiceBus");
    const r = evaluateFirewall(req(ns, [ruleSet(ns, EXAMPLE)], { subnetId: SUBNET3 }));
    expect(r).toMatchObject({ allowed: true, rule: "networkRuleSets/default.virtualNetworkRules[1]" });
  });

  it("SE-ACL-5: IP rules (ipMask) admit listed public addresses", () => {
    const ns = namespace("EventHub");
    expect(evaluateFirewall(req(ns, [ruleSet(ns, EXAMPLE)], { source: "1.1.1.2" }))).toMatchObject({
      allowed: true,
      rule: "networkRuleSets/default.ipRules[1]",
    });
  });

  it("SE-ACL-9: a refusal is 401 'Ip has been prevented to connect to the endpoint.'", () => {
    for (const svc of ["ServiceBus", "EventHub"] as const) {
      const ns = namespace(svc);
      const r = evaluateFirewall(req(ns, [ruleSet(ns, EXAMPLE)], { source: "198.51.100.1" }));
      expect(r.allowed, svc).toBe(false);
      expect(r.rule).toBe("networkRuleSets/default.defaultAction");
      expect(r.error).toEqual({ status: 401, code: "401", message: MESSAGING_FIREWALL_MESSAGE });
      expect(r.error!.message.startsWith("Ip has been prevented to connect to the endpoint.")).toBe(true);
      expect(r.fixes[0]!.fix).toBe(
        'Add { "ipMask": "198.51.100.1", "action": "Allow" } to ipRules of ns1/networkRuleSets/default.',
      );
    }
  });

  it("SE-ACL-1: an unlisted subnet is told to add { subnet: { id } } and names the right endpoint", () => {
    const ns = namespace("EventHub");
    const r = evaluateFirewall(req(ns, [ruleSet(ns, EXAMPLE)], { subnetId: SUBNET9 }));
    expect(r.allowed).toBe(false);
    expect(r.fixes[0]!.fix).toContain(`{ "subnet": { "id": "${SUBNET9}" }`);
    expect(r.detail).toContain("Microsoft.EventHub endpoint");
  });

  it("SE-ACL-8: a rule accepted with ignoreMissingVnetServiceEndpoint matches nothing until the endpoint exists", () => {
    const ns = namespace("ServiceBus");
    const r = evaluateFirewall(
      req(ns, [ruleSet(ns, EXAMPLE)], { subnetId: SUBNET2, subnetHasEndpoint: (id) => id !== SUBNET2 }),
    );
    expect(r.allowed).toBe(false);
    expect(r.fixes[0]).toMatchObject({ rule: "networkRuleSets/default.virtualNetworkRules[0]" });
  });

  it("SE-ACL-7: trustedServiceAccessEnabled admits trusted services; publicNetworkAccess Disabled refuses all", () => {
    const ns = namespace("ServiceBus");
    expect(
      evaluateFirewall(
        req(ns, [ruleSet(ns, { ...EXAMPLE, trustedServiceAccessEnabled: true })], { trustedService: true }),
      ).rule,
    ).toBe("networkRuleSets/default.trustedServiceAccessEnabled");
    expect(evaluateFirewall(req(ns, [ruleSet(ns, EXAMPLE)], { trustedService: true })).allowed).toBe(false);
    const off = evaluateFirewall(
      req(ns, [ruleSet(ns, { ...EXAMPLE, publicNetworkAccess: "Disabled" })], { subnetId: SUBNET3 }),
    );
    expect(off).toMatchObject({ allowed: false, rule: "networkRuleSets/default.publicNetworkAccess" });
  });
});
