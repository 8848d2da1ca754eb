/**
 * The engine's view of a running server: every stored ARM resource (all subscriptions, every
 * provider, service resources included whoever stored them), as GET shows it right now — a
 * subnet whose endpoint change is still rolling out reads `Updating`, so the engine cuts its
 * service traffic briefly as Azure does (SE-CFG-6).
 *
 * Built afresh for each diagnostic question: a snapshot is cheap next to an HTTP round trip
 * and never stale (writes, LRO completion by poll or by time, and fixtures stored directly all
 * show at once).
 */
import { Snapshot } from "../../engine/snapshot.js";
import type { ArmResource } from "../../model/resources/common.js";
import { idKey } from "../../model/resource-id.js";
import type { Ctx, ResourceChange } from "../context.js";
import { runningFor } from "../lro.js";
import { allResources } from "../read.js";
import { viewOf } from "../view.js";

/** Every stored top-level resource, with `Updating` where an operation runs. */
export async function currentResources(ctx: Ctx): Promise<ArmResource[]> {
  const stored = await allResources(ctx.store);
  const running = await runningFor(
    ctx,
    stored.map((r) => idKey(r.id)),
  );
  if (running.size === 0) return stored;
  return stored.map((r) => {
    const updating = running.get(idKey(r.id));
    return updating ? viewOf(ctx.deps.kinds.byType(r.type), r, updating) : r;
  });
}

/** The snapshot of everything the store holds now (see the module comment). */
export async function currentSnapshot(ctx: Ctx): Promise<Snapshot> {
  return new Snapshot(await currentResources(ctx), { serviceTags: ctx.deps.serviceTags });
}

/** Every stored resource in its final form (no `Updating`): what `lazurite export` writes. */
export function exportedResources(ctx: Ctx): Promise<ArmResource[]> {
  return allResources(ctx.store);
}

/**
 * The resources as they were before `changes` (the documents of one unit of work): created
 * documents removed, updated and deleted ones restored. `after` is the state with the changes.
 */
export function beforeChanges(
  after: readonly ArmResource[],
  changes: readonly ResourceChange[],
): ArmResource[] {
  const byKey = new Map<string, ArmResource>();
  for (const r of after) byKey.set(idKey(r.id), r);
  for (const c of changes) {
    const k = idKey(c.id);
    if (c.before) byKey.set(k, c.before);
    else byKey.delete(k);
  }
  return [...byKey.values()];
}
