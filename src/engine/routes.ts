/**
 * Effective routes (SE-ROUTE-1..4, SE-DIAG-2): system routes, BGP routes learned over
 * gateways, service-endpoint routes and user routes, combined with Azure's selection rules.
 *
 * Selection, in order:
 *  1. An address inside an active service-endpoint route's prefixes takes that route: endpoint
 *     routes win over BGP and user routes for the service's prefixes (SE-ROUTE-3), so forced
 *     tunnelling no longer carries the service's traffic.
 *  2. Otherwise longest prefix match over active routes; on an equal prefix User > BGP > Default
 *     (losers stay listed with state `Invalid`).
 *  3. System routes for the VNet space and peerings are preferred over BGP routes even when
 *     the BGP route is more specific.
 *
 * Limitations: routes are per subnet (Azure computes them per NIC, but every NIC of a subnet
 * gets the same table); NIC-level IP forwarding only matters for appliances; the 2020s extra
 * `None` routes (25.33.80.0/20, 25.41.3.0/25) are not emitted.
 */
import type { Address, Prefix } from "../model/ip.js";
import { formatPrefix, parsePrefixLoose, prefixContainsPrefix, prefixEquals } from "../model/ip.js";
import { PrefixSet, PrefixTrie } from "../model/prefix-trie.js";
import { allocInt32 } from "./slab.js";
import { idKey } from "../model/resource-id.js";
import { objectsOf, stringsOf } from "../model/resources/common.js";
import { findEndpointService } from "../model/catalog/endpoint-services.js";
import type { Snapshot, SubnetInfo, VnetInfo } from "./snapshot.js";
import { textOf } from "../model/errors.js";

export type RouteSource = "Default" | "User" | "VirtualNetworkGateway";

/** One route as the engine holds it. */
export interface RouteEntry {
  source: RouteSource;
  state: "Active" | "Invalid";
  prefixes: Prefix[];
  nextHopType: string;
  nextHopIpAddress: string[];
  /** User route name. */
  name?: string;
  /** Id of the user route, or of the resource that caused a system route (VNet, peering, gateway, subnet). */
  origin?: string;
  /** Endpoint service, for VirtualNetworkServiceEndpoint routes. */
  service?: string;
  /** Route table id, for user routes. */
  routeTableId?: string;
  disableBgpRoutePropagation: boolean;
}

/** Azure's EffectiveRoute wire shape. */
export interface EffectiveRoute {
  name?: string;
  disableBgpRoutePropagation: boolean;
  source: RouteSource;
  state: "Active" | "Invalid";
  addressPrefix: string[];
  nextHopIpAddress: string[];
  nextHopType: string;
}

export interface RouteSet {
  readonly entries: RouteEntry[];
  lookup(a: Address): RouteEntry | undefined;
}

const RESERVED: Array<[string, string]> = [
  ["10.0.0.0/8", "None"],
  ["100.64.0.0/10", "None"],
  ["172.16.0.0/12", "None"],
  ["192.168.0.0/16", "None"],
];

const SOURCE_RANK: Record<RouteSource, number> = { User: 3, VirtualNetworkGateway: 2, Default: 1 };

function endpointPrefixSet(
  snap: Snapshot,
  serviceTag: string,
  locations: string[],
): { prefixes: Prefix[]; set: PrefixSet } {
  const key = `ep:${serviceTag.toLowerCase()}|${[...locations].map((l) => l.toLowerCase()).join(",")}`;
  return snap.memoize(key, () => {
    const prefixes = snap.catalog.servicePrefixes(serviceTag, locations);
    return { prefixes, set: new PrefixSet(prefixes) };
  });
}

/** VNets peered with this one (connected peerings), with whether the peering is global. */
export function peeredVnets(
  snap: Snapshot,
  vnet: VnetInfo,
): Array<{
  vnet: VnetInfo;
  global: boolean;
  peeringId: string;
  useRemoteGateways: boolean;
  allowGatewayTransit: boolean;
}> {
  const out: Array<{
    vnet: VnetInfo;
    global: boolean;
    peeringId: string;
    useRemoteGateways: boolean;
    allowGatewayTransit: boolean;
  }> = [];
  for (const p of snap.peerings.get(vnet.key) ?? []) {
    const props = (p.properties ?? {}) as Record<string, any>;
    if (props.allowVirtualNetworkAccess === false) continue;
    if (props.peeringState === "Disconnected" || props.peeringState === "Initiated") continue;
    const remoteId = props.remoteVirtualNetwork?.id;
    if (typeof remoteId !== "string") continue;
    const remote = snap.vnet(remoteId);
    if (!remote) continue;
    out.push({
      vnet: remote,
      global: remote.location !== vnet.location,
      peeringId: p.id,
      useRemoteGateways: props.useRemoteGateways === true,
      allowGatewayTransit: props.allowGatewayTransit === true,
    });
  }
  return out;
}

