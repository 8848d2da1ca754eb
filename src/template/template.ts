/**
 * prepareDeployment: a template and its parameters become the planned resources of a
 * deployment (conditions applied, copy loops expanded, nested children named from their parents,
 * dependencies inferred as ARM infers them), which the caller deploys wave by wave, asking
 * `evaluate()` for each body once the resources it depends on exist.
 *
 * Limitations: linked templates (`templateLink`) are refused with FeatureNotSupported; `reference()`
 * and `list*()` are evaluated when a body is evaluated, never in names, types, conditions, copy
 * counts or dependsOn (ARM refuses them there too).
 */
import { ArmError, ArmErrors, isArmError, type ArmErrorDetail } from "../model/errors.js";
import { formatResourceId, idKey, tryParseResourceId } from "../model/resource-id.js";
import type { EvalContext, TemplateScopeKind, UserFunction } from "./evaluator.js";
import { callsIn, evaluateExpr, evaluateString } from "./evaluator.js";
import { isExpressionString, literalOf } from "./expression.js";
import { resourceGroupObject, splitType } from "./functions.js";
import { parseJsonWithPositions, type Position } from "./json-positions.js";
import {
  at,
  canonicalType,
  checkValue,
  PARAM_FILE_LINK,
  suppliedParameters,
  validationFailed,
  type TypeSchema,
} from "./parameters.js";
import type {
  DeploymentScope,
  EvalHost,
  EvaluatedResource,
  PlannedResource,
  PrepareOptions,
  PreparedDeployment,
  TypedValue,
} from "./types.js";
import {
  ExprError,
  findKey,
  getProp,
  isObject,
  NotYetKnown,
  stringOf,
  typeName,
  type JsonObject,
} from "./value.js";

const FUNCTIONS_LINK = "Please see https://aka.ms/arm-functions for usage details.";
const RESOURCES_LINK = "Please see https://aka.ms/arm-template/#resources for usage details.";

function withLink(msg: string, link = FUNCTIONS_LINK): string {
  return msg.includes("https://aka.ms/") ? msg : `${msg} ${link}`;
}

/** Keys of a resource declaration that are not part of the body sent to the resource provider. */
const NOT_BODY = new Set([
  "type",
  "name",
  "apiversion",
  "dependson",
  "copy",
  "condition",
  "comments",
  "resources",
  "existing",
  "scope",
  "metadata",
  "subscriptionid",
  "resourcegroup",
  "import",
  "$schema",
]);

interface Decl {
  raw: JsonObject;
  symbolicName?: string;
  parent?: Decl;
  position?: Position;
  label: string;
  children: Decl[];
}

interface Instance {
  decl: Decl;
  loops: Map<string, number>;
  ownLoop?: string;
  parent?: Instance;
  planned: PlannedResource;
  active: boolean;
}

interface Internal {
  outer?: {
    parameter(name: string): unknown;
    variable(name: string): unknown;
    evalScope: DeploymentScope;
    targetScope: TemplateScopeKind;
  };
}

export function prepareDeployment(
  template: unknown,
  parameters: Record<string, unknown>,
  scope: DeploymentScope,
  host: EvalHost,
  options: PrepareOptions = {},
): PreparedDeployment {
  return prepare(template, parameters, scope, host, options, {});
}

