/**
 * The one entry point of the data plane: `evaluate(snapshot, flow)` decides a flow the
 * way Azure would and records the trace in the same pass (SE-DIAG-3). A denial lists
 * every blocker on the path, each with the smallest change that would lift it: after a
 * blocker the evaluation goes on as if it had been lifted.
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
import { findEndpointService } from "../model/catalog/endpoint-services.js";
import { tagRegionSuffix } from "../model/catalog/regions.js";
import { compileNsg, orderForDirection, type CompiledNsg } from "./nsg.js";
import { nsgContextFor } from "./effective-nsg.js";
import { evaluateFirewall } from "./firewalls/index.js";
import { describeRoute, gatewaysFor, peeredVnets, subnetRoutes, type RouteEntry } from "./routes.js";
import type { IpConfigInfo, NicInfo, ServiceResourceInfo, Snapshot, SubnetInfo, VnetInfo } from "./snapshot.js";
import type { Blocker, Decision, Flow, Protocol, Step } from "./types.js";

const MAX_APPLIANCE_HOPS = 4;

interface Trace {
  steps: Step[];
  blockers: Blocker[];
}

interface Destination {
  address: Address;
  service?: ServiceResourceInfo;
  endpoint?: string;
}

/** What leaves Azure's network (or arrives from outside) towards the destination. */
interface Egress {
  /** Addresses the destination may see (two for an ExpressRoute public-peering NAT pair). */
  addresses: Address[];
  subnetId?: string;
  viaEndpoint: boolean;
  nextHopType: string;
  /** An Azure VM's traffic (for Storage's same-region rule, SE-SRC-5). */
  azureRegion?: string;
  privateAddress?: Address;
  /** The Azure subnet the flow last left from (for wording fixes), with or without an endpoint. */
  callerSubnetId?: string;
}

const nsgName = nameOfId;

function compiled(snap: Snapshot, nsgId: string, vnet: VnetInfo): CompiledNsg | undefined {
  const nsg = snap.nsg(nsgId);
  if (!nsg) return undefined;
  return snap.memoize(`nsg:${idKey(nsgId)}|${vnet.key}`, () => compileNsg(nsg, nsgContextFor(snap, vnet)));
}

/** The service tag naming a destination, for fixes (`Storage.WestUS`), or the address itself. */
function destinationExpression(dst: Destination): string {
  if (dst.service) {
    const suffix = tagRegionSuffix(dst.service.location);
    const tag = dst.service.kind.serviceTag;
    return suffix ? `${tag}.${suffix}` : tag;
  }
  return formatAddress(dst.address);
}

