/** Microsoft.Network/serviceEndpointPolicies and their definitions (SE-POL-1..2). */
import type { ArmResource, ProvisioningState, SubResource } from "./common.js";

export const POLICY_TYPE = "Microsoft.Network/serviceEndpointPolicies";
export const POLICY_DEFINITION_TYPE =
  "Microsoft.Network/serviceEndpointPolicies/serviceEndpointPolicyDefinitions";

export interface ServiceEndpointPolicyDefinitionProperties {
  description?: string;
  service: string;
  serviceResources: string[];
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type ServiceEndpointPolicyDefinition = ArmResource<ServiceEndpointPolicyDefinitionProperties>;

export interface ServiceEndpointPolicyProperties {
  serviceEndpointPolicyDefinitions?: ServiceEndpointPolicyDefinition[];
  subnets?: SubResource[];
  resourceGuid?: string;
  provisioningState?: ProvisioningState;
  [k: string]: unknown;
}
export type ServiceEndpointPolicy = ArmResource<ServiceEndpointPolicyProperties>;
