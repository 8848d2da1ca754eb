/**
 * Microsoft.ServiceBus/namespaces and Microsoft.EventHub/namespaces with their network rule set
 * `namespaces/{ns}/networkRuleSets/default` (SE-RES-4, azure-facts §1b.6; SBNetworkRuleSetCreate.json):
 * `{ defaultAction, virtualNetworkRules: [{ subnet: { id }, ignoreMissingVnetServiceEndpoint }],
 * ipRules: [{ ipMask, action }] }`, type `Microsoft.ServiceBus/Namespaces/NetworkRuleSet`.
 *
 * - Namespaces: PUT/DELETE as the network RP's LROs (201/200 + `Azure-AsyncOperation`), PATCH merges;
 *   `sku` Basic / Standard / Premium (default Standard); `serviceBusEndpoint`, `metricId`, `status`.
 * - The rule set is a singleton child kept as its own document: PUT answers 200 synchronously;
 *   GET answers the implicit `defaultAction: Allow` set until one is written. Tier limits:
 *   Service Bus rule sets need Premium, Event Hubs any tier but Basic (a set that allows
 *   everyone, without rules, is accepted on every tier).
 * - VNet rules: a new rule's subnet must carry `Microsoft.ServiceBus` / `Microsoft.EventHub`
 *   unless `ignoreMissingVnetServiceEndpoint` is true (SE-ACL-2); any region (SE-REG-4).
 *   IP masks must be IPv4 addresses or CIDR ranges. At most 128 of each (SE-ACL-6).
 *
 * Limitations: the refusal codes for a missing endpoint and for the tier (`BadRequest`) are
 * not confirmed by our sources; queues, topics, event hubs and authorization rules are not
 * served; the 2018 preview `virtualnetworkrules` / `ipfilterrules` children are not served.
 */
import { ArmErrors, type ArmError, textOf } from "../../../model/errors.js";
import { parsePrefixDetailed } from "../../../model/ip.js";
import type { ArmResource } from "../../../model/resources/common.js";
import {
  EVENT_HUB_NAMESPACE_TYPE,
  EVENT_HUB_RULE_SET_TYPE,
  NETWORK_RULE_SET_NAME,
  SERVICE_BUS_NAMESPACE_TYPE,
  SERVICE_BUS_RULE_SET_TYPE,
  normalizeMessagingNamespace,
  normalizeNetworkRuleSet,
  type MessagingFlavor,
} from "../../../model/resources/messaging.js";
import { idKey } from "../../../model/resource-id.js";
import { isObject } from "../../documents.js";
import type { ResourceKind } from "../../kinds.js";
import { removeChildDocs, serveService, type SeparateChild } from "../../service-pipeline.js";
import { checkVnetRules, limitsOf, regionSentence, type RuleRefusal } from "../../service-rules.js";
import { arrayAt, boolAt, objectAt, stringAt } from "../../validate.js";
import { tracked } from "../common.js";

const SKUS = ["Basic", "Standard", "Premium"] as const;

function canonical(value: string | undefined, allowed: readonly string[]): string | undefined {
  return value === undefined
    ? undefined
    : allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
}

/** The unconfirmed `BadRequest` the messaging RPs (and Data Lake Store, Container Registry) answer for a refused rule. */
export function refuseWithBadRequest(what: string): (r: RuleRefusal) => ArmError {
  return (r) => {
    switch (r.kind) {
      case "malformed":
        return ArmErrors.linkedInvalidPropertyId(r.path, r.id);
      case "nrp":
        return ArmErrors.badRequest(`${r.message}.`);
      case "region":
        return ArmErrors.badRequest(regionSentence(r, what));
    }
  };
}

