/**
 * The az CLI (Debian's azure-cli) and the Azure SDK for Python (Debian's python3-azure) drive a
 * running Lazurite unmodified, through the shared acceptance drivers in ../shared/clients:
 * resource group, VNet, a subnet's Microsoft.Storage endpoint, a storage account locked to it,
 * and ARM's error shape. `scripts/install-test-deps.sh` (part of the README's test line)
 * installs both clients.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./server.js";

const run = promisify(execFile);
const clients = resolve(import.meta.dirname, "../../../shared/clients");

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, ...extra, AZURE_CORE_COLLECT_TELEMETRY: "false" };
  delete e.NODE_EXTRA_CA_CERTS;
  return e;
}

describe("real clients: az CLI and Python SDK", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it("SE-CFG-1, SE-RES-1: the az CLI creates a VNet, enables a Storage endpoint and locks an account to the subnet", async () => {
    const { stdout } = await run("bash", [`${clients}/az/az-e2e.sh`, t.url, t.server.caFile], {
      env: env({ REQUESTS_CA_BUNDLE: t.server.caFile }),
      timeout: 300_000,
      maxBuffer: 16 << 20,
    });
    expect(stdout).toMatch(/PASS subnet service endpoint/);
    expect(stdout).toMatch(/PASS network-rule add/);
    expect(stdout).toMatch(/^\d+ passed, 0 failed$/m);
  }, 320_000);

  it("SE-CFG-1: the Python SDK creates a VNet with a Storage endpoint and a locked storage account", async () => {
    const { stdout } = await run("/usr/bin/python3", [`${clients}/python/sdk_e2e.py`], {
      env: env({ ARM_ENDPOINT: t.url, ARM_CA_FILE: t.server.caFile, REQUESTS_CA_BUNDLE: t.server.caFile }),
      timeout: 180_000,
      maxBuffer: 16 << 20,
    });
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { step?: string; ok?: boolean; summary?: boolean; failures?: number });
    expect(lines.find((l) => l.summary)).toMatchObject({ failures: 0 });
    expect(lines.filter((l) => l.step).every((l) => l.ok)).toBe(true);
    expect(lines.some((l) => /service_endpoints/.test(l.step ?? ""))).toBe(true);
  }, 200_000);
});
