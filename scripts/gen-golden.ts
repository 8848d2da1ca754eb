/**
 * The golden corpus of engine output: `JSON.stringify(evaluate(snapshot, flow))` for a few
 * thousand flows over generated networks (the property test's generator, synthetic and real
 * service tags, and a small benchmark estate), and `JSON.stringify(evaluateFirewall(input))` for
 * random requests against random resources of every service firewall. test/golden/decisions.test.ts
 * compares the current engine with the committed file byte for byte, so performance work on the
 * engine cannot change a decision, a trace sentence or a fix.
 *
 * Check:       npx tsx scripts/gen-golden.ts
 * Regenerate:  LAZURITE_UPDATE_GOLDEN=1 npx tsx scripts/gen-golden.ts   (only for an intended change)
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ArmError } from "../src/model/errors.js";
import type { Address } from "../src/model/ip.js";
import { addressAt, formatAddress, tryParseAddress } from "../src/model/ip.js";
import type { ServiceTagCatalog } from "../src/model/catalog/service-tags.js";
import { defaultServiceTagCatalog } from "../src/model/catalog/synthetic-service-tags.js";
import type { ArmResource } from "../src/model/resources/common.js";
import { Snapshot } from "../src/engine/snapshot.js";
import { evaluate } from "../src/engine/evaluate.js";
import type { Flow } from "../src/engine/types.js";
import { evaluateFirewall, type FirewallInput } from "../src/engine/firewalls/index.js";
import { Rng, generateFlows, generateNetwork } from "../test/property/network-gen.js";
import { REAL_TAGS_FILE, estateFlows, generateEstate, loadCatalog } from "../bench/estate.js";

export const GOLDEN_FILE = fileURLToPath(new URL("../test/golden/decisions.json", import.meta.url));

const BASE_SEED = 20260626;

export interface GoldenCase {
  /** Which part of the corpus: `synthetic`, `real`, `estate`, `firewall`. */
  set: string;
  /** Network (or estate) seed and the flow's index, to reproduce a case. */
  seed: number;
  index: number;
  /** The evaluated flow (or the firewall input, with the address as text). */
  input: unknown;
  /** `JSON.stringify` of the result, or of `{ threw: code, message }`. */
  output: string;
}

/** Parts of the corpus that need the real service-tag file (skipped when it is absent). */
export const REAL_TAG_SETS = ["real", "estate"];

function outcome<T>(fn: () => T): string {
  try {
    return JSON.stringify(fn());
  } catch (e) {
    if (e instanceof ArmError) return JSON.stringify({ threw: e.code, message: e.message });
    return JSON.stringify({ crash: e instanceof Error ? e.message : String(e) });
  }
}

function decisions(
  set: string,
  catalog: ServiceTagCatalog,
  networks: number,
  flows: number,
  seedOffset: number,
): GoldenCase[] {
  const out: GoldenCase[] = [];
  for (let n = 0; n < networks; n++) {
    const seed = BASE_SEED + seedOffset + n;
    const net = generateNetwork(seed, catalog);
    const snap = new Snapshot(net.resources, { serviceTags: catalog });
    generateFlows(seed, net, snap, flows).forEach((flow, index) => {
      out.push({ set, seed, index, input: flow, output: outcome(() => evaluate(snap, flow)) });
    });
  }
  return out;
}

function estateDecisions(catalog: ServiceTagCatalog): GoldenCase[] {
  const seed = BASE_SEED;
  const estate = generateEstate(seed, catalog, 0.01);
  const snap = new Snapshot(estate.resources, { serviceTags: catalog });
  const flows: Flow[] = estateFlows(seed, estate, 400);
  return flows.map((flow, index) => ({
    set: "estate",
    seed,
    index,
    input: flow,
    output: outcome(() => evaluate(snap, flow)),
  }));
}

// ---------------------------------------------------------------------------------------------
// Firewalls: random resources of every service, random requests.

const SUB = "00000000-0000-0000-0000-0000000000c0";
const subnetPool = Array.from(
  { length: 6 },
  (_, i) =>
    `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet${i % 3}/subnets/s${i}`,
);

function pub(rng: Rng): string {
  return `${20 + rng.int(180)}.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(250)}`;
}

function caseVariant(rng: Rng, id: string): string {
  return rng.bool(0.2) ? id.toUpperCase() : rng.bool(0.1) ? `${id}/` : id;
}

