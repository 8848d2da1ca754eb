/**
 * The decision every service firewall shares (SE-ACL-1, 5, 7, 8; SE-SRC-2, 3; SE-ONP-1, 2).
 * Each service module describes its resource as a `FirewallPolicy` (is it locked, which VNet
 * rules, IP rules and exceptions it has, how it refuses, how to fix a refusal); `decide` applies
 * the one rule:
 *
 *   allowed ⇔ not locked
 *           ∨ (over an endpoint ∧ some VNet rule names the caller's subnet ∧ that rule is not stale
 *              ∧ the subnet currently carries the endpoint)
 *           ∨ (not over an endpoint ∧ the source is public ∧ IP rules may match it ∧ some IP rule contains it)
 *           ∨ some service exception applies.
 *
 * A private source never matches an IP rule (SE-ACL-5, SE-SRC-2): with an endpoint the service
 * sees the private address, so rules for the subnet's public addresses stop matching (SE-SRC-3).
 */
import type { Address } from "../../model/ip.js";
import { formatAddress, isPublicAddress, parsePrefixDetailed, tryParseAddress } from "../../model/ip.js";
import { childLabel, idKey } from "../../model/resource-id.js";
import type { ServiceError } from "../types.js";
import type { FirewallFix, FirewallInput, FirewallResult } from "./types.js";

export interface VnetRuleView {
  /** The rule as the API names it: `networkAcls.virtualNetworkRules[0]`, `virtualNetworkRules/rule1`. */
  rule: string;
  subnetId: string;
  /** Set when the rule's stored state says it is stale (`networkSourceDeleted`, `Deleting`, …). */
  staleState?: string;
}

/** An IP rule: an inclusive address interval, read once when the policy is compiled. */
export interface IpRuleView {
  rule: string;
  /** The rule's text for people: `203.0.113.0/24`, `1.2.3.4-1.2.3.9`. */
  text: string;
  family: 4 | 6;
  /** First and last address of the interval (numbers for IPv4, bigints for IPv6). */
  lo: number | bigint;
  hi: number | bigint;
}

export interface ExceptionView {
  rule: string;
  /** Does the exception admit this request? */
  applies(input: FirewallInput): boolean;
  /** Why it admits, for the detail sentence. */
  detail(input: FirewallInput): string;
}

/**
 * A service firewall compiled from one resource (and its child rule resources): everything that
 * does not depend on the request. Built once per resource by the engine (`compileFirewall`);
 * what depends on the request (exceptions, the refusal text) is a function of the input.
 */
export interface FirewallPolicy {
  /** For people: `storage account 'acct'`. */
  label: string;
  /** Endpoint service of the resource's VNet rules (`Microsoft.Storage`). */
  endpointService: string;
  /** Admits before any rule is read (Storage: VM disk IO, SE-SCN-4); the detail when it does. */
  preAdmit?: (input: FirewallInput) => string | undefined;
  /** Public access switched off entirely (later api versions): nothing is admitted. */
  disabled?: { rule: string; detail: string; fix: FirewallFix };
  locked: boolean;
  /** Why it admits everyone when not locked. */
  unlocked: { rule?: string; detail: string };
  /** What locks it, as a clause: `networkAcls.defaultAction is Deny`. */
  lockedBy: string;
  vnetRules: VnetRuleView[];
  ipRules: IpRuleView[];
  /** A service-specific reason IP rules cannot match this request (Storage same-region callers, SE-SRC-5). */
  ipBlocked?: (input: FirewallInput) => string | undefined;
  exceptions: ExceptionView[];
  /** The rule named on a refusal. */
  denyRule(viaEndpoint: boolean): string;
  error(viaEndpoint: boolean, input: FirewallInput): ServiceError;
  fix: {
    addVnetRule(subnetId: string): FirewallFix;
    readdVnetRule(rule: VnetRuleView, subnetId: string): FirewallFix;
    addIpRule?(address: string): FirewallFix;
    /** The "allow Azure" switch (SQL 0.0.0.0 rule, Cosmos 0.0.0.0, ADLS firewallAllowAzureIps), offered to Azure callers. */
    allowAzure?: FirewallFix;
    /** The trusted-services exception, offered to trusted callers. */
    trusted?: FirewallFix;
    /** Alternative for a caller over the endpoint (SQL family). */
    endpointAlternative?(subnetId: string, input: FirewallInput): FirewallFix | undefined;
  };
  /** Extra sentences for a refusal (Storage Logging/Metrics bypass, …). */
  denyNotes?: string[];
}

