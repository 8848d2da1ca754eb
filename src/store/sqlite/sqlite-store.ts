/**
 * The default adapter: SQLite through Kysely and better-sqlite3, in WAL mode with
 * `synchronous=FULL`, so a write whose promise resolved is on disk before the HTTP answer
 * goes out (it survives `kill -9` and power loss). One connection; Kysely's driver
 * serialises queries and transactions on it.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { KyselyStore, type StoreDatabase } from "../kysely-store.js";
import { migrateToLatest } from "../migrations/index.js";
import type { ResourceStore } from "../store.js";

export interface SqliteStoreOptions {
  /** Database file, or ":memory:". */
  filename: string;
}

export interface OpenedStore {
  store: ResourceStore;
  /** Migrations applied by this open (empty when the schema was current). */
  migrated: string[];
}

export async function openSqliteStore(opts: SqliteStoreOptions): Promise<OpenedStore> {
  if (opts.filename !== ":memory:") mkdirSync(dirname(opts.filename), { recursive: true });
  const database = new Database(opts.filename);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = FULL");
  database.pragma("busy_timeout = 5000");
  const db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database }) });
  try {
    const migrated = await migrateToLatest(db);
    return { store: new KyselyStore(db), migrated };
  } catch (e) {
    await db.destroy();
    throw e;
  }
}
