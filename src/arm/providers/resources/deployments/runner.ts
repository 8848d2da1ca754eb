/**
 * Runs a prepared deployment (src/template) the way ARM's deployment engine does: wave after
 * wave of independent resources (in parallel within a wave), every resource PUT through the
 * control plane's own entry point (`handleArm`) with the deploying caller's identity, so it gets
 * exactly the providers, validation, RBAC (join actions included) and long-running operations of
 * a direct call; each operation polled to its end like a client would. A resource whose
 * dependency failed is not attempted. Nested deployments run as deployments of their own.
 * Complete mode then deletes what the template does not name in the resource group.
 *
 * The runner records one deployment operation per resource (provisioningOperation, state,
 * status code, statusMessage: the provider's error, or a note that the type is not modelled).
 */
import { createHash } from "node:crypto";
import { ArmErrors, isArmError } from "../../../../model/errors.js";
import type { ArmResource } from "../../../../model/resources/common.js";
import { idKey, parseResourceId, tryParseResourceId } from "../../../../model/resource-id.js";
import type {
  DeploymentScope,
  EvalHost,
  PlannedResource,
  PreparedDeployment,
} from "../../../../template/index.js";
import { handleArm } from "../../../arm.js";
import { authorize } from "../../../authz.js";
import type { ArmResponse, Ctx } from "../../../context.js";
import { resourceOf, topLevelOf } from "../../../documents.js";
import { poll, runningOperation } from "../../../lro.js";
import { findChild } from "../../../refs.js";
import { RESOURCE_GROUP_TYPE } from "../../../tenancy.js";
import { saveFinished } from "./store-ops.js";
import {
  DEPLOYMENT_OPERATION_TYPE,
  DEPLOYMENT_TYPE,
  deploymentId,
  type DeploymentAt,
  type DeploymentState,
  type DeploymentView,
  type ErrorShape,
} from "./records.js";

/** One deployment operation as ARM lists it (`deployments/{name}/operations`). */
export interface DeploymentOperation {
  id: string;
  operationId: string;
  properties: {
    provisioningOperation: "Create" | "Delete" | "EvaluateDeploymentOutput" | "Read";
    provisioningState: "Succeeded" | "Failed";
    timestamp: string;
    duration: string;
    trackingId: string;
    serviceRequestId: string;
    statusCode: string;
    statusMessage: Record<string, unknown>;
    targetResource?: { id: string; resourceType: string; resourceName: string; apiVersion?: string };
  };
}

export interface RunOptions {
  mode: "Incremental" | "Complete";
  /** The deployment's own document is written by the caller; nested ones by the runner. */
  correlationId: string;
  template: unknown;
  /** Parameters as sent (kept for nested records). */
  location?: string;
  /** Dry run (what-if): the store is a transaction that will be rolled back. */
  dryRun?: boolean;
}

export interface RunResult {
  state: "Succeeded" | "Failed";
  view: DeploymentView;
  operations: DeploymentOperation[];
  /** Per planned resource key: the resource after the run (what-if), or the error that refused it. */
  outcomes: Map<string, { resource: PlannedResource; error?: ErrorShape; skipped?: boolean }>;
  /** Ids deleted by Complete mode. */
  deleted: string[];
  /** Nested deployments' results, by planned key. */
  nested: Map<string, RunResult>;
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "NoContent",
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  412: "PreconditionFailed",
  429: "TooManyRequests",
  500: "InternalServerError",
};

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** ISO 8601 duration as ARM prints it (`PT1.2345S`). */
export function isoDuration(ms: number): string {
  return `PT${(Math.max(0, ms) / 1000).toFixed(ms % 1000 === 0 ? 0 : 3).replace(/\.?0+$/, "") || "0"}S`;
}

/** ARM's templateHash is a decimal hash of the template; ours is the first 63 bits of its SHA-256. */
export function templateHash(template: unknown): string {
  const h = createHash("sha256")
    .update(JSON.stringify(template ?? null))
    .digest();
  return (h.readBigUInt64BE(0) & 0x7fffffffffffffffn).toString();
}

/** ARM reports parameter and output types capitalised (`String`, `SecureString`, `Int`, …). */
export function typeName(t: string): string {
  switch (t.toLowerCase()) {
    case "string":
      return "String";
    case "securestring":
      return "SecureString";
    case "int":
      return "Int";
    case "bool":
      return "Bool";
    case "object":
      return "Object";
    case "secureobject":
      return "SecureObject";
    case "array":
      return "Array";
    default:
      return t;
  }
}

