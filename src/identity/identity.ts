/**
 * Lazurite's Azure AD stand-in: tenants' principals (service principals with client secrets,
 * users with passwords), an OAuth 2.0 token endpoint issuing RS256 JWTs in Azure AD's v1
 * access-token shape (`aud`, `iss`, `tid`, `oid`, `appid`, `idtyp`, ...), and the validation
 * strict mode applies to every ARM request.
 *
 * Modes (docs/identity.md):
 * - `open`: the token endpoint issues a token to any client (known principals get their own
 *   identity, anyone else a placeholder in the default tenant) and ARM ignores tokens.
 * - `strict`: the token endpoint checks the client's secret (or the user's password) in the
 *   tenant named by the URL, and ARM requires a valid token signed by this server.
 */
import { randomUUID } from "node:crypto";
import type { Caller } from "../arm/authz.js";
import type { ArmDeps } from "../arm/context.js";
import { authorityUrl, issuerUrl } from "../arm/providers/authorization/authority.js";
import {
  deletePrincipal,
  findServicePrincipal,
  findUser,
  getPrincipal,
  listPrincipals,
  putPrincipal,
  type DirectoryPrincipal,
} from "../arm/providers/authorization/records.js";
import { isGuid, tenantKey, type TenantBody, TENANT_TYPE } from "../arm/tenancy.js";
import { ArmErrors } from "../model/errors.js";
import { decodeJwt, signRs256, verifyRs256, type JsonObject } from "./jwt.js";
import { ensureSigningKey, type SigningKey } from "./keys.js";
import { hashSecret, newSecret, verifySecret } from "./secrets.js";

export type AuthMode = "open" | "strict";

export interface IdentityOptions {
  mode: AuthMode;
  /** Access token lifetime in seconds (Azure AD: about an hour). */
  tokenLifetimeSeconds?: number;
  /** Failed-credential lockout (strict mode): consecutive failures before it, and how long it lasts. */
  lockout?: { threshold?: number; durationSeconds?: number };
}

/** Azure AD's smart lockout defaults: 10 failed attempts lock the account for 60 seconds. */
export const LOCKOUT_THRESHOLD = 10;
export const LOCKOUT_SECONDS = 60;

/** The claim that carries the principal's credential generation (docs/identity.md). */
export const GENERATION_CLAIM = "lzgen";

/** ARM's own audiences, accepted besides the server's URL (the modular arm-storage client asks for them by default). */
export const ARM_AUDIENCES = [
  "https://management.core.windows.net/",
  "https://management.core.windows.net",
  "https://management.azure.com/",
  "https://management.azure.com",
];

/** Clock skew ARM tolerates on `exp` / `nbf`. */
export const CLOCK_SKEW_MS = 5 * 60_000;

export interface OAuthAnswer {
  status: number;
  body: Record<string, unknown>;
  /** Extra response headers (`Retry-After` on a throttled client). */
  headers?: Record<string, string>;
}

/** Where a token request arrived: `/{tenant}/oauth2/v2.0/token`, `/{tenant}/oauth2/token` (v1) or `/adfs/oauth2/token`. */
export interface TokenEndpoint {
  baseUrl: string;
  tenant: string;
  version: "v1" | "v2" | "adfs";
}

const OIDC_SCOPES = new Set(["openid", "profile", "offline_access", "email"]);

/** .NET's invariant `M/d/yyyy h:mm:ss tt`, as ARM prints token times. */
export function dotnetUtc(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? "AM" : "PM"}`;
}

/** The resource a token is for: a v2 scope without `/.default` (`https://localhost:8443//.default` → `https://localhost:8443/`), or v1's `resource`. */
export function audienceOf(form: Record<string, string>): string | undefined {
  if (typeof form.resource === "string" && form.resource.length > 0) return form.resource;
  const scopes = (form.scope ?? "")
    .split(/\s+/)
    .filter((s) => s.length > 0 && !OIDC_SCOPES.has(s.toLowerCase()));
  const first = scopes[0];
  if (first === undefined) return undefined;
  return first.endsWith("/.default") ? first.slice(0, -"/.default".length) : first;
}

