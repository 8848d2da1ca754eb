/**
 * Microsoft.Storage/storageAccounts (SE-RES-4, azure-facts §1b.1) with `properties.networkAcls`:
 * `{ bypass, virtualNetworkRules: [{ id, action, state }], ipRules: [{ value, action }], defaultAction }`.
 *
 * - Create answers 202 with an empty body and `Location: .../locations/{loc}/asyncoperations/{id}?monitor=true`;
 *   that URL answers 202 until done, then 200 with the account (real-clients §1.2). A PUT on an
 *   existing account, PATCH and DELETE are synchronous (200).
 * - Defaults as a new account shows them: `networkAcls` `{ bypass: AzureServices, [], [], Allow }`,
 *   `primaryEndpoints` for the kind, `primaryLocation`, `secondaryLocation` (the pair) for geo SKUs,
 *   `statusOf*`, `creationTime`, `provisioningState`. A PUT that omits `networkAcls` keeps the stored ones.
 * - PATCH merges, except `networkAcls`, which it replaces whole (what `az storage account
 *   network-rule add` and the SDKs send).
 * - VNet rules (SE-ACL-2, SE-REG-2): a new rule's subnet must carry `Microsoft.Storage` and not be
 *   `Updating`, and sit in the account's region or its pair, else `NetworkAclsValidationFailure`
 *   with the network RP's sentence. A rule already stored for the subnet keeps its `state`
 *   (`networkSourceDeleted` stays until the rule is removed and added again: SE-ACL-8).
 * - IP rules (SE-ACL-5): public IPv4 addresses or ranges only; RFC 1918 ranges, `/31`, `/32`,
 *   IPv6 and malformed values answer `InvalidValuesForRequestParameters` naming
 *   `networkAcls.ipRule[*].value`. More than 200 rules of either kind: the same code (SE-ACL-6).
 *
 * Limitations: `encryption`, `accessTier` changes, keys, custom domains and the newer
 * `resourceAccessRules` / `ipv6Rules` round-trip without effect; no `checkNameAvailability`
 * (names need only be unique per resource group); no async failure through the Location poll
 * (every refusal is synchronous, which Azure also does for network ACLs).
 */
import { ArmErrors, type ArmError } from "../../../model/errors.js";
import { isPrivateV4, parsePrefixDetailed } from "../../../model/ip.js";
import type { ArmResource } from "../../../model/resources/common.js";
import {
  STORAGE_ACCOUNT_TYPE,
  defaultStorageNetworkAcls,
  normalizeStorageAccount,
  type StorageNetworkAcls,
  type StorageVirtualNetworkRule,
} from "../../../model/resources/storage-account.js";
import { idKey } from "../../../model/resource-id.js";
import type { Ctx } from "../../context.js";
import { isObject } from "../../documents.js";
import type { ResourceKind } from "../../kinds.js";
import { serveService } from "../../service-pipeline.js";
import { checkVnetRules, limitsOf, regionSentence, type RuleRefusal } from "../../service-rules.js";
import { arrayAt, objectAt, stringAt } from "../../validate.js";
import { locationFor, tracked } from "../common.js";

export const STORAGE_SKUS = [
  "Standard_LRS",
  "Standard_GRS",
  "Standard_RAGRS",
  "Standard_ZRS",
  "Premium_LRS",
  "Premium_ZRS",
  "Standard_GZRS",
  "Standard_RAGZRS",
] as const;
export const STORAGE_KINDS = [
  "Storage",
  "StorageV2",
  "BlobStorage",
  "FileStorage",
  "BlockBlobStorage",
] as const;
const BYPASS_PARTS = ["None", "Logging", "Metrics", "AzureServices"] as const;
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
/** Properties the RP computes: never taken from a request. */
const COMPUTED = [
  "primaryEndpoints",
  "secondaryEndpoints",
  "primaryLocation",
  "secondaryLocation",
  "statusOfPrimary",
  "statusOfSecondary",
  "provisioningState",
  "creationTime",
];

