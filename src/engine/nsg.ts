/**
 * Network security group evaluation (SE-NSG-1..3) and Azure's effective-security-rule output.
 *
 * An NSG is compiled once per context into two arrays of precompiled rules (inbound,
 * outbound): user rules by ascending priority, then the default rules. Evaluation walks the
 * array and returns the first rule that matches, checking the cheap fields first (protocol
 * bit, port intervals, then addresses: a single IPv4 CIDR is one mask compare, anything else
 * a shared PrefixSet). Pure: no I/O, no clock.
 *
 * Semantics chosen where Azure is silent or the API leaves room (see docs on each helper):
 * - protocol `*` matches every protocol; `Tcp`/`Udp`/`Icmp` (any case) only themselves;
 *   `Esp`/`Ah` never match a Tcp/Udp/Icmp packet; an unknown protocol matches nothing.
 * - ports: the singular range and the plural ranges of a side are a union; a side with none
 *   means any port. ICMP has no ports: a rule restricting either port never matches ICMP.
 * - addresses: the singular prefix, plural prefixes and application security groups of a side
 *   are a union; a side with none means any address. `*` matches IPv4 and IPv6, `0.0.0.0/0`
 *   only IPv4. An unknown tag matches nothing.
 */
import type { Address, Prefix } from "../model/ip.js";
import { maskV4 } from "../model/ip.js";
import { PrefixSet } from "../model/prefix-trie.js";
import { allocInt32 } from "./slab.js";
import type { PrefixClassifier } from "../model/prefix-classifier.js";
import type { TagClassification } from "../model/catalog/service-tags.js";
import type { NetworkSecurityGroup, SecurityRule } from "../model/resources/network-security-group.js";
import { defaultSecurityRules } from "../model/resources/network-security-group.js";
import type { AddressItem, ContextData } from "./nsg-address.js";
import { addressItems, contextData } from "./nsg-address.js";

export { effectiveSecurityRules, effectiveNetworkSecurityGroupsFor } from "./nsg-effective.js";
export type {
  EffectiveNetworkSecurityRule,
  EffectiveNetworkSecurityGroup,
  EffectiveNetworkSecurityGroupListResult,
} from "./nsg-effective.js";
import { textOf } from "../model/errors.js";

/** Resolves a service tag (`Storage`, `Sql.EastUS`, …) to its prefixes; undefined = unknown tag. */
export interface TagResolver {
  prefixes(tag: string): Prefix[] | undefined;
  /**
   * Optional: the catalog's tags in one classifier, so that a packet's address is classified
   * once and each IPv4 tag check is a bit test. `indexOf` takes the array `prefixes` returned.
   */
  classification?(): TagClassification;
}

export interface NsgContext {
  tags: TagResolver;
  /**
   * Prefixes of the VirtualNetwork tag as seen from the NIC's VNet: its address space + peered
   * VNets' spaces + on-premises spaces connected through gateways.
   */
  virtualNetworkPrefixes: Prefix[];
  /**
   * Optional: the addresses of the NIC ip configurations in an application security group
   * (lower-cased id), used only to fill `expanded*AddressPrefix` of ASG rules in the effective
   * view. Evaluation matches ASGs through `Packet.sourceAsgs` / `destinationAsgs`.
   */
  applicationSecurityGroupPrefixes?: (asgKey: string) => Prefix[] | undefined;
}

export type NsgDirection = "Inbound" | "Outbound";
export type NsgProtocol = "Tcp" | "Udp" | "Icmp";
export type NsgAccess = "Allow" | "Deny";

export interface Packet {
  direction: NsgDirection;
  protocol: NsgProtocol;
  source: Address;
  sourcePort: number;
  destination: Address;
  destinationPort: number;
  /** Application security group ids of the source / destination NIC ip configuration (lower-cased, `idKey`). */
  sourceAsgs?: ReadonlySet<string>;
  destinationAsgs?: ReadonlySet<string>;
}

export interface NsgVerdict {
  readonly access: NsgAccess;
  /** `securityRules/<name>` or `defaultSecurityRules/<name>` (ipFlowVerify's `ruleName`). */
  readonly ruleName: string;
  readonly ruleId: string;
  readonly priority: number;
}

