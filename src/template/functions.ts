/**
 * The function library: every function of Microsoft's "ARM template functions" pages, by
 * lower-cased name. Resource and deployment functions read the context; the rest are pure.
 */
import { addressAt, formatAddress, lastAddress, maskV4, parsePrefixLoose, type Prefix } from "../model/ip.js";
import { formatResourceId } from "../model/resource-id.js";
import {
  addDuration,
  formatDate,
  formatIso,
  fromEpochSeconds,
  parseDateTime,
  toEpochSeconds,
} from "./date.js";
import type { CallExpr, EvalContext, FunctionDef } from "./evaluator.js";
import { composite } from "./format.js";
import { guid, uniqueString } from "./hash.js";
import {
  clone,
  deepEqual,
  ExprError,
  findKey,
  getProp,
  isObject,
  stringOf,
  typeName,
  type JsonObject,
} from "./value.js";
import type { Expr } from "./expression.js";

export const FUNCTIONS = new Map<string, FunctionDef>();

function def(name: string, d: FunctionDef): void {
  FUNCTIONS.set(name.toLowerCase(), d);
}

function typeError(fn: string, want: string, v: unknown): ExprError {
  return new ExprError(
    `The template language function '${fn}' expects its parameter to be ${want}. The provided value is of type '${typeName(v)}'.`,
  );
}

function str(fn: string, v: unknown): string {
  if (typeof v !== "string") throw typeError(fn, "a string", v);
  return v;
}

function int(fn: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw typeError(fn, "an integer", v);
  return v;
}

function num(fn: string, v: unknown): number {
  if (typeof v !== "number") throw typeError(fn, "an integer", v);
  return v;
}

function arr(fn: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) throw typeError(fn, "an array", v);
  return v;
}

function obj(fn: string, v: unknown): JsonObject {
  if (!isObject(v)) throw typeError(fn, "an object", v);
  return v;
}

function bool(fn: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw typeError(fn, "a boolean", v);
  return v;
}

// ---------------------------------------------------------------- logical and comparison
def("true", { min: 0, max: 0, fn: () => true });
def("false", { min: 0, max: 0, fn: () => false });
def("null", { min: 0, max: 0, fn: () => null });
def("and", {
  min: 2,
  lazy: (c, ctx, ev) => {
    for (const a of c.args) if (!bool("and", ev(a))) return false;
    return true;
  },
});
def("or", {
  min: 2,
  lazy: (c, ctx, ev) => {
    for (const a of c.args) if (bool("or", ev(a))) return true;
    return false;
  },
});
def("not", { min: 1, max: 1, fn: ([v]) => !bool("not", v) });
def("if", {
  min: 3,
  max: 3,
  lazy: (c, ctx, ev) => (bool("if", ev(c.args[0]!)) ? ev(c.args[1]!) : ev(c.args[2]!)),
});
def("coalesce", {
  min: 1,
  lazy: (c, ctx, ev) => {
    for (const a of c.args) {
      const v = ev(a);
      if (v !== null && v !== undefined) return v;
    }
    return null;
  },
});
def("bool", {
  min: 1,
  max: 1,
  fn: ([v]) => {
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return v !== 0;
    if (typeof v === "string") {
      if (v.toLowerCase() === "true") return true;
      if (v.toLowerCase() === "false") return false;
    }
    throw new ExprError(
      `The template language function 'bool' cannot convert the value '${stringOf(v)}' to a boolean.`,
    );
  },
});
def("equals", { min: 2, max: 2, fn: ([a, b]) => deepEqual(a, b) });

const COLLATOR = new Intl.Collator("en", { sensitivity: "variant", caseFirst: "lower" });

function compare(fn: string, a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  // Strings compare with the invariant culture, as .NET does: less('A', 'a') is false (documented).
  if (typeof a === "string" && typeof b === "string") return COLLATOR.compare(a, b);
  throw new ExprError(
    `The template language function '${fn}' expects two parameters of the same type, integers or strings. The provided values are of types '${typeName(a)}' and '${typeName(b)}'.`,
  );
}
def("less", { min: 2, max: 2, fn: ([a, b]) => compare("less", a, b) < 0 });
def("lessOrEquals", { min: 2, max: 2, fn: ([a, b]) => compare("lessOrEquals", a, b) <= 0 });
def("greater", { min: 2, max: 2, fn: ([a, b]) => compare("greater", a, b) > 0 });
def("greaterOrEquals", { min: 2, max: 2, fn: ([a, b]) => compare("greaterOrEquals", a, b) >= 0 });

