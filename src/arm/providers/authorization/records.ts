/**
 * What Microsoft.Authorization and the directory keep in the store:
 *
 * - principals (service principals and users) of a tenant: `/tenants/{t}/principals/{oid}`,
 *   type `lazurite/principals`, parent = the tenant's key. Credentials are stored as the
 *   identity module hashed them; nothing here reads them.
 * - role assignments: keyed by their lower-cased id (`{scope}/providers/Microsoft.Authorization/
 *   roleAssignments/{name}`), type `lazurite/roleassignments`, subscription column = the
 *   scope's subscription, parent = `principal:{oid}` (what the authorizer looks up per call).
 * - custom role definitions: `/providers/microsoft.authorization/roledefinitions/{guid}`, type
 *   `lazurite/roledefinitions`, parent = the owning tenant's key (custom roles are tenant-wide).
 *
 * The `lazurite/` types keep these documents out of the generic resource lists.
 */
import { idKey, tryParseResourceId } from "../../../model/resource-id.js";
import type { ResourceStore } from "../../../store/store.js";
import type { Permission } from "../../rbac.js";
import { tenantKey } from "../../tenancy.js";
import { BUILT_IN_ROLES, builtInRole, type BuiltInRole } from "./built-in-roles.js";

export const PRINCIPAL_TYPE = "lazurite/principals";
export const ROLE_ASSIGNMENT_TYPE = "lazurite/roleassignments";
export const ROLE_DEFINITION_TYPE = "lazurite/roledefinitions";

export type PrincipalKind = "ServicePrincipal" | "User";

export interface DirectoryPrincipal {
  objectId: string;
  tenantId: string;
  kind: PrincipalKind;
  displayName: string;
  /** Service principals: the application (client) id. */
  appId?: string;
  /** Users: the sign-in name (`alice@contoso.onmicrosoft.com`). */
  userPrincipalName?: string;
  /** Hashed client secrets (service principals) or password (users), as src/identity wrote them. */
  credentials: string[];
  /**
   * Changes when the principal is created and whenever its credentials are reset; every token
   * carries the value it was issued under, and ARM refuses a token whose value is not the
   * current one (immediate revocation, docs/identity.md).
   */
  credentialGeneration?: string;
}

/** The name Azure's error messages use for a principal: the app id, or the user's UPN. */
export function clientNameOf(
  p: Pick<DirectoryPrincipal, "kind" | "appId" | "userPrincipalName" | "objectId">,
): string {
  return (p.kind === "ServicePrincipal" ? p.appId : p.userPrincipalName) ?? p.objectId;
}

function principalKey(tenantId: string, objectId: string): string {
  return `${tenantKey(tenantId)}/principals/${objectId.toLowerCase()}`;
}

export async function putPrincipal(store: ResourceStore, p: DirectoryPrincipal): Promise<void> {
  const key = principalKey(p.tenantId, p.objectId);
  await store.put({
    key,
    id: key,
    type: PRINCIPAL_TYPE,
    parent: tenantKey(p.tenantId),
    etag: p.objectId,
    body: p,
  });
}

export async function getPrincipal(
  store: ResourceStore,
  tenantId: string,
  objectId: string,
): Promise<DirectoryPrincipal | undefined> {
  return (await store.get(principalKey(tenantId, objectId)))?.body as DirectoryPrincipal | undefined;
}

export async function deletePrincipal(
  store: ResourceStore,
  tenantId: string,
  objectId: string,
): Promise<boolean> {
  return store.delete(principalKey(tenantId, objectId));
}

export async function listPrincipals(store: ResourceStore, tenantId?: string): Promise<DirectoryPrincipal[]> {
  const page = await store.list({
    type: PRINCIPAL_TYPE,
    ...(tenantId !== undefined ? { parent: tenantKey(tenantId) } : {}),
  });
  return page.items.map((d) => d.body as DirectoryPrincipal);
}

export async function findServicePrincipal(
  store: ResourceStore,
  appId: string,
  tenantId?: string,
): Promise<DirectoryPrincipal[]> {
  const want = appId.toLowerCase();
  return (await listPrincipals(store, tenantId)).filter(
    (p) => p.kind === "ServicePrincipal" && p.appId?.toLowerCase() === want,
  );
}

export async function findUser(
  store: ResourceStore,
  upn: string,
  tenantId?: string,
): Promise<DirectoryPrincipal[]> {
  const want = upn.toLowerCase();
  return (await listPrincipals(store, tenantId)).filter(
    (p) => p.kind === "User" && p.userPrincipalName?.toLowerCase() === want,
  );
}

// ---- role assignments ----

export interface RoleAssignmentProperties {
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: PrincipalKind | "Group";
  description?: string | null;
  condition?: string | null;
  conditionVersion?: string | null;
  createdOn?: string;
  updatedOn?: string;
  createdBy?: string | null;
  updatedBy?: string | null;
}

export interface RoleAssignmentBody {
  id: string;
  name: string;
  type: "Microsoft.Authorization/roleAssignments";
  properties: RoleAssignmentProperties;
}

export function roleAssignmentId(scope: string, name: string): string {
  return `${scope.replace(/\/+$/, "")}/providers/Microsoft.Authorization/roleAssignments/${name}`;
}

/** The scope's subscription id (lower case), or undefined for the root scope. */
export function subscriptionOfScope(scope: string): string | undefined {
  return tryParseResourceId(scope)?.subscriptionId?.toLowerCase();
}

