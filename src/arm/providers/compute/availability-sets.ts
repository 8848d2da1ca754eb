/**
 * Microsoft.Compute/availabilitySets, minimally (the quickstart's `as1`): fault and update
 * domain counts, SKU, and the VMs in the set (`virtualMachines`, a back reference).
 * Synchronous like Azure's. A set that still holds VMs cannot be deleted.
 */
import { ArmErrors } from "../../../model/errors.js";
import type { ArmResource } from "../../../model/resources/common.js";
import type { ResourceKind } from "../../kinds.js";
import { backRefs } from "../../refs.js";
import { intAt } from "../../validate.js";
import { tracked } from "../common.js";

export const AVAILABILITY_SET_TYPE = "Microsoft.Compute/availabilitySets";

export const availabilitySets: ResourceKind = {
  namespace: "Microsoft.Compute",
  typeName: "availabilitySets",
  type: AVAILABILITY_SET_TYPE,
  lro: "sync",
  createdStatus: 200,
  location: "required",
  children: [],
  serverOwned: ["virtualMachines"],
  patch: "merge",
  async prepare(_ctx, input, existing) {
    const p = input.properties;
    const r = tracked(input, existing, AVAILABILITY_SET_TYPE, {
      ...p,
      platformFaultDomainCount: intAt(p.platformFaultDomainCount, "properties.platformFaultDomainCount") ?? 2,
      platformUpdateDomainCount:
        intAt(p.platformUpdateDomainCount, "properties.platformUpdateDomainCount") ?? 5,
    });
    if (r.sku === undefined) {
      const { properties, ...rest } = r;
      return { ...rest, sku: { name: "Classic" }, properties } as ArmResource;
    }
    return r;
  },
  beforeDelete(_ctx, set) {
    const vms = backRefs(set, "virtualMachines");
    if (vms.length > 0) throw ArmErrors.availabilitySetInUse(set.id, vms);
  },
};