function cidrText(rng: Rng, a: string): string {
  return rng.pick<() => string>([
    () => a,
    () => `${a}/32`,
    () => `${a.split(".").slice(0, 3).join(".")}.0/24`,
    () => `${a.split(".").slice(0, 3).join(".")}.7/24`, // host bits: Azure ignores them
    () => `${a.split(".").slice(0, 2).join(".")}.0.0/16`,
    () => "10.1.2.0/24",
    () => "2001:db8:1::/48",
    () => "not-an-ip",
  ])();
}

function firewallResources(
  rng: Rng,
  catalog: ServiceTagCatalog,
): Array<{ resource: ArmResource; children: ArmResource[]; addresses: string[] }> {
  const out: Array<{ resource: ArmResource; children: ArmResource[]; addresses: string[] }> = [];
  const rg = `/subscriptions/${SUB}/resourceGroups/rg`;
  const action = () => rng.pick([undefined, "Allow", "allow", "Deny"]);
  const toggle = () => rng.pick([undefined, "Enabled", "Disabled", "disabled"]);
  for (let k = 0; k < 40; k++) {
    const addresses = Array.from({ length: 3 }, () => pub(rng));
    const ip = () => cidrText(rng, rng.pick(addresses));
    const kind = k % 8;
    const location = rng.pick(["westus", "West US", "eastus", "northeurope"]);
    if (kind === 0) {
      const name = `fwsa${k}`;
      out.push({
        resource: {
          id: `${rg}/providers/Microsoft.Storage/storageAccounts/${name}`,
          name,
          type: "Microsoft.Storage/storageAccounts",
          location,
          properties: {
            ...(rng.bool(0.1) ? { publicNetworkAccess: toggle() } : {}),
            ...(rng.bool(0.9)
              ? {
                  networkAcls: {
                    defaultAction: rng.pick(["Deny", "deny", "Allow"]),
                    ...(rng.bool(0.8)
                      ? {
                          bypass: rng.pick([
                            "AzureServices",
                            "None",
                            "Logging, Metrics",
                            "Logging",
                            "Metrics, AzureServices",
                            "Logging,Metrics",
                          ]),
                        }
                      : {}),
                    virtualNetworkRules: Array.from({ length: rng.int(5) }, () => ({
                      id: caseVariant(rng, rng.pick(subnetPool)),
                      ...(rng.bool(0.8) ? { action: action() } : {}),
                      ...(rng.bool(0.3)
                        ? {
                            state: rng.pick([
                              "Succeeded",
                              "NetworkSourceDeleted",
                              "networkSourceDeleted",
                              "Failed",
                              "Deprovisioning",
                              "Provisioning",
                            ]),
                          }
                        : {}),
                    })),
                    ipRules: Array.from({ length: rng.int(5) }, () => ({
                      value: ip(),
                      ...(rng.bool(0.8) ? { action: action() } : {}),
                    })),
                  },
                }
              : {}),
          },
        },
        children: [],
        addresses,
      });
    } else if (kind === 1) {
      const flavor = rng.pick([
        "Microsoft.Sql/servers",
        "Microsoft.DBforPostgreSQL/servers",
        "Microsoft.DBforMySQL/servers",
        "Microsoft.DBforMariaDB/servers",
      ]);
      const name = `fwsql${k}`;
      const id = `${rg}/providers/${flavor}/${name}`;
      const children: ArmResource[] = [];
      for (let r = rng.int(4); r > 0; r--) {
        children.push({
          id: `${id}/virtualNetworkRules/v${r}`,
          name: `v${r}`,
          type: `${flavor}/virtualNetworkRules`,
          properties: {
            virtualNetworkSubnetId: caseVariant(rng, rng.pick(subnetPool)),
            ...(rng.bool(0.4)
              ? { state: rng.pick(["Ready", "Deleting", "Unknown", "InProgress", "Initializing"]) }
              : {}),
          },
        });
      }
      for (let r = rng.int(4); r > 0; r--) {
        const a = rng.pick(addresses);
        const azure = rng.bool(0.25);
        const wide = rng.bool(0.3);
        children.push({
          id: `${id}/firewallRules/f${r}`,
          name: azure ? "AllowAllWindowsAzureIps" : `f${r}`,
          type: `${flavor}/firewallRules`,
          properties: azure
            ? { startIpAddress: "0.0.0.0", endIpAddress: "0.0.0.0" }
            : {
                startIpAddress: wide ? `${a.split(".").slice(0, 3).join(".")}.0` : a,
                endIpAddress: wide ? `${a.split(".").slice(0, 3).join(".")}.255` : rng.bool(0.1) ? "bad" : a,
              },
        });
      }
      out.push({
        resource: {
          id,
          name,
          type: flavor,
          location,
          properties: { ...(rng.bool(0.1) ? { publicNetworkAccess: toggle() } : {}) },
        },
        children,
        addresses,
      });
    } else if (kind === 2) {
      const name = `fwkv${k}`;
      out.push({
        resource: {
          id: `${rg}/providers/Microsoft.KeyVault/vaults/${name}`,
          name,
          type: "Microsoft.KeyVault/vaults",
          location,
          properties: {
            ...(rng.bool(0.1) ? { publicNetworkAccess: toggle() } : {}),
            ...(rng.bool(0.85)
              ? {
                  networkAcls: {
                    defaultAction: rng.pick(["Deny", "Allow"]),
                    ...(rng.bool(0.8)
                      ? { bypass: rng.pick(["AzureServices", "None", "azureservices"]) }
                      : {}),
                    virtualNetworkRules: Array.from({ length: rng.int(4) }, () => ({
                      id: caseVariant(rng, rng.pick(subnetPool)),
                    })),
                    ipRules: Array.from({ length: rng.int(4) }, () => ({ value: ip() })),
                  },
                }
              : {}),
          },
        },
        children: [],
        addresses,
      });
    } else if (kind === 3) {
      const name = `fwcosmos${k}`;
      out.push({
        resource: {
          id: `${rg}/providers/Microsoft.DocumentDB/databaseAccounts/${name}`,
          name,
          type: "Microsoft.DocumentDB/databaseAccounts",
          location,
          properties: {
            ...(rng.bool(0.1) ? { publicNetworkAccess: toggle() } : {}),
            isVirtualNetworkFilterEnabled: rng.bool(0.6),
            ...(rng.bool(0.5)
              ? {
                  ipRangeFilter: Array.from({ length: rng.int(4) }, () =>
                    rng.bool(0.2) ? "0.0.0.0" : ip(),
                  ).join(","),
                }
              : {
                  ipRules: Array.from({ length: rng.int(4) }, () => ({
                    ipAddressOrRange: rng.bool(0.2) ? "0.0.0.0" : ip(),
                  })),
                }),
            virtualNetworkRules: Array.from({ length: rng.int(4) }, () => ({
              id: caseVariant(rng, rng.pick(subnetPool)),
              ignoreMissingVNetServiceEndpoint: false,
            })),
          },
        },
        children: [],
        addresses,
      });
    } else if (kind === 4 || kind === 5) {
      const eh = kind === 4;
      const ns = eh ? "Microsoft.EventHub" : "Microsoft.ServiceBus";
      const name = `fwns${k}`;
      const id = `${rg}/providers/${ns}/namespaces/${name}`;
      const children: ArmResource[] = rng.bool(0.85)
        ? [
            {
              id: `${id}/networkRuleSets/default`,
              name: "default",
              type: `${ns}/Namespaces/NetworkRuleSet`,
              properties: {
                defaultAction: rng.pick(["Deny", "Allow"]),
                ...(rng.bool(0.3) ? { trustedServiceAccessEnabled: rng.bool(0.5) } : {}),
                ...(rng.bool(0.1) ? { publicNetworkAccess: toggle() } : {}),
                virtualNetworkRules: Array.from({ length: rng.int(4) }, () => ({
                  subnet: { id: caseVariant(rng, rng.pick(subnetPool)) },
                  ignoreMissingVnetServiceEndpoint: false,
                })),
                ipRules: Array.from({ length: rng.int(4) }, () => ({
                  ipMask: ip(),
                  ...(rng.bool(0.8) ? { action: action() } : {}),
                })),
              },
            },
          ]
        : [];
      out.push({
        resource: { id, name, type: `${ns}/namespaces`, location, sku: { name: "Premium" }, properties: {} },
        children,
        addresses,
      });
    } else if (kind === 6) {
      const name = `fwadls${k}`;
      const id = `${rg}/providers/Microsoft.DataLakeStore/accounts/${name}`;
      const inline = rng.bool(0.5);
      const vnetRules = Array.from({ length: rng.int(4) }, (_, i) => ({
        id: `${id}/virtualNetworkRules/v${i}`,
        name: `v${i}`,
        type: "Microsoft.DataLakeStore/accounts/virtualNetworkRules",
        properties: { subnetId: caseVariant(rng, rng.pick(subnetPool)) },
      }));
      const fwRules = Array.from({ length: rng.int(4) }, (_, i) => {
        const a = rng.pick(addresses);
        return {
          id: `${id}/firewallRules/f${i}`,
          name: `f${i}`,
          type: "Microsoft.DataLakeStore/accounts/firewallRules",
          properties: {
            startIpAddress: a,
            endIpAddress: rng.bool(0.3) ? `${a.split(".").slice(0, 3).join(".")}.255` : a,
          },
        };
      });
      out.push({
        resource: {
          id,
          name,
          type: "Microsoft.DataLakeStore/accounts",
          location,
          properties: {
            firewallState: rng.pick(["Enabled", "Disabled", undefined]),
            firewallAllowAzureIps: rng.pick(["Enabled", "Disabled", undefined]),
            ...(inline ? { virtualNetworkRules: vnetRules, firewallRules: fwRules } : {}),
          },
        },
        children: inline ? [] : [...vnetRules, ...fwRules],
        addresses,
      });
    } else {
      const name = `fwacr${k}`;
      out.push({
        resource: {
          id: `${rg}/providers/Microsoft.ContainerRegistry/registries/${name}`,
          name,
          type: "Microsoft.ContainerRegistry/registries",
          location,
          sku: { name: rng.pick(["Premium", "Standard", "Basic"]) },
          properties: {
            ...(rng.bool(0.1) ? { publicNetworkAccess: toggle() } : {}),
            ...(rng.bool(0.85)
              ? {
                  networkRuleSet: {
                    defaultAction: rng.pick(["Deny", "Allow"]),
                    virtualNetworkRules: Array.from({ length: rng.int(4) }, () => ({
                      id: caseVariant(rng, rng.pick(subnetPool)),
                      ...(rng.bool(0.8) ? { action: action() } : {}),
                    })),
                    ipRules: Array.from({ length: rng.int(4) }, () => ({
                      value: ip(),
                      ...(rng.bool(0.8) ? { action: action() } : {}),
                    })),
                  },
                }
              : {}),
          },
        },
        children: [],
        addresses,
      });
    }
  }
  void catalog;
  return out;
}

