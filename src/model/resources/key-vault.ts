/**
 * Microsoft.KeyVault/vaults network ACLs (SE-RES-4, azure-facts §1b.5; api 2018-02-14).
 *
 * `properties.networkAcls = { defaultAction, bypass: "AzureServices"|"None", ipRules: [{ value }],
 * virtualNetworkRules: [{ id }] }` — like Storage, but the vault's response normalises:
 * a bare IPv4 address is echoed as `/32`, subnet ids come back entirely lower-cased
 * (createVaultWithNetworkAcls.json; terraform-provider-azurerm#2164).
 *
 * Limitations: `ignoreMissingVnetServiceEndpoint` on vault rules (later api versions) round-trips;
 * `vaultUri` uses the public cloud suffix with a trailing slash (the saved example prints it
 * without one; `az keyvault show` prints it with one).
 */
import type { ArmResource, ProvisioningState } from "./common.js";
import { tryParseAddress } from "../ip.js";
import { textOf } from "../errors.js";

export const KEY_VAULT_TYPE = "Microsoft.KeyVault/vaults";
export const KEY_VAULT_DNS_SUFFIX = "vault.azure.net";

export interface KeyVaultVirtualNetworkRule {
  id: string;
  ignoreMissingVnetServiceEndpoint?: boolean;
  [k: string]: unknown;
}
export interface KeyVaultIpRule {
  value: string;
  [k: string]: unknown;
}
export interface KeyVaultNetworkAcls {
  defaultAction?: "Allow" | "Deny" | string;
  bypass?: "AzureServices" | "None" | string;
  ipRules?: KeyVaultIpRule[];
  virtualNetworkRules?: KeyVaultVirtualNetworkRule[];
  [k: string]: unknown;
}

export interface KeyVaultProperties {
  tenantId?: string;
  sku?: { family: string; name: string };
  accessPolicies?: unknown[];
  vaultUri?: string;
  enabledForDeployment?: boolean;
  enabledForDiskEncryption?: boolean;
  enabledForTemplateDeployment?: boolean;
  networkAcls?: KeyVaultNetworkAcls;
  publicNetworkAccess?: "Enabled" | "Disabled" | string;
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type KeyVault = ArmResource<KeyVaultProperties>;

/** `https://<name>.vault.azure.net/` */
export function keyVaultUri(vaultName: string): string {
  return `https://${vaultName.toLowerCase()}.${KEY_VAULT_DNS_SUFFIX}/`;
}

/** A bare IPv4 address gains `/32`; a CIDR or anything unparsable is echoed as given. */
export function normalizeKeyVaultIpValue(value: string): string {
  if (typeof value !== "string") return value;
  const s = value.trim();
  if (s.includes("/")) return value;
  const a = tryParseAddress(s);
  return a && a.family === 4 ? `${s}/32` : value;
}

/** Vault ACLs as the API echoes them: defaults filled, bare IPs as /32, subnet ids lower-cased. */
export function normalizeKeyVaultNetworkAcls(acls: KeyVaultNetworkAcls): KeyVaultNetworkAcls {
  return {
    ...acls,
    defaultAction: typeof acls.defaultAction === "string" ? acls.defaultAction : "Allow",
    bypass: typeof acls.bypass === "string" ? acls.bypass : "AzureServices",
    ipRules: (Array.isArray(acls.ipRules) ? acls.ipRules : []).map((r) => ({
      ...r,
      value: normalizeKeyVaultIpValue(r.value),
    })),
    virtualNetworkRules: (Array.isArray(acls.virtualNetworkRules) ? acls.virtualNetworkRules : []).map(
      (r) => ({
        ...r,
        id: typeof r.id === "string" ? r.id.toLowerCase() : r.id,
      }),
    ),
  };
}

/**
 * Fills Azure's defaults on a vault: `vaultUri`, the three `enabledFor*` switches (false), and —
 * when `networkAcls` is present — its defaults and the vault's echo normalisations. A vault
 * created without `networkAcls` is returned without them, as Key Vault does. Unknown fields kept.
 */
export function normalizeKeyVault<R extends ArmResource>(resource: R): Omit<R, "properties"> & KeyVault {
  const p: KeyVaultProperties = { ...((resource.properties ?? {}) as KeyVaultProperties) };
  if (!p.vaultUri) p.vaultUri = keyVaultUri(textOf(resource.name ?? ""));
  if (p.enabledForDeployment === undefined) p.enabledForDeployment = false;
  if (p.enabledForDiskEncryption === undefined) p.enabledForDiskEncryption = false;
  if (p.enabledForTemplateDeployment === undefined) p.enabledForTemplateDeployment = false;
  if (p.networkAcls && typeof p.networkAcls === "object")
    p.networkAcls = normalizeKeyVaultNetworkAcls(p.networkAcls);
  return { ...resource, properties: p } as unknown as Omit<R, "properties"> & KeyVault;
}
