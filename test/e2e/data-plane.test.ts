/**
 * Real enforcement (`--data-plane`, docs/data-plane.md): a user's own programs, run with
 * `lazurite exec VM`, reach the Blob front door from the VM's namespace by its real source
 * address, and get what Azure would answer. Needs root or CAP_NET_ADMIN (CI runs as root).
 *
 * - SE-SRC-4: the VM resolves the account's host name through the fabric's DNS to the public
 *   address of the service tag, and the Storage SDK creates, uploads and lists from testvm0
 *   (subnet1 has the endpoint and the VNet rule); testvm1 gets RestError 403 AuthorizationFailure.
 * - SE-ACL-1: enabling the endpoint on subnet2 and adding its VNet rule through the SDKs admits testvm1.
 * - SE-CFG-6: switching the endpoint on subnet1 off resets testvm0's open connection (ECONNRESET).
 * - Cleanup: nothing of Lazurite's remains after shutdown, and a kill -9 leftover is removed by the next start.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { StorageManagementClient } from "@azure/arm-storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fabricTag, fabricUnavailable, listNamespaces } from "../../src/dataplane/index.js";
import { FAST, credential, startTestServer, type TestServer } from "./server.js";

const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "bin/lazurite.js");
const clients = join(import.meta.dirname, "clients");
const why = existsSync(join(root, "dist/main.js"))
  ? await fabricUnavailable()
  : "dist/ is missing (run npm run build)";
if (why) console.log(`data-plane tests skipped: ${why}`);

const ACCOUNT = "lazuritedemo0sa";
const HOST = `${ACCOUNT}.blob.core.windows.net`;

/** Runs `lazurite exec VM -- ARGS` without blocking this worker (it also hosts the server). */
async function exec(
  t: TestServer,
  vm: string,
  args: string[],
): Promise<{ code: number; out: any; text: string }> {
  const child = spawn(process.execPath, [bin, "exec", vm, "--server", t.url, "--", ...args], {
    env: { ...process.env, LAZURITE_CA: t.server.caFile },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += String(d)));
  child.stderr.on("data", (d: Buffer) => (stderr += String(d)));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await new Promise<number>((r) => child.once("exit", (c) => r(c ?? -1)));
  clearTimeout(timer);
  let out: any;
  try {
    out = JSON.parse(stdout.trim().split("\n").pop() ?? "");
  } catch {
    out = undefined;
  }
  return { code, out, text: `${stdout}${stderr}` };
}