/** `vnet1/subnet1` from a subnet id (the id itself when it does not parse). */
export function subnetLabel(subnetId: string): string {
  if (!subnetId.startsWith("/") || subnetId.split("/").length < 4) return subnetId;
  return childLabel(subnetId);
}

/** Placeholder subnet id in fixes for a caller whose subnet is not known (no endpoint yet). */
export const CALLER_SUBNET_PLACEHOLDER = "<caller's subnet id>";

/** ` for subnet vnet1/subnet1` (or ` (subnet …)` without a preposition) for a real subnet id; nothing for the placeholder. */
export function subnetNote(subnetId: string, preposition?: string): string {
  const label = subnetLabel(subnetId);
  if (label === subnetId) return "";
  return preposition ? ` ${preposition} subnet ${label}` : ` (subnet ${label})`;
}

function interval(
  family: 4 | 6,
  lo: number | bigint,
  hi: number | bigint,
): { family: 4 | 6; lo: number | bigint; hi: number | bigint } {
  return { family, lo, hi };
}

/** Interval of an IPv4/IPv6 address or CIDR (`1.2.3.4`, `1.2.3.0/24`); host bits are ignored as Azure does. */
export function cidrInterval(
  text: unknown,
): { family: 4 | 6; lo: number | bigint; hi: number | bigint } | undefined {
  if (typeof text !== "string") return undefined;
  const r = parsePrefixDetailed(text.trim());
  const p = r.ok ? r.prefix : r.reason === "hostBits" ? r.normalized : undefined;
  if (!p) return undefined;
  if (p.family === 4) return interval(4, p.base, p.base + 2 ** (32 - p.length) - 1);
  return interval(6, p.base, p.base + (1n << BigInt(128 - p.length)) - 1n);
}

/** Interval of an inclusive address range `start`–`end` (SQL and Data Lake firewall rules). */
export function rangeInterval(
  start: unknown,
  end: unknown,
): { family: 4 | 6; lo: number | bigint; hi: number | bigint } | undefined {
  const s = typeof start === "string" ? tryParseAddress(start) : undefined;
  const e = typeof end === "string" ? tryParseAddress(end) : undefined;
  if (!s || !e || s.family !== e.family) return undefined;
  return interval(s.family, s.value, e.value);
}

/** An IP rule view from its interval. */
export function ipRule(
  rule: string,
  text: string,
  iv: { family: 4 | 6; lo: number | bigint; hi: number | bigint },
): IpRuleView {
  return { rule, text, family: iv.family, lo: iv.lo, hi: iv.hi };
}

/** Matcher for an IPv4/IPv6 address or CIDR (`1.2.3.4`, `1.2.3.0/24`); host bits are ignored as Azure does. */
export function cidrMatcher(text: unknown): ((a: Address) => boolean) | undefined {
  const iv = cidrInterval(text);
  return iv ? (a) => a.family === iv.family && a.value >= iv.lo && a.value <= iv.hi : undefined;
}

/** Matcher for an inclusive address range `start`–`end` (SQL and Data Lake firewall rules). */
export function rangeMatcher(start: unknown, end: unknown): ((a: Address) => boolean) | undefined {
  const iv = rangeInterval(start, end);
  return iv ? (a) => a.family === iv.family && a.value >= iv.lo && a.value <= iv.hi : undefined;
}

function staleWhy(rule: VnetRuleView, endpointService: string): string {
  return rule.staleState !== undefined
    ? `its state is ${rule.staleState}`
    : `its subnet no longer exists or no longer carries the ${endpointService} endpoint`;
}

// ---------------------------------------------------------------------------------------------
// Compiled decision: the verdict first (no text), the words on demand.

/** How a firewall answered one request, without any text: `render` turns it into a FirewallResult. */
export interface FirewallVerdict {
  readonly allowed: boolean;
  /** One of the `HOW_*` codes. */
  readonly how: number;
  /** The deciding rule's index (VNet rule, IP rule or exception); for a refusal, the stale VNet rule naming the caller's subnet, or -1. */
  readonly index: number;
  /** For a refusal of a blocked public source: the first IP rule that lists it, or -1. */
  readonly listed: number;
}

