/**
 * What a change breaks before it is applied: the difference between two snapshots, the one
 * now and the one after a proposed write (src/analysis/change.ts). Batfish's idea: a what-if is
 * a diff of two keyed answers.
 *
 * - Resources: created, modified, deleted (ARM what-if's change types).
 * - Service endpoints per subnet: removed and added, with the warnings a user needs before
 *   applying: an endpoint a PUT silently drops (SE-CFG-7, the most common way endpoints are
 *   lost), the VNet rules that stop matching because of it (SE-ACL-8), the connections reset
 *   while the subnet updates (SE-CFG-6).
 * - Flows: every NIC (its default configuration) to every service resource, decided in both
 *   snapshots; the rows whose verdict, source address or endpoint use change. Large snapshots
 *   are narrowed to the NICs and resources the change touches (`scope`).
 *
 * Pure: no I/O, no clock.
 */
import { isArmError, textOf } from "../model/errors.js";
import { childLabel, idKey, nameOfId } from "../model/resource-id.js";
import type { ArmResource } from "../model/resources/common.js";
import { evaluate } from "../engine/evaluate.js";
import { firewallOf } from "../engine/firewall-step.js";
import { endpointsOf, Snapshot, type NicInfo, type SnapshotChange } from "../engine/snapshot.js";
import { parentId, parseResourceId } from "../model/resource-id.js";
import type { Verdict } from "../engine/types.js";
import { applyChange, inlineChildProperties, type Change } from "./change.js";
import type { ServiceTagCatalog } from "../model/catalog/service-tags.js";
import { factsOf, ReachClasses, type BlockerSummary, type FlowFacts } from "./classes.js";

export type ChangeType = "Create" | "Modify" | "Delete";

export interface ResourceChange {
  resourceId: string;
  changeType: ChangeType;
}

export interface EndpointChange {
  subnetId: string;
  removed: string[];
  added: string[];
}

export interface WhatIfWarning {
  /** `ServiceEndpointRemoved` (SE-CFG-7), `SubnetRemoved`, `ConnectionsReset` (SE-CFG-6). */
  code: string;
  resourceId: string;
  message: string;
}

export interface FlowChange {
  networkInterfaceId: string;
  virtualMachineId?: string;
  destinationResourceId: string;
  before: Verdict;
  after: Verdict;
  beforeSourceAddress: string;
  afterSourceAddress: string;
  beforeViaServiceEndpoint: boolean;
  afterViaServiceEndpoint: boolean;
  /** After the change, for a denial: what blocks first and the smallest fix. */
  blocker?: BlockerSummary;
}

/** A line of the change's cost report: what a changed item adds to the monthly bill. */
export interface CostLine {
  resourceId: string;
  item: string;
  /** Monthly charge the change adds for this item, in USD. */
  monthlyCharge: number;
  note: string;
}

export interface WhatIfReport {
  changes: ResourceChange[];
  endpointChanges: EndpointChange[];
  /**
   * The cost report of the change, for what Lazurite can price: service endpoints, which carry
   * no charge (SE-COST-1). Other resources' prices are not modelled.
   */
  costs: CostLine[];
  warnings: WhatIfWarning[];
  /** `all`: every NIC to every service resource; `affected`: only NICs and resources the change touches. */
  scope: "all" | "affected";
  pairsChecked: number;
  /** Flows allowed now and denied after. */
  broken: number;
  /** Flows denied now and allowed after. */
  opened: number;
  flows: FlowChange[];
}

export interface WhatIfOptions {
  /** Above this many NIC × resource pairs, only the affected ones are checked (default 50,000). */
  maxPairs?: number;
  /**
   * `classes` (default): one engine decision per source class and resource, rows per NIC
   * (src/analysis/classes.ts); `pairs`: one decision per NIC × resource pair. Same report.
   */
  mode?: "classes" | "pairs";
}

/**
 * Every resource by key, inline children (subnets, rules, routes, …) as resources of their own
 * and left out of their parent: a subnet PUT modifies the subnet, not the VNet.
 */
function byKey(snap: Snapshot): Map<string, ArmResource> {
  return byKeyOf(snap.allResources());
}

