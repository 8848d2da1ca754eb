/**
 * Template language features beyond single functions: copy loops (resources, properties,
 * variables, outputs), conditions, nested children, dependencies and cycles, reference() through
 * the host, languageVersion 2.0 (symbolic names, existing), user-defined functions and types,
 * nested deployments (inner/outer scope, other resource groups), subscription scope.
 */
import { describe, expect, it } from "vitest";
import { isArmError } from "../model/errors.js";
import { prepareDeployment, type DeploymentScope, type EvalHost } from "./index.js";

const SUB = "00000000-0000-0000-0000-000000000001";
const RG = `/subscriptions/${SUB}/resourceGroups/rg1`;
const scope: DeploymentScope = {
  tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  subscriptionId: SUB,
  resourceGroup: "rg1",
  resourceGroupLocation: "westus",
  deploymentName: "dep1",
};
const subScope: DeploymentScope = {
  tenantId: scope.tenantId,
  subscriptionId: SUB,
  deploymentName: "subdep",
  location: "eastus",
};

function hostWith(resources: Record<string, unknown> = {}, secrets: Record<string, string> = {}): EvalHost {
  return {
    now: () => "2024-05-06T07:08:09Z",
    newGuid: () => "11111111-2222-3333-4444-555555555555",
    getResource: (id) => {
      const k = Object.keys(resources).find((x) => x.toLowerCase() === id.toLowerCase());
      return k === undefined ? undefined : resources[k];
    },
    list: (id, fn) =>
      fn.toLowerCase() === "listkeys"
        ? { keys: [{ keyName: "key1", value: `secret-of-${id.split("/").pop()}` }] }
        : undefined,
    keyVaultSecret: (vault, name) => secrets[`${vault}|${name}`],
  };
}
const host = hostWith();

function tmpl(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    resources: [],
    ...extra,
  };
}

function thrown(f: () => unknown): { code: string; message: string; details?: unknown } {
  try {
    f();
  } catch (e) {
    if (isArmError(e)) return { code: e.code, message: e.message, details: e.details };
    throw e;
  }
  throw new Error("expected an ArmError");
}

const vnet = (name: string, extra: Record<string, unknown> = {}) => ({
  type: "Microsoft.Network/virtualNetworks",
  apiVersion: "2023-04-01",
  name,
  location: "westus",
  properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] } },
  ...extra,
});

