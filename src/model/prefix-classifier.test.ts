import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { PrefixClassifier } from "./prefix-classifier.js";
import { PrefixSet } from "./prefix-trie.js";
import type { Prefix } from "./ip.js";

const prefix4 = fc
  .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
  .map(([v, len]): Prefix => {
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    return { family: 4, base: (v & mask) >>> 0, length: len };
  });

describe("PrefixClassifier", () => {
  it("answers every list's membership as that list's own PrefixSet does", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(prefix4, { maxLength: 8 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 30 }),
        (lists, values) => {
          const c = new PrefixClassifier(lists);
          const sets = lists.map((l) => new PrefixSet(l));
          for (const v of values) {
            const row = c.row(v);
            lists.forEach((_, i) => {
              expect(c.has(row, i)).toBe(sets[i]!.has({ family: 4, value: v }));
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("classifies segment boundaries exactly (first and last address of each prefix, and their neighbours)", () => {
    const lists: Prefix[][] = [
      [{ family: 4, base: 0x0a000000, length: 8 }],
      [{ family: 4, base: 0x0a010000, length: 16 }],
      [{ family: 4, base: 0xffffff00, length: 24 }],
      [{ family: 4, base: 0, length: 0 }],
    ];
    const c = new PrefixClassifier(lists);
    const at = (v: number) => lists.map((_, i) => c.has(c.row(v), i));
    expect(at(0x09ffffff)).toEqual([false, false, false, true]);
    expect(at(0x0a000000)).toEqual([true, false, false, true]);
    expect(at(0x0a010000)).toEqual([true, true, false, true]);
    expect(at(0x0a01ffff)).toEqual([true, true, false, true]);
    expect(at(0x0a020000)).toEqual([true, false, false, true]);
    expect(at(0x0affffff)).toEqual([true, false, false, true]);
    expect(at(0x0b000000)).toEqual([false, false, false, true]);
    expect(at(0xfffffeff)).toEqual([false, false, false, true]);
    expect(at(0xffffff00)).toEqual([false, false, true, true]);
    expect(at(0xffffffff)).toEqual([false, false, true, true]);
  });
});
