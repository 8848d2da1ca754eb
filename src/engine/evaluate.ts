/**
 * The one entry point of the data plane: `evaluate(snapshot, flow)` decides a flow the
 * way Azure would and records the trace in the same pass (SE-DIAG-3). A denial lists
 * every blocker on the path, each with the smallest change that would lift it: after a
 * blocker the evaluation goes on as if it had been lifted.
 *
 * The trace is recorded as data (small closures over the values the pass already has) and
 * its sentences are written when someone reads `steps` / `blockers` (src/engine/lazy-list.ts):
 * the decision never depends on the words, and most decisions in a batch are never explained.
 * Everything a decision looks up repeatedly (route sets, compiled NSGs and firewalls, a NIC's
 * public address, a VNet's peers) is derived once and kept in the snapshot's memo slots.
 *
 * @example
 * const snap = new Snapshot(quickstartResources(), { serviceTags: defaultServiceTagCatalog() });
 * evaluate(snap, { source: { kind: "vm", vmId: ".../virtualMachines/testvm0" },
 *                  destination: { kind: "resource", resourceId: ".../storageAccounts/lazuritedemo0sa" } }).decision
 * // → "Allowed" (private source 10.0.1.4 over the Microsoft.Storage endpoint)
 */
import type { Address } from "../model/ip.js";
import { formatAddress, isPublicAddress, tryParseAddress, tryParsePrefix, addressAt } from "../model/ip.js";
import { ArmErrors } from "../model/errors.js";
import { idKey, isWithinScope, nameOfId } from "../model/resource-id.js";
import { asArray } from "../model/resources/common.js";
import { findEndpointService, type EndpointService } from "../model/catalog/endpoint-services.js";
import { tagRegionSuffix } from "../model/catalog/regions.js";
import { compileNsg, type CompiledNsg, type Packet } from "./nsg.js";
import { nsgContextFor } from "./effective-nsg.js";
import {
  compileFirewall,
  noFirewallResult,
  type CompiledFirewall,
  type FirewallInput,
  type FirewallResult,
  type FirewallVerdict,
} from "./firewalls/index.js";
import { describeRoute, gatewaysFor, peeredVnets, subnetRoutes, type RouteEntry } from "./routes.js";
import {
  endpointsOf,
  type IpConfigInfo,
  type NicInfo,
  type ServiceResourceInfo,
  type Snapshot,
  type SubnetInfo,
  type VnetInfo,
} from "./snapshot.js";
import type { Blocker, Decision, Flow, Protocol, ServiceError, Step } from "./types.js";
import { lazyList, type Thunk } from "./lazy-list.js";

const MAX_APPLIANCE_HOPS = 4;

/** The trace as it is recorded: one closure per step / blocker, rendered on first read. */
interface Trace {
  steps: Array<Thunk<Step>>;
  /** Every thunk yields at least one blocker, so `blockers.length === 0` ⇔ no blocker. */
  blockers: Array<Thunk<Blocker>>;
}

interface Destination {
  address: Address;
  /** `address` as text, when already known. */
  text?: string;
  service?: ServiceResourceInfo;
  endpoint?: string;
}

/** What leaves Azure's network (or arrives from outside) towards the destination. */
interface Egress {
  /** Addresses the destination may see (two for an ExpressRoute public-peering NAT pair). */
  addresses: Address[];
  /** `addresses[0]` as text, when already known. */
  firstText?: string;
  subnetId?: string;
  viaEndpoint: boolean;
  nextHopType: string;
  /** An Azure VM's traffic (for Storage's same-region rule, SE-SRC-5). */
  azureRegion?: string;
  privateAddress?: Address;
  privateText?: string;
  /** The Azure subnet the flow last left from (for wording fixes), with or without an endpoint. */
  callerSubnetId?: string;
}

const nsgName = nameOfId;

// ---------------------------------------------------------------------------------------------
// Derived data, memoised on the snapshot's info objects.

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

function subnetNsg(snap: Snapshot, subnet: SubnetInfo): CompiledNsg | undefined {
  let c = subnet.memo.nsg as CompiledNsg | null | undefined;
  if (c === undefined) {
    c = (subnet.nsgId ? compiledNsg(snap, subnet.nsgId, subnet.vnet) : undefined) ?? null;
    subnet.memo.nsg = c;
  }
  return c ?? undefined;
}

