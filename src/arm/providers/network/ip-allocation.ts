/**
 * Private addresses in subnets: which are taken (by the IP configurations a subnet lists),
 * dynamic allocation (lowest free address after Azure's reserved ones), and the VNet's
 * `CheckIPAddressAvailability` action.
 */
import { ArmErrors } from "../../../model/errors.js";
import {
  addressKey,
  allocateAddress,
  formatAddress,
  formatPrefix,
  isReservedInSubnet,
  parsePrefixLoose,
  prefixContainsAddress,
  tryParseAddress,
  type Address,
  type Prefix,
} from "../../../model/ip.js";
import type { ArmResource } from "../../../model/resources/common.js";
import { idKey, tryParseResourceId } from "../../../model/resource-id.js";
import type { ArmResponse, Ctx } from "../../context.js";
import { queryParam } from "../../context.js";
import { loadResource, topLevelOf } from "../../documents.js";
import { backRefs, findChild } from "../../refs.js";
import { subnetPrefixTexts } from "./subnets.js";

export function subnetPrefixes(subnet: ArmResource): Prefix[] {
  return subnetPrefixTexts(subnet)
    .map((t) => parsePrefixLoose(t))
    .filter((p): p is Prefix => p !== undefined);
}

/** Addresses taken in a subnet → the IP configuration holding each (skipping ids in `except`). */
export async function usedAddresses(
  ctx: Ctx,
  subnet: ArmResource,
  except: ReadonlySet<string> = new Set(),
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const cache = new Map<string, ArmResource | undefined>();
  for (const cfgId of backRefs(subnet, "ipConfigurations")) {
    if (except.has(idKey(cfgId))) continue;
    const parsed = tryParseResourceId(cfgId);
    if (!parsed || parsed.types.length < 2) continue;
    const topKey = topLevelOf(parsed).key;
    if (!cache.has(topKey)) cache.set(topKey, await loadResource(ctx.store, topKey));
    const cfg = findChild(cache.get(topKey), "ipConfigurations", parsed.names[1]!);
    const ip =
      typeof cfg?.properties?.privateIPAddress === "string"
        ? tryParseAddress(cfg.properties.privateIPAddress)
        : undefined;
    if (ip) out.set(addressKey(ip), cfgId);
  }
  return out;
}

/** Lowest free usable address in the subnet's prefixes (IPv4 first), or SubnetIsFull. */
export function allocateIn(subnet: ArmResource, used: ReadonlySet<string>, family: 4 | 6 = 4): Address {
  for (const p of subnetPrefixes(subnet)) {
    if (p.family !== family) continue;
    const a = allocateAddress(p, used);
    if (a) return a;
  }
  throw ArmErrors.subnetIsFull(subnet.name, subnetPrefixTexts(subnet).join(","));
}

/** Validates a static address: inside the subnet, not reserved (PrivateIPAddressInReservedRange). */
export function checkStaticAddress(subnet: ArmResource, ip: Address, text: string): void {
  const prefixes = subnetPrefixes(subnet);
  const home = prefixes.find((p) => prefixContainsAddress(p, ip));
  if (!home) throw ArmErrors.privateIpAddressNotInSubnet(text, subnetPrefixTexts(subnet).join(","));
  if (isReservedInSubnet(home, ip)) throw ArmErrors.privateIpAddressInReservedRange(text, formatPrefix(home));
}

/** `GET .../virtualNetworks/{vnet}/CheckIPAddressAvailability?ipAddress=` */
export async function checkIpAddressAvailability(ctx: Ctx, vnet: ArmResource): Promise<ArmResponse> {
  const text = queryParam(ctx.req, "ipAddress");
  const ip = text !== undefined ? tryParseAddress(text) : undefined;
  if (!ip || text === undefined)
    throw ArmErrors.invalidParameter(`The IP address '${text ?? ""}' is invalid.`, "ipAddress");
  const subnets = Array.isArray(vnet.properties.subnets) ? (vnet.properties.subnets as ArmResource[]) : [];
  const subnet = subnets.find((s) => subnetPrefixes(s).some((p) => prefixContainsAddress(p, ip)));
  if (!subnet) return { status: 200, body: { available: false, availableIPAddresses: [] } };
  const used = new Set((await usedAddresses(ctx, subnet)).keys());
  const home = subnetPrefixes(subnet).find((p) => prefixContainsAddress(p, ip))!;
  const available = !isReservedInSubnet(home, ip) && !used.has(addressKey(ip));
  const free: string[] = [];
  const taken = new Set(used);
  while (!available && free.length < 5) {
    const a = allocateAddress(home, taken);
    if (!a) break;
    free.push(formatAddress(a));
    taken.add(addressKey(a));
  }
  return {
    status: 200,
    body: available ? { available: true } : { available: false, availableIPAddresses: free },
  };
}
