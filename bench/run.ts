/**
 * `npm run bench`: the engine benchmark on the estate (bench/engine.ts), then the ARM
 * benchmark (bench/arm.ts) when that file exists. Prints a small table and one JSON line with
 * every figure.
 *
 * Options: --scale N (estate size, 1 = issue's), --seed N, --engine-flows N, --reference-flows N.
 * Runs in Node's default heap (the full estate with the engine's memo needs about 1.5 GB).
 * Profile: node --cpu-prof --import tsx bench/run.ts
 * Then the deployment benchmark (bench/deployments.ts): the 500-resource template end to end.
 */
import { existsSync } from "node:fs";
import { runDeploymentBench } from "./deployments.js";
import { fileURLToPath } from "node:url";
import { DEFAULT_ENGINE_BENCH, runEngineBench } from "./engine.js";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

function fmt(v: number | string | boolean): string {
  if (typeof v !== "number") return String(v);
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  return v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(2);
}

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  const log = (line: string) => console.log(`# ${line}`);
  const engine = await runEngineBench({
    seed: option("seed", DEFAULT_ENGINE_BENCH.seed),
    scale: option("scale", DEFAULT_ENGINE_BENCH.scale),
    engineFlows: option("engine-flows", DEFAULT_ENGINE_BENCH.engineFlows),
    referenceFlows: option("reference-flows", DEFAULT_ENGINE_BENCH.referenceFlows),
    lookupPasses: DEFAULT_ENGINE_BENCH.lookupPasses,
    log,
  });

  let arm: Record<string, number> | undefined;
  const armFile = fileURLToPath(new URL("./arm.ts", import.meta.url));
  if (existsSync(armFile)) {
    try {
      const spec = "./arm.js";
      const mod = (await import(spec)) as { runArmBench?: () => Promise<Record<string, number>> };
      if (typeof mod.runArmBench === "function") arm = await mod.runArmBench();
      else log("bench/arm.ts has no runArmBench(); ARM figures skipped");
    } catch (e) {
      log(`ARM bench failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else {
    log("bench/arm.ts not present; ARM figures skipped");
  }

  let deployments: Record<string, number> | undefined;
  try {
    deployments = await runDeploymentBench();
  } catch (e) {
    log(`deployment bench failed: ${e instanceof Error ? e.message : String(e)}`);
  }

  const rows: Array<[string, number | string | boolean, string]> = [
    ["service tags", engine.serviceTags!, ""],
    ["engine decisions/s (warm)", engine.engineDecisionsPerSec!, ""],
    ["engine decisions/s (cold, first pass)", engine.engineColdDecisionsPerSec!, ""],
    ["reference decisions/s", engine.referenceDecisionsPerSec!, ""],
    ["engine / reference", engine.speedup!, `goal ≥ 100× — ${engine.speedupGoalMet ? "met" : "MISSED"}`],
    ["ns per decision", engine.decisionNs!, ""],
    ["ns per bare longest-prefix lookup", engine.lookupNs!, `${fmt(engine.routePrefixes!)} prefixes`],
    [
      "decision / lookup",
      engine.decisionToLookupRatio!,
      `goal ≤ 10× — ${engine.lookupRatioGoalMet ? "met" : "MISSED"}`,
    ],
    ["ns per membership test (PrefixSet)", engine.membershipNs!, "same prefixes; for comparison only"],
    [
      "floor: ns to find a flow's two ends by id",
      engine.findEndsNs!,
      `${fmt(engine.findEndsToLookupRatio!)} lookups' worth; nothing decided`,
    ],
    [
      "in cache: ns per decision",
      engine.hotDecisionNs!,
      `the first ${fmt(engine.hotFlows!)} flows, over and over`,
    ],
    ["in cache: ns per lookup", engine.hotLookupNs!, "their destinations, over and over"],
    ["in cache: decision / lookup", engine.hotDecisionToLookupRatio!, "memory latency out of the picture"],
    ["reference disagreements", engine.referenceDisagreements!, `of ${fmt(engine.referenceFlows!)} flows`],
    ["who-can-reach (ms)", engine.whoCanReachMs!, `${fmt(engine.whoCanReachNics!)} NICs decided`],
    ["what-if of a subnet PUT (ms)", engine.whatIfMs!, `${fmt(engine.whatIfPairs!)} NIC → resource pairs`],
    [
      "heap after the engine passes (MB)",
      engine.engineHeapMB!,
      `of ${fmt(Math.round(engine.heapLimitMB as number))} MB (Node's default limit)`,
    ],
  ];
  for (const [k, v] of Object.entries(arm ?? {})) rows.push([`arm: ${k}`, v, ""]);
  if (deployments) {
    rows.push([
      "deployment of 500 resources (s)",
      deployments.deployment500Seconds!,
      "end to end, every resource through its provider and LRO",
    ]);
    rows.push(["deployment resources/s", deployments.deployment500ResourcesPerSec!, ""]);
    rows.push([
      "what-if of the deployed 500 (s)",
      deployments.whatIf500Seconds!,
      `${fmt(deployments.whatIf500Changed!)} changes (want 0)`,
    ]);
    rows.push([
      "template evaluation of the 500 (ms)",
      deployments.templateEvaluation500Ms!,
      "prepare + order + every body + outputs",
    ]);
  }
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log("");
  for (const [k, v, note] of rows) console.log(`${k.padEnd(width)}  ${fmt(v).padStart(14)}  ${note}`);
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    JSON.stringify({
      bench: "lazurite",
      ...engine,
      ...(arm ? { arm } : {}),
      ...(deployments ? { deployments } : {}),
      totalSeconds,
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
