import { describe, expect, it } from "vitest";
import {
  findNetworkRuleSet,
  messagingFlavorOf,
  normalizeMessagingNamespace,
  normalizeNetworkRuleSet,
} from "./messaging.js";

const NS = "/subscriptions/sub1/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/ns1";

describe("Service Bus / Event Hubs model (SE-RES-4)", () => {
  it("SE-RES-4: a namespace gets its endpoint, metricId and status", () => {
    const n = normalizeMessagingNamespace({
      id: NS,
      name: "ns1",
      type: "Microsoft.ServiceBus/namespaces",
      sku: { name: "Premium" },
      properties: {},
    });
    expect(n.properties).toMatchObject({
      serviceBusEndpoint: "https://ns1.servicebus.windows.net:443/",
      metricId: "sub1:ns1",
      status: "Active",
      provisioningState: "Succeeded",
    });
    expect(messagingFlavorOf("microsoft.eventhub/NAMESPACES")).toBe("eventhub");
  });

  it("SE-RES-4: networkRuleSets/default gets the API's type spelling and rule defaults (subnet.id, ipMask)", () => {
    const rs = normalizeNetworkRuleSet({
      id: `${NS}/networkRuleSets/default`,
      name: "default",
      type: "Microsoft.ServiceBus/namespaces/networkRuleSets",
      properties: {
        defaultAction: "Deny",
        virtualNetworkRules: [{ subnet: { id: "/x/subnets/a" } }],
        ipRules: [{ ipMask: "1.1.1.1" }],
      },
    });
    expect(rs.type).toBe("Microsoft.ServiceBus/Namespaces/NetworkRuleSet");
    expect(rs.properties).toEqual({
      defaultAction: "Deny",
      virtualNetworkRules: [{ subnet: { id: "/x/subnets/a" }, ignoreMissingVnetServiceEndpoint: false }],
      ipRules: [{ ipMask: "1.1.1.1", action: "Allow" }],
    });
    const eh = normalizeNetworkRuleSet({
      id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/e/networkRuleSets/default",
      name: "",
      type: "x",
      properties: {},
    });
    expect(eh.type).toBe("Microsoft.EventHub/Namespaces/NetworkRuleSet");
    expect(eh.name).toBe("default");
    expect(eh.properties.defaultAction).toBe("Allow");
  });

  it("finds the rule set among a namespace's children by either type spelling", () => {
    const rs = {
      id: `${NS}/networkrulesets/default`,
      name: "default",
      type: "Microsoft.ServiceBus/Namespaces/NetworkRuleSet",
      properties: {},
    };
    expect(
      findNetworkRuleSet([
        { id: `${NS}/queues/q`, name: "q", type: "Microsoft.ServiceBus/namespaces/queues", properties: {} },
        rs,
      ]),
    ).toBe(rs);
    expect(findNetworkRuleSet([])).toBeUndefined();
  });
});
