/**
 * Imports flow one way (STYLE.md §5): model ← engine ← analysis; arm imports model and the
 * store port; only main.ts wires concrete adapters. The pure core does no I/O and reads no clock.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, dirname, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const src = join(root, "src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") && !p.endsWith(".test.ts") ? [p] : [];
  });
}

function layerOf(path: string): string {
  const rel = relative(src, path).split("/");
  return rel.length === 1 ? rel[0]!.replace(/\.ts$/, "") : rel[0]!;
}

const ALLOWED: Record<string, string[]> = {
  model: ["model"],
  engine: ["engine", "model"],
  analysis: ["analysis", "engine", "model"],
  demo: ["demo", "model"],
  template: ["template", "model"],
  arm: ["arm", "template", "model", "engine", "analysis", "store-port", "demo"],
  store: ["store", "model"],
  identity: ["identity", "arm", "model", "store-port"],
  http: [
    "http",
    "template",
    "arm",
    "analysis",
    "engine",
    "model",
    "store-port",
    "config",
    "demo",
    "identity",
  ],
  config: ["config", "model"],
  cli: [
    "cli",
    "template",
    "analysis",
    "engine",
    "model",
    "store-port",
    "config",
    "demo",
    "main",
    "http",
    "arm",
    "store",
  ],
  main: [
    "main",
    "template",
    "http",
    "arm",
    "store",
    "config",
    "model",
    "engine",
    "analysis",
    "demo",
    "store-port",
    "identity",
    "dataplane",
  ],
  gateway: ["gateway", "engine", "model", "analysis"],
  dataplane: ["dataplane", "arm", "engine", "model", "http", "store-port"],
};

function imports(path: string): Array<{ spec: string; target?: string }> {
  const text = readFileSync(path, "utf8");
  const out: Array<{ spec: string; target?: string }> = [];
  for (const m of text.matchAll(
    /(?:import|export)\s[^"';]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
  )) {
    const spec = (m[1] ?? m[2])!;
    if (spec.startsWith("."))
      out.push({ spec, target: resolve(dirname(path), spec.replace(/\.js$/, ".ts")) });
    else out.push({ spec });
  }
  return out;
}

describe("architecture", () => {
  const all = files(src);

  it("layers import only the layers below them", () => {
    const bad: string[] = [];
    for (const f of all) {
      const from = layerOf(f);
      for (const imp of imports(f)) {
        if (!imp.target) continue;
        let to = layerOf(imp.target);
        if (to === "store" && /store\/store\.ts$/.test(imp.target)) to = "store-port";
        const allowed = ALLOWED[from] ?? [];
        if (!allowed.includes(to) && !(to === "store-port" && allowed.includes("store"))) {
          bad.push(`${relative(root, f)} imports ${relative(root, imp.target)}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it("the pure core (model, engine, analysis, template) does no I/O and reads no clock or randomness", () => {
    const bad: string[] = [];
    for (const f of all) {
      if (!["model", "engine", "analysis", "template"].includes(layerOf(f))) continue;
      const text = readFileSync(f, "utf8");
      for (const imp of imports(f)) {
        if (!imp.target && !["ipaddr.js"].includes(imp.spec))
          bad.push(`${relative(root, f)} imports ${imp.spec}`);
      }
      if (/Date\.now\(|new Date\(|Math\.random\(|performance\.now\(|process\./.test(text))
        bad.push(`${relative(root, f)} reads the clock, randomness or the process`);
    }
    expect(bad).toEqual([]);
  });

  it("resource ids are parsed in one place", () => {
    const bad = all
      .filter((f) => !f.endsWith("resource-id.ts"))
      .filter((f) => /split\(\s*["']\/providers\//i.test(readFileSync(f, "utf8")));
    expect(bad).toEqual([]);
  });
});
