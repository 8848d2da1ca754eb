import { describe, expect, it } from "vitest";
import {
  type Prefix,
  addressAt,
  formatPrefix,
  isPublicAddress,
  lastAddress,
  prefixContainsPrefix,
  prefixesOverlap,
} from "../ip.js";
import { REGIONS, tagRegionSuffix } from "./regions.js";
import { ServiceTagCatalog, parseServiceTagFile } from "./service-tags.js";
import {
  SYNTHETIC_ID_PREFIX,
  defaultServiceTagCatalog,
  generateSyntheticServiceTags,
} from "./synthetic-service-tags.js";

const SERVICES_IN_EVERY_REGION = [
  "Storage",
  "Sql",
  "AzureCosmosDB",
  "AzureKeyVault",
  "ServiceBus",
  "EventHub",
  "AzureContainerRegistry",
  "AzureActiveDirectory",
  "AppService",
];

const cat = defaultServiceTagCatalog();

describe("synthetic service tags", () => {
  it("is deterministic: two calls are deep-equal", () => {
    expect(generateSyntheticServiceTags()).toEqual(generateSyntheticServiceTags());
    expect(generateSyntheticServiceTags()).not.toBe(generateSyntheticServiceTags());
  });

  it("is clearly labelled synthetic", () => {
    const file = generateSyntheticServiceTags();
    expect(file.cloud).toBe("Public");
    expect(file.lazuriteSynthetic).toBe(true);
    expect(file.note).toMatch(/synthetic/i);
    expect(file.note).toMatch(/not Microsoft/i);
    for (const v of file.values) expect(v.id).toBe(`${SYNTHETIC_ID_PREFIX}${v.name}`);
    expect(cat.synthetic).toBe(true);
    expect(cat.note).toBe(file.note);
  });

  it("loads through the same parser as Microsoft's file (JSON round trip)", () => {
    const file = generateSyntheticServiceTags();
    const reparsed = parseServiceTagFile(JSON.parse(JSON.stringify(file)), "synthetic");
    expect(reparsed).toEqual(file);
    const fromJson = ServiceTagCatalog.fromJson(JSON.parse(JSON.stringify(file)));
    expect(fromJson.tags.map((t) => t.name)).toEqual(cat.tags.map((t) => t.name));
    expect(fromJson.synthetic).toBe(true);
  });

  it("stays modest: a few thousand prefixes at most", () => {
    const n = generateSyntheticServiceTags().values.reduce(
      (s, v) => s + v.properties.addressPrefixes.length,
      0,
    );
    expect(n).toBeGreaterThan(1000);
    expect(n).toBeLessThanOrEqual(5000);
  });

  it("SE-NSG-2: every region has AzureCloud and the endpoint services' regional tags, named as Microsoft does", () => {
    for (const r of REGIONS) {
      const cloud = cat.regional("AzureCloud", r.name);
      expect(cloud?.name, r.name).toBe(`AzureCloud.${r.serviceTagRegion ?? r.name}`);
      for (const base of SERVICES_IN_EVERY_REGION) {
        const t = cat.get(`${base}.${tagRegionSuffix(r.name)}`);
        expect(t, `${base}.${tagRegionSuffix(r.name)}`).toBeDefined();
        expect(t!.region).toBe(r.name);
        expect(cat.regional(base, r.name)).toBe(t);
      }
    }
    expect(cat.get("Storage.WestUS")).toBeDefined();
    expect(cat.regionsOf("AzureDataLake").length).toBeGreaterThan(0);
    expect(cat.regionsOf("AzureDataLake").length).toBeLessThan(REGIONS.length);
  });

  it("every regional service prefix lies inside that region's AzureCloud.<region> prefixes", () => {
    for (const t of cat.tags) {
      if (t.region === "" || t.base === "AzureCloud") continue;
      const cloud = cat.regional("AzureCloud", t.region)!.prefixes;
      for (const p of t.prefixes) {
        expect(
          cloud.some((c) => prefixContainsPrefix(c, p)),
          `${t.name} ${formatPrefix(p)}`,
        ).toBe(true);
      }
    }
  });

  it("no two regions overlap", () => {
    const owned: Array<{ region: string; p: Prefix }> = [];
    for (const t of cat.regionalTags("AzureCloud"))
      for (const p of t.prefixes) owned.push({ region: t.region, p });
    const clashes: string[] = [];
    for (let i = 0; i < owned.length; i++) {
      for (let j = i + 1; j < owned.length; j++) {
        const a = owned[i]!;
        const b = owned[j]!;
        if (a.region !== b.region && prefixesOverlap(a.p, b.p))
          clashes.push(`${formatPrefix(a.p)} ~ ${formatPrefix(b.p)}`);
      }
    }
    expect(owned.length).toBeGreaterThan(REGIONS.length * 5);
    expect(clashes).toEqual([]);
  });

  it("uses public addresses only, IPv4 and some IPv6", () => {
    let v6 = 0;
    for (const t of cat.tags) {
      for (const p of t.prefixes) {
        if (p.family === 6) v6++;
        expect(isPublicAddress(addressAt(p, 0)), formatPrefix(p)).toBe(true);
        expect(isPublicAddress(lastAddress(p)), formatPrefix(p)).toBe(true);
      }
    }
    expect(v6).toBeGreaterThan(0);
  });

  it("global tags are the union of their regional tags; AzureCloud the union of AzureCloud.<region>", () => {
    for (const base of [...SERVICES_IN_EVERY_REGION, "AzureDataLake", "AzureCloud"]) {
      const global = new Set(cat.get(base)!.prefixes.map(formatPrefix));
      const union = new Set(cat.regionalTags(base).flatMap((t) => t.prefixes.map(formatPrefix)));
      expect(global, base).toEqual(union);
    }
  });

  it("addresses picked in a region map back to it (public IPs and service hosts)", () => {
    for (const r of REGIONS) {
      const ip = cat.pickAddress(`AzureCloud.${r.serviceTagRegion ?? r.name}`, `pip-${r.name}`);
      expect(cat.azureRegionOf(ip), r.name).toBe(r.name);
      const host = cat.pickAddress(`Storage.${tagRegionSuffix(r.name)}`, `account-${r.name}`);
      expect(cat.serviceRegionOf("Storage", host), r.name).toBe(r.name);
      expect(cat.azureRegionOf(host)).toBe(r.name);
      expect(cat.tagsContaining(host)).toEqual(
        [
          "AzureCloud",
          `AzureCloud.${r.serviceTagRegion ?? r.name}`,
          "Storage",
          `Storage.${tagRegionSuffix(r.name)}`,
        ].sort(),
      );
    }
  });

  it("SE-ROUTE-2: a westus Storage endpoint routes exactly Storage.WestUS + Storage.EastUS", () => {
    const got = cat.servicePrefixStrings("Storage", ["westus", "eastus"]);
    const expected = [
      ...cat.get("Storage.WestUS")!.addressPrefixes,
      ...cat.get("Storage.EastUS")!.addressPrefixes,
    ];
    expect(new Set(got)).toEqual(new Set(expected));
    expect(got).toHaveLength(expected.length);
  });

  it("defaultServiceTagCatalog is memoized", () => {
    expect(defaultServiceTagCatalog()).toBe(cat);
  });
});
