/**
 * ARM's what-if, noise-free: the deployment is run for real — every resource through its
 * provider, with its validation and defaults — inside one store transaction that is then rolled
 * back (no after-commit hook runs, so nothing observable happens). `after` is therefore exactly
 * what the provider would store, and a property the provider fills (etag, provisioningState,
 * resourceGuid, endpoint `locations`, back references) is the same on both sides and never shows
 * as a change. A write the provider would refuse shows as `Unsupported` with the provider's error
 * (and an `Error` diagnostic). Lazurite's access diagnostics (access-impact.ts) come from the
 * snapshots before and after.
 */
import type { ArmResource } from "../../../../model/resources/common.js";
import { idKey, tryParseResourceId } from "../../../../model/resource-id.js";
import type { AccessDiagnostic } from "../../../access-impact.js";
import type { Ctx } from "../../../context.js";
import { topLevelOf } from "../../../documents.js";
import { allResources } from "../../../read.js";
import { RESOURCE_GROUP_TYPE } from "../../../tenancy.js";
import type { DeploymentAt, ErrorShape } from "./records.js";
import { ResourceCache, preflight, runDeployment, type RunResult } from "./runner.js";
import { prepare, type DeploymentInput } from "./input.js";

export type ChangeType = "Create" | "Delete" | "Modify" | "NoChange" | "Ignore" | "Deploy" | "Unsupported";
export type PropertyChangeType = "Create" | "Delete" | "Modify" | "Array" | "NoEffect";

export interface PropertyChange {
  path: string;
  propertyChangeType: PropertyChangeType;
  before?: unknown;
  after?: unknown;
  children?: PropertyChange[];
}

export interface WhatIfChange {
  resourceId: string;
  changeType: ChangeType;
  unsupportedReason?: string;
  before?: unknown;
  after?: unknown;
  delta?: PropertyChange[];
}

export interface WhatIfResult {
  status: "Succeeded";
  properties: {
    changes: WhatIfChange[];
    potentialChanges: WhatIfChange[];
    diagnostics: AccessDiagnostic[];
  };
}

/** Properties the platform owns: never a change. */
const NOISE = new Set(["etag", "provisioningState", "resourceGuid"]);

export function withoutNoise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNoise);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      if (!NOISE.has(k)) out[k] = withoutNoise(x);
    return out;
  }
  return v;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
/** JSON with object keys sorted: equality that ignores property order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    isObj(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, x[k]]),
        )
      : x,
  );
}
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** ARM's delta: dotted paths into objects, `Array` entries whose children are indexed. */
export function delta(before: unknown, after: unknown, path = ""): PropertyChange[] {
  const join = (k: string) => (path === "" ? k : `${path}.${k}`);
  if (isObj(before) && isObj(after)) {
    const out: PropertyChange[] = [];
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) {
      if (path === "" && ["id", "name", "type", "apiVersion"].includes(k)) continue;
      const b = before[k];
      const a = after[k];
      if (b === undefined) out.push({ path: join(k), propertyChangeType: "Create", after: a });
      else if (a === undefined) out.push({ path: join(k), propertyChangeType: "Delete", before: b });
      else out.push(...delta(b, a, join(k)));
    }
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (same(before, after)) return [];
    const children: PropertyChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const b = before[i];
      const a = after[i];
      if (i >= before.length) children.push({ path: String(i), propertyChangeType: "Create", after: a });
      else if (i >= after.length) children.push({ path: String(i), propertyChangeType: "Delete", before: b });
      else if (!same(a, b)) {
        if (isObj(a) && isObj(b))
          children.push({ path: String(i), propertyChangeType: "Modify", children: delta(b, a) });
        else children.push({ path: String(i), propertyChangeType: "Modify", before: b, after: a });
      }
    }
    return [{ path, propertyChangeType: "Array", children }];
  }
  if (same(before, after)) return [];
  return [{ path, propertyChangeType: "Modify", before, after }];
}

class Rollback {
  constructor(readonly result: WhatIfResult) {}
}

function flatten(r: RunResult, out: RunResult[] = []): RunResult[] {
  out.push(r);
  for (const n of r.nested.values()) flatten(n, out);
  return out;
}

function topKey(id: string): string {
  const p = tryParseResourceId(id);
  if (!p) return idKey(id);
  return p.namespace === undefined ? p.key : topLevelOf(p).key;
}

