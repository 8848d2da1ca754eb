/**
 * Evaluates a parsed expression against a context: the template's parameters and variables,
 * copy loops, lambda variables, the deployment scope and the host (reference(), list*()).
 */
import { callsOf, isExpressionString, literalOf, parseExpressionBody, type Expr } from "./expression.js";
import { ExprError, getProp, isObject, typeName, hasProp } from "./value.js";
import { FUNCTIONS } from "./functions.js";
import type { DeploymentScope, EvalHost } from "./types.js";

export type CallExpr = Extract<Expr, { kind: "call" }>;

export interface UserFunction {
  parameters: Array<{ name: string; type?: string }>;
  output: { type?: string; value: unknown };
}

export type TemplateScopeKind = "resourceGroup" | "subscription" | "managementGroup" | "tenant";

/** What a function can ask of the template around it. */
export interface EvalContext {
  scope: DeploymentScope;
  targetScope: TemplateScopeKind;
  host?: EvalHost;
  parameter(name: string): unknown;
  variable(name: string): unknown;
  copyIndex(loop: string | undefined): number;
  /** `reference(nameOrId, apiVersion?, 'Full'?)`; absent where ARM forbids it (names, conditions, variables…). */
  reference?(target: string, apiVersion: string | undefined, full: boolean): unknown;
  /** `list*(id, apiVersion, body?)`. */
  list?(resourceId: string, fn: string, apiVersion: string, body: unknown): unknown;
  /** `references('loopName', 'Full'?)`: reference() of every member of a copy loop. */
  references?(loop: string, full: boolean): unknown[];
  /** `resourceInfo('symbolicName')` (languageVersion 2.0). */
  resourceInfo?(symbolicName: string): unknown;
  deployment(): unknown;
  userFunction(name: string): UserFunction | undefined;
  /** utcNow() and newGuid(): only in parameter default values. */
  allowNonDeterministic: boolean;
  /** Lambda variables in scope (lower-cased names). */
  locals?: Map<string, unknown>;
  /** The name of the place being evaluated, for "not expected at this location" messages. */
  where?: string;
}

export interface FunctionDef {
  /** Minimum and maximum argument count (max undefined = no limit). */
  min: number;
  max?: number;
  /** Evaluated arguments. */
  fn?(args: unknown[], ctx: EvalContext, call: CallExpr): unknown;
  /** Unevaluated arguments (if, and, or, lambdas, copyIndex…). */
  lazy?(call: CallExpr, ctx: EvalContext, ev: (e: Expr, c?: EvalContext) => unknown): unknown;
}

export function argCountError(name: string, def: FunctionDef, n: number): ExprError {
  const want =
    def.max === def.min
      ? `${def.min} parameter${def.min === 1 ? "" : "s"}`
      : def.max === undefined
        ? `at least ${def.min} parameter${def.min === 1 ? "" : "s"}`
        : `between ${def.min} and ${def.max} parameters`;
  return new ExprError(
    `The template language function '${name}' expects ${want}, but ${n} ${n === 1 ? "was" : "were"} provided.`,
  );
}

const parsed = new Map<string, Expr>();

/** Parses a bracketed expression string, cached. */
export function parseCached(text: string): Expr {
  let e = parsed.get(text);
  if (!e) {
    e = parseExpressionBody(text.slice(1, -1), text);
    if (parsed.size > 50_000) parsed.clear();
    parsed.set(text, e);
  }
  return e;
}

export function evaluateExpr(e: Expr, ctx: EvalContext): unknown {
  switch (e.kind) {
    case "string":
      return e.value;
    case "number":
      return e.value;
    case "property": {
      const target = evaluateExpr(e.target, ctx);
      return member(target, e.name);
    }
    case "index": {
      const target = evaluateExpr(e.target, ctx);
      const index = evaluateExpr(e.index, ctx);
      if (Array.isArray(target)) {
        if (typeof index !== "number" || !Number.isInteger(index))
          throw new ExprError(
            `The language expression property array index '${String(index)}' is not valid: an array can only be indexed by an integer.`,
          );
        if (index < 0 || index >= target.length)
          throw new ExprError(`The language expression property array index '${index}' is out of bounds.`);
        return target[index];
      }
      if (typeof index === "string") return member(target, index);
      throw new ExprError(
        `The language expression property '${String(index)}' can't be evaluated: a value of type '${typeName(target)}' cannot be indexed by a value of type '${typeName(index)}'.`,
      );
    }
    case "call":
      return callFunction(e, ctx);
  }
}

