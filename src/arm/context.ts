/**
 * What the control plane is given (ArmDeps, built once by main.ts) and what one request
 * carries through it (Ctx). Time, ids and the service-tag catalog are injected, so tests
 * drive them deterministically.
 */
import type { ServiceTagCatalog } from "../model/catalog/service-tags.js";
import type { ResourceStore } from "../store/store.js";
import type { KindRegistry } from "./kinds.js";
import type { ArmResource } from "../model/resources/common.js";
import type { Authorizer, Caller } from "./authz.js";
import type { AccessImpactPort } from "./access-impact.js";

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface IdGenerator {
  /** A new GUID, lower case (`6f1c...`). */
  guid(): string;
}

/**
 * When an asynchronous operation (LRO) completes: after it has answered `InProgress` to
 * `inProgressPolls` status polls, or once `maxDurationMs` of the injected clock have passed
 * since it started, whichever comes first. `inProgressPolls: 0` completes at once.
 */
export interface LroPolicy {
  inProgressPolls: number;
  maxDurationMs: number;
}

export interface TenancyDefaults {
  tenantId: string;
  subscriptionId: string;
  subscriptionDisplayName: string;
  tenantDisplayName: string;
}

export interface ArmDeps {
  store: ResourceStore;
  clock: Clock;
  ids: IdGenerator;
  serviceTags: ServiceTagCatalog;
  lro: LroPolicy;
  /** Items per page of list answers (nextLink beyond it). */
  pageSize: number;
  tenancy: TenancyDefaults;
  kinds: KindRegistry;
  /** Process-local caches of small, rarely changing tenancy facts (kept in step by the writers). */
  cache: TenancyCache;
  /** Access checks; absent = admit everything (open mode). See authz.ts. */
  authz?: Authorizer;
  /** Reactions to committed resource changes (stale VNet rules, connection resets, events). */
  hooks?: ChangeHooks;
  /** Access diagnostics for deployment what-if (access-impact.ts); absent = none. */
  accessImpact?: AccessImpactPort;
}

/** One document a write changed: created (no `before`), updated, or deleted (no `after`). */
export interface ResourceChange {
  id: string;
  type: string;
  before?: ArmResource;
  after?: ArmResource;
}

export interface ChangeHooks {
  /**
   * Run inside the write's transaction after its documents are written. A hook may write
   * further documents through `tx.store` (e.g. with its own UnitOfWork, whose commit runs the
   * hooks again with those changes: ignore what is not yours). Throwing aborts the write.
   */
  inTransaction: Array<(tx: Ctx, changes: readonly ResourceChange[]) => Promise<void>>;
  /** Run after the request's transaction committed (events, connection resets). Must not throw. */
  afterCommit: Array<(ctx: Ctx, changes: readonly ResourceChange[]) => void>;
}

export function newChangeHooks(): ChangeHooks {
  return { inTransaction: [], afterCommit: [] };
}

export interface TenancyCache {
  /** Lower-cased ids of subscriptions known to exist. */
  subscriptions: Set<string>;
  /** `sub/namespace` (lower case) → registration state, for explicitly (un)registered providers. */
  registrations: Map<string, string>;
}

export function newTenancyCache(): TenancyCache {
  return { subscriptions: new Set(), registrations: new Map() };
}

export interface ArmRequest {
  /** Upper case: GET, PUT, PATCH, DELETE, POST, HEAD. */
  method: string;
  /** Decoded path, duplicate slashes collapsed, no query string, no trailing slash. */
  path: string;
  /** The decoded path segments, each one name (never a `/` inside: src/model/resource-id.ts `decodePathSegments`); defaults to splitting `path`. */
  segments?: string[];
  /** Query parameters (first value of each). */
  query: Record<string, string>;
  /** Present on every ARM request (the HTTP shell refuses requests without it). */
  apiVersion: string;
  body: unknown;
  /** `https://host:port` as the client addressed the server; used for absolute URLs. */
  baseUrl: string;
  ifMatch?: string;
  ifNoneMatch?: string;
  /** The authenticated caller (absent in open mode without a token). */
  caller?: Caller;
}

export interface ArmResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request's view: the dependencies, the store to use (a transaction inside writes), the time. */
export interface Ctx {
  deps: ArmDeps;
  store: ResourceStore;
  req: ArmRequest;
  /** The clock read once at the start of the request. */
  now: number;
  /** Writes complete at once (no operation, `Succeeded` immediately): used to load fixtures such as the demo. */
  immediate?: boolean;
  /** Every change this request committed, in order (shared by the request's derived contexts). */
  changes?: ResourceChange[];
}

export function withStore(ctx: Ctx, store: ResourceStore): Ctx {
  return { ...ctx, store };
}

/** Runs fn in one store transaction (writes commit together; transactions never interleave). */
export function inTransaction<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  return ctx.store.transaction((store) => fn(withStore(ctx, store)));
}

/** A query parameter, looked up case-insensitively (`$skipToken` / `$skiptoken`). */
export function queryParam(req: ArmRequest, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(req.query)) if (k.toLowerCase() === want) return v;
  return undefined;
}
