/**
 * A caller of tenant B never sees tenant A's resources through Lazurite's diagnostics (issue 10,
 * item 3; docs/identity.md): `/_emulator/resources`, the access check, who-can-reach, what-if,
 * simulated requests and the request log, connections and the event stream answer a token caller
 * only about what it may read (RBAC read on every resource an answer names), while A's Owner and
 * the admin key see A's resources as before.
 *
 * Tenant A holds the quickstart network (`--demo`: testvm0 reaches the storage account through a
 * service endpoint); tenant B has its own VNet, NIC and storage account.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_RESOURCE_GROUP, DEMO_STORAGE_ACCOUNT } from "../../src/demo/quickstart.js";
import {
  ADMIN,
  armPut,
  bearer,
  followEvents,
  strictWorld,
  SUB_A,
  SUB_B,
  type StrictWorld,
} from "./strict-helpers.js";

const rgA = `/subscriptions/${SUB_A}/resourceGroups/${DEMO_RESOURCE_GROUP}`;
const vmA = `${rgA}/providers/Microsoft.Compute/virtualMachines/testvm0`;
const accountA = `${rgA}/providers/Microsoft.Storage/storageAccounts/${DEMO_STORAGE_ACCOUNT}`;
const vnetA = `${rgA}/providers/Microsoft.Network/virtualNetworks/VNet1`;
const rgB = `/subscriptions/${SUB_B}/resourceGroups/tenant-b`;
const vnetB = `${rgB}/providers/Microsoft.Network/virtualNetworks/vnet-b`;
const nicB = `${rgB}/providers/Microsoft.Network/networkInterfaces/nic-b`;
const accountB = `${rgB}/providers/Microsoft.Storage/storageAccounts/tenantbsa1`;

let w: StrictWorld;
let tokenA: string;
let tokenB: string;

/** Every id below tenant A's subscription that a JSON answer mentions. */
const mentionsA = (v: unknown) => JSON.stringify(v).toLowerCase().includes(`/subscriptions/${SUB_A}`);

beforeAll(async () => {
  w = await strictWorld({ flags: { demo: true, lroPolls: 0 } });
  tokenA = await w.token(w.ownerA);
  tokenB = await w.token(w.ownerB);
  await armPut(w, tokenB, rgB, { location: "westus" });
  await armPut(w, tokenB, vnetB, {
    location: "westus",
    properties: {
      addressSpace: { addressPrefixes: ["10.9.0.0/16"] },
      subnets: [{ name: "app", properties: { addressPrefix: "10.9.1.0/24" } }],
    },
  });
  await armPut(w, tokenB, nicB, {
    location: "westus",
    properties: {
      ipConfigurations: [
        {
          name: "ipconfig1",
          properties: { subnet: { id: `${vnetB}/subnets/app` }, privateIPAllocationMethod: "Dynamic" },
        },
      ],
    },
  });
  await armPut(w, tokenB, accountB, {
    location: "westus",
    kind: "StorageV2",
    sku: { name: "Standard_LRS" },
    properties: {},
  });
}, 90_000);

afterAll(async () => {
  await w?.dispose();
});

function expectForbiddenRead(r: { status: number; json: any }, id: string): void {
  expect(r.status).toBe(403);
  expect(r.json.error.code).toBe("AuthorizationFailed");
  expect(r.json.error.message).toContain(`The client '${w.ownerB.appId}'`);
  expect(r.json.error.message.toLowerCase()).toContain(`over scope '${id.toLowerCase()}'`);
}

