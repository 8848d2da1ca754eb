/**
 * SQL-family servers (SE-RES-4): Microsoft.Sql/servers (SQL Database and SQL Data Warehouse
 * share them) and the single servers Microsoft.DBforPostgreSQL/servers,
 * Microsoft.DBforMySQL/servers, Microsoft.DBforMariaDB/servers.
 *
 * - PUT, PATCH and DELETE answer 202 with `Azure-AsyncOperation` and `Location` and an empty
 *   body (real-clients §1.2); the SDK then reads the server.
 * - Defaults as a GET shows them: `fullyQualifiedDomainName` (`<name>.database.windows.net`,
 *   `.postgres.database.azure.com`, ...), `version`, SQL `state: Ready` / `kind: v12.0`,
 *   single servers `userVisibleState: Ready`, `sslEnforcement: Enabled` and a `sku` (General
 *   Purpose unless given). The administrator password is never echoed; `createMode` is
 *   request-only.
 * - Network rules are child resources (server-children.ts); deleting a server deletes them.
 *
 * Limitations: no server name uniqueness across subscriptions (host names could collide);
 * elastic pools, failover groups, AAD administrators, configurations and replicas are not served.
 */
import type { ArmResource } from "../../../model/resources/common.js";
import { SQL_FLAVORS, normalizeSqlServer, type SqlFlavor } from "../../../model/resources/sql-server.js";
import type { ResourceKind } from "../../kinds.js";
import { removeChildDocs, serveService } from "../../service-pipeline.js";
import { objectAt, stringAt } from "../../validate.js";
import { tracked } from "../common.js";
import { databasesChild, firewallRulesChild, virtualNetworkRulesChild } from "./server-children.js";

/** Request-only or computed properties of a server. */
const DROPPED = [
  "administratorLoginPassword",
  "createMode",
  "fullyQualifiedDomainName",
  "state",
  "userVisibleState",
  "provisioningState",
];

function tierOf(skuName: string): string {
  if (/^B_/i.test(skuName)) return "Basic";
  if (/^MO_/i.test(skuName)) return "MemoryOptimized";
  return "GeneralPurpose";
}

/** Single servers: the given sku (tier derived from the name when absent), else General Purpose Gen5 2 vCores. */
function singleServerSku(input: ArmResource, existing: ArmResource | undefined): Record<string, unknown> {
  const given = objectAt(input.sku, "sku");
  const name = stringAt(given?.name, "sku.name");
  if (given && name) return { ...given, name, tier: stringAt(given.tier, "sku.tier") ?? tierOf(name) };
  if (existing?.sku) return existing.sku;
  return { name: "GP_Gen5_2", tier: "GeneralPurpose", family: "Gen5", capacity: 2 };
}

function serverKind(flavor: SqlFlavor): ResourceKind {
  const type = SQL_FLAVORS[flavor].type;
  const namespace = type.slice(0, type.indexOf("/"));
  const kind: ResourceKind = {
    namespace,
    typeName: "servers",
    type,
    lro: "async",
    location: "required",
    children: [],
    serverOwned: [],
    patch: "merge",
    async prepare(ctx, input, existing) {
      const props: Record<string, unknown> = { ...input.properties };
      for (const k of DROPPED) delete props[k];
      if (flavor !== "sql") {
        const storage = objectAt(props.storageProfile, "properties.storageProfile");
        props.storageProfile = {
          storageMB: 5120,
          backupRetentionDays: 7,
          geoRedundantBackup: "Disabled",
          storageAutogrow: "Enabled",
          ...(storage ?? {}),
        };
        const created = existing?.properties?.earliestRestoreDate;
        props.earliestRestoreDate = typeof created === "string" ? created : new Date(ctx.now).toISOString();
      }
      const withSku = flavor === "sql" ? input : { ...input, sku: singleServerSku(input, existing) };
      const r = normalizeSqlServer(tracked(withSku, existing, type, props)) as ArmResource;
      if (flavor === "sql") r.properties.publicNetworkAccess ??= "Enabled";
      return r;
    },
    async afterWrite(tx, uow, next, prev) {
      if (!next && prev) await removeChildDocs(tx, uow, prev.id);
    },
  };
  kind.serve = serveService({
    answer: "async",
    children: [virtualNetworkRulesChild(flavor), firewallRulesChild(flavor), databasesChild(flavor)],
  });
  return kind;
}

export const sqlServers = serverKind("sql");
export const postgresqlServers = serverKind("postgresql");
export const mysqlServers = serverKind("mysql");
export const mariadbServers = serverKind("mariadb");
