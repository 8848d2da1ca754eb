/**
 * Resource provider registration (`GET /subscriptions/{s}/providers[/{ns}]`,
 * `POST .../providers/{ns}/register|unregister`). Served namespaces are Registered by
 * default; an explicitly unregistered one answers 409 MissingSubscriptionRegistration to
 * every resource request until registered again. The resourceTypes list is what
 * `az resource` reads to pick an api-version (real-clients §5.3).
 */
import { REGIONS } from "../../../model/catalog/regions.js";
import { ArmErrors } from "../../../model/errors.js";
import type { ArmResponse, Ctx } from "../../context.js";
import { registrationState, setRegistrationState } from "../../tenancy.js";

const LOCATIONS = REGIONS.map((r) => r.displayName);

function describe(ctx: Ctx, sub: string | undefined, ns: string, state: string): Record<string, unknown> {
  const kinds = ctx.deps.kinds;
  const versions = [...kinds.namespaceApiVersions(ns)];
  const resourceTypes: Array<Record<string, unknown>> = [];
  for (const k of kinds.all().filter((k) => k.namespace === ns)) {
    const apiVersions = [...(k.apiVersions ?? versions)];
    resourceTypes.push({ resourceType: k.typeName, locations: LOCATIONS, apiVersions, capabilities: "None" });
    for (const c of k.children) {
      resourceTypes.push({
        resourceType: `${k.typeName}/${c.segment}`,
        locations: LOCATIONS,
        apiVersions,
        capabilities: "None",
      });
    }
  }
  for (const seg of kinds.locationSegments(ns)) {
    resourceTypes.push({ resourceType: `locations/${seg}`, locations: [], apiVersions: versions });
  }
  const out: Record<string, unknown> = {
    namespace: ns,
    registrationState: state,
    registrationPolicy: "RegistrationRequired",
    resourceTypes,
  };
  return sub === undefined ? out : { id: `/subscriptions/${sub}/providers/${ns}`, ...out };
}

export async function listProviders(ctx: Ctx, sub: string): Promise<ArmResponse> {
  const value = [];
  for (const ns of ctx.deps.kinds.namespaces())
    value.push(describe(ctx, sub, ns, await registrationState(ctx, sub, ns)));
  return { status: 200, body: { value } };
}

export async function listTenantProviders(ctx: Ctx): Promise<ArmResponse> {
  return {
    status: 200,
    body: { value: ctx.deps.kinds.namespaces().map((ns) => describe(ctx, undefined, ns, "Registered")) },
  };
}

export async function getProvider(ctx: Ctx, sub: string, namespace: string): Promise<ArmResponse> {
  const ns = ctx.deps.kinds.namespaceName(namespace);
  if (!ns) throw ArmErrors.invalidResourceNamespace(namespace);
  return { status: 200, body: describe(ctx, sub, ns, await registrationState(ctx, sub, ns)) };
}

export async function setRegistration(
  ctx: Ctx,
  sub: string,
  namespace: string,
  register: boolean,
): Promise<ArmResponse> {
  const ns = ctx.deps.kinds.namespaceName(namespace);
  if (!ns) throw ArmErrors.invalidResourceNamespace(namespace);
  await setRegistrationState(ctx, sub, ns, register ? "Registered" : "Unregistered");
  return { status: 200, body: describe(ctx, sub, ns, register ? "Registered" : "Unregistered") };
}
