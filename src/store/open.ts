/**
 * Opens the store a `--store` URL names: SQLite (one process) or PostgreSQL (several
 * instances sharing one estate, docs/scale.md). Callers get the port only.
 */
import { openPostgresStore } from "./postgres/postgres-store.js";
import { openSqliteStore } from "./sqlite/sqlite-store.js";
import type { ResourceStore } from "./store.js";

export type StoreLocation = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

export interface OpenStoreOptions {
  /** PostgreSQL: this instance's id in the change feed. */
  writer?: string;
  /** PostgreSQL: pool size. */
  maxConnections?: number;
}

export async function openStore(
  at: StoreLocation,
  opts: OpenStoreOptions = {},
): Promise<{ store: ResourceStore; migrated: string[] }> {
  if (at.kind === "sqlite") return openSqliteStore({ filename: at.file });
  return openPostgresStore({
    url: at.url,
    ...(opts.writer !== undefined ? { writer: opts.writer } : {}),
    ...(opts.maxConnections !== undefined ? { maxConnections: opts.maxConnections } : {}),
  });
}
