/**
 * Subnets (SE-RES-3, SE-CFG-1..4, SE-CFG-7), validated in the context of their VNet: prefixes
 * inside the VNet space and not overlapping (Netcfg* codes), host bits refused
 * (InvalidCIDRNotation), known endpoint services only, endpoint `locations` filled as Azure
 * fills them (Storage: the VNet's region and its pair; Sql: the region; others: `*`) or
 * validated when given. A PUT replaces the subnet whole: a body without `serviceEndpoints`
 * removes them (SE-CFG-7), exactly as Azure does.
 *
 * Limitations: IPv6 subnets are accepted with any prefix length; `natGateway` can only name
 * a resource Lazurite serves (none today), so it is refused as an invalid reference.
 */
import {
  ENDPOINT_SERVICES,
  findEndpointService,
  normalizeLocations,
} from "../../../model/catalog/endpoint-services.js";
import { ArmErrors } from "../../../model/errors.js";
import {
  formatPrefix,
  parsePrefixStrict,
  prefixContainsPrefix,
  prefixesOverlap,
  type Prefix,
} from "../../../model/ip.js";
import type { ArmResource } from "../../../model/resources/common.js";
import { SUBNET_TYPE } from "../../../model/resources/virtual-network.js";
import { prepareChildren } from "../../children.js";
import type { Ctx } from "../../context.js";
import { isObject } from "../../documents.js";
import type { ChildSpec, Reference } from "../../kinds.js";
import { backRefs } from "../../refs.js";
import { arrayAt, objectAt, stringAt, stringArrayAt, subResourceAt } from "../../validate.js";

export const SUBNET_SPEC: ChildSpec = {
  segment: "subnets",
  type: SUBNET_TYPE,
  property: "subnets",
  serverOwned: [
    "ipConfigurations",
    "ipConfigurationProfiles",
    "privateEndpoints",
    "resourceNavigationLinks",
    "serviceAssociationLinks",
    "purpose",
  ],
  beforeDelete(_ctx, child) {
    const users = backRefs(child, "ipConfigurations");
    if (users.length > 0) throw ArmErrors.inUseSubnetCannotBeDeleted(child.name, users[0]!);
  },
};

function serviceEndpointsOf(
  subnetId: string,
  vnetRegion: string,
  raw: unknown,
  path: string,
): unknown[] | null | undefined {
  if (raw === null) return null;
  const list = arrayAt(raw, path);
  if (list === undefined) return undefined;
  const seen = new Set<string>();
  return list.map((e, i) => {
    const p = `${path}[${i}]`;
    const o = objectAt(e, p);
    if (!o)
      throw ArmErrors.invalidRequestFormat(
        `Cannot parse the request. The value at '${p}' must be an object.`,
      );
    const name = stringAt(o.service, `${p}.service`) ?? "";
    const svc = findEndpointService(name);
    if (!svc)
      throw ArmErrors.subnetHasServiceEndpointWithInvalidServiceName(
        subnetId,
        name,
        ENDPOINT_SERVICES.map((s) => s.name),
      );
    if (seen.has(svc.name)) throw ArmErrors.subnetHasDuplicateServiceEndpoint(subnetId, svc.name);
    seen.add(svc.name);
    const given = stringArrayAt(o.locations, `${p}.locations`);
    let locations: string[];
    if (given === undefined || given.length === 0) {
      locations = svc.defaultLocations(vnetRegion);
    } else {
      const norm = normalizeLocations(given);
      if (norm.unknown.length > 0)
        throw ArmErrors.subnetHasServiceEndpointWithInvalidLocation(subnetId, svc.name, norm.unknown[0]!);
      locations = norm.locations;
    }
    return { ...o, service: svc.name, locations, provisioningState: "Succeeded" };
  });
}

export interface VnetFrame {
  vnetId: string;
  vnetName: string;
  region: string;
  space: Prefix[];
}

