/** Microsoft.Compute/virtualMachines, minimally: location and NIC references. */
import type { ArmResource, SubResource } from "./common.js";

export const VM_TYPE = "Microsoft.Compute/virtualMachines";

export interface VirtualMachineProperties {
  networkProfile?: { networkInterfaces?: Array<SubResource & { properties?: { primary?: boolean } }> };
  hardwareProfile?: { vmSize?: string };
  provisioningState?: string;
  [k: string]: unknown;
}
export type VirtualMachine = ArmResource<VirtualMachineProperties>;
