/**
 * The service resources that can be locked to subnets (SE-RES-4), one row per ARM type:
 * the endpoint service their VNet rules need (SE-CFG-3), the service tag their public
 * addresses belong to (SE-NSG-2), their usual port, and their public host names (SE-SRC-4:
 * DNS never changes, with or without endpoints).
 *
 * Keys are lower-cased resource types. `serviceKindOf("Microsoft.Storage/storageAccounts")`.
 *
 * Limitations:
 * - Service Bus and Event Hubs namespaces share `<ns>.servicebus.windows.net`: `findByHostName`
 *   answers both kinds for such a host; the caller picks by the resources it holds.
 * - Data Lake Store Gen1 rides the `Microsoft.AzureActiveDirectory` endpoint, but its public
 *   addresses are in the `AzureDataLake` tag (the endpoint routes carry AAD's prefixes).
 */
import type { ArmResource } from "../resources/common.js";
import { normalizeRegion } from "./regions.js";
import {
  STORAGE_ACCOUNT_TYPE,
  STORAGE_DNS_SUFFIX,
  STORAGE_ENDPOINT_KEYS,
  isReadAccessGeoSku,
  storageEndpointKeysForKind,
} from "../resources/storage-account.js";
import type { SqlFlavor } from "../resources/sql-server.js";
import { SQL_FLAVORS, sqlServerHostName } from "../resources/sql-server.js";
import { COSMOS_ACCOUNT_TYPE, COSMOS_DNS_SUFFIX, cosmosRegionalHost } from "../resources/cosmos-db.js";
import { KEY_VAULT_DNS_SUFFIX, KEY_VAULT_TYPE } from "../resources/key-vault.js";
import {
  EVENT_HUB_NAMESPACE_TYPE,
  MESSAGING_DNS_SUFFIX,
  SERVICE_BUS_NAMESPACE_TYPE,
  messagingHostName,
} from "../resources/messaging.js";
import { DATA_LAKE_STORE_DNS_SUFFIX, DATA_LAKE_STORE_TYPE } from "../resources/data-lake-store.js";
import { CONTAINER_REGISTRY_DNS_SUFFIX, CONTAINER_REGISTRY_TYPE } from "../resources/container-registry.js";
import { textOf } from "../errors.js";

export type ServiceFlavor =
  | "storage"
  | SqlFlavor
  | "cosmos"
  | "keyvault"
  | "servicebus"
  | "eventhub"
  | "datalakestore"
  | "containerregistry";

/** One public host name of a resource and the endpoint it serves (`blob`, `blob-secondary`, `vault`, …). */
export interface ServiceHost {
  endpoint: string;
  host: string;
}

export interface ServiceKind {
  /** ARM type, canonical casing. */
  readonly type: string;
  readonly flavor: ServiceFlavor;
  /** For people: "storage account", "SQL server", … */
  readonly displayName: string;
  /** Endpoint service a subnet must carry for this resource's VNet rules (`Microsoft.Sql` for the SQL family). */
  readonly service: string;
  /** Service tag of the resource's public addresses. */
  readonly serviceTag: string;
  /** Default destination port (443; SQL 1433, PostgreSQL 5432, MySQL / MariaDB 3306). */
  readonly defaultPort: number;
  /** DNS suffixes of its public host names (lower case). */
  readonly dnsSuffixes: readonly string[];
  /** Lower-cased types of the child resources that carry its network rules (empty when rules are inline). */
  readonly ruleChildTypes: readonly string[];
  /** The resource's public host names, by endpoint. */
  hostNames(resource: Pick<ArmResource, "name"> & Partial<ArmResource>): ServiceHost[];
}

function hostOf(url: unknown): string | undefined {
  if (typeof url !== "string") return undefined;
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/:?#]+)/i.exec(url.trim());
  return m ? m[1]!.toLowerCase() : undefined;
}

function storageHosts(r: Pick<ArmResource, "name"> & Partial<ArmResource>): ServiceHost[] {
  const name = textOf(r.name ?? "").toLowerCase();
  const p = (r.properties ?? {}) as Record<string, unknown>;
  const out: ServiceHost[] = [];
  const primary = p.primaryEndpoints as Record<string, unknown> | undefined;
  const keys =
    primary && typeof primary === "object" ? Object.keys(primary) : storageEndpointKeysForKind(r.kind);
  for (const k of keys) {
    const host = primary ? hostOf(primary[k]) : `${name}.${k}.${STORAGE_DNS_SUFFIX}`;
    if (host && (STORAGE_ENDPOINT_KEYS as readonly string[]).includes(k)) out.push({ endpoint: k, host });
  }
  const secondary = p.secondaryEndpoints as Record<string, unknown> | undefined;
  if (secondary && typeof secondary === "object") {
    for (const k of Object.keys(secondary)) {
      const host = hostOf(secondary[k]);
      if (host && (STORAGE_ENDPOINT_KEYS as readonly string[]).includes(k))
        out.push({ endpoint: `${k}-secondary`, host });
    }
  } else if (isReadAccessGeoSku(textOf(r.sku?.name ?? ""))) {
    for (const k of storageEndpointKeysForKind(r.kind)) {
      if (k !== "file")
        out.push({ endpoint: `${k}-secondary`, host: `${name}-secondary.${k}.${STORAGE_DNS_SUFFIX}` });
    }
  }
  return out;
}

