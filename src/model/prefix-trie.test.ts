import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { PrefixSet, PrefixTrie } from "./prefix-trie.js";
import { parseAddress, prefixContainsAddress, tryParsePrefix, type Prefix } from "./ip.js";

const p = (s: string) => tryParsePrefix(s)!;

describe("prefix trie", () => {
  it("finds the longest matching prefix", () => {
    const t = new PrefixTrie<string>();
    t.set(p("0.0.0.0/0"), "default");
    t.set(p("10.0.0.0/8"), "ten");
    t.set(p("10.0.1.0/24"), "subnet");
    t.set(p("2001:db8::/32"), "v6");
    expect(t.longestMatch(parseAddress("10.0.1.9"))).toBe("subnet");
    expect(t.longestMatch(parseAddress("10.9.1.9"))).toBe("ten");
    expect(t.longestMatch(parseAddress("8.8.8.8"))).toBe("default");
    expect(t.longestMatch(parseAddress("2001:db8::5"))).toBe("v6");
    expect(t.longestMatch(parseAddress("2001:db9::5"))).toBeUndefined();
    expect(t.matches(parseAddress("10.0.1.9")).map((m) => m.value)).toEqual(["default", "ten", "subnet"]);
    expect(t.longestMatchEntry(parseAddress("10.0.1.9"))).toEqual({ length: 24, value: "subnet" });
    expect(t.get(p("10.0.0.0/8"))).toBe("ten");
    expect(t.size).toBe(4);
  });

  const v4prefix = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([v, len]): Prefix => ({
    family: 4,
    base: len === 0 ? 0 : ((v >>> 0) & ((0xffffffff << (32 - len)) >>> 0)) >>> 0,
    length: len,
  }));

  it("agrees with a linear scan on random prefix sets (property)", () => {
    fc.assert(
      fc.property(fc.array(v4prefix, { maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 20 }), (prefixes, addrs) => {
        const t = new PrefixTrie<number>();
        prefixes.forEach((q, i) => t.set(q, i));
        const set = new PrefixSet(prefixes);
        for (const v of addrs) {
          const a = { family: 4 as const, value: v >>> 0 };
          let best: { len: number; idx: number } | undefined;
          prefixes.forEach((q, i) => {
            if (!prefixContainsAddress(q, a)) return;
            // later duplicates replace earlier ones, as in the trie
            if (!best || q.length > best.len || (q.length === best.len)) best = { len: q.length, idx: i };
          });
          const got = t.longestMatch(a);
          if (!best) expect(got).toBeUndefined();
          else expect(prefixes[got!]!.length).toBe(best.len);
          expect(set.has(a)).toBe(best !== undefined);
        }
      }),
      { numRuns: 500 },
    );
  });
});
