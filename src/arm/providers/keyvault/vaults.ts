/**
 * Microsoft.KeyVault/vaults (SE-RES-4, azure-facts §1b.5; createVaultWithNetworkAcls.json):
 * `properties.networkAcls = { defaultAction, bypass, ipRules: [{ value }], virtualNetworkRules: [{ id, ignoreMissingVnetServiceEndpoint? }] }`.
 *
 * - PUT answers synchronously (201 create / 200 update) with the vault; PATCH merges
 *   (`vaults.update`); DELETE 200.
 * - The vault's normalisations: a bare IPv4 address is stored and echoed as `/32`, subnet ids
 *   come back lower-cased (terraform-provider-azurerm#2164).
 * - VNet rules: a new rule's subnet must carry `Microsoft.KeyVault` (unless
 *   `ignoreMissingVnetServiceEndpoint`) and not be Updating — on every write, even with
 *   `defaultAction: Allow` — else 400 `VirtualNetworkNotValid` quoting the network RP (SE-ACL-2).
 *   Any region (SE-REG-4).
 * - IP rules (SE-ACL-5): a private (RFC 1918) value answers 400 `BadRequest` "Invalid value found at
 *   properties.networkAcls.ipRules[i].value: {v} belongs to forbidden range 10.0.0.0–10.255.255.255
 *   (private IP addresses)"; malformed values likewise (our wording). At most 127 VNet rules and
 *   127 IP rules (SE-ACL-6).
 *
 * Limitations: access policies, soft delete and purge protection round-trip without effect; the
 * limits' refusal wording is ours.
 */
import { ArmErrors, type ArmError, textOf } from "../../../model/errors.js";
import {
  formatAddress,
  parsePrefixDetailed,
  privateRangeOf,
  lastAddress,
  addressV4,
} from "../../../model/ip.js";
import {
  KEY_VAULT_TYPE,
  normalizeKeyVault,
  normalizeKeyVaultIpValue,
} from "../../../model/resources/key-vault.js";
import type { ArmResource } from "../../../model/resources/common.js";
import { idKey } from "../../../model/resource-id.js";
import { isObject } from "../../documents.js";
import type { ResourceKind } from "../../kinds.js";
import { checkVnetRules, limitsOf, type RuleRefusal } from "../../service-rules.js";
import { arrayAt, boolAt, objectAt, stringAt } from "../../validate.js";
import { locationFor, tracked } from "../common.js";

function canonical(value: string | undefined, allowed: readonly string[]): string | undefined {
  return value === undefined
    ? undefined
    : allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
}

/** Key Vault's words for a refused VNet rule. */
export function refuseVaultRule(r: RuleRefusal): ArmError {
  switch (r.kind) {
    case "malformed":
      return ArmErrors.linkedInvalidPropertyId(r.path, r.id);
    case "nrp":
      return ArmErrors.virtualNetworkNotValid(r.code, r.message);
    case "region":
      return ArmErrors.virtualNetworkNotValid(
        "InvalidRegion",
        `Subnet ${r.subnet.id} is not in an allowed region.`,
      );
  }
}

/** `10.0.0.0–10.255.255.255` for the RFC 1918 range a prefix falls in. */
function rangeText(p: NonNullable<ReturnType<typeof privateRangeOf>>): string {
  return `${formatAddress(addressV4(p.base))}–${formatAddress(lastAddress(p))}`;
}

function ipRuleValue(value: unknown, index: number): string {
  const path = `properties.networkAcls.ipRules[${index}].value`;
  const text = typeof value === "string" ? value.trim() : String(value);
  const r = parsePrefixDetailed(text);
  if (!r.ok || r.prefix.family !== 4) {
    throw ArmErrors.badRequest(
      `Invalid value found at ${path}: ${text} is not a valid IPv4 address or CIDR range.`,
    );
  }
  const range = privateRangeOf(r.prefix);
  if (range)
    throw ArmErrors.badRequest(
      `Invalid value found at ${path}: ${text} belongs to forbidden range ${rangeText(range)} (private IP addresses)`,
    );
  return normalizeKeyVaultIpValue(text);
}

