/**
 * Who is calling the `/_emulator` API (docs/identity.md, "Strict mode: the admin API").
 *
 * - `--auth open`: everyone, as today (no credential needed).
 * - `--auth strict`: a credential is required on every `/_emulator` route but `health`:
 *   - the bootstrap admin key (`x-lazurite-admin-key: <key>`, or `Authorization: Bearer <key>`):
 *     the whole admin API;
 *   - an ARM token of this server (validated exactly as ARM validates it, revocation included):
 *     its own tenant's directory when it is the tenant's owner, role assignments it may make
 *     through ARM anyway, and diagnostics and events filtered to what it may read.
 *   Nothing: 401 `AuthenticationFailed`; a wrong key or a bad token: 401
 *   `InvalidAuthenticationToken` (ARM's shapes, with a `WWW-Authenticate` challenge); a token
 *   asking for more than it may: 403 `AuthorizationFailed` naming a `Lazurite/…` action.
 */
import type { FastifyRequest } from "fastify";
import { newCtx } from "../arm/arm.js";
import type { ArmDeps, Ctx } from "../arm/context.js";
import { clientLabel, type EnforcedCaller } from "../arm/providers/authorization/authorizer.js";
import { ADMIN_KEY_HEADER, adminKeyMatches } from "../config/admin-key.js";
import type { Identity } from "../identity/identity.js";
import { ArmErrors } from "../model/errors.js";
import { baseUrlOf } from "./adfs.js";

export type AdminAccess =
  /** `--auth open`: no credential, everything allowed. */
  | { kind: "open" }
  /** The admin key: everything allowed. */
  | { kind: "admin" }
  /** An ARM token: what its RBAC allows. */
  | { kind: "token"; caller: EnforcedCaller };

export interface AdminGate {
  readonly strict: boolean;
  /** Authenticates the request (once per request); throws ARM's 401s in strict mode. */
  access(req: FastifyRequest): Promise<AdminAccess>;
  /** Authenticates the request again, bypassing the cache (long-lived streams: a revoked token ends them). */
  recheck(req: FastifyRequest): Promise<AdminAccess>;
  /** A control-plane context carrying the caller (RBAC checks, diagnostics reads). */
  ctx(req: FastifyRequest, access: AdminAccess): Ctx;
  /** Admin key (or open mode) only: a token caller gets 403 AuthorizationFailed for `action` over `scope`. */
  requireAdmin(req: FastifyRequest, action: string, scope: string): Promise<AdminAccess>;
  /** 403 AuthorizationFailed for a token caller (`action` over `scope`). */
  refuse(access: AdminAccess, action: string, scope: string): never;
}

export interface AdminGateOptions {
  mode: "open" | "strict";
  identity?: Identity;
  /** The bootstrap admin key (strict mode); without one only tokens are accepted. */
  adminKey?: string;
}

function headerText(v: string | string[] | undefined): string | undefined {
  const t = Array.isArray(v) ? v[0] : v;
  return typeof t === "string" && t.trim() !== "" ? t.trim() : undefined;
}

export function adminGate(arm: ArmDeps, opts: AdminGateOptions): AdminGate {
  const cache = new WeakMap<FastifyRequest, Promise<AdminAccess>>();
  const strict = opts.mode === "strict";

  const authenticate = async (req: FastifyRequest): Promise<AdminAccess> => {
    if (!strict) return { kind: "open" };
    const base = baseUrlOf(req);
    const challenge = `${base}/`;
    const key = opts.adminKey;
    const given = headerText(req.headers[ADMIN_KEY_HEADER]);
    if (given !== undefined) {
      if (key !== undefined && adminKeyMatches(given, key)) return { kind: "admin" };
      throw ArmErrors.invalidAuthenticationToken(challenge, "The admin key is not valid.");
    }
    const auth = headerText(req.headers.authorization);
    if (auth === undefined) throw ArmErrors.authenticationFailedMissingHeader(challenge);
    const bearer = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim() ?? "";
    if (key !== undefined && bearer !== "" && adminKeyMatches(bearer, key)) return { kind: "admin" };
    if (!opts.identity) throw ArmErrors.invalidAuthenticationToken(challenge, "The access token is invalid.");
    const caller = await opts.identity.validate(bearer, base, challenge);
    if (caller.kind === "open" || caller.objectId === undefined || caller.tenantId === undefined)
      throw ArmErrors.invalidAuthenticationToken(challenge, "The access token is invalid.");
    return { kind: "token", caller: caller as EnforcedCaller };
  };

  const gate: AdminGate = {
    strict,
    access(req) {
      let p = cache.get(req);
      if (!p) {
        p = authenticate(req);
        cache.set(req, p);
      }
      return p;
    },
    recheck(req) {
      const p = authenticate(req);
      cache.set(req, p);
      return p;
    },
    ctx(req, access) {
      return newCtx(arm, {
        method: req.method.toUpperCase(),
        path: req.url.split("?")[0]!,
        query: {},
        apiVersion: "",
        body: undefined,
        baseUrl: baseUrlOf(req),
        caller: access.kind === "token" ? access.caller : { kind: "open" },
      });
    },
    async requireAdmin(req, action, scope) {
      const access = await gate.access(req);
      if (access.kind === "token") gate.refuse(access, action, scope);
      return access;
    },
    refuse(access, action, scope): never {
      if (access.kind !== "token") throw ArmErrors.badRequest("Refused.");
      throw ArmErrors.authorizationFailed(clientLabel(access.caller), access.caller.objectId, action, scope);
    },
  };
  return gate;
}

/** Open mode's gate (no credential, everything allowed): for apps built without identity. */
export function openGate(arm: ArmDeps): AdminGate {
  return adminGate(arm, { mode: "open" });
}
