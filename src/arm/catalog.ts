/**
 * The explicit registry of what the control plane serves (STYLE §6.3): namespaces with the
 * api-versions they advertise, top-level kinds (children hang off them), and location-scoped
 * handlers. docs/arm-api.md lists the same operations.
 */
import { CLASSIC_NETWORK_API_VERSIONS, COMPUTE_API_VERSIONS, NETWORK_API_VERSIONS, RESOURCES_API_VERSIONS } from "./api-versions.js";
import { KindRegistry } from "./kinds.js";
import {
  availableEndpointServicesHandler,
  operationResultsHandler,
  operationsHandler,
  serviceTagsHandler,
} from "./providers/network/locations.js";
import { virtualNetworks } from "./providers/network/virtual-networks.js";

export function defaultKinds(): KindRegistry {
  const r = new KindRegistry()
    .namespace("Microsoft.Resources", RESOURCES_API_VERSIONS)
    .namespace("Microsoft.Network", NETWORK_API_VERSIONS)
    .namespace("Microsoft.Compute", COMPUTE_API_VERSIONS)
    .namespace("Microsoft.ClassicNetwork", CLASSIC_NETWORK_API_VERSIONS);
  r.add(virtualNetworks);
  r.location("Microsoft.Network", "operations", operationsHandler)
    .location("Microsoft.Network", "operationResults", operationResultsHandler)
    .location("Microsoft.Network", "virtualNetworkAvailableEndpointServices", availableEndpointServicesHandler)
    .location("Microsoft.Network", "serviceTags", serviceTagsHandler)
    .location("Microsoft.Compute", "operations", operationsHandler)
    .location("Microsoft.Compute", "operationResults", operationResultsHandler);
  return r;
}