function evaluateNsgs(
  snap: Snapshot,
  t: Trace,
  direction: "Inbound" | "Outbound",
  subnet: SubnetInfo,
  nic: NicInfo,
  cfg: IpConfigInfo,
  packet: { source: Address; destination: Address; protocol: Protocol; sourcePort: number; destinationPort: number },
  peerExpr: string,
): void {
  const order = orderForDirection(direction, subnet.nsgId ? { id: subnet.nsgId } : undefined, nic.nsgId ? { id: nic.nsgId } : undefined);
  for (const { where, nsg } of order) {
    const c = compiled(snap, nsg.id, subnet.vnet);
    if (!c) continue;
    const v = c.evaluate({
      direction,
      protocol: packet.protocol,
      source: packet.source,
      sourcePort: packet.sourcePort,
      destination: packet.destination,
      destinationPort: packet.destinationPort,
      ...(direction === "Outbound" ? { sourceAsgs: cfg.asgs } : { destinationAsgs: cfg.asgs }),
    });
    const allowed = v.access === "Allow";
    t.steps.push({
      kind: "NetworkSecurityGroup",
      result: allowed ? "Allowed" : "Denied",
      resourceId: nsg.id,
      rule: v.ruleName,
      detail: `${direction.toLowerCase()} ${packet.protocol} ${direction === "Outbound" ? "to" : "from"} ${peerExpr}:${packet.destinationPort} ${allowed ? "allowed" : "denied"} by ${v.ruleName} (priority ${v.priority}) of the ${where === "nic" ? "NIC" : "subnet"} NSG ${nsgName(nsg.id)}`,
      data: { direction, association: where, priority: v.priority },
    });
    if (!allowed) {
      const pr = Math.max(100, Math.min(4096, v.priority - 10));
      t.blockers.push({
        kind: "NetworkSecurityGroup",
        resourceId: nsg.id,
        rule: v.ruleName,
        reason: `${v.ruleName} (priority ${v.priority}) of NSG ${nsgName(nsg.id)} denies ${direction.toLowerCase()} ${packet.protocol} ${direction === "Outbound" ? "to" : "from"} ${peerExpr} port ${packet.destinationPort}.`,
        fix:
          v.priority >= 65000
            ? `Add an ${direction.toLowerCase()} security rule to NSG ${nsgName(nsg.id)} allowing ${packet.protocol} ${direction === "Outbound" ? "to" : "from"} ${peerExpr} on port ${packet.destinationPort}, at a priority number below ${v.priority} (e.g. ${Math.min(4096, 4000)}).`
            : `Add an ${direction.toLowerCase()} security rule to NSG ${nsgName(nsg.id)} allowing ${packet.protocol} ${direction === "Outbound" ? "to" : "from"} ${peerExpr} on port ${packet.destinationPort} with a priority number below ${v.priority} (e.g. ${pr}), or narrow ${v.ruleName}.`,
      });
    }
  }
}

function resolveDestination(snap: Snapshot, flow: Flow, t: Trace): Destination | undefined {
  const d = flow.destination;
  if (d.kind === "resource") {
    const service = snap.service(d.resourceId);
    if (!service) throw ArmErrors.flowEndpointNotFound("destination", d.resourceId);
    let host: { endpoint: string; host: string } | undefined = service.hosts[0];
    if (d.endpoint) {
      host = service.hosts.find((h) => h.endpoint.toLowerCase() === d.endpoint!.toLowerCase());
      if (!host) {
        throw ArmErrors.invalidFlow(
          `Resource '${service.id}' has no '${d.endpoint}' endpoint; it has: ${service.hosts.map((h) => h.endpoint).join(", ")}.`,
        );
      }
    }
    if (host) {
      t.steps.push({
        kind: "Dns",
        result: "Info",
        resourceId: service.id,
        detail: `${host.host} resolves to ${formatAddress(service.address)}, a public address of ${service.kind.serviceTag} in ${service.location}; DNS is the same with or without service endpoints (SE-SRC-4)`,
        data: { host: host.host, address: formatAddress(service.address) },
      });
    }
    return { address: service.address, service, ...(host ? { endpoint: host.endpoint } : {}) };
  }
  if (d.kind === "host") {
    const literal = tryParseAddress(d.host);
    if (literal) return resolveAddress(snap, literal, t);
    const found = snap.serviceByHost(d.host);
    if (!found) {
      t.steps.push({ kind: "Dns", result: "Denied", detail: `${d.host} does not resolve (NXDOMAIN)`, data: { host: d.host } });
      t.blockers.push({
        kind: "Dns",
        reason: `The host name ${d.host} does not resolve to any resource Lazurite knows.`,
        fix: `Check the name, or add the resource whose host name is ${d.host}.`,
      });
      return undefined;
    }
    t.steps.push({
      kind: "Dns",
      result: "Info",
      resourceId: found.service.id,
      detail: `${d.host} resolves to ${formatAddress(found.service.address)}, a public address of ${found.service.kind.serviceTag} in ${found.service.location}; DNS is the same with or without service endpoints (SE-SRC-4)`,
      data: { host: d.host, address: formatAddress(found.service.address) },
    });
    return { address: found.service.address, service: found.service, endpoint: found.endpoint };
  }
  const a = tryParseAddress(d.address);
  if (!a) throw ArmErrors.invalidFlow(`'${d.address}' is not an IP address.`);
  return resolveAddress(snap, a, t);
}

