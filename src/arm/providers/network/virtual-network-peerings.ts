/**
 * Virtual network peerings (SE-RES-3, SE-SCN-1), inline in their VNet and as child
 * resources. `peeringState` follows Azure: `Initiated` until the remote VNet peers back,
 * then `Connected` on both sides; deleting one side leaves the other `Disconnected`.
 * `remoteAddressSpace` mirrors the remote VNet's address space.
 *
 * Limitations: overlapping address spaces between peered VNets are not refused; gateway
 * transit flags are stored and passed to the engine as given.
 */
import { ArmErrors } from "../../../model/errors.js";
import type { ArmResource } from "../../../model/resources/common.js";
import { PEERING_TYPE, VNET_TYPE } from "../../../model/resources/virtual-network.js";
import { idKey, sameId } from "../../../model/resource-id.js";
import { prepareChildren } from "../../children.js";
import type { Ctx } from "../../context.js";
import { clone, loadResource } from "../../documents.js";
import type { ChildSpec, Reference } from "../../kinds.js";
import type { UnitOfWork } from "../../unit-of-work.js";
import { boolAt, subResourceAt } from "../../validate.js";

export const PEERING_SPEC: ChildSpec = {
  segment: "virtualNetworkPeerings",
  type: PEERING_TYPE,
  property: "virtualNetworkPeerings",
  serverOwned: ["peeringState", "remoteAddressSpace"],
};

function peeringsOf(vnet: ArmResource | undefined): ArmResource[] {
  const list = vnet?.properties?.virtualNetworkPeerings;
  return Array.isArray(list) ? (list as ArmResource[]) : [];
}

function remoteIdOf(peering: ArmResource): string | undefined {
  return (peering.properties?.remoteVirtualNetwork as { id?: string } | undefined)?.id;
}

export async function preparePeerings(
  ctx: Ctx,
  vnetId: string,
  input: unknown,
  existingVnet: ArmResource | undefined,
): Promise<ArmResource[]> {
  const out = await prepareChildren(ctx, {
    parentId: vnetId,
    spec: PEERING_SPEC,
    input,
    existingParent: existingVnet,
    path: "properties.virtualNetworkPeerings",
    build: async ({ name, properties }) => {
      const path = `properties.virtualNetworkPeerings[${name}].properties`;
      const remote = subResourceAt(properties.remoteVirtualNetwork, `${path}.remoteVirtualNetwork`);
      if (!remote) throw ArmErrors.linkedInvalidPropertyId(`${path}.remoteVirtualNetwork.id`, "");
      const o: Record<string, unknown> = { ...properties, remoteVirtualNetwork: remote };
      o.allowVirtualNetworkAccess =
        boolAt(properties.allowVirtualNetworkAccess, `${path}.allowVirtualNetworkAccess`) ?? true;
      o.allowForwardedTraffic =
        boolAt(properties.allowForwardedTraffic, `${path}.allowForwardedTraffic`) ?? false;
      o.allowGatewayTransit = boolAt(properties.allowGatewayTransit, `${path}.allowGatewayTransit`) ?? false;
      o.useRemoteGateways = boolAt(properties.useRemoteGateways, `${path}.useRemoteGateways`) ?? false;
      o.provisioningState = "Succeeded";
      return o;
    },
  });
  // Server-owned state, computed from the remote side (prepareChildren dropped client values).
  for (const p of out) {
    const remote = await loadResource(ctx.store, remoteIdOf(p)!);
    if (!remote) continue; // refs validation answers InvalidResourceReference
    const back = peeringsOf(remote).find((rp) => sameId(remoteIdOf(rp), vnetId));
    p.properties.peeringState = back ? "Connected" : "Initiated";
    p.properties.remoteAddressSpace = clone(remote.properties?.addressSpace ?? { addressPrefixes: [] });
  }
  return out;
}

export function peeringReferences(vnet: ArmResource): Reference[] {
  return peeringsOf(vnet).flatMap((p) => {
    const to = remoteIdOf(p);
    return to
      ? [
          {
            from: p.id,
            to,
            path: `properties.virtualNetworkPeerings[${p.name}].properties.remoteVirtualNetwork.id`,
            targetType: VNET_TYPE,
          },
        ]
      : [];
  });
}

/** Keeps the remote sides in step: Connected when both peer, Disconnected when one side left. */
export async function syncRemotePeerings(
  uow: UnitOfWork,
  next: ArmResource | undefined,
  prev: ArmResource | undefined,
): Promise<void> {
  const vnetId = (next ?? prev)!.id;
  const nowPeered = new Set(peeringsOf(next).map((p) => idKey(remoteIdOf(p) ?? "")));
  const remotes = new Set(
    [...peeringsOf(prev), ...peeringsOf(next)].map((p) => remoteIdOf(p)).filter((x): x is string => !!x),
  );
  for (const remoteId of remotes) {
    if (sameId(remoteId, vnetId)) continue;
    const remote = await uow.load(remoteId);
    if (!remote) continue;
    let changed = false;
    for (const rp of peeringsOf(remote)) {
      if (!sameId(remoteIdOf(rp), vnetId)) continue;
      const state = nowPeered.has(idKey(remoteId)) ? "Connected" : "Disconnected";
      const space = clone(next?.properties?.addressSpace ?? rp.properties.remoteAddressSpace);
      if (
        rp.properties.peeringState !== state ||
        JSON.stringify(rp.properties.remoteAddressSpace) !== JSON.stringify(space)
      ) {
        rp.properties.peeringState = state;
        rp.properties.remoteAddressSpace = space;
        changed = true;
      }
    }
    if (changed) uow.set(remote);
  }
}
