/**
 * On-premises connectivity, enough for the engine's on-premises sources, BGP routes and
 * NAT addresses (SE-ONP-1..2): local network gateways, virtual network gateways,
 * connections and ExpressRoute circuits with their peerings.
 */
import type { ArmResource, ProvisioningState, SubResource } from "./common.js";

export const LOCAL_GATEWAY_TYPE = "Microsoft.Network/localNetworkGateways";
export const VNET_GATEWAY_TYPE = "Microsoft.Network/virtualNetworkGateways";
export const CONNECTION_TYPE = "Microsoft.Network/connections";
export const CIRCUIT_TYPE = "Microsoft.Network/expressRouteCircuits";
export const CIRCUIT_PEERING_TYPE = "Microsoft.Network/expressRouteCircuits/peerings";

export interface LocalNetworkGatewayProperties {
  localNetworkAddressSpace?: { addressPrefixes: string[] };
  gatewayIpAddress?: string;
  fqdn?: string;
  bgpSettings?: { asn?: number; bgpPeeringAddress?: string };
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type LocalNetworkGateway = ArmResource<LocalNetworkGatewayProperties>;

export interface VirtualNetworkGatewayProperties {
  gatewayType?: "Vpn" | "ExpressRoute" | string;
  vpnType?: "RouteBased" | "PolicyBased" | string;
  enableBgp?: boolean;
  ipConfigurations?: Array<{
    name: string;
    id?: string;
    properties: { subnet?: SubResource; publicIPAddress?: SubResource; privateIPAddress?: string };
  }>;
  bgpSettings?: { asn?: number; bgpPeeringAddress?: string };
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type VirtualNetworkGateway = ArmResource<VirtualNetworkGatewayProperties>;

export interface ConnectionProperties {
  connectionType?: "IPsec" | "Vnet2Vnet" | "ExpressRoute" | string;
  virtualNetworkGateway1?: SubResource;
  virtualNetworkGateway2?: SubResource;
  localNetworkGateway2?: SubResource;
  peer?: SubResource;
  enableBgp?: boolean;
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type Connection = ArmResource<ConnectionProperties>;

export interface CircuitPeeringProperties {
  peeringType?: "AzurePublicPeering" | "AzurePrivatePeering" | "MicrosoftPeering" | string;
  state?: "Enabled" | "Disabled";
  primaryPeerAddressPrefix?: string;
  secondaryPeerAddressPrefix?: string;
  microsoftPeeringConfig?: { advertisedPublicPrefixes?: string[]; customerASN?: number };
  /** Lazurite: the two NAT addresses Microsoft uses for this circuit's public peering (SE-ONP-2). */
  natAddresses?: string[];
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type CircuitPeering = ArmResource<CircuitPeeringProperties>;

export interface ExpressRouteCircuitProperties {
  peerings?: CircuitPeering[];
  serviceProviderProperties?: {
    serviceProviderName?: string;
    peeringLocation?: string;
    bandwidthInMbps?: number;
  };
  /** Lazurite: prefixes the circuit advertises from on-premises over private peering (BGP). */
  advertisedOnPremisesPrefixes?: string[];
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type ExpressRouteCircuit = ArmResource<ExpressRouteCircuitProperties>;
