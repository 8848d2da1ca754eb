/**
 * Vocabulary of the service firewalls (SE-ACL-1, 5, 7, 8, 9). Re-exported by `./index.ts`.
 */
import type { Address } from "../../model/ip.js";
import type { ArmResource } from "../../model/resources/common.js";
import type { ServiceError } from "../types.js";

export interface FirewallInput {
  /** The (normalized) service resource. */
  resource: ArmResource;
  /**
   * Its child rule resources (SQL-family virtualNetworkRules / firewallRules, Service Bus and
   * Event Hubs networkRuleSets, Data Lake Store virtualNetworkRules / firewallRules). May be empty
   * when the rules are inline; other children (queues, databases, …) are ignored.
   */
  children: ArmResource[];
  /** The address the service sees: private when the request came over an endpoint, public otherwise. */
  sourceAddress: Address;
  /**
   * Subnet identity, present only when the request arrived over a service endpoint for this
   * resource's service (the caller has already checked the endpoint covers the resource's region).
   */
  subnetId?: string;
  /** Optional: `subnetId`'s lower-cased key (`idKey`), when the caller already has it. */
  subnetKey?: string;
  /** Does that subnet CURRENTLY exist and carry the endpoint? Stale rules match nothing (SE-ACL-8). */
  subnetHasEndpoint: (subnetId: string) => boolean;
  /** The source is an Azure public address (SQL / Cosmos / ADLS "allow Azure" switches). */
  fromAzure: boolean;
  /**
   * Storage SE-SRC-5: a same-region Azure caller reaches the account from a private Azure
   * address, so IP rules never match it.
   */
  sameRegionAzure: boolean;
  /** A trusted Microsoft service (Storage / Key Vault `bypass: AzureServices`, SB/EH trustedServiceAccessEnabled). */
  trustedService: boolean;
  /**
   * Optional: the subnet the caller sits in even when the request did NOT arrive over an endpoint
   * (no endpoint for this service, or its region not covered). Only used to word fixes
   * ("turn on the endpoint on subnet X and add a VNet rule for it"); never matched against rules.
   */
  callerSubnetId?: string;
  /** SE-SCN-4: VM disk IO is never subject to Storage network rules. */
  purpose: "rest" | "disk";
  /**
   * Optional: the caller's identity as Key Vault prints it in `ForbiddenByFirewall`
   * (`appid=…;oid=…;iss=…`). Defaults to an anonymous caller.
   */
  caller?: string;
  /** Optional: login user and database, for the PostgreSQL refusal text. */
  login?: { user?: string; database?: string };
}

export interface FirewallFix {
  /** The rule or field to change, named as the API names it. */
  rule?: string;
  /** Why this request is refused, as far as this fix is concerned. */
  reason: string;
  /** The change, in words. */
  fix: string;
}

export interface FirewallResult {
  allowed: boolean;
  /**
   * The rule that admitted, or the reason it refused, named as the API names it:
   * `networkAcls.virtualNetworkRules[0]`, `networkAcls.defaultAction`, `virtualNetworkRules/rule1`,
   * `firewallRules/AllowAllWindowsAzureIps`, `ipRangeFilter`, `bypass`, …
   */
  rule?: string;
  /** One sentence for people. */
  detail: string;
  /** The service's real data-plane refusal when denied. */
  error?: ServiceError;
  /** When denied: the smallest change(s) that would let THIS request in, most natural first. */
  fixes: FirewallFix[];
}
