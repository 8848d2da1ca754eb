/**
 * The official service SDK clients pointed at the e2e server (trivial credential, the test CA
 * through `tlsOptions`, no retries), and small helpers shared by the services-*.test.ts suites.
 */
import { ContainerRegistryManagementClient } from "@azure/arm-containerregistry";
import { CosmosDBManagementClient } from "@azure/arm-cosmosdb";
import { EventHubManagementClient } from "@azure/arm-eventhub";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { MariaDBManagementClient } from "@azure/arm-mariadb";
import { MySQLManagementClient } from "@azure/arm-mysql";
import { PostgreSQLManagementClient } from "@azure/arm-postgresql";
import { ServiceBusManagementClient } from "@azure/arm-servicebus";
import { SqlManagementClient } from "@azure/arm-sql";
import { StorageManagementClient } from "@azure/arm-storage";
import { SUB, credential, type TestServer } from "./server.js";

export function clients(t: TestServer, sub = SUB) {
  const o = { endpoint: t.url, tlsOptions: { ca: t.ca }, retryOptions: { maxRetries: 0 } };
  return {
    storage: new StorageManagementClient(credential, sub, {
      ...o,
      credentials: { scopes: [`${t.url}/.default`] },
    }),
    sql: new SqlManagementClient(credential, sub, o),
    postgresql: new PostgreSQLManagementClient(credential, sub, o),
    mysql: new MySQLManagementClient(credential, sub, o),
    mariadb: new MariaDBManagementClient(credential, sub, o),
    cosmos: new CosmosDBManagementClient(credential, sub, o),
    keyvault: new KeyVaultManagementClient(credential, sub, {
      ...o,
      credentials: { scopes: [`${t.url}/.default`] },
    }),
    servicebus: new ServiceBusManagementClient(credential, sub, o),
    eventhub: new EventHubManagementClient(credential, sub, o),
    acr: new ContainerRegistryManagementClient(credential, sub, {
      ...o,
      credentials: { scopes: [`${t.url}/.default`] },
    }),
  };
}

export const POLL = { updateIntervalInMs: 10 };

/** `/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}` */
export function subnetId(rg: string, vnet: string, subnet: string, sub = SUB): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${vnet}/subnets/${subnet}`;
}

export function vnetId(rg: string, vnet: string, sub = SUB): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${vnet}`;
}

/** Creates (or replaces) a VNet with the given subnets and endpoints, and waits for it. */
export async function createVnet(
  t: TestServer,
  rg: string,
  name: string,
  location: string,
  space: string,
  subnets: Array<{ name: string; prefix: string; endpoints?: string[] }>,
): Promise<void> {
  await t.network().virtualNetworks.beginCreateOrUpdateAndWait(
    rg,
    name,
    {
      location,
      addressSpace: { addressPrefixes: [space] },
      subnets: subnets.map((s) => ({
        name: s.name,
        addressPrefix: s.prefix,
        ...(s.endpoints ? { serviceEndpoints: s.endpoints.map((service) => ({ service })) } : {}),
      })),
    },
    POLL,
  );
}

/** Sets a subnet's endpoints (a subnet PUT replaces them, SE-CFG-7) and waits for it. */
export async function setEndpoints(
  t: TestServer,
  rg: string,
  vnet: string,
  subnet: string,
  prefix: string,
  endpoints: string[],
): Promise<void> {
  await t
    .network()
    .subnets.beginCreateOrUpdateAndWait(
      rg,
      vnet,
      subnet,
      { addressPrefix: prefix, serviceEndpoints: endpoints.map((service) => ({ service })) },
      POLL,
    );
}

/** Awaits a promise expected to fail; returns the error (RestError or, for core-lro 2 LRO failures, Error). */
export async function failure(
  p: Promise<unknown> | PromiseLike<unknown>,
): Promise<{ statusCode?: number; code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { statusCode?: number; code?: string; message: string };
  }
  throw new Error("expected the call to fail");
}
