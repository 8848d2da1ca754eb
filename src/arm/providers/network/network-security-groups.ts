/**
 * Microsoft.Network/networkSecurityGroups with securityRules (inline and as child
 * resources) and the read-only defaultSecurityRules (SE-RES-3, SE-NSG-1..2). Rules are
 * validated as the network RP does: protocol, access, direction, priority 100–4096 unique
 * per direction (SecurityRuleInvalidPriority, SecurityRuleConflict), port ranges, and address
 * prefixes that are `*`, a CIDR/IP, or a service tag known to the loaded catalog.
 *
 * Limitations: application security groups are not served, so rules naming them are refused
 * as invalid references.
 */
import { ArmErrors } from "../../../model/errors.js";
import { parsePrefixDetailed } from "../../../model/ip.js";
import { idsOf, type ArmResource } from "../../../model/resources/common.js";
import { idKey, parentId, tryParseResourceId } from "../../../model/resource-id.js";
import {
  DEFAULT_SECURITY_RULE_TYPE,
  NSG_TYPE,
  SECURITY_RULE_TYPE,
  defaultSecurityRules,
} from "../../../model/resources/network-security-group.js";
import { prepareChildren } from "../../children.js";
import type { Ctx } from "../../context.js";
import type { ChildSpec, Reference, ResourceKind } from "../../kinds.js";
import { backRefs } from "../../refs.js";
import { arrayAt, intAt, stringAt, stringArrayAt } from "../../validate.js";
import { guidOf, listOf, tracked } from "../common.js";

const PROTOCOLS: Record<string, string> = {
  tcp: "Tcp",
  udp: "Udp",
  icmp: "Icmp",
  esp: "Esp",
  ah: "Ah",
  "*": "*",
};
const BUILTIN_TAGS = ["*", "VirtualNetwork", "Internet", "AzureLoadBalancer"];

export const SECURITY_RULES_SPEC: ChildSpec = {
  segment: "securityRules",
  type: SECURITY_RULE_TYPE,
  property: "securityRules",
};
export const DEFAULT_RULES_SPEC: ChildSpec = {
  segment: "defaultSecurityRules",
  type: DEFAULT_SECURITY_RULE_TYPE,
  property: "defaultSecurityRules",
  readOnly: true,
};

function canonical(value: string | undefined, allowed: readonly string[]): string | undefined {
  return value === undefined
    ? undefined
    : allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
}

function checkPort(v: string): void {
  const t = v.trim();
  if (t === "*") return;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(t);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || lo > 65535 || hi > 65535 || lo > hi) throw ArmErrors.securityRuleInvalidPortRange(v);
}

function checkAddress(ctx: Ctx, v: string): void {
  const t = v.trim();
  if (BUILTIN_TAGS.some((b) => b.toLowerCase() === t.toLowerCase())) return;
  if (/^[\d.:/a-fA-F]+$/.test(t) && (t.includes(".") || t.includes(":"))) {
    const r = parsePrefixDetailed(t);
    if (!r.ok && r.reason === "format") throw ArmErrors.securityRuleInvalidAddressPrefix(v);
    return;
  }
  if (!ctx.deps.serviceTags.resolve(t)) throw ArmErrors.securityRuleInvalidAddressPrefix(v);
}

function sideOf(
  ctx: Ctx,
  props: Record<string, unknown>,
  base: string,
  side: "source" | "destination",
  path: string,
): void {
  const port = stringAt(props[`${side}PortRange`], `${path}.${side}PortRange`);
  const ports = stringArrayAt(props[`${side}PortRanges`], `${path}.${side}PortRanges`) ?? [];
  if (port === undefined && ports.length === 0)
    throw ArmErrors.securityRuleInvalidPortRange(`(none) for ${side} of rule ${base}`);
  for (const p of port !== undefined ? [port, ...ports] : ports) checkPort(p);
  const prefix = stringAt(props[`${side}AddressPrefix`], `${path}.${side}AddressPrefix`);
  const prefixes = stringArrayAt(props[`${side}AddressPrefixes`], `${path}.${side}AddressPrefixes`) ?? [];
  const asgs =
    arrayAt(props[`${side}ApplicationSecurityGroups`], `${path}.${side}ApplicationSecurityGroups`) ?? [];
  if (prefix === undefined && prefixes.length === 0 && asgs.length === 0) {
    throw ArmErrors.securityRuleInvalidAddressPrefix(`(none) for ${side} of rule ${base}`);
  }
  for (const p of prefix !== undefined ? [prefix, ...prefixes] : prefixes) checkAddress(ctx, p);
  props[`${side}PortRanges`] = ports;
  props[`${side}AddressPrefixes`] = prefixes;
}

