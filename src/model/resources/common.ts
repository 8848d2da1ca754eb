/**
 * ARM resource envelope shared by every type (SE-RES-1). Resources are kept in the
 * JSON shape Azure returns; the typed `properties` interfaces below list the fields
 * Lazurite gives meaning to, and every other field round-trips untouched.
 */
export interface SubResource {
  id: string;
}

export interface ArmResource<P = Record<string, unknown>> {
  id: string;
  name: string;
  type: string;
  location?: string;
  tags?: Record<string, string>;
  etag?: string;
  sku?: { name?: string; tier?: string; [k: string]: unknown };
  kind?: string;
  properties: P;
  [k: string]: unknown;
}

export type ProvisioningState = "Succeeded" | "Updating" | "Deleting" | "Failed" | "Creating" | string;

/** Lower-cased full type of a resource (`microsoft.network/virtualnetworks/subnets`). */
export function typeKey(r: { type: string }): string {
  return r.type.toLowerCase();
}

export function asArray<T>(v: T[] | undefined | null): T[] {
  return Array.isArray(v) ? v : [];
}

/**
 * The object elements of a list of sub-objects (rules, configurations, references); anything
 * else in it (null, a string, a number) is ignored, as a configuration file may hold it.
 */
export function objectsOf<T>(v: T[] | undefined | null): T[] {
  return Array.isArray(v) ? v.filter((x) => x !== null && typeof x === "object" && !Array.isArray(x)) : [];
}

/** The ids of a list of `{id}` references (`applicationSecurityGroups`, …); entries without a string id are ignored. */
export function idsOf(v: unknown): string[] {
  return Array.isArray(v)
    ? v.flatMap((x) =>
        x && typeof x === "object" && typeof (x as { id?: unknown }).id === "string"
          ? [(x as { id: string }).id]
          : [],
      )
    : [];
}

/** The string elements of a list of texts (address prefixes, resource ids); anything else is ignored. */
export function stringsOf(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}