describe.skipIf(why)("data plane: the seed's story with real clients", () => {
  let t: TestServer;
  let sub: string;
  let rg: string;
  const storage = () =>
    new StorageManagementClient(credential, sub, {
      endpoint: t.url,
      tlsOptions: { ca: t.ca },
      retryOptions: { maxRetries: 0 },
    });
  const subnetPut = async (name: string, enabled: boolean) => {
    const vnet = await t.network(sub).virtualNetworks.get(rg, "VNet1");
    const s = vnet.subnets!.find((x) => x.name === name)!;
    await t
      .network(sub)
      .subnets.beginCreateOrUpdateAndWait(
        rg,
        "VNet1",
        name,
        { ...s, serviceEndpoints: enabled ? [{ service: "Microsoft.Storage" }] : [] },
        FAST,
      );
  };

  beforeAll(async () => {
    t = await startTestServer({ flags: { demo: true, dataPlane: true } });
    const info = (await t.fetch("GET", "/_emulator/dataplane")).json;
    const vm0 = info.vms.find((v: { name: string }) => v.name === "testvm0").id as string;
    sub = vm0.split("/")[2]!;
    rg = vm0.split("/")[4]!;
  }, 120_000);
  afterAll(async () => {
    const prefix = t ? fabricTag(t.dataDir) : "";
    await t?.dispose();
    // After shutdown no namespace (and so no veth or route) of this server remains.
    if (t) expect(await listNamespaces(prefix)).toEqual([]);
  });

  it("a VM namespace holds the NIC's private address and resolves the account to its public address", async () => {
    const r = await exec(t, "testvm0", ["sh", "-c", `ip -4 -o addr show dev eth0; getent hosts ${HOST}`]);
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/inet 10\.0\.1\.\d+\/32/);
    expect(r.text).toMatch(new RegExp(`^\\d+\\.\\d+\\.\\d+\\.\\d+\\s+${HOST.replace(/\./g, "\\.")}`, "m"));
    // Nothing else resolves: the DNS forwards nothing.
    expect((await exec(t, "testvm0", ["getent", "hosts", "example.com"])).code).not.toBe(0);
  });

  it("testvm0 creates a container, uploads and lists; testvm1 gets 403 AuthorizationFailure (logged)", async () => {
    const ok = await exec(t, "testvm0", ["node", join(clients, "blob-client.mjs"), ACCOUNT, "seed"]);
    expect(ok.out, ok.text).toEqual({ ok: true, names: ["hello.txt"] });
    const no = await exec(t, "testvm1", ["node", join(clients, "blob-client.mjs"), ACCOUNT, "seed"]);
    expect(no.code).toBe(3);
    expect(no.out).toEqual({ ok: false, name: "RestError", statusCode: 403, code: "AuthorizationFailure" });
    const log = (await t.fetch("GET", `/_emulator/requests?$top=20`)).json.value as Array<{
      decision: string;
      source: string;
      sourceAddress: string;
    }>;
    const denied = log.find((e) => e.decision === "Denied" && /testvm1$/.test(e.source));
    expect(denied, JSON.stringify(log.slice(0, 3))).toBeDefined();
    expect(denied!.sourceAddress).not.toMatch(/^10\./); // no endpoint on subnet2: the VM's public address
  });

  it("after the endpoint on subnet2 and its VNet rule (through the SDKs), testvm1 succeeds (SE-ACL-1)", async () => {
    await subnetPut("subnet2", true);
    const subnet1 = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/VNet1/subnets/subnet1`;
    await storage().storageAccounts.update(rg, ACCOUNT, {
      networkRuleSet: {
        defaultAction: "Deny",
        virtualNetworkRules: [
          { virtualNetworkResourceId: subnet1, action: "Allow" },
          { virtualNetworkResourceId: subnet1.replace(/subnet1$/, "subnet2"), action: "Allow" },
        ],
      },
    });
    const r = await exec(t, "testvm1", ["node", join(clients, "blob-client.mjs"), ACCOUNT, "second"]);
    expect(r.out, r.text).toEqual({ ok: true, names: ["hello.txt"] });
  });

  it("switching the endpoint on subnet1 off resets testvm0's open connection (SE-CFG-6)", async () => {
    const child = spawn(
      process.execPath,
      [bin, "exec", "testvm0", "--server", t.url, "--", "node", join(clients, "long-lived.mjs"), HOST],
      { env: { ...process.env, LAZURITE_CA: t.server.caFile } },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += String(d)));
    child.stderr.on("data", (d: Buffer) => (out += String(d)));
    for (let i = 0; i < 300 && !out.includes("open"); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain("open");
    const exited = new Promise<number | null>((r) => child.once("exit", r));
    await subnetPut("subnet1", false);
    expect(await exited).toBe(0);
    expect(out).toContain("ECONNRESET");
    const log = (await t.fetch("GET", `/_emulator/requests?$top=20`)).json.value as Array<{
      decision: string;
    }>;
    expect(log.some((e) => e.decision === "Reset")).toBe(true);
  }, 60_000);
});

describe.skipIf(why)("data plane: cleanup after a crash", () => {
  it("kill -9 leaves namespaces behind; the next start removes them", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "lazurite-dp-"));
    const prefix = fabricTag(dataDir);
    const child = spawn(
      process.execPath,
      [bin, "serve", "--demo", "--data-plane", "--port", "0", "--data-dir", dataDir, "--log-level", "silent"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += String(d)));
    for (let i = 0; i < 600 && !out.includes("Data plane:"); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain("Data plane:");
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    const left = await listNamespaces(prefix);
    expect(left.length).toBeGreaterThanOrEqual(3); // edge, VNet1, testvm0, testvm1
    // Mark a leftover: the next start must remove the namespace, not reuse it.
    const vmNs = left.find((n) => n.startsWith(`${prefix}v`))!;
    expect(spawnSync("ip", ["-n", vmNs, "addr", "add", "192.0.2.77/32", "dev", "lo"]).status).toBe(0);
    const t = await startTestServer({ dataDir, flags: { demo: true, dataPlane: true } });
    const now = await listNamespaces(prefix);
    expect(now.sort()).toEqual(left.sort()); // the same names, created afresh
    expect(
      spawnSync("ip", ["-n", vmNs, "addr", "show", "dev", "lo"], { encoding: "utf8" }).stdout,
    ).not.toContain("192.0.2.77");
    await t.dispose();
    expect(await listNamespaces(prefix)).toEqual([]);
  }, 120_000);
});
