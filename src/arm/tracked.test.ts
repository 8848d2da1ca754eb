import { describe, expect, it } from "vitest";
import { mergePatch } from "./tracked.js";

describe("mergePatch (RFC 7386, used for VM and availability-set PATCH)", () => {
  it("merges objects recursively, replaces arrays and scalars, deletes on null", () => {
    const target = { a: 1, b: { c: 2, d: [1, 2] }, e: "x" };
    expect(mergePatch(target, { b: { d: [3] }, e: null, f: true })).toEqual({
      a: 1,
      b: { c: 2, d: [3] },
      f: true,
    });
    expect(target).toEqual({ a: 1, b: { c: 2, d: [1, 2] }, e: "x" });
  });
});
