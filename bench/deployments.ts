/**
 * Deployment benchmark: the 500-resource template of bench/template.ts (125 NSGs, 124 ASGs,
 * one VNet with 125 subnets, 125 public IPs, 125 NICs) deployed end to end through the control
 * plane (every resource through its provider, its RBAC check and its LRO, polled like a client),
 * on a file-backed SQLite store as `lazurite serve` uses; then a what-if of the same template on
 * the deployed group. Template evaluation alone comes from bench/template.ts.
 *
 * Run: npx tsx bench/deployments.ts   (prints a table and one JSON line); `npm run bench` includes it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createArmDeps, handleArm } from "../src/arm/arm.js";
import type { ArmDeps } from "../src/arm/context.js";
import { accessImpactPort, randomIds, systemClock } from "../src/main.js";
import { defaultServiceTagCatalog } from "../src/model/catalog/synthetic-service-tags.js";
import { openSqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { runTemplateBench, template500 } from "./template.js";

const SUB = "00000000-0000-0000-0000-000000000001";
const RG = `/subscriptions/${SUB}/resourceGroups/bench`;
const API = "2022-09-01";

function req(
  deps: ArmDeps,
  method: string,
  path: string,
  body?: unknown,
  query: Record<string, string> = {},
) {
  return handleArm(deps, {
    method,
    path,
    query: { ...query, "api-version": API },
    apiVersion: API,
    body,
    baseUrl: "https://localhost:8443",
  });
}

async function follow(deps: ArmDeps, url: string) {
  const u = new URL(url);
  return req(deps, "GET", u.pathname, undefined, Object.fromEntries(u.searchParams));
}

export async function runDeploymentBench(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "lazurite-bench-deploy-"));
  const { store } = await openSqliteStore({ filename: join(dir, "lazurite.db") });
  try {
    const serviceTags = defaultServiceTagCatalog();
    const deps = await createArmDeps({
      store,
      clock: systemClock,
      ids: randomIds,
      serviceTags,
      lro: { inProgressPolls: 1, maxDurationMs: 60_000 },
      accessImpact: accessImpactPort(serviceTags),
    });
    await req(deps, "PUT", RG, { location: "westeurope" });
    const body = { properties: { mode: "Incremental", template: template500(), parameters: {} } };
    const t0 = process.hrtime.bigint();
    const put = await req(deps, "PUT", `${RG}/providers/Microsoft.Resources/deployments/bench`, body);
    let status = "";
    for (let i = 0; i < 100 && status !== "Succeeded" && status !== "Failed"; i++)
      status = String(
        ((await follow(deps, put.headers!["Azure-AsyncOperation"]!)).body as { status: string }).status,
      );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const got = (await req(deps, "GET", `${RG}/providers/Microsoft.Resources/deployments/bench`)).body as {
      properties: { provisioningState: string; outputResources: unknown[] };
    };
    if (got.properties.provisioningState !== "Succeeded")
      throw new Error(`bench deployment ${got.properties.provisioningState}`);
    const resources = got.properties.outputResources.length;
    const w0 = process.hrtime.bigint();
    const wi = await req(deps, "POST", `${RG}/providers/Microsoft.Resources/deployments/bench/whatIf`, body);
    let polled = await follow(deps, wi.headers!["Location"]!);
    for (let i = 0; i < 100 && polled.status === 202; i++)
      polled = await follow(deps, wi.headers!["Location"]!);
    const result = polled.body as { properties: { changes: Array<{ changeType: string }> } };
    const whatIfSeconds = Number(process.hrtime.bigint() - w0) / 1e9;
    const changed = result.properties.changes.filter((c) => c.changeType !== "NoChange").length;
    const evalRuns = runTemplateBench(5);
    return {
      deployment500Resources: resources,
      deployment500Seconds: seconds,
      deployment500ResourcesPerSec: resources / seconds,
      whatIf500Seconds: whatIfSeconds,
      whatIf500Changed: changed,
      templateEvaluation500Ms: evalRuns.templateEvaluationMsMedian!,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runDeploymentBench().then(
    (r) => {
      for (const [k, v] of Object.entries(r))
        console.log(`${k.padEnd(30)} ${Number.isInteger(v) ? v : v.toFixed(2)}`);
      console.log(JSON.stringify({ bench: "deployments", ...r }));
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
