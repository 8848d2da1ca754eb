/**
 * Microsoft.DocumentDB/databaseAccounts (Cosmos DB) network settings (SE-RES-4, azure-facts §1b.4).
 *
 * - `isVirtualNetworkFilterEnabled` must be true for `virtualNetworkRules` to take effect.
 * - `virtualNetworkRules: [{ id, ignoreMissingVNetServiceEndpoint }]` — capital "VN" (differs
 *   from SQL / Service Bus / Key Vault's `ignoreMissingVnetServiceEndpoint`).
 * - `ipRangeFilter`: ONE comma-separated string of IPs / CIDRs; `0.0.0.0` inside it admits
 *   Azure datacenters. Newer api versions (2021+) carry `ipRules: [{ ipAddressOrRange }]`
 *   instead; both are read.
 *
 * Limitations: the portal's extra "Azure portal" addresses (added alongside 0.0.0.0) are not
 * special-cased; per-region `documentEndpoint`s are not filled (the 2019-08-01 example omits them).
 */
import type { ArmResource, ProvisioningState } from "./common.js";
import { findRegion, normalizeRegion } from "../catalog/regions.js";
import { textOf } from "../errors.js";

export const COSMOS_ACCOUNT_TYPE = "Microsoft.DocumentDB/databaseAccounts";
export const COSMOS_DNS_SUFFIX = "documents.azure.com";

export interface CosmosVirtualNetworkRule {
  /** Full subnet resource id. */
  id: string;
  /** Capital "VN", as the Cosmos API spells it. */
  ignoreMissingVNetServiceEndpoint?: boolean;
  [k: string]: unknown;
}

export interface CosmosIpRule {
  ipAddressOrRange: string;
  [k: string]: unknown;
}

export interface CosmosLocation {
  id?: string;
  locationName: string;
  failoverPriority?: number;
  isZoneRedundant?: boolean;
  provisioningState?: ProvisioningState;
  documentEndpoint?: string;
  [k: string]: unknown;
}

