/**
 * Microsoft.ContainerRegistry/registries (SE-RES-4, azure-facts §1b.8; preview in 2019):
 * `properties.networkRuleSet = { defaultAction, virtualNetworkRules: [{ action, id }], ipRules: [{ action, value }] }`
 * — wire names `id` / `value` (the SDK's `virtualNetworkResourceId` / `iPAddressOrRange` are client names).
 *
 * - PUT and PATCH (merge) are the network RP's LROs (201/200 + `Azure-AsyncOperation`); `sku`
 *   Basic / Standard / Premium / Classic; `loginServer` `<name>.azurecr.io`.
 * - Network rules need the Premium SKU: a rule set with rules, or `defaultAction: Deny`, on
 *   another SKU is refused (400 `BadRequest`, our wording). Premium registries get the default
 *   rule set `{ defaultAction: Allow, [], [] }`.
 * - VNet rules: a new rule's subnet must carry `Microsoft.ContainerRegistry` (SE-ACL-2), any
 *   region (SE-REG-4); IP rules are IPv4 addresses or CIDR ranges; at most 100 of each (SE-ACL-6).
 *
 * Limitations: the refusal code for a missing endpoint (`BadRequest`, the network RP's sentence)
 * is not confirmed by our sources; replications, webhooks, tokens and the data endpoints are
 * not served.
 */
import { ArmErrors, textOf } from "../../../model/errors.js";
import { parsePrefixDetailed } from "../../../model/ip.js";
import type { ArmResource } from "../../../model/resources/common.js";
import {
  CONTAINER_REGISTRY_TYPE,
  normalizeContainerRegistry,
} from "../../../model/resources/container-registry.js";
import { idKey } from "../../../model/resource-id.js";
import { isObject } from "../../documents.js";
import type { ResourceKind } from "../../kinds.js";
import { checkVnetRules, limitsOf } from "../../service-rules.js";
import { arrayAt, objectAt, stringAt } from "../../validate.js";
import { locationFor, tracked } from "../common.js";
import { refuseWithBadRequest } from "../messaging/namespaces.js";

const SKUS = ["Basic", "Standard", "Premium", "Classic"] as const;

function canonical(value: string | undefined, allowed: readonly string[]): string | undefined {
  return value === undefined
    ? undefined
    : allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
}

export const registries: ResourceKind = {
  namespace: "Microsoft.ContainerRegistry",
  typeName: "registries",
  type: CONTAINER_REGISTRY_TYPE,
  lro: "network",
  location: "required",
  children: [],
  serverOwned: [],
  patch: "merge",
  async prepare(ctx, input, existing) {
    const location = locationFor(input, existing, CONTAINER_REGISTRY_TYPE);
    const given = objectAt(input.sku, "sku");
    const text = stringAt(given?.name, "sku.name") ?? existing?.sku?.name;
    if (text === undefined)
      throw ArmErrors.invalidRequestFormat("Cannot parse the request. The value at 'sku.name' is required.");
    const skuName = canonical(text, SKUS);
    if (!skuName)
      throw ArmErrors.invalidParameter(
        `The value '${text}' is not allowed for 'sku.name'. Allowed values: ${SKUS.join(", ")}.`,
        "sku.name",
      );
    const props: Record<string, unknown> = { ...input.properties };
    for (const k of ["loginServer", "provisioningState", "creationDate"]) delete props[k];
    const created = existing?.properties?.creationDate;
    props.creationDate = typeof created === "string" ? created : new Date(ctx.now).toISOString();
    const set = objectAt(props.networkRuleSet, "properties.networkRuleSet");
    if (set) {
      const defaultAction =
        set.defaultAction === undefined
          ? "Allow"
          : canonical(stringAt(set.defaultAction, "properties.networkRuleSet.defaultAction"), [
              "Allow",
              "Deny",
            ]);
      if (!defaultAction)
        throw ArmErrors.badRequest(
          `The value '${textOf(set.defaultAction)}' of 'properties.networkRuleSet.defaultAction' is invalid: use Allow or Deny.`,
        );
      const vnetIn = arrayAt(set.virtualNetworkRules, "properties.networkRuleSet.virtualNetworkRules") ?? [];
      const ipIn = arrayAt(set.ipRules, "properties.networkRuleSet.ipRules") ?? [];
      if ((vnetIn.length > 0 || ipIn.length > 0 || defaultAction === "Deny") && skuName !== "Premium") {
        throw ArmErrors.badRequest(
          `Network rules are supported only for registries in the Premium SKU; registry ${input.name} is ${skuName}.`,
        );
      }
      const limits = limitsOf(CONTAINER_REGISTRY_TYPE);
      if (vnetIn.length > limits.virtualNetworkRules)
        throw ArmErrors.badRequest(
          `At most ${limits.virtualNetworkRules} virtual network rules are allowed per registry.`,
        );
      if (ipIn.length > limits.ipRules)
        throw ArmErrors.badRequest(`At most ${limits.ipRules} IP rules are allowed per registry.`);
      const ipRules = ipIn.map((e, i) => {
        const o = isObject(e) ? e : {};
        const value = typeof o.value === "string" ? o.value.trim() : "";
        const r = parsePrefixDetailed(value);
        if (!r.ok || r.prefix.family !== 4)
          throw ArmErrors.badRequest(
            `The value '${textOf(o.value)}' at 'properties.networkRuleSet.ipRules[${i}].value' is not a valid IPv4 address or range.`,
          );
        return { ...o, value, action: "Allow" };
      });
      const stored = new Set(
        (
          (
            existing?.properties?.networkRuleSet as
              { virtualNetworkRules?: Array<{ id?: unknown }> } | undefined
          )?.virtualNetworkRules ?? []
        ).flatMap((r) => (typeof r?.id === "string" ? [idKey(r.id)] : [])),
      );
      const rules = vnetIn.map(
        (e) => ({ ...(isObject(e) ? e : {}), action: "Allow" }) as Record<string, unknown>,
      );
      await checkVnetRules(
        ctx,
        {
          resourceType: CONTAINER_REGISTRY_TYPE,
          resourceId: input.id,
          resourceRegion: location,
          action: "Microsoft.ContainerRegistry/registries/write",
          refuse: refuseWithBadRequest("registry"),
        },
        rules.map((r, i) => ({
          subnetId: r.id,
          path: `properties.networkRuleSet.virtualNetworkRules[${i}].id`,
          isNew: typeof r.id !== "string" || !stored.has(idKey(r.id)),
        })),
      );
      props.networkRuleSet = { ...set, defaultAction, virtualNetworkRules: rules, ipRules };
    }
    props.provisioningState = "Succeeded";
    return normalizeContainerRegistry(
      tracked(
        { ...input, sku: { ...(given ?? {}), name: skuName, tier: skuName } },
        existing,
        CONTAINER_REGISTRY_TYPE,
        props,
      ),
    ) as ArmResource;
  },
};