function byKeyOf(resources: readonly ArmResource[]): Map<string, ArmResource> {
  const out = new Map<string, ArmResource>();
  for (const r of resources) {
    const props = { ...(r.properties ?? {}) };
    for (const p of inlineChildProperties(textOf(r.type ?? ""))) {
      const list = props[p];
      delete props[p];
      if (!Array.isArray(list)) continue;
      for (const c of list) {
        if (!c || typeof c !== "object") continue;
        const child = c as ArmResource;
        const id = typeof child.id === "string" ? child.id : `${r.id}/${p}/${textOf(child.name ?? "")}`;
        if (!out.has(idKey(id))) out.set(idKey(id), { ...child, id });
      }
    }
    out.set(idKey(r.id), { ...r, properties: props });
  }
  return out;
}

function resourceChanges(
  before: Map<string, ArmResource>,
  after: Map<string, ArmResource>,
): ResourceChange[] {
  const out: ResourceChange[] = [];
  for (const [k, r] of after) {
    const was = before.get(k);
    if (!was) out.push({ resourceId: r.id, changeType: "Create" });
    else if (JSON.stringify(was) !== JSON.stringify(r)) out.push({ resourceId: r.id, changeType: "Modify" });
  }
  for (const [k, r] of before) if (!after.has(k)) out.push({ resourceId: r.id, changeType: "Delete" });
  return out.sort((a, b) => (a.resourceId.toLowerCase() < b.resourceId.toLowerCase() ? -1 : 1));
}

/** VNet rules of every service resource, by the subnet key they name. */
function vnetRulesBySubnet(snap: Snapshot): Map<string, Array<{ resourceId: string; rule: string }>> {
  const out = new Map<string, Array<{ resourceId: string; rule: string }>>();
  for (const s of snap.services.values()) {
    const fw = firewallOf(s);
    for (const r of fw?.policy.vnetRules ?? []) {
      const k = idKey(r.subnetId);
      const list = out.get(k) ?? [];
      list.push({ resourceId: s.id, rule: r.rule });
      out.set(k, list);
    }
  }
  return out;
}

function endpointNames(snap: Snapshot, subnetKey: string): Map<string, string> {
  const s = snap.subnets.get(subnetKey);
  const out = new Map<string, string>();
  if (s) for (const [k, e] of endpointsOf(s)) out.set(k, e.service);
  return out;
}

function sameFlow(a: FlowFacts, b: FlowFacts): boolean {
  return (
    a.decision === b.decision &&
    a.sourceAddress === b.sourceAddress &&
    a.viaServiceEndpoint === b.viaServiceEndpoint
  );
}

function decidePair(snap: Snapshot, nicId: string, resourceId: string): FlowFacts | undefined {
  try {
    return factsOf(
      evaluate(snap, {
        source: { kind: "nic", nicId },
        destination: { kind: "resource", resourceId },
      }),
    );
  } catch (e) {
    if (isArmError(e)) return undefined; // not a usable source or destination in this snapshot
    throw e;
  }
}

/** Decides NIC → resource flows of one snapshot, per source class (or per pair), keeping each resource's classes. */
class FlowDecider {
  private readonly byResource = new Map<string, ReachClasses | null>();
  constructor(
    private readonly snap: Snapshot,
    private readonly pairs: boolean,
  ) {}

  decide(nic: NicInfo, resourceId: string): FlowFacts | undefined {
    if (this.pairs) return decidePair(this.snap, nic.id, resourceId);
    const k = idKey(resourceId);
    let c = this.byResource.get(k);
    if (c === undefined) {
      try {
        c = new ReachClasses(this.snap, { destination: { kind: "resource", resourceId } });
      } catch (e) {
        if (!isArmError(e)) throw e;
        c = null;
      }
      this.byResource.set(k, c);
    }
    if (c === null) return undefined;
    const own = this.snap.nic(nic.id);
    if (!own) return undefined;
    try {
      return c.facts(own);
    } catch (e) {
      if (isArmError(e)) return undefined;
      throw e;
    }
  }
}

/** The what-if of one write on a list of resources: the list before, and after `change` (src/analysis/change.ts). */
export function whatIfChange(
  resources: readonly ArmResource[],
  change: Change,
  serviceTags: ServiceTagCatalog,
  opts: WhatIfOptions = {},
): WhatIfReport {
  const after = applyChange(resources, change);
  return whatIf(new Snapshot(resources, { serviceTags }), new Snapshot(after, { serviceTags }), opts);
}

interface RuleNaming {
  resourceId: string;
  rule: string;
  /** The service (`Microsoft.Storage`, …) of the resource holding the rule. */
  service: string;
}

