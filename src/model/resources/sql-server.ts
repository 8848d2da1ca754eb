/**
 * SQL-family servers and their child rules (SE-RES-4, azure-facts §1b.2, §1b.3):
 * Microsoft.Sql/servers (SQL Database and SQL Data Warehouse share it) and the single-server
 * Microsoft.DBforPostgreSQL/servers, Microsoft.DBforMySQL/servers, Microsoft.DBforMariaDB/servers.
 *
 * Rules are child resources, never inline:
 * - `servers/virtualNetworkRules/{name}`: `{ virtualNetworkSubnetId, ignoreMissingVnetServiceEndpoint, state }`,
 *   `state` PascalCase `Initializing|InProgress|Ready|Deleting|Unknown` (SQL api 2015-05-01-preview,
 *   PG/MySQL 2017-12-01, MariaDB 2018-06-01).
 * - `servers/firewallRules/{name}`: `{ startIpAddress, endIpAddress }`; `0.0.0.0`–`0.0.0.0`
 *   (portal name `AllowAllWindowsAzureIps`) admits any Azure-originated address.
 *
 * Limitations: server `version` defaults (SQL 12.0, PostgreSQL 9.6, MySQL 5.7, MariaDB 10.2)
 * and the Basic tier's refusal of VNet rules are the ARM layer's business; this module only
 * fills response defaults.
 */
import type { ArmResource, ProvisioningState } from "./common.js";
import { textOf } from "../errors.js";

export type SqlFlavor = "sql" | "postgresql" | "mysql" | "mariadb";

export const SQL_SERVER_TYPE = "Microsoft.Sql/servers";
export const POSTGRESQL_SERVER_TYPE = "Microsoft.DBforPostgreSQL/servers";
export const MYSQL_SERVER_TYPE = "Microsoft.DBforMySQL/servers";
export const MARIADB_SERVER_TYPE = "Microsoft.DBforMariaDB/servers";

interface FlavorInfo {
  readonly flavor: SqlFlavor;
  readonly type: string;
  /** DNS suffix of the server's host name. */
  readonly dnsSuffix: string;
  readonly defaultVersion: string;
  readonly port: number;
  /** Product name as the service's own messages write it. */
  readonly product: string;
}

export const SQL_FLAVORS: Readonly<Record<SqlFlavor, FlavorInfo>> = Object.freeze({
  sql: {
    flavor: "sql",
    type: SQL_SERVER_TYPE,
    dnsSuffix: "database.windows.net",
    defaultVersion: "12.0",
    port: 1433,
    product: "SQL Server",
  },
  postgresql: {
    flavor: "postgresql",
    type: POSTGRESQL_SERVER_TYPE,
    dnsSuffix: "postgres.database.azure.com",
    defaultVersion: "9.6",
    port: 5432,
    product: "PostgreSQL",
  },
  mysql: {
    flavor: "mysql",
    type: MYSQL_SERVER_TYPE,
    dnsSuffix: "mysql.database.azure.com",
    defaultVersion: "5.7",
    port: 3306,
    product: "MySQL",
  },
  mariadb: {
    flavor: "mariadb",
    type: MARIADB_SERVER_TYPE,
    dnsSuffix: "mariadb.database.azure.com",
    defaultVersion: "10.2",
    port: 3306,
    product: "MariaDB",
  },
});

const BY_TYPE = new Map(Object.values(SQL_FLAVORS).map((f) => [f.type.toLowerCase(), f]));

/** The SQL-family flavor of a server type (any casing), or undefined. */
export function sqlFlavorOf(type: string): SqlFlavor | undefined {
  return typeof type === "string" ? BY_TYPE.get(type.trim().toLowerCase())?.flavor : undefined;
}

export function isSqlFamilyServerType(type: string): boolean {
  return sqlFlavorOf(type) !== undefined;
}

/** `Microsoft.Sql/servers/virtualNetworkRules` for the flavor. */
export function sqlVirtualNetworkRuleType(flavor: SqlFlavor): string {
  return `${SQL_FLAVORS[flavor].type}/virtualNetworkRules`;
}
/** `Microsoft.Sql/servers/firewallRules` for the flavor. */
export function sqlFirewallRuleType(flavor: SqlFlavor): string {
  return `${SQL_FLAVORS[flavor].type}/firewallRules`;
}

/** `<server>.database.windows.net` (SQL), `<server>.postgres.database.azure.com`, … */
export function sqlServerHostName(flavor: SqlFlavor, serverName: string): string {
  return `${serverName.toLowerCase()}.${SQL_FLAVORS[flavor].dnsSuffix}`;
}

export type SqlVirtualNetworkRuleState = "Initializing" | "InProgress" | "Ready" | "Deleting" | "Unknown";

