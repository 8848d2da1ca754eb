/**
 * Property test: a live snapshot (`Snapshot.apply`) after any sequence of writes equals the
 * snapshot rebuilt from the documents — the same infos, the same lookups, the same decisions
 * (steps, blockers, errors) and the same who-can-reach answers — on generated estates. The live
 * snapshot answers questions between writes, so a derived datum a write forgot to drop shows as
 * a difference. Writes: subnet endpoint toggles and associations, LRO overlays (`Updating`), NSG
 * rule edits, route changes, NIC moves, creations and deletions, public IPs, VMs, service
 * firewalls, and the writes that take the slow path (VNet spaces, peerings, gateways); some are
 * rolled back (the documents restored), and writes that fail are never applied.
 *
 * 30 estates × 12 writes in the suite; `LAZURITE_FUZZ_RUNS` for more.
 */
import { describe, expect, it } from "vitest";
import { Snapshot, type SnapshotChange } from "../../src/engine/snapshot.js";
import { evaluate } from "../../src/engine/evaluate.js";
import { formatAddress } from "../../src/model/ip.js";
import { idKey } from "../../src/model/resource-id.js";
import type { Flow } from "../../src/engine/types.js";
import { defaultServiceTagCatalog } from "../../src/model/catalog/synthetic-service-tags.js";
import { isArmError } from "../../src/model/errors.js";
import type { ArmResource } from "../../src/model/resources/common.js";
import { whoCanReach } from "../../src/analysis/who-can-reach.js";
import { Rng, crowdNetwork, generateFlows, generateNetwork } from "./network-gen.js";

