/**
 * 001: the resource document table. Dialect-agnostic (Kysely schema builder only), so the
 * SQLite and PostgreSQL adapters share it.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("resources")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("subscription_id", "text")
    .addColumn("resource_group", "text")
    .addColumn("parent", "text")
    .addColumn("etag", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("resources_by_scope")
    .on("resources")
    .columns(["type", "subscription_id", "resource_group", "key"])
    .execute();
  await db.schema.createIndex("resources_by_parent").on("resources").columns(["parent", "key"]).execute();
  await db.schema
    .createIndex("resources_by_subscription")
    .on("resources")
    .columns(["subscription_id", "key"])
    .execute();
}
