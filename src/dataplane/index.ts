/**
 * Real enforcement (`lazurite serve --data-plane`): the namespace fabric (fabric.ts), DNS in the
 * VM namespaces (dns.ts) and TLS front doors on the services' public addresses that ask the
 * engine about every connection and request, by the packet's real source address, and answer as
 * the service does: refused with the service's own error (logged in the request log, SE-DIAG-1),
 * or proxied to a real backend (Azurite for Blob). Endpoint switches reset the open connections
 * of the subnet (SE-CFG-6). docs/data-plane.md tells the whole story.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { Socket as UdpSocket } from "node:dgram";
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { Server as NetServer, Socket } from "node:net";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import type { ArmDeps } from "../arm/context.js";
import { diagnosticsOf, type Diagnostics } from "../arm/diagnostics/index.js";
import { currentSnapshot } from "../arm/diagnostics/snapshot-from-store.js";
import type { Snapshot } from "../engine/snapshot.js";
import { formatAddress } from "../model/ip.js";
import { issueServiceCertificate } from "../http/tls.js";
import { AzuriteBackend, STORAGE_ACCOUNT_KEY } from "./azurite.js";
import { answer, parseQuery } from "./dns.js";
import { EDGE_CHILD_SOURCE } from "./edge-child.js";
import { AZURE_DNS, Fabric, fabricTag, fabricUnavailable, type FabricPlan } from "./fabric.js";

export { fabricTag, fabricUnavailable, listNamespaces } from "./fabric.js";
export { STORAGE_ACCOUNT_KEY } from "./azurite.js";

/** Host-name suffixes the front-door certificate covers (one wildcard level each). */
const SERVICE_SUFFIXES = [
  "blob.core.windows.net",
  "dfs.core.windows.net",
  "queue.core.windows.net",
  "table.core.windows.net",
  "file.core.windows.net",
  "web.core.windows.net",
  "vault.azure.net",
  "database.windows.net",
  "postgres.database.azure.com",
  "mysql.database.azure.com",
  "documents.azure.com",
  "servicebus.windows.net",
  "azurecr.io",
];

export interface DataPlaneOptions {
  dataDir: string;
  print?: (line: string) => void;
}

interface OpenConnection {
  raw: Socket;
  nicId: string;
  subnetId?: string;
  service?: string;
  destinationId?: string;
  endpointOn?: boolean;
  from: string;
  to: string;
}

/** What `lazurite exec` needs to know, as `/_emulator/dataplane` answers it. */
export interface DataPlaneInfo {
  mode: "netns";
  caFile: string;
  dns: string;
  storageAccountKey: string;
  vms: Array<{ id: string; name: string; namespace: string; addresses: string[] }>;
}

function vmName(id: string): string {
  return id.slice(id.lastIndexOf("/") + 1);
}

export class DataPlane {
  readonly fabric: Fabric;
  private readonly diag: Diagnostics;
  private readonly azurite: AzuriteBackend;
  private edgeChild?: ChildProcess;
  private readonly pendingHandles = new Map<string, (error: string | undefined, handle: unknown) => void>();
  private readonly listeners: Array<NetServer | UdpSocket> = [];
  private readonly listening = new Set<string>();
  private https?: HttpsServer;
  private snap?: Snapshot;
  private readonly open = new Set<OpenConnection>();
  private syncing: Promise<void> = Promise.resolve();
  private unsubscribe?: () => void;
  caFile = "";
  closed = false;

  constructor(
    private readonly deps: ArmDeps,
    private readonly opts: DataPlaneOptions,
  ) {
    this.fabric = new Fabric(fabricTag(opts.dataDir));
    this.diag = diagnosticsOf(deps);
    this.azurite = new AzuriteBackend(join(opts.dataDir, "azurite"));
  }

