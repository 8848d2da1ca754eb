/**
 * Cosmos DB account firewall (SE-ACL-1, 5, 7, 8, 9).
 *
 * Locked when `isVirtualNetworkFilterEnabled` is true or the IP filter (`ipRangeFilter`, newer
 * `ipRules`) is non-empty. VNet rules count only while `isVirtualNetworkFilterEnabled` is true.
 * `0.0.0.0` in the IP filter admits Azure public addresses.
 *
 * Refusal: HTTP 403 `Forbidden`, "Request originated from IP {ip} through public internet. This is
 * blocked by your Cosmos DB account firewall settings." or, over an endpoint, "Request originated
 * from VNET through service endpoint. This is blocked by your Cosmos DB account firewall settings."
 * (both observed; newer builds append " More info: https://aka.ms/cosmosdb-tsg-forbidden").
 */
import type { ArmResource } from "../../model/resources/common.js";
import type { CosmosAccount } from "../../model/resources/cosmos-db.js";
import { COSMOS_ALLOW_AZURE, cosmosIpEntries } from "../../model/resources/cosmos-db.js";
import { formatAddress, isPublicAddress } from "../../model/ip.js";
import { sameId } from "../../model/resource-id.js";
import type { FirewallPolicy, IpRuleView } from "./common.js";
import { cidrInterval, decide, ipRule, isDisabled, subnetLabel, subnetNote } from "./common.js";
import type { FirewallInput, FirewallResult } from "./types.js";
import { textOf } from "../../model/errors.js";

/** The account's firewall as a policy, independent of any request. */
export function cosmosFirewallPolicy(resource: ArmResource): FirewallPolicy {
  const account = resource as CosmosAccount;
  const p = account.properties ?? {};
  const name = textOf(account.name ?? "");
  const filterOn = p.isVirtualNetworkFilterEnabled === true;
  const entries = cosmosIpEntries(p);
  const azureEntry = entries.find((e) => e.value === COSMOS_ALLOW_AZURE);
  const rules = (Array.isArray(p.virtualNetworkRules) ? p.virtualNetworkRules : []).flatMap((r, i) =>
    r && typeof r.id === "string" ? [{ rule: `virtualNetworkRules[${i}]`, subnetId: r.id }] : [],
  );
  const ipRules: IpRuleView[] = entries.flatMap((e) => {
    if (e.value === COSMOS_ALLOW_AZURE) return [];
    const iv = cidrInterval(e.value);
    return iv ? [ipRule(e.source, e.value, iv)] : [];
  });
  const locked = filterOn || entries.length > 0;

  return {
    label: `Cosmos DB account '${name}'`,
    endpointService: "Microsoft.AzureCosmosDB",
    ...(isDisabled(p.publicNetworkAccess)
      ? {
          disabled: {
            rule: "publicNetworkAccess",
            detail:
              "publicNetworkAccess is Disabled: the account refuses every request from public and service-endpoint networks",
            fix: {
              rule: "publicNetworkAccess",
              reason: "public network access is disabled",
              fix: 'Set publicNetworkAccess to "Enabled".',
            },
          },
        }
      : {}),
    locked,
    unlocked: {
      rule: "ipRangeFilter",
      detail:
        "the IP filter is empty and isVirtualNetworkFilterEnabled is false, so every network is admitted",
    },
    lockedBy: filterOn
      ? entries.length > 0
        ? "isVirtualNetworkFilterEnabled is true and the IP filter is set"
        : "isVirtualNetworkFilterEnabled is true and the IP filter is empty"
      : "the IP filter is set",
    vnetRules: filterOn ? rules : [],
    ipRules,
    exceptions: azureEntry
      ? [
          {
            rule: azureEntry.source,
            applies: (input) =>
              input.fromAzure && input.subnetId === undefined && isPublicAddress(input.sourceAddress),
            detail: (input) =>
              `${azureEntry.source} lists 0.0.0.0, which admits Azure datacenter addresses, and ${formatAddress(input.sourceAddress)} is one`,
          },
        ]
      : [],
    denyRule: (vnet) =>
      vnet ? (filterOn ? "virtualNetworkRules" : "isVirtualNetworkFilterEnabled") : "ipRangeFilter",
    error: (vnet, input) => ({
      status: 403,
      code: "Forbidden",
      message: vnet
        ? "Request originated from VNET through service endpoint. This is blocked by your Cosmos DB account firewall settings."
        : `Request originated from IP ${formatAddress(input.sourceAddress)} through public internet. This is blocked by your Cosmos DB account firewall settings.`,
    }),
    fix: {
      addVnetRule: (subnetId) => {
        const existing = rules.find((r) => sameId(r.subnetId, subnetId));
        if (existing && !filterOn) {
          return {
            rule: "isVirtualNetworkFilterEnabled",
            reason: `${existing.rule} names subnet ${subnetLabel(subnetId)}, but VNet rules take effect only with isVirtualNetworkFilterEnabled`,
            fix: `Set isVirtualNetworkFilterEnabled to true on ${name}.`,
          };
        }
        return {
          rule: "virtualNetworkRules",
          reason: `no VNet rule names subnet ${subnetLabel(subnetId)}`,
          fix:
            `Add a VNet rule${subnetNote(subnetId, "for")}: { "id": "${subnetId}", "ignoreMissingVNetServiceEndpoint": false } in virtualNetworkRules of ${name}` +
            (filterOn ? "." : " and set isVirtualNetworkFilterEnabled to true."),
        };
      },
      readdVnetRule: (rule, subnetId) => ({
        rule: rule.rule,
        reason: `${rule.rule} names subnet ${subnetLabel(subnetId)} but the subnet lacked the Microsoft.AzureCosmosDB endpoint`,
        fix: `Re-add the VNet rule: remove ${rule.rule} and add { "id": "${subnetId}" } again once the subnet carries Microsoft.AzureCosmosDB.`,
      }),
      addIpRule: (address) => ({
        rule: "ipRangeFilter",
        reason: `no entry of the IP filter contains the public source address ${address}`,
        fix: `Append "${address}" to ipRangeFilter of ${name} (a comma-separated list).`,
      }),
      ...(azureEntry
        ? {}
        : {
            allowAzure: {
              rule: "ipRangeFilter",
              reason:
                "the caller has an Azure public address and the IP filter does not admit Azure datacenters",
              fix: `Append "0.0.0.0" to ipRangeFilter of ${name} (admits every Azure datacenter address).`,
            },
          }),
    },
  };
}

export function evaluateCosmosFirewall(input: FirewallInput): FirewallResult {
  return decide(input, cosmosFirewallPolicy(input.resource));
}
