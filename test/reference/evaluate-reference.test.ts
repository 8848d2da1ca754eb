/**
 * The reference evaluator on hand-checked networks, without the engine: it must be right on
 * its own, or agreeing with it proves nothing.
 */
import { describe, expect, it } from "vitest";
import { Snapshot } from "../../src/engine/snapshot.js";
import { defaultServiceTagCatalog } from "../../src/model/catalog/synthetic-service-tags.js";
import {
  quickstartResources,
  DEMO_SUBSCRIPTION,
  DEMO_RESOURCE_GROUP,
  DEMO_STORAGE_ACCOUNT,
} from "../../src/demo/quickstart.js";
import { tryParseAddress } from "../../src/model/ip.js";
import type { ArmResource } from "../../src/model/resources/common.js";
import {
  netId,
  nic,
  nsg,
  pip,
  rgId,
  routeTable,
  sqlServer,
  storage,
  subnetId,
  vnet,
} from "../fixtures/net.js";
import { referenceEvaluate, refRoutes, refSelectRoute } from "./evaluate-reference.js";
import { contains, isPublic } from "./linear.js";

const tags = defaultServiceTagCatalog();
const build = (rs: ArmResource[]) => new Snapshot(rs, { serviceTags: tags });
const nicId = (n: string) => netId("networkInterfaces", n);
const acct = (n: string) => `${rgId()}/providers/Microsoft.Storage/storageAccounts/${n}`;