export function isSecureType(t: string): boolean {
  return /^secure/i.test(t);
}

/** Parameters as ARM echoes them: types capitalised, secure values never shown. */
export function echoParameters(
  params: Record<string, { type: string; value: unknown }>,
): Record<string, { type: string; value?: unknown }> {
  const out: Record<string, { type: string; value?: unknown }> = {};
  for (const [k, p] of Object.entries(params))
    out[k] = isSecureType(p.type) ? { type: typeName(p.type) } : { type: typeName(p.type), value: p.value };
  return out;
}

export function errorShapeOf(e: unknown): ErrorShape {
  if (isArmError(e)) {
    const out: ErrorShape = { code: e.code, message: e.message };
    if (e.target !== undefined) out.target = e.target;
    if (e.details !== undefined) out.details = e.details;
    return out;
  }
  return { code: "InternalServerError", message: (e as Error)?.message ?? String(e) };
}

/** The in-memory view of the subscription that `reference()` reads (EvalHost is synchronous). */
export class ResourceCache {
  private readonly tops = new Map<string, unknown>();

  constructor(private readonly ctx: Ctx) {}

  async preload(subscriptionId: string): Promise<void> {
    let after: string | undefined;
    for (;;) {
      const page = await this.ctx.store.list({
        subscriptionId: subscriptionId.toLowerCase(),
        limit: 1000,
        ...(after !== undefined ? { after } : {}),
      });
      for (const d of page.items) {
        if (d.type === DEPLOYMENT_TYPE) this.tops.set(d.key, (d.body as { view: DeploymentView }).view);
        else if (!d.type.startsWith("lazurite/")) this.tops.set(d.key, d.body);
      }
      if (!page.next) return;
      after = page.next;
    }
  }

  set(id: string, body: unknown): void {
    this.tops.set(idKey(id), body);
  }

  delete(id: string): void {
    this.tops.delete(idKey(id));
  }

  get(id: string): unknown {
    const direct = this.tops.get(idKey(id));
    if (direct !== undefined) return direct;
    const parsed = tryParseResourceId(id);
    if (!parsed || parsed.namespace === undefined || parsed.types.length !== 2) return undefined;
    const top = this.tops.get(topLevelOf(parsed).key) as ArmResource | undefined;
    const spec = this.ctx.deps.kinds.child(parsed.namespace, parsed.types[0]!, parsed.types[1]!)?.spec;
    return spec ? findChild(top, spec.property, parsed.names[1]!) : undefined;
  }
}

export function evalHost(ctx: Ctx, cache: ResourceCache): EvalHost {
  return {
    now: () => iso(ctx.now),
    newGuid: () => ctx.deps.ids.guid(),
    getResource: (id) => cache.get(id),
  };
}

/** One request through the control plane as the deploying caller. Throws ArmError on refusal. */
export function call(
  ctx: Ctx,
  method: string,
  path: string,
  apiVersion: string,
  body?: unknown,
  query: Record<string, string> = {},
): Promise<ArmResponse> {
  return handleArm(ctx.deps, {
    method,
    path,
    query: { ...query, "api-version": apiVersion },
    apiVersion,
    body,
    baseUrl: ctx.req.baseUrl,
    ...(ctx.req.caller ? { caller: ctx.req.caller } : {}),
  });
}

function headerOf(res: ArmResponse, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(res.headers ?? {})) if (k.toLowerCase() === want) return v;
  return undefined;
}

/** GET of an absolute URL the control plane handed out (operation status / result). */
function getUrl(ctx: Ctx, url: string): Promise<ArmResponse> {
  const u = new URL(url);
  const query: Record<string, string> = {};
  for (const [k, v] of u.searchParams) if (query[k] === undefined) query[k] = v;
  const path = u.pathname
    .split("/")
    .filter((s) => s.length > 0)
    .map((s) => decodeURIComponent(s));
  const apiVersion = query["api-version"] ?? "2021-04-01";
  return handleArm(ctx.deps, {
    method: "GET",
    path: "/" + path.join("/"),
    segments: path,
    query,
    apiVersion,
    body: undefined,
    baseUrl: ctx.req.baseUrl,
    ...(ctx.req.caller ? { caller: ctx.req.caller } : {}),
  });
}

const MAX_POLLS = 10_000;

