/**
 * The authentication seam. Today's mode is `open`: any bearer token (or none) is accepted
 * and the caller acts in the default tenant, so the quick start needs no setup. The
 * identity issue adds a strict mode here (signed tokens, 401 in ARM's shape).
 */
import type { IncomingHttpHeaders } from "node:http";

export interface Principal {
  /** Where the principal came from: `open` = unauthenticated open mode. */
  kind: "open";
  /** The raw bearer token, when one was sent. */
  token?: string;
}

export interface Authenticator {
  authenticate(headers: IncomingHttpHeaders): Promise<Principal>;
}

export const openAuthenticator: Authenticator = {
  async authenticate(headers) {
    const h = headers.authorization;
    const m = typeof h === "string" ? /^Bearer\s+(.+)$/i.exec(h.trim()) : null;
    return m ? { kind: "open", token: m[1]! } : { kind: "open" };
  },
};
