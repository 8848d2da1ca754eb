/**
 * What a GET returns: the stored resource, with `provisioningState: "Updating"` on the
 * resource and children that a running operation targets (and on a subnet's service
 * endpoints while they roll out).
 */
import type { ArmResource } from "../model/resources/common.js";
import { idKey } from "../model/resource-id.js";
import { clone } from "./documents.js";
import type { ChildSpec, ResourceKind } from "./kinds.js";

function markUpdating(r: ArmResource): void {
  const props = (r.properties ??= {});
  props.provisioningState = "Updating";
  const eps = props.serviceEndpoints;
  if (Array.isArray(eps))
    for (const e of eps)
      if (e && typeof e === "object") (e as Record<string, unknown>).provisioningState = "Updating";
}

export function viewOf(
  kind: ResourceKind | undefined,
  resource: ArmResource,
  updating: ReadonlySet<string>,
): ArmResource {
  const r = clone(resource);
  if (updating.size === 0) return r;
  if (updating.has(idKey(r.id))) markUpdating(r);
  for (const spec of kind?.children ?? []) {
    const list = r.properties?.[spec.property];
    if (!Array.isArray(list)) continue;
    for (const c of list)
      if (c && typeof c === "object" && updating.has(idKey(String((c as ArmResource).id))))
        markUpdating(c as ArmResource);
  }
  return r;
}

export function childViewOf(child: ArmResource, updating: ReadonlySet<string>): ArmResource {
  const c = clone(child);
  if (updating.has(idKey(c.id))) markUpdating(c);
  return c;
}

function stripVolatile(v: unknown): string {
  return JSON.stringify(v, (k, val) => (k === "etag" || k === "provisioningState" ? undefined : val));
}

/** Keys of children that are new or changed between two versions of a parent. */
export function changedChildKeys(
  spec: ChildSpec,
  next: ArmResource,
  prev: ArmResource | undefined,
): string[] {
  const before = new Map<string, string>();
  const prevList = prev?.properties?.[spec.property];
  if (Array.isArray(prevList))
    for (const c of prevList as ArmResource[]) before.set(idKey(c.id), stripVolatile(c));
  const out: string[] = [];
  const nextList = next.properties?.[spec.property];
  if (Array.isArray(nextList)) {
    for (const c of nextList as ArmResource[]) {
      const k = idKey(c.id);
      if (before.get(k) !== stripVolatile(c)) out.push(k);
    }
  }
  return out;
}