const RUNS = Number(process.env.LAZURITE_FUZZ_RUNS ?? 30);
const WRITES = 12;
const BASE_SEED = Number(process.env.LAZURITE_PROPERTY_SEED ?? 20261205);
const catalog = defaultServiceTagCatalog();

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const noEtag = (v: unknown) => JSON.stringify(v, (k, x) => (k === "etag" ? undefined : x));
const sorted = <T>(m: ReadonlyMap<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

/** Everything a snapshot shows through its API, as one JSON text. */
function fingerprint(s: Snapshot): string {
  const out: unknown[] = [];
  out.push(
    sorted(s.vnets).map(([k, v]) => [
      k,
      v.id,
      v.name,
      v.location,
      v.addressPrefixTexts,
      v.classic,
      v.subnets.map((x) => x.key),
    ]),
  );
  out.push(
    sorted(s.subnets).map(([k, x]) => [
      k,
      x.id,
      x.name,
      noEtag(x.resource),
      x.vnet.key,
      x.prefixes,
      x.nsgId,
      x.routeTableId,
      x.endpoints,
      x.policyIds,
      x.provisioningState,
      s.vnets.get(x.vnet.key) === x.vnet,
    ]),
  );
  out.push(
    sorted(s.nics).map(([k, n]) => [
      k,
      n.id,
      noEtag(n.resource),
      n.location,
      n.vmId,
      n.nsgId,
      n.enableIPForwarding,
      n.primaryConfig?.name,
      n.ipConfigs.map((c) => [
        c.name,
        c.id,
        c.subnetId,
        formatAddress(c.privateAddress),
        c.publicIpId,
        c.primary,
        [...c.asgs].sort(),
        c.subnet?.key,
        c.subnet ? s.subnets.get(c.subnet.key) === c.subnet : null,
        s.nicsByPrivateAddress(c.privateAddress).map((e) => `${e.nic.key}/${e.ipConfig.name}`),
      ]),
    ]),
  );
  out.push(sorted(s.vms).map(([k, v]) => [k, v.id, v.nicIds, v.location, noEtag(v.resource)]));
  out.push(sorted(s.publicIps).map(([k, p]) => [k, p.id, p.address && formatAddress(p.address)]));
  for (const m of [
    s.nsgs,
    s.routeTables,
    s.policies,
    s.localGateways,
    s.vnetGateways,
    s.connections,
    s.circuits,
  ])
    out.push(sorted(m as Map<string, unknown>).map(([k, v]) => [k, noEtag(v)]));
  out.push(sorted(s.peerings).map(([k, v]) => [k, noEtag(v)]));
  out.push(
    sorted(s.services).map(([k, v]) => [
      k,
      v.id,
      v.name,
      v.location,
      v.hosts,
      v.addressText,
      v.children.map((c) => c.id),
      noEtag(v.resource),
      v.hosts.map((h) => s.serviceByHost(h.host)?.service.key),
      s.serviceByAddress(v.address)?.key,
    ]),
  );
  return JSON.stringify(out);
}

function decide(s: Snapshot, f: Flow): string {
  try {
    const d = evaluate(s, f);
    return JSON.stringify({ ...d, steps: d.steps, blockers: d.blockers });
  } catch (e) {
    if (isArmError(e)) return `threw ${e.code}`;
    throw e;
  }
}

/** The documents a store holds (insertion order, as a Map keeps it). */
class Docs {
  readonly map = new Map<string, ArmResource>();
  constructor(resources: readonly ArmResource[]) {
    for (const r of resources) this.map.set(idKey(r.id), r);
  }
  of(type: string): ArmResource[] {
    const t = type.toLowerCase();
    return [...this.map.values()].filter((r) => r.type.toLowerCase() === t);
  }
  apply(changes: readonly SnapshotChange[]): void {
    for (const c of changes) {
      if (c.resource) this.map.set(idKey(c.id), c.resource);
      else this.map.delete(idKey(c.id));
    }
  }
  /** The changes that undo `changes` (a rolled-back write). */
  inverse(changes: readonly SnapshotChange[]): SnapshotChange[] {
    return changes.map((c) => {
      const was = this.map.get(idKey(c.id));
      return was ? { id: c.id, resource: was } : { id: c.id };
    });
  }
}

const put = (r: ArmResource): SnapshotChange => ({ id: r.id, resource: r });

/** A random write on the documents (undefined: nothing of that kind to write). */
function randomWrite(
  rng: Rng,
  docs: Docs,
  privateAddresses: readonly string[],
): { what: string; changes: SnapshotChange[] } | undefined {
  const any = (t: string) => {
    const xs = docs.of(t);
    return xs.length ? clone(rng.pick(xs)) : undefined;
  };
  const subnetIds = docs
    .of("Microsoft.Network/virtualNetworks")
    .flatMap((v) =>
      ((v.properties.subnets as ArmResource[] | undefined) ?? []).map((s) => `${v.id}/subnets/${s.name}`),
    );
  const nsgIds = docs.of("Microsoft.Network/networkSecurityGroups").map((r) => r.id);
  const rtIds = docs.of("Microsoft.Network/routeTables").map((r) => r.id);
  const pipIds = docs.of("Microsoft.Network/publicIPAddresses").map((r) => r.id);
  const k = rng.int(16);
  switch (k) {
    case 0:
    case 1:
    case 2: {
      const v = any("Microsoft.Network/virtualNetworks");
      const subnets = (v?.properties.subnets as ArmResource[] | undefined) ?? [];
      if (!v || subnets.length === 0) return undefined;
      const s = rng.pick(subnets);
      const p = s.properties;
      const what = rng.int(5);
      if (what === 0)
        p.serviceEndpoints = p.serviceEndpoints
          ? undefined
          : [
              {
                service: rng.pick([
                  "Microsoft.Storage",
                  "Microsoft.Sql",
                  "Microsoft.KeyVault",
                  "Microsoft.AzureCosmosDB",
                ]),
              },
            ];
      else if (what === 1)
        p.networkSecurityGroup = nsgIds.length && rng.bool(0.7) ? { id: rng.pick(nsgIds) } : undefined;
      else if (what === 2) p.routeTable = rtIds.length && rng.bool(0.7) ? { id: rng.pick(rtIds) } : undefined;
      else if (what === 3)
        p.provisioningState = p.provisioningState === "Updating" ? "Succeeded" : "Updating";
      else v.properties.subnets = subnets.filter((x) => x !== s);
      return { what: `subnet ${what}`, changes: [put(v)] };
    }
    case 3:
    case 4: {
      const nsg = any("Microsoft.Network/networkSecurityGroups");
      if (!nsg) return undefined;
      const rules = ((nsg.properties.securityRules as ArmResource[] | undefined) ?? []).slice();
      if (rules.length && rng.bool(0.6)) {
        const r = rng.pick(rules);
        r.properties.access = String(r.properties.access) === "Allow" ? "Deny" : "Allow";
        if (rng.bool(0.3))
          r.properties.destinationAddressPrefix = rng.pick(["*", "Storage", "Internet", "VirtualNetwork"]);
      } else if (rules.length && rng.bool(0.5)) rules.splice(rng.int(rules.length), 1);
      else
        rules.push({
          id: `${nsg.id}/securityRules/w${rng.int(1000)}`,
          name: `w${rng.int(1000)}`,
          properties: {
            priority: 100 + rng.int(3000),
            direction: "Outbound",
            access: rng.pick(["Allow", "Deny"]),
            protocol: "*",
            sourceAddressPrefix: "*",
            sourcePortRange: "*",
            destinationAddressPrefix: rng.pick(["Storage", "Sql", "Internet", "*"]),
            destinationPortRange: rng.pick(["*", "443", "1433"]),
          },
        } as unknown as ArmResource);
      nsg.properties.securityRules = rules;
      return { what: "nsg", changes: [put(nsg)] };
    }
    case 5: {
      const rt = any("Microsoft.Network/routeTables");
      if (!rt) return undefined;
      const routes = ((rt.properties.routes as ArmResource[] | undefined) ?? []).slice();
      if (routes.length && rng.bool(0.5)) routes.splice(rng.int(routes.length), 1);
      else
        routes.push({
          id: `${rt.id}/routes/w${rng.int(1000)}`,
          name: `w${rng.int(1000)}`,
          properties: {
            addressPrefix: rng.pick(["0.0.0.0/0", "20.0.0.0/8", "52.160.0.0/12"]),
            nextHopType: rng.pick(["Internet", "None", "VirtualNetworkGateway", "VirtualAppliance"]),
            nextHopIpAddress: "10.0.0.4",
          },
        } as unknown as ArmResource);
      rt.properties.routes = routes;
      return { what: "route table", changes: [put(rt)] };
    }
    case 6:
    case 7: {
      const nic = any("Microsoft.Network/networkInterfaces");
      const cfg = (nic?.properties.ipConfigurations as ArmResource[] | undefined)?.[0];
      if (!nic || !cfg || subnetIds.length === 0) return undefined;
      const what = rng.int(6);
      if (what === 0) cfg.properties.subnet = { id: rng.pick(subnetIds) };
      else if (what === 4) nic.properties.enableIPForwarding = nic.properties.enableIPForwarding !== true;
      else if (what === 5 && privateAddresses.length) {
        cfg.properties.privateIPAddress = rng.pick(privateAddresses);
        cfg.properties.privateIPAllocationMethod = "Static";
      } else if (what === 1)
        nic.properties.networkSecurityGroup =
          nsgIds.length && rng.bool(0.6) ? { id: rng.pick(nsgIds) } : undefined;
      else if (what === 2)
        cfg.properties.publicIPAddress =
          pipIds.length && rng.bool(0.6) ? { id: rng.pick(pipIds) } : undefined;
      else {
        delete cfg.properties.privateIPAddress;
        cfg.properties.privateIPAllocationMethod = "Dynamic";
      }
      return { what: `nic ${what}`, changes: [put(nic)] };
    }
    case 8: {
      const nic = any("Microsoft.Network/networkInterfaces");
      if (!nic) return undefined;
      if (rng.bool(0.5)) return { what: "nic delete", changes: [{ id: nic.id }] };
      const name = `w${rng.int(100000)}`;
      const id = nic.id.replace(/[^/]+$/, name);
      const text = JSON.stringify(nic).split(nic.id).join(id);
      const copy = JSON.parse(text) as ArmResource;
      copy.name = name;
      for (const c of (copy.properties.ipConfigurations as ArmResource[] | undefined) ?? [])
        delete c.properties.privateIPAddress;
      return { what: "nic create", changes: [put(copy)] };
    }
    case 9: {
      const pip = any("Microsoft.Network/publicIPAddresses");
      if (!pip) return undefined;
      if (rng.bool(0.3)) return { what: "pip delete", changes: [{ id: pip.id }] };
      pip.properties.ipAddress = `52.${160 + rng.int(20)}.${rng.int(256)}.${1 + rng.int(250)}`;
      return { what: "pip", changes: [put(pip)] };
    }
    case 10: {
      const vm = any("Microsoft.Compute/virtualMachines");
      if (!vm) return undefined;
      if (rng.bool(0.3)) return { what: "vm delete", changes: [{ id: vm.id }] };
      const nics = docs.of("Microsoft.Network/networkInterfaces").map((r) => r.id);
      (vm.properties as Record<string, unknown>).networkProfile = {
        networkInterfaces: rng.sample(nics, rng.range(1, 2)).map((id) => ({ id })),
      };
      return { what: "vm", changes: [put(vm)] };
    }
    case 11:
    case 12: {
      const services = [...docs.map.values()].filter((r) =>
        /^(microsoft\.storage\/storageaccounts|microsoft\.keyvault\/vaults|microsoft\.documentdb\/databaseaccounts|microsoft\.sql\/servers)$/i.test(
          r.type,
        ),
      );
      if (services.length === 0) return undefined;
      const svc = clone(rng.pick(services));
      if (rng.bool(0.15)) return { what: "service delete", changes: [{ id: svc.id }] };
      const p = svc.properties as Record<string, any>;
      const acls = (p.networkAcls ??= { defaultAction: "Deny", virtualNetworkRules: [], ipRules: [] });
      if (rng.bool(0.5) && subnetIds.length) {
        acls.virtualNetworkRules = [...(acls.virtualNetworkRules ?? []), { id: rng.pick(subnetIds) }];
      } else acls.defaultAction = acls.defaultAction === "Allow" ? "Deny" : "Allow";
      if (rng.bool(0.3)) acls.ipRules = [{ value: `52.${160 + rng.int(20)}.0.0/16` }];
      return { what: "service", changes: [put(svc)] };
    }
    case 13: {
      // Slow path: a VNet's address space or peerings.
      const v = any("Microsoft.Network/virtualNetworks");
      if (!v) return undefined;
      if (rng.bool(0.5)) delete v.properties.virtualNetworkPeerings;
      else
        v.properties.addressSpace = {
          addressPrefixes: [
            ...((v.properties.addressSpace as any)?.addressPrefixes ?? []),
            `172.${16 + rng.int(10)}.0.0/16`,
          ],
        };
      return { what: "vnet", changes: [put(v)] };
    }
    case 14: {
      const gw = rng.pick([
        ...docs.of("Microsoft.Network/connections"),
        ...docs.of("Microsoft.Network/virtualNetworkGateways"),
        ...docs.of("Microsoft.Network/localNetworkGateways"),
      ]);
      if (!gw) return undefined;
      return { what: "gateway delete", changes: [{ id: gw.id }] };
    }
    default: {
      // Two documents in one unit of work: a NIC moved and the NSG it now uses edited.
      const nic = any("Microsoft.Network/networkInterfaces");
      const nsg = any("Microsoft.Network/networkSecurityGroups");
      const cfg = (nic?.properties.ipConfigurations as ArmResource[] | undefined)?.[0];
      if (!nic || !nsg || !cfg || subnetIds.length === 0) return undefined;
      cfg.properties.subnet = { id: rng.pick(subnetIds) };
      nic.properties.networkSecurityGroup = { id: nsg.id };
      nsg.properties.securityRules = [];
      return { what: "nic+nsg", changes: [put(nic), put(nsg)] };
    }
  }
}

describe("live snapshot: apply(changes) equals a rebuild", () => {
  it(
    `after random writes (rolled back ones included) on ${RUNS} generated estates`,
    { timeout: 600_000 },
    () => {
      let writes = 0;
      let incremental = 0;
      for (let i = 0; i < RUNS; i++) {
        const seed = BASE_SEED + i;
        const net = crowdNetwork(generateNetwork(seed, catalog), 2);
        const docs = new Docs(net.resources);
        const live = new Snapshot([...docs.map.values()], { serviceTags: catalog });
        const rng = new Rng(seed ^ 0x11);
        let flows = generateFlows(seed, net, live, 20);
        for (const f of flows) decide(live, f); // warm the memo: a stale one must show
        for (let w = 0; w < WRITES; w++) {
          const write = randomWrite(rng, docs, net.privateAddresses);
          if (!write) continue;
          const rollBack = rng.bool(0.15);
          const undo = docs.inverse(write.changes);
          const revisionBefore = live.revision;
          docs.apply(write.changes);
          const report = live.apply(write.changes);
          if (!report.full) incremental++;
          if (rollBack) {
            docs.apply(undo);
            live.apply(undo);
          }
          writes++;
          const rebuilt = new Snapshot([...docs.map.values()], { serviceTags: catalog });
          const where = `seed ${seed}, write ${w} (${write.what}${rollBack ? ", rolled back" : ""})`;
          expect(live.revision, where).toBe(revisionBefore + (rollBack ? 2 : 1));
          expect(fingerprint(live), where).toBe(fingerprint(rebuilt));
          flows = generateFlows(seed + w, net, rebuilt, 20);
          for (const f of flows)
            expect(decide(live, f), `${where}, flow ${JSON.stringify(f)}`).toBe(decide(rebuilt, f));
          const svc = [...rebuilt.services.values()][w % Math.max(1, rebuilt.services.size)];
          if (svc) {
            const q = { kind: "resource" as const, resourceId: svc.id };
            expect(JSON.stringify(whoCanReach(live, q)), where).toBe(JSON.stringify(whoCanReach(rebuilt, q)));
          }
        }
      }
      expect(writes).toBeGreaterThan(RUNS * 8);
      expect(incremental).toBeGreaterThan(writes / 2);
    },
  );

  it("every apply moves to the next revision, and a write that touches one subnet rebuilds only it and its NICs", () => {
    const net = crowdNetwork(generateNetwork(BASE_SEED, catalog), 2);
    const docs = new Docs(net.resources);
    const live = new Snapshot([...docs.map.values()], { serviceTags: catalog });
    expect(live.revision).toBe(0);
    const v = clone(
      docs
        .of("Microsoft.Network/virtualNetworks")
        .find((x) => ((x.properties.subnets as unknown[]) ?? []).length > 0)!,
    );
    const s = (v.properties.subnets as ArmResource[])[0]!;
    s.properties.serviceEndpoints = [{ service: "Microsoft.Storage" }];
    const report = live.apply([put(v)]);
    expect(report.revision).toBe(1);
    expect(report.full).toBe(false);
    const nicsThere = [...live.nics.values()].filter((n) =>
      n.ipConfigs.some((c) => c.subnet?.key === idKey(`${v.id}/subnets/${s.name}`)),
    ).length;
    expect(report.rebuilt).toBeLessThanOrEqual(1 + nicsThere + 8);
    expect(live.subnet(`${v.id}/subnets/${s.name}`)!.endpoints.map((e) => e.service)).toEqual([
      "Microsoft.Storage",
    ]);
    expect(live.apply([]).revision).toBe(2);
  });

  it("a flow through an appliance follows the appliance NIC's own writes (IP forwarding, address)", () => {
    let checked = 0;
    for (let seed = BASE_SEED; seed < BASE_SEED + 80 && checked < 5; seed++) {
      const net = generateNetwork(seed, catalog);
      const docs = new Docs(net.resources);
      const live = new Snapshot([...docs.map.values()], { serviceTags: catalog });
      for (const f of generateFlows(seed, net, live, 300)) {
        let d;
        try {
          d = evaluate(live, f);
        } catch {
          continue;
        }
        const hop = d.steps.find((x) => x.kind === "VirtualAppliance");
        if (!hop?.resourceId) continue;
        const nic = clone(docs.map.get(idKey(hop.resourceId))!);
        nic.properties.enableIPForwarding = nic.properties.enableIPForwarding !== true;
        docs.apply([put(nic)]);
        live.apply([put(nic)]);
        const rebuilt = new Snapshot([...docs.map.values()], { serviceTags: catalog });
        expect(decide(live, f)).toBe(decide(rebuilt, f));
        checked++;
        break;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