/** Polls an accepted write or delete to its end like a client; the error when it failed. */
export async function settle(ctx: Ctx, res: ArmResponse): Promise<ErrorShape | undefined> {
  const async = headerOf(res, "Azure-AsyncOperation");
  if (async) {
    for (let i = 0; i < MAX_POLLS; i++) {
      const st = await getUrl(ctx, async);
      const body = (st.body ?? {}) as { status?: string; error?: ErrorShape };
      const status = String(body.status ?? "");
      if (status === "Succeeded") return undefined;
      if (status === "Failed" || status === "Canceled")
        return body.error ?? { code: status, message: `The operation ${status.toLowerCase()}.` };
    }
    return { code: "OperationTimedOut", message: "The operation did not complete." };
  }
  const location = headerOf(res, "Location");
  if (location && res.status === 202) {
    for (let i = 0; i < MAX_POLLS; i++) {
      const st = await getUrl(ctx, location);
      if (st.status !== 202) return undefined;
    }
    return { code: "OperationTimedOut", message: "The operation did not complete." };
  }
  return undefined;
}

/** A write that met another operation on the same tree waits for it (polling it) and retries once it ended. */
async function waitForTree(ctx: Ctx, id: string): Promise<void> {
  const parsed = tryParseResourceId(id);
  if (!parsed || parsed.namespace === undefined) return;
  const top = topLevelOf(parsed);
  for (let i = 0; i < MAX_POLLS; i++) {
    const op = await runningOperation({ ...ctx, now: ctx.deps.clock.now(), store: ctx.deps.store }, top.key);
    if (!op) return;
    await poll(
      { ...ctx, now: ctx.deps.clock.now(), store: ctx.deps.store },
      op.subscriptionId,
      op.operationId,
    );
  }
}

/** A call that meets another operation on the same tree waits for it and tries again (a few times). */
async function retryingBusy(ctx: Ctx, id: string, fn: () => Promise<ArmResponse>): Promise<ArmResponse> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(isArmError(e) && e.code === "AnotherOperationInProgress" && attempt < 19)) throw e;
      await waitForTree(ctx, id);
    }
  }
}

/** The path to GET to refresh the cache after a write: the top-level resource an id belongs to. */
function refreshPath(id: string): string {
  const parsed = tryParseResourceId(id);
  if (!parsed || parsed.namespace === undefined) return id;
  const kindTop = topLevelOf(parsed);
  return kindTop.text;
}

/** Reads a resource as the caller would after the write (Succeeded) into the cache. */
async function refresh(ctx: Ctx, cache: ResourceCache, id: string, apiVersion: string): Promise<void> {
  const path = refreshPath(id);
  try {
    const res = await call(ctx, "GET", path, apiVersion);
    if (res.body !== undefined) cache.set(path, res.body);
  } catch {
    // Not readable (e.g. a type served for writes only): reference() then fails as ARM's would.
  }
}

function isNotModelled(ctx: Ctx, type: string): boolean {
  const parts = type.split("/");
  const ns = ctx.deps.kinds.namespaceName(parts[0] ?? "");
  if (!ns) return true;
  const kind = ctx.deps.kinds.top(ns, parts[1] ?? "");
  if (!kind) return true;
  if (kind.notModelled) return true;
  if (parts.length === 3) {
    const child = kind.children.find((c) => c.segment.toLowerCase() === parts[2]!.toLowerCase());
    if (!child) return true;
  }
  return false;
}

export function notModelledMessage(type: string): string {
  return `Lazurite does not model ${type}: it is stored as a generic tracked resource (envelope validated, properties kept as sent, provisioningState Succeeded) and takes no part in network decisions.`;
}

interface Run {
  ctx: Ctx;
  prepared: PreparedDeployment;
  correlationId: string;
  at: DeploymentAt;
  depId: string;
  cache: ResourceCache;
  host: EvalHost;
  ops: DeploymentOperation[];
  outcomes: RunResult["outcomes"];
  nested: RunResult["nested"];
  failures: ErrorShape[];
  deployed: string[];
}