describe("copy loops", () => {
  it("property copy builds an array with copyIndex('name')", () => {
    const d = prepareDeployment(
      tmpl({
        parameters: { count: { type: "int", defaultValue: 3 } },
        resources: [
          vnet("v", {
            properties: {
              addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
              copy: [
                {
                  name: "subnets",
                  count: "[parameters('count')]",
                  input: {
                    name: "[concat('subnet', copyIndex('subnets', 1))]",
                    properties: { addressPrefix: "[concat('10.0.', copyIndex('subnets'), '.0/24')]" },
                  },
                },
              ],
            },
          }),
        ],
      }),
      {},
      scope,
      host,
    );
    const body = d.evaluate(d.resources[0]!, host).body as any;
    expect(body.properties.subnets).toEqual([
      { name: "subnet1", properties: { addressPrefix: "10.0.0.0/24" } },
      { name: "subnet2", properties: { addressPrefix: "10.0.1.0/24" } },
      { name: "subnet3", properties: { addressPrefix: "10.0.2.0/24" } },
    ]);
    expect(body.properties).not.toHaveProperty("copy");
  });

  it("variable copy, at the top and inside a variable (docs shapes)", () => {
    const d = prepareDeployment(
      tmpl({
        variables: {
          copy: [
            {
              name: "disks",
              count: 2,
              input: { name: "[concat('disk', copyIndex('disks'))]", lun: "[copyIndex('disks')]" },
            },
          ],
          obj: { copy: [{ name: "items", count: 2, input: "[concat('item', copyIndex('items', 1))]" }] },
        },
        outputs: {
          disks: { type: "array", value: "[variables('disks')]" },
          items: { type: "object", value: "[variables('obj')]" },
        },
      }),
      {},
      scope,
      host,
    );
    const out = d.outputs(host);
    expect(out.disks!.value).toEqual([
      { name: "disk0", lun: 0 },
      { name: "disk1", lun: 1 },
    ]);
    expect(out.items).toEqual({ type: "Object", value: { items: ["item1", "item2"] } });
  });

  it("output copy and output condition", () => {
    const d = prepareDeployment(
      tmpl({
        outputs: {
          names: { type: "array", copy: { count: 3, input: "[concat('vm', copyIndex())]" } },
          hidden: { type: "string", condition: "[equals(1, 2)]", value: "x" },
        },
      }),
      {},
      scope,
      host,
    );
    const out = d.outputs(host);
    expect(out).toEqual({ names: { type: "Array", value: ["vm0", "vm1", "vm2"] } });
  });

  it("copy count 0 deploys nothing; count above 800 is refused", () => {
    const zero = prepareDeployment(
      tmpl({ resources: [vnet("[concat('v', copyIndex())]", { copy: { name: "l", count: 0 } })] }),
      {},
      scope,
      host,
    );
    expect(zero.resources).toEqual([]);
    const e = thrown(() =>
      prepareDeployment(
        tmpl({ resources: [vnet("[concat('v', copyIndex())]", { copy: { name: "l", count: 801 } })] }),
        {},
        scope,
        host,
      ),
    );
    expect(e.code).toBe("InvalidTemplate");
    expect(e.message).toMatch(/less than or equal to 800/);
  });

  it("serial copy with batchSize deploys batch after batch", () => {
    const d = prepareDeployment(
      tmpl({
        resources: [
          vnet("[concat('v', copyIndex())]", { copy: { name: "l", count: 5, mode: "serial", batchSize: 2 } }),
        ],
      }),
      {},
      scope,
      host,
    );
    expect(d.order().map((w) => w.map((r) => r.name))).toEqual([["v0", "v1"], ["v2", "v3"], ["v4"]]);
    expect(d.resources[0]!.copy).toEqual({ name: "l", index: 0, mode: "serial", batchSize: 2 });
  });

  it("copyIndex outside a loop is refused with ARM's words", () => {
    const e = thrown(() =>
      prepareDeployment(tmpl({ resources: [vnet("[concat('v', copyIndex())]")] }), {}, scope, host),
    );
    expect(e.message).toContain("The template function 'copyIndex' is not expected at this location.");
    expect(e.message).toMatch(
      /^Deployment template validation failed: 'The template resource '\[concat\('v', copyIndex\(\)\)\]' at line '1' and column '\d+' is not valid: /,
    );
  });
});

