/**
 * Bad input never crashes, hangs or loses data. Property-based fuzzing of the ARM API in
 * process: for every writable resource type, bodies derived from a valid one with random JSON
 * spliced in at random places (values replaced, keys deleted, types changed), wholly random
 * bodies, malformed JSON, odd names and odd api-versions, sent as PUT and PATCH.
 *
 * Every answer is a success or Azure's error shape (`{"error":{"code","message"}}`) with a 4xx,
 * never a 5xx; a long-running write settles. A refused write changes nothing: the resource it
 * named (and, for a child, its parent) reads back exactly as before.
 */
import fc from "fast-check";
import { mutate, paths, type Json } from "../fuzz-json.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LightMyRequestResponse } from "fastify";
import { harness, rg, SUB, type Harness } from "./helpers.js";

/** 40 cases per type with a fixed seed in the suite; `LAZURITE_FUZZ_RUNS` / `LAZURITE_FUZZ_SEED` to explore. */
const RUNS = Number(process.env.LAZURITE_FUZZ_RUNS ?? 40);
const SEED = Number(process.env.LAZURITE_FUZZ_SEED ?? 20261127);

let h: Harness;
const versions = new Map<string, string>();

const NET = `${rg()}/providers/Microsoft.Network`;
const VNET = `${NET}/virtualNetworks/base`;
const SUBNET = `${VNET}/subnets/s1`;
const NSG = `${NET}/networkSecurityGroups/base-nsg`;
const NIC = `${NET}/networkInterfaces/base-nic`;
const VM_NIC = `${NET}/networkInterfaces/vm-nic`;
const STORAGE = `${rg()}/providers/Microsoft.Storage/storageAccounts/basesa`;
const SQL = `${rg()}/providers/Microsoft.Sql/servers/base-sql`;
const SB = `${rg()}/providers/Microsoft.ServiceBus/namespaces/base-sb`;
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/** api-version for a path: the newest the provider lists for the path's type (what a client would send). */
function apiOf(path: string): string {
  const m = /\/providers\/([^/]+)\/(.*)$/i.exec(path);
  if (!m) return "2021-04-01";
  const segs = m[2]!.split("/");
  const type = segs.filter((_, i) => i % 2 === 0).join("/");
  return versions.get(`${m[1]!}/${type}`.toLowerCase()) ?? "2024-05-01";
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  api: string = apiOf(path),
): Promise<LightMyRequestResponse> {
  const res = await h.req(method, `${path}?api-version=${encodeURIComponent(api)}`, body);
  await settle(res);
  return res;
}

/** Follows a long-running operation to its end (it must end, and without a server error). */
async function settle(res: LightMyRequestResponse): Promise<void> {
  const op = res.headers["azure-asyncoperation"] ?? res.headers["location"];
  if (typeof op !== "string" || !/^https:\/\//.test(op) || res.statusCode >= 300) return;
  const path = op.replace(/^https:\/\/[^/]+/, "");
  for (let i = 0; i < 10; i++) {
    const s = await h.app.inject({ method: "GET", url: path, headers: { host: "localhost:8443" } });
    expect(s.statusCode, `${path}: ${s.body}`).toBeLessThan(500);
    if (s.statusCode !== 202 && (s.body === "" || JSON.parse(s.body).status !== "InProgress")) return;
  }
  throw new Error(`operation ${path} never completed`);
}

const snapshot = async (path: string) => {
  const r = await call("GET", path);
  return `${r.statusCode} ${r.body}`;
};

/** Azure's error shape, or success; never a server error. */
function expectArmAnswer(res: LightMyRequestResponse, what: string): void {
  expect(res.statusCode, `${what} → ${res.statusCode} ${res.body}`).toBeLessThan(500);
  if (res.statusCode >= 400) {
    const body = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof body.error?.code, `${what}: ${res.body}`).toBe("string");
    expect((body.error!.code as string).length).toBeGreaterThan(0);
    expect(typeof body.error?.message, `${what}: ${res.body}`).toBe("string");
  }
}

// ---- Mutations of a valid body.

