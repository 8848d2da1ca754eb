/**
 * The bootstrap admin key of a strict-mode server (docs/identity.md): generated on the first
 * strict start into `DATA_DIR/admin-key` (file mode 0600, directory untouched otherwise), printed
 * once when generated, and read again from the file on later starts. It is the credential of the
 * `/_emulator` admin API (`Authorization: Bearer <key>` or `x-lazurite-admin-key: <key>`).
 */
import { randomBytes, timingSafeEqual, createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const ADMIN_KEY_FILE = "admin-key";
/** The dedicated header for the admin key (lets a client send an ARM token in `Authorization` too). */
export const ADMIN_KEY_HEADER = "x-lazurite-admin-key";
const PREFIX = "lzadm_";

export interface AdminKey {
  key: string;
  file: string;
  /** True when this start created it (the only time it is printed). */
  generated: boolean;
}

export function newAdminKey(): string {
  return PREFIX + randomBytes(32).toString("base64url");
}

/** The data dir's admin key, created (mode 0600) when absent. */
export function ensureAdminKey(dataDir: string): AdminKey {
  const file = join(dataDir, ADMIN_KEY_FILE);
  if (existsSync(file)) {
    const key = readFileSync(file, "utf8").trim();
    if (key.length >= 16) {
      chmodSync(file, 0o600);
      return { key, file, generated: false };
    }
  }
  mkdirSync(dataDir, { recursive: true });
  const key = newAdminKey();
  writeFileSync(file, key + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
  return { key, file, generated: true };
}

/** Reads a data dir's admin key without creating one (the CLI on the same machine). */
export function readAdminKey(dataDir: string): string | undefined {
  try {
    const key = readFileSync(join(dataDir, ADMIN_KEY_FILE), "utf8").trim();
    return key.length > 0 ? key : undefined;
  } catch {
    return undefined;
  }
}

/** Constant-time comparison of a presented key with the server's. */
export function adminKeyMatches(given: string, key: string): boolean {
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(key, "utf8").digest();
  return timingSafeEqual(a, b);
}