describe("conditions, children and dependencies", () => {
  it("condition false removes the resource and its dependency edges", () => {
    const d = prepareDeployment(
      tmpl({
        parameters: { deployNsg: { type: "bool", defaultValue: false } },
        resources: [
          {
            type: "Microsoft.Network/networkSecurityGroups",
            apiVersion: "2023-04-01",
            name: "nsg",
            location: "westus",
            condition: "[parameters('deployNsg')]",
          },
          vnet("v", { dependsOn: ["[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg')]"] }),
        ],
      }),
      {},
      scope,
      host,
    );
    expect(d.resources.map((r) => r.name)).toEqual(["v"]);
    expect(d.resources[0]!.dependsOn).toEqual([]);
  });

  it("nested child resources take their type and name from the parent; no implicit dependency (documented)", () => {
    const d = prepareDeployment(
      tmpl({
        resources: [
          vnet("v", {
            resources: [
              {
                type: "subnets",
                apiVersion: "2023-04-01",
                name: "s1",
                dependsOn: ["v"],
                properties: { addressPrefix: "10.0.1.0/24" },
              },
              {
                type: "Microsoft.Network/virtualNetworks/subnets",
                apiVersion: "2023-04-01",
                name: "v/s2",
                properties: { addressPrefix: "10.0.2.0/24" },
              },
            ],
          }),
        ],
      }),
      {},
      scope,
      host,
    );
    const [p, s1, s2] = d.resources;
    expect(s1!.type).toBe("Microsoft.Network/virtualNetworks/subnets");
    expect(s1!.name).toBe("v/s1");
    expect(s1!.id).toBe(`${RG}/providers/Microsoft.Network/virtualNetworks/v/subnets/s1`);
    expect(s1!.dependsOn).toEqual([p!.key]);
    expect(s2!.name).toBe("v/s2");
    expect(s2!.dependsOn).toEqual([]);
    expect(d.evaluate(p!, host).body).not.toHaveProperty("resources");
  });

  it("implicit dependencies from reference() and list*() of resources in the template", () => {
    const d = prepareDeployment(
      tmpl({
        resources: [
          {
            type: "Microsoft.Storage/storageAccounts",
            apiVersion: "2023-01-01",
            name: "sa1",
            location: "westus",
            kind: "StorageV2",
            sku: { name: "Standard_LRS" },
          },
          vnet("v", {
            tags: {
              endpoint:
                "[reference(resourceId('Microsoft.Storage/storageAccounts', 'sa1')).primaryEndpoints.blob]",
              key: "[listKeys('sa1', '2023-01-01').keys[0].value]",
            },
          }),
        ],
      }),
      {},
      scope,
      host,
    );
    expect(d.resources[1]!.dependsOn).toEqual([d.resources[0]!.key]);
    expect(d.order().map((w) => w.map((r) => r.name))).toEqual([["sa1"], ["v"]]);
    const saId = d.resources[0]!.id;
    const h = hostWith({
      [saId]: { id: saId, properties: { primaryEndpoints: { blob: "https://sa1.blob.core.windows.net/" } } },
    });
    expect((d.evaluate(d.resources[1]!, h).body as any).tags).toEqual({
      endpoint: "https://sa1.blob.core.windows.net/",
      key: "secret-of-sa1",
    });
  });

  it("reference() of a missing resource: ResourceNotFound, or its source text when lenient (what-if)", () => {
    const t = tmpl({
      resources: [
        vnet("v", {
          tags: {
            x: "[reference(resourceId('Microsoft.Storage/storageAccounts', 'nope'), '2023-01-01').primaryEndpoints.blob]",
          },
        }),
      ],
    });
    const d = prepareDeployment(t, {}, scope, host);
    expect(thrown(() => d.evaluate(d.resources[0]!, host)).code).toBe("ResourceNotFound");
    const lenient = prepareDeployment(t, {}, scope, host, { lenient: true });
    expect((lenient.evaluate(lenient.resources[0]!, host).body as any).tags.x).toBe(
      "[reference(resourceId('Microsoft.Storage/storageAccounts', 'nope'), '2023-01-01').primaryEndpoints.blob]",
    );
  });

  it("references() of a copy loop returns every member's state and depends on the loop", () => {
    const d = prepareDeployment(
      tmpl({
        resources: [
          vnet("[concat('v', copyIndex())]", { copy: { name: "vnets", count: 2 } }),
          vnet("summary", {
            tags: { ids: "[string(map(references('vnets', 'Full'), lambda('r', lambdaVariables('r').id)))]" },
          }),
        ],
      }),
      {},
      scope,
      host,
    );
    const [a, b, summary] = d.resources;
    expect(summary!.dependsOn.sort()).toEqual([a!.key, b!.key].sort());
    const h = hostWith({ [a!.id]: { id: "A" }, [b!.id]: { id: "B" } });
    expect((d.evaluate(summary!, h).body as any).tags.ids).toBe('["A","B"]');
  });

  it("reference() with 'Full' returns the whole envelope", () => {
    const id = `${RG}/providers/Microsoft.Network/virtualNetworks/other`;
    const h = hostWith({ [id]: { id, location: "eastus", properties: { provisioningState: "Succeeded" } } });
    const d = prepareDeployment(
      tmpl({
        outputs: { loc: { type: "string", value: `[reference('${id}', '2023-04-01', 'Full').location]` } },
      }),
      {},
      scope,
      h,
    );
    expect(d.outputs(h).loc!.value).toBe("eastus");
  });

  it("reference() is refused in a resource name, as ARM does", () => {
    const e = thrown(() =>
      prepareDeployment(tmpl({ resources: [vnet("[reference('x').name]")] }), {}, scope, host),
    );
    expect(e.message).toMatch(
      /^Deployment template validation failed: 'The template resource '\[reference\('x'\)\.name\]' at line '1' and column '\d+' is not valid: The template function 'reference' is not expected at this location\. Please see https:\/\/aka\.ms\/arm-functions for usage details\.'\.$/,
    );
  });

  it("a cycle is refused: Circular dependency detected on resource", () => {
    const e = thrown(() =>
      prepareDeployment(
        tmpl({ resources: [vnet("a", { dependsOn: ["b"] }), vnet("b", { dependsOn: ["a"] })] }),
        {},
        scope,
        host,
      ),
    );
    expect(e.code).toBe("InvalidTemplate");
    expect(e.message).toMatch(
      /^Deployment template validation failed: 'Circular dependency detected on resource: '\/subscriptions\/.*\/virtualNetworks\/[ab]'\. Please see https:\/\/aka\.ms\/arm-template\/#resources for usage details\.'\.$/,
    );
  });

  it("dependsOn a resource the template does not define is refused", () => {
    const e = thrown(() =>
      prepareDeployment(tmpl({ resources: [vnet("a", { dependsOn: ["ghost"] })] }), {}, scope, host),
    );
    expect(e.message).toContain("The resource 'ghost' is not defined in the template.");
  });

  it("a resource defined twice is refused", () => {
    const e = thrown(() => prepareDeployment(tmpl({ resources: [vnet("a"), vnet("A")] }), {}, scope, host));
    expect(e.message).toContain("is defined multiple times in a template");
  });

  it("name segments must match the type", () => {
    const e = thrown(() =>
      prepareDeployment(
        tmpl({
          resources: [
            { type: "Microsoft.Network/virtualNetworks/subnets", apiVersion: "2023-04-01", name: "only" },
          ],
        }),
        {},
        scope,
        host,
      ),
    );
    expect(e.message).toContain("has incorrect segment lengths");
  });

  it("extension resources with 'scope' get ids under their scope", () => {
    const d = prepareDeployment(
      tmpl({
        resources: [
          vnet("v"),
          {
            type: "Microsoft.Authorization/locks",
            apiVersion: "2020-05-01",
            name: "lock1",
            scope: "[resourceId('Microsoft.Network/virtualNetworks', 'v')]",
            dependsOn: ["v"],
            properties: { level: "CanNotDelete" },
          },
        ],
      }),
      {},
      scope,
      host,
    );
    expect(d.resources[1]!.id).toBe(
      `${RG}/providers/Microsoft.Network/virtualNetworks/v/providers/Microsoft.Authorization/locks/lock1`,
    );
    expect(d.evaluate(d.resources[1]!, host).body).toEqual({ properties: { level: "CanNotDelete" } });
  });
});

