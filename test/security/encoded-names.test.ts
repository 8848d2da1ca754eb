/**
 * SE-RES-1: a name is exactly one path segment. A URL name that decodes to something with a
 * separator (`victim%2Fsubnets%2Fmine`), a relative segment (`..`, `%2e%2e`), a second escape
 * (`%252F`) or a control character is refused with 400 `InvalidResourceName` (subscription ids
 * `InvalidSubscriptionId`, groups `InvalidResourceGroupName`) before routing or authorization
 * — for every served type, top-level and child, and every method. The would-be victims read
 * back byte for byte as before. Against the real HTTPS server in strict auth mode.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultKinds } from "../../src/arm/catalog.js";
import { ROLES, settled, startStrictServer, withApi, type StrictServer } from "./edge-helpers.js";

let s: StrictServer;
const RG = "victims";
let base: string;
let net: string;

/** What a refusal of a bad URL name looks like. */
function expectRefused(
  r: { status: number; json: any; text: string },
  what: string,
  code = "InvalidResourceName",
) {
  expect(r.status, `${what} → ${r.status} ${r.text}`).toBe(400);
  expect(r.json?.error?.code, `${what} → ${r.text}`).toBe(code);
  expect(typeof r.json?.error?.message).toBe("string");
}

const put = async (path: string, body: unknown) =>
  settled(s, await s.raw("PUT", withApi(path), { token: s.owner, body }));

const snapshot = async (path: string) => {
  const r = await s.raw("GET", withApi(path), { token: s.owner });
  return `${r.status} ${r.text}`;
};

/** The victims: a VNet with a subnet a NIC uses, an NSG with rules, a route table with routes. */
const VICTIMS = () => [
  `${net}/virtualNetworks/victim`,
  `${net}/virtualNetworks/victim/subnets/app`,
  `${net}/networkSecurityGroups/x`,
  `${net}/networkSecurityGroups/x/securityRules/y`,
  `${net}/routeTables/rt`,
  `${net}/networkInterfaces/nic1`,
  base,
];

beforeAll(async () => {
  s = await startStrictServer();
  base = `/subscriptions/${s.sub}/resourceGroups/${RG}`;
  net = `${base}/providers/Microsoft.Network`;
  expect((await put(base, { location: "westus" })).status).toBeLessThan(300);
  expect(
    (
      await put(`${net}/networkSecurityGroups/x`, {
        location: "westus",
        properties: {
          securityRules: [
            {
              name: "y",
              properties: {
                priority: 100,
                direction: "Inbound",
                access: "Deny",
                protocol: "Tcp",
                sourcePortRange: "*",
                destinationPortRange: "22",
                sourceAddressPrefix: "*",
                destinationAddressPrefix: "*",
              },
            },
          ],
        },
      })
    ).status,
  ).toBeLessThan(300);
  expect(
    (
      await put(`${net}/virtualNetworks/victim`, {
        location: "westus",
        properties: {
          addressSpace: { addressPrefixes: ["10.5.0.0/16"] },
          subnets: [{ name: "app", properties: { addressPrefix: "10.5.1.0/24" } }],
        },
      })
    ).status,
  ).toBeLessThan(300);
  expect(
    (
      await put(`${net}/networkInterfaces/nic1`, {
        location: "westus",
        properties: {
          ipConfigurations: [
            { name: "ip1", properties: { subnet: { id: `${net}/virtualNetworks/victim/subnets/app` } } },
          ],
        },
      })
    ).status,
  ).toBeLessThan(300);
  expect(
    (
      await put(`${net}/routeTables/rt`, {
        location: "westus",
        properties: {
          routes: [{ name: "r1", properties: { addressPrefix: "0.0.0.0/0", nextHopType: "Internet" } }],
        },
      })
    ).status,
  ).toBeLessThan(300);
}, 60_000);

afterAll(async () => {
  await s?.t.dispose();
});

