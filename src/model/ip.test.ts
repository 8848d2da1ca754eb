import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  addressAt,
  allocateAddress,
  formatAddress,
  formatPrefix,
  isPrivateV4,
  isPublicAddress,
  isReservedInSubnet,
  parseAddress,
  parsePrefixDetailed,
  parsePrefixStrict,
  prefixContainsAddress,
  prefixContainsPrefix,
  prefixesOverlap,
  rangeToPrefixesV4,
  tryParseAddress,
  tryParsePrefix,
  usableAddressCount,
  addressKey,
} from "./ip.js";
import { ArmError } from "./errors.js";

describe("IP addresses and prefixes", () => {
  it("parses and formats IPv4 and IPv6", () => {
    expect(formatAddress(parseAddress("10.0.1.4"))).toBe("10.0.1.4");
    expect(formatAddress(parseAddress("2001:DB8::1"))).toBe("2001:db8::1");
    expect(tryParseAddress("10.0.1")).toBeUndefined();
    expect(tryParseAddress("10.0.1.256")).toBeUndefined();
    expect(tryParseAddress("010.0.1.1")).toBeUndefined();
    expect(formatPrefix(tryParsePrefix("10.0.0.0/16")!)).toBe("10.0.0.0/16");
    expect(formatPrefix(tryParsePrefix("2001:db8::/32")!)).toBe("2001:db8::/32");
    expect(formatPrefix(tryParsePrefix("1.2.3.4")!)).toBe("1.2.3.4/32");
  });

  it("refuses host bits with Azure's InvalidCIDRNotation naming the normalised prefix", () => {
    try {
      parsePrefixStrict(
        "10.0.1.5/24",
        "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v",
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ArmError);
      expect((e as ArmError).code).toBe("InvalidCIDRNotation");
      expect((e as ArmError).message).toContain("should be 10.0.1.0/24");
    }
    expect(() => parsePrefixStrict("10.0.1.0/33", "x")).toThrow(/invalid/);
    try {
      parsePrefixStrict("banana", "x");
    } catch (e) {
      expect((e as ArmError).code).toBe("InvalidAddressPrefixFormat");
    }
    expect(parsePrefixDetailed("2001:db8::1/64")).toMatchObject({ ok: false, reason: "hostBits" });
  });

  it("contains and overlaps", () => {
    const p16 = tryParsePrefix("10.0.0.0/16")!;
    const p24 = tryParsePrefix("10.0.1.0/24")!;
    const other = tryParsePrefix("10.1.0.0/16")!;
    expect(prefixContainsPrefix(p16, p24)).toBe(true);
    expect(prefixContainsPrefix(p24, p16)).toBe(false);
    expect(prefixesOverlap(p16, p24)).toBe(true);
    expect(prefixesOverlap(p16, other)).toBe(false);
    expect(prefixContainsAddress(p24, parseAddress("10.0.1.200"))).toBe(true);
    expect(prefixContainsAddress(p24, parseAddress("2001:db8::1"))).toBe(false);
    expect(prefixContainsAddress(tryParsePrefix("0.0.0.0/0")!, parseAddress("255.255.255.255"))).toBe(true);
  });

  it("knows private and public space", () => {
    expect(isPrivateV4(tryParsePrefix("10.0.1.0/24")!)).toBe(true);
    expect(isPrivateV4(tryParsePrefix("172.20.0.0/16")!)).toBe(true);
    expect(isPrivateV4(tryParsePrefix("52.0.0.0/8")!)).toBe(false);
    expect(isPublicAddress(parseAddress("52.1.1.1"))).toBe(true);
    expect(isPublicAddress(parseAddress("100.64.1.1"))).toBe(false);
    expect(isPublicAddress(parseAddress("2001:db8::1"))).toBe(true);
  });

  it("reserves five addresses per subnet and allocates the lowest free one", () => {
    const s = tryParsePrefix("10.0.1.0/29")!;
    expect(usableAddressCount(s)).toBe(3);
    for (const o of [0, 1, 2, 3, 7]) expect(isReservedInSubnet(s, addressAt(s, o))).toBe(true);
    for (const o of [4, 5, 6]) expect(isReservedInSubnet(s, addressAt(s, o))).toBe(false);
    const used = new Set<string>();
    const got: string[] = [];
    for (let i = 0; i < 4; i++) {
      const a = allocateAddress(s, used);
      if (!a) break;
      used.add(addressKey(a));
      got.push(formatAddress(a));
    }
    expect(got).toEqual(["10.0.1.4", "10.0.1.5", "10.0.1.6"]);
  });

  it("covers a range with the fewest prefixes (property: exact cover)", () => {
    expect(
      rangeToPrefixesV4(
        parseAddress("10.0.0.0").value as number,
        parseAddress("10.0.0.255").value as number,
      ).map(formatPrefix),
    ).toEqual(["10.0.0.0/24"]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const ps = rangeToPrefixesV4(lo, hi);
        let total = 0;
        let next = lo;
        for (const p of ps) {
          expect(p.base).toBe(next);
          total += 2 ** (32 - p.length);
          next = p.base + 2 ** (32 - p.length);
        }
        expect(total).toBe(hi - lo + 1);
      }),
      { numRuns: 300 },
    );
  });

  it("parses strict dotted quads only (no leading zeros, octets ≤ 255), trimming surrounding space", () => {
    expect(tryParseAddress("1.2.3.4")).toEqual({ family: 4, value: 0x01020304 });
    expect(tryParseAddress("255.255.255.255")).toEqual({ family: 4, value: 0xffffffff });
    expect(tryParseAddress("0.0.0.0")).toEqual({ family: 4, value: 0 });
    expect(tryParseAddress(" 10.0.1.4 ")).toEqual({ family: 4, value: 0x0a000104 });
    for (const bad of [
      "01.2.3.4",
      "1.2.3.04",
      "256.1.1.1",
      "1.2.3",
      "1.2.3.4.5",
      "1..2.3",
      "1.2.3.",
      "a.b.c.d",
      "1.2.3.4/32",
      "1.2.3.1000",
    ]) {
      expect(tryParseAddress(bad), bad).toBeUndefined();
    }
  });
});
