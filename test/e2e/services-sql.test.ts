/**
 * SQL-family servers through @azure/arm-sql 10, @azure/arm-postgresql 6, @azure/arm-mysql 5 and
 * @azure/arm-mariadb 2 over HTTPS: servers, virtualNetworkRules, firewallRules, databases
 * (SE-RES-4), the refusals (SE-ACL-2, SE-REG-1, SE-ACL-6) and the stale-rule story (SE-ACL-8).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluate } from "../../src/engine/evaluate.js";
import { Snapshot } from "../../src/engine/snapshot.js";
import { SUB, startTestServer, type TestServer } from "./server.js";
import { POLL, clients, createVnet, failure, setEndpoints, subnetId, vnetId } from "./services-clients.js";

let t: TestServer;
const RG = "e2e-sql";
const admin = { administratorLogin: "azureuser", administratorLoginPassword: "P@ssw0rd-not-echoed" };
const sqlBase = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Sql/servers`;

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

beforeAll(async () => {
  t = await startTestServer();
  await t.resources().resourceGroups.createOrUpdate(RG, { location: "westus" });
  await createVnet(t, RG, "vnet1", "westus", "10.2.0.0/16", [
    { name: "sqlsub", prefix: "10.2.1.0/24", endpoints: ["Microsoft.Sql"] },
    { name: "plain", prefix: "10.2.2.0/24" },
  ]);
  await createVnet(t, RG, "eastnet", "eastus", "10.3.0.0/16", [
    { name: "east", prefix: "10.3.1.0/24", endpoints: ["Microsoft.Sql"] },
  ]);
  await clients(t).sql.servers.beginCreateOrUpdateAndWait(RG, "sql1", { location: "westus", ...admin }, POLL);
});
afterAll(async () => {
  await t?.dispose();
});

const sql = () => clients(t).sql;

describe("SE-RES-4: SQL servers and their rules", () => {
  it("a server PUT answers 202 with Azure-AsyncOperation and Location; the server has its host name and no password", async () => {
    const put = await t.fetch("PUT", `${sqlBase}/rawsql?api-version=2022-08-01-preview`, {
      location: "westus",
      properties: admin,
    });
    expect(put.status).toBe(202);
    expect(put.json).toBeUndefined();
    expect(put.headers.get("azure-asyncoperation")).toMatch(
      /\/providers\/Microsoft\.Sql\/locations\/westus\/operations\//,
    );
    expect(put.headers.get("location")).toMatch(
      /\/providers\/Microsoft\.Sql\/locations\/westus\/operationResults\//,
    );
    const server = await sql().servers.get(RG, "sql1");
    expect(server).toMatchObject({
      fullyQualifiedDomainName: "sql1.database.windows.net",
      state: "Ready",
      version: "12.0",
      kind: "v12.0",
      administratorLogin: "azureuser",
    });
    expect(server.administratorLoginPassword).toBeUndefined();
  });

  it("virtual network rules: create, get, list, delete; not part of the server's GET", async () => {
    const rule = await sql().virtualNetworkRules.beginCreateOrUpdateAndWait(
      RG,
      "sql1",
      "allow-sqlsub",
      { virtualNetworkSubnetId: subnetId(RG, "vnet1", "sqlsub") },
      POLL,
    );
    expect(rule).toMatchObject({
      name: "allow-sqlsub",
      type: "Microsoft.Sql/servers/virtualNetworkRules",
      virtualNetworkSubnetId: subnetId(RG, "vnet1", "sqlsub"),
      ignoreMissingVnetServiceEndpoint: false,
      state: "Ready",
    });
    expect((await collect(sql().virtualNetworkRules.listByServer(RG, "sql1"))).map((r) => r.name)).toContain(
      "allow-sqlsub",
    );
    const raw = await t.fetch("GET", `${sqlBase}/sql1?api-version=2022-08-01-preview`);
    expect(raw.json.properties.virtualNetworkRules).toBeUndefined();
    await sql().virtualNetworkRules.beginCreateOrUpdateAndWait(
      RG,
      "sql1",
      "temp",
      { virtualNetworkSubnetId: subnetId(RG, "vnet1", "sqlsub") },
      POLL,
    );
    await sql().virtualNetworkRules.beginDeleteAndWait(RG, "sql1", "temp", POLL);
    expect((await failure(sql().virtualNetworkRules.get(RG, "sql1", "temp"))).statusCode).toBe(404);
  });

  it("firewall rules, including the 0.0.0.0 'allow Azure services' rule, and a minimal database", async () => {
    const azure = await sql().firewallRules.createOrUpdate(RG, "sql1", "AllowAllWindowsAzureIps", {
      startIpAddress: "0.0.0.0",
      endIpAddress: "0.0.0.0",
    });
    expect(azure).toMatchObject({
      name: "AllowAllWindowsAzureIps",
      startIpAddress: "0.0.0.0",
      endIpAddress: "0.0.0.0",
    });
    await sql().firewallRules.createOrUpdate(RG, "sql1", "office", {
      startIpAddress: "203.0.113.1",
      endIpAddress: "203.0.113.50",
    });
    expect((await collect(sql().firewallRules.listByServer(RG, "sql1"))).map((r) => r.name).sort()).toEqual([
      "AllowAllWindowsAzureIps",
      "office",
    ]);
    const reversed = await failure(
      sql().firewallRules.createOrUpdate(RG, "sql1", "bad", {
        startIpAddress: "203.0.113.9",
        endIpAddress: "203.0.113.1",
      }),
    );
    expect(reversed).toMatchObject({ statusCode: 400, code: "BadRequest" });
    const db = await sql().databases.beginCreateOrUpdateAndWait(
      RG,
      "sql1",
      "appdb",
      { location: "westus" },
      POLL,
    );
    expect(db).toMatchObject({ name: "appdb", status: "Online", location: "westus" });
  });
});

describe("SE-ACL-2: a SQL rule needs the subnet's Microsoft.Sql endpoint unless ignoreMissingVnetServiceEndpoint", () => {
  it("refused with VirtualNetworkRuleBadRequest quoting the network RP", async () => {
    const e = await failure(
      sql().virtualNetworkRules.beginCreateOrUpdateAndWait(
        RG,
        "sql1",
        "r-plain",
        { virtualNetworkSubnetId: subnetId(RG, "vnet1", "plain") },
        POLL,
      ),
    );
    expect(e).toMatchObject({ statusCode: 400, code: "VirtualNetworkRuleBadRequest" });
    expect(e.message).toBe(
      `Network resource provider returned following error: 'Subnets plain of virtual network ${vnetId(RG, "vnet1")} do not have ServiceEndpoints for Microsoft.Sql resources configured. Add Microsoft.Sql to subnet's ServiceEndpoints collection before trying to ACL Microsoft.Sql resources to these subnets.'.`,
    );
  });

  it("a malformed subnet id is LinkedInvalidPropertyId; a missing subnet is refused by the network RP", async () => {
    const bad = await failure(
      sql().virtualNetworkRules.beginCreateOrUpdateAndWait(
        RG,
        "sql1",
        "r-bad",
        { virtualNetworkSubnetId: "not-an-id" },
        POLL,
      ),
    );
    expect(bad).toMatchObject({ statusCode: 400, code: "LinkedInvalidPropertyId" });
    const gone = await failure(
      sql().virtualNetworkRules.beginCreateOrUpdateAndWait(
        RG,
        "sql1",
        "r-gone",
        { virtualNetworkSubnetId: subnetId(RG, "vnet1", "nope") },
        POLL,
      ),
    );
    expect(gone).toMatchObject({ statusCode: 400, code: "VirtualNetworkRuleBadRequest" });
    expect(gone.message).toContain("does not have subnets with names nope");
  });

  it("SE-REG-1: a subnet in another region is refused", async () => {
    const e = await failure(
      sql().virtualNetworkRules.beginCreateOrUpdateAndWait(
        RG,
        "sql1",
        "r-east",
        { virtualNetworkSubnetId: subnetId(RG, "eastnet", "east") },
        POLL,
      ),
    );
    expect(e).toMatchObject({ statusCode: 400, code: "VirtualNetworkRuleBadRequest" });
    expect(e.message).toMatch(/region 'eastus'.*server is in 'westus'/);
  });

  it("SE-ACL-8: ignoreMissing stores the rule (matches nothing until the endpoint); endpoint lost → Unknown, stays; PUT again → Ready", async () => {
    await createVnet(t, RG, "late", "westus", "10.4.0.0/16", [{ name: "app", prefix: "10.4.1.0/24" }]);
    const nic = await t.network().networkInterfaces.beginCreateOrUpdateAndWait(
      RG,
      "latenic",
      {
        location: "westus",
        ipConfigurations: [{ name: "ipconfig1", subnet: { id: subnetId(RG, "late", "app") } }],
      },
      POLL,
    );
    // A server without the 0.0.0.0 rule (that one admits the NIC's default outbound Azure address).
    await sql().servers.beginCreateOrUpdateAndWait(RG, "sqllate", { location: "westus", ...admin }, POLL);
    const put = () =>
      sql().virtualNetworkRules.beginCreateOrUpdateAndWait(
        RG,
        "sqllate",
        "late-app",
        { virtualNetworkSubnetId: subnetId(RG, "late", "app"), ignoreMissingVnetServiceEndpoint: true },
        POLL,
      );
    const decide = async () => {
      const list = await t.fetch(
        "GET",
        `/subscriptions/${SUB}/resourceGroups/${RG}/resources?$expand=properties&api-version=2021-04-01`,
      );
      const snap = new Snapshot(list.json.value, { serviceTags: t.server.deps.serviceTags });
      return evaluate(snap, {
        source: { kind: "nic", nicId: nic.id! },
        destination: { kind: "resource", resourceId: `${sqlBase}/sqllate` },
      }).decision;
    };
    const stored = await put();
    expect(stored).toMatchObject({ ignoreMissingVnetServiceEndpoint: true, state: "Ready" });
    expect(await decide()).toBe("Denied");
    await setEndpoints(t, RG, "late", "app", "10.4.1.0/24", ["Microsoft.Sql"]);
    expect(await decide()).toBe("Allowed");

    await setEndpoints(t, RG, "late", "app", "10.4.1.0/24", []);
    expect((await sql().virtualNetworkRules.get(RG, "sqllate", "late-app")).state).toBe("Unknown");
    await setEndpoints(t, RG, "late", "app", "10.4.1.0/24", ["Microsoft.Sql"]);
    expect((await sql().virtualNetworkRules.get(RG, "sqllate", "late-app")).state).toBe("Unknown");
    expect(await decide()).toBe("Denied");
    expect((await put()).state).toBe("Ready");
    expect(await decide()).toBe("Allowed");
  });
});

describe("SE-ACL-6, SE-LIM-1: at most 128 VNet rules and 128 firewall rules per server", () => {
  it("the 129th firewall rule and the 129th VNet rule are refused", async () => {
    await sql().servers.beginCreateOrUpdateAndWait(RG, "sqlmany", { location: "westus", ...admin }, POLL);
    for (let i = 0; i < 128; i++)
      await sql().firewallRules.createOrUpdate(RG, "sqlmany", `fw${i}`, {
        startIpAddress: `203.0.113.${i + 1}`,
        endIpAddress: `203.0.113.${i + 1}`,
      });
    const fw = await failure(
      sql().firewallRules.createOrUpdate(RG, "sqlmany", "fw128", {
        startIpAddress: "198.51.100.1",
        endIpAddress: "198.51.100.1",
      }),
    );
    expect(fw).toMatchObject({
      statusCode: 400,
      code: "BadRequest",
      message: expect.stringContaining("maximum of 128 firewall rules"),
    });
    const path = `${sqlBase}/sqlmany/virtualNetworkRules`;
    for (let i = 0; i < 128; i++) {
      const r = await t.fetch("PUT", `${path}/v${i}?api-version=2020-11-01-preview`, {
        properties: { virtualNetworkSubnetId: subnetId(RG, "vnet1", "sqlsub") },
      });
      expect(r.status).toBe(202);
    }
    const v = await failure(
      sql().virtualNetworkRules.beginCreateOrUpdateAndWait(
        RG,
        "sqlmany",
        "v128",
        { virtualNetworkSubnetId: subnetId(RG, "vnet1", "sqlsub") },
        POLL,
      ),
    );
    expect(v).toMatchObject({
      statusCode: 400,
      code: "VirtualNetworkRuleBadRequest",
      message: expect.stringContaining("maximum of 128 virtual network rules"),
    });
  });
});

describe("SE-RES-4: PostgreSQL, MySQL and MariaDB single servers", () => {
  const flavors = [
    {
      name: "postgresql",
      client: () => clients(t).postgresql,
      host: "postgres.database.azure.com",
      version: "9.6",
    },
    { name: "mysql", client: () => clients(t).mysql, host: "mysql.database.azure.com", version: "5.7" },
    {
      name: "mariadb",
      client: () => clients(t).mariadb,
      host: "mariadb.database.azure.com",
      version: "10.2",
    },
  ] as const;

  it.each(flavors)(
    "$name: server, VNet rule, firewall rule; SE-ACL-2 refusal; Basic tier refused with FeatureSwitchNotEnabled",
    async (f) => {
      const c = f.client() as ReturnType<typeof clients>["postgresql"];
      const server = await c.servers.beginCreateAndWait(
        RG,
        `${f.name}-gp`,
        {
          location: "westus",
          sku: { name: "GP_Gen5_2", tier: "GeneralPurpose" },
          properties: { createMode: "Default", ...admin },
        },
        POLL,
      );
      expect(server).toMatchObject({
        fullyQualifiedDomainName: `${f.name}-gp.${f.host}`,
        userVisibleState: "Ready",
        sslEnforcement: "Enabled",
        version: f.version,
      });
      const rule = await c.virtualNetworkRules.beginCreateOrUpdateAndWait(
        RG,
        `${f.name}-gp`,
        "r1",
        { virtualNetworkSubnetId: subnetId(RG, "vnet1", "sqlsub") },
        POLL,
      );
      expect(rule).toMatchObject({ virtualNetworkSubnetId: subnetId(RG, "vnet1", "sqlsub"), state: "Ready" });
      const fw = await c.firewallRules.beginCreateOrUpdateAndWait(
        RG,
        `${f.name}-gp`,
        "AllowAllWindowsAzureIps",
        { startIpAddress: "0.0.0.0", endIpAddress: "0.0.0.0" },
        POLL,
      );
      expect(fw).toMatchObject({ startIpAddress: "0.0.0.0", endIpAddress: "0.0.0.0" });
      const noEndpoint = await failure(
        c.virtualNetworkRules.beginCreateOrUpdateAndWait(
          RG,
          `${f.name}-gp`,
          "r2",
          { virtualNetworkSubnetId: subnetId(RG, "vnet1", "plain") },
          POLL,
        ),
      );
      expect(noEndpoint).toMatchObject({
        statusCode: 400,
        code: "VirtualNetworkRuleBadRequest",
        message: expect.stringContaining("ServiceEndpoints for Microsoft.Sql"),
      });
      const region = await failure(
        c.virtualNetworkRules.beginCreateOrUpdateAndWait(
          RG,
          `${f.name}-gp`,
          "r3",
          { virtualNetworkSubnetId: subnetId(RG, "eastnet", "east") },
          POLL,
        ),
      );
      expect(region).toMatchObject({ statusCode: 400, code: "VirtualNetworkRuleBadRequest" });

      await c.servers.beginCreateAndWait(
        RG,
        `${f.name}-basic`,
        { location: "westus", sku: { name: "B_Gen5_1" }, properties: { createMode: "Default", ...admin } },
        POLL,
      );
      const basic = await failure(
        c.virtualNetworkRules.beginCreateOrUpdateAndWait(
          RG,
          `${f.name}-basic`,
          "r1",
          { virtualNetworkSubnetId: subnetId(RG, "vnet1", "sqlsub") },
          POLL,
        ),
      );
      expect(basic).toMatchObject({
        statusCode: 405,
        code: "FeatureSwitchNotEnabled",
        message: "Requested feature is not enabled",
      });
    },
  );

  it("deleting a server deletes its rules", async () => {
    const c = clients(t).postgresql;
    await c.servers.beginDeleteAndWait(RG, "postgresql-gp", POLL);
    const list = await t.fetch(
      "GET",
      `/subscriptions/${SUB}/resourceGroups/${RG}/resources?api-version=2021-04-01`,
    );
    expect(
      list.json.value.filter((r: { id: string }) => r.id.toLowerCase().includes("/postgresql-gp")),
    ).toEqual([]);
  });
});
