/**
 * Storage account firewall: `properties.networkAcls` (SE-ACL-1, 5, 7, 8, 9; SE-SRC-5; SE-SCN-4).
 *
 * - `defaultAction: Allow` → every network is admitted; the rules are stored but inert.
 * - `defaultAction: Deny` → VNet rules (not stale), IP rules (public sources only; never a
 *   same-region Azure caller, SE-SRC-5) and `bypass: AzureServices` for trusted services.
 * - VM disk IO is never subject to the rules (SE-SCN-4).
 * - Refusal: HTTP 403 `AuthorizationFailure` "This request is not authorized to perform this operation."
 *
 * Limitations: `bypass` `Logging` / `Metrics` admit reads of the analytics logs and metrics only;
 * requests are not classified that finely, so they are only mentioned in a refusal's detail.
 */
import type { ArmResource } from "../../model/resources/common.js";
import type { StorageAccount, StorageNetworkAcls } from "../../model/resources/storage-account.js";
import {
  bypassIncludes,
  isStaleStorageRuleState,
  parseBypass,
} from "../../model/resources/storage-account.js";
import { normalizeRegion } from "../../model/catalog/regions.js";
import type { ServiceError } from "../types.js";
import type { FirewallPolicy } from "./common.js";
import { cidrInterval, decide, ipRule, isDeny, isDisabled, subnetLabel, subnetNote } from "./common.js";
import type { FirewallInput, FirewallResult } from "./types.js";
import { textOf } from "../../model/errors.js";

export const STORAGE_FIREWALL_ERROR: ServiceError = Object.freeze({
  status: 403,
  code: "AuthorizationFailure",
  message: "This request is not authorized to perform this operation.",
});

const DISK_DETAIL = `VM disk traffic (mount, unmount and disk IO of managed and unmanaged disks) is never subject to storage network rules (SE-SCN-4)`;

/** The account's firewall as a policy, independent of any request. */
export function storageFirewallPolicy(resource: ArmResource): FirewallPolicy {
  const account = resource as StorageAccount;
  const name = textOf(account.name ?? "");
  const acls: StorageNetworkAcls = account.properties?.networkAcls ?? { defaultAction: "Allow" };
  const bypass = acls.bypass ?? "AzureServices";
  const region =
    typeof account.location === "string" ? (normalizeRegion(account.location) ?? account.location) : "";
  const parts = parseBypass(bypass);
  const logMetric = parts.filter((p) => /^(logging|metrics)$/i.test(p));
  const trustedBypass = bypassIncludes(bypass, "AzureServices");
  const error = (): ServiceError => ({
    status: STORAGE_FIREWALL_ERROR.status,
    code: STORAGE_FIREWALL_ERROR.code,
    message: STORAGE_FIREWALL_ERROR.message,
  });
  const ipBlockedText = `the caller is an Azure client in the same region as the account${region ? ` (${region})` : ""}, so it reaches the account from a private Azure address and IP rules never match it (SE-SRC-5); only a VNet rule or the AzureServices bypass can admit it`;

  return {
    label: `storage account '${name}'`,
    endpointService: "Microsoft.Storage",
    preAdmit: (input) => (input.purpose === "disk" ? DISK_DETAIL : undefined),
    ...(isDisabled(account.properties?.publicNetworkAccess)
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
    locked: isDeny(acls.defaultAction),
    unlocked: {
      rule: "networkAcls.defaultAction",
      detail:
        "networkAcls.defaultAction is Allow, so every network is admitted (network rules, if any, are stored but inert)",
    },
    lockedBy: "networkAcls.defaultAction is Deny",
    vnetRules: (Array.isArray(acls.virtualNetworkRules) ? acls.virtualNetworkRules : []).flatMap((r, i) =>
      r && typeof r.id === "string" && (r.action === undefined || textOf(r.action).toLowerCase() === "allow")
        ? [
            {
              rule: `networkAcls.virtualNetworkRules[${i}]`,
              subnetId: r.id,
              ...(isStaleStorageRuleState(r.state) ? { staleState: textOf(r.state) } : {}),
            },
          ]
        : [],
    ),
    ipRules: (Array.isArray(acls.ipRules) ? acls.ipRules : []).flatMap((r, i) => {
      const iv = cidrInterval(r?.value);
      return iv && (r.action === undefined || textOf(r.action).toLowerCase() === "allow")
        ? [ipRule(`networkAcls.ipRules[${i}]`, textOf(r.value), iv)]
        : [];
    }),
    ipBlocked: (input) => (input.sameRegionAzure && input.subnetId === undefined ? ipBlockedText : undefined),
    exceptions: [
      {
        rule: "networkAcls.bypass",
        applies: (input) => input.trustedService && trustedBypass,
        detail: () =>
          "the caller is a trusted Microsoft service and networkAcls.bypass includes AzureServices",
      },
    ],
    denyRule: () => "networkAcls.defaultAction",
    error,
    fix: {
      addVnetRule: (subnetId) => ({
        rule: "networkAcls.virtualNetworkRules",
        reason: `no VNet rule names subnet ${subnetLabel(subnetId)}`,
        fix: `Add a VNet rule${subnetNote(subnetId, "for")}: { "id": "${subnetId}", "action": "Allow" } in networkAcls.virtualNetworkRules of ${name}.`,
      }),
      readdVnetRule: (rule, subnetId) => ({
        rule: rule.rule,
        reason: `${rule.rule} names subnet ${subnetLabel(subnetId)} but is stale${rule.staleState ? ` (state ${rule.staleState})` : ""}`,
        fix: `Re-add the VNet rule: remove ${rule.rule} and add { "id": "${subnetId}", "action": "Allow" } again once the subnet carries Microsoft.Storage; a stale rule is not restored by re-creating the subnet or its endpoint.`,
      }),
      addIpRule: (address) => ({
        rule: "networkAcls.ipRules",
        reason: `no IP rule contains the public source address ${address}`,
        fix: `Add { "value": "${address}", "action": "Allow" } to networkAcls.ipRules of ${name}.`,
      }),
      ...(trustedBypass
        ? {}
        : {
            trusted: {
              rule: "networkAcls.bypass",
              reason: `the caller is a trusted Microsoft service but networkAcls.bypass is "${textOf(bypass)}"`,
              fix: `Set networkAcls.bypass to "${[...logMetric, "AzureServices"].join(", ")}".`,
            },
          }),
    },
    ...(logMetric.length > 0
      ? {
          denyNotes: [
            `networkAcls.bypass lists ${logMetric.join(" and ")}, which admits reads of the account's analytics ${logMetric.length > 1 ? "logs and metrics" : logMetric[0]!.toLowerCase() === "logging" ? "logs" : "metrics"} only, not this request.`,
          ],
        }
      : {}),
  };
}

export function evaluateStorageFirewall(input: FirewallInput): FirewallResult {
  return decide(input, storageFirewallPolicy(input.resource));
}
