/**
 * The one error type of Lazurite. Every refusal, from the ARM control plane or the
 * model's validation, is an ArmError carrying Azure's HTTP status and error code.
 * Only the HTTP shell turns it into ARM's envelope `{ "error": { code, message, target?, details? } }`.
 *
 * Create errors through the named constructors in `ArmErrors` (one per code), so that
 * `docs/errors.md` can list every code (a test keeps the two equal).
 */
export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
  /** Inner errors (a deployment's failing resources, a nested deployment's own failures). */
  details?: ArmErrorDetail[];
}

/**
 * A request value as error text: strings as written, other values as JSON. Never throws, even
 * for values whose own conversion does (`{"toString": ""}`): bad input must not become a 500.
 */
export function textOf(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "bigint" || typeof v === "symbol") return v.toString();
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

export class ArmError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target?: string;
  readonly details?: ArmErrorDetail[];
  /** Extra headers an HTTP shell should send with the error (rare). */
  readonly headers?: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    opts: { target?: string; details?: ArmErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ArmError";
    this.status = status;
    this.code = code;
    if (opts.target !== undefined) this.target = opts.target;
    if (opts.details !== undefined) this.details = opts.details;
    if (opts.headers !== undefined) this.headers = opts.headers;
  }

  /** ARM's error envelope. */
  toBody(): { error: { code: string; message: string; target?: string; details?: ArmErrorDetail[] } } {
    const error: { code: string; message: string; target?: string; details?: ArmErrorDetail[] } = {
      code: this.code,
      message: this.message,
    };
    if (this.target !== undefined) error.target = this.target;
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

export function isArmError(e: unknown): e is ArmError {
  return e instanceof ArmError;
}

/**
 * Named constructors, one per ARM code. Add new codes here (and to docs/errors.md).
 */
export const ArmErrors = {
  invalidCidrNotation: (prefix: string, resourceId: string, normalized: string) =>
    new ArmError(
      400,
      "InvalidCIDRNotation",
      `The address prefix ${prefix} in resource ${resourceId} has an invalid CIDR notation. For the given prefix length, the address prefix should be ${normalized}.`,
    ),
  invalidAddressPrefixFormat: (prefix: string) =>
    new ArmError(400, "InvalidAddressPrefixFormat", `IP Prefix ${prefix} is invalid.`),
  invalidResourceId: (id: string) =>
    new ArmError(
      400,
      "InvalidResourceId",
      `Resource id '${id}' is invalid. A fully qualified resource id starting with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/' is expected.`,
    ),
  linkedInvalidPropertyId: (path: string, id: string) =>
    new ArmError(
      400,
      "LinkedInvalidPropertyId",
      `Property id '${id}' at path '${path}' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.`,
    ),
  invalidRequestFormat: (message: string) => new ArmError(400, "InvalidRequestFormat", message),
  invalidRequestContent: (message: string) => new ArmError(400, "InvalidRequestContent", message),
  badRequest: (message: string) => new ArmError(400, "BadRequest", message),
  /** A flow names a source or destination the snapshot does not hold. */
  flowEndpointNotFound: (what: "source" | "destination", ref: string) =>
    new ArmError(404, "ResourceNotFound", `The ${what} '${ref}' of the flow was not found.`),
  /** A flow that cannot be evaluated as given (bad address, unsupported source kind, …). */
  invalidFlow: (message: string) => new ArmError(400, "InvalidFlow", message),
  invalidParameter: (message: string, target?: string) =>
    new ArmError(400, "InvalidParameter", message, target !== undefined ? { target } : {}),

  // ---- Service resources and their firewalls (src/arm/providers/{storage,sql,cosmos,keyvault,...}) ----
  /** Storage: a network-ACL problem found by the network RP; `inner` is `{NrpCode}:{sentence}`. */
  networkAclsValidationFailure: (inner: string) =>
    new ArmError(400, "NetworkAclsValidationFailure", `Validation of network acls failure: ${inner}.`),
  /** Storage: an invalid request value (IP rule forms, rule limits); `parameter` as Storage names it. */
  invalidValuesForRequestParameters: (parameter: string) =>
    new ArmError(
      400,
      "InvalidValuesForRequestParameters",
      `Values for request parameters are invalid: ${parameter}. For more information, see - https://aka.ms/storagenetworkruleset`,
    ),
  accountNameInvalid: (name: string) =>
    new ArmError(
      400,
      "AccountNameInvalid",
      `${name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.`,
    ),
  /** Key Vault: the network RP refused the vault's VNet rules (`SubnetsHaveNoServiceEndpointsConfigured`, ...). */
  virtualNetworkNotValid: (nrpCode: string, nrpMessage: string) =>
    new ArmError(
      400,
      "VirtualNetworkNotValid",
      `Operation on Virtual Network could not be performed. StatusCode: 400 (BadRequest). Error Code: ${nrpCode}. Error Message: ${nrpMessage}.`,
    ),
  /** SQL family: a virtual network rule the network RP (or the server) refused. */
  virtualNetworkRuleBadRequest: (message: string) =>
    new ArmError(400, "VirtualNetworkRuleBadRequest", message),
  /** PostgreSQL / MySQL / MariaDB: a feature the server's tier does not have (VNet rules on Basic). */
  featureSwitchNotEnabled: () =>
    new ArmError(405, "FeatureSwitchNotEnabled", "Requested feature is not enabled"),
  /** Cosmos DB: an account write that failed asynchronously (reported through the operation status). */
  conflict: (message: string) => new ArmError(409, "Conflict", message),

  // ---- ARM control plane: request shape, routing, tenancy (src/arm, src/http) ----
  missingApiVersion: () =>
    new ArmError(
      400,
      "MissingApiVersionParameter",
      "The api-version query parameter (?api-version=) is required for all requests.",
    ),
  invalidApiVersion: (apiVersion: string) =>
    new ArmError(
      400,
      "InvalidApiVersionParameter",
      `The api-version '${apiVersion}' is invalid. The supported versions are dates from '2014-01-01' to '2026-12-31' in the form 'yyyy-MM-dd', optionally followed by '-preview'.`,
    ),
  invalidSubscriptionId: (subscriptionId: string) =>
    new ArmError(
      400,
      "InvalidSubscriptionId",
      `The provided subscription identifier '${subscriptionId}' is malformed or invalid.`,
    ),
  tenantNotFound: (tenantId: string) =>
    new ArmError(404, "TenantNotFound", `The tenant '${tenantId}' could not be found.`),
  resourceGroupNotFound: (resourceGroup: string) =>
    new ArmError(404, "ResourceGroupNotFound", `Resource group '${resourceGroup}' could not be found.`),
  invalidResourceGroupName: (name: string) =>
    new ArmError(
      400,
      "InvalidResourceGroupName",
      `The resource group name '${name}' is invalid. It can be up to 90 characters long, may contain alphanumerics, underscores, parentheses, hyphens and periods, and cannot end with a period.`,
    ),
  resourceNotFound: (type: string, name: string, resourceGroup: string) =>
    new ArmError(
      404,
      "ResourceNotFound",
      `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    ),
  /** A child resource (subnet, rule, route, ...) missing in an existing parent: the network RP's form. */
  childResourceNotFound: (id: string) => new ArmError(404, "NotFound", `Resource ${id} not found.`),
  operationNotFound: (operationId: string) =>
    new ArmError(404, "OperationNotFound", `The operation '${operationId}' could not be found.`),
  routeNotFound: (url: string) =>
    new ArmError(404, "NotFound", `No HTTP resource was found that matches the request URI '${url}'.`),
  invalidResourceNamespace: (namespace: string) =>
    new ArmError(404, "InvalidResourceNamespace", `The resource namespace '${namespace}' is invalid.`),
  invalidResourceType: (type: string, namespace: string, apiVersion: string) =>
    new ArmError(
      404,
      "InvalidResourceType",
      `The resource type '${type}' could not be found in the namespace '${namespace}' for api version '${apiVersion}'.`,
    ),
  methodNotAllowed: (method: string) =>
    new ArmError(405, "MethodNotAllowed", `The requested resource does not support http method '${method}'.`),
  featureNotSupported: (what: string) =>
    new ArmError(400, "FeatureNotSupported", `Lazurite does not implement ${what}.`),
  // ---- Templates (src/template): validation and evaluation of ARM template language ----
  /** A template that fails validation or whose expressions cannot be evaluated (ARM's wording in `message`). */
  invalidTemplate: (message: string, details?: ArmErrorDetail[]) =>
    new ArmError(400, "InvalidTemplate", message, details !== undefined ? { details } : {}),
  /** A deployment refused before it runs for a reason outside the template text (scope, parameters file). */
  invalidTemplateDeployment: (message: string, details?: ArmErrorDetail[]) =>
    new ArmError(400, "InvalidTemplateDeployment", message, details !== undefined ? { details } : {}),
  /** An output expression of a finished deployment failed. */
  deploymentOutputEvaluationFailed: (output: string, message: string) =>
    new ArmError(
      400,
      "DeploymentOutputEvaluationFailed",
      `Unable to evaluate template outputs: '${output}'. Please see error details and deployment operations. Please see https://aka.ms/arm-common-errors for usage details.`,
      { details: [{ code: "DeploymentOutputEvaluationFailed", message, target: output }] },
    ),
  preconditionFailed: () =>
    new ArmError(
      412,
      "PreconditionFailed",
      "The condition specified using HTTP conditional header(s) is not met.",
    ),
  requestTooLarge: (limitBytes: number) =>
    new ArmError(
      413,
      "RequestEntityTooLarge",
      `The request content size exceeds the maximum size of ${limitBytes} bytes.`,
    ),
  unsupportedMediaType: (contentType: string) =>
    new ArmError(
      415,
      "UnsupportedMediaType",
      `The content media type '${contentType}' is not supported. Only 'application/json' is supported.`,
    ),
  internalServerError: (correlationId: string) =>
    new ArmError(
      500,
      "InternalServerError",
      `Encountered internal server error. Diagnostic information: correlation id '${correlationId}'.`,
    ),
  anotherOperationInProgress: (statusUrl: string) =>
    new ArmError(
      409,
      "AnotherOperationInProgress",
      `Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: ${statusUrl}.`,
    ),
  locationRequired: () =>
    new ArmError(400, "LocationRequired", "The location property is required for this definition."),
  locationNotAvailableForResourceType: (location: string, type: string) =>
    new ArmError(
      400,
      "LocationNotAvailableForResourceType",
      `The provided location '${location}' is not available for resource type '${type}'. List of available regions for the resource type is the list of public Azure regions.`,
    ),
  invalidResourceName: (name: string, type: string, maxLength = 80) =>
    new ArmError(
      400,
      "InvalidResourceName",
      `Resource name ${name} is invalid. The name can be up to ${maxLength} characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'. (resource type '${type}')`,
    ),
  /** A child collection over Azure's limit (src/model/catalog/limits.ts); the network RP's quota name. */
  quotaExceeded: (what: string, quota: string, max: number, count: number) =>
    new ArmError(
      400,
      "QuotaExceeded",
      `Cannot have more than ${max} ${what} (quota '${quota}'); the request has ${count}.`,
    ),
  invalidTagsCount: (count: number, max: number) =>
    new ArmError(
      400,
      "InvalidTagsCount",
      `The number of tags '${count}' exceeds the maximum of '${max}' tags allowed on a resource or resource group.`,
    ),
  invalidTagName: (name: string, max: number) =>
    new ArmError(
      400,
      "InvalidTagName",
      `Tag key too large. Following tag name '${name}' exceeded the maximum length. Maximum allowed length for tag name - '${max}' characters.`,
    ),
  invalidTagValueLength: (value: string, max: number) =>
    new ArmError(
      400,
      "InvalidTagValueLength",
      `Tag value too large. Following tag value '${value}' exceeded the maximum length. Maximum allowed length for tag value - '${max}' characters.`,
    ),
  invalidTagNameCharacters: (names: readonly string[]) =>
    new ArmError(
      400,
      "InvalidTagNameCharacters",
      `The tag names '${names.map(printable).join(", ")}' have reserved characters '<,>,%,&,\\,?,/' or control characters.`,
    ),
  /** A name in the URL that is not one path segment (an encoded separator, `..`, a second escape, a control character). */
  invalidNameSegment: (name: string, type: string, why: string) =>
    new ArmError(
      400,
      "InvalidResourceName",
      `Resource name '${printable(name)}' is invalid: a name is one path segment and cannot contain ${why}. The name cannot contain the characters '/', '\\', '%' or control characters, and cannot be '.' or '..'. (resource type '${type}')`,
    ),
  invalidResourceLocation: (name: string, oldLocation: string, resourceGroup: string, newLocation: string) =>
    new ArmError(
      400,
      "InvalidResourceLocation",
      `The resource '${name}' already exists in location '${oldLocation}' in resource group '${resourceGroup}'. A resource with the same name cannot be created in location '${newLocation}'. Please select a new resource name.`,
    ),
  invalidResourceGroupLocation: (resourceGroup: string, existing: string, requested: string) =>
    new ArmError(
      409,
      "InvalidResourceGroupLocation",
      `Invalid resource group location '${requested}'. The Resource group '${resourceGroup}' already exists in location '${existing}'.`,
    ),
  missingSubscriptionRegistration: (namespace: string) =>
    new ArmError(
      409,
      "MissingSubscriptionRegistration",
      `The subscription is not registered to use namespace '${namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions.`,
    ),

  // ---- Microsoft.Network validation (src/arm/providers/network) ----
  invalidResourceReference: (referencedId: string, byId: string) =>
    new ArmError(
      400,
      "InvalidResourceReference",
      `Resource ${referencedId} referenced by resource ${byId} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
    ),
  netcfgSubnetRangeOutsideVnet: (subnet: string, vnet: string) =>
    new ArmError(
      400,
      "NetcfgSubnetRangeOutsideVnet",
      `Subnet '${subnet}' is not valid because its IP address range is outside the IP address range of virtual network '${vnet}'.`,
    ),
  netcfgSubnetRangesOverlap: (subnet: string, vnet: string) =>
    new ArmError(
      400,
      "NetcfgSubnetRangesOverlap",
      `Subnet '${subnet}' is not valid because its IP address range overlaps with that of an existing subnet in virtual network '${vnet}'.`,
    ),
  netcfgInvalidSubnet: (subnet: string, vnet: string) =>
    new ArmError(400, "NetcfgInvalidSubnet", `Subnet '${subnet}' is not valid in virtual network '${vnet}'.`),
  inUseSubnetCannotBeDeleted: (subnet: string, usedBy: string) =>
    new ArmError(
      400,
      "InUseSubnetCannotBeDeleted",
      `Subnet ${subnet} is in use by ${usedBy} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.`,
    ),
  inUseSubnetCannotBeUpdated: (subnet: string) =>
    new ArmError(400, "InUseSubnetCannotBeUpdated", `Subnet ${subnet} is in use and cannot be updated.`),
  privateIpAddressInReservedRange: (ip: string, prefix: string) =>
    new ArmError(
      400,
      "PrivateIPAddressInReservedRange",
      `Private static IP address ${ip} falls within reserved IP range of subnet prefix ${prefix}.`,
    ),
  privateIpAddressNotInSubnet: (ip: string, prefix: string) =>
    new ArmError(
      400,
      "PrivateIPAddressNotInSubnet",
      `Private static IP address ${ip} does not belong to the range of subnet prefix ${prefix}.`,
    ),
  privateIpAddressInUse: (ipConfigurationId: string, ip: string, otherId: string) =>
    new ArmError(
      400,
      "PrivateIPAddressInUse",
      `IP configuration ${ipConfigurationId} is using the private IP address ${ip} which is already allocated to resource ${otherId}.`,
    ),
  subnetIsFull: (subnet: string, prefix: string) =>
    new ArmError(
      400,
      "SubnetIsFull",
      `Subnet ${subnet} with address prefix ${prefix} does not have enough capacity for 1 IP addresses.`,
    ),
  subnetHasServiceEndpointWithInvalidServiceName: (
    subnetId: string,
    service: string,
    supported: readonly string[],
  ) =>
    new ArmError(
      400,
      "SubnetHasServiceEndpointWithInvalidServiceName",
      `Subnet ${subnetId} has an item in ServiceEndpoints array with invalid service name '${service}'. Supported service names are: ${supported.join(", ")}.`,
    ),
  subnetHasServiceEndpointWithInvalidLocation: (subnetId: string, service: string, location: string) =>
    new ArmError(
      400,
      "SubnetHasServiceEndpointWithInvalidLocation",
      `Subnet ${subnetId} has an item in ServiceEndpoints array for service '${service}' with invalid location '${location}'. Locations must be Azure region names or '*'.`,
    ),
  subnetHasDuplicateServiceEndpoint: (subnetId: string, service: string) =>
    new ArmError(
      400,
      "SubnetHasDuplicateServiceEndpoint",
      `Subnet ${subnetId} has more than one item in ServiceEndpoints array for service '${service}'.`,
    ),
  serviceEndpointsNotSupportedOnClassicVirtualNetwork: (vnetId: string) =>
    new ArmError(
      400,
      "ServiceEndpointsNotSupportedOnClassicVirtualNetwork",
      `Virtual network ${vnetId} is a classic (Microsoft.ClassicNetwork) virtual network. Service endpoints can only be enabled on subnets of Azure Resource Manager virtual networks (Microsoft.Network/virtualNetworks).`,
    ),
  securityRuleInvalidPriority: (priority: unknown) =>
    new ArmError(
      400,
      "SecurityRuleInvalidPriority",
      `Security rule has invalid Priority. Value provided: ${textOf(priority)} Allowed range 100-4096.`,
    ),
  securityRuleConflict: (rule: string, other: string) =>
    new ArmError(
      400,
      "SecurityRuleConflict",
      `Security rule ${rule} conflicts with rule ${other}. Rules cannot have the same Priority and Direction. To learn more, see aka.ms/nsgrules.`,
    ),
  securityRuleInvalidProtocol: (value: unknown) =>
    new ArmError(
      400,
      "SecurityRuleInvalidProtocol",
      `Security rule has invalid Protocol. Value provided: ${textOf(value)}. Allowed values: Tcp, Udp, Icmp, Esp, Ah, *.`,
    ),
  securityRuleInvalidAccess: (value: unknown) =>
    new ArmError(
      400,
      "SecurityRuleInvalidAccess",
      `Security rule has invalid Access. Value provided: ${textOf(value)}. Allowed values: Allow, Deny.`,
    ),
  securityRuleInvalidDirection: (value: unknown) =>
    new ArmError(
      400,
      "SecurityRuleInvalidDirection",
      `Security rule has invalid Direction. Value provided: ${textOf(value)}. Allowed values: Inbound, Outbound.`,
    ),
  securityRuleInvalidPortRange: (value: unknown) =>
    new ArmError(
      400,
      "SecurityRuleInvalidPortRange",
      `Security rule has invalid Port range. Value provided: ${textOf(value)}. Value should be an integer OR integer range with '-' delimiter. Valid range 0-65535.`,
    ),
  securityRuleInvalidAddressPrefix: (value: unknown) =>
    new ArmError(
      400,
      "SecurityRuleInvalidAddressPrefix",
      `Security rule has invalid Address prefix. Value provided: ${textOf(value)}`,
    ),
  routeNextHopIpAddressNotAllowed: (route: string, nextHopType: string) =>
    new ArmError(
      400,
      "RouteNextHopIpAddressNotAllowed",
      `Route ${route} has a NextHopIpAddress, which is only allowed when NextHopType is VirtualAppliance (NextHopType is ${nextHopType}).`,
    ),
  routeNextHopIpAddressRequired: (route: string) =>
    new ArmError(
      400,
      "RouteNextHopIpAddressRequired",
      `NextHopIpAddress cannot be Null or Empty in route ${route} when NextHopType is VirtualAppliance.`,
    ),
  routeNextHopTypeNotAllowed: (route: string, nextHopType: string) =>
    new ArmError(
      400,
      "RouteNextHopTypeNotAllowed",
      `Route ${route} has invalid NextHopType '${nextHopType}'. Allowed values: VirtualNetworkGateway, VnetLocal, Internet, VirtualAppliance, None.`,
    ),
  inUseNetworkSecurityGroupCannotBeDeleted: (nsgId: string, usedBy: readonly string[]) =>
    new ArmError(
      400,
      "InUseNetworkSecurityGroupCannotBeDeleted",
      `Network security group ${nsgId} cannot be deleted because it is in use by the following resources: ${usedBy.join(", ")}. In order to delete the Network security group, remove the association with the resource(s). To learn how to do this, see aka.ms/deletensg.`,
    ),
  allIpConfigurationsOnANicMustBelongToTheSameApplicationSecurityGroups: (
    first: string,
    firstAsgs: readonly string[],
    other: string,
    otherAsgs: readonly string[],
  ) =>
    new ArmError(
      400,
      "AllIpConfigurationsOnANicMustBelongToTheSameApplicationSecurityGroups",
      // "wheras": the network RP's spelling.
      `All IPConfigurations on a Network Interface should reference the same set of Application Security Groups. IPConfiguration ${first} references ASG(s) ${firstAsgs.join(", ")}, wheras IPConfiguration ${other} references ASG(s) ${otherAsgs.join(", ")}.`,
    ),
  /** Names the NSG where the message says "Security Rule", as the network RP does. */
  allApplicationSecurityGroupsInSecurityRuleMustBeFromSameVnet: (nsgId: string, vnets: readonly string[]) =>
    new ArmError(
      400,
      "AllApplicationSecurityGroupsInSecurityRuleMustBeFromSameVnet",
      `Security Rule ${nsgId} has Application Security Groups (ASGs) from multiple virtual networks (${vnets.join(", ")}).\nAll ASGs on the Security Rule must be from the same virtual network.`,
    ),
  /** The network RP's wording; the code follows its InUse…CannotBeDeleted family (unconfirmed). */
  inUseApplicationSecurityGroupCannotBeDeleted: (name: string, usedBy: readonly string[]) =>
    new ArmError(
      400,
      "InUseApplicationSecurityGroupCannotBeDeleted",
      `Application Security Group ${name} cannot be deleted because it is referenced by IpConfiguration(s) or security rule(s) ${usedBy.join(", ")}.`,
    ),
  inUseRouteTableCannotBeDeleted: (routeTableId: string, usedBy: readonly string[]) =>
    new ArmError(
      400,
      "InUseRouteTableCannotBeDeleted",
      `Route table ${routeTableId} is in use by ${usedBy.join(", ")} and cannot be deleted.`,
    ),
  inUseServiceEndpointPolicyCannotBeDeleted: (policyId: string, usedBy: readonly string[]) =>
    new ArmError(
      400,
      "InUseServiceEndpointPolicyCannotBeDeleted",
      `Service endpoint policy ${policyId} is in use by ${usedBy.join(", ")} and cannot be deleted.`,
    ),
  publicIpAddressCannotBeDeleted: (publicIpId: string, usedBy: string) =>
    new ArmError(
      400,
      "PublicIPAddressCannotBeDeleted",
      `Public IP address ${publicIpId} can not be deleted since it is still allocated to resource ${usedBy}. In order to delete the public IP, disassociate/detach the Public IP address from the resource. To learn how to do this, see aka.ms/deletepublicip.`,
    ),
  publicIpAddressInUse: (publicIpId: string, usedBy: string) =>
    new ArmError(
      400,
      "PublicIPAddressInUse",
      `Public IP address ${publicIpId} is already in use by ${usedBy} and cannot be referenced by another IP configuration.`,
    ),
  nicInUse: (nicId: string, usedBy: string) =>
    new ArmError(
      400,
      "NicInUse",
      `Network Interface ${nicId} is used by existing resource ${usedBy}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.`,
    ),
  availabilitySetInUse: (setId: string, vms: readonly string[]) =>
    new ArmError(
      409,
      "AvailabilitySetInUse",
      `Availability set ${setId} cannot be deleted because it contains virtual machines: ${vms.join(", ")}.`,
    ),
  networkInterfaceWithoutIpConfiguration: (nicId: string) =>
    new ArmError(
      400,
      "NetworkInterfaceMustHaveAtLeastOneIpConfiguration",
      `Network interface ${nicId} must have at least one IP configuration.`,
    ),

  // ---- Diagnostics (src/arm/diagnostics, /_emulator) ----
  /** Effective routes / NSGs of a NIC no VM uses (Azure answers them only for NICs of running VMs). */
  nicNotAttachedToVm: (nicId: string) =>
    new ArmError(
      400,
      "NicNotAttachedToVm",
      `Network interface ${nicId} is not attached to a virtual machine. Effective routes and security rules can only be read for a network interface attached to a running virtual machine.`,
    ),
  connectionNotFound: (id: string, why = "does not exist") =>
    new ArmError(404, "ConnectionNotFound", `The simulated connection '${id}' ${why}.`),
  /** A request over a simulated connection that an endpoint change reset (SE-CFG-6). */
  connectionReset: (id: string, reason: string) =>
    new ArmError(
      409,
      "ConnectionReset",
      `The simulated connection '${id}' was reset: ${reason} Open a new connection.`,
    ),
  tooManyConnections: (limit: number) =>
    new ArmError(
      429,
      "TooManyConnections",
      `At most ${limit} simulated connections can be open at once; close some first.`,
    ),
  // ---- Identity and authorization (src/identity, src/http/auth.ts, src/arm/providers/authorization) ----
  /** 401 without a bearer token; `authorizationUri` = the authority of the subscription's tenant (or the host's root). */
  authenticationFailedMissingHeader: (authorizationUri: string) =>
    new ArmError(
      401,
      "AuthenticationFailed",
      "Authentication failed. The 'Authorization' header is missing.",
      {
        headers: {
          "WWW-Authenticate": bearerChallenge(
            authorizationUri,
            "The authentication failed because of missing 'Authorization' header.",
          ),
        },
      },
    ),
  invalidAuthenticationToken: (authorizationUri: string, message: string) =>
    new ArmError(401, "InvalidAuthenticationToken", message, {
      headers: { "WWW-Authenticate": bearerChallenge(authorizationUri, message) },
    }),
  /** `expiry` and `now` in .NET's invariant format (`6/15/2026 8:22:51 AM`), as ARM prints them. */
  expiredAuthenticationToken: (authorizationUri: string, expiry: string, now: string) =>
    new ArmError(
      401,
      "ExpiredAuthenticationToken",
      `The access token expiry UTC time '${expiry}' is earlier than current UTC time '${now}'.`,
      {
        headers: { "WWW-Authenticate": bearerChallenge(authorizationUri, "The access token has expired.") },
      },
    ),
  invalidAuthenticationTokenAudience: (
    authorizationUri: string,
    audience: string,
    allowed: readonly string[],
  ) =>
    new ArmError(
      401,
      "InvalidAuthenticationTokenAudience",
      `The access token has been obtained for wrong audience or resource '${audience}'. It should exactly match with one of the allowed audiences ${allowed.map((a) => `'${a}'`).join(",")}.`,
      {
        headers: {
          "WWW-Authenticate": bearerChallenge(
            authorizationUri,
            "The access token has been obtained for wrong audience or resource.",
          ),
        },
      },
    ),
  /** The token's tenant is not the subscription's: `authority` = the subscription tenant's authority URL. */
  invalidAuthenticationTokenTenant: (tokenIssuer: string, expectedIssuer: string, authority: string) =>
    new ArmError(
      401,
      "InvalidAuthenticationTokenTenant",
      `The access token is from the wrong issuer '${tokenIssuer}'. It must match the tenant '${expectedIssuer}' associated with this subscription. Please use the authority (URL) '${authority}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`,
      {
        headers: {
          "WWW-Authenticate": bearerChallenge(
            authority,
            "The access token is from the wrong issuer. It must match the tenant associated with this subscription. Please use correct authority to get the token.",
          ),
        },
      },
    ),
  authorizationFailed: (client: string, objectId: string, action: string, scope: string) =>
    new ArmError(
      403,
      "AuthorizationFailed",
      `The client '${client}' with object id '${objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    ),
  /** SE-ACL-3: the caller may write the resource but lacks `linkedAction` on the linked scopes (subnets). */
  linkedAuthorizationFailed: (
    client: string,
    objectId: string,
    action: string,
    scope: string,
    linkedAction: string,
    linkedScopes: readonly string[],
  ) =>
    new ArmError(
      403,
      "LinkedAuthorizationFailed",
      `The client '${client}' with object id '${objectId}' has permission to perform action '${action}' on scope '${scope}'; however, it does not have permission to perform action '${linkedAction}' on the linked scope(s) '${linkedScopes.join(",")}' or the linked scope(s) are invalid.`,
    ),
  /** SE-ACL-4: a linked scope (subnet) lies in a subscription of another tenant. */
  linkedSubscriptionOtherTenant: (
    action: string,
    scope: string,
    tenantId: string,
    linkedSubscriptionId: string,
  ) =>
    new ArmError(
      403,
      "LinkedAuthorizationFailed",
      `The client has permission to perform action '${action}' on scope '${scope}', however the current tenant '${tenantId}' is not authorized to access linked subscription '${linkedSubscriptionId}'.`,
    ),
  subscriptionNotFound: (subscriptionId: string) =>
    new ArmError(404, "SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`),
  roleAssignmentNotFound: (name: string) =>
    new ArmError(404, "RoleAssignmentNotFound", `The role assignment '${name}' is not found.`),
  roleDefinitionDoesNotExist: (id: string) =>
    new ArmError(
      404,
      "RoleDefinitionDoesNotExist",
      `The specified role definition with ID '${id}' does not exist.`,
    ),
  invalidRoleAssignmentId: (name: string) =>
    new ArmError(
      400,
      "InvalidRoleAssignmentId",
      `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
    ),
  invalidRoleDefinitionId: (name: string) =>
    new ArmError(
      400,
      "InvalidRoleDefinitionId",
      `The role definition ID '${name}' is not valid. The role definition ID must be a GUID.`,
    ),
  principalNotFound: (principalId: string, tenantId: string) =>
    new ArmError(
      400,
      "PrincipalNotFound",
      `Principal ${textOf(principalId).replace(/-/g, "")} does not exist in the directory ${tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
    ),
  unmatchedPrincipalType: (principalId: string, actual: string, given: string) =>
    new ArmError(
      400,
      "UnmatchedPrincipalType",
      `The PrincipalId '${textOf(principalId).replace(/-/g, "")}' has type '${actual}' , which is different from specified PrincipalType '${given}'.`,
    ),
  roleAssignmentExists: () =>
    new ArmError(409, "RoleAssignmentExists", "The role assignment already exists."),
  roleAssignmentUpdateNotPermitted: () =>
    new ArmError(
      400,
      "RoleAssignmentUpdateNotPermitted",
      "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
    ),
  scopeDoesNotMatchRoleDefinition: (scope: string, roleDefinitionId: string) =>
    new ArmError(
      400,
      "ScopeDoesNotMatchRoleDefinition",
      `The scope '${scope}' is not within the assignable scopes of the role definition '${roleDefinitionId}'.`,
    ),
  roleDefinitionWithSameNameExists: () =>
    new ArmError(
      409,
      "RoleDefinitionWithSameNameExists",
      "A custom role with the same name already exists in this directory. Use a different name.",
    ),
  roleDefinitionHasAssignments: () =>
    new ArmError(
      409,
      "RoleDefinitionHasAssignments",
      "There are existing role assignments referencing role (code: RoleDefinitionHasAssignments).",
    ),
  // Microsoft.Resources deployments (src/arm/providers/resources/deployments).
  deploymentNotFound: (name: string) =>
    new ArmError(404, "DeploymentNotFound", `Deployment '${name}' could not be found.`),
  deploymentActive: (name: string, since: string) =>
    new ArmError(
      409,
      "DeploymentActive",
      `Unable to edit or replace deployment '${name}': previous deployment from '${since}' is still active. Please see https://aka.ms/arm-deploy-resources for usage details.`,
    ),
  deploymentCannotBeCancelled: (name: string, state: string) =>
    new ArmError(
      409,
      "DeploymentCannotBeCancelled",
      `The deployment '${name}' cannot be cancelled: its provisioning state is '${state}'; only 'Accepted' or 'Running' deployments can be cancelled.`,
    ),
  /** A deployment with failing resources: `details` holds each resource's own provider error. */
  deploymentFailed: (target: string, details: ArmErrorDetail[]) =>
    new ArmError(
      400,
      "DeploymentFailed",
      "At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.",
      { target, details },
    ),
  /** `templateLink` / `parametersLink`: Lazurite is offline and downloads nothing. */
  invalidContentLink: (uri: string) =>
    new ArmError(
      400,
      "InvalidContentLink",
      `Unable to download deployment content from '${uri}': Lazurite runs offline; send the template inline ('properties.template').`,
    ),
  /** The `/_emulator` directory admin API names a principal that does not exist. */
  directoryObjectNotFound: (what: string, tenantId: string) =>
    new ArmError(404, "NotFound", `The ${what} could not be found in tenant '${tenantId}'.`),
  /** The shared store (PostgreSQL) cannot be reached: retriable, nothing of the request was applied. */
  storeUnavailable: (detail: string) =>
    new ArmError(
      503,
      "ServiceUnavailable",
      `The service is temporarily unavailable: its database cannot be reached (${printable(detail)}). Nothing of this request was applied; retry after the time in the Retry-After header.`,
      { headers: { "Retry-After": "1" } },
    ),
} as const;

/** Control characters as `\uXXXX`, so that an error message never carries one. */
function printable(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out += c < 0x20 || (c >= 0x7f && c <= 0x9f) ? `\\u${c.toString(16).padStart(4, "0")}` : ch;
  }
  return out;
}

/** ARM's `WWW-Authenticate` challenge on a 401 (quotes in the description become apostrophes). */
function bearerChallenge(authorizationUri: string, description: string): string {
  return `Bearer authorization_uri="${authorizationUri}", error="invalid_token", error_description="${textOf(description).replace(/"/g, "'")}"`;
}
