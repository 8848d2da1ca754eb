/**
 * On-premises: flows that start on-premises (through an ExpressRoute circuit or a local network
 * gateway) and the on-premises edge that forced-tunnelled Azure traffic leaves from, with the
 * ExpressRoute NAT addresses Azure services see (SE-ONP-1, SE-ONP-2).
 */
import type { Address } from "../model/ip.js";
import { addressAt, formatAddress, isPublicAddress, tryParseAddress, tryParsePrefix } from "../model/ip.js";
import { ArmErrors } from "../model/errors.js";
import { idKey } from "../model/resource-id.js";
import { objectsOf, stringsOf } from "../model/resources/common.js";
import { gatewaysFor, type RouteEntry } from "./routes.js";
import type { Snapshot, VnetInfo } from "./snapshot.js";
import type { Flow } from "./types.js";
import { nsgName, type Egress, type Trace } from "./trace.js";

/** The public addresses on-premises traffic reaches Azure services from (memoised per route entry: its VNet is fixed). */
const edges = new WeakMap<RouteEntry, { addresses: Address[]; resourceId?: string }>();

export function onPremEdge(
  snap: Snapshot,
  vnet: VnetInfo,
  route: RouteEntry,
): { addresses: Address[]; resourceId?: string } {
  let e = edges.get(route);
  if (e === undefined) {
    e = findOnPremEdge(snap, vnet, route);
    edges.set(route, e);
  }
  return e;
}

function findOnPremEdge(
  snap: Snapshot,
  vnet: VnetInfo,
  route: RouteEntry,
): { addresses: Address[]; resourceId?: string } {
  const gws =
    route.source === "VirtualNetworkGateway" && route.origin ? [route.origin] : gatewaysFor(snap, vnet);
  for (const gw of gws) {
    for (const c of snap.connections.values()) {
      if (
        !c.properties?.virtualNetworkGateway1?.id ||
        idKey(c.properties.virtualNetworkGateway1.id) !== idKey(gw)
      )
        continue;
      if (c.properties.peer?.id) {
        const nat = circuitNat(snap, c.properties.peer.id);
        if (nat.addresses.length) return { addresses: nat.addresses, resourceId: c.properties.peer.id };
      }
      if (c.properties.localNetworkGateway2?.id) {
        const lgw = snap.localGateways.get(idKey(c.properties.localNetworkGateway2.id));
        const a = lgw?.properties?.gatewayIpAddress
          ? tryParseAddress(lgw.properties.gatewayIpAddress)
          : undefined;
        if (a) return { addresses: [a], resourceId: lgw!.id };
      }
    }
  }
  return { addresses: [] };
}

/** ExpressRoute NAT addresses towards Azure services (SE-ONP-2): public peering's pair, else Microsoft peering's prefixes. */
function circuitNat(snap: Snapshot, circuitId: string): { addresses: Address[]; peering?: string } {
  const circuit = snap.circuits.get(idKey(circuitId));
  if (!circuit) return { addresses: [] };
  const peerings = objectsOf(circuit.properties?.peerings);
  const ms = peerings.find(
    (p) => p.properties?.peeringType === "MicrosoftPeering" && p.properties?.state !== "Disabled",
  );
  if (ms) {
    const addrs = stringsOf(ms.properties?.microsoftPeeringConfig?.advertisedPublicPrefixes)
      .map((p) => tryParsePrefix(p))
      .filter((p): p is NonNullable<typeof p> => !!p)
      .map((p) => addressAt(p, 0));
    if (addrs.length) return { addresses: addrs, peering: ms.name };
  }
  const pub = peerings.find(
    (p) => p.properties?.peeringType === "AzurePublicPeering" && p.properties?.state !== "Disabled",
  );
  if (pub) {
    const addrs = stringsOf(pub.properties?.natAddresses)
      .map((a) => tryParseAddress(a))
      .filter((a): a is Address => !!a);
    if (addrs.length) return { addresses: addrs, peering: pub.name };
  }
  return { addresses: [] };
}

export function fromOnPrem(snap: Snapshot, t: Trace, flow: Flow & { source: { kind: "onprem" } }): Egress {
  const s = flow.source;
  const addr = tryParseAddress(s.address);
  if (!addr) throw ArmErrors.invalidFlow(`'${s.address}' is not an IP address.`);
  const circuit = snap.circuits.get(idKey(s.via));
  const lgw = snap.localGateways.get(idKey(s.via));
  if (!circuit && !lgw) throw ArmErrors.flowEndpointNotFound("source", s.via);
  const via = s.via;
  const sourceText = s.address;
  t.steps.push(() => ({
    kind: "Source",
    result: "Info",
    resourceId: via,
    detail: `on-premises host ${sourceText} connected through ${circuit ? "ExpressRoute circuit" : "local network gateway"} ${nsgName(via)}`,
  }));
  t.steps.push(() => ({
    kind: "ServiceEndpoint",
    result: "Info",
    detail:
      "traffic from on-premises never uses service endpoints, even when it enters a VNet first; VNet rules cannot match it (SE-ONP-1)",
  }));
  let addresses: Address[] = [];
  let how = "";
  if (circuit) {
    const nat = circuitNat(snap, circuit.id);
    addresses = nat.addresses;
    how = nat.peering ? `the NAT addresses of the circuit's ${nat.peering} (SE-ONP-2)` : "";
  } else if (lgw) {
    const a = lgw.properties?.gatewayIpAddress ? tryParseAddress(lgw.properties.gatewayIpAddress) : undefined;
    if (a && !isPublicAddress(addr)) {
      addresses = [a];
      how = "the on-premises edge's public address (the local network gateway's gatewayIpAddress)";
    }
  }
  if (addresses.length === 0) {
    if (isPublicAddress(addr)) {
      addresses = [addr];
      how = "its own public address";
    } else {
      t.blockers.push(() => ({
        kind: "Source",
        resourceId: via,
        reason: `The on-premises address ${sourceText} is private and ${nsgName(via)} has no NAT address towards Azure services.`,
        fix: circuit
          ? "Configure Microsoft peering (with advertised public NAT prefixes) or public peering NAT addresses on the circuit."
          : "Give the local network gateway its public gatewayIpAddress, or use the on-premises public address.",
      }));
      addresses = [addr];
    }
  }
  const seen = addresses;
  const seenHow = how;
  t.steps.push(() => ({
    kind: "SourceAddress",
    result: "Info",
    resourceId: via,
    detail: `the service sees ${seen.map(formatAddress).join(" or ")}: ${seenHow}`,
  }));
  return { addresses, viaEndpoint: false, nextHopType: circuit ? "ExpressRoute" : "Internet" };
}
