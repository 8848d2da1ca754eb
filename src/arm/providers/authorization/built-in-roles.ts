/**
 * The built-in role definitions Lazurite serves, with Azure's real ids, descriptions,
 * actions and notActions (Microsoft Learn, "Azure built-in roles": Privileged, Networking,
 * Storage, Databases and Security categories). Every built-in is assignable at every scope
 * (`assignableScopes: ["/"]`).
 */
import type { Permission } from "../../rbac.js";

export interface BuiltInRole {
  /** The role definition GUID (its `name`). */
  id: string;
  roleName: string;
  description: string;
  permissions: readonly Permission[];
}

function role(
  id: string,
  roleName: string,
  description: string,
  actions: string[],
  notActions: string[] = [],
): BuiltInRole {
  return {
    id,
    roleName,
    description,
    permissions: [{ actions, notActions, dataActions: [], notDataActions: [] }],
  };
}

export const OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
export const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
export const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
export const NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7";
export const STORAGE_ACCOUNT_CONTRIBUTOR = "17d1049b-9a84-46fb-8f53-869881c3d3ab";
export const SQL_SERVER_CONTRIBUTOR = "6d8ee4ec-f05a-4a1d-8b00-a9b17e38b437";
export const KEY_VAULT_CONTRIBUTOR = "f25e0fa2-a7c8-4377-a976-54943a77a395";
export const USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";

export const BUILT_IN_ROLES: readonly BuiltInRole[] = [
  role(
    OWNER,
    "Owner",
    "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    ["*"],
  ),
  role(
    CONTRIBUTOR,
    "Contributor",
    "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    ["*"],
    [
      "Microsoft.Authorization/*/Delete",
      "Microsoft.Authorization/*/Write",
      "Microsoft.Authorization/elevateAccess/Action",
      "Microsoft.Blueprint/blueprintAssignments/write",
      "Microsoft.Blueprint/blueprintAssignments/delete",
      "Microsoft.Compute/galleries/share/action",
      "Microsoft.Purview/consents/write",
      "Microsoft.Purview/consents/delete",
      "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
      "Microsoft.Subscription/cancel/action",
      "Microsoft.Subscription/enable/action",
    ],
  ),
  role(READER, "Reader", "View all resources, but does not allow you to make any changes.", ["*/read"]),
  role(NETWORK_CONTRIBUTOR, "Network Contributor", "Lets you manage networks, but not access to them.", [
    "Microsoft.Authorization/*/read",
    "Microsoft.Insights/alertRules/*",
    "Microsoft.Network/*",
    "Microsoft.ResourceHealth/availabilityStatuses/read",
    "Microsoft.Resources/deployments/*",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Support/*",
  ]),
  role(
    STORAGE_ACCOUNT_CONTRIBUTOR,
    "Storage Account Contributor",
    "Permits management of storage accounts. Provides access to the account key, which can be used to access data via Shared Key authorization.",
    [
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Insights/diagnosticSettings/*",
      "Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action",
      "Microsoft.ResourceHealth/availabilityStatuses/read",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Storage/storageAccounts/*",
      "Microsoft.Support/*",
    ],
  ),
  role(
    SQL_SERVER_CONTRIBUTOR,
    "SQL Server Contributor",
    "Lets you manage SQL servers and databases, but not access to them, and not their security -related policies.",
    [
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.ResourceHealth/availabilityStatuses/read",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Sql/locations/*/read",
      "Microsoft.Sql/servers/*",
      "Microsoft.Support/*",
      "Microsoft.Insights/metrics/read",
      "Microsoft.Insights/metricDefinitions/read",
    ],
    [
      "Microsoft.Sql/managedInstances/databases/currentSensitivityLabels/*",
      "Microsoft.Sql/managedInstances/databases/recommendedSensitivityLabels/*",
      "Microsoft.Sql/managedInstances/databases/schemas/tables/columns/sensitivityLabels/*",
      "Microsoft.Sql/managedInstances/databases/securityAlertPolicies/*",
      "Microsoft.Sql/managedInstances/databases/sensitivityLabels/*",
      "Microsoft.Sql/managedInstances/databases/vulnerabilityAssessments/*",
      "Microsoft.Sql/managedInstances/securityAlertPolicies/*",
      "Microsoft.Sql/managedInstances/vulnerabilityAssessments/*",
      "Microsoft.Sql/servers/auditingSettings/*",
      "Microsoft.Sql/servers/databases/auditingSettings/*",
      "Microsoft.Sql/servers/databases/auditRecords/read",
      "Microsoft.Sql/servers/databases/currentSensitivityLabels/*",
      "Microsoft.Sql/servers/databases/dataMaskingPolicies/*",
      "Microsoft.Sql/servers/databases/extendedAuditingSettings/*",
      "Microsoft.Sql/servers/databases/recommendedSensitivityLabels/*",
      "Microsoft.Sql/servers/databases/schemas/tables/columns/sensitivityLabels/*",
      "Microsoft.Sql/servers/databases/securityAlertPolicies/*",
      "Microsoft.Sql/servers/databases/securityMetrics/*",
      "Microsoft.Sql/servers/databases/sensitivityLabels/*",
      "Microsoft.Sql/servers/databases/vulnerabilityAssessments/*",
      "Microsoft.Sql/servers/databases/vulnerabilityAssessmentScans/*",
      "Microsoft.Sql/servers/databases/vulnerabilityAssessmentSettings/*",
      "Microsoft.Sql/servers/devOpsAuditingSettings/*",
      "Microsoft.Sql/servers/extendedAuditingSettings/*",
      "Microsoft.Sql/servers/securityAlertPolicies/*",
      "Microsoft.Sql/servers/vulnerabilityAssessments/*",
      "Microsoft.Sql/servers/azureADOnlyAuthentications/delete",
      "Microsoft.Sql/servers/azureADOnlyAuthentications/write",
      "Microsoft.Sql/servers/externalPolicyBasedAuthorizations/delete",
      "Microsoft.Sql/servers/externalPolicyBasedAuthorizations/write",
    ],
  ),
  role(
    KEY_VAULT_CONTRIBUTOR,
    "Key Vault Contributor",
    "Lets you manage key vaults, but not access to them.",
    [
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.KeyVault/*",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Support/*",
    ],
    [
      "Microsoft.KeyVault/locations/deletedVaults/purge/action",
      "Microsoft.KeyVault/hsmPools/*",
      "Microsoft.KeyVault/managedHsms/*",
    ],
  ),
  role(
    USER_ACCESS_ADMINISTRATOR,
    "User Access Administrator",
    "Lets you manage user access to Azure resources.",
    ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
  ),
];

const byId = new Map(BUILT_IN_ROLES.map((r) => [r.id, r]));

export function builtInRole(id: string): BuiltInRole | undefined {
  return byId.get(id.toLowerCase());
}

export function builtInRoleByName(roleName: string): BuiltInRole | undefined {
  const want = roleName.toLowerCase();
  return BUILT_IN_ROLES.find((r) => r.roleName.toLowerCase() === want);
}
