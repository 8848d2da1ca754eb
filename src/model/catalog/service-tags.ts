/**
 * Service tags (SE-NSG-2, SE-ROUTE-2): Microsoft's weekly `ServiceTags_Public_YYYYMMDD.json`
 * format, validated by `parseServiceTagFile`, and the `ServiceTagCatalog` built from it that
 * answers "which prefixes does this tag mean", "which tags contain this address", "which
 * region's AzureCloud range is this public IP in", and picks deterministic addresses inside a tag.
 *
 * Pure: the shell reads the file and passes the parsed JSON in. Every lookup structure is
 * built lazily and memoized, so loading the real 45,000-prefix file costs one validation pass.
 *
 * Regions: the file's `properties.region` codes are normalised to programmatic region names
 * (`germanywc` → `germanywestcentral`); codes of locations that are not public regions
 * (`centraluseuap`, `usstagee`, …) are kept as they are, lower-cased. Global tags have region "".
 *
 * Limitations: tag files are taken as a whole; there is no merging of several weeks' files.
 */
import {
  type Address,
  type Prefix,
  addressAt,
  formatPrefix,
  isPublicAddress,
  parsePrefixDetailed,
  tryParseAddress,
} from "../ip.js";
import { PrefixSet, PrefixTrie } from "../prefix-trie.js";
import { PrefixClassifier } from "../prefix-classifier.js";
import { normalizeRegion, regionForServiceTagCode, serviceTagCodeOf, tagRegionSuffix } from "./regions.js";
import { textOf } from "../errors.js";

// ---------------------------------------------------------------------------------------------
// File format

export interface ServiceTagProperties {
  changeNumber: number;
  /** Region code as the file writes it (`westus`, `germanywc`), "" for global tags. */
  region: string;
  regionId: number;
  platform: string;
  systemService: string;
  addressPrefixes: string[];
  networkFeatures: string[] | null;
}

export interface ServiceTagValue {
  name: string;
  id: string;
  properties: ServiceTagProperties;
}

export interface ServiceTagFile {
  changeNumber: number;
  cloud: string;
  values: ServiceTagValue[];
  /** Set (true) only on Lazurite's generated catalog: its prefixes are not Microsoft's. */
  lazuriteSynthetic?: boolean;
  note?: string;
}

