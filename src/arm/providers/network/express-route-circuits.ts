/**
 * Microsoft.Network/expressRouteCircuits with peerings (inline and as child resources),
 * enough for the engine's on-premises sources (SE-ONP-1..2). Azure public peering NATs
 * on-premises traffic to two public addresses per circuit: Lazurite fills `natAddresses`
 * (its own property) with two addresses drawn from `AzureCloud.<region>` unless given.
 * Microsoft peering's NAT addresses are the customer's `advertisedPublicPrefixes`.
 *
 * Limitations: no BGP sessions; `serviceProviderProperties` and SKUs round-trip untouched;
 * `advertisedOnPremisesPrefixes` (Lazurite's) says what private peering advertises.
 */
import { ArmErrors } from "../../../model/errors.js";
import { formatAddress, formatPrefix, parseAddress, parsePrefixStrict } from "../../../model/ip.js";
import { CIRCUIT_PEERING_TYPE, CIRCUIT_TYPE } from "../../../model/resources/gateway.js";
import { idKey } from "../../../model/resource-id.js";
import { prepareChildren } from "../../children.js";
import type { ChildSpec, ResourceKind } from "../../kinds.js";
import { objectAt, stringAt, stringArrayAt } from "../../validate.js";
import { guidOf, locationFor, tracked } from "../common.js";
import { pickPublicAddress } from "./public-ip-addresses.js";

export const CIRCUIT_PEERINGS_SPEC: ChildSpec = {
  segment: "peerings",
  type: CIRCUIT_PEERING_TYPE,
  property: "peerings",
};

const PEERING_TYPES = ["AzurePublicPeering", "AzurePrivatePeering", "MicrosoftPeering"];

export const expressRouteCircuits: ResourceKind = {
  namespace: "Microsoft.Network",
  typeName: "expressRouteCircuits",
  type: CIRCUIT_TYPE,
  lro: "network",
  location: "required",
  children: [CIRCUIT_PEERINGS_SPEC],
  serverOwned: [],
  async prepare(ctx, input, existing) {
    const region = locationFor(input, existing, CIRCUIT_TYPE);
    const p = input.properties;
    const peerings = await prepareChildren(ctx, {
      parentId: input.id,
      spec: CIRCUIT_PEERINGS_SPEC,
      input: p.peerings,
      existingParent: existing,
      path: "properties.peerings",
      build: ({ id, name, properties }) => {
        const path = `properties.peerings[${name}].properties`;
        const typeText = stringAt(properties.peeringType, `${path}.peeringType`) ?? "";
        const peeringType = PEERING_TYPES.find((t) => t.toLowerCase() === typeText.trim().toLowerCase());
        if (!peeringType) {
          throw ArmErrors.invalidRequestFormat(
            `Cannot parse the request. The value '${typeText}' at '${path}.peeringType' must be one of ${PEERING_TYPES.join(", ")}.`,
          );
        }
        const out: Record<string, unknown> = {
          ...properties,
          peeringType,
          state: stringAt(properties.state, `${path}.state`) ?? "Enabled",
        };
        for (const k of ["primaryPeerAddressPrefix", "secondaryPeerAddressPrefix"]) {
          const t = stringAt(properties[k], `${path}.${k}`);
          if (t !== undefined) out[k] = formatPrefix(parsePrefixStrict(t, id));
        }
        const ms = objectAt(properties.microsoftPeeringConfig, `${path}.microsoftPeeringConfig`);
        if (ms) {
          const adv =
            stringArrayAt(
              ms.advertisedPublicPrefixes,
              `${path}.microsoftPeeringConfig.advertisedPublicPrefixes`,
            ) ?? [];
          out.microsoftPeeringConfig = {
            ...ms,
            advertisedPublicPrefixes: adv.map((t) => formatPrefix(parsePrefixStrict(t, id))),
          };
        }
        const nat = stringArrayAt(properties.natAddresses, `${path}.natAddresses`);
        if (nat !== undefined) {
          out.natAddresses = nat.map((a) => formatAddress(parseAddress(a)));
        } else if (peeringType === "AzurePublicPeering") {
          const picked = [0, 1].map((i) => pickPublicAddress(ctx, region, `${idKey(input.id)}/nat/${i}`));
          if (picked.every((a) => a !== undefined)) out.natAddresses = picked;
        }
        out.provisioningState = "Succeeded";
        return out;
      },
    });
    const advertised = stringArrayAt(
      p.advertisedOnPremisesPrefixes,
      "properties.advertisedOnPremisesPrefixes",
    );
    const props: Record<string, unknown> = {
      ...p,
      peerings,
      circuitProvisioningState: "Enabled",
      serviceProviderProvisioningState:
        stringAt(p.serviceProviderProvisioningState, "properties.serviceProviderProvisioningState") ??
        "Provisioned",
      serviceKey:
        typeof existing?.properties?.serviceKey === "string"
          ? existing.properties.serviceKey
          : ctx.deps.ids.guid(),
      resourceGuid: guidOf(ctx, existing),
      provisioningState: "Succeeded",
    };
    if (advertised !== undefined)
      props.advertisedOnPremisesPrefixes = advertised.map((t) =>
        formatPrefix(parsePrefixStrict(t, input.id)),
      );
    return tracked(input, existing, CIRCUIT_TYPE, props);
  },
};
