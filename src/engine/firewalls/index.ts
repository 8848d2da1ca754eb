/**
 * Service firewalls: each lockable service's own decision on one request, with its real
 * data-plane refusal and the smallest fixes (SE-ACL-1, 5, 7, 8, 9; SE-SRC-2, 3, 5; SE-ONP-1, 2;
 * SE-SCN-4). Pure: no I/O, no clock.
 *
 * @example
 * ```ts
 * const r = evaluateFirewall({
 *   resource: normalizeStorageAccount({ id, name: "acct", type: "Microsoft.Storage/storageAccounts",
 *     location: "westus", properties: { networkAcls: { defaultAction: "Deny", bypass: "None",
 *     virtualNetworkRules: [{ id: subnet1 }] } } }),
 *   children: [], sourceAddress: parseAddress("10.0.1.4"), subnetId: subnet1,
 *   subnetHasEndpoint: () => true, fromAzure: true, sameRegionAzure: true, trustedService: false, purpose: "rest",
 * });
 * // r.allowed === true, r.rule === "networkAcls.virtualNetworkRules[0]"
 * ```
 */
import { serviceKindOf } from "../../model/catalog/service-kinds.js";
import { evaluateStorageFirewall } from "./storage.js";
import { evaluateSqlFirewall } from "./sql.js";
import { evaluateCosmosFirewall } from "./cosmos.js";
import { evaluateKeyVaultFirewall } from "./key-vault.js";
import { evaluateMessagingFirewall } from "./messaging.js";
import { evaluateDataLakeStoreFirewall } from "./data-lake-store.js";
import { evaluateContainerRegistryFirewall } from "./container-registry.js";
import type { FirewallInput, FirewallResult } from "./types.js";
import type { ArmResource } from "../../model/resources/common.js";
import { CompiledFirewall, type FirewallPolicy } from "./common.js";
import { storageFirewallPolicy } from "./storage.js";
import { sqlFirewallPolicy } from "./sql.js";
import { cosmosFirewallPolicy } from "./cosmos.js";
import { keyVaultFirewallPolicy } from "./key-vault.js";
import { messagingFirewallPolicy } from "./messaging.js";
import { dataLakeStoreFirewallPolicy } from "./data-lake-store.js";
import { containerRegistryFirewallPolicy } from "./container-registry.js";

export type { FirewallInput, FirewallFix, FirewallResult } from "./types.js";
export { CompiledFirewall } from "./common.js";
export type { FirewallVerdict } from "./common.js";
export { evaluateStorageFirewall, STORAGE_FIREWALL_ERROR } from "./storage.js";
export { evaluateSqlFirewall, sqlFirewallError } from "./sql.js";
export { evaluateCosmosFirewall } from "./cosmos.js";
export { evaluateKeyVaultFirewall, ANONYMOUS_KEY_VAULT_CALLER } from "./key-vault.js";
export {
  evaluateMessagingFirewall,
  MESSAGING_FIREWALL_ERROR,
  MESSAGING_FIREWALL_MESSAGE,
} from "./messaging.js";
import { textOf } from "../../model/errors.js";
export { evaluateDataLakeStoreFirewall } from "./data-lake-store.js";
export { evaluateContainerRegistryFirewall } from "./container-registry.js";

/** The service's firewall decision for one request; a resource type without a firewall admits. */
export function evaluateFirewall(input: FirewallInput): FirewallResult {
  const kind = serviceKindOf(textOf(input.resource?.type ?? ""));
  switch (kind?.flavor) {
    case "storage":
      return evaluateStorageFirewall(input);
    case "sql":
    case "postgresql":
    case "mysql":
    case "mariadb":
      return evaluateSqlFirewall(input);
    case "cosmos":
      return evaluateCosmosFirewall(input);
    case "keyvault":
      return evaluateKeyVaultFirewall(input);
    case "servicebus":
    case "eventhub":
      return evaluateMessagingFirewall(input);
    case "datalakestore":
      return evaluateDataLakeStoreFirewall(input);
    case "containerregistry":
      return evaluateContainerRegistryFirewall(input);
    case undefined:
      return {
        allowed: true,
        detail: `${textOf(input.resource?.type ?? "this resource")} has no service firewall`,
        fixes: [],
      };
  }
}

/** A resource's firewall as a policy (undefined: the resource type has no firewall). */
function policyOf(resource: ArmResource, children: readonly ArmResource[]): FirewallPolicy | undefined {
  const kind = serviceKindOf(textOf(resource?.type ?? ""));
  switch (kind?.flavor) {
    case "storage":
      return storageFirewallPolicy(resource);
    case "sql":
    case "postgresql":
    case "mysql":
    case "mariadb":
      return sqlFirewallPolicy(resource, children);
    case "cosmos":
      return cosmosFirewallPolicy(resource);
    case "keyvault":
      return keyVaultFirewallPolicy(resource);
    case "servicebus":
    case "eventhub":
      return messagingFirewallPolicy(resource, children);
    case "datalakestore":
      return dataLakeStoreFirewallPolicy(resource, children);
    case "containerregistry":
      return containerRegistryFirewallPolicy(resource);
    case undefined:
      return undefined;
  }
}

/**
 * Compiles a resource's firewall once, for many requests: rules parsed and indexed, no text
 * built until a verdict is rendered. The resource and its children must not change afterwards
 * (the engine compiles the immutable resources of a snapshot). Undefined: no firewall (admits).
 * `evaluateFirewall(input)` ≡ `c.render(input, c.check(input))` for `c = compileFirewall(…)`.
 */
export function compileFirewall(
  resource: ArmResource,
  children: readonly ArmResource[],
): CompiledFirewall | undefined {
  const policy = policyOf(resource, children);
  return policy ? new CompiledFirewall(policy) : undefined;
}

/** What `evaluateFirewall` answers for a resource type without a firewall. */
export function noFirewallResult(resource: ArmResource): FirewallResult {
  return {
    allowed: true,
    detail: `${textOf(resource?.type ?? "this resource")} has no service firewall`,
    fixes: [],
  };
}
