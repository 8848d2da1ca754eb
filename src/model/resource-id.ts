/**
 * The only parser and formatter of Azure Resource Manager ids (SE-RES-1).
 *
 * Shapes understood:
 *   /subscriptions/{sub}
 *   /subscriptions/{sub}/resourceGroups/{rg}
 *   /subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{childType}/{childName}]...
 *   /subscriptions/{sub}/providers/{ns}/{type}/{name}...            (subscription-level resources)
 *   /providers/{ns}/{type}/{name}...                                 (tenant-level resources)
 *
 * Segments compare case-insensitively; the original casing is kept for output.
 */
import { ArmErrors, textOf } from "./errors.js";

export interface ResourceId {
  /** The id as given, with redundant slashes removed. */
  readonly text: string;
  /** Lower-cased canonical form: use it as a map key and for equality. */
  readonly key: string;
  readonly subscriptionId?: string;
  readonly resourceGroup?: string;
  /** Provider namespace, e.g. `Microsoft.Network` (absent for subscription / resource-group ids). */
  readonly namespace?: string;
  /** Type segments, e.g. `["virtualNetworks", "subnets"]`. */
  readonly types: readonly string[];
  /** Name segments, one per type segment. */
  readonly names: readonly string[];
}

function splitSegments(text: string): string[] {
  return text.split("/").filter((s) => s.length > 0);
}

