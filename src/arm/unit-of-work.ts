/**
 * Collects every document a write touches (the resource itself, back references on other
 * resources), then commits them with fresh etags in the surrounding transaction. A
 * document's children share its etag, as the network RP's subnets share their VNet's.
 */
import type { ArmResource } from "../model/resources/common.js";
import { idKey } from "../model/resource-id.js";
import type { Ctx, ResourceChange } from "./context.js";
import { clone, documentOf, newEtag, resourceOf, sameJson } from "./documents.js";
import type { ResourceKind } from "./kinds.js";

interface Entry {
  original: ArmResource | undefined;
  current: ArmResource | undefined;
  parent: string | null;
}

export class UnitOfWork {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ctx: Ctx) {}

  /** The current (possibly modified) version of a document; loads it once. */
  async load(id: string): Promise<ArmResource | undefined> {
    const key = idKey(id);
    let e = this.entries.get(key);
    if (!e) {
      const doc = await this.ctx.store.get(key);
      const r = resourceOf(doc);
      e = { original: r, current: clone(r), parent: doc?.parent ?? null };
      this.entries.set(key, e);
    }
    return e.current;
  }

  /** Registers a document already loaded by the caller (so later `load`s see the same object). */
  track(original: ArmResource | undefined, current: ArmResource, parent: string | null = null): void {
    this.entries.set(idKey(current.id), { original, current, parent });
  }

  set(resource: ArmResource): void {
    const key = idKey(resource.id);
    const e = this.entries.get(key);
    if (e) e.current = resource;
    else this.entries.set(key, { original: undefined, current: resource, parent: null });
  }

  remove(id: string, original: ArmResource | undefined): void {
    const key = idKey(id);
    const e = this.entries.get(key);
    if (e) e.current = undefined;
    else this.entries.set(key, { original, current: undefined, parent: null });
  }

  /** Writes changed documents (new etag on the document and its children), deletes removed ones. */
  async commit(): Promise<void> {
    const changes: ResourceChange[] = [];
    for (const [key, e] of this.entries) {
      if (e.current === undefined) {
        if (e.original !== undefined) {
          await this.ctx.store.delete(key);
          changes.push({ id: e.original.id, type: e.original.type, before: e.original });
        }
        continue;
      }
      if (e.original !== undefined && sameJson(stripEtags(e.original), stripEtags(e.current))) continue;
      const etag = newEtag(this.ctx.deps.ids);
      applyEtag(e.current, etag, this.ctx.deps.kinds.byType(e.current.type));
      await this.ctx.store.put(documentOf(e.current, e.parent));
      changes.push({
        id: e.current.id,
        type: e.current.type,
        ...(e.original ? { before: e.original } : {}),
        after: e.current,
      });
    }
    if (changes.length === 0) return;
    this.ctx.changes?.push(...changes);
    for (const hook of this.ctx.deps.hooks?.inTransaction ?? []) await hook(this.ctx, changes);
  }
}

function stripEtags(r: ArmResource): unknown {
  return JSON.parse(JSON.stringify(r, (k, v) => (k === "etag" ? undefined : v)));
}

/** Sets the etag on a resource and every inline child of its kind. */
export function applyEtag(r: ArmResource, etag: string, kind: ResourceKind | undefined): void {
  r.etag = etag;
  if (!kind) return;
  for (const spec of kind.children) {
    const list = r.properties?.[spec.property];
    if (Array.isArray(list))
      for (const c of list) if (c && typeof c === "object") (c as ArmResource).etag = etag;
  }
}
