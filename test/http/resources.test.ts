/**
 * Resource semantics, in-process: round-tripping of properties Lazurite does not model,
 * read-only fields echoed back by clients, PUT-replaces-all (SE-CFG-7), private IP allocation.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { harness, net, rg, type Harness } from "./helpers.js";

let h: Harness;
beforeEach(async () => {
  h = await harness({ lro: { inProgressPolls: 0, maxDurationMs: 0 } });
  await h.req("PUT", rg(), { location: "westus" });
});
afterEach(async () => {
  await h.close();
});

const vnet = (subnets: unknown[], extra: Record<string, unknown> = {}) => ({
  location: "westus",
  properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] }, subnets, ...extra },
});

describe("round-tripping", () => {
  it("SE-RES-1: properties Lazurite does not model round-trip untouched, at every level", async () => {
    const body = {
      location: "West US",
      extendedLocation: { name: "edge1", type: "EdgeZone" },
      properties: {
        addressSpace: { addressPrefixes: ["10.0.0.0/16"], ipamPoolPrefixAllocations: [] },
        flowTimeoutInMinutes: 10,
        encryption: { enabled: true, enforcement: "AllowUnencrypted" },
        subnets: [
          {
            name: "s1",
            properties: {
              addressPrefix: "10.0.1.0/24",
              defaultOutboundAccess: false,
              serviceEndpoints: [{ service: "Microsoft.Storage", networkIdentifier: { id: "x" } }],
            },
          },
        ],
      },
    };
    await h.req("PUT", `${net()}/virtualNetworks/v1`, body);
    const got = h.json(await h.req("GET", `${net()}/virtualNetworks/v1`));
    expect(got.location).toBe("westus");
    expect(got.extendedLocation).toEqual({ name: "edge1", type: "EdgeZone" });
    expect(got.properties.flowTimeoutInMinutes).toBe(10);
    expect(got.properties.encryption).toEqual({ enabled: true, enforcement: "AllowUnencrypted" });
    expect(got.properties.addressSpace.ipamPoolPrefixAllocations).toEqual([]);
    expect(got.properties.subnets[0].properties.defaultOutboundAccess).toBe(false);
    expect(got.properties.subnets[0].properties.serviceEndpoints[0].networkIdentifier).toEqual({ id: "x" });
  });

  it("read-only fields echoed back by az (GET body PUT back) are accepted and ignored", async () => {
    await h.req(
      "PUT",
      `${net()}/virtualNetworks/v1`,
      vnet([{ name: "s1", properties: { addressPrefix: "10.0.1.0/24" } }]),
    );
    await h.req("PUT", `${net()}/networkInterfaces/n1`, {
      location: "westus",
      properties: {
        ipConfigurations: [
          { name: "c", properties: { subnet: { id: `${net()}/virtualNetworks/v1/subnets/s1` } } },
        ],
      },
    });
    const subnet = h.json(await h.req("GET", `${net()}/virtualNetworks/v1/subnets/s1`));
    subnet.properties.serviceEndpoints = [{ service: "Microsoft.Storage" }];
    subnet.properties.provisioningState = "Failed";
    subnet.properties.ipConfigurations = [];
    const res = await h.req("PUT", `${net()}/virtualNetworks/v1/subnets/s1`, subnet);
    expect(res.statusCode).toBe(200);
    const after = h.json(await h.req("GET", `${net()}/virtualNetworks/v1/subnets/s1`));
    expect(after.properties.provisioningState).toBe("Succeeded");
    expect(after.properties.ipConfigurations).toHaveLength(1);
    expect(after.properties.serviceEndpoints[0].locations).toEqual(["westus", "eastus"]);
  });
});

describe("PUT replaces the whole object (SE-CFG-7)", () => {
  it("SE-CFG-7: the az hybrid 'subnet create' PUTs the whole VNet: existing subnets echoed back keep their endpoints, the new one is added", async () => {
    await h.req(
      "PUT",
      `${net()}/virtualNetworks/v1`,
      vnet([
        {
          name: "s1",
          properties: { addressPrefix: "10.0.1.0/24", serviceEndpoints: [{ service: "Microsoft.Sql" }] },
        },
      ]),
    );
    const current = h.json(await h.req("GET", `${net()}/virtualNetworks/v1`));
    current.properties.subnets.push({ name: "s2", properties: { addressPrefix: "10.0.2.0/24" } });
    await h.req("PUT", `${net()}/virtualNetworks/v1`, current);
    const s1 = h.json(await h.req("GET", `${net()}/virtualNetworks/v1/subnets/s1`));
    expect(s1.properties.serviceEndpoints[0].service).toBe("Microsoft.Sql");
    expect(
      h
        .json(await h.req("GET", `${net()}/virtualNetworks/v1/subnets`))
        .value.map((s: { name: string }) => s.name),
    ).toEqual(["s1", "s2"]);
  });

  it("SE-CFG-7: a redeployed template without subnets removes every (unused) subnet", async () => {
    await h.req(
      "PUT",
      `${net()}/virtualNetworks/v1`,
      vnet([{ name: "s1", properties: { addressPrefix: "10.0.1.0/24" } }]),
    );
    await h.req("PUT", `${net()}/virtualNetworks/v1`, {
      location: "westus",
      properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } },
    });
    expect(h.json(await h.req("GET", `${net()}/virtualNetworks/v1/subnets`)).value).toEqual([]);
  });

  it("child names compare case-insensitively and keep their first casing", async () => {
    await h.req(
      "PUT",
      `${net()}/virtualNetworks/v1`,
      vnet([{ name: "Front", properties: { addressPrefix: "10.0.1.0/24" } }]),
    );
    const res = await h.req("PUT", `${net()}/virtualNetworks/v1/subnets/FRONT`, {
      properties: { addressPrefix: "10.0.1.0/24" },
    });
    expect(res.statusCode).toBe(200);
    expect(h.json(res).name).toBe("Front");
    const dup = await h.req(
      "PUT",
      `${net()}/virtualNetworks/v1`,
      vnet([
        { name: "a", properties: { addressPrefix: "10.0.1.0/24" } },
        { name: "A", properties: { addressPrefix: "10.0.2.0/24" } },
      ]),
    );
    expect(h.json(dup).error.code).toBe("InvalidRequestFormat");
  });
});

describe("private IP allocation", () => {
  const nic = (name: string, cfg: Record<string, unknown> = {}) =>
    h.req("PUT", `${net()}/networkInterfaces/${name}`, {
      location: "westus",
      properties: {
        ipConfigurations: [
          { name: "c", properties: { subnet: { id: `${net()}/virtualNetworks/v1/subnets/small` }, ...cfg } },
        ],
      },
    });
  const ip = async (res: Promise<{ body: string }>) =>
    JSON.parse((await res).body).properties?.ipConfigurations?.[0]?.properties?.privateIPAddress ??
    JSON.parse((await res).body).error.code;

  it("dynamic addresses skip Azure's 5 reserved ones and static ones; a NIC keeps its address on update; SubnetIsFull when none is left", async () => {
    await h.req(
      "PUT",
      `${net()}/virtualNetworks/v1`,
      vnet([{ name: "small", properties: { addressPrefix: "10.0.9.0/29" } }]),
    );
    expect(await ip(nic("a"))).toBe("10.0.9.4");
    expect(await ip(nic("b", { privateIPAllocationMethod: "Static", privateIPAddress: "10.0.9.5" }))).toBe(
      "10.0.9.5",
    );
    expect(await ip(nic("c"))).toBe("10.0.9.6");
    expect(await ip(nic("a", { primary: true }))).toBe("10.0.9.4");
    expect(await ip(nic("d"))).toBe("SubnetIsFull");
    expect((await h.req("DELETE", `${net()}/networkInterfaces/b`)).statusCode).toBe(202);
    expect(await ip(nic("d"))).toBe("10.0.9.5");
  });

  it("a public IP serves one IP configuration: a second NIC naming it gets PublicIPAddressInUse; moving it within a NIC is fine", async () => {
    await h.req(
      "PUT",
      `${net()}/virtualNetworks/v1`,
      vnet([{ name: "small", properties: { addressPrefix: "10.0.9.0/29" } }]),
    );
    await h.req("PUT", `${net()}/publicIPAddresses/p1`, { location: "westus" });
    const pip = { publicIPAddress: { id: `${net()}/publicIPAddresses/p1` } };
    expect((await nic("a", pip)).statusCode).toBe(201);
    const second = await nic("b", pip);
    expect(second.statusCode).toBe(400);
    expect(JSON.parse(second.body).error.code).toBe("PublicIPAddressInUse");
    const moved = await h.req("PUT", `${net()}/networkInterfaces/a`, {
      location: "westus",
      properties: {
        ipConfigurations: [
          {
            name: "renamed",
            properties: { subnet: { id: `${net()}/virtualNetworks/v1/subnets/small` }, ...pip },
          },
        ],
      },
    });
    expect(moved.statusCode).toBe(200);
    expect(
      JSON.parse((await h.req("GET", `${net()}/publicIPAddresses/p1`)).body).properties.ipConfiguration.id,
    ).toBe(`${net()}/networkInterfaces/a/ipConfigurations/renamed`);
  });
});
