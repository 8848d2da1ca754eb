/**
 * A proposed write, applied to a list of ARM resources the way ARM would store it: a PUT
 * replaces the whole object (SE-CFG-7: a subnet or VNet PUT that omits `serviceEndpoints`
 * removes them), a DELETE removes the resource and everything under it. Pure: the input list is
 * not modified.
 *
 * The result is what the engine decides on. The control plane's validation is not run: a
 * write ARM would refuse (a subnet still used by NICs deleted, an invalid prefix) is analysed as
 * if it had been accepted (docs/analysis.md).
 */
import { ArmErrors, textOf } from "../model/errors.js";
import type { ArmResource } from "../model/resources/common.js";
import { fullType, idKey, parentId, parseResourceId } from "../model/resource-id.js";

export type Change =
  | { readonly kind: "put"; readonly id: string; readonly body: unknown }
  | { readonly kind: "delete"; readonly id: string };

/** Child types written inline in their parent, by the property that holds them (the property is also the id segment). */
const INLINE_PROPERTY: Record<string, string> = {
  "microsoft.network/virtualnetworks/subnets": "subnets",
  "microsoft.network/virtualnetworks/virtualnetworkpeerings": "virtualNetworkPeerings",
  "microsoft.network/networksecuritygroups/securityrules": "securityRules",
  "microsoft.network/routetables/routes": "routes",
  "microsoft.network/serviceendpointpolicies/serviceendpointpolicydefinitions":
    "serviceEndpointPolicyDefinitions",
  "microsoft.network/expressroutecircuits/peerings": "peerings",
};

/** The inline child properties of a resource type (`subnets` for a VNet, …). */
export function inlineChildProperties(type: string): string[] {
  const t = type.toLowerCase();
  return Object.entries(INLINE_PROPERTY)
    .filter(([child]) => child.slice(0, child.lastIndexOf("/")) === t)
    .map(([, p]) => p);
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function isUnder(key: string, parentKey: string): boolean {
  return key.startsWith(`${parentKey}/`);
}

/** The resource list after `change`. Throws ArmError for an id that does not parse or a body that is not an object. */
export function applyChange(resources: readonly ArmResource[], change: Change): ArmResource[] {
  const id = parseResourceId(change.id);
  if (id.namespace === undefined || id.types.length === 0) throw ArmErrors.invalidResourceId(change.id);
  const key = id.key;
  const type = fullType(id);
  const inlineProperty = INLINE_PROPERTY[type.toLowerCase()];
  const parentKey = id.types.length > 1 ? parentId(id)?.key : undefined;
  const name = id.names[id.names.length - 1]!;

  let written: ArmResource | undefined;
  if (change.kind === "put") {
    const body = change.body;
    if (!body || typeof body !== "object" || Array.isArray(body))
      throw ArmErrors.invalidRequestContent(
        "The request content was invalid and could not be deserialized: the request body must be a JSON object.",
      );
    const b = clone(body) as Record<string, unknown>;
    const props = b.properties;
    written = {
      ...b,
      id: id.text,
      name,
      type,
      properties: props && typeof props === "object" && !Array.isArray(props) ? props : {},
    } as ArmResource;
  }

  // Drop the resource itself and everything under it; an inline child is replaced (or removed) in
  // its parent's list, in place.
  const out: ArmResource[] = [];
  let placed = false;
  const sameChild = (c: unknown): boolean =>
    !!c &&
    typeof c === "object" &&
    ((typeof (c as ArmResource).id === "string" && idKey((c as ArmResource).id) === key) ||
      textOf((c as ArmResource).name ?? "").toLowerCase() === name.toLowerCase());
  for (const r of resources) {
    const k = idKey(r.id);
    if (k === key || isUnder(k, key)) continue;
    if (parentKey !== undefined && inlineProperty && k === parentKey) {
      const copy = clone(r);
      const list: unknown[] = Array.isArray(copy.properties?.[inlineProperty])
        ? (copy.properties[inlineProperty] as unknown[])
        : [];
      const at = list.findIndex(sameChild);
      const kept = list.filter((c) => !sameChild(c));
      if (written) kept.splice(at < 0 ? kept.length : at, 0, written);
      copy.properties = { ...copy.properties, [inlineProperty]: kept };
      placed = written !== undefined;
      out.push(copy);
      continue;
    }
    out.push(r);
  }
  if (written && !placed) out.push(written);
  return out;
}
