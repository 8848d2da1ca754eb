/**
 * Data Lake Store Gen1 account firewall (SE-ACL-1, 5, 7, 8, 9).
 *
 * `firewallState: Disabled` → every network is admitted. `Enabled` → VNet rules (subnet carrying
 * the `Microsoft.AzureActiveDirectory` endpoint), firewall rules (start–end ranges, public sources)
 * and `firewallAllowAzureIps: Enabled` for Azure public addresses. Rules are read inline and as
 * children (`accounts/{a}/virtualNetworkRules`, `accounts/{a}/firewallRules`).
 *
 * Refusal: HTTP 403 `AccessDeniedByFirewall` "The client IP '{ip}' is not allowed, meanwhile the
 * request doesn't originate from an allowed virtual network, based on the configuration of the
 * Azure Data Lake account '{name}'." (observed in the portal, 2020; the WebHDFS RemoteException
 * envelope around it is the HTTP layer's).
 */
import type { ArmResource } from "../../model/resources/common.js";
import type { DataLakeStoreAccount } from "../../model/resources/data-lake-store.js";
import {
  dataLakeRules,
  isDataLakeAllowAzureIps,
  isDataLakeFirewallEnabled,
} from "../../model/resources/data-lake-store.js";
import { formatAddress, isPublicAddress } from "../../model/ip.js";
import type { FirewallPolicy } from "./common.js";
import { decide, ipRule, rangeInterval, subnetLabel, subnetNote } from "./common.js";
import type { FirewallInput, FirewallResult } from "./types.js";
import { textOf } from "../../model/errors.js";

/** The account's firewall as a policy, independent of any request. */
export function dataLakeStoreFirewallPolicy(
  resource: ArmResource,
  children: readonly ArmResource[],
): FirewallPolicy {
  const account = resource as DataLakeStoreAccount;
  const name = textOf(account.name ?? "");
  const { firewallRules, virtualNetworkRules } = dataLakeRules(account, children ?? []);
  const allowAzure = isDataLakeAllowAzureIps(account.properties);

  return {
    label: `Data Lake Store account '${name}'`,
    endpointService: "Microsoft.AzureActiveDirectory",
    locked: isDataLakeFirewallEnabled(account.properties),
    unlocked: { rule: "firewallState", detail: "firewallState is Disabled, so every network is admitted" },
    lockedBy: "firewallState is Enabled",
    vnetRules: virtualNetworkRules.flatMap((r) =>
      typeof r.properties?.subnetId === "string"
        ? [{ rule: `virtualNetworkRules/${r.name}`, subnetId: r.properties.subnetId }]
        : [],
    ),
    ipRules: firewallRules.flatMap((r) => {
      const iv = rangeInterval(r.properties?.startIpAddress, r.properties?.endIpAddress);
      return iv
        ? [
            ipRule(
              `firewallRules/${r.name}`,
              `${r.properties.startIpAddress}-${r.properties.endIpAddress}`,
              iv,
            ),
          ]
        : [];
    }),
    exceptions: [
      {
        rule: "firewallAllowAzureIps",
        applies: (input) =>
          allowAzure &&
          input.fromAzure &&
          input.subnetId === undefined &&
          isPublicAddress(input.sourceAddress),
        detail: (input) =>
          `firewallAllowAzureIps is Enabled, which admits Azure addresses, and ${formatAddress(input.sourceAddress)} is one`,
      },
    ],
    denyRule: () => "firewallState",
    error: (_vnet, input) => ({
      status: 403,
      code: "AccessDeniedByFirewall",
      message: `The client IP '${formatAddress(input.sourceAddress)}' is not allowed, meanwhile the request doesn't originate from an allowed virtual network, based on the configuration of the Azure Data Lake account '${name}'.`,
    }),
    fix: {
      addVnetRule: (subnetId) => ({
        rule: "virtualNetworkRules",
        reason: `no virtual network rule names subnet ${subnetLabel(subnetId)}`,
        fix: `Add a virtual network rule${subnetNote(subnetId, "for")}: create virtualNetworkRules/<name> on ${name} with subnetId "${subnetId}" (the subnet needs the Microsoft.AzureActiveDirectory endpoint).`,
      }),
      readdVnetRule: (rule, subnetId) => ({
        rule: rule.rule,
        reason: `${rule.rule} names subnet ${subnetLabel(subnetId)} but the subnet lacked the Microsoft.AzureActiveDirectory endpoint`,
        fix: `Re-add the virtual network rule: delete ${rule.rule} and create it again with subnetId "${subnetId}" once the subnet carries Microsoft.AzureActiveDirectory.`,
      }),
      addIpRule: (address) => ({
        rule: "firewallRules",
        reason: `no firewall rule range contains the public source address ${address}`,
        fix: `Create firewallRules/<name> on ${name} with startIpAddress "${address}" and endIpAddress "${address}".`,
      }),
      ...(allowAzure
        ? {}
        : {
            allowAzure: {
              rule: "firewallAllowAzureIps",
              reason: "the caller has an Azure public address and the account does not allow Azure IPs",
              fix: `Set firewallAllowAzureIps to "Enabled" on ${name} (admits every Azure address).`,
            },
          }),
    },
  };
}

export function evaluateDataLakeStoreFirewall(input: FirewallInput): FirewallResult {
  return decide(input, dataLakeStoreFirewallPolicy(input.resource, input.children ?? []));
}