describe("extension scopes as Bicep emits them", () => {
  it("a relative scope 'Type/name' and a symbolic scope", () => {
    const t = {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      languageVersion: "2.0",
      contentVersion: "1.0.0.0",
      resources: {
        sa: {
          type: "Microsoft.Storage/storageAccounts",
          apiVersion: "2023-01-01",
          name: "sa1",
          location: "westus",
        },
        lockBySymbol: {
          type: "Microsoft.Authorization/locks",
          apiVersion: "2020-05-01",
          name: "l1",
          scope: "sa",
          properties: { level: "ReadOnly" },
          dependsOn: ["sa"],
        },
        lockByPath: {
          type: "Microsoft.Authorization/locks",
          apiVersion: "2020-05-01",
          name: "l2",
          scope: "[format('Microsoft.Storage/storageAccounts/{0}', 'sa1')]",
          properties: { level: "ReadOnly" },
        },
      },
    };
    const d = prepareDeployment(t, {}, scope, host);
    const sa = `${RG}/providers/Microsoft.Storage/storageAccounts/sa1`;
    expect(d.resources[1]!.id).toBe(`${sa}/providers/Microsoft.Authorization/locks/l1`);
    expect(d.resources[2]!.id).toBe(`${sa}/providers/Microsoft.Authorization/locks/l2`);
  });
});

