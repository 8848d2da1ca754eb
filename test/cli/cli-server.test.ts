/**
 * The CLI against a running server (`--server URL`, or LAZURITE_SERVER / the local default),
 * next to the same commands offline (`--config`): check, routes, nsg, log, events, export, each
 * with `--output json|table|text`. The server is the real HTTPS one with the demo network.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { DEMO_RESOURCE_GROUP, DEMO_STORAGE_ACCOUNT, DEMO_SUBSCRIPTION } from "../../src/demo/quickstart.js";
import { startTestServer, type TestServer } from "../e2e/server.js";

const rg = `/subscriptions/${DEMO_SUBSCRIPTION}/resourceGroups/${DEMO_RESOURCE_GROUP}`;
const vm0 = `${rg}/providers/Microsoft.Compute/virtualMachines/testvm0`;
const vm1 = `${rg}/providers/Microsoft.Compute/virtualMachines/testvm1`;
const nic0 = `${rg}/providers/Microsoft.Network/networkInterfaces/nic0`;
const nic1 = `${rg}/providers/Microsoft.Network/networkInterfaces/nic1`;
const account = `${rg}/providers/Microsoft.Storage/storageAccounts/${DEMO_STORAGE_ACCOUNT}`;

let t: TestServer;
let srv: string[];
let exported: string;

async function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(
    ["node", "lazurite", ...args],
    { out: (s) => (out += s), err: (s) => (err += s) },
    env,
  );
  return { code, out, err };
}

beforeAll(async () => {
  t = await startTestServer({ flags: { demo: true, lroPolls: 0 } });
  srv = ["--server", t.url, "--ca", t.server.caFile];
  exported = join(mkdtempSync(join(tmpdir(), "lz-export-")), "live.json");
  const r = await run(["export", ...srv, "--out", exported]);
  if (r.code !== 0) throw new Error(`export failed: ${r.err}`);
}, 60_000);

afterAll(async () => {
  await t?.dispose();
});

describe("lazurite export (a running server's resources as a --config file)", () => {
  it("writes {value: [...]} that the offline commands read", async () => {
    const r = await run(["export", ...srv, "--out", exported]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/wrote \d+ resources/);
    const body = JSON.parse(readFileSync(exported, "utf8"));
    const types = body.value.map((x: { type: string }) => x.type);
    expect(types).toEqual(
      expect.arrayContaining([
        "Microsoft.Network/virtualNetworks",
        "Microsoft.Network/networkInterfaces",
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Storage/storageAccounts",
      ]),
    );
    const stdout = await run(["export", ...srv]);
    expect(JSON.parse(stdout.out).value).toHaveLength(body.value.length);
  });

  it("export has no offline mode", async () => {
    const r = await run(["export", "--config", exported]);
    expect(r.code).toBe(2);
  });
});

describe("analysis: who-can-reach and what-if, offline and against the server", () => {
  const subnet1 = `${rg}/providers/Microsoft.Network/virtualNetworks/VNet1/subnets/subnet1`;

  /** subnet1's body from the export, without serviceEndpoints (the careless PUT of SE-CFG-7). */
  function careless(keepEndpoints: boolean): string {
    const body = JSON.parse(readFileSync(exported, "utf8")) as { value: Array<Record<string, any>> };
    const vnet = body.value.find((r) => /virtualNetworks\/VNet1$/i.test(r.id))!;
    const s = vnet.properties.subnets.find((x: { name: string }) => x.name === "subnet1");
    const props = { ...s.properties };
    if (!keepEndpoints) delete props.serviceEndpoints;
    for (const k of ["ipConfigurations", "provisioningState", "etag"]) delete props[k];
    const file = join(mkdtempSync(join(tmpdir(), "lz-whatif-")), "subnet1.json");
    writeFileSync(file, JSON.stringify({ properties: props }));
    return file;
  }

  it("who-can-reach: every NIC, the same JSON from the server and from its export; a table for people", async () => {
    const live = await run(["who-can-reach", ...srv, "--to", `${account}#blob`]);
    const offline = await run(["who-can-reach", "--config", exported, "--to", `${account}#blob`]);
    expect(live.code).toBe(0);
    expect(JSON.parse(live.out)).toEqual(JSON.parse(offline.out));
    const a = JSON.parse(live.out);
    expect([a.allowed, a.denied]).toEqual([1, 1]);
    expect(
      a.rows.find((r: { networkInterfaceId: string }) => r.networkInterfaceId.endsWith("/nic0")),
    ).toMatchObject({
      decision: "Allowed",
      viaServiceEndpoint: true,
    });
    const table = await run(["who-can-reach", ...srv, "--to", `${account}#blob`, "--output", "table"]);
    expect(table.out).toMatch(/^decision\s+network interface/);
    expect(table.out).toMatch(/Denied\s+nic1\s+testvm1\s+VNet1\/subnet2/);
  });

  it("SE-CFG-7: what-if of a subnet PUT without serviceEndpoints warns, names the broken flow, exits 1, and changes nothing", async () => {
    const file = careless(false);
    const live = await run(["what-if", ...srv, "--put", subnet1, "--body", file]);
    const offline = await run(["what-if", "--config", exported, "--put", subnet1, "--body", file]);
    expect(live.code).toBe(1);
    expect(offline.code).toBe(1);
    expect(JSON.parse(live.out)).toEqual(JSON.parse(offline.out));
    const r = JSON.parse(live.out);
    expect(r.warnings.map((w: { code: string }) => w.code)).toEqual([
      "ServiceEndpointRemoved",
      "ConnectionsReset",
    ]);
    expect(r.broken).toBe(1);
    expect(r.flows[0]).toMatchObject({ networkInterfaceId: nic0, before: "Allowed", after: "Denied" });
    const text = await run(["what-if", ...srv, "--put", subnet1, "--body", file, "--output", "text"]);
    expect(text.out).toMatch(/warning ServiceEndpointRemoved: .*SE-CFG-7/);
    expect(text.out).toMatch(/BREAKS nic0 \(testvm0\) → lazuritedemo0sa/);
    // Nothing was applied: testvm0 still gets in.
    expect((await run(["check", ...srv, "--from", vm0, "--to", `${account}#blob`])).code).toBe(0);
    // Keeping the endpoints: nothing breaks, exit 0.
    const kept = await run(["what-if", ...srv, "--put", subnet1, "--body", careless(true)]);
    expect(kept.code).toBe(0);
    expect(JSON.parse(kept.out)).toMatchObject({ broken: 0, warnings: [] });
  });

  it("what-if of deleting the VM's NIC subnet, and bad input (exit 2)", async () => {
    const del = await run(["what-if", "--config", exported, "--delete", account]);
    expect(del.code).toBe(0); // the account disappears: no NIC → resource pair exists on both sides
    expect(JSON.parse(del.out).changes).toEqual([{ resourceId: account, changeType: "Delete" }]);
    expect((await run(["what-if", ...srv, "--put", subnet1])).code).toBe(2);
    expect((await run(["what-if", ...srv, "--put", subnet1, "--delete", subnet1])).code).toBe(2);
    const bad = await run(["what-if", ...srv, "--delete", "not-an-id"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/InvalidResourceId/);
    expect((await run(["who-can-reach", ...srv, "--to", "/subscriptions/x"])).code).toBe(2);
  });
});

