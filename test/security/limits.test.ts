/**
 * Azure's limits and input rules (src/model/catalog/limits.ts), with Azure's codes: per-type
 * name rules, resource-group names, child counts, tags, content type, body size, JSON depth,
 * and connection timeouts that close idle and trickling (slowloris) connections. The table is
 * also the "Limits and input rules" section of docs/fidelity.md (kept equal here). Against the
 * real HTTPS server in strict auth mode.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { startServer, type RunningServer } from "../../src/main.js";
import { COUNT_LIMITS, limitsMarkdown, TAG_LIMITS } from "../../src/model/catalog/limits.js";
import { settled, startStrictServer, withApi, type StrictServer } from "./edge-helpers.js";

let s: StrictServer;
let base: string;
let net: string;

beforeAll(async () => {
  s = await startStrictServer();
  base = `/subscriptions/${s.sub}/resourceGroups/limits`;
  net = `${base}/providers/Microsoft.Network`;
  const rg = await s.raw("PUT", withApi(base), { token: s.owner, body: { location: "westus" } });
  expect(rg.status).toBeLessThan(300);
}, 60_000);

afterAll(async () => {
  await s?.t.dispose();
});

const put = async (path: string, body: unknown, headers?: Record<string, string>) =>
  settled(s, await s.raw("PUT", withApi(path), { token: s.owner, body, ...(headers ? { headers } : {}) }));

function expectError(
  r: { status: number; json: any; text: string },
  status: number,
  code: string,
  what: string,
) {
  expect(r.status, `${what} → ${r.status} ${r.text.slice(0, 300)}`).toBe(status);
  expect(r.json?.error?.code, `${what} → ${r.text.slice(0, 300)}`).toBe(code);
}

describe("names", () => {
  const vnet = (n: string) => `${net}/virtualNetworks/${encodeURIComponent(n)}`;
  const vnetBody = {
    location: "westus",
    properties: { addressSpace: { addressPrefixes: ["10.20.0.0/16"] } },
  };

  it("refuses names outside Azure's per-type rules with 400 InvalidResourceName", async () => {
    const bad: Array<[string, unknown, string]> = [
      [vnet("sübnet"), vnetBody, "a non-ASCII letter"],
      [vnet("ｆｕｌｌｗｉｄｔｈ"), vnetBody, "full-width letters"],
      [vnet("v".repeat(65)), vnetBody, "a 65-character VNet name"],
      [vnet("a"), vnetBody, "a 1-character VNet name (2–64)"],
      [vnet("-lead"), vnetBody, "a leading hyphen"],
      [vnet("_lead"), vnetBody, "a leading underscore"],
      [vnet("trail."), vnetBody, "a trailing period"],
      [vnet("trail-"), vnetBody, "a trailing hyphen"],
      [vnet("has space"), vnetBody, "a space"],
      [vnet("semi;colon"), vnetBody, "a semicolon"],
      [`${net}/networkSecurityGroups/${"n".repeat(81)}`, { location: "westus" }, "an 81-character NSG name"],
      [`${net}/routeTables/${encodeURIComponent("rüte")}`, { location: "westus" }, "a route table with ü"],
    ];
    for (const [path, body, what] of bad) {
      const r = await s.raw("PUT", withApi(path), { token: s.owner, body });
      expectError(r, 400, "InvalidResourceName", what);
    }
    const len = await s.raw("PUT", withApi(vnet("v".repeat(65))), { token: s.owner, body: vnetBody });
    expect(len.json.error.message).toContain("up to 64 characters");
  });

  it("refuses bad child names (subnet, rule, route) and inline ones in a parent's body", async () => {
    const ok = await put(vnet("names-ok"), vnetBody);
    expect(ok.status).toBe(201);
    for (const n of ["sübnet", "s".repeat(81), "x."]) {
      const r = await s.raw("PUT", withApi(`${vnet("names-ok")}/subnets/${encodeURIComponent(n)}`), {
        token: s.owner,
        body: { properties: { addressPrefix: "10.20.1.0/24" } },
      });
      expectError(r, 400, "InvalidResourceName", `subnet ${n}`);
    }
    const inline = await s.raw("PUT", withApi(vnet("names-inline")), {
      token: s.owner,
      body: {
        ...vnetBody,
        properties: {
          ...vnetBody.properties,
          subnets: [{ name: "ｓｕｂ", properties: { addressPrefix: "10.20.1.0/24" } }],
        },
      },
    });
    expectError(inline, 400, "InvalidResourceName", "inline full-width subnet name");
  });

  it("accepts the edges of the rules: 64 and 2 characters, periods, hyphens, a trailing underscore, 80-character subnets", async () => {
    for (const n of ["v".repeat(64), "ab", "a.b-c_d", "end_"]) {
      const r = await put(vnet(n), vnetBody);
      expect(r.status, `${n}: ${r.text.slice(0, 200)}`).toBe(201);
    }
    const sub = await put(`${vnet("ab")}/subnets/${"s".repeat(80)}`, {
      properties: { addressPrefix: "10.20.2.0/24" },
    });
    expect(sub.status, sub.text.slice(0, 200)).toBe(201);
  });

  it("resource-group names: 90 characters, no trailing period, Unicode letters allowed (InvalidResourceGroupName)", async () => {
    const rg = (n: string) => `/subscriptions/${s.sub}/resourceGroups/${encodeURIComponent(n)}`;
    for (const n of ["g".repeat(91), "trailing.", "semi;colon", "with space", "star*"]) {
      const r = await s.raw("PUT", withApi(rg(n)), { token: s.owner, body: { location: "westus" } });
      expectError(r, 400, "InvalidResourceGroupName", `group ${n}`);
    }
    for (const n of ["g".repeat(90), "rg-(x)_y.z", "gruppe-ü"]) {
      const r = await s.raw("PUT", withApi(rg(n)), { token: s.owner, body: { location: "westus" } });
      expect(r.status, `${n}: ${r.text}`).toBeLessThan(300);
    }
  });
});

describe("child counts", () => {
  const rule = (i: number) => ({
    name: `r${i}`,
    properties: {
      priority: 100 + i,
      direction: "Inbound",
      access: "Allow",
      protocol: "Tcp",
      sourcePortRange: "*",
      destinationPortRange: "443",
      sourceAddressPrefix: "*",
      destinationAddressPrefix: "*",
    },
  });
  const route = (i: number) => ({
    name: `rt${i}`,
    properties: { addressPrefix: `10.${Math.floor(i / 256)}.${i % 256}.0/24`, nextHopType: "None" },
  });

  it("the limits are Azure's", () => {
    expect(Object.fromEntries(COUNT_LIMITS.map((l) => [l.quota, l.max]))).toEqual({
      SubnetsPerVirtualNetwork: 3000,
      SecurityRulesPerNetworkSecurityGroup: 1000,
      RoutesPerRouteTable: 400,
    });
  });

  it("3,001 subnets in a VNet PUT answer 400 QuotaExceeded", async () => {
    const subnets = Array.from({ length: 3001 }, (_, i) => ({
      name: `s${i}`,
      properties: { addressPrefix: `10.${Math.floor(i / 256)}.${i % 256}.0/24` },
    }));
    const r = await s.raw("PUT", withApi(`${net}/virtualNetworks/many`), {
      token: s.owner,
      body: {
        location: "westus",
        properties: { addressSpace: { addressPrefixes: ["10.0.0.0/8"] }, subnets },
      },
    });
    expectError(r, 400, "QuotaExceeded", "3,001 subnets");
    expect(r.json.error.message).toContain("SubnetsPerVirtualNetwork");
  }, 60_000);

  it("1,000 rules are accepted; the 1,001st (inline or as a child PUT) answers 400 QuotaExceeded", async () => {
    const rules = Array.from({ length: 1000 }, (_, i) => rule(i));
    const ok = await put(`${net}/networkSecurityGroups/full`, {
      location: "westus",
      properties: { securityRules: rules },
    });
    expect(ok.status, ok.text.slice(0, 300)).toBe(201);
    const more = await s.raw("PUT", withApi(`${net}/networkSecurityGroups/full/securityRules/r1000`), {
      token: s.owner,
      body: { properties: rule(1000).properties },
    });
    expectError(more, 400, "QuotaExceeded", "the 1,001st rule");
    const inline = await s.raw("PUT", withApi(`${net}/networkSecurityGroups/over`), {
      token: s.owner,
      body: { location: "westus", properties: { securityRules: [...rules, rule(1000)] } },
    });
    expectError(inline, 400, "QuotaExceeded", "1,001 inline rules");
  }, 60_000);

  it("400 routes are accepted; the 401st answers 400 QuotaExceeded", async () => {
    const routes = Array.from({ length: 400 }, (_, i) => route(i));
    const ok = await put(`${net}/routeTables/full`, { location: "westus", properties: { routes } });
    expect(ok.status, ok.text.slice(0, 300)).toBe(201);
    const more = await s.raw("PUT", withApi(`${net}/routeTables/full/routes/rt400`), {
      token: s.owner,
      body: { properties: route(400).properties },
    });
    expectError(more, 400, "QuotaExceeded", "the 401st route");
  }, 60_000);
});

describe("tags", () => {
  const nsg = (n: string) => `${net}/networkSecurityGroups/${n}`;
  const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, "v"]));

  it("50 tags are fine, 51 answer 400 InvalidTagsCount (resources and resource groups)", async () => {
    expect((await put(nsg("tags50"), { location: "westus", tags: tags(TAG_LIMITS.maxTags) })).status).toBe(
      201,
    );
    const r = await s.raw("PUT", withApi(nsg("tags51")), {
      token: s.owner,
      body: { location: "westus", tags: tags(51) },
    });
    expectError(r, 400, "InvalidTagsCount", "51 tags");
    const g = await s.raw("PUT", withApi(`/subscriptions/${s.sub}/resourceGroups/tagged`), {
      token: s.owner,
      body: { location: "westus", tags: tags(51) },
    });
    expectError(g, 400, "InvalidTagsCount", "51 tags on a group");
    const patch = await s.raw("PATCH", withApi(nsg("tags50")), { token: s.owner, body: { tags: tags(51) } });
    expectError(patch, 400, "InvalidTagsCount", "51 tags in a PATCH");
  });

  it("tag names up to 512 and values up to 256 characters; longer answer InvalidTagName / InvalidTagValueLength", async () => {
    const ok = await put(nsg("taglen"), { location: "westus", tags: { ["n".repeat(512)]: "v".repeat(256) } });
    expect(ok.status, ok.text.slice(0, 200)).toBe(201);
    const name = await s.raw("PUT", withApi(nsg("taglen2")), {
      token: s.owner,
      body: { location: "westus", tags: { ["n".repeat(513)]: "v" } },
    });
    expectError(name, 400, "InvalidTagName", "a 513-character tag name");
    const value = await s.raw("PUT", withApi(nsg("taglen3")), {
      token: s.owner,
      body: { location: "westus", tags: { n: "v".repeat(257) } },
    });
    expectError(value, 400, "InvalidTagValueLength", "a 257-character tag value");
  });

  it("tag names with Azure's reserved characters answer 400 InvalidTagNameCharacters", async () => {
    for (const ch of [...TAG_LIMITS.forbiddenNameCharacters, "\u0001"]) {
      const r = await s.raw("PUT", withApi(nsg("tagchars")), {
        token: s.owner,
        body: { location: "westus", tags: { [`a${ch}b`]: "v" } },
      });
      expectError(r, 400, "InvalidTagNameCharacters", `tag name with ${JSON.stringify(ch)}`);
    }
  });
});

describe("request shape", () => {
  it("a body-carrying ARM request that is not JSON answers 415 UnsupportedMediaType", async () => {
    for (const type of [
      "text/plain",
      "application/xml",
      "multipart/form-data; boundary=x",
      "application/octet-stream",
      "application/x-www-form-urlencoded",
    ]) {
      const r = await s.raw("PUT", withApi(`${net}/networkSecurityGroups/ct`), {
        token: s.owner,
        body: '{"location":"westus"}',
        headers: { "content-type": type },
      });
      expectError(r, 415, "UnsupportedMediaType", type);
    }
    for (const type of ["application/json", "application/json; charset=utf-8", "text/json"]) {
      const r = await put(`${net}/networkSecurityGroups/ct`, '{"location":"westus"}', {
        "content-type": type,
      });
      expect(r.status, `${type}: ${r.text}`).toBeLessThan(300);
    }
  });

  it("a body over 4 MiB answers 413 RequestEntityTooLarge", async () => {
    const big = JSON.stringify({ location: "westus", tags: { a: "x".repeat(4 * 1024 * 1024) } });
    const r = await s.raw("PUT", withApi(`${net}/networkSecurityGroups/big`), { token: s.owner, body: big });
    expectError(r, 413, "RequestEntityTooLarge", "5 MiB body");
  });
});

describe("connection timeouts (slowloris)", () => {
  let server: RunningServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lazurite-timeouts-"));
    server = await startServer(loadConfig({ port: 0, dataDir: dir, logLevel: "silent" }, {}, dir), {
      print: () => undefined,
      timeouts: { headersMs: 600, requestMs: 1200, keepAliveMs: 600, idleMs: 2000 },
    });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a TLS connection, runs `drive`, resolves with what the server sent once it closed the connection. */
  function untilClosed(drive: (write: (s: string) => void) => void): Promise<string> {
    return new Promise((ok, fail) => {
      const sock = connect({
        host: "localhost",
        port: server.port,
        ca: readFileSync(server.caFile),
        servername: "localhost",
      });
      let got = "";
      const timers: NodeJS.Timeout[] = [];
      sock.on("data", (b: Buffer) => (got += b.toString("utf8")));
      sock.on("close", () => {
        timers.forEach(clearInterval);
        ok(got);
      });
      sock.on("error", () => undefined);
      sock.on("secureConnect", () =>
        drive((text) => {
          if (!sock.destroyed) sock.write(text);
        }),
      );
      setTimeout(() => fail(new Error("the server kept the connection open")), 15_000).unref();
      (sock as unknown as { timers: NodeJS.Timeout[] }).timers = timers;
    });
  }

  it("headers trickled one byte at a time are cut off (408)", async () => {
    const got = await untilClosed((write) => {
      write("GET /metadata/endpoints?api-version=2015-01-01 HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
      const t = setInterval(() => write("a"), 100);
      setTimeout(() => clearInterval(t), 10_000).unref();
    });
    expect(got).toMatch(/^HTTP\/1\.1 408/);
  }, 20_000);

  it("a body trickled after complete headers is cut off", async () => {
    const got = await untilClosed((write) => {
      write(
        `PUT /subscriptions/${server.deps.tenancy.subscriptionId}/resourceGroups/slow?api-version=2021-04-01 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
      );
      const t = setInterval(() => write(" "), 100);
      setTimeout(() => clearInterval(t), 10_000).unref();
    });
    expect(got === "" || /^HTTP\/1\.1 408/.test(got), got).toBe(true);
  }, 20_000);

  it("an idle keep-alive connection is closed after its request was answered", async () => {
    const got = await untilClosed((write) =>
      write(
        "GET /metadata/endpoints?api-version=2015-01-01 HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n",
      ),
    );
    expect(got).toMatch(/^HTTP\/1\.1 200/);
  }, 20_000);
});

/** Table rows as trimmed cells (separator rows as `---`), other lines as written; blank lines dropped. */
function normalised(md: string): string[] {
  return md
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) =>
      l.startsWith("|")
        ? l
            .split("|")
            .map((c) => (/^\s*:?-+:?\s*$/.test(c) ? "---" : c.trim()))
            .join("|")
        : l,
    );
}

describe("docs/fidelity.md", () => {
  const file = resolve(import.meta.dirname, "../../docs/fidelity.md");
  const START = "<!-- limits:start (generated from src/model/catalog/limits.ts) -->";
  const END = "<!-- limits:end -->";

  it("its limits section is the table of src/model/catalog/limits.ts", () => {
    const text = readFileSync(file, "utf8");
    const a = text.indexOf(START);
    const b = text.indexOf(END);
    const want = `${START}\n${limitsMarkdown()}\n${END}`;
    if (process.env.LAZURITE_UPDATE_DOCS === "1" && a >= 0 && b > a) {
      writeFileSync(file, text.slice(0, a) + want + text.slice(b + END.length)); // then: npx prettier --write docs/fidelity.md
      return;
    }
    expect(a, "docs/fidelity.md has no limits section markers").toBeGreaterThanOrEqual(0);
    // Compared cell by cell: prettier may pad the table's columns.
    expect(normalised(text.slice(a, b + END.length))).toEqual(normalised(want));
  });
});
