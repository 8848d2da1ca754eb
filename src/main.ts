/**
 * Process wiring (STYLE §5): config → TLS → store (+ migrations) → control plane → HTTP app
 * → listen. `startServer` is what `lazurite serve` runs and what the end-to-end tests and
 * the benchmark start.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { createArmDeps } from "./arm/arm.js";
import type { ArmDeps, Clock, IdGenerator } from "./arm/context.js";
import { loadResources } from "./arm/load.js";
import { RESOURCE_GROUP_TYPE } from "./arm/tenancy.js";
import type { Config } from "./config/config.js";
import { quickstartResources } from "./demo/quickstart.js";
import { buildApp, type AppDeps } from "./http/app.js";
import { openAuthenticator, strictAuthenticator } from "./http/auth.js";
import { ensureAdminKey } from "./config/admin-key.js";
import { Identity } from "./identity/identity.js";
import { ensureTls } from "./http/tls.js";
import { ServiceTagCatalog } from "./model/catalog/service-tags.js";
import { defaultServiceTagCatalog } from "./model/catalog/synthetic-service-tags.js";
import { openSqliteStore } from "./store/sqlite/sqlite-store.js";

export interface RunningServer {
  /** `https://localhost:PORT` */
  url: string;
  port: number;
  /** The CA certificate file clients must trust. */
  caFile: string;
  dataDir: string;
  app: FastifyInstance;
  deps: ArmDeps;
  /** Token endpoint, signing key and directory (src/identity). */
  identity: Identity;
  /** Strict mode: the bootstrap admin key of the `/_emulator` API and the file it lives in (mode 0600). */
  adminKey?: string;
  adminKeyFile?: string;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  ids?: IdGenerator;
  /** Where the start-up lines go (default: stdout). */
  print?: (line: string) => void;
  /** Connection timeouts (default: src/model/catalog/limits.ts SERVER_TIMEOUTS). */
  timeouts?: AppDeps["timeouts"];
  /** Close on SIGINT/SIGTERM and exit the process (the CLI sets it). */
  handleSignals?: boolean;
}

export const systemClock: Clock = { now: () => Date.now() };
export const randomIds: IdGenerator = { guid: () => randomUUID() };

function loadServiceTags(file: string | undefined): ServiceTagCatalog {
  if (file === undefined) return defaultServiceTagCatalog();
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`--service-tags ${file}: ${(e as Error).message}`);
  }
  return ServiceTagCatalog.fromJson(json, file);
}

/** The lines printed on start: the base URL, then what to paste for the JS and Python SDKs and az. */
export function startupLines(url: string, caFile: string, subscriptionId: string, dataDir: string): string[] {
  return [
    `Lazurite ARM emulator listening on ${url} (data: ${dataDir})`,
    `  JS SDK:     NODE_EXTRA_CA_CERTS=${caFile}  ->  new NetworkManagementClient(credential, "${subscriptionId}", { endpoint: "${url}" })`,
    `  Python SDK: REQUESTS_CA_BUNDLE=${caFile}  ->  NetworkManagementClient(credential, "${subscriptionId}", base_url="${url}", credential_scopes=["${url}/.default"])`,
    `  az CLI:     REQUESTS_CA_BUNDLE=${caFile} az cloud register -n Lazurite --endpoint-resource-manager ${url}/ --endpoint-active-directory ${url}/adfs --endpoint-active-directory-resource-id ${url}/ --endpoint-active-directory-graph-resource-id ${url}/graph/`,
  ];
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const print = opts.print ?? ((line: string) => process.stdout.write(line + "\n"));
  const tls = ensureTls(
    config.dataDir,
    config.certFile && config.keyFile ? { certFile: config.certFile, keyFile: config.keyFile } : undefined,
  );
  const serviceTags = loadServiceTags(config.serviceTagsFile);
  const { store } = await openSqliteStore({ filename: join(config.dataDir, "lazurite.db") });
  let app: FastifyInstance | undefined;
  try {
    const deps = await createArmDeps({
      store,
      clock: opts.clock ?? systemClock,
      ids: opts.ids ?? randomIds,
      serviceTags,
      lro: config.lro,
      pageSize: config.pageSize,
    });
    if (config.demo) {
      const any = await store.list({ type: RESOURCE_GROUP_TYPE, limit: 1 });
      if (any.items.length === 0) await loadResources(deps, quickstartResources(deps.tenancy.subscriptionId));
    }
    const identity = await Identity.create(deps, { mode: config.auth });
    const admin = config.auth === "strict" ? ensureAdminKey(config.dataDir) : undefined;
    app = buildApp({
      arm: deps,
      identity,
      ...(admin ? { adminKey: admin.key } : {}),
      auth: config.auth === "strict" ? strictAuthenticator(identity, deps) : openAuthenticator,
      https: { key: tls.key, cert: tls.cert },
      ...(config.publicUrl !== undefined ? { publicUrl: config.publicUrl } : {}),
      ...(opts.timeouts !== undefined ? { timeouts: opts.timeouts } : {}),
      logger: config.logLevel === "silent" ? false : { level: config.logLevel },
    });
    await app.listen({ port: config.port, host: config.host });
    const addr = app.server.address();
    const port = typeof addr === "object" && addr !== null ? addr.port : config.port;
    const url = `https://localhost:${port}`;
    if (tls.generated)
      print(
        `Generated a local CA (${tls.caFile}) and a server certificate for localhost, 127.0.0.1 and ::1.`,
      );
    const clientUrl = config.publicUrl ?? url;
    for (const line of startupLines(clientUrl, tls.caFile, deps.tenancy.subscriptionId, config.dataDir))
      print(line);
    if (config.publicUrl !== undefined)
      print(
        `  Public URL: ${config.publicUrl} (listening on ${url}); every absolute URL handed out starts with it.`,
      );
    if (admin) {
      print(
        `  Auth:       strict. Tokens from ${clientUrl}/{tenantId}/oauth2/v2.0/token; add principals and a first Owner under ${clientUrl}/_emulator/tenants/{tenantId}/ with the admin key (docs/identity.md).`,
      );
      print(
        admin.generated
          ? `  Admin key:  ${admin.key}  (generated now and shown once; kept in ${admin.file}, mode 0600: send it as "x-lazurite-admin-key: <key>" or "Authorization: Bearer <key>" to /_emulator)`
          : `  Admin key:  in ${admin.file} (mode 0600; read it with: cat ${admin.file}); send it as "x-lazurite-admin-key: <key>" to /_emulator`,
      );
    }
    let closing: Promise<void> | undefined;
    const running: RunningServer = {
      url,
      port,
      caFile: tls.caFile,
      dataDir: config.dataDir,
      app,
      deps,
      identity,
      ...(admin ? { adminKey: admin.key, adminKeyFile: admin.file } : {}),
      close: () =>
        (closing ??= (async () => {
          await app!.close();
          await store.close();
        })()),
    };
    if (opts.handleSignals) {
      const stop = (signal: string) => {
        print(`Received ${signal}, shutting down.`);
        running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
    }
    return running;
  } catch (e) {
    if (app) await app.close().catch(() => undefined);
    await store.close();
    throw e;
  }
}
