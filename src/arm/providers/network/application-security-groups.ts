/**
 * Microsoft.Network/applicationSecurityGroups: the groups NIC IP configurations join
 * (`applicationSecurityGroups: [{id}]`) and NSG rules name (`source|destinationApplicationSecurityGroups`),
 * so a rule can allow or deny "the web tier" instead of addresses. The resource carries only
 * `resourceGuid` and `provisioningState`; membership lives on the IP configurations, and the engine
 * matches rules against it (SE-NSG-1). An application security group still named by an IP
 * configuration or a security rule cannot be deleted.
 */
import { ArmErrors, textOf } from "../../../model/errors.js";
import { idKey, nameOfId, tryParseResourceId } from "../../../model/resource-id.js";
import { idsOf, type ArmResource } from "../../../model/resources/common.js";
import type { Ctx } from "../../context.js";
import type { ResourceKind } from "../../kinds.js";
import { guidOf, listOf, tracked } from "../common.js";

export const APPLICATION_SECURITY_GROUP_TYPE = "Microsoft.Network/applicationSecurityGroups";

/** IP configurations and security rules (ids) of the subscription that name the group. */
async function usersOf(ctx: Ctx, asg: ArmResource, subscriptionId: string): Promise<string[]> {
  const key = idKey(asg.id);
  const users: string[] = [];
  const nics = await ctx.store.list({ type: "microsoft.network/networkinterfaces", subscriptionId });
  for (const d of nics.items) {
    const nic = d.body as ArmResource;
    for (const c of listOf(nic, "ipConfigurations")) {
      if (idsOf(c.properties?.applicationSecurityGroups).some((id) => idKey(id) === key))
        users.push(typeof c.id === "string" ? c.id : `${nic.id}/ipConfigurations/${textOf(c.name)}`);
    }
  }
  const nsgs = await ctx.store.list({ type: "microsoft.network/networksecuritygroups", subscriptionId });
  for (const d of nsgs.items) {
    const nsg = d.body as ArmResource;
    for (const r of listOf(nsg, "securityRules")) {
      const named = [
        ...idsOf(r.properties?.sourceApplicationSecurityGroups),
        ...idsOf(r.properties?.destinationApplicationSecurityGroups),
      ];
      if (named.some((id) => idKey(id) === key))
        users.push(typeof r.id === "string" ? r.id : `${nsg.id}/securityRules/${textOf(r.name)}`);
    }
  }
  return users;
}

export const applicationSecurityGroups: ResourceKind = {
  namespace: "Microsoft.Network",
  typeName: "applicationSecurityGroups",
  type: APPLICATION_SECURITY_GROUP_TYPE,
  lro: "network",
  location: "required",
  children: [],
  serverOwned: [],
  async prepare(ctx, input, existing) {
    return tracked(input, existing, APPLICATION_SECURITY_GROUP_TYPE, {
      ...input.properties,
      resourceGuid: guidOf(ctx, existing),
      provisioningState: "Succeeded",
    });
  },
  async beforeDelete(ctx, asg) {
    const sub = tryParseResourceId(asg.id)?.subscriptionId;
    if (!sub) return;
    const users = await usersOf(ctx, asg, sub);
    if (users.length > 0)
      throw ArmErrors.inUseApplicationSecurityGroupCannotBeDeleted(
        nameOfId(asg.id),
        users.map((u) => nameOfId(u)),
      );
  },
};
