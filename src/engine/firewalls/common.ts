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
import { formatAddress, isPublicAddress, parsePrefixDetailed, prefixContainsAddress, tryParseAddress, compareAddress } from "../../model/ip.js";
import { childLabel, sameId } from "../../model/resource-id.js";
import type { ServiceError } from "../types.js";
import type { FirewallFix, FirewallInput, FirewallResult } from "./types.js";

export interface VnetRuleView {
  /** The rule as the API names it: `networkAcls.virtualNetworkRules[0]`, `virtualNetworkRules/rule1`. */
  rule: string;
  subnetId: string;
  /** Set when the rule's stored state says it is stale (`networkSourceDeleted`, `Deleting`, …). */
  staleState?: string;
}

export interface IpRuleView {
  rule: string;
  /** The rule's text for people: `203.0.113.0/24`, `1.2.3.4-1.2.3.9`. */
  text: string;
  contains(a: Address): boolean;
}

export interface ExceptionView {
  rule: string;
  applies: boolean;
  /** Why it admits, for the detail sentence. */
  detail: string;
}

export interface FirewallPolicy {
  /** For people: `storage account 'acct'`. */
  label: string;
  /** Endpoint service of the resource's VNet rules (`Microsoft.Storage`). */
  endpointService: string;
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
  ipBlocked?: string;
  exceptions: ExceptionView[];
  /** The rule named on a refusal. */
  denyRule(viaEndpoint: boolean): string;
  error(viaEndpoint: boolean): ServiceError;
  fix: {
    addVnetRule(subnetId: string): FirewallFix;
    readdVnetRule(rule: VnetRuleView, subnetId: string): FirewallFix;
    addIpRule?(address: string): FirewallFix;
    /** The "allow Azure" switch (SQL 0.0.0.0 rule, Cosmos 0.0.0.0, ADLS firewallAllowAzureIps), offered to Azure callers. */
    allowAzure?: FirewallFix;
    /** The trusted-services exception, offered to trusted callers. */
    trusted?: FirewallFix;
    /** Alternative for a caller over the endpoint (SQL family). */
    endpointAlternative?(subnetId: string): FirewallFix | undefined;
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

/** Matcher for an IPv4/IPv6 address or CIDR (`1.2.3.4`, `1.2.3.0/24`); host bits are ignored as Azure does. */
export function cidrMatcher(text: unknown): ((a: Address) => boolean) | undefined {
  if (typeof text !== "string") return undefined;
  const r = parsePrefixDetailed(text.trim());
  const prefix = r.ok ? r.prefix : r.reason === "hostBits" ? r.normalized : undefined;
  if (!prefix) return undefined;
  return (a) => prefixContainsAddress(prefix, a);
}

/** Matcher for an inclusive address range `start`–`end` (SQL and Data Lake firewall rules). */
export function rangeMatcher(start: unknown, end: unknown): ((a: Address) => boolean) | undefined {
  const s = typeof start === "string" ? tryParseAddress(start) : undefined;
  const e = typeof end === "string" ? tryParseAddress(end) : undefined;
  if (!s || !e || s.family !== e.family) return undefined;
  return (a) => a.family === s.family && compareAddress(a, s) >= 0 && compareAddress(a, e) <= 0;
}

function staleWhy(rule: VnetRuleView, endpointService: string): string {
  return rule.staleState !== undefined
    ? `its state is ${rule.staleState}`
    : `its subnet no longer exists or no longer carries the ${endpointService} endpoint`;
}

/** Applies a service's policy to one request. */
export function decide(input: FirewallInput, policy: FirewallPolicy): FirewallResult {
  const source = formatAddress(input.sourceAddress);
  if (policy.disabled) {
    return {
      allowed: false,
      rule: policy.disabled.rule,
      detail: policy.disabled.detail,
      error: policy.error(input.subnetId !== undefined),
      fixes: [policy.disabled.fix],
    };
  }
  if (!policy.locked) {
    return { allowed: true, ...(policy.unlocked.rule ? { rule: policy.unlocked.rule } : {}), detail: policy.unlocked.detail, fixes: [] };
  }

  const viaEndpoint = input.subnetId !== undefined;
  let stale: VnetRuleView | undefined;
  if (viaEndpoint) {
    const subnetId = input.subnetId!;
    for (const r of policy.vnetRules) {
      if (!sameId(r.subnetId, subnetId)) continue;
      if (r.staleState === undefined && input.subnetHasEndpoint(r.subnetId)) {
        return {
          allowed: true,
          rule: r.rule,
          detail: `the VNet rule ${r.rule} names the caller's subnet ${subnetLabel(subnetId)}, which carries the ${policy.endpointService} endpoint`,
          fixes: [],
        };
      }
      stale ??= r;
    }
  }

  const isPublic = isPublicAddress(input.sourceAddress);
  const ipEligible = !viaEndpoint && isPublic && policy.ipBlocked === undefined;
  if (ipEligible) {
    for (const r of policy.ipRules) {
      if (r.contains(input.sourceAddress)) {
        return { allowed: true, rule: r.rule, detail: `the IP rule ${r.rule} (${r.text}) contains the source address ${source}`, fixes: [] };
      }
    }
  }

  for (const ex of policy.exceptions) {
    if (ex.applies) return { allowed: true, rule: ex.rule, detail: ex.detail, fixes: [] };
  }

  // Refused: say why, and what would let this request in.
  const reasons: string[] = [];
  const fixes: FirewallFix[] = [];
  if (viaEndpoint) {
    const subnetId = input.subnetId!;
    const name = subnetLabel(subnetId);
    if (stale) {
      reasons.push(`the VNet rule ${stale.rule} names the caller's subnet ${name} but ${staleWhy(stale, policy.endpointService)}, so it matches nothing (SE-ACL-8)`);
      fixes.push(policy.fix.readdVnetRule(stale, subnetId));
    } else {
      reasons.push(`no VNet rule names the caller's subnet ${name}`);
      fixes.push(policy.fix.addVnetRule(subnetId));
    }
    reasons.push(
      `IP rules cannot match it: over the ${policy.endpointService} endpoint the service sees the private address ${source} (SE-SRC-2, SE-SRC-3)`,
    );
    const alt = policy.fix.endpointAlternative?.(subnetId);
    if (alt) fixes.push(alt);
  } else {
    if (input.trustedService && policy.fix.trusted) fixes.push(policy.fix.trusted);
    if (!isPublic) {
      reasons.push(`the source ${source} is a private address, which IP rules never match (SE-ACL-5); only a request over a ${policy.endpointService} service endpoint can be admitted, by a VNet rule`);
      fixes.push(viaEndpointFix(policy, input, `the source ${source} is a private address and no IP rule can match it`));
    } else if (policy.ipBlocked !== undefined) {
      const listed = policy.ipRules.find((r) => r.contains(input.sourceAddress));
      reasons.push(policy.ipBlocked + (listed ? `; the IP rule ${listed.rule} lists ${listed.text} but cannot match it` : ""));
      fixes.push(viaEndpointFix(policy, input, policy.ipBlocked));
    } else {
      reasons.push(`no IP rule contains the source address ${source}`);
      const ip = policy.fix.addIpRule?.(source);
      if (ip) fixes.push(ip);
      if (input.fromAzure && policy.fix.allowAzure) fixes.push(policy.fix.allowAzure);
    }
  }
  const detail = `${policy.lockedBy}, and ${reasons.join("; ")}.` + (policy.denyNotes?.length ? ` ${policy.denyNotes.join(" ")}` : "");
  return { allowed: false, rule: policy.denyRule(viaEndpoint), detail, error: policy.error(viaEndpoint), fixes };
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
