/**
 * Microsoft.Network/routeTables with routes (inline and as child resources), SE-RES-3,
 * SE-ROUTE-1..3. Route rules as the network RP applies them: `addressPrefix` a valid CIDR
 * (InvalidCIDRNotation / InvalidAddressPrefixFormat), `nextHopType` one of the user hop
 * types (`VirtualNetworkServiceEndpoint` and `VNetPeering` are system-only), and
 * `nextHopIpAddress` given with `VirtualAppliance` and only with it.
 *
 * Limitations: service tags as `addressPrefix` (2021+) are refused as invalid prefixes.
 */
import { ArmErrors } from "../../../model/errors.js";
import { formatPrefix, parseAddress, parsePrefixStrict } from "../../../model/ip.js";
import { ROUTE_TABLE_TYPE, ROUTE_TYPE, USER_NEXT_HOP_TYPES } from "../../../model/resources/route-table.js";
import { prepareChildren } from "../../children.js";
import type { ChildSpec, ResourceKind } from "../../kinds.js";
import { backRefs } from "../../refs.js";
import { boolAt, stringAt } from "../../validate.js";
import { tracked } from "../common.js";

export const ROUTES_SPEC: ChildSpec = { segment: "routes", type: ROUTE_TYPE, property: "routes" };

export const routeTables: ResourceKind = {
  namespace: "Microsoft.Network",
  typeName: "routeTables",
  type: ROUTE_TABLE_TYPE,
  lro: "network",
  location: "required",
  children: [ROUTES_SPEC],
  serverOwned: ["subnets"],
  async prepare(ctx, input, existing) {
    const routes = await prepareChildren(ctx, {
      parentId: input.id,
      spec: ROUTES_SPEC,
      input: input.properties.routes,
      existingParent: existing,
      path: "properties.routes",
      build: ({ id, name, properties }) => {
        const path = `properties.routes[${name}].properties`;
        const prefixText = stringAt(properties.addressPrefix, `${path}.addressPrefix`);
        if (prefixText === undefined) throw ArmErrors.invalidAddressPrefixFormat("(none)");
        const prefix = parsePrefixStrict(prefixText, id);
        const hopText = stringAt(properties.nextHopType, `${path}.nextHopType`) ?? "";
        const hop = USER_NEXT_HOP_TYPES.find((h) => h.toLowerCase() === hopText.trim().toLowerCase());
        if (!hop) throw ArmErrors.routeNextHopTypeNotAllowed(name, hopText);
        const ip = stringAt(properties.nextHopIpAddress, `${path}.nextHopIpAddress`);
        const out: Record<string, unknown> = {
          ...properties,
          addressPrefix: formatPrefix(prefix),
          nextHopType: hop,
        };
        if (hop === "VirtualAppliance") {
          if (ip === undefined || ip.trim() === "") throw ArmErrors.routeNextHopIpAddressRequired(name);
          parseAddress(ip);
          out.nextHopIpAddress = ip.trim();
        } else if (ip !== undefined && ip.trim() !== "") {
          throw ArmErrors.routeNextHopIpAddressNotAllowed(name, hop);
        } else {
          delete out.nextHopIpAddress;
        }
        out.provisioningState = "Succeeded";
        return out;
      },
    });
    return tracked(input, existing, ROUTE_TABLE_TYPE, {
      ...input.properties,
      routes,
      disableBgpRoutePropagation:
        boolAt(input.properties.disableBgpRoutePropagation, "properties.disableBgpRoutePropagation") ?? false,
      provisioningState: "Succeeded",
    });
  },
  beforeDelete(_ctx, rt) {
    const users = backRefs(rt, "subnets");
    if (users.length > 0) throw ArmErrors.inUseRouteTableCannotBeDeleted(rt.id, users);
  },
};