/** VNet rules of every service resource naming one of `keys` (every subnet when undefined). */
function rulesNaming(snap: Snapshot, keys?: ReadonlySet<string>): Map<string, RuleNaming[]> {
  const out = new Map<string, RuleNaming[]>();
  for (const [k, list] of vnetRulesBySubnet(snap)) {
    if (keys && !keys.has(k)) continue;
    out.set(
      k,
      list.map((r) => ({ ...r, service: snap.service(r.resourceId)?.service ?? "" })),
    );
  }
  return out;
}

/** Endpoint changes and warnings for the subnets `keys` (sorted), from their endpoints on both sides. */
function endpointReport(
  keys: readonly string[],
  was: (k: string) => Map<string, string>,
  now: (k: string) => Map<string, string> | undefined,
  subnetId: (k: string) => string,
  naming: Map<string, RuleNaming[]>,
): { endpointChanges: EndpointChange[]; warnings: WhatIfWarning[] } {
  const endpointChanges: EndpointChange[] = [];
  const warnings: WhatIfWarning[] = [];
  for (const k of keys) {
    const w = was(k);
    const n = now(k);
    const id = subnetId(k);
    const label = childLabel(id);
    const rules = naming.get(k) ?? [];
    if (n === undefined) {
      if (rules.length > 0)
        warnings.push({
          code: "SubnetRemoved",
          resourceId: id,
          message: `Subnet ${label} is removed; ${rules.length} VNet rule(s) naming it stop matching (SE-ACL-8): ${rules.map((r) => `${nameOfId(r.resourceId)} ${r.rule}`).join(", ")}.`,
        });
      continue;
    }
    const removed = [...w].filter(([s]) => !n.has(s)).map(([, x]) => x);
    const added = [...n].filter(([s]) => !w.has(s)).map(([, x]) => x);
    if (removed.length === 0 && added.length === 0) continue;
    endpointChanges.push({ subnetId: id, removed, added });
    for (const service of removed) {
      const stale = rules.filter(
        (r) => r.service !== "" && r.service.toLowerCase() === service.toLowerCase(),
      );
      warnings.push({
        code: "ServiceEndpointRemoved",
        resourceId: id,
        message:
          `The ${service} service endpoint is removed from subnet ${label}: a PUT replaces the whole subnet, and a body that does not list ` +
          `serviceEndpoints removes them (SE-CFG-7).` +
          (stale.length > 0
            ? ` ${stale.length} VNet rule(s) naming the subnet stop matching (SE-ACL-8): ${stale.map((r) => `${nameOfId(r.resourceId)} ${r.rule}`).join(", ")}.`
            : ""),
      });
    }
    for (const service of [...removed, ...added])
      warnings.push({
        code: "ConnectionsReset",
        resourceId: id,
        message: `Open connections from subnet ${label} to ${service} are reset while the subnet updates (SE-CFG-6).`,
      });
  }
  return { endpointChanges, warnings };
}

type ServiceInfo = Snapshot["services"] extends Map<string, infer V> ? V : never;

/** Which NIC × resource pairs a what-if decides: every one, or those the change touches. */
interface FlowPlan {
  all: boolean;
  nics: NicInfo[];
  services: readonly ServiceInfo[];
  servicesFor(nic: NicInfo): readonly ServiceInfo[];
}

/**
 * The pairs of `snap` to decide: its NICs with a default configuration that `other` has too, and
 * its service resources that `other` has, all of them or (above `maxPairs`) the affected ones.
 */
function flowPlan(
  snap: Snapshot,
  nicKeys: Iterable<string>,
  serviceKeys: Iterable<string>,
  other: (key: string) => boolean,
  changed: ReadonlySet<string>,
  opts: WhatIfOptions,
): FlowPlan {
  const nics: NicInfo[] = [];
  for (const k of nicKeys) {
    const n = snap.nics.get(k);
    if (n?.primaryConfig && other(k)) nics.push(n);
  }
  const services: ServiceInfo[] = [];
  for (const k of serviceKeys) {
    const s = snap.services.get(k);
    if (s && other(k)) services.push(s);
  }
  const all = nics.length * services.length <= (opts.maxPairs ?? 50_000);
  const touched = (id: string | undefined) => id !== undefined && changed.has(idKey(id));
  const underChanged = (key: string) => {
    for (const c of changed) if (c === key || c.startsWith(`${key}/`)) return true;
    return false;
  };
  // Decided once: the resources the change touches (a resource or one of its child rules).
  const touchedServices = all ? services : services.filter((s) => underChanged(s.key));
  const nicAffected = (n: NicInfo): boolean => {
    const subnet = n.primaryConfig!.subnet;
    return (
      touched(n.id) ||
      (subnet !== undefined &&
        (touched(subnet.id) ||
          touched(subnet.vnet.id) ||
          touched(subnet.nsgId) ||
          touched(subnet.routeTableId) ||
          subnet.policyIds.some((p) => touched(p)))) ||
      touched(n.nsgId)
    );
  };
  return { all, nics, services, servicesFor: (n) => (all || nicAffected(n) ? services : touchedServices) };
}