function firewallCases(catalog: ServiceTagCatalog, snaps: Snapshot[]): GoldenCase[] {
  const rng = new Rng(BASE_SEED ^ 0xf1e);
  const targets: Array<{ resource: ArmResource; children: ArmResource[]; addresses: string[] }> =
    firewallResources(rng, catalog);
  for (const snap of snaps) {
    for (const s of snap.services.values())
      targets.push({ resource: s.resource, children: s.children, addresses: [formatAddress(s.address)] });
  }
  const azure = catalog.get("AzureCloud")?.prefixes.filter((p) => p.family === 4) ?? [];
  const out: GoldenCase[] = [];
  targets.forEach((t, k) => {
    for (let i = 0; i < 8; i++) {
      const text = rng.pick<() => string>([
        () => rng.pick(t.addresses),
        () => pub(rng),
        () => (azure.length ? formatAddress(addressAt(rng.pick(azure), 1)) : pub(rng)),
        () => `10.0.${rng.int(4)}.${4 + rng.int(10)}`,
        () => "2001:db8:1::5",
        () => `${rng.pick(t.addresses).split(".").slice(0, 3).join(".")}.77`,
      ])();
      const sourceAddress: Address = tryParseAddress(text)!;
      const via = rng.bool(0.4);
      const subnetId = via ? caseVariant(rng, rng.pick(subnetPool)) : undefined;
      const withEndpoint = new Set(subnetPool.filter(() => rng.bool(0.7)).map((s) => s.toLowerCase()));
      const hasEndpointFlag = rng.bool(0.8);
      const input: FirewallInput = {
        resource: t.resource,
        children: t.children,
        sourceAddress,
        ...(subnetId ? { subnetId } : {}),
        subnetHasEndpoint: (id: string) =>
          hasEndpointFlag && withEndpoint.has(id.toLowerCase().replace(/\/+$/, "")),
        fromAzure: rng.bool(0.5),
        sameRegionAzure: rng.bool(0.3),
        trustedService: rng.bool(0.2),
        purpose: rng.bool(0.1) ? "disk" : "rest",
        ...(rng.bool(0.3) ? { callerSubnetId: rng.pick(subnetPool) } : {}),
        ...(rng.bool(0.2) ? { caller: "appid=1;oid=2;iss=https://sts.windows.net/t/" } : {}),
        ...(rng.bool(0.2) ? { login: { user: "alice", ...(rng.bool(0.5) ? { database: "db1" } : {}) } } : {}),
      };
      const described = {
        resourceId: t.resource.id,
        source: text,
        ...(subnetId ? { subnetId } : {}),
        endpoints: hasEndpointFlag ? [...withEndpoint].sort() : [],
        fromAzure: input.fromAzure,
        sameRegionAzure: input.sameRegionAzure,
        trustedService: input.trustedService,
        purpose: input.purpose,
        ...(input.callerSubnetId ? { callerSubnetId: input.callerSubnetId } : {}),
        ...(input.caller ? { caller: input.caller } : {}),
        ...(input.login ? { login: input.login } : {}),
      };
      out.push({
        set: "firewall",
        seed: BASE_SEED,
        index: k * 8 + i,
        input: described,
        output: outcome(() => evaluateFirewall(input)),
      });
    }
  });
  return out;
}

