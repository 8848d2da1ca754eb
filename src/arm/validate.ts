/**
 * Shape checks for request bodies, answering ARM's codes: a body that is not the JSON shape
 * the API declares gets `InvalidRequestFormat` naming the path, never a 500.
 */
import {
  nameAllowed,
  nameRuleOf,
  TAG_LIMITS,
  tagNameHasReservedCharacters,
} from "../model/catalog/limits.js";
import { findRegion } from "../model/catalog/regions.js";
import { ArmErrors } from "../model/errors.js";
import type { ArmResource } from "../model/resources/common.js";
import { isObject } from "./documents.js";

function badShape(path: string, want: string): Error {
  return ArmErrors.invalidRequestFormat(`Cannot parse the request. The value at '${path}' must be ${want}.`);
}

export function bodyObject(body: unknown): Record<string, unknown> {
  if (!isObject(body)) {
    throw ArmErrors.invalidRequestContent(
      "The request content was invalid and could not be deserialized: the request body must be a JSON object.",
    );
  }
  return body;
}

export function objectAt(v: unknown, path: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw badShape(path, "an object");
  return v;
}

export function arrayAt(v: unknown, path: string): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw badShape(path, "an array");
  return v;
}

export function stringAt(v: unknown, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw badShape(path, "a string");
  return v;
}

export function requiredStringAt(v: unknown, path: string): string {
  const s = stringAt(v, path);
  if (s === undefined || s.length === 0) throw badShape(path, "a non-empty string");
  return s;
}

export function boolAt(v: unknown, path: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw badShape(path, "true or false");
  return v;
}

export function intAt(v: unknown, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n)) throw badShape(path, "an integer");
  return n;
}

export function stringArrayAt(v: unknown, path: string): string[] | undefined {
  const a = arrayAt(v, path);
  if (!a) return undefined;
  return a.map((e, i) => {
    if (typeof e !== "string") throw badShape(`${path}[${i}]`, "a string");
    return e;
  });
}

/** `{ id }` sub-resource reference; undefined when absent or null. */
export function subResourceAt(v: unknown, path: string): { id: string } | undefined {
  const o = objectAt(v, path);
  if (!o) return undefined;
  const id = stringAt(o.id, `${path}.id`);
  if (id === undefined) throw badShape(`${path}.id`, "a resource id");
  return { id };
}

/** Azure's name rule of the type (src/model/catalog/limits.ts): length, characters, first and last character. */
export function assertResourceName(name: string, type: string): void {
  if (!nameAllowed(name, type)) throw ArmErrors.invalidResourceName(name, type, nameRuleOf(type).max);
}

/** The region's programmatic name (`West US` → `westus`); LocationRequired / LocationNotAvailableForResourceType. */
export function regionAt(v: unknown, type: string): string {
  if (v === undefined || v === null || v === "") throw ArmErrors.locationRequired();
  if (typeof v !== "string") throw badShape("location", "a string");
  const r = findRegion(v);
  if (!r) throw ArmErrors.locationNotAvailableForResourceType(v, type);
  return r.name;
}

/** `tags`: an object of strings within Azure's tag limits (50 tags, names ≤ 512 without reserved characters, values ≤ 256). */
export function tagsAt(v: unknown): Record<string, string> | undefined {
  const o = objectAt(v, "tags");
  if (!o) return undefined;
  const out: Record<string, string> = {};
  const reserved: string[] = [];
  for (const [k, val] of Object.entries(o)) {
    if (typeof val !== "string") throw badShape(`tags.${k}`, "a string");
    if (tagNameHasReservedCharacters(k)) reserved.push(k);
    out[k] = val;
  }
  if (reserved.length > 0) throw ArmErrors.invalidTagNameCharacters(reserved);
  for (const [k, val] of Object.entries(out)) {
    if (k.length > TAG_LIMITS.maxNameLength) throw ArmErrors.invalidTagName(k, TAG_LIMITS.maxNameLength);
    if (val.length > TAG_LIMITS.maxValueLength)
      throw ArmErrors.invalidTagValueLength(val, TAG_LIMITS.maxValueLength);
  }
  const count = Object.keys(out).length;
  if (count > TAG_LIMITS.maxTags) throw ArmErrors.invalidTagsCount(count, TAG_LIMITS.maxTags);
  return out;
}

/**
 * Builds a resource with ARM's field order (id, name, type, etag, location, tags, other
 * top-level fields, properties). `etag` is a placeholder the commit replaces.
 */
export function envelope(args: {
  id: string;
  name: string;
  type: string;
  location?: string;
  tags?: Record<string, string> | undefined;
  extra?: Record<string, unknown>;
  properties: Record<string, unknown>;
}): ArmResource {
  const r: Record<string, unknown> = { id: args.id, name: args.name, type: args.type, etag: "" };
  if (args.location !== undefined) r.location = args.location;
  if (args.tags !== undefined) r.tags = args.tags;
  for (const [k, v] of Object.entries(args.extra ?? {})) if (v !== undefined && !(k in r)) r[k] = v;
  r.properties = args.properties;
  return r as ArmResource;
}

/** Top-level fields a client may send that we keep as given (everything except the ones ARM owns). */
export function extraTopLevel(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (["id", "name", "type", "etag", "location", "tags", "properties"].includes(k)) continue;
    out[k] = v;
  }
  return out;
}

/** The child envelope: id, name, type, etag, properties. */
export function childEnvelope(
  id: string,
  name: string,
  type: string,
  properties: Record<string, unknown>,
): ArmResource {
  return { id, name, type, etag: "", properties };
}