/** The flow changes over a plan's pairs, from the decisions before and after. */
function collectFlows(
  plan: FlowPlan,
  was: (nic: NicInfo, svc: ServiceInfo) => FlowFacts | undefined,
  now: (nic: NicInfo, svc: ServiceInfo) => FlowFacts | undefined,
): { pairsChecked: number; broken: number; opened: number; flows: FlowChange[] } {
  const flows: FlowChange[] = [];
  let pairs = 0;
  let broken = 0;
  let opened = 0;
  for (const nic of plan.nics) {
    for (const svc of plan.servicesFor(nic)) {
      pairs++;
      const b = was(nic, svc);
      const a = now(nic, svc);
      if (!a || !b || sameFlow(a, b)) continue;
      if (b.decision === "Allowed" && a.decision === "Denied") broken++;
      if (b.decision === "Denied" && a.decision === "Allowed") opened++;
      const blocker = a.blocker;
      flows.push({
        networkInterfaceId: nic.id,
        ...(nic.vmId ? { virtualMachineId: nic.vmId } : {}),
        destinationResourceId: svc.id,
        before: b.decision,
        after: a.decision,
        beforeSourceAddress: b.sourceAddress,
        afterSourceAddress: a.sourceAddress,
        beforeViaServiceEndpoint: b.viaServiceEndpoint,
        afterViaServiceEndpoint: a.viaServiceEndpoint,
        ...(blocker ? { blocker } : {}),
      });
    }
  }
  return { pairsChecked: pairs, broken, opened, flows };
}

function costsOf(endpointChanges: EndpointChange[]): CostLine[] {
  return endpointChanges.flatMap((c) =>
    c.added.map((service) => ({
      resourceId: c.subnetId,
      item: `${service} service endpoint`,
      monthlyCharge: 0,
      note: "Service endpoints carry no charge, and traffic over them is billed as it would be without them (SE-COST-1).",
    })),
  );
}

export function whatIf(before: Snapshot, after: Snapshot, opts: WhatIfOptions = {}): WhatIfReport {
  const changes = resourceChanges(byKey(before), byKey(after));
  const changed = new Set(changes.map((c) => idKey(c.resourceId)));
  const subnetKeys = [...new Set([...before.subnets.keys(), ...after.subnets.keys()])].sort();
  const { endpointChanges, warnings } = endpointReport(
    subnetKeys,
    (k) => endpointNames(before, k),
    (k) => (after.subnets.has(k) ? endpointNames(after, k) : undefined),
    (k) => (after.subnets.get(k) ?? before.subnets.get(k))!.id,
    rulesNaming(before),
  );
  const plan = flowPlan(
    after,
    after.nics.keys(),
    after.services.keys(),
    (k) => before.nics.has(k) || before.services.has(k),
    changed,
    opts,
  );
  const pairwise = opts.mode === "pairs";
  const decideBefore = new FlowDecider(before, pairwise);
  const decideAfter = new FlowDecider(after, pairwise);
  const flows = collectFlows(
    plan,
    (nic, svc) => decideBefore.decide(nic, svc.id),
    (nic, svc) => decideAfter.decide(nic, svc.id),
  );
  return {
    changes,
    endpointChanges,
    costs: costsOf(endpointChanges),
    warnings,
    scope: plan.all ? "all" : "affected",
    ...flows,
  };
}

/**
 * The what-if of one write on a live snapshot (`Snapshot.apply`), without building a second
 * snapshot: the pairs the write can change are decided, the write is applied, they are decided
 * again, and the write is undone. Only the documents the write replaces are compared. The report
 * equals `whatIf(snap, new Snapshot(applyChange(snap.allResources(), change)))`
 * (test/property/analysis-classes.test.ts). The snapshot ends as it started, two revisions on; a
 * write that removes a document (whose position decides dynamic addresses), or one the live
 * path cannot bound, is answered on a second snapshot instead.
 *
 * Synchronous: no reader sees the intermediate revision. Throws what `applyChange` throws.
 */