export class Identity {
  readonly mode: AuthMode;
  readonly key: SigningKey;
  readonly lifetimeSeconds: number;
  readonly lockoutThreshold: number;
  readonly lockoutMs: number;
  /** Consecutive credential failures per principal (`tenant/objectId`), and the end of its lockout. */
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();

  private constructor(
    readonly deps: ArmDeps,
    key: SigningKey,
    opts: IdentityOptions,
  ) {
    this.mode = opts.mode;
    this.key = key;
    this.lifetimeSeconds = opts.tokenLifetimeSeconds ?? 3599;
    this.lockoutThreshold = Math.max(1, opts.lockout?.threshold ?? LOCKOUT_THRESHOLD);
    this.lockoutMs = Math.max(1, opts.lockout?.durationSeconds ?? LOCKOUT_SECONDS) * 1000;
  }

  static async create(deps: ArmDeps, opts: IdentityOptions): Promise<Identity> {
    return new Identity(deps, await ensureSigningKey(deps.store), opts);
  }

  // ---- directory administration (the /_emulator API) ----

  private async tenant(tenantId: string): Promise<TenantBody> {
    const doc = await this.deps.store.get(tenantKey(tenantId));
    if (!doc) throw ArmErrors.tenantNotFound(tenantId);
    return doc.body as TenantBody;
  }

  /** Creates or updates a service principal; returns it with the plain secret when one was set now. */
  async putServicePrincipal(
    tenantId: string,
    appId: string,
    input: {
      displayName?: string;
      secret?: string;
      objectId?: string;
      newSecret?: boolean;
      /** Replace every secret with one new one and revoke every token issued before. */
      resetSecret?: boolean;
    },
  ): Promise<{ created: boolean; principal: DirectoryPrincipal; secret?: string }> {
    const tenant = await this.tenant(tenantId);
    if (!isGuid(appId))
      throw ArmErrors.invalidParameter(`The application id '${appId}' must be a GUID.`, "appId");
    const existing = (await findServicePrincipal(this.deps.store, appId, tenant.tenantId))[0];
    const objectId = existing?.objectId ?? this.objectIdFrom(input.objectId);
    const reset = !existing || input.resetSecret === true;
    const secret = input.secret ?? (reset || input.newSecret ? newSecret() : undefined);
    const kept = reset ? [] : (existing?.credentials ?? []);
    const principal: DirectoryPrincipal = {
      objectId,
      tenantId: tenant.tenantId,
      kind: "ServicePrincipal",
      displayName: input.displayName ?? existing?.displayName ?? `sp-${appId.slice(0, 8)}`,
      appId: existing?.appId ?? appId.toLowerCase(),
      credentials: secret !== undefined ? [...kept, hashSecret(secret)] : kept,
      ...(reset
        ? { credentialGeneration: randomUUID() }
        : existing?.credentialGeneration !== undefined
          ? { credentialGeneration: existing.credentialGeneration }
          : {}),
    };
    await putPrincipal(this.deps.store, principal);
    if (reset) this.failures.delete(this.failureKey(principal));
    return { created: !existing, principal, ...(secret !== undefined ? { secret } : {}) };
  }

