/**
 * Values of the template language (JSON values) and the helpers every function shares.
 */

/** An evaluation failure; the template layer wraps it into ARM's `InvalidTemplate` with its location. */
export class ExprError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExprError";
  }
}

/**
 * A `reference()`/`list*()` whose target does not exist yet, met while evaluating leniently
 * (what-if): the whole string stays as its source text.
 */
export class NotYetKnown extends Error {
  constructor(readonly what: string) {
    super(`'${what}' is not known before the deployment runs`);
    this.name = "NotYetKnown";
  }
}

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** ARM's name for a value's type, as its error messages print it. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return "Null";
  if (typeof v === "string") return "String";
  if (typeof v === "boolean") return "Boolean";
  if (typeof v === "number") return Number.isInteger(v) ? "Integer" : "Float";
  if (Array.isArray(v)) return "Array";
  return "Object";
}

/** A property of an object by case-insensitive name (exact match first). */
export function getProp(o: JsonObject, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(o, name)) return o[name];
  const k = findKey(o, name);
  return k === undefined ? undefined : o[k];
}

export function findKey(o: JsonObject, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(o, name)) return name;
  const lower = name.toLowerCase();
  for (const k of Object.keys(o)) if (k.toLowerCase() === lower) return k;
  return undefined;
}

export function hasProp(o: JsonObject, name: string): boolean {
  return findKey(o, name) !== undefined;
}

/** Deep equality as `equals()` sees it (strings case-sensitive, object keys case-insensitive). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return a == b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => {
      const kk = findKey(b, k);
      return kk !== undefined && deepEqual(a[k], b[kk]);
    });
  }
  return false;
}

/** A value as `string()`/`concat()`/`format()` print it: strings as-is, others as compact JSON. */
export function stringOf(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return String(v);
  return JSON.stringify(v);
}

/** A deep copy of a JSON value. */
export function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isObject(v)) {
    const o: JsonObject = {};
    for (const [k, x] of Object.entries(v)) o[k] = clone(x);
    return o as T;
  }
  return v;
}
