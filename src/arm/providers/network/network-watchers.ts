/**
 * Microsoft.Network/networkWatchers (SE-RES-3): the resource itself, and its diagnostics
 * (ipFlowVerify, nextHop, securityGroupView, networkConfigurationDiagnostic, connectivityCheck)
 * answered by the engine in src/arm/diagnostics/network-watcher.ts. Topology and
 * troubleshooting are not implemented (FeatureNotSupported).
 */
import { ArmErrors } from "../../../model/errors.js";
import { networkWatcherActions } from "../../diagnostics/network-watcher.js";
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
    return tracked(input, existing, NETWORK_WATCHER_TYPE, {
      ...input.properties,
      provisioningState: "Succeeded",
    });
  },
  actions: {
    ...Object.fromEntries(
      ["topology", "troubleshoot", "querytroubleshootresult"].map((a) => [
        a,
        {
          methods: ["POST", "GET"],
          handle: async () => {
            throw ArmErrors.featureNotSupported(`the Network Watcher '${a}' action`);
          },
        },
      ]),
    ),
    ...networkWatcherActions,
  },
};