/** The whole corpus, in a fixed order. `real: false` leaves out the parts that need the real service-tag file. */
export function goldenCorpus(opts: { real: boolean }): GoldenCase[] {
  const synthetic = defaultServiceTagCatalog();
  const out: GoldenCase[] = [];
  out.push(...decisions("synthetic", synthetic, 30, 40, 0));
  if (opts.real) {
    const { catalog } = loadCatalog();
    out.push(...decisions("real", catalog, 8, 30, 1_000_000));
    out.push(...estateDecisions(catalog));
  }
  const snaps = [0, 1, 2, 3, 4].map(
    (n) =>
      new Snapshot(generateNetwork(BASE_SEED + 7_000 + n, synthetic).resources, { serviceTags: synthetic }),
  );
  out.push(...firewallCases(synthetic, snaps));
  return out;
}

export function realTagsAvailable(): boolean {
  return existsSync(REAL_TAGS_FILE);
}

export function serializeCorpus(cases: readonly GoldenCase[]): string {
  return "[\n" + cases.map((c) => JSON.stringify(c)).join(",\n") + "\n]\n";
}

export function readGolden(): GoldenCase[] {
  return JSON.parse(readFileSync(GOLDEN_FILE, "utf8")) as GoldenCase[];
}

/** Case-by-case differences between the committed corpus and `current` (empty when identical). */
export function compareGolden(
  golden: readonly GoldenCase[],
  current: readonly GoldenCase[],
  skipSets: readonly string[] = [],
): string[] {
  const want = golden.filter((c) => !skipSets.includes(c.set));
  const out: string[] = [];
  if (want.length !== current.length) out.push(`case count: golden ${want.length}, now ${current.length}`);
  const n = Math.min(want.length, current.length);
  for (let i = 0; i < n; i++) {
    const g = want[i]!;
    const c = current[i]!;
    if (JSON.stringify(g.input) !== JSON.stringify(c.input)) {
      out.push(`#${i} (${g.set} seed ${g.seed} #${g.index}): the input changed (generator drift?)`);
    } else if (g.output !== c.output) {
      let at = 0;
      while (at < g.output.length && g.output[at] === c.output[at]) at++;
      out.push(
        `#${i} (${g.set} seed ${g.seed} #${g.index}) ${JSON.stringify(g.input)}\n    golden …${g.output.slice(Math.max(0, at - 60), at + 120)}\n    now    …${c.output.slice(Math.max(0, at - 60), at + 120)}`,
      );
    }
    if (out.length >= 20) break;
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const real = realTagsAvailable();
  const current = goldenCorpus({ real });
  if (process.env.LAZURITE_UPDATE_GOLDEN === "1") {
    if (!real)
      throw new Error(`the real service-tag file ${REAL_TAGS_FILE} is needed to write the golden corpus`);
    writeFileSync(GOLDEN_FILE, serializeCorpus(current));
    console.log(`wrote ${current.length} cases to ${GOLDEN_FILE}`);
  } else {
    const diff = compareGolden(readGolden(), current, real ? [] : REAL_TAG_SETS);
    console.log(diff.length === 0 ? `golden corpus: ${current.length} cases identical` : diff.join("\n"));
    process.exitCode = diff.length === 0 ? 0 : 1;
  }
}
