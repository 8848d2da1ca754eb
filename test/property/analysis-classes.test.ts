/**
 * Property test: the analysis that decides once per source class (src/engine/source-classes.ts,
 * src/analysis/classes.ts) gives exactly the per-pair answers — every row of `whoCanReach`
 * equals `whoCanReachPairwise`'s, every what-if report equals the one deciding each NIC ×
 * resource pair — on generated estates (ASGs, peering, forced tunnelling to appliances and
 * gateways, on-premises edges, endpoint policies, service firewalls), crowded with more NICs per
 * subnet so that classes have several members.
 *
 * The live what-if (`whatIfLive`: the write applied to the snapshot, decided, undone) gives the
 * two-snapshot report, and leaves the snapshot answering as before.
 *
 * 200 estates in the suite; `LAZURITE_FUZZ_RUNS` for more, `LAZURITE_PROPERTY_SEED` for others.
 */
import { describe, expect, it } from "vitest";
import { Snapshot } from "../../src/engine/snapshot.js";
import type { FlowDestination, Protocol } from "../../src/engine/types.js";
import { defaultServiceTagCatalog } from "../../src/model/catalog/synthetic-service-tags.js";
import { isArmError } from "../../src/model/errors.js";
import type { ArmResource } from "../../src/model/resources/common.js";
import { whoCanReach, whoCanReachPairwise } from "../../src/analysis/who-can-reach.js";
import { whatIf, whatIfLive } from "../../src/analysis/what-if.js";
import { applyChange, type Change } from "../../src/analysis/change.js";
import { ReachClasses } from "../../src/analysis/classes.js";
import { Rng, crowdNetwork, generateFlows, generateNetwork } from "./network-gen.js";

const RUNS = Number(process.env.LAZURITE_FUZZ_RUNS ?? 200);
const BASE_SEED = Number(process.env.LAZURITE_PROPERTY_SEED ?? 20261204);
const catalog = defaultServiceTagCatalog();
const snap = (resources: readonly ArmResource[]) => new Snapshot(resources, { serviceTags: catalog });

interface Question {
  destination: FlowDestination;
  port?: number;
  protocol?: Protocol;
}

function questionsOf(seed: number, resources: ArmResource[], net: ReturnType<typeof generateNetwork>) {
  const s = snap(resources);
  const qs: Question[] = [...s.services.values()].map((svc) => ({
    destination: { kind: "resource", resourceId: svc.id },
  }));
  for (const f of generateFlows(seed, net, s, 16))
    qs.push({
      destination: f.destination,
      ...(f.port !== undefined ? { port: f.port } : {}),
      ...(f.protocol ? { protocol: f.protocol } : {}),
    });
  return qs;
}

/** The answer, or the error code it throws. */
function outcome<T>(f: () => T): T | { threw: string } {
  try {
    return f();
  } catch (e) {
    if (isArmError(e)) return { threw: e.code };
    throw e;
  }
}

/** A random write of the kinds the what-if is asked about. */
function randomChange(rng: Rng, resources: ArmResource[]): Change | undefined {
  const of = (t: string) => resources.filter((r) => r.type.toLowerCase() === t);
  const kind = rng.int(5);
  if (kind === 0 || kind === 1) {
    const vnet = rng.pick([undefined, ...of("microsoft.network/virtualnetworks")]);
    const subnets = (vnet?.properties.subnets as ArmResource[] | undefined) ?? [];
    if (!vnet || subnets.length === 0) return undefined;
    const s = rng.pick(subnets);
    const props = { ...s.properties };
    if (kind === 0) delete props.serviceEndpoints;
    else
      props.serviceEndpoints = [
        { service: rng.pick(["Microsoft.Storage", "Microsoft.Sql", "Microsoft.KeyVault"]) },
      ];
    return { kind: "put", id: `${vnet.id}/subnets/${s.name}`, body: { properties: props } };
  }
  if (kind === 2) {
    const nsg = rng.pick([undefined, ...of("microsoft.network/networksecuritygroups")]);
    const rules = (nsg?.properties.securityRules as ArmResource[] | undefined) ?? [];
    if (!nsg || rules.length === 0) return undefined;
    const r = rng.pick(rules);
    if (rng.bool(0.5)) return { kind: "delete", id: `${nsg.id}/securityRules/${r.name}` };
    const access = String(r.properties.access).toLowerCase() === "allow" ? "Deny" : "Allow";
    return {
      kind: "put",
      id: `${nsg.id}/securityRules/${r.name}`,
      body: { properties: { ...r.properties, access } },
    };
  }
  if (kind === 3) {
    const rt = rng.pick([undefined, ...of("microsoft.network/routetables")]);
    const routes = (rt?.properties.routes as ArmResource[] | undefined) ?? [];
    if (!rt || routes.length === 0) return undefined;
    return { kind: "delete", id: `${rt.id}/routes/${rng.pick(routes).name}` };
  }
  const nic = rng.pick([undefined, ...of("microsoft.network/networkinterfaces")]);
  if (!nic) return undefined;
  return { kind: "delete", id: nic.id };
}