export function whatIfLive(snap: Snapshot, change: Change, opts: WhatIfOptions = {}): WhatIfReport {
  const twoSnapshots = () =>
    whatIf(snap, new Snapshot(applyChange(snap.allResources(), change), { serviceTags: snap.catalog }), opts);
  const id = parseResourceId(change.id);
  const docs: ArmResource[] = [];
  const seen = new Set<string>();
  const add = (r: ArmResource) => {
    const k = idKey(r.id);
    if (seen.has(k)) return;
    seen.add(k);
    docs.push(r);
  };
  const parent = id.types.length > 1 ? parentId(id) : undefined;
  if (parent) {
    const p = snap.resource(parent.text);
    if (p) add(p);
  }
  for (const r of snap.documentsUnder(change.id)) add(r);
  const afterDocs = applyChange(docs, change);
  const afterByKey = new Map(afterDocs.map((r) => [idKey(r.id), r] as const));
  if (docs.some((r) => !afterByKey.has(idKey(r.id)))) return twoSnapshots();

  const changes = resourceChanges(byKeyOf(docs), byKeyOf(afterDocs));
  const changed = new Set(changes.map((c) => idKey(c.resourceId)));
  const beforeByKey = new Map(docs.map((r) => [idKey(r.id), r] as const));
  const forward: SnapshotChange[] = afterDocs.map((r) => ({ id: r.id, resource: r }));
  const back: SnapshotChange[] = afterDocs.map((r) => {
    const was = beforeByKey.get(idKey(r.id));
    return was ? { id: r.id, resource: was } : { id: r.id };
  });

  // Before: the endpoints of the subnets the write touches, the VNet rules naming them, the pairs.
  const subnetsBefore = [...changed].filter((k) => snap.subnets.has(k));
  const endpointsBefore = new Map(subnetsBefore.map((k) => [k, endpointNames(snap, k)] as const));
  const idsBefore = new Map(subnetsBefore.map((k) => [k, snap.subnets.get(k)!.id] as const));
  const naming = subnetsBefore.length > 0 ? rulesNaming(snap, new Set(subnetsBefore)) : new Map();
  const pairwise = opts.mode === "pairs";
  const created = new Set([...afterByKey.keys()].filter((k) => !beforeByKey.has(k)));
  const old = (k: string) => !created.has(k);
  const beforePlan = flowPlan(snap, snap.nics.keys(), snap.services.keys(), () => true, changed, opts);
  const decideBefore = new FlowDecider(snap, pairwise);
  const decided = new Map<string, FlowFacts | undefined>();
  for (const nic of beforePlan.nics)
    for (const svc of beforePlan.servicesFor(nic))
      decided.set(`${nic.key}|${svc.key}`, decideBefore.decide(nic, svc.id));

  snap.apply(forward);
  let report: WhatIfReport | undefined;
  try {
    const keys = [...new Set([...subnetsBefore, ...[...changed].filter((k) => snap.subnets.has(k))])].sort();
    const { endpointChanges, warnings } = endpointReport(
      keys,
      (k) => endpointsBefore.get(k) ?? new Map(),
      (k) => (snap.subnets.has(k) ? endpointNames(snap, k) : undefined),
      (k) => (snap.subnets.get(k)?.id ?? idsBefore.get(k))!,
      naming,
    );
    // The pairs after: NICs and resources present on both sides, in the order of before.
    const plan = flowPlan(
      snap,
      beforePlan.nics.map((n) => n.key),
      beforePlan.services.map((s) => s.key),
      old,
      changed,
      opts,
    );
    const decideAfter = new FlowDecider(snap, pairwise);
    let missing = false;
    const flows = collectFlows(
      plan,
      (nic, svc) => {
        const k = `${nic.key}|${svc.key}`;
        if (!decided.has(k)) missing = true;
        return decided.get(k);
      },
      (nic, svc) => decideAfter.decide(nic, svc.id),
    );
    if (!missing)
      report = {
        changes,
        endpointChanges,
        costs: costsOf(endpointChanges),
        warnings,
        scope: plan.all ? "all" : "affected",
        ...flows,
      };
  } finally {
    snap.apply(back);
  }
  return report ?? twoSnapshots();
}