export const HOW_PRE_ADMIT = 0;
export const HOW_DISABLED = 1;
export const HOW_UNLOCKED = 2;
export const HOW_VNET_RULE = 3;
export const HOW_IP_RULE = 4;
export const HOW_EXCEPTION = 5;
export const HOW_DENIED = 6;

const V_PRE_ADMIT: FirewallVerdict = Object.freeze({
  allowed: true,
  how: HOW_PRE_ADMIT,
  index: -1,
  listed: -1,
});
const V_DISABLED: FirewallVerdict = Object.freeze({
  allowed: false,
  how: HOW_DISABLED,
  index: -1,
  listed: -1,
});
const V_UNLOCKED: FirewallVerdict = Object.freeze({
  allowed: true,
  how: HOW_UNLOCKED,
  index: -1,
  listed: -1,
});
const V_DENIED: FirewallVerdict = Object.freeze({ allowed: false, how: HOW_DENIED, index: -1, listed: -1 });

/**
 * A policy with its rules indexed for requests: VNet rules by subnet key (indices in list
 * order), IP rules as flat intervals per family (in list order, so the first rule that contains
 * the source is the one reported).
 */
export class CompiledFirewall {
  readonly policy: FirewallPolicy;
  private readonly bySubnet = new Map<string, number[]>();
  /**
   * IPv4 rules as elementary segments: `starts` sorted, segment k = [starts[k], starts[k+1]),
   * `owner[k]` = the first rule (in list order) containing the segment, or -1. A lookup is one
   * binary search, whatever the number of rules.
   */
  private readonly starts: Float64Array;
  private readonly owner: Int32Array;
  private readonly v6: Array<{ lo: bigint; hi: bigint; rule: number }> = [];

  constructor(policy: FirewallPolicy) {
    this.policy = policy;
    policy.vnetRules.forEach((r, i) => {
      const k = idKey(r.subnetId);
      const list = this.bySubnet.get(k);
      if (list) list.push(i);
      else this.bySubnet.set(k, [i]);
    });
    const v4 = policy.ipRules.flatMap((r, i) =>
      r.family === 4 && (r.lo as number) <= (r.hi as number) ? [i] : [],
    );
    const bounds = [
      ...new Set(v4.flatMap((i) => [policy.ipRules[i]!.lo as number, (policy.ipRules[i]!.hi as number) + 1])),
    ].sort((a, b) => a - b);
    this.starts = Float64Array.from(bounds);
    this.owner = new Int32Array(bounds.length).fill(-1);
    // Paint segments with rules in list order; `next` skips segments already owned.
    const next = Int32Array.from({ length: bounds.length + 1 }, (_, k) => k);
    const find = (k: number): number => {
      while (next[k] !== k) {
        next[k] = next[next[k]!]!;
        k = next[k]!;
      }
      return k;
    };
    for (const i of v4) {
      const r = policy.ipRules[i]!;
      const from = this.segment(r.lo as number);
      const to = this.segment((r.hi as number) + 1); // exclusive
      for (let k = find(from); k < to; k = find(k + 1)) {
        this.owner[k] = i;
        next[k] = k + 1;
      }
    }
    policy.ipRules.forEach((r, i) => {
      if (r.family === 6) this.v6.push({ lo: r.lo as bigint, hi: r.hi as bigint, rule: i });
    });
  }

  /** Index of the segment containing v (the last start ≤ v), or -1 below the first. */
  private segment(v: number): number {
    const starts = this.starts;
    let l = 0;
    let h = starts.length - 1;
    if (h < 0 || v < starts[0]!) return -1;
    while (l < h) {
      const m = (l + h + 1) >>> 1;
      if (starts[m]! <= v) l = m;
      else h = m - 1;
    }
    return l;
  }

  /** Index of the first IP rule (in list order) containing `a`, or -1. */
  firstIpRule(a: Address): number {
    if (a.family === 4) {
      const k = this.segment(a.value);
      return k < 0 ? -1 : this.owner[k]!;
    }
    for (const r of this.v6) if (a.value >= r.lo && a.value <= r.hi) return r.rule;
    return -1;
  }

