/**
 * Address side of NSG rules: what a `sourceAddressPrefix` / `destinationAddressPrefix` entry
 * means (`*`, CIDR, bare IP, a service tag, an application security group), the built-in tags
 * (`VirtualNetwork`, `Internet`, `AzureLoadBalancer` and their classic spellings), and the
 * per-context derived data (prefix sets per tag, the Internet expansion) memoised once per
 * `NsgContext` (SE-NSG-2).
 */
import type { Address, Prefix, Prefix4 } from "../model/ip.js";
import { isPublicAddress, parsePrefixLoose, rangeToPrefixesV4 } from "../model/ip.js";
import { PrefixSet } from "../model/prefix-trie.js";
import type { PrefixClassifier } from "../model/prefix-classifier.js";
import { idKey } from "../model/resource-id.js";
import type { NsgContext } from "./nsg.js";

export type BuiltinTag = "VirtualNetwork" | "Internet" | "AzureLoadBalancer";

/** One entry of a rule's address side, classified. */
export type AddressItem =
  | { kind: "any"; text: string }
  | { kind: "prefix"; text: string; prefix: Prefix }
  | { kind: "tag"; text: string; builtin?: BuiltinTag }
  | { kind: "asg"; id: string; key: string };

const BUILTIN: Record<string, BuiltinTag> = {
  virtualnetwork: "VirtualNetwork",
  virtual_network: "VirtualNetwork",
  internet: "Internet",
  azureloadbalancer: "AzureLoadBalancer",
  azure_loadbalancer: "AzureLoadBalancer",
};

/** The platform address behind the AzureLoadBalancer tag (health probes, DHCP, DNS). */
export const AZURE_LOAD_BALANCER_PREFIX: Prefix4 = { family: 4, base: 0xa83f8110, length: 32 }; // 168.63.129.16/32

/**
 * IPv4 space that is never public (mirrors the non-public list behind `isPublicAddress` in
 * src/model/ip.ts, which does not export it): 0/8, RFC 1918, CGNAT 100.64/10, loopback,
 * link-local, multicast + reserved 224/3.
 */
const NON_PUBLIC_V4: ReadonlyArray<readonly [number, number]> = [
  [0x00000000, 8],
  [0x0a000000, 8],
  [0x64400000, 10],
  [0x7f000000, 8],
  [0xa9fe0000, 16],
  [0xac100000, 12],
  [0xc0a80000, 16],
  [0xe0000000, 3],
];

/** Classifies one address entry as Azure reads it. Unparsable text that is not `*` is a tag name. */
export function classifyAddress(text: string): AddressItem {
  const s = text.trim();
  if (s === "*") return { kind: "any", text: s };
  const prefix = parsePrefixLoose(s);
  if (prefix) return { kind: "prefix", text: s, prefix };
  const builtin = BUILTIN[s.toLowerCase()];
  return builtin ? { kind: "tag", text: s, builtin } : { kind: "tag", text: s };
}

/** Every entry of one side of a rule: singular prefix, plural prefixes, then ASGs. */
export function addressItems(
  single: string | undefined,
  plural: readonly string[] | undefined,
  asgs: ReadonlyArray<{ id?: string }> | undefined,
): AddressItem[] {
  const out: AddressItem[] = [];
  if (typeof single === "string" && single.trim() !== "") out.push(classifyAddress(single));
  if (Array.isArray(plural)) {
    for (const t of plural) if (typeof t === "string" && t.trim() !== "") out.push(classifyAddress(t));
  }
  if (Array.isArray(asgs)) {
    for (const g of asgs)
      if (g && typeof g.id === "string" && g.id !== "") out.push({ kind: "asg", id: g.id, key: idKey(g.id) });
  }
  return out;
}

/** IPv4 public space minus the given prefixes, as the fewest CIDR blocks, in address order. */
export function internetV4Prefixes(virtualNetwork: readonly Prefix[]): Prefix4[] {
  const cut: Array<[number, number]> = NON_PUBLIC_V4.map(([b, l]) => [b, b + 2 ** (32 - l) - 1]);
  for (const p of virtualNetwork) if (p.family === 4) cut.push([p.base, p.base + 2 ** (32 - p.length) - 1]);
  cut.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Prefix4[] = [];
  let next = 0; // first address not yet covered by a cut or emitted
  for (const [s, e] of cut) {
    if (s > next) out.push(...rangeToPrefixesV4(next, s - 1));
    if (e + 1 > next) next = e + 1;
  }
  if (next <= 0xffffffff) out.push(...rangeToPrefixesV4(next, 0xffffffff));
  return out;
}

