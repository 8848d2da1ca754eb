/**
 * The CLI's side of a running Lazurite server: where it is (`--server URL`, else
 * `LAZURITE_SERVER`, else the local default `https://localhost:PORT` of `lazurite serve`), which
 * CA to trust (`--ca FILE`, else `LAZURITE_CA`, else DATA_DIR/tls/ca.pem of the local default
 * data directory when it exists, else the system's CAs), which credentials to send (`--token` /
 * `LAZURITE_TOKEN` as the bearer token; a strict-mode server's admin key from `LAZURITE_ADMIN_KEY`,
 * else from the local default data directory's `admin-key` file when the server is on
 * loopback), and the requests: JSON calls, ARM's
 * long-running POSTs (202 + Location, polled as `az` does, honouring Retry-After), and the
 * server-sent event stream.
 */
import { existsSync, readFileSync } from "node:fs";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { join } from "node:path";
import { loadConfig } from "../config/config.js";
import { ADMIN_KEY_HEADER, readAdminKey } from "../config/admin-key.js";
import { InputError } from "./load.js";

export interface ServerTarget {
  url: string;
  ca?: Buffer;
  token: string;
  /** A strict-mode server's admin key (sent as `x-lazurite-admin-key`). */
  adminKey?: string;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export interface ServerFlags {
  server?: string | boolean;
  ca?: string;
  token?: string;
}

/** An error answer of the server (ARM's envelope), or the server being unreachable. */
export class ServerError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ServerError";
  }
}

/** Where the CLI talks to, from flags, the environment and the local default configuration. */
export function resolveServer(
  flags: ServerFlags,
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
): ServerTarget {
  let local: ReturnType<typeof loadConfig> | undefined;
  const localConfig = () => (local ??= loadConfig({}, env, cwd));
  const given = typeof flags.server === "string" && flags.server !== "" ? flags.server : env.LAZURITE_SERVER;
  let url: string;
  try {
    url = given ? new URL(given).origin : `https://localhost:${localConfig().port}`;
  } catch {
    throw new InputError(`--server ${given}: not a URL (expected e.g. https://localhost:8443)`);
  }
  const caFile = flags.ca ?? env.LAZURITE_CA;
  let ca: Buffer | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile);
    } catch (e) {
      throw new InputError(
        `--ca ${caFile}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`,
      );
    }
  } else {
    const dflt = join(localConfig().dataDir, "tls", "ca.pem");
    if (existsSync(dflt)) ca = readFileSync(dflt);
  }
  // The admin key of a strict-mode server: $LAZURITE_ADMIN_KEY, else (for a server on this
  // machine only, never sent elsewhere) the local default data directory's admin-key file.
  const adminKey =
    env.LAZURITE_ADMIN_KEY !== undefined && env.LAZURITE_ADMIN_KEY !== ""
      ? env.LAZURITE_ADMIN_KEY
      : LOOPBACK.has(new URL(url).hostname.toLowerCase())
        ? readAdminKey(localConfig().dataDir)
        : undefined;
  return {
    url,
    ...(ca ? { ca } : {}),
    token: flags.token ?? env.LAZURITE_TOKEN ?? "lazurite-cli",
    ...(adminKey !== undefined ? { adminKey } : {}),
  };
}

export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
}

function open(
  target: ServerTarget,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<IncomingMessage> {
  const url = new URL(path.startsWith("http") ? path : `${target.url}${path}`);
  const opts: RequestOptions = {
    method,
    headers: {
      accept: "application/json",
      authorization: `Bearer ${target.token}`,
      ...(target.adminKey !== undefined ? { [ADMIN_KEY_HEADER]: target.adminKey } : {}),
      ...(body !== undefined
        ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }
        : {}),
      ...headers,
    },
    ...(target.ca ? { ca: target.ca } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (url.protocol === "http:" ? httpRequest : httpsRequest)(url, opts, resolve);
    req.on("error", (e: NodeJS.ErrnoException) =>
      reject(
        new ServerError(
          `cannot reach the Lazurite server at ${target.url}: ${e.code ?? e.message}. Start one with \`lazurite serve\`, or pass --server URL (or --config FILE to work offline).`,
          e.code ?? "Unreachable",
        ),
      ),
    );
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
  });
}

function armFailure(status: number, json: any, what: string): ServerError {
  const e = json?.error;
  if (e && typeof e.code === "string") return new ServerError(String(e.message ?? ""), e.code, status);
  return new ServerError(`${what} answered HTTP ${status}`, `Http${status}`, status);
}

export async function call(
  target: ServerTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<JsonResponse> {
  const res = await open(target, method, path, {}, body === undefined ? undefined : JSON.stringify(body));
  const text = await readAll(res);
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ServerError(
      `${target.url}${path} did not answer JSON (is it a Lazurite server?)`,
      "NotJson",
      res.statusCode,
    );
  }
  return { status: res.statusCode ?? 0, headers: res.headers, json };
}

/** A JSON call that must succeed (2xx); ARM's error envelope becomes a ServerError. */
export async function callOk(
  target: ServerTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<any> {
  const r = await call(target, method, path, body);
  if (r.status < 200 || r.status >= 300) throw armFailure(r.status, r.json, `${method} ${path}`);
  return r.json;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** ARM's long-running POST with a final result at `Location` (what `az` does for effective routes). */
export async function postLro(
  target: ServerTarget,
  path: string,
  body?: unknown,
  maxWaitMs = 120_000,
): Promise<any> {
  let r = await call(target, "POST", path, body ?? {});
  let waited = 0;
  while (r.status === 202) {
    const location = r.headers.location;
    if (typeof location !== "string")
      throw new ServerError(`POST ${path} answered 202 without a Location header`, "NoLocation", 202);
    const after = Number(r.headers["retry-after"]);
    const ms = Number.isFinite(after) && after >= 0 ? Math.min(after * 1000, 10_000) : 1000;
    if (waited + ms > maxWaitMs)
      throw new ServerError(`POST ${path} did not complete within ${maxWaitMs / 1000}s`, "Timeout");
    await sleep(ms);
    waited += ms;
    const u = new URL(location);
    r = await call(target, "GET", u.pathname + u.search);
  }
  if (r.status < 200 || r.status >= 300) throw armFailure(r.status, r.json, `POST ${path}`);
  return r.json;
}

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Reads `/_emulator/events` until `onEvent` returns false, the stream ends, or `signal` aborts.
 * Resolves when it stops.
 */
export async function readEvents(
  target: ServerTarget,
  path: string,
  headers: Record<string, string>,
  onEvent: (e: SseEvent) => boolean,
  signal?: AbortSignal,
): Promise<void> {
  const res = await open(target, "GET", path, { accept: "text/event-stream", ...headers });
  if ((res.statusCode ?? 0) >= 300) {
    const text = await readAll(res);
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    throw armFailure(res.statusCode ?? 0, json, `GET ${path}`);
  }
  res.setEncoding("utf8");
  await new Promise<void>((resolve, reject) => {
    let buffer = "";
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      res.destroy();
      resolve();
    };
    signal?.addEventListener("abort", stop, { once: true });
    res.on("data", (chunk: string) => {
      buffer += chunk;
      let cut: number;
      while (!stopped && (cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const e: SseEvent = { data: "" };
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "id") e.id = value;
          else if (field === "event") e.event = value;
          else if (field === "data") data.push(value);
        }
        if (data.length === 0) continue;
        e.data = data.join("\n");
        if (!onEvent(e)) stop();
      }
    });
    res.on("end", () => {
      stopped = true;
      resolve();
    });
    res.on("error", (err) => (stopped ? resolve() : reject(err)));
  });
}
