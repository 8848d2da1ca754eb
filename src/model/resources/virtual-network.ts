/**
 * Microsoft.Network/virtualNetworks, their subnets and peerings.
 * Limitations: `addressPrefixes` (multi-prefix subnets) is honoured; IPv6 VNets route like IPv4.
 */
import type { ArmResource, ProvisioningState, SubResource } from "./common.js";
import { stringsOf } from "./common.js";
import { textOf } from "../errors.js";

export const VNET_TYPE = "Microsoft.Network/virtualNetworks";
export const SUBNET_TYPE = "Microsoft.Network/virtualNetworks/subnets";
export const PEERING_TYPE = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings";

export interface ServiceEndpointFormat {
  service: string;
  locations?: string[];
  provisioningState?: ProvisioningState;
}

export interface Delegation {
  id?: string;
  name: string;
  properties: { serviceName: string; actions?: string[]; provisioningState?: ProvisioningState };
}

export interface SubnetProperties {
  addressPrefix?: string;
  addressPrefixes?: string[];
  networkSecurityGroup?: SubResource | null;
  routeTable?: SubResource | null;
  natGateway?: SubResource | null;
  serviceEndpoints?: ServiceEndpointFormat[] | null;
  serviceEndpointPolicies?: SubResource[] | null;
  delegations?: Delegation[];
  ipConfigurations?: SubResource[];
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type Subnet = ArmResource<SubnetProperties>;

export interface PeeringProperties {
  allowVirtualNetworkAccess?: boolean;
  allowForwardedTraffic?: boolean;
  allowGatewayTransit?: boolean;
  useRemoteGateways?: boolean;
  remoteVirtualNetwork?: SubResource;
  remoteAddressSpace?: { addressPrefixes: string[] };
  peeringState?: "Initiated" | "Connected" | "Disconnected";
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type VirtualNetworkPeering = ArmResource<PeeringProperties>;

export interface VirtualNetworkProperties {
  addressSpace?: { addressPrefixes: string[] };
  dhcpOptions?: { dnsServers: string[] };
  subnets?: Subnet[];
  virtualNetworkPeerings?: VirtualNetworkPeering[];
  enableDdosProtection?: boolean;
  enableVmProtection?: boolean;
  resourceGuid?: string;
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type VirtualNetwork = ArmResource<VirtualNetworkProperties>;

/** All address prefixes of a subnet, single or multi form. */
export function subnetPrefixes(s: Subnet): string[] {
  const p = s?.properties;
  if (Array.isArray(p?.addressPrefixes) && p.addressPrefixes.length > 0) return stringsOf(p.addressPrefixes);
  return typeof p?.addressPrefix === "string" ? [p.addressPrefix] : [];
}

/**
 * Fills each endpoint's `locations` as Azure does when a request omits them (SE-CFG-4:
 * Storage → the VNet's region and its pair, Sql → the VNet's region, others → `*`), with the
 * service name in its canonical casing. Explicit locations are lower-cased programmatic names.
 * `resolve` maps a service name to its catalog entry (see model/catalog/endpoint-services.ts).
 */
export function fillEndpointLocations(
  endpoints: readonly ServiceEndpointFormat[],
  vnetRegion: string,
  resolve: (service: string) => { name: string; defaultLocations(region: string): string[] } | undefined,
  normalizeRegionName: (text: string) => string | undefined,
): Array<{ service: string; locations: string[]; provisioningState?: ProvisioningState }> {
  return endpoints
    .filter((e) => e && typeof e.service === "string")
    .map((e) => {
      const svc = resolve(e.service);
      const locations =
        Array.isArray(e.locations) && e.locations.length > 0
          ? e.locations.map((l) => (l === "*" ? "*" : (normalizeRegionName(l) ?? textOf(l).toLowerCase())))
          : svc
            ? svc.defaultLocations(vnetRegion)
            : ["*"];
      const out: { service: string; locations: string[]; provisioningState?: ProvisioningState } = {
        service: svc?.name ?? e.service,
        locations,
      };
      if (typeof e.provisioningState === "string") out.provisioningState = e.provisioningState;
      return out;
    });
}
