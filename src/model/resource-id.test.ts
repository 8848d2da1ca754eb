import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  childId,
  formatResourceId,
  fullType,
  idKey,
  isWithinScope,
  leafName,
  parentId,
  parseLinkedId,
  parseResourceId,
  sameId,
  tryParseResourceId,
} from "./resource-id.js";
import { ArmError } from "./errors.js";

const subnet =
  "/subscriptions/Sub1/resourceGroups/My-RG/providers/Microsoft.Network/virtualNetworks/VNet1/subnets/Subnet1";

describe("resource ids", () => {
  it("SE-RES-1: parses subscription, group, namespace, types and names, keeping the original casing", () => {
    const id = parseResourceId(subnet);
    expect(id.subscriptionId).toBe("Sub1");
    expect(id.resourceGroup).toBe("My-RG");
    expect(id.namespace).toBe("Microsoft.Network");
    expect(id.types).toEqual(["virtualNetworks", "subnets"]);
    expect(id.names).toEqual(["VNet1", "Subnet1"]);
    expect(id.text).toBe(subnet);
    expect(fullType(id)).toBe("Microsoft.Network/virtualNetworks/subnets");
    expect(leafName(id)).toBe("Subnet1");
  });

  it("SE-RES-1: compares case-insensitively", () => {
    expect(sameId(subnet, subnet.toLowerCase())).toBe(true);
    expect(sameId(subnet, subnet.replace("resourceGroups", "resourcegroups") + "/")).toBe(true);
    expect(sameId(subnet, subnet.replace("Subnet1", "Subnet2"))).toBe(false);
    expect(parseResourceId(subnet).key).toBe(parseResourceId(subnet.toUpperCase()).key);
  });

  it("parses subscription, group, tenant-level and subscription-level ids", () => {
    expect(parseResourceId("/subscriptions/s").subscriptionId).toBe("s");
    expect(parseResourceId("/subscriptions/s/resourceGroups/g").resourceGroup).toBe("g");
    expect(parseResourceId("/providers/Microsoft.Network/locations/westus").types).toEqual(["locations"]);
    expect(
      parseResourceId("/subscriptions/s/providers/Microsoft.Network/locations/westus").resourceGroup,
    ).toBeUndefined();
  });

  it("refuses malformed ids with InvalidResourceId / LinkedInvalidPropertyId", () => {
    for (const bad of [
      "",
      "subscriptions/s",
      "/subscriptions",
      "/subscriptions/s/resourceGroups",
      "/subscriptions/s/foo/bar",
      "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks",
    ]) {
      expect(tryParseResourceId(bad)).toBeUndefined();
      expect(() => parseResourceId(bad)).toThrow(ArmError);
    }
    try {
      parseLinkedId("not-an-id", "properties.virtualNetworkSubnetId");
      expect.unreachable();
    } catch (e) {
      expect((e as ArmError).code).toBe("LinkedInvalidPropertyId");
      expect((e as ArmError).status).toBe(400);
    }
  });

  it("formats, walks to parents and children, and checks scopes", () => {
    const id = parseResourceId(subnet);
    expect(formatResourceId(id)).toBe(subnet);
    expect(parentId(id)!.text).toBe(
      "/subscriptions/Sub1/resourceGroups/My-RG/providers/Microsoft.Network/virtualNetworks/VNet1",
    );
    expect(parentId(parentId(id)!)!.text).toBe("/subscriptions/Sub1/resourceGroups/My-RG");
    expect(childId(parentId(id)!, "subnets", "x")).toBe(
      "/subscriptions/Sub1/resourceGroups/My-RG/providers/Microsoft.Network/virtualNetworks/VNet1/subnets/x",
    );
    expect(isWithinScope(subnet, "/subscriptions/sub1")).toBe(true);
    expect(isWithinScope(subnet, "/subscriptions/sub1/resourcegroups/my-rg")).toBe(true);
    expect(isWithinScope(subnet, "/subscriptions/sub1/resourcegroups/my-r")).toBe(false);
    expect(idKey("/A//B/")).toBe("/a/b");
  });

  it("round-trips any well-formed id (property)", () => {
    const seg = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/);
    fc.assert(
      fc.property(
        seg,
        seg,
        seg,
        fc.array(fc.tuple(seg, seg), { minLength: 1, maxLength: 3 }),
        (s, g, ns, pairs) => {
          const text = formatResourceId({
            subscriptionId: s,
            resourceGroup: g,
            namespace: ns,
            types: pairs.map((p) => p[0]),
            names: pairs.map((p) => p[1]),
          });
          const id = parseResourceId(text);
          expect(id.text).toBe(text);
          expect(id.names).toEqual(pairs.map((p) => p[1]));
          expect(sameId(text, text.toUpperCase())).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
