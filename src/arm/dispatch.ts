/**
 * The ARM surface: one function from a parsed request to a response. Path keywords match
 * case-insensitively (`resourcegroups` / `resourceGroups`, `microsoft.network`), names keep
 * their casing. Unknown namespaces, types and routes get ARM's codes, never a 500.
 */
import { ArmErrors } from "../model/errors.js";
import { assertNameSegments, parseResourceId, type ResourceId } from "../model/resource-id.js";
import type { ArmResponse, Ctx } from "./context.js";
import { resourceOf } from "./documents.js";
import { deleteChild, getChild, listChildren, putChild } from "./children.js";
import { operationResult } from "./lro.js";
import { authorizeRequest, filterListResponse } from "./providers/authorization/operations.js";
import { handleAuthorization, matchAuthorizationPath } from "./providers/authorization/routes.js";
import * as groups from "./providers/resources/resource-groups.js";
import * as providers from "./providers/resources/providers.js";
import * as subscriptions from "./providers/resources/subscriptions.js";
import { ensureSubscription, registrationState } from "./tenancy.js";
import { handleDeployments, whatIfResult } from "./providers/resources/deployments/routes.js";
import { serveGenericChild } from "./providers/generic/generic.js";
import { exportResourceGroup } from "./providers/resources/deployments/export.js";
import { deleteTop, getTop, listTop, patchTop, putTop } from "./tracked.js";

const lower = (s: string | undefined) => (s ?? "").toLowerCase();

function methodNotAllowed(ctx: Ctx): never {
  throw ArmErrors.methodNotAllowed(ctx.req.method);
}

function notFound(ctx: Ctx): never {
  throw ArmErrors.routeNotFound(`${ctx.req.baseUrl}${ctx.req.path}`);
}

function only(ctx: Ctx, ...methods: string[]): void {
  if (!methods.includes(ctx.req.method)) methodNotAllowed(ctx);
}

/** HEAD answers like GET without a body (ARM: 204 when present for resource groups). */
function headOf(r: ArmResponse): ArmResponse {
  return { status: r.status === 200 ? 204 : r.status, ...(r.headers ? { headers: r.headers } : {}) };
}

export async function dispatch(ctx: Ctx): Promise<ArmResponse> {
  const segs = ctx.req.segments ?? ctx.req.path.split("/").filter((s) => s.length > 0);
  // A name is one segment (the HTTP edge checked it already; callers in process are held to it too).
  assertNameSegments(segs);
  // Microsoft.Authorization (extension resources at any scope); every other operation's action
  // is checked at its scope before it runs, and lists drop what the caller may not see (docs/identity.md).
  const rbac = matchAuthorizationPath(segs);
  if (rbac) return handleAuthorization(ctx, rbac);
  const op = await authorizeRequest(ctx, segs);
  return filterListResponse(ctx, op, await route(ctx, segs));
}

