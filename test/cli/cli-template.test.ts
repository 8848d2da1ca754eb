/**
 * The CLI with ARM templates: `check|routes|nsg|who-can-reach --template` decide a template as if
 * deployed (on top of `--config` when given, no server), `what-if --template` gates a pull
 * request (exit 0 nothing breaks, 1 a working flow would be denied, 2 bad input) offline and
 * against a server, `export --template` writes ARM's exportTemplate, `import` loads a --config
 * file into a running server in dependency order.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { uniqueString } from "../../src/template/index.js";
import { startTestServer, type TestServer } from "../e2e/server.js";

const root = resolve(import.meta.dirname, "../..");
const qs = resolve(root, "examples/quickstart.template.json");
const demo = resolve(root, "examples/quickstart.json");
const SUB = "00000000-0000-0000-0000-000000000001";
const rgId = `/subscriptions/${SUB}/resourceGroups/qs`;
const account = uniqueString(rgId);
const creds = ["--parameters", "adminUsername=azureuser", "adminPassword=Lazurite-Quickstart-1"];

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(
    ["node", "lazurite", ...args],
    { out: (s) => (out += s), err: (s) => (err += s) },
    {},
  );
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), "lz-cli-template-"));
function file(name: string, body: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(body));
  return p;
}

/** The demo's VNet1 as a template; `endpoints: false` forgets the subnet's serviceEndpoints (SE-CFG-7). */
function vnetTemplate(endpoints: boolean): string {
  const nsg = `/subscriptions/${SUB}/resourceGroups/lazurite-demo/providers/Microsoft.Network/networkSecurityGroups/default-NSG`;
  return file(`vnet-${endpoints}.json`, {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    resources: [
      {
        type: "Microsoft.Network/virtualNetworks",
        apiVersion: "2023-09-01",
        name: "VNet1",
        location: "westus",
        properties: {
          addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
          subnets: [
            {
              name: "subnet1",
              properties: {
                addressPrefix: "10.0.1.0/24",
                networkSecurityGroup: { id: nsg },
                ...(endpoints ? { serviceEndpoints: [{ service: "Microsoft.Storage" }] } : {}),
              },
            },
            { name: "subnet2", properties: { addressPrefix: "10.0.2.0/24" } },
          ],
        },
      },
    ],
  });
}

describe("lazurite --template, offline", () => {
  const from = (vm: string) => `${rgId}/providers/Microsoft.Compute/virtualMachines/${vm}`;
  const to = `${rgId}/providers/Microsoft.Storage/storageAccounts/${account}#blob`;
  const base = ["--template", qs, ...creds, "--resource-group", "qs"];

  it("SE-SRC-1: check decides the quickstart as deployed: testvm0 Allowed over the endpoint, testvm1 Denied", async () => {
    const a = await run(["check", ...base, "--from", from("testvm0"), "--to", to]);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out)).toMatchObject({ decision: "Allowed", viaServiceEndpoint: true });
    const b = await run(["check", ...base, "--from", from("testvm1"), "--to", to]);
    expect(b.code).toBe(1);
    expect(JSON.parse(b.out).decision).toBe("Denied");
  }, 60_000);

  it("routes, nsg and who-can-reach read the template too", async () => {
    const nic = `${rgId}/providers/Microsoft.Network/networkInterfaces/nic0`;
    const routes = JSON.parse((await run(["routes", ...base, "--nic", nic])).out);
    expect(
      routes.value.some((r: { nextHopType: string }) => r.nextHopType === "VirtualNetworkServiceEndpoint"),
    ).toBe(true);
    const nsg = await run(["nsg", ...base, "--nic", nic]);
    expect(nsg.code).toBe(0);
    expect(nsg.out).toMatch(/default-allow-3389/);
    const reach = JSON.parse((await run(["who-can-reach", ...base, "--to", to])).out);
    expect(JSON.stringify(reach)).toMatch(/testvm0/);
  }, 60_000);

  it("a template on top of --config: the demo's account seen through a new NIC the template adds", async () => {
    const t = file("nic.json", {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      resources: [
        {
          type: "Microsoft.Network/networkInterfaces",
          apiVersion: "2023-09-01",
          name: "nic-extra",
          location: "westus",
          properties: {
            ipConfigurations: [
              {
                name: "ipconfig1",
                properties: {
                  subnet: {
                    id: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'VNet1', 'subnet1')]",
                  },
                },
              },
            ],
          },
        },
      ],
    });
    const demoRg = `/subscriptions/${SUB}/resourceGroups/lazurite-demo/providers`;
    const r = await run([
      "check",
      "--config",
      demo,
      "--template",
      t,
      "--from",
      `${demoRg}/Microsoft.Network/networkInterfaces/nic-extra`,
      "--to",
      `${demoRg}/Microsoft.Storage/storageAccounts/lazuritedemo0sa#blob`,
    ]);
    expect(r.err).toBe("");
    expect(JSON.parse(r.out)).toMatchObject({ decision: "Allowed", viaServiceEndpoint: true });
  }, 60_000);

  it("SE-CFG-7: what-if --template --config exits 1 when the template drops the endpoint a flow uses, 0 when it changes nothing", async () => {
    const bad = await run([
      "what-if",
      "--template",
      vnetTemplate(false),
      "--config",
      demo,
      "--resource-group",
      "lazurite-demo",
    ]);
    expect(bad.code).toBe(1);
    const result = JSON.parse(bad.out);
    expect(
      result.properties.changes.find((c: { resourceId: string }) => c.resourceId.endsWith("VNet1"))
        .changeType,
    ).toBe("Modify");
    const codes = result.properties.diagnostics.map((d: { code: string }) => d.code);
    expect(codes).toEqual(expect.arrayContaining(["ServiceEndpointRemoved", "FlowDenied"]));
    const text = await run([
      "what-if",
      "--template",
      vnetTemplate(false),
      "--config",
      demo,
      "--resource-group",
      "lazurite-demo",
      "--output",
      "text",
    ]);
    expect(text.out).toMatch(/warning ServiceEndpointRemoved/);
    const same = await run([
      "what-if",
      "--template",
      vnetTemplate(true),
      "--config",
      demo,
      "--resource-group",
      "lazurite-demo",
    ]);
    expect(same.code).toBe(0);
    expect(
      JSON.parse(same.out).properties.changes.find((c: { resourceId: string }) =>
        c.resourceId.endsWith("VNet1"),
      ).changeType,
    ).toBe("NoChange");
  }, 60_000);

  it("bad input exits 2: a missing template, a bad parameter, --template with --server, what-if without --resource-group", async () => {
    expect(
      (await run(["check", "--template", join(dir, "nope.json"), "--from", "x", "--to", "y"])).code,
    ).toBe(2);
    const badInt = await run([
      "check",
      "--template",
      resolve(root, "test/templates/04-nics-copy.json"),
      "--parameters",
      "nicCount=many",
      "--from",
      "a",
      "--to",
      "b",
    ]);
    expect(badInt.code).toBe(2);
    expect(badInt.err).toMatch(/nicCount/);
    expect(
      (await run(["check", "--template", qs, "--server", "https://localhost:1", "--from", "a", "--to", "b"]))
        .code,
    ).toBe(2);
    expect((await run(["what-if", "--template", qs, "--config", demo])).code).toBe(2);
    const missing = await run([
      "check",
      "--template",
      qs,
      "--resource-group",
      "qs",
      "--from",
      "a",
      "--to",
      "b",
    ]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/adminUsername|MissingDeploymentParameter|InvalidTemplate/);
  }, 60_000);
});

