/**
 * Microsoft.Network/serviceEndpointPolicies with serviceEndpointPolicyDefinitions (inline and
 * as child resources), SE-POL-1..2. A definition names a known endpoint service and the
 * scopes it allows (`/subscriptions/{s}`, a resource group, or a resource id). Subnets that
 * use the policy are listed in `subnets`; a policy in use cannot be deleted.
 */
import { findEndpointService } from "../../../model/catalog/endpoint-services.js";
import { ArmErrors } from "../../../model/errors.js";
import { POLICY_DEFINITION_TYPE, POLICY_TYPE } from "../../../model/resources/service-endpoint-policy.js";
import { tryParseResourceId } from "../../../model/resource-id.js";
import { prepareChildren } from "../../children.js";
import type { ChildSpec, ResourceKind } from "../../kinds.js";
import { backRefs } from "../../refs.js";
import { stringAt, stringArrayAt } from "../../validate.js";
import { guidOf, tracked } from "../common.js";

export const DEFINITIONS_SPEC: ChildSpec = {
  segment: "serviceEndpointPolicyDefinitions",
  type: POLICY_DEFINITION_TYPE,
  property: "serviceEndpointPolicyDefinitions",
};

export const serviceEndpointPolicies: ResourceKind = {
  namespace: "Microsoft.Network",
  typeName: "serviceEndpointPolicies",
  type: POLICY_TYPE,
  lro: "network",
  location: "required",
  children: [DEFINITIONS_SPEC],
  serverOwned: ["subnets"],
  async prepare(ctx, input, existing) {
    const definitions = await prepareChildren(ctx, {
      parentId: input.id,
      spec: DEFINITIONS_SPEC,
      input: input.properties.serviceEndpointPolicyDefinitions,
      existingParent: existing,
      path: "properties.serviceEndpointPolicyDefinitions",
      build: ({ name, properties }) => {
        const path = `properties.serviceEndpointPolicyDefinitions[${name}].properties`;
        const serviceText = stringAt(properties.service, `${path}.service`) ?? "";
        const service = findEndpointService(serviceText);
        if (!service)
          throw ArmErrors.invalidParameter(
            `Service endpoint policy definition ${name} names an unknown service '${serviceText}'.`,
            `${path}.service`,
          );
        const resources = stringArrayAt(properties.serviceResources, `${path}.serviceResources`) ?? [];
        resources.forEach((r, i) => {
          const id = tryParseResourceId(r);
          if (!id || id.subscriptionId === undefined)
            throw ArmErrors.linkedInvalidPropertyId(`${path}.serviceResources[${i}]`, r);
        });
        return {
          ...properties,
          service: service.name,
          serviceResources: resources,
          provisioningState: "Succeeded",
        };
      },
    });
    return tracked(input, existing, POLICY_TYPE, {
      ...input.properties,
      serviceEndpointPolicyDefinitions: definitions,
      resourceGuid: guidOf(ctx, existing),
      provisioningState: "Succeeded",
    });
  },
  beforeDelete(_ctx, policy) {
    const users = backRefs(policy, "subnets");
    if (users.length > 0) throw ArmErrors.inUseServiceEndpointPolicyCannotBeDeleted(policy.id, users);
  },
};
