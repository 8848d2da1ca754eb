/**
 * What every service resource provider checks when a write names subnets in VNet rules
 * (SE-ACL-2..6, SE-REG-1..4, SE-RES-5), in one place; each provider only says how its API
 * words a refusal (`RuleContext.refuse`).
 *
 * For each rule a write adds (rules already stored with the same subnet are kept as they are,
 * stale state included: SE-ACL-8):
 *   1. the id must be a subnet id (`LinkedInvalidPropertyId` or the service's form);
 *   2. the caller needs `joinViaServiceEndpoint` on every named subnet, in the same tenant
 *      (SE-ACL-3, SE-ACL-4): the authorization seam decides, this module only asks;
 *   3. classic subnets are refused (SE-RES-5), then missing VNets/subnets;
 *   4. the subnet's region must suit the service (Sql family and ADLS: the resource's region;
 *      Storage: the region or its pair; others: any) — SE-REG-1..4;
 *   5. unless the API's `ignoreMissingVnetServiceEndpoint` is set: a subnet that is `Updating`
 *      is refused (`SubnetsNotProvisioned`), then one without the service's endpoint
 *      (`SubnetsHaveNoServiceEndpointsConfigured`, SE-ACL-2). The network RP's sentences are
 *      built here; each service wraps them in its own code.
 *
 * Also here: the deterministic public address of a service resource (the engine's, reused).
 */
import { Snapshot } from "../engine/snapshot.js";
import type { EndpointService } from "../model/catalog/endpoint-services.js";
import {
  endpointServiceForResourceType,
  ruleRegionAllowed,
  ruleLimitsFor,
  type RuleLimits,
} from "../model/catalog/endpoint-services.js";
import { normalizeRegion, pairOf } from "../model/catalog/regions.js";
import type { ServiceTagCatalog } from "../model/catalog/service-tags.js";
import { formatAddress } from "../model/ip.js";
import type { ArmResource } from "../model/resources/common.js";
import { idKey, parseResourceId, tryParseResourceId } from "../model/resource-id.js";
import { authorizeSubnetJoin } from "./authz.js";
import type { Ctx } from "./context.js";
import { resourceOf, topLevelOf } from "./documents.js";
import { updatingKeys } from "./lro.js";
import { findChild } from "./refs.js";

/** What a rule's subnet looks like right now. */
export interface SubnetFacts {
  /** The id as the rule wrote it. */
  id: string;
  key: string;
  name: string;
  vnetId: string;
  classic: boolean;
  vnetExists: boolean;
  exists: boolean;
  /** The VNet's region (programmatic name). */
  region?: string;
  /** Lower-cased endpoint service names on the subnet. */
  endpoints: ReadonlySet<string>;
  /** A running operation reports the subnet `Updating`. */
  updating: boolean;
}

/** The network RP's refusal codes, as the services quote them. */
export type NrpCode = "SubnetsHaveNoServiceEndpointsConfigured" | "SubnetsNotProvisioned" | "SubnetsNotFound";

export type RuleRefusal =
  /** Not a subnet id at all. */
  | { kind: "malformed"; index: number; path: string; id: string }
  /** The network RP refused subnets of one VNet; `message` is its sentence (ending with a period). */
  | { kind: "nrp"; code: NrpCode; message: string; vnetId: string; subnets: SubnetFacts[] }
  /** The subnet's region does not suit the service (SE-REG). `allowed` = regions that would. */
  | { kind: "region"; subnet: SubnetFacts; resourceRegion: string; allowed: string[] };

export interface RuleContext {
  /** Type of the service resource (`Microsoft.Storage/storageAccounts`): picks the endpoint service and limits. */
  resourceType: string;
  resourceId: string;
  resourceRegion: string;
  /** The write's action, for the linked authorization (`Microsoft.Storage/storageAccounts/write`). */
  action: string;
  /** The service's error for a refusal (an ArmError, or a provider's deferred failure). */
  refuse(r: RuleRefusal): Error;
}

export interface VnetRuleInput {
  subnetId: unknown;
  /** Where the id sits in the body (`properties.virtualNetworkSubnetId`, `networkAcls.virtualNetworkRules[0].id`). */
  path: string;
  /** The API's `ignoreMissingVnetServiceEndpoint` (Cosmos: `ignoreMissingVNetServiceEndpoint`). */
  ignoreMissingEndpoint?: boolean;
  /** False for a rule already stored with this subnet: authorized again, not re-validated. */
  isNew: boolean;
}

