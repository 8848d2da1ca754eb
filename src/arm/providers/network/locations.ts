/**
 * Location-scoped Microsoft.Network (and Microsoft.Compute) APIs:
 * - `locations/{loc}/operations/{id}` and `operationResults/{id}`: LRO status (lro.ts);
 * - `locations/{loc}/virtualNetworkAvailableEndpointServices` (SE-CFG-3): the endpoint
 *   services of the catalog, in Azure's order and shape;
 * - `locations/{loc}/serviceTags`: the loaded service-tag catalog in Azure's
 *   ServiceTagsListResult shape (the synthetic catalog unless `--service-tags` was given).
 */
import { ENDPOINT_SERVICES } from "../../../model/catalog/endpoint-services.js";
import { findRegion, serviceTagCodeOf } from "../../../model/catalog/regions.js";
import { ArmErrors } from "../../../model/errors.js";
import type { Ctx } from "../../context.js";
import type { LocationHandler } from "../../kinds.js";
import { operationResult, operationStatus } from "../../lro.js";

function requireOne(rest: string[], ctx: Ctx): string {
  if (rest.length !== 1) throw ArmErrors.routeNotFound(`${ctx.req.baseUrl}${ctx.req.path}`);
  return rest[0]!;
}

function requireNone(rest: string[], ctx: Ctx): void {
  if (rest.length !== 0) throw ArmErrors.routeNotFound(`${ctx.req.baseUrl}${ctx.req.path}`);
}

function regionOf(location: string, type: string): string {
  const r = findRegion(location);
  if (!r) throw ArmErrors.locationNotAvailableForResourceType(location, type);
  return r.name;
}

export const operationsHandler: LocationHandler = {
  methods: ["GET"],
  handle: (ctx, a) => operationStatus(ctx, a.subscriptionId, requireOne(a.rest, ctx)),
};

export const operationResultsHandler: LocationHandler = {
  methods: ["GET"],
  handle: (ctx, a) => operationResult(ctx, a.subscriptionId, requireOne(a.rest, ctx)),
};

export const availableEndpointServicesHandler: LocationHandler = {
  methods: ["GET"],
  async handle(ctx, a) {
    requireNone(a.rest, ctx);
    regionOf(a.location, "Microsoft.Network/locations/virtualNetworkAvailableEndpointServices");
    const value = ENDPOINT_SERVICES.map((s) => ({
      name: s.name,
      id: `/subscriptions/${a.subscriptionId}/providers/Microsoft.Network/virtualNetworkEndpointServices/${s.name}`,
      type: "Microsoft.Network/virtualNetworkEndpointServices",
    }));
    return { status: 200, body: { value } };
  },
};

export const serviceTagsHandler: LocationHandler = {
  methods: ["GET"],
  async handle(ctx, a) {
    requireNone(a.rest, ctx);
    regionOf(a.location, "Microsoft.Network/locations/serviceTags");
    const cat = ctx.deps.serviceTags;
    const change = String(cat.changeNumber);
    const values = cat.tags.map((t) => ({
      name: t.name,
      id: t.id,
      serviceTagChangeNumber: change,
      properties: {
        changeNumber: change,
        region: t.region === "" ? "" : (serviceTagCodeOf(t.region) ?? t.region),
        systemService: t.systemService,
        addressPrefixes: [...t.addressPrefixes],
        ...(t.networkFeatures ? { networkFeatures: [...t.networkFeatures] } : {}),
        state: "GA",
      },
    }));
    return {
      status: 200,
      body: {
        name: "Public",
        id: `/subscriptions/${a.subscriptionId}/providers/Microsoft.Network/serviceTags/Public`,
        type: "Microsoft.Network/serviceTags",
        changeNumber: change,
        cloud: cat.cloud,
        values,
      },
    };
  },
};
