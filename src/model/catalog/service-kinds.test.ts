import { describe, expect, it } from "vitest";
import { SERVICE_KINDS, findByHostName, isRuleChildType, serviceKindOf } from "./service-kinds.js";
import { endpointServiceForResourceType, findEndpointService } from "./endpoint-services.js";

describe("service kinds catalog (SE-RES-4, SE-CFG-3)", () => {
  it("SE-CFG-3: every lockable type names its endpoint service, service tag and default port", () => {
    const rows = Object.values(SERVICE_KINDS).map((k) => [k.type, k.service, k.serviceTag, k.defaultPort]);
    expect(rows).toEqual([
      ["Microsoft.Storage/storageAccounts", "Microsoft.Storage", "Storage", 443],
      ["Microsoft.Sql/servers", "Microsoft.Sql", "Sql", 1433],
      ["Microsoft.DBforPostgreSQL/servers", "Microsoft.Sql", "Sql", 5432],
      ["Microsoft.DBforMySQL/servers", "Microsoft.Sql", "Sql", 3306],
      ["Microsoft.DBforMariaDB/servers", "Microsoft.Sql", "Sql", 3306],
      ["Microsoft.DocumentDB/databaseAccounts", "Microsoft.AzureCosmosDB", "AzureCosmosDB", 443],
      ["Microsoft.KeyVault/vaults", "Microsoft.KeyVault", "AzureKeyVault", 443],
      ["Microsoft.ServiceBus/namespaces", "Microsoft.ServiceBus", "ServiceBus", 443],
      ["Microsoft.EventHub/namespaces", "Microsoft.EventHub", "EventHub", 443],
      ["Microsoft.DataLakeStore/accounts", "Microsoft.AzureActiveDirectory", "AzureDataLake", 443],
      [
        "Microsoft.ContainerRegistry/registries",
        "Microsoft.ContainerRegistry",
        "AzureContainerRegistry",
        443,
      ],
    ]);
  });

  it("SE-CFG-3: agrees with the endpoint-services catalog on which endpoint each type needs", () => {
    for (const k of Object.values(SERVICE_KINDS)) {
      expect(findEndpointService(k.service)?.name, k.type).toBe(k.service);
      expect(endpointServiceForResourceType(k.type)?.name, k.type).toBe(k.service);
    }
  });

  it("looks types up case-insensitively and refuses other types", () => {
    expect(serviceKindOf("microsoft.storage/STORAGEACCOUNTS")?.flavor).toBe("storage");
    expect(serviceKindOf("Microsoft.Network/virtualNetworks")).toBeUndefined();
    expect(serviceKindOf("constructor")).toBeUndefined();
    expect(isRuleChildType("Microsoft.Sql/servers/virtualNetworkRules")).toBe(true);
    expect(isRuleChildType("Microsoft.ServiceBus/namespaces/networkRuleSets")).toBe(true);
    expect(isRuleChildType("Microsoft.Sql/servers/databases")).toBe(false);
  });

  it("SE-SRC-4: storage host names per endpoint, with -secondary hosts for RA-GRS", () => {
    const k = serviceKindOf("Microsoft.Storage/storageAccounts")!;
    expect(k.hostNames({ name: "Acct", kind: "Storage", sku: { name: "Standard_LRS" } })).toEqual([
      { endpoint: "blob", host: "acct.blob.core.windows.net" },
      { endpoint: "file", host: "acct.file.core.windows.net" },
      { endpoint: "queue", host: "acct.queue.core.windows.net" },
      { endpoint: "table", host: "acct.table.core.windows.net" },
    ]);
    const ra = k.hostNames({ name: "acct", kind: "StorageV2", sku: { name: "Standard_RAGRS" } });
    expect(ra.map((h) => h.endpoint)).toEqual([
      "web",
      "dfs",
      "blob",
      "file",
      "queue",
      "table",
      "web-secondary",
      "dfs-secondary",
      "blob-secondary",
      "queue-secondary",
      "table-secondary",
    ]);
    expect(ra).toContainEqual({ endpoint: "blob-secondary", host: "acct-secondary.blob.core.windows.net" });
  });

  it("SE-SRC-4: storage host names come from primaryEndpoints/secondaryEndpoints when present", () => {
    const k = serviceKindOf("Microsoft.Storage/storageAccounts")!;
    const hosts = k.hostNames({
      name: "acct",
      properties: {
        primaryEndpoints: {
          blob: "https://acct.blob.core.windows.net/",
          dfs: "https://acct.dfs.core.windows.net/",
        },
        secondaryEndpoints: { blob: "https://acct-secondary.blob.core.windows.net/" },
      },
    });
    expect(hosts).toEqual([
      { endpoint: "blob", host: "acct.blob.core.windows.net" },
      { endpoint: "dfs", host: "acct.dfs.core.windows.net" },
      { endpoint: "blob-secondary", host: "acct-secondary.blob.core.windows.net" },
    ]);
  });

  it("SE-SRC-4: host names of every other service", () => {
    const h = (type: string, r: Record<string, unknown>) =>
      serviceKindOf(type)!.hostNames({ name: "x1", ...r });
    expect(h("Microsoft.Sql/servers", {})).toEqual([{ endpoint: "sql", host: "x1.database.windows.net" }]);
    expect(h("Microsoft.DBforPostgreSQL/servers", {})).toEqual([
      { endpoint: "postgresql", host: "x1.postgres.database.azure.com" },
    ]);
    expect(h("Microsoft.DBforMySQL/servers", {})).toEqual([
      { endpoint: "mysql", host: "x1.mysql.database.azure.com" },
    ]);
    expect(h("Microsoft.DBforMariaDB/servers", {})).toEqual([
      { endpoint: "mariadb", host: "x1.mariadb.database.azure.com" },
    ]);
    expect(
      h("Microsoft.DocumentDB/databaseAccounts", {
        location: "West US",
        properties: { locations: [{ locationName: "East US" }, { locationName: "westus" }] },
      }),
    ).toEqual([
      { endpoint: "documents", host: "x1.documents.azure.com" },
      { endpoint: "documents-eastus", host: "x1-eastus.documents.azure.com" },
      { endpoint: "documents-westus", host: "x1-westus.documents.azure.com" },
    ]);
    expect(h("Microsoft.KeyVault/vaults", {})).toEqual([{ endpoint: "vault", host: "x1.vault.azure.net" }]);
    expect(h("Microsoft.ServiceBus/namespaces", {})).toEqual([
      { endpoint: "servicebus", host: "x1.servicebus.windows.net" },
    ]);
    expect(h("Microsoft.EventHub/namespaces", {})).toEqual([
      { endpoint: "eventhub", host: "x1.servicebus.windows.net" },
    ]);
    expect(h("Microsoft.DataLakeStore/accounts", {})).toEqual([
      { endpoint: "datalakestore", host: "x1.azuredatalakestore.net" },
    ]);
    expect(h("Microsoft.ContainerRegistry/registries", {})).toEqual([
      { endpoint: "registry", host: "x1.azurecr.io" },
    ]);
  });

  it("SE-SRC-4: findByHostName reads the service, name and endpoint from a host", () => {
    const one = (host: string) => findByHostName(host).map((m) => [m.kind.flavor, m.name, m.endpoint]);
    expect(one("acct.blob.core.windows.net")).toEqual([["storage", "acct", "blob"]]);
    expect(one("ACCT-secondary.Queue.core.windows.net.")).toEqual([["storage", "acct", "queue-secondary"]]);
    expect(one("srv.database.windows.net")).toEqual([["sql", "srv", "sql"]]);
    expect(one("pg.postgres.database.azure.com")).toEqual([["postgresql", "pg", "postgresql"]]);
    expect(one("v.vault.azure.net")).toEqual([["keyvault", "v", "vault"]]);
    expect(one("ns.servicebus.windows.net")).toEqual([
      ["servicebus", "ns", "servicebus"],
      ["eventhub", "ns", "eventhub"],
    ]);
    expect(one("r.azurecr.io")).toEqual([["containerregistry", "r", "registry"]]);
    expect(one("a.b.blob.core.windows.net")).toEqual([]);
    expect(one("example.com")).toEqual([]);
  });
});
