import { describe, expect, it } from "vitest";
import { Snapshot } from "../engine/snapshot.js";
import { defaultServiceTagCatalog } from "../model/catalog/synthetic-service-tags.js";
import { isArmError } from "../model/errors.js";
import type { ArmResource } from "../model/resources/common.js";
import { DEMO_RESOURCE_GROUP, DEMO_SUBSCRIPTION, quickstartResources } from "../demo/quickstart.js";
import { applyChange } from "./change.js";
import { whatIf } from "./what-if.js";
import { whoCanReach } from "./who-can-reach.js";

const catalog = defaultServiceTagCatalog();
const rg = `/subscriptions/${DEMO_SUBSCRIPTION}/resourceGroups/${DEMO_RESOURCE_GROUP}`;
const vnet = `${rg}/providers/Microsoft.Network/virtualNetworks/VNet1`;
const subnet1 = `${vnet}/subnets/subnet1`;
const nic = (i: number) => `${rg}/providers/Microsoft.Network/networkInterfaces/nic${i}`;
const account = `${rg}/providers/Microsoft.Storage/storageAccounts/lazuritedemo0sa`;
const snap = (resources: ArmResource[]) => new Snapshot(resources, { serviceTags: catalog });

/** subnet1 as the quickstart has it, without its serviceEndpoints: what a careless PUT sends. */
function subnet1WithoutEndpoints(resources: ArmResource[]): Record<string, unknown> {
  const v = resources.find((r) => r.id.toLowerCase() === vnet.toLowerCase())!;
  const s = (v.properties.subnets as ArmResource[]).find((x) => x.name === "subnet1")!;
  const props = { ...s.properties };
  delete props.serviceEndpoints;
  return { properties: props };
}

describe("who can reach a resource", () => {
  it("lists every NIC with the decision, the address the service sees, and the first fix", () => {
    const a = whoCanReach(snap(quickstartResources()), {
      kind: "resource",
      resourceId: account,
      endpoint: "blob",
    });
    expect(a.allowed).toBe(1);
    expect(a.denied).toBe(1);
    const [r0, r1] = [nic(0), nic(1)].map((id) => a.rows.find((r) => r.networkInterfaceId === id)!);
    expect(r0).toMatchObject({ decision: "Allowed", viaServiceEndpoint: true, sourceAddress: "10.0.1.4" });
    expect(r0!.blocker).toBeUndefined();
    expect(r1).toMatchObject({
      decision: "Denied",
      viaServiceEndpoint: false,
      errorCode: "AuthorizationFailure",
    });
    expect(r1!.blocker?.kind).toBe("ServiceFirewall");
    expect(r1!.blocker?.fix).toMatch(/subnet2/);
    // Sorted by subnet, then NIC.
    expect(a.rows.map((r) => r.subnetId.split("/").pop())).toEqual(["subnet1", "subnet2"]);
  });

  it("a destination that does not exist is an ArmError, not an empty answer", () => {
    let err: unknown;
    try {
      whoCanReach(snap(quickstartResources()), { kind: "resource", resourceId: `${account}x` });
    } catch (e) {
      err = e;
    }
    expect(isArmError(err)).toBe(true);
  });
});