export interface CompiledNsg {
  readonly id: string;
  evaluate(p: Packet): NsgVerdict;
}

// ---------------------------------------------------------------------------------------------
// Rule normalisation shared by evaluation and the effective view.

/** A security rule read leniently, with the list it came from. */
export interface RuleView {
  readonly rule: SecurityRule;
  readonly isDefault: boolean;
  readonly name: string;
  readonly id: string;
  readonly direction: NsgDirection;
  readonly access: NsgAccess;
  readonly priority: number;
  /** Position in its source list (stable tie-break). */
  readonly index: number;
}

function ruleName(rule: SecurityRule): string {
  if (typeof rule.name === "string" && rule.name !== "") return rule.name;
  const id = typeof rule.id === "string" ? rule.id : "";
  return id.slice(id.lastIndexOf("/") + 1);
}

function normDirection(v: unknown): NsgDirection | undefined {
  const s = typeof v === "string" ? v.toLowerCase() : "";
  return s === "inbound" ? "Inbound" : s === "outbound" ? "Outbound" : undefined;
}

function normAccess(v: unknown): NsgAccess | undefined {
  const s = typeof v === "string" ? v.toLowerCase() : "";
  return s === "allow" ? "Allow" : s === "deny" ? "Deny" : undefined;
}

function viewOf(nsgId: string, rule: SecurityRule, isDefault: boolean, index: number): RuleView | undefined {
  const p = rule?.properties;
  if (!p) return undefined;
  const direction = normDirection(p.direction);
  const access = normAccess(p.access);
  if (!direction || !access) return undefined;
  const name = ruleName(rule);
  const pr = typeof p.priority === "number" || typeof p.priority === "string" ? Number(p.priority) : NaN;
  const id =
    typeof rule.id === "string" && rule.id !== ""
      ? rule.id
      : `${nsgId}/${isDefault ? "defaultSecurityRules" : "securityRules"}/${name}`;
  return {
    rule,
    isDefault,
    name,
    id,
    direction,
    access,
    priority: Number.isFinite(pr) ? pr : Number.MAX_SAFE_INTEGER,
    index,
  };
}

/**
 * The NSG's rules in evaluation order: user rules by ascending priority, then the default rules
 * (the NSG's own `defaultSecurityRules`, or Azure's six when it lists none), by priority.
 * Inbound rules first, then outbound. Rules with an unreadable direction or access are skipped.
 */
export function orderedRules(nsg: NetworkSecurityGroup): RuleView[] {
  const props = nsg.properties ?? {};
  const user = Array.isArray(props.securityRules) ? props.securityRules : [];
  const listed = Array.isArray(props.defaultSecurityRules) ? props.defaultSecurityRules : [];
  const defaults = listed.length > 0 ? listed : defaultSecurityRules(nsg.id);
  const views = (rules: SecurityRule[], isDefault: boolean): RuleView[] =>
    rules.map((r, i) => viewOf(nsg.id, r, isDefault, i)).filter((v): v is RuleView => v !== undefined);
  const byPriority = (a: RuleView, b: RuleView): number => a.priority - b.priority || a.index - b.index;
  const out: RuleView[] = [];
  for (const dir of ["Inbound", "Outbound"] as const) {
    out.push(
      ...views(user, false)
        .filter((v) => v.direction === dir)
        .sort(byPriority),
    );
    out.push(
      ...views(defaults, true)
        .filter((v) => v.direction === dir)
        .sort(byPriority),
    );
  }
  return out;
}

/** The text entries of one side's ports: singular, then plural; empty when the rule names none. */
export function portEntries(single: unknown, plural: unknown): string[] {
  const out: string[] = [];
  if (typeof single === "string" && single.trim() !== "") out.push(single.trim());
  if (Array.isArray(plural))
    for (const t of plural) if (typeof t === "string" && t.trim() !== "") out.push(t.trim());
  return out;
}

