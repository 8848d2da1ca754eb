/**
 * End-to-end harness: the real server (startServer) over HTTPS on port 0 with a temp data
 * dir, and the official Azure SDK clients pointed at it (trivial TokenCredential, the
 * generated CA through the client's `tlsOptions`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ComputeManagementClient } from "@azure/arm-compute";
import { NetworkManagementClient } from "@azure/arm-network";
import { ResourceManagementClient } from "@azure/arm-resources";
import type { TokenCredential } from "@azure/core-auth";
import type { Clock } from "../../src/arm/context.js";
import { loadConfig, type ConfigFlags } from "../../src/config/config.js";
import { startServer, type RunningServer } from "../../src/main.js";
import { postgresUnavailable, startTestPostgres, type TestPostgres } from "../support/postgres.js";

export const SUB = "11111111-2222-3333-4444-555555555555";
export const credential: TokenCredential = {
  getToken: async () => ({ token: "x", expiresOnTimestamp: Date.now() + 3600e3 }),
};
export const FAST = { updateIntervalInMs: 10 };

export interface TestServer {
  server: RunningServer;
  url: string;
  ca: Buffer;
  dataDir: string;
  network(sub?: string): NetworkManagementClient;
  resources(sub?: string): ResourceManagementClient;
  compute(sub?: string): ComputeManagementClient;
  /** Raw HTTPS request (for paths no SDK covers); in strict mode it sends the admin key header unless overridden. */
  fetch(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; json: any }>;
  stop(): Promise<void>;
  /** Stops the server and removes the data dir. */
  dispose(): Promise<void>;
}

/** The header a strict-mode server takes its admin key in (docs/identity.md). */
export const ADMIN_KEY_HEADER = "x-lazurite-admin-key";

/** A data dir's admin key (`DATA_DIR/admin-key`, written by a strict-mode server), if any. */
export function readAdminKeyFile(dataDir: string): string | undefined {
  const file = join(dataDir, "admin-key");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), "lazurite-e2e-"));
}

/**
 * `LAZURITE_TEST_STORE=postgres` (`npm run test:postgres`): every test server stores in a
 * database of one throwaway PostgreSQL server per test file, one database per data dir (so a
 * restart on the same data dir finds its data again).
 */
let testPostgres: Promise<TestPostgres> | undefined;
const databaseOf = new Map<string, string>();

async function storeFlagFor(dataDir: string): Promise<ConfigFlags> {
  if (process.env.LAZURITE_TEST_STORE !== "postgres") return {};
  if (!testPostgres) {
    const missing = postgresUnavailable();
    if (missing) throw new Error(`LAZURITE_TEST_STORE=postgres: ${missing}`);
    testPostgres = startTestPostgres();
    const server = await testPostgres;
    process.once("exit", () => server.stop());
  }
  const server = await testPostgres;
  let url = databaseOf.get(dataDir);
  if (!url) databaseOf.set(dataDir, (url = await server.newDatabase()));
  return { store: url };
}

export async function startTestServer(
  opts: { dataDir?: string; flags?: ConfigFlags; clock?: Clock } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const storeFlag = opts.flags?.store !== undefined ? {} : await storeFlagFor(dataDir);
  const config = loadConfig(
    { port: 0, dataDir, logLevel: "silent", ...storeFlag, ...(opts.flags ?? {}) },
    {},
    dataDir,
  );
  const server = await startServer(config, {
    print: () => undefined,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  // Strict mode: the admin API needs the data dir's admin key, read from its file as a user would.
  const adminKey = readAdminKeyFile(dataDir);
  const ca = readFileSync(server.caFile);
  const clientOptions = () => ({ endpoint: server.url, tlsOptions: { ca }, retryOptions: { maxRetries: 0 } });
  const https = await import("node:https");
  const agent = new https.Agent({ ca, keepAlive: true });
  const t: TestServer = {
    server,
    url: server.url,
    ca,
    dataDir,
    network: (sub = SUB) => new NetworkManagementClient(credential, sub, clientOptions()),
    resources: (sub = SUB) => new ResourceManagementClient(credential, sub, clientOptions()),
    compute: (sub = SUB) => new ComputeManagementClient(credential, sub, clientOptions()),
    fetch: (method, path, body, headers = {}) =>
      new Promise((resolve, reject) => {
        const url = new URL(path.startsWith("http") ? path : `${server.url}${path}`);
        const payload =
          body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
        const req = https.request(
          url,
          {
            method,
            agent,
            headers: {
              authorization: "Bearer x",
              ...(adminKey !== undefined ? { [ADMIN_KEY_HEADER]: adminKey } : {}),
              ...(payload !== undefined
                ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
                : {}),
              ...headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              const h = new Headers();
              for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") h.set(k, v);
              resolve({ status: res.statusCode ?? 0, headers: h, json: text ? JSON.parse(text) : undefined });
            });
          },
        );
        req.on("error", reject);
        if (payload !== undefined) req.write(payload);
        req.end();
      }),
    stop: async () => {
      agent.destroy();
      await server.close();
    },
    dispose: async () => {
      agent.destroy();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Awaits a promise expected to reject with a RestError; returns it. */
export async function restError(
  p: Promise<unknown>,
): Promise<{ statusCode?: number; code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { statusCode?: number; code?: string; message: string };
  }
  throw new Error("expected the call to fail");
}

/** The real server in a child process (test/e2e/fixtures/child-server.ts); resolves once it listens. */
export async function spawnServer(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const script = resolve(import.meta.dirname, "fixtures/child-server.ts");
  const store = env.LAZURITE_STORE ?? (await storeFlagFor(dataDir)).store;
  const child = spawn(process.execPath, ["--import", "tsx", script, dataDir], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env, ...(store !== undefined ? { LAZURITE_STORE: store } : {}) },
  });
  let out = "";
  let err = "";
  const url = await new Promise<string>((ok, fail) => {
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) ok(m[1]!);
    });
    child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
    child.on("exit", (code) => fail(new Error(`child exited ${code}: ${err}`)));
  });
  return { child, url, output: () => out + err };
}