/** Encodings of a name that are not one segment, and what each smuggles. */
const BAD_NAMES = (victim: string, childSegment: string) => [
  `${victim}%2F${childSegment}%2Fmine`,
  `${victim}%2f${childSegment}%2fmine`,
  `${victim}%5C${childSegment}%5Cmine`,
  `${victim}%252F${childSegment}%252Fmine`,
  `mine%2F..%2F${victim}`,
  `%2E%2E`,
  `..`,
  `.`,
  `${victim}%00`,
  `${victim}%0A`,
  `${victim}%7F`,
];

describe("SE-RES-1: encoded separators in names never address another resource", () => {
  it("the VNet attack of the report: PUT virtualNetworks/victim%2Fsubnets%2Fmine with a VNet body is refused and victim keeps its subnets", async () => {
    const before = await snapshot(`${net}/virtualNetworks/victim`);
    const r = await s.raw("PUT", withApi(`${net}/virtualNetworks/victim%2Fsubnets%2Fmine`), {
      token: s.owner,
      body: { location: "westus", properties: { addressSpace: { addressPrefixes: ["10.99.0.0/16"] } } },
      headers: { "if-none-match": "*" },
    });
    expectRefused(r, "PUT victim%2Fsubnets%2Fmine");
    expect(r.json.error.message).toContain("victim/subnets/mine");
    expect(r.json.error.message).toContain("Microsoft.Network/virtualNetworks");
    expect(await snapshot(`${net}/virtualNetworks/victim`)).toBe(before);
  });

  it("the NSG attack of the report: PUT networkSecurityGroups/x%2FsecurityRules%2Fy is refused and the rules stay", async () => {
    const before = await snapshot(`${net}/networkSecurityGroups/x`);
    const r = await s.raw("PUT", withApi(`${net}/networkSecurityGroups/x%2FsecurityRules%2Fy`), {
      token: s.owner,
      body: { location: "westus", properties: {} },
    });
    expectRefused(r, "PUT x%2FsecurityRules%2Fy");
    expect(await snapshot(`${net}/networkSecurityGroups/x`)).toBe(before);
    expect(JSON.parse(before.slice(4)).properties.securityRules).toHaveLength(1);
  });

  it("every served type, top-level and child, refuses every bad encoding for PUT, PATCH, DELETE, POST and GET", async () => {
    const before = await Promise.all(VICTIMS().map(snapshot));
    const kinds = defaultKinds().all();
    const failures: string[] = [];
    let tried = 0;
    for (const kind of kinds) {
      const top = `${base}/providers/${kind.namespace}/${kind.typeName}`;
      const childSegments = [...kind.children.map((c) => c.segment), "subnets", "securityRules"];
      const actions = Object.keys(kind.actions ?? {});
      const urls: Array<[string, string]> = [];
      for (const seg of childSegments) {
        for (const bad of BAD_NAMES("victim", seg)) {
          for (const m of ["PUT", "PATCH", "DELETE", "GET"]) urls.push([m, `${top}/${bad}`]);
          for (const a of [...actions, "listKeys"]) urls.push(["POST", `${top}/${bad}/${a}`]);
        }
      }
      for (const c of kind.children) {
        for (const bad of BAD_NAMES("app", "x")) {
          for (const m of ["PUT", "DELETE", "GET"]) urls.push([m, `${top}/victim/${c.segment}/${bad}`]);
        }
      }
      for (const [method, url] of urls) {
        tried++;
        const body =
          method === "PUT" || method === "PATCH" ? { location: "westus", properties: {} } : undefined;
        const r = await s.raw(method, withApi(url), { token: s.owner, ...(body ? { body } : {}) });
        if (r.status !== 400 || r.json?.error?.code !== "InvalidResourceName")
          failures.push(`${method} ${url} → ${r.status} ${r.text.slice(0, 160)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(tried).toBeGreaterThan(1000);
    expect(await Promise.all(VICTIMS().map(snapshot))).toEqual(before);
  }, 120_000);

  it("resource-group names and subscription ids with encoded separators are refused with their own codes", async () => {
    const before = await Promise.all(VICTIMS().map(snapshot));
    const cases: Array<[string, string, string]> = [
      [
        "PUT",
        `/subscriptions/${s.sub}/resourceGroups/${RG}%2Fproviders%2FMicrosoft.Network%2FvirtualNetworks%2Fvictim`,
        "InvalidResourceGroupName",
      ],
      ["DELETE", `/subscriptions/${s.sub}/resourceGroups/${RG}%2F..`, "InvalidResourceGroupName"],
      ["DELETE", `/subscriptions/${s.sub}/resourceGroups/..`, "InvalidResourceGroupName"],
      ["PUT", `/subscriptions/${s.sub}/resourceGroups/${RG}%00`, "InvalidResourceGroupName"],
      ["GET", `/subscriptions/${s.sub}%2FresourceGroups%2F${RG}`, "InvalidSubscriptionId"],
      [
        "DELETE",
        `/subscriptions/${s.sub}%2FresourceGroups%2F${RG}/resourceGroups/x`,
        "InvalidSubscriptionId",
      ],
      ["PUT", `/subscriptions/${s.sub}%252FresourceGroups/resourceGroups/x`, "InvalidSubscriptionId"],
    ];
    for (const [method, url, code] of cases) {
      const r = await s.raw(method, withApi(url), {
        token: s.owner,
        ...(method === "PUT" ? { body: { location: "westus" } } : {}),
      });
      expectRefused(r, `${method} ${url}`, code);
    }
    expect(await Promise.all(VICTIMS().map(snapshot))).toEqual(before);
  });

  it("a principal with Network Contributor on a subnet alone cannot replace the VNet through an encoded name", async () => {
    const subnet = `${net}/virtualNetworks/victim/subnets/app`;
    const { principal, token } = await s.principal("0e0e0e0e-0000-4000-8000-0000000000b2");
    await s.assign(principal, ROLES.NETWORK_CONTRIBUTOR, subnet, "0e0e0e0e-0000-4000-8000-00000000b002");
    const before = await snapshot(`${net}/virtualNetworks/victim`);
    const vnetBody = {
      location: "westus",
      properties: { addressSpace: { addressPrefixes: ["10.66.0.0/16"] } },
    };
    // Its own scope works: it may update the subnet itself.
    const own = await s.raw("GET", withApi(subnet), { token });
    expect(own.status).toBe(200);
    // Directly it may not write the VNet...
    const direct = await s.raw("PUT", withApi(`${net}/virtualNetworks/victim`), { token, body: vnetBody });
    expect(direct.status).toBe(403);
    expect(direct.json.error.code).toBe("AuthorizationFailed");
    // ...and the encoded name no longer smuggles the VNet write in under the subnet's scope.
    for (const name of ["victim%2Fsubnets%2Fapp", "victim%2fsubnets%2fapp", "victim%252Fsubnets%252Fapp"]) {
      const r = await s.raw("PUT", withApi(`${net}/virtualNetworks/${name}`), { token, body: vnetBody });
      expectRefused(r, `PUT virtualNetworks/${name} as the subnet's contributor`);
      const d = await s.raw("DELETE", withApi(`${net}/virtualNetworks/${name}`), { token });
      expectRefused(d, `DELETE virtualNetworks/${name} as the subnet's contributor`);
    }
    expect(await snapshot(`${net}/virtualNetworks/victim`)).toBe(before);
    const vnet = JSON.parse(before.slice(4));
    expect(vnet.properties.addressSpace.addressPrefixes).toEqual(["10.5.0.0/16"]);
    expect(vnet.properties.subnets.map((x: { name: string }) => x.name)).toEqual(["app"]);
  });

  it("names that are one segment still work: a period, a hyphen, an encoded space stays refused by the name rules only", async () => {
    const ok = await put(`${net}/networkSecurityGroups/a.b-c_d`, { location: "westus" });
    expect(ok.status).toBeLessThan(300);
    const got = await s.raw("GET", withApi(`${net}/networkSecurityGroups/a.b-c_d`), { token: s.owner });
    expect(got.json.name).toBe("a.b-c_d");
    // `%41` decodes once to `A`: a plain letter, one segment.
    const letter = await put(`${net}/networkSecurityGroups/%41bc`, { location: "westus" });
    expect(letter.status).toBeLessThan(300);
    expect((await s.raw("GET", withApi(`${net}/networkSecurityGroups/Abc`), { token: s.owner })).status).toBe(
      200,
    );
  });
});
