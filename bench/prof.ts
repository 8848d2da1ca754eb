import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
import { Snapshot } from "../src/engine/snapshot.js";
import { evaluate } from "../src/engine/evaluate.js";
import { estateFlows, generateEstate, loadCatalog } from "./estate.js";
const scale = Number(process.argv[2] ?? 1);
const { catalog } = loadCatalog();
const estate = generateEstate(20260626, catalog, scale);
const snap = new Snapshot(estate.resources, { serviceTags: catalog });
const flows = estateFlows(20260626, estate, 100_000);
for (const f of flows) evaluate(snap, f);
const s = new Session();
s.connect();
await s.post("Profiler.enable");
await s.post("Profiler.setSamplingInterval", { interval: 50 });
await s.post("Profiler.start");
const t0 = process.hrtime.bigint();
for (let r = 0; r < 3; r++) for (const f of flows) evaluate(snap, f);
const ns = Number(process.hrtime.bigint() - t0) / 300_000;
const { profile } = await s.post("Profiler.stop");
writeFileSync("/tmp/prof/warm.cpuprofile", JSON.stringify(profile));
console.log("ns/decision", ns.toFixed(0));
// self time summary
const self = new Map<string, number>();
const total = profile.samples!.length;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map<number, number>();
for (const id of profile.samples!) counts.set(id, (counts.get(id) ?? 0) + 1);
for (const [id, c] of counts) {
  const n = byId.get(id)!;
  const k = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
  self.set(k, (self.get(k) ?? 0) + c);
}
for (const [k, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 45))
  console.log(((100 * c) / total).toFixed(1).padStart(5), k);
