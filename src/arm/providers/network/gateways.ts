/**
 * On-premises connectivity, enough for the engine's on-premises sources, BGP routes and NAT
 * addresses (SE-ONP-1..2): localNetworkGateways, virtualNetworkGateways and connections.
 * (ExpressRoute circuits: express-route-circuits.ts.)
 *
 * Limitations: no tunnels are simulated; `connectionStatus` is reported `Connected` as soon as
 * both ends exist; gateway SKUs and active-active settings round-trip without effect.
 */
import { ArmErrors } from "../../../model/errors.js";
import { formatPrefix, parseAddress, parsePrefixStrict } from "../../../model/ip.js";
import {
  CIRCUIT_TYPE,
  CONNECTION_TYPE,
  LOCAL_GATEWAY_TYPE,
  VNET_GATEWAY_TYPE,
} from "../../../model/resources/gateway.js";
import { PUBLIC_IP_TYPE } from "../../../model/resources/network-interface.js";
import { SUBNET_TYPE } from "../../../model/resources/virtual-network.js";
import { prepareChildren } from "../../children.js";
import type { ChildSpec, Reference, ResourceKind } from "../../kinds.js";
import { boolAt, objectAt, stringAt, stringArrayAt, subResourceAt } from "../../validate.js";
import { guidOf, listOf, refTo, tracked } from "../common.js";

function oneOf(value: string | undefined, allowed: readonly string[], path: string): string | undefined {
  if (value === undefined) return undefined;
  const m = allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
  if (!m)
    throw ArmErrors.invalidRequestFormat(
      `Cannot parse the request. The value '${value}' at '${path}' must be one of ${allowed.join(", ")}.`,
    );
  return m;
}

export const localNetworkGateways: ResourceKind = {
  namespace: "Microsoft.Network",
  typeName: "localNetworkGateways",
  type: LOCAL_GATEWAY_TYPE,
  lro: "network",
  location: "required",
  children: [],
  serverOwned: [],
  async prepare(ctx, input, existing) {
    const p = input.properties;
    const space = objectAt(p.localNetworkAddressSpace, "properties.localNetworkAddressSpace");
    const prefixes = (
      stringArrayAt(space?.addressPrefixes, "properties.localNetworkAddressSpace.addressPrefixes") ?? []
    ).map((t) => formatPrefix(parsePrefixStrict(t, input.id)));
    const gatewayIp = stringAt(p.gatewayIpAddress, "properties.gatewayIpAddress");
    if (gatewayIp !== undefined) parseAddress(gatewayIp);
    return tracked(input, existing, LOCAL_GATEWAY_TYPE, {
      ...p,
      localNetworkAddressSpace: { ...(space ?? {}), addressPrefixes: prefixes },
      resourceGuid: guidOf(ctx, existing),
      provisioningState: "Succeeded",
    });
  },
};

export const VNET_GATEWAY_IP_CONFIGS_SPEC: ChildSpec = {
  segment: "ipConfigurations",
  type: "Microsoft.Network/virtualNetworkGateways/ipConfigurations",
  property: "ipConfigurations",
  readOnly: true,
};