export async function prepareRules(
  ctx: Ctx,
  nsgId: string,
  input: unknown,
  existing: ArmResource | undefined,
): Promise<ArmResource[]> {
  const taken = new Map<string, string>();
  return prepareChildren(ctx, {
    parentId: nsgId,
    spec: SECURITY_RULES_SPEC,
    input,
    existingParent: existing,
    path: "properties.securityRules",
    build: ({ name, properties }) => {
      const path = `properties.securityRules[${name}].properties`;
      const protocol =
        PROTOCOLS[
          String(stringAt(properties.protocol, `${path}.protocol`) ?? "")
            .trim()
            .toLowerCase()
        ];
      if (!protocol) throw ArmErrors.securityRuleInvalidProtocol(properties.protocol);
      const access = canonical(stringAt(properties.access, `${path}.access`), ["Allow", "Deny"]);
      if (!access) throw ArmErrors.securityRuleInvalidAccess(properties.access);
      const direction = canonical(stringAt(properties.direction, `${path}.direction`), [
        "Inbound",
        "Outbound",
      ]);
      if (!direction) throw ArmErrors.securityRuleInvalidDirection(properties.direction);
      let priority: number | undefined;
      try {
        priority = intAt(properties.priority, `${path}.priority`);
      } catch {
        throw ArmErrors.securityRuleInvalidPriority(properties.priority);
      }
      if (priority === undefined || priority < 100 || priority > 4096)
        throw ArmErrors.securityRuleInvalidPriority(properties.priority);
      const key = `${direction}/${priority}`;
      const other = taken.get(key);
      if (other !== undefined) throw ArmErrors.securityRuleConflict(other, name);
      taken.set(key, name);
      const out: Record<string, unknown> = { ...properties, protocol, access, direction, priority };
      sideOf(ctx, out, name, "source", path);
      sideOf(ctx, out, name, "destination", path);
      out.provisioningState = "Succeeded";
      return out;
    },
  });
}

function asgReferences(rule: ArmResource): Reference[] {
  const out: Reference[] = [];
  for (const side of ["source", "destination"]) {
    const list = rule.properties?.[`${side}ApplicationSecurityGroups`];
    if (!Array.isArray(list)) continue;
    list.forEach((a, i) => {
      const id = (a as { id?: string })?.id;
      if (id) {
        out.push({
          from: rule.id,
          to: id,
          path: `properties.securityRules[${rule.name}].properties.${side}ApplicationSecurityGroups[${i}].id`,
          targetType: "Microsoft.Network/applicationSecurityGroups",
        });
      }
    });
  }
  return out;
}

/**
 * The application security groups a rule names must all hold IP configurations of one virtual
 * network (AllApplicationSecurityGroupsInSecurityRuleMustBeFromSameVnet). A group's network is
 * that of its members, found among the subscription's NICs (read only when a rule names groups).
 */
async function asgsFromOneVnet(ctx: Ctx, nsgId: string, rules: readonly ArmResource[]): Promise<void> {
  const named = rules.map((r) =>
    [
      ...idsOf(r.properties?.sourceApplicationSecurityGroups),
      ...idsOf(r.properties?.destinationApplicationSecurityGroups),
    ].map(idKey),
  );
  if (!named.some((ids) => ids.length > 0)) return;
  const sub = tryParseResourceId(nsgId)?.subscriptionId;
  if (!sub) return;
  const vnetsOf = new Map<string, Map<string, string>>();
  const nics = await ctx.store.list({ type: "microsoft.network/networkinterfaces", subscriptionId: sub });
  for (const d of nics.items) {
    const nic = d.body as ArmResource;
    for (const c of listOf(nic, "ipConfigurations")) {
      const subnetId = (c.properties?.subnet as { id?: unknown } | undefined)?.id;
      const subnet = typeof subnetId === "string" ? tryParseResourceId(subnetId) : undefined;
      const vnet = subnet ? parentId(subnet) : undefined;
      if (!vnet) continue;
      for (const id of idsOf(c.properties?.applicationSecurityGroups)) {
        let m = vnetsOf.get(idKey(id));
        if (!m) vnetsOf.set(idKey(id), (m = new Map()));
        m.set(vnet.key, vnet.text);
      }
    }
  }
  for (const ids of named) {
    const vnets = new Map<string, string>();
    for (const id of ids) for (const [k, v] of vnetsOf.get(id) ?? []) vnets.set(k, v);
    if (vnets.size > 1)
      throw ArmErrors.allApplicationSecurityGroupsInSecurityRuleMustBeFromSameVnet(nsgId, [
        ...vnets.values(),
      ]);
  }
}

export const networkSecurityGroups: ResourceKind = {
  namespace: "Microsoft.Network",
  typeName: "networkSecurityGroups",
  type: NSG_TYPE,
  lro: "network",
  location: "required",
  children: [SECURITY_RULES_SPEC, DEFAULT_RULES_SPEC],
  serverOwned: ["subnets", "networkInterfaces"],
  async prepare(ctx, input, existing) {
    const rules = await prepareRules(ctx, input.id, input.properties.securityRules, existing);
    await asgsFromOneVnet(ctx, input.id, rules);
    return tracked(input, existing, NSG_TYPE, {
      ...input.properties,
      securityRules: rules,
      defaultSecurityRules: defaultSecurityRules(input.id),
      resourceGuid: guidOf(ctx, existing),
      provisioningState: "Succeeded",
    });
  },
  references: (nsg) => listOf(nsg, "securityRules").flatMap(asgReferences),
  beforeDelete(_ctx, nsg) {
    const users = [...backRefs(nsg, "subnets"), ...backRefs(nsg, "networkInterfaces")];
    if (users.length > 0) throw ArmErrors.inUseNetworkSecurityGroupCannotBeDeleted(nsg.id, users);
  },
};