describe("lazurite what-if --template, export --template and import against a server", () => {
  let t: TestServer;
  let srv: string[];
  beforeAll(async () => {
    t = await startTestServer({ flags: { demo: true, lroPolls: 0 } });
    srv = ["--server", t.url, "--ca", t.server.caFile];
  }, 60_000);
  afterAll(async () => t?.dispose());

  it("what-if --template --server answers ARM's what-if with the access diagnostics", async () => {
    const bad = await run([
      "what-if",
      "--template",
      vnetTemplate(false),
      ...srv,
      "--resource-group",
      "lazurite-demo",
    ]);
    expect(bad.err).toBe("");
    expect(bad.code).toBe(1);
    const same = await run([
      "what-if",
      "--template",
      vnetTemplate(true),
      ...srv,
      "--resource-group",
      "lazurite-demo",
    ]);
    expect(same.code).toBe(0);
  }, 60_000);

  it("export --template writes the resource group as a template; import loads a config file into another group", async () => {
    const out = join(dir, "exported.json");
    const e = await run(["export", "--template", "--resource-group", "lazurite-demo", ...srv, "--out", out]);
    expect(e.code).toBe(0);
    const template = JSON.parse(readFileSync(out, "utf8"));
    expect(template.$schema).toMatch(/deploymentTemplate\.json/);
    expect(template.resources.map((r: { type: string }) => r.type)).toContain(
      "Microsoft.Network/virtualNetworks",
    );
    const config = JSON.parse(readFileSync(demo, "utf8"));
    const moved = JSON.parse(
      JSON.stringify(config).replaceAll("/resourceGroups/lazurite-demo/", "/resourceGroups/imported/"),
    );
    const reversed = (Array.isArray(moved) ? moved : moved.value).slice().reverse();
    const i = await run(["import", file("import.json", reversed), ...srv, "--output", "json"]);
    const report = JSON.parse(i.out);
    expect(report.refused).toEqual([]);
    expect(i.code).toBe(0);
    expect(report.created).toContain(`/subscriptions/${SUB}/resourceGroups/imported`);
    expect(report.created.length).toBe(reversed.length + 1);
    const check = await run([
      "check",
      ...srv,
      "--from",
      `/subscriptions/${SUB}/resourceGroups/imported/providers/Microsoft.Compute/virtualMachines/testvm0`,
      "--to",
      `/subscriptions/${SUB}/resourceGroups/imported/providers/Microsoft.Storage/storageAccounts/lazuritedemo0sa#blob`,
    ]);
    expect(JSON.parse(check.out).decision).toBe("Allowed");
  }, 60_000);
});