/** Parses `*`, `80`, `1000-2000` into an inclusive interval; undefined when malformed. */
export function parsePortRange(text: string): [number, number] | undefined {
  const s = text.trim();
  if (s === "*") return [0, 65535];
  let m = /^(\d{1,5})$/.exec(s);
  if (m) {
    const n = Number(m[1]);
    return n <= 65535 ? [n, n] : undefined;
  }
  m = /^(\d{1,5})\s*-\s*(\d{1,5})$/.exec(s);
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    return lo <= hi && hi <= 65535 ? [lo, hi] : undefined;
  }
  return undefined;
}

/** Address entries of a rule side (singular prefix, plural prefixes, ASGs). */
export function sideItems(rule: SecurityRule, side: "source" | "destination"): AddressItem[] {
  const p = rule.properties;
  return side === "source"
    ? addressItems(p.sourceAddressPrefix, p.sourceAddressPrefixes, p.sourceApplicationSecurityGroups)
    : addressItems(
        p.destinationAddressPrefix,
        p.destinationAddressPrefixes,
        p.destinationApplicationSecurityGroups,
      );
}

// ---------------------------------------------------------------------------------------------
// Compilation.

const P_TCP = 1;
const P_UDP = 2;
const P_ICMP = 4;
const P_ESP = 8;
const P_AH = 16;
const P_OTHER = 1 << 30;
const P_ALL = 0x7fffffff;

const RULE_PROTOCOL: Record<string, number> = {
  "*": P_ALL,
  tcp: P_TCP,
  udp: P_UDP,
  icmp: P_ICMP,
  esp: P_ESP,
  ah: P_AH,
};
const PACKET_PROTOCOL: Record<string, number> = {
  Tcp: P_TCP,
  Udp: P_UDP,
  Icmp: P_ICMP,
  TCP: P_TCP,
  UDP: P_UDP,
  ICMP: P_ICMP,
  tcp: P_TCP,
  udp: P_UDP,
  icmp: P_ICMP,
};

const A_ANY = 0;
const A_NONE = 1;
const A_CIDR4 = 2;
const A_SET = 3;

interface AddrMatcher {
  readonly kind: number;
  readonly base: number;
  readonly mask: number;
  readonly set: PrefixSet | null;
  /** Several sets (a side naming tags and prefixes): the address matches when any contains it. */
  readonly sets: readonly PrefixSet[] | null;
  /** Also match IPv6 Internet (IPv4 Internet is folded into `set`). */
  readonly internet6: boolean;
  readonly asgs: readonly string[] | null;
  /** IPv4 through the context's tag classifier: these tags' bits, then the sets it does not cover. */
  readonly cls: PrefixClassifier | null;
  readonly bits: Int32Array | null;
  readonly rest4: readonly PrefixSet[] | null;
}

interface CompiledRule {
  readonly protoMask: number;
  readonly sAny: boolean;
  readonly sLo: number;
  readonly sHi: number;
  /** Flattened [lo, hi, lo, hi, …] when the side has several intervals; null otherwise. */
  readonly sRanges: Int32Array | null;
  readonly dAny: boolean;
  readonly dLo: number;
  readonly dHi: number;
  readonly dRanges: Int32Array | null;
  readonly src: AddrMatcher;
  readonly dst: AddrMatcher;
  readonly verdict: NsgVerdict;
}

const ANY_MATCHER: AddrMatcher = {
  kind: A_ANY,
  base: 0,
  mask: 0,
  set: null,
  sets: null,
  internet6: false,
  asgs: null,
  cls: null,
  bits: null,
  rest4: null,
};
const NONE_MATCHER: AddrMatcher = {
  kind: A_NONE,
  base: 0,
  mask: 0,
  set: null,
  sets: null,
  internet6: false,
  asgs: null,
  cls: null,
  bits: null,
  rest4: null,
};

