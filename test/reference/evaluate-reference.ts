/**
 * A naive reference evaluator: `referenceEvaluate(snapshot, flow)` gives the same answer as
 * the engine's `evaluate`, computed the straightforward way, so that a bug in the engine's
 * tries, memoized route sets or compiled NSGs shows up as a disagreement (SE-DIAG-3, SE-ROUTE-3).
 *
 * - Routes: the subnet's route entries are rebuilt for every flow from the raw resources, and the
 *   route is selected by a linear scan over every entry and every prefix with Azure's rules
 *   (src/engine/routes.ts header, azure-facts §4.1): an active service-endpoint route containing
 *   the destination wins; else longest prefix over active routes, where on an equal prefix
 *   User > BGP > Default and system routes for the VNet space and peerings beat BGP routes even
 *   when the BGP route is more specific.
 * - NSGs: rules sorted by priority and matched one by one; a service tag matches when any prefix
 *   of `catalog.get(tag).prefixes` contains the address; `Internet` is "public and outside
 *   VirtualNetwork"; `VirtualNetwork` is the VNet space + connected peers + gateway-learned prefixes.
 * - Policies and firewalls: linear scans (./firewall-reference.ts restates Storage, SQL, Key Vault).
 * - Every other lookup (NIC by private address, service by host or address, tag membership of
 *   Azure's own space) is a scan over everything the snapshot holds.
 *
 * It reads only the snapshot's raw, indexed resources (subnets, NICs, NSGs, … and the catalog);
 * it never calls the snapshot's memo, PrefixTrie or PrefixSet. Steps are recorded coarsely
 * (kind, resource, rule); what tests compare is the decision, addresses, next hop, blockers and error.
 */
import type { Address, Prefix } from "../../src/model/ip.js";
import { formatAddress, parsePrefixLoose, tryParsePrefix, tryParseAddress } from "../../src/model/ip.js";
import { ArmErrors } from "../../src/model/errors.js";
import { idKey, isWithinScope, sameId } from "../../src/model/resource-id.js";
import { findEndpointService } from "../../src/model/catalog/endpoint-services.js";
import type {
  IpConfigInfo,
  NicInfo,
  ServiceResourceInfo,
  Snapshot,
  SubnetInfo,
  VnetInfo,
} from "../../src/engine/snapshot.js";
import type { Blocker, BlockerKind, Decision, Flow, Protocol, Step } from "../../src/engine/types.js";
import type { SecurityRule } from "../../src/model/resources/network-security-group.js";
import { defaultSecurityRules } from "../../src/model/resources/network-security-group.js";
import { referenceFirewall } from "./firewall-reference.js";
import { anyContains, arr, contains, containsPrefix, isPublic, lower, samePrefix } from "./linear.js";

const MAX_APPLIANCE_HOPS = 4;

// ---------------------------------------------------------------------------------------------
// Topology, restated (peerings, gateways, learned prefixes).

interface Peer {
  vnet: VnetInfo;
  global: boolean;
  peeringId: string;
  useRemoteGateways: boolean;
}

/** Connected peerings of a VNet whose remote VNet exists. */
export function refPeers(snap: Snapshot, vnet: VnetInfo): Peer[] {
  const out: Peer[] = [];
  for (const p of snap.peerings.get(vnet.key) ?? []) {
    const props = (p.properties ?? {}) as Record<string, any>;
    if (props.allowVirtualNetworkAccess === false) continue;
    if (props.peeringState === "Disconnected" || props.peeringState === "Initiated") continue;
    const remoteId = props.remoteVirtualNetwork?.id;
    if (typeof remoteId !== "string") continue;
    let remote: VnetInfo | undefined;
    for (const v of snap.vnets.values()) if (sameId(v.id, remoteId)) remote = v;
    if (!remote) continue;
    out.push({
      vnet: remote,
      global: remote.location !== vnet.location,
      peeringId: p.id,
      useRemoteGateways: props.useRemoteGateways === true,
    });
  }
  return out;
}

/** Gateways deployed in a VNet (an ip configuration in one of its subnets). */
function ownGateways(snap: Snapshot, vnet: VnetInfo): string[] {
  const out: string[] = [];
  for (const g of snap.vnetGateways.values()) {
    const inside = arr(g.properties?.ipConfigurations).some((c) => {
      const sid = c.properties?.subnet?.id;
      return typeof sid === "string" && idKey(sid).startsWith(vnet.key + "/subnets/");
    });
    if (inside) out.push(g.id);
  }
  return out;
}

/** The gateways whose routes a VNet learns: its own, then those of peers it uses as remote gateways. */
export function refGateways(snap: Snapshot, vnet: VnetInfo): string[] {
  const ids = ownGateways(snap, vnet);
  for (const peer of refPeers(snap, vnet))
    if (peer.useRemoteGateways && peer.vnet.key !== vnet.key) ids.push(...ownGateways(snap, peer.vnet));
  return ids;
}

