/**
 * What one evaluation pass records and hands between its steps (src/engine/evaluate.ts): the
 * lazy trace (one closure per step / blocker, rendered on first read by src/engine/lazy-list.ts),
 * the resolved destination and the egress that reaches it.
 */
import type { Address } from "../model/ip.js";
import { formatAddress } from "../model/ip.js";
import { nameOfId } from "../model/resource-id.js";
import { tagRegionSuffix } from "../model/catalog/regions.js";
import type { ServiceResourceInfo } from "./snapshot.js";
import type { Blocker, Step } from "./types.js";
import type { Thunk } from "./lazy-list.js";

/** The trace as it is recorded: one closure per step / blocker, rendered on first read. */
export interface Trace {
  steps: Array<Thunk<Step>>;
  /** Every thunk yields at least one blocker, so `blockers.length === 0` ⇔ no blocker. */
  blockers: Array<Thunk<Blocker>>;
}

export interface Destination {
  address: Address;
  /** `address` as text, when already known. */
  text?: string;
  service?: ServiceResourceInfo;
  endpoint?: string;
}

/** What leaves Azure's network (or arrives from outside) towards the destination. */
export interface Egress {
  /** Addresses the destination may see (two for an ExpressRoute public-peering NAT pair). */
  addresses: Address[];
  /** `addresses[0]` as text, when already known. */
  firstText?: string;
  subnetId?: string;
  /** `subnetId`'s key (lower-cased), when known. */
  subnetKey?: string;
  viaEndpoint: boolean;
  nextHopType: string;
  /** An Azure VM's traffic (for Storage's same-region rule, SE-SRC-5). */
  azureRegion?: string;
  privateAddress?: Address;
  privateText?: string;
  /** The Azure subnet the flow last left from (for wording fixes), with or without an endpoint. */
  callerSubnetId?: string;
}

export const nsgName = nameOfId;

/** The service tag naming a destination, for fixes (`Storage.WestUS`), or the address itself. */
export function destinationExpression(dst: Destination): string {
  if (dst.service) {
    const suffix = tagRegionSuffix(dst.service.location);
    const tag = dst.service.kind.serviceTag;
    return suffix ? `${tag}.${suffix}` : tag;
  }
  return dst.text ?? formatAddress(dst.address);
}
