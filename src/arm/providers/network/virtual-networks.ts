/**
 * Microsoft.Network/virtualNetworks (SE-RES-3). Subnets and peerings live inline in the VNet
 * document and are served both inline and as child resources. A VNet PUT replaces the whole
 * object: its `subnets[]` is the complete set (subnets left out are deleted unless in use,
 * `InUseSubnetCannotBeDeleted`), and a subnet written without `serviceEndpoints` loses them
 * (SE-CFG-7), as in Azure.
 *
 * Limitations: address spaces are not checked against Azure's reserved ranges (224.0.0.0/4,
 * 127.0.0.0/8, 169.254.0.0/16, 168.63.129.16/32); `ddosProtectionPlan` and `dhcpOptions`
 * round-trip without effect.
 */
import { formatPrefix, parsePrefixStrict } from "../../../model/ip.js";
import type { ArmResource } from "../../../model/resources/common.js";
import { VNET_TYPE } from "../../../model/resources/virtual-network.js";
import type { ResourceKind } from "../../kinds.js";
import { boolAt, objectAt, stringArrayAt } from "../../validate.js";
import { guidOf, locationFor, tracked } from "../common.js";
import {
  PEERING_SPEC,
  peeringReferences,
  preparePeerings,
  syncRemotePeerings,
} from "./virtual-network-peerings.js";
import { SUBNET_SPEC, prepareSubnets, subnetReferences } from "./subnets.js";
import { checkIpAddressAvailability } from "./ip-allocation.js";

export const virtualNetworks: ResourceKind = {
  namespace: "Microsoft.Network",
  typeName: "virtualNetworks",
  type: VNET_TYPE,
  lro: "network",
  location: "required",
  children: [SUBNET_SPEC, PEERING_SPEC],
  serverOwned: [],
  async prepare(ctx, input, existing) {
    const location = locationFor(input, existing, VNET_TYPE);
    const props = input.properties;
    const space = objectAt(props.addressSpace, "properties.addressSpace");
    const texts = stringArrayAt(space?.addressPrefixes, "properties.addressSpace.addressPrefixes") ?? [];
    const prefixes = texts.map((t) => parsePrefixStrict(t, input.id));
    const subnets = await prepareSubnets(
      ctx,
      { vnetId: input.id, vnetName: input.name, region: location, space: prefixes },
      props.subnets,
      existing,
    );
    const peerings = await preparePeerings(ctx, input.id, props.virtualNetworkPeerings, existing);
    const properties: Record<string, unknown> = {
      ...props,
      addressSpace: { ...(space ?? {}), addressPrefixes: prefixes.map(formatPrefix) },
      subnets,
      virtualNetworkPeerings: peerings,
      enableDdosProtection: boolAt(props.enableDdosProtection, "properties.enableDdosProtection") ?? false,
      enableVmProtection: boolAt(props.enableVmProtection, "properties.enableVmProtection") ?? false,
      resourceGuid: guidOf(ctx, existing),
      provisioningState: "Succeeded",
    };
    return tracked(input, existing, VNET_TYPE, properties);
  },
  references(vnet) {
    const subnets = Array.isArray(vnet.properties.subnets) ? (vnet.properties.subnets as ArmResource[]) : [];
    return [...subnets.flatMap(subnetReferences), ...peeringReferences(vnet)];
  },
  async afterWrite(_ctx, uow, next, prev) {
    await syncRemotePeerings(uow, next, prev);
  },
  actions: {
    checkipaddressavailability: {
      methods: ["GET"],
      handle: (ctx, vnet) => checkIpAddressAvailability(ctx, vnet),
    },
  },
};
