/**
 * Microsoft.Network/networkSecurityGroups and their rules, with Azure's six default rules
 * (names, priorities and descriptions as the API returns them).
 */
import type { ArmResource, ProvisioningState, SubResource } from "./common.js";

export const NSG_TYPE = "Microsoft.Network/networkSecurityGroups";
export const SECURITY_RULE_TYPE = "Microsoft.Network/networkSecurityGroups/securityRules";
export const DEFAULT_SECURITY_RULE_TYPE = "Microsoft.Network/networkSecurityGroups/defaultSecurityRules";

export type SecurityRuleProtocol = "Tcp" | "Udp" | "Icmp" | "Esp" | "Ah" | "*";
export type SecurityRuleAccess = "Allow" | "Deny";
export type SecurityRuleDirection = "Inbound" | "Outbound";

export interface SecurityRuleProperties {
  description?: string;
  protocol: SecurityRuleProtocol | string;
  sourcePortRange?: string;
  destinationPortRange?: string;
  sourcePortRanges?: string[];
  destinationPortRanges?: string[];
  sourceAddressPrefix?: string;
  destinationAddressPrefix?: string;
  sourceAddressPrefixes?: string[];
  destinationAddressPrefixes?: string[];
  sourceApplicationSecurityGroups?: SubResource[];
  destinationApplicationSecurityGroups?: SubResource[];
  access: SecurityRuleAccess | string;
  priority: number;
  direction: SecurityRuleDirection | string;
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type SecurityRule = ArmResource<SecurityRuleProperties>;

export interface NetworkSecurityGroupProperties {
  securityRules?: SecurityRule[];
  defaultSecurityRules?: SecurityRule[];
  networkInterfaces?: SubResource[];
  subnets?: SubResource[];
  resourceGuid?: string;
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type NetworkSecurityGroup = ArmResource<NetworkSecurityGroupProperties>;

const DEFAULTS: Array<[string, SecurityRuleDirection, number, string, string, SecurityRuleAccess, string]> = [
  [
    "AllowVnetInBound",
    "Inbound",
    65000,
    "VirtualNetwork",
    "VirtualNetwork",
    "Allow",
    "Allow inbound traffic from all VMs in VNET",
  ],
  [
    "AllowAzureLoadBalancerInBound",
    "Inbound",
    65001,
    "AzureLoadBalancer",
    "*",
    "Allow",
    "Allow inbound traffic from azure load balancer",
  ],
  ["DenyAllInBound", "Inbound", 65500, "*", "*", "Deny", "Deny all inbound traffic"],
  [
    "AllowVnetOutBound",
    "Outbound",
    65000,
    "VirtualNetwork",
    "VirtualNetwork",
    "Allow",
    "Allow outbound traffic from all VMs to all VMs in VNET",
  ],
  [
    "AllowInternetOutBound",
    "Outbound",
    65001,
    "*",
    "Internet",
    "Allow",
    "Allow outbound traffic from all VMs to Internet",
  ],
  ["DenyAllOutBound", "Outbound", 65500, "*", "*", "Deny", "Deny all outbound traffic"],
];

/** Azure's six default security rules for an NSG id. */
export function defaultSecurityRules(nsgId: string): SecurityRule[] {
  return DEFAULTS.map(([name, direction, priority, src, dst, access, description]) => ({
    id: `${nsgId}/defaultSecurityRules/${name}`,
    name,
    type: DEFAULT_SECURITY_RULE_TYPE,
    properties: {
      description,
      protocol: "*",
      sourcePortRange: "*",
      destinationPortRange: "*",
      sourceAddressPrefix: src,
      destinationAddressPrefix: dst,
      access,
      priority,
      direction,
      sourcePortRanges: [],
      destinationPortRanges: [],
      sourceAddressPrefixes: [],
      destinationAddressPrefixes: [],
      provisioningState: "Succeeded",
    },
  }));
}