/** What the engine derives from a context once and reuses for every NSG compiled against it. */
export interface ContextData {
  readonly ctx: NsgContext;
  readonly vnetSet: PrefixSet;
  readonly internetV4: Prefix4[];
  /** Internet for IPv4 as a set; IPv6 is checked as "public (2000::/3) and not VirtualNetwork". */
  readonly internetV4Set: PrefixSet;
  /** Prefixes of a tag as written (undefined: unknown tag). */
  tagPrefixes(item: { text: string; builtin?: BuiltinTag }): Prefix[] | undefined;
  /** The catalog's tag classifier, when the context's resolver offers one. */
  readonly classifier: PrefixClassifier | null;
  /** A catalog tag's list index in `classifier` (-1: built-in, unknown, or no classifier). */
  tagBit(item: { text: string; builtin?: BuiltinTag }): number;
  /** A shared prefix set for a non-Internet tag (undefined: unknown tag). */
  tagSet(item: { text: string; builtin?: BuiltinTag }): PrefixSet | undefined;
  isInternet(a: Address): boolean;
}

const cache = new WeakMap<NsgContext, ContextData>();

/**
 * One prefix set per tag prefix list, shared by every context: a catalog tag's prefixes are a
 * frozen array owned by the catalog, so `AzureCloud` (thousands of prefixes) is indexed once,
 * not once per VNet. Only `VirtualNetwork` and `Internet` depend on the context.
 */
const sharedSets = new WeakMap<readonly Prefix[], PrefixSet>();

function sharedSetOf(prefixes: readonly Prefix[]): PrefixSet {
  let s = sharedSets.get(prefixes);
  if (s === undefined) {
    s = new PrefixSet(prefixes);
    sharedSets.set(prefixes, s);
  }
  return s;
}

const AZURE_LOAD_BALANCER_PREFIXES: readonly Prefix[] = Object.freeze([AZURE_LOAD_BALANCER_PREFIX]);

/** Derived data for a context (memoised; the context is treated as immutable). */
export function contextData(ctx: NsgContext): ContextData {
  const hit = cache.get(ctx);
  if (hit) return hit;
  const vnet = ctx.virtualNetworkPrefixes ?? [];
  const vnetSet = new PrefixSet(vnet);
  const internetV4 = internetV4Prefixes(vnet);
  const internetV4Set = new PrefixSet(internetV4);
  const sets = new Map<string, PrefixSet | null>();
  const classification = ctx.tags.classification?.();
  const tagPrefixes = (item: { text: string; builtin?: BuiltinTag }): Prefix[] | undefined => {
    switch (item.builtin) {
      case "VirtualNetwork":
        return [...vnet];
      case "AzureLoadBalancer":
        return [AZURE_LOAD_BALANCER_PREFIX];
      case "Internet":
        return [...internetV4];
      default:
        return ctx.tags.prefixes(item.text);
    }
  };
  const data: ContextData = {
    ctx,
    vnetSet,
    internetV4,
    internetV4Set,
    tagPrefixes,
    classifier: classification?.classifier ?? null,
    tagBit(item) {
      if (item.builtin !== undefined || classification === undefined) return -1;
      const ps = ctx.tags.prefixes(item.text);
      return ps ? (classification.indexOf(ps) ?? -1) : -1;
    },
    tagSet(item) {
      if (item.builtin === "VirtualNetwork") return vnetSet;
      const key = item.builtin ?? item.text.toLowerCase();
      let s = sets.get(key);
      if (s === undefined) {
        if (item.builtin === "Internet") s = internetV4Set;
        else if (item.builtin === "AzureLoadBalancer") s = sharedSetOf(AZURE_LOAD_BALANCER_PREFIXES);
        else {
          // The resolver's own array when it returns a stable one (the catalog's frozen list).
          const ps = ctx.tags.prefixes(item.text);
          s = ps ? sharedSetOf(ps) : null;
        }
        sets.set(key, s);
      }
      return s ?? undefined;
    },
    isInternet(a) {
      return a.family === 4 ? internetV4Set.has(a) : isPublicAddress(a) && !vnetSet.has(a);
    },
  };
  cache.set(ctx, data);
  return data;
}