function ruleSetChild(flavor: MessagingFlavor): SeparateChild {
  const type = flavor === "servicebus" ? SERVICE_BUS_RULE_SET_TYPE : EVENT_HUB_RULE_SET_TYPE;
  const nsType = flavor === "servicebus" ? SERVICE_BUS_NAMESPACE_TYPE : EVENT_HUB_NAMESPACE_TYPE;
  const product = flavor === "servicebus" ? "Service Bus" : "Event Hubs";
  return {
    segment: "networkRuleSets",
    type,
    lro: "sync",
    createdStatus: 200,
    singleton: NETWORK_RULE_SET_NAME,
    implicit: (parent, id) =>
      normalizeNetworkRuleSet({
        id,
        name: NETWORK_RULE_SET_NAME,
        type,
        properties: {
          defaultAction: "Allow",
          publicNetworkAccess: "Enabled",
          virtualNetworkRules: [],
          ipRules: [],
        },
      }),
    async prepare(ctx, { id, body, parent, existing }) {
      const props: Record<string, unknown> = { ...(objectAt(body.properties, "properties") ?? {}) };
      const defaultAction =
        props.defaultAction === undefined
          ? "Allow"
          : canonical(stringAt(props.defaultAction, "properties.defaultAction"), ["Allow", "Deny"]);
      if (!defaultAction)
        throw ArmErrors.badRequest(
          `The value '${textOf(props.defaultAction)}' of 'properties.defaultAction' is invalid: use Allow or Deny.`,
        );
      const vnetIn = arrayAt(props.virtualNetworkRules, "properties.virtualNetworkRules") ?? [];
      const ipIn = arrayAt(props.ipRules, "properties.ipRules") ?? [];
      const tier = String(parent.sku?.name ?? "Standard");
      const locks = vnetIn.length > 0 || ipIn.length > 0 || defaultAction === "Deny";
      if (locks && (flavor === "servicebus" ? tier !== "Premium" : tier === "Basic")) {
        throw ArmErrors.badRequest(
          flavor === "servicebus"
            ? `Firewalls and virtual networks are supported only in the Premium tier of Service Bus; namespace ${parent.name} is ${tier}.`
            : `Firewalls and virtual networks are not supported in the Basic tier of Event Hubs; namespace ${parent.name} is Basic.`,
        );
      }
      const limits = limitsOf(nsType);
      if (vnetIn.length > limits.virtualNetworkRules)
        throw ArmErrors.badRequest(
          `At most ${limits.virtualNetworkRules} virtual network rules are allowed per namespace.`,
        );
      if (ipIn.length > limits.ipRules)
        throw ArmErrors.badRequest(`At most ${limits.ipRules} IP rules are allowed per namespace.`);
      const ipRules = ipIn.map((e, i) => {
        const o = isObject(e) ? e : {};
        const mask = typeof o.ipMask === "string" ? o.ipMask.trim() : "";
        const r = parsePrefixDetailed(mask);
        if (!r.ok || r.prefix.family !== 4)
          throw ArmErrors.badRequest(
            `The value '${textOf(o.ipMask)}' at 'properties.ipRules[${i}].ipMask' is not a valid IPv4 address or range.`,
          );
        return { ...o, ipMask: mask, action: "Allow" };
      });
      const stored = new Set(
        (
          (existing?.properties?.virtualNetworkRules as Array<{ subnet?: { id?: unknown } }> | undefined) ??
          []
        ).flatMap((r) => (typeof r?.subnet?.id === "string" ? [idKey(r.subnet.id)] : [])),
      );
      const rules = vnetIn.map((e, i) => {
        const o = isObject(e) ? { ...e } : {};
        const subnet = objectAt(o.subnet, `properties.virtualNetworkRules[${i}].subnet`);
        const flag =
          boolAt(
            o.ignoreMissingVnetServiceEndpoint,
            `properties.virtualNetworkRules[${i}].ignoreMissingVnetServiceEndpoint`,
          ) ?? false;
        return {
          o: { ...o, subnet: { ...(subnet ?? {}) }, ignoreMissingVnetServiceEndpoint: flag },
          id: subnet?.id,
          flag,
          path: `properties.virtualNetworkRules[${i}].subnet.id`,
        };
      });
      await checkVnetRules(
        ctx,
        {
          resourceType: nsType,
          resourceId: id,
          resourceRegion: String(parent.location ?? ""),
          action: `${nsType}/networkRuleSets/write`,
          refuse: refuseWithBadRequest(`${product} namespace`),
        },
        rules.map((r) => ({
          subnetId: r.id,
          path: r.path,
          ignoreMissingEndpoint: r.flag,
          isNew: typeof r.id !== "string" || !stored.has(idKey(r.id)),
        })),
      );
      return normalizeNetworkRuleSet({
        id,
        name: NETWORK_RULE_SET_NAME,
        type,
        properties: {
          ...props,
          defaultAction,
          publicNetworkAccess: props.publicNetworkAccess ?? "Enabled",
          virtualNetworkRules: rules.map((r) => r.o),
          ipRules,
        },
      }) as ArmResource;
    },
  };
}

function namespaceKind(flavor: MessagingFlavor): ResourceKind {
  const type = flavor === "servicebus" ? SERVICE_BUS_NAMESPACE_TYPE : EVENT_HUB_NAMESPACE_TYPE;
  const kind: ResourceKind = {
    namespace: type.slice(0, type.indexOf("/")),
    typeName: "namespaces",
    type,
    lro: "network",
    location: "required",
    children: [],
    serverOwned: [],
    patch: "merge",
    async prepare(ctx, input, existing) {
      const given = objectAt(input.sku, "sku");
      const text = stringAt(given?.name, "sku.name") ?? existing?.sku?.name ?? "Standard";
      const name = canonical(text, SKUS);
      if (!name)
        throw ArmErrors.invalidParameter(
          `The value '${text}' is not allowed for 'sku.name'. Allowed values: ${SKUS.join(", ")}.`,
          "sku.name",
        );
      const sku = { ...(given ?? existing?.sku ?? {}), name, tier: name };
      const props: Record<string, unknown> = { ...input.properties };
      for (const k of ["serviceBusEndpoint", "metricId", "status", "provisioningState"]) delete props[k];
      const created = existing?.properties?.createdAt;
      props.createdAt = typeof created === "string" ? created : new Date(ctx.now).toISOString();
      props.updatedAt = new Date(ctx.now).toISOString();
      return normalizeMessagingNamespace(tracked({ ...input, sku }, existing, type, props)) as ArmResource;
    },
    async afterWrite(tx, uow, next, prev) {
      if (!next && prev) await removeChildDocs(tx, uow, prev.id);
    },
  };
  kind.serve = serveService({ answer: "network", children: [ruleSetChild(flavor)] });
  return kind;
}

export const serviceBusNamespaces = namespaceKind("servicebus");
export const eventHubNamespaces = namespaceKind("eventhub");
