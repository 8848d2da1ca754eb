/**
 * The public Azure regions (SE-RES-2): programmatic name, display name, geography and
 * paired region, as Microsoft's "Azure regions list" and "Azure region pairs" pages give
 * them (mid-2026), cross-checked against the regions of Microsoft's weekly service-tag file.
 *
 * Pairs follow the region in question: a ONE-WAY pair (brazilsouth → southcentralus,
 * brazilsoutheast → brazilsouth, westindia → southindia, westus3 → eastus,
 * indiasouthcentral → centralindia) does not make the target point back
 * (`pairOf("southcentralus")` is `northcentralus`). Regions without a pair have none.
 *
 * Limitations:
 * - Only the public cloud. Sovereign clouds (US Gov, China) and canary/stage locations
 *   (centraluseuap, eastus2euap, eastusstg, …) are not regions here; the service-tag catalog
 *   still loads their tags under their raw region code.
 * - Newer restricted regions that Microsoft's pages do not list (israelnorthwest,
 *   malaysiasouth, taiwannorthwest) are known by name but carry no pair.
 */

export interface Region {
  /** Programmatic name, lower case: `westus`. */
  readonly name: string;
  /** Display name: `West US`. */
  readonly displayName: string;
  /** Programmatic name of the paired region (one-way pairs point from this region only). */
  readonly pairedRegion: string | undefined;
  /** Geography (data-residency boundary), as Microsoft's region list names it. */
  readonly geography: string;
  /**
   * The code Microsoft's service-tag file uses in `properties.region` (and in
   * `AzureCloud.<code>` tag names) when it differs from `name`: `germanywc`, `norwaye`, …
   */
  readonly serviceTagRegion?: string;
}

type Row = readonly [name: string, displayName: string, geography: string, pair?: string, tagCode?: string];

const US = "United States";

// prettier-ignore
const ROWS: readonly Row[] = [
  // United States
  ["eastus", "East US", US, "westus"],
  ["eastus2", "East US 2", US, "centralus"],
  ["southcentralus", "South Central US", US, "northcentralus"],
  ["westus2", "West US 2", US, "westcentralus"],
  ["westus3", "West US 3", US, "eastus"], // one-way
  ["centralus", "Central US", US, "eastus2"],
  ["northcentralus", "North Central US", US, "southcentralus"],
  ["westus", "West US", US, "eastus"],
  ["westcentralus", "West Central US", US, "westus2"],
  // Americas
  ["canadacentral", "Canada Central", "Canada", "canadaeast"],
  ["canadaeast", "Canada East", "Canada", "canadacentral"],
  ["brazilsouth", "Brazil South", "Brazil", "southcentralus"], // one-way, outside its geography
  ["brazilsoutheast", "Brazil Southeast", "Brazil", "brazilsouth", "brazilse"], // one-way
  ["mexicocentral", "Mexico Central", "Mexico"],
  ["chilecentral", "Chile Central", "Chile", undefined, "chilec"],
  // Europe
  ["northeurope", "North Europe", "Europe", "westeurope"],
  ["westeurope", "West Europe", "Europe", "northeurope"],
  ["uksouth", "UK South", "United Kingdom", "ukwest"],
  ["ukwest", "UK West", "United Kingdom", "uksouth"],
  ["francecentral", "France Central", "France", "francesouth", "centralfrance"],
  ["francesouth", "France South", "France", "francecentral", "southfrance"],
  ["germanywestcentral", "Germany West Central", "Germany", "germanynorth", "germanywc"],
  ["germanynorth", "Germany North", "Germany", "germanywestcentral", "germanyn"],
  ["switzerlandnorth", "Switzerland North", "Switzerland", "switzerlandwest", "switzerlandn"],
  ["switzerlandwest", "Switzerland West", "Switzerland", "switzerlandnorth", "switzerlandw"],
  ["norwayeast", "Norway East", "Norway", "norwaywest", "norwaye"],
  ["norwaywest", "Norway West", "Norway", "norwayeast", "norwayw"],
  ["swedencentral", "Sweden Central", "Sweden", "swedensouth"],
  ["swedensouth", "Sweden South", "Sweden", "swedencentral"],
  ["polandcentral", "Poland Central", "Poland"],
  ["italynorth", "Italy North", "Italy"],
  ["spaincentral", "Spain Central", "Spain"],
  ["austriaeast", "Austria East", "Austria"],
  ["belgiumcentral", "Belgium Central", "Belgium"],
  ["denmarkeast", "Denmark East", "Denmark"],
  // Asia Pacific
  ["eastasia", "East Asia", "Asia Pacific", "southeastasia"],
  ["southeastasia", "Southeast Asia", "Asia Pacific", "eastasia"],
  ["japaneast", "Japan East", "Japan", "japanwest"],
  ["japanwest", "Japan West", "Japan", "japaneast"],
  ["koreacentral", "Korea Central", "Korea", "koreasouth"],
  ["koreasouth", "Korea South", "Korea", "koreacentral"],
  ["australiaeast", "Australia East", "Australia", "australiasoutheast"],
  ["australiasoutheast", "Australia Southeast", "Australia", "australiaeast"],
  ["australiacentral", "Australia Central", "Australia", "australiacentral2"],
  ["australiacentral2", "Australia Central 2", "Australia", "australiacentral"],
  ["centralindia", "Central India", "India", "southindia"],
  ["southindia", "South India", "India", "centralindia"],
  ["westindia", "West India", "India", "southindia"], // one-way
  ["indiasouthcentral", "India South Central", "India", "centralindia"], // one-way
  ["jioindiawest", "Jio India West", "India", "jioindiacentral"],
  ["jioindiacentral", "Jio India Central", "India", "jioindiawest"],
  ["newzealandnorth", "New Zealand North", "New Zealand"],
  ["indonesiacentral", "Indonesia Central", "Indonesia"],
  ["malaysiawest", "Malaysia West", "Malaysia"],
  ["malaysiasouth", "Malaysia South", "Malaysia"],
  ["taiwannorth", "Taiwan North", "Taiwan"],
  ["taiwannorthwest", "Taiwan Northwest", "Taiwan"],
  // Middle East and Africa
  ["uaenorth", "UAE North", "UAE", "uaecentral"],
  ["uaecentral", "UAE Central", "UAE", "uaenorth"],
  ["qatarcentral", "Qatar Central", "Qatar"],
  ["israelcentral", "Israel Central", "Israel"],
  ["israelnorthwest", "Israel Northwest", "Israel"],
  ["southafricanorth", "South Africa North", "South Africa", "southafricawest"],
  ["southafricawest", "South Africa West", "South Africa", "southafricanorth"],
];

