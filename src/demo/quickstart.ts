/**
 * The seed's quickstart network ("vnet-2subnets-service-endpoints-storage-integration"):
 * one VNet with two subnets, a Storage endpoint on subnet1 only, a storage account locked
 * to subnet1, and a VM in each subnet with its own public IP. testvm0 reaches the account
 * over the endpoint with its private address; testvm1 is refused with 403 AuthorizationFailure.
 */
import type { ArmResource } from "../model/resources/common.js";

export const DEMO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";
export const DEMO_RESOURCE_GROUP = "lazurite-demo";
export const DEMO_LOCATION = "westus";
export const DEMO_STORAGE_ACCOUNT = "lazuritedemo0sa";

export function quickstartResources(
  subscriptionId: string = DEMO_SUBSCRIPTION,
  resourceGroup: string = DEMO_RESOURCE_GROUP,
  location: string = DEMO_LOCATION,
): ArmResource[] {
  const rg = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
  const net = `${rg}/providers/Microsoft.Network`;
  const vnetId = `${net}/virtualNetworks/VNet1`;
  const subnet1 = `${vnetId}/subnets/subnet1`;
  const subnet2 = `${vnetId}/subnets/subnet2`;
  const nsgId = `${net}/networkSecurityGroups/default-NSG`;
  const out: ArmResource[] = [
    {
      id: nsgId,
      name: "default-NSG",
      type: "Microsoft.Network/networkSecurityGroups",
      location,
      properties: {
        securityRules: [
          {
            id: `${nsgId}/securityRules/default-allow-3389`,
            name: "default-allow-3389",
            type: "Microsoft.Network/networkSecurityGroups/securityRules",
            properties: {
              priority: 1000,
              access: "Allow",
              direction: "Inbound",
              destinationPortRange: "3389",
              protocol: "Tcp",
              sourcePortRange: "*",
              sourceAddressPrefix: "*",
              destinationAddressPrefix: "*",
            },
          },
        ],
      },
    },
    {
      id: vnetId,
      name: "VNet1",
      type: "Microsoft.Network/virtualNetworks",
      location,
      properties: {
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [
          {
            id: subnet1,
            name: "subnet1",
            type: "Microsoft.Network/virtualNetworks/subnets",
            properties: {
              addressPrefix: "10.0.1.0/24",
              serviceEndpoints: [{ service: "Microsoft.Storage" }],
              networkSecurityGroup: { id: nsgId },
            },
          },
          {
            id: subnet2,
            name: "subnet2",
            type: "Microsoft.Network/virtualNetworks/subnets",
            properties: { addressPrefix: "10.0.2.0/24" },
          },
        ],
      },
    },
  ];
  for (const i of [0, 1]) {
    const pipId = `${net}/publicIPAddresses/pip${i}`;
    const nicId = `${net}/networkInterfaces/nic${i}`;
    out.push(
      {
        id: pipId,
        name: `pip${i}`,
        type: "Microsoft.Network/publicIPAddresses",
        location,
        properties: { publicIPAllocationMethod: "Dynamic" },
      },
      {
        id: nicId,
        name: `nic${i}`,
        type: "Microsoft.Network/networkInterfaces",
        location,
        properties: {
          ipConfigurations: [
            {
              name: "ipconfig1",
              id: `${nicId}/ipConfigurations/ipconfig1`,
              properties: {
                privateIPAllocationMethod: "Dynamic",
                subnet: { id: i === 0 ? subnet1 : subnet2 },
                publicIPAddress: { id: pipId },
              },
            },
          ],
        },
      },
      {
        id: `${rg}/providers/Microsoft.Compute/virtualMachines/testvm${i}`,
        name: `testvm${i}`,
        type: "Microsoft.Compute/virtualMachines",
        location,
        properties: {
          hardwareProfile: { vmSize: "Standard_A1" },
          networkProfile: { networkInterfaces: [{ id: nicId }] },
        },
      },
    );
  }
  out.push({
    id: `${rg}/providers/Microsoft.Storage/storageAccounts/${DEMO_STORAGE_ACCOUNT}`,
    name: DEMO_STORAGE_ACCOUNT,
    type: "Microsoft.Storage/storageAccounts",
    location,
    sku: { name: "Standard_LRS" },
    kind: "Storage",
    properties: {
      networkAcls: {
        bypass: "None",
        virtualNetworkRules: [{ id: subnet1, action: "Allow" }],
        ipRules: [],
        defaultAction: "Deny",
      },
    },
  });
  return out;
}
