/**
 * The virtual-network service endpoint services (SE-CFG-3), their regional scope
 * (SE-REG-1..4), the `locations` Azure fills in (SE-CFG-4), and the per-resource rule
 * limits of the services that can be locked to subnets (SE-ACL-6, SE-LIM-1: one catalog).
 *
 * Order is the order `virtualNetworkAvailableEndpointServices` returns (azure-facts §2.1).
 *
 * Limitations:
 * - `Microsoft.Storage.Global` (cross-region storage endpoint, 2022+) is not modelled.
 * - App Service and Cognitive Services are known endpoint services but their access-restriction
 *   shapes are outside the 2019 scope; they have no rule limits here.
 */
import { findRegion, normalizeRegion, pairOf } from "./regions.js";
import { textOf } from "../errors.js";

export type EndpointServiceStatus = "GA" | "Preview";

/**
 * Where a service resource may be, relative to the subnet's VNet, for the endpoint to reach it:
 * `same` — the VNet's own region only (SE-REG-1, SE-REG-3); `pair` — the VNet's region or its
 * paired region (SE-REG-2); `any` — every region (SE-REG-4).
 */
export type RegionScope = "same" | "pair" | "any";

export interface EndpointService {
  /** Canonical casing: `Microsoft.Storage`. */
  readonly name: string;
  readonly status: EndpointServiceStatus;
  /** The service tag whose prefixes the endpoint's routes carry (SE-ROUTE-2). */
  readonly serviceTag: string;
  /** ARM resource types (canonical casing) that the endpoint lets a VNet rule name. */
  readonly resourceTypes: readonly string[];
  readonly regionScope: RegionScope;
  /** The `locations` Azure fills in when a subnet names this service without them (SE-CFG-4). */
  defaultLocations(vnetRegion: string): string[];
}

const onlyRegion = (vnetRegion: string): string[] => [
  normalizeRegion(vnetRegion) ?? vnetRegion.toLowerCase(),
];
const everywhere = (): string[] => ["*"];
const regionAndPair = (vnetRegion: string): string[] => {
  const own = normalizeRegion(vnetRegion) ?? vnetRegion.toLowerCase();
  const pair = pairOf(own);
  return pair ? [own, pair] : [own];
};

function service(
  name: string,
  status: EndpointServiceStatus,
  serviceTag: string,
  resourceTypes: string[],
  regionScope: RegionScope,
  defaultLocations: (vnetRegion: string) => string[],
): EndpointService {
  return Object.freeze({
    name,
    status,
    serviceTag,
    resourceTypes: Object.freeze(resourceTypes),
    regionScope,
    defaultLocations,
  });
}

export const ENDPOINT_SERVICES: readonly EndpointService[] = Object.freeze([
  service("Microsoft.Storage", "GA", "Storage", ["Microsoft.Storage/storageAccounts"], "pair", regionAndPair),
  service(
    "Microsoft.Sql",
    "GA",
    "Sql",
    [
      "Microsoft.Sql/servers",
      "Microsoft.DBforPostgreSQL/servers",
      "Microsoft.DBforMySQL/servers",
      "Microsoft.DBforMariaDB/servers",
    ],
    "same",
    onlyRegion,
  ),
  // Data Lake Store Gen1 rides the AAD endpoint (azure-facts §2.1; gotcha 12).
  service(
    "Microsoft.AzureActiveDirectory",
    "GA",
    "AzureActiveDirectory",
    ["Microsoft.DataLakeStore/accounts"],
    "same",
    everywhere,
  ),
  service(
    "Microsoft.AzureCosmosDB",
    "GA",
    "AzureCosmosDB",
    ["Microsoft.DocumentDB/databaseAccounts"],
    "any",
    everywhere,
  ),
  service("Microsoft.Web", "GA", "AppService", ["Microsoft.Web/sites"], "any", everywhere),
  service("Microsoft.KeyVault", "GA", "AzureKeyVault", ["Microsoft.KeyVault/vaults"], "any", everywhere),
  service("Microsoft.EventHub", "GA", "EventHub", ["Microsoft.EventHub/namespaces"], "any", everywhere),
  service("Microsoft.ServiceBus", "GA", "ServiceBus", ["Microsoft.ServiceBus/namespaces"], "any", everywhere),
  service(
    "Microsoft.ContainerRegistry",
    "Preview",
    "AzureContainerRegistry",
    ["Microsoft.ContainerRegistry/registries"],
    "any",
    everywhere,
  ),
  service(
    "Microsoft.CognitiveServices",
    "GA",
    "CognitiveServicesManagement",
    ["Microsoft.CognitiveServices/accounts"],
    "any",
    everywhere,
  ),
]);

const BY_NAME = new Map(ENDPOINT_SERVICES.map((s) => [s.name.toLowerCase(), s]));
const BY_RESOURCE_TYPE = new Map<string, EndpointService>();
for (const s of ENDPOINT_SERVICES) for (const t of s.resourceTypes) BY_RESOURCE_TYPE.set(t.toLowerCase(), s);

/** The endpoint service by name, case-insensitively (`microsoft.storage` → Microsoft.Storage). */
export function findEndpointService(name: string): EndpointService | undefined {
  if (typeof name !== "string") return undefined;
  return BY_NAME.get(name.trim().toLowerCase());
}

/** The endpoint service a resource type's VNet rules need (`Microsoft.DBforMySQL/servers` → Microsoft.Sql). */
export function endpointServiceForResourceType(type: string): EndpointService | undefined {
  if (typeof type !== "string") return undefined;
  return BY_RESOURCE_TYPE.get(type.trim().toLowerCase());
}