export async function putRoleAssignment(store: ResourceStore, body: RoleAssignmentBody): Promise<void> {
  await store.put({
    key: idKey(body.id),
    id: body.id,
    type: ROLE_ASSIGNMENT_TYPE,
    subscriptionId: subscriptionOfScope(body.properties.scope) ?? null,
    parent: `principal:${body.properties.principalId.toLowerCase()}`,
    etag: body.name,
    body,
  });
}

export async function getRoleAssignment(
  store: ResourceStore,
  scope: string,
  name: string,
): Promise<RoleAssignmentBody | undefined> {
  return (await store.get(idKey(roleAssignmentId(scope, name))))?.body as RoleAssignmentBody | undefined;
}

export async function deleteRoleAssignment(store: ResourceStore, body: RoleAssignmentBody): Promise<void> {
  await store.delete(idKey(body.id));
}

export async function assignmentsOfPrincipal(
  store: ResourceStore,
  objectId: string,
): Promise<RoleAssignmentBody[]> {
  return (
    await store.list({ type: ROLE_ASSIGNMENT_TYPE, parent: `principal:${objectId.toLowerCase()}` })
  ).items.map((d) => d.body as RoleAssignmentBody);
}

/** Every assignment whose scope lies in the subscription (all of them when `subscriptionId` is undefined). */
export async function assignmentsInSubscription(
  store: ResourceStore,
  subscriptionId: string | undefined,
): Promise<RoleAssignmentBody[]> {
  const q =
    subscriptionId === undefined
      ? { type: ROLE_ASSIGNMENT_TYPE }
      : { type: ROLE_ASSIGNMENT_TYPE, subscriptionId: subscriptionId.toLowerCase() };
  return (await store.list(q)).items.map((d) => d.body as RoleAssignmentBody);
}

// ---- role definitions ----

export interface CustomRoleProperties {
  roleName: string;
  description: string;
  type: "CustomRole";
  permissions: Permission[];
  assignableScopes: string[];
  createdOn?: string;
  updatedOn?: string;
  createdBy?: string | null;
  updatedBy?: string | null;
}

export interface CustomRoleRecord {
  /** The role definition GUID. */
  name: string;
  tenantId: string;
  properties: CustomRoleProperties;
}

/** A role definition as the evaluator and the API see it, built-in or custom. */
export interface ResolvedRole {
  name: string;
  roleName: string;
  description: string;
  roleType: "BuiltInRole" | "CustomRole";
  permissions: readonly Permission[];
  assignableScopes: readonly string[];
  /** Custom roles: the tenant that owns it. */
  tenantId?: string;
  custom?: CustomRoleRecord;
}

function customRoleKey(name: string): string {
  return `/providers/microsoft.authorization/roledefinitions/${name.toLowerCase()}`;
}

export async function putCustomRole(store: ResourceStore, rec: CustomRoleRecord): Promise<void> {
  const key = customRoleKey(rec.name);
  await store.put({
    key,
    id: key,
    type: ROLE_DEFINITION_TYPE,
    parent: tenantKey(rec.tenantId),
    etag: rec.name,
    body: rec,
  });
}

export async function deleteCustomRole(store: ResourceStore, name: string): Promise<void> {
  await store.delete(customRoleKey(name));
}

export async function listCustomRoles(
  store: ResourceStore,
  tenantId: string | undefined,
): Promise<CustomRoleRecord[]> {
  const page = await store.list({
    type: ROLE_DEFINITION_TYPE,
    ...(tenantId !== undefined ? { parent: tenantKey(tenantId) } : {}),
  });
  return page.items.map((d) => d.body as CustomRoleRecord);
}

function fromBuiltIn(r: BuiltInRole): ResolvedRole {
  return {
    name: r.id,
    roleName: r.roleName,
    description: r.description,
    roleType: "BuiltInRole",
    permissions: r.permissions,
    assignableScopes: ["/"],
  };
}

export function fromCustom(rec: CustomRoleRecord): ResolvedRole {
  return {
    name: rec.name,
    roleName: rec.properties.roleName,
    description: rec.properties.description,
    roleType: "CustomRole",
    permissions: rec.properties.permissions,
    assignableScopes: rec.properties.assignableScopes,
    tenantId: rec.tenantId,
    custom: rec,
  };
}

/** The GUID at the end of a role definition id (`/subscriptions/{s}/providers/.../roleDefinitions/{guid}`), or the id itself. */
export function roleGuidOf(roleDefinitionId: string): string {
  const t = roleDefinitionId.replace(/\/+$/, "");
  return t.slice(t.lastIndexOf("/") + 1).toLowerCase();
}

/** A built-in role, or a custom role of `tenantId` (any tenant when undefined). */
export async function resolveRole(
  store: ResourceStore,
  roleDefinitionId: string,
  tenantId: string | undefined,
): Promise<ResolvedRole | undefined> {
  const guid = roleGuidOf(roleDefinitionId);
  const b = builtInRole(guid);
  if (b) return fromBuiltIn(b);
  const rec = (await store.get(customRoleKey(guid)))?.body as CustomRoleRecord | undefined;
  if (!rec) return undefined;
  if (tenantId !== undefined && rec.tenantId.toLowerCase() !== tenantId.toLowerCase()) return undefined;
  return fromCustom(rec);
}

export function builtInResolved(): ResolvedRole[] {
  return BUILT_IN_ROLES.map(fromBuiltIn);
}