function cosmosHosts(r: Pick<ArmResource, "name"> & Partial<ArmResource>): ServiceHost[] {
  const name = textOf(r.name ?? "").toLowerCase();
  const out: ServiceHost[] = [{ endpoint: "documents", host: `${name}.${COSMOS_DNS_SUFFIX}` }];
  const p = (r.properties ?? {}) as { locations?: Array<{ locationName?: unknown }> };
  const regions =
    Array.isArray(p.locations) && p.locations.length > 0
      ? p.locations.map((l) => textOf(l?.locationName ?? "")).filter((s) => s.length > 0)
      : typeof r.location === "string" && r.location
        ? [r.location]
        : [];
  for (const text of regions) {
    const region = normalizeRegion(text) ?? text.toLowerCase().replace(/\s+/g, "");
    const host = cosmosRegionalHost(name, region);
    if (!out.some((h) => h.host === host)) out.push({ endpoint: `documents-${region}`, host });
  }
  return out;
}

function kind(k: Omit<ServiceKind, "ruleChildTypes"> & { ruleChildTypes?: readonly string[] }): ServiceKind {
  return Object.freeze({ ...k, ruleChildTypes: Object.freeze([...(k.ruleChildTypes ?? [])]) });
}

function sqlKind(flavor: SqlFlavor, displayName: string): ServiceKind {
  const info = SQL_FLAVORS[flavor];
  return kind({
    type: info.type,
    flavor,
    displayName,
    service: "Microsoft.Sql",
    serviceTag: "Sql",
    defaultPort: info.port,
    dnsSuffixes: [info.dnsSuffix],
    ruleChildTypes: [
      `${info.type}/virtualNetworkRules`.toLowerCase(),
      `${info.type}/firewallRules`.toLowerCase(),
    ],
    hostNames: (r) => [{ endpoint: flavor, host: sqlServerHostName(flavor, textOf(r.name ?? "")) }],
  });
}

const LIST: readonly ServiceKind[] = [
  kind({
    type: STORAGE_ACCOUNT_TYPE,
    flavor: "storage",
    displayName: "storage account",
    service: "Microsoft.Storage",
    serviceTag: "Storage",
    defaultPort: 443,
    dnsSuffixes: STORAGE_ENDPOINT_KEYS.map((k) => `${k}.${STORAGE_DNS_SUFFIX}`),
    hostNames: storageHosts,
  }),
  sqlKind("sql", "SQL server"),
  sqlKind("postgresql", "PostgreSQL server"),
  sqlKind("mysql", "MySQL server"),
  sqlKind("mariadb", "MariaDB server"),
  kind({
    type: COSMOS_ACCOUNT_TYPE,
    flavor: "cosmos",
    displayName: "Cosmos DB account",
    service: "Microsoft.AzureCosmosDB",
    serviceTag: "AzureCosmosDB",
    defaultPort: 443,
    dnsSuffixes: [COSMOS_DNS_SUFFIX],
    hostNames: cosmosHosts,
  }),
  kind({
    type: KEY_VAULT_TYPE,
    flavor: "keyvault",
    displayName: "key vault",
    service: "Microsoft.KeyVault",
    serviceTag: "AzureKeyVault",
    defaultPort: 443,
    dnsSuffixes: [KEY_VAULT_DNS_SUFFIX],
    hostNames: (r) => [
      { endpoint: "vault", host: `${textOf(r.name ?? "").toLowerCase()}.${KEY_VAULT_DNS_SUFFIX}` },
    ],
  }),
  kind({
    type: SERVICE_BUS_NAMESPACE_TYPE,
    flavor: "servicebus",
    displayName: "Service Bus namespace",
    service: "Microsoft.ServiceBus",
    serviceTag: "ServiceBus",
    defaultPort: 443,
    dnsSuffixes: [MESSAGING_DNS_SUFFIX],
    ruleChildTypes: ["microsoft.servicebus/namespaces/networkrulesets"],
    hostNames: (r) => [{ endpoint: "servicebus", host: messagingHostName(textOf(r.name ?? "")) }],
  }),
  kind({
    type: EVENT_HUB_NAMESPACE_TYPE,
    flavor: "eventhub",
    displayName: "Event Hubs namespace",
    service: "Microsoft.EventHub",
    serviceTag: "EventHub",
    defaultPort: 443,
    dnsSuffixes: [MESSAGING_DNS_SUFFIX],
    ruleChildTypes: ["microsoft.eventhub/namespaces/networkrulesets"],
    hostNames: (r) => [{ endpoint: "eventhub", host: messagingHostName(textOf(r.name ?? "")) }],
  }),
  kind({
    type: DATA_LAKE_STORE_TYPE,
    flavor: "datalakestore",
    displayName: "Data Lake Store account",
    service: "Microsoft.AzureActiveDirectory",
    serviceTag: "AzureDataLake",
    defaultPort: 443,
    dnsSuffixes: [DATA_LAKE_STORE_DNS_SUFFIX],
    ruleChildTypes: [
      "microsoft.datalakestore/accounts/virtualnetworkrules",
      "microsoft.datalakestore/accounts/firewallrules",
    ],
    hostNames: (r) => [
      {
        endpoint: "datalakestore",
        host: `${textOf(r.name ?? "").toLowerCase()}.${DATA_LAKE_STORE_DNS_SUFFIX}`,
      },
    ],
  }),
  kind({
    type: CONTAINER_REGISTRY_TYPE,
    flavor: "containerregistry",
    displayName: "container registry",
    service: "Microsoft.ContainerRegistry",
    serviceTag: "AzureContainerRegistry",
    defaultPort: 443,
    dnsSuffixes: [CONTAINER_REGISTRY_DNS_SUFFIX],
    hostNames: (r) => [
      {
        endpoint: "registry",
        host: `${textOf(r.name ?? "").toLowerCase()}.${CONTAINER_REGISTRY_DNS_SUFFIX}`,
      },
    ],
  }),
];