function compilePorts(entries: string[]): {
  any: boolean;
  lo: number;
  hi: number;
  ranges: Int32Array | null;
} {
  if (entries.length === 0) return { any: true, lo: 0, hi: 65535, ranges: null };
  const iv: Array<[number, number]> = [];
  for (const e of entries) {
    const r = parsePortRange(e);
    if (r) iv.push(r);
  }
  iv.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of iv) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  if (merged.length === 1 && merged[0]![0] === 0 && merged[0]![1] === 65535)
    return { any: true, lo: 0, hi: 65535, ranges: null };
  // No valid interval: lo > hi never matches.
  if (merged.length === 0) return { any: false, lo: 1, hi: 0, ranges: null };
  if (merged.length === 1) return { any: false, lo: merged[0]![0], hi: merged[0]![1], ranges: null };
  return { any: false, lo: 0, hi: 0, ranges: Int32Array.from(merged.flat()) };
}

const singleSetMatchers = new WeakMap<PrefixSet, AddrMatcher>();
const singleTagMatchers = new WeakMap<PrefixClassifier, Map<number, AddrMatcher>>();

function compileAddress(items: AddressItem[], data: ContextData): AddrMatcher {
  if (items.length === 0) return ANY_MATCHER;
  if (items.some((i) => i.kind === "any")) return ANY_MATCHER;
  const literal: Prefix[] = [];
  const asgs: string[] = [];
  const tagSets: PrefixSet[] = [];
  /** Tags the classifier answers for IPv4, with their sets (still used for IPv6). */
  const bits: number[] = [];
  const classified: PrefixSet[] = [];
  let internet = false;
  for (const it of items) {
    if (it.kind === "prefix") {
      literal.push(it.prefix);
    } else if (it.kind === "asg") {
      asgs.push(it.key);
    } else if (it.kind === "tag") {
      // Tags resolve to sets shared by every rule and context (unknown tag: matches nothing).
      const set = data.tagSet(it);
      if (set === undefined) continue;
      if (it.builtin === "Internet") internet = true;
      if (!tagSets.includes(set)) tagSets.push(set);
      const bit = data.tagBit(it);
      if (bit >= 0 && !bits.includes(bit)) {
        bits.push(bit);
        classified.push(set);
      }
    }
  }
  const asgList = asgs.length > 0 ? asgs : null;
  if (literal.length === 0 && tagSets.length === 0 && asgList === null) return NONE_MATCHER;
  if (tagSets.length === 0 && asgList === null && literal.length === 1 && literal[0]!.family === 4) {
    const p = literal[0]!;
    return {
      kind: A_CIDR4,
      base: p.base,
      mask: maskV4(p.length),
      set: null,
      sets: null,
      internet6: false,
      asgs: null,
      cls: null,
      bits: null,
      rest4: null,
    };
  }
  const sets = literal.length > 0 ? [new PrefixSet(literal), ...tagSets] : tagSets;
  const cls = bits.length > 0 ? data.classifier : null;
  const rest = cls !== null ? sets.filter((x) => !classified.includes(x)) : [];
  const matcher = (): AddrMatcher => ({
    kind: A_SET,
    base: 0,
    mask: 0,
    set: sets.length === 1 ? sets[0]! : null,
    sets: sets.length > 1 ? sets : null,
    internet6: internet,
    asgs: asgList,
    cls,
    bits: cls !== null ? Int32Array.from(bits) : null,
    rest4: rest.length > 0 ? rest : null,
  });
  if (sets.length === 1 && asgList === null && !internet) {
    // One shared set (a tag): one shared matcher, warm in cache for every rule that names it.
    if (cls !== null) {
      let byBit = singleTagMatchers.get(cls);
      if (byBit === undefined) singleTagMatchers.set(cls, (byBit = new Map()));
      let m = byBit.get(bits[0]!);
      if (m === undefined) byBit.set(bits[0]!, (m = matcher()));
      return m;
    }
    let m = singleSetMatchers.get(sets[0]!);
    if (m === undefined) singleSetMatchers.set(sets[0]!, (m = matcher()));
    return m;
  }
  return matcher();
}

