/**
 * Minimal networks on which the engine disagrees with Azure's documented route selection
 * (azure-facts §4.1; the reference evaluator follows it). Each is asserted with `it.fails` in
 * engine-vs-reference.test.ts until src/engine/routes.ts is fixed; then flip them to `it` and set
 * AVOID_OPEN_ENGINE_ISSUES to false in network-gen.ts.
 */
import type { ArmResource } from "../../src/model/resources/common.js";
import type { Flow } from "../../src/engine/types.js";

const N = "/subscriptions/00000000-0000-0000-0000-00000000000a/resourceGroups/rg/providers/Microsoft.Network";

function hubWithVpn(
  routes: Array<{ name: string; prefix: string; hop: string }>,
  onPremPrefixes: string[],
): ArmResource[] {
  return [
    {
      id: `${N}/virtualNetworks/hub`,
      name: "hub",
      type: "Microsoft.Network/virtualNetworks",
      location: "westus",
      properties: {
        addressSpace: { addressPrefixes: ["10.1.0.0/16"] },
        subnets: [
          {
            id: `${N}/virtualNetworks/hub/subnets/app`,
            name: "app",
            properties: { addressPrefix: "10.1.1.0/24", routeTable: { id: `${N}/routeTables/rt` } },
          },
          {
            id: `${N}/virtualNetworks/hub/subnets/GatewaySubnet`,
            name: "GatewaySubnet",
            properties: { addressPrefix: "10.1.255.0/27" },
          },
        ],
      },
    },
    {
      id: `${N}/routeTables/rt`,
      name: "rt",
      type: "Microsoft.Network/routeTables",
      location: "westus",
      properties: {
        routes: routes.map((r) => ({
          id: `${N}/routeTables/rt/routes/${r.name}`,
          name: r.name,
          type: "Microsoft.Network/routeTables/routes",
          properties: { addressPrefix: r.prefix, nextHopType: r.hop },
        })),
      },
    },
    {
      id: `${N}/virtualNetworkGateways/gw`,
      name: "gw",
      type: "Microsoft.Network/virtualNetworkGateways",
      location: "westus",
      properties: {
        gatewayType: "Vpn",
        ipConfigurations: [
          {
            name: "c",
            properties: {
              subnet: { id: `${N}/virtualNetworks/hub/subnets/GatewaySubnet` },
              privateIPAddress: "10.1.255.4",
            },
          },
        ],
      },
    },
    {
      id: `${N}/localNetworkGateways/onprem`,
      name: "onprem",
      type: "Microsoft.Network/localNetworkGateways",
      location: "westus",
      properties: {
        gatewayIpAddress: "203.0.113.10",
        localNetworkAddressSpace: { addressPrefixes: onPremPrefixes },
      },
    },
    {
      id: `${N}/connections/vpn`,
      name: "vpn",
      type: "Microsoft.Network/connections",
      location: "westus",
      properties: {
        connectionType: "IPsec",
        virtualNetworkGateway1: { id: `${N}/virtualNetworkGateways/gw` },
        localNetworkGateway2: { id: `${N}/localNetworkGateways/onprem` },
      },
    },
    {
      id: `${N}/networkInterfaces/n1`,
      name: "n1",
      type: "Microsoft.Network/networkInterfaces",
      location: "westus",
      properties: {
        ipConfigurations: [
          {
            name: "ipconfig1",
            properties: {
              subnet: { id: `${N}/virtualNetworks/hub/subnets/app` },
              privateIPAllocationMethod: "Static",
              privateIPAddress: "10.1.1.4",
            },
          },
        ],
      },
    },
  ];
}

const fromN1 = (address: string): Flow => ({
  source: { kind: "nic", nicId: `${N}/networkInterfaces/n1` },
  destination: { kind: "ip", address },
});

export interface OpenIssue {
  title: string;
  resources: ArmResource[];
  flow: Flow;
}

/**
 * A: a USER route with next hop VnetLocal (192.168.0.0/16) is treated like the VNet's system
 * route, so it beats the more specific BGP route 192.168.100.0/24. Only system routes for the VNet
 * space and peerings beat more specific BGP routes; by longest prefix the BGP route wins.
 * Engine: VnetLocal from 10.1.1.4. Azure (reference): VirtualNetworkGateway, seen from 203.0.113.10.
 */
export const USER_VNETLOCAL_VS_BGP: OpenIssue = {
  title: "a user route with next hop VnetLocal does not beat a more specific BGP route",
  resources: hubWithVpn(
    [{ name: "onprem-space", prefix: "192.168.0.0/16", hop: "VnetLocal" }],
    ["192.168.100.0/24"],
  ),
  flow: fromN1("192.168.100.94"),
};

/**
 * B: a BGP route inside the VNet space (10.1.1.0/25) beats the more specific-than-VNet user route
 * 10.1.1.0/24 → None, because the engine only applies the "VNet system routes beat more specific
 * BGP routes" rule when the longest non-BGP match is itself the VNet route. The VNet system route
 * 10.1.0.0/16 contains the destination, so the BGP route is out; the user route then wins.
 * Engine: VirtualNetworkGateway, Allowed. Azure (reference): None, Denied by route drop-app.
 */
export const BGP_INSIDE_VNET_UNDER_USER_ROUTE: OpenIssue = {
  title:
    "a BGP route inside the VNet space does not win over a user route when the VNet system route covers the destination",
  resources: hubWithVpn([{ name: "drop-app", prefix: "10.1.1.0/24", hop: "None" }], ["10.1.1.0/25"]),
  flow: fromN1("10.1.1.5"),
};

/**
 * C: two VNets peered with `useRemoteGateways: true` on both sides (Azure refuses it, but a
 * `--config` file can hold it): `gatewaysFor` recurses without end (RangeError).
 */
export function mutualRemoteGateways(): OpenIssue {
  const vnet = (name: string, space: string, subnet: string, peer: string): ArmResource => ({
    id: `${N}/virtualNetworks/${name}`,
    name,
    type: "Microsoft.Network/virtualNetworks",
    location: "westus",
    properties: {
      addressSpace: { addressPrefixes: [space] },
      subnets: [
        { id: `${N}/virtualNetworks/${name}/subnets/s`, name: "s", properties: { addressPrefix: subnet } },
      ],
      virtualNetworkPeerings: [
        {
          id: `${N}/virtualNetworks/${name}/virtualNetworkPeerings/to-${peer}`,
          name: `to-${peer}`,
          properties: {
            remoteVirtualNetwork: { id: `${N}/virtualNetworks/${peer}` },
            allowVirtualNetworkAccess: true,
            allowGatewayTransit: true,
            useRemoteGateways: true,
            peeringState: "Connected",
          },
        },
      ],
    },
  });
  return {
    title: "mutual useRemoteGateways peerings do not make route computation recurse forever",
    resources: [
      vnet("a", "10.1.0.0/16", "10.1.1.0/24", "b"),
      vnet("b", "10.2.0.0/16", "10.2.1.0/24", "a"),
      {
        id: `${N}/networkInterfaces/n1`,
        name: "n1",
        type: "Microsoft.Network/networkInterfaces",
        location: "westus",
        properties: {
          ipConfigurations: [
            { name: "ipconfig1", properties: { subnet: { id: `${N}/virtualNetworks/a/subnets/s` } } },
          ],
        },
      },
    ],
    flow: fromN1("8.8.8.8"),
  };
}