function prepare(
  templateInput: unknown,
  parametersInput: Record<string, unknown> | undefined,
  deployScope: DeploymentScope,
  prepHost: EvalHost,
  options: PrepareOptions,
  internal: Internal,
): PreparedDeployment {
  // 0. The template text with positions (ARM reports line '1' for the compact JSON clients send).
  let template: unknown = templateInput;
  let positions = options.positions;
  if (typeof templateInput === "string" || !positions) {
    let parsed;
    try {
      parsed = parseJsonWithPositions(
        typeof templateInput === "string" ? templateInput : JSON.stringify(templateInput ?? null),
      );
    } catch (e) {
      throw ArmErrors.invalidTemplate(`Deployment template parse failed: '${(e as Error).message}'.`);
    }
    template = parsed.value;
    positions = parsed.positions;
  }
  const pos = (o: unknown): Position | undefined =>
    isObject(o) || Array.isArray(o) ? positions!.get(o) : undefined;
  if (!isObject(template))
    throw ArmErrors.invalidTemplate(
      "Deployment template validation failed: 'The template must be a JSON object.'.",
    );

  const evalScope = internal.outer?.evalScope ?? deployScope;
  const targetScope: TemplateScopeKind = internal.outer?.targetScope ?? scopeKindOf(template, deployScope);
  const deployKind: TemplateScopeKind = scopeKindOf(template, deployScope);
  const langVersion = stringOf(getProp(template, "languageVersion") ?? "");
  const symbolic = /^2\./.test(langVersion);
  const definitions = (
    isObject(getProp(template, "definitions")) ? getProp(template, "definitions") : {}
  ) as JsonObject;

  // 1. User-defined functions.
  const userFunctions = new Map<string, UserFunction>();
  const fnSection = getProp(template, "functions");
  if (Array.isArray(fnSection)) {
    for (const ns of fnSection) {
      if (!isObject(ns)) continue;
      const nsName = stringOf(getProp(ns, "namespace"));
      const members = getProp(ns, "members");
      if (!isObject(members)) continue;
      for (const [m, f] of Object.entries(members)) {
        if (!isObject(f)) continue;
        const params = Array.isArray(getProp(f, "parameters"))
          ? (getProp(f, "parameters") as JsonObject[])
          : [];
        const output = (getProp(f, "output") ?? {}) as JsonObject;
        userFunctions.set(`${nsName}.${m}`.toLowerCase(), {
          parameters: params.map((p) => ({
            name: stringOf(getProp(p, "name")),
            type: stringOf(getProp(p, "type")),
          })),
          output: { type: stringOf(getProp(output, "type")), value: getProp(output, "value") },
        });
      }
    }
  }

  // 2. Contexts.
  interface CtxOpts {
    instance?: Instance;
    loops?: Map<string, number>;
    defaultLoop?: string;
    host?: EvalHost;
    reference?: boolean;
    nonDeterministic?: boolean;
    where?: string;
  }
  let instances: Instance[] = [];
  /** Variables become readable once their section is set up (never from parameter defaults, as ARM). */
  let variablesReady = false;
  const ctxFor = (o: CtxOpts): EvalContext => {
    const loops = o.loops ?? o.instance?.loops ?? new Map<string, number>();
    const defaultLoop = o.defaultLoop ?? o.instance?.ownLoop;
    const host = o.host;
    const ctx: EvalContext = {
      scope: evalScope,
      targetScope,
      host,
      where: o.where,
      allowNonDeterministic: o.nonDeterministic === true,
      parameter: internal.outer ? internal.outer.parameter : parameterValue,
      variable: internal.outer ? internal.outer.variable : variableValue,
      userFunction: (n) => userFunctions.get(n.toLowerCase()),
      deployment: () => deploymentObject(),
      copyIndex(loop) {
        if (loop === undefined) {
          if (defaultLoop === undefined)
            throw new ExprError(
              "The template function 'copyIndex' is not expected at this location. The function can only be used in a resource with copy specified.",
            );
          return loops.get(defaultLoop)!;
        }
        const v = loops.get(loop.toLowerCase());
        if (v === undefined)
          throw new ExprError(
            `The template function 'copyIndex' has an invalid copy name '${loop}': no copy loop of this name encloses it.`,
          );
        return v;
      },
    };
    if (symbolic) ctx.resourceInfo = (n) => resourceInfo(n);
    if (o.reference && host) {
      ctx.reference = (target, apiVersion, full) => {
        const id = resolveReference(target);
        const r = host.getResource(id, apiVersion);
        if (r === undefined) {
          if (options.lenient) throw new NotYetKnown(`reference('${target}')`);
          throw notFound(id);
        }
        return full ? r : ((isObject(r) ? getProp(r, "properties") : undefined) ?? {});
      };
      ctx.references = (loop, full) => {
        const members = instances.filter(
          (i) =>
            i.active &&
            (i.planned.copy?.name.toLowerCase() === loop.toLowerCase() ||
              i.planned.symbolicName?.toLowerCase() === loop.toLowerCase()),
        );
        if (members.length === 0)
          throw new ExprError(
            `The template reference '${loop}' is not valid: could not find a resource copy loop with this name.`,
          );
        return members.map((m) => ctx.reference!(m.planned.id, m.planned.apiVersion || undefined, full));
      };
      ctx.list = (id, fn, apiVersion, body) => {
        const r = host.list?.(id, fn, apiVersion, body);
        if (r === undefined) {
          if (options.lenient) throw new NotYetKnown(`${fn}('${id}')`);
          if (host.getResource(id) === undefined) throw notFound(id);
          throw new ExprError(`The template function '${fn}' is not supported for the resource '${id}'.`);
        }
        return r;
      };
    }
    return ctx;
  };

  /** Evaluates a JSON tree: strings as expressions, `copy` arrays in objects as property loops. */
  const evalTree = (v: unknown, o: CtxOpts, root = false): unknown => {
    if (typeof v === "string") {
      if (!isExpressionString(v)) return literalOf(v);
      try {
        return evaluateString(v, ctxFor(o));
      } catch (e) {
        if (e instanceof NotYetKnown) return v;
        throw e;
      }
    }
    if (Array.isArray(v)) return v.map((x) => evalTree(x, o));
    if (!isObject(v)) return v;
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      if (!root && k.toLowerCase() === "copy" && Array.isArray(x) && x.every(isCopySpec)) {
        for (const spec of x as JsonObject[]) {
          const name = stringOf(evalTree(getProp(spec, "name"), o));
          const count = copyCount(evalTree(getProp(spec, "count"), o), name);
          const items: unknown[] = [];
          for (let i = 0; i < count; i++) {
            const loops = new Map(o.loops ?? o.instance?.loops ?? []);
            loops.set(name.toLowerCase(), i);
            items.push(
              evalTree(getProp(spec, "input"), {
                ...o,
                loops,
                defaultLoop: o.defaultLoop ?? o.instance?.ownLoop ?? name.toLowerCase(),
              }),
            );
          }
          out[name] = items;
        }
        continue;
      }
      const key = isExpressionString(k) ? evalTree(k, o) : literalOf(k);
      if (typeof key !== "string")
        throw new ExprError(`The property name '${k}' must evaluate to a string, not '${typeName(key)}'.`);
      out[key] = evalTree(x, o);
    }
    return out;
  };

  // 3. Parameters.
  const paramDecls = (
    isObject(getProp(template, "parameters")) ? getProp(template, "parameters") : {}
  ) as JsonObject;
  const supplied = suppliedParameters(parametersInput);
  if (!internal.outer) {
    const unknown = Object.keys(supplied).filter((k) => findKey(paramDecls, k) === undefined);
    if (unknown.length > 0)
      throw validationFailed(
        `The template parameters '${unknown.join(", ")}' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time. The only supported parameters for this template are '${Object.keys(paramDecls).join(", ")}'. Please see https://aka.ms/arm-pass-parameter-values for usage details`,
      );
  }
  const paramValues = new Map<string, { name: string; type: string; value: unknown }>();
  const paramEvaluating = new Set<string>();
  function parameterValue(name: string): unknown {
    const k = name.toLowerCase();
    const hit = paramValues.get(k);
    if (hit) return hit.value;
    const declKey = findKey(paramDecls, name);
    if (declKey === undefined)
      throw new ExprError(
        `The template parameter '${name}' is not found. Please see https://aka.ms/arm-template/#parameters for usage details.`,
      );
    if (paramEvaluating.has(k))
      throw new ExprError(
        `The template parameter '${declKey}' has a circular reference in its default value.`,
      );
    paramEvaluating.add(k);
    try {
      return resolveParameter(declKey).value;
    } finally {
      paramEvaluating.delete(k);
    }
  }
  function resolveParameter(declKey: string): { name: string; type: string; value: unknown } {
    const decl = paramDecls[declKey];
    if (!isObject(decl))
      throw validationFailed(
        `The template parameter '${declKey}' is not valid: its declaration must be an object`,
      );
    const p = pos(decl);
    const schema = decl as TypeSchema;
    const declared = typeof schema.type === "string" ? schema.type : schemaType(schema, definitions);
    const suppliedKey = findKey(supplied, declKey);
    let value: unknown;
    let provided = false;
    if (suppliedKey !== undefined) {
      const s = supplied[suppliedKey];
      if (isObject(s) && findKey(s, "reference") !== undefined && findKey(s, "value") === undefined) {
        value = keyVaultValue(declKey, getProp(s, "reference"));
        provided = true;
      } else if (isObject(s) && findKey(s, "value") !== undefined) {
        value = getProp(s, "value");
        provided = true;
      } else if (isObject(s)) {
        provided = false;
      } else {
        throw validationFailed(
          `The value for the template parameter '${declKey}'${at(p)} is not valid: a parameter value must be an object with a 'value' or a 'reference'. ${PARAM_FILE_LINK}`,
        );
      }
    }
    if (!provided) {
      const dflt = findKey(decl, "defaultValue");
      if (dflt !== undefined) {
        try {
          value = evalTree(decl[dflt], {
            host: prepHost,
            nonDeterministic: true,
            where: `the default value of parameter '${declKey}'`,
          });
        } catch (e) {
          throw wrapValidation(e, `The template parameter '${declKey}'${at(p)} is not valid`);
        }
      } else if (schema.nullable === true) {
        value = null;
      } else {
        throw validationFailed(
          `The value for the template parameter '${declKey}'${at(p)} is not provided. ${PARAM_FILE_LINK}`,
        );
      }
    }
    const problem =
      value === null && (schema.nullable === true || !provided)
        ? undefined
        : checkValue(schema, value, definitions, "");
    if (problem)
      throw validationFailed(
        problem.startsWith("Template parameter JToken")
          ? `${problem} ${PARAM_FILE_LINK}`
          : `The provided value for the template parameter '${declKey}'${at(p)} is not valid. ${problem} ${PARAM_FILE_LINK}`,
      );
    const out = { name: declKey, type: canonicalType(declared ?? "Object"), value };
    paramValues.set(declKey.toLowerCase(), out);
    return out;
  }
  function keyVaultValue(name: string, ref: unknown): string {
    const kv = isObject(ref) ? getProp(ref, "keyVault") : undefined;
    const vaultId = isObject(kv) ? stringOf(getProp(kv, "id")) : "";
    const secretName = isObject(ref) ? stringOf(getProp(ref, "secretName")) : "";
    const version = isObject(ref) ? getProp(ref, "secretVersion") : undefined;
    const v = prepHost.keyVaultSecret?.(
      vaultId,
      secretName,
      typeof version === "string" ? version : undefined,
    );
    if (v === undefined)
      throw ArmErrors.invalidTemplateDeployment(
        `The parameter '${name}' references the secret '${secretName}' of the key vault '${vaultId}', which could not be read: the secret was not found or the key vault does not exist.`,
      );
    return v;
  }
  const parametersOut: Record<string, TypedValue> = {};
  if (!internal.outer) {
    for (const k of Object.keys(paramDecls)) {
      parameterValue(k);
      const v = paramValues.get(k.toLowerCase())!;
      parametersOut[v.name] = { type: v.type, value: v.value };
    }
  }

  // 4. Variables (lazy, so that order does not matter; cycles are refused).
  const varDecls = (
    isObject(getProp(template, "variables")) ? getProp(template, "variables") : {}
  ) as JsonObject;
  const varValues = new Map<string, unknown>();
  const varEvaluating = new Set<string>();
  const varCopies = new Map<string, JsonObject>();
  const copySection = getProp(varDecls, "copy");
  if (Array.isArray(copySection))
    for (const spec of copySection)
      if (isObject(spec)) varCopies.set(stringOf(getProp(spec, "name")).toLowerCase(), spec);
  variablesReady = true;
  function variableValue(name: string): unknown {
    if (!variablesReady)
      throw new ExprError(
        "The template function 'variables' is not expected at this location. It cannot be used in parameter default values.",
      );
    const k = name.toLowerCase();
    if (varValues.has(k)) return varValues.get(k);
    const spec = varCopies.get(k);
    const declKey = k === "copy" && spec === undefined ? undefined : findKey(varDecls, name);
    if (declKey === undefined && spec === undefined)
      throw new ExprError(
        `The template variable '${name}' is not found. Please see https://aka.ms/arm-template/#variables for usage details.`,
      );
    if (varEvaluating.has(k))
      throw new ExprError(`The template variable '${name}' has a circular reference to itself.`);
    varEvaluating.add(k);
    try {
      let v: unknown;
      if (spec !== undefined) {
        v = evalTree({ copy: [spec] }, { where: `variable '${name}'` });
        v = (v as JsonObject)[stringOf(getProp(spec, "name"))];
      } else {
        v = evalTree(varDecls[declKey!], { where: `variable '${declKey}'` });
      }
      varValues.set(k, v);
      return v;
    } catch (e) {
      if (e instanceof ExprError && !e.message.startsWith("The template variable"))
        throw new ExprError(`The template variable '${declKey ?? name}' is not valid: ${e.message}`);
      throw e;
    } finally {
      varEvaluating.delete(k);
    }
  }
  if (!internal.outer) {
    for (const k of Object.keys(varDecls)) {
      if (k.toLowerCase() === "copy" && Array.isArray(varDecls[k])) continue;
      try {
        variableValue(k);
      } catch (e) {
        throw wrapValidation(e, undefined);
      }
    }
    for (const spec of varCopies.values()) {
      try {
        variableValue(stringOf(getProp(spec, "name")));
      } catch (e) {
        throw wrapValidation(e, undefined);
      }
    }
  }

  // 5. Resources: declarations (nested children flattened), copy expansion, names and ids.
  const rawResources = getProp(template, "resources") ?? [];
  const decls: Decl[] = [];
  const declOf = (raw: unknown, parent: Decl | undefined, symbolicName?: string): Decl => {
    if (!isObject(raw))
      throw validationFailed(
        `The template resource${at(pos(raw))} is not valid: a resource must be a JSON object. ${RESOURCES_LINK}`,
      );
    const d: Decl = {
      raw,
      parent,
      position: pos(raw),
      label: symbolicName ?? stringOf(getProp(raw, "name")),
      children: [],
    };
    if (symbolicName !== undefined) d.symbolicName = symbolicName;
    const kids = getProp(raw, "resources");
    if (Array.isArray(kids)) d.children = kids.map((c) => declOf(c, d));
    return d;
  };
  if (symbolic && isObject(rawResources)) {
    for (const [sym, r] of Object.entries(rawResources)) decls.push(declOf(r, undefined, sym));
  } else if (Array.isArray(rawResources)) {
    for (const r of rawResources) decls.push(declOf(r, undefined));
  } else {
    throw validationFailed(
      `The template 'resources' section must be ${symbolic ? "an object" : "an array"}. ${RESOURCES_LINK}`,
    );
  }

  const declaredSymbols = new Set(
    decls.flatMap((d) => (d.symbolicName ? [d.symbolicName.toLowerCase()] : [])),
  );

  const planError = (d: Decl, e: unknown): Error => {
    if (isArmError(e)) return e;
    if (e instanceof ExprError)
      return validationFailed(
        `The template resource '${d.label}'${at(d.position)} is not valid: ${withLink(e.message)}`,
      );
    return e as Error;
  };

  const expand = (d: Decl, parent: Instance | undefined): void => {
    const copy = getProp(d.raw, "copy");
    const base = parent?.loops ?? new Map<string, number>();
    const make = (
      loops: Map<string, number>,
      ownLoop: string | undefined,
      copyInfo?: PlannedResource["copy"],
    ) => {
      const inst = plan(d, loops, ownLoop, parent, copyInfo);
      instances.push(inst);
      for (const c of d.children) expand(c, inst);
    };
    if (isObject(copy)) {
      let name: string;
      let count: number;
      let mode: "serial" | "parallel" = "parallel";
      let batchSize: number | undefined;
      try {
        const o = { loops: base, defaultLoop: parent?.ownLoop, where: `the copy of resource '${d.label}'` };
        name = stringOf(evalTree(getProp(copy, "name"), o));
        count = copyCount(evalTree(getProp(copy, "count"), o), name);
        const m = getProp(copy, "mode");
        if (m !== undefined)
          mode = stringOf(evalTree(m, o)).toLowerCase() === "serial" ? "serial" : "parallel";
        const b = getProp(copy, "batchSize");
        if (b !== undefined) batchSize = Number(evalTree(b, o));
      } catch (e) {
        throw planError(d, e);
      }
      for (let i = 0; i < count; i++) {
        const loops = new Map(base);
        loops.set(name.toLowerCase(), i);
        const info: NonNullable<PlannedResource["copy"]> = { name, index: i, mode };
        if (batchSize !== undefined && mode === "serial") info.batchSize = batchSize;
        make(loops, name.toLowerCase(), info);
      }
    } else {
      make(base, parent?.ownLoop);
    }
  };

  const plan = (
    d: Decl,
    loops: Map<string, number>,
    ownLoop: string | undefined,
    parent: Instance | undefined,
    copyInfo: PlannedResource["copy"] | undefined,
  ): Instance => {
    const o: CtxOpts = { loops, defaultLoop: ownLoop, where: `resource '${d.label}'` };
    try {
      const ev = (k: string) => {
        const v = getProp(d.raw, k);
        return v === undefined ? undefined : evalTree(v, o);
      };
      let active = parent ? parent.active : true;
      const cond = ev("condition");
      if (cond !== undefined) {
        const c = typeof cond === "string" ? cond.toLowerCase() === "true" : cond;
        if (typeof c !== "boolean")
          throw new ExprError(`The condition must evaluate to a boolean, not '${typeName(cond)}'.`);
        active = active && c;
      }
      let type = stringOf(ev("type"));
      let apiVersion = stringOf(ev("apiVersion") ?? "");
      if (type.includes("@")) {
        const [t, v] = type.split("@");
        type = t!;
        if (!apiVersion) apiVersion = v!;
      }
      let name = stringOf(ev("name"));
      if (parent) {
        if (!type.includes("/")) type = `${parent.planned.type}/${type}`;
        const typeSegs = type.split("/").length - 1;
        if (name.split("/").length < typeSegs) name = `${parent.planned.name}/${name}`;
      }
      if (!type.includes("/"))
        throw new ExprError(
          `The resource type '${type}' is not valid: it must be of the form '{namespace}/{type}'.`,
        );
      const { namespace, types } = splitType("resource", type);
      const names = name.split("/");
      if (names.length !== types.length)
        throw validationFailed(
          `The template resource '${name}' for type '${type}'${at(d.position)} has incorrect segment lengths. A nested resource type must have identical number of segments as its resource name. A root resource type must have segment length one greater than its resource name. ${RESOURCES_LINK}`,
        );
      // Scope: subscriptionId / resourceGroup properties (nested deployments, existing resources).
      const subProp = ev("subscriptionId");
      const rgProp = ev("resourceGroup");
      const subscriptionId = subProp !== undefined ? stringOf(subProp) : deployScope.subscriptionId;
      let resourceGroup: string | undefined =
        rgProp !== undefined
          ? stringOf(rgProp)
          : deployKind === "resourceGroup" && subProp === undefined
            ? deployScope.resourceGroup
            : undefined;
      if (deployKind !== "resourceGroup" && rgProp === undefined) resourceGroup = undefined;
      let id: string;
      const scopeProp = getProp(d.raw, "scope");
      if (type.toLowerCase() === "microsoft.resources/resourcegroups" && types.length === 1) {
        id = formatResourceId({ subscriptionId, resourceGroup: name });
      } else if (scopeProp !== undefined) {
        const sv = stringOf(evalTree(scopeProp, o));
        let scopeId: string;
        if (sv.startsWith("/")) scopeId = sv.replace(/\/+$/, "");
        else if (symbolic && declaredSymbols.has(sv.replace(/\[\d+\]$/, "").toLowerCase()))
          scopeId = symbolicId(sv);
        else {
          // A scope relative to the deployment: `Microsoft.Storage/storageAccounts/sa` (what Bicep emits).
          const parts = sv.split("/").filter((x) => x !== "");
          if (parts.length < 3 || parts.length % 2 === 0)
            throw new ExprError(
              `The scope '${sv}' is not valid: it must be a resource id or a relative '{namespace}/{type}/{name}'.`,
            );
          scopeId = formatResourceId({
            subscriptionId,
            resourceGroup,
            namespace: parts[0]!,
            types: parts.slice(1).filter((_, k) => k % 2 === 0),
            names: parts.slice(1).filter((_, k) => k % 2 === 1),
          });
        }
        id = scopeId + formatResourceId({ namespace, types, names });
      } else {
        id = formatResourceId({ subscriptionId, resourceGroup, namespace, types, names });
      }
      const existing = symbolic && ev("existing") === true;
      const sym = d.symbolicName;
      const key = sym !== undefined ? (copyInfo ? `${sym}[${copyInfo.index}]` : sym) : id;
      const planned: PlannedResource = {
        key,
        id,
        type,
        name,
        apiVersion,
        existing,
        dependsOn: [],
        scope: resourceGroup !== undefined ? { subscriptionId, resourceGroup } : { subscriptionId },
        nestedDeployment: type.toLowerCase() === "microsoft.resources/deployments",
      };
      if (sym !== undefined) planned.symbolicName = sym;
      if (copyInfo) planned.copy = copyInfo;
      if (d.position) planned.position = d.position;
      const inst: Instance = { decl: d, loops, planned, active };
      if (ownLoop !== undefined) inst.ownLoop = ownLoop;
      if (parent) inst.parent = parent;
      return inst;
    } catch (e) {
      throw planError(d, e);
    }
  };

  // symbolic names resolve lazily against the instances planned so far
  const symbolicId = (sym: string): string => {
    const m = /^(.*)\[(\d+)\]$/.exec(sym);
    const base = (m ? m[1]! : sym).toLowerCase();
    const hit = instances.find(
      (i) =>
        i.planned.symbolicName?.toLowerCase() === base && (m ? i.planned.copy?.index === Number(m[2]) : true),
    );
    if (!hit) throw new ExprError(`The resource '${sym}' is not defined in the template.`);
    return hit.planned.id;
  };

  for (const d of decls) expand(d, undefined);
  instances = instances.slice();

  // duplicates among the resources that deploy
  const byId = new Map<string, Instance>();
  for (const inst of instances) {
    if (!inst.active) continue;
    const k = idKey(inst.planned.id);
    if (byId.has(k) && !inst.planned.existing)
      throw validationFailed(
        `The resource '${inst.planned.type}/${inst.planned.name}'${at(inst.decl.position)} is defined multiple times in a template. ${RESOURCES_LINK}`,
      );
    byId.set(k, inst);
  }

  // 6. Dependencies.
  // Lookup tables for dependsOn entries: ids, loop names, "type/name", names, symbolic names.
  const tables = {
    id: new Map<string, Instance[]>(),
    loop: new Map<string, Instance[]>(),
    typed: new Map<string, Instance[]>(),
    name: new Map<string, Instance[]>(),
    symbol: new Map<string, Instance[]>(),
  };
  const add = (m: Map<string, Instance[]>, k: string, i: Instance) => {
    const l = m.get(k);
    if (l) {
      if (!l.includes(i)) l.push(i);
    } else m.set(k, [i]);
  };
  for (const i of instances) {
    const p = i.planned;
    add(tables.id, matchKey(p.id), i);
    if (p.copy) add(tables.loop, p.copy.name.toLowerCase(), i);
    add(tables.typed, `${p.type}/${p.name}`.toLowerCase(), i);
    const parsed = tryParseResourceId(p.id);
    if (parsed?.namespace)
      add(
        tables.typed,
        [parsed.namespace, ...parsed.types.flatMap((ty, k) => [ty, parsed.names[k]!])]
          .join("/")
          .toLowerCase(),
        i,
      );
    add(tables.name, p.name.toLowerCase(), i);
    add(tables.name, p.name.split("/").pop()!.toLowerCase(), i);
    if (p.symbolicName !== undefined) {
      add(tables.symbol, p.symbolicName.toLowerCase(), i);
      if (p.copy) add(tables.symbol, `${p.symbolicName.toLowerCase()}[${p.copy.index}]`, i);
    }
  }
  const matchDependency = (target: string, from: Instance): Instance[] | undefined => {
    const t = target.trim();
    const lower = t.toLowerCase();
    if (symbolic && tables.symbol.has(lower)) return tables.symbol.get(lower);
    if (t.startsWith("/")) return tables.id.get(matchKey(t));
    const loop = tables.loop.get(lower)?.filter((i) => i.decl !== from.decl);
    if (loop?.length) return loop;
    return tables.typed.get(lower) ?? tables.name.get(lower);
  };

  function resolveReference(target: string): string {
    if (target.startsWith("/")) return target;
    if (symbolic) {
      try {
        return symbolicId(target);
      } catch {
        // fall through to names
      }
    }
    const lower = target.toLowerCase();
    const hit =
      instances.find((i) => i.active && i.planned.name.toLowerCase() === lower) ??
      instances.find((i) => i.planned.name.toLowerCase() === lower);
    if (!hit)
      throw new ExprError(
        `The template reference '${target}' is not valid: could not find template resource or resource copy with this name. Please see https://aka.ms/arm-template-expressions/#reference for usage details.`,
      );
    return hit.planned.id;
  }

  function resourceInfo(sym: string): unknown {
    const id = symbolicId(sym);
    const inst = instances.find((i) => i.planned.id === id)!;
    return { id, name: inst.planned.name, type: inst.planned.type, apiVersion: inst.planned.apiVersion };
  }

  for (const inst of instances) {
    const d = inst.decl;
    const deps = new Set<Instance>();
    const o: CtxOpts = { instance: inst, where: `the dependsOn of resource '${d.label}'` };
    const dependsOn = getProp(d.raw, "dependsOn");
    if (dependsOn !== undefined) {
      let list: unknown;
      try {
        list = evalTree(dependsOn, o);
      } catch (e) {
        throw planError(d, e);
      }
      if (!Array.isArray(list))
        throw planError(
          d,
          new ExprError("The 'dependsOn' property must be an array of resource names or ids."),
        );
      for (const entry of list) {
        const s = stringOf(entry);
        const hits = matchDependency(s, inst);
        if (!hits) {
          if (!inst.active) continue;
          throw validationFailed(
            `The resource '${s}' is not defined in the template. Please see https://aka.ms/arm-template for usage details`,
          );
        }
        for (const h of hits) deps.add(h);
      }
    }
    // implicit: reference()/list*() of resources in this template (and resourceInfo() in 2.0)
    const body = nestedInnerScope(d.raw) ? withoutTemplate(d.raw) : bodyOf(d.raw);
    for (const call of callsIn(body)) {
      const n = call.name.toLowerCase();
      if (n === "references" && call.args[0]) {
        let loop: unknown;
        try {
          loop = evaluateExpr(call.args[0], ctxFor({ instance: inst, where: "dependency inference" }));
        } catch {
          continue;
        }
        if (typeof loop === "string")
          for (const i of tables.loop.get(loop.toLowerCase()) ?? tables.symbol.get(loop.toLowerCase()) ?? [])
            deps.add(i);
        continue;
      }
      if (!(n === "reference" || n === "resourceinfo" || (n.startsWith("list") && call.args.length >= 2)))
        continue;
      if (!call.args[0]) continue;
      let target: unknown;
      try {
        target = evaluateExpr(call.args[0], ctxFor({ instance: inst, where: "dependency inference" }));
      } catch {
        continue;
      }
      if (typeof target !== "string") continue;
      let hits: Instance[] = [];
      if (target.startsWith("/"))
        hits = instances.filter((i) => matchKey(i.planned.id) === matchKey(target as string));
      else {
        try {
          const id = resolveReference(target);
          hits = instances.filter((i) => i.planned.id === id);
        } catch {
          hits = [];
        }
      }
      for (const h of hits) deps.add(h);
    }
    // A nested child gets no implicit dependency on its parent: ARM documents that it does not.
    deps.delete(inst);
    inst.planned.dependsOn = [...deps].filter((x) => x.active).map((x) => x.planned.key);
  }

  const active = instances.filter((i) => i.active);
  const planned = active.map((i) => i.planned);
  const byKey = new Map(active.map((i) => [i.planned.key, i]));

  // 7. Order: waves; serial copy loops deploy batch after batch.
  let waves: PlannedResource[][] | undefined;
  const order = (): PlannedResource[][] => {
    if (waves) return waves;
    const edges = new Map<string, Set<string>>();
    for (const p of planned) edges.set(p.key, new Set(p.dependsOn));
    const loops = new Map<string, PlannedResource[]>();
    for (const p of planned)
      if (p.copy?.mode === "serial") {
        const k = `${p.copy.name.toLowerCase()}|${byKey.get(p.key)!.decl.label}`;
        (loops.get(k) ?? loops.set(k, []).get(k)!).push(p);
      }
    for (const members of loops.values()) {
      const b = Math.max(1, members[0]!.copy!.batchSize ?? 1);
      members.sort((x, y) => x.copy!.index - y.copy!.index);
      members.forEach((m, i) => {
        const batch = Math.floor(i / b);
        if (batch === 0) return;
        for (let j = (batch - 1) * b; j < batch * b; j++) edges.get(m.key)!.add(members[j]!.key);
      });
    }
    const done = new Set<string>();
    const out: PlannedResource[][] = [];
    let remaining = planned.slice();
    while (remaining.length) {
      const wave = remaining.filter((p) => [...edges.get(p.key)!].every((d) => done.has(d) || !byKey.has(d)));
      if (wave.length === 0) {
        const cyc = findCycle(remaining, edges);
        throw validationFailed(`Circular dependency detected on resource: '${cyc}'. ${RESOURCES_LINK}`);
      }
      for (const p of wave) done.add(p.key);
      out.push(wave);
      const inWave = new Set(wave);
      remaining = remaining.filter((p) => !inWave.has(p));
    }
    waves = out;
    return out;
  };
  const findCycle = (nodes: PlannedResource[], edges: Map<string, Set<string>>): string => {
    const keys = new Set(nodes.map((n) => n.key));
    // walk from any remaining node until a node repeats: it lies on a cycle
    let cur = nodes[0]!.key;
    const seen = new Set<string>();
    while (!seen.has(cur)) {
      seen.add(cur);
      cur = [...edges.get(cur)!].find((d) => keys.has(d))!;
    }
    return byKey.get(cur)!.planned.id;
  };
  order();

  // 8. deployment()
  function deploymentObject(): unknown {
    const t = template as JsonObject;
    const props: JsonObject = {
      template: {
        ...(getProp(t, "$schema") !== undefined ? { $schema: getProp(t, "$schema") } : {}),
        contentVersion: getProp(t, "contentVersion") ?? "1.0.0.0",
        ...(getProp(t, "metadata") !== undefined ? { metadata: getProp(t, "metadata") } : {}),
        parameters: getProp(t, "parameters") ?? {},
        variables: getProp(t, "variables") ?? {},
        resources: getProp(t, "resources") ?? [],
        outputs: getProp(t, "outputs") ?? {},
      },
      templateHash: "",
      parameters: Object.fromEntries([...paramValues.values()].map((p) => [p.name, { value: p.value }])),
      mode: "Incremental",
      provisioningState: "Accepted",
    };
    const out: JsonObject = { name: evalScope.deploymentName, properties: props };
    if (evalScope.location !== undefined && targetScope !== "resourceGroup")
      out.location = evalScope.location;
    return out;
  }

  // 9. The prepared deployment.
  const instanceOf = (r: PlannedResource): Instance => {
    const inst = byKey.get(r.key);
    if (!inst) throw ArmErrors.invalidTemplate(`The resource '${r.key}' is not part of this deployment.`);
    return inst;
  };
  const runtimeError = (inst: Instance, e: unknown): Error => {
    if (isArmError(e)) return e;
    if (e instanceof ExprError)
      return ArmErrors.invalidTemplate(
        `Unable to process template language expressions for resource '${inst.planned.id}'${at(inst.decl.position)}. '${e.message}'`,
      );
    return e as Error;
  };

  const prepared: PreparedDeployment = {
    parameters: parametersOut,
    resources: planned,
    targetScope: deployKind,
    order,
    evaluate(resource, host) {
      const inst = instanceOf(resource);
      try {
        const body = evalTree(
          nestedInnerScope(inst.decl.raw) || resource.nestedDeployment
            ? withoutTemplate(bodyOf(inst.decl.raw))
            : bodyOf(inst.decl.raw),
          { instance: inst, host, reference: true, where: `resource '${inst.decl.label}'` },
          true,
        ) as JsonObject;
        if (resource.nestedDeployment) {
          const rawProps = getProp(inst.decl.raw, "properties");
          const t = isObject(rawProps) ? findKey(rawProps, "template") : undefined;
          if (t !== undefined && isObject(body.properties))
            (body.properties as JsonObject)[t] = (rawProps as JsonObject)[t];
        }
        return { body } satisfies EvaluatedResource;
      } catch (e) {
        throw runtimeError(inst, e);
      }
    },
    nested(resource, host) {
      const inst = instanceOf(resource);
      if (!resource.nestedDeployment)
        throw ArmErrors.invalidTemplate(`The resource '${resource.id}' is not a nested deployment.`);
      try {
        const o: CtxOpts = {
          instance: inst,
          host,
          reference: true,
          where: `nested deployment '${inst.decl.label}'`,
        };
        const props = getProp(inst.decl.raw, "properties");
        if (!isObject(props)) throw new ExprError("The nested deployment has no 'properties'.");
        if (findKey(props, "templateLink") !== undefined && findKey(props, "template") === undefined)
          throw ArmErrors.featureNotSupported(
            "linked templates (properties.templateLink) in nested deployments",
          );
        const modeRaw = getProp(props, "mode");
        const mode =
          stringOf(modeRaw === undefined ? "Incremental" : evalTree(modeRaw, o)).toLowerCase() === "complete"
            ? "Complete"
            : "Incremental";
        const inner = nestedInnerScope(inst.decl.raw);
        const rg = resource.scope.resourceGroup;
        let rgLocation: string | undefined;
        if (rg !== undefined) {
          if (
            rg.toLowerCase() === (deployScope.resourceGroup ?? "").toLowerCase() &&
            resource.scope.subscriptionId === deployScope.subscriptionId
          )
            rgLocation = deployScope.resourceGroupLocation;
          else {
            const g = host.getResource(
              formatResourceId({ subscriptionId: resource.scope.subscriptionId, resourceGroup: rg }),
            );
            const l = isObject(g) ? getProp(g, "location") : undefined;
            if (typeof l === "string") rgLocation = l;
          }
        }
        const loc = getProp(inst.decl.raw, "location");
        const scope: DeploymentScope = {
          tenantId: deployScope.tenantId,
          subscriptionId: resource.scope.subscriptionId,
          deploymentName: resource.name,
        };
        if (rg !== undefined) scope.resourceGroup = rg;
        if (rgLocation !== undefined) scope.resourceGroupLocation = rgLocation;
        if (loc !== undefined) scope.location = stringOf(evalTree(loc, o));
        else if (deployScope.location !== undefined) scope.location = deployScope.location;
        const tmpl = getProp(props, "template");
        let deployment: PreparedDeployment;
        if (inner) {
          const params = evalTree(getProp(props, "parameters") ?? {}, o) as Record<string, unknown>;
          deployment = prepare(tmpl, params, scope, host, { lenient: options.lenient }, {});
        } else {
          deployment = prepare(
            tmpl,
            {},
            scope,
            host,
            { lenient: options.lenient },
            {
              outer: {
                parameter: internal.outer ? internal.outer.parameter : parameterValue,
                variable: internal.outer ? internal.outer.variable : variableValue,
                evalScope,
                targetScope,
              },
            },
          );
        }
        return { deployment, mode, name: resource.name, scope };
      } catch (e) {
        throw runtimeError(inst, e);
      }
    },
    outputs(host) {
      const outs = getProp(template as JsonObject, "outputs");
      const result: Record<string, TypedValue> = {};
      if (!isObject(outs)) return result;
      for (const [name, decl] of Object.entries(outs)) {
        if (!isObject(decl)) continue;
        const o: CtxOpts = { host, reference: true, where: `output '${name}'` };
        try {
          const cond = getProp(decl, "condition");
          if (cond !== undefined && evalTree(cond, o) === false) continue;
          const copy = getProp(decl, "copy");
          let value: unknown;
          if (isObject(copy)) {
            const count = copyCount(evalTree(getProp(copy, "count"), o), name);
            value = Array.from({ length: count }, (_, i) =>
              evalTree(getProp(copy, "input"), {
                ...o,
                loops: new Map([[`output:${name}`, i]]),
                defaultLoop: `output:${name}`,
              }),
            );
          } else value = evalTree(getProp(decl, "value"), o);
          const declared = getProp(decl, "type");
          const type = canonicalType(
            typeof declared === "string"
              ? declared
              : (schemaType(decl as TypeSchema, definitions) ?? typeName(value)),
          );
          result[name] = { type, value: coerceOutput(type, value) };
        } catch (e) {
          if (isArmError(e) && e.code !== "InvalidTemplate") throw e;
          const msg = isArmError(e) || e instanceof ExprError ? (e as Error).message : String(e);
          throw ArmErrors.deploymentOutputEvaluationFailed(
            name,
            `The template output '${name}' is not valid: ${msg}`,
          );
        }
      }
      return result;
    },
  };
  return prepared;
}

