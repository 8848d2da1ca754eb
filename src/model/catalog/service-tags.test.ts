import { readFileSync } from "node:fs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Address,
  type Prefix,
  addressAt,
  formatAddress,
  formatPrefix,
  isPublicAddress,
  lastAddress,
  parseAddress,
  prefixContainsAddress,
  prefixContainsPrefix,
} from "../ip.js";
import { ServiceTagCatalog, type ServiceTagFile, parseServiceTagFile } from "./service-tags.js";

const REAL_FILE = new URL("../../../../shared/data/ServiceTags_Public_20260626.subset.json", import.meta.url);

let realJson: unknown;
let real: ServiceTagCatalog;
beforeAll(() => {
  realJson = JSON.parse(readFileSync(REAL_FILE, "utf8"));
  real = ServiceTagCatalog.fromJson(realJson, "ServiceTags_Public_20260626.subset.json");
});

const first = (p: Prefix): Address => addressAt(p, 0);

function tinyFile(): Record<string, unknown> {
  return {
    changeNumber: 7,
    cloud: "Public",
    values: [
      {
        name: "Storage",
        id: "Storage",
        properties: {
          changeNumber: 1,
          region: "",
          regionId: 0,
          platform: "Azure",
          systemService: "AzureStorage",
          addressPrefixes: ["20.1.0.0/24", "20.2.0.0/24", "2603:1000::/40"],
          networkFeatures: ["API", "NSG", "UDR", "FW", "VSE"],
        },
      },
      {
        name: "Storage.WestUS",
        id: "Storage.WestUS",
        properties: {
          changeNumber: 1,
          region: "westus",
          regionId: 37,
          platform: "Azure",
          systemService: "AzureStorage",
          addressPrefixes: ["20.1.0.0/24", "2603:1000::/40"],
          networkFeatures: null,
        },
      },
      {
        name: "Storage.EastUS",
        id: "Storage.EastUS",
        properties: { region: "eastus", addressPrefixes: ["20.2.0.0/24", "20.1.0.0/24"] },
      },
    ],
  };
}