  /** The decision on one request (SE-ACL-1, 5, 7, 8): no text is built. */
  check(input: FirewallInput): FirewallVerdict {
    const policy = this.policy;
    if (policy.preAdmit !== undefined && policy.preAdmit(input) !== undefined) return V_PRE_ADMIT;
    if (policy.disabled) return V_DISABLED;
    if (!policy.locked) return V_UNLOCKED;
    const subnetId = input.subnetId;
    const viaEndpoint = subnetId !== undefined;
    let stale = -1;
    if (viaEndpoint) {
      const list = this.bySubnet.get(input.subnetKey ?? idKey(subnetId));
      if (list !== undefined) {
        for (let k = 0; k < list.length; k++) {
          const i = list[k]!;
          const r = policy.vnetRules[i]!;
          // Same subnet as the caller's (same key): ask with the caller's id, the string the engine's lookups already know.
          if (r.staleState === undefined && input.subnetHasEndpoint(subnetId)) {
            return { allowed: true, how: HOW_VNET_RULE, index: i, listed: -1 };
          }
          if (stale < 0) stale = i;
        }
      }
    }
    const isPublic = isPublicAddress(input.sourceAddress);
    const blocked = policy.ipBlocked !== undefined && policy.ipBlocked(input) !== undefined;
    if (!viaEndpoint && isPublic && !blocked) {
      const i = this.firstIpRule(input.sourceAddress);
      if (i >= 0) return { allowed: true, how: HOW_IP_RULE, index: i, listed: -1 };
    }
    const ex = policy.exceptions;
    for (let i = 0; i < ex.length; i++) {
      if (ex[i]!.applies(input)) return { allowed: true, how: HOW_EXCEPTION, index: i, listed: -1 };
    }
    const listed = !viaEndpoint && isPublic && blocked ? this.firstIpRule(input.sourceAddress) : -1;
    return stale < 0 && listed < 0 ? V_DENIED : { allowed: false, how: HOW_DENIED, index: stale, listed };
  }

  /** The rule a verdict names (what `render(...).rule` is), without building any other text. */
  ruleOf(input: FirewallInput, v: FirewallVerdict): string | undefined {
    const policy = this.policy;
    switch (v.how) {
      case HOW_PRE_ADMIT:
        return undefined;
      case HOW_DISABLED:
        return policy.disabled!.rule;
      case HOW_UNLOCKED:
        return policy.unlocked.rule;
      case HOW_VNET_RULE:
        return policy.vnetRules[v.index]!.rule;
      case HOW_IP_RULE:
        return policy.ipRules[v.index]!.rule;
      case HOW_EXCEPTION:
        return policy.exceptions[v.index]!.rule;
      default:
        return policy.denyRule(input.subnetId !== undefined);
    }
  }

  /** The service's refusal for a denied verdict. */
  errorOf(input: FirewallInput, v: FirewallVerdict): ServiceError | undefined {
    return v.allowed ? undefined : this.policy.error(input.subnetId !== undefined, input);
  }