/** The endpoint service a resource type's rules need (`Microsoft.DBforMySQL/servers` → Microsoft.Sql). */
export function endpointServiceOf(resourceType: string): EndpointService {
  const s = endpointServiceForResourceType(resourceType);
  if (!s) throw new Error(`no endpoint service for ${resourceType}`);
  return s;
}

/** Rule limits of a resource type (SE-ACL-6, SE-LIM-1: the one catalog in endpoint-services.ts). */
export function limitsOf(resourceType: string): RuleLimits {
  const l = ruleLimitsFor(resourceType);
  if (!l) throw new Error(`no rule limits for ${resourceType}`);
  return l;
}

const SUBNET_TYPES = ["virtualnetworks", "subnets"];

/** True when `id` names a subnet of an ARM (`Microsoft.Network`) or classic (`Microsoft.ClassicNetwork`) VNet. */
export function isSubnetId(id: unknown): id is string {
  if (typeof id !== "string") return false;
  const p = tryParseResourceId(id);
  if (!p || p.subscriptionId === undefined || p.resourceGroup === undefined || p.namespace === undefined)
    return false;
  const ns = p.namespace.toLowerCase();
  return (
    (ns === "microsoft.network" || ns === "microsoft.classicnetwork") &&
    p.types.map((t) => t.toLowerCase()).join("/") === SUBNET_TYPES.join("/")
  );
}

/** Reads a (well-formed) subnet id's VNet and subnet as a GET would show them now. */
export async function subnetFacts(ctx: Ctx, id: string): Promise<SubnetFacts> {
  const parsed = parseResourceId(id);
  const top = topLevelOf(parsed);
  const vnet = resourceOf(await ctx.store.get(top.key));
  const classic = parsed.namespace!.toLowerCase() === "microsoft.classicnetwork";
  const subnet = vnet ? findChild(vnet, "subnets", parsed.names[1]!) : undefined;
  const eps = subnet?.properties?.serviceEndpoints;
  const endpoints = new Set<string>(
    Array.isArray(eps)
      ? eps
          .map((e) => String((e as { service?: unknown })?.service ?? "").toLowerCase())
          .filter((s) => s.length > 0)
      : [],
  );
  const updating = subnet !== undefined && (await updatingKeys(ctx, top.key)).has(parsed.key);
  const region =
    vnet?.location !== undefined
      ? (normalizeRegion(String(vnet.location)) ?? String(vnet.location).toLowerCase())
      : undefined;
  return {
    id,
    key: parsed.key,
    name: subnet?.name ?? parsed.names[1]!,
    vnetId: vnet?.id ?? top.text,
    classic,
    vnetExists: vnet !== undefined,
    exists: subnet !== undefined,
    ...(region !== undefined ? { region } : {}),
    endpoints,
    updating,
  };
}

// ---- The network RP's sentences (azure-facts Appendix A) ----

/** `Subnets a,b of virtual network {id} do not have ServiceEndpoints for {svc} resources configured. Add {svc} ...subnets.` */
export function noEndpointsSentence(service: string, names: readonly string[], vnetId: string): string {
  return `Subnets ${names.join(",")} of virtual network ${vnetId} do not have ServiceEndpoints for ${service} resources configured. Add ${service} to subnet's ServiceEndpoints collection before trying to ACL ${service} resources to these subnets.`;
}

export function notProvisionedSentence(names: readonly string[], vnetId: string): string {
  return `Cannot proceed with operation because subnets ${names.join(",")} of the virtual network ${vnetId} are not provisioned. They are in Updating state.`;
}

export function notFoundSentence(names: readonly string[], vnetId: string, vnetExists: boolean): string {
  return vnetExists
    ? `Virtual network ${vnetId} does not have subnets with names ${names.join(",")}.`
    : `Virtual network ${vnetId} was not found.`;
}

function classicSentence(service: string, names: readonly string[], vnetId: string): string {
  return `${noEndpointsSentence(service, names, vnetId)} Virtual network ${vnetId} is a classic (Microsoft.ClassicNetwork) virtual network: service endpoints exist only on Azure Resource Manager virtual networks (Microsoft.Network/virtualNetworks).`;
}

/** Groups facts by VNet (first VNet's group first, order kept). */
function byVnet(list: readonly SubnetFacts[]): SubnetFacts[][] {
  const groups = new Map<string, SubnetFacts[]>();
  for (const f of list) {
    const k = idKey(f.vnetId);
    const g = groups.get(k) ?? [];
    g.push(f);
    groups.set(k, g);
  }
  return [...groups.values()];
}

function nrp(code: NrpCode, message: string, subnets: SubnetFacts[]): RuleRefusal {
  return { kind: "nrp", code, message, vnetId: subnets[0]!.vnetId, subnets };
}