/** Prepares the VNet's `subnets[]` (the complete set: subnets left out are deleted unless in use). */
export async function prepareSubnets(
  ctx: Ctx,
  frame: VnetFrame,
  input: unknown,
  existingVnet: ArmResource | undefined,
): Promise<ArmResource[]> {
  const taken: Array<{ name: string; prefix: Prefix }> = [];
  return prepareChildren(ctx, {
    parentId: frame.vnetId,
    spec: SUBNET_SPEC,
    input,
    existingParent: existingVnet,
    path: "properties.subnets",
    build: ({ id, name, properties }, existing) => {
      const path = `properties.subnets[${name}].properties`;
      const single = stringAt(properties.addressPrefix, `${path}.addressPrefix`);
      const multi = stringArrayAt(properties.addressPrefixes, `${path}.addressPrefixes`);
      const texts = multi && multi.length > 0 ? multi : single !== undefined ? [single] : [];
      if (texts.length === 0) throw ArmErrors.netcfgInvalidSubnet(name, frame.vnetName);
      const prefixes = texts.map((t) => parsePrefixStrict(t, id));
      for (const p of prefixes) {
        if (p.family === 4 && (p.length > 29 || p.length < 8))
          throw ArmErrors.netcfgInvalidSubnet(name, frame.vnetName);
        if (!frame.space.some((s) => prefixContainsPrefix(s, p)))
          throw ArmErrors.netcfgSubnetRangeOutsideVnet(name, frame.vnetName);
        if (taken.some((t) => prefixesOverlap(t.prefix, p)))
          throw ArmErrors.netcfgSubnetRangesOverlap(name, frame.vnetName);
      }
      for (const p of prefixes) taken.push({ name, prefix: p });
      if (existing && backRefs(existing, "ipConfigurations").length > 0) {
        const before = subnetPrefixTexts(existing)
          .map((t) => t.toLowerCase())
          .sort()
          .join(",");
        const after = prefixes.map(formatPrefix).sort().join(",");
        if (before !== after) throw ArmErrors.inUseSubnetCannotBeUpdated(name);
      }
      const out: Record<string, unknown> = { ...properties };
      if (multi && multi.length > 0) out.addressPrefixes = prefixes.map(formatPrefix);
      else out.addressPrefix = formatPrefix(prefixes[0]!);
      const eps = serviceEndpointsOf(
        id,
        frame.region,
        properties.serviceEndpoints,
        `${path}.serviceEndpoints`,
      );
      if (eps === undefined) delete out.serviceEndpoints;
      else out.serviceEndpoints = eps;
      for (const k of ["networkSecurityGroup", "routeTable", "natGateway"]) {
        const ref = subResourceAt(properties[k], `${path}.${k}`);
        if (ref) out[k] = ref;
        else delete out[k];
      }
      const policies = arrayAt(properties.serviceEndpointPolicies, `${path}.serviceEndpointPolicies`);
      if (policies)
        out.serviceEndpointPolicies = policies.map((p, i) =>
          subResourceAt(p, `${path}.serviceEndpointPolicies[${i}]`)!,
        );
      const delegations = arrayAt(properties.delegations, `${path}.delegations`);
      if (delegations) {
        out.delegations = delegations.map((d, i) => {
          const o = isObject(d) ? d : {};
          const dn = stringAt(o.name, `${path}.delegations[${i}].name`) ?? `delegation${i}`;
          const dp = objectAt(o.properties, `${path}.delegations[${i}].properties`) ?? {};
          return {
            id: `${id}/delegations/${dn}`,
            name: dn,
            type: "Microsoft.Network/virtualNetworks/subnets/delegations",
            properties: { ...dp, provisioningState: "Succeeded" },
          };
        });
      }
      out.privateEndpointNetworkPolicies ??= "Disabled";
      out.privateLinkServiceNetworkPolicies ??= "Enabled";
      out.provisioningState = "Succeeded";
      return out;
    },
  });
}

export function subnetPrefixTexts(subnet: ArmResource): string[] {
  const p = subnet.properties ?? {};
  if (Array.isArray(p.addressPrefixes) && p.addressPrefixes.length > 0) return p.addressPrefixes as string[];
  return typeof p.addressPrefix === "string" ? [p.addressPrefix] : [];
}

/** References a subnet makes (NSG, route table, NAT gateway, endpoint policies). */
export function subnetReferences(subnet: ArmResource): Reference[] {
  const p = subnet.properties ?? {};
  const out: Reference[] = [];
  const base = `properties.subnets[${subnet.name}].properties`;
  const one = (k: string, type: string, slot?: string) => {
    const ref = p[k] as { id?: string } | undefined;
    if (ref?.id)
      out.push({
        from: subnet.id,
        to: ref.id,
        path: `${base}.${k}.id`,
        targetType: type,
        ...(slot ? { slot: { name: slot } } : {}),
      });
  };
  one("networkSecurityGroup", "Microsoft.Network/networkSecurityGroups", "subnets");
  one("routeTable", "Microsoft.Network/routeTables", "subnets");
  one("natGateway", "Microsoft.Network/natGateways");
  const pols = p.serviceEndpointPolicies;
  if (Array.isArray(pols)) {
    pols.forEach((pol, i) => {
      const polId = (pol as { id?: string })?.id;
      if (polId) {
        out.push({
          from: subnet.id,
          to: polId,
          path: `${base}.serviceEndpointPolicies[${i}].id`,
          targetType: "Microsoft.Network/serviceEndpointPolicies",
          slot: { name: "subnets" },
        });
      }
    });
  }
  return out;
}