/** Parsed prefixes of files that went through `parseServiceTagFile` (one array per value). */
const PARSED = new WeakMap<ServiceTagFile, Prefix[][]>();

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  switch (typeof v) {
    case "object":
      return "an object";
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "undefined":
      return "undefined";
    default:
      return typeof v;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function own(o: Record<string, unknown>, k: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

/**
 * Validates Microsoft's service-tag JSON and returns a normalised copy. Throws a plain
 * `Error` whose message names the source, where, and what is wrong, e.g.
 * `service tag file: values[12].properties.addressPrefixes[3]: "10.0.0.300/24" is not an IP prefix`.
 * Missing optional fields get the file format's defaults (`changeNumber` 0, `cloud` "Public",
 * `region` "", `networkFeatures` null). Prefixes with host bits set are accepted (zeroed).
 */
export function parseServiceTagFile(json: unknown, sourceName = "service tag file"): ServiceTagFile {
  const fail = (where: string, what: string): never => {
    throw new Error(where ? `${sourceName}: ${where}: ${what}` : `${sourceName}: ${what}`);
  };
  if (!isObject(json)) fail("", `expected a JSON object with "values", got ${kindOf(json)}`);
  const top = json as Record<string, unknown>;

  const num = (v: unknown, where: string, dflt: number): number => {
    if (v === undefined) return dflt;
    if (typeof v !== "number" || !Number.isFinite(v)) fail(where, `expected a number, got ${kindOf(v)}`);
    return v as number;
  };
  const str = (v: unknown, where: string, dflt: string | undefined): string => {
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== "string") fail(where, `expected a string, got ${kindOf(v)}`);
    return v as string;
  };

  const changeNumber = num(own(top, "changeNumber"), "changeNumber", 0);
  const cloud = str(own(top, "cloud"), "cloud", "Public");
  const rawValues = own(top, "values");
  if (rawValues === undefined) fail("", `missing "values" (the array of service tags)`);
  if (!Array.isArray(rawValues))
    fail("values", `expected an array of service tags, got ${kindOf(rawValues)}`);
  const list = rawValues as unknown[];

  const values: ServiceTagValue[] = [];
  const parsed: Prefix[][] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < list.length; i++) {
    const at = `values[${i}]`;
    const v = list[i];
    if (!isObject(v)) fail(at, `expected a service tag object, got ${kindOf(v)}`);
    const tag = v as Record<string, unknown>;
    const name = str(own(tag, "name"), `${at}.name`, undefined);
    if (name.trim() === "") fail(`${at}.name`, "the tag name is empty");
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined)
      fail(`${at}.name`, `duplicate tag name ${quote(name)} (first at values[${first}])`);
    seen.set(key, i);
    const id = str(own(tag, "id"), `${at}.id`, name);
    const rawProps = own(tag, "properties");
    if (!isObject(rawProps)) {
      fail(
        `${at}.properties`,
        rawProps === undefined ? "missing" : `expected an object, got ${kindOf(rawProps)}`,
      );
    }
    const p = rawProps as Record<string, unknown>;
    const pa = `${at}.properties`;
    const rawPrefixes = own(p, "addressPrefixes");
    if (rawPrefixes === undefined) fail(`${pa}.addressPrefixes`, "missing");
    if (!Array.isArray(rawPrefixes)) {
      fail(`${pa}.addressPrefixes`, `expected an array of prefixes, got ${kindOf(rawPrefixes)}`);
    }
    const texts = rawPrefixes as unknown[];
    const addressPrefixes: string[] = [];
    const prefixes: Prefix[] = [];
    for (let j = 0; j < texts.length; j++) {
      const t = texts[j];
      if (typeof t !== "string") fail(`${pa}.addressPrefixes[${j}]`, `expected a string, got ${kindOf(t)}`);
      const r = parsePrefixDetailed(t as string);
      if (!r.ok && r.reason === "format")
        fail(`${pa}.addressPrefixes[${j}]`, `${quote(t as string)} is not an IP prefix`);
      prefixes.push(r.ok ? r.prefix : (r as { normalized: Prefix }).normalized);
      addressPrefixes.push(t as string);
    }
    const rawFeatures = own(p, "networkFeatures");
    let networkFeatures: string[] | null = null;
    if (rawFeatures !== undefined && rawFeatures !== null) {
      if (!Array.isArray(rawFeatures)) {
        fail(`${pa}.networkFeatures`, `expected an array of strings or null, got ${kindOf(rawFeatures)}`);
      }
      networkFeatures = (rawFeatures as unknown[]).map((f, k) =>
        str(f, `${pa}.networkFeatures[${k}]`, undefined),
      );
    }
    values.push({
      name,
      id,
      properties: {
        changeNumber: num(own(p, "changeNumber"), `${pa}.changeNumber`, 0),
        region: str(own(p, "region"), `${pa}.region`, ""),
        regionId: num(own(p, "regionId"), `${pa}.regionId`, 0),
        platform: str(own(p, "platform"), `${pa}.platform`, ""),
        systemService: str(own(p, "systemService"), `${pa}.systemService`, ""),
        addressPrefixes,
        networkFeatures,
      },
    });
    parsed.push(prefixes);
  }

  const out: ServiceTagFile = { changeNumber, cloud, values };
  const synthetic = own(top, "lazuriteSynthetic");
  if (synthetic !== undefined) {
    if (typeof synthetic !== "boolean")
      fail("lazuriteSynthetic", `expected a boolean, got ${kindOf(synthetic)}`);
    out.lazuriteSynthetic = synthetic as boolean;
  }
  const note = own(top, "note");
  if (note !== undefined) out.note = str(note, "note", undefined);
  PARSED.set(out, parsed);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Catalog

export interface ServiceTag {
  readonly name: string;
  readonly id: string;
  /** "Storage" for "Storage.WestUS" (the part before the first dot). */
  readonly base: string;
  /** Programmatic region name (`westus`), or the file's code lower-cased when not a known region; "" for global tags. */
  readonly region: string;
  readonly regionId: number;
  readonly systemService: string;
  readonly networkFeatures: readonly string[] | null;
  /** Parsed prefixes, in file order (host bits zeroed). */
  readonly prefixes: readonly Prefix[];
  /** The prefixes as the file writes them. */
  readonly addressPrefixes: readonly string[];
}

function comparePrefix(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.base !== b.base) return a.base < b.base ? -1 : 1;
  return a.length - b.length;
}

