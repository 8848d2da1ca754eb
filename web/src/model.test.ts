/** The estate the portal draws, from the demo network and from a generated large one. */
import { describe, expect, it } from "vitest";
import { quickstartResources } from "../../src/demo/quickstart.js";
import { layoutEstate, type Box } from "./layout.js";
import { buildEstate, key, type Res } from "./model.js";

const demo = quickstartResources() as unknown as Res[];

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe("estate", () => {
  it("the demo: VNet1 with subnet1 (Storage endpoint, NSG, testvm0) and subnet2 (testvm1), the account's rule naming subnet1", () => {
    const e = buildEstate(demo, {});
    expect(e.vnets.map((v) => v.name)).toEqual(["VNet1"]);
    const [s1, s2] = e.vnets[0]!.subnets;
    expect(s1!.endpoints.map((x) => x.service)).toEqual(["Microsoft.Storage"]);
    expect(s1!.nsgId).toMatch(/default-NSG$/);
    expect(s1!.nics.map((n) => n.vmName)).toEqual(["testvm0"]);
    expect(s2!.nics.map((n) => n.vmName)).toEqual(["testvm1"]);
    const acct = e.services.find((s) => s.name === "lazuritedemo0sa")!;
    expect(acct.service).toBe("Microsoft.Storage");
    expect(acct.access).toBe("Selected networks");
    expect(acct.vnetRules).toEqual([
      { subnetId: s1!.id, where: "networkAcls.virtualNetworkRules[0].id", stale: false },
    ]);
  });

  it("SE-ACL-8: a rule naming a subnet without the endpoint, a missing subnet, or in a stale state is drawn broken", () => {
    const r = structuredClone(demo);
    const acct = r.find((x) => x.name === "lazuritedemo0sa")!;
    const subnet2 = acct.id.replace(
      /providers\/.*/,
      "providers/Microsoft.Network/virtualNetworks/VNet1/subnets/subnet2",
    );
    const acls = acct.properties!.networkAcls;
    acls.virtualNetworkRules = [
      { id: acls.virtualNetworkRules[0].id, action: "Allow", state: "networkSourceDeleted" },
      { id: subnet2, action: "Allow" },
      { id: subnet2.replace("subnet2", "gone"), action: "Allow" },
    ];
    const rules = buildEstate(r).services.find((s) => s.name === "lazuritedemo0sa")!.vnetRules;
    expect(rules.map((x) => x.stale)).toEqual([true, true, true]);
    expect(rules[0]!.reason).toContain("networkSourceDeleted");
    expect(rules[1]!.reason).toBe("subnet VNet1/subnet2 has no Microsoft.Storage endpoint");
    expect(rules[2]!.reason).toBe("the subnet does not exist");
  });

  it("a few hundred subnets lay out without overlapping, VNet boxes holding their subnets", () => {
    const resources: Res[] = [];
    for (let v = 0; v < 30; v++) {
      const id = `/subscriptions/s/resourceGroups/rg${v % 3}/providers/Microsoft.Network/virtualNetworks/vnet${v}`;
      resources.push({
        id,
        name: `vnet${v}`,
        type: "Microsoft.Network/virtualNetworks",
        location: "westus",
        properties: {
          addressSpace: { addressPrefixes: [`10.${v}.0.0/16`] },
          subnets: Array.from({ length: 10 }, (_, i) => ({
            id: `${id}/subnets/s${i}`,
            name: `s${i}`,
            properties: { addressPrefix: `10.${v}.${i}.0/24` },
          })),
        },
      });
    }
    const e = buildEstate(resources);
    expect(e.subnets.size).toBe(300);
    const layout = layoutEstate(e);
    const subnetBoxes = [...e.subnets.values()].map((s) => layout.boxes.get(s.key)!);
    let overlapping = 0;
    for (let i = 0; i < subnetBoxes.length; i++)
      for (let j = i + 1; j < subnetBoxes.length; j++)
        if (overlaps(subnetBoxes[i]!, subnetBoxes[j]!)) overlapping++;
    expect(overlapping).toBe(0);
    for (const v of e.vnets) {
      const vb = layout.boxes.get(key(v.id))!;
      for (const s of v.subnets) {
        const sb = layout.boxes.get(s.key)!;
        expect(sb.x >= vb.x && sb.y >= vb.y && sb.x + sb.w <= vb.x + vb.w && sb.y + sb.h <= vb.y + vb.h).toBe(
          true,
        );
      }
    }
  });
});
