import { describe, expect, it } from "vitest";
import { normalizeKeyVault, normalizeKeyVaultIpValue } from "./key-vault.js";

describe("Key Vault model (SE-RES-4)", () => {
  it("SE-RES-4: networkAcls are echoed like the 2018-02-14 example: bare IP as /32, subnet ids lower-cased", () => {
    const v = normalizeKeyVault({
      id: "/subscriptions/0/resourceGroups/sample-resource-group/providers/Microsoft.KeyVault/vaults/sample-vault",
      name: "sample-vault",
      type: "Microsoft.KeyVault/vaults",
      location: "westus",
      properties: {
        tenantId: "t",
        sku: { family: "A", name: "standard" },
        networkAcls: {
          defaultAction: "Deny",
          bypass: "AzureServices",
          ipRules: [{ value: "124.56.78.91" }, { value: "'10.91.4.0/24'" }],
          virtualNetworkRules: [
            {
              id: "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/test-vnet/subnets/subnet1",
            },
          ],
        },
        enabledForDeployment: true,
      },
    });
    expect(v.properties.networkAcls).toEqual({
      defaultAction: "Deny",
      bypass: "AzureServices",
      ipRules: [{ value: "124.56.78.91/32" }, { value: "'10.91.4.0/24'" }],
      virtualNetworkRules: [
        {
          id: "/subscriptions/subid/resourcegroups/rg1/providers/microsoft.network/virtualnetworks/test-vnet/subnets/subnet1",
        },
      ],
    });
    expect(v.properties.vaultUri).toBe("https://sample-vault.vault.azure.net/");
    expect(v.properties.enabledForDeployment).toBe(true);
    expect(v.properties.enabledForDiskEncryption).toBe(false);
  });

  it("SE-RES-4: a vault created without networkAcls stays without them; partial ACLs get defaults", () => {
    const v = normalizeKeyVault({ id: "/v", name: "v", type: "Microsoft.KeyVault/vaults", properties: {} });
    expect(v.properties.networkAcls).toBeUndefined();
    const w = normalizeKeyVault({
      id: "/w",
      name: "w",
      type: "Microsoft.KeyVault/vaults",
      properties: { networkAcls: { defaultAction: "Deny" } },
    });
    expect(w.properties.networkAcls).toEqual({
      defaultAction: "Deny",
      bypass: "AzureServices",
      ipRules: [],
      virtualNetworkRules: [],
    });
  });

  it("SE-ACL-5: only a bare IPv4 address gains /32", () => {
    expect(normalizeKeyVaultIpValue("1.2.3.4")).toBe("1.2.3.4/32");
    expect(normalizeKeyVaultIpValue("1.2.3.0/24")).toBe("1.2.3.0/24");
    expect(normalizeKeyVaultIpValue("not-an-ip")).toBe("not-an-ip");
  });
});