  /** The verdict in words: the rule, one sentence, the refusal and the smallest fixes. */
  render(input: FirewallInput, v: FirewallVerdict): FirewallResult {
    const policy = this.policy;
    const source = formatAddress(input.sourceAddress);
    switch (v.how) {
      case HOW_PRE_ADMIT:
        return { allowed: true, detail: policy.preAdmit!(input)!, fixes: [] };
      case HOW_DISABLED:
        return {
          allowed: false,
          rule: policy.disabled!.rule,
          detail: policy.disabled!.detail,
          error: policy.error(input.subnetId !== undefined, input),
          fixes: [policy.disabled!.fix],
        };
      case HOW_UNLOCKED:
        return {
          allowed: true,
          ...(policy.unlocked.rule ? { rule: policy.unlocked.rule } : {}),
          detail: policy.unlocked.detail,
          fixes: [],
        };
      case HOW_VNET_RULE: {
        const r = policy.vnetRules[v.index]!;
        return {
          allowed: true,
          rule: r.rule,
          detail: `the VNet rule ${r.rule} names the caller's subnet ${subnetLabel(input.subnetId!)}, which carries the ${policy.endpointService} endpoint`,
          fixes: [],
        };
      }
      case HOW_IP_RULE: {
        const r = policy.ipRules[v.index]!;
        return {
          allowed: true,
          rule: r.rule,
          detail: `the IP rule ${r.rule} (${r.text}) contains the source address ${source}`,
          fixes: [],
        };
      }
      case HOW_EXCEPTION: {
        const ex = policy.exceptions[v.index]!;
        return { allowed: true, rule: ex.rule, detail: ex.detail(input), fixes: [] };
      }
    }

    // Refused: say why, and what would let this request in.
    const viaEndpoint = input.subnetId !== undefined;
    const stale = v.index >= 0 ? policy.vnetRules[v.index] : undefined;
    const isPublic = isPublicAddress(input.sourceAddress);
    const ipBlocked = policy.ipBlocked?.(input);
    const reasons: string[] = [];
    const fixes: FirewallFix[] = [];
    if (viaEndpoint) {
      const subnetId = input.subnetId!;
      const name = subnetLabel(subnetId);
      if (stale) {
        reasons.push(
          `the VNet rule ${stale.rule} names the caller's subnet ${name} but ${staleWhy(stale, policy.endpointService)}, so it matches nothing (SE-ACL-8)`,
        );
        fixes.push(policy.fix.readdVnetRule(stale, subnetId));
      } else {
        reasons.push(`no VNet rule names the caller's subnet ${name}`);
        fixes.push(policy.fix.addVnetRule(subnetId));
      }
      reasons.push(
        `IP rules cannot match it: over the ${policy.endpointService} endpoint the service sees the private address ${source} (SE-SRC-2, SE-SRC-3)`,
      );
      const alt = policy.fix.endpointAlternative?.(subnetId, input);
      if (alt) fixes.push(alt);
    } else {
      if (input.trustedService && policy.fix.trusted) fixes.push(policy.fix.trusted);
      if (!isPublic) {
        reasons.push(
          `the source ${source} is a private address, which IP rules never match (SE-ACL-5); only a request over a ${policy.endpointService} service endpoint can be admitted, by a VNet rule`,
        );
        fixes.push(
          viaEndpointFix(
            policy,
            input,
            `the source ${source} is a private address and no IP rule can match it`,
          ),
        );
      } else if (ipBlocked !== undefined) {
        const listed = v.listed >= 0 ? policy.ipRules[v.listed] : undefined;
        reasons.push(
          ipBlocked + (listed ? `; the IP rule ${listed.rule} lists ${listed.text} but cannot match it` : ""),
        );
        fixes.push(viaEndpointFix(policy, input, ipBlocked));
      } else {
        reasons.push(`no IP rule contains the source address ${source}`);
        const ip = policy.fix.addIpRule?.(source);
        if (ip) fixes.push(ip);
        if (input.fromAzure && policy.fix.allowAzure) fixes.push(policy.fix.allowAzure);
      }
    }
    const detail =
      `${policy.lockedBy}, and ${reasons.join("; ")}.` +
      (policy.denyNotes?.length ? ` ${policy.denyNotes.join(" ")}` : "");
    return {
      allowed: false,
      rule: policy.denyRule(viaEndpoint),
      detail,
      error: policy.error(viaEndpoint, input),
      fixes,
    };
  }
}

/** Applies a service's policy to one request. */
export function decide(input: FirewallInput, policy: FirewallPolicy | CompiledFirewall): FirewallResult {
  const c = policy instanceof CompiledFirewall ? policy : new CompiledFirewall(policy);
  return c.render(input, c.check(input));
}

function viaEndpointFix(policy: FirewallPolicy, input: FirewallInput, reason: string): FirewallFix {
  const subnetId = input.callerSubnetId ?? CALLER_SUBNET_PLACEHOLDER;
  const add = policy.fix.addVnetRule(subnetId);
  const where = input.callerSubnetId ? `subnet ${subnetLabel(subnetId)}` : "the caller's subnet";
  return {
    ...(add.rule ? { rule: add.rule } : {}),
    reason,
    fix: `Turn on the ${policy.endpointService} service endpoint on ${where}, then ${lowerFirst(add.fix)}`,
  };
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/** `Enabled`/`Disabled` switches compare case-insensitively. */
export function isDisabled(v: unknown): boolean {
  return typeof v === "string" && v.toLowerCase() === "disabled";
}
export function isDeny(v: unknown): boolean {
  return typeof v === "string" && v.toLowerCase() === "deny";
}
