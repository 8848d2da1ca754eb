/**
 * Template evaluation benchmark: the 500-resource template of issue 11 (one VNet whose 125
 * subnets come from a property copy loop, then copy loops of 125 NSGs, 125 public IPs,
 * 124 application security groups and 125 NICs that reference them) evaluated offline: prepare
 * (parameters, variables, copy expansion, dependencies), order (waves) and every resource body.
 *
 * Run: npx tsx bench/template.ts [--runs N] (default 50; prints the first, cold run and the median)
 */
import { fileURLToPath } from "node:url";
import { prepareDeployment, type EvalHost } from "../src/template/index.js";

/** The benchmark's template: `count` subnets, NSGs, PIPs and NICs, `count - 1` ASGs, one VNet. */
export function template500(count = 125): Record<string, unknown> {
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    parameters: {
      count: { type: "int", defaultValue: count, maxValue: 250 },
      location: { type: "string", defaultValue: "[resourceGroup().location]" },
      prefix: { type: "string", defaultValue: "bench" },
    },
    variables: {
      vnetName: "[concat(parameters('prefix'), '-vnet')]",
      vnetId: "[resourceId('Microsoft.Network/virtualNetworks', variables('vnetName'))]",
    },
    resources: [
      {
        type: "Microsoft.Network/networkSecurityGroups",
        apiVersion: "2023-04-01",
        name: "[format('{0}-nsg-{1:D3}', parameters('prefix'), copyIndex())]",
        location: "[parameters('location')]",
        copy: { name: "nsgLoop", count: "[parameters('count')]" },
        properties: {
          securityRules: [
            {
              name: "allow-storage",
              properties: {
                priority: 100,
                access: "Allow",
                direction: "Outbound",
                protocol: "Tcp",
                sourceAddressPrefix: "VirtualNetwork",
                sourcePortRange: "*",
                destinationAddressPrefix: "Storage",
                destinationPortRange: "443",
              },
            },
          ],
        },
      },
      {
        type: "Microsoft.Network/applicationSecurityGroups",
        apiVersion: "2023-04-01",
        name: "[format('{0}-asg-{1:D3}', parameters('prefix'), copyIndex())]",
        location: "[parameters('location')]",
        copy: { name: "asgLoop", count: "[sub(parameters('count'), 1)]" },
        properties: {},
      },
      {
        type: "Microsoft.Network/virtualNetworks",
        apiVersion: "2023-04-01",
        name: "[variables('vnetName')]",
        location: "[parameters('location')]",
        dependsOn: ["nsgLoop"],
        properties: {
          addressSpace: { addressPrefixes: ["10.0.0.0/8"] },
          copy: [
            {
              name: "subnets",
              count: "[parameters('count')]",
              input: {
                name: "[format('subnet-{0:D3}', copyIndex('subnets'))]",
                properties: {
                  addressPrefix:
                    "[format('10.{0}.{1}.0/24', div(copyIndex('subnets'), 250), mod(copyIndex('subnets'), 250))]",
                  networkSecurityGroup: {
                    id: "[resourceId('Microsoft.Network/networkSecurityGroups', format('{0}-nsg-{1:D3}', parameters('prefix'), copyIndex('subnets')))]",
                  },
                  serviceEndpoints:
                    "[if(equals(mod(copyIndex('subnets'), 2), 0), createArray(createObject('service', 'Microsoft.Storage')), createArray())]",
                },
              },
            },
          ],
        },
      },
      {
        type: "Microsoft.Network/publicIPAddresses",
        apiVersion: "2023-04-01",
        name: "[format('{0}-pip-{1:D3}', parameters('prefix'), copyIndex())]",
        location: "[parameters('location')]",
        copy: { name: "pipLoop", count: "[parameters('count')]" },
        sku: { name: "Standard" },
        properties: { publicIPAllocationMethod: "Static" },
      },
      {
        type: "Microsoft.Network/networkInterfaces",
        apiVersion: "2023-04-01",
        name: "[format('{0}-nic-{1:D3}', parameters('prefix'), copyIndex())]",
        location: "[parameters('location')]",
        copy: { name: "nicLoop", count: "[parameters('count')]" },
        dependsOn: [
          "[variables('vnetId')]",
          "[resourceId('Microsoft.Network/publicIPAddresses', format('{0}-pip-{1:D3}', parameters('prefix'), copyIndex()))]",
          "asgLoop",
        ],
        properties: {
          ipConfigurations: [
            {
              name: "ipconfig1",
              properties: {
                privateIPAllocationMethod: "Dynamic",
                subnet: {
                  id: "[concat(variables('vnetId'), '/subnets/', format('subnet-{0:D3}', copyIndex()))]",
                },
                publicIPAddress: {
                  id: "[resourceId('Microsoft.Network/publicIPAddresses', format('{0}-pip-{1:D3}', parameters('prefix'), copyIndex()))]",
                },
                applicationSecurityGroups: [
                  {
                    id: "[resourceId('Microsoft.Network/applicationSecurityGroups', format('{0}-asg-{1:D3}', parameters('prefix'), mod(copyIndex(), sub(parameters('count'), 1))))]",
                  },
                ],
              },
            },
          ],
        },
      },
    ],
    outputs: {
      vnetId: { type: "string", value: "[variables('vnetId')]" },
      nics: { type: "int", value: "[parameters('count')]" },
    },
  };
}

const host: EvalHost = {
  now: () => "2026-01-01T00:00:00Z",
  newGuid: () => "00000000-0000-0000-0000-000000000000",
  getResource: () => undefined,
};

export function runTemplateBench(runs = 50): Record<string, number> {
  const scope = {
    tenantId: "00000000-0000-0000-0000-000000000000",
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroup: "bench",
    resourceGroupLocation: "westeurope",
    deploymentName: "bench",
  };
  const text = JSON.stringify(template500());
  let resources = 0;
  let waves = 0;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const d = prepareDeployment(JSON.parse(text), {}, scope, host);
    const order = d.order();
    for (const wave of order) for (const r of wave) d.evaluate(r, host);
    d.outputs(host);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    resources = d.resources.length;
    waves = order.length;
  }
  const first = times[0]!;
  times.sort((a, b) => a - b);
  return {
    templateResources: resources,
    templateWaves: waves,
    templateEvaluationMsMedian: times[Math.floor(times.length / 2)]!,
    templateEvaluationMsFirst: first,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--runs");
  const r = runTemplateBench(i > 0 ? Number(process.argv[i + 1]) : 50);
  for (const [k, v] of Object.entries(r))
    console.log(`${k.padEnd(30)} ${Number.isInteger(v) ? v : v.toFixed(1)}`);
  console.log(JSON.stringify({ bench: "template", ...r }));
}
