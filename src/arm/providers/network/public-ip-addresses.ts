/**
 * Microsoft.Network/publicIPAddresses (SE-RES-3, SE-SRC-1). Every IPv4 public IP gets its
 * `ipAddress` at once, drawn deterministically from the loaded catalog's
 * `AzureCloud.<region>` tag (seed: the resource id), so the engine knows the address a VM
 * uses towards services without an endpoint. `ipConfiguration` is the back reference of the
 * NIC IP configuration using it; an attached public IP cannot be deleted.
 *
 * Limitations: Dynamic addresses are assigned at creation (Azure assigns them when the VM
 * starts); IPv6 public IPs get no address; `publicIPPrefix` is not served.
 */
import { ArmErrors } from "../../../model/errors.js";
import { formatAddress } from "../../../model/ip.js";
import type { ArmResource } from "../../../model/resources/common.js";
import { PUBLIC_IP_TYPE } from "../../../model/resources/network-interface.js";
import { idKey } from "../../../model/resource-id.js";
import type { Ctx } from "../../context.js";
import type { ResourceKind } from "../../kinds.js";
import { backRefs } from "../../refs.js";
import { intAt, objectAt, stringAt } from "../../validate.js";
import { guidOf, tracked } from "../common.js";

function oneOf(value: string | undefined, allowed: readonly string[], def: string): string {
  if (value === undefined) return def;
  return allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase()) ?? value;
}

/** An address from `AzureCloud.<region>` (falls back to the global AzureCloud tag). */
export function pickPublicAddress(ctx: Ctx, region: string, seed: string): string | undefined {
  const cat = ctx.deps.serviceTags;
  for (const tag of [`AzureCloud.${region}`, "AzureCloud"]) {
    if (!cat.resolve(tag)) continue;
    try {
      return formatAddress(cat.pickAddress(tag, seed));
    } catch {
      continue;
    }
  }
  return undefined;
}

export const publicIpAddresses: ResourceKind = {
  namespace: "Microsoft.Network",
  typeName: "publicIPAddresses",
  type: PUBLIC_IP_TYPE,
  lro: "network",
  location: "required",
  children: [],
  serverOwned: ["ipConfiguration"],
  async prepare(ctx, input, existing) {
    const p = input.properties;
    const r = tracked(input, existing, PUBLIC_IP_TYPE, {});
    const version = oneOf(
      stringAt(p.publicIPAddressVersion, "properties.publicIPAddressVersion"),
      ["IPv4", "IPv6"],
      "IPv4",
    );
    const props: Record<string, unknown> = {
      ...p,
      publicIPAllocationMethod: oneOf(
        stringAt(p.publicIPAllocationMethod, "properties.publicIPAllocationMethod"),
        ["Static", "Dynamic"],
        "Dynamic",
      ),
      publicIPAddressVersion: version,
      idleTimeoutInMinutes: intAt(p.idleTimeoutInMinutes, "properties.idleTimeoutInMinutes") ?? 4,
      resourceGuid: guidOf(ctx, existing),
      provisioningState: "Succeeded",
    };
    const kept = existing?.properties?.ipAddress;
    const address =
      typeof kept === "string"
        ? kept
        : version === "IPv4"
          ? pickPublicAddress(ctx, r.location!, idKey(input.id))
          : undefined;
    if (address !== undefined) props.ipAddress = address;
    else delete props.ipAddress;
    const dns = objectAt(p.dnsSettings, "properties.dnsSettings");
    const label = stringAt(dns?.domainNameLabel, "properties.dnsSettings.domainNameLabel");
    if (dns && label)
      props.dnsSettings = {
        ...dns,
        domainNameLabel: label,
        fqdn: `${label}.${r.location}.cloudapp.azure.com`,
      };
    r.properties = props;
    if (r.sku === undefined) {
      const { properties, ...rest } = r;
      return { ...rest, sku: { name: "Basic", tier: "Regional" }, properties } as ArmResource;
    }
    return r;
  },
  beforeDelete(_ctx, pip) {
    const users = backRefs(pip, "ipConfiguration");
    if (users.length > 0) throw ArmErrors.publicIpAddressCannotBeDeleted(pip.id, users[0]!);
  },
};