export const virtualNetworkGateways: ResourceKind = {
  namespace: "Microsoft.Network",
  typeName: "virtualNetworkGateways",
  type: VNET_GATEWAY_TYPE,
  lro: "network",
  location: "required",
  children: [VNET_GATEWAY_IP_CONFIGS_SPEC],
  serverOwned: [],
  async prepare(ctx, input, existing) {
    const p = input.properties;
    const ipConfigurations = await prepareChildren(ctx, {
      parentId: input.id,
      spec: VNET_GATEWAY_IP_CONFIGS_SPEC,
      input: p.ipConfigurations,
      existingParent: existing,
      path: "properties.ipConfigurations",
      build: ({ properties }, _prev, i) => {
        const path = `properties.ipConfigurations[${i}].properties`;
        const subnet = subResourceAt(properties.subnet, `${path}.subnet`);
        if (!subnet) throw ArmErrors.linkedInvalidPropertyId(`${path}.subnet.id`, "");
        const pip = subResourceAt(properties.publicIPAddress, `${path}.publicIPAddress`);
        const out: Record<string, unknown> = {
          ...properties,
          subnet,
          privateIPAllocationMethod: "Dynamic",
          provisioningState: "Succeeded",
        };
        if (pip) out.publicIPAddress = pip;
        return out;
      },
    });
    return tracked(input, existing, VNET_GATEWAY_TYPE, {
      ...p,
      ipConfigurations,
      gatewayType:
        oneOf(
          stringAt(p.gatewayType, "properties.gatewayType"),
          ["Vpn", "ExpressRoute", "LocalGateway"],
          "properties.gatewayType",
        ) ?? "Vpn",
      vpnType:
        oneOf(
          stringAt(p.vpnType, "properties.vpnType"),
          ["RouteBased", "PolicyBased"],
          "properties.vpnType",
        ) ?? "RouteBased",
      enableBgp: boolAt(p.enableBgp, "properties.enableBgp") ?? false,
      activeActive: boolAt(p.activeActive, "properties.activeActive") ?? false,
      resourceGuid: guidOf(ctx, existing),
      provisioningState: "Succeeded",
    });
  },
  references(gw) {
    const out: Reference[] = [];
    listOf(gw, "ipConfigurations").forEach((c, i) => {
      const base = `properties.ipConfigurations[${i}].properties`;
      out.push(
        ...refTo(c.id, c.properties.subnet, `${base}.subnet.id`, SUBNET_TYPE, { name: "ipConfigurations" }),
      );
      out.push(
        ...refTo(
          c.id,
          c.properties.publicIPAddress,
          `${base}.publicIPAddress.id`,
          PUBLIC_IP_TYPE,
          { name: "ipConfiguration", single: true },
          (pip, user) => ArmErrors.publicIpAddressInUse(pip, user),
        ),
      );
    });
    return out;
  },
};

export const connections: ResourceKind = {
  namespace: "Microsoft.Network",
  typeName: "connections",
  type: CONNECTION_TYPE,
  lro: "network",
  location: "required",
  children: [],
  serverOwned: [],
  async prepare(ctx, input, existing) {
    const p = input.properties;
    const type = oneOf(
      stringAt(p.connectionType, "properties.connectionType"),
      ["IPsec", "Vnet2Vnet", "ExpressRoute", "VPNClient"],
      "properties.connectionType",
    );
    if (!type)
      throw ArmErrors.invalidRequestFormat(
        "Cannot parse the request. The value at 'properties.connectionType' is required.",
      );
    const gw1 = subResourceAt(p.virtualNetworkGateway1, "properties.virtualNetworkGateway1");
    if (!gw1) throw ArmErrors.linkedInvalidPropertyId("properties.virtualNetworkGateway1.id", "");
    const need = {
      IPsec: "localNetworkGateway2",
      Vnet2Vnet: "virtualNetworkGateway2",
      ExpressRoute: "peer",
    } as Record<string, string>;
    const other = need[type];
    if (other && !subResourceAt(p[other], `properties.${other}`))
      throw ArmErrors.linkedInvalidPropertyId(`properties.${other}.id`, "");
    return tracked(input, existing, CONNECTION_TYPE, {
      ...p,
      connectionType: type,
      enableBgp: boolAt(p.enableBgp, "properties.enableBgp") ?? false,
      connectionStatus: "Connected",
      resourceGuid: guidOf(ctx, existing),
      provisioningState: "Succeeded",
    });
  },
  references(c) {
    const p = c.properties;
    return [
      ...refTo(c.id, p.virtualNetworkGateway1, "properties.virtualNetworkGateway1.id", VNET_GATEWAY_TYPE),
      ...refTo(c.id, p.virtualNetworkGateway2, "properties.virtualNetworkGateway2.id", VNET_GATEWAY_TYPE),
      ...refTo(c.id, p.localNetworkGateway2, "properties.localNetworkGateway2.id", LOCAL_GATEWAY_TYPE),
      ...refTo(c.id, p.peer, "properties.peer.id", CIRCUIT_TYPE),
    ];
  },
};