const weird = fc.constantFrom<Json>(
  "",
  " ",
  "*",
  "0.0.0.0/0",
  "10.0.0.0/33",
  "10.0.0.1/24",
  "::/0",
  "fe80::1/64",
  "256.1.1.1",
  "Microsoft.Storage",
  "microsoft.storage",
  "Microsoft.Nope",
  "/subscriptions/x",
  `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/base/subnets/nope`,
  SUBNET,
  NSG,
  "westus",
  "West US",
  "nowhere",
  -1,
  0,
  65536,
  1e308,
  Number.MAX_SAFE_INTEGER,
  true,
  null,
  [],
  {},
  [null],
  { id: null },
  { id: 42 },
  "x".repeat(5000),
  "\u0000",
  "ü/../..",
);

const value: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: weird },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
);

/** A valid body with 1–3 random edits (replace a value, delete a key or element). */
function edited(valid: Json): fc.Arbitrary<Json> {
  const ps = paths(valid);
  const edit = fc.tuple(fc.constantFrom(...ps), fc.option(value, { nil: undefined, freq: 4 }));
  return fc
    .array(edit, { minLength: 1, maxLength: 3 })
    .map((edits) => edits.reduce<Json>((b, [p, v]) => mutate(b, p, v), valid));
}

/** What a fuzz case sends: an edited body mostly; sometimes random JSON or malformed text. */
function bodies(valid: Json): fc.Arbitrary<Json | { raw: string }> {
  return fc.oneof(
    { weight: 8, arbitrary: edited(valid) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json> },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('{"location": "westus", "properties": ', "[", "nul", '{"a":1}{', "\u00ff")
        .map((raw) => ({ raw })),
    },
  );
}

const name = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{2,14}$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "a",
      "x".repeat(90),
      "bad name",
      "bad%2Fname",
      "ünï",
      "-lead",
      "trail.",
      "UPPER",
    ),
  },
);

/** A writable resource type: where it lives, a valid body, and whether it is a child of a baseline resource. */
interface Target {
  label: string;
  path(name: string): string;
  valid: Json;
  parent?: string;
  patch?: boolean;
}

