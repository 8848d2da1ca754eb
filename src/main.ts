/**
 * Process wiring (STYLE §5): config → TLS → store (+ migrations) → control plane → HTTP app
 * → listen. `startServer` is what `lazurite serve` runs and what the end-to-end tests and
 * the benchmark start.
 */
import { randomUUID } from "node:crypto";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { createArmDeps } from "./arm/arm.js";
import type { ArmDeps, Clock, IdGenerator } from "./arm/context.js";
import { loadResources } from "./arm/load.js";
import { RESOURCE_GROUP_TYPE } from "./arm/tenancy.js";
import { ConfigError, redactStoreUrl, type Config } from "./config/config.js";
import { quickstartResources } from "./demo/quickstart.js";
import { buildApp, type AppDeps } from "./http/app.js";
import { openAuthenticator, strictAuthenticator } from "./http/auth.js";
import { ensureAdminKey } from "./config/admin-key.js";
import { Identity } from "./identity/identity.js";
import { ensureTls } from "./http/tls.js";
import { ServiceTagCatalog } from "./model/catalog/service-tags.js";
import { defaultServiceTagCatalog } from "./model/catalog/synthetic-service-tags.js";
import { openStore } from "./store/open.js";
import type { ResourceStore } from "./store/store.js";
import type { AccessDiagnostic, AccessImpactPort } from "./arm/access-impact.js";
import { whatIf, type WhatIfReport } from "./analysis/what-if.js";
import { Snapshot } from "./engine/snapshot.js";
import { followChanges } from "./arm/change-follower.js";
import { diagnosticsOf } from "./arm/diagnostics/index.js";
import { DataPlane } from "./dataplane/index.js";

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
  /** `--data-plane`: the namespace fabric and the front doors (src/dataplane). */
  dataPlane?: DataPlane;
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

/**
 * The access diagnostics of a deployment what-if (src/arm/access-impact.ts), from the analysis
 * layer's what-if of the snapshots before and after: endpoints removed (SE-CFG-7), VNet rules that
 * stop matching (SE-ACL-8), connections reset (SE-CFG-6), and every NIC → service flow whose
 * decision changes (a source-address switch that breaks IP rules is SE-SRC-3).
 */
export function accessImpactPort(serviceTags: ServiceTagCatalog): AccessImpactPort {
  return {
    diagnose(before, after) {
      const report = whatIf(new Snapshot(before, { serviceTags }), new Snapshot(after, { serviceTags }));
      return accessDiagnostics(report);
    },
  };
}

