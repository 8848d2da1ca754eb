/**
 * The vocabulary of the control plane's providers: a ResourceKind describes one top-level
 * ARM resource type (validation + defaults, references, children, LRO style); the generic
 * handlers in tracked.ts / children.ts do the rest. The registry (catalog.ts) maps
 * (namespace, type path) to kinds explicitly.
 */
import type { ArmResource } from "../model/resources/common.js";
import type { ResourceId } from "../model/resource-id.js";
import type { ArmResponse, ChangeHooks, Ctx, ResourceChange } from "./context.js";
import type { UnitOfWork } from "./unit-of-work.js";

/**
 * `network`: PUT answers 201/200 with the body (`provisioningState: "Updating"`) and
 * `Azure-AsyncOperation`; DELETE answers 202 with `Location` and `Azure-AsyncOperation`.
 * `sync`: PUT answers 201/200 with the final body; DELETE 200 (204 when absent).
 * `storage`: a create PUT answers 202 with an empty body and `Location` (polled until 200 with
 * the resource); updates, PATCH and DELETE are synchronous (the Storage RP).
 * `async`: PUT/PATCH/DELETE answer 202 with an empty body, `Azure-AsyncOperation` and `Location`
 * (the SQL-family RPs). Kinds with these two styles serve their writes themselves (`serve`).
 */
export type LroStyle = "network" | "sync" | "storage" | "async";

/** The path under a resource a kind serves itself: `types`/`names` as in the URL, `top` = the resource's id. */
export interface ServeRoute {
  kind: ResourceKind;
  top: ResourceId;
  types: readonly string[];
  names: readonly string[];
}

/** A child resource kept inline in its parent's `properties[property]` array. */
export interface ChildSpec {
  /** URL segment, e.g. `subnets`. */
  segment: string;
  /** Canonical type, e.g. `Microsoft.Network/virtualNetworks/subnets`. */
  type: string;
  /** The parent property holding the array. */
  property: string;
  /** Served for GET/list only (defaultSecurityRules, NIC ipConfigurations). */
  readOnly?: boolean;
  /** Properties of a child that the server owns (back references): kept from the stored child on PUT. */
  serverOwned?: readonly string[];
  /** Refuses removing this child (a child DELETE, or a parent PUT that leaves it out). */
  beforeDelete?(ctx: Ctx, child: ArmResource, parent: ArmResource): void | Promise<void>;
}

/** An outgoing reference from a resource (or one of its children) to another resource. */
export interface Reference {
  /** Id of the referencing element: the resource, or a child such as an IP configuration or a subnet. */
  from: string;
  /** The referenced id, as written. */
  to: string;
  /** Where the id sits in the request body (for error messages). */
  path: string;
  /** Full type the target must have (`Microsoft.Network/networkSecurityGroups`). */
  targetType: string;
  /**
   * The back reference the target carries in `properties[slot.name]`: a list of `{id}`
   * (`subnets`, `ipConfigurations`, `networkInterfaces`) or a single `{id}` (`ipConfiguration`,
   * `virtualMachine`). Absent: the target must exist but records nothing.
   */
  slot?: { name: string; single?: boolean };
}

export interface ActionHandler {
  methods: readonly string[];
  handle(ctx: Ctx, resource: ArmResource): Promise<ArmResponse>;
}

export interface ResourceKind {
  namespace: string;
  /** Type segment under the namespace: `virtualNetworks`. */
  typeName: string;
  /** Canonical full type: `Microsoft.Network/virtualNetworks`. */
  type: string;
  lro: LroStyle;
  /** `required`: PUT needs a known region; `global`: stored as "global" (ignored when absent). */
  location: "required" | "global";
  children: readonly ChildSpec[];
  /** Top-level properties the server owns (back references, assigned values): kept from the stored resource on PUT. */
  serverOwned: readonly string[];
  /** Validates the request body and returns the resource to store (ids, defaults, children prepared). */
  prepare(ctx: Ctx, input: ArmResource, existing: ArmResource | undefined): Promise<ArmResource>;
  /** Outgoing references of a (prepared or stored) resource. */
  references?(resource: ArmResource): Reference[];
  /** Refuses a DELETE (in-use checks). */
  beforeDelete?(ctx: Ctx, existing: ArmResource): void | Promise<void>;
  /** Side effects on other resources after a write or delete (same transaction, through `uow`). */
  afterWrite?(
    ctx: Ctx,
    uow: UnitOfWork,
    next: ArmResource | undefined,
    previous: ArmResource | undefined,
  ): Promise<void>;
  /** Status of a PUT that creates (Azure: 201 for most; 200 where the API declares only 200, e.g. availability sets). */
  createdStatus?: 200 | 201;
  /** PATCH: `tags` (the network RP's UpdateTags, synchronous) or `merge` (JSON merge patch, then as PUT). */
  patch?: "tags" | "merge";
  /** Actions under the resource: GET/POST `.../{name}/{action}`. Keys lower case. */
  actions?: Readonly<Record<string, ActionHandler>>;
  /** api-versions to advertise in the providers list, newest first (defaults to the namespace's list). */
  apiVersions?: readonly string[];
  /**
   * Serves requests to the resource and to paths under it (child resources kept as their own
   * documents, custom LRO answers) instead of the generic handlers; undefined = generic handling.
   * Lists by resource group or subscription stay generic.
   */
  serve?(ctx: Ctx, route: ServeRoute): Promise<ArmResponse | undefined>;
  /** A type Lazurite stores generically without modelling it (providers/generic): deployments say so. */
  notModelled?: boolean;
}

