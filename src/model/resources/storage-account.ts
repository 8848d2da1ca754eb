/**
 * Microsoft.Storage/storageAccounts with its network ACLs (SE-RES-4, azure-facts §1b.1).
 *
 * Wire shape (api 2017-06-01 … 2019-06-01): `properties.networkAcls` =
 * `{ bypass, virtualNetworkRules: [{ id, action, state }], ipRules: [{ value, action }], defaultAction }`.
 * VNet-rule `state` values are lower case (`succeeded`, `networkSourceDeleted`, …).
 *
 * Limitations:
 * - `primaryEndpoints` per kind is our reading of real accounts: Storage (GPv1) blob/queue/table/file;
 *   StorageV2 all six; BlobStorage blob/dfs; BlockBlobStorage blob/dfs/web; FileStorage file.
 *   The static-website host is `<name>.web.core.windows.net` as in the REST example; real accounts
 *   carry a zone shard (`<name>.z13.web.core.windows.net`) that cannot be derived.
 * - `creationTime` needs a clock and is left to the caller; `resourceAccessRules`, `ipv6Rules`
 *   (post-2019) round-trip untouched; `publicNetworkAccess: "Disabled"` is honoured by the firewall.
 */
import type { ArmResource, ProvisioningState } from "./common.js";
import { pairOf } from "../catalog/regions.js";
import { textOf } from "../errors.js";

export const STORAGE_ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts";

/** Lower-case VNet-rule states as the Storage RP returns them. */
export type StorageVnetRuleState =
  "provisioning" | "deprovisioning" | "succeeded" | "failed" | "networkSourceDeleted";

export interface StorageVirtualNetworkRule {
  /** Full subnet resource id. */
  id: string;
  action?: "Allow" | string;
  state?: StorageVnetRuleState | string;
  [k: string]: unknown;
}

export interface StorageIpRule {
  /** IPv4 address or CIDR. */
  value: string;
  action?: "Allow" | string;
  [k: string]: unknown;
}

/** `None`, or a comma+space list of `Logging`, `Metrics`, `AzureServices`. */
export type StorageBypass = string;

export interface StorageNetworkAcls {
  bypass?: StorageBypass;
  virtualNetworkRules?: StorageVirtualNetworkRule[];
  ipRules?: StorageIpRule[];
  defaultAction: "Allow" | "Deny" | string;
  [k: string]: unknown;
}

/** Endpoint keys of a storage account, in the order the REST example lists them. */
export type StorageEndpointKey = "web" | "dfs" | "blob" | "file" | "queue" | "table";
export const STORAGE_ENDPOINT_KEYS: readonly StorageEndpointKey[] = [
  "web",
  "dfs",
  "blob",
  "file",
  "queue",
  "table",
];

export type StorageEndpoints = Partial<Record<StorageEndpointKey, string>> & { [k: string]: unknown };

export interface StorageAccountProperties {
  networkAcls?: StorageNetworkAcls;
  primaryEndpoints?: StorageEndpoints;
  secondaryEndpoints?: StorageEndpoints;
  primaryLocation?: string;
  secondaryLocation?: string;
  statusOfPrimary?: "available" | "unavailable" | string;
  statusOfSecondary?: "available" | "unavailable" | string;
  accessTier?: "Hot" | "Cool" | string;
  isHnsEnabled?: boolean;
  supportsHttpsTrafficOnly?: boolean;
  publicNetworkAccess?: "Enabled" | "Disabled" | string;
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type StorageAccount = ArmResource<StorageAccountProperties>;

/** Storage DNS suffix of the public cloud. */
export const STORAGE_DNS_SUFFIX = "core.windows.net";

/** Stale VNet-rule states: the rule stays listed but matches nothing (SE-ACL-8). */
export const STALE_STORAGE_RULE_STATES: ReadonlySet<string> = new Set([
  "networksourcedeleted",
  "failed",
  "deprovisioning",
]);

export function isStaleStorageRuleState(state: unknown): boolean {
  return typeof state === "string" && STALE_STORAGE_RULE_STATES.has(state.toLowerCase());
}

/** The parts of a `bypass` value: `"Logging, Metrics"` → `["Logging", "Metrics"]`; `None` → `[]`. */
export function parseBypass(bypass: unknown): string[] {
  if (typeof bypass !== "string") return [];
  return bypass
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && s.toLowerCase() !== "none");
}

export function bypassIncludes(bypass: unknown, what: "AzureServices" | "Logging" | "Metrics"): boolean {
  return parseBypass(bypass).some((p) => p.toLowerCase() === what.toLowerCase());
}

function skuName(r: { sku?: { name?: string } }): string {
  return typeof r.sku?.name === "string" ? r.sku.name : "";
}

/** True for SKUs with a geo-secondary (GRS, RA-GRS, GZRS, RA-GZRS). */
export function isGeoRedundantSku(sku: string): boolean {
  return /^Standard_(RA)?G(Z)?RS$/i.test(sku);
}