describe("GET /_emulator/resources", () => {
  it("tenant B's Owner gets B's resources and none of A's", async () => {
    const r = await w.call("GET", "/_emulator/resources", bearer(tokenB));
    expect(r.status).toBe(200);
    const ids = r.json.value.map((x: { id: string }) => x.id.toLowerCase());
    expect(ids).toEqual(
      expect.arrayContaining([vnetB.toLowerCase(), nicB.toLowerCase(), accountB.toLowerCase()]),
    );
    expect(mentionsA(r.json)).toBe(false);
  });

  it("tenant A's Owner gets A's quickstart and none of B's; the admin key gets both", async () => {
    const a = await w.call("GET", "/_emulator/resources", bearer(tokenA));
    const idsA = a.json.value.map((x: { id: string }) => x.id.toLowerCase());
    expect(idsA).toContain(accountA.toLowerCase());
    expect(JSON.stringify(a.json).toLowerCase()).not.toContain(`/subscriptions/${SUB_B}`);
    const all = await w.call("GET", "/_emulator/resources", ADMIN);
    const idsAll = all.json.value.map((x: { id: string }) => x.id.toLowerCase());
    expect(idsAll).toEqual(expect.arrayContaining([accountA.toLowerCase(), accountB.toLowerCase()]));
  });
});

describe("the access check, who-can-reach and what-if", () => {
  it("B's Owner cannot check a flow between A's resources (403 on A's VM); A's Owner can", async () => {
    const flow = { from: vmA, to: accountA };
    expectForbiddenRead(await w.call("POST", "/_emulator/check", bearer(tokenB), flow), vmA);
    const q = new URLSearchParams(flow).toString();
    expectForbiddenRead(await w.call("GET", `/_emulator/check?${q}`, bearer(tokenB)), vmA);
    const a = await w.call("POST", "/_emulator/check", bearer(tokenA), flow);
    expect(a.status).toBe(200);
    expect(a.json.decision).toBe("Allowed");
  });

  it("B's Owner cannot learn A's firewall by checking a flow from its own NIC to A's account", async () => {
    expectForbiddenRead(
      await w.call("POST", "/_emulator/check", bearer(tokenB), { from: nicB, to: accountA }),
      accountA,
    );
    const own = await w.call("POST", "/_emulator/check", bearer(tokenB), { from: nicB, to: accountB });
    expect(own.status).toBe(200);
    expect(mentionsA(own.json)).toBe(false);
  });

  it("who-can-reach A's account is refused to B; who-can-reach B's account lists B's NICs only", async () => {
    expectForbiddenRead(
      await w.call("POST", "/_emulator/who-can-reach", bearer(tokenB), { to: accountA }),
      accountA,
    );
    const own = await w.call("POST", "/_emulator/who-can-reach", bearer(tokenB), { to: accountB });
    expect(own.status).toBe(200);
    expect(
      own.json.rows.map((r: { networkInterfaceId: string }) => r.networkInterfaceId.toLowerCase()),
    ).toEqual([nicB.toLowerCase()]);
    expect(own.json.allowed + own.json.denied).toBe(1);
    expect(mentionsA(own.json)).toBe(false);
    // The admin key sees every NIC (A's quickstart ones too).
    const all = await w.call("POST", "/_emulator/who-can-reach", ADMIN, { to: accountB });
    expect(all.json.rows.length).toBeGreaterThan(1);
  });

  it("what-if of a write to A's VNet is refused to B; of its own VNet it answers without A's flows", async () => {
    const r = await w.call("POST", "/_emulator/what-if", bearer(tokenB), { method: "DELETE", id: vnetA });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe("AuthorizationFailed");
    expect(r.json.error.message).toContain("Microsoft.Network/virtualNetworks/delete");
    const own = await w.call("POST", "/_emulator/what-if", bearer(tokenB), { method: "DELETE", id: vnetB });
    expect(own.status).toBe(200);
    expect(mentionsA(own.json)).toBe(false);
  });
});

