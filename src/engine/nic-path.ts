/**
 * The NIC path: picks the source NIC and follows the flow out of its subnet — route lookup, NSGs,
 * service endpoints, virtual appliances (recursively, up to a hop limit), gateway egress (forced
 * tunnelling) and the public address the flow leaves Azure with.
 */
import type { Address } from "../model/ip.js";
import { formatAddress, tryParseAddress } from "../model/ip.js";
import { ArmErrors } from "../model/errors.js";
import { findEndpointService, type EndpointService } from "../model/catalog/endpoint-services.js";
import type { Packet } from "./nsg.js";
import { describeRoute, peeredVnets, subnetRoutes, type RouteEntry } from "./routes.js";
import {
  endpointsOf,
  serviceKey,
  type IpConfigInfo,
  type NicInfo,
  type ServiceResourceInfo,
  type Snapshot,
  type SubnetInfo,
  type VnetInfo,
} from "./snapshot.js";
import type { Flow, Protocol } from "./types.js";
import { evaluateNsgs } from "./nsg-step.js";
import { onPremEdge } from "./on-premises.js";
import { nsgName, type Destination, type Egress, type Trace } from "./trace.js";

export const MAX_APPLIANCE_HOPS = 4;

export function privateText(cfg: IpConfigInfo): string {
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

export function pickNic(snap: Snapshot, flow: Flow): { nic: NicInfo; cfg: IpConfigInfo } {
  const s = flow.source;
  let nic: NicInfo | undefined;
  let cfgName: string | undefined;
  if (s.kind === "vm") {
    const vm = snap.vm(s.vmId);
    if (!vm) throw ArmErrors.flowEndpointNotFound("source", s.vmId);
    const hit = vm.memo.pick;
    if (hit) return hit;
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
    const cfg = defaultConfig(nic);
    if (cfg) return (vm.memo.pick = { nic, cfg });
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
    cfg = defaultConfig(nic);
  }
  if (!cfg)
    throw ArmErrors.invalidFlow(
      `Network interface '${nic.id}' has no usable IP configuration${cfgName ? ` named '${cfgName}'` : ""}.`,
    );
  return { nic, cfg };
}

/** The configuration a flow starts at when none is named: the primary, else the first. */
function defaultConfig(nic: NicInfo): IpConfigInfo | undefined {
  if (nic.primaryConfig !== undefined) return nic.primaryConfig;
  const cfgs = nic.ipConfigs;
  for (let i = 0; i < cfgs.length; i++) if (cfgs[i]!.primary) return cfgs[i];
  return cfgs[0];
}

/** Public address a NIC leaves Azure with: its public IP, else the default outbound address (SE-SRC-1). Memoised per configuration. */
export function publicAddressOf(
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
const applianceTargets = new WeakMap<
  RouteEntry,
  { epoch: number; target?: { nic: NicInfo; ipConfig: IpConfigInfo } }
>();

export function applianceOf(
  snap: Snapshot,
  subnet: SubnetInfo,
  route: RouteEntry,
): { nic: NicInfo; ipConfig: IpConfigInfo } | undefined {
  let hit = applianceTargets.get(route);
  // NIC infos are replaced when a live snapshot applies a write (`nicEpoch`): look again then.
  if (hit === undefined || hit.epoch !== snap.nicEpoch) {
    const ip = route.nextHopIpAddress[0] ? tryParseAddress(route.nextHopIpAddress[0]) : undefined;
    const target = ip ? snap.nicsByPrivateAddress(ip, reachableVnetKeys(snap, subnet.vnet))[0] : undefined;
    hit = target ? { epoch: snap.nicEpoch, target } : { epoch: snap.nicEpoch };
    applianceTargets.set(route, hit);
  }
  return hit.target;
}

/** Follows the flow from a NIC out of its subnet (routes, NSGs, appliances, gateways). */
export function fromNic(
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
    detail: `${hops > 0 ? "appliance " : ""}${nsgName(nic.id)} (${privText}) in subnet ${subnet.name} of ${subnet.vnet.name} (${subnet.vnet.location})`,
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
    endpointsOf(subnet).has(serviceKey(service.service))
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
        subnetKey: subnet.key,
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
            subnetKey: subnet.key,
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
          reason: `The next hop ${route.nextHopIpAddress.join(",") || "(none)"} of ${describeRoute(route)} is not a network interface in ${subnet.vnet.name} or its peers, so the traffic is dropped.`,
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
  const ep = endpointsOf(subnet).get(serviceKey(endpointName));
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
