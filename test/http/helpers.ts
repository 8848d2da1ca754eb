/** In-process test harness: a Fastify app over an in-memory SQLite store, a settable clock and sequential GUIDs. */
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { createArmDeps } from "../../src/arm/arm.js";
import type { ArmDeps, LroPolicy } from "../../src/arm/context.js";
import { buildApp } from "../../src/http/app.js";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.js";

export const SUB = "00000000-0000-0000-0000-0000000000aa";
export const API = "api-version=2025-05-01";

export interface Harness {
  app: FastifyInstance;
  deps: ArmDeps;
  clock: { t: number };
  req(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  /** PUT + wait for the operation (polls until Succeeded). */
  put(url: string, body: unknown): Promise<LightMyRequestResponse>;
  del(url: string): Promise<LightMyRequestResponse>;
  json(res: LightMyRequestResponse): any;
  close(): Promise<void>;
}

export function sequentialIds(prefix = "00000000-0000-4000-8000"): { guid(): string } {
  let n = 0;
  return { guid: () => `${prefix}-${(++n).toString(16).padStart(12, "0")}` };
}

export async function harness(
  opts: { lro?: Partial<LroPolicy>; pageSize?: number; bodyLimit?: number } = {},
): Promise<Harness> {
  const { store } = await openSqliteStore({ filename: ":memory:" });
  const clock = { t: Date.UTC(2026, 0, 1) };
  const deps = await createArmDeps({
    store,
    clock: { now: () => clock.t },
    ids: sequentialIds(),
    lro: opts.lro ?? { inProgressPolls: 1, maxDurationMs: 60_000 },
    ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize } : {}),
  });
  const app = buildApp({ arm: deps, ...(opts.bodyLimit !== undefined ? { bodyLimit: opts.bodyLimit } : {}) });
  const withApi = (url: string) =>
    /[?&]api-version=/i.test(url) ? url : `${url}${url.includes("?") ? "&" : "?"}${API}`;
  const req = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: method as "GET",
      url: withApi(url),
      headers: {
        host: "localhost:8443",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
  const json = (res: LightMyRequestResponse) => (res.body ? JSON.parse(res.body) : undefined);
  const settle = async (res: LightMyRequestResponse) => {
    const op = res.headers["azure-asyncoperation"];
    if (typeof op !== "string") return;
    const path = op.replace(/^https:\/\/[^/]+/, "");
    for (let i = 0; i < 10; i++) {
      const s = json(await app.inject({ method: "GET", url: path, headers: { host: "localhost:8443" } }));
      if (s.status !== "InProgress") return;
    }
    throw new Error("operation never completed");
  };
  return {
    app,
    deps,
    clock,
    req,
    json,
    async put(url, body) {
      const res = await req("PUT", url, body);
      await settle(res);
      return res;
    },
    async del(url) {
      const res = await req("DELETE", url);
      await settle(res);
      return res;
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}

export const rg = (name = "rg1") => `/subscriptions/${SUB}/resourceGroups/${name}`;
export const net = (name = "rg1") => `${rg(name)}/providers/Microsoft.Network`;
