/**
 * Azure's effective-security-rule view of NSGs (`POST …/networkInterfaces/{nic}/effectiveNetworkSecurityGroups`),
 * normalised as the real service prints it (azure-facts §1.4, gotchas 14–15):
 * - names `securityRules/<name>` / `defaultSecurityRules/<name>`; protocol `All` for `*`;
 * - ports always `lo-hi` (`*` → `0-65535`, `456` → `456-456`);
 * - `*` → `0.0.0.0/0`, a bare IP → `/32`;
 * - a tag stays as written in `*AddressPrefix` and its prefixes go into `expanded*AddressPrefix`
 *   (present only on a side that names a tag or an application security group);
 * - the plural arrays are always present and hold the normalised entries of the side (real
 *   output, Azure/azure-powershell#4972: `"sourcePortRanges": ["0-65535"]`); the singular field is
 *   present when the side has exactly one entry.
 * Field order follows the REST example NetworkInterfaceEffectiveNSGList.json plus the real output.
 */
import type { Prefix } from "../model/ip.js";
import { formatPrefix } from "../model/ip.js";
import { leafName, tryParseResourceId } from "../model/resource-id.js";
import type { NetworkSecurityGroup } from "../model/resources/network-security-group.js";
import type { AddressItem, ContextData } from "./nsg-address.js";
import { contextData } from "./nsg-address.js";
import type { NsgAccess, NsgContext, NsgDirection, RuleView } from "./nsg.js";
import { orderedRules, parsePortRange, portEntries, sideItems } from "./nsg.js";

export interface EffectiveNetworkSecurityRule {
  name: string;
  /** `Tcp`, `Udp`, `Icmp`, … or `All` (never `*`). */
  protocol: string;
  sourcePortRange?: string;
  destinationPortRange?: string;
  sourcePortRanges: string[];
  destinationPortRanges: string[];
  sourceAddressPrefix?: string;
  destinationAddressPrefix?: string;
  sourceAddressPrefixes: string[];
  destinationAddressPrefixes: string[];
  expandedSourceAddressPrefix?: string[];
  expandedDestinationAddressPrefix?: string[];
  access: NsgAccess;
  priority: number;
  direction: NsgDirection;
}

export interface EffectiveNetworkSecurityGroup {
  networkSecurityGroup: { id: string };
  association: { subnet?: { id: string }; networkInterface?: { id: string } };
  effectiveSecurityRules: EffectiveNetworkSecurityRule[];
  /** Every tag the NSG's rules name (as written), with its prefixes. */
  tagMap: Record<string, string[]>;
}

export interface EffectiveNetworkSecurityGroupListResult {
  value: EffectiveNetworkSecurityGroup[];
}

const PROTOCOL_TEXT: Record<string, string> = {
  "*": "All",
  tcp: "Tcp",
  udp: "Udp",
  icmp: "Icmp",
  esp: "Esp",
  ah: "Ah",
};

function protocolText(v: unknown): string {
  const s = typeof v === "string" ? v.trim() : "";
  return PROTOCOL_TEXT[s.toLowerCase()] ?? s;
}

function portTexts(single: unknown, plural: unknown): string[] {
  const entries = portEntries(single, plural);
  if (entries.length === 0) entries.push("*");
  return entries.map((e) => {
    const r = parsePortRange(e);
    return r ? `${r[0]}-${r[1]}` : e;
  });
}

function asgName(id: string): string {
  const parsed = tryParseResourceId(id);
  return parsed ? leafName(parsed) : id;
}

function itemText(it: AddressItem): string {
  switch (it.kind) {
    case "any":
      return "0.0.0.0/0";
    case "prefix":
      return formatPrefix(it.prefix);
    case "tag":
      return it.text;
    case "asg":
      return asgName(it.id);
  }
}

function itemExpansion(it: AddressItem, data: ContextData, ctx: NsgContext): Prefix[] | string[] {
  switch (it.kind) {
    case "any":
      return ["0.0.0.0/0"];
    case "prefix":
      return [it.prefix];
    case "tag":
      return data.tagPrefixes(it) ?? [];
    case "asg":
      return ctx.applicationSecurityGroupPrefixes?.(it.key) ?? [];
  }
}

function texts(list: Prefix[] | string[]): string[] {
  return list.map((x) => (typeof x === "string" ? x : formatPrefix(x)));
}

function uniq(list: string[]): string[] {
  return [...new Set(list)];
}

