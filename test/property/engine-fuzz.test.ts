/**
 * Bad input never crashes the engine: a configuration as `lazurite check --config` reads it
 * (ARM resources as Azure returns them) with random damage — values replaced by other JSON,
 * keys and list elements deleted — still builds a snapshot, and every flow, effective-route and
 * effective-NSG question on it either gets an answer (whose trace can be read in full) or an
 * ArmError with one of our codes. Never a TypeError, a RangeError or a hang.
 */
import fc from "fast-check";
import { mutate, paths, type Json } from "../fuzz-json.js";
import { describe, expect, it } from "vitest";
import { Snapshot } from "../../src/engine/snapshot.js";
import { evaluate } from "../../src/engine/evaluate.js";
import { effectiveRouteTable } from "../../src/engine/routes.js";
import { effectiveNetworkSecurityGroups } from "../../src/engine/effective-nsg.js";
import type { Flow } from "../../src/engine/types.js";
import { isArmError } from "../../src/model/errors.js";
import { defaultServiceTagCatalog } from "../../src/model/catalog/synthetic-service-tags.js";
import { quickstartResources, DEMO_SUBSCRIPTION, DEMO_RESOURCE_GROUP } from "../../src/demo/quickstart.js";
import { generateFlows, generateNetwork } from "./network-gen.js";

const RUNS = Number(process.env.LAZURITE_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.LAZURITE_FUZZ_SEED ?? 20261127);

const rg = `/subscriptions/${DEMO_SUBSCRIPTION}/resourceGroups/${DEMO_RESOURCE_GROUP}`;
const catalog = defaultServiceTagCatalog();
const base = JSON.parse(JSON.stringify(quickstartResources())) as Json[];

const value: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<Json>(
      "",
      "*",
      "0.0.0.0/0",
      "10.0.0.0/33",
      "::/0",
      "256.1.1.1",
      "Microsoft.Storage",
      "/subscriptions/x",
      "westus",
      "nowhere",
      -1,
      0,
      1e308,
      true,
      null,
      [],
      {},
      [null],
      { id: null },
      { id: 42 },
      { toString: "" },
    ),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
);

/** `doc` with 1–4 random edits: a value replaced by other JSON, a key or list element deleted. */
function damage(doc: Json): fc.Arbitrary<Json> {
  return fc
    .array(fc.tuple(fc.constantFrom(...paths(doc)), fc.option(value, { nil: undefined, freq: 4 })), {
      minLength: 1,
      maxLength: 4,
    })
    .map((edits) => edits.reduce<Json>((d, [p, v]) => mutate(d, p, v), doc));
}
const damaged = damage(base as Json);

const vm = (n: number) => `${rg}/providers/Microsoft.Compute/virtualMachines/testvm${n}`;
const nic = (n: number) => `${rg}/providers/Microsoft.Network/networkInterfaces/nic${n}`;
const account = `${rg}/providers/Microsoft.Storage/storageAccounts/lazuritedemo0sa`;
const FLOWS: Flow[] = [
  {
    source: { kind: "vm", vmId: vm(0) },
    destination: { kind: "resource", resourceId: account, endpoint: "blob" },
  },
  { source: { kind: "vm", vmId: vm(1) }, destination: { kind: "resource", resourceId: account } },
  {
    source: { kind: "nic", nicId: nic(0) },
    destination: { kind: "host", host: "lazuritedemo0sa.blob.core.windows.net" },
  },
  { source: { kind: "vm", vmId: vm(0) }, destination: { kind: "ip", address: "10.0.2.4" }, port: 22 },
  {
    source: { kind: "internet", address: "203.0.113.9" },
    destination: { kind: "resource", resourceId: account },
  },
];

/** Runs `fn`; anything it throws must be one of our ArmErrors. */
function answersOrArmError(what: string, fn: () => unknown): void {
  try {
    const out = fn();
    JSON.stringify(out); // reads every lazily built step and blocker
  } catch (e) {
    expect(isArmError(e), `${what} threw ${e instanceof Error ? e.stack : String(e)}`).toBe(true);
  }
}

/** Every question asked of a snapshot built from `doc`: answers or ArmErrors only. */
function askEverything(doc: Json, flows: readonly Flow[], nics: readonly string[]): void {
  let snap: Snapshot | undefined;
  answersOrArmError("Snapshot", () => {
    snap = new Snapshot(doc as never, { serviceTags: catalog });
  });
  if (!snap) return;
  for (const f of flows) answersOrArmError(`evaluate ${JSON.stringify(f)}`, () => evaluate(snap!, f));
  for (const id of nics) {
    answersOrArmError(`effectiveRouteTable ${id}`, () => effectiveRouteTable(snap!, id));
    answersOrArmError(`effectiveNetworkSecurityGroups ${id}`, () =>
      effectiveNetworkSecurityGroups(snap!, id),
    );
  }
}

describe("engine fuzz: damaged configurations", () => {
  it("a damaged generated network (peerings, gateways, circuits, route tables, policies, every service) never crashes either", () => {
    const net = generateNetwork(11, catalog);
    const flows = generateFlows(11, net, new Snapshot(net.resources, { serviceTags: catalog }), 40);
    const nics = net.resources
      .filter((r) => /networkinterfaces$/i.test(String(r.type)))
      .slice(0, 10)
      .map((r) => r.id);
    const doc = JSON.parse(JSON.stringify(net.resources)) as Json;
    fc.assert(
      fc.property(damage(doc), (d) => askEverything(d, flows, nics)),
      { numRuns: Math.ceil(RUNS / 3), seed: SEED },
    );
  });

  it("a damaged quickstart never crashes: a decision (trace included) or an ArmError, for every question", () => {
    fc.assert(
      fc.property(damaged, (doc) => askEverything(doc, FLOWS, [nic(0), nic(1)])),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
