/**
 * Writes examples/quickstart.json from src/demo/quickstart.ts (the seed's quickstart network as
 * ARM resources). A test keeps the committed file equal to this output.
 * Run: npx tsx scripts/gen-examples.ts
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { quickstartResources } from "../src/demo/quickstart.js";

export function quickstartExample(): string {
  return JSON.stringify({ value: quickstartResources() }, null, 2) + "\n";
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL("../examples/quickstart.json", import.meta.url), quickstartExample());
}
