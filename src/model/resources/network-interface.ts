/** Microsoft.Network/networkInterfaces with IP configurations, and public IP addresses. */
import type { ArmResource, ProvisioningState, SubResource } from "./common.js";

export const NIC_TYPE = "Microsoft.Network/networkInterfaces";
export const PUBLIC_IP_TYPE = "Microsoft.Network/publicIPAddresses";

export interface IpConfigurationProperties {
  privateIPAddress?: string;
  privateIPAllocationMethod?: "Static" | "Dynamic";
  privateIPAddressVersion?: "IPv4" | "IPv6";
  subnet?: SubResource;
  publicIPAddress?: SubResource | null;
  primary?: boolean;
  applicationSecurityGroups?: SubResource[];
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export interface IpConfiguration {
  id?: string;
  name: string;
  etag?: string;
  type?: string;
  properties: IpConfigurationProperties;
}

export interface NetworkInterfaceProperties {
  virtualMachine?: SubResource | null;
  networkSecurityGroup?: SubResource | null;
  ipConfigurations: IpConfiguration[];
  enableIPForwarding?: boolean;
  enableAcceleratedNetworking?: boolean;
  primary?: boolean;
  macAddress?: string;
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type NetworkInterface = ArmResource<NetworkInterfaceProperties>;

export interface PublicIpProperties {
  publicIPAllocationMethod?: "Static" | "Dynamic";
  publicIPAddressVersion?: "IPv4" | "IPv6";
  ipAddress?: string;
  idleTimeoutInMinutes?: number;
  ipConfiguration?: SubResource | null;
  dnsSettings?: { domainNameLabel?: string; fqdn?: string };
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type PublicIpAddress = ArmResource<PublicIpProperties>;

/** The primary IP configuration (Azure: the one marked primary, else the first). */
export function primaryIpConfiguration(nic: NetworkInterface): IpConfiguration | undefined {
  const cfgs = nic.properties.ipConfigurations ?? [];
  return cfgs.find((c) => c.properties.primary === true) ?? cfgs[0];
}
