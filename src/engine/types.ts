/**
 * The engine's vocabulary: flows in, decisions with their trace out. Closed sets of
 * `kind` strings, each documented in docs/dispositions.md.
 */

/** Where a flow starts. */
export type FlowSource =
  /** A network interface (optionally one of its IP configurations by name). */
  | { kind: "nic"; nicId: string; ipConfiguration?: string }
  /** A virtual machine: its primary NIC. */
  | { kind: "vm"; vmId: string }
  /** An on-premises host entering Azure through an ExpressRoute circuit or a local network gateway. */
  | { kind: "onprem"; address: string; via: string }
  /** Any host on the internet. */
  | { kind: "internet"; address: string };

/** Where a flow goes. */
export type FlowDestination =
  /** A service resource by id; `endpoint` picks one of its endpoints (`blob`, `dfs`, …). */
  | { kind: "resource"; resourceId: string; endpoint?: string }
  /** A host name, resolved through the emulated public DNS (SE-SRC-4). */
  | { kind: "host"; host: string }
  /** A literal address. */
  | { kind: "ip"; address: string };

export type Protocol = "Tcp" | "Udp";

export interface Flow {
  source: FlowSource;
  destination: FlowDestination;
  /** Destination port; defaults to the service's usual port (443 for most, 1433 for SQL, …). */
  port?: number;
  protocol?: Protocol;
  sourcePort?: number;
  /**
   * What the request is, for services where that matters: `disk` marks VM disk IO, which
   * Storage network rules never affect (SE-SCN-4); `rest` (default) is an ordinary API call.
   */
  purpose?: "rest" | "disk";
}

export type Verdict = "Allowed" | "Denied";

/** The kinds of step a trace can hold, in the order they occur on a path. */
export type StepKind =
  | "Source"
  | "Dns"
  | "Route"
  | "NetworkSecurityGroup"
  | "ServiceEndpoint"
  | "ServiceEndpointPolicy"
  | "SourceAddress"
  | "VirtualAppliance"
  | "OnPremises"
  | "ServiceFirewall";

export type StepResult = "Allowed" | "Denied" | "Info";

export interface Step {
  kind: StepKind;
  result: StepResult;
  /** The resource that decided (or was consulted), when one did. */
  resourceId?: string;
  /** The rule that decided, as Azure names it (`securityRules/x`, `defaultSecurityRules/DenyAllOutBound`, `virtualNetworkRules[0]`, …). */
  rule?: string;
  /** One line for people; renderers may rephrase. */
  detail: string;
  /** Machine-readable facts of the step (next hop, prefixes, addresses …). */
  data?: Record<string, unknown>;
}

export type BlockerKind =
  | "Route"
  | "NetworkSecurityGroup"
  | "ServiceEndpoint"
  | "ServiceEndpointPolicy"
  | "ServiceFirewall"
  | "Region"
  | "Source"
  | "Dns";

export interface Blocker {
  kind: BlockerKind;
  resourceId?: string;
  rule?: string;
  /** Why it blocks. */
  reason: string;
  /** The smallest change that would lift this blocker, in words. */
  fix: string;
}

/** A service's data-plane refusal, as the client sees it. */
export interface ServiceError {
  /** HTTP status (403 for REST services); absent for TDS (SQL family) errors. */
  status?: number;
  code: string;
  message: string;
}

export interface Decision {
  decision: Verdict;
  /** The address the destination sees the request coming from. */
  sourceAddress: string;
  /** The private address of the source inside Azure, when it has one. */
  sourcePrivateAddress?: string;
  /** Subnet identity the service sees (with a service endpoint). */
  sourceSubnetId?: string;
  viaServiceEndpoint: boolean;
  /** Next hop type of the route that carried the flow out of the source (or `None`). */
  nextHopType: string;
  destinationAddress: string;
  destinationResourceId?: string;
  /** Endpoint service that covers the destination (`Microsoft.Storage`, …). */
  service?: string;
  protocol: Protocol;
  port: number;
  steps: Step[];
  blockers: Blocker[];
  error?: ServiceError;
}
