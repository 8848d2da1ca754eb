/**
 * Destination resolution: a resource, a host name (DNS) or an address, resolved to the address the
 * flow goes to and, when it belongs to one, the service resource behind it (SE-SRC-4).
 */
import type { Address } from "../model/ip.js";
import { formatAddress, tryParseAddress } from "../model/ip.js";
import { ArmErrors } from "../model/errors.js";
import type { ServiceResourceInfo, Snapshot } from "./snapshot.js";
import type { Flow } from "./types.js";
import type { Destination, Trace } from "./trace.js";

function dnsStep(t: Trace, service: ServiceResourceInfo, host: string): void {
  t.steps.push(() => ({
    kind: "Dns",
    result: "Info",
    resourceId: service.id,
    detail: `${host} resolves to ${service.addressText}, a public address of ${service.kind.serviceTag} in ${service.location}; DNS is the same with or without service endpoints (SE-SRC-4)`,
    data: { host, address: service.addressText },
  }));
}

export function resolveDestination(snap: Snapshot, flow: Flow, t: Trace): Destination | undefined {
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
