/** Runs the store conformance suite against every adapter available here (SQLite always). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
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
    expect(first.migrated).toEqual(["001-resources"]);
    await first.store.put({ key: "/k", id: "/K", type: "t", etag: "e", body: { a: 1 } });
    await first.store.close();
    const second = await openSqliteStore({ filename: file });
    expect(second.migrated).toEqual([]);
    expect((await second.store.get("/k"))?.body).toEqual({ a: 1 });
    await second.store.close();
  });
});
