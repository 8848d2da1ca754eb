/**
 * Client secrets and passwords: generated like Azure AD's (40 characters), stored only as a
 * salted SHA-256 (`sha256$salt$hash`), compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export function newSecret(): string {
  return randomBytes(30).toString("base64url");
}

function digest(salt: string, secret: string): Buffer {
  return createHash("sha256").update(`${salt}:${secret}`, "utf8").digest();
}

export function hashSecret(secret: string): string {
  const salt = randomBytes(12).toString("base64url");
  return `sha256$${salt}$${digest(salt, secret).toString("base64url")}`;
}

export function verifySecret(secret: string, stored: string): boolean {
  const [alg, salt, hash] = stored.split("$");
  if (alg !== "sha256" || salt === undefined || hash === undefined) return false;
  const want = Buffer.from(hash, "base64url");
  const got = digest(salt, secret);
  return want.length === got.length && timingSafeEqual(want, got);
}
