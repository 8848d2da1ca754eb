/**
 * Bad input never crashes the evaluator: any JSON in any place of a template either evaluates or
 * is refused with an ArmError (never a TypeError, a RangeError or a hang).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isArmError } from "../model/errors.js";
import { prepareDeployment, type EvalHost } from "./index.js";

const scope = {
  tenantId: "t",
  subscriptionId: "00000000-0000-0000-0000-000000000001",
  resourceGroup: "rg",
  resourceGroupLocation: "westus",
  deploymentName: "d",
};
const host: EvalHost = {
  now: () => "2024-01-01T00:00:00Z",
  newGuid: () => "g",
  getResource: () => ({ properties: {} }),
};

const base = () => ({
  $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  contentVersion: "1.0.0.0",
  parameters: { p: { type: "string", defaultValue: "x" } },
  variables: { v: "[concat(parameters('p'), 'y')]" },
  resources: [
    {
      type: "Microsoft.Network/virtualNetworks",
      apiVersion: "2023-04-01",
      name: "[concat(variables('v'), copyIndex())]",
      copy: { name: "l", count: 2 },
      dependsOn: [],
      properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } },
    },
    {
      type: "Microsoft.Resources/deployments",
      apiVersion: "2022-09-01",
      name: "nested",
      properties: {
        mode: "Incremental",
        expressionEvaluationOptions: { scope: "inner" },
        parameters: { a: { value: "[parameters('p')]" } },
        template: {
          contentVersion: "1.0.0.0",
          parameters: { a: { type: "string" } },
          resources: [
            { type: "Microsoft.Network/routeTables", apiVersion: "2023-04-01", name: "[parameters('a')]" },
          ],
          outputs: { o: { type: "string", value: "[parameters('a')]" } },
        },
      },
    },
  ],
  outputs: { o: { type: "string", value: "[variables('v')]" } },
});

const expressionish = fc.oneof(
  fc.constantFrom(
    "[",
    "[]",
    "[[x]",
    "[concat(]",
    "[parameters('nope')]",
    "[variables('v')[5]]",
    "[copyIndex('zz')]",
    "[reference('x').a.b]",
    "[json('{')]",
    "[length(1)]",
    "[createObject('a')]",
    "[lambda('x', 1)]",
    "[if(1, 2, 3)]",
    "[int('a')]",
    "[range(0, 100000)]",
    "[substring('a', -1)]",
    "[split('a', 1)]",
    "[format('{0:Q}', 1)]",
    "[dateTimeAdd('x', 'P1D')]",
  ),
  fc.string({ maxLength: 12 }).map((s) => `[${s}]`),
);
const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 2 }), expressionish);

const paths: Array<(t: any, v: unknown) => void> = [
  (t, v) => (t.parameters.p = v),
  (t, v) => (t.parameters.p.defaultValue = v),
  (t, v) => (t.parameters.p.type = v),
  (t, v) => (t.variables.v = v),
  (t, v) => (t.variables = v),
  (t, v) => (t.resources = v),
  (t, v) => (t.resources[0] = v),
  (t, v) => (t.resources[0].name = v),
  (t, v) => (t.resources[0].type = v),
  (t, v) => (t.resources[0].copy = v),
  (t, v) => (t.resources[0].copy.count = v),
  (t, v) => (t.resources[0].dependsOn = v),
  (t, v) => (t.resources[0].condition = v),
  (t, v) => (t.resources[0].properties = v),
  (t, v) => (t.resources[0].properties.copy = v),
  (t, v) => (t.resources[0].resources = v),
  (t, v) => (t.outputs = v),
  (t, v) => (t.outputs.o = v),
  (t, v) => (t.outputs.o.value = v),
  (t, v) => (t.outputs.o.copy = v),
  (t, v) => (t.functions = v),
  (t, v) => (t.resources[1].properties = v),
  (t, v) => (t.resources[1].properties.template = v),
  (t, v) => (t.resources[1].properties.parameters = v),
  (t, v) => (t.resources[1].properties.parameters.a = v),
  (t, v) => (t.resources[1].properties.template.resources = v),
  (t, v) => (t.resources[1].properties.expressionEvaluationOptions = v),
  (t, v) => (t.resources[1].resourceGroup = v),
  (t, v) => (t.definitions = v),
  (t, v) => (t.languageVersion = v),
];

describe("robustness", () => {
  it("any JSON anywhere: evaluates or throws an ArmError", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: paths.length - 1 }),
        anyJson,
        fc.option(fc.jsonValue({ maxDepth: 2 })),
        (i, v, params) => {
          const t = base();
          paths[i]!(t, v);
          try {
            const d = prepareDeployment(t, (params ?? {}) as Record<string, unknown>, scope, host);
            for (const wave of d.order())
              for (const r of wave) {
                d.evaluate(r, host);
                if (r.nestedDeployment) {
                  const n = d.nested(r, host);
                  for (const w of n.deployment.order()) for (const x of w) n.deployment.evaluate(x, host);
                  n.deployment.outputs(host);
                }
              }
            d.outputs(host);
          } catch (e) {
            if (!isArmError(e)) throw e;
            expect(e.message.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a user-defined function calling itself is refused, not a stack overflow", () => {
    const t = {
      ...base(),
      functions: [
        {
          namespace: "my",
          members: { loop: { parameters: [], output: { type: "string", value: "[my.loop()]" } } },
        },
      ],
      outputs: { o: { type: "string", value: "[my.loop()]" } },
    };
    const d = prepareDeployment(t, {}, scope, host);
    let err: unknown;
    try {
      d.outputs(host);
    } catch (e) {
      err = e;
    }
    expect(isArmError(err)).toBe(true);
  });
});