describe("parameters", () => {
  const t = tmpl({
    parameters: {
      n: { type: "int", minValue: 1, maxValue: 5, defaultValue: 2 },
      s: { type: "string", minLength: 3, maxLength: 5, defaultValue: "abc" },
      arr: { type: "array", allowedValues: ["a", "b"], defaultValue: ["a"] },
      secret: { type: "securestring", defaultValue: "" },
      stamp: { type: "string", defaultValue: "[utcNow('yyyy')]" },
      id: { type: "string", defaultValue: "[newGuid()]" },
      derived: { type: "string", defaultValue: "[concat(parameters('s'), '-x')]" },
    },
  });
  it("defaults (with utcNow/newGuid from the host and other parameters)", () => {
    const d = prepareDeployment(t, {}, scope, host);
    expect(d.parameters.stamp!.value).toBe("2024");
    expect(d.parameters.id!.value).toBe("11111111-2222-3333-4444-555555555555");
    expect(d.parameters.derived!.value).toBe("abc-x");
    expect(d.parameters.secret!.type).toBe("SecureString");
    expect(d.parameters.n).toEqual({ type: "Int", value: 2 });
  });
  it("min/max values and lengths, allowed values of arrays, JToken types", () => {
    expect(thrown(() => prepareDeployment(t, { n: { value: 0 } }, scope, host)).message).toContain(
      "is less than the minimum value '1'",
    );
    expect(thrown(() => prepareDeployment(t, { n: { value: 6 } }, scope, host)).message).toContain(
      "is greater than the maximum value '5'",
    );
    expect(thrown(() => prepareDeployment(t, { s: { value: "ab" } }, scope, host)).message).toContain(
      "Length of the value should be greater than or equal to '3'.",
    );
    expect(thrown(() => prepareDeployment(t, { s: { value: "abcdef" } }, scope, host)).message).toContain(
      "Length of the value should be less than or equal to '5'.",
    );
    expect(thrown(() => prepareDeployment(t, { arr: { value: ["a", "c"] } }, scope, host)).message).toContain(
      "The value 'c' is not part of the allowed value(s): 'a,b'.",
    );
    expect(thrown(() => prepareDeployment(t, { n: { value: "3" } }, scope, host)).message).toContain(
      "Template parameter JToken type is not valid. Expected 'Integer'. Actual 'String'.",
    );
  });
  it("parameter names are case-insensitive; a deploymentParameters file is accepted whole", () => {
    const d = prepareDeployment(
      t,
      {
        $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
        contentVersion: "1.0.0.0",
        parameters: { N: { value: 4 } },
      },
      scope,
      host,
    );
    expect(d.parameters.n!.value).toBe(4);
  });
  it("Key Vault references go to the host", () => {
    const vault = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/kv`;
    const h = hostWith({}, { [`${vault}|adminPassword`]: "from-the-vault" });
    const d = prepareDeployment(
      t,
      { secret: { reference: { keyVault: { id: vault }, secretName: "adminPassword" } } },
      scope,
      h,
    );
    expect(d.parameters.secret!.value).toBe("from-the-vault");
    const e = thrown(() =>
      prepareDeployment(
        t,
        { secret: { reference: { keyVault: { id: vault }, secretName: "missing" } } },
        scope,
        h,
      ),
    );
    expect(e.code).toBe("InvalidTemplateDeployment");
  });
  it("user-defined types from definitions validate parameters", () => {
    const typed = tmpl({
      languageVersion: "2.0",
      definitions: {
        subnet: {
          type: "object",
          properties: {
            name: { type: "string", minLength: 1 },
            prefix: { type: "string" },
            nsg: { type: "string", nullable: true },
          },
          additionalProperties: false,
        },
        subnets: { type: "array", items: { $ref: "#/definitions/subnet" }, minLength: 1 },
      },
      parameters: { subnets: { $ref: "#/definitions/subnets" } },
      resources: {},
    });
    const ok = prepareDeployment(
      typed,
      { subnets: { value: [{ name: "a", prefix: "10.0.0.0/24" }] } },
      scope,
      host,
    );
    expect(ok.parameters.subnets).toEqual({ type: "Array", value: [{ name: "a", prefix: "10.0.0.0/24" }] });
    expect(
      thrown(() => prepareDeployment(typed, { subnets: { value: [{ name: "a" }] } }, scope, host)).message,
    ).toContain("The property '[0].prefix' is required but was not provided.");
    expect(
      thrown(() =>
        prepareDeployment(typed, { subnets: { value: [{ name: "a", prefix: "p", extra: 1 }] } }, scope, host),
      ).message,
    ).toContain("The property '[0].extra' is not allowed by the type.");
    expect(
      thrown(() => prepareDeployment(typed, { subnets: { value: [{ name: 1, prefix: "p" }] } }, scope, host))
        .message,
    ).toContain("Expected 'String, Uri'. Actual 'Integer'.");
  });
});

describe("variables and user-defined functions", () => {
  it("variables refer to each other in any order; a cycle is refused", () => {
    const d = prepareDeployment(
      tmpl({
        variables: { b: "[concat(variables('a'), '!')]", a: "hi" },
        outputs: { b: { type: "string", value: "[variables('B')]" } },
      }),
      {},
      scope,
      host,
    );
    expect(d.outputs(host).b!.value).toBe("hi!");
    const e = thrown(() =>
      prepareDeployment(
        tmpl({ variables: { a: "[variables('b')]", b: "[variables('a')]" } }),
        {},
        scope,
        host,
      ),
    );
    expect(e.message).toMatch(/circular reference/);
  });
  it("an unknown parameter or variable is refused as ARM words it", () => {
    expect(
      thrown(() => prepareDeployment(tmpl({ variables: { a: "[parameters('nope')]" } }), {}, scope, host))
        .message,
    ).toContain("The template parameter 'nope' is not found.");
    expect(
      thrown(() => prepareDeployment(tmpl({ variables: { a: "[variables('nope')]" } }), {}, scope, host))
        .message,
    ).toContain("The template variable 'nope' is not found.");
  });
  it("user-defined functions (docs example: contoso.uniqueName)", () => {
    const d = prepareDeployment(
      tmpl({
        functions: [
          {
            namespace: "contoso",
            members: {
              uniqueName: {
                parameters: [{ name: "namePrefix", type: "string" }],
                output: {
                  type: "string",
                  value: "[concat(toLower(parameters('namePrefix')), uniqueString(resourceGroup().id))]",
                },
              },
            },
          },
        ],
        outputs: { n: { type: "string", value: "[contoso.uniqueName('Stg')]" } },
      }),
      {},
      scope,
      host,
    );
    expect(d.outputs(host).n!.value).toMatch(/^stg[a-z2-7]{13}$/);
  });
});

describe("languageVersion 2.0 (what Bicep emits)", () => {
  const t = {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    languageVersion: "2.0",
    contentVersion: "1.0.0.0",
    metadata: { _generator: { name: "bicep", version: "0.24.24.22086", templateHash: "1" } },
    parameters: { location: { type: "string", defaultValue: "[resourceGroup().location]" } },
    resources: {
      existingVnet: {
        existing: true,
        type: "Microsoft.Network/virtualNetworks",
        apiVersion: "2023-04-01",
        name: "hub",
      },
      nsg: {
        type: "Microsoft.Network/networkSecurityGroups",
        apiVersion: "2023-04-01",
        name: "nsg1",
        location: "[parameters('location')]",
      },
      subnets: {
        copy: { name: "subnets", count: 2 },
        type: "Microsoft.Network/virtualNetworks/subnets",
        apiVersion: "2023-04-01",
        name: "[format('{0}/{1}', 'hub', format('sn{0}', copyIndex()))]",
        properties: {
          addressPrefix: "[format('10.0.{0}.0/24', copyIndex())]",
          networkSecurityGroup: { id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg1')]" },
        },
        dependsOn: ["existingVnet", "nsg"],
      },
      after: {
        type: "Microsoft.Network/routeTables",
        apiVersion: "2023-04-01",
        name: "rt",
        location: "[parameters('location')]",
        tags: { first: "[resourceInfo('subnets[0]').id]" },
        dependsOn: ["subnets"],
      },
    },
    outputs: {
      nsgId: { type: "string", value: "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg1')]" },
    },
  };
  it("symbolic names key the plan; existing resources are marked; dependsOn by symbolic name and loop", () => {
    const d = prepareDeployment(t, {}, scope, host);
    expect(d.resources.map((r) => r.key)).toEqual([
      "existingVnet",
      "nsg",
      "subnets[0]",
      "subnets[1]",
      "after",
    ]);
    expect(d.resources[0]!.existing).toBe(true);
    expect(d.resources[2]!.dependsOn.sort()).toEqual(["existingVnet", "nsg"]);
    expect(d.resources[4]!.dependsOn.sort()).toEqual(["subnets[0]", "subnets[1]"]);
    expect(d.resources[3]!.id).toBe(`${RG}/providers/Microsoft.Network/virtualNetworks/hub/subnets/sn1`);
    expect((d.evaluate(d.resources[4]!, host).body as any).tags.first).toBe(
      `${RG}/providers/Microsoft.Network/virtualNetworks/hub/subnets/sn0`,
    );
  });
});

describe("nested deployments and scopes", () => {
  const inner = (extra: Record<string, unknown> = {}) => ({
    type: "Microsoft.Resources/deployments",
    apiVersion: "2022-09-01",
    name: "nested1",
    properties: {
      mode: "Incremental",
      expressionEvaluationOptions: { scope: "inner" },
      parameters: { prefix: { value: "[parameters('prefix')]" } },
      template: {
        $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        contentVersion: "1.0.0.0",
        parameters: { prefix: { type: "string" } },
        variables: { name: "[concat(parameters('prefix'), '-vnet')]" },
        resources: [vnet("[variables('name')]", { location: "[resourceGroup().location]" })],
        outputs: {
          vnetId: {
            type: "string",
            value: "[resourceId('Microsoft.Network/virtualNetworks', variables('name'))]",
          },
        },
      },
    },
    ...extra,
  });

  it("inner scope: parameters passed in, own variables, the nested template kept raw in the body", () => {
    const d = prepareDeployment(
      tmpl({ parameters: { prefix: { type: "string", defaultValue: "app" } }, resources: [inner()] }),
      {},
      scope,
      host,
    );
    const r = d.resources[0]!;
    expect(r.nestedDeployment).toBe(true);
    expect(r.id).toBe(`${RG}/providers/Microsoft.Resources/deployments/nested1`);
    const body = d.evaluate(r, host).body as any;
    expect(body.properties.parameters).toEqual({ prefix: { value: "app" } });
    expect(body.properties.template.variables.name).toBe("[concat(parameters('prefix'), '-vnet')]");
    const n = d.nested(r, host);
    expect(n.name).toBe("nested1");
    expect(n.mode).toBe("Incremental");
    expect(n.scope.resourceGroup).toBe("rg1");
    expect(n.deployment.resources.map((x) => x.name)).toEqual(["app-vnet"]);
    expect(n.deployment.outputs(host).vnetId!.value).toBe(
      `${RG}/providers/Microsoft.Network/virtualNetworks/app-vnet`,
    );
  });

  it("outer scope (the default): the parent's parameters and variables", () => {
    const d = prepareDeployment(
      tmpl({
        parameters: { prefix: { type: "string", defaultValue: "outer" } },
        variables: { suffix: "-x" },
        resources: [
          {
            type: "Microsoft.Resources/deployments",
            apiVersion: "2022-09-01",
            name: "nestedOuter",
            properties: {
              mode: "Incremental",
              template: {
                $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                contentVersion: "1.0.0.0",
                resources: [vnet("[concat(parameters('prefix'), variables('suffix'))]")],
              },
            },
          },
        ],
      }),
      {},
      scope,
      host,
    );
    const n = d.nested(d.resources[0]!, host);
    expect(n.deployment.resources.map((x) => x.name)).toEqual(["outer-x"]);
  });

  it("a nested deployment into another resource group deploys its resources there", () => {
    const other = `/subscriptions/${SUB}/resourceGroups/rg2`;
    const h = hostWith({ [other]: { id: other, name: "rg2", location: "northeurope" } });
    const d = prepareDeployment(
      tmpl({
        parameters: { prefix: { type: "string", defaultValue: "b" } },
        resources: [inner({ resourceGroup: "rg2" })],
      }),
      {},
      scope,
      h,
    );
    const r = d.resources[0]!;
    expect(r.scope).toEqual({ subscriptionId: SUB, resourceGroup: "rg2" });
    expect(r.id).toBe(`${other}/providers/Microsoft.Resources/deployments/nested1`);
    const n = d.nested(r, h);
    expect(n.scope.resourceGroupLocation).toBe("northeurope");
    expect(n.deployment.resources[0]!.id).toBe(`${other}/providers/Microsoft.Network/virtualNetworks/b-vnet`);
    expect((n.deployment.evaluate(n.deployment.resources[0]!, h).body as any).location).toBe("northeurope");
  });

  it("reference() to a nested deployment's outputs makes an implicit dependency", () => {
    const d = prepareDeployment(
      tmpl({
        parameters: { prefix: { type: "string", defaultValue: "c" } },
        resources: [
          inner(),
          vnet("consumer", { tags: { from: "[reference('nested1').outputs.vnetId.value]" } }),
        ],
      }),
      {},
      scope,
      host,
    );
    expect(d.resources[1]!.dependsOn).toEqual([d.resources[0]!.key]);
  });

  it("subscription scope: a resource group and a nested deployment into it", () => {
    const d = prepareDeployment(
      {
        $schema:
          "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        contentVersion: "1.0.0.0",
        parameters: { rgName: { type: "string", defaultValue: "newrg" } },
        resources: [
          {
            type: "Microsoft.Resources/resourceGroups",
            apiVersion: "2022-09-01",
            name: "[parameters('rgName')]",
            location: "[deployment().location]",
          },
          {
            type: "Microsoft.Resources/deployments",
            apiVersion: "2022-09-01",
            name: "intoRg",
            resourceGroup: "[parameters('rgName')]",
            dependsOn: [
              "[resourceId('Microsoft.Resources/resourceGroups', parameters('rgName'))]",
              "[subscriptionResourceId('Microsoft.Resources/resourceGroups', parameters('rgName'))]",
            ],
            properties: {
              mode: "Incremental",
              expressionEvaluationOptions: { scope: "inner" },
              template: {
                $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                contentVersion: "1.0.0.0",
                resources: [vnet("v1", { location: "[resourceGroup().location]" })],
              },
            },
          },
        ],
        outputs: { sub: { type: "string", value: "[subscription().subscriptionId]" } },
      },
      {},
      subScope,
      host,
    );
    expect(d.targetScope).toBe("subscription");
    const [rg, dep] = d.resources;
    expect(rg!.id).toBe(`/subscriptions/${SUB}/resourceGroups/newrg`);
    expect((d.evaluate(rg!, host).body as any).location).toBe("eastus");
    expect(dep!.dependsOn).toEqual([rg!.key]);
    expect(dep!.id).toBe(
      `/subscriptions/${SUB}/resourceGroups/newrg/providers/Microsoft.Resources/deployments/intoRg`,
    );
    const rgDoc = { id: rg!.id, name: "newrg", location: "eastus" };
    const h = hostWith({ [rg!.id]: rgDoc });
    const n = d.nested(dep!, h);
    expect(n.deployment.resources[0]!.id).toBe(
      `/subscriptions/${SUB}/resourceGroups/newrg/providers/Microsoft.Network/virtualNetworks/v1`,
    );
    expect((n.deployment.evaluate(n.deployment.resources[0]!, h).body as any).location).toBe("eastus");
    expect(d.outputs(host).sub!.value).toBe(SUB);
    expect(
      thrown(() =>
        prepareDeployment(
          tmpl({ outputs: { x: { type: "string", value: "[resourceGroup().name]" } } }),
          {},
          subScope,
          host,
        ).outputs(host),
      ).code,
    ).toBe("DeploymentOutputEvaluationFailed");
  });
});

describe("template text with positions", () => {
  it("errors name the line and column of the template text when given as text", () => {
    const text = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "needed": { "type": "string" }
  },
  "resources": []
}`;
    const e = thrown(() => prepareDeployment(text, {}, scope, host));
    expect(e.message).toContain(
      "The value for the template parameter 'needed' at line '5' and column '15' is not provided.",
    );
  });
});