function canonical<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  return allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
}

function invalid(parameter: string): ArmError {
  return ArmErrors.invalidValuesForRequestParameters(parameter);
}

/** Storage's words for a refused VNet rule. */
export function refuseStorageRule(r: RuleRefusal): ArmError {
  switch (r.kind) {
    case "malformed":
      return invalid("networkAcls.virtualNetworkRules[*].id");
    case "nrp":
      return ArmErrors.networkAclsValidationFailure(`${r.code}:${r.message}`);
    case "region":
      return ArmErrors.networkAclsValidationFailure(
        `SubnetsNotInAccountRegionOrPairedRegion:${regionSentence(r, "storage account")}`,
      );
  }
}

/** True for the IP rule forms Storage refuses: RFC 1918, /31, /32, IPv6, malformed or host bits set (SE-ACL-5). */
export function isRefusedStorageIpRule(value: unknown): boolean {
  if (typeof value !== "string") return true;
  const text = value.trim();
  const r = parsePrefixDetailed(text);
  if (!r.ok) return true;
  if (r.prefix.family !== 4) return true;
  if (text.includes("/") && r.prefix.length >= 31) return true;
  return isPrivateV4(r.prefix);
}

function bypassOf(v: unknown): string {
  const text = stringAt(v, "properties.networkAcls.bypass");
  if (text === undefined) return "AzureServices";
  const parts = text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const out = parts.map(
    (p) =>
      canonical(p, BYPASS_PARTS) ??
      (() => {
        throw invalid("networkAcls.bypass");
      })(),
  );
  if (out.length === 0) throw invalid("networkAcls.bypass");
  if (out.includes("None") && out.length > 1) throw invalid("networkAcls.bypass");
  return [...new Set(out)].join(", ");
}

/** Validates and normalizes `networkAcls` of a write; `previous` = the stored ones (rule states are kept from them). */
export async function prepareStorageAcls(
  ctx: Ctx,
  account: { id: string; location: string },
  raw: Record<string, unknown>,
  previous: StorageNetworkAcls | undefined,
): Promise<StorageNetworkAcls> {
  const defaultActionText = stringAt(raw.defaultAction, "properties.networkAcls.defaultAction");
  const defaultAction =
    defaultActionText === undefined ? "Allow" : canonical(defaultActionText, ["Allow", "Deny"] as const);
  if (!defaultAction) throw invalid("networkAcls.defaultAction");
  const bypass = bypassOf(raw.bypass);
  const vnetIn = arrayAt(raw.virtualNetworkRules, "properties.networkAcls.virtualNetworkRules") ?? [];
  const ipIn = arrayAt(raw.ipRules, "properties.networkAcls.ipRules") ?? [];
  const limits = limitsOf(STORAGE_ACCOUNT_TYPE);
  if (vnetIn.length > limits.virtualNetworkRules) throw invalid("networkAcls.virtualNetworkRules[]");
  if (ipIn.length > limits.ipRules) throw invalid("networkAcls.ipRules[]");

  const ipRules = ipIn.map((e) => {
    const o = isObject(e) ? e : {};
    if (isRefusedStorageIpRule(o.value)) throw invalid("networkAcls.ipRule[*].value");
    if (
      o.action !== undefined &&
      o.action !== null &&
      canonical(String(o.action), ["Allow"] as const) === undefined
    )
      throw invalid("networkAcls.ipRule[*].action");
    return { ...o, value: String(o.value).trim(), action: "Allow" };
  });

  const stored = new Map<string, string>();
  for (const r of previous?.virtualNetworkRules ?? [])
    if (typeof r?.id === "string") stored.set(idKey(r.id), String(r.state ?? "succeeded"));
  const seen = new Set<string>();
  const rules: StorageVirtualNetworkRule[] = [];
  const inputs = vnetIn.map((e, i) => {
    const o = isObject(e) ? e : {};
    if (
      o.action !== undefined &&
      o.action !== null &&
      canonical(String(o.action), ["Allow"] as const) === undefined
    ) {
      throw invalid("networkAcls.virtualNetworkRules[*].action");
    }
    return { o, path: `properties.networkAcls.virtualNetworkRules[${i}].id` };
  });
  await checkVnetRules(
    ctx,
    {
      resourceType: STORAGE_ACCOUNT_TYPE,
      resourceId: account.id,
      resourceRegion: account.location,
      action: "Microsoft.Storage/storageAccounts/write",
      refuse: refuseStorageRule,
    },
    inputs.map(({ o, path }) => ({
      subnetId: o.id,
      path,
      isNew: typeof o.id !== "string" || !stored.has(idKey(o.id)),
    })),
  );
  for (const { o } of inputs) {
    const id = o.id as string;
    if (seen.has(idKey(id))) continue;
    seen.add(idKey(id));
    rules.push({ ...o, id, action: "Allow", state: stored.get(idKey(id)) ?? "succeeded" });
  }
  const { bypass: _b, defaultAction: _d, virtualNetworkRules: _v, ipRules: _i, ...rest } = raw;
  return { ...rest, bypass, virtualNetworkRules: rules, ipRules, defaultAction };
}