export interface CosmosAccountProperties {
  databaseAccountOfferType?: "Standard" | string;
  ipRangeFilter?: string;
  ipRules?: CosmosIpRule[];
  isVirtualNetworkFilterEnabled?: boolean;
  virtualNetworkRules?: CosmosVirtualNetworkRule[];
  locations?: CosmosLocation[];
  readLocations?: CosmosLocation[];
  writeLocations?: CosmosLocation[];
  failoverPolicies?: Array<{ id?: string; locationName: string; failoverPriority: number }>;
  documentEndpoint?: string;
  consistencyPolicy?: {
    defaultConsistencyLevel: string;
    maxIntervalInSeconds?: number;
    maxStalenessPrefix?: number;
  };
  enableAutomaticFailover?: boolean;
  enableMultipleWriteLocations?: boolean;
  disableKeyBasedMetadataWriteAccess?: boolean;
  publicNetworkAccess?: "Enabled" | "Disabled" | string;
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type CosmosAccount = ArmResource<CosmosAccountProperties>;

/** The address literal in `ipRangeFilter` / `ipRules` that admits Azure datacenters. */
export const COSMOS_ALLOW_AZURE = "0.0.0.0";

/** Entries of an `ipRangeFilter` string: `"13.91.6.132, 13.91.6.1/24"` → two entries. */
export function parseIpRangeFilter(filter: unknown): string[] {
  if (typeof filter !== "string") return [];
  return filter
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Every IP entry of an account: `ipRangeFilter` entries, then `ipRules[].ipAddressOrRange`. */
export function cosmosIpEntries(
  p: CosmosAccountProperties | undefined,
): Array<{ value: string; source: string }> {
  const out: Array<{ value: string; source: string }> = [];
  parseIpRangeFilter(p?.ipRangeFilter).forEach((value) => out.push({ value, source: "ipRangeFilter" }));
  (Array.isArray(p?.ipRules) ? p.ipRules : []).forEach((r, i) => {
    if (r && typeof r.ipAddressOrRange === "string")
      out.push({ value: r.ipAddressOrRange.trim(), source: `ipRules[${i}]` });
  });
  return out;
}

/** `https://<name>.documents.azure.com:443/` */
export function cosmosDocumentEndpoint(accountName: string): string {
  return `https://${accountName.toLowerCase()}.${COSMOS_DNS_SUFFIX}:443/`;
}

/** Regional host: `<name>-<region>.documents.azure.com`. */
export function cosmosRegionalHost(accountName: string, region: string): string {
  const r = normalizeRegion(region) ?? region.toLowerCase().replace(/\s+/g, "");
  return `${accountName.toLowerCase()}-${r}.${COSMOS_DNS_SUFFIX}`;
}

function displayName(region: string): string {
  return findRegion(region)?.displayName ?? region;
}

/**
 * Fills Azure's defaults on a Cosmos DB account, as the 2019-08-01 example answers a create:
 * `kind: GlobalDocumentDB`, offer type Standard, `ipRangeFilter: ""`, the VNet filter off,
 * `virtualNetworkRules: []`, Session consistency, `documentEndpoint`, and `locations` /
 * `readLocations` / `writeLocations` / `failoverPolicies` derived from `locations` (or the
 * account's own region) with ids `<name>-<region>` and display names. Unknown fields are kept.
 */
export function normalizeCosmosAccount<R extends ArmResource>(
  resource: R,
): Omit<R, "properties"> & CosmosAccount {
  const name = textOf(resource.name ?? "").toLowerCase();
  const p: CosmosAccountProperties = { ...((resource.properties ?? {}) as CosmosAccountProperties) };
  const out: ArmResource = { ...resource, properties: p };
  if (out.kind === undefined) out.kind = "GlobalDocumentDB";
  if (p.databaseAccountOfferType === undefined) p.databaseAccountOfferType = "Standard";
  if (p.ipRangeFilter === undefined) p.ipRangeFilter = "";
  if (p.isVirtualNetworkFilterEnabled === undefined) p.isVirtualNetworkFilterEnabled = false;
  p.virtualNetworkRules = (Array.isArray(p.virtualNetworkRules) ? p.virtualNetworkRules : []).map((r) => ({
    ...r,
  }));
  if (p.enableAutomaticFailover === undefined) p.enableAutomaticFailover = false;
  if (p.enableMultipleWriteLocations === undefined) p.enableMultipleWriteLocations = false;
  if (p.disableKeyBasedMetadataWriteAccess === undefined) p.disableKeyBasedMetadataWriteAccess = false;
  if (!p.consistencyPolicy)
    p.consistencyPolicy = {
      defaultConsistencyLevel: "Session",
      maxIntervalInSeconds: 5,
      maxStalenessPrefix: 100,
    };
  if (!p.documentEndpoint) p.documentEndpoint = cosmosDocumentEndpoint(name);

  const state = p.provisioningState ?? "Succeeded";
  const given =
    Array.isArray(p.locations) && p.locations.length > 0
      ? p.locations
      : typeof resource.location === "string" && resource.location
        ? [{ locationName: resource.location, failoverPriority: 0 }]
        : [];
  const locations = given
    .map((l, i) => {
      const region =
        normalizeRegion(textOf(l.locationName ?? "")) ?? textOf(l.locationName ?? "").toLowerCase();
      return {
        ...l,
        id: l.id ?? `${name}-${region}`,
        locationName: displayName(textOf(l.locationName ?? "")),
        provisioningState: l.provisioningState ?? state,
        failoverPriority: typeof l.failoverPriority === "number" ? l.failoverPriority : i,
        isZoneRedundant: l.isZoneRedundant ?? false,
      } as CosmosLocation & { id: string; failoverPriority: number };
    })
    .sort((a, b) => a.failoverPriority - b.failoverPriority);
  if (locations.length > 0) {
    p.locations = locations;
    if (!p.readLocations) p.readLocations = locations.map((l) => ({ ...l }));
    if (!p.writeLocations) {
      p.writeLocations = (p.enableMultipleWriteLocations ? locations : locations.slice(0, 1)).map((l) => ({
        ...l,
      }));
    }
    if (!p.failoverPolicies) {
      p.failoverPolicies = locations.map((l) => ({
        id: l.id,
        locationName: l.locationName,
        failoverPriority: l.failoverPriority,
      }));
    }
  }
  return out as unknown as Omit<R, "properties"> & CosmosAccount;
}