async function route(ctx: Ctx, segs: string[]): Promise<ArmResponse> {
  const head = lower(segs[0]);
  if (head === "tenants" && segs.length === 1) {
    only(ctx, "GET");
    return subscriptions.listTenants(ctx);
  }
  if (head === "providers" && segs.length === 1) {
    only(ctx, "GET");
    return providers.listTenantProviders(ctx);
  }
  if (head !== "subscriptions") notFound(ctx);
  if (segs.length === 1) {
    only(ctx, "GET");
    return subscriptions.listSubscriptions(ctx);
  }
  const sub = segs[1]!;
  await ensureSubscription(ctx, sub);
  if (segs.length === 2) {
    only(ctx, "GET");
    return subscriptions.getSubscriptionResponse(ctx, sub);
  }
  const rest = segs.slice(2);
  const r0 = lower(rest[0]);
  if (r0 === "resourcegroups") {
    if (rest.length === 1) {
      only(ctx, "GET");
      return groups.listResourceGroups(ctx, sub);
    }
    const rg = rest[1]!;
    if (rest.length === 2) {
      if (ctx.req.method === "HEAD") return groups.headResourceGroup(ctx, sub, rg);
      if (ctx.req.method === "GET") return groups.getResourceGroupResponse(ctx, sub, rg);
      if (ctx.req.method === "PUT") return groups.putResourceGroup(ctx, sub, rg);
      if (ctx.req.method === "PATCH") return groups.patchResourceGroup(ctx, sub, rg);
      if (ctx.req.method === "DELETE") return groups.deleteResourceGroup(ctx, sub, rg);
      methodNotAllowed(ctx);
    }
    if (rest.length === 3 && lower(rest[2]) === "resources") {
      only(ctx, "GET");
      return groups.listResources(ctx, sub, rg);
    }
    if (rest.length === 3 && lower(rest[2]) === "exporttemplate") {
      only(ctx, "POST");
      return exportResourceGroup(ctx, sub, rg);
    }
    // The older path without the provider segment (the Python SDK's deployment operations use it).
    if (lower(rest[2]) === "deployments" && rest.length >= 4)
      return handleDeployments(ctx, { subscriptionId: sub, resourceGroup: rg }, rest.slice(3));
    if (isDeploymentsPath(rest, 3))
      return handleDeployments(ctx, { subscriptionId: sub, resourceGroup: rg }, rest.slice(5));
    if (lower(rest[2]) === "providers" && rest.length >= 5) return resourcePath(ctx, sub, rg, rest.slice(3));
    notFound(ctx);
  }
  if (r0 === "providers") {
    if (rest.length === 1) {
      only(ctx, "GET");
      return providers.listProviders(ctx, sub);
    }
    const ns = rest[1]!;
    if (rest.length === 2) {
      only(ctx, "GET");
      return providers.getProvider(ctx, sub, ns);
    }
    if (rest.length === 3 && ["register", "unregister"].includes(lower(rest[2]))) {
      only(ctx, "POST");
      return providers.setRegistration(ctx, sub, ns, lower(rest[2]) === "register");
    }
    if (lower(rest[2]) === "locations" && rest.length >= 5) {
      const canonical = ctx.deps.kinds.namespaceName(ns);
      if (!canonical) throw ArmErrors.invalidResourceNamespace(ns);
      const handler = ctx.deps.kinds.locationHandler(canonical, rest[4]!);
      if (!handler)
        throw ArmErrors.invalidResourceType(`locations/${rest[4]}`, canonical, ctx.req.apiVersion);
      if (!handler.methods.includes(ctx.req.method)) methodNotAllowed(ctx);
      return handler.handle(ctx, {
        subscriptionId: sub,
        namespace: canonical,
        location: rest[3]!,
        rest: rest.slice(5),
      });
    }
    if (isDeploymentsPath(rest, 1)) return handleDeployments(ctx, { subscriptionId: sub }, rest.slice(3));
    return resourcePath(ctx, sub, undefined, rest.slice(1));
  }
  if (r0 === "resources" && rest.length === 1) {
    only(ctx, "GET");
    return groups.listResources(ctx, sub, undefined);
  }
  if (r0 === "locations" && rest.length === 1) {
    only(ctx, "GET");
    return subscriptions.listLocations(ctx, sub);
  }
  if (r0 === "operationresults" && rest.length === 2) {
    only(ctx, "GET");
    return (await whatIfResult(ctx, sub, rest[1]!)) ?? operationResult(ctx, sub, rest[1]!);
  }
  notFound(ctx);
}