function compileRule(v: RuleView, data: ContextData): CompiledRule {
  const p = v.rule.properties;
  const proto = RULE_PROTOCOL[textOf(p.protocol ?? "").toLowerCase()] ?? 0;
  const sp = compilePorts(portEntries(p.sourcePortRange, p.sourcePortRanges));
  const dp = compilePorts(portEntries(p.destinationPortRange, p.destinationPortRanges));
  const verdict: NsgVerdict = Object.freeze({
    access: v.access,
    ruleName: `${v.isDefault ? "defaultSecurityRules" : "securityRules"}/${v.name}`,
    ruleId: v.id,
    priority: v.priority,
  });
  return {
    protoMask: proto,
    sAny: sp.any,
    sLo: sp.lo,
    sHi: sp.hi,
    sRanges: sp.ranges,
    dAny: dp.any,
    dLo: dp.lo,
    dHi: dp.hi,
    dRanges: dp.ranges,
    src: compileAddress(sideItems(v.rule, "source"), data),
    dst: compileAddress(sideItems(v.rule, "destination"), data),
    verdict,
  };
}

function inRanges(r: Int32Array, port: number): boolean {
  for (let i = 0; i < r.length; i += 2) if (port >= r[i]! && port <= r[i + 1]!) return true;
  return false;
}

/**
 * Does the matcher's side contain the address? `row` is the address's row in the context's tag
 * classifier (computed by the caller for IPv4 when a matcher has one; -1 otherwise).
 */
function matchAddress(
  m: AddrMatcher,
  a: Address,
  asgs: ReadonlySet<string> | undefined,
  data: ContextData,
  row: number,
): boolean {
  switch (m.kind) {
    case A_ANY:
      return true;
    case A_CIDR4:
      return a.family === 4 && (a.value & m.mask) >>> 0 === m.base;
    case A_SET: {
      if (m.cls !== null && a.family === 4 && row >= 0) {
        const bits = m.bits!;
        const words = m.cls.bits;
        for (let i = 0; i < bits.length; i++) {
          const b = bits[i]!;
          if (((words[row + (b >>> 5)]! >>> (b & 31)) & 1) !== 0) return true;
        }
        const rest = m.rest4;
        if (rest !== null) for (let i = 0; i < rest.length; i++) if (rest[i]!.has(a)) return true;
      } else {
        if (m.set !== null && m.set.has(a)) return true;
        const sets = m.sets;
        if (sets !== null) {
          for (let i = 0; i < sets.length; i++) if (sets[i]!.has(a)) return true;
        }
      }
      if (m.internet6 && a.family === 6 && data.isInternet(a)) return true;
      const list = m.asgs;
      if (list !== null && asgs !== undefined) {
        for (let i = 0; i < list.length; i++) if (asgs.has(list[i]!)) return true;
      }
      return false;
    }
    default:
      return false;
  }
}

function fallbackVerdict(nsgId: string, direction: NsgDirection): NsgVerdict {
  const name = direction === "Inbound" ? "DenyAllInBound" : "DenyAllOutBound";
  return Object.freeze({
    access: "Deny",
    ruleName: `defaultSecurityRules/${name}`,
    ruleId: `${nsgId}/defaultSecurityRules/${name}`,
    priority: 65500,
  });
}

/**
 * One direction's rules in evaluation order, one row of `STRIDE` ints per rule (array of
 * structs) in a shared slab (src/engine/slab.ts): a scan reads one contiguous run, two rules
 * per cache line, and single-CIDR address sides are compared in place. Row layout:
 * protocol mask, flags | destination kind << 4 | source kind << 6, destination ports
 * (lo | hi << 16), source ports, then per side either CIDR4 base and mask or the index of its
 * matcher in `objs`. `objs` holds the verdicts first (`objs[i]` is rule i's), then the
 * matchers the rows point at: one small array serves both the scan and the hit.
 */
const STRIDE = 8;
const K_SHIFT_D = 4;
const K_SHIFT_S = 6;

class RuleTable {
  readonly n: number;
  private readonly buf: Int32Array;
  private readonly off: number;
  /** Verdicts (0 … n-1), then the address matchers the rows point at. */
  private readonly objs: Array<NsgVerdict | AddrMatcher>;
  private readonly dRanges: Array<Int32Array | null> | null;
  private readonly sRanges: Array<Int32Array | null> | null;