export async function whatIfDeployment(
  ctx: Ctx,
  at: DeploymentAt,
  input: DeploymentInput,
): Promise<WhatIfResult> {
  const beforeCache = new ResourceCache(ctx);
  await beforeCache.preload(at.subscriptionId);
  const beforeAll = await allResources(ctx.store);
  try {
    await ctx.deps.store.transaction(async (tx) => {
      const deps = {
        ...ctx.deps,
        store: tx,
        cache: {
          subscriptions: new Set(ctx.deps.cache.subscriptions),
          registrations: new Map(ctx.deps.cache.registrations),
        },
        hooks: { inTransaction: ctx.deps.hooks?.inTransaction ?? [], afterCommit: [] },
      };
      const dctx: Ctx = { ...ctx, deps, store: tx, changes: [] };
      const { prepared, cache } = await prepare(dctx, at, input, true);
      await preflight(dctx, prepared);
      const result = await runDeployment(
        dctx,
        at,
        prepared,
        { mode: input.mode, correlationId: "", template: input.template, dryRun: true },
        cache,
      );
      const afterCache = new ResourceCache(dctx);
      await afterCache.preload(at.subscriptionId);
      const afterAll = await allResources(tx);
      throw new Rollback(changesOf(ctx, at, input, result, beforeCache, afterCache, beforeAll, afterAll));
    });
  } catch (e) {
    if (e instanceof Rollback) return e.result;
    throw e;
  }
  throw new Error("what-if: the dry run did not finish");
}

function changesOf(
  ctx: Ctx,
  at: DeploymentAt,
  input: DeploymentInput,
  result: RunResult,
  beforeCache: ResourceCache,
  afterCache: ResourceCache,
  beforeAll: readonly ArmResource[],
  afterAll: readonly ArmResource[],
): WhatIfResult {
  const full = input.resultFormat !== "ResourceIdOnly";
  const changes: WhatIfChange[] = [];
  const diagnostics: AccessDiagnostic[] = [];
  const named = new Set<string>();
  for (const run of flatten(result)) {
    for (const { resource: r, error, skipped } of run.outcomes.values()) {
      if (r.nestedDeployment) continue;
      named.add(topKey(r.id));
      if (r.existing) continue;
      const before = beforeCache.get(r.id);
      const b = before === undefined ? undefined : withoutNoise(before);
      if (error || skipped) {
        const reason = error
          ? `The write would be refused: ${error.code}: ${error.message}`
          : "Not deployed: a resource it depends on would fail.";
        changes.push({
          resourceId: r.id,
          changeType: "Unsupported",
          unsupportedReason: reason,
          ...(full && b ? { before: b } : {}),
        });
        if (error) diagnostics.push(refusal(r.id, error));
        continue;
      }
      const after = afterCache.get(r.id);
      const a = after === undefined ? undefined : withoutNoise(after);
      if (b === undefined) {
        changes.push({ resourceId: r.id, changeType: "Create", ...(full ? { after: a } : {}) });
        continue;
      }
      const d = delta(b, a);
      changes.push({
        resourceId: r.id,
        changeType: d.length === 0 ? "NoChange" : "Modify",
        ...(full ? { before: b, after: a, ...(d.length > 0 ? { delta: d } : {}) } : {}),
      });
    }
  }
  const deleted = new Set(result.deleted.map((id) => idKey(id)));
  for (const id of result.deleted) {
    const b = beforeCache.get(id);
    changes.push({ resourceId: id, changeType: "Delete", ...(full && b ? { before: withoutNoise(b) } : {}) });
  }
  if (at.resourceGroup !== undefined && input.mode === "Incremental") {
    for (const r of beforeAll) {
      const p = tryParseResourceId(r.id);
      if (!p || p.resourceGroup?.toLowerCase() !== at.resourceGroup.toLowerCase()) continue;
      if (p.subscriptionId?.toLowerCase() !== at.subscriptionId.toLowerCase()) continue;
      if (r.type.toLowerCase() === RESOURCE_GROUP_TYPE || named.has(p.key) || deleted.has(p.key)) continue;
      changes.push({ resourceId: r.id, changeType: "Ignore", ...(full ? { before: withoutNoise(r) } : {}) });
    }
  }
  changes.sort((x, y) => (x.resourceId.toLowerCase() < y.resourceId.toLowerCase() ? -1 : 1));
  if (ctx.deps.accessImpact) diagnostics.push(...ctx.deps.accessImpact.diagnose(beforeAll, afterAll));
  return { status: "Succeeded", properties: { changes, potentialChanges: [], diagnostics } };
}

function refusal(target: string, error: ErrorShape): AccessDiagnostic {
  return { level: "Error", code: error.code, target, message: error.message };
}
