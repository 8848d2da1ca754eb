/**
 * Microsoft.Network/networkInterfaces (SE-RES-3): IP configurations with a private address
 * from their subnet. Dynamic addresses are the lowest free address after Azure's reserved
 * ones (.0–.3 and the last); a Static address must lie in the subnet
 * (PrivateIPAddressNotInSubnet), outside the reserved ones (PrivateIPAddressInReservedRange)
 * and be free (PrivateIPAddressInUse). The subnet lists the IP configuration in its
 * `ipConfigurations`, the public IP in its `ipConfiguration`, the NSG in its
 * `networkInterfaces`; the VM a NIC belongs to is its `virtualMachine` (NicInUse on delete).
 *
 * Limitations: no MAC addresses; application security groups and load-balancer pools are not
 * served, so references to them are refused; `enableAcceleratedNetworking` has no effect.
 */
import { ArmErrors } from "../../../model/errors.js";
import { addressKey, formatAddress, prefixContainsAddress, tryParseAddress } from "../../../model/ip.js";
import { idsOf, type ArmResource } from "../../../model/resources/common.js";
import { NIC_TYPE } from "../../../model/resources/network-interface.js";
import { SUBNET_TYPE } from "../../../model/resources/virtual-network.js";
import { idKey, sameId, tryParseResourceId } from "../../../model/resource-id.js";
import { prepareChildren } from "../../children.js";
import type { Ctx } from "../../context.js";
import {
  effectiveNetworkSecurityGroupsAction,
  effectiveRouteTableAction,
} from "../../diagnostics/nic-actions.js";
import { loadResource, topLevelOf } from "../../documents.js";
import type { ChildSpec, Reference, ResourceKind } from "../../kinds.js";
import { backRefs, findChild } from "../../refs.js";
import { arrayAt, boolAt, objectAt, stringAt, subResourceAt } from "../../validate.js";
import { guidOf, listOf, refTo, tracked } from "../common.js";
import { allocateIn, checkStaticAddress, subnetPrefixes, usedAddresses } from "./ip-allocation.js";

export const NIC_IP_CONFIG_TYPE = "Microsoft.Network/networkInterfaces/ipConfigurations";
export const NIC_IP_CONFIGS_SPEC: ChildSpec = {
  segment: "ipConfigurations",
  type: NIC_IP_CONFIG_TYPE,
  property: "ipConfigurations",
  readOnly: true,
};

/** Loads the subnet an IP configuration names (InvalidResourceReference when missing or in another region). */
export async function loadSubnet(
  ctx: Ctx,
  subnetId: string,
  path: string,
  byId: string,
  region?: string,
): Promise<ArmResource> {
  const parsed = tryParseResourceId(subnetId);
  if (!parsed || parsed.namespace === undefined) throw ArmErrors.linkedInvalidPropertyId(path, subnetId);
  if ([parsed.namespace, ...parsed.types].join("/").toLowerCase() !== SUBNET_TYPE.toLowerCase()) {
    throw ArmErrors.linkedInvalidPropertyId(path, subnetId);
  }
  const vnet = await loadResource(ctx.store, topLevelOf(parsed).text);
  const subnet = findChild(vnet, "subnets", parsed.names[1]!);
  if (!vnet || !subnet) throw ArmErrors.invalidResourceReference(subnetId, byId);
  if (region !== undefined && vnet.location !== undefined && vnet.location !== region)
    throw ArmErrors.invalidResourceReference(subnetId, byId);
  return subnet;
}

function method(v: string | undefined, hasAddress: boolean): "Static" | "Dynamic" {
  if (v === undefined) return hasAddress ? "Static" : "Dynamic";
  const m = ["Static", "Dynamic"].find((x) => x.toLowerCase() === v.trim().toLowerCase());
  if (!m)
    throw ArmErrors.invalidRequestFormat(
      `Cannot parse the request. privateIPAllocationMethod '${v}' must be Static or Dynamic.`,
    );
  return m as "Static" | "Dynamic";
}

