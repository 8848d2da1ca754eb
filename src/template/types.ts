/**
 * The interface between the template evaluator and its callers (the deployments API, the CLI).
 */

export interface DeploymentScope {
  tenantId: string;
  /** subscription(): subscriptionId, displayName, tenantId, id */
  subscriptionId: string;
  /** Absent for subscription-scope deployments. */
  resourceGroup?: string;
  /** resourceGroup().location */
  resourceGroupLocation?: string;
  /** resourceGroup().id (derived from subscriptionId and resourceGroup when absent) */
  resourceGroupId?: string;
  /** deployment().name */
  deploymentName: string;
  /** deployment().location (subscription scope) */
  location?: string;
  /** subscription().displayName (defaults to the subscription id) */
  subscriptionDisplayName?: string;
}

export interface EvalHost {
  /** ISO 8601 UTC, for utcNow() (only allowed in parameter defaults, as ARM). */
  now(): string;
  /** For newGuid() (only allowed in parameter defaults, as ARM). */
  newGuid(): string;
  /** Current state of a resource as ARM's GET returns it (the full envelope), or undefined when absent. */
  getResource(resourceId: string, apiVersion?: string): unknown;
  /** list* actions (listKeys, listConnectionStrings, ...): the action's response, or undefined if unsupported. */
  list?(resourceId: string, functionName: string, apiVersion: string, body?: unknown): unknown;
  /** deployer(): the deploying principal (optional; absent = the function is refused). */
  deployer?(): { objectId: string; tenantId: string; userPrincipalName?: string } | undefined;
  /** Microsoft.KeyVault secret references in parameter files; undefined = not found. */
  keyVaultSecret?(vaultId: string, secretName: string, secretVersion?: string): string | undefined;
}

export interface PlannedResource {
  /** Stable key: symbolic name (languageVersion 2.0, `name[i]` in a copy loop) or the resource id. */
  key: string;
  symbolicName?: string;
  /** Full ARM id (subscription/resource group of its own scope). */
  id: string;
  /** Full type, e.g. Microsoft.Network/virtualNetworks/subnets */
  type: string;
  /** Full name, e.g. vnet1/subnet1 */
  name: string;
  apiVersion: string;
  /** languageVersion 2.0 `existing` */
  existing: boolean;
  /** Keys of other PlannedResources: explicit dependsOn plus the implicit ones ARM infers. */
  dependsOn: string[];
  copy?: { name: string; index: number; mode: "serial" | "parallel"; batchSize?: number };
  scope: { subscriptionId: string; resourceGroup?: string };
  /** Type Microsoft.Resources/deployments */
  nestedDeployment: boolean;
  /** Template source position (line/column) when known, for error messages. */
  position?: { line: number; column: number };
}

export interface EvaluatedResource {
  /** The body to PUT: everything except id/type/name/apiVersion/dependsOn/copy/condition/comments. */
  body: Record<string, unknown>;
}

export interface TypedValue {
  type: string;
  value: unknown;
}

export interface PreparedDeployment {
  /** Validated, defaults applied; secure values kept, their type says SecureString/SecureObject. */
  parameters: Record<string, TypedValue>;
  /** After condition evaluation and copy expansion (condition=false ones removed). */
  resources: PlannedResource[];
  /** Waves in dependency order; each wave's resources are independent of each other. */
  order(): PlannedResource[][];
  /** A planned resource's body; reference()/list*() go to the host. */
  evaluate(resource: PlannedResource, host: EvalHost): EvaluatedResource;
  /** A nested Microsoft.Resources/deployments with an inline template. */
  nested(
    resource: PlannedResource,
    host: EvalHost,
  ): {
    deployment: PreparedDeployment;
    mode: "Incremental" | "Complete";
    name: string;
    scope: DeploymentScope;
  };
  outputs(host: EvalHost): Record<string, TypedValue>;
  /** The template's target scope, from its $schema. */
  targetScope: "resourceGroup" | "subscription" | "managementGroup" | "tenant";
}

export interface PrepareOptions {
  /** What-if: an expression whose reference() target does not exist yet stays as its source text. */
  lenient?: boolean;
  /** Source positions of the template's objects (from parseJsonWithPositions). */
  positions?: WeakMap<object, { line: number; column: number }>;
}
