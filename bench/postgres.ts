/**
 * `npm run bench:postgres` (also `npm run bench -- --store postgres`): several Lazurite
 * instances on one throwaway PostgreSQL server (test/support/postgres.ts), over HTTPS:
 *
 * - PUT/s and GET/s (NSG documents, operations completing at once) with 1, 2 and 3 instances,
 *   requests spread round-robin over the instances;
 * - change propagation lag: from a PUT acknowledged by instance A to instance B's change
 *   follower having applied that change (p50 / p99);
 * - join start-up: time for a new instance to start on a database holding the bench estate
 *   (bench/estate.ts, `--join-scale`), until it listens.
 *
 * The instances run in this one process (one event loop), so the 2- and 3-instance figures
 * measure the shared database and the change feed, not extra CPU. Prints one JSON line.
 * Options: --requests N (per phase, default 1000), --concurrency N (8), --join-scale N (estate for the join start-up, 0 = skipped).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { followerOf } from "../src/arm/change-follower.js";
import { loadResources } from "../src/arm/load.js";
import { loadConfig } from "../src/config/config.js";
import { startServer, type RunningServer } from "../src/main.js";
import { startTestPostgres } from "../test/support/postgres.js";
import { generateEstate, loadCatalog } from "./estate.js";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

const SUB = "00000000-0000-0000-0000-000000000001";
const RG = `/subscriptions/${SUB}/resourceGroups/bench`;
const NV = "api-version=2024-05-01";

interface Instance {
  server: RunningServer;
  dataDir: string;
  agent: https.Agent;
}

async function startInstance(url: string): Promise<Instance> {
  const dataDir = mkdtempSync(join(tmpdir(), "lazurite-pgbench-"));
  const config = loadConfig({ port: 0, dataDir, logLevel: "silent", lroPolls: 0, store: url }, {}, dataDir);
  const server = await startServer(config, { print: () => undefined });
  const agent = new https.Agent({ ca: readFileSync(server.caFile), keepAlive: true, maxSockets: 16 });
  return { server, dataDir, agent };
}

async function stopInstance(i: Instance): Promise<void> {
  i.agent.destroy();
  await i.server.close();
  rmSync(i.dataDir, { recursive: true, force: true });
}

function call(i: Instance, method: string, path: string, body?: unknown): Promise<number> {
  return new Promise((ok, fail) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      `${i.server.url}${path}`,
      {
        method,
        agent: i.agent,
        headers: {
          authorization: "Bearer x",
          ...(payload !== undefined ? { "content-type": "application/json" } : {}),
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
}

async function rate(
  n: number,
  concurrency: number,
  one: (k: number) => Promise<number>,
): Promise<{ perSecond: number; failed: number }> {
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const k = next++;
        const s = await one(k);
        if (s >= 300) failed++;
      }
    }),
  );
  return { perSecond: (n * 1000) / (performance.now() - t0), failed };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

const nsg = (i: number) => ({
  location: "westus",
  tags: { i: String(i) },
  properties: { securityRules: [] },
});

export async function runPostgresBench(): Promise<Record<string, number>> {
  const requests = option("requests", 1000);
  const concurrency = option("concurrency", 8);
  const joinScale = option("join-scale", 0);
  const log = (line: string) => console.log(`# ${line}`);
  const pg = await startTestPostgres();
  const out: Record<string, number> = {};
  try {
    for (const n of [1, 2, 3]) {
      const url = await pg.newDatabase();
      const all: Instance[] = [];
      for (let k = 0; k < n; k++) all.push(await startInstance(url));
      try {
        await call(all[0]!, "PUT", `${RG}?api-version=2021-04-01`, { location: "westus" });
        const at = (k: number) => all[k % n]!;
        const put = await rate(requests, concurrency, (k) =>
          call(
            at(k),
            "PUT",
            `${RG}/providers/Microsoft.Network/networkSecurityGroups/n${k % 200}?${NV}`,
            nsg(k),
          ),
        );
        const get = await rate(requests * 2, concurrency, (k) =>
          call(at(k), "GET", `${RG}/providers/Microsoft.Network/networkSecurityGroups/n${k % 200}?${NV}`),
        );
        out[`put_per_s_${n}`] = Math.round(put.perSecond);
        out[`get_per_s_${n}`] = Math.round(get.perSecond);
        out[`failed_${n}`] = put.failed + get.failed;
        log(
          `${n} instance(s): PUT ${out[`put_per_s_${n}`]}/s, GET ${out[`get_per_s_${n}`]}/s, failed ${out[`failed_${n}`]}`,
        );
        if (n === 2) {
          // Propagation lag: A acknowledges a PUT; when did B's follower apply it?
          const follower = followerOf(all[1]!.server.deps)!;
          const seen = new Map<string, number>();
          follower.onRemoteChanges((cs) => {
            const t = performance.now();
            for (const c of cs) if (!seen.has(c.key)) seen.set(c.key, t);
          });
          const lags: number[] = [];
          for (let k = 0; k < 300; k++) {
            const name = `lag${k}`;
            const path = `${RG}/providers/Microsoft.Network/networkSecurityGroups/${name}`;
            await call(all[0]!, "PUT", `${path}?${NV}`, nsg(k));
            const acked = performance.now();
            const key = path.toLowerCase();
            while (!seen.has(key)) await new Promise((r) => setTimeout(r, 1));
            lags.push(Math.max(0, seen.get(key)! - acked));
          }
          out.propagation_lag_p50_ms = Number(pct(lags, 50).toFixed(2));
          out.propagation_lag_p99_ms = Number(pct(lags, 99).toFixed(2));
          log(
            `propagation lag A -> B: p50 ${out.propagation_lag_p50_ms} ms, p99 ${out.propagation_lag_p99_ms} ms`,
          );
        }
      } finally {
        for (const i of all) await stopInstance(i);
      }
    }
    // Join start-up on a database holding the bench estate (--join-scale, default 0: skipped).
    if (joinScale > 0) {
      const url = await pg.newDatabase();
      const loader = await startInstance(url);
      const estate = generateEstate(20260626, loadCatalog().catalog, joinScale);
      const t0 = performance.now();
      // VNets first without their peerings (a peering names a VNet that may come later), then the peerings.
      const isVnet = (r: { type: string }) => r.type.toLowerCase() === "microsoft.network/virtualnetworks";
      const peerings = (r: { properties?: Record<string, unknown> }) =>
        (r.properties?.virtualNetworkPeerings as unknown[] | undefined) ?? [];
      await loadResources(
        loader.server.deps,
        estate.resources.map((r) =>
          isVnet(r) ? { ...r, properties: { ...r.properties, virtualNetworkPeerings: [] } } : r,
        ),
      );
      await loadResources(
        loader.server.deps,
        estate.resources.filter((r) => isVnet(r) && peerings(r).length > 0),
      );
      out.estate_resources = estate.resources.length;
      out.estate_load_ms = Math.round(performance.now() - t0);
      log(
        `estate: ${estate.resources.length} resources loaded through the providers in ${out.estate_load_ms} ms`,
      );
      const t1 = performance.now();
      const joiner = await startInstance(url);
      out.join_startup_ms = Math.round(performance.now() - t1);
      log(`join start-up on that database: ${out.join_startup_ms} ms`);
      await stopInstance(joiner);
      await stopInstance(loader);
    }
  } finally {
    pg.stop();
  }
  console.log(JSON.stringify({ postgres: out }));
  return out;
}

if (process.argv[1] && /bench[/\\]postgres\.ts$/.test(process.argv[1])) {
  runPostgresBench().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
