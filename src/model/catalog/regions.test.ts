import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  REGIONS,
  findRegion,
  isKnownRegion,
  normalizeRegion,
  pairOf,
  regionForServiceTagCode,
  serviceTagCodeOf,
  tagRegionSuffix,
} from "./regions.js";

const REAL_FILE = new URL("../../../../shared/data/ServiceTags_Public_20260626.subset.json", import.meta.url);

interface RawTag {
  name: string;
  properties: { region: string };
}
const realTags = (): RawTag[] => (JSON.parse(readFileSync(REAL_FILE, "utf8")) as { values: RawTag[] }).values;

/** Pairs that do not point back (azure-facts §4.4 and Microsoft's 2026 pair table). */
const ONE_WAY: Record<string, string> = {
  brazilsouth: "southcentralus",
  brazilsoutheast: "brazilsouth",
  westindia: "southindia",
  westus3: "eastus",
  indiasouthcentral: "centralindia",
};

/** Locations in Microsoft's tag file that are not public regions (canary, stage, not yet public). */
const NOT_PUBLIC_TAG_REGIONS = [
  "brazilne",
  "centraluseuap",
  "eastus2euap",
  "eastus3",
  "northeastus5",
  "northeurope2",
  "southcentralus2",
  "southeastus",
  "southeastus3",
  "usstagec",
  "usstagee",
];

