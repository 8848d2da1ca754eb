import { describe, expect, it } from "vitest";
import { normalizeContainerRegistry } from "./container-registry.js";

describe("Container Registry model (SE-RES-4)", () => {
  it("SE-RES-4: a Premium registry gets loginServer and the default networkRuleSet (wire names id/value)", () => {
    const r = normalizeContainerRegistry({
      id: "/r",
      name: "MyReg",
      type: "Microsoft.ContainerRegistry/registries",
      sku: { name: "Premium" },
      properties: {
        networkRuleSet: {
          defaultAction: "Deny",
          virtualNetworkRules: [{ id: "/x/subnets/a" }],
          ipRules: [{ value: "1.2.3.4" }],
        },
      },
    });
    expect(r.properties.loginServer).toBe("myreg.azurecr.io");
    expect(r.properties.adminUserEnabled).toBe(false);
    expect(r.properties.networkRuleSet).toEqual({
      defaultAction: "Deny",
      virtualNetworkRules: [{ id: "/x/subnets/a", action: "Allow" }],
      ipRules: [{ value: "1.2.3.4", action: "Allow" }],
    });
    const fresh = normalizeContainerRegistry({
      id: "/r2",
      name: "r2",
      type: "Microsoft.ContainerRegistry/registries",
      sku: { name: "Premium" },
      properties: {},
    });
    expect(fresh.properties.networkRuleSet).toEqual({
      defaultAction: "Allow",
      virtualNetworkRules: [],
      ipRules: [],
    });
  });

  it("SE-RES-4: Basic and Standard registries get no networkRuleSet (rules need Premium)", () => {
    const r = normalizeContainerRegistry({
      id: "/r",
      name: "r",
      type: "Microsoft.ContainerRegistry/registries",
      sku: { name: "Basic" },
      properties: {},
    });
    expect(r.properties.networkRuleSet).toBeUndefined();
  });
});
