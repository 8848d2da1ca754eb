import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("defaults: port 8443, localhost, .lazurite under the working directory, one InProgress poll", () => {
    const c = loadConfig({}, {}, "/work/x");
    expect(c).toMatchObject({
      port: 8443,
      host: "localhost",
      dataDir: "/work/x/.lazurite",
      demo: false,
      pageSize: 100,
      logLevel: "warn",
    });
    expect(c.lro).toEqual({ inProgressPolls: 1, maxDurationMs: 1000 });
    expect(c.certFile).toBeUndefined();
    expect(c.serviceTagsFile).toBeUndefined();
  });

  it("flags win over LAZURITE_* variables, which win over defaults", () => {
    const env = {
      LAZURITE_PORT: "9000",
      LAZURITE_DATA_DIR: "envdir",
      LAZURITE_DEMO: "1",
      LAZURITE_LRO_POLLS: "3",
    };
    const fromEnv = loadConfig({}, env, "/w");
    expect(fromEnv).toMatchObject({ port: 9000, dataDir: "/w/envdir", demo: true });
    expect(fromEnv.lro.inProgressPolls).toBe(3);
    const fromFlags = loadConfig({ port: "0", dataDir: "/abs", demo: false }, env, "/w");
    expect(fromFlags).toMatchObject({ port: 0, dataDir: "/abs", demo: false });
  });

  it("--cert and --key go together and resolve against the working directory", () => {
    expect(loadConfig({ cert: "c.pem", key: "k.pem" }, {}, "/w")).toMatchObject({
      certFile: "/w/c.pem",
      keyFile: "/w/k.pem",
    });
    expect(() => loadConfig({ cert: "c.pem" }, {}, "/w")).toThrow(ConfigError);
  });

  it("refuses bad values with a message naming the option", () => {
    expect(() => loadConfig({ port: "70000" }, {}, "/w")).toThrow(/--port/);
    expect(() => loadConfig({ port: "eighty" }, {}, "/w")).toThrow(/--port/);
    expect(() => loadConfig({ logLevel: "loud" }, {}, "/w")).toThrow(/--log-level/);
    expect(() => loadConfig({}, { LAZURITE_DEMO: "maybe" }, "/w")).toThrow(/--demo/);
  });

  it("--store: sqlite:PATH (default under the data dir), postgres:// URLs, LAZURITE_STORE; anything else names the forms", () => {
    expect(loadConfig({ dataDir: "/d" }, {}, "/w").store).toEqual({ kind: "sqlite", file: "/d/lazurite.db" });
    expect(loadConfig({ store: "sqlite:x.db" }, {}, "/w").store).toEqual({ kind: "sqlite", file: "/w/x.db" });
    expect(loadConfig({}, { LAZURITE_STORE: "postgres://u:p@h:5432/db" }, "/w").store).toEqual({
      kind: "postgres",
      url: "postgres://u:p@h:5432/db",
    });
    expect(loadConfig({ store: "sqlite:/a.db" }, { LAZURITE_STORE: "postgres://h/db" }, "/w").store).toEqual({
      kind: "sqlite",
      file: "/a.db",
    });
    expect(() => loadConfig({ store: "mysql://h/db" }, {}, "/w")).toThrow(/sqlite:PATH .*postgres:\/\//);
    expect(() => loadConfig({ store: "postgres://u:secret@h" }, {}, "/w")).toThrow(
      /must name a host and a database/,
    );
    expect(() => loadConfig({ store: "postgres://u:secret@h" }, {}, "/w")).not.toThrow(/secret/);
    expect(() => loadConfig({ store: "sqlite:" }, {}, "/w")).toThrow(/file path/);
  });
});
