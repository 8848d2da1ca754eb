/**
 * Microsoft.Resources deployments at resource-group and subscription scope (docs/arm-api.md):
 *
 * - `PUT .../deployments/{name}`: the template is evaluated (src/template) and checked before
 *   anything runs (template errors → 400 InvalidTemplate…, a missing write action → 403), then
 *   the deployment runs (runner.ts) and the answer is 201/200 with `provisioningState: Accepted`
 *   and `Azure-AsyncOperation: .../deployments/{name}/operationStatuses/{id}`. The status answers
 *   `Running` for the LRO policy's polls, then the final state (`Failed` with ARM's
 *   `DeploymentFailed` error); GET reports the same.
 * - GET, HEAD (checkExistence), DELETE (202 + Location), list (with `$filter=provisioningState eq '…'`),
 *   `validate` (200 with validatedResources), `whatIf` (202 + Location; what-if.ts), `cancel`
 *   (204), `exportTemplate`, `operations` list/get.
 */
import { ArmErrors } from "../../../../model/errors.js";
import { idKey } from "../../../../model/resource-id.js";
import type { ArmResponse, Ctx } from "../../../context.js";
import { queryParam } from "../../../context.js";
import { absoluteUrl, lroHeaders, opKey, poll, startOperation, type OperationBody } from "../../../lro.js";
import { listBody, pageRequest } from "../../../paging.js";
import { assertResourceGroup, getResourceGroup } from "../../../tenancy.js";
import {
  DEPLOYMENT_OPERATION_TYPE,
  DEPLOYMENT_TYPE,
  WHAT_IF_RESULT_TYPE,
  deploymentId,
  isActive,
  loadDeployment,
  saveDeployment,
  scopeKey,
  viewNow,
  type DeploymentAt,
  type DeploymentRecord,
} from "./records.js";
import { deploymentView, iso, preflight, runDeployment, type RunOptions } from "./runner.js";
import { saveFinished } from "./store-ops.js";
import { whatIfDeployment } from "./what-if.js";
import { deploymentInput, prepare } from "./input.js";

const lower = (s: string | undefined) => (s ?? "").toLowerCase();

function only(ctx: Ctx, ...methods: string[]): void {
  if (!methods.includes(ctx.req.method)) throw ArmErrors.methodNotAllowed(ctx.req.method);
}

function statusUrl(ctx: Ctx, at: DeploymentAt, operationId: string): string {
  return absoluteUrl(ctx, `${deploymentId(at)}/operationStatuses/${operationId}`);
}

async function putDeployment(ctx: Ctx, at: DeploymentAt): Promise<ArmResponse> {
  const existing = await loadDeployment(ctx, at);
  if (existing && (await isActive(ctx, existing)))
    throw ArmErrors.deploymentActive(at.name, existing.startedIso);
  const input = deploymentInput(ctx, at);
  if (
    at.resourceGroup === undefined &&
    existing?.view.location &&
    input.location &&
    existing.view.location !== input.location
  )
    throw ArmErrors.invalidRequestContent(
      `Invalid deployment location '${input.location}'. The deployment '${at.name}' already exists in location '${existing.view.location}'.`,
    );
  const { prepared, cache } = await prepare(ctx, at, input);
  await preflight(ctx, prepared);
  const correlationId = ctx.deps.ids.guid();
  const opts: RunOptions = {
    mode: input.mode,
    correlationId,
    template: input.template,
    ...(input.location !== undefined ? { location: input.location } : {}),
  };
  const op = await startOperation(ctx, {
    subscriptionId: at.subscriptionId,
    namespace: "Microsoft.Resources",
    location: input.location ?? "global",
    kind: "write",
    target: idKey(deploymentId(at)),
    updating: [],
  });
  const startMs = ctx.deps.clock.now();
  const running: DeploymentRecord = {
    view: deploymentView(ctx, at, prepared, opts, {
      state: "Running",
      startMs,
      endMs: startMs,
      outputResources: [],
    }),
    template: input.template,
    operationId: op.operationId,
    startedIso: iso(startMs),
  };
  if (input.tags) running.view.tags = input.tags;
  await saveDeployment(ctx, at, running);
  const result = await runDeployment(ctx, at, prepared, opts, cache);
  if (input.tags) result.view.tags = input.tags;
  const rec = await saveFinished(ctx, at, result, input.template, op.operationId);
  rec.startedIso = running.startedIso;
  await saveDeployment(ctx, at, rec);
  return {
    status: existing ? 200 : 201,
    body: await viewNow(ctx, rec),
    headers: { "Azure-AsyncOperation": statusUrl(ctx, at, op.operationId), "Retry-After": "1" },
  };
}