/** `{ns}/{type}[/{name}[/{childType}[/{childName}]]]` under a subscription or resource group. */
async function resourcePath(
  ctx: Ctx,
  sub: string,
  rg: string | undefined,
  segs: string[],
): Promise<ArmResponse> {
  const kinds = ctx.deps.kinds;
  const ns = kinds.namespaceName(segs[0]!);
  if (!ns) return storedOnly(ctx, sub, rg, segs);
  if ((await registrationState(ctx, sub, ns)) !== "Registered")
    throw ArmErrors.missingSubscriptionRegistration(ns);
  const types: string[] = [];
  const names: string[] = [];
  for (let i = 1; i < segs.length; i++) ((i % 2 === 1 ? types : names) as string[]).push(segs[i]!);
  const kind = kinds.top(ns, types[0]!);
  if (!kind) throw ArmErrors.invalidResourceType(types.join("/"), ns, ctx.req.apiVersion);
  if (rg === undefined) {
    if (types.length === 1 && names.length === 0) {
      only(ctx, "GET");
      return listTop(ctx, kind, sub);
    }
    notFound(ctx);
  }
  if (kind.serve && names.length > 0) {
    const served = await kind.serve(ctx, {
      kind,
      top: idOf(sub, rg, kind.namespace, [kind.typeName], [names[0]!]),
      types,
      names,
    });
    if (served) return served;
  }
  if (types.length === 1) {
    if (names.length === 0) {
      only(ctx, "GET");
      return listTop(ctx, kind, sub, rg);
    }
    const id = idOf(sub, rg, kind.namespace, [kind.typeName], names);
    switch (ctx.req.method) {
      case "GET":
        return getTop(ctx, kind, id);
      case "HEAD":
        return headOf(await getTop(ctx, kind, id));
      case "PUT":
        return putTop(ctx, kind, id);
      case "PATCH":
        return patchTop(ctx, kind, id);
      case "DELETE":
        return deleteTop(ctx, kind, id);
      default:
        methodNotAllowed(ctx);
    }
  }
  if (types.length === 2 && kinds.isGenericChild(ns, types[0]!, types[1]!) && names.length >= 1) {
    const top = idOf(sub, rg, kind.namespace, [kind.typeName], [names[0]!]);
    return serveGenericChild(
      ctx,
      kind,
      top,
      kinds.child(ns, types[0]!, types[1]!)?.spec.segment ?? types[1]!,
      names[1],
    );
  }
  if (types.length === 2) {
    const child = kinds.child(ns, types[0]!, types[1]!);
    if (child && names.length === 2) {
      const id = idOf(sub, rg, kind.namespace, [kind.typeName, child.spec.segment], names);
      switch (ctx.req.method) {
        case "GET":
          return getChild(ctx, kind, child.spec, id);
        case "PUT":
          return putChild(ctx, kind, child.spec, id);
        case "DELETE":
          return deleteChild(ctx, kind, child.spec, id);
        default:
          methodNotAllowed(ctx);
      }
    }
    if (names.length === 1) {
      const parentId = idOf(sub, rg, kind.namespace, [kind.typeName], names);
      if (child) {
        only(ctx, "GET");
        return listChildren(ctx, kind, child.spec, parentId);
      }
      const action = kind.actions?.[lower(types[1])];
      if (action) {
        if (!action.methods.includes(ctx.req.method)) methodNotAllowed(ctx);
        const resource = resourceOf(await ctx.store.get(parentId.key));
        if (!resource) return getTop(ctx, kind, parentId);
        return action.handle(ctx, resource);
      }
    }
  }
  throw ArmErrors.invalidResourceType(types.join("/"), ns, ctx.req.apiVersion);
}

/**
 * Namespaces Lazurite does not serve yet: a resource stored by other means (e.g. the demo's
 * storage account) can be read as stored; everything else is InvalidResourceNamespace.
 */
async function storedOnly(
  ctx: Ctx,
  sub: string,
  rg: string | undefined,
  segs: string[],
): Promise<ArmResponse> {
  if (rg !== undefined && segs.length === 3 && (ctx.req.method === "GET" || ctx.req.method === "HEAD")) {
    const id = idOf(sub, rg, segs[0]!, [segs[1]!], [segs[2]!]);
    const doc = resourceOf(await ctx.store.get(id.key));
    if (doc) return ctx.req.method === "HEAD" ? { status: 204 } : { status: 200, body: doc };
  }
  throw ArmErrors.invalidResourceNamespace(segs[0]!);
}

/** `.../providers/Microsoft.Resources/deployments[/...]` with `providers` at `rest[i - 1]`. */
function isDeploymentsPath(rest: readonly string[], i: number): boolean {
  return (
    rest.length > i + 1 &&
    lower(rest[i - 1]) === "providers" &&
    lower(rest[i]) === "microsoft.resources" &&
    lower(rest[i + 1]) === "deployments"
  );
}

function idOf(sub: string, rg: string, ns: string, types: string[], names: string[]): ResourceId {
  let s = `/subscriptions/${sub}/resourceGroups/${rg}/providers/${ns}`;
  for (let i = 0; i < types.length; i++) s += `/${types[i]}/${names[i]}`;
  return parseResourceId(s);
}
