import { describe, expect, it } from "vitest";
import { isArmError } from "../model/errors.js";
import { prepareDeployment, type DeploymentScope, type EvalHost } from "./index.js";

const SUB = "00000000-0000-0000-0000-000000000001";
const scope: DeploymentScope = {
  tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  subscriptionId: SUB,
  resourceGroup: "rg1",
  resourceGroupLocation: "westus",
  deploymentName: "dep1",
};

function hostWith(resources: Record<string, unknown> = {}): EvalHost {
  return {
    now: () => "2024-05-06T07:08:09Z",
    newGuid: () => "11111111-2222-3333-4444-555555555555",
    getResource: (id) => {
      const k = Object.keys(resources).find((x) => x.toLowerCase() === id.toLowerCase());
      return k === undefined ? undefined : resources[k];
    },
    list: (id, fn) =>
      fn === "listKeys" ? { keys: [{ keyName: "key1", value: `k-${id.length}` }] } : undefined,
  };
}

function thrown(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (isArmError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected an ArmError");
}

/** Our own template in the shape of the quickstart "VNet with two subnets, a Storage endpoint, an account locked to it, VMs". */
const quickstart = {
  $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  contentVersion: "1.0.0.0",
  parameters: {
    adminUsername: { type: "string" },
    adminPassword: { type: "securestring" },
    vnetName: { type: "string", defaultValue: "VNet1" },
    vnetAddressPrefix: { type: "string", defaultValue: "10.0.0.0/16" },
    subnet1Name: { type: "string", defaultValue: "subnet1" },
    subnet1Prefix: { type: "string", defaultValue: "10.0.1.0/24" },
    subnet2Name: { type: "string", defaultValue: "subnet2" },
    subnet2Prefix: { type: "string", defaultValue: "10.0.2.0/24" },
    storageAccountType: {
      type: "string",
      defaultValue: "Standard_LRS",
      allowedValues: ["Standard_LRS", "Standard_GRS", "Standard_ZRS", "Premium_LRS"],
    },
    location: { type: "string", defaultValue: "[resourceGroup().location]" },
  },
  variables: {
    storageAccountName: "[uniqueString(resourceGroup().id)]",
    publicIPAddressName: "pip",
    vmName: "testvm",
    subnetId: [
      "[resourceId('Microsoft.Network/virtualNetworks/subnets', parameters('vnetName'), parameters('subnet1Name'))]",
      "[resourceId('Microsoft.Network/virtualNetworks/subnets', parameters('vnetName'), parameters('subnet2Name'))]",
    ],
    networkSecurityGroupName: "default-NSG",
  },
  resources: [
    {
      comments: "Default Network Security Group for template",
      type: "Microsoft.Network/networkSecurityGroups",
      apiVersion: "2019-08-01",
      name: "[variables('networkSecurityGroupName')]",
      location: "[parameters('location')]",
      properties: {
        securityRules: [
          {
            name: "default-allow-3389",
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
      type: "Microsoft.Network/virtualNetworks",
      apiVersion: "2017-09-01",
      name: "[parameters('vnetName')]",
      location: "[parameters('location')]",
      dependsOn: [
        "[resourceId('Microsoft.Network/networkSecurityGroups', variables('networkSecurityGroupName'))]",
      ],
      properties: {
        addressSpace: { addressPrefixes: ["[parameters('vnetAddressPrefix')]"] },
        subnets: [
          {
            name: "subnet1",
            properties: {
              addressPrefix: "[parameters('subnet1Prefix')]",
              serviceEndpoints: [{ service: "Microsoft.Storage" }],
              networkSecurityGroup: {
                id: "[resourceId('Microsoft.Network/networkSecurityGroups', variables('networkSecurityGroupName'))]",
              },
            },
          },
          { name: "subnet2", properties: { addressPrefix: "[parameters('subnet2Prefix')]" } },
        ],
      },
    },
    {
      type: "Microsoft.Network/publicIPAddresses",
      apiVersion: "2017-09-01",
      name: "[concat(variables('publicIpAddressName'), copyIndex())]",
      location: "[parameters('location')]",
      copy: { name: "pipLoop", count: 2 },
      properties: { publicIPAllocationMethod: "Dynamic" },
    },
    {
      type: "Microsoft.Network/networkInterfaces",
      apiVersion: "2016-10-01",
      name: "[concat('nic', copyIndex())]",
      location: "[parameters('location')]",
      copy: { name: "nicLoop", count: 2 },
      dependsOn: ["[parameters('vnetName')]", "pipLoop"],
      properties: {
        ipConfigurations: [
          {
            name: "ipconfig1",
            properties: {
              privateIPAllocationMethod: "Dynamic",
              subnet: { id: "[variables('subnetId')[copyIndex()]]" },
              publicIPAddress: {
                id: "[resourceId('Microsoft.Network/publicIPAddresses', concat(variables('publicIPAddressName'), copyIndex()))]",
              },
            },
          },
        ],
      },
    },
    {
      type: "Microsoft.Storage/storageAccounts",
      apiVersion: "2017-06-01",
      name: "[variables('storageAccountName')]",
      location: "[parameters('location')]",
      dependsOn: ["[resourceId('Microsoft.Network/virtualNetworks/', parameters('vnetName'))]"],
      sku: { name: "[parameters('storageAccountType')]" },
      kind: "Storage",
      properties: {
        networkAcls: {
          bypass: "None",
          virtualNetworkRules: [{ id: "[variables('subnetId')[0]]", action: "Allow" }],
          defaultAction: "Deny",
        },
      },
    },
    {
      type: "Microsoft.Compute/availabilitySets",
      apiVersion: "2017-03-30",
      name: "as1",
      location: "[parameters('location')]",
      sku: { name: "Aligned" },
      properties: { platformFaultDomainCount: 2, platformUpdateDomainCount: 2 },
    },
    {
      type: "Microsoft.Compute/virtualMachines",
      apiVersion: "2017-03-30",
      name: "[concat(variables('vmName'), copyIndex())]",
      location: "[parameters('location')]",
      copy: { name: "vmLoop", count: 2 },
      dependsOn: [
        "[resourceId('Microsoft.Storage/storageAccounts/', variables('storageAccountName'))]",
        "nicLoop",
        "Microsoft.Compute/availabilitySets/as1",
      ],
      properties: {
        osProfile: {
          computername: "[concat(variables('vmName'), copyIndex())]",
          adminUsername: "[parameters('adminUserName')]",
          adminPassword: "[parameters('adminPassword')]",
        },
        networkProfile: {
          networkInterfaces: [
            { id: "[resourceId('Microsoft.Network/networkInterfaces', concat('nic', copyIndex()))]" },
          ],
        },
      },
    },
  ],
  outputs: {
    storageAccountName: { type: "string", value: "[variables('storageAccountName')]" },
    vnetId: {
      type: "string",
      value: "[resourceId('Microsoft.Network/virtualNetworks', parameters('vnetName'))]",
    },
  },
};

const params = { adminUsername: { value: "azureuser" }, adminPassword: { value: "P@ssw0rd1234!" } };

describe("prepareDeployment: the quickstart shape", () => {
  const d = prepareDeployment(quickstart, params, scope, hostWith());

  it("applies defaults and marks secure parameters", () => {
    expect(d.parameters.location).toEqual({ type: "String", value: "westus" });
    expect(d.parameters.adminPassword).toEqual({ type: "SecureString", value: "P@ssw0rd1234!" });
    expect(d.parameters.storageAccountType!.value).toBe("Standard_LRS");
  });

  it("expands copy loops into named resources with full ids", () => {
    const names = d.resources.map((r) => `${r.type}/${r.name}`);
    expect(names).toEqual([
      "Microsoft.Network/networkSecurityGroups/default-NSG",
      "Microsoft.Network/virtualNetworks/VNet1",
      "Microsoft.Network/publicIPAddresses/pip0",
      "Microsoft.Network/publicIPAddresses/pip1",
      "Microsoft.Network/networkInterfaces/nic0",
      "Microsoft.Network/networkInterfaces/nic1",
      expect.stringMatching(/^Microsoft\.Storage\/storageAccounts\/[a-z2-7]{13}$/),
      "Microsoft.Compute/availabilitySets/as1",
      "Microsoft.Compute/virtualMachines/testvm0",
      "Microsoft.Compute/virtualMachines/testvm1",
    ]);
    expect(d.resources[1]!.id).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/VNet1`,
    );
    expect(d.resources[2]!.copy).toEqual({ name: "pipLoop", index: 0, mode: "parallel" });
  });

  it("resolves dependsOn by resourceId, bare name, loop name and type/name", () => {
    const byName = new Map(d.resources.map((r) => [r.name, r]));
    const keyOf = (n: string) => byName.get(n)!.key;
    expect(byName.get("VNet1")!.dependsOn).toEqual([keyOf("default-NSG")]);
    expect(byName.get("nic0")!.dependsOn.sort()).toEqual(
      [keyOf("VNet1"), keyOf("pip0"), keyOf("pip1")].sort(),
    );
    const sa = d.resources.find((r) => r.type === "Microsoft.Storage/storageAccounts")!;
    expect(byName.get("testvm1")!.dependsOn.sort()).toEqual(
      [sa.key, keyOf("nic0"), keyOf("nic1"), keyOf("as1")].sort(),
    );
  });

  it("orders the deployment in waves: NSG, then VNet and PIPs, then NICs and storage, then VMs", () => {
    const waves = d.order().map((w) => w.map((r) => r.name).sort());
    expect(waves[0]).toEqual(["as1", "default-NSG", "pip0", "pip1"]);
    expect(waves[1]).toEqual(["VNet1"]);
    expect(waves[2]!.filter((n) => n.startsWith("nic"))).toEqual(["nic0", "nic1"]);
    expect(waves[3]).toEqual(["testvm0", "testvm1"]);
  });

  it("evaluates bodies: the NIC's subnet is the copy index's element of the variable, names are case-insensitive", () => {
    const nic1 = d.resources.find((r) => r.name === "nic1")!;
    const body = d.evaluate(nic1, hostWith()).body as any;
    expect(body.properties.ipConfigurations[0].properties.subnet.id).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/VNet1/subnets/subnet2`,
    );
    expect(body.location).toBe("westus");
    expect(body).not.toHaveProperty("copy");
    expect(body).not.toHaveProperty("dependsOn");
    const vm = d.evaluate(
      d.resources.find((r) => r.name === "testvm0")!,
      hostWith(),
    ).body as any;
    expect(vm.properties.osProfile.adminUsername).toBe("azureuser");
    const nsg = d.evaluate(d.resources[0]!, hostWith()).body;
    expect(nsg).not.toHaveProperty("comments");
  });

  it("evaluates outputs", () => {
    const out = d.outputs(hostWith());
    expect(out.vnetId).toEqual({
      type: "String",
      value: `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/VNet1`,
    });
    expect(out.storageAccountName!.value).toMatch(/^[a-z2-7]{13}$/);
  });

  it("refuses a missing parameter as ARM does, naming its line and column", () => {
    const e = thrown(() =>
      prepareDeployment(quickstart, { adminUsername: { value: "u" } }, scope, hostWith()),
    );
    expect(e.code).toBe("InvalidTemplate");
    expect(e.message).toMatch(
      /^Deployment template validation failed: 'The value for the template parameter 'adminPassword' at line '1' and column '\d+' is not provided\. Please see https:\/\/aka\.ms\/arm-create-parameter-file for usage details\.'\.$/,
    );
  });

  it("refuses a value outside allowedValues", () => {
    const e = thrown(() =>
      prepareDeployment(quickstart, { ...params, storageAccountType: { value: "Nope" } }, scope, hostWith()),
    );
    expect(e.code).toBe("InvalidTemplate");
    expect(e.message).toContain(
      "The value 'Nope' is not part of the allowed value(s): 'Standard_LRS,Standard_GRS,Standard_ZRS,Premium_LRS'.",
    );
  });

  it("refuses parameters the template does not declare", () => {
    const e = thrown(() =>
      prepareDeployment(quickstart, { ...params, bogus: { value: 1 } }, scope, hostWith()),
    );
    expect(e.message).toContain("The template parameters 'bogus' in the parameters file are not valid");
  });
});