function operation(
  run: Run,
  args: {
    kind: DeploymentOperation["properties"]["provisioningOperation"];
    startMs: number;
    statusCode: number;
    error?: ErrorShape;
    message?: string;
    target?: { id: string; type: string; name: string; apiVersion?: string };
  },
): DeploymentOperation {
  const ctx = run.ctx;
  const opId = ctx.deps.ids.guid().replace(/-/g, "").slice(-16).toUpperCase();
  const end = ctx.deps.clock.now();
  const statusMessage: Record<string, unknown> = args.error
    ? { status: "Failed", error: args.error }
    : { status: "Succeeded" };
  if (args.message !== undefined) {
    statusMessage.notModelled = true;
    statusMessage.message = args.message;
  }
  const op: DeploymentOperation = {
    id: `${run.depId}/operations/${opId}`,
    operationId: opId,
    properties: {
      provisioningOperation: args.kind,
      provisioningState: args.error ? "Failed" : "Succeeded",
      timestamp: iso(end),
      duration: isoDuration(end - args.startMs),
      trackingId: ctx.deps.ids.guid(),
      serviceRequestId: ctx.deps.ids.guid(),
      statusCode: STATUS_TEXT[args.statusCode] ?? String(args.statusCode),
      statusMessage,
      ...(args.target
        ? {
            targetResource: {
              id: args.target.id,
              resourceType: args.target.type,
              resourceName: args.target.name,
              ...(args.target.apiVersion ? { apiVersion: args.target.apiVersion } : {}),
            },
          }
        : {}),
    },
  };
  run.ops.push(op);
  return op;
}

/** Preflight: the caller needs each resource's write action (ARM checks them all before it starts). */
export async function preflight(ctx: Ctx, prepared: PreparedDeployment): Promise<void> {
  for (const r of prepared.resources) {
    if (r.existing) continue;
    const action = r.nestedDeployment ? "Microsoft.Resources/deployments/write" : `${r.type}/write`;
    await authorize(ctx, action, r.id);
  }
}

async function deployOne(run: Run, r: PlannedResource): Promise<void> {
  const { ctx } = run;
  const startMs = ctx.deps.clock.now();
  const target = { id: r.id, type: r.type, name: r.name, apiVersion: r.apiVersion };
  if (r.existing) {
    run.outcomes.set(r.key, { resource: r });
    return;
  }
  if (r.nestedDeployment) return deployNested(run, r, startMs);
  let body: Record<string, unknown>;
  try {
    body = run.prepared.evaluate(r, run.host).body;
  } catch (e) {
    const error = errorShapeOf(e);
    run.failures.push(error);
    run.outcomes.set(r.key, { resource: r, error });
    operation(run, { kind: "Create", startMs, statusCode: isArmError(e) ? e.status : 500, error, target });
    return;
  }
  const path = parseResourceId(r.id).text;
  let res: ArmResponse | undefined;
  let error: ErrorShape | undefined;
  let status = 200;
  try {
    res = await retryingBusy(ctx, r.id, () => call(ctx, "PUT", path, r.apiVersion, body));
    status = res.status;
    error = await settle(ctx, res);
    if (error) status = 400;
  } catch (e) {
    error = errorShapeOf(e);
    status = isArmError(e) ? e.status : 500;
  }
  if (error) {
    run.failures.push(error);
    run.outcomes.set(r.key, { resource: r, error });
    operation(run, { kind: "Create", startMs, statusCode: status, error, target });
    return;
  }
  await refresh(ctx, run.cache, r.id, r.apiVersion);
  run.deployed.push(r.id);
  run.outcomes.set(r.key, { resource: r });
  operation(run, {
    kind: "Create",
    startMs,
    statusCode: status,
    target,
    ...(isNotModelled(ctx, r.type) ? { message: notModelledMessage(r.type) } : {}),
  });
}

async function deployNested(run: Run, r: PlannedResource, startMs: number): Promise<void> {
  const { ctx } = run;
  const target = { id: r.id, type: r.type, name: r.name, apiVersion: r.apiVersion };
  try {
    const inner = run.prepared.nested(r, run.host);
    let body: Record<string, unknown> = {};
    try {
      body = run.prepared.evaluate(r, run.host).body;
    } catch {
      // The nested template is evaluated by `nested`; the outer body is only kept for its record.
    }
    const props = (body.properties ?? {}) as Record<string, unknown>;
    const at: DeploymentAt = {
      subscriptionId: inner.scope.subscriptionId,
      ...(inner.scope.resourceGroup !== undefined ? { resourceGroup: inner.scope.resourceGroup } : {}),
      name: inner.name,
    };
    await authorize(ctx, "Microsoft.Resources/deployments/write", deploymentId(at));
    const result = await runDeployment(ctx, at, inner.deployment, {
      mode: "Incremental",
      correlationId: run.correlationId,
      template: props.template ?? null,
      ...(inner.scope.location !== undefined ? { location: inner.scope.location } : {}),
    });
    run.nested.set(r.key, result);
    await saveFinished(ctx, at, result, props.template ?? null);
    run.cache.set(deploymentId(at), result.view);
    run.cache.set(r.id, result.view);
    for (const id of result.view.properties.outputResources as Array<{ id: string }>)
      run.deployed.push(id.id);
    if (result.state === "Failed") {
      const error = (result.view.properties.error as ErrorShape | undefined) ?? {
        code: "DeploymentFailed",
        message: "The nested deployment failed.",
      };
      run.failures.push(error);
      run.outcomes.set(r.key, { resource: r, error });
      operation(run, { kind: "Create", startMs, statusCode: 400, error, target });
      return;
    }
    run.outcomes.set(r.key, { resource: r });
    operation(run, { kind: "Create", startMs, statusCode: 200, target });
  } catch (e) {
    const error = errorShapeOf(e);
    run.failures.push(error);
    run.outcomes.set(r.key, { resource: r, error });
    operation(run, { kind: "Create", startMs, statusCode: isArmError(e) ? e.status : 500, error, target });
  }
}

