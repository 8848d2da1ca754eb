/**
 * Microsoft.Network/networkWatchers (SE-RES-3): the resource itself. Its diagnostics
 * (ipFlowVerify, nextHop, ...) arrive with the diagnostics issue.
 */
import { ArmErrors } from "../../../model/errors.js";
import type { ResourceKind } from "../../kinds.js";
import { tracked } from "../common.js";

export const NETWORK_WATCHER_TYPE = "Microsoft.Network/networkWatchers";

export const networkWatchers: ResourceKind = {
  namespace: "Microsoft.Network",
  typeName: "networkWatchers",
  type: NETWORK_WATCHER_TYPE,
  lro: "sync",
  location: "required",
  children: [],
  serverOwned: [],
  async prepare(_ctx, input, existing) {
    return tracked(input, existing, NETWORK_WATCHER_TYPE, { ...input.properties, provisioningState: "Succeeded" });
  },
  actions: Object.fromEntries(
    ["ipflowverify", "nexthop", "securitygroupview", "connectivitycheck", "topology", "troubleshoot"].map((a) => [
      a,
      {
        methods: ["POST", "GET"],
        handle: async () => {
          throw ArmErrors.featureNotSupported(`the Network Watcher '${a}' action (diagnostics arrive in a later release)`);
        },
      },
    ]),
  ),
};