// ---------------------------------------------------------------- numeric
def("add", { min: 2, max: 2, fn: ([a, b]) => num("add", a) + num("add", b) });
def("sub", { min: 2, max: 2, fn: ([a, b]) => num("sub", a) - num("sub", b) });
def("mul", { min: 2, max: 2, fn: ([a, b]) => num("mul", a) * num("mul", b) });
def("div", {
  min: 2,
  max: 2,
  fn: ([a, b]) => {
    const d = num("div", b);
    if (d === 0) throw new ExprError("The template language function 'div' cannot divide by zero.");
    const r = num("div", a) / d;
    return Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(r) : r;
  },
});
def("mod", {
  min: 2,
  max: 2,
  fn: ([a, b]) => {
    const d = int("mod", b);
    if (d === 0) throw new ExprError("The template language function 'mod' cannot divide by zero.");
    return int("mod", a) % d;
  },
});
function minMax(fn: string, args: unknown[], pick: (a: number, b: number) => number): number {
  const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (list.length === 0)
    throw new ExprError(`The template language function '${fn}' expects at least one value.`);
  return list.map((v) => num(fn, v)).reduce((a, b) => pick(a, b));
}
def("min", { min: 1, fn: (a) => minMax("min", a, Math.min) });
def("max", { min: 1, fn: (a) => minMax("max", a, Math.max) });
def("int", {
  min: 1,
  max: 1,
  fn: ([v]) => {
    if (typeof v === "number") return Math.trunc(v);
    if (typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v)) return parseInt(v, 10);
    throw new ExprError(
      `The template language function 'int' cannot convert the value '${stringOf(v)}' to an integer.`,
    );
  },
});
def("float", {
  min: 1,
  max: 1,
  fn: ([v]) => {
    if (typeof v === "number") return v;
    if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
    throw new ExprError(
      `The template language function 'float' cannot convert the value '${stringOf(v)}' to a float.`,
    );
  },
});