const TARGETS: Target[] = [
  {
    label: "virtual network",
    path: (n) => `${NET}/virtualNetworks/${n}`,
    patch: true,
    valid: {
      location: "westus",
      tags: { env: "fuzz" },
      properties: {
        addressSpace: { addressPrefixes: ["10.1.0.0/16"] },
        subnets: [
          {
            name: "a",
            properties: {
              addressPrefix: "10.1.0.0/24",
              serviceEndpoints: [{ service: "Microsoft.Storage", locations: ["westus"] }],
              networkSecurityGroup: { id: NSG },
            },
          },
        ],
        virtualNetworkPeerings: [
          { name: "p", properties: { remoteVirtualNetwork: { id: VNET }, allowForwardedTraffic: true } },
        ],
      },
    },
  },
  {
    label: "subnet",
    parent: VNET,
    path: (n) => `${VNET}/subnets/${n}`,
    valid: {
      properties: {
        addressPrefix: "10.0.7.0/24",
        serviceEndpoints: [{ service: "Microsoft.Sql" }],
        networkSecurityGroup: { id: NSG },
        delegations: [],
      },
    },
  },
  {
    label: "network security group",
    path: (n) => `${NET}/networkSecurityGroups/${n}`,
    patch: true,
    valid: {
      location: "westus",
      properties: {
        securityRules: [
          {
            name: "r",
            properties: {
              priority: 100,
              direction: "Outbound",
              access: "Deny",
              protocol: "Tcp",
              sourcePortRange: "*",
              destinationPortRanges: ["443", "8000-8100"],
              sourceAddressPrefix: "VirtualNetwork",
              destinationAddressPrefixes: ["Storage.WestUS", "10.0.0.0/8"],
            },
          },
        ],
      },
    },
  },
  {
    label: "security rule",
    parent: NSG,
    path: (n) => `${NSG}/securityRules/${n}`,
    valid: {
      properties: {
        priority: 200,
        direction: "Inbound",
        access: "Allow",
        protocol: "*",
        sourcePortRange: "*",
        destinationPortRange: "22",
        sourceAddressPrefix: "Internet",
        destinationAddressPrefix: "*",
      },
    },
  },
  {
    label: "route table",
    path: (n) => `${NET}/routeTables/${n}`,
    patch: true,
    valid: {
      location: "westus",
      properties: {
        disableBgpRoutePropagation: true,
        routes: [
          {
            name: "r",
            properties: {
              addressPrefix: "0.0.0.0/0",
              nextHopType: "VirtualAppliance",
              nextHopIpAddress: "10.0.9.4",
            },
          },
        ],
      },
    },
  },
  {
    label: "public IP",
    path: (n) => `${NET}/publicIPAddresses/${n}`,
    patch: true,
    valid: {
      location: "westus",
      sku: { name: "Standard" },
      properties: { publicIPAllocationMethod: "Static", publicIPAddressVersion: "IPv4" },
    },
  },
  {
    label: "network interface",
    path: (n) => `${NET}/networkInterfaces/${n}`,
    patch: true,
    valid: {
      location: "westus",
      properties: {
        enableIPForwarding: true,
        ipConfigurations: [
          {
            name: "ipconfig1",
            properties: {
              subnet: { id: SUBNET },
              privateIPAllocationMethod: "Static",
              privateIPAddress: "10.0.1.20",
            },
          },
        ],
      },
    },
  },
  {
    label: "service endpoint policy",
    path: (n) => `${NET}/serviceEndpointPolicies/${n}`,
    patch: true,
    valid: {
      location: "westus",
      properties: {
        serviceEndpointPolicyDefinitions: [
          { name: "d", properties: { service: "Microsoft.Storage", serviceResources: [STORAGE] } },
        ],
      },
    },
  },
  {
    label: "virtual machine",
    path: (n) => `${rg()}/providers/Microsoft.Compute/virtualMachines/${n}`,
    patch: true,
    valid: {
      location: "westus",
      properties: {
        hardwareProfile: { vmSize: "Standard_B1s" },
        networkProfile: { networkInterfaces: [{ id: VM_NIC, properties: { primary: true } }] },
      },
    },
  },
  {
    label: "storage account",
    path: (n) => `${rg()}/providers/Microsoft.Storage/storageAccounts/${n.replace(/[^a-z0-9]/g, "")}`,
    patch: true,
    valid: {
      location: "westus",
      kind: "StorageV2",
      sku: { name: "Standard_LRS" },
      properties: {
        networkAcls: {
          bypass: "AzureServices, Logging",
          defaultAction: "Deny",
          virtualNetworkRules: [{ id: SUBNET, action: "Allow" }],
          ipRules: [{ value: "203.0.113.0/24", action: "Allow" }],
        },
      },
    },
  },
  {
    label: "SQL server",
    path: (n) => `${rg()}/providers/Microsoft.Sql/servers/${n}`,
    patch: true,
    valid: {
      location: "westus",
      properties: {
        administratorLogin: "fuzz",
        administratorLoginPassword: "P@ssw0rd-1234",
        version: "12.0",
      },
    },
  },
  {
    label: "SQL virtual network rule",
    parent: SQL,
    path: (n) => `${SQL}/virtualNetworkRules/${n}`,
    valid: { properties: { virtualNetworkSubnetId: SUBNET, ignoreMissingVnetServiceEndpoint: false } },
  },
  {
    label: "SQL firewall rule",
    parent: SQL,
    path: (n) => `${SQL}/firewallRules/${n}`,
    valid: { properties: { startIpAddress: "203.0.113.1", endIpAddress: "203.0.113.9" } },
  },
  {
    label: "key vault",
    path: (n) => `${rg()}/providers/Microsoft.KeyVault/vaults/${n}`,
    patch: true,
    valid: {
      location: "westus",
      properties: {
        tenantId: TENANT,
        sku: { family: "A", name: "standard" },
        accessPolicies: [],
        networkAcls: {
          bypass: "AzureServices",
          defaultAction: "Deny",
          virtualNetworkRules: [{ id: SUBNET, ignoreMissingVnetServiceEndpoint: true }],
          ipRules: [{ value: "198.51.100.7" }],
        },
      },
    },
  },
  {
    label: "Cosmos DB account",
    path: (n) => `${rg()}/providers/Microsoft.DocumentDB/databaseAccounts/${n}`,
    patch: true,
    valid: {
      location: "westus",
      kind: "GlobalDocumentDB",
      properties: {
        databaseAccountOfferType: "Standard",
        locations: [{ locationName: "westus", failoverPriority: 0 }],
        isVirtualNetworkFilterEnabled: true,
        virtualNetworkRules: [{ id: SUBNET, ignoreMissingVNetServiceEndpoint: true }],
        ipRules: [{ ipAddressOrRange: "0.0.0.0" }],
      },
    },
  },
  {
    label: "Service Bus namespace",
    path: (n) => `${rg()}/providers/Microsoft.ServiceBus/namespaces/${n}`,
    patch: true,
    valid: { location: "westus", sku: { name: "Premium", tier: "Premium", capacity: 1 } },
  },
  {
    label: "Service Bus network rule set",
    parent: SB,
    path: () => `${SB}/networkRuleSets/default`,
    valid: {
      properties: {
        defaultAction: "Deny",
        virtualNetworkRules: [{ subnet: { id: SUBNET }, ignoreMissingVnetServiceEndpoint: true }],
        ipRules: [{ ipMask: "203.0.113.0/24", action: "Allow" }],
      },
    },
  },
  {
    label: "Data Lake Store account",
    path: (n) => `${rg()}/providers/Microsoft.DataLakeStore/accounts/${n.replace(/[^a-z0-9]/g, "")}`,
    patch: true,
    valid: {
      location: "eastus2",
      properties: {
        firewallState: "Enabled",
        firewallAllowAzureIps: "Disabled",
        firewallRules: [
          { name: "f", properties: { startIpAddress: "203.0.113.1", endIpAddress: "203.0.113.2" } },
        ],
      },
    },
  },
  {
    label: "container registry",
    path: (n) => `${rg()}/providers/Microsoft.ContainerRegistry/registries/${n.replace(/[^a-zA-Z0-9]/g, "")}`,
    patch: true,
    valid: {
      location: "westus",
      sku: { name: "Premium" },
      properties: { networkRuleSet: { defaultAction: "Deny", ipRules: [{ value: "203.0.113.0/24" }] } },
    },
  },
  {
    label: "resource group",
    path: (n) => `/subscriptions/${SUB}/resourceGroups/${n}`,
    patch: true,
    valid: { location: "westus", tags: { a: "b" } },
  },
];

