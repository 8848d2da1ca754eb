/**
 * Service Bus and Event Hubs namespace firewall: the `networkRuleSets/default` child
 * (SE-ACL-1, 5, 7, 8, 9).
 *
 * No rule set, or `defaultAction: Allow` → every network is admitted. `Deny` → VNet rules
 * (`virtualNetworkRules[].subnet.id`), IP rules (`ipRules[].ipMask`, action Allow) and, when the
 * newer `trustedServiceAccessEnabled` is true, trusted Microsoft services. `publicNetworkAccess:
 * Disabled` (newer api versions) refuses everything.
 *
 * Refusal: HTTP 401 with the XML body `<Error><Code>401</Code><Detail>Ip has been prevented to
 * connect to the endpoint. …</Detail></Error>` (observed; AMQP clients surface the same text as an
 * authorization error). `ServiceError.code` is "401" as the body's `Code` element carries it.
 *
 * Limitations: the SB/EH "Selected networks with no rules" corner (later docs: the namespace stays
 * reachable from the internet) is not modelled — an empty `Deny` rule set refuses everyone.
 */
import type { ArmResource } from "../../model/resources/common.js";
import type { NetworkRuleSet } from "../../model/resources/messaging.js";
import { findNetworkRuleSet, messagingFlavorOf } from "../../model/resources/messaging.js";
import type { ServiceError } from "../types.js";
import type { FirewallPolicy } from "./common.js";
import { cidrInterval, decide, ipRule, isDeny, isDisabled, subnetLabel, subnetNote } from "./common.js";
import type { FirewallInput, FirewallResult } from "./types.js";
import { textOf } from "../../model/errors.js";

const RS = "networkRuleSets/default";

/** The Detail text of the 401, without the TrackingId/SystemTracker/Timestamp tail (needs ids and a clock). */
export const MESSAGING_FIREWALL_MESSAGE = [
  "Ip has been prevented to connect to the endpoint.",
  "For more information see:",
  "Virtual Network service endpoints:",
  "Event Hubs: https://go.microsoft.com/fwlink/?linkid=2044192",
  "Service Bus: https://go.microsoft.com/fwlink/?linkid=2044235",
  "IP Filters:",
  "Event Hubs: https://go.microsoft.com/fwlink/?linkid=2044428",
  "Service Bus: https://go.microsoft.com/fwlink/?linkid=2044183",
].join("\n");

export const MESSAGING_FIREWALL_ERROR: ServiceError = Object.freeze({
  status: 401,
  code: "401",
  message: MESSAGING_FIREWALL_MESSAGE,
});

/** The namespace's firewall as a policy, independent of any request. */
export function messagingFirewallPolicy(
  resource: ArmResource,
  children: readonly ArmResource[],
): FirewallPolicy {
  const ns = resource;
  const name = textOf(ns.name ?? "");
  const flavor = messagingFlavorOf(textOf(ns.type ?? "")) ?? "servicebus";
  const endpointService = flavor === "eventhub" ? "Microsoft.EventHub" : "Microsoft.ServiceBus";
  const label = `${flavor === "eventhub" ? "Event Hubs" : "Service Bus"} namespace '${name}'`;
  const set: NetworkRuleSet | undefined = findNetworkRuleSet(children ?? []);
  const p = set?.properties ?? {};
  const trustedOn = p.trustedServiceAccessEnabled === true;

  return {
    label,
    endpointService,
    ...(isDisabled(p.publicNetworkAccess)
      ? {
          disabled: {
            rule: `${RS}.publicNetworkAccess`,
            detail:
              "the rule set's publicNetworkAccess is Disabled: the namespace refuses every connection from public and service-endpoint networks",
            fix: {
              rule: `${RS}.publicNetworkAccess`,
              reason: "public network access is disabled",
              fix: `Set publicNetworkAccess to "Enabled" in ${RS}.`,
            },
          },
        }
      : {}),
    locked: set !== undefined && isDeny(p.defaultAction),
    unlocked: set
      ? { rule: `${RS}.defaultAction`, detail: `${RS}.defaultAction is Allow, so every network is admitted` }
      : { rule: RS, detail: `the namespace has no network rule set, so every network is admitted` },
    lockedBy: `${RS}.defaultAction is Deny`,
    vnetRules: (Array.isArray(p.virtualNetworkRules) ? p.virtualNetworkRules : []).flatMap((r, i) =>
      r && typeof r.subnet?.id === "string"
        ? [{ rule: `${RS}.virtualNetworkRules[${i}]`, subnetId: r.subnet.id }]
        : [],
    ),
    ipRules: (Array.isArray(p.ipRules) ? p.ipRules : []).flatMap((r, i) => {
      const iv = cidrInterval(r?.ipMask);
      return iv && (r.action === undefined || textOf(r.action).toLowerCase() === "allow")
        ? [ipRule(`${RS}.ipRules[${i}]`, textOf(r.ipMask), iv)]
        : [];
    }),
    exceptions: [
      {
        rule: `${RS}.trustedServiceAccessEnabled`,
        applies: (input) => input.trustedService && trustedOn,
        detail: () =>
          `the caller is a trusted Microsoft service and ${RS}.trustedServiceAccessEnabled is true`,
      },
    ],
    denyRule: () => `${RS}.defaultAction`,
    error: () => ({ ...MESSAGING_FIREWALL_ERROR }),
    fix: {
      addVnetRule: (subnetId) => ({
        rule: `${RS}.virtualNetworkRules`,
        reason: `no VNet rule names subnet ${subnetLabel(subnetId)}`,
        fix: `Add a VNet rule${subnetNote(subnetId, "for")}: { "subnet": { "id": "${subnetId}" }, "ignoreMissingVnetServiceEndpoint": false } in virtualNetworkRules of ${name}/${RS}.`,
      }),
      readdVnetRule: (rule, subnetId) => ({
        rule: rule.rule,
        reason: `${rule.rule} names subnet ${subnetLabel(subnetId)} but the subnet lacked the ${endpointService} endpoint`,
        fix: `Re-add the VNet rule: remove ${rule.rule} and add { "subnet": { "id": "${subnetId}" } } again once the subnet carries ${endpointService}.`,
      }),
      addIpRule: (address) => ({
        rule: `${RS}.ipRules`,
        reason: `no IP rule contains the public source address ${address}`,
        fix: `Add { "ipMask": "${address}", "action": "Allow" } to ipRules of ${name}/${RS}.`,
      }),
      ...(trustedOn
        ? {}
        : {
            trusted: {
              rule: `${RS}.trustedServiceAccessEnabled`,
              reason: "the caller is a trusted Microsoft service but trusted service access is off",
              fix: `Set trustedServiceAccessEnabled to true in ${name}/${RS}.`,
            },
          }),
    },
  };
}

export function evaluateMessagingFirewall(input: FirewallInput): FirewallResult {
  return decide(input, messagingFirewallPolicy(input.resource, input.children ?? []));
}