describe("what-if", () => {
  it("SE-CFG-7: a subnet PUT that omits serviceEndpoints removes them; the what-if says so, names the VNet rule and the flow it breaks", () => {
    const before = quickstartResources();
    const after = applyChange(before, { kind: "put", id: subnet1, body: subnet1WithoutEndpoints(before) });
    const r = whatIf(snap(before), snap(after));
    expect(r.changes).toEqual([{ resourceId: subnet1, changeType: "Modify" }]);
    expect(r.endpointChanges).toEqual([{ subnetId: subnet1, removed: ["Microsoft.Storage"], added: [] }]);
    const removed = r.warnings.find((w) => w.code === "ServiceEndpointRemoved")!;
    expect(removed.resourceId).toBe(subnet1);
    expect(removed.message).toMatch(/SE-CFG-7/);
    expect(removed.message).toMatch(/lazuritedemo0sa networkAcls\.virtualNetworkRules\[0\]/);
    expect(r.warnings.some((w) => w.code === "ConnectionsReset" && /SE-CFG-6/.test(w.message))).toBe(true);
    expect(r.scope).toBe("all");
    expect(r.broken).toBe(1);
    expect(r.opened).toBe(0);
    expect(r.flows).toHaveLength(1);
    expect(r.flows[0]).toMatchObject({
      networkInterfaceId: nic(0),
      destinationResourceId: account,
      before: "Allowed",
      after: "Denied",
      beforeViaServiceEndpoint: true,
      afterViaServiceEndpoint: false,
      beforeSourceAddress: "10.0.1.4",
    });
    expect(r.flows[0]!.blocker?.kind).toBe("ServiceFirewall");
  });

  it("the same PUT with serviceEndpoints kept changes nothing", () => {
    const before = quickstartResources();
    const body = subnet1WithoutEndpoints(before) as { properties: Record<string, unknown> };
    body.properties.serviceEndpoints = [{ service: "Microsoft.Storage" }];
    const r = whatIf(snap(before), snap(applyChange(before, { kind: "put", id: subnet1, body })));
    expect(r.endpointChanges).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.flows).toEqual([]);
    expect(r.broken).toBe(0);
  });

  it("SE-COST-1: adding the endpoint on subnet2 and a VNet rule for it opens testvm1's flow, at no charge", () => {
    let res = quickstartResources();
    const v = res.find((x) => x.id.toLowerCase() === vnet.toLowerCase())!;
    const s2 = (v.properties.subnets as ArmResource[]).find((x) => x.name === "subnet2")!;
    res = applyChange(res, {
      kind: "put",
      id: `${vnet}/subnets/subnet2`,
      body: { properties: { ...s2.properties, serviceEndpoints: [{ service: "Microsoft.Storage" }] } },
    });
    const acct = res.find((x) => x.id === account)!;
    const acls = acct.properties.networkAcls as { virtualNetworkRules: unknown[] };
    const after = applyChange(res, {
      kind: "put",
      id: account,
      body: {
        ...acct,
        properties: {
          ...acct.properties,
          networkAcls: {
            ...acls,
            virtualNetworkRules: [...acls.virtualNetworkRules, { id: `${vnet}/subnets/subnet2` }],
          },
        },
      },
    });
    const r = whatIf(snap(quickstartResources()), snap(after));
    expect(r.endpointChanges).toEqual([
      { subnetId: `${vnet}/subnets/subnet2`, removed: [], added: ["Microsoft.Storage"] },
    ]);
    // SE-COST-1: the cost report of the change shows no charge for the endpoint.
    expect(r.costs).toEqual([
      {
        resourceId: `${vnet}/subnets/subnet2`,
        item: "Microsoft.Storage service endpoint",
        monthlyCharge: 0,
        note: expect.stringMatching(/no charge.*SE-COST-1/),
      },
    ]);
    expect(r.opened).toBe(1);
    expect(r.broken).toBe(0);
    expect(r.flows[0]).toMatchObject({
      networkInterfaceId: nic(1),
      before: "Denied",
      after: "Allowed",
      afterViaServiceEndpoint: true,
    });
    expect(r.changes.map((c) => c.changeType).sort()).toEqual(["Modify", "Modify"]);
  });

  it("deleting the VNet's subnet1 warns about the VNet rule that names it; a large snapshot is narrowed to what the change touches", () => {
    const before = quickstartResources();
    const after = applyChange(before, { kind: "delete", id: subnet1 });
    const r = whatIf(snap(before), snap(after), { maxPairs: 0 });
    expect(r.changes).toEqual([{ resourceId: subnet1, changeType: "Delete" }]);
    expect(r.warnings.map((w) => w.code)).toEqual(["SubnetRemoved"]);
    expect(r.scope).toBe("affected");
    // nic0 is in the deleted subnet: it is no longer a source; nic1 is untouched and not checked.
    expect(r.pairsChecked).toBe(0);
  });

  it("a change naming a malformed id, or a body that is not an object, is an ArmError", () => {
    const before = quickstartResources();
    for (const change of [
      { kind: "put" as const, id: "not-an-id", body: {} },
      { kind: "put" as const, id: subnet1, body: [] },
    ]) {
      let err: unknown;
      try {
        applyChange(before, change);
      } catch (e) {
        err = e;
      }
      expect(isArmError(err)).toBe(true);
    }
  });
});