describe("check: --server and --config give the same JSON", () => {
  it("testvm0 → account: Allowed (exit 0), identical decision from the server and from its export", async () => {
    const live = await run(["check", ...srv, "--from", vm0, "--to", `${account}#blob`]);
    const offline = await run(["check", "--config", exported, "--from", vm0, "--to", `${account}#blob`]);
    expect(live.code).toBe(0);
    expect(offline.code).toBe(0);
    expect(JSON.parse(live.out)).toEqual(JSON.parse(offline.out));
    expect(JSON.parse(live.out)).toMatchObject({
      decision: "Allowed",
      sourceAddress: "10.0.1.4",
      viaServiceEndpoint: true,
    });
  });

  it("testvm1 → account: Denied (exit 1) with AuthorizationFailure; table and text outputs in both modes", async () => {
    for (const mode of [srv, ["--config", exported]]) {
      const j = await run([
        "check",
        ...mode,
        "--from",
        vm1,
        "--to",
        account,
        "--port",
        "443",
        "--protocol",
        "Tcp",
      ]);
      expect(j.code, j.err).toBe(1);
      expect(JSON.parse(j.out).error).toMatchObject({ status: 403, code: "AuthorizationFailure" });
      const text = await run(["check", ...mode, "--from", vm1, "--to", account, "--output", "text"]);
      expect(text.code).toBe(1);
      expect(text.out).toMatch(/^DENIED/);
      expect(text.out.trimEnd().split("\n").pop()).toMatch(/^\s+fix: /);
      const table = await run(["check", ...mode, "--from", vm1, "--to", account, "--output", "table"]);
      expect(table.code).toBe(1);
      expect(table.out).toMatch(/^Denied/);
      expect(table.out).toMatch(/ServiceFirewall\s+Denied\s+lazuritedemo0sa\s+networkAcls\.defaultAction/);
      expect(table.out).toMatch(/Blocker\s+Resource\s+Rule\s+Fix/);
    }
  });

  it("the server comes from LAZURITE_SERVER / LAZURITE_CA, or from the local default's port and data dir", async () => {
    const viaEnv = await run(["check", "--from", vm0, "--to", account], {
      LAZURITE_SERVER: t.url,
      LAZURITE_CA: t.server.caFile,
    });
    expect(viaEnv.code).toBe(0);
    const local = await run(["check", "--from", vm0, "--to", account], {
      LAZURITE_PORT: String(t.server.port),
      LAZURITE_DATA_DIR: t.dataDir,
    });
    expect(local.code).toBe(0);
    expect(JSON.parse(local.out).decision).toBe("Allowed");
  });

  it("bad input and an unreachable server: exit 2 with one clear line", async () => {
    const both = await run(["check", ...srv, "--config", exported, "--from", vm0, "--to", account]);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/either --config FILE .* or --server URL/);
    const tags = await run(["check", ...srv, "--service-tags", "x.json", "--from", vm0, "--to", account]);
    expect(tags.code).toBe(2);
    const badFrom = await run(["check", ...srv, "--from", "nope", "--to", account]);
    expect(badFrom.code).toBe(2);
    expect(badFrom.err).toMatch(/--from nope/);
    const missing = await run([
      "check",
      ...srv,
      "--from",
      `${rg}/providers/Microsoft.Compute/virtualMachines/nope`,
      "--to",
      account,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/\(ResourceNotFound\)/);
    const down = await run([
      "check",
      "--server",
      "https://localhost:1",
      "--ca",
      t.server.caFile,
      "--from",
      vm0,
      "--to",
      account,
    ]);
    expect(down.code).toBe(2);
    expect(down.err).toMatch(/cannot reach the Lazurite server at https:\/\/localhost:1/);
    expect(down.err).not.toMatch(/\n\s+at /);
  });
});

