/**
 * A forged `Host` header never steers a client elsewhere: LRO status URLs
 * (`Azure-AsyncOperation`, `Location`), `nextLink`, discovery documents, `/metadata/endpoints`
 * and token issuers are built from the server's own base URL (src/http/public-url.ts), or from
 * `--public-url` when it sits behind a proxy. Against the real HTTPS server in strict auth mode.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { baseUrlFor } from "../../src/http/public-url.js";
import { settled, startStrictServer, withApi, type StrictServer } from "./edge-helpers.js";

const EVIL = "evil.example";
const PUBLIC = "https://arm.contoso.test:9443";

let s: StrictServer;
let behind: StrictServer;
/** A token for ARM's public audience: valid whatever the Host (as a real client's could be). */
let armToken: string;

/** Every absolute https URL in a text. */
const urlsIn = (text: string) => [...text.matchAll(/https?:\/\/[^"'\s,)]+/g)].map((m) => m[0]);

function allFrom(base: string, text: string, what: string): void {
  const urls = urlsIn(text).filter(
    (u) => !/management\.(azure\.com|core\.windows\.net)|login\.microsoftonline|aka\.ms/.test(u),
  );
  expect(urls.length, `${what}: no URL in ${text.slice(0, 300)}`).toBeGreaterThan(0);
  for (const u of urls) expect(u.startsWith(base), `${what}: ${u}`).toBe(true);
  expect(text).not.toContain(EVIL);
}

async function group(x: StrictServer): Promise<void> {
  const rg = await x.raw("PUT", withApi(`/subscriptions/${x.sub}/resourceGroups/hosts`), {
    token: x.owner,
    body: { location: "westus" },
  });
  expect(rg.status, rg.text).toBeLessThan(300);
}

beforeAll(async () => {
  s = await startStrictServer();
  const { principal } = await s.principal("0e0e0e0e-0000-4000-8000-0000000000c3");
  armToken = s.t.server.identity.signAccessToken(s.t.url, principal, {
    aud: "https://management.azure.com/",
  });
  const sub = `/subscriptions/${s.sub}`;
  await s.assign(
    principal,
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    sub,
    "0e0e0e0e-0000-4000-8000-00000000c003",
  );
  await group(s);
}, 60_000);

afterAll(async () => {
  await s?.t.dispose();
  await behind?.t.dispose();
});

const nsgPath = (x: StrictServer, n: string) =>
  `/subscriptions/${x.sub}/resourceGroups/hosts/providers/Microsoft.Network/networkSecurityGroups/${n}`;

describe("LRO status URLs", () => {
  it("Host: evil.example on a PUT and a DELETE still answers with the server's own URL", async () => {
    const put = await s.raw("PUT", withApi(nsgPath(s, "n1")), {
      token: armToken,
      body: { location: "westus" },
      headers: { host: EVIL },
    });
    expect(put.status, put.text).toBe(201);
    const op = String(put.headers["azure-asyncoperation"]);
    expect(op.startsWith(`${s.t.url}/`), op).toBe(true);
    await settled(s, put);
    const del = await s.raw("DELETE", withApi(nsgPath(s, "n1")), {
      token: armToken,
      headers: { host: EVIL },
    });
    expect(del.status).toBe(202);
    for (const h of ["azure-asyncoperation", "location"]) {
      const v = String(del.headers[h]);
      expect(v.startsWith(`${s.t.url}/`), `${h}: ${v}`).toBe(true);
    }
  });

  it("a loopback Host on the server's port is kept; one on another port is not", async () => {
    const port = new URL(s.t.url).port;
    const cases: Array<[string, string]> = [
      [`127.0.0.1:${port}`, `https://127.0.0.1:${port}/`],
      [`localhost:${port}`, `https://localhost:${port}/`],
      [`localhost:1`, `${s.t.url}/`],
      [`127.0.0.1:${port}@evil.example`, `${s.t.url}/`],
      [`evil.example:${port}`, `${s.t.url}/`],
    ];
    for (const [i, [host, want]] of cases.entries()) {
      const r = await s.raw("PUT", withApi(nsgPath(s, `n2-${i}`)), {
        token: armToken,
        body: { location: "westus" },
        headers: { host },
      });
      expect(r.status, `${host}: ${r.text}`).toBeLessThan(300);
      const op = String(r.headers["azure-asyncoperation"]);
      expect(op.startsWith(want), `${host} → ${op}`).toBe(true);
    }
  });
});

describe("other absolute URLs", () => {
  it("nextLink of a paged list", async () => {
    for (const n of ["p1", "p2"]) {
      await s.raw("PUT", withApi(nsgPath(s, n)), { token: s.owner, body: { location: "westus" } });
    }
    const r = await s.raw(
      "GET",
      withApi(
        `/subscriptions/${s.sub}/resourceGroups/hosts/providers/Microsoft.Network/networkSecurityGroups?$top=1`,
      ),
      { token: armToken, headers: { host: EVIL } },
    );
    expect(r.status, r.text).toBe(200);
    expect(String(r.json.nextLink).startsWith(`${s.t.url}/`), r.json.nextLink).toBe(true);
  });

  it("/metadata/endpoints, the ADFS and tenant discovery documents and the 404 of an unknown route", async () => {
    for (const path of [
      "/metadata/endpoints?api-version=2015-01-01",
      "/adfs/.well-known/openid-configuration",
      `/${s.tenantId}/v2.0/.well-known/openid-configuration`,
      `/${s.tenantId}/.well-known/openid-configuration`,
    ]) {
      const r = await s.raw("GET", path, { headers: { host: EVIL } });
      expect(r.status, `${path}: ${r.text}`).toBe(200);
      allFrom(s.t.url, r.text, path);
    }
    const missing = await s.raw("GET", withApi(`/subscriptions/${s.sub}/nowhere/at/all`), {
      token: armToken,
      headers: { host: EVIL },
    });
    expect(missing.status).toBe(404);
    expect(missing.text).not.toContain(EVIL);
  });

  it("a token from the token endpoint under a forged Host names the server as issuer", async () => {
    const { principal } = await s.principal("0e0e0e0e-0000-4000-8000-0000000000c4");
    const { secret } = await s.t.server.identity.putServicePrincipal(s.tenantId, principal.appId!, {
      newSecret: true,
    });
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: principal.appId!,
      client_secret: secret!,
      scope: `${s.t.url}/.default`,
    }).toString();
    const r = await s.raw("POST", `/${s.tenantId}/oauth2/v2.0/token`, {
      body: form,
      headers: { host: EVIL, "content-type": "application/x-www-form-urlencoded" },
    });
    expect(r.status, r.text).toBe(200);
    const claims = JSON.parse(Buffer.from(r.json.access_token.split(".")[1], "base64url").toString("utf8"));
    expect(String(claims.iss).startsWith(`${s.t.url}/`), claims.iss).toBe(true);
  });
});

describe("--public-url (behind a proxy)", () => {
  beforeAll(async () => {
    behind = await startStrictServer({ publicUrl: PUBLIC });
    await group(behind);
  }, 60_000);

  it("every absolute URL starts with the public URL, whatever the Host", async () => {
    for (const host of [EVIL, `localhost:${new URL(behind.t.url).port}`]) {
      const put = await behind.raw("PUT", withApi(nsgPath(behind, `n3-${host.length}`)), {
        token: behind.owner,
        body: { location: "westus" },
        headers: { host },
      });
      expect(put.status, put.text).toBeLessThan(300);
      expect(String(put.headers["azure-asyncoperation"]).startsWith(`${PUBLIC}/subscriptions/`)).toBe(true);
      const meta = await behind.raw("GET", "/metadata/endpoints?api-version=2015-01-01", {
        headers: { host },
      });
      allFrom(PUBLIC, meta.text, "/metadata/endpoints");
    }
  });

  it("is read from --public-url or LAZURITE_PUBLIC_URL and must be an absolute http(s) URL", () => {
    expect(loadConfig({ publicUrl: "https://arm.example:8443/" }, {}).publicUrl).toBe(
      "https://arm.example:8443",
    );
    expect(loadConfig({}, { LAZURITE_PUBLIC_URL: "https://proxy.example" }).publicUrl).toBe(
      "https://proxy.example",
    );
    expect(loadConfig({}, {}).publicUrl).toBeUndefined();
    for (const bad of ["arm.example", "ftp://x", "https://x/?a=1", "https://u:p@x/", "https://x/arm"])
      expect(() => loadConfig({ publicUrl: bad }, {})).toThrow(ConfigError);
    expect(baseUrlFor(EVIL, { listenPort: 8443 })).toBe("https://localhost:8443");
    expect(baseUrlFor(EVIL, { publicUrl: PUBLIC })).toBe(PUBLIC);
  });
});