// ---------------------------------------------------------------- arrays and objects
def("array", { min: 1, max: 1, fn: ([v]) => (Array.isArray(v) ? v : [v]) });
def("createArray", { min: 0, fn: (a) => a });
def("createObject", {
  min: 0,
  fn: (a) => {
    if (a.length % 2 !== 0)
      throw new ExprError(
        "The template language function 'createObject' expects an even number of parameters.",
      );
    const o: JsonObject = {};
    for (let i = 0; i < a.length; i += 2) o[str("createObject", a[i])] = a[i + 1];
    return o;
  },
});
def("concat", {
  min: 1,
  fn: (a) => {
    if (Array.isArray(a[0])) {
      return a.flatMap((x) => {
        if (x === null) return [];
        return arr("concat", x);
      });
    }
    return a
      .map((x) => {
        if (Array.isArray(x) || isObject(x)) throw typeError("concat", "a string or an integer", x);
        return stringOf(x);
      })
      .join("");
  },
});
def("contains", {
  min: 2,
  max: 2,
  fn: ([c, item]) => {
    if (typeof c === "string") return c.includes(stringOf(item));
    if (Array.isArray(c)) return c.some((x) => deepEqual(x, item));
    if (isObject(c)) return findKey(c, str("contains", item)) !== undefined;
    throw typeError("contains", "an array, an object or a string", c);
  },
});
def("empty", {
  min: 1,
  max: 1,
  fn: ([v]) => {
    if (v === null || v === undefined) return true;
    if (typeof v === "string" || Array.isArray(v)) return v.length === 0;
    if (isObject(v)) return Object.keys(v).length === 0;
    throw typeError("empty", "an array, an object, a string or null", v);
  },
});
def("first", {
  min: 1,
  max: 1,
  fn: ([v]) => {
    if (typeof v === "string") return v.slice(0, 1);
    const a = arr("first", v);
    return a.length ? a[0] : null;
  },
});
def("last", {
  min: 1,
  max: 1,
  fn: ([v]) => {
    if (typeof v === "string") return v.slice(-1);
    const a = arr("last", v);
    return a.length ? a[a.length - 1] : null;
  },
});
function indexOf(fn: string, c: unknown, item: unknown, last: boolean): number {
  if (typeof c === "string") {
    const a = c.toLowerCase();
    const b = str(fn, item).toLowerCase();
    return last ? a.lastIndexOf(b) : a.indexOf(b);
  }
  const a = arr(fn, c);
  if (last) {
    for (let i = a.length - 1; i >= 0; i--) if (deepEqual(a[i], item)) return i;
    return -1;
  }
  return a.findIndex((x) => deepEqual(x, item));
}
def("indexOf", { min: 2, max: 2, fn: ([c, i]) => indexOf("indexOf", c, i, false) });
def("lastIndexOf", { min: 2, max: 2, fn: ([c, i]) => indexOf("lastIndexOf", c, i, true) });
def("intersection", {
  min: 2,
  fn: (a) => {
    if (Array.isArray(a[0])) {
      const lists = a.map((x) => arr("intersection", x));
      const out: unknown[] = [];
      for (const x of lists[0]!)
        if (lists.every((l) => l.some((y) => deepEqual(x, y))) && !out.some((y) => deepEqual(x, y)))
          out.push(x);
      return out;
    }
    const objs = a.map((x) => obj("intersection", x));
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(objs[0]!))
      if (objs.every((o) => findKey(o, k) !== undefined && deepEqual(getProp(o, k), v))) out[k] = v;
    return out;
  },
});
function mergeDeep(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const ek = findKey(out, k);
    if (ek !== undefined && isObject(out[ek]) && isObject(v)) out[ek] = mergeDeep(out[ek] as JsonObject, v);
    else {
      if (ek !== undefined && ek !== k) delete out[ek];
      out[ek ?? k] = v;
    }
  }
  return out;
}
def("union", {
  min: 1,
  fn: (a) => {
    if (Array.isArray(a[0])) {
      const out: unknown[] = [];
      for (const l of a) for (const x of arr("union", l)) if (!out.some((y) => deepEqual(x, y))) out.push(x);
      return out;
    }
    return a.map((x) => obj("union", x)).reduce((x, y) => mergeDeep(x, y));
  },
});
def("shallowMerge", {
  min: 1,
  max: 1,
  fn: ([v]) => Object.assign({}, ...arr("shallowMerge", v).map((x) => obj("shallowMerge", x))) as JsonObject,
});
def("items", {
  min: 1,
  max: 1,
  fn: ([v]) =>
    Object.entries(obj("items", v))
      .sort(([a], [b]) => {
        const x = a.toLowerCase();
        const y = b.toLowerCase();
        return x < y ? -1 : x > y ? 1 : 0;
      })
      .map(([key, value]) => ({ key, value })),
});
def("objectKeys", { min: 1, max: 1, fn: ([v]) => Object.keys(obj("objectKeys", v)) });
def("length", {
  min: 1,
  max: 1,
  fn: ([v]) => {
    if (typeof v === "string" || Array.isArray(v)) return v.length;
    if (isObject(v)) return Object.keys(v).length;
    throw typeError("length", "an array, an object, or a string", v);
  },
});
def("range", {
  min: 2,
  max: 2,
  fn: ([s, c]) => {
    const start = int("range", s);
    const count = int("range", c);
    if (count < 0 || count > 10000)
      throw new ExprError("The template language function 'range' expects a count between 0 and 10000.");
    return Array.from({ length: count }, (_, i) => start + i);
  },
});
def("skip", {
  min: 2,
  max: 2,
  fn: ([v, n]) => {
    const k = Math.max(0, int("skip", n));
    if (typeof v === "string") return v.slice(k);
    return arr("skip", v).slice(k);
  },
});
def("take", {
  min: 2,
  max: 2,
  fn: ([v, n]) => {
    const k = Math.max(0, int("take", n));
    if (typeof v === "string") return v.slice(0, k);
    return arr("take", v).slice(0, k);
  },
});
def("flatten", {
  min: 1,
  max: 1,
  fn: ([v]) => arr("flatten", v).flatMap((x) => (Array.isArray(x) ? x : [x])),
});
def("join", {
  min: 2,
  max: 2,
  fn: ([v, d]) =>
    arr("join", v)
      .map((x) => stringOf(x))
      .join(str("join", d)),
});
def("tryGet", {
  min: 2,
  lazy: (c, ctx, ev) => {
    let cur = ev(c.args[0]!);
    for (const k of c.args.slice(1)) {
      const key = ev(k);
      if (Array.isArray(cur) && typeof key === "number") cur = key >= 0 && key < cur.length ? cur[key] : null;
      else if (isObject(cur) && typeof key === "string") cur = getProp(cur, key) ?? null;
      else return null;
    }
    return cur ?? null;
  },
});
def("indexFromEnd", {
  min: 2,
  max: 2,
  fn: ([v, i]) => {
    const a = arr("indexFromEnd", v);
    const k = int("indexFromEnd", i);
    if (k < 1 || k > a.length)
      throw new ExprError(`The language expression property array index '${-k}' is out of bounds.`);
    return a[a.length - k];
  },
});
def("tryIndexFromEnd", {
  min: 2,
  max: 2,
  fn: ([v, i]) => {
    const a = arr("tryIndexFromEnd", v);
    const k = int("tryIndexFromEnd", i);
    return k >= 1 && k <= a.length ? a[a.length - k] : null;
  },
});

// ---------------------------------------------------------------- lambdas
type Lambda = (...values: unknown[]) => unknown;

function lambdaOf(
  fn: string,
  e: Expr | undefined,
  ctx: EvalContext,
  ev: (e: Expr, c?: EvalContext) => unknown,
  arity: number[],
): Lambda {
  if (!e || e.kind !== "call" || e.name.toLowerCase() !== "lambda")
    throw new ExprError(`The template language function '${fn}' expects a lambda function as its parameter.`);
  if (e.args.length < 2)
    throw new ExprError("The template language function 'lambda' expects at least two parameters.");
  const names = e.args.slice(0, -1).map((a) => {
    const v = ev(a);
    return str("lambda", v).toLowerCase();
  });
  if (!arity.includes(names.length))
    throw new ExprError(
      `The lambda function of '${fn}' expects ${arity.join(" or ")} parameter(s), but ${names.length} were declared.`,
    );
  const body = e.args[e.args.length - 1]!;
  return (...values) => {
    const locals = new Map(ctx.locals ?? []);
    names.forEach((n, i) => locals.set(n, values[i]));
    return ev(body, { ...ctx, locals });
  };
}

