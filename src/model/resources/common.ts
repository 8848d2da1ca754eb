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
