/**
 * Template parameters: the values supplied (a deploymentParameters `parameters` object, Key Vault
 * references through the host), defaults, and validation (type, allowedValues, min/max values and
 * lengths, user-defined types from `definitions`), worded as ARM words its refusals.
 */
import { ArmErrors } from "../model/errors.js";
import type { Position } from "./json-positions.js";
import { deepEqual, findKey, getProp, isObject, stringOf, typeName, type JsonObject } from "./value.js";

export const PARAM_FILE_LINK = "Please see https://aka.ms/arm-create-parameter-file for usage details.";

export function at(pos: Position | undefined): string {
  return pos ? ` at line '${pos.line}' and column '${pos.column}'` : "";
}

export function validationFailed(inner: string): Error {
  return ArmErrors.invalidTemplate(`Deployment template validation failed: '${inner}'.`);
}

/** ARM's type names for a declared parameter type, as a deployment reports them. */
export function canonicalType(t: string): string {
  switch (t.toLowerCase()) {
    case "string":
      return "String";
    case "securestring":
      return "SecureString";
    case "int":
      return "Int";
    case "bool":
      return "Bool";
    case "object":
      return "Object";
    case "secureobject":
      return "SecureObject";
    case "array":
      return "Array";
    default:
      return t;
  }
}

const JTOKEN: Record<string, string> = {
  string: "String, Uri",
  securestring: "String, Uri",
  int: "Integer",
  bool: "Boolean",
  object: "Object",
  secureobject: "Object",
  array: "Array",
};

function typeMatches(type: string, v: unknown): boolean {
  switch (type.toLowerCase()) {
    case "string":
    case "securestring":
      return typeof v === "string";
    case "int":
      return typeof v === "number" && Number.isInteger(v);
    case "bool":
      return typeof v === "boolean";
    case "object":
    case "secureobject":
      return isObject(v);
    case "array":
      return Array.isArray(v);
    case "any":
      return true;
    default:
      return true;
  }
}

export interface TypeSchema extends JsonObject {
  type?: string;
  $ref?: string;
  allowedValues?: unknown[];
  minValue?: number;
  maxValue?: number;
  minLength?: number;
  maxLength?: number;
  nullable?: boolean;
  properties?: Record<string, TypeSchema>;
  additionalProperties?: boolean | TypeSchema;
  items?: boolean | TypeSchema;
  prefixItems?: TypeSchema[];
}

/**
 * Checks a value against a parameter declaration (or a user-defined type); returns the first
 * problem as a sentence, or undefined.
 */
export function checkValue(
  schema: TypeSchema,
  v: unknown,
  definitions: JsonObject,
  path: string,
  depth = 0,
): string | undefined {
  if (depth > 64) return `The type definition at '${path}' is too deeply nested.`;
  let s = schema;
  const seen = new Set<string>();
  while (typeof s.$ref === "string") {
    const m = /^#\/definitions\/(.+)$/.exec(s.$ref);
    const target = m ? getProp(definitions, m[1]!) : undefined;
    if (!isObject(target) || seen.has(s.$ref)) return `The type reference '${s.$ref}' is not valid.`;
    seen.add(s.$ref);
    const { $ref: _ref, ...rest } = s;
    void _ref;
    s = { ...(target as TypeSchema), ...rest };
  }
  if (v === null || v === undefined) {
    if (s.nullable === true) return undefined;
    return `${path ? `The value at '${path}'` : "The value"} is null, but the type is not nullable.`;
  }
  const where = path ? ` at '${path}'` : "";
  if (s.type !== undefined && typeof s.type !== "string")
    return `The type '${stringOf(s.type)}'${where} is not valid.`;
  if (s.type !== undefined && !typeMatches(s.type, v))
    return `Template parameter JToken type is not valid${where}. Expected '${JTOKEN[s.type.toLowerCase()] ?? s.type}'. Actual '${typeName(v)}'.`;
  if (Array.isArray(s.allowedValues)) {
    const allowed = s.allowedValues;
    const bad =
      Array.isArray(v) && s.type?.toLowerCase() === "array"
        ? v.filter((x) => !allowed.some((a) => deepEqual(a, x)))
        : allowed.some((a) => deepEqual(a, v))
          ? []
          : [v];
    if (bad.length > 0)
      return `The value '${bad.map((b) => stringOf(b)).join(",")}'${where} is not part of the allowed value(s): '${allowed.map((a) => stringOf(a)).join(",")}'.`;
  }
  if (typeof v === "number") {
    if (typeof s.minValue === "number" && v < s.minValue)
      return `The value '${v}'${where} is less than the minimum value '${s.minValue}'.`;
    if (typeof s.maxValue === "number" && v > s.maxValue)
      return `The value '${v}'${where} is greater than the maximum value '${s.maxValue}'.`;
  }
  if (typeof v === "string" || Array.isArray(v)) {
    if (typeof s.minLength === "number" && v.length < s.minLength)
      return `Length of the value${where} should be greater than or equal to '${s.minLength}'.`;
    if (typeof s.maxLength === "number" && v.length > s.maxLength)
      return `Length of the value${where} should be less than or equal to '${s.maxLength}'.`;
  }
  if (Array.isArray(v)) {
    const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : [];
    for (let i = 0; i < v.length; i++) {
      const item = i < prefix.length ? prefix[i] : s.items;
      if (item === false && i >= prefix.length)
        return `The array${where} has more items than its type allows.`;
      if (isObject(item)) {
        const r = checkValue(item as TypeSchema, v[i], definitions, `${path}[${i}]`, depth + 1);
        if (r) return r;
      }
    }
  }
  if (isObject(v) && (isObject(s.properties) || s.additionalProperties !== undefined)) {
    const props = (isObject(s.properties) ? s.properties : {}) as Record<string, TypeSchema>;
    for (const [k, ps] of Object.entries(props)) {
      const key = findKey(v, k);
      const val = key === undefined ? undefined : v[key];
      const p = path ? `${path}.${k}` : k;
      if (val === undefined && !isRequired(ps, definitions)) continue;
      if (val === undefined) return `The property '${p}' is required but was not provided.`;
      const r = checkValue(ps, val, definitions, p, depth + 1);
      if (r) return r;
    }
    for (const k of Object.keys(v)) {
      if (findKey(props, k) !== undefined) continue;
      const p = path ? `${path}.${k}` : k;
      if (s.additionalProperties === false) return `The property '${p}' is not allowed by the type.`;
      if (isObject(s.additionalProperties)) {
        const r = checkValue(s.additionalProperties as TypeSchema, v[k], definitions, p, depth + 1);
        if (r) return r;
      }
    }
  }
  return undefined;
}

function isRequired(s: TypeSchema, definitions: JsonObject): boolean {
  if (s.nullable === true) return false;
  if (typeof s.$ref === "string") {
    const m = /^#\/definitions\/(.+)$/.exec(s.$ref);
    const t = m ? getProp(definitions, m[1]!) : undefined;
    if (isObject(t) && (t as TypeSchema).nullable === true) return false;
  }
  return true;
}

/** The `parameters` object of a deploymentParameters file, or the object itself. */
export function suppliedParameters(input: unknown): JsonObject {
  if (input === undefined || input === null) return {};
  if (!isObject(input))
    throw ArmErrors.invalidTemplateDeployment("The deployment parameters must be a JSON object.");
  const schema = getProp(input, "$schema");
  const inner = getProp(input, "parameters");
  if (typeof schema === "string" && /deploymentParameters/i.test(schema) && isObject(inner)) return inner;
  return input;
}
