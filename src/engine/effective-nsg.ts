/**
 * Azure's effectiveNetworkSecurityGroups answer for a NIC (SE-NSG-1, SE-DIAG-2's sibling):
 * the subnet's and the NIC's NSGs with their rules normalised and tags expanded.
 */
import type { Prefix } from "../model/ip.js";
import { gatewaysFor, learnedPrefixes, peeredVnets } from "./routes.js";
import { effectiveNetworkSecurityGroupsFor, type NsgContext } from "./nsg.js";
import type { Snapshot, VnetInfo } from "./snapshot.js";

/** The NSG context of a VNet: tag resolution through the catalog, and its VirtualNetwork prefixes. */
export function nsgContextFor(snap: Snapshot, vnet: VnetInfo): NsgContext {
  return snap.memoize(`nsgctx:${vnet.key}`, () => {
    const prefixes = [...vnet.addressPrefixes];
    for (const peer of peeredVnets(snap, vnet)) prefixes.push(...peer.vnet.addressPrefixes);
    for (const gw of gatewaysFor(snap, vnet))
      for (const l of learnedPrefixes(snap, gw)) prefixes.push(l.prefix);
    return {
      tags: {
        prefixes: (tag: string) => snap.catalog.get(tag)?.prefixes as Prefix[] | undefined,
        classification: () => snap.catalog.classification(),
      },
      virtualNetworkPrefixes: prefixes,
    };
  });
}

export function effectiveNetworkSecurityGroups(snap: Snapshot, nicId: string) {
  const nic = snap.nic(nicId);
  const cfg = nic?.ipConfigs.find((c) => c.primary) ?? nic?.ipConfigs[0];
  const subnet = cfg ? snap.subnet(cfg.subnetId) : undefined;
  if (!nic || !subnet) return { value: [] };
  const nicNsg = snap.nsg(nic.nsgId);
  const subnetNsg = snap.nsg(subnet.nsgId);
  return effectiveNetworkSecurityGroupsFor(
    {
      nicId: nic.id,
      subnetId: subnet.id,
      ...(nicNsg ? { nicNsg } : {}),
      ...(subnetNsg ? { subnetNsg } : {}),
    },
    nsgContextFor(snap, subnet.vnet),
  );
}
