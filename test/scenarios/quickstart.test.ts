/**
 * The seed's quickstart: two subnets, a Storage endpoint on subnet1, an account locked to it.
 */
import { describe, expect, it } from "vitest";
import { Snapshot } from "../../src/engine/snapshot.js";
import { evaluate } from "../../src/engine/evaluate.js";
import { effectiveRouteTable } from "../../src/engine/routes.js";
import { defaultServiceTagCatalog } from "../../src/model/catalog/synthetic-service-tags.js";
import {
  quickstartResources,
  DEMO_SUBSCRIPTION,
  DEMO_RESOURCE_GROUP,
  DEMO_STORAGE_ACCOUNT,
} from "../../src/demo/quickstart.js";
import { tryParseAddress, prefixContainsAddress } from "../../src/model/ip.js";

const rg = `/subscriptions/${DEMO_SUBSCRIPTION}/resourceGroups/${DEMO_RESOURCE_GROUP}`;
const vm0 = `${rg}/providers/Microsoft.Compute/virtualMachines/testvm0`;
const vm1 = `${rg}/providers/Microsoft.Compute/virtualMachines/testvm1`;
const account = `${rg}/providers/Microsoft.Storage/storageAccounts/${DEMO_STORAGE_ACCOUNT}`;
const subnet1 = `${rg}/providers/Microsoft.Network/virtualNetworks/VNet1/subnets/subnet1`;

function snap() {
  return new Snapshot(quickstartResources(), { serviceTags: defaultServiceTagCatalog() });
}

describe("quickstart: vnet-2subnets-service-endpoints-storage-integration", () => {
  it("SE-SRC-2, SE-ACL-1: testvm0 in subnet1 reaches the account over the endpoint with its private address", () => {
    const d = evaluate(snap(), {
      source: { kind: "vm", vmId: vm0 },
      destination: { kind: "resource", resourceId: account, endpoint: "blob" },
    });
    expect(d.decision).toBe("Allowed");
    expect(d.viaServiceEndpoint).toBe(true);
    expect(d.nextHopType).toBe("VirtualNetworkServiceEndpoint");
    expect(d.sourceAddress).toBe("10.0.1.4");
    expect(d.sourceSubnetId?.toLowerCase()).toBe(subnet1.toLowerCase());
    expect(d.blockers).toEqual([]);
    expect(d.error).toBeUndefined();
    const fw = d.steps.find((s) => s.kind === "ServiceFirewall");
    expect(fw?.result).toBe("Allowed");
    expect(fw?.rule).toMatch(/virtualNetworkRules/);
  });

  it("SE-ACL-9, SE-SRC-1, SE-DIAG-3: testvm1 in subnet2 gets 403 AuthorizationFailure from its public address, and the trace says why and what would fix it", () => {
    const s = snap();
    const d = evaluate(s, {
      source: { kind: "vm", vmId: vm1 },
      destination: { kind: "resource", resourceId: account },
    });
    expect(d.decision).toBe("Denied");
    expect(d.viaServiceEndpoint).toBe(false);
    expect(d.nextHopType).toBe("Internet");
    // The public address of pip1, drawn from AzureCloud.westus.
    const a = tryParseAddress(d.sourceAddress)!;
    expect(
      s.catalog.regional("AzureCloud", "westus")!.prefixes.some((p) => prefixContainsAddress(p, a)),
    ).toBe(true);
    expect(d.error).toMatchObject({ status: 403, code: "AuthorizationFailure" });
    expect(d.blockers.length).toBeGreaterThanOrEqual(1);
    const b = d.blockers[0]!;
    expect(b.kind).toBe("ServiceFirewall");
    expect(b.resourceId).toBe(account);
    expect(b.fix).toMatch(/subnet2/);
    // Ordered trace: DNS, source, route, NSG-less subnet2, no endpoint, address, firewall.
    const kinds = d.steps.map((x) => x.kind);
    expect(kinds[0]).toBe("Dns");
    expect(kinds.indexOf("Route")).toBeLessThan(kinds.indexOf("ServiceFirewall"));
    expect(kinds[kinds.length - 1]).toBe("ServiceFirewall");
  });

  it("SE-SRC-4: the account's host name resolves to the same public address from either subnet", () => {
    const s = snap();
    const host = `${DEMO_STORAGE_ACCOUNT}.blob.core.windows.net`;
    const d0 = evaluate(s, { source: { kind: "vm", vmId: vm0 }, destination: { kind: "host", host } });
    const d1 = evaluate(s, { source: { kind: "vm", vmId: vm1 }, destination: { kind: "host", host } });
    expect(d0.destinationAddress).toBe(d1.destinationAddress);
    expect(d0.destinationResourceId).toBe(account);
    const a = tryParseAddress(d0.destinationAddress)!;
    expect(s.catalog.regional("Storage", "westus")!.prefixes.some((p) => prefixContainsAddress(p, a))).toBe(
      true,
    );
  });

  it("SE-ROUTE-2, SE-DIAG-2: nic0 has one VirtualNetworkServiceEndpoint route for Storage covering westus and eastus; nic1 has none", () => {
    const s = snap();
    const r0 = effectiveRouteTable(s, `${rg}/providers/Microsoft.Network/networkInterfaces/nic0`).value;
    const r1 = effectiveRouteTable(s, `${rg}/providers/Microsoft.Network/networkInterfaces/nic1`).value;
    const ep = r0.filter((r) => r.nextHopType === "VirtualNetworkServiceEndpoint");
    expect(ep).toHaveLength(1);
    expect(ep[0]!.source).toBe("Default");
    expect(ep[0]!.state).toBe("Active");
    expect(ep[0]!.nextHopIpAddress).toEqual([]);
    const expected = new Set(
      [
        ...s.catalog.regional("Storage", "westus")!.addressPrefixes,
        ...s.catalog.regional("Storage", "eastus")!.addressPrefixes,
      ].map((p) => p.toLowerCase()),
    );
    expect(new Set(ep[0]!.addressPrefix.map((p) => p.toLowerCase()))).toEqual(expected);
    expect(r1.filter((r) => r.nextHopType === "VirtualNetworkServiceEndpoint")).toEqual([]);
    // System routes as Azure lists them.
    expect(r1.slice(0, 2)).toEqual([
      {
        disableBgpRoutePropagation: false,
        source: "Default",
        state: "Active",
        addressPrefix: ["10.0.0.0/16"],
        nextHopIpAddress: [],
        nextHopType: "VnetLocal",
      },
      {
        disableBgpRoutePropagation: false,
        source: "Default",
        state: "Active",
        addressPrefix: ["0.0.0.0/0"],
        nextHopIpAddress: [],
        nextHopType: "Internet",
      },
    ]);
    expect(r1.map((r) => r.addressPrefix[0])).toEqual([
      "10.0.0.0/16",
      "0.0.0.0/0",
      "10.0.0.0/8",
      "100.64.0.0/10",
      "172.16.0.0/12",
      "192.168.0.0/16",
    ]);
  });
});