function prefixKey(p: Prefix): string {
  return `${p.family}:${p.base.toString(16)}/${p.length}`;
}

/** 32-bit FNV-1a over the UTF-16 code units of `text`. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function asAddress(a: Address | string): Address | undefined {
  return typeof a === "string" ? tryParseAddress(a) : a;
}

function normRegion(region: string): string {
  return normalizeRegion(region) ?? region.trim().toLowerCase();
}

interface PickTable {
  prefixes: Prefix[];
  /** Cumulative usable-address counts (end-exclusive). */
  cumulative: number[];
  total: number;
}

/** A catalog's tags in one PrefixClassifier (see `ServiceTagCatalog.classification`). */
export interface TagClassification {
  readonly classifier: PrefixClassifier;
  /** The classifier's list index of a tag, by the tag's `prefixes` array. */
  indexOf(prefixes: readonly Prefix[]): number | undefined;
}

export class ServiceTagCatalog {
  readonly changeNumber: number;
  readonly cloud: string;
  /** True for Lazurite's generated catalog (prefixes are not Microsoft's). */
  readonly synthetic: boolean;
  readonly note: string | undefined;
  readonly tags: readonly ServiceTag[];

  private readonly byName = new Map<string, ServiceTag>();
  /** base (lower case) → regional tags of that base. */
  private readonly byBase = new Map<string, ServiceTag[]>();
  private readonly sets = new Map<string, PrefixSet>();
  private readonly regionTries = new Map<string, PrefixTrie<string>>();
  private readonly picks = new Map<string, PickTable>();
  private allTrie: PrefixTrie<number[]> | undefined;
  private azureSet: PrefixSet | undefined;
  private classified: TagClassification | undefined;

  private constructor(file: ServiceTagFile, parsed: Prefix[][]) {
    this.changeNumber = file.changeNumber;
    this.cloud = file.cloud;
    this.synthetic = file.lazuriteSynthetic === true;
    this.note = file.note;
    const tags: ServiceTag[] = [];
    file.values.forEach((v, i) => {
      const code = v.properties.region;
      const region = code === "" ? "" : (regionForServiceTagCode(code)?.name ?? code.trim().toLowerCase());
      const dot = v.name.indexOf(".");
      const tag: ServiceTag = Object.freeze({
        name: v.name,
        id: v.id,
        base: dot < 0 ? v.name : v.name.slice(0, dot),
        region,
        regionId: v.properties.regionId,
        systemService: v.properties.systemService,
        networkFeatures: v.properties.networkFeatures
          ? Object.freeze([...v.properties.networkFeatures])
          : null,
        prefixes: Object.freeze(parsed[i]!),
        addressPrefixes: Object.freeze([...v.properties.addressPrefixes]),
      });
      tags.push(tag);
      this.byName.set(tag.name.toLowerCase(), tag);
      if (dot >= 0) {
        const k = tag.base.toLowerCase();
        let list = this.byBase.get(k);
        if (!list) this.byBase.set(k, (list = []));
        list.push(tag);
      }
    });
    this.tags = Object.freeze(tags);
  }

  /** A catalog over a parsed file (files not produced by `parseServiceTagFile` are validated first). */
  static fromFile(file: ServiceTagFile): ServiceTagCatalog {
    let parsed = PARSED.get(file);
    if (!parsed) {
      file = parseServiceTagFile(file);
      parsed = PARSED.get(file)!;
    }
    return new ServiceTagCatalog(file, parsed);
  }

  /** Validates raw JSON (see `parseServiceTagFile`) and builds the catalog. */
  static fromJson(json: unknown, sourceName?: string): ServiceTagCatalog {
    return ServiceTagCatalog.fromFile(parseServiceTagFile(json, sourceName));
  }

  /**
   * Every tag's IPv4 prefixes in one classifier (built on first use): list i is `tags[i]`, and
   * `indexOf` finds a tag by its `prefixes` array (the frozen array this catalog hands out).
   */
  classification(): TagClassification {
    if (this.classified === undefined) {
      const index = new Map<readonly Prefix[], number>();
      this.tags.forEach((t, i) => index.set(t.prefixes, i));
      const classifier = new PrefixClassifier(this.tags.map((t) => t.prefixes));
      this.classified = { classifier, indexOf: (prefixes) => index.get(prefixes) };
    }
    return this.classified;
  }