/** Deletes, in Complete mode, every top-level resource of the group the template does not name. */
async function completeMode(run: Run, named: Set<string>): Promise<string[]> {
  const { ctx, at } = run;
  if (at.resourceGroup === undefined) return [];
  const docs = (
    await ctx.deps.store.list({
      subscriptionId: at.subscriptionId.toLowerCase(),
      resourceGroup: at.resourceGroup.toLowerCase(),
    })
  ).items.filter(
    (d) => !d.type.startsWith("lazurite/") && d.type !== RESOURCE_GROUP_TYPE && d.type.includes("/"),
  );
  let pending = docs.filter((d) => !named.has(d.key)).map((d) => resourceOf(d)!);
  const deleted: string[] = [];
  while (pending.length > 0) {
    const failed: Array<{ r: ArmResource; error: ErrorShape; status: number }> = [];
    for (const r of pending) {
      const startMs = ctx.deps.clock.now();
      try {
        const res = await retryingBusy(ctx, r.id, () => call(ctx, "DELETE", r.id, "2023-09-01"));
        const error = await settle(ctx, res);
        if (error) throw ArmErrors.conflict(error.message);
        deleted.push(r.id);
        run.cache.delete(r.id);
        operation(run, {
          kind: "Delete",
          startMs,
          statusCode: res.status,
          target: { id: r.id, type: r.type, name: r.name },
        });
      } catch (e) {
        failed.push({ r, error: errorShapeOf(e), status: isArmError(e) ? e.status : 500 });
      }
    }
    if (failed.length === pending.length) {
      for (const f of failed) {
        run.failures.push(f.error);
        operation(run, {
          kind: "Delete",
          startMs: ctx.deps.clock.now(),
          statusCode: f.status,
          error: f.error,
          target: { id: f.r.id, type: f.r.type, name: f.r.name },
        });
      }
      break;
    }
    pending = failed.map((f) => f.r);
  }
  return deleted;
}

/** Runs a prepared deployment to its end (never throws for resource failures: they make it Failed). */
export async function runDeployment(
  ctx: Ctx,
  at: DeploymentAt,
  prep: PreparedDeployment,
  opts: RunOptions,
  cache?: ResourceCache,
): Promise<RunResult> {
  const startMs = ctx.deps.clock.now();
  const depId = deploymentId(at);
  const c = cache ?? new ResourceCache(ctx);
  if (!cache) await c.preload(at.subscriptionId);
  const run: Run = {
    ctx,
    prepared: prep,
    correlationId: opts.correlationId,
    at,
    depId,
    cache: c,
    host: evalHost(ctx, c),
    ops: [],
    outcomes: new Map(),
    nested: new Map(),
    failures: [],
    deployed: [],
  };
  const failedKeys = new Set<string>();
  for (const wave of prep.order()) {
    const ready = wave.filter((r) => {
      if (r.dependsOn.some((k) => failedKeys.has(k))) {
        failedKeys.add(r.key);
        run.outcomes.set(r.key, { resource: r, skipped: true });
        return false;
      }
      return true;
    });
    await Promise.all(ready.map((r) => deployOne(run, r)));
    for (const r of ready) if (run.outcomes.get(r.key)?.error) failedKeys.add(r.key);
  }
  let deleted: string[] = [];
  if (opts.mode === "Complete" && run.failures.length === 0) {
    const named = new Set(prep.resources.map((r) => topLevelKey(r.id)));
    deleted = await completeMode(run, named);
  }
  let outputs: Record<string, { type: string; value: unknown }> | undefined;
  if (run.failures.length === 0) {
    const outStart = ctx.deps.clock.now();
    try {
      const raw = prep.outputs(run.host);
      outputs = {};
      for (const [k, o] of Object.entries(raw)) outputs[k] = { type: typeName(o.type), value: o.value };
      if (Object.keys(outputs).length > 0)
        operation(run, { kind: "EvaluateDeploymentOutput", startMs: outStart, statusCode: 200 });
    } catch (e) {
      const error = errorShapeOf(e);
      run.failures.push(error);
      operation(run, {
        kind: "EvaluateDeploymentOutput",
        startMs: outStart,
        statusCode: isArmError(e) ? e.status : 500,
        error,
      });
    }
  }
  const endMs = ctx.deps.clock.now();
  const state: DeploymentState = run.failures.length === 0 ? "Succeeded" : "Failed";
  const view = deploymentView(ctx, at, prep, opts, {
    state,
    startMs,
    endMs,
    outputs,
    outputResources: run.deployed,
    error: state === "Failed" ? ArmErrors.deploymentFailed(depId, run.failures).toBody().error : undefined,
  });
  return {
    state: state as "Succeeded" | "Failed",
    view,
    operations: run.ops,
    outcomes: run.outcomes,
    deleted,
    nested: run.nested,
  };
}