/** A what-if report as ARM what-if `diagnostics` (codes listed in docs/templates.md). */
export function accessDiagnostics(report: WhatIfReport): AccessDiagnostic[] {
  const out: AccessDiagnostic[] = [];
  for (const w of report.warnings) {
    out.push({ level: "Warning", code: w.code, target: w.resourceId, message: w.message });
    if (w.code === "ServiceEndpointRemoved" && /SE-ACL-8/.test(w.message))
      out.push({
        level: "Warning",
        code: "VnetRulesStopMatching",
        target: w.resourceId,
        message: w.message.slice(w.message.indexOf("SE-CFG-7).") + "SE-CFG-7).".length).trim(),
      });
  }
  for (const f of report.flows) {
    const from = f.virtualMachineId ?? f.networkInterfaceId;
    const switched = f.beforeSourceAddress !== f.afterSourceAddress;
    const head = `${from.split("/").pop()} -> ${f.destinationResourceId.split("/").pop()}: ${f.before} -> ${f.after}`;
    const source = switched ? ` (source ${f.beforeSourceAddress} -> ${f.afterSourceAddress})` : "";
    const blocker = f.blocker
      ? `; blocked by ${f.blocker.kind}${f.blocker.rule ? ` (${f.blocker.rule})` : ""}; fix: ${f.blocker.fix}`
      : "";
    let code = "FlowChanged";
    let level: AccessDiagnostic["level"] = "Info";
    if (f.before === "Allowed" && f.after === "Denied") {
      level = "Warning";
      code = "FlowDenied";
    } else if (f.before === "Denied" && f.after === "Allowed") code = "FlowAllowed";
    out.push({
      level,
      code,
      target: f.destinationResourceId,
      message: `${head}${source}${blocker}`,
      additionalInfo: [{ type: "LazuriteFlowChange", info: f }],
    });
    // SE-SRC-3: an endpoint switched the source to the private address, so IP rules for the public one stop matching.
    if (code === "FlowDenied" && switched && f.afterViaServiceEndpoint && !f.beforeViaServiceEndpoint)
      out.push({
        level: "Warning",
        code: "SourceAddressSwitch",
        target: f.destinationResourceId,
        message: `${head}${source}: the new service endpoint makes the service see the private address, so IP rules written for ${f.beforeSourceAddress} stop matching (SE-SRC-3).`,
      });
  }
  return out;
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

/** Opens `config.store`; a database that cannot be reached or refuses us is one ConfigError line. */
async function openConfiguredStore(config: Config): Promise<ResourceStore> {
  try {
    const { store } = await openStore(config.store);
    // The database holds the signing keys and credentials: readable by its owner only.
    if (config.store.kind === "sqlite" && config.store.file !== ":memory:")
      for (const f of [config.store.file, `${config.store.file}-wal`, `${config.store.file}-shm`])
        if (existsSync(f)) chmodSync(f, 0o600);
    return store;
  } catch (e) {
    if (config.store.kind !== "postgres") throw e;
    const msg = (e as Error).message || String((e as { code?: unknown }).code ?? e);
    throw new ConfigError(
      `--store ${redactStoreUrl(config.store.url)}: cannot open the PostgreSQL database (${msg}); check that the server runs, the URL's host, port, user, password and database, and that the database exists`,
    );
  }
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const print = opts.print ?? ((line: string) => process.stdout.write(line + "\n"));
  const tls = ensureTls(
    config.dataDir,
    config.certFile && config.keyFile ? { certFile: config.certFile, keyFile: config.keyFile } : undefined,
  );
  const serviceTags = loadServiceTags(config.serviceTagsFile);
  const store = await openConfiguredStore(config);
  let app: FastifyInstance | undefined;
  let dataPlane: DataPlane | undefined;
  try {
    const deps = await createArmDeps({
      store,
      clock: opts.clock ?? systemClock,
      ids: opts.ids ?? randomIds,
      serviceTags,
      lro: config.lro,
      pageSize: config.pageSize,
      accessImpact: accessImpactPort(serviceTags),
    });
    // A shared store: follow its change feed, and make the event stream the store's.
    const follower = await followChanges(deps);
    const feed = store.feed;
    if (feed) await diagnosticsOf(deps).events.share(feed.events, (pull) => feed.onWake(pull));
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
    if (config.dataPlane) {
      const dp = new DataPlane(deps, { dataDir: config.dataDir, print });
      dataPlane = dp;
      await dp.start();
      app.get("/_emulator/dataplane", async () => {
        await dp.settled();
        return dp.info();
      });
    }
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
    if (config.store.kind === "postgres")
      print(
        `  Store:      ${redactStoreUrl(config.store.url)} (shared: every instance on this database serves the same estate; docs/scale.md)`,
      );
    if (config.publicUrl !== undefined)
      print(
        `  Public URL: ${config.publicUrl} (listening on ${url}); every absolute URL handed out starts with it.`,
      );
    if (dataPlane)
      print(
        `  Data plane: ${dataPlane.fabric.listVms().length} VM namespaces (${dataPlane.fabric.prefix}*); run a program on a VM with: lazurite exec VM -- CMD ARGS…`,
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
      ...(dataPlane ? { dataPlane } : {}),
      close: () =>
        (closing ??= (async () => {
          follower?.stop();
          await dataPlane?.close();
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
    await dataPlane?.close().catch(() => undefined);
    if (app) await app.close().catch(() => undefined);
    await store.close();
    throw e;
  }
}
