/**
 * Microsoft.DataLakeStore/accounts (Data Lake Store Gen1) network settings
 * (SE-RES-4, azure-facts §1b.7; api 2016-11-01).
 *
 * Account properties: `firewallState` (`Enabled|Disabled`), `firewallAllowAzureIps`
 * (`Enabled|Disabled`), `firewallRules: [{ name, properties: { startIpAddress, endIpAddress } }]`,
 * `virtualNetworkRules: [{ name, properties: { subnetId } }]`. The same rules are also child
 * resources `accounts/{a}/firewallRules/{name}` and `accounts/{a}/virtualNetworkRules/{name}`;
 * the firewall reads both (a child wins over an inline rule of the same name).
 * VNet rules need the subnet's `Microsoft.AzureActiveDirectory` endpoint (gotcha 12).
 *
 * Limitations: `accountId` (a GUID) and `creationTime` need an id generator / clock and are left
 * to the caller.
 */
import type { ArmResource, ProvisioningState } from "./common.js";
import { textOf } from "../errors.js";

export const DATA_LAKE_STORE_TYPE = "Microsoft.DataLakeStore/accounts";
export const DATA_LAKE_STORE_FIREWALL_RULE_TYPE = "Microsoft.DataLakeStore/accounts/firewallRules";
export const DATA_LAKE_STORE_VNET_RULE_TYPE = "Microsoft.DataLakeStore/accounts/virtualNetworkRules";
export const DATA_LAKE_STORE_DNS_SUFFIX = "azuredatalakestore.net";

export interface DataLakeFirewallRule {
  id?: string;
  name: string;
  type?: string;
  properties: { startIpAddress: string; endIpAddress: string; [k: string]: unknown };
  [k: string]: unknown;
}
export interface DataLakeVirtualNetworkRule {
  id?: string;
  name: string;
  type?: string;
  properties: { subnetId: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface DataLakeStoreProperties {
  firewallState?: "Enabled" | "Disabled" | string;
  firewallAllowAzureIps?: "Enabled" | "Disabled" | string;
  firewallRules?: DataLakeFirewallRule[];
  virtualNetworkRules?: DataLakeVirtualNetworkRule[];
  trustedIdProviderState?: "Enabled" | "Disabled" | string;
  encryptionState?: "Enabled" | "Disabled" | string;
  endpoint?: string;
  currentTier?: string;
  newTier?: string;
  state?: string;
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type DataLakeStoreAccount = ArmResource<DataLakeStoreProperties>;

/** `<name>.azuredatalakestore.net` */
export function dataLakeStoreHostName(accountName: string): string {
  return `${accountName.toLowerCase()}.${DATA_LAKE_STORE_DNS_SUFFIX}`;
}

function isEnabled(v: unknown): boolean {
  return typeof v === "string" && v.toLowerCase() === "enabled";
}
export function isDataLakeFirewallEnabled(p: DataLakeStoreProperties | undefined): boolean {
  return isEnabled(p?.firewallState);
}
export function isDataLakeAllowAzureIps(p: DataLakeStoreProperties | undefined): boolean {
  return isEnabled(p?.firewallAllowAzureIps);
}

function byName<T extends { name?: unknown }>(inline: unknown, children: T[]): T[] {
  const out = new Map<string, T>();
  for (const r of Array.isArray(inline) ? (inline as T[]) : []) {
    if (r && typeof r.name === "string") out.set(r.name.toLowerCase(), r);
  }
  for (const c of children) if (typeof c.name === "string") out.set(c.name.toLowerCase(), c);
  return [...out.values()];
}

/** Inline and child rules of an account, merged by name (children win). */
export function dataLakeRules(
  account: DataLakeStoreAccount,
  children: readonly ArmResource[],
): { firewallRules: DataLakeFirewallRule[]; virtualNetworkRules: DataLakeVirtualNetworkRule[] } {
  const fw: DataLakeFirewallRule[] = [];
  const vnet: DataLakeVirtualNetworkRule[] = [];
  for (const c of children) {
    const t = typeof c?.type === "string" ? c.type.toLowerCase() : "";
    if (t === DATA_LAKE_STORE_FIREWALL_RULE_TYPE.toLowerCase()) fw.push(c as unknown as DataLakeFirewallRule);
    else if (t === DATA_LAKE_STORE_VNET_RULE_TYPE.toLowerCase())
      vnet.push(c as unknown as DataLakeVirtualNetworkRule);
  }
  return {
    firewallRules: byName(account.properties?.firewallRules, fw),
    virtualNetworkRules: byName(account.properties?.virtualNetworkRules, vnet),
  };
}

/**
 * Fills Azure's defaults on an account: firewall off, Azure IPs not allowed, empty rule lists,
 * trusted-id providers off, encryption on, `endpoint`, Consumption tier, `state: Active`.
 * Inline rules get their child `type` when missing. Unknown fields kept.
 */
export function normalizeDataLakeStoreAccount<R extends ArmResource>(
  resource: R,
): Omit<R, "properties"> & DataLakeStoreAccount {
  const id = textOf(resource.id ?? "");
  const p: DataLakeStoreProperties = { ...((resource.properties ?? {}) as DataLakeStoreProperties) };
  if (!p.firewallState) p.firewallState = "Disabled";
  if (!p.firewallAllowAzureIps) p.firewallAllowAzureIps = "Disabled";
  p.firewallRules = (Array.isArray(p.firewallRules) ? p.firewallRules : []).map((r) => ({
    ...r,
    ...(id && r.id === undefined ? { id: `${id}/firewallRules/${r.name}` } : {}),
    type: r.type ?? DATA_LAKE_STORE_FIREWALL_RULE_TYPE,
  }));
  p.virtualNetworkRules = (Array.isArray(p.virtualNetworkRules) ? p.virtualNetworkRules : []).map((r) => ({
    ...r,
    ...(id && r.id === undefined ? { id: `${id}/virtualNetworkRules/${r.name}` } : {}),
    type: r.type ?? DATA_LAKE_STORE_VNET_RULE_TYPE,
  }));
  if (!p.trustedIdProviderState) p.trustedIdProviderState = "Disabled";
  if (!p.encryptionState) p.encryptionState = "Enabled";
  if (!p.endpoint) p.endpoint = dataLakeStoreHostName(textOf(resource.name ?? ""));
  if (!p.currentTier) p.currentTier = "Consumption";
  if (!p.newTier) p.newTier = p.currentTier;
  if (!p.state) p.state = "Active";
  if (p.provisioningState === undefined) p.provisioningState = "Succeeded";
  return { ...resource, properties: p } as unknown as Omit<R, "properties"> & DataLakeStoreAccount;
}
