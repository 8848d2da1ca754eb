/**
 * The store conformance suite (STYLE §6.9): every ResourceStore adapter must pass it.
 * Usage: `runStoreCases({ name: "sqlite", newStore: async () => ... })` inside a test file.
 * `skip` lists cases an adapter cannot pass, each with a reason (none today).
 */
import { afterEach, describe, expect, it } from "vitest";
import type { DocumentInput, ResourceStore } from "../src/store/store.js";

export interface StoreCaseOptions {
  name: string;
  newStore: () => Promise<ResourceStore>;
  skip?: Array<{ reason: string; tests: string[] }>;
}

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001";

function doc(key: string, extra: Partial<DocumentInput> = {}): DocumentInput {
  return {
    key: key.toLowerCase(),
    id: key,
    type: "microsoft.network/virtualnetworks",
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroup: "rg1",
    parent: null,
    etag: "e1",
    body: { name: key.split("/").pop(), properties: { n: 1 } },
    ...extra,
  };
}

export function runStoreCases(opts: StoreCaseOptions): void {
  const skipped = new Set((opts.skip ?? []).flatMap((s) => s.tests));
  const test = (name: string, fn: () => Promise<void>) =>
    skipped.has(name) ? it.skip(name, fn) : it(name, fn);

  describe(`ResourceStore conformance: ${opts.name}`, () => {
    let store: ResourceStore | undefined;
    const open = async () => (store = await opts.newStore());
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    test("put then get returns the document with its scope columns and body", async () => {
      const s = await open();
      const id = `${SUB}/resourceGroups/RG1/providers/Microsoft.Network/virtualNetworks/VNet1`;
      await s.put(doc(id, { body: { nested: { a: [1, "x", null, true] } } }));
      const got = await s.get(id.toLowerCase());
      expect(got).toEqual({
        key: id.toLowerCase(),
        id,
        type: "microsoft.network/virtualnetworks",
        subscriptionId: "00000000-0000-0000-0000-000000000001",
        resourceGroup: "rg1",
        parent: null,
        etag: "e1",
        body: { nested: { a: [1, "x", null, true] } },
      });
      expect(await s.get("/nope")).toBeUndefined();
    });

    test("put replaces a document and delete removes it", async () => {
      const s = await open();
      await s.put(doc("/a/1"));
      await s.put(doc("/a/1", { etag: "e2", body: { v: 2 } }));
      expect((await s.get("/a/1"))?.body).toEqual({ v: 2 });
      expect((await s.get("/a/1"))?.etag).toBe("e2");
      expect(await s.delete("/a/1")).toBe(true);
      expect(await s.delete("/a/1")).toBe(false);
      expect(await s.get("/a/1")).toBeUndefined();
    });

    test("expected etag: matching writes, mismatching throws PreconditionFailed, null means absent", async () => {
      const s = await open();
      await s.put(doc("/a/1"), { expectedEtag: null });
      await expect(s.put(doc("/a/1"), { expectedEtag: null })).rejects.toMatchObject({
        code: "PreconditionFailed",
        status: 412,
      });
      await expect(s.put(doc("/a/1", { etag: "e3" }), { expectedEtag: "wrong" })).rejects.toMatchObject({
        code: "PreconditionFailed",
      });
      await s.put(doc("/a/1", { etag: "e3" }), { expectedEtag: "e1" });
      expect((await s.get("/a/1"))?.etag).toBe("e3");
      await expect(s.delete("/a/1", { expectedEtag: "e1" })).rejects.toMatchObject({
        code: "PreconditionFailed",
      });
      expect(await s.delete("/a/1", { expectedEtag: "e3" })).toBe(true);
    });

    test("list filters by type, subscription, resource group and parent, ordered by key", async () => {
      const s = await open();
      await s.put(doc("/x/c", { resourceGroup: "rg2" }));
      await s.put(doc("/x/a"));
      await s.put(doc("/x/b", { type: "microsoft.network/networksecuritygroups" }));
      await s.put(doc("/x/d", { subscriptionId: "other" }));
      await s.put(doc("/x/e", { parent: "/x/a" }));
      const byType = await s.list({ type: "microsoft.network/virtualnetworks" });
      expect(byType.items.map((d) => d.key)).toEqual(["/x/a", "/x/c", "/x/d", "/x/e"]);
      expect(byType.next).toBeUndefined();
      const bySub = await s.list({ subscriptionId: "00000000-0000-0000-0000-000000000001" });
      expect(bySub.items.map((d) => d.key)).toEqual(["/x/a", "/x/b", "/x/c", "/x/e"]);
      const byRg = await s.list({
        subscriptionId: "00000000-0000-0000-0000-000000000001",
        resourceGroup: "rg1",
      });
      expect(byRg.items.map((d) => d.key)).toEqual(["/x/a", "/x/b", "/x/e"]);
      const byParent = await s.list({ parent: "/x/a" });
      expect(byParent.items.map((d) => d.key)).toEqual(["/x/e"]);
      await s.put(doc("/x/f", { parent: "/x/b" }));
      expect((await s.list({ parentIn: ["/x/a", "/x/b", "/x/zz"] })).items.map((d) => d.key)).toEqual([
        "/x/e",
        "/x/f",
      ]);
      expect((await s.list({ parentIn: [] })).items).toEqual([]);
    });

    test("list by key prefix treats LIKE wildcards literally", async () => {
      const s = await open();
      await s.put(doc("/p_q/1"));
      await s.put(doc("/pxq/2"));
      await s.put(doc("/p%q/3"));
      expect((await s.list({ keyPrefix: "/p_q/" })).items.map((d) => d.key)).toEqual(["/p_q/1"]);
      expect((await s.list({ keyPrefix: "/p%q/" })).items.map((d) => d.key)).toEqual(["/p%q/3"]);
    });

    test("list pages with limit and after until every document was seen once", async () => {
      const s = await open();
      for (let i = 0; i < 7; i++) await s.put(doc(`/k/${String(i).padStart(2, "0")}`));
      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await s.list({
          type: "microsoft.network/virtualnetworks",
          limit: 3,
          ...(after ? { after } : {}),
        });
        seen.push(...page.items.map((d) => d.key));
        pages++;
        if (!page.next) break;
        after = page.next;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(["/k/00", "/k/01", "/k/02", "/k/03", "/k/04", "/k/05", "/k/06"]);
    });

    test("a transaction commits all of its writes together", async () => {
      const s = await open();
      await s.transaction(async (tx) => {
        await tx.put(doc("/t/1"));
        await tx.put(doc("/t/2"));
        expect((await tx.get("/t/1"))?.key).toBe("/t/1");
      });
      expect((await s.list({ keyPrefix: "/t/" })).items).toHaveLength(2);
    });

    test("a transaction that throws rolls back every write", async () => {
      const s = await open();
      await s.put(doc("/t/0", { body: { v: "before" } }));
      await expect(
        s.transaction(async (tx) => {
          await tx.put(doc("/t/0", { body: { v: "after" } }));
          await tx.put(doc("/t/1"));
          await tx.delete("/t/0");
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect((await s.get("/t/0"))?.body).toEqual({ v: "before" });
      expect(await s.get("/t/1")).toBeUndefined();
    });

    test("concurrent transactions do not interleave (read-modify-write stays consistent)", async () => {
      const s = await open();
      await s.put(doc("/c/n", { body: { n: 0 } }));
      await Promise.all(
        Array.from({ length: 20 }, () =>
          s.transaction(async (tx) => {
            const cur = (await tx.get("/c/n"))!.body as { n: number };
            await new Promise((r) => setTimeout(r, 1));
            await tx.put(doc("/c/n", { body: { n: cur.n + 1 } }));
          }),
        ),
      );
      expect((await s.get("/c/n"))?.body).toEqual({ n: 20 });
    });

    test("nested transaction calls join the outer transaction", async () => {
      const s = await open();
      await expect(
        s.transaction(async (tx) => {
          await tx.transaction(async (inner) => inner.put(doc("/n/1")));
          throw new Error("outer fails");
        }),
      ).rejects.toThrow("outer fails");
      expect(await s.get("/n/1")).toBeUndefined();
    });

    test("bodies keep unicode and large documents intact", async () => {
      const s = await open();
      const big = { text: '가나다 ✓ \u0000 "quoted"', list: Array.from({ length: 5000 }, (_, i) => ({ i })) };
      await s.put(doc("/b/1", { body: big }));
      expect((await s.get("/b/1"))?.body).toEqual(big);
    });
  });
}
