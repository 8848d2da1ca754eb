/** docs/errors.md lists exactly the codes src/model/errors.ts can produce (Fastify's errors-vs-docs test). */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ArmErrors, isArmError } from "../../src/model/errors.js";

const root = resolve(import.meta.dirname, "../..");

function codesInSource(): Set<string> {
  const text = readFileSync(resolve(root, "src/model/errors.ts"), "utf8");
  return new Set([...text.matchAll(/new ArmError\(\s*\d+,\s*"([A-Za-z0-9.]+)"/g)].map((m) => m[1]!));
}

function codesInDoc(): Map<string, number> {
  const text = readFileSync(resolve(root, "docs/errors.md"), "utf8");
  return new Map(
    [...text.matchAll(/^\| `([A-Za-z0-9.]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]),
  );
}

describe("docs/errors.md", () => {
  it("lists every ArmError code of src/model/errors.ts and nothing else", () => {
    expect([...codesInDoc().keys()].sort()).toEqual([...codesInSource()].sort());
  });

  it("states the HTTP status each named constructor really uses", () => {
    const doc = codesInDoc();
    const mismatches: string[] = [];
    for (const [name, make] of Object.entries(ArmErrors)) {
      // An array stands in for every argument: it formats as "x" and also has join().
      const args = Array.from({ length: (make as (...a: unknown[]) => unknown).length }, () => ["x"]);
      const err = (make as (...a: unknown[]) => unknown)(...args);
      if (!isArmError(err)) continue;
      if (doc.get(err.code) !== err.status)
        mismatches.push(`${name}: ${err.code} ${err.status} (doc: ${doc.get(err.code)})`);
    }
    expect(mismatches).toEqual([]);
  });
});
