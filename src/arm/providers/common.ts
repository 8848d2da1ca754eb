/** Helpers shared by the providers: the tracked-resource envelope and small reference builders. */
import type { ArmResource } from "../../model/resources/common.js";
import type { Ctx } from "../context.js";
import type { Reference } from "../kinds.js";
import type { ReferenceWithConflict } from "../refs.js";
import { ArmErrors } from "../../model/errors.js";
import { envelope, extraTopLevel, regionAt, tagsAt } from "../validate.js";

/** Location of a PUT: required, a known region, unchanged on update (InvalidResourceLocation). */
export function locationFor(input: ArmResource, existing: ArmResource | undefined, type: string): string {
  const location = regionAt(input.location, type);
  if (existing?.location && existing.location !== location) {
    const rg = /\/resourceGroups\/([^/]+)/i.exec(existing.id)?.[1] ?? "";
    throw ArmErrors.invalidResourceLocation(existing.name, existing.location, rg, location);
  }
  return location;
}

/** id/name/type/etag/location/tags + other top-level fields + the given properties. */
export function tracked(
  input: ArmResource,
  existing: ArmResource | undefined,
  type: string,
  properties: Record<string, unknown>,
): ArmResource {
  return envelope({
    id: input.id,
    name: input.name,
    type,
    location: locationFor(input, existing, type),
    tags: tagsAt(input.tags),
    extra: extraTopLevel(input),
    properties,
  });
}

export function guidOf(ctx: Ctx, existing: ArmResource | undefined, key = "resourceGuid"): string {
  const g = existing?.properties?.[key];
  return typeof g === "string" ? g : ctx.deps.ids.guid();
}

/** A reference from `from` to the `{id}` at `value` (none when absent). */
export function refTo(
  from: string,
  value: unknown,
  path: string,
  targetType: string,
  slot?: { name: string; single?: boolean },
  onConflict?: ReferenceWithConflict["onConflict"],
): Reference[] {
  const id = (value as { id?: unknown } | undefined | null)?.id;
  if (typeof id !== "string" || id.length === 0) return [];
  const r: ReferenceWithConflict = { from, to: id, path, targetType };
  if (slot) r.slot = slot;
  if (onConflict) r.onConflict = onConflict;
  return [r];
}

export function listOf(resource: ArmResource | undefined, property: string): ArmResource[] {
  const v = resource?.properties?.[property];
  return Array.isArray(v) ? (v as ArmResource[]) : [];
}
