/**
 * In-process deployments for the template corpus and the API tests: the real control plane
 * (handleArm through Fastify's inject) over an in-memory SQLite store, with the access
 * diagnostics port wired as main.ts wires it.
 */
import type { LightMyRequestResponse } from "fastify";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createArmDeps } from "../../src/arm/arm.js";
import type { ArmDeps } from "../../src/arm/context.js";
import { buildApp } from "../../src/http/app.js";
import { accessImpactPort } from "../../src/main.js";
import { defaultServiceTagCatalog } from "../../src/model/catalog/synthetic-service-tags.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { sequentialIds } from "../http/helpers.js";

export const SUB = "00000000-0000-0000-0000-0000000000dd";
export const DEPLOY_API = "2022-09-01";
export const NET_API = "2023-09-01";

export const templatesDir = resolve(import.meta.dirname);

export function readJson(file: string): any {
  return JSON.parse(readFileSync(resolve(templatesDir, file), "utf8"));
}

export interface DeployHarness {
  deps: ArmDeps;
  req(method: string, path: string, body?: unknown, api?: string): Promise<LightMyRequestResponse>;
  json(res: LightMyRequestResponse): any;
  group(name: string, location?: string): Promise<void>;
  /** PUT a deployment and poll its status to the end; returns the final GET body (and the PUT's answer). */
  deploy(
    scope: string,
    name: string,
    template: unknown,
    parameters?: Record<string, unknown>,
    mode?: "Incremental" | "Complete",
    extra?: Record<string, unknown>,
  ): Promise<{ put: LightMyRequestResponse; final: any; polls: string[] }>;
  whatIf(
    scope: string,
    name: string,
    template: unknown,
    parameters?: Record<string, unknown>,
    mode?: "Incremental" | "Complete",
    extra?: Record<string, unknown>,
  ): Promise<any>;
  close(): Promise<void>;
}

export const rgScope = (rg: string, sub = SUB) => `/subscriptions/${sub}/resourceGroups/${rg}`;

export async function deployHarness(opts: { inProgressPolls?: number } = {}): Promise<DeployHarness> {
  const { store } = await openSqliteStore({ filename: ":memory:" });
  const clock = { t: Date.UTC(2026, 0, 1) };
  const serviceTags = defaultServiceTagCatalog();
  const deps = await createArmDeps({
    store,
    clock: { now: () => clock.t },
    ids: sequentialIds(),
    serviceTags,
    lro: { inProgressPolls: opts.inProgressPolls ?? 1, maxDurationMs: 3_600_000 },
    accessImpact: accessImpactPort(serviceTags),
  });
  const app = buildApp({ arm: deps });
  const json = (res: LightMyRequestResponse) => (res.body ? JSON.parse(res.body) : undefined);
  const req = (method: string, path: string, body?: unknown, api = DEPLOY_API) =>
    app.inject({
      method: method as "GET",
      url: /[?&]api-version=/.test(path)
        ? path
        : `${path}${path.includes("?") ? "&" : "?"}api-version=${api}`,
      headers: {
        host: "localhost:8443",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
  const follow = async (url: string) => {
    const path = url.replace(/^https:\/\/[^/]+/, "");
    return app.inject({ method: "GET", url: path, headers: { host: "localhost:8443" } });
  };
  return {
    deps,
    req,
    json,
    async group(name, location = "westus") {
      const res = await req("PUT", rgScope(name), { location }, "2021-04-01");
      if (res.statusCode >= 300) throw new Error(res.body);
    },
    async deploy(scope, name, template, parameters = {}, mode = "Incremental", extra = {}) {
      const id = `${scope}/providers/Microsoft.Resources/deployments/${name}`;
      const put = await req("PUT", id, { ...extra, properties: { template, parameters, mode } });
      const polls: string[] = [];
      const status = put.headers["azure-asyncoperation"];
      if (typeof status === "string") {
        for (let i = 0; i < 20; i++) {
          const s = json(await follow(status));
          polls.push(s.status);
          if (s.status !== "Running" && s.status !== "Accepted") break;
        }
      }
      const final = json(await req("GET", id));
      return { put, final, polls };
    },
    async whatIf(scope, name, template, parameters = {}, mode = "Incremental", extra = {}) {
      const id = `${scope}/providers/Microsoft.Resources/deployments/${name}/whatIf`;
      const res = await req("POST", id, { ...extra, properties: { template, parameters, mode } });
      if (res.statusCode !== 202) throw new Error(`whatIf ${res.statusCode}: ${res.body}`);
      const loc = res.headers["location"] as string;
      for (let i = 0; i < 20; i++) {
        const r = await follow(loc);
        if (r.statusCode === 200) return json(r);
        if (r.statusCode !== 202) throw new Error(`whatIf poll ${r.statusCode}: ${r.body}`);
      }
      throw new Error("what-if never completed");
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}
