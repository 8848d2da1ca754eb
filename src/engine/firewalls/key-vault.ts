/**
 * Key Vault firewall: `properties.networkAcls` (SE-ACL-1, 5, 7, 8, 9).
 *
 * A vault without `networkAcls`, or with `defaultAction: Allow`, admits every network. With
 * `Deny`: VNet rules (over a `Microsoft.KeyVault` endpoint), IP rules (public sources) and
 * `bypass: AzureServices` for trusted Microsoft services.
 *
 * Refusal: HTTP 403, error code `Forbidden` with inner code `ForbiddenByFirewall`:
 * "Client address is not authorized and caller is not a trusted service.\r\nClient address: {ip}\r\n
 * Caller: {caller}\r\nVault: {name};location={location}" (observed). Over an endpoint the client address
 * line reads "{ip} from unknown subnet" (observed in AKS transcripts; exact condition unconfirmed).
 * `ServiceError.code` carries the inner code, `ForbiddenByFirewall`.
 */
import type { ArmResource } from "../../model/resources/common.js";
import type { KeyVault, KeyVaultNetworkAcls } from "../../model/resources/key-vault.js";
import { formatAddress } from "../../model/ip.js";
import { normalizeRegion } from "../../model/catalog/regions.js";
import type { FirewallPolicy } from "./common.js";
import { cidrInterval, decide, ipRule, isDeny, isDisabled, subnetLabel, subnetNote } from "./common.js";
import type { FirewallInput, FirewallResult } from "./types.js";
import { textOf } from "../../model/errors.js";

/** Caller line used when the input names no caller. */
export const ANONYMOUS_KEY_VAULT_CALLER =
  "appid=00000000-0000-0000-0000-000000000000;oid=00000000-0000-0000-0000-000000000000";

/** The vault's firewall as a policy, independent of any request. */
export function keyVaultFirewallPolicy(resource: ArmResource): FirewallPolicy {
  const vault = resource as KeyVault;
  const name = textOf(vault.name ?? "");
  const location =
    typeof vault.location === "string"
      ? (normalizeRegion(vault.location) ?? vault.location.toLowerCase())
      : "";
  const acls: KeyVaultNetworkAcls | undefined = vault.properties?.networkAcls ?? undefined;
  const bypass = typeof acls?.bypass === "string" ? acls.bypass : "AzureServices";
  const trustedAllowed = bypass.toLowerCase() === "azureservices";

  return {
    label: `key vault '${name}'`,
    endpointService: "Microsoft.KeyVault",
    ...(isDisabled(vault.properties?.publicNetworkAccess)
      ? {
          disabled: {
            rule: "publicNetworkAccess",
            detail:
              "publicNetworkAccess is Disabled: the vault refuses every request from public and service-endpoint networks",
            fix: {
              rule: "publicNetworkAccess",
              reason: "public network access is disabled",
              fix: 'Set publicNetworkAccess to "Enabled".',
            },
          },
        }
      : {}),
    locked: acls !== undefined && isDeny(acls.defaultAction),
    unlocked: {
      rule: "networkAcls.defaultAction",
      detail: acls
        ? "networkAcls.defaultAction is Allow, so every network is admitted"
        : "the vault has no networkAcls, so every network is admitted",
    },
    lockedBy: "networkAcls.defaultAction is Deny",
    vnetRules: (Array.isArray(acls?.virtualNetworkRules) ? acls.virtualNetworkRules : []).flatMap((r, i) =>
      r && typeof r.id === "string"
        ? [{ rule: `networkAcls.virtualNetworkRules[${i}]`, subnetId: r.id }]
        : [],
    ),
    ipRules: (Array.isArray(acls?.ipRules) ? acls.ipRules : []).flatMap((r, i) => {
      const iv = cidrInterval(r?.value);
      return iv ? [ipRule(`networkAcls.ipRules[${i}]`, textOf(r.value), iv)] : [];
    }),
    exceptions: [
      {
        rule: "networkAcls.bypass",
        applies: (input) => input.trustedService && trustedAllowed,
        detail: () => "the caller is a trusted Microsoft service and networkAcls.bypass is AzureServices",
      },
    ],
    denyRule: () => "networkAcls.defaultAction",
    error: (vnet, input) => ({
      status: 403,
      code: "ForbiddenByFirewall",
      message:
        `Client address is not authorized and caller is not a trusted service.\r\nClient address: ${formatAddress(input.sourceAddress)}${vnet ? " from unknown subnet" : ""}\r\n` +
        `Caller: ${input.caller ?? ANONYMOUS_KEY_VAULT_CALLER}\r\nVault: ${name};location=${location}`,
    }),
    fix: {
      addVnetRule: (subnetId) => ({
        rule: "networkAcls.virtualNetworkRules",
        reason: `no VNet rule names subnet ${subnetLabel(subnetId)}`,
        fix: `Add a VNet rule${subnetNote(subnetId, "for")}: { "id": "${subnetId}" } in networkAcls.virtualNetworkRules of ${name}.`,
      }),
      readdVnetRule: (rule, subnetId) => ({
        rule: rule.rule,
        reason: `${rule.rule} names subnet ${subnetLabel(subnetId)} but the subnet lacked the Microsoft.KeyVault endpoint`,
        fix: `Re-add the VNet rule: remove ${rule.rule} and add { "id": "${subnetId}" } again once the subnet carries Microsoft.KeyVault.`,
      }),
      addIpRule: (address) => ({
        rule: "networkAcls.ipRules",
        reason: `no IP rule contains the public source address ${address}`,
        fix: `Add { "value": "${address}/32" } to networkAcls.ipRules of ${name}.`,
      }),
      ...(trustedAllowed
        ? {}
        : {
            trusted: {
              rule: "networkAcls.bypass",
              reason: `the caller is a trusted Microsoft service but networkAcls.bypass is "${bypass}"`,
              fix: 'Set networkAcls.bypass to "AzureServices".',
            },
          }),
    },
  };
}

export function evaluateKeyVaultFirewall(input: FirewallInput): FirewallResult {
  return decide(input, keyVaultFirewallPolicy(input.resource));
}
