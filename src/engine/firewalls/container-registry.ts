/**
 * Container Registry firewall: `properties.networkRuleSet` (Premium SKU; SE-ACL-1, 5, 7, 8, 9).
 *
 * No rule set, a non-Premium registry, or `defaultAction: Allow` → every network is admitted.
 * `Deny` → VNet rules (`{ action, id }`) and IP rules (`{ action, value }`); no trusted-service
 * exception in the 2019 API.
 *
 * Refusal: HTTP 403, registry error `DENIED` "client with IP '{ip}' is not allowed access. Refer
 * https://aka.ms/acr/firewall to grant access." (observed; 2019 builds may have lacked the "Refer …"
 * sentence).
 */
import type { ArmResource } from "../../model/resources/common.js";
import type { ContainerRegistry } from "../../model/resources/container-registry.js";
import { isPremiumRegistry } from "../../model/resources/container-registry.js";
import { formatAddress } from "../../model/ip.js";
import type { FirewallPolicy } from "./common.js";
import { cidrInterval, decide, ipRule, isDeny, isDisabled, subnetLabel, subnetNote } from "./common.js";
import type { FirewallInput, FirewallResult } from "./types.js";
import { textOf } from "../../model/errors.js";

function isAllow(action: unknown): boolean {
  return action === undefined || textOf(action).toLowerCase() === "allow";
}

/** The registry's firewall as a policy, independent of any request. */
export function containerRegistryFirewallPolicy(resource: ArmResource): FirewallPolicy {
  const registry = resource as ContainerRegistry;
  const name = textOf(registry.name ?? "");
  const premium = isPremiumRegistry(registry);
  const set = registry.properties?.networkRuleSet ?? undefined;

  return {
    label: `container registry '${name}'`,
    endpointService: "Microsoft.ContainerRegistry",
    ...(isDisabled(registry.properties?.publicNetworkAccess)
      ? {
          disabled: {
            rule: "publicNetworkAccess",
            detail:
              "publicNetworkAccess is Disabled: the registry refuses every request from public and service-endpoint networks",
            fix: {
              rule: "publicNetworkAccess",
              reason: "public network access is disabled",
              fix: 'Set publicNetworkAccess to "Enabled".',
            },
          },
        }
      : {}),
    locked: premium && set !== undefined && isDeny(set.defaultAction),
    unlocked: !premium
      ? {
          rule: "sku",
          detail: `network rules apply to Premium registries only and ${name} is ${registry.sku?.name ?? "not Premium"}, so every network is admitted`,
        }
      : set
        ? {
            rule: "networkRuleSet.defaultAction",
            detail: "networkRuleSet.defaultAction is Allow, so every network is admitted",
          }
        : {
            rule: "networkRuleSet",
            detail: "the registry has no networkRuleSet, so every network is admitted",
          },
    lockedBy: "networkRuleSet.defaultAction is Deny",
    vnetRules: (Array.isArray(set?.virtualNetworkRules) ? set.virtualNetworkRules : []).flatMap((r, i) =>
      r && typeof r.id === "string" && isAllow(r.action)
        ? [{ rule: `networkRuleSet.virtualNetworkRules[${i}]`, subnetId: r.id }]
        : [],
    ),
    ipRules: (Array.isArray(set?.ipRules) ? set.ipRules : []).flatMap((r, i) => {
      const iv = cidrInterval(r?.value);
      return iv && isAllow(r.action) ? [ipRule(`networkRuleSet.ipRules[${i}]`, textOf(r.value), iv)] : [];
    }),
    exceptions: [],
    denyRule: () => "networkRuleSet.defaultAction",
    error: (_vnet, input) => ({
      status: 403,
      code: "DENIED",
      message: `client with IP '${formatAddress(input.sourceAddress)}' is not allowed access. Refer https://aka.ms/acr/firewall to grant access.`,
    }),
    fix: {
      addVnetRule: (subnetId) => ({
        rule: "networkRuleSet.virtualNetworkRules",
        reason: `no VNet rule names subnet ${subnetLabel(subnetId)}`,
        fix: `Add a VNet rule${subnetNote(subnetId, "for")}: { "action": "Allow", "id": "${subnetId}" } in networkRuleSet.virtualNetworkRules of ${name}.`,
      }),
      readdVnetRule: (rule, subnetId) => ({
        rule: rule.rule,
        reason: `${rule.rule} names subnet ${subnetLabel(subnetId)} but the subnet lacked the Microsoft.ContainerRegistry endpoint`,
        fix: `Re-add the VNet rule: remove ${rule.rule} and add { "action": "Allow", "id": "${subnetId}" } again once the subnet carries Microsoft.ContainerRegistry.`,
      }),
      addIpRule: (address) => ({
        rule: "networkRuleSet.ipRules",
        reason: `no IP rule contains the public source address ${address}`,
        fix: `Add { "action": "Allow", "value": "${address}" } to networkRuleSet.ipRules of ${name}.`,
      }),
    },
  };
}

export function evaluateContainerRegistryFirewall(input: FirewallInput): FirewallResult {
  return decide(input, containerRegistryFirewallPolicy(input.resource));
}
