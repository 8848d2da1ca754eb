/**
 * The explicit registry of what the control plane serves (STYLE §6.3): namespaces with the
 * api-versions they advertise, top-level kinds (children hang off them), and location-scoped
 * handlers. docs/arm-api.md lists the same operations.
 */
import {
  AUTHORIZATION_API_VERSIONS,
  CLASSIC_NETWORK_API_VERSIONS,
  COMPUTE_API_VERSIONS,
  NETWORK_API_VERSIONS,
  RESOURCES_API_VERSIONS,
} from "./api-versions.js";
import { withDiagnosticResults, withDiagnosticStatus } from "./diagnostics/operations.js";
import { KindRegistry } from "./kinds.js";
import { addServiceProviders } from "./service-catalog.js";
import { addGenericTypes } from "./providers/generic/generic.js";
import {
  availableEndpointServicesHandler,
  operationResultsHandler,
  operationsHandler,
  serviceTagsHandler,
} from "./providers/network/locations.js";
import { classicVirtualNetworks } from "./providers/classic-network/virtual-networks.js";
import { availabilitySets } from "./providers/compute/availability-sets.js";
import { virtualMachines } from "./providers/compute/virtual-machines.js";
import { expressRouteCircuits } from "./providers/network/express-route-circuits.js";
import { connections, localNetworkGateways, virtualNetworkGateways } from "./providers/network/gateways.js";
import { networkInterfaces } from "./providers/network/network-interfaces.js";
import { networkSecurityGroups } from "./providers/network/network-security-groups.js";
import { networkWatchers } from "./providers/network/network-watchers.js";
import { publicIpAddresses } from "./providers/network/public-ip-addresses.js";
import { applicationSecurityGroups } from "./providers/network/application-security-groups.js";
import { routeTables } from "./providers/network/route-tables.js";
import { serviceEndpointPolicies } from "./providers/network/service-endpoint-policies.js";
import { virtualNetworks } from "./providers/network/virtual-networks.js";

export function defaultKinds(): KindRegistry {
  const r = new KindRegistry()
    .namespace("Microsoft.Resources", RESOURCES_API_VERSIONS)
    .namespace("Microsoft.Network", NETWORK_API_VERSIONS)
    .namespace("Microsoft.Compute", COMPUTE_API_VERSIONS)
    .namespace("Microsoft.ClassicNetwork", CLASSIC_NETWORK_API_VERSIONS)
    // Role assignments and definitions: extension resources routed before the kinds (providers/authorization/routes.ts).
    .namespace("Microsoft.Authorization", AUTHORIZATION_API_VERSIONS);
  for (const kind of [
    virtualNetworks,
    networkSecurityGroups,
    applicationSecurityGroups,
    routeTables,
    publicIpAddresses,
    networkInterfaces,
    serviceEndpointPolicies,
    localNetworkGateways,
    virtualNetworkGateways,
    connections,
    expressRouteCircuits,
    networkWatchers,
    virtualMachines,
    availabilitySets,
    classicVirtualNetworks,
  ]) {
    r.add(kind);
  }
  // Network operations also answer the long-running diagnostic POSTs' results (src/arm/diagnostics/operations.ts).
  r.location("Microsoft.Network", "operations", withDiagnosticStatus(operationsHandler))
    .location("Microsoft.Network", "operationResults", withDiagnosticResults(operationResultsHandler))
    .location(
      "Microsoft.Network",
      "virtualNetworkAvailableEndpointServices",
      availableEndpointServicesHandler,
    )
    .location("Microsoft.Network", "serviceTags", serviceTagsHandler)
    .location("Microsoft.Compute", "operations", operationsHandler)
    .location("Microsoft.Compute", "operationResults", operationResultsHandler);
  addServiceProviders(r);
  // Types served generically, not modelled (providers/generic; docs/templates.md lists them).
  addGenericTypes(r);
  return r;
}
