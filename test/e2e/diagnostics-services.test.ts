/**
 * Diagnostics on a service resource other than Storage, built through its own SDK
 * (@azure/arm-sql): the snapshot is built from whatever the store holds, so the access check,
 * connectivityCheck and the request log explain SQL's firewall as they do Storage's
 * (SE-DIAG-1, SE-DIAG-3, SE-ACL-9: SQL's login errors 40914 / 40615). Needs the SQL provider
 * (issue 4): skipped while it is not served.
 */
import { SqlManagementClient } from "@azure/arm-sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultKinds } from "../../src/arm/catalog.js";
import { FAST, SUB, credential, startTestServer, type TestServer } from "./server.js";

const sqlServed = defaultKinds().byType("Microsoft.Sql/servers") !== undefined;
const RG = "diag-sql";
const LOC = "westus";
const net = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network`;
const sqlsub = `${net}/virtualNetworks/vnet1/subnets/sqlsub`;
const plain = `${net}/virtualNetworks/vnet1/subnets/plain`;
const server = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Sql/servers/diagsql1`;
const vm = (n: string) =>
  `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Compute/virtualMachines/${n}`;

let t: TestServer;

describe.skipIf(!sqlServed)("diagnostics on a SQL server (needs issue 4's SQL provider)", () => {
  beforeAll(async () => {
    t = await startTestServer();
    const sql = new SqlManagementClient(credential, SUB, {
      endpoint: t.url,
      tlsOptions: { ca: t.ca },
      retryOptions: { maxRetries: 0 },
    } as never);
    await t.resources().resourceGroups.createOrUpdate(RG, { location: LOC });
    await t.network().virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      "vnet1",
      {
        location: LOC,
        addressSpace: { addressPrefixes: ["10.2.0.0/16"] },
        subnets: [
          { name: "sqlsub", addressPrefix: "10.2.1.0/24", serviceEndpoints: [{ service: "Microsoft.Sql" }] },
          { name: "plain", addressPrefix: "10.2.2.0/24" },
        ],
      },
      FAST,
    );
    for (const [name, subnet] of [
      ["app", sqlsub],
      ["other", plain],
    ] as const) {
      await t
        .network()
        .networkInterfaces.beginCreateOrUpdateAndWait(
          RG,
          `${name}-nic`,
          { location: LOC, ipConfigurations: [{ name: "c", subnet: { id: subnet } }] },
          FAST,
        );
      await t.compute().virtualMachines.beginCreateOrUpdateAndWait(
        RG,
        name,
        {
          location: LOC,
          networkProfile: { networkInterfaces: [{ id: `${net}/networkInterfaces/${name}-nic` }] },
        },
        FAST,
      );
    }
    await sql.servers.beginCreateOrUpdateAndWait(
      RG,
      "diagsql1",
      { location: LOC, administratorLogin: "sqladmin", administratorLoginPassword: "P@ssw0rd-not-real" },
      FAST,
    );
    await sql.virtualNetworkRules.beginCreateOrUpdateAndWait(
      RG,
      "diagsql1",
      "allow-sqlsub",
      { virtualNetworkSubnetId: sqlsub },
      FAST,
    );
    await t.network().networkWatchers.createOrUpdate(RG, "nw", { location: LOC });
  }, 120_000);

  afterAll(async () => {
    await t?.dispose();
  });

  it("SE-DIAG-3: connectivityCheck to the server on 1433: Reachable from the trusted subnet, Unreachable with 40615 and the fix from the other", async () => {
    const w = t.network().networkWatchers;
    const ok = await w.beginCheckConnectivityAndWait(
      RG,
      "nw",
      { source: { resourceId: vm("app") }, destination: { resourceId: server, port: 1433 } },
      FAST,
    );
    expect(ok.connectionStatus).toBe("Reachable");
    expect((ok as any).serviceFirewall).toMatchObject({
      result: "Allowed",
      rule: "virtualNetworkRules/allow-sqlsub",
      subnetId: sqlsub,
      viaServiceEndpoint: true,
    });
    const no = await w.beginCheckConnectivityAndWait(
      RG,
      "nw",
      { source: { resourceId: vm("other") }, destination: { resourceId: server, port: 1433 } },
      FAST,
    );
    expect(no.connectionStatus).toBe("Unreachable");
    expect((no as any).serviceFirewall.error.code).toBe("40615");
    expect(no.hops![no.hops!.length - 1]!.issues![0]).toMatchObject({
      type: "ServiceFirewall",
      origin: "Inbound",
    });
    expect((no as any).fixes.length).toBeGreaterThan(0);
  });

  it("SE-DIAG-1: the server's request log holds both, as SQL saw them", async () => {
    const log = (await t.fetch("GET", `/_emulator/requests?resourceId=${encodeURIComponent(server)}`)).json
      .value;
    expect(log[0]).toMatchObject({
      source: vm("other"),
      decision: "Denied",
      viaServiceEndpoint: false,
      error: { code: "40615" },
    });
    expect(log[0].status).toBeUndefined();
    expect(log[1]).toMatchObject({
      source: vm("app"),
      decision: "Allowed",
      sourceAddress: "10.2.1.4",
      subnetId: sqlsub,
      rule: "virtualNetworkRules/allow-sqlsub",
    });
  });

  it("/_emulator/check agrees", async () => {
    const r = (await t.fetch("POST", "/_emulator/check", { from: vm("other"), to: server })).json;
    expect(r).toMatchObject({
      decision: "Denied",
      port: 1433,
      service: "Microsoft.Sql",
      error: { code: "40615" },
    });
  });
});
