/**
 * Deployments through the real clients over HTTPS: `@azure/arm-resourcesdeployments`
 * (DeploymentsClient, where the deployments operations live since `@azure/arm-resources` 7) and
 * `@azure/arm-resources` 6.1 (ResourceManagementClient.deployments, which many pipelines pin),
 * the az CLI and the Python SDK's ResourceManagementClient. The seed's quickstart template
 * (examples/quickstart.template.json) deploys unchanged; then `lazurite check --server` decides
 * testvm0 → the account Allowed over the endpoint and testvm1 Denied (403 AuthorizationFailure),
 * and a what-if of the same template on the deployed group shows no change. Deployments survive a
 * restart.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { ResourceManagementClient as ResourcesV6 } from "@azure/arm-resources-deployments";
import { DeploymentsClient } from "@azure/arm-resourcesdeployments";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { credential, FAST, startTestServer, SUB, type TestServer } from "./server.js";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");
const clients = resolve(root, "../shared/clients");
const quickstart = JSON.parse(readFileSync(resolve(root, "examples/quickstart.template.json"), "utf8"));
const qsParams = { adminUsername: { value: "azureuser" }, adminPassword: { value: "Lazurite-Quickstart-1" } };

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(
    ["node", "lazurite", ...args],
    { out: (s) => (out += s), err: (s) => (err += s) },
    {},
  );
  return { code, out, err };
}

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, ...extra, AZURE_CORE_COLLECT_TELEMETRY: "false" };
  delete e.NODE_EXTRA_CA_CERTS;
  return e;
}

describe("deployments through the real clients", () => {
  let t: TestServer;
  let deployments: DeploymentsClient;
  let v6: ResourcesV6;
  const rgName = "qs-js";
  const rg = `/subscriptions/${SUB}/resourceGroups/${rgName}`;
  beforeAll(async () => {
    t = await startTestServer();
    const opts = { endpoint: t.url, tlsOptions: { ca: t.ca }, retryOptions: { maxRetries: 0 } };
    deployments = new DeploymentsClient(credential, SUB, opts as never);
    v6 = new ResourcesV6(credential, SUB, opts);
    await t.resources().resourceGroups.createOrUpdate(rgName, { location: "westus" });
  }, 60_000);
  afterAll(async () => {
    await t?.dispose();
  });

  it("@azure/arm-resourcesdeployments deploys the quickstart unchanged: outputs, operations, no secret echoed", async () => {
    const d = await deployments.deployments.createOrUpdate(
      rgName,
      "quickstart",
      { properties: { mode: "Incremental", template: quickstart, parameters: qsParams } },
      FAST,
    );
    expect(d.properties?.provisioningState).toBe("Succeeded");
    expect(d.properties?.parameters?.adminPassword).toEqual({ type: "SecureString" });
    const account = (d.properties?.outputs as any).storageAccountName.value as string;
    expect(account).toMatch(/^[a-z0-9]{13}$/);
    expect(d.properties?.outputResources?.map((r) => r.id)).toContain(
      `${rg}/providers/Microsoft.Compute/virtualMachines/testvm1`,
    );
    const ops = [];
    for await (const op of deployments.deploymentOperations.list(rgName, "quickstart")) ops.push(op);
    expect(ops.filter((o) => o.properties?.provisioningOperation === "Create")).toHaveLength(10);
    const list = [];
    for await (const x of deployments.deployments.listByResourceGroup(rgName)) list.push(x.name);
    expect(list).toContain("quickstart");
    const exported = await deployments.deployments.exportTemplate(rgName, "quickstart");
    expect(exported.template).toEqual(quickstart);
  }, 60_000);

  it("SE-SRC-1: after the deployment, lazurite check --server: testvm0 Allowed over the endpoint, testvm1 Denied 403 AuthorizationFailure", async () => {
    const d = await deployments.deployments.get(rgName, "quickstart");
    const account = (d.properties?.outputs as any).storageAccountName.value as string;
    const to = `${rg}/providers/Microsoft.Storage/storageAccounts/${account}#blob`;
    const srv = ["--server", t.url, "--ca", t.server.caFile, "--output", "json"];
    const a = await cli([
      "check",
      ...srv,
      "--from",
      `${rg}/providers/Microsoft.Compute/virtualMachines/testvm0`,
      "--to",
      to,
    ]);
    const allowed = JSON.parse(a.out);
    expect(allowed.decision).toBe("Allowed");
    expect(allowed.viaServiceEndpoint).toBe(true);
    expect(allowed.sourceAddress).toMatch(/^10\.0\.1\./);
    const b = await cli([
      "check",
      ...srv,
      "--from",
      `${rg}/providers/Microsoft.Compute/virtualMachines/testvm1`,
      "--to",
      to,
    ]);
    const denied = JSON.parse(b.out);
    expect(denied.decision).toBe("Denied");
    expect(JSON.stringify(denied)).toMatch(/AuthorizationFailure/);
    expect(JSON.stringify(denied)).toMatch(/403/);
  }, 60_000);

  it("whatIf of the same template on the deployed group shows no change; a template that drops the endpoint warns (SE-CFG-7)", async () => {
    const same = await deployments.deployments.whatIf(
      rgName,
      "quickstart",
      { properties: { mode: "Incremental", template: quickstart, parameters: qsParams } },
      FAST,
    );
    expect(same.status).toBe("Succeeded");
    expect(same.changes?.filter((c) => c.changeType !== "NoChange")).toEqual([]);
    const dropped = JSON.parse(JSON.stringify(quickstart));
    delete dropped.resources[1].properties.subnets[0].properties.serviceEndpoints;
    const w = await deployments.deployments.whatIf(
      rgName,
      "quickstart",
      { properties: { mode: "Incremental", template: dropped, parameters: qsParams } },
      FAST,
    );
    const vnet = w.changes?.find((c) => c.resourceId?.endsWith("/virtualNetworks/VNet1"));
    expect(vnet?.changeType).toBe("Modify");
    const codes = (w as any).diagnostics?.map((d: any) => d.code) ?? [];
    expect(codes).toContain("ServiceEndpointRemoved");
    expect(codes).toContain("FlowDenied");
  }, 60_000);

  it("@azure/arm-resources 6.1: validate, create, whatIf, delete; a failing template fails with DeploymentFailed and the provider's code", async () => {
    const template = JSON.parse(
      readFileSync(resolve(root, "test/templates/01-vnet-two-subnets.json"), "utf8"),
    );
    const v = await v6.deployments.beginValidateAndWait(
      rgName,
      "basic",
      {
        properties: { mode: "Incremental", template },
      },
      FAST,
    );
    expect(v.properties?.validatedResources?.[0]?.id).toBe(
      `${rg}/providers/Microsoft.Network/virtualNetworks/vnet-basic`,
    );
    const d = await v6.deployments.beginCreateOrUpdateAndWait(
      rgName,
      "basic",
      { properties: { mode: "Incremental", template } },
      FAST,
    );
    expect(d.properties?.provisioningState).toBe("Succeeded");
    const w = await v6.deployments.beginWhatIfAndWait(
      rgName,
      "basic",
      { properties: { mode: "Incremental", template } },
      FAST,
    );
    expect(w.changes?.find((c) => c.resourceId?.endsWith("vnet-basic"))?.changeType).toBe("NoChange");
    const bad = JSON.parse(
      readFileSync(resolve(root, "test/templates/12-fail-subnet-outside-vnet.json"), "utf8"),
    );
    const err = await v6.deployments
      .beginCreateOrUpdateAndWait(rgName, "bad", { properties: { mode: "Incremental", template: bad } }, FAST)
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string; details?: unknown },
      );
    expect(String(err)).toMatch(/DeploymentFailed/);
    const failed = await v6.deployments.get(rgName, "bad");
    expect(failed.properties?.provisioningState).toBe("Failed");
    expect(failed.properties?.error?.code).toBe("DeploymentFailed");
    expect(failed.properties?.error?.details?.[0]?.code).toBe("NetcfgSubnetRangeOutsideVnet");
    await v6.deployments.beginDeleteAndWait(rgName, "basic", FAST);
    expect(await v6.deployments.checkExistence(rgName, "basic")).toEqual({ body: false });
  }, 60_000);

  it("a deployment survives a restart of the server", async () => {
    const dataDir = t.dataDir;
    await t.stop();
    t = await startTestServer({ dataDir });
    const opts = { endpoint: t.url, tlsOptions: { ca: t.ca }, retryOptions: { maxRetries: 0 } };
    deployments = new DeploymentsClient(credential, SUB, opts as never);
    const d = await deployments.deployments.get(rgName, "quickstart");
    expect(d.properties?.provisioningState).toBe("Succeeded");
    const ops = [];
    for await (const op of deployments.deploymentOperations.list(rgName, "quickstart")) ops.push(op);
    expect(ops.length).toBeGreaterThanOrEqual(10);
  }, 60_000);

  it("the az CLI: deployment group validate|create|show|list|what-if|delete and deployment sub create, --parameters @file and key=value", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lz-az-"));
    const params = join(dir, "qs.parameters.json");
    writeFileSync(
      params,
      JSON.stringify({
        $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
        contentVersion: "1.0.0.0",
        parameters: { adminUsername: { value: "azureuser" } },
      }),
    );
    const { stdout } = await run(
      "bash",
      [
        resolve(root, "test/e2e/clients/az-deployments.sh"),
        t.url,
        t.server.caFile,
        resolve(root, "examples/quickstart.template.json"),
        params,
        resolve(root, "test/templates/22-subscription-scope.json"),
      ],
      {
        env: env({
          REQUESTS_CA_BUNDLE: t.server.caFile,
          AZ_CLOUD_SCRIPT: `${clients}/az/az-emulator-cloud.sh`,
        }),
        timeout: 300_000,
        maxBuffer: 16 << 20,
      },
    ).catch((e: { stdout?: string; stderr?: string }) => {
      throw new Error(`${e.stdout ?? ""}\n${e.stderr ?? ""}`);
    });
    expect(stdout).toMatch(/PASS deployment group create/);
    expect(stdout).toMatch(/PASS what-if no change/);
    expect(stdout).toMatch(/^\d+ passed, 0 failed$/m);
  }, 320_000);

  it("the Python SDK's ResourceManagementClient deploys, lists operations and runs what-if", async () => {
    const { stdout } = await run("/usr/bin/python3", [resolve(root, "test/e2e/clients/deployments_sdk.py")], {
      env: env({
        ARM_ENDPOINT: t.url,
        ARM_SUBSCRIPTION: SUB,
        REQUESTS_CA_BUNDLE: t.server.caFile,
        TEMPLATE: resolve(root, "test/templates/04-nics-copy.json"),
      }),
      timeout: 180_000,
      maxBuffer: 16 << 20,
    }).catch((e: { stdout?: string; stderr?: string }) => {
      throw new Error(`${e.stdout ?? ""}\n${e.stderr ?? ""}`);
    });
    const out = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(out).toMatchObject({
      state: "Succeeded",
      operations: 4,
      firstIp: "10.30.0.10",
      changes: ["NoChange"],
    });
  }, 200_000);
});
