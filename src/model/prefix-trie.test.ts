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

  const v4prefix = fc
    .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
    .map(([v, len]): Prefix => ({
      family: 4,
      base: len === 0 ? 0 : ((v >>> 0) & ((0xffffffff << (32 - len)) >>> 0)) >>> 0,
      length: len,
    }));

  it("agrees with a linear scan on random prefix sets (property)", () => {
    fc.assert(
      fc.property(
        fc.array(v4prefix, { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 20 }),
        (prefixes, addrs) => {
          const t = new PrefixTrie<number>();
          prefixes.forEach((q, i) => t.set(q, i));
          const set = new PrefixSet(prefixes);
          for (const v of addrs) {
            const a = { family: 4 as const, value: v >>> 0 };
            let best: { len: number; idx: number } | undefined;
            prefixes.forEach((q, i) => {
              if (!prefixContainsAddress(q, a)) return;
              // later duplicates replace earlier ones, as in the trie
              if (!best || q.length > best.len || q.length === best.len) best = { len: q.length, idx: i };
            });
            const got = t.longestMatch(a);
            if (!best) expect(got).toBeUndefined();
            else expect(prefixes[got!]!.length).toBe(best.len);
            expect(set.has(a)).toBe(best !== undefined);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  const longPrefix = fc
    .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 12, max: 32 }))
    .map(([v, len]): Prefix => ({
      family: 4,
      base: ((v >>> 0) & ((0xffffffff << (32 - len)) >>> 0)) >>> 0,
      length: len,
    }));

  it("large sets (indexed intervals) agree with a linear scan, IPv6 members included (property)", () => {
    fc.assert(
      fc.property(
        fc.array(longPrefix, { minLength: 300, maxLength: 1500 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 50, maxLength: 200 }),
        (prefixes, addrs) => {
          const set = new PrefixSet();
          for (const q of prefixes) set.add(q);
          set.add(p("2001:db8::/32"));

          // Probe each prefix's edges too: first, last and the addresses just outside.
          const probes = [
            ...addrs,
            ...prefixes
              .slice(0, 50)
              .flatMap((q) => [
                q.base as number,
                (q.base as number) + 2 ** (32 - q.length) - 1,
                (q.base as number) - 1,
                (q.base as number) + 2 ** (32 - q.length),
              ]),
          ];
          for (const raw of probes) {
            if (raw < 0 || raw > 0xffffffff) continue;
            const a = { family: 4 as const, value: raw >>> 0 };
            expect(set.has(a)).toBe(prefixes.some((q) => prefixContainsAddress(q, a)));
          }
          expect(set.has(parseAddress("2001:db8::5"))).toBe(true);
          expect(set.has(parseAddress("2001:db9::5"))).toBe(false);
          expect(set.size).toBe(new Set(prefixes.map((q) => `${q.base}/${q.length}`)).size + 1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("indexes a large set and still answers exactly at interval edges", () => {
    // 1,000 disjoint /24s, every other one: 1,000 intervals (indexed), gaps between them.
    const prefixes: Prefix[] = Array.from({ length: 1000 }, (_, i) => ({
      family: 4 as const,
      base: (0x14000000 + i * 512) >>> 0,
      length: 24,
    }));
    const set = new PrefixSet(prefixes);
    expect(set.has({ family: 4, value: 0x14000000 })).toBe(true);
    expect((set as unknown as { block?: unknown }).block).toBeDefined();
    for (const q of prefixes.slice(0, 300)) {
      const b = q.base as number;
      expect(set.has({ family: 4, value: b })).toBe(true);
      expect(set.has({ family: 4, value: b + 255 })).toBe(true);
      expect(set.has({ family: 4, value: b + 256 })).toBe(false);
      expect(set.has({ family: 4, value: b - 1 })).toBe(false);
    }
    expect(set.has({ family: 4, value: 0x13ffffff })).toBe(false);
    expect(set.has({ family: 4, value: 0xffffffff })).toBe(false);
    expect(set.has({ family: 4, value: 0 })).toBe(false);
  });

  it("answers after members are added between queries", () => {
    const set = new PrefixSet([p("10.0.0.0/8")]);
    expect(set.has(parseAddress("10.1.2.3"))).toBe(true);
    expect(set.has(parseAddress("11.1.2.3"))).toBe(false);
    set.add(p("11.0.0.0/8"));
    expect(set.has(parseAddress("11.1.2.3"))).toBe(true);
    set.add(p("10.0.0.0/8"));
    expect(set.size).toBe(2);
  });
});
