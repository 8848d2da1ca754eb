import { describe, expect, it } from "vitest";
import { parseAddress } from "../../model/ip.js";
import type { ArmResource } from "../../model/resources/common.js";
import { normalizeDataLakeStoreAccount } from "../../model/resources/data-lake-store.js";
import { evaluateFirewall } from "./index.js";
import type { FirewallInput } from "./index.js";

const ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataLakeStore/accounts/lake1";
const SUBNET1 =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/subnet1";

function account(props: Record<string, unknown>): ArmResource {
  return normalizeDataLakeStoreAccount({
    id: ID,
    name: "lake1",
    type: "Microsoft.DataLakeStore/accounts",
    location: "eastus2",
    properties: props,
  });
}
function req(
  resource: ArmResource,
  children: ArmResource[],
  o: Partial<Omit<FirewallInput, "sourceAddress">> & { source?: string } = {},
): FirewallInput {
  const { source, ...rest } = o;
  return {
    resource,
    children,
    sourceAddress: parseAddress(source ?? (rest.subnetId ? "10.0.1.4" : "203.0.113.10")),
    subnetHasEndpoint: () => true,
    fromAzure: false,
    sameRegionAzure: false,
    trustedService: false,
    purpose: "rest",
    ...rest,
  };
}
const VNET_CHILD: ArmResource = {
  id: `${ID}/virtualNetworkRules/vnet1`,
  name: "vnet1",
  type: "Microsoft.DataLakeStore/accounts/virtualNetworkRules",
  properties: { subnetId: SUBNET1 },
};

describe("Data Lake Store Gen1 firewall", () => {
  it("SE-ACL-7: firewallState Disabled admits everyone", () => {
    expect(evaluateFirewall(req(account({}), []))).toMatchObject({ allowed: true, rule: "firewallState" });
  });

  it("SE-ACL-1: a virtualNetworkRules child (properties.subnetId) admits its subnet over the AAD endpoint", () => {
    const r = evaluateFirewall(
      req(account({ firewallState: "Enabled" }), [VNET_CHILD], { subnetId: SUBNET1 }),
    );
    expect(r).toMatchObject({ allowed: true, rule: "virtualNetworkRules/vnet1" });
    expect(r.detail).toContain("Microsoft.AzureActiveDirectory");
  });

  it("SE-ACL-5: inline firewall rules are start-end ranges", () => {
    const a = account({
      firewallState: "Enabled",
      firewallRules: [
        { name: "office", properties: { startIpAddress: "198.51.100.1", endIpAddress: "198.51.100.9" } },
      ],
    });
    expect(evaluateFirewall(req(a, [], { source: "198.51.100.5" }))).toMatchObject({
      allowed: true,
      rule: "firewallRules/office",
    });
    expect(evaluateFirewall(req(a, [], { source: "198.51.100.10" })).allowed).toBe(false);
  });

  it("SE-ACL-7: firewallAllowAzureIps admits Azure public addresses", () => {
    expect(
      evaluateFirewall(
        req(account({ firewallState: "Enabled", firewallAllowAzureIps: "Enabled" }), [], {
          source: "40.112.0.9",
          fromAzure: true,
        }),
      ),
    ).toMatchObject({
      allowed: true,
      rule: "firewallAllowAzureIps",
    });
    const r = evaluateFirewall(
      req(account({ firewallState: "Enabled" }), [], { source: "40.112.0.9", fromAzure: true }),
    );
    expect(r.fixes.map((f) => f.rule)).toEqual(["firewallRules", "firewallAllowAzureIps"]);
  });

  it("SE-ACL-9: a refusal is 403 AccessDeniedByFirewall naming the client IP and the account", () => {
    const r = evaluateFirewall(
      req(account({ firewallState: "Enabled" }), [VNET_CHILD], { source: "203.0.113.10" }),
    );
    expect(r.allowed).toBe(false);
    expect(r.error).toEqual({
      status: 403,
      code: "AccessDeniedByFirewall",
      message:
        "The client IP '203.0.113.10' is not allowed, meanwhile the request doesn't originate from an allowed virtual network, based on the configuration of the Azure Data Lake account 'lake1'.",
    });
  });

  it("SE-ACL-8: a rule whose subnet lost the endpoint matches nothing", () => {
    const r = evaluateFirewall(
      req(account({ firewallState: "Enabled" }), [VNET_CHILD], {
        subnetId: SUBNET1,
        subnetHasEndpoint: () => false,
      }),
    );
    expect(r.allowed).toBe(false);
    expect(r.fixes[0]!.rule).toBe("virtualNetworkRules/vnet1");
  });
});