  async start(): Promise<void> {
    const why = await fabricUnavailable();
    if (why) throw Object.assign(new Error(`--data-plane: ${why}`), { code: "EDATAPLANE" });
    this.azurite.reapLeftover();
    const leftovers = await this.fabric.cleanup();
    if (leftovers > 0)
      this.opts.print?.(`  Data plane: removed ${leftovers} namespaces left over by an earlier run.`);
    await this.fabric.start();
    const certNames = SERVICE_SUFFIXES.map((s) => `*.${s}`);
    const tls = issueServiceCertificate(this.opts.dataDir, certNames);
    this.caFile = tls.caFile;
    this.https = createHttpsServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      void this.onRequest(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`Lazurite front door: ${(e as Error).message}\n`);
      });
    });
    this.https.on("secureConnection", (s: TLSSocket) => void this.onConnection(s));
    this.https.on("tlsClientError", () => undefined);
    await this.startEdgeChild();
    const dnsSock = (await this.edgeListen("udp", AZURE_DNS, 53)) as UdpSocket;
    dnsSock.on("message", (msg, rinfo) => this.onDns(dnsSock, msg, rinfo.address, rinfo.port));
    this.listeners.push(dnsSock);
    await this.sync();
    this.unsubscribe = this.diag.events.subscribe((e) => {
      if (e.type !== "resource") return;
      this.syncing = this.syncing.then(() => this.sync()).catch(() => undefined);
    });
  }

  /** Waits for the fabric to catch up with the writes seen so far. */
  settled(): Promise<void> {
    return this.syncing;
  }

  info(): DataPlaneInfo {
    return {
      mode: "netns",
      caFile: this.caFile,
      dns: AZURE_DNS,
      storageAccountKey: STORAGE_ACCOUNT_KEY,
      vms: this.fabric.listVms().map((v) => ({
        id: v.vmId,
        name: v.name,
        namespace: v.namespace,
        addresses: v.addresses.map((a) => a.address),
      })),
    };
  }

  private startEdgeChild(): Promise<void> {
    const { command, args } = this.fabric.edgeCommand();
    const child = spawn(command, [...args, process.execPath, "-e", EDGE_CHILD_SOURCE], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.edgeChild = child;
    return new Promise((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`the edge namespace's listener exited (${code})`)));
      child.on("message", (m: { ready?: boolean; id?: string; error?: string }, handle: unknown) => {
        if (m.ready) return resolve();
        const done = m.id ? this.pendingHandles.get(m.id) : undefined;
        if (done) {
          this.pendingHandles.delete(m.id!);
          done(m.error, handle);
        }
      });
    });
  }

  private edgeListen(op: "tcp" | "udp", host: string, port: number): Promise<unknown> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      this.pendingHandles.set(id, (error, handle) =>
        error || !handle
          ? reject(new Error(`listen ${host}:${port} in the edge: ${error}`))
          : resolve(handle),
      );
      this.edgeChild!.send({ op, host, port, id });
    });
  }

  /** The fabric and the front doors for what the store holds now. */
  private async sync(): Promise<void> {
    if (this.closed) return;
    const snap = await currentSnapshot(this.diag.ctx());
    this.snap = snap;
    const plan = planOf(snap);
    await this.fabric.apply(plan);
    for (const a of plan.edgeAddresses) {
      if (this.listening.has(a) || a === AZURE_DNS) continue;
      this.listening.add(a);
      const srv = (await this.edgeListen("tcp", a, 443)) as NetServer;
      srv.on("connection", (sock: Socket) => this.https!.emit("connection", sock));
      this.listeners.push(srv);
    }
    const accounts = [...snap.services.values()]
      .filter((s) => s.kind.serviceTag === "Storage" || s.service === "Microsoft.Storage")
      .map((s) => s.name);
    await this.azurite.ensure(accounts);
    this.resetChanged(snap);
  }

  /** SE-CFG-6: an endpoint switched on or off on a subnet resets its open connections to the service. */
  private resetChanged(snap: Snapshot): void {
    for (const c of [...this.open]) {
      if (!c.subnetId || !c.service) continue;
      const subnet = snap.subnet(c.subnetId);
      const on = subnet ? snap.subnetHasEndpoint(c.subnetId, c.service) : false;
      if (on === c.endpointOn) continue;
      this.open.delete(c);
      const nic = snap.nic(c.nicId);
      this.diag.log.add({
        time: new Date(this.deps.clock.now()).toISOString(),
        resourceId: c.destinationId ?? c.to,
        operation: "reset",
        source: nic?.vmId ?? c.nicId,
        sourceAddress: c.raw.remoteAddress ?? "",
        subnetId: c.subnetId,
        viaServiceEndpoint: c.endpointOn ?? false,
        decision: "Reset",
        detail: `the ${c.service} service endpoint on subnet ${vmName(c.subnetId)} was switched ${on ? "on" : "off"}; Azure closes every open TCP connection from the subnet to the service (SE-CFG-6).`,
        protocol: "Tcp",
        port: 443,
        reset: { subnetId: c.subnetId, service: c.service, change: on ? "enabled" : "disabled" },
      });
      c.raw.resetAndDestroy();
    }
  }

  private onDns(sock: UdpSocket, msg: Buffer, address: string, port: number): void {
    const q = parseQuery(msg);
    if (!q) return;
    const found = this.snap?.serviceByHost(q.name);
    const reply = answer(q, found ? found.service.addressText : undefined);
    sock.send(reply, port, address);
  }

  private async onConnection(s: TLSSocket): Promise<void> {
    const raw = (s as unknown as { _parent?: Socket })._parent ?? (s as unknown as Socket);
    const source = this.fabric.nicOf(s.remoteAddress ?? "");
    const host = typeof s.servername === "string" ? s.servername : "";
    if (!source || !host) {
      raw.resetAndDestroy();
      return;
    }
    const flow = { from: source.nicId, to: host, port: "443" };
    let d;
    try {
      d = await this.diag.check(this.diag.ctx(), flow);
    } catch {
      raw.resetAndDestroy();
      return;
    }
    const snap = this.snap;
    const nic = snap?.nic(source.nicId);
    const subnetId = nic?.primaryConfig?.subnetId;
    const reached = d.decision === "Allowed" || d.blockers.every((b) => b.kind === "ServiceFirewall");
    if (!reached || !d.destinationResourceId) {
      // Dropped on the way (route, NSG, policy, an endpoint change in progress): the connection is refused.
      this.diag.record(nic?.vmId ?? source.nicId, d, "connect");
      raw.resetAndDestroy();
      return;
    }
    const c: OpenConnection = {
      raw,
      nicId: source.nicId,
      from: source.nicId,
      to: host,
      destinationId: d.destinationResourceId,
      ...(subnetId ? { subnetId } : {}),
      ...(d.service ? { service: d.service } : {}),
      endpointOn: subnetId && d.service && snap ? snap.subnetHasEndpoint(subnetId, d.service) : false,
    };
    this.open.add(c);
    raw.once("close", () => this.open.delete(c));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sock = req.socket;
    const raw = (sock as unknown as { _parent?: Socket })._parent ?? sock;
    const source = this.fabric.nicOf(sock.remoteAddress ?? "");
    const host = (req.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
    if (!source) {
      raw.resetAndDestroy();
      return;
    }
    const nic = this.snap?.nic(source.nicId);
    const result = await this.diag.request(this.diag.ctx(), {
      from: nic?.vmId ?? source.nicId,
      to: host,
      port: "443",
    });
    const requestId = randomUUID();
    if (result.outcome === "Dropped") {
      raw.resetAndDestroy();
      return;
    }
    const found = this.snap?.serviceByHost(host);
    if (result.outcome === "RefusedByService") {
      const err = result.error ?? {
        status: 403,
        code: "AuthorizationFailure",
        message: "This request is not authorized to perform this operation.",
      };
      return refuse(res, found?.service.kind.serviceTag ?? "", err, requestId, this.deps.clock.now());
    }
    if (found && found.endpoint === "blob" && this.azurite.has(found.service.name.toLowerCase())) {
      return this.proxyBlob(req, res, found.service.name.toLowerCase());
    }
    res.writeHead(501, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        error: {
          code: "NotImplemented",
          message: `Lazurite's data plane admits this request (the engine allows it) but has no backend for '${host}' yet; Blob is served by Azurite.`,
        },
      }),
    );
  }

  private proxyBlob(req: IncomingMessage, res: ServerResponse, account: string): Promise<void> {
    return new Promise((resolve) => {
      // Azurite takes the account from a production-style Host (`acct.blob.core.windows.net`),
      // so the request goes on unchanged and Shared Key signatures stay valid.
      const headers = { ...req.headers, host: `${account}.blob.core.windows.net` };
      const up = httpRequest(
        { host: "127.0.0.1", port: this.azurite.port, method: req.method, path: req.url ?? "/", headers },
        (ures) => {
          res.writeHead(ures.statusCode ?? 502, ures.headers);
          ures.pipe(res);
          ures.on("end", resolve);
        },
      );
      up.on("error", (e) => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end(`Lazurite front door: Azurite is unreachable (${e.message})\n`);
        resolve();
      });
      req.pipe(up);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    await this.syncing.catch(() => undefined);
    for (const c of this.open) c.raw.destroy();
    this.open.clear();
    for (const l of this.listeners) {
      try {
        l.close();
      } catch {
        // already closed
      }
    }
    this.edgeChild?.kill();
    await this.azurite.stop();
    await this.fabric.cleanup();
  }
}