async function mustLoad(ctx: Ctx, at: DeploymentAt): Promise<DeploymentRecord> {
  if (at.resourceGroup !== undefined) await assertResourceGroup(ctx, at.subscriptionId, at.resourceGroup);
  const rec = await loadDeployment(ctx, at);
  if (!rec) throw ArmErrors.deploymentNotFound(at.name);
  return rec;
}

async function operationStatus(ctx: Ctx, at: DeploymentAt, operationId: string): Promise<ArmResponse> {
  const rec = await mustLoad(ctx, at);
  if (rec.operationId.toLowerCase() !== operationId.toLowerCase())
    throw ArmErrors.operationNotFound(operationId);
  const { done } = await poll(ctx, at.subscriptionId, operationId);
  const state = rec.view.properties.provisioningState;
  if (state === "Canceled") return { status: 200, body: { status: "Canceled" } };
  if (!done) return { status: 200, body: { status: "Running" }, headers: { "Retry-After": "1" } };
  if (state === "Failed")
    return { status: 200, body: { status: "Failed", error: rec.view.properties.error } };
  return { status: 200, body: { status: state } };
}

async function deleteDeployment(ctx: Ctx, at: DeploymentAt): Promise<ArmResponse> {
  if (at.resourceGroup !== undefined) await assertResourceGroup(ctx, at.subscriptionId, at.resourceGroup);
  const rec = await loadDeployment(ctx, at);
  if (!rec) return { status: 204 };
  if (await isActive(ctx, rec)) throw ArmErrors.deploymentActive(at.name, rec.startedIso);
  const key = idKey(deploymentId(at));
  const ops = await ctx.store.list({ type: DEPLOYMENT_OPERATION_TYPE, parent: key });
  for (const d of ops.items) await ctx.store.delete(d.key);
  await ctx.store.delete(key);
  const op = await startOperation(ctx, {
    subscriptionId: at.subscriptionId,
    namespace: "Microsoft.Resources",
    location: rec.view.location ?? "global",
    kind: "delete",
    target: key,
    updating: [],
  });
  const headers = lroHeaders(ctx, op, true);
  delete headers["Azure-AsyncOperation"];
  return { status: 202, headers };
}

async function listDeployments(ctx: Ctx, at: Omit<DeploymentAt, "name">): Promise<ArmResponse> {
  if (at.resourceGroup !== undefined) await assertResourceGroup(ctx, at.subscriptionId, at.resourceGroup);
  const filter = queryParam(ctx.req, "$filter");
  const want = filter ? /provisioningState\s+eq\s+'([^']*)'/i.exec(filter)?.[1] : undefined;
  const page = pageRequest(ctx);
  const res = await ctx.store.list({
    type: DEPLOYMENT_TYPE,
    parent: scopeKey(at),
    limit: page.limit,
    ...(page.after !== undefined ? { after: page.after } : {}),
  });
  const value = [];
  for (const d of res.items) {
    const v = await viewNow(ctx, d.body as DeploymentRecord);
    if (want === undefined || lower(v.properties.provisioningState) === lower(want)) value.push(v);
  }
  return { status: 200, body: listBody(ctx, value, res.next) };
}

async function validateDeployment(ctx: Ctx, at: DeploymentAt): Promise<ArmResponse> {
  const input = deploymentInput(ctx, at);
  const { prepared } = await prepare(ctx, at, input);
  await preflight(ctx, prepared);
  const now = ctx.deps.clock.now();
  const view = deploymentView(
    ctx,
    at,
    prepared,
    {
      mode: input.mode,
      correlationId: ctx.deps.ids.guid(),
      template: input.template,
      ...(input.location !== undefined ? { location: input.location } : {}),
    },
    { state: "Succeeded", startMs: now, endMs: now, outputResources: [] },
  );
  delete view.properties.outputResources;
  view.properties.validatedResources = prepared.resources
    .filter((r) => !r.existing)
    .map((r) => ({ id: r.id }));
  return { status: 200, body: view };
}

async function cancelDeployment(ctx: Ctx, at: DeploymentAt): Promise<ArmResponse> {
  const rec = await mustLoad(ctx, at);
  if (!(await isActive(ctx, rec)))
    throw ArmErrors.deploymentCannotBeCancelled(at.name, rec.view.properties.provisioningState);
  rec.view.properties.provisioningState = "Canceled";
  delete rec.view.properties.outputs;
  delete rec.view.properties.error;
  await saveDeployment(ctx, at, rec);
  const doc = await ctx.store.get(opKey(rec.operationId));
  if (doc) await ctx.store.put({ ...doc, body: { ...(doc.body as OperationBody), completedMs: ctx.now } });
  return { status: 204 };
}

