/**
 * Azure RBAC evaluation, as Azure documents it (role-definitions.md, "How Azure RBAC
 * determines if a user has access to a resource"):
 *
 * - An action string matches a permission pattern case-insensitively; `*` in a pattern
 *   matches any run of characters, `/` included (`Microsoft.Network/*` covers
 *   `Microsoft.Network/virtualNetworks/subnets/write`, `*\/read` covers every read,
 *   `Microsoft.Authorization/*\/Delete` every Microsoft.Authorization delete).
 * - A permission block grants an action when one of its `actions` matches and none of its
 *   `notActions` does: notActions subtract from the actions of the same role only, they are
 *   not deny rules (another role that grants the action still grants it).
 * - A role assignment applies at its scope and every scope below it (subscription → resource
 *   group → resource → child resource), compared segment-wise and case-insensitively.
 * - Access is the union over the caller's role assignments (RBAC is additive). Deny
 *   assignments are not modelled (Azure lets only its own services create them).
 *
 * Pure: no store, no clock. The enforcing authorizer (providers/authorization) feeds it the
 * caller's assignments.
 */
import { isWithinScope } from "../model/resource-id.js";

export interface Permission {
  actions: readonly string[];
  notActions: readonly string[];
  dataActions?: readonly string[];
  notDataActions?: readonly string[];
}

/** One role assignment of the caller, resolved: where it applies and what its role grants. */
export interface Grant {
  /** `/subscriptions/{s}[/resourceGroups/{rg}[/providers/...]]`, or `/` (or ``) for the root. */
  scope: string;
  permissions: readonly Permission[];
}

/** Does `pattern` (which may contain `*`) match `action`? Case-insensitive, `*` spans `/`. */
export function actionMatches(pattern: string, action: string): boolean {
  const p = pattern.toLowerCase();
  const a = action.toLowerCase();
  const parts = p.split("*");
  if (parts.length === 1) return p === a;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (a.length < first.length + last.length) return false;
  if (!a.startsWith(first) || !a.endsWith(last)) return false;
  // Middle parts in order, each as early as possible (leftmost matching is optimal for `*`-only globs).
  let pos = first.length;
  const end = a.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    if (part.length === 0) continue;
    const at = a.indexOf(part, pos);
    if (at < 0 || at + part.length > end) return false;
    pos = at + part.length;
  }
  return true;
}

/** A permission block grants `action`: some action matches and no notAction does. */
export function permissionGrants(permission: Permission, action: string): boolean {
  return (
    permission.actions.some((p) => actionMatches(p, action)) &&
    !permission.notActions.some((p) => actionMatches(p, action))
  );
}

/** A role (its permission blocks) grants `action`. */
export function roleGrants(permissions: readonly Permission[], action: string): boolean {
  return permissions.some((p) => permissionGrants(p, action));
}

/** The root scope `/` is written `/` or `` (empty). */
export function isRootScope(scope: string): boolean {
  return scope === "" || /^\/+$/.test(scope);
}

/** An assignment at `assignmentScope` applies at `target` (the same scope or one below it). */
export function scopeApplies(assignmentScope: string, target: string): boolean {
  if (isRootScope(assignmentScope)) return true;
  if (isRootScope(target)) return false;
  return isWithinScope(target, assignmentScope);
}

/** May a caller holding `grants` perform `action` at `scope`? */
export function isAllowed(grants: readonly Grant[], action: string, scope: string): boolean {
  return grants.some((g) => scopeApplies(g.scope, scope) && roleGrants(g.permissions, action));
}

/** Does the caller hold any assignment at `scope` or below it (what makes a scope visible in lists)? */
export function hasAssignmentWithin(grants: readonly Grant[], scope: string): boolean {
  return grants.some((g) => scopeApplies(scope, g.scope));
}