/**
 * Normalises an explicit `locations` list (SE-CFG-4): `*` stays, known regions become their
 * programmatic names (de-duplicated, order kept), anything else is reported in `unknown`.
 */
export function normalizeLocations(locations: readonly string[]): { locations: string[]; unknown: string[] } {
  const out: string[] = [];
  const unknown: string[] = [];
  for (const raw of locations) {
    const text = typeof raw === "string" ? raw.trim() : textOf(raw);
    const name = text === "*" ? "*" : normalizeRegion(text);
    if (name === undefined) unknown.push(text);
    else if (!out.includes(name)) out.push(name);
  }
  return { locations: out, unknown };
}

/** The regions an endpoint's `locations` cover: `"*"` for all, else the (normalised) region names. */
export function coveredRegions(locations: readonly string[] | undefined): "*" | string[] {
  const list = locations ?? [];
  if (list.some((l) => typeof l === "string" && l.trim() === "*")) return "*";
  const out: string[] = [];
  for (const l of list) {
    const name = typeof l === "string" ? (normalizeRegion(l) ?? l.trim().toLowerCase()) : undefined;
    if (name && !out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * True when a subnet endpoint `{ service, locations }` covers a service resource in
 * `resourceRegion` (SE-REG-5: outside it, traffic takes the ordinary public path).
 * `"*"` covers every region; otherwise the region must be listed.
 */
export function endpointCoversRegion(
  endpoint: { service?: string; locations?: readonly string[] | null },
  resourceRegion: string,
): boolean {
  const covered = coveredRegions(endpoint.locations ?? undefined);
  if (covered === "*") return true;
  const region = normalizeRegion(resourceRegion) ?? resourceRegion.trim().toLowerCase();
  return covered.includes(region);
}

/**
 * Whether a VNet rule on a resource in `resourceRegion` may name a subnet whose VNet is in
 * `subnetRegion`, by the service's region scope: Sql family and Data Lake Gen1 the same region
 * (SE-REG-1, SE-REG-3); Storage the account's primary region or its pair (SE-REG-2, azure-facts
 * §4.4 — the pair OF THE ACCOUNT's region); others any region (SE-REG-4).
 */
export function ruleRegionAllowed(
  service: EndpointService,
  subnetRegion: string,
  resourceRegion: string,
): boolean {
  const subnet = normalizeRegion(subnetRegion) ?? subnetRegion.trim().toLowerCase();
  const resource = normalizeRegion(resourceRegion) ?? resourceRegion.trim().toLowerCase();
  switch (service.regionScope) {
    case "any":
      return true;
    case "same":
      return subnet === resource;
    case "pair":
      return subnet === resource || (findRegion(resource) !== undefined && pairOf(resource) === subnet);
  }
}

export interface RuleLimits {
  virtualNetworkRules: number;
  ipRules: number;
}

/**
 * Per-resource limits on VNet rules and IP rules (SE-ACL-6, SE-LIM-1), keyed by lower-cased
 * resource type. Values follow SPEC (Storage 200/200) and azure-facts §4.7 (2019 column):
 * - Storage accounts: 200 VNet + 200 IP (SPEC; 2017–2019 docs said 100/100).
 * - SQL servers and the PostgreSQL / MySQL / MariaDB single servers: 128 VNet, 128 firewall rules.
 * - Key Vault: 127 VNet + 127 IPv4 (2019 era; later docs say 200 / 1000).
 * - Cosmos DB: 64 VNet rules (FAQ); IP ranges in `ipRangeFilter`: 1000 (our choice, no documented 2019 limit).
 * - Service Bus / Event Hubs namespaces: 128 VNet, 128 IP rules.
 * - Data Lake Store Gen1: 100 VNet, 100 firewall rules.
 * - Container Registry: 100 VNet, 100 IP rules (ACR docs; unverified for 2019).
 */
export const RULE_LIMITS: Readonly<Record<string, Readonly<RuleLimits>>> = Object.freeze({
  "microsoft.storage/storageaccounts": { virtualNetworkRules: 200, ipRules: 200 },
  "microsoft.sql/servers": { virtualNetworkRules: 128, ipRules: 128 },
  "microsoft.dbforpostgresql/servers": { virtualNetworkRules: 128, ipRules: 128 },
  "microsoft.dbformysql/servers": { virtualNetworkRules: 128, ipRules: 128 },
  "microsoft.dbformariadb/servers": { virtualNetworkRules: 128, ipRules: 128 },
  "microsoft.keyvault/vaults": { virtualNetworkRules: 127, ipRules: 127 },
  "microsoft.documentdb/databaseaccounts": { virtualNetworkRules: 64, ipRules: 1000 },
  "microsoft.servicebus/namespaces": { virtualNetworkRules: 128, ipRules: 128 },
  "microsoft.eventhub/namespaces": { virtualNetworkRules: 128, ipRules: 128 },
  "microsoft.datalakestore/accounts": { virtualNetworkRules: 100, ipRules: 100 },
  "microsoft.containerregistry/registries": { virtualNetworkRules: 100, ipRules: 100 },
});

/** The rule limits for a resource type (any casing), or undefined when the type has none here. */
export function ruleLimitsFor(type: string): Readonly<RuleLimits> | undefined {
  if (typeof type !== "string") return undefined;
  return Object.prototype.hasOwnProperty.call(RULE_LIMITS, type.trim().toLowerCase())
    ? RULE_LIMITS[type.trim().toLowerCase()]
    : undefined;
}
