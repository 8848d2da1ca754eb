/**
 * The authorization seam of the control plane. Every operation's action is checked at its
 * scope, and a write that names subnets in a service's VNet rules also checks
 * `Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action` on each subnet
 * (SE-ACL-3) and that the subnet's subscription shares the caller's tenant (SE-ACL-4).
 *
 * The default authorizer admits everything (open mode); the identity module supplies the
 * enforcing one (strict mode). Providers call `authorize` / `authorizeLinked` and never
 * decide access themselves.
 */
import type { Ctx } from "./context.js";

/** Who is calling, as the HTTP shell authenticated it. */
export interface Caller {
  /** `open` = any token accepted, acting as Owner in the default tenant. */
  kind: "open" | "servicePrincipal" | "user";
  tenantId?: string;
  objectId?: string;
  /** App id (service principal) or UPN (user), for Azure's error wording. */
  clientName?: string;
}

export interface Authorizer {
  /** Throws ArmError 403 `AuthorizationFailed` when the caller may not perform `action` at `scope`. */
  check(ctx: Ctx, action: string, scope: string): Promise<void>;
  /**
   * Throws ArmError 403 `LinkedAuthorizationFailed` when the caller lacks `linkedAction` on any of
   * `linkedScopes`, or when a linked scope's subscription belongs to another tenant.
   */
  checkLinked(
    ctx: Ctx,
    action: string,
    scope: string,
    linkedAction: string,
    linkedScopes: readonly string[],
  ): Promise<void>;
}

export const JOIN_VIA_SERVICE_ENDPOINT =
  "Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action";

export const allowAll: Authorizer = {
  async check() {},
  async checkLinked() {},
};

function authorizerOf(ctx: Ctx): Authorizer {
  return ctx.deps.authz ?? allowAll;
}

export function authorize(ctx: Ctx, action: string, scope: string): Promise<void> {
  return authorizerOf(ctx).check(ctx, action, scope);
}

/** For service writes naming subnets (VNet rules): SE-ACL-3 and SE-ACL-4. */
export function authorizeSubnetJoin(
  ctx: Ctx,
  action: string,
  scope: string,
  subnetIds: readonly string[],
): Promise<void> {
  if (subnetIds.length === 0) return Promise.resolve();
  return authorizerOf(ctx).checkLinked(ctx, action, scope, JOIN_VIA_SERVICE_ENDPOINT, subnetIds);
}
