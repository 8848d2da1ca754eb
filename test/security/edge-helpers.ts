/**
 * Shared set-up of the HTTP-edge security tests: the real server (startServer, HTTPS) in strict
 * auth mode, principals made in process through the server's Identity (no admin HTTP API
 * needed), signed tokens, a first Owner, and a raw HTTPS request that sends the path byte for
 * byte (no URL normalisation: `%2F`, `..` and control escapes reach the server as written).
 */
import { request } from "node:https";
import { handleArm } from "../../src/arm/arm.js";
import { NETWORK_CONTRIBUTOR, OWNER } from "../../src/arm/providers/authorization/built-in-roles.js";
import type { DirectoryPrincipal } from "../../src/arm/providers/authorization/records.js";
import { startTestServer, type TestServer } from "../e2e/server.js";

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export interface StrictServer {
  t: TestServer;
  sub: string;
  tenantId: string;
  /** Bearer token of a principal holding Owner on the subscription. */
  owner: string;
  /** A new service principal in the default tenant, and a token for it (audience: the server's URL). */
  principal(appId: string): Promise<{ principal: DirectoryPrincipal; token: string }>;
  /** Assigns a built-in role (Owner / Network Contributor, by id) at a scope, in process. */
  assign(principal: DirectoryPrincipal, roleId: string, scope: string, name: string): Promise<void>;
  /** HTTPS request with the path as written; `token` undefined = no Authorization header. */
  raw(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<RawAnswer>;
}

export const ROLES = { OWNER, NETWORK_CONTRIBUTOR };

/** `?api-version=` appended unless the path has one. */
export function withApi(path: string, api = "2024-05-01"): string {
  return /[?&]api-version=/i.test(path) ? path : `${path}${path.includes("?") ? "&" : "?"}api-version=${api}`;
}

export function rawRequest(
  t: TestServer,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<RawAnswer> {
  const u = new URL(t.url);
  const payload =
    opts.body === undefined
      ? undefined
      : typeof opts.body === "string"
        ? opts.body
        : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path,
        ca: t.ca,
        // The certificate names localhost: verify against it, whatever Host header a test forges.
        servername: "localhost",
        checkServerIdentity: () => undefined,
        headers: {
          ...(opts.token !== undefined ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(payload !== undefined
            ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
            : {}),
          ...(opts.headers ?? {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Starts a strict-mode server with an Owner of the default subscription. */
export async function startStrictServer(flags: Record<string, string> = {}): Promise<StrictServer> {
  const t = await startTestServer({ flags: { auth: "strict", ...flags } });
  // Tokens name the URL clients use: the public one behind a proxy.
  const tokenBase = flags.publicUrl ?? t.url;
  const deps = t.server.deps;
  const identity = t.server.identity;
  const sub = deps.tenancy.subscriptionId;
  const tenantId = deps.tenancy.tenantId;
  const principal = async (appId: string) => {
    const { principal: p } = await identity.putServicePrincipal(tenantId, appId, {});
    return { principal: p, token: identity.signAccessToken(tokenBase, p) };
  };
  const assign = async (p: DirectoryPrincipal, roleId: string, scope: string, name: string) => {
    const res = await handleArm(deps, {
      method: "PUT",
      path: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      query: {},
      apiVersion: "2022-04-01",
      body: {
        properties: {
          roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`,
          principalId: p.objectId,
          principalType: "ServicePrincipal",
        },
      },
      baseUrl: t.url,
      caller: { kind: "open" },
    });
    if (res.status >= 300) throw new Error(`role assignment: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const owner = await principal("0e0e0e0e-0000-4000-8000-0000000000a1");
  await assign(owner.principal, OWNER, `/subscriptions/${sub}`, "0e0e0e0e-0000-4000-8000-00000000a001");
  return {
    t,
    sub,
    tenantId,
    owner: owner.token,
    principal,
    assign,
    raw: (method, path, opts) => rawRequest(t, method, path, opts),
  };
}

/** PUT/DELETE and wait for the answer's operation to finish (status polls through the same server). */
export async function settled(s: StrictServer, res: RawAnswer, token = s.owner): Promise<RawAnswer> {
  const op = res.headers["azure-asyncoperation"] ?? res.headers["location"];
  if (typeof op !== "string" || res.status >= 300) return res;
  const path = op.replace(/^https:\/\/[^/]+/, "");
  for (let i = 0; i < 20; i++) {
    const r = await s.raw("GET", path, { token });
    if (r.status !== 202 && (r.json?.status ?? "Succeeded") !== "InProgress") return res;
  }
  throw new Error(`operation ${path} never completed`);
}
