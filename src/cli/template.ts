/**
 * `--template FILE [--parameters FILE|key=value ...]` for the offline commands: the template is
 * deployed into an in-memory control plane (the same providers, defaults and validation as a
 * server; `--config` resources loaded first), and the commands decide on what it holds
 * afterwards. `lazurite what-if --template` asks the same control plane (or a running server) for
 * ARM's what-if with Lazurite's access diagnostics.
 */
import { existsSync } from "node:fs";
import { createArmDeps, DEFAULT_TENANCY, handleArm } from "../arm/arm.js";
import type { ArmDeps } from "../arm/context.js";
import { allResources } from "../arm/read.js";
import { documentOf, newEtag } from "../arm/documents.js";
import { accessImpactPort, randomIds, systemClock } from "../main.js";
import { isArmError } from "../model/errors.js";
import type { ArmResource } from "../model/resources/common.js";
import { tryParseResourceId } from "../model/resource-id.js";
import type { ServiceTagCatalog } from "../model/catalog/service-tags.js";
import { openSqliteStore } from "../store/sqlite/sqlite-store.js";
import { InputError, loadJson } from "./load.js";

export const DEPLOYMENT_API_VERSION = "2022-09-01";
const BASE = "https://localhost";

export interface TemplateFlags {
  template?: string;
  parameters?: string[];
  resourceGroup?: string;
  subscription?: string;
  location?: string;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A template file (a JSON object). */
export function loadTemplate(path: string): Record<string, unknown> {
  const t = loadJson(path, "--template");
  if (!isObj(t)) throw new InputError(`--template ${path}: not a template (expected a JSON object)`);
  return t;
}

/** `--parameters`: files (`@file` or a path; deploymentParameters or a plain object) and `key=value`, later ones win. */
export function parseParameters(
  template: Record<string, unknown>,
  items: readonly string[] = [],
): Record<string, unknown> {
  const declared = isObj(template.parameters) ? template.parameters : {};
  const typeOf = (name: string): string => {
    const k = Object.keys(declared).find((x) => x.toLowerCase() === name.toLowerCase());
    const p = k !== undefined ? declared[k] : undefined;
    return isObj(p) && typeof p.type === "string" ? p.type.toLowerCase() : "string";
  };
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    const file = item.startsWith("@") ? item.slice(1) : eq < 0 || existsSync(item) ? item : undefined;
    if (file !== undefined) {
      const json = loadJson(file, "--parameters");
      if (!isObj(json)) throw new InputError(`--parameters ${file}: expected a JSON object`);
      const params = isObj(json.parameters) ? json.parameters : json;
      for (const [k, v] of Object.entries(params))
        out[k] = isObj(v) && ("value" in v || "reference" in v) ? v : { value: v };
      continue;
    }
    const name = item.slice(0, eq);
    const text = item.slice(eq + 1);
    if (name === "") throw new InputError(`--parameters ${item}: expected NAME=VALUE`);
    let value: unknown = text;
    const type = typeOf(name);
    if (type === "int") {
      if (!/^-?\d+$/.test(text)) throw new InputError(`--parameters ${name}: '${text}' is not an integer`);
      value = Number(text);
    } else if (type === "bool") {
      if (!/^(true|false)$/i.test(text))
        throw new InputError(`--parameters ${name}: '${text}' is not true or false`);
      value = text.toLowerCase() === "true";
    } else if (type === "object" || type === "array" || type === "secureobject") {
      try {
        value = JSON.parse(text);
      } catch {
        throw new InputError(`--parameters ${name}: '${text}' is not JSON`);
      }
    }
    out[name] = { value };
  }
  return out;
}

export interface ControlPlane {
  deps: ArmDeps;
  subscriptionId: string;
  resourceGroup: string;
  close(): Promise<void>;
}

/** An in-memory control plane holding the `--config` resources and the target resource group. */
export async function offlineControlPlane(
  resources: readonly ArmResource[],
  serviceTags: ServiceTagCatalog,
  flags: TemplateFlags,
): Promise<ControlPlane> {
  const { store } = await openSqliteStore({ filename: ":memory:" });
  const deps = await createArmDeps({
    store,
    clock: systemClock,
    ids: randomIds,
    serviceTags,
    lro: { inProgressPolls: 0, maxDurationMs: 0 },
    accessImpact: accessImpactPort(serviceTags),
  });
  try {
    await loadConfig(deps, resources);
  } catch (e) {
    await store.close();
    throw e;
  }
  const first = resources.map((r) => tryParseResourceId(r.id)).find((p) => p?.resourceGroup !== undefined);
  const subscriptionId = flags.subscription ?? first?.subscriptionId ?? DEFAULT_TENANCY.subscriptionId;
  const resourceGroup = flags.resourceGroup ?? first?.resourceGroup ?? "lazurite-template";
  const cp: ControlPlane = { deps, subscriptionId, resourceGroup, close: () => store.close() };
  const rgPath = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
  const have = await request(cp, "GET", rgPath, "2021-04-01").catch(() => undefined);
  if (!have) await request(cp, "PUT", rgPath, "2021-04-01", { location: flags.location ?? "westus" });
  return cp;
}

export async function request(
  cp: ControlPlane,
  method: string,
  path: string,
  apiVersion: string,
  body?: unknown,
): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
  return handleArm(cp.deps, {
    method,
    path,
    query: { "api-version": apiVersion },
    apiVersion,
    body,
    baseUrl: BASE,
  });
}

