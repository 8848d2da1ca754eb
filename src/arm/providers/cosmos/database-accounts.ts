/**
 * Microsoft.DocumentDB/databaseAccounts (SE-RES-4, azure-facts §1b.4): `isVirtualNetworkFilterEnabled`,
 * `virtualNetworkRules: [{ id, ignoreMissingVNetServiceEndpoint }]` (capital "VN"), and IP
 * filters as `ipRangeFilter` (one comma-separated string, 2019 api versions) and/or
 * `ipRules: [{ ipAddressOrRange }]` (2021+), both stored as given and both read by the firewall.
 *
 * - PUT answers 200 with the account and `Azure-AsyncOperation` (+ `Location`); until the
 *   operation completes the account reads `provisioningState: "Initializing"` (create) or
 *   `"Updating"`, in its locations too (CosmosDBDatabaseAccountCreateMax.json). PATCH likewise;
 *   DELETE answers 202.
 * - A new VNet rule on a subnet without `Microsoft.AzureCosmosDB` (or Updating, missing,
 *   classic) is NOT refused on the PUT: the operation fails, its status reads
 *   `{ status: "Failed", error: { code: "Conflict", message: "Database account creation failed. ...
 *   ErrorCode: SubnetsHaveNoServiceEndpointsConfigured ..." } }` and nothing is written
 *   (SE-ACL-2). `ignoreMissingVNetServiceEndpoint: true` stores the rule, which then matches
 *   nothing until the endpoint exists. Any region may be named (SE-REG-4).
 * - Malformed subnet ids (`LinkedInvalidPropertyId`), malformed IP entries and more than 64 VNet
 *   rules / 1000 IP entries (SE-ACL-6) are refused synchronously (400).
 *
 * Limitations: a failed create leaves no account (Azure may keep a Failed one briefly); the
 * limits' refusal wording is ours; keys, databases and containers are not served.
 */
import { ArmErrors, type ArmError } from "../../../model/errors.js";
import { parsePrefixDetailed } from "../../../model/ip.js";
import type { ArmResource } from "../../../model/resources/common.js";
import {
  COSMOS_ACCOUNT_TYPE,
  normalizeCosmosAccount,
  parseIpRangeFilter,
} from "../../../model/resources/cosmos-db.js";
import { idKey } from "../../../model/resource-id.js";
import type { Ctx } from "../../context.js";
import { clone, isObject } from "../../documents.js";
import type { ResourceKind } from "../../kinds.js";
import { DeferredFailure, serveService } from "../../service-pipeline.js";
import { checkVnetRules, limitsOf, type RuleRefusal } from "../../service-rules.js";
import { arrayAt, boolAt, intAt, objectAt, stringAt } from "../../validate.js";
import { locationFor, tracked } from "../common.js";

const COMPUTED = [
  "provisioningState",
  "documentEndpoint",
  "readLocations",
  "writeLocations",
  "failoverPolicies",
];

function validIpEntry(text: string): boolean {
  // Cosmos takes host bits as given (`13.91.6.1/24` in CosmosDBDatabaseAccountCreateMax.json).
  const r = parsePrefixDetailed(text.trim());
  const prefix = r.ok ? r.prefix : r.reason === "hostBits" ? r.normalized : undefined;
  return prefix?.family === 4;
}

/** The account as the RP shows it while an operation of `phase` runs. */
export function cosmosViewWhile(resource: ArmResource, phase: "create" | "update"): ArmResource {
  const state = phase === "create" ? "Initializing" : "Updating";
  const p = resource.properties;
  p.provisioningState = state;
  for (const k of ["locations", "readLocations", "writeLocations"]) {
    const list = p[k];
    if (Array.isArray(list)) for (const l of list) if (isObject(l)) l.provisioningState = state;
  }
  return resource;
}

/** The Conflict the operation status reports when the network RP refuses the account's rules. */
function conflictFor(
  ctx: Ctx,
  created: boolean,
  r: Extract<RuleRefusal, { kind: "nrp" }>,
  operationId: string,
): ArmError {
  const activityId = ctx.deps.ids.guid();
  return ArmErrors.conflict(
    `Database account ${created ? "creation" : "update"} failed. Operation Id: ${operationId}, Error : Error encountered calling networking RP. ` +
      `StatusCode: BadRequest, ErrorCode: ${r.code}, ErrorMessage: NRP ARM exception, ErrorCode: ${r.code}, ErrorMessage: ${r.message}\r\nActivityId: ${activityId}`,
  );
}