interface Side {
  single?: string;
  plural: string[];
  expanded?: string[];
}

function renderSide(items: AddressItem[], data: ContextData, ctx: NsgContext): Side {
  const list: AddressItem[] = items.length > 0 ? items : [{ kind: "any", text: "*" }];
  const plural = list.map(itemText);
  const side: Side = { plural };
  if (plural.length === 1) side.single = plural[0]!;
  if (list.some((i) => i.kind === "tag" || i.kind === "asg")) {
    side.expanded = uniq(list.flatMap((i) => texts(itemExpansion(i, data, ctx))));
  }
  return side;
}

function renderRule(v: RuleView, data: ContextData, ctx: NsgContext): EffectiveNetworkSecurityRule {
  const p = v.rule.properties;
  const sp = portTexts(p.sourcePortRange, p.sourcePortRanges);
  const dp = portTexts(p.destinationPortRange, p.destinationPortRanges);
  const src = renderSide(sideItems(v.rule, "source"), data, ctx);
  const dst = renderSide(sideItems(v.rule, "destination"), data, ctx);
  // Built key by key so that JSON output keeps Azure's field order.
  const out: Record<string, unknown> = {};
  out.name = `${v.isDefault ? "defaultSecurityRules" : "securityRules"}/${v.name}`;
  out.protocol = protocolText(p.protocol);
  if (sp.length === 1) out.sourcePortRange = sp[0];
  if (dp.length === 1) out.destinationPortRange = dp[0];
  out.sourcePortRanges = sp;
  out.destinationPortRanges = dp;
  if (src.single !== undefined) out.sourceAddressPrefix = src.single;
  if (dst.single !== undefined) out.destinationAddressPrefix = dst.single;
  out.sourceAddressPrefixes = src.plural;
  out.destinationAddressPrefixes = dst.plural;
  if (src.expanded) out.expandedSourceAddressPrefix = src.expanded;
  if (dst.expanded) out.expandedDestinationAddressPrefix = dst.expanded;
  out.access = v.access;
  out.priority = v.priority;
  out.direction = v.direction;
  return out as unknown as EffectiveNetworkSecurityRule;
}

/**
 * One NSG's rules as Azure's `EffectiveNetworkSecurityRule[]`: inbound then outbound, each
 * with the user rules by priority followed by the default rules.
 */
export function effectiveSecurityRules(
  nsg: NetworkSecurityGroup,
  ctx: NsgContext,
): EffectiveNetworkSecurityRule[] {
  const data = contextData(ctx);
  return orderedRules(nsg).map((v) => renderRule(v, data, ctx));
}

function tagMapOf(nsg: NetworkSecurityGroup, data: ContextData): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  const seen = new Set<string>();
  for (const v of orderedRules(nsg)) {
    for (const it of [...sideItems(v.rule, "source"), ...sideItems(v.rule, "destination")]) {
      if (it.kind !== "tag") continue;
      const key = it.builtin ?? it.text.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      map[it.text] = texts(data.tagPrefixes(it) ?? []);
    }
  }
  return map;
}

function entry(
  nsg: NetworkSecurityGroup,
  association: EffectiveNetworkSecurityGroup["association"],
  ctx: NsgContext,
): EffectiveNetworkSecurityGroup {
  return {
    networkSecurityGroup: { id: nsg.id },
    association,
    effectiveSecurityRules: effectiveSecurityRules(nsg, ctx),
    tagMap: tagMapOf(nsg, contextData(ctx)),
  };
}

/**
 * The body of `POST …/networkInterfaces/{nic}/effectiveNetworkSecurityGroups`: one entry per
 * attached NSG, the NIC's first (association.networkInterface), then the subnet's
 * (association.subnet). No NSG attached → `{ value: [] }`.
 */
export function effectiveNetworkSecurityGroupsFor(
  assoc: { nicId: string; nicNsg?: NetworkSecurityGroup; subnetId: string; subnetNsg?: NetworkSecurityGroup },
  ctx: NsgContext,
): EffectiveNetworkSecurityGroupListResult {
  const value: EffectiveNetworkSecurityGroup[] = [];
  if (assoc.nicNsg) value.push(entry(assoc.nicNsg, { networkInterface: { id: assoc.nicId } }, ctx));
  if (assoc.subnetNsg) value.push(entry(assoc.subnetNsg, { subnet: { id: assoc.subnetId } }, ctx));
  return { value };
}
