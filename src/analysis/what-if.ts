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
import { compileFirewall } from "../engine/firewalls/index.js";
import { endpointsOf, Snapshot, type NicInfo } from "../engine/snapshot.js";
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
  const out = new Map<string, ArmResource>();
  for (const r of snap.allResources()) {
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
    const fw = compileFirewall(s.resource, s.children);
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

export function whatIf(before: Snapshot, after: Snapshot, opts: WhatIfOptions = {}): WhatIfReport {
  const beforeById = byKey(before);
  const afterById = byKey(after);
  const changes = resourceChanges(beforeById, afterById);
  const changed = new Set(changes.map((c) => idKey(c.resourceId)));

  // Service endpoints per subnet, and what losing one means.
  const endpointChanges: EndpointChange[] = [];
  const warnings: WhatIfWarning[] = [];
  const rulesBefore = vnetRulesBySubnet(before);
  const subnetKeys = new Set([...before.subnets.keys(), ...after.subnets.keys()]);
  for (const k of [...subnetKeys].sort()) {
    const was = endpointNames(before, k);
    const now = endpointNames(after, k);
    const removed = [...was].filter(([s]) => !now.has(s)).map(([, n]) => n);
    const added = [...now].filter(([s]) => !was.has(s)).map(([, n]) => n);
    const subnetId = (after.subnets.get(k) ?? before.subnets.get(k))!.id;
    const label = childLabel(subnetId);
    const naming = rulesBefore.get(k) ?? [];
    if (!after.subnets.has(k)) {
      if (naming.length > 0)
        warnings.push({
          code: "SubnetRemoved",
          resourceId: subnetId,
          message: `Subnet ${label} is removed; ${naming.length} VNet rule(s) naming it stop matching (SE-ACL-8): ${naming.map((r) => `${nameOfId(r.resourceId)} ${r.rule}`).join(", ")}.`,
        });
      continue;
    }
    if (removed.length === 0 && added.length === 0) continue;
    endpointChanges.push({ subnetId, removed, added });
    for (const service of removed) {
      const stale = naming.filter((r) => {
        const s = before.service(r.resourceId);
        return s !== undefined && s.service.toLowerCase() === service.toLowerCase();
      });
      warnings.push({
        code: "ServiceEndpointRemoved",
        resourceId: subnetId,
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
        resourceId: subnetId,
        message: `Open connections from subnet ${label} to ${service} are reset while the subnet updates (SE-CFG-6).`,
      });
  }

  // Flows: every NIC × every service resource present on both sides, or the affected ones.
  const nics = [...after.nics.values()].filter((n) => n.primaryConfig && before.nics.has(n.key));
  const services = [...after.services.values()].filter((s) => before.services.has(s.key));
  const maxPairs = opts.maxPairs ?? 50_000;
  const all = nics.length * services.length <= maxPairs;
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
  const flows: FlowChange[] = [];
  let pairs = 0;
  let broken = 0;
  let opened = 0;
  const pairwise = opts.mode === "pairs";
  const decideBefore = new FlowDecider(before, pairwise);
  const decideAfter = new FlowDecider(after, pairwise);
  for (const nic of nics) {
    for (const svc of all || nicAffected(nic) ? services : touchedServices) {
      pairs++;
      const b = decideBefore.decide(nic, svc.id);
      const a = decideAfter.decide(nic, svc.id);
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
  const costs: CostLine[] = endpointChanges.flatMap((c) =>
    c.added.map((service) => ({
      resourceId: c.subnetId,
      item: `${service} service endpoint`,
      monthlyCharge: 0,
      note: "Service endpoints carry no charge, and traffic over them is billed as it would be without them (SE-COST-1).",
    })),
  );
  return {
    changes,
    endpointChanges,
    costs,
    warnings,
    scope: all ? "all" : "affected",
    pairsChecked: pairs,
    broken,
    opened,
    flows,
  };
}