describe("parseServiceTagFile", () => {
  it("loads Microsoft's real snapshot: 607 tags, IPv4 and IPv6", () => {
    const file = parseServiceTagFile(realJson);
    expect(file.values).toHaveLength(607);
    expect(file.cloud).toBe("Public");
    expect(file.changeNumber).toBe(0);
    expect(real.tags).toHaveLength(607);
    expect(real.synthetic).toBe(false);
    const storage = real.get("Storage")!;
    expect(storage.prefixes.some((p) => p.family === 4)).toBe(true);
    expect(storage.prefixes.some((p) => p.family === 6)).toBe(true);
    expect(storage.addressPrefixes.length).toBe(storage.prefixes.length);
  });

  it("fills the format's defaults for optional fields", () => {
    const json = tinyFile();
    delete json.changeNumber;
    delete json.cloud;
    const file = parseServiceTagFile(json);
    expect(file.changeNumber).toBe(0);
    expect(file.cloud).toBe("Public");
    expect(file.values[2]!.id).toBe("Storage.EastUS");
    expect(file.values[2]!.properties).toEqual({
      changeNumber: 0,
      region: "eastus",
      regionId: 0,
      platform: "",
      systemService: "",
      addressPrefixes: ["20.2.0.0/24", "20.1.0.0/24"],
      networkFeatures: null,
    });
  });

  it("names the exact value that is not an IP prefix", () => {
    const json = tinyFile();
    (json.values as any)[1].properties.addressPrefixes[1] = "10.0.0.300/24";
    expect(() => parseServiceTagFile(json)).toThrow(
      new Error(
        'service tag file: values[1].properties.addressPrefixes[1]: "10.0.0.300/24" is not an IP prefix',
      ),
    );
    expect(() => parseServiceTagFile(json, "tags.json")).toThrow(/^tags\.json: values\[1\]/);
  });

  it.each<[string, (j: Record<string, any>) => unknown, RegExp]>([
    ["not an object", () => [1, 2], /^src: expected a JSON object with "values", got an array$/],
    ["null", () => null, /^src: expected a JSON object with "values", got null$/],
    ["a string", () => "{}", /got a string$/],
    ["missing values", (j) => ({ ...j, values: undefined }), /^src: missing "values"/],
    [
      "values not an array",
      (j) => ({ ...j, values: { a: 1 } }),
      /^src: values: expected an array of service tags, got an object$/,
    ],
    [
      "a tag not an object",
      (j) => ({ ...j, values: [...j.values, 5] }),
      /^src: values\[3\]: expected a service tag object, got a number$/,
    ],
    [
      "a tag without a name",
      (j) => ({ ...j, values: [{ properties: { addressPrefixes: [] } }] }),
      /^src: values\[0\]\.name: expected a string, got undefined$/,
    ],
    [
      "an empty name",
      (j) => ({ ...j, values: [{ name: " ", properties: { addressPrefixes: [] } }] }),
      /values\[0\]\.name: the tag name is empty/,
    ],
    [
      "duplicate tag names",
      (j) => ({
        ...j,
        values: [...j.values, { name: "storage.westus", properties: { addressPrefixes: [] } }],
      }),
      /^src: values\[3\]\.name: duplicate tag name "storage\.westus" \(first at values\[1\]\)$/,
    ],
    [
      "missing properties",
      (j) => ({ ...j, values: [{ name: "X" }] }),
      /^src: values\[0\]\.properties: missing$/,
    ],
    [
      "properties not an object",
      (j) => ({ ...j, values: [{ name: "X", properties: [] }] }),
      /values\[0\]\.properties: expected an object, got an array/,
    ],
    [
      "missing addressPrefixes",
      (j) => ({ ...j, values: [{ name: "X", properties: {} }] }),
      /values\[0\]\.properties\.addressPrefixes: missing/,
    ],
    [
      "addressPrefixes not an array",
      (j) => ({ ...j, values: [{ name: "X", properties: { addressPrefixes: "1.2.3.0/24" } }] }),
      /values\[0\]\.properties\.addressPrefixes: expected an array of prefixes, got a string/,
    ],
    [
      "a prefix that is not a string",
      (j) => ({ ...j, values: [{ name: "X", properties: { addressPrefixes: ["1.2.3.0/24", 42] } }] }),
      /values\[0\]\.properties\.addressPrefixes\[1\]: expected a string, got a number/,
    ],
    [
      "a bad prefix length",
      (j) => ({ ...j, values: [{ name: "X", properties: { addressPrefixes: ["1.2.3.0/33"] } }] }),
      /addressPrefixes\[0\]: "1\.2\.3\.0\/33" is not an IP prefix/,
    ],
    [
      "a region that is not a string",
      (j) => ({ ...j, values: [{ name: "X", properties: { region: 3, addressPrefixes: [] } }] }),
      /values\[0\]\.properties\.region: expected a string, got a number/,
    ],
    [
      "networkFeatures not an array",
      (j) => ({ ...j, values: [{ name: "X", properties: { addressPrefixes: [], networkFeatures: "NSG" } }] }),
      /networkFeatures: expected an array of strings or null, got a string/,
    ],
    [
      "changeNumber not a number",
      (j) => ({ ...j, changeNumber: "12" }),
      /^src: changeNumber: expected a number, got a string$/,
    ],
    [
      "lazuriteSynthetic not a boolean",
      (j) => ({ ...j, lazuriteSynthetic: "yes" }),
      /lazuriteSynthetic: expected a boolean/,
    ],
  ])("rejects %s with a message naming the problem", (_label, mutate, message) => {
    let thrown: unknown;
    try {
      parseServiceTagFile(mutate(tinyFile()), "src");
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).constructor).toBe(Error);
    expect((thrown as Error).message).toMatch(message);
  });

  it("accepts prefixes with host bits set, zeroing them", () => {
    const json = tinyFile();
    (json.values as any)[2].properties.addressPrefixes = ["20.2.0.7/24"];
    const cat = ServiceTagCatalog.fromJson(json);
    expect(formatPrefix(cat.get("Storage.EastUS")!.prefixes[0]!)).toBe("20.2.0.0/24");
    expect(cat.get("Storage.EastUS")!.addressPrefixes[0]).toBe("20.2.0.7/24");
  });

  it("never throws anything but a plain Error naming the source, on any JSON (fuzz)", () => {
    const check = (input: unknown) => {
      try {
        parseServiceTagFile(input, "fuzz");
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).constructor).toBe(Error);
        expect((e as Error).message.startsWith("fuzz: ")).toBe(true);
      }
    };
    fc.assert(fc.property(fc.jsonValue(), check), { numRuns: 300 });
    fc.assert(fc.property(fc.anything({ withNullPrototype: true, withBoxedValues: true }), check), {
      numRuns: 300,
    });
    const junk = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.anything());
    const prefix = fc.oneof(
      fc.ipV4().map((a) => `${a}/24`),
      fc.ipV6().map((a) => `${a}/64`),
      fc.string(),
      junk,
    );
    const tag = fc.record(
      {
        name: fc.oneof(fc.constantFrom("Storage", "Sql", "Storage.WestUS", "storage"), junk),
        id: junk,
        properties: fc.oneof(
          fc.record(
            {
              region: fc.oneof(fc.constantFrom("", "westus", "germanywc"), junk),
              regionId: junk,
              addressPrefixes: fc.oneof(fc.array(prefix, { maxLength: 5 }), junk),
              networkFeatures: fc.oneof(fc.constant(null), fc.array(junk, { maxLength: 3 }), junk),
              changeNumber: junk,
            },
            { requiredKeys: [] },
          ),
          junk,
        ),
      },
      { requiredKeys: [] },
    );
    const file = fc.record(
      {
        changeNumber: fc.oneof(fc.integer(), junk),
        cloud: fc.oneof(fc.constant("Public"), junk),
        values: fc.oneof(fc.array(fc.oneof(tag, junk), { maxLength: 6 }), junk),
        lazuriteSynthetic: fc.oneof(fc.boolean(), junk),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(file, (f) => {
        check(f);
        // Whatever parses also builds a catalog whose lookups work.
        let parsed: ServiceTagFile | undefined;
        try {
          parsed = parseServiceTagFile(f, "fuzz");
        } catch {
          return;
        }
        const cat = ServiceTagCatalog.fromFile(parsed);
        expect(cat.tags).toHaveLength(parsed.values.length);
        cat.tagsContaining("20.1.0.1");
        cat.servicePrefixes("Storage", ["*"]);
      }),
      { numRuns: 400 },
    );
  });
});