/** True for SKUs whose secondary is readable (RA-GRS, RA-GZRS): they get `-secondary` hosts. */
export function isReadAccessGeoSku(sku: string): boolean {
  return /^Standard_RAG(Z)?RS$/i.test(sku);
}

/** Endpoint keys an account of this kind exposes (see Limitations). */
export function storageEndpointKeysForKind(kind: unknown): StorageEndpointKey[] {
  switch (typeof kind === "string" ? kind.toLowerCase() : "") {
    case "storage":
      return ["blob", "file", "queue", "table"];
    case "blobstorage":
      return ["dfs", "blob"];
    case "blockblobstorage":
      return ["web", "dfs", "blob"];
    case "filestorage":
      return ["file"];
    default:
      return [...STORAGE_ENDPOINT_KEYS];
  }
}

/** `https://<name>.<key>.core.windows.net/`, with `-secondary` for the read-access secondary. */
export function storageEndpointUrl(accountName: string, key: string, secondary = false): string {
  return `https://${accountName}${secondary ? "-secondary" : ""}.${key}.${STORAGE_DNS_SUFFIX}/`;
}

/** Endpoint URLs for the account's kind. */
export function defaultPrimaryEndpoints(accountName: string, kind: unknown): StorageEndpoints {
  const out: StorageEndpoints = {};
  for (const k of storageEndpointKeysForKind(kind)) out[k] = storageEndpointUrl(accountName, k);
  return out;
}

/** Secondary endpoints of an RA-GRS / RA-GZRS account: every primary key except `file`. */
export function defaultSecondaryEndpoints(accountName: string, kind: unknown): StorageEndpoints {
  const out: StorageEndpoints = {};
  for (const k of storageEndpointKeysForKind(kind))
    if (k !== "file") out[k] = storageEndpointUrl(accountName, k, true);
  return out;
}

/** Azure's networkAcls on an account created without them. */
export function defaultStorageNetworkAcls(): StorageNetworkAcls {
  return { bypass: "AzureServices", virtualNetworkRules: [], ipRules: [], defaultAction: "Allow" };
}

function normalizeAcls(acls: StorageNetworkAcls | undefined | null): StorageNetworkAcls {
  if (!acls || typeof acls !== "object") return defaultStorageNetworkAcls();
  const out: StorageNetworkAcls = {
    ...acls,
    bypass: typeof acls.bypass === "string" ? acls.bypass : "AzureServices",
    virtualNetworkRules: (Array.isArray(acls.virtualNetworkRules) ? acls.virtualNetworkRules : []).map(
      (r) => ({
        ...r,
        action: r.action ?? "Allow",
        state: r.state ?? "succeeded",
      }),
    ),
    ipRules: (Array.isArray(acls.ipRules) ? acls.ipRules : []).map((r) => ({
      ...r,
      action: r.action ?? "Allow",
    })),
    defaultAction: typeof acls.defaultAction === "string" ? acls.defaultAction : "Allow",
  };
  return out;
}

/**
 * Fills Azure's defaults on a storage account (SE-RES-4): networkAcls, endpoints for the kind,
 * primary/secondary location and status (the secondary is the region pair for geo SKUs),
 * access tier for blob-capable v2 kinds, provisioningState. Unknown fields are kept; the input
 * is not modified.
 */
export function normalizeStorageAccount<R extends ArmResource>(
  resource: R,
): Omit<R, "properties"> & StorageAccount {
  const r = resource as unknown as StorageAccount;
  const p: StorageAccountProperties = { ...(r.properties ?? {}) };
  const name = textOf(r.name ?? "");
  const location = typeof r.location === "string" ? r.location : "";
  const sku = skuName(r);

  p.networkAcls = normalizeAcls(p.networkAcls);
  if (!p.primaryEndpoints) p.primaryEndpoints = defaultPrimaryEndpoints(name, r.kind);
  if (!p.primaryLocation && location) p.primaryLocation = location;
  if (!p.statusOfPrimary) p.statusOfPrimary = "available";
  if (isGeoRedundantSku(sku)) {
    const pair = pairOf(location);
    if (!p.secondaryLocation && pair) p.secondaryLocation = pair;
    if (!p.statusOfSecondary && p.secondaryLocation) p.statusOfSecondary = "available";
  }
  if (isReadAccessGeoSku(sku) && !p.secondaryEndpoints)
    p.secondaryEndpoints = defaultSecondaryEndpoints(name, r.kind);
  const kind = typeof r.kind === "string" ? r.kind.toLowerCase() : "";
  if (p.accessTier === undefined && (kind === "storagev2" || kind === "blobstorage")) p.accessTier = "Hot";
  if (p.provisioningState === undefined) p.provisioningState = "Succeeded";

  return { ...resource, properties: p } as unknown as Omit<R, "properties"> & StorageAccount;
}