function resolveAddress(snap: Snapshot, a: Address, t: Trace): Destination {
  const service = snap.serviceByAddress(a);
  if (service) {
    t.steps.push({
      kind: "Dns",
      result: "Info",
      resourceId: service.id,
      detail: `${formatAddress(a)} is the public address of ${service.id}`,
      data: { address: formatAddress(a) },
    });
    return { address: a, service, ...(service.hosts[0] ? { endpoint: service.hosts[0].endpoint } : {}) };
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
    nic = vm.nicIds.map((id) => snap.nic(id)).find((n): n is NicInfo => !!n);
    if (!nic) throw ArmErrors.invalidFlow(`Virtual machine '${vm.id}' has no network interface Lazurite knows.`);
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
  if (!cfg) throw ArmErrors.invalidFlow(`Network interface '${nic.id}' has no usable IP configuration${cfgName ? ` named '${cfgName}'` : ""}.`);
  return { nic, cfg };
}

/** Public address a NIC leaves Azure with: its public IP, else the default outbound address (SE-SRC-1). */
function publicAddressOf(snap: Snapshot, nic: NicInfo, cfg: IpConfigInfo): { address: Address; how: string } {
  const pip = snap.publicIp(cfg.publicIpId);
  if (pip?.address) return { address: pip.address, how: `its public IP ${nsgName(pip.id)}` };
  const a = snap.azureAddress(nic.location, `default-outbound:${nic.key}`) ?? { family: 4 as const, value: 0x14000001 };
  return { address: a, how: "the default outbound access address Azure assigns" };
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
  const subnet = snap.subnet(cfg.subnetId);
  if (!subnet) {
    throw ArmErrors.invalidFlow(`The subnet '${cfg.subnetId}' of network interface '${nic.id}' was not found.`);
  }
  t.steps.push({
    kind: "Source",
    result: "Info",
    resourceId: nic.id,
    detail: `${hops > 0 ? "appliance " : ""}${nsgName(nic.id)} (${formatAddress(cfg.privateAddress)}) in subnet ${subnet.name} of ${subnet.vnet.resource.name} (${subnet.vnet.location})`,
    data: { privateAddress: formatAddress(cfg.privateAddress), subnetId: subnet.id, location: subnet.vnet.location },
  });
  const service = dst.service;
  const endpointService = service ? findEndpointService(service.service) : undefined;
  const route = subnetRoutes(snap, subnet).lookup(dst.address);
  const peerExpr = destinationExpression(dst);
  const packet = { source: cfg.privateAddress, destination: dst.address, protocol, sourcePort, destinationPort: port };

  if (!route) {
    t.steps.push({ kind: "Route", result: "Denied", detail: "no route matches the destination" });
    t.blockers.push({ kind: "Route", reason: "No route matches the destination.", fix: "Add a route for the destination." });
    return { addresses: [cfg.privateAddress], viaEndpoint: false, nextHopType: "None" };
  }
  routeStep(t, subnet, route);
  evaluateNsgs(snap, t, "Outbound", subnet, nic, cfg, packet, peerExpr);

  if (
    service &&
    subnet.provisioningState === "Updating" &&
    subnet.endpoints.some((e) => e.service.toLowerCase() === service.service.toLowerCase())
  ) {
    t.steps.push({
      kind: "ServiceEndpoint",
      result: "Denied",
      resourceId: subnet.id,
      detail: `subnet ${subnet.name} is Updating: its ${service.service} endpoint change is being applied and traffic to the service is briefly cut (SE-CFG-6)`,
    });
    t.blockers.push({
      kind: "ServiceEndpoint",
      resourceId: subnet.id,
      reason: `Subnet ${subnet.name} is Updating while its service endpoints change; traffic to ${service.service} is interrupted until it is Succeeded.`,
      fix: "Wait for the subnet's provisioningState to return to Succeeded, then retry.",
    });
  }

  switch (route.nextHopType) {
    case "VirtualNetworkServiceEndpoint": {
      t.steps.push({
        kind: "ServiceEndpoint",
        result: "Allowed",
        resourceId: subnet.id,
        detail: `subnet ${subnet.name} has a ${route.service} endpoint: the flow stays on the Azure backbone and the service sees the private address ${formatAddress(cfg.privateAddress)} with the identity of subnet ${subnet.name} (SE-SRC-2)`,
        data: { service: route.service, locations: subnet.endpoints.find((e) => e.service === route.service)?.locations },
      });
      return {
        addresses: [cfg.privateAddress],
        subnetId: subnet.id,
        viaEndpoint: true,
        nextHopType: route.nextHopType,
        privateAddress: cfg.privateAddress,
      };
    }
    case "Internet": {
      const pub = publicAddressOf(snap, nic, cfg);
      explainNoEndpoint(t, subnet, service, endpointService?.name);
      // Data Lake Store Gen1: the subnet identity travels in the Azure AD token (Microsoft.AzureActiveDirectory endpoint).
      if (service && endpointService?.name === "Microsoft.AzureActiveDirectory") {
        const ep = subnet.endpoints.find((e) => e.service === "Microsoft.AzureActiveDirectory");
        if (ep && (ep.locations.includes("*") || ep.locations.includes(service.location))) {
          t.steps.push({
            kind: "ServiceEndpoint",
            result: "Allowed",
            resourceId: subnet.id,
            detail: `subnet ${subnet.name} has a Microsoft.AzureActiveDirectory endpoint: Azure AD adds the subnet's identity to the token Data Lake Store sees`,
          });
          return {
            addresses: [cfg.privateAddress],
            subnetId: subnet.id,
            viaEndpoint: true,
            nextHopType: route.nextHopType,
            privateAddress: cfg.privateAddress,
          };
        }
      }
      t.steps.push({
        kind: "SourceAddress",
        result: "Info",
        resourceId: nic.id,
        detail: `the flow leaves Azure's network edge from ${pub.how}, ${formatAddress(pub.address)} (SE-SRC-1)`,
        data: { address: formatAddress(pub.address) },
      });
      return {
        addresses: [pub.address],
        viaEndpoint: false,
        nextHopType: "Internet",
        azureRegion: subnet.vnet.location,
        privateAddress: cfg.privateAddress,
        callerSubnetId: subnet.id,
      };
    }
    case "VirtualAppliance": {
      const ip = route.nextHopIpAddress[0] ? tryParseAddress(route.nextHopIpAddress[0]) : undefined;
      const vnetKeys = new Set([subnet.vnet.key, ...peeredVnets(snap, subnet.vnet).map((p) => p.vnet.key)]);
      const target = ip ? snap.nicsByPrivateAddress(ip, vnetKeys)[0] : undefined;
      if (!target) {
        t.blockers.push({
          kind: "Route",
          resourceId: route.origin,
          rule: route.name,
          reason: `The next hop ${route.nextHopIpAddress.join(",") || "(none)"} of ${describeRoute(route)} is not a network interface in ${subnet.vnet.resource.name} or its peers, so the traffic is dropped.`,
          fix: `Point the route at the private address of the appliance's network interface, or remove it.`,
        });
        return { addresses: [cfg.privateAddress], viaEndpoint: false, nextHopType: route.nextHopType };
      }
      if (hops >= MAX_APPLIANCE_HOPS) {
        t.blockers.push({
          kind: "Route",
          resourceId: route.origin,
          rule: route.name,
          reason: `The flow passed ${hops} appliances without leaving Azure (a routing loop).`,
          fix: "Make the appliance subnet's routes send the traffic out (its route table must not point back at an appliance).",
        });
        return { addresses: [cfg.privateAddress], viaEndpoint: false, nextHopType: route.nextHopType };
      }
      if (!target.nic.enableIPForwarding) {
        t.blockers.push({
          kind: "Route",
          resourceId: target.nic.id,
          reason: `IP forwarding is disabled on the appliance's network interface ${nsgName(target.nic.id)}, so Azure drops traffic it would forward.`,
          fix: `Set enableIPForwarding to true on network interface ${nsgName(target.nic.id)}.`,
        });
      }
      t.steps.push({
        kind: "VirtualAppliance",
        result: "Info",
        resourceId: target.nic.id,
        detail: `forwarded to the appliance ${nsgName(target.nic.id)} (${formatAddress(target.ipConfig.privateAddress)}), which sends it on from its own subnet with its own address`,
      });
      const out = fromNic(snap, t, target.nic, target.ipConfig, dst, protocol, port, sourcePort, hops + 1);
      return { ...out, nextHopType: hops === 0 ? "VirtualAppliance" : out.nextHopType };
    }
    case "VirtualNetworkGateway": {
      const edge = onPremEdge(snap, subnet.vnet, route);
      t.steps.push({
        kind: "OnPremises",
        result: "Info",
        resourceId: edge.resourceId,
        detail: `forced tunnelling: the flow goes to on-premises through the gateway and reaches the service from the on-premises edge ${edge.addresses.map(formatAddress).join(", ") || "(unknown address)"} (SE-SRC-1, SE-ROUTE-4)`,
      });
      explainNoEndpoint(t, subnet, service, endpointService?.name);
      return {
        addresses: edge.addresses.length ? edge.addresses : [cfg.privateAddress],
        viaEndpoint: false,
        nextHopType: "VirtualNetworkGateway",
        callerSubnetId: subnet.id,
      };
    }
    case "None": {
      t.blockers.push({
        kind: "Route",
        resourceId: route.origin ?? subnet.id,
        ...(route.name ? { rule: route.name } : {}),
        reason: `${describeRoute(route)} drops the traffic (next hop None).`,
        fix:
          route.source === "User"
            ? `Remove route ${route.name} from route table ${nsgName(route.routeTableId ?? "")} or give it another next hop.`
            : `The destination lies in a reserved private range outside any connected network; use an address in the VNet, a peered VNet or on-premises.`,
      });
      return { addresses: [cfg.privateAddress], viaEndpoint: false, nextHopType: "None" };
    }
    default: {
      // VnetLocal, VNetPeering, VNetGlobalPeering: private destination inside Azure.
      const vnetKeys = new Set([subnet.vnet.key, ...peeredVnets(snap, subnet.vnet).map((p) => p.vnet.key)]);
      const target = snap.nicsByPrivateAddress(dst.address, vnetKeys)[0];
      if (target) {
        const tSubnet = snap.subnet(target.ipConfig.subnetId);
        if (tSubnet) {
          evaluateNsgs(snap, t, "Inbound", tSubnet, target.nic, target.ipConfig, packet, formatAddress(cfg.privateAddress));
        }
      }
      return { addresses: [cfg.privateAddress], viaEndpoint: false, nextHopType: route.nextHopType, privateAddress: cfg.privateAddress };
    }
  }
}

function routeStep(t: Trace, subnet: SubnetInfo, route: RouteEntry): void {
  t.steps.push({
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
  });
}

function explainNoEndpoint(t: Trace, subnet: SubnetInfo, service: ServiceResourceInfo | undefined, endpointName: string | undefined): void {
  if (!service || !endpointName) return;
  const ep = subnet.endpoints.find((e) => e.service.toLowerCase() === endpointName.toLowerCase());
  if (ep && endpointName !== "Microsoft.AzureActiveDirectory") {
    t.steps.push({
      kind: "ServiceEndpoint",
      result: "Info",
      resourceId: subnet.id,
      detail: `subnet ${subnet.name} has a ${ep.service} endpoint for ${ep.locations.join(", ")}, which does not cover ${service.location} where the resource is; the flow takes the ordinary path with a public address (SE-REG-5)`,
    });
  } else if (!ep) {
    t.steps.push({
      kind: "ServiceEndpoint",
      result: "Info",
      resourceId: subnet.id,
      detail: `subnet ${subnet.name} has no ${endpointName} endpoint`,
    });
  }
}

/** The public addresses on-premises traffic reaches Azure services from. */
function onPremEdge(snap: Snapshot, vnet: VnetInfo, route: RouteEntry): { addresses: Address[]; resourceId?: string } {
  const gws = route.source === "VirtualNetworkGateway" && route.origin ? [route.origin] : gatewaysFor(snap, vnet);
  for (const gw of gws) {
    for (const c of snap.connections.values()) {
      if (!c.properties?.virtualNetworkGateway1?.id || idKey(c.properties.virtualNetworkGateway1.id) !== idKey(gw)) continue;
      if (c.properties.peer?.id) {
        const nat = circuitNat(snap, c.properties.peer.id);
        if (nat.addresses.length) return { addresses: nat.addresses, resourceId: c.properties.peer.id };
      }
      if (c.properties.localNetworkGateway2?.id) {
        const lgw = snap.localGateways.get(idKey(c.properties.localNetworkGateway2.id));
        const a = lgw?.properties?.gatewayIpAddress ? tryParseAddress(lgw.properties.gatewayIpAddress) : undefined;
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
  const ms = peerings.find((p) => p.properties?.peeringType === "MicrosoftPeering" && p.properties?.state !== "Disabled");
  if (ms) {
    const addrs = asArray(ms.properties?.microsoftPeeringConfig?.advertisedPublicPrefixes)
      .map((p) => tryParsePrefix(p))
      .filter((p): p is NonNullable<typeof p> => !!p)
      .map((p) => addressAt(p, 0));
    if (addrs.length) return { addresses: addrs, peering: ms.name };
  }
  const pub = peerings.find((p) => p.properties?.peeringType === "AzurePublicPeering" && p.properties?.state !== "Disabled");
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
  t.steps.push({
    kind: "Source",
    result: "Info",
    resourceId: s.via,
    detail: `on-premises host ${s.address} connected through ${circuit ? "ExpressRoute circuit" : "local network gateway"} ${nsgName(s.via)}`,
  });
  t.steps.push({
    kind: "ServiceEndpoint",
    result: "Info",
    detail: "traffic from on-premises never uses service endpoints, even when it enters a VNet first; VNet rules cannot match it (SE-ONP-1)",
  });
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
      t.blockers.push({
        kind: "Source",
        resourceId: s.via,
        reason: `The on-premises address ${s.address} is private and ${nsgName(s.via)} has no NAT address towards Azure services.`,
        fix: circuit
          ? "Configure Microsoft peering (with advertised public NAT prefixes) or public peering NAT addresses on the circuit."
          : "Give the local network gateway its public gatewayIpAddress, or use the on-premises public address.",
      });
      addresses = [addr];
    }
  }
  t.steps.push({
    kind: "SourceAddress",
    result: "Info",
    resourceId: s.via,
    detail: `the service sees ${addresses.map(formatAddress).join(" or ")}: ${how}`,
  });
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
    t.steps.push({
      kind: "ServiceEndpointPolicy",
      result: "Allowed",
      resourceId: match.policyId,
      rule: `serviceEndpointPolicyDefinitions/${match.name}`,
      detail: `service endpoint policy ${nsgName(match.policyId)} lists the resource (definition ${match.name})`,
    });
    return;
  }
  const first = defs[0]!;
  t.steps.push({
    kind: "ServiceEndpointPolicy",
    result: "Denied",
    resourceId: first.policyId,
    detail: `the subnet's service endpoint policies allow only listed ${dst.service} resources over the endpoint, and ${dst.resource.name} is not listed (SE-POL-1)`,
  });
  t.blockers.push({
    kind: "ServiceEndpointPolicy",
    resourceId: first.policyId,
    rule: `serviceEndpointPolicyDefinitions/${first.name}`,
    reason: `No service endpoint policy on subnet ${subnet.name} lists ${dst.id}; traffic to unlisted resources over the endpoint is dropped.`,
    fix: `Add ${dst.id} (or its resource group or subscription) to serviceResources of definition ${first.name} in policy ${nsgName(first.policyId)}.`,
  });
}

function checkFirewall(snap: Snapshot, t: Trace, egress: Egress, dst: ServiceResourceInfo, flow: Flow): Decision["error"] | undefined {
  let error: Decision["error"] | undefined;
  const seen = new Set<string>();
  for (const address of egress.addresses) {
    const sameRegionAzure = !egress.viaEndpoint && egress.azureRegion !== undefined && egress.azureRegion === dst.location;
    const r = evaluateFirewall({
      resource: dst.resource,
      children: dst.children,
      sourceAddress: address,
      ...(egress.viaEndpoint && egress.subnetId ? { subnetId: egress.subnetId } : {}),
      ...(egress.callerSubnetId ?? egress.subnetId ? { callerSubnetId: (egress.callerSubnetId ?? egress.subnetId)! } : {}),
      subnetHasEndpoint: (id: string) => snap.subnetHasEndpoint(id, dst.service),
      fromAzure: egress.azureRegion !== undefined || snap.catalog.isAzureAddress(address),
      sameRegionAzure,
      trustedService: false,
      purpose: flow.purpose ?? "rest",
    });
    t.steps.push({
      kind: "ServiceFirewall",
      result: r.allowed ? "Allowed" : "Denied",
      resourceId: dst.id,
      ...(r.rule ? { rule: r.rule } : {}),
      detail: `${dst.resource.name} ${r.allowed ? "admits" : "refuses"} ${egress.viaEndpoint ? `subnet ${nsgName(egress.subnetId ?? "")} (${formatAddress(address)})` : formatAddress(address)}: ${r.detail}`,
    });
    if (!r.allowed) {
      error ??= r.error;
      for (const f of r.fixes) {
        const key = `${f.rule}|${f.fix}`;
        if (seen.has(key)) continue;
        seen.add(key);
        t.blockers.push({
          kind: "ServiceFirewall",
          resourceId: dst.id,
          ...(f.rule ? { rule: f.rule } : {}),
          reason: f.reason,
          fix: f.fix,
        });
      }
      if (r.fixes.length === 0) {
        t.blockers.push({ kind: "ServiceFirewall", resourceId: dst.id, ...(r.rule ? { rule: r.rule } : {}), reason: r.detail, fix: "Allow the source in the resource's network rules." });
      }
    }
  }
  return error;
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
  const base = { protocol, port };
  if (!dst) {
    return {
      decision: "Denied",
      sourceAddress: "",
      viaServiceEndpoint: false,
      nextHopType: "None",
      destinationAddress: "",
      ...base,
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
    egress = fromOnPrem(snap, t, flow as Flow & { source: { kind: "onprem" } });
  } else {
    const a = tryParseAddress(s.address);
    if (!a) throw ArmErrors.invalidFlow(`'${s.address}' is not an IP address.`);
    t.steps.push({ kind: "Source", result: "Info", detail: `internet host ${formatAddress(a)}` });
    egress = { addresses: [a], viaEndpoint: false, nextHopType: "Internet" };
  }

  let error: Decision["error"] | undefined;
  if (dst.service) {
    if (egress.viaEndpoint && egress.subnetId) checkPolicies(snap, t, egress.subnetId, dst.service);
    error = checkFirewall(snap, t, egress, dst.service, flow);
  }
  const decision: Decision = {
    decision: t.blockers.length === 0 ? "Allowed" : "Denied",
    sourceAddress: formatAddress(egress.addresses[0]!),
    ...(egress.privateAddress ? { sourcePrivateAddress: formatAddress(egress.privateAddress) } : {}),
    ...(egress.viaEndpoint && egress.subnetId ? { sourceSubnetId: egress.subnetId } : {}),
    viaServiceEndpoint: egress.viaEndpoint,
    nextHopType: egress.nextHopType,
    destinationAddress: formatAddress(dst.address),
    ...(dst.service ? { destinationResourceId: dst.service.id, service: dst.service.service } : {}),
    ...base,
    steps: t.steps,
    blockers: t.blockers,
  };
  if (decision.decision === "Denied" && error) decision.error = error;
  return decision;
}
