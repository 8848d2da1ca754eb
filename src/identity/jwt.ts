/**
 * Compact JWS (RFC 7515) with RS256 only, on node:crypto: what Lazurite's token endpoint
 * signs and what strict mode verifies. No JWT library: the format is three base64url parts.
 */
import { sign, verify, type KeyObject } from "node:crypto";

export type JsonObject = Record<string, unknown>;

export function b64urlJson(v: unknown): string {
  return Buffer.from(JSON.stringify(v), "utf8").toString("base64url");
}

export interface DecodedJwt {
  header: JsonObject;
  payload: JsonObject;
  /** `base64url(header).base64url(payload)`, the signed bytes. */
  signingInput: string;
  signature: Buffer;
}

function parseJsonPart(part: string): JsonObject | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined;
  try {
    const v = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

/** Splits and parses a compact JWT without checking anything; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const header = parseJsonPart(parts[0]!);
  const payload = parseJsonPart(parts[1]!);
  if (!header || !payload || !/^[A-Za-z0-9_-]*$/.test(parts[2]!)) return undefined;
  return {
    header,
    payload,
    signingInput: `${parts[0]}.${parts[1]}`,
    signature: Buffer.from(parts[2]!, "base64url"),
  };
}

export function signRs256(header: JsonObject, payload: JsonObject, privateKey: KeyObject): string {
  const input = `${b64urlJson({ ...header, alg: "RS256" })}.${b64urlJson(payload)}`;
  return `${input}.${sign("sha256", Buffer.from(input, "utf8"), privateKey).toString("base64url")}`;
}

export function verifyRs256(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  if (jwt.header.alg !== "RS256" || jwt.signature.length === 0) return false;
  try {
    return verify("sha256", Buffer.from(jwt.signingInput, "utf8"), publicKey, jwt.signature);
  } catch {
    return false;
  }
}
