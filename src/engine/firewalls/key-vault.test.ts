import { describe, expect, it } from "vitest";
import { parseAddress } from "../../model/ip.js";
import type { ArmResource } from "../../model/resources/common.js";
import { normalizeKeyVault } from "../../model/resources/key-vault.js";
import { evaluateFirewall } from "./index.js";
import type { FirewallInput } from "./index.js";

const SUBNET1 =
  "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/test-vnet/subnets/subnet1";
const SUBNET2 =
  "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/test-vnet/subnets/subnet2";

function vault(networkAcls?: Record<string, unknown>): ArmResource {
  return normalizeKeyVault({
    id: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/sample-vault",
    name: "sample-vault",
    type: "Microsoft.KeyVault/vaults",
    location: "West US",
    properties: {
      tenantId: "t",
      sku: { family: "A", name: "standard" },
      ...(networkAcls ? { networkAcls } : {}),
    },
  });
}
function req(
  resource: ArmResource,
  o: Partial<Omit<FirewallInput, "sourceAddress">> & { source?: string } = {},
): FirewallInput {
  const { source, ...rest } = o;
  return {
    resource,
    children: [],
    sourceAddress: parseAddress(source ?? (rest.subnetId ? "10.0.1.4" : "203.0.113.10")),
    subnetHasEndpoint: () => true,
    fromAzure: false,
    sameRegionAzure: false,
    trustedService: false,
    purpose: "rest",
    ...rest,
  };
}
const LOCKED = {
  defaultAction: "Deny",
  bypass: "None",
  ipRules: [{ value: "124.56.78.91" }],
  virtualNetworkRules: [{ id: SUBNET1 }],
};

describe("Key Vault firewall", () => {
  it("SE-ACL-7: a vault without networkAcls, or with defaultAction Allow, admits everyone", () => {
    expect(evaluateFirewall(req(vault()))).toMatchObject({
      allowed: true,
      rule: "networkAcls.defaultAction",
    });
    expect(evaluateFirewall(req(vault({ ...LOCKED, defaultAction: "Allow" }))).allowed).toBe(true);
  });

  it("SE-ACL-1: the lower-cased subnet id the vault stores still matches the caller's subnet", () => {
    const v = vault(LOCKED);
    expect(
      (v.properties as { networkAcls: { virtualNetworkRules: Array<{ id: string }> } }).networkAcls
        .virtualNetworkRules[0]!.id,
    ).toBe(SUBNET1.toLowerCase());
    expect(evaluateFirewall(req(v, { subnetId: SUBNET1 }))).toMatchObject({
      allowed: true,
      rule: "networkAcls.virtualNetworkRules[0]",
    });
  });

  it("SE-ACL-5: a bare IP echoed as /32 admits exactly that public address", () => {
    const v = vault(LOCKED);
    expect(evaluateFirewall(req(v, { source: "124.56.78.91" }))).toMatchObject({
      allowed: true,
      rule: "networkAcls.ipRules[0]",
    });
    expect(evaluateFirewall(req(v, { source: "124.56.78.92" })).allowed).toBe(false);
  });

  it("SE-ACL-9: a refusal is 403 ForbiddenByFirewall naming the client address, caller and vault", () => {
    const r = evaluateFirewall(
      req(vault(LOCKED), {
        source: "203.0.113.10",
        caller: "appid=a1;oid=o1;iss=https://sts.windows.net/t/",
      }),
    );
    expect(r.allowed).toBe(false);
    expect(r.error).toEqual({
      status: 403,
      code: "ForbiddenByFirewall",
      message:
        "Client address is not authorized and caller is not a trusted service.\r\nClient address: 203.0.113.10\r\nCaller: appid=a1;oid=o1;iss=https://sts.windows.net/t/\r\nVault: sample-vault;location=westus",
    });
    expect(r.fixes[0]).toMatchObject({
      rule: "networkAcls.ipRules",
      fix: 'Add { "value": "203.0.113.10/32" } to networkAcls.ipRules of sample-vault.',
    });
  });

  it("SE-ACL-9: over an unlisted subnet's endpoint the client address is the private one", () => {
    const r = evaluateFirewall(req(vault(LOCKED), { subnetId: SUBNET2, source: "10.0.2.4" }));
    expect(r.error?.message).toContain("Client address: 10.0.2.4 from unknown subnet\r\n");
    expect(r.fixes[0]!.fix).toContain(`{ "id": "${SUBNET2}" }`);
  });

  it("SE-ACL-7: bypass AzureServices admits trusted Microsoft services; None offers the switch", () => {
    expect(
      evaluateFirewall(req(vault({ ...LOCKED, bypass: "AzureServices" }), { trustedService: true })),
    ).toMatchObject({
      allowed: true,
      rule: "networkAcls.bypass",
    });
    const r = evaluateFirewall(req(vault(LOCKED), { trustedService: true }));
    expect(r.allowed).toBe(false);
    expect(r.fixes[0]).toMatchObject({
      rule: "networkAcls.bypass",
      fix: 'Set networkAcls.bypass to "AzureServices".',
    });
  });

  it("SE-ACL-8: a rule whose subnet lost the Microsoft.KeyVault endpoint matches nothing", () => {
    const r = evaluateFirewall(req(vault(LOCKED), { subnetId: SUBNET1, subnetHasEndpoint: () => false }));
    expect(r.allowed).toBe(false);
    expect(r.fixes[0]).toMatchObject({ rule: "networkAcls.virtualNetworkRules[0]" });
  });

  it("SE-SRC-3: the IP rule for a VM's public address stops matching over the endpoint", () => {
    const v = vault({ defaultAction: "Deny", bypass: "None", ipRules: [{ value: "52.1.1.1" }] });
    expect(evaluateFirewall(req(v, { source: "52.1.1.1" })).allowed).toBe(true);
    expect(evaluateFirewall(req(v, { subnetId: SUBNET1, source: "10.0.1.4" })).allowed).toBe(false);
  });
});
