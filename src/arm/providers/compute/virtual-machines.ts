/**
 * Microsoft.Compute/virtualMachines, minimally (SE-RES-3): location and the NICs of
 * `networkProfile` (each NIC's `virtualMachine` back reference; a NIC used by another VM
 * is refused with NicInUse), an optional availability set, and `vmId`. PUT and PATCH (merge)
 * are LROs like the network RP's; other properties round-trip untouched.
 *
 * Limitations: nothing runs; no power state, instance view, disks or OS profile validation.
 */
import { ArmErrors } from "../../../model/errors.js";
import { VM_TYPE } from "../../../model/resources/virtual-machine.js";
import type { Reference, ResourceKind } from "../../kinds.js";
import { arrayAt, objectAt, subResourceAt } from "../../validate.js";
import { guidOf, refTo, tracked } from "../common.js";

export const virtualMachines: ResourceKind = {
  namespace: "Microsoft.Compute",
  typeName: "virtualMachines",
  type: VM_TYPE,
  lro: "network",
  location: "required",
  children: [],
  serverOwned: [],
  patch: "merge",
  async prepare(ctx, input, existing) {
    const p = input.properties;
    const profile = objectAt(p.networkProfile, "properties.networkProfile");
    const nics = arrayAt(profile?.networkInterfaces, "properties.networkProfile.networkInterfaces") ?? [];
    const networkInterfaces = nics.map((n, i) => {
      const ref = subResourceAt(n, `properties.networkProfile.networkInterfaces[${i}]`);
      if (!ref)
        throw ArmErrors.linkedInvalidPropertyId(`properties.networkProfile.networkInterfaces[${i}].id`, "");
      const props = objectAt(
        (n as Record<string, unknown>).properties,
        `properties.networkProfile.networkInterfaces[${i}].properties`,
      );
      return props ? { id: ref.id, properties: props } : { id: ref.id };
    });
    const props: Record<string, unknown> = {
      ...p,
      vmId: guidOf(ctx, existing, "vmId"),
      provisioningState: "Succeeded",
    };
    if (profile) props.networkProfile = { ...profile, networkInterfaces };
    const avset = subResourceAt(p.availabilitySet, "properties.availabilitySet");
    if (avset) props.availabilitySet = avset;
    return tracked(input, existing, VM_TYPE, props);
  },
  references(vm) {
    const out: Reference[] = [];
    const nics =
      (vm.properties.networkProfile as { networkInterfaces?: unknown[] } | undefined)?.networkInterfaces ??
      [];
    nics.forEach((n, i) =>
      out.push(
        ...refTo(
          vm.id,
          n,
          `properties.networkProfile.networkInterfaces[${i}].id`,
          "Microsoft.Network/networkInterfaces",
          { name: "virtualMachine", single: true },
          (nic, user) => ArmErrors.nicInUse(nic, user),
        ),
      ),
    );
    out.push(
      ...refTo(
        vm.id,
        vm.properties.availabilitySet,
        "properties.availabilitySet.id",
        "Microsoft.Compute/availabilitySets",
        { name: "virtualMachines" },
      ),
    );
    return out;
  },
};
