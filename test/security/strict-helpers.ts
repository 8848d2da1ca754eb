/**
 * The strict-mode world the security tests attack: a real `--auth strict` server over HTTPS
 * (test/e2e/server.ts) with two tenants, each with a subscription and an Owner service principal,
 * and raw calls that choose their credential: none, the admin key (read from the data dir's
 * `admin-key` file, as a user on the machine reads it), a bearer token, or anything else.
 *
 * Nothing here imports server code beyond the harness, so the same tests run against a server
 * without these defences (and fail there, which is the point).
 */
import { request } from "node:https";
import type { Clock } from "../../src/arm/context.js";
import type { ConfigFlags } from "../../src/config/config.js";
import { ADMIN_KEY_HEADER, readAdminKeyFile, startTestServer, type TestServer } from "../e2e/server.js";

export const TENANT_A = "72f988bf-0000-0000-0000-000000000001"; // the default tenant
export const TENANT_B = "b0b0b0b0-0000-4000-8000-00000000000b";
/** The default subscription (tenant A); `--demo` loads the quickstart network into it. */
export const SUB_A = "00000000-0000-0000-0000-000000000001";
export const SUB_B = "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb";

export interface Sp {
  appId: string;
  objectId: string;
  secret: string;
  tenantId: string;
}

/** Who a raw call presents itself as. */
export type As = { none: true } | { admin: true } | { bearer: string } | { headers: Record<string, string> };

export const NONE: As = { none: true };
export const ADMIN: As = { admin: true };
export const bearer = (token: string): As => ({ bearer: token });

export interface Answer {
  status: number;
  headers: Headers;
  json: any;
}

export interface StrictWorld {
  t: TestServer;
  url: string;
  /** The admin key as the data dir holds it (undefined on a server that writes none). */
  adminKey: string | undefined;
  ownerA: Sp;
  ownerB: Sp;
  call(method: string, path: string, as: As, body?: unknown): Promise<Answer>;
  /** A token from the v2 token endpoint (client credentials); throws unless 200. */
  token(sp: Pick<Sp, "tenantId" | "appId" | "secret">): Promise<string>;
  /** The raw token endpoint answer for a client-credentials request. */
  tokenAnswer(tenantId: string, form: Record<string, string>): Promise<Answer>;
  /** Creates a service principal with the admin credential. */
  newSp(tenantId: string, appId: string, name: string): Promise<Sp>;
  /** Assigns a role with the admin credential (the bootstrap route). */
  assign(tenantId: string, principalId: string, roleName: string, scope: string): Promise<void>;
  dispose(): Promise<void>;
}

function headersOf(w: { adminKey: string | undefined }, as: As): Record<string, string> {
  // Empty values are how "no such header" is sent over the harness's defaults.
  const none = { authorization: "", [ADMIN_KEY_HEADER]: "" };
  if ("none" in as) return none;
  if ("admin" in as) return { ...none, [ADMIN_KEY_HEADER]: w.adminKey ?? "" };
  if ("bearer" in as) return { ...none, authorization: `Bearer ${as.bearer}` };
  return { ...none, ...as.headers };
}

