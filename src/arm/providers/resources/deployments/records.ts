/**
 * How deployments sit in the store: one document per deployment (type `lazurite/deployments`,
 * key = the lower-cased deployment id, parent = its scope's key so resource-group and
 * subscription lists stay apart) holding the deployment as ARM reports it once finished, the
 * template it ran (for `exportTemplate`) and the id of its status operation; one document per
 * deployment operation (`lazurite/deployment-operations`, parent = the deployment's key).
 * Both survive a restart like every other document.
 */
import type { ArmErrorDetail } from "../../../../model/errors.js";
import { idKey } from "../../../../model/resource-id.js";
import type { Ctx } from "../../../context.js";
import { isDone, opKey, type OperationBody } from "../../../lro.js";
import { resourceGroupKey, subscriptionKey } from "../../../tenancy.js";

export const DEPLOYMENT_TYPE = "lazurite/deployments";
export const DEPLOYMENT_OPERATION_TYPE = "lazurite/deployment-operations";
export const WHAT_IF_RESULT_TYPE = "lazurite/what-if-results";

/** Where a deployment lives: a resource group, or a subscription (no `resourceGroup`). */
export interface DeploymentAt {
  subscriptionId: string;
  resourceGroup?: string;
  name: string;
}

export type DeploymentState = "Accepted" | "Running" | "Succeeded" | "Failed" | "Canceled";

/** The deployment as ARM's GET shows it once it has finished (DeploymentExtended). */
export interface DeploymentView {
  id: string;
  name: string;
  type: "Microsoft.Resources/deployments";
  location?: string;
  tags?: Record<string, string>;
  properties: Record<string, unknown> & { provisioningState: DeploymentState };
}

export interface DeploymentRecord {
  view: DeploymentView;
  /** The template as sent (exportTemplate answers it). */
  template: unknown;
  /** Operation (src/arm/lro.ts) whose polls report Accepted/Running until the deployment shows finished. */
  operationId: string;
  startedIso: string;
}

export interface ErrorShape extends ArmErrorDetail {
  details?: ErrorShape[];
}

export function deploymentId(at: DeploymentAt): string {
  const scope =
    at.resourceGroup !== undefined
      ? `/subscriptions/${at.subscriptionId}/resourceGroups/${at.resourceGroup}`
      : `/subscriptions/${at.subscriptionId}`;
  return `${scope}/providers/Microsoft.Resources/deployments/${at.name}`;
}

export function scopeKey(at: Pick<DeploymentAt, "subscriptionId" | "resourceGroup">): string {
  return at.resourceGroup !== undefined
    ? resourceGroupKey(at.subscriptionId, at.resourceGroup)
    : subscriptionKey(at.subscriptionId);
}

export async function loadDeployment(ctx: Ctx, at: DeploymentAt): Promise<DeploymentRecord | undefined> {
  const doc = await ctx.store.get(idKey(deploymentId(at)));
  return doc ? (doc.body as DeploymentRecord) : undefined;
}

export async function saveDeployment(ctx: Ctx, at: DeploymentAt, rec: DeploymentRecord): Promise<void> {
  const id = deploymentId(at);
  await ctx.store.put({
    key: idKey(id),
    id,
    type: DEPLOYMENT_TYPE,
    subscriptionId: at.subscriptionId.toLowerCase(),
    resourceGroup: at.resourceGroup?.toLowerCase() ?? null,
    parent: scopeKey(at),
    etag: rec.operationId,
    body: rec,
  });
}

/** The status operation of a deployment; undefined when pruned. */
export async function statusOperation(ctx: Ctx, rec: DeploymentRecord): Promise<OperationBody | undefined> {
  const doc = await ctx.store.get(opKey(rec.operationId));
  return doc ? (doc.body as OperationBody) : undefined;
}

/** True while the deployment still reports Accepted/Running. */
export async function isActive(ctx: Ctx, rec: DeploymentRecord): Promise<boolean> {
  if (rec.view.properties.provisioningState === "Canceled") return false;
  const op = await statusOperation(ctx, rec);
  return op !== undefined && !isDone(op, ctx.now);
}

/** What GET shows now: while the status operation runs, `Running` (or `Accepted` before any poll) and no results. */
export async function viewNow(ctx: Ctx, rec: DeploymentRecord): Promise<DeploymentView> {
  const view = JSON.parse(JSON.stringify(rec.view)) as DeploymentView;
  const op = await statusOperation(ctx, rec);
  if (view.properties.provisioningState !== "Canceled" && op && !isDone(op, ctx.now)) {
    view.properties.provisioningState = op.polls === 0 ? "Accepted" : "Running";
    for (const k of ["outputs", "outputResources", "error", "duration"]) delete view.properties[k];
  }
  return view;
}
