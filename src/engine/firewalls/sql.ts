/**
 * SQL-family server firewall: SQL Database / SQL DW (`Microsoft.Sql/servers`) and the single
 * servers of PostgreSQL, MySQL and MariaDB (SE-ACL-1, 5, 7, 8, 9; SE-SRC-3; SE-ONP-1).
 *
 * The server is always locked: only its child `virtualNetworkRules` (over a `Microsoft.Sql`
 * endpoint) and `firewallRules` (public sources, start–end ranges) admit. The pair
 * `0.0.0.0`–`0.0.0.0` admits any Azure public address (not a caller over the endpoint: the
 * gateway then sees a private address, and only a VNet rule matches).
 *
 * Refusals are login errors, not HTTP:
 * - SQL over an endpoint without a matching VNet rule: 40914 "Cannot open server '{server}' requested
 *   by the login. Client is not allowed to access the server." (doc: SQL VNet rule overview, 2018);
 * - SQL otherwise: 40615 with the client IP and the sp_set_firewall_rule advice (observed client text);
 * - PostgreSQL: `no pg_hba.conf entry for host "{ip}", user "{user}", database "{db}", SSL on`
 *   (doc/observed) and, over an endpoint, "Client from Azure Virtual Networks is not allowed to access
 *   the server. Please make sure your Virtual Network is correctly configured." (observed 2022);
 * - MySQL / MariaDB: "Client with IP address '{ip}' is not allowed to connect to this MySQL server."
 *   (doc) and the PostgreSQL VNet sentence over an endpoint (unconfirmed for MySQL/MariaDB).
 * Error numbers other than 40914/40615 (PostgreSQL SQLSTATE 28000, MySQL 9000/9009) are unconfirmed.
 */
import type { ArmResource } from "../../model/resources/common.js";
import type { SqlFlavor, SqlServer } from "../../model/resources/sql-server.js";
import {
  ALLOW_ALL_AZURE_IPS_RULE,
  SQL_FLAVORS,
  isAllowAzureServicesRule,
  isStaleSqlRuleState,
  splitSqlChildren,
  sqlFlavorOf,
} from "../../model/resources/sql-server.js";
import { formatAddress, isPublicAddress } from "../../model/ip.js";
import type { ServiceError } from "../types.js";
import type { FirewallPolicy, IpRuleView, VnetRuleView } from "./common.js";
import { decide, ipRule, isDisabled, rangeInterval, subnetLabel, subnetNote } from "./common.js";
import type { FirewallInput, FirewallResult } from "./types.js";
import { textOf } from "../../model/errors.js";

/** The refusal a SQL-family server answers, over an endpoint (`vnet`) or by IP. */
export function sqlFirewallError(
  flavor: SqlFlavor,
  server: string,
  ip: string,
  vnet: boolean,
  login?: { user?: string; database?: string },
): ServiceError {
  switch (flavor) {
    case "sql":
      return vnet
        ? {
            code: "40914",
            message: `Cannot open server '${server}' requested by the login. Client is not allowed to access the server.`,
          }
        : {
            code: "40615",
            message: `Cannot open server '${server}' requested by the login. Client with IP address '${ip}' is not allowed to access the server. To enable access, use the Windows Azure Management Portal or run sp_set_firewall_rule on the master database to create a firewall rule for this IP address or address range. It may take up to five minutes for this change to take effect.`,
          };
    case "postgresql":
      return vnet
        ? {
            code: "28000",
            message:
              "Client from Azure Virtual Networks is not allowed to access the server. Please make sure your Virtual Network is correctly configured.",
          }
        : {
            code: "28000",
            message: `no pg_hba.conf entry for host "${ip}", user "${login?.user ?? `user@${server}`}", database "${login?.database ?? "postgres"}", SSL on`,
          };
    case "mysql":
    case "mariadb":
      return vnet
        ? {
            code: "9009",
            message:
              "Client from Azure Virtual Networks is not allowed to access the server. Please make sure your Virtual Network is correctly configured.",
          }
        : {
            code: "9000",
            message: `Client with IP address '${ip}' is not allowed to connect to this ${SQL_FLAVORS[flavor].product} server.`,
          };
  }
}

