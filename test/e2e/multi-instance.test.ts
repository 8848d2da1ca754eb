/**
 * Several Lazurite instances on one PostgreSQL database (docs/scale.md): each test starts its
 * instances on a fresh database of a throwaway server this file starts (test/support/postgres.ts).
 * Any instance answers any request: If-Match writers spread across instances lose no update,
 * an LRO started on one is polled on another, events and `check` on B show writes made on A,
 * a `kill -9` of one instance loses no acknowledged write, and a database restart gives
 * retriable 503s and loses nothing acknowledged.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEvents } from "../../src/cli/client.js";
import { DEMO_STORAGE_ACCOUNT } from "../../src/demo/quickstart.js";
import { postgresUnavailable, startTestPostgres, type TestPostgres } from "../support/postgres.js";
import { spawnServer, startTestServer, tempDataDir, type TestServer } from "./server.js";

const SUB = "00000000-0000-0000-0000-000000000001";
const RG = `/subscriptions/${SUB}/resourceGroups/shared`;
const NET = `${RG}/providers/Microsoft.Network`;
const NV = "api-version=2024-05-01";

const missing = postgresUnavailable();

async function instances(url: string, n: number, flags: Record<string, unknown> = {}): Promise<TestServer[]> {
  const out: TestServer[] = [];
  // One after the other on purpose: the first applies the migrations, the others find them applied.
  for (let i = 0; i < n; i++) out.push(await startTestServer({ flags: { store: url, ...flags } }));
  return out;
}

function nsg(tags: Record<string, string> = {}) {
  return { location: "westus", tags, properties: { securityRules: [] } };
}

describe.skipIf(missing !== undefined)("several instances on one PostgreSQL database", () => {
  let pg: TestPostgres;
  const started: TestServer[] = [];
  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    for (const s of started) await s.dispose().catch(() => undefined);
    pg?.stop();
  });

  it("concurrent If-Match writers spread over three instances lose no update", async () => {
    const all = await instances(await pg.newDatabase(), 3, { lroPolls: 0 });
    started.push(...all);
    const [a] = all as [TestServer];
    expect((await a.fetch("PUT", `${RG}?api-version=2021-04-01`, { location: "westus" })).status).toBe(201);
    const path = `${NET}/networkSecurityGroups/counter?${NV}`;
    expect((await a.fetch("PUT", path, nsg({ n: "0" }))).status).toBe(201);
    let acknowledged = 0;
    let conflicts = 0;
    const writer = async (w: number) => {
      for (let k = 0; k < 5; k++) {
        for (let attempt = 0; ; attempt++) {
          const s = all[(w + k + attempt) % all.length]!;
          const cur = await s.fetch("GET", path);
          const n = Number(cur.json.tags.n);
          const put = await s.fetch("PUT", path, nsg({ n: String(n + 1) }), { "if-match": cur.json.etag });
          if (put.status === 200) {
            acknowledged++;
            break;
          }
          expect([409, 412]).toContain(put.status);
          conflicts++;
        }
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5].map(writer));
    expect(acknowledged).toBe(30);
    for (const s of all) expect((await s.fetch("GET", path)).json.tags.n).toBe("30");
    // The writers did race (otherwise the test proves nothing about If-Match).
    expect(conflicts).toBeGreaterThan(0);
  });

  it("an operation started on A is polled to completion on B, and B refuses a second write meanwhile", async () => {
    const [a, b] = (await instances(await pg.newDatabase(), 2, { lroPolls: 2, lroMaxMs: 600_000 })) as [
      TestServer,
      TestServer,
    ];
    started.push(a, b);
    await a.fetch("PUT", `${RG}?api-version=2021-04-01`, { location: "westus" });
    const vnet = `${NET}/virtualNetworks/v1?${NV}`;
    const body = { location: "westus", properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } } };
    const put = await a.fetch("PUT", vnet, body);
    expect(put.status).toBe(201);
    const status = put.headers.get("azure-asyncoperation")!;
    expect(status.startsWith(a.url)).toBe(true);
    const onB = status.replace(a.url, b.url);
    const second = await b.fetch("PUT", vnet, body);
    expect(second.status).toBe(409);
    expect(second.json.error.code).toBe("AnotherOperationInProgress");
    expect((await b.fetch("GET", onB)).json.status).toBe("InProgress");
    expect((await b.fetch("GET", onB)).json.status).toBe("InProgress");
    expect((await b.fetch("GET", onB)).json.status).toBe("Succeeded");
    expect((await a.fetch("GET", vnet)).json.properties.provisioningState).toBe("Succeeded");
  });

  it("events and check on B reflect writes made on A", async () => {
    const url = await pg.newDatabase();
    const [a] = await instances(url, 1, { demo: true, lroPolls: 0 });
    const [b] = await instances(url, 1, { lroPolls: 0 });
    started.push(a!, b!);
    const rg = `/subscriptions/${SUB}/resourceGroups/lazurite-demo`;
    const account = `${rg}/providers/Microsoft.Storage/storageAccounts/${DEMO_STORAGE_ACCOUNT}`;
    const vm1 = `${rg}/providers/Microsoft.Compute/virtualMachines/testvm1`;
    const check = async () =>
      (await b!.fetch("POST", "/_emulator/check", { from: vm1, to: `${account}#blob`, port: 443 })).json
        .decision;
    expect(await check()).toBe("Denied");

    const seen: Array<Record<string, any>> = [];
    const stream = readEvents(
      { url: b!.url, ca: b!.ca, token: "x" },
      "/_emulator/events?types=resource",
      {},
      (e) => {
        seen.push(JSON.parse(e.data));
        return !seen.some((x) => x.resourceId?.toLowerCase() === account.toLowerCase());
      },
      AbortSignal.timeout(30_000),
    );
    await new Promise((r) => setTimeout(r, 300));
    const current = (await a!.fetch("GET", `${account}?api-version=2023-01-01`)).json;
    const open = {
      location: current.location,
      sku: current.sku,
      kind: current.kind,
      properties: { networkAcls: { ...current.properties.networkAcls, defaultAction: "Allow" } },
    };
    const put = await a!.fetch("PUT", `${account}?api-version=2023-01-01`, open);
    expect([200, 202]).toContain(put.status);
    await stream;
    expect(seen.find((x) => x.resourceId?.toLowerCase() === account.toLowerCase())).toMatchObject({
      type: "resource",
      action: "updated",
    });
    expect(await check()).toBe("Allowed");
  });

  it("kill -9 of one instance mid-write: every acknowledged write is readable through the survivor", async () => {
    const url = await pg.newDatabase();
    const dirs = [tempDataDir(), tempDataDir()];
    const env = { LAZURITE_STORE: url };
    const victim = await spawnServer(dirs[0]!, env);
    const [survivor] = await instances(url, 1);
    started.push(survivor!);
    try {
      const https = await import("node:https");
      const { readFileSync } = await import("node:fs");
      const agent = new https.Agent({ ca: readFileSync(`${dirs[0]}/tls/ca.pem`), keepAlive: true });
      const put = (path: string, body: unknown) =>
        new Promise<number>((ok, fail) => {
          const payload = JSON.stringify(body);
          const req = https.request(
            `${victim.url}${path}`,
            {
              method: "PUT",
              agent,
              headers: { authorization: "Bearer x", "content-type": "application/json" },
            },
            (res) => {
              res.resume();
              res.on("end", () => ok(res.statusCode ?? 0));
            },
          );
          req.on("error", fail);
          req.end(payload);
        });
      expect(await put(`${RG}?api-version=2021-04-01`, { location: "westus" })).toBe(201);
      const acked: string[] = [];
      let stop = false;
      const writers = [0, 1, 2, 3].map(async (w) => {
        for (let i = 0; !stop; i++) {
          const name = `nsg-${w}-${i}`;
          try {
            const s = await put(`${NET}/networkSecurityGroups/${name}?${NV}`, nsg());
            if (s === 201) acked.push(name);
          } catch {
            return; // the instance is gone: this write was never acknowledged
          }
        }
      });
      while (acked.length < 20) await new Promise((r) => setTimeout(r, 20));
      victim.child.kill("SIGKILL");
      stop = true;
      await Promise.all(writers);
      agent.destroy();
      for (const name of acked) {
        const got = await survivor!.fetch("GET", `${NET}/networkSecurityGroups/${name}?${NV}`);
        expect(got.status, name).toBe(200);
      }
    } finally {
      victim.child.kill("SIGKILL");
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });

  it("a database restart mid-run: clients get retriable 503s, nothing acknowledged is lost", async () => {
    const [a, b] = (await instances(await pg.newDatabase(), 2, { lroPolls: 0 })) as [TestServer, TestServer];
    started.push(a, b);
    expect((await a.fetch("PUT", `${RG}?api-version=2021-04-01`, { location: "westus" })).status).toBe(201);
    const acked: string[] = [];
    const statuses = new Map<number, number>();
    const codes = new Set<string>();
    let restarted = false;
    for (let i = 0; i < 400 && !(restarted && acked.length >= 20); i++) {
      if (i === 10) pg.stopServer();
      const s = [a, b][i % 2]!;
      const name = `nsg-${i}`;
      const r = await s.fetch("PUT", `${NET}/networkSecurityGroups/${name}?${NV}`, nsg());
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status === 201) acked.push(name);
      else {
        expect(r.status, JSON.stringify(r.json)).toBe(503);
        expect(r.headers.get("retry-after")).toBe("1");
        codes.add(r.json.error.code);
        if (!restarted && (statuses.get(503) ?? 0) >= 3) {
          pg.start();
          restarted = true;
        }
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    expect(restarted).toBe(true);
    expect([...codes]).toEqual(["ServiceUnavailable"]);
    expect(acked.length).toBeGreaterThanOrEqual(20);
    for (const name of acked)
      for (const s of [a, b])
        expect((await s.fetch("GET", `${NET}/networkSecurityGroups/${name}?${NV}`)).status, name).toBe(200);
  });
});

if (missing !== undefined)
  describe("several instances on one PostgreSQL database", () => {
    it.skip(`skipped: ${missing}`, () => undefined);
  });