async function prepareIpConfigurations(
  ctx: Ctx,
  nic: ArmResource,
  region: string,
  existing: ArmResource | undefined,
): Promise<ArmResource[]> {
  const own = new Set(listOf(existing, "ipConfigurations").map((c) => idKey(c.id)));
  const usedBySubnet = new Map<string, Set<string>>();
  const usedMaps = new Map<string, Map<string, string>>();
  const anyPrimary = (arrayAt(nic.properties.ipConfigurations, "properties.ipConfigurations") ?? []).some(
    (c) => (c as { properties?: { primary?: unknown } })?.properties?.primary === true,
  );
  const configs = await prepareChildren(ctx, {
    parentId: nic.id,
    spec: NIC_IP_CONFIGS_SPEC,
    input: nic.properties.ipConfigurations,
    existingParent: existing,
    path: "properties.ipConfigurations",
    build: async ({ id, properties }, prev, index) => {
      const path = `properties.ipConfigurations[${index}].properties`;
      const subnetRef = subResourceAt(properties.subnet, `${path}.subnet`);
      if (!subnetRef) throw ArmErrors.linkedInvalidPropertyId(`${path}.subnet.id`, "");
      const subnet = await loadSubnet(ctx, subnetRef.id, `${path}.subnet.id`, nic.id, region);
      const sk = idKey(subnet.id);
      if (!usedMaps.has(sk)) {
        const m = await usedAddresses(ctx, subnet, own);
        usedMaps.set(sk, m);
        usedBySubnet.set(sk, new Set(m.keys()));
      }
      const used = usedBySubnet.get(sk)!;
      const addrText = stringAt(properties.privateIPAddress, `${path}.privateIPAddress`);
      const alloc = method(
        stringAt(properties.privateIPAllocationMethod, `${path}.privateIPAllocationMethod`),
        addrText !== undefined && addrText !== "",
      );
      let address: string;
      if (alloc === "Static") {
        const ip = addrText !== undefined ? tryParseAddress(addrText) : undefined;
        if (!ip || addrText === undefined)
          throw ArmErrors.invalidParameter(
            `Private static IP address '${addrText ?? ""}' is not a valid IP address.`,
            `${path}.privateIPAddress`,
          );
        checkStaticAddress(subnet, ip, addrText);
        if (used.has(addressKey(ip))) {
          throw ArmErrors.privateIpAddressInUse(
            id,
            addrText,
            usedMaps.get(sk)!.get(addressKey(ip)) ?? "another IP configuration",
          );
        }
        address = formatAddress(ip);
        used.add(addressKey(ip));
      } else {
        const kept =
          prev && sameId((prev.properties.subnet as { id?: string } | undefined)?.id, subnet.id)
            ? tryParseAddress(String(prev.properties.privateIPAddress ?? ""))
            : undefined;
        const keep =
          kept &&
          subnetPrefixes(subnet).some((p) => prefixContainsAddress(p, kept)) &&
          !used.has(addressKey(kept));
        const ip = keep ? kept! : allocateIn(subnet, used);
        address = formatAddress(ip);
        used.add(addressKey(ip));
      }
      const out: Record<string, unknown> = {
        ...properties,
        privateIPAddress: address,
        privateIPAllocationMethod: alloc,
        privateIPAddressVersion:
          stringAt(properties.privateIPAddressVersion, `${path}.privateIPAddressVersion`) ?? "IPv4",
        subnet: { id: subnetRef.id },
        primary: anyPrimary ? properties.primary === true : index === 0,
        provisioningState: "Succeeded",
      };
      const pip = subResourceAt(properties.publicIPAddress, `${path}.publicIPAddress`);
      if (pip) out.publicIPAddress = pip;
      else delete out.publicIPAddress;
      return out;
    },
  });
  if (configs.length === 0) throw ArmErrors.networkInterfaceWithoutIpConfiguration(nic.id);
  sameApplicationSecurityGroups(configs);
  return configs;
}