describe("regions", () => {
  it("SE-RES-2: knows every public region the brief lists, with display names", () => {
    const expected =
      "eastus eastus2 westus westus2 westus3 centralus northcentralus southcentralus westcentralus canadacentral " +
      "canadaeast brazilsouth brazilsoutheast mexicocentral chilecentral northeurope westeurope uksouth ukwest " +
      "francecentral francesouth germanywestcentral germanynorth switzerlandnorth switzerlandwest norwayeast " +
      "norwaywest swedencentral swedensouth polandcentral italynorth spaincentral austriaeast belgiumcentral " +
      "denmarkeast eastasia southeastasia japaneast japanwest koreacentral koreasouth australiaeast " +
      "australiasoutheast australiacentral australiacentral2 centralindia southindia westindia jioindiawest " +
      "jioindiacentral southafricanorth southafricawest uaenorth uaecentral qatarcentral israelcentral " +
      "newzealandnorth indonesiacentral malaysiawest taiwannorth";
    for (const name of expected.split(" ")) expect(isKnownRegion(name), name).toBe(true);
    expect(findRegion("westus")?.displayName).toBe("West US");
    expect(findRegion("koreacentral")?.displayName).toBe("Korea Central");
    expect(findRegion("australiacentral2")?.displayName).toBe("Australia Central 2");
    expect(findRegion("uaenorth")?.geography).toBe("UAE");
  });

  it("names are unique, lower case programmatic names; display names are unique", () => {
    const names = REGIONS.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]+$/);
    const displays = REGIONS.map((r) => r.displayName.toLowerCase());
    expect(new Set(displays).size).toBe(displays.length);
    for (const r of REGIONS) expect(r.geography.length).toBeGreaterThan(0);
  });

  it("findRegion ignores case and spaces: 'West US', 'westus', 'WestUS' all work", () => {
    for (const text of ["West US", "westus", "WestUS", "WESTUS", " west us ", "West-US"]) {
      expect(findRegion(text)?.name, text).toBe("westus");
    }
    expect(normalizeRegion("East US 2")).toBe("eastus2");
    expect(normalizeRegion("Germany West Central")).toBe("germanywestcentral");
    expect(normalizeRegion("mars")).toBeUndefined();
    expect(normalizeRegion("")).toBeUndefined();
    expect(isKnownRegion("westus4")).toBe(false);
    // Service-tag-file codes are not region names ARM accepts.
    expect(findRegion("germanywc")).toBeUndefined();
    expect(findRegion(undefined as unknown as string)).toBeUndefined();
  });

  it("SE-REG-2: symmetric pairs point at each other", () => {
    const symmetric: Array<[string, string]> = [
      ["eastus", "westus"],
      ["eastus2", "centralus"],
      ["northcentralus", "southcentralus"],
      ["westus2", "westcentralus"],
      ["canadacentral", "canadaeast"],
      ["northeurope", "westeurope"],
      ["uksouth", "ukwest"],
      ["francecentral", "francesouth"],
      ["germanywestcentral", "germanynorth"],
      ["switzerlandnorth", "switzerlandwest"],
      ["norwayeast", "norwaywest"],
      ["swedencentral", "swedensouth"],
      ["eastasia", "southeastasia"],
      ["japaneast", "japanwest"],
      ["koreacentral", "koreasouth"],
      ["australiaeast", "australiasoutheast"],
      ["australiacentral", "australiacentral2"],
      ["centralindia", "southindia"],
      ["jioindiawest", "jioindiacentral"],
      ["southafricanorth", "southafricawest"],
      ["uaenorth", "uaecentral"],
    ];
    for (const [a, b] of symmetric) {
      expect(pairOf(a), a).toBe(b);
      expect(pairOf(b), b).toBe(a);
    }
  });

  it("SE-REG-2: one-way pairs (brazilsouth→southcentralus, westindia→southindia, westus3→eastus, brazilsoutheast→brazilsouth)", () => {
    expect(pairOf("brazilsouth")).toBe("southcentralus");
    expect(pairOf("southcentralus")).toBe("northcentralus");
    expect(pairOf("westindia")).toBe("southindia");
    expect(pairOf("southindia")).toBe("centralindia");
    expect(pairOf("westus3")).toBe("eastus");
    expect(pairOf("eastus")).toBe("westus");
    expect(pairOf("brazilsoutheast")).toBe("brazilsouth");
    expect(pairOf("Brazil South")).toBe("southcentralus");
  });

  it("SE-RES-2: every pair names a known region and is either mutual or a listed one-way pair", () => {
    for (const r of REGIONS) {
      if (!r.pairedRegion) continue;
      expect(isKnownRegion(r.pairedRegion), `${r.name} → ${r.pairedRegion}`).toBe(true);
      expect(r.pairedRegion).not.toBe(r.name);
      if (pairOf(r.pairedRegion) !== r.name) expect(ONE_WAY[r.name], r.name).toBe(r.pairedRegion);
    }
    for (const [from, to] of Object.entries(ONE_WAY)) expect(pairOf(from)).toBe(to);
  });

  it("regions without a pair have none", () => {
    for (const name of [
      "qatarcentral",
      "polandcentral",
      "italynorth",
      "mexicocentral",
      "israelcentral",
      "taiwannorth",
    ]) {
      expect(pairOf(name), name).toBeUndefined();
    }
    expect(pairOf("nowhere")).toBeUndefined();
  });

  it("tagRegionSuffix gives the PascalCase service-tag suffix", () => {
    expect(tagRegionSuffix("westus")).toBe("WestUS");
    expect(tagRegionSuffix("eastus2")).toBe("EastUS2");
    expect(tagRegionSuffix("koreacentral")).toBe("KoreaCentral");
    expect(tagRegionSuffix("uksouth")).toBe("UKSouth");
    expect(tagRegionSuffix("uaenorth")).toBe("UAENorth");
    expect(tagRegionSuffix("Southeast Asia")).toBe("SoutheastAsia");
    expect(tagRegionSuffix("mars")).toBeUndefined();
  });

  it("SE-NSG-2: every region's Storage.<Suffix> and AzureCloud.<code> tag exist in Microsoft's file with that region", () => {
    const tags = realTags();
    const byName = new Map(tags.map((t) => [t.name, t]));
    for (const r of REGIONS) {
      const code = serviceTagCodeOf(r.name)!;
      const storage = byName.get(`Storage.${tagRegionSuffix(r.name)}`);
      expect(storage, `Storage.${tagRegionSuffix(r.name)}`).toBeDefined();
      expect(storage!.properties.region).toBe(code);
      expect(byName.get(`AzureCloud.${code}`)?.properties.region, `AzureCloud.${code}`).toBe(code);
    }
  });

  it("every AzureCloud.* region code in Microsoft's file is a known region or a known non-public location", () => {
    const codes = new Set(
      realTags()
        .filter((t) => t.name.startsWith("AzureCloud."))
        .map((t) => t.properties.region),
    );
    const unknown = [...codes].filter((c) => !regionForServiceTagCode(c)).sort();
    expect(unknown).toEqual(NOT_PUBLIC_TAG_REGIONS);
    expect(regionForServiceTagCode("germanywc")?.name).toBe("germanywestcentral");
    expect(regionForServiceTagCode("chilec")?.name).toBe("chilecentral");
    expect(regionForServiceTagCode("westus")?.name).toBe("westus");
    expect(serviceTagCodeOf("norwayeast")).toBe("norwaye");
    expect(serviceTagCodeOf("westus")).toBe("westus");
  });

  it("the catalog is frozen", () => {
    expect(Object.isFrozen(REGIONS)).toBe(true);
    expect(Object.isFrozen(REGIONS[0])).toBe(true);
  });
});
