/**
 * The service firewall step: the destination resource's network rules (compiled once per resource)
 * checked against every address the service may see, with the fixes and the data-plane error of
 * the first refusal kept for a denied decision.
 */
import { formatAddress } from "../model/ip.js";
import {
  compileFirewall,
  noFirewallResult,
  type CompiledFirewall,
  type FirewallInput,
  type FirewallResult,
  type FirewallVerdict,
} from "./firewalls/index.js";
import type { ServiceResourceInfo, Snapshot } from "./snapshot.js";
import type { Blocker, Flow } from "./types.js";
import { nsgName, type Egress, type Trace } from "./trace.js";

/** The destination resource's firewall, compiled once (undefined: the type has none). */
export function firewallOf(service: ServiceResourceInfo): CompiledFirewall | undefined {
  let c = service.memo.firewall as CompiledFirewall | null | undefined;
  if (c === undefined) {
    c = compileFirewall(service.resource, service.children) ?? null;
    service.memo.firewall = c;
  }
  return c ?? undefined;
}

/** A firewall verdict in words, built once on first read. */
class Rendered {
  private result: FirewallResult | undefined;
  constructor(
    private readonly fw: CompiledFirewall | undefined,
    private readonly input: FirewallInput,
    private readonly verdict: FirewallVerdict | undefined,
    private readonly resource: ServiceResourceInfo["resource"],
  ) {}
  get(): FirewallResult {
    return (this.result ??= this.fw
      ? this.fw.render(this.input, this.verdict!)
      : noFirewallResult(this.resource));
  }
}

/** `FirewallInput.subnetHasEndpoint` for a service resource (made once per resource, not per request). */
function endpointCheckOf(snap: Snapshot, dst: ServiceResourceInfo): (subnetId: string) => boolean {
  let f = dst.memo.endpointCheck;
  if (f === undefined) {
    const service = dst.service;
    f = (subnetId: string): boolean => snap.subnetHasEndpoint(subnetId, service);
    dst.memo.endpointCheck = f;
  }
  return f;
}

/** The first refusal of the service (its data-plane error), rendered only for a denied decision. */
export interface Refusal {
  fw: CompiledFirewall;
  input: FirewallInput;
  verdict: FirewallVerdict;
}

export function checkFirewall(
  snap: Snapshot,
  t: Trace,
  egress: Egress,
  dst: ServiceResourceInfo,
  flow: Flow,
): Refusal | undefined {
  const fw = firewallOf(dst);
  const refused: Rendered[] = [];
  let first: Refusal | undefined;
  const subnetHasEndpoint = endpointCheckOf(snap, dst);
  const callerSubnetId = egress.callerSubnetId ?? egress.subnetId;
  for (let i = 0; i < egress.addresses.length; i++) {
    const address = egress.addresses[i]!;
    const input: FirewallInput = {
      resource: dst.resource,
      children: dst.children,
      sourceAddress: address,
      subnetHasEndpoint,
      fromAzure: egress.azureRegion !== undefined || snap.catalog.isAzureAddress(address),
      sameRegionAzure:
        !egress.viaEndpoint && egress.azureRegion !== undefined && egress.azureRegion === dst.location,
      trustedService: false,
      purpose: flow.purpose ?? "rest",
    };
    if (egress.viaEndpoint && egress.subnetId) {
      input.subnetId = egress.subnetId;
      if (egress.subnetKey !== undefined) input.subnetKey = egress.subnetKey;
    }
    if (callerSubnetId) input.callerSubnetId = callerSubnetId;
    const verdict = fw ? fw.check(input) : undefined;
    const result = new Rendered(fw, input, verdict, dst.resource);
    const addressText = i === 0 && egress.firstText !== undefined ? egress.firstText : undefined;
    t.steps.push(() => {
      const r = result.get();
      const shown = addressText ?? formatAddress(address);
      return {
        kind: "ServiceFirewall",
        result: r.allowed ? "Allowed" : "Denied",
        resourceId: dst.id,
        ...(r.rule ? { rule: r.rule } : {}),
        detail: `${dst.name} ${r.allowed ? "admits" : "refuses"} ${egress.viaEndpoint ? `subnet ${nsgName(egress.subnetId ?? "")} (${shown})` : shown}: ${r.detail}`,
      };
    });
    if (fw && !verdict!.allowed) {
      first ??= { fw, input, verdict: verdict! };
      refused.push(result);
    }
  }
  if (refused.length > 0) {
    t.blockers.push(() => {
      const out: Blocker[] = [];
      const seen = new Set<string>();
      for (const result of refused) {
        const r = result.get();
        for (const f of r.fixes) {
          const key = `${f.rule}|${f.fix}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({
            kind: "ServiceFirewall",
            resourceId: dst.id,
            ...(f.rule ? { rule: f.rule } : {}),
            reason: f.reason,
            fix: f.fix,
          });
        }
        if (r.fixes.length === 0) {
          out.push({
            kind: "ServiceFirewall",
            resourceId: dst.id,
            ...(r.rule ? { rule: r.rule } : {}),
            reason: r.detail,
            fix: "Allow the source in the resource's network rules.",
          });
        }
      }
      return out;
    });
  }
  return first;
}
