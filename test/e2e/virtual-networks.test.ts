/** VNets and subnets through the official @azure/arm-network 36 client, over HTTPS. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAST, SUB, restError, startTestServer, type TestServer } from "./server.js";

let t: TestServer;
const RG = "e2e-vnet";

beforeAll(async () => {
  t = await startTestServer();
  await t.resources().resourceGroups.createOrUpdate(RG, { location: "westus" });
});
afterAll(async () => {
  await t?.dispose();
});

describe("virtual networks and subnets (SE-RES-3)", () => {
  it("SE-RES-1: creates a VNet with inline subnets, reads it back with ARM's envelope", async () => {
    const net = t.network();
    const created = await net.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      "vnet1",
      {
        location: "westus",
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [{ name: "app", addressPrefix: "10.0.1.0/24" }],
        tags: { env: "test" },
      },
      FAST,
    );
    expect(created.provisioningState).toBe("Succeeded");
    expect(created.id).toBe(
      `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet1`,
    );
    expect(created.type).toBe("Microsoft.Network/virtualNetworks");
    expect(created.etag).toMatch(/^W\/"/);
    expect(created.subnets?.map((s) => s.name)).toEqual(["app"]);
    const got = await net.virtualNetworks.get(RG.toUpperCase(), "VNET1");
    expect(got.id).toBe(created.id);
    expect(got.tags).toEqual({ env: "test" });
    expect(got.resourceGuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("SE-CFG-1, SE-CFG-2, SE-CFG-4: a westus subnet gets Storage [westus, eastus], Sql [westus], KeyVault [*]", async () => {
    const net = t.network();
    const subnet = await net.subnets.beginCreateOrUpdateAndWait(
      RG,
      "vnet1",
      "endpoints",
      {
        addressPrefix: "10.0.2.0/24",
        serviceEndpoints: [
          { service: "Microsoft.Storage" },
          { service: "Microsoft.Sql" },
          { service: "Microsoft.KeyVault" },
        ],
      },
      FAST,
    );
    const byService = Object.fromEntries(
      (subnet.serviceEndpoints ?? []).map((e) => [e.service, e.locations]),
    );
    expect(byService).toEqual({
      "Microsoft.Storage": ["westus", "eastus"],
      "Microsoft.Sql": ["westus"],
      "Microsoft.KeyVault": ["*"],
    });
    expect(subnet.serviceEndpoints?.every((e) => e.provisioningState === "Succeeded")).toBe(true);
    const vnet = await net.virtualNetworks.get(RG, "vnet1");
    expect(vnet.subnets?.find((s) => s.name === "endpoints")?.serviceEndpoints?.length).toBe(3);
  });

  it("SE-CFG-4: explicit endpoint locations are normalised and kept", async () => {
    const subnet = await t.network().subnets.beginCreateOrUpdateAndWait(
      RG,
      "vnet1",
      "explicit",
      {
        addressPrefix: "10.0.3.0/24",
        serviceEndpoints: [{ service: "Microsoft.Storage", locations: ["West US", "westus2"] }],
      },
      FAST,
    );
    expect(subnet.serviceEndpoints?.[0]?.locations).toEqual(["westus", "westus2"]);
  });

  it("lists subnets and VNets (by resource group and by subscription)", async () => {
    const net = t.network();
    const subnets = [];
    for await (const s of net.subnets.list(RG, "vnet1")) subnets.push(s.name);
    expect(subnets).toEqual(["app", "endpoints", "explicit"]);
    const byRg = [];
    for await (const v of net.virtualNetworks.list(RG)) byRg.push(v.name);
    expect(byRg).toEqual(["vnet1"]);
    const all = [];
    for await (const v of net.virtualNetworks.listAll()) all.push(v.name);
    expect(all).toContain("vnet1");
  });

  it("SE-CFG-7: a subnet PUT without serviceEndpoints removes them (the accidental removal)", async () => {
    const net = t.network();
    const before = await net.subnets.get(RG, "vnet1", "endpoints");
    expect(before.serviceEndpoints?.length).toBe(3);
    // What a user does when they 'just change the NSG' with a hand-written body: the endpoints are gone.
    const after = await net.subnets.beginCreateOrUpdateAndWait(
      RG,
      "vnet1",
      "endpoints",
      { addressPrefix: "10.0.2.0/24" },
      FAST,
    );
    expect(after.serviceEndpoints ?? []).toEqual([]);
    expect((await net.subnets.get(RG, "vnet1", "endpoints")).serviceEndpoints ?? []).toEqual([]);
  });

  it("SE-CFG-7: a VNet PUT whose inline subnets omit serviceEndpoints removes them, and its subnets[] is the complete set", async () => {
    const net = t.network();
    await net.subnets.beginCreateOrUpdateAndWait(
      RG,
      "vnet1",
      "app",
      { addressPrefix: "10.0.1.0/24", serviceEndpoints: [{ service: "Microsoft.Storage" }] },
      FAST,
    );
    const vnet = await net.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      "vnet1",
      {
        location: "westus",
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [{ name: "app", addressPrefix: "10.0.1.0/24" }],
      },
      FAST,
    );
    expect(vnet.subnets?.map((s) => s.name)).toEqual(["app"]);
    expect(vnet.subnets?.[0]?.serviceEndpoints ?? []).toEqual([]);
    const e = await restError(net.subnets.get(RG, "vnet1", "endpoints"));
    expect(e.statusCode).toBe(404);
    expect(e.code).toBe("NotFound");
  });

  it("updates tags with PATCH (UpdateTags)", async () => {
    const updated = await t.network().virtualNetworks.updateTags(RG, "vnet1", { tags: { owner: "me" } });
    expect(updated.tags).toEqual({ owner: "me" });
  });

  it("deletes a subnet and a VNet (202 then gone: 404 ResourceNotFound)", async () => {
    const net = t.network();
    await net.subnets.beginDeleteAndWait(RG, "vnet1", "app", FAST);
    expect((await restError(net.subnets.get(RG, "vnet1", "app"))).statusCode).toBe(404);
    await net.virtualNetworks.beginDeleteAndWait(RG, "vnet1", FAST);
    const e = await restError(net.virtualNetworks.get(RG, "vnet1"));
    expect(e.statusCode).toBe(404);
    expect(e.code).toBe("ResourceNotFound");
  });
});
