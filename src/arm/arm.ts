/**
 * The control plane's entry points: `createArmDeps` (wiring with defaults), `handleArm`
 * (one request → one response, HTTP-free) and `loadResources` (put ARM JSON through the
 * providers without LROs, e.g. the demo network).
 */
import { defaultServiceTagCatalog } from "../model/catalog/synthetic-service-tags.js";
import type { ServiceTagCatalog } from "../model/catalog/service-tags.js";
import type { ResourceStore } from "../store/store.js";
import { defaultKinds } from "./catalog.js";
import {
  newChangeHooks,
  newTenancyCache,
  type ArmDeps,
  type ArmRequest,
  type ArmResponse,
  type Clock,
  type Ctx,
  type IdGenerator,
  type LroPolicy,
  type TenancyDefaults,
} from "./context.js";
import type { Authorizer } from "./authz.js";
import type { AccessImpactPort } from "./access-impact.js";
import { dispatch } from "./dispatch.js";
import { rbacAuthorizer } from "./providers/authorization/authorizer.js";
import { ensureDefaultTenancy } from "./tenancy.js";

export const DEFAULT_TENANCY: TenancyDefaults = {
  tenantId: "72f988bf-0000-0000-0000-000000000001",
  tenantDisplayName: "Lazurite",
  subscriptionId: "00000000-0000-0000-0000-000000000001",
  subscriptionDisplayName: "Lazurite default subscription",
};

export const DEFAULT_LRO: LroPolicy = { inProgressPolls: 1, maxDurationMs: 1000 };

export interface ArmDepsInput {
  store: ResourceStore;
  clock: Clock;
  ids: IdGenerator;
  serviceTags?: ServiceTagCatalog;
  lro?: Partial<LroPolicy>;
  pageSize?: number;
  tenancy?: Partial<TenancyDefaults>;
  /** Access checks (default: the RBAC authorizer of providers/authorization). */
  authz?: Authorizer;
  /** Access diagnostics for deployment what-if (wired by main.ts). */
  accessImpact?: AccessImpactPort;
}

/** Builds the dependencies and makes sure the default tenant and subscription exist. */
export async function createArmDeps(input: ArmDepsInput): Promise<ArmDeps> {
  const deps: ArmDeps = {
    store: input.store,
    clock: input.clock,
    ids: input.ids,
    serviceTags: input.serviceTags ?? defaultServiceTagCatalog(),
    lro: { ...DEFAULT_LRO, ...(input.lro ?? {}) },
    pageSize: input.pageSize ?? 100,
    tenancy: { ...DEFAULT_TENANCY, ...(input.tenancy ?? {}) },
    kinds: defaultKinds(),
    cache: newTenancyCache(),
    hooks: newChangeHooks(),
    // RBAC for strict-mode callers; open-mode callers act as Owner (SE-ACL-4's tenant rule still holds).
    authz: input.authz ?? rbacAuthorizer,
    ...(input.accessImpact ? { accessImpact: input.accessImpact } : {}),
  };
  deps.hooks!.inTransaction.push(...deps.kinds.changeHooks().inTransaction);
  await ensureDefaultTenancy(deps);
  return deps;
}

export function newCtx(deps: ArmDeps, req: ArmRequest): Ctx {
  return { deps, store: deps.store, req, now: deps.clock.now(), changes: [] };
}

/** Runs the after-commit hooks for what a request changed (never throws). */
export function runAfterCommit(ctx: Ctx): void {
  const changes = ctx.changes ?? [];
  if (changes.length === 0) return;
  for (const hook of ctx.deps.hooks?.afterCommit ?? []) {
    try {
      hook(ctx, changes);
    } catch {
      // An observer's failure must not turn a committed write into an error.
    }
  }
}

/** One ARM request. Throws ArmError for refusals (the HTTP shell renders them). */
export async function handleArm(deps: ArmDeps, req: ArmRequest): Promise<ArmResponse> {
  const ctx = newCtx(deps, req);
  const res = await dispatch(ctx);
  runAfterCommit(ctx);
  return res;
}
