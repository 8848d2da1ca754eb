/**
 * 002: the change feed (docs/scale.md). One row per document write, numbered by `revision`
 * in commit order (writers hold the store's write lock while they take the next number), so
 * another instance catches up with `revision > last seen`. Only the PostgreSQL adapter writes
 * it; on SQLite it stays empty. `events` is the shared, ordered event stream of
 * `/_emulator/events` (numbered the same way).
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("changes")
    .addColumn("revision", "bigint", (c) => c.primaryKey())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("deleted", "integer", (c) => c.notNull())
    .addColumn("writer", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("events")
    .addColumn("id", "bigint", (c) => c.primaryKey())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("time", "text", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull())
    .execute();
}