function skuOf(input: ArmResource, existing: ArmResource | undefined): { name: string; tier: string } {
  const sku = objectAt(input.sku, "sku");
  const text = stringAt(sku?.name, "sku.name") ?? existing?.sku?.name;
  if (text === undefined)
    throw ArmErrors.invalidRequestFormat("Cannot parse the request. The value at 'sku.name' is required.");
  const name = canonical(text, STORAGE_SKUS);
  if (!name)
    throw ArmErrors.invalidParameter(
      `The value '${text}' is not allowed for 'sku.name'. Allowed values: ${STORAGE_SKUS.join(", ")}.`,
      "sku.name",
    );
  return { name, tier: name.startsWith("Premium") ? "Premium" : "Standard" };
}

function kindOf(input: ArmResource, existing: ArmResource | undefined): string {
  const text = stringAt(input.kind, "kind") ?? existing?.kind;
  if (text === undefined)
    throw ArmErrors.invalidRequestFormat("Cannot parse the request. The value at 'kind' is required.");
  const kind = canonical(text, STORAGE_KINDS);
  if (!kind)
    throw ArmErrors.invalidParameter(
      `The value '${text}' is not allowed for 'kind'. Allowed values: ${STORAGE_KINDS.join(", ")}.`,
      "kind",
    );
  return kind;
}

export const storageAccounts: ResourceKind = {
  namespace: "Microsoft.Storage",
  typeName: "storageAccounts",
  type: STORAGE_ACCOUNT_TYPE,
  lro: "storage",
  location: "required",
  children: [],
  serverOwned: [],
  patch: "merge",
  createdStatus: 200,
  async prepare(ctx, input, existing) {
    if (!existing && !ACCOUNT_NAME.test(input.name)) throw ArmErrors.accountNameInvalid(input.name);
    const location = locationFor(input, existing, STORAGE_ACCOUNT_TYPE);
    const sku = skuOf(input, existing);
    const kind = kindOf(input, existing);
    const props: Record<string, unknown> = { ...input.properties };
    for (const k of COMPUTED) delete props[k];
    const rawAcls = objectAt(props.networkAcls, "properties.networkAcls");
    const previous = existing?.properties?.networkAcls as StorageNetworkAcls | undefined;
    props.networkAcls = rawAcls
      ? await prepareStorageAcls(ctx, { id: input.id, location }, rawAcls, previous)
      : (previous ?? defaultStorageNetworkAcls());
    const created = existing?.properties?.creationTime;
    props.creationTime = typeof created === "string" ? created : new Date(ctx.now).toISOString();
    const r = tracked({ ...input, sku, kind }, existing, STORAGE_ACCOUNT_TYPE, props);
    return normalizeStorageAccount(r) as ArmResource;
  },
};
storageAccounts.serve = serveService({ answer: "storage", replaceOnPatch: ["networkAcls"] });
