/**
 * Azure's effectiveNetworkSecurityGroups answer for a NIC (SE-NSG-1, SE-DIAG-2's sibling):
 * the subnet's and the NIC's NSGs with their rules normalised and tags expanded.
 */
import type { Prefix } from "../model/ip.js";
import { gatewaysFor, learnedPrefixes, peeredVnets } from "./routes.js";
import { effectiveNetworkSecurityGroupsFor, type NsgContext } from "./nsg.js";
import type { Snapshot, VnetInfo } from "./snapshot.js";

/**
 * The private addresses (as host prefixes) of the IP configurations in each application security
 * group, by group key: what Azure's effective rules list as an ASG rule's expanded prefixes.
 */
function asgMembers(snap: Snapshot): Map<string, Prefix[]> {
  return snap.memoize("asg-members", () => {
    const out = new Map<string, Prefix[]>();
    for (const nic of snap.nics.values())
      for (const cfg of nic.ipConfigs)
        for (const key of cfg.asgs) {
          const a = cfg.privateAddress;
          const p: Prefix =
            a.family === 4
              ? { family: 4, base: a.value, length: 32 }
              : { family: 6, base: a.value, length: 128 };
          const list = out.get(key);
          if (list) list.push(p);
          else out.set(key, [p]);
        }
    return out;
  });
}

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
      applicationSecurityGroupPrefixes: (asgKey: string) => asgMembers(snap).get(asgKey),
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
