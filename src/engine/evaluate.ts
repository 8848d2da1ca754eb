/**
 * The one entry point of the data plane: `evaluate(snapshot, flow)` decides a flow the
 * way Azure would and records the trace in the same pass (SE-DIAG-3). A denial lists
 * every blocker on the path, each with the smallest change that would lift it: after a
 * blocker the evaluation goes on as if it had been lifted.
 *
 * The trace is recorded as data (small closures over the values the pass already has) and
 * its sentences are written when someone reads `steps` / `blockers` (src/engine/lazy-list.ts):
 * the decision never depends on the words, and most decisions in a batch are never explained.
 * Everything a decision looks up repeatedly (route sets, compiled NSGs and firewalls, a NIC's
 * public address, a VNet's peers) is derived once and kept in the snapshot's memo slots.
 *
 * @example
 * const snap = new Snapshot(quickstartResources(), { serviceTags: defaultServiceTagCatalog() });
 * evaluate(snap, { source: { kind: "vm", vmId: ".../virtualMachines/testvm0" },
 *                  destination: { kind: "resource", resourceId: ".../storageAccounts/lazuritedemo0sa" } }).decision
 * // → "Allowed" (private source 10.0.1.4 over the Microsoft.Storage endpoint)
 */
import { formatAddress, tryParseAddress } from "../model/ip.js";
import { ArmErrors } from "../model/errors.js";
import type { Snapshot } from "./snapshot.js";
import type { Decision, Flow, Protocol, ServiceError } from "./types.js";
import { lazyList } from "./lazy-list.js";
import type { Egress, Trace } from "./trace.js";
import { resolveDestination } from "./destination.js";
import { fromNic, pickNic } from "./nic-path.js";
import { fromOnPrem } from "./on-premises.js";
import { checkPolicies } from "./endpoint-policies.js";
import { checkFirewall, type Refusal } from "./firewall-step.js";

/**
 * Decides a flow and explains the decision (SE-DIAG-3).
 * Throws ArmError (`ResourceNotFound`, `InvalidFlow`) when the flow names things the snapshot lacks.
 */
export function evaluate(snap: Snapshot, flow: Flow): Decision {
  const t: Trace = { steps: [], blockers: [] };
  const protocol: Protocol = flow.protocol ?? "Tcp";
  const dst = resolveDestination(snap, flow, t);
  const port = flow.port ?? dst?.service?.kind.defaultPort ?? 443;
  const sourcePort = flow.sourcePort ?? 49152;
  if (!dst) {
    return {
      decision: "Denied",
      sourceAddress: "",
      viaServiceEndpoint: false,
      nextHopType: "None",
      destinationAddress: "",
      protocol,
      port,
      steps: lazyList(t.steps),
      blockers: lazyList(t.blockers),
    };
  }
  let egress: Egress;
  const s = flow.source;
  if (s.kind === "nic" || s.kind === "vm") {
    const { nic, cfg } = pickNic(snap, flow);
    egress = fromNic(snap, t, nic, cfg, dst, protocol, port, sourcePort, 0);
  } else if (s.kind === "onprem") {
    egress = fromOnPrem(snap, t, flow as Flow & { source: { kind: "onprem" } });
  } else {
    const a = tryParseAddress(s.address);
    if (!a) throw ArmErrors.invalidFlow(`'${s.address}' is not an IP address.`);
    t.steps.push(() => ({ kind: "Source", result: "Info", detail: `internet host ${formatAddress(a)}` }));
    egress = { addresses: [a], viaEndpoint: false, nextHopType: "Internet" };
  }

  let refusal: Refusal | undefined;
  if (dst.service) {
    if (egress.viaEndpoint && egress.subnetId) checkPolicies(snap, t, egress.subnetId, dst.service);
    refusal = checkFirewall(snap, t, egress, dst.service, flow);
  }
  const denied = t.blockers.length > 0;
  // Built key by key so that JSON output keeps the documented field order.
  const decision = {
    decision: denied ? "Denied" : "Allowed",
    sourceAddress: egress.firstText ?? formatAddress(egress.addresses[0]!),
  } as Decision;
  if (egress.privateAddress)
    decision.sourcePrivateAddress = egress.privateText ?? formatAddress(egress.privateAddress);
  if (egress.viaEndpoint && egress.subnetId) decision.sourceSubnetId = egress.subnetId;
  decision.viaServiceEndpoint = egress.viaEndpoint;
  decision.nextHopType = egress.nextHopType;
  decision.destinationAddress = dst.text ?? formatAddress(dst.address);
  if (dst.service) {
    decision.destinationResourceId = dst.service.id;
    decision.service = dst.service.service;
  }
  decision.protocol = protocol;
  decision.port = port;
  decision.steps = lazyList(t.steps);
  decision.blockers = lazyList(t.blockers);
  if (denied && refusal) {
    const error: ServiceError | undefined = refusal.fw.errorOf(refusal.input, refusal.verdict);
    if (error) decision.error = error;
  }
  return decision;
}