describe("ServiceTagCatalog on Microsoft's real snapshot", () => {
  it("SE-NSG-2: regional tag names like Storage.WestUS resolve, case-insensitively", () => {
    expect(real.get("Storage.WestUS")?.name).toBe("Storage.WestUS");
    expect(real.get("storage.westus")?.name).toBe("Storage.WestUS");
    expect(real.get("Sql.KoreaCentral")?.region).toBe("koreacentral");
    expect(real.get("AzureCloud.eastus")?.region).toBe("eastus");
    expect(real.get("Storage")?.region).toBe("");
    expect(real.get("AzureKeyVault.WestUS2")).toBeDefined();
    expect(real.get("Storage.Atlantis")).toBeUndefined();
    // Any region spelling through resolve().
    expect(real.resolve("AzureCloud.WestUS")?.name).toBe("AzureCloud.westus");
    expect(real.resolve("AzureCloud.GermanyWestCentral")?.name).toBe("AzureCloud.germanywc");
    expect(real.resolve("Storage.germanywestcentral")?.name).toBe("Storage.GermanyWestCentral");
    expect(real.resolve("Nope.WestUS")).toBeUndefined();
  });

  it("normalises the file's region codes to programmatic names", () => {
    expect(real.get("AzureCloud.germanywc")?.region).toBe("germanywestcentral");
    expect(real.get("Storage.GermanyWestCentral")?.region).toBe("germanywestcentral");
    expect(real.get("Storage.ChileCentral")?.region).toBe("chilecentral");
    expect(real.get("Storage.CentralUSEUAP")?.region).toBe("centraluseuap");
  });

  it("Storage.WestUS prefixes are all inside the global Storage tag", () => {
    const regional = real.get("Storage.WestUS")!.prefixes;
    const global = real.get("Storage")!.prefixes;
    expect(regional.length).toBeGreaterThan(10);
    for (const p of regional) {
      expect(
        global.some((g) => prefixContainsPrefix(g, p)),
        formatPrefix(p),
      ).toBe(true);
    }
    const set = real.prefixSet("Storage")!;
    expect(regional.every((p) => set.has(first(p)) && set.has(lastAddress(p)))).toBe(true);
    expect(real.prefixSet("Storage")).toBe(set); // memoized
    expect(real.prefixSet("NoSuchTag")).toBeUndefined();
  });

  it("regional lookups pick the tag of that region", () => {
    expect(real.regional("Storage", "westus")?.name).toBe("Storage.WestUS");
    expect(real.regional("storage", "West US")?.name).toBe("Storage.WestUS");
    expect(real.regional("Sql", "eastus2")?.name).toBe("Sql.EastUS2"); // not Sql.EastUS2Stage
    expect(real.regional("AzureCloud", "germanywestcentral")?.name).toBe("AzureCloud.germanywc");
    expect(real.regional("AzureDataLake", "westus")).toBeUndefined();
    expect(real.regional("AzureDataLake", "eastus2")?.name).toBe("AzureDataLake.EastUS2");
    expect(real.regionsOf("AzureDataLake").sort()).toEqual(
      ["australiasoutheast", "centralus", "eastus2", "northeurope", "southeastasia", "westeurope"].sort(),
    );
  });

  it("tagsContaining finds every tag holding a known Storage.WestUS address", () => {
    const p = real.get("Storage.WestUS")!.prefixes.find((q) => q.family === 4)!;
    const a = addressAt(p, 1);
    const names = real.tagsContaining(a);
    expect(names).toContain("Storage.WestUS");
    expect(names).toContain("Storage");
    expect(names).not.toContain("Storage.EastUS");
    expect([...names].sort()).toEqual(names);
    // Agrees with a brute-force scan.
    const brute = real.tags
      .filter((t) => t.prefixes.some((q) => prefixContainsAddress(q, a)))
      .map((t) => t.name)
      .sort();
    expect(names).toEqual(brute);
    expect(real.tagsContaining(formatAddress(a))).toEqual(names);
    expect(real.tagsContaining("192.168.1.1")).toEqual([]);
    expect(real.tagsContaining("not an address")).toEqual([]);
  });

  it("tagsContaining works for IPv6 addresses too", () => {
    const p = real.get("Storage.WestUS")!.prefixes.find((q) => q.family === 6)!;
    const names = real.tagsContaining(addressAt(p, 5));
    expect(names).toContain("Storage.WestUS");
    expect(names).toContain("Storage");
  });

  it("serviceRegionOf and azureRegionOf name the region of an address", () => {
    const p = real.get("Storage.WestUS")!.prefixes.find((q) => q.family === 4)!;
    const a = addressAt(p, 1);
    expect(real.serviceRegionOf("Storage", a)).toBe("westus");
    expect(real.azureRegionOf(a)).toBe("westus");
    expect(real.isAzureAddress(a)).toBe(true);
    expect(real.isAzureAddress("8.8.8.8")).toBe(false);
    expect(real.isAzureAddress("10.0.0.4")).toBe(false);
    expect(real.azureRegionOf("8.8.8.8")).toBeUndefined();
    expect(real.serviceRegionOf("Sql", "8.8.8.8")).toBeUndefined();
    const gwc = real.get("AzureCloud.germanywc")!.prefixes.find((q) => q.family === 4)!;
    expect(real.azureRegionOf(addressAt(gwc, 1))).toBe("germanywestcentral");
  });

  it("SE-ROUTE-2: servicePrefixes for [westus, eastus] is the sorted, de-duplicated union of the two regional tags", () => {
    const got = real.servicePrefixes("Storage", ["westus", "eastus"]);
    const expected = new Set(
      [...real.get("Storage.WestUS")!.prefixes, ...real.get("Storage.EastUS")!.prefixes].map(formatPrefix),
    );
    const gotText = got.map(formatPrefix);
    expect(new Set(gotText)).toEqual(expected);
    expect(gotText.length).toBe(expected.size);
    for (let i = 1; i < got.length; i++) {
      const a = got[i - 1]!;
      const b = got[i]!;
      expect(a.family < b.family || (a.family === b.family && a.base <= b.base)).toBe(true);
    }
    expect(got[0]!.family).toBe(4);
    expect(real.servicePrefixes("Storage", ["westus", "eastus"], 4).every((p) => p.family === 4)).toBe(true);
    expect(real.servicePrefixStrings("Storage", ["westus"])).toEqual(
      real.servicePrefixes("Storage", ["westus"]).map(formatPrefix),
    );
  });

  it("SE-ROUTE-2: servicePrefixes with '*' is the global tag", () => {
    const all = real.servicePrefixes("AzureKeyVault", ["*"]).map(formatPrefix);
    expect(new Set(all)).toEqual(new Set(real.get("AzureKeyVault")!.prefixes.map(formatPrefix)));
    expect(real.servicePrefixes("NoSuchService", ["*"])).toEqual([]);
    expect(real.servicePrefixes("Storage", ["atlantis"])).toEqual([]);
  });

  it("pickAddress is deterministic, inside the tag, public, and never a network or broadcast address", () => {
    const tag = real.get("AzureCloud.westus")!;
    const a = real.pickAddress("AzureCloud.westus", "vm-1");
    expect(real.pickAddress("AzureCloud.westus", "vm-1")).toEqual(a);
    expect(real.pickAddress("azurecloud.westus", "vm-1")).toEqual(a);
    expect(a.family).toBe(4);
    expect(isPublicAddress(a)).toBe(true);
    expect(real.azureRegionOf(a)).toBe("westus");
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const b = real.pickAddress("Storage.WestUS", `seed-${i}`);
      seen.add(formatAddress(b));
      const holder = real.get("Storage.WestUS")!.prefixes.filter((p) => prefixContainsAddress(p, b));
      expect(holder.length).toBeGreaterThan(0);
      for (const p of holder) {
        if (p.length > 30) continue;
        expect(b).not.toEqual(addressAt(p, 0));
        expect(b).not.toEqual(lastAddress(p));
      }
    }
    expect(seen.size).toBeGreaterThan(150);
    expect(tag.prefixes.some((p) => prefixContainsAddress(p, a))).toBe(true);
  });

  it("pickAddress refuses unknown tags and tags without IPv4 prefixes", () => {
    expect(() => real.pickAddress("NoSuchTag", "x")).toThrow(/unknown service tag "NoSuchTag"/);
    const v6only = ServiceTagCatalog.fromJson({
      values: [{ name: "V6", properties: { addressPrefixes: ["2603:1000::/40"] } }],
    });
    expect(() => v6only.pickAddress("V6", "x")).toThrow(/no public IPv4/);
  });

  it("pickAddress on a /32 and a /31 returns their addresses", () => {
    const cat = ServiceTagCatalog.fromJson({
      values: [
        { name: "One", properties: { addressPrefixes: ["20.1.2.3/32"] } },
        { name: "Two", properties: { addressPrefixes: ["20.1.2.4/31"] } },
        { name: "Four", properties: { addressPrefixes: ["20.1.2.8/30"] } },
      ],
    });
    expect(formatAddress(cat.pickAddress("One", "a"))).toBe("20.1.2.3");
    const two = new Set(Array.from({ length: 50 }, (_, i) => formatAddress(cat.pickAddress("Two", `s${i}`))));
    expect(two).toEqual(new Set(["20.1.2.4", "20.1.2.5"]));
    const four = new Set(
      Array.from({ length: 50 }, (_, i) => formatAddress(cat.pickAddress("Four", `s${i}`))),
    );
    expect(four).toEqual(new Set(["20.1.2.9", "20.1.2.10"]));
  });
});

