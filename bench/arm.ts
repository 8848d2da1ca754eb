/**
 * ARM control-plane benchmark: subnet GET and PUT throughput over HTTPS against the real
 * server (startServer, port 0, temp data dir, SQLite with synchronous=FULL), and, in the same
 * run, a bare Fastify HTTPS route on the same machine returning the same subnet JSON.
 *
 * Fixed request counts, a few requests in flight over keep-alive connections, loopback only,
 * each phase bounded in time. Operations complete at once (`--lro-polls 0`) so that
 * back-to-back PUTs of one subnet do not get 409 AnotherOperationInProgress; every PUT still
 * records its operation and commits durably.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { loadConfig } from "../src/config/config.js";
import { startServer } from "../src/main.js";

export interface ArmBenchOptions {
  requests: number;
  concurrency: number;
  warmup: number;
  /** Upper bound per phase (ms); a phase stops early and reports what it measured. */
  phaseBudgetMs: number;
}

export const DEFAULT_ARM_BENCH: ArmBenchOptions = {
  requests: 2000,
  concurrency: 8,
  warmup: 200,
  phaseBudgetMs: 20_000,
};

const SUB = "00000000-0000-0000-0000-00000000beef";
const RG = "bench";
const SUBNET = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/app`;
const API = "api-version=2025-05-01";

interface Client {
  request(method: string, url: string, body?: string): Promise<{ status: number; text: string }>;
  close(): void;
}

function client(ca: Buffer, concurrency: number): Client {
  const agent = new https.Agent({ ca, keepAlive: true, maxSockets: concurrency });
  return {
    request: (method, url, body) =>
      new Promise((ok, fail) => {
        const req = https.request(
          url,
          {
            method,
            agent,
            headers: {
              authorization: "Bearer bench",
              accept: "application/json",
              ...(body !== undefined
                ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
                : {}),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
              ok({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
            );
          },
        );
        req.on("error", fail);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

/** Runs `count` calls with `concurrency` in flight; returns completed calls per second. */
async function measure(
  count: number,
  concurrency: number,
  budgetMs: number,
  call: () => Promise<void>,
): Promise<number> {
  let started = 0;
  let done = 0;
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + budgetMs;
  const worker = async () => {
    while (started < count && Date.now() < deadline) {
      started++;
      await call();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return done / seconds;
}

export async function runArmBench(opts: Partial<ArmBenchOptions> = {}): Promise<Record<string, number>> {
  const o = { ...DEFAULT_ARM_BENCH, ...opts };
  const dataDir = mkdtempSync(join(tmpdir(), "lazurite-bench-"));
  const server = await startServer(
    loadConfig(
      { port: 0, host: "127.0.0.1", dataDir, logLevel: "silent", lroPolls: 0, lroMaxMs: 0 },
      {},
      dataDir,
    ),
    { print: () => undefined },
  );
  const ca = readFileSync(server.caFile);
  const url = `https://localhost:${server.port}`;
  const c = client(ca, o.concurrency);
  const bare = Fastify({
    logger: false,
    https: {
      key: readFileSync(join(dataDir, "tls", "server-key.pem")),
      cert: readFileSync(join(dataDir, "tls", "server.pem")),
    },
  });
  try {
    const expect = async (p: Promise<{ status: number; text: string }>, status: number[]) => {
      const r = await p;
      if (!status.includes(r.status)) throw new Error(`unexpected ${r.status}: ${r.text.slice(0, 300)}`);
      return r;
    };
    await expect(
      c.request(
        "PUT",
        `${url}/subscriptions/${SUB}/resourceGroups/${RG}?api-version=2025-04-01`,
        JSON.stringify({ location: "westus" }),
      ),
      [200, 201],
    );
    await expect(
      c.request(
        "PUT",
        `${url}/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/vnet?${API}`,
        JSON.stringify({
          location: "westus",
          properties: {
            addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
            subnets: [
              {
                name: "app",
                properties: {
                  addressPrefix: "10.0.1.0/24",
                  serviceEndpoints: [{ service: "Microsoft.Storage" }],
                },
              },
              { name: "data", properties: { addressPrefix: "10.0.2.0/24" } },
            ],
          },
        }),
      ),
      [200, 201],
    );
    const subnetJson = (await expect(c.request("GET", `${url}${SUBNET}?${API}`), [200])).text;
    const putBody = JSON.stringify({
      properties: {
        addressPrefix: "10.0.1.0/24",
        serviceEndpoints: [{ service: "Microsoft.Storage" }, { service: "Microsoft.Sql" }],
      },
    });

    bare.get("/subnet", async (_req, reply) =>
      reply.type("application/json; charset=utf-8").send(subnetJson),
    );
    await bare.listen({ port: 0, host: "127.0.0.1" });
    const bareAddr = bare.server.address();
    const bareUrl = `https://localhost:${typeof bareAddr === "object" && bareAddr ? bareAddr.port : 0}/subnet`;

    const get = async () => void (await expect(c.request("GET", `${url}${SUBNET}?${API}`), [200]));
    const put = async () => void (await expect(c.request("PUT", `${url}${SUBNET}?${API}`, putBody), [200]));
    const bareGet = async () => void (await expect(c.request("GET", bareUrl), [200]));

    await measure(o.warmup, o.concurrency, o.phaseBudgetMs, bareGet);
    await measure(o.warmup, o.concurrency, o.phaseBudgetMs, get);
    const bareGetPerSec = await measure(o.requests, o.concurrency, o.phaseBudgetMs, bareGet);
    const subnetGetPerSec = await measure(o.requests, o.concurrency, o.phaseBudgetMs, get);
    await measure(Math.min(o.warmup, 50), o.concurrency, o.phaseBudgetMs, put);
    const subnetPutPerSec = await measure(
      Math.max(1, Math.floor(o.requests / 2)),
      o.concurrency,
      o.phaseBudgetMs,
      put,
    );
    return {
      requests: o.requests,
      concurrency: o.concurrency,
      subnetGetPerSec: Math.round(subnetGetPerSec),
      subnetPutPerSec: Math.round(subnetPutPerSec),
      bareFastifyGetPerSec: Math.round(bareGetPerSec),
      subnetGetVsBare: Number((subnetGetPerSec / bareGetPerSec).toFixed(3)),
      subnetJsonBytes: Buffer.byteLength(subnetJson),
    };
  } finally {
    c.close();
    await bare.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  runArmBench().then(
    (r) => console.log(JSON.stringify(r)),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
