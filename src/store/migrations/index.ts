/**
 * Forward-only, numbered migrations (STYLE §6.10), run at start by `migrateToLatest`.
 * Never edit a released migration: add the next number.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from "kysely";
import * as m001 from "./001-resources.js";
import * as m002 from "./002-changes.js";

export const MIGRATIONS: Record<string, Migration> = {
  "001-resources": m001,
  "002-changes": m002,
};

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

/** Applies every pending migration, in name order, under Kysely's migration lock. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
