/**
 * Service Bus and Event Hubs namespaces and their network rule set (SE-RES-4, azure-facts §1b.6).
 *
 * The rules live in the singleton child `namespaces/{ns}/networkRuleSets/default`
 * (type `Microsoft.ServiceBus/Namespaces/NetworkRuleSet`, `Microsoft.EventHub/Namespaces/NetworkRuleSet`;
 * api 2017-04-01): `{ defaultAction, virtualNetworkRules: [{ subnet: { id }, ignoreMissingVnetServiceEndpoint }],
 * ipRules: [{ ipMask, action }] }`. Newer api versions add `publicNetworkAccess` and
 * `trustedServiceAccessEnabled` (both honoured when present).
 *
 * Limitations: the 2018-01-01-preview child resources `virtualnetworkrules` / `ipfilterrules`
 * (Accept/Reject filters) are not evaluated; tier limits (Service Bus Premium only, Event Hubs
 * not Basic) are the ARM layer's to enforce at write time.
 */
import type { ArmResource, ProvisioningState } from "./common.js";
import { textOf } from "../errors.js";

export type MessagingFlavor = "servicebus" | "eventhub";

export const SERVICE_BUS_NAMESPACE_TYPE = "Microsoft.ServiceBus/namespaces";
export const EVENT_HUB_NAMESPACE_TYPE = "Microsoft.EventHub/namespaces";
/** `type` as the rule set's GET returns it (capital N in Namespaces, singular NetworkRuleSet). */
export const SERVICE_BUS_RULE_SET_TYPE = "Microsoft.ServiceBus/Namespaces/NetworkRuleSet";
export const EVENT_HUB_RULE_SET_TYPE = "Microsoft.EventHub/Namespaces/NetworkRuleSet";
export const NETWORK_RULE_SET_NAME = "default";
/** Both Service Bus and Event Hubs namespaces answer under this suffix. */
export const MESSAGING_DNS_SUFFIX = "servicebus.windows.net";

export function messagingFlavorOf(type: string): MessagingFlavor | undefined {
  const t = typeof type === "string" ? type.trim().toLowerCase() : "";
  if (t === SERVICE_BUS_NAMESPACE_TYPE.toLowerCase()) return "servicebus";
  if (t === EVENT_HUB_NAMESPACE_TYPE.toLowerCase()) return "eventhub";
  return undefined;
}

export interface MessagingVirtualNetworkRule {
  subnet: { id: string };
  ignoreMissingVnetServiceEndpoint?: boolean;
  [k: string]: unknown;
}
export interface MessagingIpRule {
  /** IPv4 address or CIDR. */
  ipMask: string;
  action?: "Allow" | string;
  [k: string]: unknown;
}
export interface NetworkRuleSetProperties {
  defaultAction?: "Allow" | "Deny" | string;
  virtualNetworkRules?: MessagingVirtualNetworkRule[];
  ipRules?: MessagingIpRule[];
  publicNetworkAccess?: "Enabled" | "Disabled" | string;
  trustedServiceAccessEnabled?: boolean;
  [k: string]: unknown;
}
export type NetworkRuleSet = ArmResource<NetworkRuleSetProperties>;

export interface MessagingNamespaceProperties {
  serviceBusEndpoint?: string;
  metricId?: string;
  status?: string;
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type MessagingNamespace = ArmResource<MessagingNamespaceProperties>;

/** `<name>.servicebus.windows.net` (Service Bus and Event Hubs alike). */
export function messagingHostName(namespaceName: string): string {
  return `${namespaceName.toLowerCase()}.${MESSAGING_DNS_SUFFIX}`;
}

/** True for a `namespaces/networkRuleSets` child of either service (any casing). */
export function isNetworkRuleSetType(type: unknown): boolean {
  if (typeof type !== "string") return false;
  const t = type.toLowerCase();
  return (
    t === SERVICE_BUS_RULE_SET_TYPE.toLowerCase() ||
    t === EVENT_HUB_RULE_SET_TYPE.toLowerCase() ||
    t === "microsoft.servicebus/namespaces/networkrulesets" ||
    t === "microsoft.eventhub/namespaces/networkrulesets"
  );
}

/** The `default` rule set among a namespace's children, if any. */
export function findNetworkRuleSet(children: readonly ArmResource[]): NetworkRuleSet | undefined {
  return children.find((c) => isNetworkRuleSetType(c?.type)) as NetworkRuleSet | undefined;
}

/**
 * Fills a namespace's defaults: `serviceBusEndpoint` (`https://<ns>.servicebus.windows.net:443/`),
 * `metricId` (`<subscription>:<ns>`), `status: Active`, provisioningState. Unknown fields kept.
 */
export function normalizeMessagingNamespace<R extends ArmResource>(
  resource: R,
): Omit<R, "properties"> & MessagingNamespace {
  const name = textOf(resource.name ?? "");
  const p: MessagingNamespaceProperties = {
    ...((resource.properties ?? {}) as MessagingNamespaceProperties),
  };
  if (!p.serviceBusEndpoint) p.serviceBusEndpoint = `https://${messagingHostName(name)}:443/`;
  const sub = /\/subscriptions\/([^/]+)/i.exec(textOf(resource.id ?? ""))?.[1];
  if (!p.metricId && sub) p.metricId = `${sub}:${name.toLowerCase()}`;
  if (!p.status) p.status = "Active";
  if (p.provisioningState === undefined) p.provisioningState = "Succeeded";
  return { ...resource, properties: p } as unknown as Omit<R, "properties"> & MessagingNamespace;
}

/**
 * Fills a rule set's defaults: name `default`, the API's `type` spelling for the namespace's
 * service, `defaultAction: Allow` (a namespace without rules admits everyone), empty rule lists,
 * `ipRules[].action: Allow`, `ignoreMissingVnetServiceEndpoint: false`. Unknown fields kept.
 */
export function normalizeNetworkRuleSet<R extends ArmResource>(
  resource: R,
): Omit<R, "properties"> & NetworkRuleSet {
  const p: NetworkRuleSetProperties = { ...((resource.properties ?? {}) as NetworkRuleSetProperties) };
  if (typeof p.defaultAction !== "string") p.defaultAction = "Allow";
  p.virtualNetworkRules = (Array.isArray(p.virtualNetworkRules) ? p.virtualNetworkRules : []).map((r) => ({
    ...r,
    ignoreMissingVnetServiceEndpoint: r.ignoreMissingVnetServiceEndpoint ?? false,
  }));
  p.ipRules = (Array.isArray(p.ipRules) ? p.ipRules : []).map((r) => ({ ...r, action: r.action ?? "Allow" }));
  const id = textOf(resource.id ?? "").toLowerCase();
  const type = id.includes("/providers/microsoft.eventhub/")
    ? EVENT_HUB_RULE_SET_TYPE
    : id.includes("/providers/microsoft.servicebus/")
      ? SERVICE_BUS_RULE_SET_TYPE
      : resource.type;
  return {
    ...resource,
    name: resource.name || NETWORK_RULE_SET_NAME,
    type,
    properties: p,
  } as unknown as Omit<R, "properties"> & NetworkRuleSet;
}