  constructor(rules: CompiledRule[]) {
    const n = rules.length;
    this.n = n;
    const run = allocInt32(n * STRIDE);
    this.buf = run.buf;
    this.off = run.off;
    const objs: Array<NsgVerdict | AddrMatcher> = rules.map((r) => r.verdict);
    const slot = (m: AddrMatcher): number => {
      let k = objs.indexOf(m, n);
      if (k < 0) k = objs.push(m) - 1;
      return k;
    };
    this.dRanges = rules.some((r) => r.dRanges) ? rules.map((r) => r.dRanges) : null;
    this.sRanges = rules.some((r) => r.sRanges) ? rules.map((r) => r.sRanges) : null;
    const t = this.buf;
    rules.forEach((r, i) => {
      const o = this.off + i * STRIDE;
      t[o] = r.protoMask;
      t[o + 1] =
        (r.dAny ? F_D_ANY : 0) |
        (r.sAny ? F_S_ANY : 0) |
        (r.dRanges ? F_D_RANGES : 0) |
        (r.sRanges ? F_S_RANGES : 0) |
        (r.dst.kind << K_SHIFT_D) |
        (r.src.kind << K_SHIFT_S);
      t[o + 2] = r.dLo | (r.dHi << 16);
      t[o + 3] = r.sLo | (r.sHi << 16);
      if (r.dst.kind === A_CIDR4) {
        t[o + 4] = r.dst.base | 0;
        t[o + 5] = r.dst.mask | 0;
      } else if (r.dst.kind !== A_ANY) t[o + 4] = slot(r.dst);
      if (r.src.kind === A_CIDR4) {
        t[o + 6] = r.src.base | 0;
        t[o + 7] = r.src.mask | 0;
      } else if (r.src.kind !== A_ANY) t[o + 6] = slot(r.src);
    });
    this.objs = objs;
  }

  /** The first rule matching the packet, or undefined. */
  first(p: Packet, data: ContextData): NsgVerdict | undefined {
    const bit = PACKET_PROTOCOL[p.protocol] ?? P_OTHER;
    const portless = bit === P_ICMP;
    const sp = p.sourcePort;
    const dp = p.destinationPort;
    const src = p.source;
    const dst = p.destination;
    const sv = src.family === 4 ? src.value | 0 : 0;
    const dv = dst.family === 4 ? dst.value | 0 : 0;
    const t = this.buf;
    const end = this.off + this.n * STRIDE;
    // Rows of the addresses in the context's tag classifier, found on the first tag check.
    let dRow = -1;
    let sRow = -1;
    for (let o = this.off; o < end; o += STRIDE) {
      if ((t[o]! & bit) === 0) continue;
      const f = t[o + 1]!;
      if ((f & F_D_ANY) === 0) {
        if (portless) continue;
        if ((f & F_D_RANGES) !== 0) {
          if (!inRanges(this.dRanges![(o - this.off) / STRIDE]!, dp)) continue;
        } else {
          const w = t[o + 2]!;
          if (dp < (w & 0xffff) || dp > w >>> 16) continue;
        }
      }
      if ((f & F_S_ANY) === 0) {
        if (portless) continue;
        if ((f & F_S_RANGES) !== 0) {
          if (!inRanges(this.sRanges![(o - this.off) / STRIDE]!, sp)) continue;
        } else {
          const w = t[o + 3]!;
          if (sp < (w & 0xffff) || sp > w >>> 16) continue;
        }
      }
      const dk = (f >>> K_SHIFT_D) & 3;
      if (dk === A_CIDR4) {
        if (dst.family !== 4 || (dv & t[o + 5]!) !== t[o + 4]) continue;
      } else if (dk !== A_ANY) {
        const m = this.objs[t[o + 4]!] as AddrMatcher;
        if (dRow < 0 && m.cls !== null && dst.family === 4) dRow = m.cls.row(dst.value);
        if (!matchAddress(m, dst, p.destinationAsgs, data, dRow)) continue;
      }
      const sk = (f >>> K_SHIFT_S) & 3;
      if (sk === A_CIDR4) {
        if (src.family !== 4 || (sv & t[o + 7]!) !== t[o + 6]) continue;
      } else if (sk !== A_ANY) {
        const m = this.objs[t[o + 6]!] as AddrMatcher;
        if (sRow < 0 && m.cls !== null && src.family === 4) sRow = m.cls.row(src.value);
        if (!matchAddress(m, src, p.sourceAsgs, data, sRow)) continue;
      }
      return this.objs[(o - this.off) / STRIDE] as NsgVerdict;
    }
    return undefined;
  }
}