/** Every service kind, keyed by lower-cased resource type. */
export const SERVICE_KINDS: Readonly<Record<string, ServiceKind>> = Object.freeze(
  Object.fromEntries(LIST.map((k) => [k.type.toLowerCase(), k])),
);

/** The kind of a resource type (any casing), or undefined when it is not a lockable service resource. */
export function serviceKindOf(type: string): ServiceKind | undefined {
  if (typeof type !== "string") return undefined;
  const key = type.trim().toLowerCase();
  return Object.prototype.hasOwnProperty.call(SERVICE_KINDS, key) ? SERVICE_KINDS[key] : undefined;
}

/** The kinds of one flavor's type (`serviceKindByFlavor("mysql")`). */
export function serviceKindByFlavor(flavor: ServiceFlavor): ServiceKind {
  return LIST.find((k) => k.flavor === flavor)!;
}

/** True when `type` (any casing) is a child type carrying some service's network rules. */
export function isRuleChildType(type: string): boolean {
  const t = typeof type === "string" ? type.trim().toLowerCase() : "";
  return LIST.some((k) => k.ruleChildTypes.includes(t));
}

export interface HostMatch {
  kind: ServiceKind;
  /** Resource name the host implies (lower case). */
  name: string;
  endpoint: string;
}

/**
 * Which service resource a public host name names, from its shape alone:
 * `acct.blob.core.windows.net` → storage `acct` endpoint `blob`; `acct-secondary.blob…` → `blob-secondary`;
 * `ns.servicebus.windows.net` → BOTH the Service Bus and the Event Hubs kind (see Limitations);
 * `acct-westus.documents.azure.com` → Cosmos `acct-westus` endpoint `documents` (regional hosts
 * cannot be told from account names by shape; match them against `hostNames` of real resources).
 * Empty when the host belongs to no known service.
 */
export function findByHostName(host: string): HostMatch[] {
  if (typeof host !== "string") return [];
  const h = host.trim().toLowerCase().replace(/\.$/, "");
  const out: HostMatch[] = [];
  for (const k of LIST) {
    for (const suffix of k.dnsSuffixes) {
      if (!h.endsWith(`.${suffix}`)) continue;
      const label = h.slice(0, h.length - suffix.length - 1);
      if (label.length === 0 || label.includes(".")) continue;
      if (k.flavor === "storage") {
        const ep = suffix.slice(0, suffix.indexOf("."));
        const secondary = label.endsWith("-secondary");
        out.push({
          kind: k,
          name: secondary ? label.slice(0, -"-secondary".length) : label,
          endpoint: secondary ? `${ep}-secondary` : ep,
        });
      } else {
        out.push({ kind: k, name: label, endpoint: k.hostNames({ name: label })[0]?.endpoint ?? k.flavor });
      }
    }
  }
  return out;
}
