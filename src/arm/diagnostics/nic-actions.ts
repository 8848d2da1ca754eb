/**
 * `POST …/networkInterfaces/{nic}/effectiveRouteTable` and `…/effectiveNetworkSecurityGroups`
 * (SE-ROUTE-1, SE-DIAG-2, SE-NSG-1): long-running POSTs answering `{ value: [...] }` in Azure's
 * exact shapes (azure-facts §1.4; NetworkInterfaceEffectiveRouteTableList.json,
 * NetworkInterfaceEffectiveNSGList.json), computed by the engine from everything the store
 * holds. Azure serves them only for NICs attached to a (running) VM; Lazurite has no power
 * state, so "attached" is the condition (`NicNotAttachedToVm` otherwise).
 */
import { effectiveNetworkSecurityGroups } from "../../engine/effective-nsg.js";
import { effectiveRouteTable } from "../../engine/routes.js";
import { ArmErrors } from "../../model/errors.js";
import type { ArmResource } from "../../model/resources/common.js";
import { parseResourceId } from "../../model/resource-id.js";
import type { Ctx } from "../context.js";
import type { ActionHandler } from "../kinds.js";
import { acceptDiagnostic } from "./operations.js";
import { currentSnapshot } from "./snapshot-from-store.js";

function attachedVm(nic: ArmResource): string | undefined {
  const vm = (nic.properties?.virtualMachine as { id?: unknown } | undefined)?.id;
  return typeof vm === "string" ? vm : undefined;
}

async function answer(ctx: Ctx, nic: ArmResource, compute: (nicId: string) => Promise<unknown>) {
  if (!attachedVm(nic)) throw ArmErrors.nicNotAttachedToVm(nic.id);
  const result = await compute(nic.id);
  return acceptDiagnostic(ctx, {
    subscriptionId: parseResourceId(nic.id).subscriptionId!,
    location: String(nic.location ?? ""),
    result,
  });
}

export const effectiveRouteTableAction: ActionHandler = {
  methods: ["POST"],
  handle: (ctx, nic) => answer(ctx, nic, async (id) => effectiveRouteTable(await currentSnapshot(ctx), id)),
};

export const effectiveNetworkSecurityGroupsAction: ActionHandler = {
  methods: ["POST"],
  handle: (ctx, nic) =>
    answer(ctx, nic, async (id) => effectiveNetworkSecurityGroups(await currentSnapshot(ctx), id)),
};
