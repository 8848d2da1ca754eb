/**
 * Microsoft.Compute (virtual machines, availability sets) through @azure/arm-compute 22.4,
 * and Microsoft.Resources (resource groups, subscriptions, providers) through
 * @azure/arm-resources 7, over HTTPS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAST, SUB, restError, startTestServer, type TestServer } from "./server.js";

let t: TestServer;
const RG = "e2e-compute";
const net = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network`;

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.dispose();
});

describe("Microsoft.Resources", () => {
  it("resource groups: create (201), get, update tags, list, check existence", async () => {
    const rg = t.resources().resourceGroups;
    const created = await rg.createOrUpdate(RG, { location: "westus", tags: { team: "net" } });
    expect(created).toMatchObject({
      name: RG,
      location: "westus",
      properties: { provisioningState: "Succeeded" },
    });
    expect((await rg.get(RG)).tags).toEqual({ team: "net" });
    expect((await rg.update(RG, { tags: { team: "infra" } })).tags).toEqual({ team: "infra" });
    expect((await collect(rg.list())).map((g) => g.name)).toContain(RG);
    expect((await rg.checkExistence(RG)).body).toBe(true);
    expect((await rg.checkExistence("nope")).body).toBe(false);
    const e = await restError(rg.get("nope"));
    expect(e.statusCode).toBe(404);
    expect(e.code).toBe("ResourceGroupNotFound");
  });

  it("providers: list, get and register", async () => {
    const providers = t.resources().providers;
    const list = await collect(providers.list());
    expect(list.map((p) => p.namespace)).toEqual(
      expect.arrayContaining(["Microsoft.Network", "Microsoft.Compute"]),
    );
    const network = await providers.get("Microsoft.Network");
    expect(network.resourceTypes?.map((r) => r.resourceType)).toEqual(
      expect.arrayContaining(["virtualNetworks", "virtualNetworks/subnets", "networkSecurityGroups"]),
    );
    expect((await providers.register("Microsoft.Compute")).registrationState).toBe("Registered");
  });

  it("generic resource list of a group", async () => {
    await t.network().virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      "vnet",
      {
        location: "westus",
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [{ name: "s", addressPrefix: "10.0.0.0/24" }],
      },
      FAST,
    );
    const list = await collect(t.resources().resources.listByResourceGroup(RG));
    expect(list.map((r) => `${r.type}/${r.name}`)).toEqual(["Microsoft.Network/virtualNetworks/vnet"]);
  });
});

describe("Microsoft.Compute (SE-RES-3)", () => {
  it("an availability set and a VM attached to a NIC; the NIC shows its VM; NicInUse while attached", async () => {
    const compute = t.compute();
    const as = await compute.availabilitySets.createOrUpdate(RG, "as1", {
      location: "westus",
      platformFaultDomainCount: 2,
      platformUpdateDomainCount: 2,
      sku: { name: "Aligned" },
    });
    expect(as.platformFaultDomainCount).toBe(2);
    await t.network().networkInterfaces.beginCreateOrUpdateAndWait(
      RG,
      "nic0",
      {
        location: "westus",
        ipConfigurations: [{ name: "ipconfig1", subnet: { id: `${net}/virtualNetworks/vnet/subnets/s` } }],
      },
      FAST,
    );
    const vm = await compute.virtualMachines.beginCreateOrUpdateAndWait(
      RG,
      "testvm0",
      {
        location: "westus",
        hardwareProfile: { vmSize: "Standard_A1" },
        availabilitySet: { id: as.id },
        networkProfile: { networkInterfaces: [{ id: `${net}/networkInterfaces/nic0`, primary: true }] },
        osProfile: {
          computerName: "testvm0",
          adminUsername: "azureuser",
          adminPassword: "P@ssw0rd-not-real",
        },
      },
      FAST,
    );
    expect(vm.provisioningState).toBe("Succeeded");
    expect(vm.vmId).toMatch(/^[0-9a-f-]{36}$/);
    expect(vm.hardwareProfile?.vmSize).toBe("Standard_A1");
    expect((await t.network().networkInterfaces.get(RG, "nic0")).virtualMachine?.id).toBe(vm.id);
    expect((await compute.availabilitySets.get(RG, "as1")).virtualMachines?.map((v) => v.id)).toEqual([
      vm.id,
    ]);
    expect((await collect(compute.virtualMachines.list(RG))).map((v) => v.name)).toEqual(["testvm0"]);
    expect((await collect(compute.virtualMachines.listAll())).map((v) => v.name)).toEqual(["testvm0"]);
    const updated = await compute.virtualMachines.beginUpdateAndWait(
      RG,
      "testvm0",
      { tags: { role: "client" } },
      FAST,
    );
    expect(updated.tags).toEqual({ role: "client" });
    expect(updated.networkProfile?.networkInterfaces?.[0]?.id).toBe(`${net}/networkInterfaces/nic0`);
    const inUse = await restError(t.network().networkInterfaces.beginDeleteAndWait(RG, "nic0", FAST));
    expect(inUse.code).toBe("NicInUse");
    const second = await restError(
      compute.virtualMachines.beginCreateOrUpdateAndWait(
        RG,
        "testvm1",
        {
          location: "westus",
          networkProfile: { networkInterfaces: [{ id: `${net}/networkInterfaces/nic0` }] },
        },
        FAST,
      ),
    );
    expect(second.code).toBe("NicInUse");
    await compute.virtualMachines.beginDeleteAndWait(RG, "testvm0", FAST);
    expect((await t.network().networkInterfaces.get(RG, "nic0")).virtualMachine).toBeUndefined();
    await compute.availabilitySets.delete(RG, "as1");
    expect((await restError(compute.availabilitySets.get(RG, "as1"))).statusCode).toBe(404);
  });

  it("deleting the resource group removes everything in it (users before what they use)", async () => {
    await t.compute().virtualMachines.beginCreateOrUpdateAndWait(
      RG,
      "vm2",
      {
        location: "westus",
        networkProfile: { networkInterfaces: [{ id: `${net}/networkInterfaces/nic0` }] },
      },
      FAST,
    );
    await t.resources().resourceGroups.beginDeleteAndWait(RG, FAST);
    expect((await t.resources().resourceGroups.checkExistence(RG)).body).toBe(false);
    expect((await restError(t.network().virtualNetworks.get(RG, "vnet"))).code).toBe("ResourceGroupNotFound");
  });
});

describe("subscriptions", () => {
  it("GET /subscriptions lists the default subscription and the ones used so far", async () => {
    const res = await t.fetch("GET", "/subscriptions?api-version=2019-11-01");
    const ids = res.json.value.map((s: { subscriptionId: string }) => s.subscriptionId);
    expect(ids).toEqual(expect.arrayContaining([SUB, t.server.deps.tenancy.subscriptionId]));
    expect(res.json.value[0]).toMatchObject({ state: "Enabled", tenantId: t.server.deps.tenancy.tenantId });
  });
});
