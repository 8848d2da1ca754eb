/**
 * Microsoft.ClassicNetwork/virtualNetworks (SE-RES-5): classic (Service Management) VNets
 * exist only to be refused. They can be stored and read so that a service's VNet rule can
 * name one of their subnets (and be refused by that service), but a service endpoint on a
 * classic subnet is refused with `ServiceEndpointsNotSupportedOnClassicVirtualNetwork`
 * (synthetic: Azure has no ARM API to even try this).
 *
 * Limitations: the classic API shape is reduced to `addressSpace` and `subnets[]` of
 * `{ name, properties: { addressPrefix } }`; nothing in the engine routes through them.
 */
import { ArmErrors } from "../../../model/errors.js";
import { formatPrefix, parsePrefixStrict } from "../../../model/ip.js";
import { prepareChildren } from "../../children.js";
import type { ChildSpec, ResourceKind } from "../../kinds.js";
import { objectAt, stringAt, stringArrayAt } from "../../validate.js";
import { tracked } from "../common.js";

export const CLASSIC_VNET_TYPE = "Microsoft.ClassicNetwork/virtualNetworks";
export const CLASSIC_SUBNETS_SPEC: ChildSpec = {
  segment: "subnets",
  type: `${CLASSIC_VNET_TYPE}/subnets`,
  property: "subnets",
};

/** True for ids of classic VNets and their subnets. */
export function isClassicNetworkId(id: string): boolean {
  return /\/providers\/microsoft\.classicnetwork\/virtualnetworks\//i.test(id);
}

export const classicVirtualNetworks: ResourceKind = {
  namespace: "Microsoft.ClassicNetwork",
  typeName: "virtualNetworks",
  type: CLASSIC_VNET_TYPE,
  lro: "sync",
  location: "required",
  children: [CLASSIC_SUBNETS_SPEC],
  serverOwned: [],
  async prepare(ctx, input, existing) {
    const p = input.properties;
    const space = objectAt(p.addressSpace, "properties.addressSpace");
    const prefixes = (
      stringArrayAt(space?.addressPrefixes, "properties.addressSpace.addressPrefixes") ?? []
    ).map((t) => formatPrefix(parsePrefixStrict(t, input.id)));
    const subnets = await prepareChildren(ctx, {
      parentId: input.id,
      spec: CLASSIC_SUBNETS_SPEC,
      input: p.subnets,
      existingParent: existing,
      path: "properties.subnets",
      build: ({ id, properties, raw }) => {
        const eps = properties.serviceEndpoints ?? raw.serviceEndpoints;
        if (Array.isArray(eps) ? eps.length > 0 : eps !== undefined && eps !== null) {
          throw ArmErrors.serviceEndpointsNotSupportedOnClassicVirtualNetwork(input.id);
        }
        const text = stringAt(properties.addressPrefix ?? raw.addressPrefix, "addressPrefix");
        const out: Record<string, unknown> = { ...properties };
        if (text !== undefined) out.addressPrefix = formatPrefix(parsePrefixStrict(text, id));
        return out;
      },
    });
    return tracked(input, existing, CLASSIC_VNET_TYPE, {
      ...p,
      addressSpace: { addressPrefixes: prefixes },
      subnets,
      provisioningState: "Succeeded",
    });
  },
};
