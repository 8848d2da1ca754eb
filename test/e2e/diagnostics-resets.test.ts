/**
 * SE-CFG-6 in detail, in process (Fastify inject, a settable clock, sequential ids): which
 * writes reset simulated connections and which do not, the brief cut while a subnet is
 * `Updating`, and log times from the injected clock (SE-DIAG-1).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadResources } from "../../src/arm/load.js";
import { quickstartResources, DEMO_STORAGE_ACCOUNT } from "../../src/demo/quickstart.js";
import { SUB, harness, type Harness } from "../http/helpers.js";

const RG = "lazurite-demo";
const rg = `/subscriptions/${SUB}/resourceGroups/${RG}`;
const net = `${rg}/providers/Microsoft.Network`;
const subnet1Url = `${net}/virtualNetworks/VNet1/subnets/subnet1`;
const nsg = { id: `${net}/networkSecurityGroups/default-NSG` };
const vm0 = `${rg}/providers/Microsoft.Compute/virtualMachines/testvm0`;
const vm1 = `${rg}/providers/Microsoft.Compute/virtualMachines/testvm1`;
const account = `${rg}/providers/Microsoft.Storage/storageAccounts/${DEMO_STORAGE_ACCOUNT}`;

let h: Harness;

beforeEach(async () => {
  h = await harness({ lro: { inProgressPolls: 1, maxDurationMs: 60_000 } });
  await loadResources(h.deps, quickstartResources(SUB));
});
afterEach(async () => {
  await h.close();
});

async function open(from: string): Promise<string> {
  const r = h.json(await h.req("POST", "/_emulator/connections", { from, to: account }));
  expect(r.state).toBe("Open");
  return r.id;
}

async function stateOf(id: string): Promise<string> {
  return h.json(await h.req("GET", `/_emulator/connections/${id}`)).state;
}

describe("SE-CFG-6: which writes reset connections", () => {
  it("a subnet write that keeps its endpoints (NSG detached) resets nothing; a refused write resets nothing", async () => {
    const c = await open(vm0);
    const keep = await h.put(subnet1Url, {
      properties: { addressPrefix: "10.0.1.0/24", serviceEndpoints: [{ service: "Microsoft.Storage" }] },
    });
    expect(keep.statusCode).toBe(200);
    expect(await stateOf(c)).toBe("Open");
    const refused = await h.req("PUT", subnet1Url, {
      properties: { addressPrefix: "10.0.1.0/24", serviceEndpoints: [{ service: "Microsoft.Nope" }] },
    });
    expect(refused.statusCode).toBe(400);
    expect(await stateOf(c)).toBe("Open");
  });

  it("re-scoping the endpoint's locations resets (change: changed); the reset's log time comes from the injected clock", async () => {
    const c = await open(vm0);
    h.clock.t = Date.UTC(2019, 5, 1, 12, 0, 0);
    await h.put(subnet1Url, {
      properties: {
        addressPrefix: "10.0.1.0/24",
        networkSecurityGroup: nsg,
        serviceEndpoints: [{ service: "Microsoft.Storage", locations: ["westus"] }],
      },
    });
    const conn = h.json(await h.req("GET", `/_emulator/connections/${c}`));
    expect(conn).toMatchObject({
      state: "Reset",
      closedAt: "2019-06-01T12:00:00.000Z",
      reset: { change: "changed", service: "Microsoft.Storage" },
    });
    const log = h.json(
      await h.req("GET", `/_emulator/requests?resourceId=${encodeURIComponent(account)}&$top=1`),
    ).value;
    expect(log[0]).toMatchObject({ operation: "reset", time: "2019-06-01T12:00:00.000Z", connectionId: c });
  });

  it("a change on another subnet, or to another service on the same subnet, leaves the connection open", async () => {
    const c = await open(vm0);
    await h.put(`${net}/virtualNetworks/VNet1/subnets/subnet2`, {
      properties: { addressPrefix: "10.0.2.0/24", serviceEndpoints: [{ service: "Microsoft.Storage" }] },
    });
    expect(await stateOf(c)).toBe("Open");
    await h.put(subnet1Url, {
      properties: {
        addressPrefix: "10.0.1.0/24",
        networkSecurityGroup: nsg,
        serviceEndpoints: [{ service: "Microsoft.Storage" }, { service: "Microsoft.Sql" }],
      },
    });
    expect(await stateOf(c)).toBe("Open");
  });

  it("deleting the source VM closes its connections (not a reset)", async () => {
    const c = await open(vm0);
    const del = await h.del(vm0);
    expect(del.statusCode).toBe(202);
    const conn = h.json(await h.req("GET", `/_emulator/connections/${c}`));
    expect(conn).toMatchObject({ state: "Closed", closedReason: "its source testvm0 was deleted." });
    expect(conn.reset).toBeUndefined();
  });

  it("traffic to the service is cut while the subnet is Updating, then flows over the new endpoint", async () => {
    // subnet2 has no endpoint: testvm1 is refused; switching it on makes the subnet Updating for one poll.
    const put = await h.req("PUT", `${net}/virtualNetworks/VNet1/subnets/subnet2`, {
      properties: { addressPrefix: "10.0.2.0/24", serviceEndpoints: [{ service: "Microsoft.Storage" }] },
    });
    expect(put.statusCode).toBe(200);
    const during = h.json(await h.req("POST", "/_emulator/requests", { from: vm1, to: account }));
    expect(during.outcome).toBe("Dropped");
    expect(during.logged).toBe(false);
    expect(during.decision.blockers.map((b: { kind: string }) => b.kind)).toContain("ServiceEndpoint");
    // Complete the operation (one poll answers InProgress, the next Succeeded).
    const op = String(put.headers["azure-asyncoperation"]).replace(/^https:\/\/[^/]+/, "");
    while (h.json(await h.req("GET", op)).status === "InProgress");
    const after = h.json(await h.req("POST", "/_emulator/requests", { from: vm1, to: account }));
    // Over the endpoint now, but the account trusts only subnet1: refused by the firewall, with subnet2's identity.
    expect(after).toMatchObject({ outcome: "RefusedByService", status: 403, logged: true });
    expect(after.entry).toMatchObject({
      sourceAddress: "10.0.2.4",
      subnetId: `${net}/virtualNetworks/VNet1/subnets/subnet2`,
      viaServiceEndpoint: true,
    });
  });
});
