/**
 * The authentication seam: who is calling an ARM route.
 *
 * - `open` (the default, `--auth open`): any bearer token, or none, acts as Owner in the
 *   default tenant, so the quick start needs no setup.
 * - `strict` (`--auth strict`): a token signed by this server's token endpoint is required;
 *   missing, unsigned, foreign, expired and wrong-audience tokens get ARM's 401s with a
 *   `WWW-Authenticate` challenge naming the authority of the subscription's tenant. The
 *   token's tenant is compared with the subscription's later, in src/arm (tenant isolation).
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Caller } from "../arm/authz.js";
import type { ArmDeps } from "../arm/context.js";
import { authorityUrl } from "../arm/providers/authorization/authority.js";
import { subscriptionKey, type SubscriptionBody } from "../arm/tenancy.js";
import type { Identity } from "../identity/identity.js";

export interface Principal {
  /** `open` = open mode (whatever was sent); otherwise the validated token's principal. */
  kind: "open" | "servicePrincipal" | "user";
  /** The raw bearer token, when one was sent. */
  token?: string;
  /** What src/arm sees as `ArmRequest.caller`. */
  caller: Caller;
}

/** Where the request goes: the base URL the client used and the raw path (for the tenant of the subscription in it). */
export interface AuthTarget {
  baseUrl: string;
  path: string;
}

export interface Authenticator {
  readonly mode: "open" | "strict";
  authenticate(headers: IncomingHttpHeaders, target?: AuthTarget): Promise<Principal>;
}

function bearerOf(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  const m = typeof h === "string" ? /^Bearer\s+(.+)$/i.exec(h.trim()) : null;
  return m ? m[1]!.trim() : undefined;
}

export const openAuthenticator: Authenticator = {
  mode: "open",
  async authenticate(headers) {
    const token = bearerOf(headers);
    return token !== undefined
      ? { kind: "open", token, caller: { kind: "open" } }
      : { kind: "open", caller: { kind: "open" } };
  },
};

/** Strict mode over an Identity (signing key, clock, accepted audiences). */
export function strictAuthenticator(identity: Identity, arm: ArmDeps): Authenticator {
  return {
    mode: "strict",
    async authenticate(headers, target) {
      const baseUrl = target?.baseUrl ?? "https://localhost";
      // ARM's challenge names the authority of the subscription's tenant when the URL has one.
      let authorizationUri = `${baseUrl}/`;
      const sub = target ? /^\/+subscriptions\/([^/?]+)/i.exec(target.path)?.[1] : undefined;
      if (sub !== undefined) {
        let decoded = sub;
        try {
          decoded = decodeURIComponent(sub);
        } catch {
          // keep the raw segment
        }
        const body = (await arm.store.get(subscriptionKey(decoded)))?.body as SubscriptionBody | undefined;
        if (body) authorizationUri = authorityUrl(baseUrl, body.tenantId);
      }
      const header = typeof headers.authorization === "string" ? headers.authorization.trim() : "";
      const token = header === "" ? undefined : (bearerOf(headers) ?? "");
      const caller = await identity.validate(token, baseUrl, authorizationUri);
      return {
        kind: caller.kind === "user" ? "user" : "servicePrincipal",
        ...(token ? { token } : {}),
        caller,
      };
    },
  };
}
