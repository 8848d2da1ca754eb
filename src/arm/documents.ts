/**
 * How ARM resources sit in the store: one document per top-level resource (children inline,
 * so a VNet and its subnets have one source of truth), keyed by the lower-cased id, with the
 * scope columns the list operations use. The stored body is the resource as a GET returns it
 * once every operation on it has completed.
 */
import type { ArmResource } from "../model/resources/common.js";
import { idKey, parseResourceId, type ResourceId } from "../model/resource-id.js";
import type { DocumentInput, ResourceStore, StoredDocument } from "../store/store.js";
import type { IdGenerator } from "./context.js";

export function newEtag(ids: IdGenerator): string {
  return `W/"${ids.guid()}"`;
}

export function documentOf(resource: ArmResource, parent: string | null = null): DocumentInput {
  const id = parseResourceId(resource.id);
  return {
    key: id.key,
    id: resource.id,
    type: resource.type.toLowerCase(),
    subscriptionId: id.subscriptionId?.toLowerCase() ?? null,
    resourceGroup: id.resourceGroup?.toLowerCase() ?? null,
    parent,
    etag: resource.etag ?? "",
    body: resource,
  };
}

export function resourceOf(doc: StoredDocument | undefined): ArmResource | undefined {
  return doc ? (doc.body as ArmResource) : undefined;
}

export async function loadResource(store: ResourceStore, id: string): Promise<ArmResource | undefined> {
  return resourceOf(await store.get(idKey(id)));
}

/** The id of the top-level resource an id belongs to (itself when top-level). */
export function topLevelOf(id: ResourceId): ResourceId {
  if (id.types.length <= 1) return id;
  return parseResourceId(
    `/subscriptions/${id.subscriptionId}/resourceGroups/${id.resourceGroup}/providers/${id.namespace}/${id.types[0]}/${id.names[0]}`,
  );
}

/** Structured clone for JSON documents. */
export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** JSON equality (key order matters only through JSON.stringify; documents are built in a fixed order). */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
