/**
 * The HTTP shell (STYLE §6.13): `buildApp(deps)` returns a Fastify instance that has not
 * started listening, so most tests use `app.inject`. It parses and normalises requests,
 * hands ARM requests to src/arm, and renders every answer and every error the way ARM does.
 */
import JSON5 from "json5";
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from "fastify";
import { checkApiVersion } from "../arm/api-versions.js";
import { handleArm } from "../arm/arm.js";
import type { ArmDeps, ArmRequest } from "../arm/context.js";
import { REQUEST_LIMITS, SERVER_TIMEOUTS } from "../model/catalog/limits.js";
import { ArmErrors } from "../model/errors.js";
import { jsonTextDepth, MAX_REQUEST_DEPTH } from "../model/json-depth.js";
import { decodePathSegments } from "../model/resource-id.js";
import { baseUrlOf, registerAdfsRoutes } from "./adfs.js";
import { adminGate } from "./admin-auth.js";
import { openAuthenticator, type Authenticator } from "./auth.js";
import { registerEmulatorRoutes } from "./emulator-routes.js";
import { registerIdentityRoutes } from "./identity-routes.js";
import { registerPortalRoutes } from "./portal.js";
import { baseUrlFor } from "./public-url.js";
import type { Identity } from "../identity/identity.js";
import { sendArmError, toArmError } from "./errors.js";

export interface AppDeps {
  arm: ArmDeps;
  auth?: Authenticator;
  /** Token endpoint, discovery documents and the directory admin API (src/http/identity-routes.ts). */
  identity?: Identity;
  /** Strict mode's bootstrap admin key for the `/_emulator` API (src/http/admin-auth.ts). */
  adminKey?: string;
  /** Maximum request body in bytes (ARM's limit is 4 MiB). */
  bodyLimit?: number;
  /** Fastify logger option (false = silent). */
  logger?: FastifyServerOptions["logger"];
  /** The built portal (dist/web by default; src/http/portal.ts). */
  portalDir?: string;
  /**
   * The server's public base URL (`--public-url`): every absolute URL handed out starts with it.
   * Absent: the client's Host when it names the loopback at the listening port, else https://localhost:{port}.
   */
  publicUrl?: string;
  /** Connection timeouts (defaults: src/model/catalog/limits.ts SERVER_TIMEOUTS); tests shorten them. */
  timeouts?: Partial<ServerTimeouts>;
  /** TLS material; when given the instance is an HTTPS server. */
  https?: { key: string | Buffer; cert: string | Buffer };
}

const DEPLOYMENTS_PATH = /\/providers\/microsoft\.resources\/deployments\//i;

export const DEFAULT_BODY_LIMIT = REQUEST_LIMITS.bodyBytes;

export type ServerTimeouts = { -readonly [K in keyof typeof SERVER_TIMEOUTS]: number };

/** Collapses repeated slashes in the path part (`//metadata/endpoints` → `/metadata/endpoints`). */
export function collapseSlashes(url: string): string {
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const rest = q < 0 ? "" : url.slice(q);
  return path.replace(/\/{2,}/g, "/") + rest;
}

