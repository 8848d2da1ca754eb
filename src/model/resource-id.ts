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

// ---- Names at the HTTP edge: one path segment each, decoded exactly once (SE-RES-1).

/**
 * Why a decoded URL path segment cannot be a name, or undefined when it can: a name is one
 * segment, so it never holds a separator (`/`, `\`), is never `.` or `..`, has no percent
 * escape left that a second decoding would turn into something else, and no control character.
 */
export function segmentProblem(segment: string): string | undefined {
  if (segment.includes("/") || segment.includes("\\")) return "a path separator";
  if (segment === "." || segment === "..") return "a relative path segment";
  if (/%[0-9a-fA-F]{2}/.test(segment)) return "a percent-encoded sequence";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(segment)) return "a control character";
  return undefined;
}

/**
 * The type a name at position `index` of a request path's segments names, for error messages:
 * `Microsoft.Network/virtualNetworks/subnets` for the subnet name of a subnet URL,
 * `resourceGroups` for a resource group, `subscriptions` for a subscription id.
 */
function typeAt(segments: readonly string[], index: number): string {
  const p = segments.findIndex((s) => s.toLowerCase() === "providers");
  if (p < 0 || index < p) return segments[index - 1] ?? "";
  const ns = segments[p + 1] ?? "";
  const types: string[] = [];
  for (let i = p + 2; i < index; i += 2) types.push(segments[i]!);
  return [ns, ...types].join("/");
}

/**
 * Splits a request path (as sent, still percent-encoded) into its segments, decoding each one
 * exactly once, and refuses any decoded segment that could not be one name (`segmentProblem`)
 * with 400 `InvalidResourceName` — before routing or authorization see the path, so that
 * `victim%2Fsubnets%2Fmine` can never address VNet `victim`. Malformed escapes are 400 `BadRequest`.
 */
export function decodePathSegments(rawPath: string): string[] {
  const out: string[] = [];
  for (const s of rawPath.split("/")) {
    if (s.length === 0) continue;
    try {
      out.push(decodeURIComponent(s));
    } catch {
      throw ArmErrors.badRequest(`The request path '${rawPath}' is not valid percent-encoding.`);
    }
  }
  assertNameSegments(out);
  return out;
}

/**
 * Refuses request path segments (already decoded) of which one could not be a name: 400
 * `InvalidSubscriptionId` / `InvalidResourceGroupName` for those two, `InvalidResourceName`
 * for every other name. The control plane calls it again on the segments it is handed.
 */
export function assertNameSegments(segments: readonly string[]): void {
  segments.forEach((s, i) => {
    const why = segmentProblem(s);
    if (why === undefined) return;
    const before = segments[i - 1]?.toLowerCase();
    if (i === 1 && before === "subscriptions") throw ArmErrors.invalidSubscriptionId(s);
    if (i === 3 && before === "resourcegroups") throw ArmErrors.invalidResourceGroupName(s);
    throw ArmErrors.invalidNameSegment(s, typeAt(segments, i), why);
  });
}
