/**
 * Writes Lazurite's synthetic service-tag catalog (Microsoft's ServiceTags_Public format,
 * marked `lazuriteSynthetic`) to a file:
 *
 *   npx tsx scripts/gen-service-tags.ts out.json
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { generateSyntheticServiceTags } from "../src/model/catalog/synthetic-service-tags.js";

const out = process.argv[2];
if (!out) {
  process.stderr.write("usage: npx tsx scripts/gen-service-tags.ts <out.json>\n");
  process.exit(2);
}
const file = generateSyntheticServiceTags();
const path = resolve(out);
writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
const prefixes = file.values.reduce((n, v) => n + v.properties.addressPrefixes.length, 0);
process.stdout.write(`wrote ${file.values.length} tags, ${prefixes} prefixes to ${path}\n`);
