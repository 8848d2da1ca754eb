/**
 * Deeply nested JSON: a request body nested deeper than MAX_REQUEST_DEPTH (128) levels is
 * refused at the HTTP edge with 400 `InvalidRequestContent` before anything recursive walks it
 * (bodies of 10^4–10^6 levels used to answer 500), and a too-deep document that is already in
 * the store (written before the limit existed) no longer poisons the lists, reads and writes
 * that meet it. Against the real HTTPS server in strict auth mode.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_REQUEST_DEPTH, MAX_STORED_DEPTH } from "../../src/model/json-depth.js";
import { settled, startStrictServer, withApi, type StrictServer } from "./edge-helpers.js";

let s: StrictServer;
let base: string;
let net: string;

const arrays = (n: number) => "[".repeat(n) + "]".repeat(n);
const objects = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);
/** A VNet body whose unknown property `junk` holds `inner` (the body's depth = inner's + 2). */
const vnetWith = (inner: string) =>
  `{"location":"westus","properties":{"addressSpace":{"addressPrefixes":["10.7.0.0/16"]},"junk":${inner}}}`;

function depthOf(v: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== "object") continue;
    max = Math.max(max, d + 1);
    for (const c of Object.values(x)) stack.push([c, d + 1]);
  }
  return max;
}

beforeAll(async () => {
  s = await startStrictServer();
  base = `/subscriptions/${s.sub}/resourceGroups/deep`;
  net = `${base}/providers/Microsoft.Network`;
  const rg = await s.raw("PUT", withApi(base), { token: s.owner, body: { location: "westus" } });
  expect(rg.status).toBeLessThan(300);
}, 60_000);

afterAll(async () => {
  await s?.t.dispose();
});

describe("request bodies nested too deep", () => {
  const cases: Array<[string, string]> = [
    ["arrays 129 (one over the limit)", vnetWith(arrays(MAX_REQUEST_DEPTH - 1))],
    ["arrays 10^4", vnetWith(arrays(10_000))],
    ["objects 4,000 (was stored)", vnetWith(objects(4_000))],
    ["objects 10^5", vnetWith(objects(100_000))],
    ["arrays 10^6 as the whole body", arrays(1_000_000)],
    ["arrays 10^6 inside", vnetWith(arrays(1_000_000))],
    ["unclosed arrays 10^6", "[".repeat(1_000_000)],
    ["brackets inside strings do not count", vnetWith(`"${"[".repeat(10_000)}"`)],
  ];

  it(`are refused with 400 InvalidRequestContent on PUT, PATCH and POST (limit ${MAX_REQUEST_DEPTH})`, async () => {
    const answers: string[] = [];
    for (const [label, body] of cases) {
      for (const [method, path] of [
        ["PUT", `${net}/virtualNetworks/deep1`],
        ["PATCH", `${net}/virtualNetworks/deep1`],
        ["POST", `${net}/virtualNetworks/deep1/checkIPAddressAvailability`],
        ["PUT", `${net}/virtualNetworks/deep1/subnets/s1`],
        ["PUT", base],
      ] as const) {
        const r = await s.raw(method, withApi(path), { token: s.owner, body });
        answers.push(`${label} ${method} ${path.slice(-30)} → ${r.status} ${r.json?.error?.code ?? ""}`);
        if (label.startsWith("brackets")) continue;
        expect(r.status, `${label} ${method} ${path}: ${r.text.slice(0, 200)}`).toBe(400);
        expect(r.json.error.code).toBe("InvalidRequestContent");
        expect(r.json.error.message).toContain(`maximum of ${MAX_REQUEST_DEPTH} levels`);
      }
    }
    // The string of brackets is a plain (if odd) value: the VNet is created.
    const odd = await s.raw("GET", withApi(`${net}/virtualNetworks/deep1`), { token: s.owner });
    expect(odd.status, answers.join("\n")).toBe(200);
    expect(odd.json.properties.junk).toBe("[".repeat(10_000));
  }, 120_000);

  it("a body exactly at the limit is accepted, stored and listed", async () => {
    const body = vnetWith(arrays(MAX_REQUEST_DEPTH - 2));
    const r = await settled(
      s,
      await s.raw("PUT", withApi(`${net}/virtualNetworks/atlimit`), { token: s.owner, body }),
    );
    expect(r.status, r.text.slice(0, 300)).toBe(201);
    const got = await s.raw("GET", withApi(`${net}/virtualNetworks/atlimit`), { token: s.owner });
    expect(depthOf(got.json.properties.junk)).toBe(MAX_REQUEST_DEPTH - 2);
    const list = await s.raw("GET", withApi(`${net}/virtualNetworks`), { token: s.owner });
    expect(list.status).toBe(200);
  });
});