/** A strict-mode server with tenants A and B, a subscription in each, and an Owner of each. */
export async function strictWorld(opts: { flags?: ConfigFlags; clock?: Clock } = {}): Promise<StrictWorld> {
  const t = await startTestServer({
    flags: { auth: "strict", ...(opts.flags ?? {}) },
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const w = { adminKey: readAdminKeyFile(t.dataDir) };
  const call = (method: string, path: string, as: As, body?: unknown) =>
    t.fetch(method, path, body, headersOf(w, as));
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await call(method, path, ADMIN, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const tokenAnswer = (tenantId: string, form: Record<string, string>) =>
    t.fetch("POST", `/${tenantId}/oauth2/v2.0/token`, new URLSearchParams(form).toString(), {
      "content-type": "application/x-www-form-urlencoded",
      ...headersOf(w, NONE),
    });
  const world: StrictWorld = {
    t,
    url: t.url,
    adminKey: w.adminKey,
    ownerA: undefined as unknown as Sp,
    ownerB: undefined as unknown as Sp,
    call,
    tokenAnswer,
    async token(sp) {
      const r = await tokenAnswer(sp.tenantId, {
        grant_type: "client_credentials",
        client_id: sp.appId,
        client_secret: sp.secret,
        scope: `${t.url}/.default`,
      });
      if (r.status !== 200) throw new Error(`token for ${sp.appId}: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json.access_token as string;
    },
    async newSp(tenantId, appId, name) {
      const r = await ok("PUT", `/_emulator/tenants/${tenantId}/servicePrincipals/${appId}`, {
        displayName: name,
      });
      return { appId, objectId: r.objectId, secret: r.secret, tenantId };
    },
    async assign(tenantId, principalId, roleName, scope) {
      await ok("POST", `/_emulator/tenants/${tenantId}/roleAssignments`, { principalId, roleName, scope });
    },
    dispose: () => t.dispose(),
  };
  await ok("PUT", `/_emulator/tenants/${TENANT_B}`, { displayName: "Contoso B" });
  await ok("PUT", `/_emulator/tenants/${TENANT_B}/subscriptions/${SUB_B}`, { displayName: "B" });
  world.ownerA = await world.newSp(TENANT_A, "a0000000-0000-4000-8000-0000000000a1", "owner-a");
  world.ownerB = await world.newSp(TENANT_B, "b0000000-0000-4000-8000-0000000000b1", "owner-b");
  await world.assign(TENANT_A, world.ownerA.objectId, "Owner", `/subscriptions/${SUB_A}`);
  await world.assign(TENANT_B, world.ownerB.objectId, "Owner", `/subscriptions/${SUB_B}`);
  return world;
}

/** An ARM PUT with a token that must succeed (resources the tests then try to reach). */
export async function armPut(w: StrictWorld, token: string, path: string, body: unknown): Promise<any> {
  const sep = path.includes("?") ? "&" : "?";
  const r = await w.call("PUT", `${path}${sep}api-version=2023-05-01`, bearer(token), body);
  if (r.status >= 300) throw new Error(`PUT ${path}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

export interface EventStream {
  /** Every event received so far (parsed `data:` lines). */
  events: Array<{ id: number; type: string; [k: string]: unknown }>;
  /** Resolves once an event matches (rejects if the stream ends first). */
  until(match: (e: { type: string; [k: string]: unknown }) => boolean): Promise<void>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  status: number;
  close(): void;
}

/** Follows `/_emulator/events` with the given credential. */
export function followEvents(w: StrictWorld, as: As, query = ""): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${w.url}/_emulator/events${query}`);
    const headers = Object.fromEntries(Object.entries(headersOf(w, as)).filter(([, v]) => v !== ""));
    const req = request(url, { method: "GET", headers, ca: w.t.ca }, (res) => {
      const events: EventStream["events"] = [];
      const waiters: Array<{ match: (e: any) => boolean; ok: () => void; fail: (e: Error) => void }> = [];
      let buffer = "";
      let endResolve: () => void = () => undefined;
      const ended = new Promise<void>((r) => (endResolve = r));
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let i: number;
        while ((i = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const data = block
            .split("\n")
            .filter((l) => l.startsWith("data: "))
            .map((l) => l.slice(6))
            .join("\n");
          if (!data) continue;
          let e: any;
          try {
            e = JSON.parse(data);
          } catch {
            continue;
          }
          events.push(e);
          for (const wt of [...waiters])
            if (wt.match(e)) {
              waiters.splice(waiters.indexOf(wt), 1);
              wt.ok();
            }
        }
      });
      const finish = () => {
        endResolve();
        for (const wt of waiters.splice(0)) wt.fail(new Error("the event stream ended"));
      };
      res.on("end", finish);
      res.on("close", finish);
      resolve({
        events,
        status: res.statusCode ?? 0,
        ended,
        until: (match) =>
          new Promise<void>((ok, fail) => {
            if (events.some(match)) return ok();
            waiters.push({ match, ok, fail });
          }),
        close: () => req.destroy(),
      });
    });
    req.on("error", reject);
    req.end();
  });
}
