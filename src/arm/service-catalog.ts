/**
 * The service resource providers (SE-RES-4), registered into the control plane's catalog
 * (catalog.ts calls `addServiceProviders`): their namespaces and api-versions, kinds, the
 * location-scoped operation URLs, and the SE-ACL-8 stale-rule hook.
 */
import {
  CONTAINERREGISTRY_API_VERSIONS,
  COSMOS_API_VERSIONS,
  DATALAKESTORE_API_VERSIONS,
  EVENTHUB_API_VERSIONS,
  KEYVAULT_API_VERSIONS,
  MARIADB_API_VERSIONS,
  MYSQL_API_VERSIONS,
  POSTGRESQL_API_VERSIONS,
  SERVICEBUS_API_VERSIONS,
  SQL_API_VERSIONS,
  STORAGE_API_VERSIONS,
} from "./api-versions.js";
import type { KindRegistry } from "./kinds.js";
import { registries } from "./providers/containerregistry/registries.js";
import { databaseAccounts } from "./providers/cosmos/database-accounts.js";
import { dataLakeStoreAccounts } from "./providers/datalake/accounts.js";
import { vaults } from "./providers/keyvault/vaults.js";
import { eventHubNamespaces, serviceBusNamespaces } from "./providers/messaging/namespaces.js";
import { mariadbServers, mysqlServers, postgresqlServers, sqlServers } from "./providers/sql/servers.js";
import { storageAccounts } from "./providers/storage/storage-accounts.js";
import {
  serviceOperationResult,
  serviceOperationStatus,
  storageAsyncOperation,
} from "./service-operations.js";
import { staleServiceRules } from "./service-stale-rules.js";

const NAMESPACES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["Microsoft.Storage", STORAGE_API_VERSIONS],
  ["Microsoft.Sql", SQL_API_VERSIONS],
  ["Microsoft.DBforPostgreSQL", POSTGRESQL_API_VERSIONS],
  ["Microsoft.DBforMySQL", MYSQL_API_VERSIONS],
  ["Microsoft.DBforMariaDB", MARIADB_API_VERSIONS],
  ["Microsoft.DocumentDB", COSMOS_API_VERSIONS],
  ["Microsoft.KeyVault", KEYVAULT_API_VERSIONS],
  ["Microsoft.ServiceBus", SERVICEBUS_API_VERSIONS],
  ["Microsoft.EventHub", EVENTHUB_API_VERSIONS],
  ["Microsoft.DataLakeStore", DATALAKESTORE_API_VERSIONS],
  ["Microsoft.ContainerRegistry", CONTAINERREGISTRY_API_VERSIONS],
];

export function addServiceProviders(r: KindRegistry): KindRegistry {
  for (const [ns, versions] of NAMESPACES) r.namespace(ns, versions);
  for (const kind of [
    storageAccounts,
    sqlServers,
    postgresqlServers,
    mysqlServers,
    mariadbServers,
    databaseAccounts,
    vaults,
    serviceBusNamespaces,
    eventHubNamespaces,
    dataLakeStoreAccounts,
    registries,
  ]) {
    r.add(kind);
  }
  for (const [ns] of NAMESPACES) {
    r.location(ns, "operations", serviceOperationStatus).location(
      ns,
      "operationResults",
      serviceOperationResult,
    );
  }
  r.location("Microsoft.Storage", "asyncoperations", storageAsyncOperation);
  r.onChangeInTransaction(staleServiceRules);
  return r;
}
