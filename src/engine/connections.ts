/**
 * SE-CFG-6: turning a service endpoint on or off on a subnet closes every open TCP
 * connection from that subnet to that service. Given the open connections and the snapshots
 * before and after a change, `resetConnections` answers exactly the connections reset.
 */
import { idKey } from "../model/resource-id.js";
import type { Snapshot, SubnetInfo } from "./snapshot.js";

export interface OpenConnection {
  id: string;
  /** Source NIC (or VM) resource id. */
  sourceId: string;
  /** Destination service resource id. */
  destinationId: string;
  protocol?: "Tcp" | "Udp";
}

export interface ResetConnection {
  connection: OpenConnection;
  subnetId: string;
  service: string;
  /** `enabled` or `disabled`: what happened to the endpoint. */
  change: "enabled" | "disabled" | "changed";
}

function sourceSubnet(snap: Snapshot, sourceId: string): SubnetInfo | undefined {
  const vm = snap.vm(sourceId);
  const nic = vm ? vm.nicIds.map((id) => snap.nic(id)).find((n) => n) : snap.nic(sourceId);
  const cfg = nic?.ipConfigs.find((c) => c.primary) ?? nic?.ipConfigs[0];
  return cfg ? snap.subnet(cfg.subnetId) : undefined;
}

function endpointOf(subnet: SubnetInfo | undefined, service: string): string | undefined {
  const e = subnet?.endpoints.find((x) => x.service.toLowerCase() === service.toLowerCase());
  return e ? [...e.locations].sort().join(",") : undefined;
}

/** The open TCP connections a change resets: those whose source subnet's endpoint for the destination's service was switched on, off, or re-scoped. */
export function resetConnections(
  before: Snapshot,
  after: Snapshot,
  open: readonly OpenConnection[],
): ResetConnection[] {
  const out: ResetConnection[] = [];
  for (const c of open) {
    if ((c.protocol ?? "Tcp") !== "Tcp") continue;
    const dst = before.service(c.destinationId) ?? after.service(c.destinationId);
    if (!dst) continue;
    const sb = sourceSubnet(before, c.sourceId);
    const sa = sourceSubnet(after, c.sourceId);
    const subnet = sb ?? sa;
    if (!subnet) continue;
    if (sb && sa && idKey(sb.id) !== idKey(sa.id)) continue;
    const eb = endpointOf(sb, dst.service);
    const ea = endpointOf(sa, dst.service);
    if (eb === ea) continue;
    out.push({
      connection: c,
      subnetId: subnet.id,
      service: dst.service,
      change: eb === undefined ? "enabled" : ea === undefined ? "disabled" : "changed",
    });
  }
  return out;
}