describe("ServiceTagCatalog on a small file", () => {
  it("fromFile validates a file that did not come from parseServiceTagFile", () => {
    const cat = ServiceTagCatalog.fromFile(tinyFile() as unknown as ServiceTagFile);
    expect(cat.changeNumber).toBe(7);
    expect(cat.get("Storage.EastUS")?.region).toBe("eastus");
    const bad = tinyFile();
    (bad.values as any)[0].properties.addressPrefixes = ["nope"];
    expect(() => ServiceTagCatalog.fromFile(bad as unknown as ServiceTagFile)).toThrow(
      /"nope" is not an IP prefix/,
    );
  });

  it("de-duplicates prefixes shared by regions in servicePrefixes", () => {
    const cat = ServiceTagCatalog.fromJson(tinyFile());
    expect(cat.servicePrefixStrings("Storage", ["westus", "eastus"])).toEqual([
      "20.1.0.0/24",
      "20.2.0.0/24",
      "2603:1000::/40",
    ]);
    expect(cat.servicePrefixStrings("Storage", ["westus"], 6)).toEqual(["2603:1000::/40"]);
  });

  it("tagsContaining lists each tag once even when it repeats a prefix", () => {
    const cat = ServiceTagCatalog.fromJson({
      values: [{ name: "A", properties: { addressPrefixes: ["20.1.0.0/24", "20.1.0.0/24", "20.1.0.0/16"] } }],
    });
    expect(cat.tagsContaining(parseAddress("20.1.0.9"))).toEqual(["A"]);
  });
});
