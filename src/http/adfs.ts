/**
 * The endpoints the az CLI and MSAL need to log in against a local cloud (real-clients §2.2,
 * §5.4): an ADFS-style discovery document and token endpoint on the same host, and
 * `GET /metadata/endpoints`. Open mode: every client gets a token; the token is an unsigned
 * JWT-shaped string (the identity issue replaces it with signed tokens).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ArmDeps } from "../arm/context.js";
import type { Identity } from "../identity/identity.js";
import { baseUrlFor } from "./public-url.js";

function b64url(v: unknown): string {
  return Buffer.from(JSON.stringify(v), "utf8").toString("base64url");
}

/** This server's base URL for a request (src/http/public-url.ts: never steered by a forged Host). */
export function baseUrlOf(req: FastifyRequest): string {
  const set = (req as FastifyRequest & { lazuriteBaseUrl?: string }).lazuriteBaseUrl;
  return set !== undefined && set !== "" ? set : baseUrlFor(req.headers.host, {});
}

export function registerAdfsRoutes(app: FastifyInstance, arm: ArmDeps, identity?: Identity): void {
  app.get("/adfs/.well-known/openid-configuration", async (req) => {
    const b = baseUrlOf(req);
    return {
      issuer: `${b}/adfs`,
      authorization_endpoint: `${b}/adfs/oauth2/authorize`,
      token_endpoint: `${b}/adfs/oauth2/token`,
      jwks_uri: `${b}/adfs/discovery/keys`,
      response_types_supported: ["code", "id_token", "code id_token", "token"],
      response_modes_supported: ["query", "fragment", "form_post"],
      grant_types_supported: ["authorization_code", "refresh_token", "client_credentials", "password"],
      subject_types_supported: ["pairwise"],
      scopes_supported: ["openid", "profile", "offline_access"],
      id_token_signing_alg_values_supported: ["RS256"],
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "private_key_jwt"],
      access_token_issuer: `${b}/adfs`,
    };
  });

  app.get("/adfs/discovery/keys", async () => (identity ? identity.jwks() : { keys: [] }));

  app.post("/adfs/oauth2/token", async (req, reply) => {
    if (identity) {
      // Signed tokens (src/identity): the client's secret is checked in strict mode.
      const form = Object.fromEntries(
        Object.entries((req.body ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === "string"),
      ) as Record<string, string>;
      const auth = typeof req.headers.authorization === "string" ? req.headers.authorization : undefined;
      const answer = await identity.token(
        form,
        { baseUrl: baseUrlOf(req), tenant: "adfs", version: "adfs" },
        auth,
      );
      if (answer.headers) reply.headers(answer.headers);
      return reply.status(answer.status).send(answer.body);
    }
    const form = (req.body ?? {}) as Record<string, unknown>;
    const b = baseUrlOf(req);
    const now = Math.floor(arm.clock.now() / 1000);
    const clientId = typeof form.client_id === "string" ? form.client_id : "lazurite-client";
    const scope = typeof form.scope === "string" ? form.scope : `${b}/.default`;
    const payload = {
      aud: scope.replace(/\/?\.default$/, "").replace(/\/+$/, "/") || `${b}/`,
      iss: `${b}/adfs`,
      iat: now,
      nbf: now,
      exp: now + 86399,
      appid: clientId,
      oid: clientId,
      sub: clientId,
      tid: arm.tenancy.tenantId,
      ver: "1.0",
      lazurite: "open-mode token, not signed",
    };
    return {
      token_type: "Bearer",
      access_token: `${b64url({ typ: "JWT", alg: "none" })}.${b64url(payload)}.`,
      expires_in: 86399,
      ext_expires_in: 86399,
      scope,
    };
  });

  app.get("/metadata/endpoints", async (req) => {
    const b = baseUrlOf(req);
    return {
      galleryEndpoint: `${b}/`,
      graphEndpoint: `${b}/graph/`,
      portalEndpoint: `${b}/`,
      resourceManagerEndpoint: `${b}/`,
      authentication: {
        loginEndpoint: `${b}/adfs`,
        audiences: [`${b}/`],
        tenant: "adfs",
        identityProvider: "ADFS",
      },
    };
  });
}
