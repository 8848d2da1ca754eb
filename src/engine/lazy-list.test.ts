import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { lazyList } from "./lazy-list.js";
import { Snapshot } from "./snapshot.js";
import { evaluate } from "./evaluate.js";
import { quickstartResources } from "../demo/quickstart.js";
import { defaultServiceTagCatalog } from "../model/catalog/synthetic-service-tags.js";

describe("lazy lists (the trace of a decision)", () => {
  it("build their elements once, in order, on first access, and read like plain arrays", () => {
    let built = 0;
    const list = lazyList<{ n: number }>([() => (built++, { n: 1 }), () => (built++, [{ n: 2 }, { n: 3 }])]);
    expect(built).toBe(0);
    expect(Array.isArray(list)).toBe(true);
    expect(list.length).toBe(3);
    expect(built).toBe(2);
    expect(list[1]).toEqual({ n: 2 });
    expect(list.map((x) => x.n)).toEqual([1, 2, 3]);
    expect([...list]).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(list).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(Object.keys(list)).toEqual(["0", "1", "2"]);
    expect(JSON.stringify(list)).toBe('[{"n":1},{"n":2},{"n":3}]');
    expect(inspect(lazyList([() => ({ n: 7 })]))).toBe("[ { n: 7 } ]");
    list.push({ n: 4 });
    expect(list.length).toBe(4);
    expect(built).toBe(2);
  });

  it("SE-DIAG-3: a decision's steps and blockers are plain to every reader (keys, spread, JSON, toEqual)", () => {
    const snap = new Snapshot(quickstartResources(), { serviceTags: defaultServiceTagCatalog() });
    const vm = [...snap.vms.values()].find((v) => v.id.endsWith("testvm1"))!;
    const account = [...snap.services.values()][0]!;
    const d = evaluate(snap, {
      source: { kind: "vm", vmId: vm.id },
      destination: { kind: "resource", resourceId: account.id },
    });
    expect(d.decision).toBe("Denied");
    expect(Object.keys(d)).toContain("steps");
    expect(Object.keys(d)).toContain("blockers");
    const copy = JSON.parse(JSON.stringify(d)) as typeof d;
    expect({ ...d }).toEqual(copy);
    expect(d.steps).toEqual(copy.steps);
    expect(typeof d.blockers[0]!.fix).toBe("string");
    expect(d.steps.every((s) => typeof s.detail === "string" && Object.keys(s).includes("detail"))).toBe(
      true,
    );
  });
});
