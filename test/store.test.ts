/** Runs the store conformance suite against every adapter available here (SQLite always). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openPostgresStore } from "../src/store/postgres/postgres-store.js";
import { postgresUnavailable, startTestPostgres, type TestPostgres } from "./support/postgres.js";
import { openSqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { runStoreCases } from "./store.case.js";

const dir = mkdtempSync(join(tmpdir(), "lazurite-store-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStoreCases({
  name: "sqlite (memory)",
  newStore: async () => (await openSqliteStore({ filename: ":memory:" })).store,
});
runStoreCases({
  name: "sqlite (file, WAL)",
  newStore: async () => (await openSqliteStore({ filename: join(dir, `s${n++}.db`) })).store,
});

describe("sqlite migrations", () => {
  it("apply once and are not re-applied when the database is reopened", async () => {
    const file = join(dir, "migrate.db");
    const first = await openSqliteStore({ filename: file });
    expect(first.migrated).toEqual(["001-resources", "002-changes"]);
    await first.store.put({ key: "/k", id: "/K", type: "t", etag: "e", body: { a: 1 } });
    await first.store.close();
    const second = await openSqliteStore({ filename: file });
    expect(second.migrated).toEqual([]);
    expect((await second.store.get("/k"))?.body).toEqual({ a: 1 });
    await second.store.close();
  });
});

// PostgreSQL: a throwaway server this file starts (test/support/postgres.ts).
const pgMissing = postgresUnavailable();
if (pgMissing) {
  describe("postgres store", () => {
    it.skip(`skipped: ${pgMissing}`, () => undefined);
  });
} else {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(() => server?.stop());
  runStoreCases({
    name: "postgres",
    newStore: async () => (await openPostgresStore({ url: await server!.newDatabase() })).store,
  });

  describe("postgres migrations and change feed", () => {
    it("instances starting at once apply each migration exactly once", async () => {
      const url = await server!.newDatabase();
      const opened = await Promise.all([1, 2, 3].map(() => openPostgresStore({ url })));
      const applied = opened.flatMap((o) => o.migrated);
      expect(applied.sort()).toEqual(["001-resources", "002-changes"]);
      await Promise.all(opened.map((o) => o.store.close()));
    });

    it("every write appends one change in commit order, a rolled-back one none, and wakes the other instance", async () => {
      const url = await server!.newDatabase();
      const a = (await openPostgresStore({ url, writer: "A" })).store;
      const b = (await openPostgresStore({ url, writer: "B" })).store;
      let woke = 0;
      b.feed!.onWake(() => woke++);
      const base = woke;
      await a.put({ key: "/x/1", id: "/X/1", type: "t", etag: "e1", body: {} });
      await a.put({ key: "/x/2", id: "/X/2", type: "t", etag: "e1", body: {} });
      await expect(
        a.transaction(async (tx) => {
          await tx.put({ key: "/x/3", id: "/X/3", type: "t", etag: "e1", body: {} });
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      await b.delete("/x/1");
      const changes = await b.feed!.since(0);
      expect(changes.map((c) => [c.revision, c.key, c.deleted, c.writer])).toEqual([
        [1, "/x/1", false, "A"],
        [2, "/x/2", false, "A"],
        [3, "/x/1", true, "B"],
      ]);
      expect(await a.feed!.head()).toBe(3);
      expect((await a.feed!.since(2)).map((c) => c.revision)).toEqual([3]);
      await vi.waitFor(() => expect(woke).toBeGreaterThan(base), { timeout: 10_000 });
      await a.close();
      await b.close();
    });

    it("a server that goes away gives 503 ServiceUnavailable, and the store recovers when it returns", async () => {
      const url = await server!.newDatabase();
      const s = (await openPostgresStore({ url, connectTimeoutMs: 1000 })).store;
      await s.put({ key: "/r/1", id: "/R/1", type: "t", etag: "e1", body: { v: 1 } });
      server!.stopServer();
      try {
        await expect(s.get("/r/1")).rejects.toMatchObject({ status: 503, code: "ServiceUnavailable" });
        await expect(
          s.put({ key: "/r/2", id: "/R/2", type: "t", etag: "e1", body: {} }),
        ).rejects.toMatchObject({ status: 503 });
      } finally {
        server!.start();
      }
      await vi.waitFor(async () => expect((await s.get("/r/1"))?.body).toEqual({ v: 1 }), {
        timeout: 20_000,
        interval: 200,
      });
      expect(await s.get("/r/2")).toBeUndefined();
      await s.close();
    });
  });
}