  async putUser(
    tenantId: string,
    userPrincipalName: string,
    input: { displayName?: string; password?: string; objectId?: string },
  ): Promise<{ created: boolean; principal: DirectoryPrincipal; password?: string }> {
    const tenant = await this.tenant(tenantId);
    if (!/^[^@\s]+@[^@\s]+$/.test(userPrincipalName)) {
      throw ArmErrors.invalidParameter(
        `The user principal name '${userPrincipalName}' must look like 'name@domain'.`,
        "userPrincipalName",
      );
    }
    const existing = (await findUser(this.deps.store, userPrincipalName, tenant.tenantId))[0];
    const password = input.password ?? (!existing ? newSecret() : undefined);
    // A new password replaces the old one and revokes every token issued before it.
    const reset = password !== undefined;
    const principal: DirectoryPrincipal = {
      objectId: existing?.objectId ?? this.objectIdFrom(input.objectId),
      tenantId: tenant.tenantId,
      kind: "User",
      displayName: input.displayName ?? existing?.displayName ?? userPrincipalName.split("@")[0]!,
      userPrincipalName: existing?.userPrincipalName ?? userPrincipalName,
      credentials: password !== undefined ? [hashSecret(password)] : (existing?.credentials ?? []),
      ...(reset
        ? { credentialGeneration: randomUUID() }
        : existing?.credentialGeneration !== undefined
          ? { credentialGeneration: existing.credentialGeneration }
          : {}),
    };
    await putPrincipal(this.deps.store, principal);
    if (reset) this.failures.delete(this.failureKey(principal));
    return { created: !existing, principal, ...(password !== undefined ? { password } : {}) };
  }

  private objectIdFrom(given: string | undefined): string {
    if (given === undefined) return this.deps.ids.guid();
    if (!isGuid(given))
      throw ArmErrors.invalidParameter(`The object id '${given}' must be a GUID.`, "objectId");
    return given.toLowerCase();
  }

  async listPrincipals(tenantId: string, kind: DirectoryPrincipal["kind"]): Promise<DirectoryPrincipal[]> {
    const tenant = await this.tenant(tenantId);
    return (await listPrincipals(this.deps.store, tenant.tenantId)).filter((p) => p.kind === kind);
  }

  async findServicePrincipal(tenantId: string, appId: string): Promise<DirectoryPrincipal> {
    const tenant = await this.tenant(tenantId);
    const p = (await findServicePrincipal(this.deps.store, appId, tenant.tenantId))[0];
    if (!p)
      throw ArmErrors.directoryObjectNotFound(`service principal with app id '${appId}'`, tenant.tenantId);
    return p;
  }

  async findUser(tenantId: string, upn: string): Promise<DirectoryPrincipal> {
    const tenant = await this.tenant(tenantId);
    const p = (await findUser(this.deps.store, upn, tenant.tenantId))[0];
    if (!p) throw ArmErrors.directoryObjectNotFound(`user '${upn}'`, tenant.tenantId);
    return p;
  }

  async deletePrincipal(p: DirectoryPrincipal): Promise<void> {
    await deletePrincipal(this.deps.store, p.tenantId, p.objectId);
    this.failures.delete(this.failureKey(p));
  }

  async getPrincipal(tenantId: string, objectId: string): Promise<DirectoryPrincipal | undefined> {
    return getPrincipal(this.deps.store, tenantId, objectId);
  }

  // ---- discovery ----

  /** Resolves the tenant segment of an authority URL: a tenant id or one of its domains. */
  async resolveTenant(segment: string): Promise<TenantBody | undefined> {
    if (isGuid(segment))
      return (await this.deps.store.get(tenantKey(segment)))?.body as TenantBody | undefined;
    const want = segment.toLowerCase();
    const all = (await this.deps.store.list({ type: TENANT_TYPE })).items.map((d) => d.body as TenantBody);
    return all.find(
      (t) => t.defaultDomain.toLowerCase() === want || t.domains.some((d) => d.toLowerCase() === want),
    );
  }

