/** Microsoft.Network/routeTables and routes. */
import type { ArmResource, ProvisioningState, SubResource } from "./common.js";

export const ROUTE_TABLE_TYPE = "Microsoft.Network/routeTables";
export const ROUTE_TYPE = "Microsoft.Network/routeTables/routes";

/** Next hop types a user route may name. */
export const USER_NEXT_HOP_TYPES = [
  "VirtualNetworkGateway",
  "VnetLocal",
  "Internet",
  "VirtualAppliance",
  "None",
] as const;

export interface RouteProperties {
  addressPrefix: string;
  nextHopType: string;
  nextHopIpAddress?: string;
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type Route = ArmResource<RouteProperties>;

export interface RouteTableProperties {
  routes?: Route[];
  subnets?: SubResource[];
  disableBgpRoutePropagation?: boolean;
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type RouteTable = ArmResource<RouteTableProperties>;
