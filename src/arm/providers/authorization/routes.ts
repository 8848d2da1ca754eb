/**
 * Microsoft.Authorization's ARM API as `@azure/arm-authorization` and `az role` call it
 * (api-version 2022-04-01 shapes): role assignments and role definitions are extension
 * resources at any scope, `{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}`
 * and `.../roleDefinitions/{guid}`, where scope is a subscription, a resource group or a
 * resource (children included), plus the tenant root for reading role definitions.
 *
 * - roleAssignments: GET, PUT (201; 200 when the same assignment is PUT again), DELETE (200
 *   with the deleted body, 204 when absent), list at a scope with `$filter` = `atScope()`,
 *   `principalId eq '{id}'`, `assignedTo('{id}')` (joined by `and`). Without `atScope()` a list
 *   returns the assignments at, above and below the scope, as Azure does.
 * - roleDefinitions: the built-ins (built-in-roles.ts) and custom roles (tenant-wide, unique
 *   names per tenant) with GET, PUT, DELETE, list with `$filter` = `roleName eq '{name}'` or
 *   `type eq 'BuiltInRole' | 'CustomRole'`.
 */
import { ArmErrors } from "../../../model/errors.js";
import { idKey, tryParseResourceId } from "../../../model/resource-id.js";
import { authorize } from "../../authz.js";
import type { ArmResponse, Ctx } from "../../context.js";
import { isObject, topLevelOf } from "../../documents.js";
import { isAllowed, isRootScope, scopeApplies } from "../../rbac.js";
import { assertResourceGroup, ensureSubscription, getSubscription, isGuid } from "../../tenancy.js";
import { allows, enforcedCaller, forgetGrants, grantsOf } from "./authorizer.js";
import { builtInRole } from "./built-in-roles.js";
import { admitSubscription } from "./operations.js";
import {
  assignmentsInSubscription,
  builtInResolved,
  deleteCustomRole,
  deleteRoleAssignment,
  fromCustom,
  getPrincipal,
  getRoleAssignment,
  listCustomRoles,
  putCustomRole,
  putRoleAssignment,
  resolveRole,
  roleAssignmentId,
  roleGuidOf,
  subscriptionOfScope,
  type CustomRoleRecord,
  type PrincipalKind,
  type ResolvedRole,
  type RoleAssignmentBody,
} from "./records.js";

const lower = (s: string | undefined) => (s ?? "").toLowerCase();

export interface AuthorizationPath {
  /** `/` for the tenant root, else `/subscriptions/...` as written in the URL. */
  scope: string;
  type: "roleAssignments" | "roleDefinitions";
  name?: string;
}

/** Recognises `{scope}/providers/Microsoft.Authorization/{roleAssignments|roleDefinitions}[/{name}]`. */
export function matchAuthorizationPath(segs: readonly string[]): AuthorizationPath | undefined {
  for (let i = segs.length - 2; i >= 0; i--) {
    if (lower(segs[i]) !== "providers" || lower(segs[i + 1]) !== "microsoft.authorization") continue;
    const tail = segs.length - (i + 2);
    if (tail !== 1 && tail !== 2) return undefined;
    const t = lower(segs[i + 2]);
    if (t !== "roleassignments" && t !== "roledefinitions") return undefined;
    const scope = i === 0 ? "/" : "/" + segs.slice(0, i).join("/");
    const out: AuthorizationPath = {
      scope,
      type: t === "roleassignments" ? "roleAssignments" : "roleDefinitions",
    };
    if (tail === 2) out.name = segs[i + 3]!;
    return out;
  }
  return undefined;
}

const ACTION = {
  assignments: "Microsoft.Authorization/roleAssignments",
  definitions: "Microsoft.Authorization/roleDefinitions",
};

/** The subscription prefix role definition ids carry at a scope (`` at the root). */
function definitionPrefix(scope: string): string {
  const sub = tryParseResourceId(scope)?.subscriptionId;
  return sub !== undefined ? `/subscriptions/${sub}` : "";
}