  /** OpenID Connect discovery for `{base}/{tenant}` (v2) or its v1 variant. */
  openIdConfiguration(baseUrl: string, tenantId: string, version: "v1" | "v2"): Record<string, unknown> {
    const authority = authorityUrl(baseUrl, tenantId);
    const v2 = version === "v2";
    return {
      token_endpoint: `${authority}/oauth2${v2 ? "/v2.0" : ""}/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
      jwks_uri: `${authority}/discovery${v2 ? "/v2.0" : ""}/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "token id_token", "token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: v2 ? `${authority}/v2.0` : issuerUrl(baseUrl, tenantId),
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${authority}/openid/userinfo`,
      authorization_endpoint: `${authority}/oauth2${v2 ? "/v2.0" : ""}/authorize`,
      device_authorization_endpoint: `${authority}/oauth2${v2 ? "/v2.0" : ""}/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${authority}/oauth2${v2 ? "/v2.0" : ""}/logout`,
      claims_supported: ["sub", "iss", "aud", "exp", "iat", "nbf", "oid", "tid", "appid", "upn", "name"],
      tenant_region_scope: "NA",
      cloud_instance_name: new URL(baseUrl).host,
      cloud_graph_host_name: new URL(baseUrl).host,
      msgraph_host: new URL(baseUrl).host,
      grant_types_supported: ["client_credentials", "password"],
    };
  }

  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [this.key.jwk] };
  }

  // ---- failed-credential lockout (strict mode) ----

  private failureKey(p: Pick<DirectoryPrincipal, "tenantId" | "objectId">): string {
    return `${p.tenantId}/${p.objectId}`.toLowerCase();
  }

  /** Seconds left of the principal's lockout (0 when it may sign in). */
  lockedSeconds(p: Pick<DirectoryPrincipal, "tenantId" | "objectId">): number {
    const f = this.failures.get(this.failureKey(p));
    const left = f ? f.lockedUntil - this.deps.clock.now() : 0;
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  /** Counts a wrong secret or password; the one that reaches the threshold starts the lockout. */
  private noteFailure(p: DirectoryPrincipal): void {
    const key = this.failureKey(p);
    const f = this.failures.get(key) ?? { count: 0, lockedUntil: 0 };
    f.count += 1;
    if (f.count >= this.lockoutThreshold) {
      f.count = 0;
      f.lockedUntil = this.deps.clock.now() + this.lockoutMs;
    }
    this.failures.set(key, f);
  }

  private noteSuccess(p: DirectoryPrincipal): void {
    this.failures.delete(this.failureKey(p));
  }

  /** Azure AD throttles a client-credentials client with HTTP 429 and `Retry-After`. */
  private throttled(clientId: string, seconds: number): OAuthAnswer {
    const answer = this.aadError(
      429,
      "temporarily_unavailable",
      90055,
      `Too many requests with a wrong client secret for application '${clientId}': the client is throttled for ${seconds} more seconds after ${this.lockoutThreshold} consecutive failures. Retry after the time in the Retry-After header.`,
    );
    return { ...answer, headers: { "Retry-After": String(seconds) } };
  }

  /** Azure AD's smart lockout of a user after repeated wrong passwords. */
  private lockedUser(upn: string, seconds: number): OAuthAnswer {
    return this.aadError(
      400,
      "invalid_grant",
      50053,
      `The account '${upn}' is locked after ${this.lockoutThreshold} sign-in attempts with a wrong password; try again in ${seconds} seconds.`,
    );
  }

  // ---- the token endpoint ----

  private aadError(status: number, error: string, code: number, description: string): OAuthAnswer {
    const now = new Date(this.deps.clock.now());
    const trace = randomUUID();
    const corr = randomUUID();
    const ts = now
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, "Z");
    return {
      status,
      body: {
        error,
        error_description: `AADSTS${code}: ${description} Trace ID: ${trace} Correlation ID: ${corr} Timestamp: ${ts}`,
        error_codes: [code],
        timestamp: ts,
        trace_id: trace,
        correlation_id: corr,
      },
    };
  }

  /** Handles one token request (form fields as posted; `authorization` = the request's Authorization header, for client_secret_basic). */
  async token(form: Record<string, string>, at: TokenEndpoint, authorization?: string): Promise<OAuthAnswer> {
    const grant = form.grant_type ?? "";
    let clientId = form.client_id;
    let clientSecret = form.client_secret;
    const basic = authorization !== undefined ? /^Basic\s+(.+)$/i.exec(authorization.trim()) : null;
    if (basic) {
      const [id, secret] = Buffer.from(basic[1]!, "base64").toString("utf8").split(":");
      clientId ??= decodeURIComponent(id ?? "");
      clientSecret ??= decodeURIComponent(secret ?? "");
    }
    if (grant !== "client_credentials" && grant !== "password") {
      return this.aadError(
        400,
        "unsupported_grant_type",
        70003,
        `The app requested an unsupported grant type '${grant}'. Lazurite issues tokens for client_credentials and password.`,
      );
    }
    if (!clientId)
      return this.aadError(
        400,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
    const audience = audienceOf(form);
    if (audience === undefined) {
      return this.aadError(
        400,
        "invalid_request",
        90014,
        `The request body must contain the following parameter: '${at.version === "v1" ? "resource" : "scope"}'.`,
      );
    }
    const anyTenant = at.version === "adfs" || ["common", "organizations"].includes(at.tenant.toLowerCase());
    const tenant = anyTenant ? undefined : await this.resolveTenant(at.tenant);
    if (!anyTenant && !tenant) {
      if (this.mode === "open") return this.issue(at, audience, this.placeholder(clientId), clientId, form);
      return this.aadError(
        400,
        "invalid_request",
        90002,
        `Tenant '${at.tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      );
    }
    if (grant === "client_credentials") {
      const candidates = await findServicePrincipal(this.deps.store, clientId, tenant?.tenantId);
      const sp =
        candidates.length === 1
          ? candidates[0]
          : candidates.find((p) => p.tenantId === this.deps.tenancy.tenantId);
      if (!sp) {
        if (this.mode === "open")
          return this.issue(at, audience, this.placeholder(clientId, tenant?.tenantId), clientId, form);
        return this.aadError(
          400,
          "unauthorized_client",
          700016,
          `Application with identifier '${clientId}' was not found in the directory '${tenant?.displayName ?? at.tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
        );
      }
      if (!clientSecret) {
        if (this.mode === "open") return this.issue(at, audience, sp, clientId, form);
        return this.aadError(
          401,
          "invalid_client",
          7000218,
          "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        );
      }
      const ok = sp.credentials.some((c) => verifySecret(clientSecret!, c));
      if (this.mode === "open") return this.issue(at, audience, sp, clientId, form);
      // While throttled, even the right secret is refused (so guessing learns nothing).
      const locked = this.lockedSeconds(sp);
      if (locked > 0) return this.throttled(clientId, locked);
      if (!ok) {
        this.noteFailure(sp);
        return this.aadError(
          401,
          "invalid_client",
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
        );
      }
      this.noteSuccess(sp);
      return this.issue(at, audience, sp, clientId, form);
    }
    const username = form.username ?? "";
    const candidates = await findUser(this.deps.store, username, tenant?.tenantId);
    const user = candidates[0];
    if (user && this.mode === "strict") {
      const locked = this.lockedSeconds(user);
      if (locked > 0) return this.lockedUser(username, locked);
    }
    if (!user || !user.credentials.some((c) => verifySecret(form.password ?? "", c))) {
      if (user && this.mode === "strict") this.noteFailure(user);
      if (this.mode === "open")
        return this.issue(
          at,
          audience,
          user ?? this.placeholder(clientId, tenant?.tenantId, username),
          clientId,
          form,
        );
      return this.aadError(
        400,
        "invalid_grant",
        50126,
        "Error validating credentials due to invalid username or password.",
      );
    }
    this.noteSuccess(user);
    return this.issue(at, audience, user, clientId, form);
  }

  /** Open mode: a caller nobody registered still gets a (signed) token in the default tenant. */
  private placeholder(clientId: string, tenantId?: string, upn?: string): DirectoryPrincipal {
    return {
      objectId: isGuid(clientId) ? clientId.toLowerCase() : "00000000-0000-0000-0000-000000000000",
      tenantId: tenantId ?? this.deps.tenancy.tenantId,
      kind: upn ? "User" : "ServicePrincipal",
      displayName: upn ?? clientId,
      ...(upn ? { userPrincipalName: upn } : { appId: clientId }),
      credentials: [],
    };
  }

  private issue(
    at: TokenEndpoint,
    audience: string,
    p: DirectoryPrincipal,
    clientId: string,
    form: Record<string, string>,
  ): OAuthAnswer {
    const nowSec = Math.floor(this.deps.clock.now() / 1000);
    const exp = nowSec + this.lifetimeSeconds;
    const token = this.signAccessToken(at.baseUrl, p, {
      aud: audience,
      iat: nowSec,
      nbf: nowSec,
      exp,
      appid: clientId,
    });
    const body: Record<string, unknown> = {
      token_type: "Bearer",
      expires_in: this.lifetimeSeconds,
      ext_expires_in: this.lifetimeSeconds,
      access_token: token,
    };
    if (at.version !== "v2") {
      body.expires_on = String(exp);
      body.not_before = String(nowSec);
      body.resource = audience;
    }
    if (typeof form.scope === "string") body.scope = form.scope;
    if (p.kind === "User" && /(^|\s)openid(\s|$)/.test(form.scope ?? "")) {
      body.id_token = signRs256(
        { typ: "JWT", kid: this.key.kid },
        {
          aud: clientId,
          iss: `${authorityUrl(at.baseUrl, p.tenantId)}/v2.0`,
          iat: nowSec,
          nbf: nowSec,
          exp,
          oid: p.objectId,
          sub: p.objectId,
          tid: p.tenantId,
          name: p.displayName,
          preferred_username: p.userPrincipalName,
          ver: "2.0",
        },
        this.key.privateKey,
      );
      body.client_info = Buffer.from(JSON.stringify({ uid: p.objectId, utid: p.tenantId }), "utf8").toString(
        "base64url",
      );
    }
    return { status: 200, body };
  }

  /** Signs an access token for a principal; `claims` override the defaults (tests use it for expired / foreign tokens). */
  signAccessToken(baseUrl: string, p: DirectoryPrincipal, claims: JsonObject = {}): string {
    const nowSec = Math.floor(this.deps.clock.now() / 1000);
    const iss = issuerUrl(baseUrl, p.tenantId);
    const payload: JsonObject = {
      aud: `${baseUrl}/`,
      iss,
      iat: nowSec,
      nbf: nowSec,
      exp: nowSec + this.lifetimeSeconds,
      appid: p.appId ?? "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
      appidacr: p.kind === "User" ? "0" : "1",
      idp: iss,
      idtyp: p.kind === "User" ? "user" : "app",
      oid: p.objectId,
      sub: p.objectId,
      tid: p.tenantId,
      uti: randomUUID().replace(/-/g, "").slice(0, 22),
      ver: "1.0",
      ...(p.credentialGeneration !== undefined ? { [GENERATION_CLAIM]: p.credentialGeneration } : {}),
      ...(p.kind === "User"
        ? {
            upn: p.userPrincipalName,
            unique_name: p.userPrincipalName,
            name: p.displayName,
            scp: "user_impersonation",
          }
        : {}),
      ...claims,
    };
    return signRs256({ typ: "JWT", kid: this.key.kid, x5t: this.key.kid }, payload, this.key.privateKey);
  }

  // ---- validation (strict mode) ----

  /** The audiences ARM accepts here: this server's URL (any loopback name on its port) and ARM's public ones. */
  allowedAudiences(baseUrl: string): string[] {
    return [`${baseUrl}/`, baseUrl, ...ARM_AUDIENCES];
  }

  private audienceAccepted(aud: string, baseUrl: string): boolean {
    if (ARM_AUDIENCES.includes(aud)) return true;
    let a: URL;
    let b: URL;
    try {
      a = new URL(aud);
      b = new URL(baseUrl);
    } catch {
      return false;
    }
    const loopback = new Set(["localhost", "127.0.0.1", "[::1]", b.hostname.toLowerCase()]);
    return (
      a.protocol === "https:" &&
      a.port === b.port &&
      loopback.has(a.hostname.toLowerCase()) &&
      (a.pathname === "/" || a.pathname === "") &&
      !a.search
    );
  }

  /**
   * Validates a bearer token (strict mode) and returns the caller. Throws ARM's 401s:
   * AuthenticationFailed (none), InvalidAuthenticationToken (not ours / malformed / not yet
   * valid / no oid), ExpiredAuthenticationToken, InvalidAuthenticationTokenAudience.
   * The token's tenant is checked against the subscription later (arm: admitSubscription).
   * A token whose principal was deleted, or whose credentials were reset after it was issued
   * (its `lzgen` claim is not the principal's current generation), is refused at once.
   */
  async validate(token: string | undefined, baseUrl: string, authorizationUri: string): Promise<Caller> {
    if (token === undefined) throw ArmErrors.authenticationFailedMissingHeader(authorizationUri);
    const invalid = (message = "The access token is invalid.") =>
      ArmErrors.invalidAuthenticationToken(authorizationUri, message);
    const jwt = decodeJwt(token);
    if (!jwt) throw invalid();
    if (jwt.header.kid !== undefined && jwt.header.kid !== this.key.kid) throw invalid();
    if (!verifyRs256(jwt, this.key.publicKey)) throw invalid();
    const c = jwt.payload;
    const now = this.deps.clock.now();
    if (typeof c.exp !== "number" || (c.nbf !== undefined && typeof c.nbf !== "number")) throw invalid();
    if (c.exp * 1000 + CLOCK_SKEW_MS < now)
      throw ArmErrors.expiredAuthenticationToken(authorizationUri, dotnetUtc(c.exp * 1000), dotnetUtc(now));
    if (typeof c.nbf === "number" && c.nbf * 1000 - CLOCK_SKEW_MS > now)
      throw invalid("The access token is not yet valid.");
    const aud = typeof c.aud === "string" ? c.aud : "";
    if (!this.audienceAccepted(aud, baseUrl))
      throw ArmErrors.invalidAuthenticationTokenAudience(
        authorizationUri,
        aud,
        this.allowedAudiences(baseUrl),
      );
    if (typeof c.oid !== "string" || typeof c.tid !== "string" || !isGuid(c.tid)) {
      throw invalid(
        "The received access token is not valid: at least one of the claims 'puid' or 'altsecid' or 'oid' should be present. If you are accessing as application please make sure service principal is properly created in the tenant.",
      );
    }
    if (typeof c.iss !== "string" || !c.iss.toLowerCase().endsWith(`/${c.tid.toLowerCase()}/`))
      throw invalid();
    // Revocation is immediate: the principal must still exist, under the credentials the token was issued for.
    const principal = await getPrincipal(this.deps.store, c.tid.toLowerCase(), c.oid);
    const generation = typeof c[GENERATION_CLAIM] === "string" ? c[GENERATION_CLAIM] : undefined;
    if (!principal || principal.credentialGeneration !== generation)
      throw invalid(
        principal
          ? "The access token has been revoked: the credentials it was issued for were reset after it was issued. Get a new token."
          : "The access token has been revoked: its principal no longer exists in the tenant.",
      );
    const user = c.idtyp === "user";
    const name = user
      ? typeof c.upn === "string"
        ? c.upn
        : undefined
      : typeof c.appid === "string"
        ? c.appid
        : undefined;
    return {
      kind: user ? "user" : "servicePrincipal",
      tenantId: c.tid.toLowerCase(),
      objectId: c.oid,
      ...(name !== undefined ? { clientName: name } : {}),
    };
  }
}
