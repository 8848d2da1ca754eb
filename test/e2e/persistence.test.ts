/**
 * Durability: resources survive a clean restart, and every write the server acknowledged
 * survives `kill -9` of the server process (SQLite WAL with synchronous=FULL).
 */
import { readFileSync, rmSync } from "node:fs";
import https from "node:https";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FAST, SUB, spawnServer, startTestServer, tempDataDir, type TestServer } from "./server.js";

const RG = "e2e-persist";
const base = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network`;
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

describe("persistence", () => {
  it("resources, etags and the generated CA survive a clean restart", async () => {
    const dataDir = tempDataDir();
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let t: TestServer = await startTestServer({ dataDir });
    const ca = readFileSync(t.server.caFile, "utf8");
    await t.resources().resourceGroups.createOrUpdate(RG, { location: "westus" });
    const vnet = await t.network().virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      "v1",
      {
        location: "westus",
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [
          { name: "s1", addressPrefix: "10.0.1.0/24", serviceEndpoints: [{ service: "Microsoft.Storage" }] },
        ],
      },
      FAST,
    );
    await t.stop();
    t = await startTestServer({ dataDir });
    cleanup.push(() => t.stop());
    expect(readFileSync(t.server.caFile, "utf8")).toBe(ca);
    const again = await t.network().virtualNetworks.get(RG, "v1");
    expect(again.etag).toBe(vnet.etag);
    expect(again.subnets?.[0]?.serviceEndpoints?.[0]?.locations).toEqual(["westus", "eastus"]);
  });

  it("every acknowledged write survives kill -9 of the server process", async () => {
    const dataDir = tempDataDir();
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const { child, url } = await spawnServer(dataDir);
    cleanup.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    const ca = readFileSync(join(dataDir, "tls", "ca.pem"));
    const agent = new https.Agent({ ca, keepAlive: true });
    cleanup.push(() => agent.destroy());
    const put = (path: string, body: unknown) =>
      new Promise<number>((ok, fail) => {
        const payload = JSON.stringify(body);
        const req = https.request(
          `${url}${path}`,
          {
            method: "PUT",
            agent,
            headers: {
              "content-type": "application/json",
              "content-length": Buffer.byteLength(payload),
              authorization: "Bearer x",
            },
          },
          (res) => {
            res.resume();
            res.on("end", () => ok(res.statusCode ?? 0));
          },
        );
        req.on("error", fail);
        req.end(payload);
      });
    expect(
      await put(`/subscriptions/${SUB}/resourceGroups/${RG}?api-version=2025-04-01`, { location: "westus" }),
    ).toBe(201);
    const acknowledged: string[] = [];
    for (let i = 0; i < 25; i++) {
      const status = await put(`${base}/networkSecurityGroups/nsg${i}?api-version=2025-05-01`, {
        location: "westus",
      });
      expect(status).toBe(201);
      acknowledged.push(`nsg${i}`);
    }
    const exited = new Promise((ok) => child.once("exit", ok));
    child.kill("SIGKILL");
    await exited;
    expect(child.signalCode).toBe("SIGKILL");

    const t = await startTestServer({ dataDir });
    cleanup.push(() => t.stop());
    const names: string[] = [];
    for await (const n of t.network().networkSecurityGroups.list(RG)) names.push(n.name!);
    expect(names.sort()).toEqual([...acknowledged].sort());
  });

  it("the server closes cleanly on SIGTERM and SIGINT (exit code 0)", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const dataDir = tempDataDir();
      cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const { child, output } = await spawnServer(dataDir);
      const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(output()).toContain(`Received ${signal}, shutting down.`);
    }
  });
});
