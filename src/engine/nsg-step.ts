/**
 * The NSG step of a NIC's path: the subnet and NIC NSGs (compiled once per VNet context and kept
 * in the snapshot's memo slots) evaluated in Azure's order, each recorded as a lazy step / blocker.
 */
import { idKey } from "../model/resource-id.js";
import { compileNsg, type CompiledNsg, type Packet } from "./nsg.js";
import { nsgContextFor } from "./effective-nsg.js";
import type { IpConfigInfo, NicInfo, Snapshot, SubnetInfo, VnetInfo } from "./snapshot.js";
import { destinationExpression, nsgName, type Destination, type Trace } from "./trace.js";

function compiledNsg(snap: Snapshot, nsgId: string, vnet: VnetInfo): CompiledNsg | undefined {
  const nsg = snap.nsg(nsgId);
  if (!nsg) return undefined;
  const k = idKey(nsgId);
  let c = vnet.memo.nsgs.get(k) as CompiledNsg | undefined;
  if (c === undefined) {
    // Shared with other users of the snapshot memo (network watcher) under the same key.
    c = snap.memoize(`nsg:${k}|${vnet.key}`, () => compileNsg(nsg, nsgContextFor(snap, vnet)));
    vnet.memo.nsgs.set(k, c);
  }
  return c;
}

/** The subnet's NSG compiled against its VNet (memoised). */
export function subnetNsg(snap: Snapshot, subnet: SubnetInfo): CompiledNsg | undefined {
  let c = subnet.memo.nsg as CompiledNsg | null | undefined;
  if (c === undefined) {
    c = (subnet.nsgId ? compiledNsg(snap, subnet.nsgId, subnet.vnet) : undefined) ?? null;
    subnet.memo.nsg = c;
  }
  return c ?? undefined;
}

/** The NIC's NSG compiled in the context of the configuration's VNet. */
export function nicNsg(
  snap: Snapshot,
  nic: NicInfo,
  cfg: IpConfigInfo,
  subnet: SubnetInfo,
): CompiledNsg | undefined {
  let c = cfg.memo.nicNsg as CompiledNsg | null | undefined;
  if (c === undefined || subnet !== cfg.subnet) {
    const fresh = (nic.nsgId ? compiledNsg(snap, nic.nsgId, subnet.vnet) : undefined) ?? null;
    if (subnet !== cfg.subnet) return fresh ?? undefined;
    c = fresh;
    cfg.memo.nicNsg = c;
  }
  return c ?? undefined;
}

/** How an NSG sentence names the other end: the destination's tag or address, or a source address. */
function peerText(peer: Destination | string): string {
  return typeof peer === "string" ? peer : destinationExpression(peer);
}

function evaluateNsg(
  t: Trace,
  direction: "Inbound" | "Outbound",
  where: "subnet" | "nic",
  nsgId: string,
  c: CompiledNsg,
  packet: Packet,
  peer: Destination | string,
): void {
  const v = c.evaluate(packet);
  const allowed = v.access === "Allow";
  const protocol = packet.protocol;
  const port = packet.destinationPort;
  t.steps.push(() => ({
    kind: "NetworkSecurityGroup",
    result: allowed ? "Allowed" : "Denied",
    resourceId: nsgId,
    rule: v.ruleName,
    detail: `${direction.toLowerCase()} ${protocol} ${direction === "Outbound" ? "to" : "from"} ${peerText(peer)}:${port} ${allowed ? "allowed" : "denied"} by ${v.ruleName} (priority ${v.priority}) of the ${where === "nic" ? "NIC" : "subnet"} NSG ${nsgName(nsgId)}`,
    data: { direction, association: where, priority: v.priority },
  }));
  if (!allowed) {
    t.blockers.push(() => {
      const peerExpr = peerText(peer);
      const pr = Math.max(100, Math.min(4096, v.priority - 10));
      return {
        kind: "NetworkSecurityGroup",
        resourceId: nsgId,
        rule: v.ruleName,
        reason: `${v.ruleName} (priority ${v.priority}) of NSG ${nsgName(nsgId)} denies ${direction.toLowerCase()} ${protocol} ${direction === "Outbound" ? "to" : "from"} ${peerExpr} port ${port}.`,
        fix:
          v.priority >= 65000
            ? `Add an ${direction.toLowerCase()} security rule to NSG ${nsgName(nsgId)} allowing ${protocol} ${direction === "Outbound" ? "to" : "from"} ${peerExpr} on port ${port}, at a priority number below ${v.priority} (e.g. ${Math.min(4096, 4000)}).`
            : `Add an ${direction.toLowerCase()} security rule to NSG ${nsgName(nsgId)} allowing ${protocol} ${direction === "Outbound" ? "to" : "from"} ${peerExpr} on port ${port} with a priority number below ${v.priority} (e.g. ${pr}), or narrow ${v.ruleName}.`,
      };
    });
  }
}

/** The subnet and NIC NSGs of a NIC's path, in Azure's order per direction (SE-NSG-1): outbound NIC → subnet, inbound subnet → NIC. */
export function evaluateNsgs(
  snap: Snapshot,
  t: Trace,
  direction: "Inbound" | "Outbound",
  subnet: SubnetInfo,
  nic: NicInfo,
  cfg: IpConfigInfo,
  packet: Packet,
  peer: Destination | string,
): void {
  const sub = subnet.nsgId ? subnetNsg(snap, subnet) : undefined;
  const own = nic.nsgId ? nicNsg(snap, nic, cfg, subnet) : undefined;
  if (direction === "Outbound") {
    if (own) evaluateNsg(t, direction, "nic", nic.nsgId!, own, packet, peer);
    if (sub) evaluateNsg(t, direction, "subnet", subnet.nsgId!, sub, packet, peer);
  } else {
    if (sub) evaluateNsg(t, direction, "subnet", subnet.nsgId!, sub, packet, peer);
    if (own) evaluateNsg(t, direction, "nic", nic.nsgId!, own, packet, peer);
  }
}
