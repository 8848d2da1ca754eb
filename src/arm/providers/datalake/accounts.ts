/**
 * Microsoft.DataLakeStore/accounts, Data Lake Store Gen1 (SE-RES-4, azure-facts §1b.7; api 2016-11-01):
 * `firewallState`, `firewallAllowAzureIps`, `firewallRules: [{ name, properties: { startIpAddress, endIpAddress } }]`,
 * `virtualNetworkRules: [{ name, properties: { subnetId } }]`. The rules are inline in the account
 * (as its GET shows them) and also served as child resources `accounts/{a}/firewallRules/{name}`
 * and `accounts/{a}/virtualNetworkRules/{name}` (children.ts: one source of truth).
 *
 * - Writes are synchronous (PUT 201/200, PATCH merge 200, child PUT 201/200, DELETE 200).
 * - VNet rules (SE-ACL-2, SE-REG-3): a new rule's subnet must carry `Microsoft.AzureActiveDirectory`
 *   (gotcha 12: Gen1 rides the AAD endpoint) and be in the account's own region; at most 100
 *   VNet rules and 100 firewall rules (SE-ACL-6).
 *
 * Limitations: the account create is an LRO in Azure (answered synchronously here); refusal
 * codes (`BadRequest`) are not confirmed by our sources; no Gen1 data plane, trusted identity
 * providers or encryption settings beyond round-tripping.
 */
import { ArmErrors, textOf } from "../../../model/errors.js";
import { compareAddress, tryParseAddress } from "../../../model/ip.js";
import type { ArmResource } from "../../../model/resources/common.js";
import {
  DATA_LAKE_STORE_FIREWALL_RULE_TYPE,
  DATA_LAKE_STORE_TYPE,
  DATA_LAKE_STORE_VNET_RULE_TYPE,
  normalizeDataLakeStoreAccount,
} from "../../../model/resources/data-lake-store.js";
import { idKey } from "../../../model/resource-id.js";
import { prepareChildren } from "../../children.js";
import type { ChildSpec, ResourceKind } from "../../kinds.js";
import { listOf, guidOf, locationFor, tracked } from "../common.js";
import { checkVnetRules, limitsOf } from "../../service-rules.js";
import { stringAt } from "../../validate.js";
import { refuseWithBadRequest } from "../messaging/namespaces.js";

export const ADLS_FIREWALL_RULES: ChildSpec = {
  segment: "firewallRules",
  type: DATA_LAKE_STORE_FIREWALL_RULE_TYPE,
  property: "firewallRules",
};
export const ADLS_VNET_RULES: ChildSpec = {
  segment: "virtualNetworkRules",
  type: DATA_LAKE_STORE_VNET_RULE_TYPE,
  property: "virtualNetworkRules",
};

function onOff(v: unknown, path: string, def: string): string {
  const text = stringAt(v, path);
  if (text === undefined) return def;
  const out = ["Enabled", "Disabled"].find((x) => x.toLowerCase() === text.trim().toLowerCase());
  if (!out)
    throw ArmErrors.badRequest(`The value '${text}' at '${path}' is invalid: use Enabled or Disabled.`);
  return out;
}

function ipv4(v: unknown, path: string): string {
  const text = typeof v === "string" ? v.trim() : "";
  const a = tryParseAddress(text);
  if (!a || a.family !== 4)
    throw ArmErrors.badRequest(`The value '${textOf(v)}' at '${path}' is not a valid IPv4 address.`);
  return text;
}

export const dataLakeStoreAccounts: ResourceKind = {
  namespace: "Microsoft.DataLakeStore",
  typeName: "accounts",
  type: DATA_LAKE_STORE_TYPE,
  lro: "sync",
  location: "required",
  children: [ADLS_FIREWALL_RULES, ADLS_VNET_RULES],
  serverOwned: [],
  patch: "merge",
  async prepare(ctx, input, existing) {
    const location = locationFor(input, existing, DATA_LAKE_STORE_TYPE);
    const props: Record<string, unknown> = { ...input.properties };
    const limits = limitsOf(DATA_LAKE_STORE_TYPE);
    for (const [k, max] of [
      ["firewallRules", limits.ipRules],
      ["virtualNetworkRules", limits.virtualNetworkRules],
    ] as const) {
      if (Array.isArray(props[k]) && (props[k] as unknown[]).length > max)
        throw ArmErrors.badRequest(`At most ${max} ${k} are allowed per account.`);
    }
    props.firewallState = onOff(props.firewallState, "properties.firewallState", "Disabled");
    props.firewallAllowAzureIps = onOff(
      props.firewallAllowAzureIps,
      "properties.firewallAllowAzureIps",
      "Disabled",
    );
    props.firewallRules = await prepareChildren(ctx, {
      parentId: input.id,
      spec: ADLS_FIREWALL_RULES,
      input: props.firewallRules,
      existingParent: existing,
      path: "properties.firewallRules",
      build: ({ name, properties }) => {
        const path = `properties.firewallRules[${name}].properties`;
        const start = ipv4(properties.startIpAddress, `${path}.startIpAddress`);
        const end = ipv4(properties.endIpAddress, `${path}.endIpAddress`);
        if (compareAddress(tryParseAddress(start)!, tryParseAddress(end)!) > 0)
          throw ArmErrors.badRequest(
            `Firewall rule ${name}: the start IP address is greater than the end IP address.`,
          );
        return { ...properties, startIpAddress: start, endIpAddress: end };
      },
    });
    const rules = await prepareChildren(ctx, {
      parentId: input.id,
      spec: ADLS_VNET_RULES,
      input: props.virtualNetworkRules,
      existingParent: existing,
      path: "properties.virtualNetworkRules",
      build: ({ properties }) => ({ ...properties }),
    });
    const stored = new Set(
      listOf(existing, "virtualNetworkRules").flatMap((r) =>
        typeof r.properties?.subnetId === "string" ? [idKey(r.properties.subnetId)] : [],
      ),
    );
    await checkVnetRules(
      ctx,
      {
        resourceType: DATA_LAKE_STORE_TYPE,
        resourceId: input.id,
        resourceRegion: location,
        action: "Microsoft.DataLakeStore/accounts/write",
        refuse: refuseWithBadRequest("Data Lake Store account"),
      },
      rules.map((r) => ({
        subnetId: r.properties.subnetId,
        path: `properties.virtualNetworkRules[${r.name}].properties.subnetId`,
        isNew: typeof r.properties.subnetId !== "string" || !stored.has(idKey(r.properties.subnetId)),
      })),
    );
    props.virtualNetworkRules = rules;
    for (const k of [
      "endpoint",
      "accountId",
      "creationTime",
      "lastModifiedTime",
      "provisioningState",
      "state",
    ])
      delete props[k];
    props.accountId = guidOf(ctx, existing, "accountId");
    const created = existing?.properties?.creationTime;
    props.creationTime = typeof created === "string" ? created : new Date(ctx.now).toISOString();
    props.lastModifiedTime = new Date(ctx.now).toISOString();
    return normalizeDataLakeStoreAccount(
      tracked(input, existing, DATA_LAKE_STORE_TYPE, props),
    ) as ArmResource;
  },
};