describe("reference evaluator, on its own", () => {
  it("SE-SRC-2, SE-ACL-9: the quickstart — subnet1 over the endpoint with its private address, subnet2 refused with 403 AuthorizationFailure", () => {
    const s = new Snapshot(quickstartResources(), { serviceTags: tags });
    const rg = `/subscriptions/${DEMO_SUBSCRIPTION}/resourceGroups/${DEMO_RESOURCE_GROUP}`;
    const account = `${rg}/providers/Microsoft.Storage/storageAccounts/${DEMO_STORAGE_ACCOUNT}`;
    const ok = referenceEvaluate(s, {
      source: { kind: "vm", vmId: `${rg}/providers/Microsoft.Compute/virtualMachines/testvm0` },
      destination: { kind: "resource", resourceId: account },
    });
    expect(ok).toMatchObject({
      decision: "Allowed",
      viaServiceEndpoint: true,
      nextHopType: "VirtualNetworkServiceEndpoint",
      sourceAddress: "10.0.1.4",
      blockers: [],
    });
    const no = referenceEvaluate(s, {
      source: { kind: "vm", vmId: `${rg}/providers/Microsoft.Compute/virtualMachines/testvm1` },
      destination: { kind: "resource", resourceId: account },
    });
    expect(no).toMatchObject({
      decision: "Denied",
      viaServiceEndpoint: false,
      nextHopType: "Internet",
      error: { code: "AuthorizationFailure" },
    });
    expect(no.blockers.map((b) => [b.kind, b.resourceId])).toEqual([["ServiceFirewall", account]]);
  });

  it("SE-ROUTE-3: an endpoint route beats forced tunnelling to an appliance; other internet traffic still goes to the appliance", () => {
    const s = build([
      vnet(
        "v",
        "westus",
        ["10.1.0.0/16"],
        [
          {
            name: "app",
            prefix: "10.1.1.0/24",
            endpoints: ["Microsoft.Storage"],
            routeTable: netId("routeTables", "rt"),
          },
          { name: "nva", prefix: "10.1.9.0/24" },
        ],
      ),
      routeTable("rt", "westus", [
        { name: "default-to-nva", prefix: "0.0.0.0/0", hop: "VirtualAppliance", ip: "10.1.9.4" },
      ]),
      nic("app1", "westus", subnetId("v", "app")),
      nic("fw", "westus", subnetId("v", "nva"), {
        ip: "10.1.9.4",
        forwarding: true,
        pip: netId("publicIPAddresses", "fwpip"),
      }),
      pip("fwpip", "westus", "40.112.1.1"),
      storage("acct1", "westus", { vnetRules: [subnetId("v", "app")] }),
      storage("far", "centralus", { ipRules: ["40.112.1.1"] }),
    ]);
    const near = referenceEvaluate(s, {
      source: { kind: "nic", nicId: nicId("app1") },
      destination: { kind: "resource", resourceId: acct("acct1") },
    });
    expect(near).toMatchObject({ decision: "Allowed", nextHopType: "VirtualNetworkServiceEndpoint" });
    // Outside the endpoint's regions the appliance carries it and the account sees the appliance's public IP.
    const far = referenceEvaluate(s, {
      source: { kind: "nic", nicId: nicId("app1") },
      destination: { kind: "resource", resourceId: acct("far") },
    });
    expect(far).toMatchObject({
      decision: "Allowed",
      nextHopType: "VirtualAppliance",
      sourceAddress: "40.112.1.1",
    });
    const routes = refRoutes(s, s.subnet(subnetId("v", "app"))!);
    expect(refSelectRoute(routes, tryParseAddress("8.8.8.8")!)).toMatchObject({
      source: "User",
      nextHopType: "VirtualAppliance",
    });
    expect(routes.find((r) => r.source === "Default" && r.nextHopType === "Internet")!.active).toBe(false);
  });

  it("SE-NSG-3: deny-Internet plus allow-Storage.WestUS lets only Storage in the region out", () => {
    const g = nsg("g", "westus", [
      {
        name: "allow-storage-westus",
        priority: 100,
        direction: "Outbound",
        access: "Allow",
        dst: "Storage.WestUS",
      },
      { name: "deny-internet", priority: 4000, direction: "Outbound", access: "Deny", dst: "Internet" },
    ]);
    const s = build([
      vnet("v", "westus", ["10.1.0.0/16"], [{ name: "a", prefix: "10.1.1.0/24", nsg: g.id }]),
      g,
      nic("n1", "westus", subnetId("v", "a")),
      storage("west", "westus"),
      storage("east", "eastus"),
    ]);
    expect(
      referenceEvaluate(s, {
        source: { kind: "nic", nicId: nicId("n1") },
        destination: { kind: "resource", resourceId: acct("west") },
      }).decision,
    ).toBe("Allowed");
    const east = referenceEvaluate(s, {
      source: { kind: "nic", nicId: nicId("n1") },
      destination: { kind: "resource", resourceId: acct("east") },
    });
    expect(east.blockers.map((b) => [b.kind, b.rule])).toEqual([
      ["NetworkSecurityGroup", "securityRules/deny-internet"],
    ]);
  });

  it("SE-REG-1, SE-ACL-9: a Sql endpoint covers only the VNet's region; elsewhere the server answers 40615", () => {
    const sql = `${rgId()}/providers/Microsoft.Sql/servers/sql1`;
    const mk = (region: string) =>
      build([
        vnet(
          "v",
          "westus",
          ["10.1.0.0/16"],
          [{ name: "a", prefix: "10.1.1.0/24", endpoints: ["Microsoft.Sql"] }],
        ),
        nic("n1", "westus", subnetId("v", "a")),
        ...sqlServer("sql1", region, [{ name: "r1", subnet: subnetId("v", "a") }]),
      ]);
    expect(
      referenceEvaluate(mk("westus"), {
        source: { kind: "nic", nicId: nicId("n1") },
        destination: { kind: "resource", resourceId: sql },
      }),
    ).toMatchObject({ decision: "Allowed", viaServiceEndpoint: true, port: 1433 });
    expect(
      referenceEvaluate(mk("eastus"), {
        source: { kind: "nic", nicId: nicId("n1") },
        destination: { kind: "resource", resourceId: sql },
      }),
    ).toMatchObject({ decision: "Denied", error: { code: "40615" } });
  });

  it("containment and publicness primitives are right at the edges", () => {
    const p = { family: 4 as const, base: 0x0a010100, length: 24 };
    expect(contains(p, tryParseAddress("10.1.1.255")!)).toBe(true);
    expect(contains(p, tryParseAddress("10.1.2.0")!)).toBe(false);
    expect(contains({ family: 4, base: 0, length: 0 }, tryParseAddress("255.255.255.255")!)).toBe(true);
    expect(isPublic(tryParseAddress("100.64.0.1")!)).toBe(false);
    expect(isPublic(tryParseAddress("100.128.0.1")!)).toBe(true);
    expect(isPublic(tryParseAddress("2603:1000::1")!)).toBe(true);
    expect(isPublic(tryParseAddress("fd00::1")!)).toBe(false);
  });
});
