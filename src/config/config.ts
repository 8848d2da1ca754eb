/**
 * One typed Config (STYLE §6.12), built once from command-line flags, then environment
 * variables, then defaults, and validated before anything starts.
 *
 * | flag | env | default |
 * |---|---|---|
 * | --port N | LAZURITE_PORT | 8443 (0 = any free port) |
 * | --host H | LAZURITE_HOST | localhost |
 * | --data-dir DIR | LAZURITE_DATA_DIR | `.lazurite` under the working directory |
 * | --cert PEM --key PEM | LAZURITE_CERT, LAZURITE_KEY | generated CA + server cert in DATA_DIR/tls |
 * | --service-tags FILE | LAZURITE_SERVICE_TAGS | the built-in synthetic catalog |
 * | --demo | LAZURITE_DEMO=1 | off |
 * | --lro-polls N | LAZURITE_LRO_POLLS | 1 (status polls answered InProgress) |
 * | --lro-max-ms N | LAZURITE_LRO_MAX_MS | 1000 (an operation completes by itself after this) |
 * | --page-size N | LAZURITE_PAGE_SIZE | 100 |
 * | --log-level L | LAZURITE_LOG_LEVEL | warn |
 * | --auth open\|strict | LAZURITE_AUTH | open (any token acts as Owner; strict: signed tokens + RBAC, docs/identity.md) |
 * | --public-url URL | LAZURITE_PUBLIC_URL | none: absolute URLs name https://localhost:PORT (or the loopback name the client used) |
 * | --store URL | LAZURITE_STORE | `sqlite:<data-dir>/lazurite.db`; `postgres://…` shares one estate between instances (docs/scale.md) |
 */
import { isAbsolute, join, resolve } from "node:path";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  certFile?: string;
  keyFile?: string;
  serviceTagsFile?: string;
  demo: boolean;
  lro: { inProgressPolls: number; maxDurationMs: number };
  pageSize: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** `open`: any bearer token (or none) acts as Owner; `strict`: signed tokens and RBAC (docs/identity.md). */
  auth: "open" | "strict";
  /** The base of every absolute URL handed out (behind a proxy); never taken from a request's Host. */
  publicUrl?: string;
  /** `lazurite serve --data-plane`: real enforcement in network namespaces (docs/data-plane.md). */
  dataPlane?: "netns";
  /** Where resources live: a SQLite file (one process) or a PostgreSQL database (shared). */
  store: StoreSpec;
}

export type StoreSpec = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

/**
 * Reads a store URL: `sqlite:PATH` (relative to cwd; `sqlite::memory:` for a throwaway store)
 * or `postgres://…` / `postgresql://…`. Throws a ConfigError naming the accepted forms.
 */
export function parseStoreUrl(text: string, cwd: string = process.cwd()): StoreSpec {
  const t = text.trim();
  if (/^sqlite:/i.test(t)) {
    const path = t.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "")
      throw new ConfigError(`--store ${text}: sqlite: needs a file path, e.g. sqlite:./lazurite.db`);
    return { kind: "sqlite", file: path === ":memory:" || isAbsolute(path) ? path : resolve(cwd, path) };
  }
  if (/^postgres(ql)?:\/\//i.test(t)) {
    let u: URL;
    try {
      u = new URL(t);
    } catch {
      throw new ConfigError(
        `--store: '${redactStoreUrl(t)}' is not a valid postgres:// URL (postgres://user:password@host:5432/database)`,
      );
    }
    if (u.hostname === "" || u.pathname.replace(/^\//, "") === "")
      throw new ConfigError(
        `--store: '${redactStoreUrl(t)}' must name a host and a database: postgres://user:password@host:5432/database`,
      );
    return { kind: "postgres", url: t };
  }
  throw new ConfigError(
    `--store: '${redactStoreUrl(t)}' is not a store URL; use sqlite:PATH (the default, sqlite:<data-dir>/lazurite.db) or postgres://user:password@host:5432/database`,
  );
}

/** A store URL with its password hidden, for messages and start-up lines. */
export function redactStoreUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, "$1:***@");
}

/** Flags as commander hands them over (strings, booleans, undefined). */
export interface ConfigFlags {
  port?: string | number;
  host?: string;
  dataDir?: string;
  cert?: string;
  key?: string;
  serviceTags?: string;
  demo?: boolean;
  lroPolls?: string | number;
  lroMaxMs?: string | number;
  pageSize?: string | number;
  logLevel?: string;
  auth?: string;
  publicUrl?: string;
  store?: string;
  dataPlane?: string | boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

function int(name: string, v: string | number | undefined, def: number, min: number, max: number): number {
  if (v === undefined || v === "") return def;
  const n = typeof v === "number" ? v : /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`${name}: expected an integer from ${min} to ${max}, got '${v}'`);
  return n;
}