describe("a too-deep document already in the store", () => {
  const DEPTH = Number(process.env.DEPTH ?? 4_000);
  let vnetId: string;

  beforeAll(async () => {
    vnetId = `${net}/virtualNetworks/poisoned`;
    const ok = await settled(
      s,
      await s.raw("PUT", withApi(vnetId), {
        token: s.owner,
        body: { location: "westus", properties: { addressSpace: { addressPrefixes: ["10.8.0.0/16"] } } },
      }),
    );
    expect(ok.status).toBe(201);
    // Poison it behind the API's back, as a store written before the limit could hold it.
    const store = s.t.server.deps.store;
    const doc = (await store.get(vnetId.toLowerCase()))!;
    expect(doc).toBeDefined();
    let junk: unknown = 1;
    for (let i = 0; i < DEPTH; i++) junk = { a: junk };
    (doc.body as { properties: Record<string, unknown> }).properties.junk = junk;
    await store.put(doc);
  });

  it("does not 500 the group's and the subscription's lists, /resources or /_emulator/resources", async () => {
    for (const path of [
      `${net}/virtualNetworks`,
      `/subscriptions/${s.sub}/providers/Microsoft.Network/virtualNetworks`,
      `${base}/resources`,
      `/subscriptions/${s.sub}/resources`,
    ]) {
      const r = await s.raw("GET", withApi(path), { token: s.owner });
      expect(r.status, `${path}: ${r.text.slice(0, 200)}`).toBe(200);
      expect(r.json.value.map((v: { name: string }) => v.name)).toContain("poisoned");
    }
    const emu = await s.raw("GET", "/_emulator/resources", { token: s.owner });
    expect(emu.status, emu.text.slice(0, 200)).toBe(200);
    expect(emu.text).toContain("poisoned");
  });

  it("a PUT into it (a subnet) succeeds and the VNet keeps its address space", async () => {
    const sub = await settled(
      s,
      await s.raw("PUT", withApi(`${vnetId}/subnets/s1`), {
        token: s.owner,
        body: { properties: { addressPrefix: "10.8.1.0/24" } },
      }),
    );
    expect(sub.status, sub.text.slice(0, 200)).toBe(201);
    const r = await s.raw("PATCH", withApi(vnetId), { token: s.owner, body: { tags: { a: "b" } } });
    expect(r.status, r.text.slice(0, 200)).toBe(200);
  });

  it(`reads it with the subtrees beyond ${MAX_STORED_DEPTH} levels cut, and it can be deleted`, async () => {
    const got = await s.raw("GET", withApi(vnetId), { token: s.owner });
    expect(got.status).toBe(200);
    expect(depthOf(got.json)).toBe(MAX_STORED_DEPTH);
    expect(got.json.properties.addressSpace.addressPrefixes).toEqual(["10.8.0.0/16"]);
    const del = await settled(s, await s.raw("DELETE", withApi(vnetId), { token: s.owner }));
    expect(del.status, del.text.slice(0, 200)).toBeLessThan(300);
    expect((await s.raw("GET", withApi(vnetId), { token: s.owner })).status).toBe(404);
  });
});