export const vaults: ResourceKind = {
  namespace: "Microsoft.KeyVault",
  typeName: "vaults",
  type: KEY_VAULT_TYPE,
  lro: "sync",
  location: "required",
  children: [],
  serverOwned: [],
  patch: "merge",
  async prepare(ctx, input, existing) {
    const location = locationFor(input, existing, KEY_VAULT_TYPE);
    const props: Record<string, unknown> = { ...input.properties };
    const tenantId = stringAt(props.tenantId, "properties.tenantId");
    if (!tenantId)
      throw ArmErrors.invalidRequestFormat(
        "Cannot parse the request. The value at 'properties.tenantId' is required.",
      );
    const sku = objectAt(props.sku, "properties.sku");
    const skuName = canonical(stringAt(sku?.name, "properties.sku.name"), ["standard", "premium"]);
    if (!sku || !skuName)
      throw ArmErrors.invalidRequestFormat(
        "Cannot parse the request. The value at 'properties.sku.name' must be 'standard' or 'premium'.",
      );
    props.sku = { ...sku, family: "A", name: skuName };
    props.accessPolicies ??= [];
    delete props.vaultUri;
    const acls = objectAt(props.networkAcls, "properties.networkAcls");
    if (acls) {
      const defaultAction =
        acls.defaultAction === undefined
          ? "Allow"
          : canonical(stringAt(acls.defaultAction, "properties.networkAcls.defaultAction"), [
              "Allow",
              "Deny",
            ]);
      const bypass =
        acls.bypass === undefined
          ? "AzureServices"
          : canonical(stringAt(acls.bypass, "properties.networkAcls.bypass"), ["AzureServices", "None"]);
      if (!defaultAction)
        throw ArmErrors.badRequest(
          `Invalid value found at properties.networkAcls.defaultAction: ${textOf(acls.defaultAction)}`,
        );
      if (!bypass)
        throw ArmErrors.badRequest(
          `Invalid value found at properties.networkAcls.bypass: ${textOf(acls.bypass)}`,
        );
      const ipIn = arrayAt(acls.ipRules, "properties.networkAcls.ipRules") ?? [];
      const vnetIn = arrayAt(acls.virtualNetworkRules, "properties.networkAcls.virtualNetworkRules") ?? [];
      const limits = limitsOf(KEY_VAULT_TYPE);
      if (vnetIn.length > limits.virtualNetworkRules) {
        throw ArmErrors.badRequest(
          `The vault has ${vnetIn.length} virtual network rules; at most ${limits.virtualNetworkRules} are allowed.`,
        );
      }
      if (ipIn.length > limits.ipRules)
        throw ArmErrors.badRequest(
          `The vault has ${ipIn.length} IP rules; at most ${limits.ipRules} are allowed.`,
        );
      const ipRules = ipIn.map((e, i) => ({
        ...(isObject(e) ? e : {}),
        value: ipRuleValue(isObject(e) ? e.value : e, i),
      }));
      const stored = new Set(
        (
          (existing?.properties?.networkAcls as { virtualNetworkRules?: Array<{ id?: unknown }> } | undefined)
            ?.virtualNetworkRules ?? []
        ).flatMap((r) => (typeof r?.id === "string" ? [idKey(r.id)] : [])),
      );
      const rules = vnetIn.map((e, i) => {
        const o = isObject(e) ? { ...e } : {};
        const flag = boolAt(
          o.ignoreMissingVnetServiceEndpoint,
          `properties.networkAcls.virtualNetworkRules[${i}].ignoreMissingVnetServiceEndpoint`,
        );
        return { o, flag: flag ?? false, path: `properties.networkAcls.virtualNetworkRules[${i}].id` };
      });
      await checkVnetRules(
        ctx,
        {
          resourceType: KEY_VAULT_TYPE,
          resourceId: input.id,
          resourceRegion: location,
          action: "Microsoft.KeyVault/vaults/write",
          refuse: refuseVaultRule,
        },
        rules.map((r) => ({
          subnetId: r.o.id,
          path: r.path,
          ignoreMissingEndpoint: r.flag,
          isNew: typeof r.o.id !== "string" || !stored.has(idKey(r.o.id)),
        })),
      );
      props.networkAcls = {
        ...acls,
        defaultAction,
        bypass,
        ipRules,
        virtualNetworkRules: rules.map((r) => r.o),
      };
    }
    props.provisioningState = "Succeeded";
    return normalizeKeyVault(tracked(input, existing, KEY_VAULT_TYPE, props)) as ArmResource;
  },
};