def("lambda", {
  min: 2,
  lazy: () => {
    throw new ExprError("The template function 'lambda' is not expected at this location.");
  },
});
def("lambdaVariables", {
  min: 1,
  max: 1,
  fn: ([n], ctx) => {
    const k = str("lambdaVariables", n).toLowerCase();
    if (!ctx.locals?.has(k))
      throw new ExprError(`The lambda variable '${String(n)}' is not defined at this location.`);
    return ctx.locals.get(k);
  },
});
def("filter", {
  min: 2,
  max: 2,
  lazy: (c, ctx, ev) => {
    const a = arr("filter", ev(c.args[0]!));
    const f = lambdaOf("filter", c.args[1], ctx, ev, [1, 2]);
    return a.filter((x, i) => bool("filter", f(x, i)));
  },
});
def("map", {
  min: 2,
  max: 2,
  lazy: (c, ctx, ev) => {
    const a = arr("map", ev(c.args[0]!));
    const f = lambdaOf("map", c.args[1], ctx, ev, [1, 2]);
    return a.map((x, i) => f(x, i));
  },
});
def("mapValues", {
  min: 2,
  max: 2,
  lazy: (c, ctx, ev) => {
    const o = obj("mapValues", ev(c.args[0]!));
    const f = lambdaOf("mapValues", c.args[1], ctx, ev, [1]);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
  },
});
def("groupBy", {
  min: 2,
  max: 2,
  lazy: (c, ctx, ev) => {
    const a = arr("groupBy", ev(c.args[0]!));
    const f = lambdaOf("groupBy", c.args[1], ctx, ev, [1]);
    const out: JsonObject = {};
    for (const x of a) {
      const k = str("groupBy", f(x));
      const ek = findKey(out, k) ?? k;
      ((out[ek] ??= []) as unknown[]).push(x);
    }
    return out;
  },
});
def("reduce", {
  min: 3,
  max: 3,
  lazy: (c, ctx, ev) => {
    const a = arr("reduce", ev(c.args[0]!));
    let acc = ev(c.args[1]!);
    const f = lambdaOf("reduce", c.args[2], ctx, ev, [2, 3]);
    a.forEach((x, i) => (acc = f(acc, x, i)));
    return acc;
  },
});
def("sort", {
  min: 2,
  max: 2,
  lazy: (c, ctx, ev) => {
    const a = [...arr("sort", ev(c.args[0]!))];
    const f = lambdaOf("sort", c.args[1], ctx, ev, [2]);
    // A stable merge sort on the lambda "a comes before b".
    const sort = (l: unknown[]): unknown[] => {
      if (l.length < 2) return l;
      const mid = l.length >> 1;
      const x = sort(l.slice(0, mid));
      const y = sort(l.slice(mid));
      const out: unknown[] = [];
      while (x.length && y.length) out.push(bool("sort", f(y[0], x[0])) ? y.shift() : x.shift());
      return out.concat(x, y);
    };
    return sort(a);
  },
});
def("toObject", {
  min: 2,
  max: 3,
  lazy: (c, ctx, ev) => {
    const a = arr("toObject", ev(c.args[0]!));
    const k = lambdaOf("toObject", c.args[1], ctx, ev, [1]);
    const v = c.args[2] ? lambdaOf("toObject", c.args[2], ctx, ev, [1]) : (x: unknown) => x;
    const out: JsonObject = {};
    for (const x of a) {
      const key = str("toObject", k(x));
      const ek = findKey(out, key);
      if (ek !== undefined) delete out[ek];
      out[key] = v(x);
    }
    return out;
  },
});