function topLevelKey(id: string): string {
  const parsed = tryParseResourceId(id);
  if (!parsed) return idKey(id);
  return parsed.namespace === undefined ? parsed.key : topLevelOf(parsed).key;
}

/** The deployment as ARM reports it (DeploymentExtended). */
export function deploymentView(
  ctx: Ctx,
  at: DeploymentAt,
  prep: PreparedDeployment | undefined,
  opts: RunOptions,
  r: {
    state: DeploymentState;
    startMs: number;
    endMs: number;
    outputs?: Record<string, unknown> | undefined;
    outputResources: string[];
    error?: ErrorShape | undefined;
  },
): DeploymentView {
  const byKey = new Map((prep?.resources ?? []).map((p) => [p.key, p]));
  const ref = (p: PlannedResource) => ({ id: p.id, resourceType: p.type, resourceName: p.name });
  const providers = new Map<string, Map<string, Set<string>>>();
  for (const p of prep?.resources ?? []) {
    const slash = p.type.indexOf("/");
    const ns = p.type.slice(0, slash);
    const types = providers.get(ns) ?? new Map<string, Set<string>>();
    types.set(p.type.slice(slash + 1), types.get(p.type.slice(slash + 1)) ?? new Set());
    providers.set(ns, types);
  }
  const props: Record<string, unknown> & { provisioningState: DeploymentState } = {
    templateHash: templateHash(opts.template),
    parameters: prep ? echoParameters(prep.parameters) : {},
    mode: opts.mode,
    provisioningState: r.state,
    timestamp: iso(r.endMs),
    duration: isoDuration(r.endMs - r.startMs),
    correlationId: opts.correlationId,
    providers: [...providers].map(([namespace, types]) => ({
      namespace,
      resourceTypes: [...types.keys()].map((resourceType) => ({ resourceType, locations: [] as string[] })),
    })),
    dependencies: (prep?.resources ?? [])
      .filter((p) => p.dependsOn.length > 0)
      .map((p) => ({
        dependsOn: p.dependsOn.flatMap((k) => {
          const d = byKey.get(k);
          return d ? [ref(d)] : [];
        }),
        ...ref(p),
      })),
  };
  if (r.outputs !== undefined) props.outputs = r.outputs;
  props.outputResources = r.outputResources.map((id) => ({ id }));
  if (r.error) props.error = r.error;
  const view: DeploymentView = {
    id: deploymentId(at),
    name: at.name,
    type: "Microsoft.Resources/deployments",
    ...(opts.location !== undefined && at.resourceGroup === undefined ? { location: opts.location } : {}),
    properties: props,
  };
  void ctx;
  return view;
}

export function scopeOf(ctx: Ctx, at: DeploymentAt, rg?: ArmResource, location?: string): DeploymentScope {
  return {
    tenantId: ctx.deps.tenancy.tenantId,
    subscriptionId: at.subscriptionId,
    ...(at.resourceGroup !== undefined ? { resourceGroup: rg?.name ?? at.resourceGroup } : {}),
    ...(rg?.location !== undefined ? { resourceGroupLocation: rg.location } : {}),
    ...(rg ? { resourceGroupId: rg.id } : {}),
    deploymentName: at.name,
    ...(location !== undefined ? { location } : {}),
  };
}

export { DEPLOYMENT_OPERATION_TYPE };
