/**
 * Service endpoint policies on the source subnet: over an endpoint, only listed resources of the
 * service are reachable (SE-POL-1, SE-POL-2).
 */
import { isWithinScope } from "../model/resource-id.js";
import { objectsOf, stringsOf } from "../model/resources/common.js";
import type { ServiceResourceInfo, Snapshot } from "./snapshot.js";
import { nsgName, type Trace } from "./trace.js";
import { textOf } from "../model/errors.js";

/** Endpoint policies on the source subnet (SE-POL-1, SE-POL-2). */
export function checkPolicies(snap: Snapshot, t: Trace, subnetId: string, dst: ServiceResourceInfo): void {
  const subnet = snap.subnet(subnetId);
  if (!subnet || subnet.policyIds.length === 0) return;
  const defs: Array<{ policyId: string; name: string; resources: string[] }> = [];
  for (const pid of subnet.policyIds) {
    const policy = snap.policy(pid);
    for (const d of objectsOf(policy?.properties?.serviceEndpointPolicyDefinitions)) {
      if (textOf(d.properties?.service ?? "").toLowerCase() !== dst.service.toLowerCase()) continue;
      defs.push({ policyId: pid, name: d.name, resources: stringsOf(d.properties?.serviceResources) });
    }
  }
  if (defs.length === 0) return;
  const classic = dst.resource.type.toLowerCase().startsWith("microsoft.classicstorage");
  const match = classic ? undefined : defs.find((d) => d.resources.some((r) => isWithinScope(dst.id, r)));
  if (match) {
    t.steps.push(() => ({
      kind: "ServiceEndpointPolicy",
      result: "Allowed",
      resourceId: match.policyId,
      rule: `serviceEndpointPolicyDefinitions/${match.name}`,
      detail: `service endpoint policy ${nsgName(match.policyId)} lists the resource (definition ${match.name})`,
    }));
    return;
  }
  const first = defs[0]!;
  t.steps.push(() => ({
    kind: "ServiceEndpointPolicy",
    result: "Denied",
    resourceId: first.policyId,
    detail: `the subnet's service endpoint policies allow only listed ${dst.service} resources over the endpoint, and ${dst.name} is not listed (SE-POL-1)`,
  }));
  t.blockers.push(() => ({
    kind: "ServiceEndpointPolicy",
    resourceId: first.policyId,
    rule: `serviceEndpointPolicyDefinitions/${first.name}`,
    reason: `No service endpoint policy on subnet ${subnet.name} lists ${dst.id}; traffic to unlisted resources over the endpoint is dropped.`,
    fix: `Add ${dst.id} (or its resource group or subscription) to serviceResources of definition ${first.name} in policy ${nsgName(first.policyId)}.`,
  }));
}