const WATCHER = `${NET}/networkWatchers/NetworkWatcher_westus`;
const VM = `${rg()}/providers/Microsoft.Compute/virtualMachines/base-vm`;

/** Actions that take a body (diagnostics): any body gets an answer or Azure's error shape. */
const ACTIONS: Array<{ label: string; path: string; valid: Json; api?: string }> = [
  {
    label: "Network Watcher ipFlowVerify",
    path: `${WATCHER}/ipFlowVerify`,
    valid: {
      targetResourceId: VM,
      direction: "Outbound",
      protocol: "TCP",
      localPort: "49152",
      remotePort: "443",
      localIPAddress: "10.0.1.4",
      remoteIPAddress: "20.38.98.1",
    },
  },
  {
    label: "Network Watcher nextHop",
    path: `${WATCHER}/nextHop`,
    valid: { targetResourceId: VM, sourceIPAddress: "10.0.1.4", destinationIPAddress: "20.38.98.1" },
  },
  {
    label: "Network Watcher securityGroupView",
    path: `${WATCHER}/securityGroupView`,
    valid: { targetResourceId: VM },
  },
  {
    label: "Network Watcher networkConfigurationDiagnostic",
    path: `${WATCHER}/networkConfigurationDiagnostic`,
    valid: {
      targetResourceId: VM,
      profiles: [
        {
          direction: "Outbound",
          protocol: "TCP",
          source: "10.0.1.4",
          destination: "*",
          destinationPort: "443",
        },
      ],
    },
  },
  {
    label: "Network Watcher connectivityCheck",
    path: `${WATCHER}/connectivityCheck`,
    valid: { source: { resourceId: VM }, destination: { resourceId: STORAGE, port: 443 }, protocol: "Tcp" },
  },
  {
    label: "who can reach (/_emulator/who-can-reach)",
    path: "/_emulator/who-can-reach",
    api: "",
    valid: { to: `${STORAGE}#blob`, port: 443, protocol: "Tcp" },
  },
  {
    label: "what-if (/_emulator/what-if)",
    path: "/_emulator/what-if",
    api: "",
    valid: {
      method: "PUT",
      id: SUBNET,
      body: {
        properties: { addressPrefix: "10.0.1.0/24", serviceEndpoints: [{ service: "Microsoft.Sql" }] },
      },
    },
  },
  {
    label: "access check (/_emulator/check)",
    path: "/_emulator/check",
    api: "",
    valid: { from: VM, to: `${STORAGE}#blob`, port: 443, protocol: "Tcp", purpose: "rest" },
  },
];