/** The fabric a snapshot asks for: every VM with its NICs' IPv4 private addresses, every service address. */
export function planOf(snap: Snapshot): FabricPlan {
  const vnets = new Map<string, string[]>();
  const vms: FabricPlan["vms"] = [];
  for (const vm of snap.vms.values()) {
    const addresses: Array<{ address: string; nicId: string }> = [];
    let vnetId: string | undefined;
    for (const nicId of vm.nicIds) {
      const nic = snap.nic(nicId);
      for (const cfg of nic?.ipConfigs ?? []) {
        const text = formatAddress(cfg.privateAddress);
        if (!cfg.subnet || text.includes(":")) continue;
        vnetId ??= cfg.subnet.vnet.id;
        addresses.push({ address: text, nicId: nic!.id });
      }
    }
    if (!vnetId) continue;
    const vnet = snap.vnet(vnetId);
    vnets.set(
      vnetId,
      (vnet?.addressPrefixTexts ?? []).filter((p) => !p.includes(":")),
    );
    vms.push({ vmId: vm.id, name: vmName(vm.id), vnetId, addresses });
  }
  const edgeAddresses = [
    ...new Set([...snap.services.values()].map((s) => s.addressText).filter((a) => !a.includes(":"))),
  ];
  return { vnets: [...vnets].map(([vnetId, prefixes]) => ({ vnetId, prefixes })), vms, edgeAddresses };
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The service's own refusal: Storage's XML error, Key Vault's JSON, … */
function refuse(
  res: ServerResponse,
  serviceTag: string,
  err: { status?: number; code: string; message: string },
  requestId: string,
  now: number,
): void {
  const status = err.status ?? 403;
  if (serviceTag === "Storage") {
    const time = new Date(now).toISOString().replace("Z", "0000Z");
    const body = `\uFEFF<?xml version="1.0" encoding="utf-8"?><Error><Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}\nRequestId:${requestId}\nTime:${time}</Message></Error>`;
    res.writeHead(status, {
      "content-type": "application/xml",
      "x-ms-error-code": err.code,
      "x-ms-request-id": requestId,
      "x-ms-version": "2025-01-05",
      server: "Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0",
      date: new Date(now).toUTCString(),
    });
    res.end(body);
    return;
  }
  if (serviceTag === "AzureKeyVault") {
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "x-ms-request-id": requestId,
    });
    res.end(
      JSON.stringify({ error: { code: "Forbidden", message: err.message, innererror: { code: err.code } } }),
    );
    return;
  }
  res.writeHead(status, { "content-type": "application/json", "x-ms-request-id": requestId });
  res.end(JSON.stringify({ error: { code: err.code, message: err.message } }));
}