describe("simulated requests, the request log and connections", () => {
  let connectionId: string;

  beforeAll(async () => {
    const sent = await w.call("POST", "/_emulator/requests", ADMIN, { from: vmA, to: accountA });
    expect(sent.json.logged).toBe(true);
    const c = await w.call("POST", "/_emulator/connections", ADMIN, { from: vmA, to: accountA });
    expect(c.status).toBe(201);
    connectionId = c.json.id;
  });

  it("B cannot send a simulated request from A's VM (403), and nothing is logged for it", async () => {
    const before = (
      await w.call("GET", `/_emulator/requests?resourceId=${encodeURIComponent(accountA)}`, ADMIN)
    ).json.value.length;
    expectForbiddenRead(
      await w.call("POST", "/_emulator/requests", bearer(tokenB), { from: vmA, to: accountA }),
      vmA,
    );
    expectForbiddenRead(
      await w.call("POST", "/_emulator/connections", bearer(tokenB), { from: vmA, to: accountA }),
      vmA,
    );
    const after = (
      await w.call("GET", `/_emulator/requests?resourceId=${encodeURIComponent(accountA)}`, ADMIN)
    ).json.value.length;
    expect(after).toBe(before);
  });

  it("B cannot read A's account's request log; the whole log shows B nothing of A; A's Owner sees its entries", async () => {
    expectForbiddenRead(
      await w.call("GET", `/_emulator/requests?resourceId=${encodeURIComponent(accountA)}`, bearer(tokenB)),
      accountA,
    );
    const all = await w.call("GET", "/_emulator/requests", bearer(tokenB));
    expect(all.status).toBe(200);
    expect(mentionsA(all.json)).toBe(false);
    const a = await w.call(
      "GET",
      `/_emulator/requests?resourceId=${encodeURIComponent(accountA)}`,
      bearer(tokenA),
    );
    expect(a.json.value.length).toBeGreaterThan(0);
  });

  it("B does not see A's connection, by list or by id (404, as if it did not exist)", async () => {
    const list = await w.call("GET", "/_emulator/connections", bearer(tokenB));
    expect(list.json.value).toEqual([]);
    for (const [method, path] of [
      ["GET", `/_emulator/connections/${connectionId}`],
      ["POST", `/_emulator/connections/${connectionId}/requests`],
      ["DELETE", `/_emulator/connections/${connectionId}`],
    ] as const) {
      const r = await w.call(method, path, bearer(tokenB));
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe("ConnectionNotFound");
    }
    const a = await w.call("GET", `/_emulator/connections/${connectionId}`, bearer(tokenA));
    expect(a.json.state).toBe("Open");
  });
});

describe("the event stream", () => {
  it("B follows only B's events: A's writes and A's logged requests never reach it; the admin key sees both", async () => {
    const streamB = await followEvents(w, bearer(tokenB));
    const streamAdmin = await followEvents(w, ADMIN);
    expect(streamB.status).toBe(200);
    await armPut(w, tokenA, `${rgA}/providers/Microsoft.Network/virtualNetworks/a-secret-vnet`, {
      location: "westus",
      properties: { addressSpace: { addressPrefixes: ["10.77.0.0/16"] } },
    });
    await w.call("POST", "/_emulator/requests", ADMIN, { from: vmA, to: accountA });
    await armPut(w, tokenB, `${rgB}/providers/Microsoft.Network/virtualNetworks/b-marker`, {
      location: "westus",
      properties: { addressSpace: { addressPrefixes: ["10.78.0.0/16"] } },
    });
    const isMarker = (e: Record<string, unknown>) => String(e.resourceId ?? "").endsWith("/b-marker");
    await streamB.until(isMarker);
    await streamAdmin.until(isMarker);
    streamB.close();
    streamAdmin.close();
    // Events arrive in order, so A's earlier events would have come before B's marker.
    expect(streamB.events.filter(isMarker)).toHaveLength(1);
    expect(mentionsA(streamB.events)).toBe(false);
    expect(streamAdmin.events.some((e) => String(e.resourceId ?? "").endsWith("/a-secret-vnet"))).toBe(true);
    expect(streamAdmin.events.some((e) => e.type === "request")).toBe(true);
  });
});
