/**
 * `lazurite migrate-store FROM TO`: copies every document of one store into another, e.g. a
 * SQLite data dir into a PostgreSQL database before several instances share it (docs/scale.md).
 * Both are store URLs as `serve --store` takes them. The target must be empty (a fresh
 * database); the copy runs in one transaction of the target, so it lands whole or not at all.
 * Stop the servers on FROM first: writes made during the copy are not carried over.
 */
import type { Command } from "commander";
import { ConfigError, parseStoreUrl, redactStoreUrl } from "../config/config.js";
import { openStore } from "../store/open.js";
import type { ResourceStore } from "../store/store.js";
import { InputError } from "./load.js";

const PAGE = 1000;

/** Copies every document of `from` into the empty `to`; returns how many. */
export async function copyStore(from: ResourceStore, to: ResourceStore): Promise<number> {
  if ((await to.list({ limit: 1 })).items.length > 0)
    throw new InputError(
      "the target store is not empty; migrate into a fresh database (or an unused sqlite file)",
    );
  return to.transaction(async (tx) => {
    let n = 0;
    let after: string | undefined;
    for (;;) {
      const page = await from.list({ limit: PAGE, ...(after !== undefined ? { after } : {}) });
      for (const d of page.items) {
        await tx.put(d);
        n++;
      }
      if (!page.next) return n;
      after = page.next;
    }
  });
}

async function open(what: string, url: string): Promise<ResourceStore> {
  let spec;
  try {
    spec = parseStoreUrl(url);
  } catch (e) {
    throw new InputError(`${what}: ${(e as ConfigError).message.replace(/^--store: /, "")}`);
  }
  try {
    return (await openStore(spec)).store;
  } catch (e) {
    throw new InputError(`${what} ${redactStoreUrl(url)}: cannot open the store (${(e as Error).message})`);
  }
}

export function registerMigrateStore(program: Command, out: (s: string) => void): void {
  program
    .command("migrate-store")
    .description(
      "Copy every resource, operation, identity record and key of one store into another, empty one (e.g. sqlite:.lazurite/lazurite.db to postgres://…); stop the servers on FROM first (docs/scale.md).",
    )
    .argument("<from>", "source store URL: sqlite:PATH or postgres://user:password@host:5432/db")
    .argument("<to>", "target store URL (must be empty)")
    .action(async (fromUrl: string, toUrl: string) => {
      const from = await open("FROM", fromUrl);
      try {
        const to = await open("TO", toUrl);
        try {
          const n = await copyStore(from, to);
          out(
            `lazurite: copied ${n} documents from ${redactStoreUrl(fromUrl)} to ${redactStoreUrl(toUrl)}\n`,
          );
        } finally {
          await to.close();
        }
      } finally {
        await from.close();
      }
    });
}