/** Every IPv4 configuration of a NIC names the same set of application security groups, as the network RP requires. */
function sameApplicationSecurityGroups(configs: readonly ArmResource[]): void {
  const v4 = configs.filter(
    (c) => String(c.properties?.privateIPAddressVersion ?? "IPv4").toLowerCase() === "ipv4",
  );
  const key = (c: ArmResource) =>
    [...new Set(idsOf(c.properties?.applicationSecurityGroups).map(idKey))].sort().join("|");
  const first = v4[0];
  if (!first) return;
  for (const c of v4.slice(1)) {
    if (key(c) !== key(first))
      throw ArmErrors.allIpConfigurationsOnANicMustBelongToTheSameApplicationSecurityGroups(
        first.id,
        idsOf(first.properties?.applicationSecurityGroups),
        c.id,
        idsOf(c.properties?.applicationSecurityGroups),
      );
  }
}

export const networkInterfaces: ResourceKind = {
  namespace: "Microsoft.Network",
  typeName: "networkInterfaces",
  type: NIC_TYPE,
  lro: "network",
  location: "required",
  children: [NIC_IP_CONFIGS_SPEC],
  serverOwned: ["virtualMachine"],
  async prepare(ctx, input, existing) {
    const shell = tracked(input, existing, NIC_TYPE, {});
    const p = input.properties;
    const ipConfigurations = await prepareIpConfigurations(ctx, input, shell.location!, existing);
    const nsg = subResourceAt(p.networkSecurityGroup, "properties.networkSecurityGroup");
    const dns = objectAt(p.dnsSettings, "properties.dnsSettings");
    const props: Record<string, unknown> = {
      ...p,
      ipConfigurations,
      dnsSettings: { dnsServers: [], appliedDnsServers: [], ...(dns ?? {}) },
      enableAcceleratedNetworking:
        boolAt(p.enableAcceleratedNetworking, "properties.enableAcceleratedNetworking") ?? false,
      enableIPForwarding: boolAt(p.enableIPForwarding, "properties.enableIPForwarding") ?? false,
      resourceGuid: guidOf(ctx, existing),
      provisioningState: "Succeeded",
    };
    if (nsg) props.networkSecurityGroup = nsg;
    else delete props.networkSecurityGroup;
    shell.properties = props;
    return shell;
  },
  references(nic) {
    const out: Reference[] = [];
    listOf(nic, "ipConfigurations").forEach((c, i) => {
      const base = `properties.ipConfigurations[${i}].properties`;
      out.push(
        ...refTo(c.id, c.properties.subnet, `${base}.subnet.id`, SUBNET_TYPE, { name: "ipConfigurations" }),
      );
      out.push(
        ...refTo(
          c.id,
          c.properties.publicIPAddress,
          `${base}.publicIPAddress.id`,
          "Microsoft.Network/publicIPAddresses",
          { name: "ipConfiguration", single: true },
          (pip, user) => ArmErrors.publicIpAddressInUse(pip, user),
        ),
      );
      const asgs = c.properties.applicationSecurityGroups;
      if (Array.isArray(asgs)) {
        asgs.forEach((a, j) =>
          out.push(
            ...refTo(
              c.id,
              a,
              `${base}.applicationSecurityGroups[${j}].id`,
              "Microsoft.Network/applicationSecurityGroups",
            ),
          ),
        );
      }
    });
    out.push(
      ...refTo(
        nic.id,
        nic.properties.networkSecurityGroup,
        "properties.networkSecurityGroup.id",
        "Microsoft.Network/networkSecurityGroups",
        { name: "networkInterfaces" },
      ),
    );
    return out;
  },
  beforeDelete(_ctx, nic) {
    const vm = backRefs(nic, "virtualMachine");
    if (vm.length > 0) throw ArmErrors.nicInUse(nic.id, vm[0]!);
  },
  // Long-running POSTs answered by the engine (SE-ROUTE-1, SE-DIAG-2): src/arm/diagnostics/nic-actions.ts.
  actions: {
    effectiveroutetable: effectiveRouteTableAction,
    effectivenetworksecuritygroups: effectiveNetworkSecurityGroupsAction,
  },
};
