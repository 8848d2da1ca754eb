/**
 * The authorization seam of the control plane. Every operation's action is checked at its
 * scope, and a write that names subnets in a service's VNet rules also checks
 * `Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action` on each subnet
 * (SE-ACL-3) and that the subnet's subscription shares the caller's tenant (SE-ACL-4).
 *
 * A write that associates another resource (a subnet's NSG, route table, NAT gateway or
 * endpoint policies; a NIC's subnet, public IP and application security groups; a VM's NICs; a
 * peering's remote VNet; a gateway's subnet and public IP) needs that resource's `join` action,
 * as Azure's linked access check asks (`joinActionOf`, checked by `src/arm/refs.ts`).
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
  /**
   * Throws ArmError 403 `LinkedAuthorizationFailed` when the caller lacks `linkedAction` (a
   * `join` action) on any of `linkedScopes`. RBAC only: open-mode callers pass.
   */
  checkJoin(
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
  async checkJoin() {},
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

/**
 * The action Azure's linked access check asks on the target of a reference, by the target's
 * type (and, for application security groups, by what refers to them); undefined: none.
 */
export function joinActionOf(targetType: string, fromType: string): string | undefined {
  switch (targetType.toLowerCase()) {
    case "microsoft.network/networksecuritygroups":
      return "Microsoft.Network/networkSecurityGroups/join/action";
    case "microsoft.network/routetables":
      return "Microsoft.Network/routeTables/join/action";
    case "microsoft.network/natgateways":
      return "Microsoft.Network/natGateways/join/action";
    case "microsoft.network/serviceendpointpolicies":
      return "Microsoft.Network/serviceEndpointPolicies/join/action";
    case "microsoft.network/virtualnetworks/subnets":
      return "Microsoft.Network/virtualNetworks/subnets/join/action";
    case "microsoft.network/publicipaddresses":
      return "Microsoft.Network/publicIPAddresses/join/action";
    case "microsoft.network/networkinterfaces":
      return "Microsoft.Network/networkInterfaces/join/action";
    case "microsoft.network/virtualnetworks":
      return fromType.toLowerCase() === "microsoft.network/virtualnetworks/virtualnetworkpeerings"
        ? "Microsoft.Network/virtualNetworks/peer/action"
        : undefined;
    case "microsoft.network/applicationsecuritygroups":
      return fromType.toLowerCase() === "microsoft.network/networksecuritygroups/securityrules"
        ? "Microsoft.Network/applicationSecurityGroups/joinNetworkSecurityRule/action"
        : "Microsoft.Network/applicationSecurityGroups/joinIpConfiguration/action";
    default:
      return undefined;
  }
}

/** One linked access check: the write, and the join it needs on each linked scope. */
export interface JoinCheck {
  action: string;
  scope: string;
  linkedAction: string;
  linkedScopes: string[];
}

/** Runs the join checks of a write in order; the first one the caller fails is the error. */
export async function authorizeJoins(ctx: Ctx, checks: readonly JoinCheck[]): Promise<void> {
  const a = authorizerOf(ctx);
  for (const c of checks) await a.checkJoin(ctx, c.action, c.scope, c.linkedAction, c.linkedScopes);
}