/** Prefixes a gateway learns from its connections (local network gateways, circuits). */
function refLearned(snap: Snapshot, gatewayId: string): Prefix[] {
  const out: Prefix[] = [];
  for (const c of snap.connections.values()) {
    const p = c.properties ?? {};
    if (!p.virtualNetworkGateway1?.id || !sameId(p.virtualNetworkGateway1.id, gatewayId)) continue;
    const texts: string[] = [];
    if (p.localNetworkGateway2?.id) {
      for (const l of snap.localGateways.values()) {
        if (sameId(l.id, p.localNetworkGateway2.id))
          texts.push(...arr(l.properties?.localNetworkAddressSpace?.addressPrefixes));
      }
    }
    if (p.peer?.id) {
      for (const ckt of snap.circuits.values())
        if (sameId(ckt.id, p.peer.id)) texts.push(...arr(ckt.properties?.advertisedOnPremisesPrefixes));
    }
    for (const t of texts) {
      const prefix = parsePrefixLoose(t);
      if (prefix) out.push(prefix);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Routes: rebuilt per flow, selected by a linear scan.

type Source = "Default" | "User" | "VirtualNetworkGateway";

interface RefRoute {
  source: Source;
  prefixes: Prefix[];
  nextHopType: string;
  nextHopIpAddress: string[];
  name?: string;
  origin?: string;
  service?: string;
  routeTableId?: string;
  active: boolean;
}

const RESERVED = ["10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16"];
const RANK: Record<Source, number> = { User: 3, VirtualNetworkGateway: 2, Default: 1 };
const VNET_HOPS = new Set(["VnetLocal", "VNetPeering", "VNetGlobalPeering"]);

/** The prefixes of a service tag for an endpoint's locations: the global tag for `*`, else each regional tag. */
function endpointPrefixes(snap: Snapshot, tag: string, locations: readonly string[]): Prefix[] {
  if (locations.some((l) => l.trim() === "*")) {
    const global = snap.catalog.get(tag);
    if (global) return [...global.prefixes];
    return snap.catalog.regionalTags(tag).flatMap((t) => [...t.prefixes]);
  }
  const out: Prefix[] = [];
  for (const l of locations) {
    const t = snap.catalog.regional(tag, l);
    if (t) out.push(...t.prefixes);
  }
  return out;
}

/** Every route entry of a subnet, with losers of an equal prefix marked inactive. */
export function refRoutes(snap: Snapshot, subnet: SubnetInfo): RefRoute[] {
  const vnet = subnet.vnet;
  const rt = subnet.routeTableId ? snap.routeTable(subnet.routeTableId) : undefined;
  const disableBgp = rt?.properties?.disableBgpRoutePropagation === true;
  const out: RefRoute[] = [];
  const sys = (prefixes: Prefix[], nextHopType: string, origin?: string, service?: string): RefRoute => ({
    source: "Default",
    prefixes,
    nextHopType,
    nextHopIpAddress: [],
    ...(origin ? { origin } : {}),
    ...(service ? { service } : {}),
    active: true,
  });
  for (const p of vnet.addressPrefixes) out.push(sys([p], "VnetLocal", vnet.id));
  out.push(sys([parsePrefixLoose("0.0.0.0/0")!], "Internet"));
  for (const text of RESERVED) {
    const r = parsePrefixLoose(text)!;
    if (vnet.addressPrefixes.some((v) => containsPrefix(v, r))) continue;
    out.push(sys([r], "None"));
  }
  for (const peer of refPeers(snap, vnet)) {
    for (const p of peer.vnet.addressPrefixes)
      out.push(sys([p], peer.global ? "VNetGlobalPeering" : "VNetPeering", peer.peeringId));
  }
  if (!disableBgp) {
    for (const gw of refGateways(snap, vnet)) {
      let hopIps: string[] = [];
      for (const g of snap.vnetGateways.values()) {
        if (sameId(g.id, gw)) {
          hopIps = arr(g.properties?.ipConfigurations)
            .map((c) => c.properties?.privateIPAddress)
            .filter((x): x is string => typeof x === "string");
        }
      }
      for (const prefix of refLearned(snap, gw)) {
        out.push({
          source: "VirtualNetworkGateway",
          prefixes: [prefix],
          nextHopType: "VirtualNetworkGateway",
          nextHopIpAddress: hopIps,
          origin: gw,
          active: true,
        });
      }
    }
  }
  for (const ep of subnet.endpoints) {
    const svc = findEndpointService(ep.service);
    if (!svc) continue;
    out.push(
      sys(
        endpointPrefixes(snap, svc.serviceTag, ep.locations),
        "VirtualNetworkServiceEndpoint",
        subnet.id,
        svc.name,
      ),
    );
  }
  for (const r of arr(rt?.properties?.routes)) {
    const prefix = parsePrefixLoose(String(r.properties?.addressPrefix ?? ""));
    if (!prefix) continue;
    const hopIp = r.properties?.nextHopIpAddress;
    out.push({
      source: "User",
      prefixes: [prefix],
      nextHopType: String(r.properties?.nextHopType ?? "None"),
      nextHopIpAddress: typeof hopIp === "string" && hopIp ? [hopIp] : [],
      name: r.name,
      origin: r.id,
      routeTableId: rt!.id,
      active: true,
    });
  }
  // Equal prefix: User > BGP > Default; among equals the first listed stays active.
  out.forEach((e, i) => {
    if (e.nextHopType === "VirtualNetworkServiceEndpoint") return;
    for (let j = 0; j < out.length; j++) {
      const f = out[j]!;
      if (
        j === i ||
        f.nextHopType === "VirtualNetworkServiceEndpoint" ||
        !samePrefix(f.prefixes[0]!, e.prefixes[0]!)
      )
        continue;
      if (RANK[f.source] > RANK[e.source] || (RANK[f.source] === RANK[e.source] && j < i)) e.active = false;
    }
  });
  return out;
}

/** The route a packet to `a` takes, by a linear scan over every entry and every prefix. */
export function refSelectRoute(routes: readonly RefRoute[], a: Address): RefRoute | undefined {
  // 1. Endpoint routes win over every user and BGP route for the service's prefixes (SE-ROUTE-3).
  for (const r of routes)
    if (r.nextHopType === "VirtualNetworkServiceEndpoint" && anyContains(r.prefixes, a)) return r;
  // 2. Active routes containing the address.
  const hits = routes.filter(
    (r) => r.active && r.nextHopType !== "VirtualNetworkServiceEndpoint" && contains(r.prefixes[0]!, a),
  );
  // 3. System routes for the VNet space and peerings beat BGP routes, even more specific ones.
  const vnetSystem = hits.some((r) => r.source === "Default" && VNET_HOPS.has(r.nextHopType));
  let best: RefRoute | undefined;
  for (const r of hits) {
    if (vnetSystem && r.source === "VirtualNetworkGateway") continue;
    if (!best || r.prefixes[0]!.length > best.prefixes[0]!.length) best = r;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// NSGs: linear first match.

interface Packet {
  direction: "Inbound" | "Outbound";
  protocol: Protocol;
  source: Address;
  sourcePort: number;
  destination: Address;
  destinationPort: number;
  asgs: ReadonlySet<string>;
}

interface NsgEnv {
  snap: Snapshot;
  /** The VirtualNetwork tag as seen from the VNet whose NIC is filtered. */
  virtualNetwork: Prefix[];
}

function virtualNetworkPrefixes(snap: Snapshot, vnet: VnetInfo): Prefix[] {
  const out = [...vnet.addressPrefixes];
  for (const peer of refPeers(snap, vnet)) out.push(...peer.vnet.addressPrefixes);
  for (const gw of refGateways(snap, vnet)) out.push(...refLearned(snap, gw));
  return out;
}

function portOk(single: unknown, plural: unknown, port: number): boolean {
  const texts: string[] = [];
  if (typeof single === "string" && single.trim() !== "") texts.push(single.trim());
  for (const t of arr(plural as unknown[]))
    if (typeof t === "string" && t.trim() !== "") texts.push(t.trim());
  if (texts.length === 0) return true;
  for (const t of texts) {
    if (t === "*") return true;
    const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(t);
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > hi || hi > 65535) continue;
    if (port >= lo && port <= hi) return true;
  }
  return false;
}

function addressOk(
  env: NsgEnv,
  single: unknown,
  plural: unknown,
  asgRefs: unknown,
  a: Address,
  asgs: ReadonlySet<string>,
): boolean {
  const texts: string[] = [];
  if (typeof single === "string" && single.trim() !== "") texts.push(single.trim());
  for (const t of arr(plural as unknown[]))
    if (typeof t === "string" && t.trim() !== "") texts.push(t.trim());
  const groups = arr(asgRefs as Array<{ id?: unknown }>).filter(
    (g) => g && typeof g.id === "string" && g.id !== "",
  );
  if (texts.length === 0 && groups.length === 0) return true;
  for (const t of texts) {
    if (t === "*") return true;
    const prefix = parsePrefixLoose(t);
    if (prefix) {
      if (contains(prefix, a)) return true;
      continue;
    }
    switch (t.toLowerCase()) {
      case "virtualnetwork":
      case "virtual_network":
        if (anyContains(env.virtualNetwork, a)) return true;
        break;
      case "internet":
        if (isPublic(a) && !anyContains(env.virtualNetwork, a)) return true;
        break;
      case "azureloadbalancer":
      case "azure_loadbalancer":
        if (a.family === 4 && formatAddress(a) === "168.63.129.16") return true;
        break;
      default: {
        const tag = env.snap.catalog.get(t);
        if (tag && anyContains(tag.prefixes, a)) return true;
      }
    }
  }
  for (const g of groups) if (asgs.has(idKey(String(g.id)))) return true;
  return false;
}

function protocolOk(ruleProtocol: unknown, p: Protocol): boolean {
  const r = lower(ruleProtocol);
  return r === "*" || r === p.toLowerCase();
}

interface RefVerdict {
  allow: boolean;
  rule: string;
  priority: number;
}

/** First matching rule of an NSG for a packet: user rules by priority, then the default rules. */
export function refNsgVerdict(env: NsgEnv, nsgId: string, p: Packet): RefVerdict | undefined {
  const nsg = env.snap.nsg(nsgId);
  if (!nsg) return undefined;
  const view = (rules: SecurityRule[], isDefault: boolean) =>
    rules
      .map((rule, index) => ({ rule, index, isDefault }))
      .filter(({ rule }) => {
        const pr = rule?.properties;
        return (
          !!pr &&
          lower(pr.direction) === p.direction.toLowerCase() &&
          ["allow", "deny"].includes(lower(pr.access))
        );
      })
      .map((v) => {
        const n = Number(v.rule.properties.priority);
        return { ...v, priority: Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER };
      })
      .sort((x, y) => x.priority - y.priority || x.index - y.index);
  const listed = arr(nsg.properties?.defaultSecurityRules);
  const ordered = [
    ...view(arr(nsg.properties?.securityRules), false),
    ...view(listed.length > 0 ? listed : defaultSecurityRules(nsg.id), true),
  ];
  for (const v of ordered) {
    const r = v.rule.properties;
    if (!protocolOk(r.protocol, p.protocol)) continue;
    if (!portOk(r.destinationPortRange, r.destinationPortRanges, p.destinationPort)) continue;
    if (!portOk(r.sourcePortRange, r.sourcePortRanges, p.sourcePort)) continue;
    const srcAsgs = p.direction === "Outbound" ? p.asgs : new Set<string>();
    const dstAsgs = p.direction === "Inbound" ? p.asgs : new Set<string>();
    if (
      !addressOk(
        env,
        r.destinationAddressPrefix,
        r.destinationAddressPrefixes,
        r.destinationApplicationSecurityGroups,
        p.destination,
        dstAsgs,
      )
    )
      continue;
    if (
      !addressOk(
        env,
        r.sourceAddressPrefix,
        r.sourceAddressPrefixes,
        r.sourceApplicationSecurityGroups,
        p.source,
        srcAsgs,
      )
    )
      continue;
    const name =
      typeof v.rule.name === "string" && v.rule.name !== ""
        ? v.rule.name
        : String(v.rule.id ?? "")
            .split("/")
            .pop()!;
    return {
      allow: lower(r.access) === "allow",
      rule: `${v.isDefault ? "defaultSecurityRules" : "securityRules"}/${name}`,
      priority: v.priority,
    };
  }
  return {
    allow: false,
    rule: `defaultSecurityRules/${p.direction === "Inbound" ? "DenyAllInBound" : "DenyAllOutBound"}`,
    priority: 65500,
  };
}

// ---------------------------------------------------------------------------------------------
// The flow.

interface Trace {
  steps: Step[];
  blockers: Blocker[];
}

interface Destination {
  address: Address;
  service?: ServiceResourceInfo;
}

interface Egress {
  addresses: Address[];
  subnetId?: string;
  viaEndpoint: boolean;
  nextHopType: string;
  azureRegion?: string;
  privateAddress?: Address;
}

function block(
  t: Trace,
  kind: BlockerKind,
  resourceId: string | undefined,
  rule: string | undefined,
  reason: string,
): void {
  t.blockers.push({
    kind,
    ...(resourceId !== undefined ? { resourceId } : {}),
    ...(rule !== undefined ? { rule } : {}),
    reason,
    fix: "(reference)",
  });
}

function step(
  t: Trace,
  kind: Step["kind"],
  result: Step["result"],
  resourceId: string | undefined,
  detail: string,
  rule?: string,
): void {
  t.steps.push({
    kind,
    result,
    ...(resourceId !== undefined ? { resourceId } : {}),
    ...(rule !== undefined ? { rule } : {}),
    detail,
  });
}

function serviceById(snap: Snapshot, id: string): ServiceResourceInfo | undefined {
  for (const s of snap.services.values()) if (sameId(s.id, id)) return s;
  return undefined;
}

/** The service whose public address this is (the last one listed wins, as a later DNS record would). */
function serviceByAddress(snap: Snapshot, a: Address): ServiceResourceInfo | undefined {
  let found: ServiceResourceInfo | undefined;
  for (const s of snap.services.values())
    if (s.address.family === a.family && s.address.value === a.value) found = s;
  return found;
}

function serviceByHost(snap: Snapshot, host: string): ServiceResourceInfo | undefined {
  const h = host.toLowerCase().replace(/\.$/, "");
  let found: ServiceResourceInfo | undefined;
  for (const s of snap.services.values()) for (const x of s.hosts) if (x.host.toLowerCase() === h) found = s;
  return found;
}

function resolveDestination(snap: Snapshot, flow: Flow, t: Trace): Destination | undefined {
  const d = flow.destination;
  if (d.kind === "resource") {
    const service = serviceById(snap, d.resourceId);
    if (!service) throw ArmErrors.flowEndpointNotFound("destination", d.resourceId);
    if (d.endpoint && !service.hosts.some((h) => h.endpoint.toLowerCase() === d.endpoint!.toLowerCase())) {
      throw ArmErrors.invalidFlow(`Resource '${service.id}' has no '${d.endpoint}' endpoint.`);
    }
    step(t, "Dns", "Info", service.id, `resolves to ${formatAddress(service.address)}`);
    return { address: service.address, service };
  }
  if (d.kind === "host") {
    const literal = tryParseAddress(d.host);
    if (literal) return resolveAddress(snap, literal, t);
    const service = serviceByHost(snap, d.host);
    if (!service) {
      step(t, "Dns", "Denied", undefined, `${d.host} does not resolve`);
      block(t, "Dns", undefined, undefined, "NXDOMAIN");
      return undefined;
    }
    step(t, "Dns", "Info", service.id, `resolves to ${formatAddress(service.address)}`);
    return { address: service.address, service };
  }
  const a = tryParseAddress(d.address);
  if (!a) throw ArmErrors.invalidFlow(`'${d.address}' is not an IP address.`);
  return resolveAddress(snap, a, t);
}

function resolveAddress(snap: Snapshot, a: Address, t: Trace): Destination {
  const service = serviceByAddress(snap, a);
  if (service) {
    step(t, "Dns", "Info", service.id, `${formatAddress(a)} is the public address of ${service.id}`);
    return { address: a, service };
  }
  return { address: a };
}

function pickNic(snap: Snapshot, flow: Flow): { nic: NicInfo; cfg: IpConfigInfo } {
  const s = flow.source;
  let nic: NicInfo | undefined;
  let cfgName: string | undefined;
  if (s.kind === "vm") {
    const vm = snap.vm(s.vmId);
    if (!vm) throw ArmErrors.flowEndpointNotFound("source", s.vmId);
    for (const id of vm.nicIds) {
      nic = snap.nic(id);
      if (nic) break;
    }
    if (!nic) throw ArmErrors.invalidFlow(`Virtual machine '${vm.id}' has no network interface.`);
  } else if (s.kind === "nic") {
    nic = snap.nic(s.nicId);
    if (!nic) throw ArmErrors.flowEndpointNotFound("source", s.nicId);
    cfgName = s.ipConfiguration;
  } else {
    throw ArmErrors.invalidFlow("not a NIC source");
  }
  const cfg = cfgName
    ? nic.ipConfigs.find((c) => c.name.toLowerCase() === cfgName!.toLowerCase())
    : (nic.ipConfigs.find((c) => c.primary) ?? nic.ipConfigs[0]);
  if (!cfg) throw ArmErrors.invalidFlow(`Network interface '${nic.id}' has no usable IP configuration.`);
  return { nic, cfg };
}

/** The first NIC ip configuration (in NIC order) holding a private address inside one of the given VNets. */
function nicByPrivateAddress(
  snap: Snapshot,
  a: Address,
  vnetKeys: ReadonlySet<string>,
): { nic: NicInfo; cfg: IpConfigInfo } | undefined {
  for (const nic of snap.nics.values()) {
    for (const cfg of nic.ipConfigs) {
      if (cfg.privateAddress.family !== a.family || cfg.privateAddress.value !== a.value) continue;
      let subnet: SubnetInfo | undefined;
      for (const s of snap.subnets.values()) if (sameId(s.id, cfg.subnetId)) subnet = s;
      if (!subnet || !vnetKeys.has(subnet.vnet.key)) continue;
      // The engine keys NIC ip configurations by name: the first of that name answers.
      return { nic, cfg: nic.ipConfigs.find((c) => c.name === cfg.name)! };
    }
  }
  return undefined;
}

function evaluateNsgs(
  snap: Snapshot,
  t: Trace,
  direction: "Inbound" | "Outbound",
  subnet: SubnetInfo,
  nic: NicInfo,
  cfg: IpConfigInfo,
  packet: Omit<Packet, "direction" | "asgs">,
): void {
  const env: NsgEnv = { snap, virtualNetwork: virtualNetworkPrefixes(snap, subnet.vnet) };
  const order: string[] = [];
  const first = direction === "Inbound" ? subnet.nsgId : nic.nsgId;
  const second = direction === "Inbound" ? nic.nsgId : subnet.nsgId;
  if (first) order.push(first);
  if (second) order.push(second);
  for (const id of order) {
    const v = refNsgVerdict(env, id, { ...packet, direction, asgs: cfg.asgs });
    if (!v) continue;
    step(
      t,
      "NetworkSecurityGroup",
      v.allow ? "Allowed" : "Denied",
      id,
      `${direction} ${v.rule} (${v.priority})`,
      v.rule,
    );
    if (!v.allow) block(t, "NetworkSecurityGroup", id, v.rule, `${v.rule} denies`);
  }
}

function publicAddressOf(snap: Snapshot, nic: NicInfo, cfg: IpConfigInfo): Address {
  const pip = cfg.publicIpId ? snap.publicIp(cfg.publicIpId) : undefined;
  if (pip?.address) return pip.address;
  return snap.azureAddress(nic.location, `default-outbound:${nic.key}`) ?? { family: 4, value: 0x14000001 };
}

function connectedVnetKeys(snap: Snapshot, vnet: VnetInfo): Set<string> {
  return new Set([vnet.key, ...refPeers(snap, vnet).map((p) => p.vnet.key)]);
}

function fromNic(
  snap: Snapshot,
  t: Trace,
  nic: NicInfo,
  cfg: IpConfigInfo,
  dst: Destination,
  protocol: Protocol,
  port: number,
  sourcePort: number,
  hops: number,
): Egress {
  const subnet = snap.subnet(cfg.subnetId);
  if (!subnet)
    throw ArmErrors.invalidFlow(
      `The subnet '${cfg.subnetId}' of network interface '${nic.id}' was not found.`,
    );
  step(t, "Source", "Info", nic.id, `${formatAddress(cfg.privateAddress)} in ${subnet.id}`);
  const service = dst.service;
  const route = refSelectRoute(refRoutes(snap, subnet), dst.address);
  const packet = {
    source: cfg.privateAddress,
    destination: dst.address,
    protocol,
    sourcePort,
    destinationPort: port,
  };
  if (!route) {
    block(t, "Route", undefined, undefined, "no route");
    return { addresses: [cfg.privateAddress], viaEndpoint: false, nextHopType: "None" };
  }
  step(
    t,
    "Route",
    route.nextHopType === "None" ? "Denied" : "Allowed",
    route.source === "User" ? route.routeTableId : subnet.id,
    `${route.source} ${route.nextHopType}`,
    route.name,
  );
  evaluateNsgs(snap, t, "Outbound", subnet, nic, cfg, packet);

  if (
    service &&
    subnet.provisioningState === "Updating" &&
    subnet.endpoints.some((e) => lower(e.service) === lower(service.service))
  ) {
    block(t, "ServiceEndpoint", subnet.id, undefined, "subnet Updating");
  }

  switch (route.nextHopType) {
    case "VirtualNetworkServiceEndpoint":
      step(t, "ServiceEndpoint", "Allowed", subnet.id, `over the ${route.service} endpoint`);
      return {
        addresses: [cfg.privateAddress],
        subnetId: subnet.id,
        viaEndpoint: true,
        nextHopType: route.nextHopType,
        privateAddress: cfg.privateAddress,
      };
    case "Internet": {
      // Data Lake Store Gen1: the subnet identity travels in the Azure AD token.
      if (service && findEndpointService(service.service)?.name === "Microsoft.AzureActiveDirectory") {
        const ep = subnet.endpoints.find((e) => e.service === "Microsoft.AzureActiveDirectory");
        if (ep && (ep.locations.includes("*") || ep.locations.includes(service.location))) {
          return {
            addresses: [cfg.privateAddress],
            subnetId: subnet.id,
            viaEndpoint: true,
            nextHopType: route.nextHopType,
            privateAddress: cfg.privateAddress,
          };
        }
      }
      const pub = publicAddressOf(snap, nic, cfg);
      step(t, "SourceAddress", "Info", nic.id, `leaves from ${formatAddress(pub)}`);
      return {
        addresses: [pub],
        viaEndpoint: false,
        nextHopType: "Internet",
        azureRegion: subnet.vnet.location,
        privateAddress: cfg.privateAddress,
      };
    }
    case "VirtualAppliance": {
      const ip = route.nextHopIpAddress[0] ? tryParseAddress(route.nextHopIpAddress[0]) : undefined;
      const target = ip ? nicByPrivateAddress(snap, ip, connectedVnetKeys(snap, subnet.vnet)) : undefined;
      if (!target) {
        block(t, "Route", route.origin, route.name, "next hop is no NIC");
        return { addresses: [cfg.privateAddress], viaEndpoint: false, nextHopType: route.nextHopType };
      }
      if (hops >= MAX_APPLIANCE_HOPS) {
        block(t, "Route", route.origin, route.name, "appliance loop");
        return { addresses: [cfg.privateAddress], viaEndpoint: false, nextHopType: route.nextHopType };
      }
      if (!target.nic.enableIPForwarding) block(t, "Route", target.nic.id, undefined, "IP forwarding off");
      step(t, "VirtualAppliance", "Info", target.nic.id, "forwarded to the appliance");
      const out = fromNic(snap, t, target.nic, target.cfg, dst, protocol, port, sourcePort, hops + 1);
      return { ...out, nextHopType: hops === 0 ? "VirtualAppliance" : out.nextHopType };
    }
    case "VirtualNetworkGateway": {
      const edge = onPremEdge(snap, subnet.vnet, route);
      step(t, "OnPremises", "Info", edge.resourceId, "forced tunnelling to on-premises");
      return {
        addresses: edge.addresses.length ? edge.addresses : [cfg.privateAddress],
        viaEndpoint: false,
        nextHopType: "VirtualNetworkGateway",
      };
    }
    case "None":
      block(t, "Route", route.origin ?? subnet.id, route.name, "next hop None");
      return { addresses: [cfg.privateAddress], viaEndpoint: false, nextHopType: "None" };
    default: {
      // VnetLocal, VNetPeering, VNetGlobalPeering: the destination NIC's inbound NSGs.
      const target = nicByPrivateAddress(snap, dst.address, connectedVnetKeys(snap, subnet.vnet));
      if (target) {
        const tSubnet = snap.subnet(target.cfg.subnetId);
        if (tSubnet) evaluateNsgs(snap, t, "Inbound", tSubnet, target.nic, target.cfg, packet);
      }
      return {
        addresses: [cfg.privateAddress],
        viaEndpoint: false,
        nextHopType: route.nextHopType,
        privateAddress: cfg.privateAddress,
      };
    }
  }
}

function onPremEdge(
  snap: Snapshot,
  vnet: VnetInfo,
  route: RefRoute,
): { addresses: Address[]; resourceId?: string } {
  const gws =
    route.source === "VirtualNetworkGateway" && route.origin ? [route.origin] : refGateways(snap, vnet);
  for (const gw of gws) {
    for (const c of snap.connections.values()) {
      if (!c.properties?.virtualNetworkGateway1?.id || !sameId(c.properties.virtualNetworkGateway1.id, gw))
        continue;
      if (c.properties.peer?.id) {
        const nat = circuitNat(snap, c.properties.peer.id);
        if (nat.length) return { addresses: nat, resourceId: c.properties.peer.id };
      }
      if (c.properties.localNetworkGateway2?.id) {
        for (const l of snap.localGateways.values()) {
          if (!sameId(l.id, c.properties.localNetworkGateway2.id)) continue;
          const a = l.properties?.gatewayIpAddress
            ? tryParseAddress(l.properties.gatewayIpAddress)
            : undefined;
          if (a) return { addresses: [a], resourceId: l.id };
        }
      }
    }
  }
  return { addresses: [] };
}

/** NAT addresses towards Azure services (SE-ONP-2): Microsoft peering's prefixes, else public peering's pair. */
function circuitNat(snap: Snapshot, circuitId: string): Address[] {
  let circuit;
  for (const c of snap.circuits.values()) if (sameId(c.id, circuitId)) circuit = c;
  if (!circuit) return [];
  const peerings = arr(circuit.properties?.peerings);
  const ms = peerings.find(
    (p) => p.properties?.peeringType === "MicrosoftPeering" && p.properties?.state !== "Disabled",
  );
  if (ms) {
    const out: Address[] = [];
    for (const text of arr(ms.properties?.microsoftPeeringConfig?.advertisedPublicPrefixes)) {
      const p = tryParsePrefix(text);
      if (p) out.push({ family: p.family, value: p.base } as Address);
    }
    if (out.length) return out;
  }
  const pub = peerings.find(
    (p) => p.properties?.peeringType === "AzurePublicPeering" && p.properties?.state !== "Disabled",
  );
  if (pub) {
    const out = arr(pub.properties?.natAddresses)
      .map((a) => tryParseAddress(a))
      .filter((a): a is Address => !!a);
    if (out.length) return out;
  }
  return [];
}

function fromOnPrem(snap: Snapshot, t: Trace, s: { address: string; via: string }): Egress {
  const addr = tryParseAddress(s.address);
  if (!addr) throw ArmErrors.invalidFlow(`'${s.address}' is not an IP address.`);
  let circuit: unknown;
  for (const c of snap.circuits.values()) if (sameId(c.id, s.via)) circuit = c;
  let lgwAddress: Address | undefined;
  let lgwFound = false;
  for (const l of snap.localGateways.values()) {
    if (!sameId(l.id, s.via)) continue;
    lgwFound = true;
    lgwAddress = l.properties?.gatewayIpAddress ? tryParseAddress(l.properties.gatewayIpAddress) : undefined;
  }
  if (!circuit && !lgwFound) throw ArmErrors.flowEndpointNotFound("source", s.via);
  step(t, "Source", "Info", s.via, `on-premises ${s.address}`);
  let addresses: Address[] = [];
  if (circuit) addresses = circuitNat(snap, s.via);
  else if (lgwAddress && !isPublic(addr)) addresses = [lgwAddress];
  if (addresses.length === 0) {
    if (!isPublic(addr)) block(t, "Source", s.via, undefined, "private on-premises address without NAT");
    addresses = [addr];
  }
  return { addresses, viaEndpoint: false, nextHopType: circuit ? "ExpressRoute" : "Internet" };
}

function checkPolicies(snap: Snapshot, t: Trace, subnetId: string, dst: ServiceResourceInfo): void {
  const subnet = snap.subnet(subnetId);
  if (!subnet || subnet.policyIds.length === 0) return;
  const defs: Array<{ policyId: string; name: string; resources: string[] }> = [];
  for (const pid of subnet.policyIds) {
    const policy = snap.policy(pid);
    for (const d of arr(policy?.properties?.serviceEndpointPolicyDefinitions)) {
      if (lower(d.properties?.service) !== lower(dst.service)) continue;
      defs.push({ policyId: pid, name: d.name, resources: arr(d.properties?.serviceResources) });
    }
  }
  if (defs.length === 0) return;
  const classic = lower(dst.resource.type).startsWith("microsoft.classicstorage");
  for (const d of defs) {
    if (classic) break;
    for (const r of d.resources) {
      if (isWithinScope(dst.id, r)) {
        step(
          t,
          "ServiceEndpointPolicy",
          "Allowed",
          d.policyId,
          "listed",
          `serviceEndpointPolicyDefinitions/${d.name}`,
        );
        return;
      }
    }
  }
  const first = defs[0]!;
  step(t, "ServiceEndpointPolicy", "Denied", first.policyId, "not listed");
  block(
    t,
    "ServiceEndpointPolicy",
    first.policyId,
    `serviceEndpointPolicyDefinitions/${first.name}`,
    "not listed",
  );
}

function isAzureAddress(snap: Snapshot, a: Address): boolean {
  for (const tag of snap.catalog.tags)
    if (lower(tag.base) === "azurecloud" && anyContains(tag.prefixes, a)) return true;
  return false;
}

function subnetHasEndpoint(snap: Snapshot, subnetId: string, service: string): boolean {
  for (const s of snap.subnets.values()) {
    if (sameId(s.id, subnetId)) return s.endpoints.some((e) => lower(e.service) === lower(service));
  }
  return false;
}

function checkFirewall(
  snap: Snapshot,
  t: Trace,
  egress: Egress,
  dst: ServiceResourceInfo,
  flow: Flow,
): string | undefined {
  let error: string | undefined;
  const seen = new Set<string>();
  for (const address of egress.addresses) {
    const r = referenceFirewall({
      resource: dst.resource,
      children: dst.children,
      source: address,
      ...(egress.viaEndpoint && egress.subnetId ? { subnetId: egress.subnetId } : {}),
      subnetHasEndpoint: (id) => subnetHasEndpoint(snap, id, dst.service),
      fromAzure: egress.azureRegion !== undefined || isAzureAddress(snap, address),
      sameRegionAzure:
        !egress.viaEndpoint && egress.azureRegion !== undefined && egress.azureRegion === dst.location,
      purpose: flow.purpose ?? "rest",
    });
    step(
      t,
      "ServiceFirewall",
      r.allowed ? "Allowed" : "Denied",
      dst.id,
      `${formatAddress(address)} ${r.allowed ? "admitted" : "refused"}`,
    );
    if (r.allowed) continue;
    error ??= r.errorCode;
    for (const f of r.fixes) {
      if (seen.has(f)) continue;
      seen.add(f);
      block(t, "ServiceFirewall", dst.id, undefined, f);
    }
  }
  return error;
}

/** Decides a flow like `evaluate`, the slow way. Throws the same ArmErrors for flows naming unknown things. */
export function referenceEvaluate(snap: Snapshot, flow: Flow): Decision {
  const t: Trace = { steps: [], blockers: [] };
  const protocol: Protocol = flow.protocol ?? "Tcp";
  const dst = resolveDestination(snap, flow, t);
  const port = flow.port ?? dst?.service?.kind.defaultPort ?? 443;
  const sourcePort = flow.sourcePort ?? 49152;
  if (!dst) {
    return {
      decision: "Denied",
      sourceAddress: "",
      viaServiceEndpoint: false,
      nextHopType: "None",
      destinationAddress: "",
      protocol,
      port,
      steps: t.steps,
      blockers: t.blockers,
    };
  }
  let egress: Egress;
  const s = flow.source;
  if (s.kind === "nic" || s.kind === "vm") {
    const { nic, cfg } = pickNic(snap, flow);
    egress = fromNic(snap, t, nic, cfg, dst, protocol, port, sourcePort, 0);
  } else if (s.kind === "onprem") {
    egress = fromOnPrem(snap, t, s);
  } else {
    const a = tryParseAddress(s.address);
    if (!a) throw ArmErrors.invalidFlow(`'${s.address}' is not an IP address.`);
    step(t, "Source", "Info", undefined, `internet host ${formatAddress(a)}`);
    egress = { addresses: [a], viaEndpoint: false, nextHopType: "Internet" };
  }
  let errorCode: string | undefined;
  if (dst.service) {
    if (egress.viaEndpoint && egress.subnetId) checkPolicies(snap, t, egress.subnetId, dst.service);
    errorCode = checkFirewall(snap, t, egress, dst.service, flow);
  }
  const denied = t.blockers.length > 0;
  return {
    decision: denied ? "Denied" : "Allowed",
    sourceAddress: formatAddress(egress.addresses[0]!),
    ...(egress.privateAddress ? { sourcePrivateAddress: formatAddress(egress.privateAddress) } : {}),
    ...(egress.viaEndpoint && egress.subnetId ? { sourceSubnetId: egress.subnetId } : {}),
    viaServiceEndpoint: egress.viaEndpoint,
    nextHopType: egress.nextHopType,
    destinationAddress: formatAddress(dst.address),
    ...(dst.service ? { destinationResourceId: dst.service.id, service: dst.service.service } : {}),
    protocol,
    port,
    steps: t.steps,
    blockers: t.blockers,
    ...(denied && errorCode ? { error: { code: errorCode, message: "(reference)" } } : {}),
  };
}