/** The server's firewall as a policy, independent of any request. */
export function sqlFirewallPolicy(resource: ArmResource, children: readonly ArmResource[]): FirewallPolicy {
  const server = resource as SqlServer;
  const flavor = sqlFlavorOf(textOf(server.type ?? "")) ?? "sql";
  const name = textOf(server.name ?? "");
  const product = SQL_FLAVORS[flavor].type;
  const { virtualNetworkRules, firewallRules } = splitSqlChildren(children ?? []);

  const vnetRules: VnetRuleView[] = virtualNetworkRules.flatMap((r) =>
    typeof r.properties?.virtualNetworkSubnetId === "string"
      ? [
          {
            rule: `virtualNetworkRules/${r.name}`,
            subnetId: r.properties.virtualNetworkSubnetId,
            ...(isStaleSqlRuleState(r.properties.state) ? { staleState: textOf(r.properties.state) } : {}),
          },
        ]
      : [],
  );
  const azureRule = firewallRules.find((r) => isAllowAzureServicesRule(r.properties ?? {}));
  const ipRules: IpRuleView[] = firewallRules.flatMap((r) => {
    if (isAllowAzureServicesRule(r.properties ?? {})) return [];
    const iv = rangeInterval(r.properties?.startIpAddress, r.properties?.endIpAddress);
    return iv
      ? [ipRule(`firewallRules/${r.name}`, `${r.properties.startIpAddress}-${r.properties.endIpAddress}`, iv)]
      : [];
  });

  return {
    label: `${flavor === "sql" ? "SQL" : SQL_FLAVORS[flavor].product} server '${name}'`,
    endpointService: "Microsoft.Sql",
    ...(isDisabled(server.properties?.publicNetworkAccess)
      ? {
          disabled: {
            rule: "publicNetworkAccess",
            detail:
              "publicNetworkAccess is Disabled: the server refuses every login from public and service-endpoint networks",
            fix: {
              rule: "publicNetworkAccess",
              reason: "public network access is disabled",
              fix: 'Set publicNetworkAccess to "Enabled".',
            },
          },
        }
      : {}),
    locked: true,
    unlocked: { detail: "" },
    lockedBy: "the server admits only logins its firewall rules or virtual network rules allow",
    vnetRules,
    ipRules,
    exceptions: azureRule
      ? [
          {
            rule: `firewallRules/${azureRule.name}`,
            applies: (input) =>
              input.fromAzure && input.subnetId === undefined && isPublicAddress(input.sourceAddress),
            detail: (input) =>
              `the firewall rule ${azureRule.name} (0.0.0.0-0.0.0.0) admits every Azure address, and ${formatAddress(input.sourceAddress)} is one`,
          },
        ]
      : [],
    denyRule: (vnet) => (vnet ? "virtualNetworkRules" : "firewallRules"),
    error: (vnet, input) =>
      sqlFirewallError(flavor, name, formatAddress(input.sourceAddress), vnet, input.login),
    fix: {
      addVnetRule: (subnetId) => ({
        rule: "virtualNetworkRules",
        reason: `no virtual network rule names subnet ${subnetLabel(subnetId)}; firewall (IP) rules cannot match a caller that arrives over the Microsoft.Sql endpoint`,
        fix: `Add a virtual network rule${subnetNote(subnetId, "for")}: create ${product}/virtualNetworkRules/<name> on ${name} with virtualNetworkSubnetId "${subnetId}".`,
      }),
      readdVnetRule: (rule, subnetId) => ({
        rule: rule.rule,
        reason: `${rule.rule} names subnet ${subnetLabel(subnetId)} but matches nothing${rule.staleState ? ` (state ${rule.staleState})` : " (the subnet lacked the Microsoft.Sql endpoint)"}`,
        fix: `Re-add the virtual network rule: delete ${rule.rule} and create it again with virtualNetworkSubnetId "${subnetId}" once the subnet carries Microsoft.Sql.`,
      }),
      addIpRule: (address) => ({
        rule: "firewallRules",
        reason: `no firewall rule range contains the public source address ${address}`,
        fix: `Create ${product}/firewallRules/<name> on ${name} with startIpAddress "${address}" and endIpAddress "${address}".`,
      }),
      ...(azureRule
        ? {}
        : {
            allowAzure: {
              rule: `firewallRules/${ALLOW_ALL_AZURE_IPS_RULE}`,
              reason: "the caller has an Azure public address and the server does not allow Azure services",
              fix: `Create firewallRules/${ALLOW_ALL_AZURE_IPS_RULE} with startIpAddress and endIpAddress "0.0.0.0" (admits every Azure address, other customers' included).`,
            },
          }),
      endpointAlternative: (subnetId, input) => ({
        rule: "firewallRules",
        reason: `over the Microsoft.Sql endpoint the server sees the private address ${formatAddress(input.sourceAddress)}, which no firewall rule can match`,
        fix: `Alternatively, remove Microsoft.Sql from subnet ${subnetLabel(subnetId)}'s serviceEndpoints so it connects from its public address, and allow that address in a firewall rule (this changes the source address for every SQL-family server in the region).`,
      }),
    },
  };
}

export function evaluateSqlFirewall(input: FirewallInput): FirewallResult {
  return decide(input, sqlFirewallPolicy(input.resource, input.children ?? []));
}
