import { describe, expect, it } from "vitest";
import { jsonTextDepth, parseStoredJson, pruneDeep, MAX_STORED_DEPTH } from "./json-depth.js";

describe("json-depth", () => {
  it("counts containers, skips strings and escapes, stops early", () => {
    expect(jsonTextDepth("1")).toBe(0);
    expect(jsonTextDepth("[]")).toBe(1);
    expect(jsonTextDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(jsonTextDepth('{"a":"[[[[\\"[[["}')).toBe(1);
    expect(jsonTextDepth("[".repeat(1_000_000), 128)).toBe(129);
  });

  it("prunes containers beyond the limit to null, iteratively, and keeps shallow values", () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = [v];
    const pruned = pruneDeep(v, 3) as unknown[][];
    expect(JSON.stringify(pruned)).toBe("[[[null]]]");
    expect(pruneDeep({ a: [1, { b: 2 }] }, 3)).toEqual({ a: [1, { b: 2 }] });
    const text = "[".repeat(MAX_STORED_DEPTH + 5) + "]".repeat(MAX_STORED_DEPTH + 5);
    expect(jsonTextDepth(JSON.stringify(parseStoredJson(text)))).toBe(MAX_STORED_DEPTH);
    expect(parseStoredJson('{"x":[1]}')).toEqual({ x: [1] });
  });
});