/** The NIC's NSG compiled in the context of the configuration's VNet. */
function nicNsg(
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

function privateText(cfg: IpConfigInfo): string {
  return (cfg.memo.privateText ??= formatAddress(cfg.privateAddress));
}

/** Keys of a VNet and its connected peers (where private next hops and destinations may be). */
function reachableVnetKeys(snap: Snapshot, vnet: VnetInfo): ReadonlySet<string> {
  return (vnet.memo.reachableKeys ??= new Set([vnet.key, ...peeredVnets(snap, vnet).map((p) => p.vnet.key)]));
}

function endpointServiceOf(service: ServiceResourceInfo): EndpointService | undefined {
  let e = service.memo.endpointService as EndpointService | null | undefined;
  if (e === undefined) {
    e = findEndpointService(service.service) ?? null;
    service.memo.endpointService = e;
  }
  return e ?? undefined;
}

function firewallOf(service: ServiceResourceInfo): CompiledFirewall | undefined {
  let c = service.memo.firewall as CompiledFirewall | null | undefined;
  if (c === undefined) {
    c = compileFirewall(service.resource, service.children) ?? null;
    service.memo.firewall = c;
  }
  return c ?? undefined;
}

/** The service tag naming a destination, for fixes (`Storage.WestUS`), or the address itself. */
function destinationExpression(dst: Destination): string {
  if (dst.service) {
    const suffix = tagRegionSuffix(dst.service.location);
    const tag = dst.service.kind.serviceTag;
    return suffix ? `${tag}.${suffix}` : tag;
  }
  return dst.text ?? formatAddress(dst.address);
}

// ---------------------------------------------------------------------------------------------
// NSGs

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
function evaluateNsgs(
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

// ---------------------------------------------------------------------------------------------
// Destination and source

function dnsStep(t: Trace, service: ServiceResourceInfo, host: string): void {
  t.steps.push(() => ({
    kind: "Dns",
    result: "Info",
    resourceId: service.id,
    detail: `${host} resolves to ${service.addressText}, a public address of ${service.kind.serviceTag} in ${service.location}; DNS is the same with or without service endpoints (SE-SRC-4)`,
    data: { host, address: service.addressText },
  }));
}

function resolveDestination(snap: Snapshot, flow: Flow, t: Trace): Destination | undefined {
  const d = flow.destination;
  if (d.kind === "resource") {
    const service = snap.service(d.resourceId);
    if (!service) throw ArmErrors.flowEndpointNotFound("destination", d.resourceId);
    let host: { endpoint: string; host: string } | undefined = service.hosts[0];
    if (d.endpoint) {
      const want = d.endpoint.toLowerCase();
      host = service.hosts.find((h) => h.endpoint.toLowerCase() === want);
      if (!host) {
        throw ArmErrors.invalidFlow(
          `Resource '${service.id}' has no '${d.endpoint}' endpoint; it has: ${service.hosts.map((h) => h.endpoint).join(", ")}.`,
        );
      }
    }
    if (host) {
      dnsStep(t, service, host.host);
      return { address: service.address, text: service.addressText, service, endpoint: host.endpoint };
    }
    return { address: service.address, text: service.addressText, service };
  }
  if (d.kind === "host") {
    const literal = tryParseAddress(d.host);
    if (literal) return resolveAddress(snap, literal, t);
    const found = snap.serviceByHost(d.host);
    if (!found) {
      const host = d.host;
      t.steps.push(() => ({
        kind: "Dns",
        result: "Denied",
        detail: `${host} does not resolve (NXDOMAIN)`,
        data: { host },
      }));
      t.blockers.push(() => ({
        kind: "Dns",
        reason: `The host name ${host} does not resolve to any resource Lazurite knows.`,
        fix: `Check the name, or add the resource whose host name is ${host}.`,
      }));
      return undefined;
    }
    dnsStep(t, found.service, d.host);
    return {
      address: found.service.address,
      text: found.service.addressText,
      service: found.service,
      endpoint: found.endpoint,
    };
  }
  const a = tryParseAddress(d.address);
  if (!a) throw ArmErrors.invalidFlow(`'${d.address}' is not an IP address.`);
  return resolveAddress(snap, a, t);
}

function resolveAddress(snap: Snapshot, a: Address, t: Trace): Destination {
  const service = snap.serviceByAddress(a);
  if (service) {
    t.steps.push(() => ({
      kind: "Dns",
      result: "Info",
      resourceId: service.id,
      detail: `${formatAddress(a)} is the public address of ${service.id}`,
      data: { address: formatAddress(a) },
    }));
    return {
      address: a,
      text: service.addressText,
      service,
      ...(service.hosts[0] ? { endpoint: service.hosts[0].endpoint } : {}),
    };
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
    let first = vm.memo.nic;
    if (first === undefined) {
      first = null;
      for (const id of vm.nicIds) {
        first = snap.nic(id) ?? null;
        if (first) break;
      }
      vm.memo.nic = first;
    }
    nic = first ?? undefined;
    if (!nic)
      throw ArmErrors.invalidFlow(`Virtual machine '${vm.id}' has no network interface Lazurite knows.`);
  } else if (s.kind === "nic") {
    nic = snap.nic(s.nicId);
    if (!nic) throw ArmErrors.flowEndpointNotFound("source", s.nicId);
    cfgName = s.ipConfiguration;
  } else {
    throw ArmErrors.invalidFlow("not a NIC source");
  }
  let cfg: IpConfigInfo | undefined;
  if (cfgName) {
    const want = cfgName.toLowerCase();
    cfg = nic.ipConfigs.find((c) => c.name.toLowerCase() === want);
  } else {
    const cfgs = nic.ipConfigs;
    for (let i = 0; i < cfgs.length; i++) {
      if (cfgs[i]!.primary) {
        cfg = cfgs[i];
        break;
      }
    }
    cfg ??= cfgs[0];
  }
  if (!cfg)
    throw ArmErrors.invalidFlow(
      `Network interface '${nic.id}' has no usable IP configuration${cfgName ? ` named '${cfgName}'` : ""}.`,
    );
  return { nic, cfg };
}

/** Public address a NIC leaves Azure with: its public IP, else the default outbound address (SE-SRC-1). Memoised per configuration. */
function publicAddressOf(
  snap: Snapshot,
  nic: NicInfo,
  cfg: IpConfigInfo,
): { address: Address; text: string; how: string } {
  let e = cfg.memo.egress;
  if (e === undefined) {
    const pip = snap.publicIp(cfg.publicIpId);
    if (pip?.address) {
      e = { address: pip.address, text: formatAddress(pip.address), how: `its public IP ${nsgName(pip.id)}` };
    } else {
      const a = snap.azureAddress(nic.location, `default-outbound:${nic.key}`) ?? {
        family: 4 as const,
        value: 0x14000001,
      };
      e = { address: a, text: formatAddress(a), how: "the default outbound access address Azure assigns" };
    }
    cfg.memo.egress = e;
  }
  return e;
}

/** The NIC holding a route's appliance next hop in the subnet's VNet or its peers (memoised per route entry). */
const applianceTargets = new WeakMap<RouteEntry, { target?: { nic: NicInfo; ipConfig: IpConfigInfo } }>();

function applianceOf(
  snap: Snapshot,
  subnet: SubnetInfo,
  route: RouteEntry,
): { nic: NicInfo; ipConfig: IpConfigInfo } | undefined {
  let hit = applianceTargets.get(route);
  if (hit === undefined) {
    const ip = route.nextHopIpAddress[0] ? tryParseAddress(route.nextHopIpAddress[0]) : undefined;
    const target = ip ? snap.nicsByPrivateAddress(ip, reachableVnetKeys(snap, subnet.vnet))[0] : undefined;
    hit = target ? { target } : {};
    applianceTargets.set(route, hit);
  }
  return hit.target;
}

/** Follows the flow from a NIC out of its subnet (routes, NSGs, appliances, gateways). */
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
  const subnet = cfg.subnet ?? snap.subnet(cfg.subnetId);
  if (!subnet) {
    throw ArmErrors.invalidFlow(
      `The subnet '${cfg.subnetId}' of network interface '${nic.id}' was not found.`,
    );
  }
  const privText = privateText(cfg);
  t.steps.push(() => ({
    kind: "Source",
    result: "Info",
    resourceId: nic.id,
    detail: `${hops > 0 ? "appliance " : ""}${nsgName(nic.id)} (${privText}) in subnet ${subnet.name} of ${subnet.vnet.resource.name} (${subnet.vnet.location})`,
    data: { privateAddress: privText, subnetId: subnet.id, location: subnet.vnet.location },
  }));
  const service = dst.service;
  const endpointService = service ? endpointServiceOf(service) : undefined;
  const route = subnetRoutes(snap, subnet).lookup(dst.address);
  const packet: Packet = {
    direction: "Outbound",
    protocol,
    source: cfg.privateAddress,
    sourcePort,
    destination: dst.address,
    destinationPort: port,
    sourceAsgs: cfg.asgs,
  };

  if (!route) {
    t.steps.push(() => ({ kind: "Route", result: "Denied", detail: "no route matches the destination" }));
    t.blockers.push(() => ({
      kind: "Route",
      reason: "No route matches the destination.",
      fix: "Add a route for the destination.",
    }));
    return { addresses: [cfg.privateAddress], firstText: privText, viaEndpoint: false, nextHopType: "None" };
  }
  routeStep(t, subnet, route);
  evaluateNsgs(snap, t, "Outbound", subnet, nic, cfg, packet, dst);

  if (
    service &&
    subnet.provisioningState === "Updating" &&
    endpointsOf(subnet).has(service.service.toLowerCase())
  ) {
    t.steps.push(() => ({
      kind: "ServiceEndpoint",
      result: "Denied",
      resourceId: subnet.id,
      detail: `subnet ${subnet.name} is Updating: its ${service.service} endpoint change is being applied and traffic to the service is briefly cut (SE-CFG-6)`,
    }));
    t.blockers.push(() => ({
      kind: "ServiceEndpoint",
      resourceId: subnet.id,
      reason: `Subnet ${subnet.name} is Updating while its service endpoints change; traffic to ${service.service} is interrupted until it is Succeeded.`,
      fix: "Wait for the subnet's provisioningState to return to Succeeded, then retry.",
    }));
  }

  switch (route.nextHopType) {
    case "VirtualNetworkServiceEndpoint": {
      t.steps.push(() => ({
        kind: "ServiceEndpoint",
        result: "Allowed",
        resourceId: subnet.id,
        detail: `subnet ${subnet.name} has a ${route.service} endpoint: the flow stays on the Azure backbone and the service sees the private address ${privText} with the identity of subnet ${subnet.name} (SE-SRC-2)`,
        data: {
          service: route.service,
          locations: subnet.endpoints.find((e) => e.service === route.service)?.locations,
        },
      }));
      return {
        addresses: [cfg.privateAddress],
        firstText: privText,
        subnetId: subnet.id,
        viaEndpoint: true,
        nextHopType: route.nextHopType,
        privateAddress: cfg.privateAddress,
        privateText: privText,
      };
    }
    case "Internet": {
      const pub = publicAddressOf(snap, nic, cfg);
      explainNoEndpoint(t, subnet, service, endpointService?.name);
      // Data Lake Store Gen1: the subnet identity travels in the Azure AD token (Microsoft.AzureActiveDirectory endpoint).
      if (service && endpointService?.name === "Microsoft.AzureActiveDirectory") {
        const ep = subnet.endpoints.find((e) => e.service === "Microsoft.AzureActiveDirectory");
        if (ep && (ep.locations.includes("*") || ep.locations.includes(service.location))) {
          t.steps.push(() => ({
            kind: "ServiceEndpoint",
            result: "Allowed",
            resourceId: subnet.id,
            detail: `subnet ${subnet.name} has a Microsoft.AzureActiveDirectory endpoint: Azure AD adds the subnet's identity to the token Data Lake Store sees`,
          }));
          return {
            addresses: [cfg.privateAddress],
            firstText: privText,
            subnetId: subnet.id,
            viaEndpoint: true,
            nextHopType: route.nextHopType,
            privateAddress: cfg.privateAddress,
            privateText: privText,
          };
        }
      }
      t.steps.push(() => ({
        kind: "SourceAddress",
        result: "Info",
        resourceId: nic.id,
        detail: `the flow leaves Azure's network edge from ${pub.how}, ${pub.text} (SE-SRC-1)`,
        data: { address: pub.text },
      }));
      return {
        addresses: [pub.address],
        firstText: pub.text,
        viaEndpoint: false,
        nextHopType: "Internet",
        azureRegion: subnet.vnet.location,
        privateAddress: cfg.privateAddress,
        privateText: privText,
        callerSubnetId: subnet.id,
      };
    }
    case "VirtualAppliance": {
      const target = applianceOf(snap, subnet, route);
      if (!target) {
        t.blockers.push(() => ({
          kind: "Route",
          resourceId: route.origin,
          rule: route.name,
          reason: `The next hop ${route.nextHopIpAddress.join(",") || "(none)"} of ${describeRoute(route)} is not a network interface in ${subnet.vnet.resource.name} or its peers, so the traffic is dropped.`,
          fix: `Point the route at the private address of the appliance's network interface, or remove it.`,
        }));
        return {
          addresses: [cfg.privateAddress],
          firstText: privText,
          viaEndpoint: false,
          nextHopType: route.nextHopType,
        };
      }
      if (hops >= MAX_APPLIANCE_HOPS) {
        t.blockers.push(() => ({
          kind: "Route",
          resourceId: route.origin,
          rule: route.name,
          reason: `The flow passed ${hops} appliances without leaving Azure (a routing loop).`,
          fix: "Make the appliance subnet's routes send the traffic out (its route table must not point back at an appliance).",
        }));
        return {
          addresses: [cfg.privateAddress],
          firstText: privText,
          viaEndpoint: false,
          nextHopType: route.nextHopType,
        };
      }
      if (!target.nic.enableIPForwarding) {
        t.blockers.push(() => ({
          kind: "Route",
          resourceId: target.nic.id,
          reason: `IP forwarding is disabled on the appliance's network interface ${nsgName(target.nic.id)}, so Azure drops traffic it would forward.`,
          fix: `Set enableIPForwarding to true on network interface ${nsgName(target.nic.id)}.`,
        }));
      }
      t.steps.push(() => ({
        kind: "VirtualAppliance",
        result: "Info",
        resourceId: target.nic.id,
        detail: `forwarded to the appliance ${nsgName(target.nic.id)} (${privateText(target.ipConfig)}), which sends it on from its own subnet with its own address`,
      }));
      const out = fromNic(snap, t, target.nic, target.ipConfig, dst, protocol, port, sourcePort, hops + 1);
      return { ...out, nextHopType: hops === 0 ? "VirtualAppliance" : out.nextHopType };
    }
    case "VirtualNetworkGateway": {
      const edge = onPremEdge(snap, subnet.vnet, route);
      t.steps.push(() => ({
        kind: "OnPremises",
        result: "Info",
        resourceId: edge.resourceId,
        detail: `forced tunnelling: the flow goes to on-premises through the gateway and reaches the service from the on-premises edge ${edge.addresses.map(formatAddress).join(", ") || "(unknown address)"} (SE-SRC-1, SE-ROUTE-4)`,
      }));
      explainNoEndpoint(t, subnet, service, endpointService?.name);
      return edge.addresses.length
        ? {
            addresses: edge.addresses,
            viaEndpoint: false,
            nextHopType: "VirtualNetworkGateway",
            callerSubnetId: subnet.id,
          }
        : {
            addresses: [cfg.privateAddress],
            firstText: privText,
            viaEndpoint: false,
            nextHopType: "VirtualNetworkGateway",
            callerSubnetId: subnet.id,
          };
    }
    case "None": {
      t.blockers.push(() => ({
        kind: "Route",
        resourceId: route.origin ?? subnet.id,
        ...(route.name ? { rule: route.name } : {}),
        reason: `${describeRoute(route)} drops the traffic (next hop None).`,
        fix:
          route.source === "User"
            ? `Remove route ${route.name} from route table ${nsgName(route.routeTableId ?? "")} or give it another next hop.`
            : `The destination lies in a reserved private range outside any connected network; use an address in the VNet, a peered VNet or on-premises.`,
      }));
      return {
        addresses: [cfg.privateAddress],
        firstText: privText,
        viaEndpoint: false,
        nextHopType: "None",
      };
    }
    default: {
      // VnetLocal, VNetPeering, VNetGlobalPeering: private destination inside Azure.
      const target = snap.nicsByPrivateAddress(dst.address, reachableVnetKeys(snap, subnet.vnet))[0];
      if (target) {
        const tSubnet = target.ipConfig.subnet ?? snap.subnet(target.ipConfig.subnetId);
        if (tSubnet) {
          const inbound: Packet = {
            direction: "Inbound",
            protocol,
            source: cfg.privateAddress,
            sourcePort,
            destination: dst.address,
            destinationPort: port,
            destinationAsgs: target.ipConfig.asgs,
          };
          evaluateNsgs(snap, t, "Inbound", tSubnet, target.nic, target.ipConfig, inbound, privText);
        }
      }
      return {
        addresses: [cfg.privateAddress],
        firstText: privText,
        viaEndpoint: false,
        nextHopType: route.nextHopType,
        privateAddress: cfg.privateAddress,
        privateText: privText,
      };
    }
  }
}

function routeStep(t: Trace, subnet: SubnetInfo, route: RouteEntry): void {
  t.steps.push(() => ({
    kind: "Route",
    result: route.nextHopType === "None" ? "Denied" : "Allowed",
    resourceId: route.source === "User" ? route.routeTableId : subnet.id,
    ...(route.name ? { rule: route.name } : {}),
    detail: `${describeRoute(route)} (source ${route.source})`,
    data: {
      source: route.source,
      nextHopType: route.nextHopType,
      nextHopIpAddress: route.nextHopIpAddress,
      addressPrefixCount: route.prefixes.length,
      ...(route.service ? { service: route.service } : {}),
    },
  }));
}

function explainNoEndpoint(
  t: Trace,
  subnet: SubnetInfo,
  service: ServiceResourceInfo | undefined,
  endpointName: string | undefined,
): void {
  if (!service || !endpointName) return;
  const ep = endpointsOf(subnet).get(endpointName.toLowerCase());
  if (ep && endpointName !== "Microsoft.AzureActiveDirectory") {
    t.steps.push(() => ({
      kind: "ServiceEndpoint",
      result: "Info",
      resourceId: subnet.id,
      detail: `subnet ${subnet.name} has a ${ep.service} endpoint for ${ep.locations.join(", ")}, which does not cover ${service.location} where the resource is; the flow takes the ordinary path with a public address (SE-REG-5)`,
    }));
  } else if (!ep) {
    t.steps.push(() => ({
      kind: "ServiceEndpoint",
      result: "Info",
      resourceId: subnet.id,
      detail: `subnet ${subnet.name} has no ${endpointName} endpoint`,
    }));
  }
}

/** The public addresses on-premises traffic reaches Azure services from (memoised per route entry: its VNet is fixed). */
const edges = new WeakMap<RouteEntry, { addresses: Address[]; resourceId?: string }>();

function onPremEdge(
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
  const peerings = asArray(circuit.properties?.peerings);
  const ms = peerings.find(
    (p) => p.properties?.peeringType === "MicrosoftPeering" && p.properties?.state !== "Disabled",
  );
  if (ms) {
    const addrs = asArray(ms.properties?.microsoftPeeringConfig?.advertisedPublicPrefixes)
      .map((p) => tryParsePrefix(p))
      .filter((p): p is NonNullable<typeof p> => !!p)
      .map((p) => addressAt(p, 0));
    if (addrs.length) return { addresses: addrs, peering: ms.name };
  }
  const pub = peerings.find(
    (p) => p.properties?.peeringType === "AzurePublicPeering" && p.properties?.state !== "Disabled",
  );
  if (pub) {
    const addrs = asArray(pub.properties?.natAddresses)
      .map((a) => tryParseAddress(a))
      .filter((a): a is Address => !!a);
    if (addrs.length) return { addresses: addrs, peering: pub.name };
  }
  return { addresses: [] };
}

function fromOnPrem(snap: Snapshot, t: Trace, flow: Flow & { source: { kind: "onprem" } }): Egress {
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

/** Endpoint policies on the source subnet (SE-POL-1, SE-POL-2). */
function checkPolicies(snap: Snapshot, t: Trace, subnetId: string, dst: ServiceResourceInfo): void {
  const subnet = snap.subnet(subnetId);
  if (!subnet || subnet.policyIds.length === 0) return;
  const defs: Array<{ policyId: string; name: string; resources: string[] }> = [];
  for (const pid of subnet.policyIds) {
    const policy = snap.policy(pid);
    for (const d of asArray(policy?.properties?.serviceEndpointPolicyDefinitions)) {
      if (String(d.properties?.service ?? "").toLowerCase() !== dst.service.toLowerCase()) continue;
      defs.push({ policyId: pid, name: d.name, resources: asArray(d.properties?.serviceResources) });
    }
  }
  if (defs.length === 0) return;
  const classic = dst.resource.type.toLowerCase().startsWith("microsoft.classicstorage");
  const match = classic ? undefined : defs.find((d) => d.resources.some((r) => isWithinScope(dst.id, r)));
  if (match) {
    t.steps.push(() => ({
      kind: "ServiceEndpointPolicy",
      result: "Allowed",
      resourceId: match.policyId,
      rule: `serviceEndpointPolicyDefinitions/${match.name}`,
      detail: `service endpoint policy ${nsgName(match.policyId)} lists the resource (definition ${match.name})`,
    }));
    return;
  }
  const first = defs[0]!;
  t.steps.push(() => ({
    kind: "ServiceEndpointPolicy",
    result: "Denied",
    resourceId: first.policyId,
    detail: `the subnet's service endpoint policies allow only listed ${dst.service} resources over the endpoint, and ${dst.resource.name} is not listed (SE-POL-1)`,
  }));
  t.blockers.push(() => ({
    kind: "ServiceEndpointPolicy",
    resourceId: first.policyId,
    rule: `serviceEndpointPolicyDefinitions/${first.name}`,
    reason: `No service endpoint policy on subnet ${subnet.name} lists ${dst.id}; traffic to unlisted resources over the endpoint is dropped.`,
    fix: `Add ${dst.id} (or its resource group or subscription) to serviceResources of definition ${first.name} in policy ${nsgName(first.policyId)}.`,
  }));
}

/** A firewall verdict in words, built once on first read. */
class Rendered {
  private result: FirewallResult | undefined;
  constructor(
    private readonly fw: CompiledFirewall | undefined,
    private readonly input: FirewallInput,
    private readonly verdict: FirewallVerdict | undefined,
    private readonly resource: ServiceResourceInfo["resource"],
  ) {}
  get(): FirewallResult {
    return (this.result ??= this.fw
      ? this.fw.render(this.input, this.verdict!)
      : noFirewallResult(this.resource));
  }
}

/** `FirewallInput.subnetHasEndpoint` for a service resource (made once per resource, not per request). */
function endpointCheckOf(snap: Snapshot, dst: ServiceResourceInfo): (subnetId: string) => boolean {
  let f = dst.memo.endpointCheck;
  if (f === undefined) {
    const service = dst.service;
    f = (subnetId: string): boolean => snap.subnetHasEndpoint(subnetId, service);
    dst.memo.endpointCheck = f;
  }
  return f;
}

/** The first refusal of the service (its data-plane error), rendered only for a denied decision. */
interface Refusal {
  fw: CompiledFirewall;
  input: FirewallInput;
  verdict: FirewallVerdict;
}

function checkFirewall(
  snap: Snapshot,
  t: Trace,
  egress: Egress,
  dst: ServiceResourceInfo,
  flow: Flow,
): Refusal | undefined {
  const fw = firewallOf(dst);
  const refused: Rendered[] = [];
  let first: Refusal | undefined;
  const subnetHasEndpoint = endpointCheckOf(snap, dst);
  const callerSubnetId = egress.callerSubnetId ?? egress.subnetId;
  for (let i = 0; i < egress.addresses.length; i++) {
    const address = egress.addresses[i]!;
    const input: FirewallInput = {
      resource: dst.resource,
      children: dst.children,
      sourceAddress: address,
      subnetHasEndpoint,
      fromAzure: egress.azureRegion !== undefined || snap.catalog.isAzureAddress(address),
      sameRegionAzure:
        !egress.viaEndpoint && egress.azureRegion !== undefined && egress.azureRegion === dst.location,
      trustedService: false,
      purpose: flow.purpose ?? "rest",
    };
    if (egress.viaEndpoint && egress.subnetId) input.subnetId = egress.subnetId;
    if (callerSubnetId) input.callerSubnetId = callerSubnetId;
    const verdict = fw ? fw.check(input) : undefined;
    const result = new Rendered(fw, input, verdict, dst.resource);
    const addressText = i === 0 && egress.firstText !== undefined ? egress.firstText : undefined;
    t.steps.push(() => {
      const r = result.get();
      const shown = addressText ?? formatAddress(address);
      return {
        kind: "ServiceFirewall",
        result: r.allowed ? "Allowed" : "Denied",
        resourceId: dst.id,
        ...(r.rule ? { rule: r.rule } : {}),
        detail: `${dst.resource.name} ${r.allowed ? "admits" : "refuses"} ${egress.viaEndpoint ? `subnet ${nsgName(egress.subnetId ?? "")} (${shown})` : shown}: ${r.detail}`,
      };
    });
    if (fw && !verdict!.allowed) {
      first ??= { fw, input, verdict: verdict! };
      refused.push(result);
    }
  }
  if (refused.length > 0) {
    t.blockers.push(() => {
      const out: Blocker[] = [];
      const seen = new Set<string>();
      for (const result of refused) {
        const r = result.get();
        for (const f of r.fixes) {
          const key = `${f.rule}|${f.fix}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({
            kind: "ServiceFirewall",
            resourceId: dst.id,
            ...(f.rule ? { rule: f.rule } : {}),
            reason: f.reason,
            fix: f.fix,
          });
        }
        if (r.fixes.length === 0) {
          out.push({
            kind: "ServiceFirewall",
            resourceId: dst.id,
            ...(r.rule ? { rule: r.rule } : {}),
            reason: r.detail,
            fix: "Allow the source in the resource's network rules.",
          });
        }
      }
      return out;
    });
  }
  return first;
}

/**
 * Decides a flow and explains the decision (SE-DIAG-3).
 * Throws ArmError (`ResourceNotFound`, `InvalidFlow`) when the flow names things the snapshot lacks.
 */
export function evaluate(snap: Snapshot, flow: Flow): Decision {
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
      steps: lazyList(t.steps),
      blockers: lazyList(t.blockers),
    };
  }
  let egress: Egress;
  const s = flow.source;
  if (s.kind === "nic" || s.kind === "vm") {
    const { nic, cfg } = pickNic(snap, flow);
    egress = fromNic(snap, t, nic, cfg, dst, protocol, port, sourcePort, 0);
  } else if (s.kind === "onprem") {
    egress = fromOnPrem(snap, t, flow as Flow & { source: { kind: "onprem" } });
  } else {
    const a = tryParseAddress(s.address);
    if (!a) throw ArmErrors.invalidFlow(`'${s.address}' is not an IP address.`);
    t.steps.push(() => ({ kind: "Source", result: "Info", detail: `internet host ${formatAddress(a)}` }));
    egress = { addresses: [a], viaEndpoint: false, nextHopType: "Internet" };
  }

  let refusal: Refusal | undefined;
  if (dst.service) {
    if (egress.viaEndpoint && egress.subnetId) checkPolicies(snap, t, egress.subnetId, dst.service);
    refusal = checkFirewall(snap, t, egress, dst.service, flow);
  }
  const denied = t.blockers.length > 0;
  // Built key by key so that JSON output keeps the documented field order.
  const decision = {
    decision: denied ? "Denied" : "Allowed",
    sourceAddress: egress.firstText ?? formatAddress(egress.addresses[0]!),
  } as Decision;
  if (egress.privateAddress)
    decision.sourcePrivateAddress = egress.privateText ?? formatAddress(egress.privateAddress);
  if (egress.viaEndpoint && egress.subnetId) decision.sourceSubnetId = egress.subnetId;
  decision.viaServiceEndpoint = egress.viaEndpoint;
  decision.nextHopType = egress.nextHopType;
  decision.destinationAddress = dst.text ?? formatAddress(dst.address);
  if (dst.service) {
    decision.destinationResourceId = dst.service.id;
    decision.service = dst.service.service;
  }
  decision.protocol = protocol;
  decision.port = port;
  decision.steps = lazyList(t.steps);
  decision.blockers = lazyList(t.blockers);
  if (denied && refusal) {
    const error: ServiceError | undefined = refusal.fw.errorOf(refusal.input, refusal.verdict);
    if (error) decision.error = error;
  }
  return decision;
}