/** Regions whose subnets a resource in `resourceRegion` may name (for messages). */
export function allowedRegions(service: EndpointService, resourceRegion: string): string[] {
  if (service.regionScope === "any") return ["*"];
  const pair = service.regionScope === "pair" ? pairOf(resourceRegion) : undefined;
  return pair ? [resourceRegion, pair] : [resourceRegion];
}

/**
 * Checks the VNet rules of a write (see the module comment for the order). Throws the
 * service's refusal; returns the facts of the new rules' subnets.
 */
export async function checkVnetRules(
  ctx: Ctx,
  rc: RuleContext,
  rules: readonly VnetRuleInput[],
): Promise<SubnetFacts[]> {
  const service = endpointServiceOf(rc.resourceType);
  rules.forEach((r, index) => {
    if (!isSubnetId(r.subnetId))
      throw rc.refuse({ kind: "malformed", index, path: r.path, id: String(r.subnetId) });
  });
  const ids = [...new Map(rules.map((r) => [idKey(r.subnetId as string), r.subnetId as string])).values()];
  await authorizeSubnetJoin(ctx, rc.action, rc.resourceId, ids);

  const fresh = rules.filter((r) => r.isNew);
  const facts: Array<{ rule: VnetRuleInput; f: SubnetFacts }> = [];
  for (const rule of fresh) facts.push({ rule, f: await subnetFacts(ctx, rule.subnetId as string) });

  const classic = facts.filter((x) => x.f.classic).map((x) => x.f);
  if (classic.length > 0) {
    const g = byVnet(classic)[0]!;
    throw rc.refuse(
      nrp(
        "SubnetsHaveNoServiceEndpointsConfigured",
        classicSentence(
          service.name,
          g.map((f) => f.name),
          g[0]!.vnetId,
        ),
        g,
      ),
    );
  }
  const missing = facts.filter((x) => !x.f.exists).map((x) => x.f);
  if (missing.length > 0) {
    const g = byVnet(missing)[0]!;
    throw rc.refuse(
      nrp(
        "SubnetsNotFound",
        notFoundSentence(
          g.map((f) => f.name),
          g[0]!.vnetId,
          g[0]!.vnetExists,
        ),
        g,
      ),
    );
  }
  const resourceRegion = normalizeRegion(rc.resourceRegion) ?? rc.resourceRegion.toLowerCase();
  for (const { f } of facts) {
    if (f.region !== undefined && !ruleRegionAllowed(service, f.region, resourceRegion)) {
      throw rc.refuse({
        kind: "region",
        subnet: f,
        resourceRegion,
        allowed: allowedRegions(service, resourceRegion),
      });
    }
  }
  const strict = facts.filter((x) => !x.rule.ignoreMissingEndpoint).map((x) => x.f);
  const updating = strict.filter((f) => f.updating);
  if (updating.length > 0) {
    const g = byVnet(updating)[0]!;
    throw rc.refuse(
      nrp(
        "SubnetsNotProvisioned",
        notProvisionedSentence(
          g.map((f) => f.name),
          g[0]!.vnetId,
        ),
        g,
      ),
    );
  }
  const want = service.name.toLowerCase();
  const noEndpoint = strict.filter((f) => !f.endpoints.has(want));
  if (noEndpoint.length > 0) {
    const g = byVnet(noEndpoint)[0]!;
    throw rc.refuse(
      nrp(
        "SubnetsHaveNoServiceEndpointsConfigured",
        noEndpointsSentence(
          service.name,
          g.map((f) => f.name),
          g[0]!.vnetId,
        ),
        g,
      ),
    );
  }
  return facts.map((x) => x.f);
}

/** The region sentence services use when a subnet is outside the regions they accept (our wording). */
export function regionSentence(r: Extract<RuleRefusal, { kind: "region" }>, what: string): string {
  const allowed = r.allowed.join(" or ");
  return `Subnet ${r.subnet.name} of virtual network ${r.subnet.vnetId} is in region '${r.subnet.region}', but the ${what} is in '${r.resourceRegion}': its virtual network rules may only name subnets in ${allowed}.`;
}

/**
 * The public address a service resource answers on: drawn deterministically from its service
 * tag in its region, seeded by its id — exactly the engine's (Snapshot) choice, so DNS and
 * firewall decisions agree with what the control plane reports.
 */
export function servicePublicAddress(resource: ArmResource, catalog: ServiceTagCatalog): string | undefined {
  const info = new Snapshot([resource], { serviceTags: catalog }).service(resource.id);
  return info ? formatAddress(info.address) : undefined;
}