export const REGIONS: readonly Region[] = Object.freeze(
  ROWS.map(([name, displayName, geography, pair, tagCode]) => {
    const r: Region = tagCode
      ? { name, displayName, pairedRegion: pair, geography, serviceTagRegion: tagCode }
      : { name, displayName, pairedRegion: pair, geography };
    return Object.freeze(r);
  }),
);

/** Lower case, spaces (and `-`/`_`) removed: "West US" / "WestUS" / "west-us" → "westus". */
function key(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, "");
}

const BY_KEY = new Map<string, Region>();
const BY_TAG_CODE = new Map<string, Region>();
for (const r of REGIONS) {
  BY_KEY.set(r.name, r);
  BY_KEY.set(key(r.displayName), r);
  BY_TAG_CODE.set(r.name, r);
  if (r.serviceTagRegion) BY_TAG_CODE.set(r.serviceTagRegion, r);
}

/** A region by programmatic or display name, ignoring case and spaces ("West US", "westus", "WestUS"). */
export function findRegion(nameOrDisplayName: string): Region | undefined {
  if (typeof nameOrDisplayName !== "string") return undefined;
  return BY_KEY.get(key(nameOrDisplayName.trim()));
}

export function isKnownRegion(text: string): boolean {
  return findRegion(text) !== undefined;
}

/** The programmatic name for a region written any accepted way, or undefined when unknown. */
export function normalizeRegion(text: string): string | undefined {
  return findRegion(text)?.name;
}

/** The paired region of `name` (SE-REG-2: Storage endpoints cover it); undefined when none or unknown. */
export function pairOf(name: string): string | undefined {
  return findRegion(name)?.pairedRegion;
}

/**
 * The PascalCase suffix of regional service tags: westus → "WestUS", eastus2 → "EastUS2",
 * uksouth → "UKSouth" (the display name without spaces). Undefined for an unknown region.
 */
export function tagRegionSuffix(name: string): string | undefined {
  const r = findRegion(name);
  return r ? r.displayName.replace(/\s+/g, "") : undefined;
}

/**
 * The region that a service-tag file's `properties.region` code (or an `AzureCloud.<code>`
 * suffix) stands for: "germanywc" → germanywestcentral, "westus" → westus.
 */
export function regionForServiceTagCode(code: string): Region | undefined {
  if (typeof code !== "string") return undefined;
  return BY_TAG_CODE.get(code.trim().toLowerCase());
}

/** The code the service-tag file uses for a region (`germanywestcentral` → `germanywc`). */
export function serviceTagCodeOf(name: string): string | undefined {
  const r = findRegion(name);
  return r ? (r.serviceTagRegion ?? r.name) : undefined;
}