/** Gateways deployed in this VNet's own GatewaySubnet. */
function ownGateways(snap: Snapshot, vnet: VnetInfo): string[] {
  return [...snap.vnetGateways.values()]
    .filter((g) =>
      objectsOf(g.properties?.ipConfigurations).some((c) => {
        const sid = c.properties?.subnet?.id;
        return typeof sid === "string" && idKey(sid).startsWith(vnet.key + "/subnets/");
      }),
    )
    .map((g) => g.id);
}

/**
 * Gateways whose learned routes this VNet receives: its own, and a peer's own gateway when the
 * peering uses remote gateways (gateway transit is not transitive).
 */
export function gatewaysFor(snap: Snapshot, vnet: VnetInfo): string[] {
  const ids = ownGateways(snap, vnet);
  for (const peer of peeredVnets(snap, vnet)) {
    if (!peer.useRemoteGateways || peer.vnet.key === vnet.key) continue;
    ids.push(...ownGateways(snap, peer.vnet));
  }
  return [...new Set(ids)];
}

/** Prefixes learned by a virtual network gateway from its connections (local gateways, circuits). */
export function learnedPrefixes(
  snap: Snapshot,
  gatewayId: string,
): Array<{ prefix: Prefix; text: string; origin: string }> {
  const out: Array<{ prefix: Prefix; text: string; origin: string }> = [];
  const gk = idKey(gatewayId);
  for (const c of snap.connections.values()) {
    const p = c.properties ?? {};
    if (!p.virtualNetworkGateway1?.id || idKey(p.virtualNetworkGateway1.id) !== gk) continue;
    const texts: string[] = [];
    if (p.localNetworkGateway2?.id) {
      const lgw = snap.localGateways.get(idKey(p.localNetworkGateway2.id));
      texts.push(...stringsOf(lgw?.properties?.localNetworkAddressSpace?.addressPrefixes));
    }
    if (p.peer?.id) {
      const circuit = snap.circuits.get(idKey(p.peer.id));
      texts.push(...stringsOf(circuit?.properties?.advertisedOnPremisesPrefixes));
    }
    for (const t of texts) {
      const prefix = parsePrefixLoose(t);
      if (prefix) out.push({ prefix, text: formatPrefix(prefix), origin: c.id });
    }
  }
  return out;
}

/** The route entries of a subnet, before selection marks losers Invalid. */
function rawEntries(snap: Snapshot, subnet: SubnetInfo): RouteEntry[] {
  const vnet = subnet.vnet;
  const rt = snap.routeTable(subnet.routeTableId);
  const disableBgp = rt?.properties?.disableBgpRoutePropagation === true;
  const sys = (
    prefixes: Prefix[],
    nextHopType: string,
    origin?: string,
    extra: Partial<RouteEntry> = {},
  ): RouteEntry => ({
    source: "Default",
    state: "Active",
    prefixes,
    nextHopType,
    nextHopIpAddress: [],
    disableBgpRoutePropagation: disableBgp,
    ...(origin ? { origin } : {}),
    ...extra,
  });
  const entries: RouteEntry[] = [];
  // VNet address space (one route per range).
  for (const p of vnet.addressPrefixes) entries.push(sys([p], "VnetLocal", vnet.id));
  entries.push(sys([parsePrefixLoose("0.0.0.0/0")!], "Internet"));
  for (const [text, hop] of RESERVED) {
    const r = parsePrefixLoose(text)!;
    // A VNet range equal to a reserved prefix replaces it; one containing it drops it.
    if (vnet.addressPrefixes.some((v) => prefixEquals(v, r) || prefixContainsPrefix(v, r))) continue;
    entries.push(sys([r], hop));
  }
  for (const peer of peeredVnets(snap, vnet)) {
    for (const p of peer.vnet.addressPrefixes) {
      entries.push(sys([p], peer.global ? "VNetGlobalPeering" : "VNetPeering", peer.peeringId));
    }
  }
  if (!disableBgp) {
    for (const gw of gatewaysFor(snap, vnet)) {
      const g = snap.vnetGateways.get(idKey(gw));
      const hopIps = objectsOf(g?.properties?.ipConfigurations)
        .map((c) => c.properties?.privateIPAddress)
        .filter((x): x is string => typeof x === "string");
      for (const l of learnedPrefixes(snap, gw)) {
        entries.push({
          source: "VirtualNetworkGateway",
          state: "Active",
          prefixes: [l.prefix],
          nextHopType: "VirtualNetworkGateway",
          nextHopIpAddress: hopIps,
          origin: gw,
          disableBgpRoutePropagation: false,
        });
      }
    }
  }
  for (const ep of subnet.endpoints) {
    const svc = findEndpointService(ep.service);
    if (!svc) continue;
    const { prefixes } = endpointPrefixSet(snap, svc.serviceTag, ep.locations);
    entries.push(sys(prefixes, "VirtualNetworkServiceEndpoint", subnet.id, { service: svc.name }));
  }
  for (const r of objectsOf(rt?.properties?.routes)) {
    const prefix = parsePrefixLoose(textOf(r.properties?.addressPrefix ?? ""));
    if (!prefix) continue;
    entries.push({
      source: "User",
      state: "Active",
      prefixes: [prefix],
      nextHopType: textOf(r.properties?.nextHopType ?? "None"),
      nextHopIpAddress:
        typeof r.properties?.nextHopIpAddress === "string" && r.properties.nextHopIpAddress
          ? [r.properties.nextHopIpAddress]
          : [],
      name: r.name,
      origin: r.id,
      routeTableId: rt!.id,
      disableBgpRoutePropagation: disableBgp,
    });
  }
  return entries;
}