function coerceOutput(type: string, v: unknown): unknown {
  if (type === "Int" && typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
  if (type === "Bool" && typeof v === "string" && /^(true|false)$/i.test(v))
    return v.toLowerCase() === "true";
  if (type === "String" && typeof v !== "string" && v !== null) return stringOf(v);
  return v;
}

function schemaType(s: TypeSchema, definitions: JsonObject): string | undefined {
  let cur: TypeSchema | undefined = s;
  for (let i = 0; i < 32 && cur; i++) {
    if (typeof cur.type === "string") return cur.type;
    const m: RegExpExecArray | null =
      typeof cur.$ref === "string" ? /^#\/definitions\/(.+)$/.exec(cur.$ref) : null;
    const next: unknown = m ? getProp(definitions, m[1]!) : undefined;
    cur = isObject(next) ? (next as TypeSchema) : undefined;
  }
  return undefined;
}

function scopeKindOf(template: JsonObject, scope: DeploymentScope): TemplateScopeKind {
  const schema = stringOf(getProp(template, "$schema") ?? "");
  if (/tenantDeploymentTemplate/i.test(schema)) return "tenant";
  if (/managementGroupDeploymentTemplate/i.test(schema)) return "managementGroup";
  if (scope.resourceGroup === undefined) return "subscription";
  return "resourceGroup";
}

function isCopySpec(x: unknown): boolean {
  return (
    isObject(x) &&
    findKey(x, "name") !== undefined &&
    findKey(x, "count") !== undefined &&
    findKey(x, "input") !== undefined
  );
}

function copyCount(v: unknown, name: string): number {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n))
    throw new ExprError(`The copy count of '${name}' must be an integer, not '${typeName(v)}'.`);
  if (n < 0) throw new ExprError(`The copy count of '${name}' must be greater than or equal to 0.`);
  if (n > 800) throw new ExprError(`The copy count of '${name}' must be less than or equal to 800.`);
  return n;
}