describe("routes and nsg: the ARM long-running POSTs from the server, the engine offline", () => {
  it("routes: same effective routes in both modes, json/table/text", async () => {
    const live = await run(["routes", ...srv, "--nic", nic0]);
    const offline = await run(["routes", "--config", exported, "--nic", nic0]);
    expect(live.code).toBe(0);
    expect(JSON.parse(live.out)).toEqual(JSON.parse(offline.out));
    expect(
      JSON.parse(live.out).value.filter(
        (r: { nextHopType: string }) => r.nextHopType === "VirtualNetworkServiceEndpoint",
      ),
    ).toHaveLength(1);
    for (const mode of [srv, ["--config", exported]]) {
      const table = await run(["routes", ...mode, "--nic", nic0, "--output", "table"]);
      expect(table.out.split("\n")[0]).toMatch(
        /^Source\s+State\s+Address Prefix\s+Next Hop Type\s+Next Hop IP$/,
      );
      expect(table.out).toMatch(/Default\s+Active\s+.*\(\+\d+\)\s+VirtualNetworkServiceEndpoint/);
      const text = await run(["routes", ...mode, "--nic", nic0, "--output", "text"]);
      expect(text.out.split("\n")[0]).toBe("Default\tActive\t10.0.0.0/16\tVnetLocal\t");
    }
  });

  it("nsg: same effective rules in both modes; nic1 has none", async () => {
    const live = await run(["nsg", ...srv, "--nic", nic0, "--output", "json"]);
    const offline = await run(["nsg", "--config", exported, "--nic", nic0, "--output", "json"]);
    expect(JSON.parse(live.out)).toEqual(JSON.parse(offline.out));
    for (const mode of [srv, ["--config", exported]]) {
      const table = await run(["nsg", ...mode, "--nic", nic0, "--output", "table"]);
      expect(table.out).toMatch(
        /default-NSG\s+securityRules\/default-allow-3389\s+1000\s+Inbound\s+Allow\s+Tcp/,
      );
      const text = await run(["nsg", ...mode, "--nic", nic0, "--output", "text"]);
      expect(text.out).toContain(
        "default-NSG\tsecurityRules/default-allow-3389\t1000\tInbound\tAllow\tTcp\t0.0.0.0/0\t0.0.0.0/0\t3389-3389",
      );
      expect(JSON.parse((await run(["nsg", ...mode, "--nic", nic1])).out)).toEqual({ value: [] });
    }
  });

  it("server mode passes the server's refusals through: a NIC id that is not one, a missing NIC", async () => {
    const notNic = await run(["routes", ...srv, "--nic", vm0]);
    expect(notNic.code).toBe(2);
    expect(notNic.err).toMatch(/not a network interface/);
    const missing = await run([
      "routes",
      ...srv,
      "--nic",
      `${rg}/providers/Microsoft.Network/networkInterfaces/nope`,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/\(ResourceNotFound\)/);
  });
});

describe("log and events (server only)", () => {
  it("SE-DIAG-1: log prints the account's requests newest first, as the service saw them", async () => {
    await t.fetch("POST", "/_emulator/requests", { from: vm0, to: account });
    await t.fetch("POST", "/_emulator/requests", { from: vm1, to: account });
    const j = await run(["log", account, ...srv, "--top", "2"]);
    expect(j.code).toBe(0);
    const entries = JSON.parse(j.out).value;
    expect(
      entries.map((e: { source: string }) => e.source),
      j.out,
    ).toEqual([vm1, vm0]);
    expect(entries[0]).toMatchObject({
      decision: "Denied",
      rule: "networkAcls.defaultAction",
      status: 403,
      viaServiceEndpoint: false,
    });
    expect(entries[1]).toMatchObject({
      decision: "Allowed",
      sourceAddress: "10.0.1.4",
      subnetId: `${rg}/providers/Microsoft.Network/virtualNetworks/VNet1/subnets/subnet1`,
    });
    const table = await run(["log", account, ...srv, "--top", "2", "--output", "table"]);
    expect(table.out.split("\n")[0]).toMatch(
      /^Time\s+Operation\s+Source\s+Source Address\s+Subnet\s+Decision\s+Rule\s+Status\s+Error$/,
    );
    expect(table.out).toMatch(
      /request\s+testvm1\s+\S+\s+Denied\s+networkAcls\.defaultAction\s+403\s+AuthorizationFailure/,
    );
    const text = await run(["log", account, ...srv, "--output", "text"]);
    expect(text.out.split("\n")[1]).toMatch(
      /\trequest\ttestvm0\t10\.0\.1\.4\tsubnet1\tAllowed\tnetworkAcls\.virtualNetworkRules\[0\]\t200\t$/,
    );
  });

  it("log and events have no offline mode; bad arguments exit 2", async () => {
    expect((await run(["log", account, "--config", exported])).code).toBe(2);
    expect((await run(["events", "--config", exported])).code).toBe(2);
    expect((await run(["log", "not-an-id", ...srv])).code).toBe(2);
    expect((await run(["events", ...srv, "--count", "0"])).code).toBe(2);
    const badType = await run(["events", ...srv, "--types", "nope", "--count", "1"]);
    expect(badType.code).toBe(2);
    expect(badType.err).toMatch(/Unknown event type 'nope'/);
  });

  it("events: replays buffered events (--since) and follows new ones, filtered by --types, in each output", async () => {
    // A connection opened then reset by switching the endpoint off (SE-CFG-6).
    const open = await t.fetch("POST", "/_emulator/connections", { from: vm0, to: account });
    expect(open.json.state).toBe("Open");
    const follow = run(["events", ...srv, "--since", "0", "--types", "connectionReset", "--count", "1"]);
    await t.fetch(
      "PUT",
      `${rg}/providers/Microsoft.Network/virtualNetworks/VNet1/subnets/subnet1?api-version=2019-06-01`,
      {
        properties: {
          addressPrefix: "10.0.1.0/24",
          networkSecurityGroup: { id: `${rg}/providers/Microsoft.Network/networkSecurityGroups/default-NSG` },
        },
      },
    );
    const r = await follow;
    expect(r.code).toBe(0);
    const lines = r.out.trim().split("\n");
    expect(lines).toHaveLength(1);
    const e = JSON.parse(lines[0]!);
    expect(e).toMatchObject({
      type: "connectionReset",
      connection: {
        id: open.json.id,
        state: "Reset",
        reset: { change: "disabled", service: "Microsoft.Storage" },
      },
    });
    expect(typeof e.id).toBe("number");

    const all = await run(["events", ...srv, "--since", "0", "--count", "3", "--output", "json"]);
    expect(all.out.trim().split("\n")).toHaveLength(3);
    const text = await run([
      "events",
      ...srv,
      "--since",
      "0",
      "--types",
      "connectionReset",
      "--count",
      "1",
      "--output",
      "text",
    ]);
    expect(text.out).toMatch(
      /^\S+\tconnectionReset\t\S+ testvm0 -> lazuritedemo0sa Reset: the Microsoft\.Storage service endpoint on subnet VNet1\/subnet1 was switched off/,
    );
    const table = await run([
      "events",
      ...srv,
      "--since",
      "0",
      "--types",
      "resource",
      "--count",
      "1",
      "--output",
      "table",
    ]);
    expect(table.out).toMatch(/^\S+\s+resource\s+updated \/subscriptions\/.*\/virtualNetworks\/VNet1\n$/);
  });
});