class SubnetRouteSet implements RouteSet {
  readonly entries: RouteEntry[];
  private readonly endpoints: Array<{ set: PrefixSet; entry: RouteEntry }> = [];
  private readonly nonBgp: PrefixTrie<RouteEntry>;
  private readonly bgp: PrefixTrie<RouteEntry>;
  /** VNet and peering address space: BGP routes never win inside it (even where a user route overrides the system route). */
  private readonly shield: PrefixTrie<true>;
  private readonly hasBgp: boolean;
  /**
   * The tries are kept only for IPv6 lookups (IPv4 reads the precomputed segments); a subnet
   * without IPv6 routes drops them once the segments are built (they were most of the memory
   * of a large estate's route sets).
   */
  private readonly keepTries: boolean;

  constructor(snap: Snapshot, subnet: SubnetInfo) {
    this.nonBgp = new PrefixTrie<RouteEntry>();
    this.bgp = new PrefixTrie<RouteEntry>();
    this.shield = new PrefixTrie<true>();
    const entries = rawEntries(snap, subnet);
    // Same-prefix resolution among single-prefix routes: User > BGP > Default.
    const best = new PrefixTrie<RouteEntry>();
    for (const e of entries) {
      if (e.nextHopType === "VirtualNetworkServiceEndpoint") continue;
      const p = e.prefixes[0]!;
      const cur = best.get(p);
      if (!cur || SOURCE_RANK[e.source] > SOURCE_RANK[cur.source]) best.set(p, e);
    }
    for (const e of entries) {
      if (e.nextHopType === "VirtualNetworkServiceEndpoint") {
        const svc = findEndpointService(e.service ?? "");
        const loc = subnet.endpoints.find((x) => x.service === e.service)?.locations ?? ["*"];
        const set = endpointPrefixSet(snap, svc?.serviceTag ?? "", loc).set;
        this.endpoints.push({ set, entry: e });
        continue;
      }
      if (best.get(e.prefixes[0]!) !== e) e.state = "Invalid";
    }
    // Endpoint routes win over user and BGP routes for the service's exact prefixes (SE-ROUTE-3).
    for (const e of entries) {
      if (e.state !== "Active" || e.source === "Default") continue;
      const p = e.prefixes[0]!;
      if (this.endpoints.some((x) => x.entry.prefixes.some((q) => prefixEquals(q, p)))) e.state = "Invalid";
    }
    for (const e of entries) {
      if (
        e.source === "Default" &&
        (e.nextHopType === "VnetLocal" ||
          e.nextHopType === "VNetPeering" ||
          e.nextHopType === "VNetGlobalPeering")
      ) {
        this.shield.set(e.prefixes[0]!, true);
      }
      if (e.state !== "Active" || e.nextHopType === "VirtualNetworkServiceEndpoint") continue;
      (e.source === "VirtualNetworkGateway" ? this.bgp : this.nonBgp).set(e.prefixes[0]!, e);
    }
    this.hasBgp = this.bgp.size > 0;
    this.entries = entries;
    // IPv4 selection precomputed per elementary segment of the address space: every prefix
    // the tries hold starts or ends a segment, so inside one segment the same prefixes contain
    // every address and the selection below gives the same route.
    const bounds = new Set<number>([0]);
    for (const e of entries) {
      const p = e.prefixes[0];
      if (e.nextHopType === "VirtualNetworkServiceEndpoint" || !p || p.family !== 4) continue;
      bounds.add(p.base);
      const end = p.base + 2 ** (32 - p.length);
      if (end <= 0xffffffff) bounds.add(end);
    }
    const sorted = [...bounds].sort((x, y) => x - y);
    const run = allocInt32(sorted.length);
    this.buf = run.buf;
    this.off = run.off;
    this.count = sorted.length;
    sorted.forEach((v, i) => (run.buf[run.off + i] = v | 0));
    this.answers = sorted.map((v) => this.select({ family: 4, value: v }));
    this.keepTries = entries.some((e) => e.prefixes[0]?.family === 6);
    if (!this.keepTries) {
      const empty = new PrefixTrie<never>();
      this.nonBgp = empty;
      this.bgp = empty;
      this.shield = empty;
    }
  }