function deploymentPath(cp: ControlPlane, name: string): string {
  return `/subscriptions/${cp.subscriptionId}/resourceGroups/${cp.resourceGroup}/providers/Microsoft.Resources/deployments/${name}`;
}

/** Deploys the template; InputError with ARM's error when the deployment is refused or fails. */
export async function deployTemplate(
  cp: ControlPlane,
  template: Record<string, unknown>,
  parameters: Record<string, unknown>,
): Promise<{ deployment: any; resources: ArmResource[] }> {
  let res;
  try {
    res = await request(cp, "PUT", deploymentPath(cp, "lazurite-template"), DEPLOYMENT_API_VERSION, {
      properties: { mode: "Incremental", template, parameters },
    });
  } catch (e) {
    if (isArmError(e)) throw new InputError(`--template: (${e.code}) ${e.message}`);
    throw e;
  }
  const d = res.body as { properties: { provisioningState: string; error?: unknown } };
  if (d.properties.provisioningState === "Failed")
    throw new InputError(`--template: the deployment failed: ${JSON.stringify(d.properties.error)}`);
  return { deployment: d, resources: await allResources(cp.deps.store) };
}

/** ARM's what-if of the template on the control plane (`{status, properties: {changes, diagnostics}}`). */
export async function whatIfTemplate(
  cp: ControlPlane,
  template: Record<string, unknown>,
  parameters: Record<string, unknown>,
): Promise<any> {
  try {
    const res = await request(
      cp,
      "POST",
      `${deploymentPath(cp, "lazurite-what-if")}/whatIf`,
      DEPLOYMENT_API_VERSION,
      {
        properties: { mode: "Incremental", template, parameters },
      },
    );
    const location = new URL(res.headers!["Location"]!);
    const parts = location.pathname.split("/").filter((s) => s.length > 0);
    const done = await request(cp, "GET", "/" + parts.join("/"), DEPLOYMENT_API_VERSION);
    return done.body;
  } catch (e) {
    if (isArmError(e)) throw new InputError(`--template: (${e.code}) ${e.message}`);
    throw e;
  }
}

/** The resources `--config` and `--template` describe together, as deployed (offline commands). */
export async function resourcesWithTemplate(
  configResources: readonly ArmResource[],
  serviceTags: ServiceTagCatalog,
  flags: TemplateFlags,
): Promise<ArmResource[]> {
  const template = loadTemplate(flags.template!);
  const parameters = parseParameters(template, flags.parameters);
  const cp = await offlineControlPlane(configResources, serviceTags, flags);
  try {
    return (await deployTemplate(cp, template, parameters)).resources;
  } finally {
    await cp.close();
  }
}

/**
 * Resources in an order a control plane accepts: resource groups first, then every resource
 * after the resources of the list it names (by id anywhere in its body); cycles keep file order.
 */
export function dependencyOrder(resources: readonly ArmResource[]): ArmResource[] {
  const keyOf = (id: string) => {
    const p = tryParseResourceId(id);
    if (!p) return id.toLowerCase();
    if (p.namespace === undefined || p.types.length <= 1) return p.key;
    return `/subscriptions/${p.subscriptionId}/resourcegroups/${p.resourceGroup}/providers/${p.namespace}/${p.types[0]}/${p.names[0]}`.toLowerCase();
  };
  const byKey = new Map(resources.map((r) => [keyOf(r.id), r]));
  const deps = new Map<ArmResource, ArmResource[]>();
  for (const r of resources) {
    const text = JSON.stringify(r.properties ?? {}).toLowerCase();
    const own = keyOf(r.id);
    const found: ArmResource[] = [];
    for (const m of text.matchAll(/"(\/subscriptions\/[^"]+)"/g)) {
      const k = keyOf(m[1]!);
      const target = byKey.get(k);
      if (target && k !== own && !found.includes(target)) found.push(target);
    }
    deps.set(r, found);
  }
  const out: ArmResource[] = [];
  const state = new Map<ArmResource, "visiting" | "done">();
  const visit = (r: ArmResource) => {
    if (state.get(r)) return;
    state.set(r, "visiting");
    for (const d of deps.get(r) ?? []) if (!state.get(d)) visit(d);
    state.set(r, "done");
    out.push(r);
  };
  for (const r of resources) visit(r);
  return out;
}

/** Loads resources through the providers (as PUTs); one a provider refuses is stored as given. */
async function loadConfig(cp: ArmDeps, resources: readonly ArmResource[]): Promise<void> {
  const plain = resources.filter((r) => r.type.toLowerCase() !== "microsoft.resources/resourcegroups");
  const groups = new Map<string, { path: string; location: string }>();
  for (const r of plain) {
    const p = tryParseResourceId(r.id);
    if (p?.subscriptionId === undefined || p.resourceGroup === undefined) continue;
    const k = `${p.subscriptionId}/${p.resourceGroup}`.toLowerCase();
    if (!groups.has(k))
      groups.set(k, {
        path: `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}`,
        location: r.location ?? "westus",
      });
  }
  const call = (method: string, path: string, apiVersion: string, body?: unknown) =>
    handleArm(cp, { method, path, query: { "api-version": apiVersion }, apiVersion, body, baseUrl: BASE });
  for (const g of groups.values()) await call("PUT", g.path, "2021-04-01", { location: g.location });
  for (const r of dependencyOrder(plain)) {
    try {
      await call("PUT", tryParseResourceId(r.id)?.text ?? r.id, "2023-09-01", r);
    } catch (e) {
      if (!isArmError(e)) throw e;
      await cp.store.put(documentOf({ ...r, etag: newEtag(cp.ids) }));
    }
  }
}