const F_D_ANY = 1;
const F_S_ANY = 2;
const F_D_RANGES = 4;
const F_S_RANGES = 8;

/** A compiled NSG: both directions' tables on one object (one hop from the memo slot). */
class CompiledNsgImpl implements CompiledNsg {
  constructor(
    readonly id: string,
    private readonly data: ContextData,
    private readonly outTable: RuleTable,
    private readonly inTable: RuleTable,
    private readonly outFallback: NsgVerdict,
    private readonly inFallback: NsgVerdict,
  ) {}

  evaluate(p: Packet): NsgVerdict {
    return p.direction === "Inbound"
      ? (this.inTable.first(p, this.data) ?? this.inFallback)
      : (this.outTable.first(p, this.data) ?? this.outFallback);
  }
}

/**
 * Compiles an NSG for fast evaluation (SE-NSG-1, SE-NSG-2). The context is treated as
 * immutable: tag prefix sets and the Internet expansion are derived once per context object
 * and shared by every NSG compiled against it.
 */
export function compileNsg(nsg: NetworkSecurityGroup, ctx: NsgContext): CompiledNsg {
  const data = contextData(ctx);
  const inbound: CompiledRule[] = [];
  const outbound: CompiledRule[] = [];
  for (const v of orderedRules(nsg))
    (v.direction === "Inbound" ? inbound : outbound).push(compileRule(v, data));
  return new CompiledNsgImpl(
    nsg.id,
    data,
    new RuleTable(outbound),
    new RuleTable(inbound),
    fallbackVerdict(nsg.id, "Outbound"),
    fallbackVerdict(nsg.id, "Inbound"),
  );
}

/**
 * The order in which the NSGs on a NIC's path are consulted (SE-NSG-1): inbound subnet → NIC,
 * outbound NIC → subnet. Absent NSGs are left out (an absent NSG filters nothing).
 */
export function orderForDirection<T>(
  direction: NsgDirection,
  subnetNsg?: T,
  nicNsg?: T,
): Array<{ where: "subnet" | "nic"; nsg: T }> {
  const out: Array<{ where: "subnet" | "nic"; nsg: T }> = [];
  const subnet =
    subnetNsg !== undefined && subnetNsg !== null ? { where: "subnet" as const, nsg: subnetNsg } : undefined;
  const nic = nicNsg !== undefined && nicNsg !== null ? { where: "nic" as const, nsg: nicNsg } : undefined;
  const first = direction === "Inbound" ? subnet : nic;
  const second = direction === "Inbound" ? nic : subnet;
  if (first) out.push(first);
  if (second) out.push(second);
  return out;
}

export interface NsgCheck {
  where: "subnet" | "nic";
  nsgId: string;
  verdict: NsgVerdict;
}

export interface NsgPathResult {
  access: NsgAccess;
  /** The NSGs consulted, in order; evaluation stops at the first Deny. Empty when none is attached. */
  checks: NsgCheck[];
}

/** Evaluates the subnet and NIC NSGs of a packet's NIC in Azure's order; both must allow (SE-NSG-1). */
export function evaluateNsgPath(p: Packet, subnetNsg?: CompiledNsg, nicNsg?: CompiledNsg): NsgPathResult {
  const checks: NsgCheck[] = [];
  for (const { where, nsg } of orderForDirection(p.direction, subnetNsg, nicNsg)) {
    const verdict = nsg.evaluate(p);
    checks.push({ where, nsgId: nsg.id, verdict });
    if (verdict.access === "Deny") return { access: "Deny", checks };
  }
  return { access: "Allow", checks };
}