/** Parses an id, or returns undefined when it is not a well-formed ARM id. */
export function tryParseResourceId(input: string): ResourceId | undefined {
  if (typeof input !== "string" || input.length === 0 || input.length > 4096) return undefined;
  if (!input.startsWith("/")) return undefined;
  const segs = splitSegments(input);
  if (segs.some((s) => /[\s?#]/.test(s) && s.trim() !== s)) return undefined;
  let i = 0;
  let subscriptionId: string | undefined;
  let resourceGroup: string | undefined;
  if (segs[i]?.toLowerCase() === "subscriptions") {
    subscriptionId = segs[i + 1];
    if (subscriptionId === undefined) return undefined;
    i += 2;
    if (segs[i]?.toLowerCase() === "resourcegroups") {
      resourceGroup = segs[i + 1];
      if (resourceGroup === undefined) return undefined;
      i += 2;
    }
  }
  let namespace: string | undefined;
  const types: string[] = [];
  const names: string[] = [];
  if (i < segs.length) {
    if (segs[i]!.toLowerCase() !== "providers") return undefined;
    namespace = segs[i + 1];
    if (namespace === undefined) return undefined;
    i += 2;
    const rest = segs.slice(i);
    if (rest.length === 0 || rest.length % 2 !== 0) return undefined;
    for (let k = 0; k < rest.length; k += 2) {
      types.push(rest[k]!);
      names.push(rest[k + 1]!);
    }
  } else if (subscriptionId === undefined) {
    return undefined;
  }
  const text = "/" + segs.join("/");
  const out: {
    text: string;
    key: string;
    subscriptionId?: string;
    resourceGroup?: string;
    namespace?: string;
    types: string[];
    names: string[];
  } = { text, key: text.toLowerCase(), types, names };
  if (subscriptionId !== undefined) out.subscriptionId = subscriptionId;
  if (resourceGroup !== undefined) out.resourceGroup = resourceGroup;
  if (namespace !== undefined) out.namespace = namespace;
  return out;
}

/** Parses an id or throws ARM's `InvalidResourceId`. */
export function parseResourceId(input: string): ResourceId {
  const id = tryParseResourceId(input);
  if (!id) throw ArmErrors.invalidResourceId(textOf(input));
  return id;
}

/** Parses an id found at a property path of a request body (`LinkedInvalidPropertyId` on failure). */
export function parseLinkedId(input: unknown, path: string): ResourceId {
  const id = typeof input === "string" ? tryParseResourceId(input) : undefined;
  if (!id || id.namespace === undefined) throw ArmErrors.linkedInvalidPropertyId(path, textOf(input));
  return id;
}

export interface ResourceIdParts {
  subscriptionId?: string;
  resourceGroup?: string;
  namespace?: string;
  types?: readonly string[];
  names?: readonly string[];
}

export function formatResourceId(p: ResourceIdParts): string {
  let s = "";
  if (p.subscriptionId !== undefined) s += `/subscriptions/${p.subscriptionId}`;
  if (p.resourceGroup !== undefined) s += `/resourceGroups/${p.resourceGroup}`;
  if (p.namespace !== undefined) {
    s += `/providers/${p.namespace}`;
    const types = p.types ?? [];
    const names = p.names ?? [];
    for (let k = 0; k < types.length; k++) s += `/${types[k]}/${names[k] ?? ""}`;
  }
  return s;
}

export function makeResourceId(p: ResourceIdParts): ResourceId {
  return parseResourceId(formatResourceId(p));
}

const keyCache = new Map<string, string>();
const KEY_CACHE_LIMIT = 200_000;

/** Lower-cased key of an id string; cheap, no validation. Use for maps of ids. */
export function idKey(id: string): string {
  if (typeof id !== "string") return ""; // not an id (a damaged configuration): matches nothing
  const hit = keyCache.get(id);
  if (hit !== undefined) return hit;
  let s = id.toLowerCase();
  if (s.endsWith("/")) s = s.replace(/\/+$/, "");
  if (s.includes("//")) s = s.replace(/\/{2,}/g, "/");
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(id, s);
  return s;
}

/** The last name segment of an id string (`subnet1` of `…/subnets/subnet1`), without full parsing. */
export function nameOfId(id: string): string {
  const t = id.endsWith("/") ? id.replace(/\/+$/, "") : id;
  return t.slice(t.lastIndexOf("/") + 1);
}

/** `vnet1/subnet1` for a child id: its last two names (the id itself when it has fewer segments). */
export function childLabel(id: string): string {
  const t = id.endsWith("/") ? id.replace(/\/+$/, "") : id;
  const a = t.lastIndexOf("/");
  const b = a > 0 ? t.lastIndexOf("/", a - 1) : -1;
  const c = b > 0 ? t.lastIndexOf("/", b - 1) : -1;
  return c >= 0 ? `${t.slice(c + 1, b)}/${t.slice(a + 1)}` : t;
}

export function sameId(a: string | undefined | null, b: string | undefined | null): boolean {
  if (a == null || b == null) return false;
  return idKey(a) === idKey(b);
}

/** `Microsoft.Network/virtualNetworks/subnets` */
export function fullType(id: ResourceId): string {
  return [id.namespace ?? "", ...id.types].join("/");
}

/** The resource's own name (last name segment). */
export function leafName(id: ResourceId): string {
  return id.names[id.names.length - 1] ?? id.resourceGroup ?? id.subscriptionId ?? "";
}

export function parentId(id: ResourceId): ResourceId | undefined {
  if (id.types.length > 1) {
    return makeResourceId({ ...id, types: id.types.slice(0, -1), names: id.names.slice(0, -1) });
  }
  if (id.types.length === 1) {
    return makeResourceId({
      subscriptionId: id.subscriptionId,
      resourceGroup: id.resourceGroup,
    } as ResourceIdParts);
  }
  if (id.resourceGroup !== undefined)
    return makeResourceId({ subscriptionId: id.subscriptionId } as ResourceIdParts);
  return undefined;
}

export function childId(id: ResourceId | string, type: string, name: string): string {
  const base = typeof id === "string" ? id : id.text;
  return `${base.replace(/\/+$/, "")}/${type}/${name}`;
}

/** True when `inner` equals `scope` or lies below it (subscription, group, resource, child). */
export function isWithinScope(inner: string, scope: string): boolean {
  const a = idKey(inner);
  const b = idKey(scope);
  return a === b || a.startsWith(b + "/");
}

/** Case-insensitive type check: `isType(id, "Microsoft.Network/virtualNetworks/subnets")`. */
export function isType(id: ResourceId | undefined, type: string): boolean {
  return id !== undefined && fullType(id).toLowerCase() === type.toLowerCase();
}
