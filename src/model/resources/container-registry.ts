/**
 * Microsoft.ContainerRegistry/registries network rules (SE-RES-4, azure-facts §1b.8;
 * api 2017-10-01, 2019-05-01, preview in 2019).
 *
 * `properties.networkRuleSet = { defaultAction, virtualNetworkRules: [{ action, id }], ipRules: [{ action, value }] }`.
 * WIRE names are `id` and `value` (the SDK's `VirtualNetworkResourceId` / `IPAddressOrRange` are
 * client names, never serialised). Rules need the Premium SKU.
 *
 * Limitations: data endpoints (`<name>.<region>.data.azurecr.io`, 2020+) and the registry's blob
 * storage hosts are not modelled; `publicNetworkAccess: "Disabled"` (2020+) is honoured.
 */
import type { ArmResource, ProvisioningState } from "./common.js";
import { textOf } from "../errors.js";

export const CONTAINER_REGISTRY_TYPE = "Microsoft.ContainerRegistry/registries";
export const CONTAINER_REGISTRY_DNS_SUFFIX = "azurecr.io";

export interface RegistryVirtualNetworkRule {
  id: string;
  action?: "Allow" | string;
  [k: string]: unknown;
}
export interface RegistryIpRule {
  value: string;
  action?: "Allow" | string;
  [k: string]: unknown;
}
export interface RegistryNetworkRuleSet {
  defaultAction: "Allow" | "Deny" | string;
  virtualNetworkRules?: RegistryVirtualNetworkRule[];
  ipRules?: RegistryIpRule[];
  [k: string]: unknown;
}

export interface ContainerRegistryProperties {
  loginServer?: string;
  adminUserEnabled?: boolean;
  networkRuleSet?: RegistryNetworkRuleSet | null;
  publicNetworkAccess?: "Enabled" | "Disabled" | string;
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type ContainerRegistry = ArmResource<ContainerRegistryProperties>;

/** `<name>.azurecr.io` (always lower case). */
export function registryLoginServer(registryName: string): string {
  return `${registryName.toLowerCase()}.${CONTAINER_REGISTRY_DNS_SUFFIX}`;
}

export function isPremiumRegistry(r: { sku?: { name?: string } }): boolean {
  return typeof r.sku?.name === "string" && r.sku.name.toLowerCase() === "premium";
}

/**
 * Fills Azure's defaults on a registry: `loginServer`, `adminUserEnabled: false`, provisioningState,
 * and for Premium registries `networkRuleSet: { defaultAction: Allow, virtualNetworkRules: [], ipRules: [] }`
 * with `action: Allow` on each rule. Other tiers keep whatever they carry (the ARM layer refuses
 * rules on them). Unknown fields kept.
 */
export function normalizeContainerRegistry<R extends ArmResource>(
  resource: R,
): Omit<R, "properties"> & ContainerRegistry {
  const p: ContainerRegistryProperties = { ...((resource.properties ?? {}) as ContainerRegistryProperties) };
  if (!p.loginServer) p.loginServer = registryLoginServer(textOf(resource.name ?? ""));
  if (p.adminUserEnabled === undefined) p.adminUserEnabled = false;
  if (p.provisioningState === undefined) p.provisioningState = "Succeeded";
  if (isPremiumRegistry(resource)) {
    const s = p.networkRuleSet && typeof p.networkRuleSet === "object" ? p.networkRuleSet : undefined;
    p.networkRuleSet = {
      ...(s ?? {}),
      defaultAction: typeof s?.defaultAction === "string" ? s.defaultAction : "Allow",
      virtualNetworkRules: (Array.isArray(s?.virtualNetworkRules) ? s.virtualNetworkRules : []).map((r) => ({
        ...r,
        action: r.action ?? "Allow",
      })),
      ipRules: (Array.isArray(s?.ipRules) ? s.ipRules : []).map((r) => ({
        ...r,
        action: r.action ?? "Allow",
      })),
    };
  }
  return { ...resource, properties: p } as unknown as Omit<R, "properties"> & ContainerRegistry;
}