async function listOperations(ctx: Ctx, at: DeploymentAt): Promise<ArmResponse> {
  await mustLoad(ctx, at);
  const page = pageRequest(ctx);
  const res = await ctx.store.list({
    type: DEPLOYMENT_OPERATION_TYPE,
    parent: idKey(deploymentId(at)),
    limit: page.limit,
    ...(page.after !== undefined ? { after: page.after } : {}),
  });
  return {
    status: 200,
    body: listBody(
      ctx,
      res.items.map((d) => d.body),
      res.next,
    ),
  };
}

async function getOperation(ctx: Ctx, at: DeploymentAt, operationId: string): Promise<ArmResponse> {
  await mustLoad(ctx, at);
  const doc = await ctx.store.get(idKey(`${deploymentId(at)}/operations/${operationId}`));
  if (!doc) throw ArmErrors.operationNotFound(operationId);
  return { status: 200, body: doc.body };
}

async function whatIf(ctx: Ctx, at: DeploymentAt): Promise<ArmResponse> {
  const input = deploymentInput(ctx, at);
  const result = await whatIfDeployment(ctx, at, input);
  const op = await startOperation(ctx, {
    subscriptionId: at.subscriptionId,
    namespace: "Microsoft.Resources",
    location: input.location ?? "global",
    kind: "write",
    target: `whatif:${idKey(deploymentId(at))}`,
    updating: [],
  });
  await ctx.store.put({
    key: `whatif:${op.operationId.toLowerCase()}`,
    id: `whatif:${op.operationId}`,
    type: WHAT_IF_RESULT_TYPE,
    subscriptionId: at.subscriptionId.toLowerCase(),
    parent: `whatif:${idKey(deploymentId(at))}`,
    etag: op.operationId,
    body: result,
  });
  const headers = lroHeaders(ctx, op, true);
  delete headers["Azure-AsyncOperation"];
  return { status: 202, headers };
}

/**
 * `GET /subscriptions/{s}/operationresults/{id}`: a what-if's result once its operation is done
 * (202 before); undefined when the id is not a what-if's.
 */
export async function whatIfResult(
  ctx: Ctx,
  sub: string,
  operationId: string,
): Promise<ArmResponse | undefined> {
  const doc = await ctx.store.get(`whatif:${operationId.toLowerCase()}`);
  if (!doc || doc.subscriptionId !== sub.toLowerCase()) return undefined;
  const { op, done } = await poll(ctx, sub, operationId);
  if (!done)
    return {
      status: 202,
      headers: {
        Location: absoluteUrl(ctx, `/subscriptions/${op.subscriptionId}/operationresults/${op.operationId}`),
        "Retry-After": "1",
      },
    };
  return { status: 200, body: doc.body };
}

/** `rest` = the path segments after `.../providers/Microsoft.Resources/deployments`. */
export async function handleDeployments(
  ctx: Ctx,
  scope: { subscriptionId: string; resourceGroup?: string },
  rest: string[],
): Promise<ArmResponse> {
  if (rest.length === 0) {
    only(ctx, "GET");
    return listDeployments(ctx, scope);
  }
  const at: DeploymentAt = { ...scope, name: rest[0]! };
  if (!/^[-\w._()]{1,64}$/u.test(at.name))
    throw ArmErrors.invalidResourceName(at.name, "Microsoft.Resources/deployments");
  if (rest.length === 1) {
    switch (ctx.req.method) {
      case "GET":
        return { status: 200, body: await viewNow(ctx, await mustLoad(ctx, at)) };
      case "HEAD": {
        if (
          scope.resourceGroup !== undefined &&
          !(await getResourceGroup(ctx, scope.subscriptionId, scope.resourceGroup))
        )
          return { status: 404 };
        return { status: (await loadDeployment(ctx, at)) ? 204 : 404 };
      }
      case "PUT":
        return putDeployment(ctx, at);
      case "DELETE":
        return deleteDeployment(ctx, at);
      default:
        throw ArmErrors.methodNotAllowed(ctx.req.method);
    }
  }
  const action = lower(rest[1]);
  if (rest.length === 2) {
    if (action === "operations") {
      only(ctx, "GET");
      return listOperations(ctx, at);
    }
    only(ctx, "POST");
    switch (action) {
      case "validate":
        return validateDeployment(ctx, at);
      case "whatif":
        return whatIf(ctx, at);
      case "cancel":
        return cancelDeployment(ctx, at);
      case "exporttemplate":
        return { status: 200, body: { template: (await mustLoad(ctx, at)).template } };
      default:
        break;
    }
  }
  if (rest.length === 3 && action === "operations") {
    only(ctx, "GET");
    return getOperation(ctx, at, rest[2]!);
  }
  if (rest.length === 3 && action === "operationstatuses") {
    only(ctx, "GET");
    return operationStatus(ctx, at, rest[2]!);
  }
  throw ArmErrors.invalidResourceType(
    `deployments/${rest.slice(1).join("/")}`,
    "Microsoft.Resources",
    ctx.req.apiVersion,
  );
}