function bodyOf(raw: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(raw)) if (!NOT_BODY.has(k.toLowerCase())) out[k] = v;
  return out;
}

function nestedInnerScope(raw: JsonObject): boolean {
  if (stringOf(getProp(raw, "type") ?? "").toLowerCase() !== "microsoft.resources/deployments") return false;
  const props = getProp(raw, "properties");
  const opts = isObject(props) ? getProp(props, "expressionEvaluationOptions") : undefined;
  const scope = isObject(opts) ? getProp(opts, "scope") : undefined;
  return typeof scope === "string" && scope.toLowerCase() === "inner";
}

function withoutTemplate(raw: JsonObject): JsonObject {
  const props = getProp(raw, "properties");
  if (!isObject(props)) return raw;
  const p: JsonObject = {};
  for (const [k, v] of Object.entries(props)) if (k.toLowerCase() !== "template") p[k] = v;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(raw)) out[k] = k.toLowerCase() === "properties" ? p : v;
  return out;
}

/** An id as a lookup key; `…/providers/Microsoft.Resources/resourceGroups/x` (what resourceId() gives) is the group's id. */
function matchKey(id: string): string {
  return idKey(id).replace(
    /^(\/subscriptions\/[^/]+)\/providers\/microsoft\.resources\/resourcegroups\//,
    "$1/resourcegroups/",
  );
}

function notFound(id: string): ArmError {
  const p = tryParseResourceId(id);
  if (p?.namespace) {
    return ArmErrors.resourceNotFound(
      [p.namespace, ...p.types].join("/"),
      p.names.join("/"),
      p.resourceGroup ?? "",
    );
  }
  if (p?.resourceGroup !== undefined) return ArmErrors.resourceGroupNotFound(p.resourceGroup);
  return ArmErrors.resourceNotFound("", id, "");
}

function wrapValidation(e: unknown, prefix: string | undefined): Error {
  if (isArmError(e)) return e;
  if (e instanceof ExprError)
    return validationFailed(prefix ? `${prefix}: ${withLink(e.message)}` : withLink(e.message));
  return e as Error;
}

export type { ArmErrorDetail };
void resourceGroupObject;