function ipEntries(props: Record<string, unknown>): void {
  const filter = stringAt(props.ipRangeFilter, "properties.ipRangeFilter");
  const rules = arrayAt(props.ipRules, "properties.ipRules") ?? [];
  const entries: Array<{ text: string; path: string }> = parseIpRangeFilter(filter).map((text) => ({
    text,
    path: "properties.ipRangeFilter",
  }));
  rules.forEach((r, i) => {
    const text = isObject(r) ? r.ipAddressOrRange : undefined;
    entries.push({
      text: typeof text === "string" ? text : String(text),
      path: `properties.ipRules[${i}].ipAddressOrRange`,
    });
  });
  const limit = limitsOf(COSMOS_ACCOUNT_TYPE).ipRules;
  if (entries.length > limit)
    throw ArmErrors.badRequest(
      `The account's IP filter has ${entries.length} entries; at most ${limit} are allowed.`,
    );
  for (const e of entries) {
    if (!validIpEntry(e.text))
      throw ArmErrors.badRequest(
        `Invalid IP address or range '${e.text}' at '${e.path}'. Specify IPv4 addresses or CIDR ranges.`,
      );
  }
}

export const databaseAccounts: ResourceKind = {
  namespace: "Microsoft.DocumentDB",
  typeName: "databaseAccounts",
  type: COSMOS_ACCOUNT_TYPE,
  lro: "network",
  location: "required",
  children: [],
  serverOwned: [],
  patch: "merge",
  createdStatus: 200,
  async prepare(ctx, input, existing) {
    const location = locationFor(input, existing, COSMOS_ACCOUNT_TYPE);
    const props: Record<string, unknown> = { ...input.properties };
    for (const k of COMPUTED) delete props[k];
    const locationsIn = arrayAt(props.locations, "properties.locations");
    if (locationsIn)
      props.locations = locationsIn.map((l, i) => {
        const o = objectAt(l, `properties.locations[${i}]`);
        if (!o)
          throw ArmErrors.invalidRequestFormat(
            `Cannot parse the request. The value at 'properties.locations[${i}]' must be an object.`,
          );
        stringAt(o.locationName, `properties.locations[${i}].locationName`);
        intAt(o.failoverPriority, `properties.locations[${i}].failoverPriority`);
        return { ...o, provisioningState: undefined, id: undefined };
      });
    boolAt(props.isVirtualNetworkFilterEnabled, "properties.isVirtualNetworkFilterEnabled");
    ipEntries(props);
    const rulesIn = arrayAt(props.virtualNetworkRules, "properties.virtualNetworkRules") ?? [];
    const limit = limitsOf(COSMOS_ACCOUNT_TYPE).virtualNetworkRules;
    if (rulesIn.length > limit)
      throw ArmErrors.badRequest(
        `The account has ${rulesIn.length} virtual network rules; at most ${limit} are allowed.`,
      );
    const stored = new Set(
      ((existing?.properties?.virtualNetworkRules as Array<{ id?: unknown }> | undefined) ?? []).flatMap(
        (r) => (typeof r?.id === "string" ? [idKey(r.id)] : []),
      ),
    );
    const rules = rulesIn.map((e, i) => {
      const o: Record<string, unknown> = isObject(e) ? { ...e } : {};
      const flag = boolAt(
        o.ignoreMissingVNetServiceEndpoint ?? o.ignoreMissingVnetServiceEndpoint,
        `properties.virtualNetworkRules[${i}].ignoreMissingVNetServiceEndpoint`,
      );
      delete o.ignoreMissingVnetServiceEndpoint;
      return { ...o, ignoreMissingVNetServiceEndpoint: flag ?? false } as Record<string, unknown> & {
        ignoreMissingVNetServiceEndpoint: boolean;
      };
    });
    props.virtualNetworkRules = rules;
    const shown = normalizeCosmosAccount(
      tracked(input, existing, COSMOS_ACCOUNT_TYPE, { ...props, provisioningState: "Succeeded" }),
    ) as ArmResource;
    const created = existing === undefined;
    await checkVnetRules(
      ctx,
      {
        resourceType: COSMOS_ACCOUNT_TYPE,
        resourceId: input.id,
        resourceRegion: location,
        action: "Microsoft.DocumentDB/databaseAccounts/write",
        refuse: (r) => {
          if (r.kind === "malformed") return ArmErrors.linkedInvalidPropertyId(r.path, r.id);
          if (r.kind === "region")
            return ArmErrors.badRequest(`Subnet ${r.subnet.id} cannot be used by this account.`);
          const view = cosmosViewWhile(clone(shown), created ? "create" : "update");
          return new DeferredFailure((operationId) => conflictFor(ctx, created, r, operationId), view);
        },
      },
      rules.map((r, i) => ({
        subnetId: r.id,
        path: `properties.virtualNetworkRules[${i}].id`,
        ignoreMissingEndpoint: r.ignoreMissingVNetServiceEndpoint,
        isNew: typeof r.id !== "string" || !stored.has(idKey(r.id)),
      })),
    );
    return shown;
  },
};
databaseAccounts.serve = serveService({ answer: "cosmos", viewWhile: cosmosViewWhile });
