import { describe, expect, it } from "vitest";
import { guid, sha1, uniqueString, utf8 } from "./hash.js";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

describe("uniqueString", () => {
  // Pairs published with a public re-implementation checked against Bicep's uniqueString()
  // (uniquestring.sh, "verified against Bicep uniqueString() output").
  it.each([
    [["test"], "rbgf3xv4ufgzg"],
    [["hello", "world"], "a7wkljktk6wne"],
    [["abc"], "cgtzqvhu4i23s"],
    [["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg"], "bmg7c6xu4tw46"],
    [["foo", "bar", "baz"], "xzi4ioaxtmth4"],
  ])("uniqueString(%j) is %s", (parts, expected) => {
    expect(uniqueString(...parts)).toBe(expected);
  });

  // Pairs from other public re-implementations' tests: AzureNaming.Utilities' TestArmFunctions, and a
  // test named "UniqueStringShouldEqualValueCreatedFromArmTemplate" whose expected value is an ARM output.
  it.each([
    [["tyeth"], "zcztcwvu6iyg6"],
    [
      ["/subscriptions/3c7f956b-55ee-4686-9d30-da1eb631dc59/resourceGroups/rg-devopsshieldek010dev"],
      "fd63l2gacbtca",
    ],
    [
      [
        "/subscriptions/31e9f9a0-9fd2-4294-a0a3-0101246d9700/resourceGroups/rg-modm201-20230913120256/providers/Microsoft.Compute/virtualMachines/bobjacmodm201",
      ],
      "yvjxno3je5on2",
    ],
  ])("uniqueString(%j) is %s (published ARM output)", (parts, expected) => {
    expect(uniqueString(...parts)).toBe(expected);
  });

  it("joins its parts with '-' (uniqueString('a', 'b') == uniqueString('a-b'))", () => {
    expect(uniqueString("a", "b")).toBe(uniqueString("a-b"));
  });

  it("is 13 characters of the base32 alphabet and case-sensitive", () => {
    expect(uniqueString("x")).toMatch(/^[a-z2-7]{13}$/);
    expect(uniqueString("ABC")).not.toBe(uniqueString("abc"));
  });
});

describe("guid", () => {
  it("sha1 of 'abc' is the FIPS 180 test vector", () => {
    expect(hex(sha1(utf8("abc")))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(hex(sha1(utf8("")))).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
    expect(hex(sha1(utf8("a".repeat(1000))))).toBe("291e9a6c66994949b57ba5e650361e98fc36b1ba");
  });

  it("is the v5 UUID of the parts joined with '-' in ARM's namespace", () => {
    // uuid5(UUID('11fb06fb-712d-4ddd-98c7-e71bbd588830'), 'a-b-c') in Python's uuid module
    expect(guid("a", "b", "c")).toBe("a98fa280-e03f-5afa-8d8e-92d0a9c201e8");
    expect(guid("a", "b", "c")).toBe(guid("a-b-c"));
    expect(guid("x")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
