import { describe, expect, it } from "vitest";
import {
  isAllowAzureServicesRule,
  normalizeSqlServer,
  normalizeSqlVirtualNetworkRule,
  splitSqlChildren,
  sqlFlavorOf,
  sqlServerHostName,
} from "./sql-server.js";

describe("SQL-family server model (SE-RES-4)", () => {
  it("SE-RES-4: flavors by type, any casing", () => {
    expect(sqlFlavorOf("Microsoft.Sql/servers")).toBe("sql");
    expect(sqlFlavorOf("microsoft.dbforpostgresql/SERVERS")).toBe("postgresql");
    expect(sqlFlavorOf("Microsoft.DBforMySQL/servers")).toBe("mysql");
    expect(sqlFlavorOf("Microsoft.DBforMariaDB/servers")).toBe("mariadb");
    expect(sqlFlavorOf("Microsoft.Sql/servers/databases")).toBeUndefined();
  });

  it("SE-RES-4: host names per flavor", () => {
    expect(sqlServerHostName("sql", "Srv1")).toBe("srv1.database.windows.net");
    expect(sqlServerHostName("postgresql", "pg1")).toBe("pg1.postgres.database.azure.com");
    expect(sqlServerHostName("mysql", "my1")).toBe("my1.mysql.database.azure.com");
    expect(sqlServerHostName("mariadb", "ma1")).toBe("ma1.mariadb.database.azure.com");
  });

  it("SE-RES-4: a SQL server gets its FQDN, version 12.0, state Ready and kind v12.0", () => {
    const s = normalizeSqlServer({
      id: "/s/srv1",
      name: "srv1",
      type: "Microsoft.Sql/servers",
      location: "westus",
      properties: { administratorLogin: "a" },
    });
    expect(s.properties).toMatchObject({
      fullyQualifiedDomainName: "srv1.database.windows.net",
      version: "12.0",
      state: "Ready",
      administratorLogin: "a",
    });
    expect(s.kind).toBe("v12.0");
  });

  it("SE-RES-4: a PostgreSQL single server gets userVisibleState and sslEnforcement", () => {
    const s = normalizeSqlServer({
      id: "/s/pg1",
      name: "pg1",
      type: "Microsoft.DBforPostgreSQL/servers",
      properties: {},
    });
    expect(s.properties).toMatchObject({
      fullyQualifiedDomainName: "pg1.postgres.database.azure.com",
      version: "9.6",
      userVisibleState: "Ready",
      sslEnforcement: "Enabled",
    });
    expect(s.kind).toBeUndefined();
  });

  it("SE-ACL-2: a VNet rule defaults ignoreMissingVnetServiceEndpoint to false and state to Ready (PascalCase)", () => {
    const r = normalizeSqlVirtualNetworkRule({
      id: "/x/virtualNetworkRules/r1",
      name: "r1",
      type: "Microsoft.Sql/servers/virtualNetworkRules",
      properties: { virtualNetworkSubnetId: "/x/subnets/a" },
    });
    expect(r.properties).toEqual({
      virtualNetworkSubnetId: "/x/subnets/a",
      ignoreMissingVnetServiceEndpoint: false,
      state: "Ready",
    });
  });

  it("SE-ACL-7: 0.0.0.0-0.0.0.0 is the allow-Azure-services rule; children split by type", () => {
    expect(isAllowAzureServicesRule({ startIpAddress: "0.0.0.0", endIpAddress: "0.0.0.0" })).toBe(true);
    expect(isAllowAzureServicesRule({ startIpAddress: "0.0.0.0", endIpAddress: "255.255.255.255" })).toBe(
      false,
    );
    const split = splitSqlChildren([
      { id: "/a", name: "a", type: "Microsoft.DBforMySQL/servers/virtualNetworkRules", properties: {} },
      { id: "/b", name: "b", type: "Microsoft.DBforMySQL/servers/firewallRules", properties: {} },
      { id: "/c", name: "c", type: "Microsoft.DBforMySQL/servers/databases", properties: {} },
    ]);
    expect(split.virtualNetworkRules.map((r) => r.name)).toEqual(["a"]);
    expect(split.firewallRules.map((r) => r.name)).toEqual(["b"]);
  });
});
