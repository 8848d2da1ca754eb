/**
 * The offline CLI, run in-process through main(argv, io), and once as the real binary.
 * The same commands against a running server: cli-server.test.ts.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { quickstartExample } from "../../scripts/gen-examples.js";
import { DEMO_RESOURCE_GROUP, DEMO_STORAGE_ACCOUNT, DEMO_SUBSCRIPTION } from "../../src/demo/quickstart.js";

const root = resolve(import.meta.dirname, "../..");
const config = join(root, "examples/quickstart.json");
const realTags = resolve(root, "../shared/data/ServiceTags_Public_20260626.subset.json");
const rg = `/subscriptions/${DEMO_SUBSCRIPTION}/resourceGroups/${DEMO_RESOURCE_GROUP}`;
const vm0 = `${rg}/providers/Microsoft.Compute/virtualMachines/testvm0`;
const vm1 = `${rg}/providers/Microsoft.Compute/virtualMachines/testvm1`;
const nic0 = `${rg}/providers/Microsoft.Network/networkInterfaces/nic0`;
const account = `${rg}/providers/Microsoft.Storage/storageAccounts/${DEMO_STORAGE_ACCOUNT}`;

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["node", "lazurite", ...args], { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe("lazurite CLI (offline)", () => {
  it("examples/quickstart.json is the generated quickstart network", () => {
    expect(readFileSync(config, "utf8")).toBe(quickstartExample());
  });

  it("check: testvm0 → account is Allowed over the endpoint (exit 0, JSON)", async () => {
    const r = await run("check", "--config", config, "--from", vm0, "--to", `${account}#blob`);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out);
    expect(d).toMatchObject({
      decision: "Allowed",
      sourceAddress: "10.0.1.4",
      viaServiceEndpoint: true,
      nextHopType: "VirtualNetworkServiceEndpoint",
    });
    for (const s of d.steps) {
      expect(typeof s.kind).toBe("string");
      expect(typeof s.result).toBe("string");
    }
  });

  it("check: testvm1 → account is Denied with 403 AuthorizationFailure (exit 1), on the real service tags too", async () => {
    const r = await run(
      "check",
      "--config",
      config,
      "--service-tags",
      realTags,
      "--from",
      vm1,
      "--to",
      `${DEMO_STORAGE_ACCOUNT}.blob.core.windows.net`,
      "--port",
      "443",
      "--protocol",
      "Tcp",
    );
    expect(r.code).toBe(1);
    const d = JSON.parse(r.out);
    expect(d.decision).toBe("Denied");
    expect(d.error).toMatchObject({ status: 403, code: "AuthorizationFailure" });
    expect(d.blockers[0]).toMatchObject({ kind: "ServiceFirewall", resourceId: account });
    expect(typeof d.blockers[0].fix).toBe("string");
  });

  it("check --output text tells the story with the fix last", async () => {
    const r = await run("check", "--config", config, "--from", vm1, "--to", account, "--output", "text");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^DENIED/);
    expect(r.out).toMatch(/AuthorizationFailure/);
    const lines = r.out.trimEnd().split("\n");
    expect(lines[lines.length - 1]).toMatch(/^\s+fix: /);
  });

  it("routes prints Azure's effectiveRouteTable shape; nsg prints effectiveNetworkSecurityGroups", async () => {
    const r = await run(
      "routes",
      "--config",
      config,
      "--service-tags",
      realTags,
      "--nic",
      nic0,
      "--output",
      "json",
    );
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out);
    expect(Array.isArray(body.value)).toBe(true);
    const ep = body.value.filter(
      (x: { nextHopType: string }) => x.nextHopType === "VirtualNetworkServiceEndpoint",
    );
    expect(ep).toHaveLength(1);
    expect(ep[0].addressPrefix.length).toBeGreaterThan(10);
    const n = await run("nsg", "--config", config, "--nic", nic0, "--output", "json");
    expect(n.code).toBe(0);
    const nb = JSON.parse(n.out);
    expect(nb.value[0].networkSecurityGroup.id).toMatch(/default-NSG$/);
    expect(
      nb.value[0].effectiveSecurityRules.some(
        (x: { name: string }) => x.name === "securityRules/default-allow-3389",
      ),
    ).toBe(true);
    const t = await run("routes", "--config", config, "--nic", nic0, "--output", "table");
    expect(t.out).toMatch(/VirtualNetworkServiceEndpoint/);
    const tsv = await run("routes", "--config", config, "--nic", nic0, "--output", "text");
    expect(tsv.out).toMatch(/^Default\tActive\t\S+\tVirtualNetworkServiceEndpoint\t$/m);
    const nt = await run("nsg", "--config", config, "--nic", nic0, "--output", "table");
    expect(nt.out).toMatch(/^NSG\s+Name\s+Priority/);
    expect(nt.out).toMatch(/defaultSecurityRules\/DenyAllOutBound\s+65500\s+Outbound\s+Deny\s+All/);
  });

  it("check --output table lists the steps, then the blockers with their fixes", async () => {
    const r = await run("check", "--config", config, "--from", vm1, "--to", account, "--output", "table");
    expect(r.code).toBe(1);
    expect(r.out.split("\n")[2]).toMatch(/^#\s+Step\s+Result\s+Resource\s+Rule$/);
    expect(r.out).toMatch(
      /ServiceFirewall\s+lazuritedemo0sa\s+networkAcls\.virtualNetworkRules\s+Turn on the Microsoft\.Storage service endpoint/,
    );
  });

  it("bad input gets a clear message and exit 2, never a stack trace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lz-cli-"));
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ nope");
    const cases: string[][] = [
      ["check", "--config", join(dir, "missing.json"), "--from", vm0, "--to", account],
      ["check", "--config", bad, "--from", vm0, "--to", account],
      ["check", "--config", config, "--from", "not-an-id", "--to", account],
      ["check", "--config", config, "--from", vm0, "--to", account, "--port", "70000"],
      [
        "check",
        "--config",
        config,
        "--from",
        `${rg}/providers/Microsoft.Compute/virtualMachines/nope`,
        "--to",
        account,
      ],
      ["check", "--config", config, "--from", vm0, "--to", `${account}#nosuch`],
      ["routes", "--config", config, "--nic", `${rg}/providers/Microsoft.Network/networkInterfaces/nope`],
      ["check", "--config", config],
    ];
    for (const c of cases) {
      const r = await run(...c);
      expect(r.code, c.join(" ")).toBe(2);
      expect(r.err, c.join(" ")).toMatch(/lazurite|error/);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});

describe("lazurite binary", () => {
  beforeAll(() => {
    execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "pipe" });
  }, 120_000);

  it("npx lazurite check works from the repository root", () => {
    const r = spawnSync(
      "npx",
      ["lazurite", "check", "--config", "examples/quickstart.json", "--from", vm0, "--to", account],
      { cwd: root, encoding: "utf8" },
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).decision).toBe("Allowed");
    const h = spawnSync("npx", ["lazurite", "--help"], { cwd: root, encoding: "utf8" });
    expect(h.status).toBe(0);
    for (const cmd of ["check", "routes", "nsg", "log", "events", "export", "serve"])
      expect(h.stdout).toContain(cmd);
  }, 180_000);
});
