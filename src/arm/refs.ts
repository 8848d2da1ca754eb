/**
 * References between resources: every id a resource names must exist with the right type
 * (`InvalidResourceReference` otherwise), and the target carries the back reference Azure
 * shows (a subnet's `ipConfigurations`, an NSG's `subnets` and `networkInterfaces`, a public
 * IP's `ipConfiguration`, a NIC's `virtualMachine`, ...). Back references are maintained here
 * at write time, so stored documents are complete ARM resources.
 */
import type { ArmError } from "../model/errors.js";
import { ArmErrors } from "../model/errors.js";
import type { ArmResource, SubResource } from "../model/resources/common.js";
import { fullType, idKey, tryParseResourceId } from "../model/resource-id.js";
import type { Ctx } from "./context.js";
import type { KindRegistry, Reference, ResourceKind } from "./kinds.js";
import { topLevelOf } from "./documents.js";
import type { UnitOfWork } from "./unit-of-work.js";
import { authorizeJoins, joinActionOf, type JoinCheck } from "./authz.js";

export interface ReferenceWithConflict extends Reference {
  /** For single-valued slots: the error when the target already points at someone else. */
  onConflict?: (target: string, usedBy: string) => ArmError;
}

/** Finds an inline child by name (case-insensitive). */
export function findChild(
  parent: ArmResource | undefined,
  property: string,
  name: string,
): ArmResource | undefined {
  const list = parent?.properties?.[property];
  if (!Array.isArray(list)) return undefined;
  const want = name.toLowerCase();
  return list.find(
    (c) => c && typeof c === "object" && String((c as ArmResource).name).toLowerCase() === want,
  ) as ArmResource | undefined;
}

/** Resolves an id (top-level or one child level deep) to the object inside the unit of work. */
export async function resolveTarget(
  uow: UnitOfWork,
  kinds: KindRegistry,
  id: string,
): Promise<{ top: ArmResource; target: ArmResource } | undefined> {
  const parsed = tryParseResourceId(id);
  if (!parsed || parsed.namespace === undefined || parsed.types.length === 0 || parsed.types.length > 2)
    return undefined;
  const top = await uow.load(topLevelOf(parsed).text);
  if (!top) return undefined;
  if (parsed.types.length === 1) return { top, target: top };
  const child = kinds.child(parsed.namespace, parsed.types[0]!, parsed.types[1]!);
  if (!child) return undefined;
  const target = findChild(top, child.spec.property, parsed.names[1]!);
  return target ? { top, target } : undefined;
}

function refKey(r: Reference): string {
  return `${idKey(r.to)}|${r.slot?.name ?? ""}|${idKey(r.from)}`;
}

function addBackRef(target: ArmResource, slot: { name: string; single?: boolean }, from: string): void {
  const props = (target.properties ??= {});
  if (slot.single) {
    props[slot.name] = { id: from };
    return;
  }
  const list = Array.isArray(props[slot.name]) ? (props[slot.name] as SubResource[]) : [];
  if (!list.some((e) => idKey(e.id) === idKey(from))) list.push({ id: from });
  props[slot.name] = list;
}

function removeBackRef(target: ArmResource, slot: { name: string; single?: boolean }, from: string): void {
  const props = target.properties;
  if (!props) return;
  const cur = props[slot.name];
  if (slot.single) {
    if (cur && typeof cur === "object" && idKey(String((cur as SubResource).id)) === idKey(from))
      delete props[slot.name];
    return;
  }
  if (!Array.isArray(cur)) return;
  const kept = (cur as SubResource[]).filter((e) => idKey(String(e?.id)) !== idKey(from));
  if (kept.length === 0) delete props[slot.name];
  else props[slot.name] = kept;
}

/** Child types whose own write Azure names in a linked access check (others name the top-level write). */
const OWN_WRITE_CHILDREN = new Set([
  "microsoft.network/virtualnetworks/subnets",
  "microsoft.network/virtualnetworks/virtualnetworkpeerings",
]);

/**
 * The linked access checks of a write (authz.ts `joinActionOf`): every well-formed reference to a
 * joinable resource, grouped by write and join action in order of appearance. Azure checks them on
 * every write that names the target, changed or not, before looking the target up.
 */