/** Resources nothing in the fuzz names: they must read back unchanged at the end. */
const SENTINELS = [
  `${rg("keep")}/providers/Microsoft.Network/virtualNetworks/keep-vnet`,
  `${rg("keep")}/providers/Microsoft.Network/networkSecurityGroups/keep-nsg`,
  `${rg("keep")}/providers/Microsoft.Storage/storageAccounts/keepsa`,
];

beforeAll(async () => {
  h = await harness({ lro: { inProgressPolls: 1, maxDurationMs: 60_000 } });
  const providers = h.json(await h.req("GET", `/subscriptions/${SUB}/providers?api-version=2021-04-01`)) as {
    value: Array<{
      namespace: string;
      resourceTypes: Array<{ resourceType: string; apiVersions: string[] }>;
    }>;
  };
  for (const p of providers.value)
    for (const t of p.resourceTypes)
      if (t.apiVersions[0]) versions.set(`${p.namespace}/${t.resourceType}`.toLowerCase(), t.apiVersions[0]);

  for (const g of ["rg1", "keep"]) await call("PUT", rg(g), { location: "westus" }, "2021-04-01");
  const ok = async (path: string, body: unknown) => {
    const r = await call("PUT", path, body);
    expect(r.statusCode, `${path}: ${r.body}`).toBeLessThan(300);
  };
  await ok(NSG, { location: "westus" });
  await ok(VNET, {
    location: "westus",
    properties: {
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [
        {
          name: "s1",
          properties: {
            addressPrefix: "10.0.1.0/24",
            serviceEndpoints: [{ service: "Microsoft.Storage" }, { service: "Microsoft.Sql" }],
          },
        },
      ],
    },
  });
  await ok(NIC, {
    location: "westus",
    properties: { ipConfigurations: [{ name: "c", properties: { subnet: { id: SUBNET } } }] },
  });
  await ok(STORAGE, { location: "westus", kind: "StorageV2", sku: { name: "Standard_LRS" } });
  await ok(VM_NIC, {
    location: "westus",
    properties: { ipConfigurations: [{ name: "c", properties: { subnet: { id: SUBNET } } }] },
  });
  await ok(WATCHER, { location: "westus" });
  await ok(VM, {
    location: "westus",
    properties: {
      hardwareProfile: { vmSize: "Standard_B1s" },
      networkProfile: { networkInterfaces: [{ id: NIC }] },
    },
  });
  await ok(SQL, {
    location: "westus",
    properties: { administratorLogin: "a", administratorLoginPassword: "P@ssw0rd-1234" },
  });
  await ok(SB, { location: "westus", sku: { name: "Premium", tier: "Premium" } });
  await ok(SENTINELS[1]!, { location: "westus" });
  await ok(SENTINELS[0]!, {
    location: "westus",
    properties: {
      addressSpace: { addressPrefixes: ["10.9.0.0/16"] },
      subnets: [
        {
          name: "k",
          properties: { addressPrefix: "10.9.0.0/24", networkSecurityGroup: { id: SENTINELS[1] } },
        },
      ],
    },
  });
  await ok(SENTINELS[2]!, { location: "westus", kind: "StorageV2", sku: { name: "Standard_LRS" } });
});
afterAll(async () => h?.close());