const CHUNK = 50;

describe("source classes: per-class answers equal per-pair answers", () => {
  for (let from = 0; from < RUNS; from += CHUNK) {
    const to = Math.min(RUNS, from + CHUNK);
    it(`who-can-reach and what-if on generated estates ${from}–${to - 1}`, { timeout: 600_000 }, () =>
      checkEstates(from, to),
    );
  }
});

function checkEstates(from: number, to: number): void {
  const n = to - from;
  let questions = 0;
  let rows = 0;
  let classes = 0;
  let whatIfs = 0;
  for (let i = from; i < to; i++) {
    const seed = BASE_SEED + i;
    const net = crowdNetwork(generateNetwork(seed, catalog));
    const resources = net.resources;
    const a = snap(resources);
    const b = snap(resources);
    for (const q of questionsOf(seed, resources, net)) {
      const opts = {
        ...(q.port !== undefined ? { port: q.port } : {}),
        ...(q.protocol ? { protocol: q.protocol } : {}),
      };
      const byClass = outcome(() => whoCanReach(a, q.destination, opts));
      const byPair = outcome(() => whoCanReachPairwise(b, q.destination, opts));
      expect(byClass, `seed ${seed}, question ${JSON.stringify(q)}`).toEqual(byPair);
      questions++;
      if ("rows" in byClass && questions % 5 === 0) {
        rows += byClass.rows.length;
        const c = outcome(() => new ReachClasses(a, { destination: q.destination, ...opts }));
        if (c instanceof ReachClasses) {
          for (const n of a.nics.values()) outcome(() => c.facts(n));
          classes += c.classCount;
        }
      }
    }
    const rng = new Rng(seed ^ 0x77);
    for (let w = 0; w < 2; w++) {
      const change = randomChange(rng, resources);
      if (!change) continue;
      const after = applyChange(resources, change);
      const byClass = whatIf(snap(resources), snap(after));
      const byPair = whatIf(snap(resources), snap(after), { mode: "pairs" });
      expect(byClass, `seed ${seed}, change ${JSON.stringify(change)}`).toEqual(byPair);
      // On the live snapshot: the write applied, decided, undone; the snapshot answers as before.
      const live = snap(resources);
      expect(whatIfLive(live, change), `seed ${seed}, live, change ${JSON.stringify(change)}`).toEqual(
        byClass,
      );
      expect(whatIfLive(live, change, { maxPairs: 0 })).toEqual(
        whatIf(snap(resources), snap(after), { maxPairs: 0 }),
      );
      const q = questionsOf(seed, resources, net)[0];
      if (q)
        expect(outcome(() => whoCanReach(live, q.destination))).toEqual(
          outcome(() => whoCanReach(a, q.destination)),
        );
      whatIfs++;
    }
  }
  // The estates are crowded enough for classes to group NICs, and the test asked real questions.
  expect(questions).toBeGreaterThan(n * 10);
  expect(whatIfs).toBeGreaterThan(n / 2);
  expect(classes).toBeLessThan(rows);
}