function bool(name: string, v: string | boolean | undefined): boolean | undefined {
  if (v === undefined || typeof v === "boolean") return v;
  const s = v.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(s)) return true;
  if (["0", "false", "no", "off", ""].includes(s)) return false;
  throw new ConfigError(`${name}: expected true or false, got '${v}'`);
}

function authMode(v: string | undefined): Config["auth"] {
  const s = (v ?? "open").trim().toLowerCase();
  if (s === "" || s === "open") return "open";
  if (s === "strict") return "strict";
  throw new ConfigError(`--auth: expected open or strict, got '${v}'`);
}

/** Normalises a configured public URL (an origin: `https://host[:port]`); throws on anything else. */
export function normalisePublicUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`'${text}' is not an absolute URL`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error(`'${text}' must be an http(s) URL`);
  if (u.search || u.hash || u.username || u.password || (u.pathname !== "/" && u.pathname !== ""))
    throw new Error(`'${text}' must be an origin (scheme, host, port) without path, query or credentials`);
  return `${u.protocol}//${u.host}`;
}

export function loadConfig(
  flags: ConfigFlags = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Config {
  const pick = <T>(flag: T | undefined, envName: string): T | string | undefined => flag ?? env[envName];
  const abs = (p: string | undefined) =>
    p === undefined || p === "" ? undefined : isAbsolute(p) ? p : resolve(cwd, p);
  const cert = abs(pick(flags.cert, "LAZURITE_CERT"));
  const key = abs(pick(flags.key, "LAZURITE_KEY"));
  if ((cert === undefined) !== (key === undefined))
    throw new ConfigError("--cert and --key must be given together");
  const level = String(pick(flags.logLevel, "LAZURITE_LOG_LEVEL") ?? "warn").toLowerCase();
  if (!(LEVELS as readonly string[]).includes(level))
    throw new ConfigError(`--log-level: expected one of ${LEVELS.join(", ")}, got '${level}'`);
  const host = String(pick(flags.host, "LAZURITE_HOST") ?? "localhost");
  const dataDir = abs(pick(flags.dataDir, "LAZURITE_DATA_DIR")) ?? resolve(cwd, ".lazurite");
  const storeText = pick(flags.store, "LAZURITE_STORE");
  if (host.trim() === "") throw new ConfigError("--host must not be empty");
  const config: Config = {
    port: int("--port", pick(flags.port, "LAZURITE_PORT"), 8443, 0, 65535),
    host,
    dataDir,
    store:
      storeText === undefined || storeText === ""
        ? { kind: "sqlite", file: join(dataDir, "lazurite.db") }
        : parseStoreUrl(String(storeText), cwd),
    demo: bool("--demo", flags.demo ?? env.LAZURITE_DEMO) ?? false,
    lro: {
      inProgressPolls: int("--lro-polls", pick(flags.lroPolls, "LAZURITE_LRO_POLLS"), 1, 0, 100),
      maxDurationMs: int("--lro-max-ms", pick(flags.lroMaxMs, "LAZURITE_LRO_MAX_MS"), 1000, 0, 3_600_000),
    },
    pageSize: int("--page-size", pick(flags.pageSize, "LAZURITE_PAGE_SIZE"), 100, 1, 10_000),
    logLevel: level as Config["logLevel"],
    auth: authMode(pick(flags.auth, "LAZURITE_AUTH")),
  };
  if (cert !== undefined && key !== undefined) {
    config.certFile = cert;
    config.keyFile = key;
  }
  const publicUrl = pick(flags.publicUrl, "LAZURITE_PUBLIC_URL");
  if (publicUrl !== undefined && publicUrl !== "") {
    try {
      config.publicUrl = normalisePublicUrl(String(publicUrl));
    } catch (e) {
      throw new ConfigError(`--public-url: ${(e as Error).message}`);
    }
  }
  const dp = flags.dataPlane ?? env.LAZURITE_DATA_PLANE;
  if (dp !== undefined && dp !== false && dp !== "" && dp !== "off") {
    const mode = dp === true || dp === "true" || dp === "1" ? "netns" : String(dp).toLowerCase();
    if (mode !== "netns")
      throw new ConfigError(
        `--data-plane: expected netns (the default when the flag is given alone), got '${String(dp)}'`,
      );
    config.dataPlane = "netns";
  }
  const tags = abs(pick(flags.serviceTags, "LAZURITE_SERVICE_TAGS"));
  if (tags !== undefined) config.serviceTagsFile = tags;
  return config;
}