// ---------------------------------------------------------------- strings
const b64 = {
  encode(s: string): string {
    const bytes = new TextEncoder().encode(s);
    let bin = "";
    for (const b of bytes) bin += String.fromCharCode(b);
    return btoa(bin);
  },
  decode(s: string, fn: string): string {
    let bin: string;
    try {
      bin = atob(s);
    } catch {
      throw new ExprError(`The template language function '${fn}' expects a valid base64 string.`);
    }
    const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  },
};
def("base64", { min: 1, max: 1, fn: ([v]) => b64.encode(str("base64", v)) });
def("base64ToString", {
  min: 1,
  max: 1,
  fn: ([v]) => b64.decode(str("base64ToString", v), "base64ToString"),
});
def("base64ToJson", {
  min: 1,
  max: 1,
  fn: ([v]) => parseJson(b64.decode(str("base64ToJson", v), "base64ToJson"), "base64ToJson"),
});
def("dataUri", {
  min: 1,
  max: 1,
  fn: ([v]) => `data:text/plain;charset=utf8;base64,${b64.encode(stringOf(v))}`,
});
def("dataUriToString", {
  min: 1,
  max: 1,
  fn: ([v]) => {
    const s = str("dataUriToString", v);
    const m = /^data:([^,]*?),(.*)$/s.exec(s);
    if (!m) throw new ExprError(`The template language function 'dataUriToString' expects a valid data URI.`);
    return m[1]!.endsWith(";base64") ? b64.decode(m[2]!, "dataUriToString") : decodeURIComponent(m[2]!);
  },
});
function parseJson(s: string, fn: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    throw new ExprError(
      `The template language function '${fn}' expects a valid JSON string. The provided value '${s}' is not valid.`,
    );
  }
}
def("json", { min: 1, max: 1, fn: ([v]) => parseJson(str("json", v), "json") });
def("endsWith", {
  min: 2,
  max: 2,
  fn: ([a, b]) => str("endsWith", a).toLowerCase().endsWith(str("endsWith", b).toLowerCase()),
});
def("startsWith", {
  min: 2,
  max: 2,
  fn: ([a, b]) => str("startsWith", a).toLowerCase().startsWith(str("startsWith", b).toLowerCase()),
});
def("format", { min: 1, fn: ([f, ...rest]) => composite(str("format", f), rest) });
def("guid", { min: 1, fn: (a) => guid(...a.map((x) => str("guid", x))) });
def("uniqueString", { min: 1, fn: (a) => uniqueString(...a.map((x) => str("uniqueString", x))) });
def("newGuid", {
  min: 0,
  max: 0,
  fn: (_a, ctx) => {
    if (!ctx.allowNonDeterministic || !ctx.host)
      throw new ExprError(
        "The template function 'newGuid' is not expected at this location. It can only be used with parameter default values.",
      );
    return ctx.host.newGuid();
  },
});
def("utcNow", {
  min: 0,
  max: 1,
  fn: ([f], ctx) => {
    if (!ctx.allowNonDeterministic || !ctx.host)
      throw new ExprError(
        "The template function 'utcNow' is not expected at this location. It can only be used with parameter default values.",
      );
    const now = parseDateTime(ctx.host.now(), "utcNow").civil;
    return formatDate(now, f === undefined ? "yyyyMMddTHHmmssZ" : str("utcNow", f));
  },
});
def("padLeft", {
  min: 2,
  max: 3,
  fn: ([v, n, ch]) => {
    const s = typeof v === "number" ? String(v) : str("padLeft", v);
    const pad = ch === undefined ? " " : str("padLeft", ch);
    if (pad.length !== 1)
      throw new ExprError(
        "The template language function 'padLeft' expects its padding character to be a single character.",
      );
    return s.padStart(int("padLeft", n), pad);
  },
});
def("replace", {
  min: 3,
  max: 3,
  fn: ([s, a, b]) => {
    const from = str("replace", a);
    if (from === "") return str("replace", s);
    return str("replace", s).split(from).join(str("replace", b));
  },
});
def("split", {
  min: 2,
  max: 2,
  fn: ([s, d]) => {
    const text = str("split", s);
    const delims = Array.isArray(d) ? d.map((x) => str("split", x)) : [str("split", d)];
    let parts = [text];
    for (const delim of delims) if (delim !== "") parts = parts.flatMap((p) => p.split(delim));
    return parts;
  },
});
def("string", { min: 1, max: 1, fn: ([v]) => stringOf(v) });
def("substring", {
  min: 2,
  max: 3,
  fn: ([s, a, b]) => {
    const text = str("substring", s);
    const start = int("substring", a);
    const len = b === undefined ? text.length - start : int("substring", b);
    if (start < 0 || start > text.length || len < 0 || start + len > text.length)
      throw new ExprError(
        `The index and length parameters must refer to a location within the string. The index parameter: '${start}', the length parameter: '${len}', the length of the string parameter: '${text.length}'.`,
      );
    return text.slice(start, start + len);
  },
});
def("toLower", { min: 1, max: 1, fn: ([v]) => str("toLower", v).toLowerCase() });
def("toUpper", { min: 1, max: 1, fn: ([v]) => str("toUpper", v).toUpperCase() });
def("trim", { min: 1, max: 1, fn: ([v]) => str("trim", v).trim() });
def("uri", {
  min: 2,
  max: 2,
  fn: ([b, r]) => {
    try {
      return new URL(str("uri", r), str("uri", b)).toString();
    } catch {
      throw new ExprError(
        `The template language function 'uri' expects a valid absolute base URI. The provided value '${String(b)}' is not valid.`,
      );
    }
  },
});
def("uriComponent", {
  min: 1,
  max: 1,
  fn: ([v]) =>
    encodeURIComponent(str("uriComponent", v)).replace(
      /[!'()*]/g,
      (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
    ),
});
def("uriComponentToString", {
  min: 1,
  max: 1,
  fn: ([v]) => {
    try {
      return decodeURIComponent(str("uriComponentToString", v));
    } catch {
      throw new ExprError(
        "The template language function 'uriComponentToString' expects a valid encoded URI component.",
      );
    }
  },
});

// ---------------------------------------------------------------- dates
def("dateTimeAdd", {
  min: 2,
  max: 3,
  fn: ([b, d, f]) => {
    const p = parseDateTime(str("dateTimeAdd", b), "dateTimeAdd");
    const r = addDuration(p.civil, str("dateTimeAdd", d));
    return f === undefined ? formatIso(r) : formatDate(r, str("dateTimeAdd", f));
  },
});
def("dateTimeFromEpoch", {
  min: 1,
  max: 1,
  fn: ([v]) => formatDate(fromEpochSeconds(int("dateTimeFromEpoch", v)), "yyyy-MM-ddTHH:mm:ssZ"),
});
def("dateTimeToEpoch", {
  min: 1,
  max: 1,
  fn: ([v]) => toEpochSeconds(parseDateTime(str("dateTimeToEpoch", v), "dateTimeToEpoch").civil),
});

// ---------------------------------------------------------------- deployment
def("parameters", { min: 1, max: 1, fn: ([n], ctx) => ctx.parameter(str("parameters", n)) });
def("variables", { min: 1, max: 1, fn: ([n], ctx) => ctx.variable(str("variables", n)) });
def("copyIndex", {
  min: 0,
  max: 2,
  fn: (a, ctx) => {
    let loop: string | undefined;
    let offset = 0;
    if (a.length === 2) {
      loop = str("copyIndex", a[0]);
      offset = int("copyIndex", a[1]);
    } else if (a.length === 1) {
      if (typeof a[0] === "string") loop = a[0];
      else offset = int("copyIndex", a[0]);
    }
    return ctx.copyIndex(loop) + offset;
  },
});
def("deployment", { min: 0, max: 0, fn: (_a, ctx) => ctx.deployment() });
def("environment", { min: 0, max: 0, fn: () => clone(AZURE_CLOUD) });

/** environment() in the public cloud, as Microsoft's docs print it. */
export const AZURE_CLOUD = {
  name: "AzureCloud",
  gallery: "https://gallery.azure.com/",
  graph: "https://graph.windows.net/",
  portal: "https://portal.azure.com",
  graphAudience: "https://graph.windows.net/",
  activeDirectoryDataLake: "https://datalake.azure.net/",
  batch: "https://batch.core.windows.net/",
  media: "https://rest.media.azure.net",
  sqlManagement: "https://management.core.windows.net:8443/",
  vmImageAliasDoc:
    "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json",
  resourceManager: "https://management.azure.com/",
  authentication: {
    loginEndpoint: "https://login.microsoftonline.com/",
    audiences: ["https://management.core.windows.net/", "https://management.azure.com/"],
    tenant: "common",
    identityProvider: "AAD",
  },
  suffixes: {
    acrLoginServer: ".azurecr.io",
    azureDatalakeAnalyticsCatalogAndJob: "azuredatalakeanalytics.net",
    azureDatalakeStoreFileSystem: "azuredatalakestore.net",
    azureFrontDoorEndpointSuffix: "azurefd.net",
    keyvaultDns: ".vault.azure.net",
    sqlServerHostname: ".database.windows.net",
    storage: "core.windows.net",
  },
};

// ---------------------------------------------------------------- resources
/** ARM's refusal of a function where it may not be used (the message does not say where). */
function notHere(fn: string, _ctx: EvalContext): ExprError {
  return new ExprError(
    `The template function '${fn}' is not expected at this location. Please see https://aka.ms/arm-functions for usage details.`,
  );
}

export function resourceGroupObject(ctx: EvalContext): JsonObject {
  const s = ctx.scope;
  if (s.resourceGroup === undefined || ctx.targetScope !== "resourceGroup")
    throw notHere("resourceGroup", ctx);
  return {
    id:
      s.resourceGroupId ??
      formatResourceId({ subscriptionId: s.subscriptionId, resourceGroup: s.resourceGroup }),
    name: s.resourceGroup,
    type: "Microsoft.Resources/resourceGroups",
    location: s.resourceGroupLocation ?? "",
    managedBy: undefined,
    tags: {},
    properties: { provisioningState: "Succeeded" },
  };
}
def("resourceGroup", {
  min: 0,
  max: 0,
  fn: (_a, ctx) => {
    const o = resourceGroupObject(ctx);
    delete o.managedBy;
    return o;
  },
});
def("subscription", {
  min: 0,
  max: 0,
  fn: (_a, ctx) => {
    if (ctx.targetScope === "tenant" || ctx.targetScope === "managementGroup")
      throw notHere("subscription", ctx);
    return {
      id: `/subscriptions/${ctx.scope.subscriptionId}`,
      subscriptionId: ctx.scope.subscriptionId,
      tenantId: ctx.scope.tenantId,
      displayName: ctx.scope.subscriptionDisplayName ?? ctx.scope.subscriptionId,
    };
  },
});
def("tenant", {
  min: 0,
  max: 0,
  fn: (_a, ctx) => ({
    countryCode: "US",
    displayName: "Lazurite",
    id: `/tenants/${ctx.scope.tenantId}`,
    tenantId: ctx.scope.tenantId,
  }),
});

/** Splits `Microsoft.Network/virtualNetworks/subnets` into namespace and type segments. */
export function splitType(fn: string, type: string): { namespace: string; types: string[] } {
  const parts = type
    .replace(/\/+$/, "")
    .split("/")
    .filter((p) => p !== "");
  if (parts.length < 2)
    throw new ExprError(
      `Unable to evaluate template language function '${fn}': the type '${type}' is not valid. The resource type must be of the form '{namespace}/{type}'.`,
    );
  return { namespace: parts[0]!, types: parts.slice(1) };
}

function namesFor(fn: string, type: string, types: string[], names: unknown[]): string[] {
  const flat = names.map((n) => stringOf(n)).flatMap((n) => n.split("/"));
  if (flat.length !== types.length)
    throw new ExprError(
      `Unable to evaluate template language function '${fn}': the type '${type}' requires '${types.length}' resource name argument(s).`,
    );
  return flat;
}

/** resourceId([subscriptionId], [resourceGroupName], resourceType, resourceName1, ...). */
export function resourceIdOf(args: unknown[], ctx: EvalContext, fn = "resourceId"): string {
  const strs = args.map((a) => stringOf(a));
  const ti = strs.findIndex((s) => s.includes("/"));
  if (ti < 0 || ti > 2)
    throw new ExprError(
      `Unable to evaluate template language function '${fn}': the resource type is missing or not valid.`,
    );
  const type = strs[ti]!;
  const { namespace, types } = splitType(fn, type);
  const names = namesFor(fn, type, types, args.slice(ti + 1));
  let subscriptionId: string | undefined = ctx.scope.subscriptionId;
  let resourceGroup: string | undefined =
    ctx.targetScope === "resourceGroup" ? ctx.scope.resourceGroup : undefined;
  if (ti === 1) resourceGroup = strs[0];
  if (ti === 2) {
    subscriptionId = strs[0];
    resourceGroup = strs[1];
  }
  if (ctx.targetScope === "tenant" || ctx.targetScope === "managementGroup") {
    if (ti === 0) subscriptionId = undefined;
  }
  return formatResourceId({ subscriptionId, resourceGroup, namespace, types, names });
}
def("resourceId", { min: 2, fn: (a, ctx) => resourceIdOf(a, ctx) });
def("subscriptionResourceId", {
  min: 2,
  fn: (a, ctx) => {
    const strs = a.map((x) => stringOf(x));
    const ti = strs.findIndex((s) => s.includes("/"));
    if (ti < 0 || ti > 1)
      throw new ExprError(
        "Unable to evaluate template language function 'subscriptionResourceId': the resource type is missing or not valid.",
      );
    const { namespace, types } = splitType("subscriptionResourceId", strs[ti]!);
    const names = namesFor("subscriptionResourceId", strs[ti]!, types, a.slice(ti + 1));
    return formatResourceId({
      subscriptionId: ti === 1 ? strs[0] : ctx.scope.subscriptionId,
      namespace,
      types,
      names,
    });
  },
});
def("tenantResourceId", {
  min: 2,
  fn: (a) => {
    const type = str("tenantResourceId", a[0]);
    const { namespace, types } = splitType("tenantResourceId", type);
    return formatResourceId({
      namespace,
      types,
      names: namesFor("tenantResourceId", type, types, a.slice(1)),
    });
  },
});
def("managementGroupResourceId", {
  min: 2,
  fn: (a) => {
    const strs = a.map((x) => stringOf(x));
    const ti = strs.findIndex((s) => s.includes("/"));
    if (ti < 0 || ti > 1)
      throw new ExprError(
        "Unable to evaluate template language function 'managementGroupResourceId': the resource type is missing or not valid.",
      );
    const { namespace, types } = splitType("managementGroupResourceId", strs[ti]!);
    const names = namesFor("managementGroupResourceId", strs[ti]!, types, a.slice(ti + 1));
    const base = ti === 1 ? `/providers/Microsoft.Management/managementGroups/${strs[0]}` : "";
    return base + formatResourceId({ namespace, types, names });
  },
});
def("extensionResourceId", {
  min: 3,
  fn: (a) => {
    const scope = str("extensionResourceId", a[0]).replace(/\/+$/, "");
    const type = str("extensionResourceId", a[1]);
    const { namespace, types } = splitType("extensionResourceId", type);
    return (
      scope +
      formatResourceId({ namespace, types, names: namesFor("extensionResourceId", type, types, a.slice(2)) })
    );
  },
});
def("reference", {
  min: 1,
  max: 3,
  fn: ([t, v, full], ctx) => {
    if (!ctx.reference) throw notHere("reference", ctx);
    const isFull = typeof full === "string" && full.toLowerCase() === "full";
    return ctx.reference(
      str("reference", t),
      v === undefined || v === null ? undefined : str("reference", v),
      isFull,
    );
  },
});
def("resourceInfo", {
  min: 1,
  max: 1,
  fn: ([n], ctx) => {
    if (!ctx.resourceInfo) throw notHere("resourceInfo", ctx);
    return ctx.resourceInfo(str("resourceInfo", n));
  },
});
def("list*", {
  min: 2,
  max: 3,
  fn: ([id, v, body], ctx, call: CallExpr) => {
    if (!ctx.list) throw notHere(call.name, ctx);
    return ctx.list(str(call.name, id), call.name, str(call.name, v), body);
  },
});
def("providers", {
  min: 1,
  max: 2,
  fn: ([ns, t]) => {
    const namespace = str("providers", ns);
    const rt = { resourceType: t === undefined ? "*" : str("providers", t), locations: [], apiVersions: [] };
    return t === undefined ? { namespace, resourceTypes: [rt] } : rt;
  },
});

/** Regions with availability zones (the public cloud, 2024). */
const ZONAL = new Set(
  "australiaeast brazilsouth canadacentral centralindia centralus eastasia eastus eastus2 francecentral germanywestcentral israelcentral italynorth japaneast japanwest koreacentral mexicocentral newzealandnorth northeurope norwayeast polandcentral qatarcentral southafricanorth southcentralus southeastasia spaincentral swedencentral switzerlandnorth uaenorth uksouth westeurope westus2 westus3".split(
    " ",
  ),
);
def("pickZones", {
  min: 3,
  max: 5,
  fn: ([, , loc, n, off]) => {
    const location = str("pickZones", loc).toLowerCase().replace(/\s+/g, "");
    if (!ZONAL.has(location)) return [];
    const count = n === undefined ? 1 : int("pickZones", n);
    const offset = off === undefined ? 0 : int("pickZones", off);
    const out: string[] = [];
    for (let i = 0; i < count && i + offset < 3; i++) out.push(String(((i + offset) % 3) + 1));
    return out;
  },
});

// ---------------------------------------------------------------- CIDR (template-functions-cidr)
function cidrOf(fn: string, v: unknown): Prefix {
  const p = parsePrefixLoose(str(fn, v));
  if (!p || !str(fn, v).includes("/"))
    throw new ExprError(
      `The template language function '${fn}' expects a valid CIDR notation. The provided value '${stringOf(v)}' is not valid.`,
    );
  return p;
}
def("parseCidr", {
  min: 1,
  max: 1,
  fn: ([v]) => {
    const p = cidrOf("parseCidr", v);
    const last = lastAddress(p);
    const mask: Prefix =
      p.family === 4
        ? { family: 4, base: maskV4(p.length), length: 32 }
        : { family: 6, base: ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - p.length)) - 1n), length: 128 };
    const out: JsonObject = {
      network: formatAddress(p.family === 4 ? { family: 4, value: p.base } : { family: 6, value: p.base }),
      netmask: formatAddress(
        mask.family === 4 ? { family: 4, value: mask.base } : { family: 6, value: mask.base as bigint },
      ),
    };
    if (p.family === 4) {
      out.broadcast = formatAddress(last);
      const small = p.length >= 31;
      out.firstUsable = formatAddress(small ? { family: 4, value: p.base } : addressAt(p, 1));
      out.lastUsable = formatAddress(small ? last : addressAt(p, -2));
    } else {
      out.firstUsable = formatAddress({ family: 6, value: p.base });
      out.lastUsable = formatAddress(last);
    }
    out.cidr = p.length;
    return out;
  },
});
def("cidrSubnet", {
  min: 3,
  max: 3,
  fn: ([n, c, i]) => {
    const p = cidrOf("cidrSubnet", n);
    const len = int("cidrSubnet", c);
    const index = int("cidrSubnet", i);
    const max = p.family === 4 ? 32 : 128;
    if (len < p.length || len > max)
      throw new ExprError(
        `The template language function 'cidrSubnet' expects a new CIDR between ${p.length} and ${max}. The provided value is '${len}'.`,
      );
    const count = 2n ** BigInt(len - p.length);
    if (index < 0 || BigInt(index) >= count)
      throw new ExprError(
        `The template language function 'cidrSubnet' expects a subnet index between 0 and ${count - 1n}. The provided value is '${index}'.`,
      );
    const step = 2n ** BigInt(max - len);
    if (p.family === 4)
      return `${formatAddress({ family: 4, value: Number(BigInt(p.base) + BigInt(index) * step) })}/${len}`;
    return `${formatAddress({ family: 6, value: p.base + BigInt(index) * step })}/${len}`;
  },
});
def("cidrHost", {
  min: 2,
  max: 2,
  fn: ([n, i]) => {
    const p = cidrOf("cidrHost", n);
    const index = int("cidrHost", i);
    const size = p.family === 4 ? BigInt(2 ** (32 - p.length)) : 1n << BigInt(128 - p.length);
    const usable = p.family === 4 ? size - 2n : size - 1n;
    if (index < 0 || BigInt(index) >= usable)
      throw new ExprError(
        `The template language function 'cidrHost' expects a host index between 0 and ${usable - 1n}. The provided value is '${index}'.`,
      );
    return formatAddress(addressAt(p, index + 1));
  },
});

// ---------------------------------------------------------------- scope functions of other scopes
def("managementGroup", {
  min: 0,
  max: 1,
  fn: (_a, ctx) => {
    throw notHere("managementGroup", ctx);
  },
});
def("deployer", {
  min: 0,
  max: 0,
  fn: (_a, ctx) => {
    const d = ctx.host?.deployer?.();
    if (!d) throw notHere("deployer", ctx);
    return d;
  },
});
def("references", {
  min: 1,
  max: 2,
  fn: ([n, full], ctx) => {
    if (!ctx.references) throw notHere("references", ctx);
    return ctx.references(str("references", n), typeof full === "string" && full.toLowerCase() === "full");
  },
});