export interface LocationHandler {
  methods: readonly string[];
  /** `rest` = the path segments after `locations/{location}/{segment}`. */
  handle(
    ctx: Ctx,
    args: { subscriptionId: string; namespace: string; location: string; rest: string[] },
  ): Promise<ArmResponse>;
}

export class KindRegistry {
  private readonly tops = new Map<string, ResourceKind>();
  private readonly locations = new Map<string, LocationHandler>();
  private readonly genericChildren = new Set<string>();
  private readonly namespaceVersions = new Map<string, { name: string; apiVersions: readonly string[] }>();
  private readonly inTransactionHooks: Array<(tx: Ctx, changes: readonly ResourceChange[]) => Promise<void>> =
    [];

  /** A reaction to committed changes that runs inside the write's transaction (see ChangeHooks). */
  onChangeInTransaction(hook: (tx: Ctx, changes: readonly ResourceChange[]) => Promise<void>): this {
    this.inTransactionHooks.push(hook);
    return this;
  }

  /** Fresh ChangeHooks holding the hooks the registry's providers contributed. */
  changeHooks(): ChangeHooks {
    return { inTransaction: [...this.inTransactionHooks], afterCommit: [] };
  }

  /** Declares a namespace (its canonical casing and the api-versions to advertise, newest first). */
  namespace(name: string, apiVersions: readonly string[]): this {
    this.namespaceVersions.set(name.toLowerCase(), { name, apiVersions });
    return this;
  }

  add(kind: ResourceKind): this {
    if (!this.namespaceVersions.has(kind.namespace.toLowerCase())) {
      throw new Error(`namespace ${kind.namespace} not declared before ${kind.type}`);
    }
    this.tops.set(`${kind.namespace}/${kind.typeName}`.toLowerCase(), kind);
    return this;
  }

  /** Handles `/subscriptions/{sub}/providers/{namespace}/locations/{loc}/{segment}/...`. */
  location(namespace: string, segment: string, handler: LocationHandler): this {
    this.locations.set(`${namespace}/${segment}`.toLowerCase(), handler);
    return this;
  }

  /** A child type stored generically under a top-level kind (providers/generic). */
  genericChild(namespace: string, typeName: string, segment: string): this {
    this.genericChildren.add(`${namespace}/${typeName}/${segment}`.toLowerCase());
    return this;
  }

  isGenericChild(namespace: string, typeName: string, segment: string): boolean {
    return this.genericChildren.has(`${namespace}/${typeName}/${segment}`.toLowerCase());
  }

  top(namespace: string, typeName: string): ResourceKind | undefined {
    return this.tops.get(`${namespace}/${typeName}`.toLowerCase());
  }

  child(
    namespace: string,
    typeName: string,
    segment: string,
  ): { kind: ResourceKind; spec: ChildSpec } | undefined {
    const kind = this.top(namespace, typeName);
    const spec = kind?.children.find((c) => c.segment.toLowerCase() === segment.toLowerCase());
    return kind && spec ? { kind, spec } : undefined;
  }

  /** The kind of a full type (`Microsoft.Network/virtualNetworks`), top-level only. */
  byType(type: string): ResourceKind | undefined {
    const slash = type.indexOf("/");
    return slash < 0 ? undefined : this.top(type.slice(0, slash), type.slice(slash + 1));
  }

  locationHandler(namespace: string, segment: string): LocationHandler | undefined {
    return this.locations.get(`${namespace}/${segment}`.toLowerCase());
  }

  /** Canonical casing of a served namespace, or undefined. */
  namespaceName(namespace: string): string | undefined {
    return this.namespaceVersions.get(namespace.toLowerCase())?.name;
  }

  namespaceApiVersions(namespace: string): readonly string[] {
    return this.namespaceVersions.get(namespace.toLowerCase())?.apiVersions ?? [];
  }

  namespaces(): string[] {
    return [...this.namespaceVersions.values()].map((n) => n.name);
  }

  all(): ResourceKind[] {
    return [...this.tops.values()];
  }

  /** Location segments served for a namespace (for the providers list). */
  locationSegments(namespace: string): string[] {
    const prefix = `${namespace.toLowerCase()}/`;
    return [...this.locations.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }
}