function member(target: unknown, name: string): unknown {
  if (isObject(target)) {
    if (!hasProp(target, name))
      throw new ExprError(
        `The language expression property '${name}' doesn't exist, available properties are '${Object.keys(target).join(", ")}'.`,
      );
    return getProp(target, name);
  }
  throw new ExprError(
    `The language expression property '${name}' can't be evaluated, property name must be a string and the value must be an object. The value is of type '${typeName(target)}'.`,
  );
}

function callFunction(e: CallExpr, ctx: EvalContext): unknown {
  const lower = e.name.toLowerCase();
  if (lower.includes(".")) return callUserFunction(e, ctx);
  let def = FUNCTIONS.get(lower);
  if (!def && lower.startsWith("list")) def = FUNCTIONS.get("list*");
  if (!def)
    throw new ExprError(
      `The template function '${e.name}' is not valid. Please see https://aka.ms/arm-template-expressions for usage details.`,
    );
  if (e.args.length < def.min || (def.max !== undefined && e.args.length > def.max))
    throw argCountError(e.name, def, e.args.length);
  if (def.lazy) return def.lazy(e, ctx, (x, c) => evaluateExpr(x, c ?? ctx));
  const args = e.args.map((a) => evaluateExpr(a, ctx));
  return def.fn!(args, ctx, e);
}

let userDepth = 0;

function callUserFunction(e: CallExpr, ctx: EvalContext): unknown {
  if (userDepth >= 32)
    throw new ExprError(
      `The template user function '${e.name}' calls itself too deeply: user functions cannot be recursive.`,
    );
  const f = ctx.userFunction(e.name);
  if (!f)
    throw new ExprError(
      `The template function '${e.name}' is not valid. Please see https://aka.ms/arm-template-expressions for usage details.`,
    );
  if (e.args.length !== f.parameters.length)
    throw new ExprError(
      `The template user function '${e.name}' expects ${f.parameters.length} parameter(s), but ${e.args.length} were provided.`,
    );
  const values = new Map<string, unknown>();
  f.parameters.forEach((p, i) => values.set(p.name.toLowerCase(), evaluateExpr(e.args[i]!, ctx)));
  const inner: EvalContext = {
    ...ctx,
    locals: undefined,
    where: `user function '${e.name}'`,
    reference: undefined,
    list: undefined,
    parameter(name) {
      const k = name.toLowerCase();
      if (!values.has(k))
        throw new ExprError(`The template function '${e.name}' has no parameter named '${name}'.`);
      return values.get(k);
    },
    variable(name) {
      throw new ExprError(
        `The template function 'variables' is not expected at this location: user function '${e.name}' cannot read variable '${name}'.`,
      );
    },
  };
  userDepth++;
  try {
    return evaluateValue(f.output.value, inner);
  } finally {
    userDepth--;
  }
}

/** Evaluates a JSON string: an expression when bracketed, else the literal (with `[[` unescaped). */
export function evaluateString(s: string, ctx: EvalContext): unknown {
  if (!isExpressionString(s)) return literalOf(s);
  return evaluateExpr(parseCached(s), ctx);
}

/** Evaluates every string of a JSON value (objects, arrays), keeping non-string leaves. */
export function evaluateValue(v: unknown, ctx: EvalContext): unknown {
  if (typeof v === "string") return evaluateString(v, ctx);
  if (Array.isArray(v)) return v.map((x) => evaluateValue(x, ctx));
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const key = isExpressionString(k) ? evaluateString(k, ctx) : literalOf(k);
      if (typeof key !== "string")
        throw new ExprError(`The property name '${k}' must evaluate to a string, not '${typeName(key)}'.`);
      out[key] = evaluateValue(x, ctx);
    }
    return out;
  }
  return v;
}

/** Every function call in the expressions of a JSON value. */
export function* callsIn(v: unknown): Generator<CallExpr> {
  if (typeof v === "string") {
    if (!isExpressionString(v)) return;
    let e: Expr;
    try {
      e = parseCached(v);
    } catch {
      return;
    }
    yield* callsOf(e);
  } else if (Array.isArray(v)) {
    for (const x of v) yield* callsIn(x);
  } else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      yield* callsIn(k);
      yield* callsIn(x);
    }
  }
}
