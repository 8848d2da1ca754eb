import { describe, expect, it } from "vitest";
import { RequestLog, type LogEntry } from "./request-log.js";

const entry = (resourceId: string, n: number): Omit<LogEntry, "seq"> => ({
  time: new Date(n * 1000).toISOString(),
  resourceId,
  operation: "request",
  source: `internet:1.2.3.${n % 250}`,
  sourceAddress: `1.2.3.${n % 250}`,
  viaServiceEndpoint: false,
  decision: "Allowed",
});

describe("RequestLog (SE-DIAG-1)", () => {
  it("answers a resource's entries newest first, matching ids case-insensitively", () => {
    const log = new RequestLog();
    for (let i = 1; i <= 3; i++)
      log.add(entry("/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/A", i));
    log.add(entry("/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/b", 9));
    const a = log.forResource(
      "/SUBSCRIPTIONS/s/resourcegroups/g/providers/microsoft.storage/storageaccounts/a",
    );
    expect(a.map((e) => e.time)).toEqual([3, 2, 1].map((n) => new Date(n * 1000).toISOString()));
    expect(a[0]!.seq).toBeGreaterThan(a[1]!.seq);
    expect(
      log.forResource("/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/A", 2),
    ).toHaveLength(2);
    expect(log.all().map((e) => e.seq)).toEqual([4, 3, 2, 1]);
    expect(log.all(1)[0]!.resourceId).toMatch(/\/b$/);
  });

  it("is bounded per resource (a ring keeps the newest) and in the number of resources (least recently written forgotten)", () => {
    const log = new RequestLog({ perResource: 3, resources: 2 });
    for (let i = 1; i <= 7; i++) log.add(entry("/r/a", i));
    expect(log.forResource("/r/a").map((e) => e.time)).toEqual(
      [7, 6, 5].map((n) => new Date(n * 1000).toISOString()),
    );
    log.add(entry("/r/b", 1));
    log.add(entry("/r/a", 8));
    log.add(entry("/r/c", 1));
    expect(log.resourceCount).toBe(2);
    expect(log.forResource("/r/b")).toEqual([]);
    expect(log.forResource("/r/a")).toHaveLength(3);
    expect(log.forResource("/r/c")).toHaveLength(1);
    expect(() => new RequestLog({ perResource: 0 })).toThrow(RangeError);
  });
});