function firstValues(q: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (q && typeof q === "object") {
    for (const [k, v] of Object.entries(q as Record<string, unknown>)) {
      const first = Array.isArray(v) ? v[0] : v;
      if (first !== undefined && first !== null) out[k] = String(first);
    }
  }
  return out;
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(",") : v;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const auth = deps.auth ?? openAuthenticator;
  const timeouts: ServerTimeouts = { ...SERVER_TIMEOUTS, ...(deps.timeouts ?? {}) };
  const opts: FastifyServerOptions = {
    logger: deps.logger ?? false,
    bodyLimit,
    // Idle and trickling (slowloris) connections are closed; SDK clients finish far within these.
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    requestTimeout: timeouts.requestMs,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, caseSensitive: false },
    rewriteUrl: (req) => collapseSlashes(req.url ?? "/"),
    genReqId: () => deps.arm.ids.guid(),
    return503OnClosing: false,
    frameworkErrors: (error, req, reply) => {
      const arm =
        (error as { code?: string }).code === "FST_ERR_BAD_URL"
          ? ArmErrors.badRequest(`The request URL '${req.url}' is not valid percent-encoding.`)
          : toArmError(error, req, bodyLimit);
      void sendArmError(reply, arm);
    },
  };
  // Node checks the header and request deadlines on this interval (default 30 s).
  const checking = Math.max(50, Math.min(1000, Math.floor(timeouts.headersMs / 4)));
  const app = (deps.https
    ? Fastify({
        ...(opts as object),
        https: { ...deps.https, connectionsCheckingInterval: checking },
      } as Parameters<typeof Fastify>[0])
    : Fastify({
        ...opts,
        http: { connectionsCheckingInterval: checking },
      } as Parameters<typeof Fastify>[0])) as unknown as FastifyInstance;
  // The request line and headers must arrive within headersMs (Node: at most requestTimeout).
  app.server.headersTimeout = Math.min(timeouts.headersMs, timeouts.requestMs);

  app.removeAllContentTypeParsers();
  const parseJson = (text: string, url = ""): unknown => {
    if (text.trim() === "") return undefined;
    // Bounded before parsing: nothing recursive ever meets a body nested deeper (docs/fidelity.md).
    if (jsonTextDepth(text, MAX_REQUEST_DEPTH) > MAX_REQUEST_DEPTH) {
      throw ArmErrors.invalidRequestContent(
        `The request content was invalid and could not be deserialized: 'The JSON nesting depth exceeds the maximum of ${MAX_REQUEST_DEPTH} levels.'.`,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      // Deployment bodies are read the way ARM reads them (Newtonsoft's lenient reader: comments,
      // unquoted property names, single quotes): az 2.45 appends the template file verbatim after
      // an unquoted `template:` (docs/arm-api.md).
      if (DEPLOYMENTS_PATH.test(url)) {
        try {
          return JSON5.parse(text) as unknown;
        } catch {
          // fall through to ARM's error
        }
      }
      throw ArmErrors.invalidRequestContent(
        `The request content was invalid and could not be deserialized: '${(e as Error).message}'.`,
      );
    }
  };
  app.addContentTypeParser(["application/json", "text/json"], { parseAs: "string" }, (req, body, done) => {
    try {
      done(null, parseJson(body as string, req.url));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  // Form bodies are the token endpoints' (OAuth2); an ARM or /_emulator request carrying one gets 415.
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (req, body, done) => {
    if (!/\/oauth2\//i.test(req.url.split("?")[0] ?? ""))
      return done(ArmErrors.unsupportedMediaType(String(req.headers["content-type"] ?? "")), undefined);
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser("*", { parseAs: "string" }, (req, body, done) => {
    const text = body as string;
    if (text.trim() === "") return done(null, undefined);
    const type = String(req.headers["content-type"] ?? "");
    if (/json/i.test(type)) {
      try {
        return done(null, parseJson(text, req.url));
      } catch (e) {
        return done(e as Error, undefined);
      }
    }
    done(ArmErrors.unsupportedMediaType(type), undefined);
  });

  // Every absolute URL is built from this (src/http/public-url.ts), never from a forged Host.
  let listenPort: number | undefined;
  app.decorateRequest("lazuriteBaseUrl", "");
  app.addHook("onRequest", async (req) => {
    if (listenPort === undefined && app.server.listening) {
      const a = app.server.address();
      if (a !== null && typeof a === "object") listenPort = a.port;
    }
    (req as FastifyRequest & { lazuriteBaseUrl: string }).lazuriteBaseUrl = baseUrlFor(req.headers.host, {
      publicUrl: deps.publicUrl,
      listenPort,
    });
  });

  app.addHook("onSend", async (req, reply, payload) => {
    reply.header("x-ms-request-id", String(req.id));
    const corr = header(req.headers["x-ms-correlation-request-id"]) ?? String(req.id);
    reply.header("x-ms-correlation-request-id", corr);
    const client = header(req.headers["x-ms-client-request-id"]);
    if (client !== undefined) reply.header("x-ms-client-request-id", client);
    reply.header("cache-control", "no-cache");
    return payload;
  });

  app.setErrorHandler((err, req, reply) => sendArmError(reply, toArmError(err, req, bodyLimit)));
  app.setNotFoundHandler((req, reply) =>
    sendArmError(reply, ArmErrors.routeNotFound(`${baseUrlOf(req)}${req.url.split("?")[0]}`)),
  );

  const gate = adminGate(deps.arm, {
    mode: auth.mode,
    ...(deps.identity ? { identity: deps.identity } : {}),
    ...(deps.adminKey !== undefined ? { adminKey: deps.adminKey } : {}),
  });
  // Strict mode: every `/_emulator` route but health authenticates before anything else (even body parsing) runs
  // (decided on the route's pattern, not the raw URL). Handlers then ask what the caller may do.
  app.addHook("onRequest", async (req) => {
    const route = req.routeOptions.url ?? "";
    if (!gate.strict || !route.startsWith("/_emulator/") || route === "/_emulator/health") return;
    await gate.access(req);
  });
  registerAdfsRoutes(app, deps.arm, deps.identity);
  if (deps.identity) registerIdentityRoutes(app, deps.arm, deps.identity, gate);
  registerEmulatorRoutes(app, deps.arm, gate);
  registerPortalRoutes(app, deps.portalDir, { authMode: auth.mode, tenantId: deps.arm.tenancy.tenantId });

  const armRoute = async (req: FastifyRequest, reply: FastifyReply) => {
    const principal = await auth.authenticate(req.headers, {
      baseUrl: baseUrlOf(req),
      path: req.url.split("?")[0]!,
    });
    const rawPath = req.url.split("?")[0]!;
    const segments = decodePathSegments(rawPath);
    const path = "/" + segments.join("/");
    const query = firstValues(req.query);
    const apiVersionKey = Object.keys(query).find((k) => k.toLowerCase() === "api-version");
    const apiVersion = checkApiVersion(apiVersionKey !== undefined ? query[apiVersionKey] : undefined);
    const armReq: ArmRequest = {
      method: req.method.toUpperCase(),
      path,
      segments,
      query,
      apiVersion,
      body: req.body,
      baseUrl: baseUrlOf(req),
      caller: principal.caller,
    };
    const ifMatch = header(req.headers["if-match"]);
    const ifNoneMatch = header(req.headers["if-none-match"]);
    if (ifMatch !== undefined) armReq.ifMatch = ifMatch;
    if (ifNoneMatch !== undefined) armReq.ifNoneMatch = ifNoneMatch;
    const res = await handleArm(deps.arm, armReq);
    reply.status(res.status);
    if (res.headers) reply.headers(res.headers);
    if (res.body === undefined || armReq.method === "HEAD" || res.status === 204) return reply.send();
    return reply.type("application/json; charset=utf-8").send(res.body);
  };
  app.route({
    method: ["GET", "PUT", "PATCH", "DELETE", "POST", "HEAD"],
    url: "/subscriptions",
    handler: armRoute,
  });
  app.route({
    method: ["GET", "PUT", "PATCH", "DELETE", "POST", "HEAD"],
    url: "/subscriptions/*",
    handler: armRoute,
  });
  app.route({ method: ["GET", "HEAD"], url: "/tenants", handler: armRoute });
  app.route({ method: ["GET", "HEAD"], url: "/providers", handler: armRoute });
  return app;
}