export interface SqlVirtualNetworkRuleProperties {
  virtualNetworkSubnetId: string;
  ignoreMissingVnetServiceEndpoint?: boolean;
  state?: SqlVirtualNetworkRuleState | string;
  [k: string]: unknown;
}
export type SqlVirtualNetworkRule = ArmResource<SqlVirtualNetworkRuleProperties>;

export interface SqlFirewallRuleProperties {
  startIpAddress: string;
  endIpAddress: string;
  [k: string]: unknown;
}
export type SqlFirewallRule = ArmResource<SqlFirewallRuleProperties>;

/** The portal's name for the 0.0.0.0–0.0.0.0 rule. */
export const ALLOW_ALL_AZURE_IPS_RULE = "AllowAllWindowsAzureIps";

/** True for the "allow Azure services" pair 0.0.0.0–0.0.0.0. */
export function isAllowAzureServicesRule(p: { startIpAddress?: unknown; endIpAddress?: unknown }): boolean {
  return p.startIpAddress === "0.0.0.0" && p.endIpAddress === "0.0.0.0";
}

/** Rule states in which a SQL VNet rule admits nothing (SE-ACL-8). */
export function isStaleSqlRuleState(state: unknown): boolean {
  return (
    typeof state === "string" && (state.toLowerCase() === "deleting" || state.toLowerCase() === "unknown")
  );
}

export interface SqlServerProperties {
  administratorLogin?: string;
  version?: string;
  state?: string;
  userVisibleState?: string;
  fullyQualifiedDomainName?: string;
  sslEnforcement?: "Enabled" | "Disabled" | string;
  publicNetworkAccess?: "Enabled" | "Disabled" | string;
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type SqlServer = ArmResource<SqlServerProperties>;

/**
 * Fills Azure's defaults on a SQL-family server: host name, version, state (`state: "Ready"`
 * and `kind: "v12.0"` for SQL; `userVisibleState: "Ready"` and `sslEnforcement: "Enabled"` for
 * the single servers). Unknown fields are kept; the input is not modified.
 */
export function normalizeSqlServer<R extends ArmResource>(resource: R): Omit<R, "properties"> & SqlServer {
  const flavor = sqlFlavorOf(textOf(resource.type ?? "")) ?? "sql";
  const info = SQL_FLAVORS[flavor];
  const p: SqlServerProperties = { ...((resource.properties ?? {}) as SqlServerProperties) };
  if (!p.fullyQualifiedDomainName)
    p.fullyQualifiedDomainName = sqlServerHostName(flavor, textOf(resource.name ?? ""));
  if (!p.version) p.version = info.defaultVersion;
  const out: ArmResource = { ...resource, properties: p };
  if (flavor === "sql") {
    if (!p.state) p.state = "Ready";
    if (out.kind === undefined) out.kind = "v12.0";
  } else {
    if (!p.userVisibleState) p.userVisibleState = "Ready";
    if (!p.sslEnforcement) p.sslEnforcement = "Enabled";
  }
  return out as unknown as Omit<R, "properties"> & SqlServer;
}

/**
 * Fills a VNet rule's defaults: `ignoreMissingVnetServiceEndpoint: false` and `state: "Ready"`
 * (the state the rule settles in; the ARM layer may store `InProgress` while it applies).
 */
export function normalizeSqlVirtualNetworkRule<R extends ArmResource>(
  resource: R,
): Omit<R, "properties"> & SqlVirtualNetworkRule {
  const p = { ...((resource.properties ?? {}) as SqlVirtualNetworkRuleProperties) };
  if (p.ignoreMissingVnetServiceEndpoint === undefined) p.ignoreMissingVnetServiceEndpoint = false;
  if (p.state === undefined) p.state = "Ready";
  return { ...resource, properties: p } as unknown as Omit<R, "properties"> & SqlVirtualNetworkRule;
}

/** Firewall rules have no defaults beyond their two addresses; returned as a copy. */
export function normalizeSqlFirewallRule<R extends ArmResource>(
  resource: R,
): Omit<R, "properties"> & SqlFirewallRule {
  return { ...resource, properties: { ...(resource.properties ?? {}) } } as unknown as Omit<R, "properties"> &
    SqlFirewallRule;
}

/** Children of a server split by kind (types compared case-insensitively, any flavor). */
export function splitSqlChildren(children: readonly ArmResource[]): {
  virtualNetworkRules: SqlVirtualNetworkRule[];
  firewallRules: SqlFirewallRule[];
} {
  const virtualNetworkRules: SqlVirtualNetworkRule[] = [];
  const firewallRules: SqlFirewallRule[] = [];
  for (const c of children) {
    const t = typeof c?.type === "string" ? c.type.toLowerCase() : "";
    if (t.endsWith("/servers/virtualnetworkrules")) virtualNetworkRules.push(c as SqlVirtualNetworkRule);
    else if (t.endsWith("/servers/firewallrules")) firewallRules.push(c as SqlFirewallRule);
  }
  return { virtualNetworkRules, firewallRules };
}
