/** Writing a deployment's record and its operations (a re-run replaces the previous operations). */
import { idKey } from "../../../../model/resource-id.js";
import type { Ctx } from "../../../context.js";
import {
  DEPLOYMENT_OPERATION_TYPE,
  deploymentId,
  saveDeployment,
  type DeploymentAt,
  type DeploymentRecord,
} from "./records.js";
import type { DeploymentOperation, RunResult } from "./runner.js";

export async function replaceOperations(
  ctx: Ctx,
  at: DeploymentAt,
  ops: readonly DeploymentOperation[],
): Promise<void> {
  const parent = idKey(deploymentId(at));
  const old = await ctx.store.list({ type: DEPLOYMENT_OPERATION_TYPE, parent });
  for (const d of old.items) await ctx.store.delete(d.key);
  for (const op of ops) {
    await ctx.store.put({
      key: idKey(op.id),
      id: op.id,
      type: DEPLOYMENT_OPERATION_TYPE,
      subscriptionId: at.subscriptionId.toLowerCase(),
      resourceGroup: at.resourceGroup?.toLowerCase() ?? null,
      parent,
      etag: op.operationId,
      body: op,
    });
  }
}

/** Stores a finished deployment (nested ones have no status operation: they show finished at once). */
export async function saveFinished(
  ctx: Ctx,
  at: DeploymentAt,
  result: RunResult,
  template: unknown,
  operationId = "",
): Promise<DeploymentRecord> {
  const rec: DeploymentRecord = {
    view: result.view,
    template,
    operationId,
    startedIso: String(result.view.properties.timestamp ?? ""),
  };
  await saveDeployment(ctx, at, rec);
  await replaceOperations(ctx, at, result.operations);
  return rec;
}