function joinChecks(next: ArmResource, refs: readonly Reference[]): JoinCheck[] {
  const top = tryParseResourceId(next.id);
  if (!top || top.namespace === undefined) return [];
  const topType = fullType(top);
  const out = new Map<string, JoinCheck>();
  for (const r of refs) {
    const to = tryParseResourceId(r.to);
    const from = tryParseResourceId(r.from);
    if (!to || to.namespace === undefined || fullType(to).toLowerCase() !== r.targetType.toLowerCase())
      continue;
    const fromType = from && from.namespace !== undefined ? fullType(from) : topType;
    const linkedAction = joinActionOf(r.targetType, fromType);
    if (!linkedAction) continue;
    const own = OWN_WRITE_CHILDREN.has(fromType.toLowerCase());
    const action = `${own ? fromType : topType}/write`;
    const scope = own ? r.from : next.id;
    const key = `${idKey(scope)}|${linkedAction}`;
    const c = out.get(key);
    if (!c) out.set(key, { action, scope, linkedAction, linkedScopes: [r.to] });
    else if (!c.linkedScopes.some((s) => idKey(s) === idKey(r.to))) c.linkedScopes.push(r.to);
  }
  return [...out.values()];
}

/**
 * Validates the references of `next` and moves back references from what `prev` named to
 * what `next` names. Either side may be undefined (create, delete).
 */
export async function applyReferences(
  ctx: Ctx,
  uow: UnitOfWork,
  kind: ResourceKind,
  next: ArmResource | undefined,
  prev: ArmResource | undefined,
): Promise<void> {
  const nextRefs = (next && kind.references ? kind.references(next) : []) as ReferenceWithConflict[];
  const prevRefs = (prev && kind.references ? kind.references(prev) : []) as ReferenceWithConflict[];
  const prevKeys = new Set(prevRefs.map(refKey));
  const nextKeys = new Set(nextRefs.map(refKey));
  const kinds = ctx.deps.kinds;

  if (next) await authorizeJoins(ctx, joinChecks(next, nextRefs));

  for (const r of nextRefs) {
    const parsed = tryParseResourceId(r.to);
    if (!parsed || parsed.namespace === undefined) throw ArmErrors.linkedInvalidPropertyId(r.path, r.to);
    if (fullType(parsed).toLowerCase() !== r.targetType.toLowerCase())
      throw ArmErrors.linkedInvalidPropertyId(r.path, r.to);
    const found = await resolveTarget(uow, kinds, r.to);
    if (!found) throw ArmErrors.invalidResourceReference(r.to, next!.id);
    if (!r.slot || prevKeys.has(refKey(r))) continue;
    if (r.slot.single) {
      const cur = found.target.properties?.[r.slot.name] as SubResource | undefined;
      if (cur?.id && idKey(cur.id) !== idKey(r.from)) {
        const leaving = prevRefs.some((p) => idKey(p.from) === idKey(cur.id) && idKey(p.to) === idKey(r.to));
        if (!leaving)
          throw r.onConflict
            ? r.onConflict(r.to, cur.id)
            : ArmErrors.invalidResourceReference(r.to, next!.id);
      }
    }
  }

  for (const r of prevRefs) {
    if (!r.slot || nextKeys.has(refKey(r))) continue;
    const found = await resolveTarget(uow, kinds, r.to);
    if (!found) continue;
    removeBackRef(found.target, r.slot, r.from);
    uow.set(found.top);
  }
  for (const r of nextRefs) {
    if (!r.slot || prevKeys.has(refKey(r))) continue;
    const found = (await resolveTarget(uow, kinds, r.to))!;
    addBackRef(found.target, r.slot, r.from);
    uow.set(found.top);
  }
}

/** The `{id}` entries of a back-reference list (empty when absent). */
export function backRefs(resource: ArmResource | undefined, slot: string): string[] {
  const v = resource?.properties?.[slot];
  if (Array.isArray(v)) return v.map((e) => String((e as SubResource)?.id ?? "")).filter((s) => s.length > 0);
  if (v && typeof v === "object" && typeof (v as SubResource).id === "string") return [(v as SubResource).id];
  return [];
}
