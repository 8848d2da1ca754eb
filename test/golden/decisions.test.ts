/**
 * The engine's output is frozen by a golden corpus (scripts/gen-golden.ts): for thousands of
 * generated flows, `JSON.stringify(evaluate(...))` — decision, addresses, every trace step's
 * detail, every blocker's reason and fix, the service error — and every service firewall's
 * answer must stay byte-identical. Performance work (lazy traces, compiled firewalls, shared
 * prefix sets) must not change what a user reads. Regenerate only for an intended change:
 * `LAZURITE_UPDATE_GOLDEN=1 npx tsx scripts/gen-golden.ts`.
 */
import { describe, expect, it } from "vitest";
import {
  REAL_TAG_SETS,
  compareGolden,
  goldenCorpus,
  readGolden,
  realTagsAvailable,
} from "../../scripts/gen-golden.js";

describe("golden engine output", () => {
  it("SE-DIAG-3: JSON.stringify(evaluate(...)) and every firewall answer are byte-identical to the committed corpus", () => {
    const golden = readGolden();
    const real = realTagsAvailable();
    const current = goldenCorpus({ real });
    expect(golden.length).toBeGreaterThan(2000);
    // The corpus must exercise the paths whose text is rendered lazily.
    const all = current.map((c) => c.output).join("\n");
    for (const needle of [
      '"kind":"NetworkSecurityGroup"',
      '"kind":"ServiceFirewall"',
      '"kind":"ServiceEndpointPolicy"',
      '"kind":"Route"',
      '"kind":"Dns"',
      '"error":{',
      '"threw"',
      '"fixes":[{',
    ]) {
      expect(all, needle).toContain(needle);
    }
    expect(compareGolden(golden, current, real ? [] : REAL_TAG_SETS)).toEqual([]);
  });
});