  /** A tag by exact name, case-insensitively (`Storage.WestUS`, `storage.westus`). */
  get(name: string): ServiceTag | undefined {
    return typeof name === "string" ? this.byName.get(name.trim().toLowerCase()) : undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /**
   * Like `get`, and also accepts a regional form spelled with any region spelling:
   * `AzureCloud.WestUS`, `Storage.westus`, `Sql.germanywestcentral`, `AzureCloud.GermanyWestCentral`.
   */
  resolve(name: string): ServiceTag | undefined {
    const exact = this.get(name);
    if (exact || typeof name !== "string") return exact;
    const dot = name.indexOf(".");
    if (dot <= 0) return undefined;
    return this.regional(name.slice(0, dot), name.slice(dot + 1));
  }

  /** The regional tags of a base tag (`Storage` → Storage.WestUS, Storage.EastUS, …). */
  regionalTags(base: string): readonly ServiceTag[] {
    return this.byBase.get(base.trim().toLowerCase()) ?? [];
  }

  /**
   * The regional `base` tag for a region (any spelling): ("Storage", "westus") → Storage.WestUS.
   * When several tags share the region (Sql.EastUS2 and Sql.EastUS2Stage) the one named
   * `<base>.<RegionSuffix>` (or `<base>.<file code>`) wins.
   */
  regional(base: string, region: string): ServiceTag | undefined {
    const r = normRegion(region);
    const candidates = this.regionalTags(base).filter((t) => t.region === r);
    if (candidates.length <= 1) return candidates[0];
    const b = base.trim().toLowerCase();
    const names = [tagRegionSuffix(r), serviceTagCodeOf(r), r]
      .filter((s): s is string => s !== undefined)
      .map((s) => `${b}.${s.toLowerCase()}`);
    return (
      candidates.find((t) => names.includes(t.name.toLowerCase())) ??
      [...candidates].sort((x, y) => x.name.length - y.name.length || (x.name < y.name ? -1 : 1))[0]
    );
  }

  /** Regions that have a regional `base` tag. */
  regionsOf(base: string): string[] {
    return [...new Set(this.regionalTags(base).map((t) => t.region))];
  }

  /** The tag's prefixes as a set (memoized); undefined for an unknown tag. Accepts `resolve` spellings. */
  prefixSet(name: string): PrefixSet | undefined {
    const tag = this.resolve(name);
    if (!tag) return undefined;
    const k = tag.name.toLowerCase();
    let set = this.sets.get(k);
    if (!set) this.sets.set(k, (set = new PrefixSet(tag.prefixes)));
    return set;
  }

  /**
   * The prefixes an endpoint for `base` routes (SE-ROUTE-2, SE-DIAG-2): the union of the regional
   * tags for `locations`, or the global tag's prefixes when `locations` contains "*". Sorted
   * (IPv4 first, by address, then length) and de-duplicated. `family` keeps one address family.
   */
  servicePrefixes(base: string, locations: readonly string[], family?: 4 | 6): Prefix[] {
    const sources: (readonly Prefix[])[] = [];
    if (locations.some((l) => l.trim() === "*")) {
      const global = this.get(base);
      if (global) sources.push(global.prefixes);
      else for (const t of this.regionalTags(base)) sources.push(t.prefixes);
    } else {
      for (const l of locations) {
        const t = this.regional(base, l);
        if (t) sources.push(t.prefixes);
      }
    }
    const seen = new Set<string>();
    const out: Prefix[] = [];
    for (const list of sources) {
      for (const p of list) {
        if (family !== undefined && p.family !== family) continue;
        const k = prefixKey(p);
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(p);
      }
    }
    return out.sort(comparePrefix);
  }

  /** Names of every tag with a prefix containing `address`, sorted by name (one memoized trie). */
  tagsContaining(address: Address | string): string[] {
    const a = asAddress(address);
    if (!a) return [];
    const trie = this.trieOfAll();
    const hit = new Set<number>();
    for (const m of trie.matches(a)) for (const i of m.value) hit.add(i);
    return [...hit].map((i) => this.tags[i]!.name).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  }

  /** The region of the regional `base` tag containing `address` (longest match), if any. */
  serviceRegionOf(base: string, address: Address | string): string | undefined {
    const a = asAddress(address);
    if (!a) return undefined;
    return this.regionTrie(base).longestMatch(a);
  }

  /** True when `address` is inside any AzureCloud tag (Azure's own public space). */
  isAzureAddress(address: Address | string): boolean {
    const a = asAddress(address);
    if (!a) return false;
    if (!this.azureSet) {
      const set = new PrefixSet();
      for (const t of this.tags)
        if (t.base.toLowerCase() === "azurecloud") for (const p of t.prefixes) set.add(p);
      this.azureSet = set;
    }
    return this.azureSet.has(a);
  }

  /** The region of the `AzureCloud.<region>` tag containing `address`, if any. */
  azureRegionOf(address: Address | string): string | undefined {
    return this.serviceRegionOf("AzureCloud", address);
  }

  /**
   * A deterministic public IPv4 address inside the tag's prefixes, chosen by hashing `seed`
   * (FNV-1a): the same (tag, seed) always gives the same address. Prefixes are weighted by
   * size; the network and broadcast addresses of a /30 or larger prefix are never chosen.
   * Throws an Error for an unknown tag or a tag without public IPv4 prefixes.
   */
  pickAddress(tagName: string, seed: string): Address {
    const tag = this.resolve(tagName);
    if (!tag) throw new Error(`unknown service tag ${quote(textOf(tagName))}`);
    const table = this.pickTable(tag);
    if (table.total === 0) throw new Error(`service tag ${quote(tag.name)} has no public IPv4 prefix`);
    // Prefixes from the file are public, but a very short one could still span a non-public
    // block: re-draw (deterministically) until the address is public.
    for (let attempt = 0; attempt < 64; attempt++) {
      const salt = attempt === 0 ? "" : `\u0000${attempt}`;
      const hi = fnv1a(`${seed}${salt}`);
      const lo = fnv1a(`lazurite\u0000${seed}\u0000${tag.name.toLowerCase()}${salt}`);
      const n = (hi * 2 ** 21 + (lo >>> 11)) % table.total;
      // Binary search the prefix whose cumulative range holds n.
      let l = 0;
      let h = table.cumulative.length - 1;
      while (l < h) {
        const mid = (l + h) >>> 1;
        if (table.cumulative[mid]! > n) h = mid;
        else l = mid + 1;
      }
      const p = table.prefixes[l]!;
      const before = l === 0 ? 0 : table.cumulative[l - 1]!;
      const a = addressAt(p, n - before + (p.length <= 30 ? 1 : 0));
      if (isPublicAddress(a)) return a;
    }
    throw new Error(`service tag ${quote(tag.name)} has no public IPv4 address to pick`);
  }

  /** Formats `servicePrefixes` as strings (for ARM shapes). */
  servicePrefixStrings(base: string, locations: readonly string[], family?: 4 | 6): string[] {
    return this.servicePrefixes(base, locations, family).map(formatPrefix);
  }

  private trieOfAll(): PrefixTrie<number[]> {
    if (!this.allTrie) {
      const trie = new PrefixTrie<number[]>();
      this.tags.forEach((t, i) => {
        for (const p of t.prefixes) {
          trie.update(p, (prev) => {
            if (!prev) return [i];
            if (prev[prev.length - 1] !== i) prev.push(i);
            return prev;
          });
        }
      });
      this.allTrie = trie;
    }
    return this.allTrie;
  }

  private regionTrie(base: string): PrefixTrie<string> {
    const k = base.trim().toLowerCase();
    let trie = this.regionTries.get(k);
    if (!trie) {
      trie = new PrefixTrie<string>();
      for (const t of this.regionalTags(base)) {
        if (t.region === "") continue;
        for (const p of t.prefixes) if (trie.get(p) === undefined) trie.set(p, t.region);
      }
      this.regionTries.set(k, trie);
    }
    return trie;
  }

  private pickTable(tag: ServiceTag): PickTable {
    const k = tag.name.toLowerCase();
    let table = this.picks.get(k);
    if (!table) {
      const prefixes: Prefix[] = [];
      const cumulative: number[] = [];
      let total = 0;
      const seen = new Set<string>();
      for (const p of tag.prefixes) {
        if (p.family !== 4 || !isPublicAddress({ family: 4, value: p.base })) continue;
        const key = prefixKey(p);
        if (seen.has(key)) continue;
        seen.add(key);
        const size = 2 ** (32 - p.length);
        total += p.length <= 30 ? size - 2 : size;
        prefixes.push(p);
        cumulative.push(total);
      }
      this.picks.set(k, (table = { prefixes, cumulative, total }));
    }
    return table;
  }
}
