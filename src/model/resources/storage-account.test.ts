import { describe, expect, it } from "vitest";
import {
  bypassIncludes,
  isStaleStorageRuleState,
  normalizeStorageAccount,
  parseBypass,
  storageEndpointKeysForKind,
} from "./storage-account.js";

const ID = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct1";
const base = {
  id: ID,
  name: "acct1",
  type: "Microsoft.Storage/storageAccounts",
  location: "westus",
  kind: "StorageV2",
};

describe("storage account model (SE-RES-4)", () => {
  it("SE-RES-4: a new account gets Azure's default networkAcls, endpoints and primary location", () => {
    const a = normalizeStorageAccount({ ...base, sku: { name: "Standard_LRS" }, properties: {} });
    expect(a.properties.networkAcls).toEqual({
      bypass: "AzureServices",
      virtualNetworkRules: [],
      ipRules: [],
      defaultAction: "Allow",
    });
    expect(a.properties.primaryEndpoints).toEqual({
      web: "https://acct1.web.core.windows.net/",
      dfs: "https://acct1.dfs.core.windows.net/",
      blob: "https://acct1.blob.core.windows.net/",
      file: "https://acct1.file.core.windows.net/",
      queue: "https://acct1.queue.core.windows.net/",
      table: "https://acct1.table.core.windows.net/",
    });
    expect(a.properties.primaryLocation).toBe("westus");
    expect(a.properties.statusOfPrimary).toBe("available");
    expect(a.properties.secondaryLocation).toBeUndefined();
    expect(a.properties.secondaryEndpoints).toBeUndefined();
    expect(a.properties.accessTier).toBe("Hot");
    expect(a.properties.provisioningState).toBe("Succeeded");
  });

  it("SE-RES-4: GRS takes its secondary from the region pair; RA-GRS also gets -secondary endpoints", () => {
    const grs = normalizeStorageAccount({ ...base, sku: { name: "Standard_GRS" }, properties: {} });
    expect(grs.properties.secondaryLocation).toBe("eastus");
    expect(grs.properties.statusOfSecondary).toBe("available");
    expect(grs.properties.secondaryEndpoints).toBeUndefined();
    const ra = normalizeStorageAccount({
      ...base,
      location: "brazilsouth",
      sku: { name: "Standard_RAGRS" },
      properties: {},
    });
    expect(ra.properties.secondaryLocation).toBe("southcentralus");
    expect(ra.properties.secondaryEndpoints).toMatchObject({
      blob: "https://acct1-secondary.blob.core.windows.net/",
      queue: "https://acct1-secondary.queue.core.windows.net/",
      table: "https://acct1-secondary.table.core.windows.net/",
    });
    expect(ra.properties.secondaryEndpoints).not.toHaveProperty("file");
  });

  it("SE-RES-4: given networkAcls get rule defaults (action Allow, state succeeded) and keep what was set", () => {
    const a = normalizeStorageAccount({
      ...base,
      sku: { name: "Standard_LRS" },
      properties: {
        networkAcls: {
          defaultAction: "Deny",
          bypass: "Logging, Metrics",
          virtualNetworkRules: [
            { id: "/x/subnets/a" },
            { id: "/x/subnets/b", action: "Allow", state: "networkSourceDeleted" },
          ],
          ipRules: [{ value: "203.0.113.7" }],
        },
        customField: { kept: true },
      },
    });
    const acls = a.properties.networkAcls!;
    expect(acls.bypass).toBe("Logging, Metrics");
    expect(acls.defaultAction).toBe("Deny");
    expect(acls.virtualNetworkRules).toEqual([
      { id: "/x/subnets/a", action: "Allow", state: "succeeded" },
      { id: "/x/subnets/b", action: "Allow", state: "networkSourceDeleted" },
    ]);
    expect(acls.ipRules).toEqual([{ value: "203.0.113.7", action: "Allow" }]);
    expect(a.properties.customField).toEqual({ kept: true });
  });

  it("SE-RES-4: networkAcls without bypass or arrays get Azure's defaults", () => {
    const a = normalizeStorageAccount({ ...base, properties: { networkAcls: { defaultAction: "Deny" } } });
    expect(a.properties.networkAcls).toEqual({
      defaultAction: "Deny",
      bypass: "AzureServices",
      virtualNetworkRules: [],
      ipRules: [],
    });
  });

  it("does not modify its input and keeps explicit values", () => {
    const input = {
      ...base,
      sku: { name: "Standard_GRS" },
      properties: { secondaryLocation: "centralus", primaryEndpoints: { blob: "https://x/" } },
    };
    const copy = JSON.parse(JSON.stringify(input));
    const a = normalizeStorageAccount(input);
    expect(input).toEqual(copy);
    expect(a.properties.secondaryLocation).toBe("centralus");
    expect(a.properties.primaryEndpoints).toEqual({ blob: "https://x/" });
  });

  it("endpoint keys follow the account kind", () => {
    expect(storageEndpointKeysForKind("Storage")).toEqual(["blob", "file", "queue", "table"]);
    expect(storageEndpointKeysForKind("FileStorage")).toEqual(["file"]);
    expect(storageEndpointKeysForKind("BlockBlobStorage")).toEqual(["web", "dfs", "blob"]);
    expect(storageEndpointKeysForKind(undefined)).toHaveLength(6);
  });

  it("bypass parses comma+space combinations; None means nothing", () => {
    expect(parseBypass("Logging, Metrics, AzureServices")).toEqual(["Logging", "Metrics", "AzureServices"]);
    expect(parseBypass("None")).toEqual([]);
    expect(bypassIncludes("Logging, AzureServices", "AzureServices")).toBe(true);
    expect(bypassIncludes("Logging, Metrics", "AzureServices")).toBe(false);
  });

  it("SE-ACL-8: lower-case stale states are recognised", () => {
    expect(isStaleStorageRuleState("networkSourceDeleted")).toBe(true);
    expect(isStaleStorageRuleState("failed")).toBe(true);
    expect(isStaleStorageRuleState("succeeded")).toBe(false);
    expect(isStaleStorageRuleState(undefined)).toBe(false);
  });
});