  /** Segment starts (sorted, first 0; unsigned values stored as int32 in a slab run) and the route each segment selects. */
  private readonly buf: Int32Array;
  private readonly off: number;
  private readonly count: number;
  private readonly answers: Array<RouteEntry | undefined>;

  lookup(a: Address): RouteEntry | undefined {
    for (let i = 0; i < this.endpoints.length; i++) {
      const ep = this.endpoints[i]!;
      if (ep.set.has(a)) return ep.entry;
    }
    if (a.family === 6) return this.keepTries ? this.select(a) : undefined;
    const buf = this.buf;
    const off = this.off;
    const v = a.value;
    let l = 0;
    let h = this.count - 1;
    while (l < h) {
      const m = (l + h + 1) >>> 1;
      if (buf[off + m]! >>> 0 <= v) l = m;
      else h = m - 1;
    }
    return this.answers[l];
  }

  /** Longest prefix over the tries, with the BGP rules of SE-ROUTE-3 (endpoint routes aside). */
  private select(a: Address): RouteEntry | undefined {
    const nb = this.nonBgp.longestMatchEntry(a);
    if (!this.hasBgp) return nb?.value;
    const bg = this.bgp.longestMatchEntry(a);
    if (!bg) return nb?.value;
    if (!nb) return bg.value;
    // System routes for the VNet space and peerings are preferred over BGP routes, even more specific ones.
    if (this.shield.containsAddress(a)) return nb.value;
    if (bg.length > nb.length) return bg.value;
    if (bg.length === nb.length) return nb.value.source === "User" ? nb.value : bg.value;
    return nb.value;
  }
}

/** The route set of a subnet (memoized in the snapshot, on the subnet's memo slot). */
export function subnetRoutes(snap: Snapshot, subnet: SubnetInfo): RouteSet {
  let r = subnet.memo.routes as RouteSet | undefined;
  if (r === undefined) {
    r = snap.memoize(`routes:${subnet.key}`, () => new SubnetRouteSet(snap, subnet));
    subnet.memo.routes = r;
  }
  return r;
}

/** Azure's effectiveRouteTable body for a NIC: `{ value: EffectiveRoute[] }` (SE-ROUTE-1, SE-DIAG-2). */
export function effectiveRouteTable(snap: Snapshot, nicId: string): { value: EffectiveRoute[] } {
  const nic = snap.nic(nicId);
  const cfg = nic?.ipConfigs.find((c) => c.primary) ?? nic?.ipConfigs[0];
  const subnet = cfg ? snap.subnet(cfg.subnetId) : undefined;
  if (!subnet) return { value: [] };
  return { value: subnetRoutes(snap, subnet).entries.map(toEffectiveRoute) };
}

export function toEffectiveRoute(e: RouteEntry): EffectiveRoute {
  const out: EffectiveRoute = {
    disableBgpRoutePropagation: e.disableBgpRoutePropagation,
    source: e.source,
    state: e.state,
    addressPrefix: e.prefixes.map(formatPrefix),
    nextHopIpAddress: e.nextHopIpAddress,
    nextHopType: e.nextHopType,
  };
  return e.name !== undefined ? { name: e.name, ...out } : out;
}

/** A short label of a route for traces: `User route "to-nva" (0.0.0.0/0 → VirtualAppliance 10.0.9.4)`. */
export function describeRoute(e: RouteEntry): string {
  const pre =
    e.prefixes.length === 1
      ? formatPrefix(e.prefixes[0]!)
      : `${e.prefixes.length} prefixes of ${e.service ?? "the service"}`;
  const hop =
    e.nextHopIpAddress.length > 0 ? `${e.nextHopType} ${e.nextHopIpAddress.join(",")}` : e.nextHopType;
  const who =
    e.source === "User"
      ? `user route "${e.name}"`
      : e.source === "VirtualNetworkGateway"
        ? "BGP route"
        : "system route";
  return `${who} ${pre} → ${hop}`;
}