describe("fuzzing the ARM API: bad input gets Azure's error shape, never a crash, a hang or lost data", () => {
  let sentinelsBefore: string[] = [];
  beforeAll(async () => {
    sentinelsBefore = await Promise.all(SENTINELS.map(snapshot));
  });

  for (const target of TARGETS) {
    it(`${target.label}: PUT${target.patch ? " and PATCH" : ""} with mangled bodies, names and api-versions`, async () => {
      await fc.assert(
        fc.asyncProperty(
          bodies(target.valid),
          name,
          fc.constantFrom<"PUT" | "PATCH">(
            ...(target.patch ? (["PUT", "PATCH"] as const) : (["PUT"] as const)),
          ),
          fc.boolean(),
          fc.oneof(
            { weight: 12, arbitrary: fc.constant(undefined) },
            {
              weight: 1,
              arbitrary: fc.constantFrom("", "2099-01-01", "garbage", "2014-01-01", "2024-05-01-preview"),
            },
          ),
          async (body, n, method, existing, badApi) => {
            const path = target.path(encodeURIComponent(n));
            // An update of a resource that exists (always, for PATCH), or a create.
            if (existing || method === "PATCH") {
              const made = await call("PUT", path, target.valid);
              expectArmAnswer(made, `PUT ${target.label} ${path} (valid body)`);
              if (made.statusCode >= 400) return; // the name itself is refused, or the valid body conflicts
            }
            const before = await snapshot(path);
            const parentBefore = target.parent ? await snapshot(target.parent) : undefined;
            const payload =
              body !== null && typeof body === "object" && "raw" in body ? (body.raw as string) : body;
            const res = await call(method, path, payload, badApi ?? apiOf(path));
            expectArmAnswer(res, `${method} ${target.label} ${path}`);
            if (res.statusCode >= 400) {
              expect(await snapshot(path), `refused ${method} ${path} changed it`).toBe(before);
              if (target.parent)
                expect(await snapshot(target.parent), `refused ${method} ${path} changed its parent`).toBe(
                  parentBefore,
                );
            } else {
              const after = await call("GET", path);
              expectArmAnswer(after, `GET after ${method} ${path}`);
            }
          },
        ),
        { numRuns: RUNS, seed: SEED },
      );
    });
  }

  for (const action of ACTIONS) {
    it(`${action.label}: POST with mangled bodies`, async () => {
      await fc.assert(
        fc.asyncProperty(bodies(action.valid), async (body) => {
          const payload =
            body !== null && typeof body === "object" && "raw" in body ? (body.raw as string) : body;
          const url = action.api === "" ? action.path : `${action.path}?api-version=${apiOf(action.path)}`;
          const res = await h.app.inject({
            method: "POST",
            url,
            headers: { host: "localhost:8443", "content-type": "application/json" },
            payload: typeof payload === "string" ? payload : JSON.stringify(payload),
          });
          expectArmAnswer(res, `POST ${action.label}`);
          await settle(res);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    });
  }

  // ---- Encoded separators (SE-RES-1): a name is one path segment, whatever the encoding.

  /** Ways to smuggle a separator, a relative segment or a second escape into one URL name. */
  const SMUGGLE = [
    "%2F",
    "%2f",
    "%5C",
    "%5c",
    "%252F",
    "%252f",
    "%255C",
    "%2F..%2F",
    "%00",
    "%0A",
    "%1F",
    "%7F",
  ];
  const smuggled = fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .tuple(
          fc.constantFrom("base", "base-nsg", "keep-vnet", "keep-nsg", "s1", "x"),
          fc.constantFrom(...SMUGGLE),
          fc.constantFrom("subnets", "securityRules", "routes", "virtualNetworkPeerings", "..", "x"),
          fc.constantFrom(...SMUGGLE),
          fc.stringMatching(/^[a-z]{1,6}$/),
        )
        .map(([a, s1, b, s2, c]) => `${a}${s1}${b}${s2}${c}`),
    },
    // (`..`, `%2E%2E` and `.` are resolved by the injecting client's URL parser: test/security sends them raw.)
    {
      weight: 1,
      arbitrary: fc.constantFrom("a%00", "%2Fkeep-vnet", "a%5C..", "..%2F..%2Fkeep", "%252E%252E"),
    },
  );

  it("encoded separators in any name, for every method, answer 400 and address nothing else", async () => {
    const watched = [VNET, SUBNET, NSG, NIC, STORAGE, SQL, ...SENTINELS];
    const before = await Promise.all(watched.map(snapshot));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TARGETS),
        smuggled,
        fc.constantFrom("PUT", "PATCH", "DELETE", "GET", "POST"),
        fc.boolean(),
        async (target, bad, method, inGroup) => {
          // The bad name as the resource's own name, or as the resource group's.
          // (Placed after the target builds its path: some targets tidy the names they are given.)
          let path = target.path("zzslotzz").replace("zzslotzz", bad);
          if (inGroup) {
            path = target.path("fine").replace(`/resourceGroups/rg1/`, `/resourceGroups/keep${bad}/`);
          }
          // The code names the segment the bad name sits in.
          const segs = path.split("/").filter((x) => x !== "");
          const at = segs.findIndex((x) => x.includes(bad));
          if (at < 0) return; // a singleton (networkRuleSets/default) has no name to smuggle into
          const before = (segs[at - 1] ?? "").toLowerCase();
          const code =
            at === 1 && before === "subscriptions"
              ? "InvalidSubscriptionId"
              : at === 3 && before === "resourcegroups"
                ? "InvalidResourceGroupName"
                : "InvalidResourceName";
          if (method === "POST") path = `${path}/listKeys`;
          const body = method === "PUT" || method === "PATCH" ? target.valid : undefined;
          const res = await h.req(method, `${path}?api-version=${apiOf(target.path("x"))}`, body);
          expectArmAnswer(res, `${method} ${path}`);
          expect(res.statusCode, `${method} ${path}: ${res.body}`).toBe(400);
          expect(JSON.parse(res.body).error.code, `${method} ${path}: ${res.body}`).toBe(code);
        },
      ),
      { numRuns: RUNS * 5, seed: SEED },
    );
    expect(await Promise.all(watched.map(snapshot))).toEqual(before);
  });

  // ---- Nesting depth: refused at the edge above 128 levels, never a 500 below.

  /** A valid body of a target with `"__DEEP__"` at a random path, replaced by `depth` levels of arrays/objects. */
  function deepBody(
    valid: Json,
    at: Array<string | number>,
    depth: number,
    shape: "array" | "object" | "mixed",
  ) {
    const open = shape === "array" ? "[" : shape === "object" ? '{"a":' : '[{"a":';
    const close = shape === "array" ? "]" : shape === "object" ? "}" : "}]";
    const reps = shape === "mixed" ? Math.ceil(depth / 2) : depth;
    const deep = `${open.repeat(reps)}1${close.repeat(reps)}`;
    return JSON.stringify(mutate(valid, at, "__DEEP__")).replace('"__DEEP__"', deep);
  }

  it("bodies nested 129 to 200,000 levels deep answer 400 InvalidRequestContent", async () => {
    const before = await Promise.all(SENTINELS.map(snapshot));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TARGETS),
        fc.integer({ min: 129, max: 200_000 }),
        fc.constantFrom<"array" | "object" | "mixed">("array", "object", "mixed"),
        fc.nat(),
        async (target, depth, shape, pick) => {
          const ps = [[], ...paths(target.valid)];
          const raw = deepBody(target.valid, ps[pick % ps.length]!, depth, shape);
          const res = await call("PUT", target.path(`deep${depth % 7}`), raw);
          expectArmAnswer(res, `PUT ${target.label} nested ${depth}`);
          expect(res.statusCode).toBe(400);
          expect(JSON.parse(res.body).error.code).toBe("InvalidRequestContent");
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
    expect(await Promise.all(SENTINELS.map(snapshot))).toEqual(before);
  });

  it("bodies nested up to 100 levels deep are answered without a server error", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TARGETS),
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom<"array" | "object" | "mixed">("array", "object", "mixed"),
        fc.nat(),
        async (target, depth, shape, pick) => {
          const ps = paths(target.valid);
          const raw = deepBody(target.valid, ps[pick % ps.length]!, depth, shape);
          const res = await call("PUT", target.path(`shallow${depth % 5}`), raw);
          expectArmAnswer(res, `PUT ${target.label} nested ${depth}`);
          if (res.statusCode < 300)
            expectArmAnswer(await call("GET", target.path(`shallow${depth % 5}`)), "GET");
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("resources nobody named read back exactly as before, and the server still answers", async () => {
    expect(await Promise.all(SENTINELS.map(snapshot))).toEqual(sentinelsBefore);
    const list = await call("GET", `/subscriptions/${SUB}/resources`, undefined, "2021-04-01");
    expect(list.statusCode).toBe(200);
  });
});