export function roleDefinitionIdAt(scope: string, guid: string): string {
  return `${definitionPrefix(scope)}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

/** Validates the scope (it must exist, like ARM's parent checks) and returns the tenant it belongs to. */
async function resolveScope(ctx: Ctx, scope: string): Promise<{ tenantId: string; subscriptionId?: string }> {
  const caller = enforcedCaller(ctx);
  if (isRootScope(scope)) return { tenantId: caller?.tenantId ?? ctx.deps.tenancy.tenantId };
  const id = tryParseResourceId(scope);
  if (!id) throw ArmErrors.invalidResourceId(scope);
  if (id.subscriptionId === undefined)
    throw ArmErrors.featureNotSupported(`role-based access control at the scope '${scope}'`);
  await admitSubscription(ctx, id.subscriptionId);
  await ensureSubscription(ctx, id.subscriptionId);
  if (id.resourceGroup !== undefined) {
    await assertResourceGroup(ctx, id.subscriptionId, id.resourceGroup);
    if (id.namespace !== undefined && id.types.length > 0) {
      const top = topLevelOf(id);
      if (!(await ctx.store.get(top.key)))
        throw ArmErrors.resourceNotFound(`${id.namespace}/${id.types[0]}`, id.names[0]!, id.resourceGroup);
    }
  }
  const sub = await getSubscription(ctx, id.subscriptionId);
  return { tenantId: sub?.tenantId ?? ctx.deps.tenancy.tenantId, subscriptionId: id.subscriptionId };
}

export async function handleAuthorization(ctx: Ctx, p: AuthorizationPath): Promise<ArmResponse> {
  const m = ctx.req.method;
  if (p.type === "roleAssignments") {
    if (p.name === undefined) {
      if (m !== "GET") throw ArmErrors.methodNotAllowed(m);
      return listAssignments(ctx, p.scope);
    }
    if (m === "GET") return getAssignment(ctx, p.scope, p.name);
    if (m === "PUT") return putAssignment(ctx, p.scope, p.name, ctx.req.body);
    if (m === "DELETE") return deleteAssignment(ctx, p.scope, p.name);
    throw ArmErrors.methodNotAllowed(m);
  }
  if (p.name === undefined) {
    if (m !== "GET") throw ArmErrors.methodNotAllowed(m);
    return listDefinitions(ctx, p.scope);
  }
  if (m === "GET") return getDefinition(ctx, p.scope, p.name);
  if (m === "PUT") return putDefinition(ctx, p.scope, p.name, ctx.req.body);
  if (m === "DELETE") return deleteDefinition(ctx, p.scope, p.name);
  throw ArmErrors.methodNotAllowed(m);
}

// ---- role assignments ----

function rootNotSupported(): never {
  throw ArmErrors.featureNotSupported("role assignments at the root scope '/'");
}

async function getAssignment(ctx: Ctx, scope: string, name: string): Promise<ArmResponse> {
  if (isRootScope(scope)) rootNotSupported();
  await resolveScope(ctx, scope);
  await authorize(ctx, `${ACTION.assignments}/read`, scope);
  const found = await getRoleAssignment(ctx.store, scope, name);
  if (!found) throw ArmErrors.roleAssignmentNotFound(name);
  return { status: 200, body: found };
}

export interface AssignmentInput {
  roleDefinitionId?: unknown;
  principalId?: unknown;
  principalType?: unknown;
  description?: unknown;
  condition?: unknown;
  conditionVersion?: unknown;
}

/** PUT of a role assignment; also what the `/_emulator` bootstrap uses (with an open-mode ctx). */
export async function putAssignment(
  ctx: Ctx,
  scope: string,
  name: string,
  body: unknown,
): Promise<ArmResponse> {
  if (isRootScope(scope)) rootNotSupported();
  const { tenantId } = await resolveScope(ctx, scope);
  await authorize(ctx, `${ACTION.assignments}/write`, scope);
  if (!isGuid(name)) throw ArmErrors.invalidRoleAssignmentId(name);
  if (!isObject(body) || !isObject(body.properties))
    throw ArmErrors.invalidRequestContent("The request content must be a JSON object with 'properties'.");
  const props = body.properties as AssignmentInput;
  if (typeof props.roleDefinitionId !== "string" || props.roleDefinitionId.length === 0) {
    throw ArmErrors.invalidParameter(
      "The parameter 'properties.roleDefinitionId' is required.",
      "properties.roleDefinitionId",
    );
  }
  if (typeof props.principalId !== "string" || props.principalId.length === 0) {
    throw ArmErrors.invalidParameter(
      "The parameter 'properties.principalId' is required.",
      "properties.principalId",
    );
  }
  const guid = roleGuidOf(props.roleDefinitionId);
  const role = await resolveRole(ctx.store, guid, tenantId);
  if (!role) throw ArmErrors.roleDefinitionDoesNotExist(guid);
  if (!role.assignableScopes.some((a) => scopeApplies(a, scope)))
    throw ArmErrors.scopeDoesNotMatchRoleDefinition(scope, roleDefinitionIdAt(scope, guid));
  const principal = await getPrincipal(ctx.store, tenantId, props.principalId);
  if (!principal) throw ArmErrors.principalNotFound(props.principalId, tenantId);
  if (
    typeof props.principalType === "string" &&
    props.principalType.toLowerCase() !== principal.kind.toLowerCase()
  ) {
    throw ArmErrors.unmatchedPrincipalType(props.principalId, principal.kind, props.principalType);
  }
  const existing = await getRoleAssignment(ctx.store, scope, name);
  if (existing) {
    if (
      existing.properties.principalId.toLowerCase() !== principal.objectId.toLowerCase() ||
      roleGuidOf(existing.properties.roleDefinitionId) !== guid
    ) {
      throw ArmErrors.roleAssignmentUpdateNotPermitted();
    }
  } else {
    const sameTriple = (await assignmentsInSubscription(ctx.store, subscriptionOfScope(scope))).some(
      (a) =>
        idKey(a.properties.scope) === idKey(scope) &&
        a.properties.principalId.toLowerCase() === principal.objectId.toLowerCase() &&
        roleGuidOf(a.properties.roleDefinitionId) === guid,
    );
    if (sameTriple) throw ArmErrors.roleAssignmentExists();
  }
  const now = new Date(ctx.now).toISOString();
  const caller = enforcedCaller(ctx);
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  const assignment: RoleAssignmentBody = {
    id: roleAssignmentId(scope, existing?.name ?? name),
    name: existing?.name ?? name.toLowerCase(),
    type: "Microsoft.Authorization/roleAssignments",
    properties: {
      roleDefinitionId: roleDefinitionIdAt(scope, guid),
      principalId: principal.objectId,
      principalType: principal.kind as PrincipalKind,
      scope: existing?.properties.scope ?? scope,
      condition: str(props.condition),
      conditionVersion: str(props.conditionVersion),
      createdOn: existing?.properties.createdOn ?? now,
      updatedOn: now,
      createdBy: existing?.properties.createdBy ?? caller?.objectId ?? null,
      updatedBy: caller?.objectId ?? null,
      description: str(props.description),
    },
  };
  await putRoleAssignment(ctx.store, assignment);
  forgetGrants(ctx);
  return { status: existing ? 200 : 201, body: assignment };
}

async function deleteAssignment(ctx: Ctx, scope: string, name: string): Promise<ArmResponse> {
  if (isRootScope(scope)) rootNotSupported();
  await resolveScope(ctx, scope);
  await authorize(ctx, `${ACTION.assignments}/delete`, scope);
  const found = await getRoleAssignment(ctx.store, scope, name);
  if (!found) return { status: 204 };
  await deleteRoleAssignment(ctx.store, found);
  forgetGrants(ctx);
  return { status: 200, body: found };
}

interface AssignmentFilter {
  atScope: boolean;
  principalId?: string;
}

function parseAssignmentFilter(filter: string | undefined): AssignmentFilter {
  const out: AssignmentFilter = { atScope: false };
  if (!filter) return out;
  for (const part of filter.split(/\s+and\s+/i)) {
    const t = part.trim();
    let m: RegExpExecArray | null;
    if (/^atScope\(\s*\)$/i.test(t)) out.atScope = true;
    else if ((m = /^principalId\s+eq\s+'([^']*)'$/i.exec(t))) out.principalId = m[1]!;
    else if ((m = /^assignedTo\(\s*'([^']*)'\s*\)$/i.exec(t))) out.principalId = m[1]!;
    else if (/^(atScope|principalId|assignedTo)/i.test(t) || t.length > 0) {
      throw ArmErrors.invalidParameter(
        `The filter '${filter}' is not supported. Supported: atScope(), principalId eq '{id}', assignedTo('{id}').`,
        "$filter",
      );
    }
  }
  return out;
}

function queryValue(ctx: Ctx, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(ctx.req.query)) if (k.toLowerCase() === want) return v;
  return undefined;
}

async function listAssignments(ctx: Ctx, scope: string): Promise<ArmResponse> {
  const { tenantId } = await resolveScope(ctx, scope);
  const filter = parseAssignmentFilter(queryValue(ctx, "$filter"));
  const caller = enforcedCaller(ctx);
  let all: RoleAssignmentBody[];
  if (isRootScope(scope)) {
    all = [];
    for (const a of await assignmentsInSubscription(ctx.store, undefined)) {
      const sub = subscriptionOfScope(a.properties.scope);
      const t = sub !== undefined ? (await getSubscription(ctx, sub))?.tenantId : undefined;
      if (t !== undefined && t.toLowerCase() === tenantId.toLowerCase()) all.push(a);
    }
  } else {
    all = await assignmentsInSubscription(ctx.store, subscriptionOfScope(scope));
  }
  const value = all.filter((a) => {
    const s = a.properties.scope;
    const above = scopeApplies(s, scope);
    if (filter.atScope ? !above : !(above || scopeApplies(scope, s))) return false;
    if (
      filter.principalId !== undefined &&
      a.properties.principalId.toLowerCase() !== filter.principalId.toLowerCase()
    )
      return false;
    return true;
  });
  // What the caller may read: everything with read at the list scope, else item by item.
  let shown = value;
  if (caller && !(await allows(ctx, `${ACTION.assignments}/read`, scope))) {
    const grants = await grantsOf(ctx);
    shown = value.filter((a) => isAllowed(grants, `${ACTION.assignments}/read`, a.properties.scope));
  }
  shown.sort((a, b) => (a.id.toLowerCase() < b.id.toLowerCase() ? -1 : 1));
  return { status: 200, body: { value: shown } };
}

// ---- role definitions ----

function definitionBody(scope: string, r: ResolvedRole): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    roleName: r.roleName,
    type: r.roleType,
    description: r.description,
    assignableScopes: [...r.assignableScopes],
    permissions: r.permissions.map((p) => ({
      actions: [...p.actions],
      notActions: [...p.notActions],
      dataActions: [...(p.dataActions ?? [])],
      notDataActions: [...(p.notDataActions ?? [])],
    })),
  };
  const c = r.custom?.properties;
  if (c) {
    properties.createdOn = c.createdOn;
    properties.updatedOn = c.updatedOn;
    properties.createdBy = c.createdBy ?? null;
    properties.updatedBy = c.updatedBy ?? null;
  }
  return {
    id: roleDefinitionIdAt(scope, r.name),
    name: r.name,
    type: "Microsoft.Authorization/roleDefinitions",
    properties,
  };
}

async function getDefinition(ctx: Ctx, scope: string, name: string): Promise<ArmResponse> {
  const { tenantId } = await resolveScope(ctx, scope);
  const role = await resolveRole(ctx.store, name, tenantId);
  if (!role) throw ArmErrors.roleDefinitionDoesNotExist(name);
  return { status: 200, body: definitionBody(scope, role) };
}

async function listDefinitions(ctx: Ctx, scope: string): Promise<ArmResponse> {
  const { tenantId } = await resolveScope(ctx, scope);
  const filter = queryValue(ctx, "$filter");
  let roles: ResolvedRole[] = [
    ...builtInResolved(),
    ...(await listCustomRoles(ctx.store, tenantId)).map(fromCustom),
  ];
  if (!isRootScope(scope)) {
    // Custom roles assignable at, above or below the scope.
    roles = roles.filter((r) =>
      r.assignableScopes.some((a) => scopeApplies(a, scope) || scopeApplies(scope, a)),
    );
  }
  if (filter) {
    let m: RegExpExecArray | null;
    if ((m = /^\s*roleName\s+eq\s+'([^']*)'\s*$/i.exec(filter))) {
      const want = m[1]!.toLowerCase();
      roles = roles.filter((r) => r.roleName.toLowerCase() === want);
    } else if ((m = /^\s*type\s+eq\s+'([^']*)'\s*$/i.exec(filter))) {
      const want = m[1]!.toLowerCase();
      roles = roles.filter((r) => r.roleType.toLowerCase() === want);
    } else if (!/^\s*atScopeAndBelow\(\s*\)\s*$/i.test(filter)) {
      throw ArmErrors.invalidParameter(
        `The filter '${filter}' is not supported. Supported: roleName eq '{name}', type eq '{BuiltInRole|CustomRole}'.`,
        "$filter",
      );
    }
  }
  return { status: 200, body: { value: roles.map((r) => definitionBody(scope, r)) } };
}

function stringList(v: unknown, path: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw ArmErrors.invalidRequestFormat(`'${path}' must be an array of strings.`);
  return v as string[];
}

async function putDefinition(ctx: Ctx, scope: string, name: string, body: unknown): Promise<ArmResponse> {
  const { tenantId } = await resolveScope(ctx, scope);
  if (!isGuid(name)) throw ArmErrors.invalidRoleDefinitionId(name);
  if (builtInRole(name))
    throw ArmErrors.badRequest(
      `The role definition '${name}' is a built-in role; built-in roles cannot be changed.`,
    );
  if (!isObject(body) || !isObject(body.properties))
    throw ArmErrors.invalidRequestContent("The request content must be a JSON object with 'properties'.");
  const p = body.properties;
  if (typeof p.roleName !== "string" || p.roleName.trim() === "") {
    throw ArmErrors.invalidParameter(
      "The parameter 'properties.roleName' is required.",
      "properties.roleName",
    );
  }
  const assignableScopes = stringList(p.assignableScopes, "properties.assignableScopes").map((s) =>
    s.replace(/\/+$/, ""),
  );
  if (assignableScopes.length === 0) {
    throw ArmErrors.invalidParameter(
      "The parameter 'properties.assignableScopes' must list at least one scope.",
      "properties.assignableScopes",
    );
  }
  for (const s of assignableScopes) {
    const id = tryParseResourceId(s);
    if (!id || id.subscriptionId === undefined) {
      throw ArmErrors.invalidParameter(
        `The assignable scope '${s}' is not a subscription, resource group or resource.`,
        "properties.assignableScopes",
      );
    }
    const sub = await getSubscription(ctx, id.subscriptionId);
    if (!sub || sub.tenantId.toLowerCase() !== tenantId.toLowerCase()) {
      throw ArmErrors.invalidParameter(
        `The assignable scope '${s}' is not in tenant '${tenantId}'.`,
        "properties.assignableScopes",
      );
    }
    await authorize(ctx, `${ACTION.definitions}/write`, s);
  }
  if (!Array.isArray(p.permissions) || p.permissions.some((x) => !isObject(x))) {
    throw ArmErrors.invalidRequestFormat("'properties.permissions' must be an array of objects.");
  }
  const permissions = (p.permissions as Record<string, unknown>[]).map((x, i) => ({
    actions: stringList(x.actions, `properties.permissions[${i}].actions`),
    notActions: stringList(x.notActions, `properties.permissions[${i}].notActions`),
    dataActions: stringList(x.dataActions, `properties.permissions[${i}].dataActions`),
    notDataActions: stringList(x.notDataActions, `properties.permissions[${i}].notDataActions`),
  }));
  const roleName = p.roleName.trim();
  const guid = name.toLowerCase();
  const customs = await listCustomRoles(ctx.store, undefined);
  const existing = customs.find((r) => r.name === guid);
  if (existing && existing.tenantId.toLowerCase() !== tenantId.toLowerCase())
    throw ArmErrors.roleDefinitionWithSameNameExists();
  const clash =
    builtInResolved().some((r) => r.roleName.toLowerCase() === roleName.toLowerCase()) ||
    customs.some(
      (r) =>
        r.name !== guid &&
        r.tenantId.toLowerCase() === tenantId.toLowerCase() &&
        r.properties.roleName.toLowerCase() === roleName.toLowerCase(),
    );
  if (clash) throw ArmErrors.roleDefinitionWithSameNameExists();
  const now = new Date(ctx.now).toISOString();
  const caller = enforcedCaller(ctx);
  const rec: CustomRoleRecord = {
    name: guid,
    tenantId,
    properties: {
      roleName,
      description: typeof p.description === "string" ? p.description : "",
      type: "CustomRole",
      permissions,
      assignableScopes,
      createdOn: existing?.properties.createdOn ?? now,
      updatedOn: now,
      createdBy: existing?.properties.createdBy ?? caller?.objectId ?? null,
      updatedBy: caller?.objectId ?? null,
    },
  };
  await putCustomRole(ctx.store, rec);
  forgetGrants(ctx);
  return { status: existing ? 200 : 201, body: definitionBody(scope, fromCustom(rec)) };
}

async function deleteDefinition(ctx: Ctx, scope: string, name: string): Promise<ArmResponse> {
  const { tenantId } = await resolveScope(ctx, scope);
  if (builtInRole(name))
    throw ArmErrors.badRequest(
      `The role definition '${name}' is a built-in role; built-in roles cannot be deleted.`,
    );
  const role = await resolveRole(ctx.store, name, tenantId);
  if (!role) return { status: 204 };
  for (const s of role.assignableScopes) await authorize(ctx, `${ACTION.definitions}/delete`, s);
  const used = (await assignmentsInSubscription(ctx.store, undefined)).some(
    (a) => roleGuidOf(a.properties.roleDefinitionId) === role.name,
  );
  if (used) throw ArmErrors.roleDefinitionHasAssignments();
  await deleteCustomRole(ctx.store, role.name);
  forgetGrants(ctx);
  return { status: 200, body: definitionBody(scope, role) };
}
