import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAddress } from "../../model/ip.js";
import type { ArmResource } from "../../model/resources/common.js";
import { normalizeStorageAccount } from "../../model/resources/storage-account.js";
import { normalizeSqlServer } from "../../model/resources/sql-server.js";
import { normalizeCosmosAccount } from "../../model/resources/cosmos-db.js";
import { normalizeKeyVault } from "../../model/resources/key-vault.js";
import { normalizeNetworkRuleSet } from "../../model/resources/messaging.js";
import { normalizeDataLakeStoreAccount } from "../../model/resources/data-lake-store.js";
import { normalizeContainerRegistry } from "../../model/resources/container-registry.js";
import { evaluateFirewall } from "./index.js";
import type { FirewallInput } from "./index.js";

type Service =
  | "storage"
  | "sql"
  | "postgresql"
  | "cosmos"
  | "keyvault"
  | "servicebus"
  | "eventhub"
  | "datalakestore"
  | "containerregistry";
const SERVICES: Service[] = [
  "storage",
  "sql",
  "postgresql",
  "cosmos",
  "keyvault",
  "servicebus",
  "eventhub",
  "datalakestore",
  "containerregistry",
];

const SUBNETS = [0, 1, 2, 3].map(
  (i) =>
    `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet${i % 2}/subnets/sn${i}`,
);
/** IP rules drawn from here (one private range on purpose: it must never match). */
const IP_POOL = ["20.0.0.1", "20.0.0.0/24", "52.1.2.3", "40.0.0.0/8", "10.0.0.0/8"];
const SOURCES = ["20.0.0.1", "20.0.0.99", "52.1.2.3", "40.1.2.3", "10.0.0.4", "8.8.8.8"];

/** What the random rule sets are, independent of any service's field names. */
interface Abstract {
  locked: boolean;
  vnetRules: Array<{ subnet: number; stale: boolean }>;
  ipRules: number[];
  allowAzure: boolean;
  trustedSwitch: boolean;
}
interface Req {
  subnet: number | undefined;
  source: number;
  fromAzure: boolean;
  trusted: boolean;
  sameRegion: boolean;
  endpointOn: boolean[];
}

// ---- a straightforward restatement, written without the code under test ----
function v4(text: string): number {
  return text.split(".").reduce((a, o) => a * 256 + Number(o), 0);
}
function contains(cidr: string, ip: string): boolean {
  const [base, len] = cidr.includes("/") ? [cidr.split("/")[0]!, Number(cidr.split("/")[1])] : [cidr, 32];
  const size = 2 ** (32 - len);
  return Math.floor(v4(ip) / size) === Math.floor(v4(base) / size);
}
const isPrivate = (ip: string) => ip.startsWith("10.");
const hasStates = (s: Service) => s === "storage" || s === "sql" || s === "postgresql";

function expected(s: Service, a: Abstract, r: Req): boolean {
  const src = SOURCES[r.source]!;
  const ipRules = a.ipRules.map((i) => IP_POOL[i]!);
  const locked =
    s === "sql" || s === "postgresql"
      ? true
      : s === "cosmos"
        ? a.locked || ipRules.length > 0 || a.allowAzure
        : a.locked;
  if (!locked) return true;
  const vnetRulesCount = s !== "cosmos" || a.locked; // Cosmos: only with isVirtualNetworkFilterEnabled
  if (
    r.subnet !== undefined &&
    vnetRulesCount &&
    a.vnetRules.some((v) => v.subnet === r.subnet && !(hasStates(s) && v.stale) && r.endpointOn[v.subnet])
  )
    return true;
  if (
    r.subnet === undefined &&
    !isPrivate(src) &&
    !(s === "storage" && r.sameRegion) &&
    ipRules.some((c) => contains(c, src))
  )
    return true;
  switch (s) {
    case "storage":
    case "keyvault":
    case "servicebus":
    case "eventhub":
      return a.trustedSwitch && r.trusted;
    case "sql":
    case "postgresql":
    case "cosmos":
    case "datalakestore":
      return a.allowAzure && r.fromAzure && r.subnet === undefined && !isPrivate(src);
    case "containerregistry":
      return false;
  }
}

// ---- rendering the abstract rule set into each service's real shape ----
function render(s: Service, a: Abstract): { resource: ArmResource; children: ArmResource[] } {
  const ips = a.ipRules.map((i) => IP_POOL[i]!);
  const range = (c: string): [string, string] => {
    const [base, len] = c.includes("/") ? [c.split("/")[0]!, Number(c.split("/")[1])] : [c, 32];
    const start = v4(base);
    const end = start + 2 ** (32 - len) - 1;
    const fmt = (n: number) => [24, 16, 8, 0].map((b) => Math.floor(n / 2 ** b) % 256).join(".");
    return [fmt(start), fmt(end)];
  };
  const id = (ns: string, type: string) => `/subscriptions/s/resourceGroups/rg/providers/${ns}/${type}/res1`;
  switch (s) {
    case "storage":
      return {
        resource: normalizeStorageAccount({
          id: id("Microsoft.Storage", "storageAccounts"),
          name: "res1",
          type: "Microsoft.Storage/storageAccounts",
          location: "westus",
          properties: {
            networkAcls: {
              defaultAction: a.locked ? "Deny" : "Allow",
              bypass: a.trustedSwitch ? "Logging, AzureServices" : "Metrics",
              virtualNetworkRules: a.vnetRules.map((v) => ({
                id: SUBNETS[v.subnet]!,
                action: "Allow",
                state: v.stale ? "networkSourceDeleted" : "succeeded",
              })),
              ipRules: ips.map((value) => ({ value, action: "Allow" })),
            },
          },
        }),
        children: [],
      };
    case "sql":
    case "postgresql": {
      const ns = s === "sql" ? "Microsoft.Sql" : "Microsoft.DBforPostgreSQL";
      const server = normalizeSqlServer({
        id: id(ns, "servers"),
        name: "res1",
        type: `${ns}/servers`,
        properties: {},
      });
      const children: ArmResource[] = [
        ...a.vnetRules.map((v, i) => ({
          id: `${server.id}/virtualNetworkRules/v${i}`,
          name: `v${i}`,
          type: `${ns}/servers/virtualNetworkRules`,
          properties: {
            virtualNetworkSubnetId: SUBNETS[v.subnet]!,
            ignoreMissingVnetServiceEndpoint: true,
            state: v.stale ? "Deleting" : "Ready",
          },
        })),
        ...ips.map((c, i) => {
          const [startIpAddress, endIpAddress] = range(c);
          return {
            id: `${server.id}/firewallRules/f${i}`,
            name: `f${i}`,
            type: `${ns}/servers/firewallRules`,
            properties: { startIpAddress, endIpAddress },
          };
        }),
        ...(a.allowAzure
          ? [
              {
                id: `${server.id}/firewallRules/AllowAllWindowsAzureIps`,
                name: "AllowAllWindowsAzureIps",
                type: `${ns}/servers/firewallRules`,
                properties: { startIpAddress: "0.0.0.0", endIpAddress: "0.0.0.0" },
              },
            ]
          : []),
      ];
      return { resource: server, children };
    }
    case "cosmos":
      return {
        resource: normalizeCosmosAccount({
          id: id("Microsoft.DocumentDB", "databaseAccounts"),
          name: "res1",
          type: "Microsoft.DocumentDB/databaseAccounts",
          location: "westus",
          properties: {
            isVirtualNetworkFilterEnabled: a.locked,
            virtualNetworkRules: a.vnetRules.map((v) => ({
              id: SUBNETS[v.subnet]!,
              ignoreMissingVNetServiceEndpoint: true,
            })),
            ipRangeFilter: [...ips, ...(a.allowAzure ? ["0.0.0.0"] : [])].join(","),
          },
        }),
        children: [],
      };
    case "keyvault":
      return {
        resource: normalizeKeyVault({
          id: id("Microsoft.KeyVault", "vaults"),
          name: "res1",
          type: "Microsoft.KeyVault/vaults",
          location: "westus",
          properties: {
            networkAcls: {
              defaultAction: a.locked ? "Deny" : "Allow",
              bypass: a.trustedSwitch ? "AzureServices" : "None",
              virtualNetworkRules: a.vnetRules.map((v) => ({ id: SUBNETS[v.subnet]! })),
              ipRules: ips.map((value) => ({ value })),
            },
          },
        }),
        children: [],
      };
    case "servicebus":
    case "eventhub": {
      const ns = s === "servicebus" ? "Microsoft.ServiceBus" : "Microsoft.EventHub";
      const resource: ArmResource = {
        id: id(ns, "namespaces"),
        name: "res1",
        type: `${ns}/namespaces`,
        properties: {},
      };
      const rs = normalizeNetworkRuleSet({
        id: `${resource.id}/networkRuleSets/default`,
        name: "default",
        type: `${ns}/namespaces/networkRuleSets`,
        properties: {
          defaultAction: a.locked ? "Deny" : "Allow",
          trustedServiceAccessEnabled: a.trustedSwitch,
          virtualNetworkRules: a.vnetRules.map((v) => ({
            subnet: { id: SUBNETS[v.subnet]! },
            ignoreMissingVnetServiceEndpoint: true,
          })),
          ipRules: ips.map((ipMask) => ({ ipMask, action: "Allow" })),
        },
      });
      return { resource, children: [rs] };
    }
    case "datalakestore": {
      const acct = normalizeDataLakeStoreAccount({
        id: id("Microsoft.DataLakeStore", "accounts"),
        name: "res1",
        type: "Microsoft.DataLakeStore/accounts",
        properties: {
          firewallState: a.locked ? "Enabled" : "Disabled",
          firewallAllowAzureIps: a.allowAzure ? "Enabled" : "Disabled",
          firewallRules: ips.map((c, i) => {
            const [startIpAddress, endIpAddress] = range(c);
            return { name: `f${i}`, properties: { startIpAddress, endIpAddress } };
          }),
        },
      });
      const children = a.vnetRules.map((v, i) => ({
        id: `${acct.id}/virtualNetworkRules/v${i}`,
        name: `v${i}`,
        type: "Microsoft.DataLakeStore/accounts/virtualNetworkRules",
        properties: { subnetId: SUBNETS[v.subnet]! },
      }));
      return { resource: acct, children };
    }
    case "containerregistry":
      return {
        resource: normalizeContainerRegistry({
          id: id("Microsoft.ContainerRegistry", "registries"),
          name: "res1",
          type: "Microsoft.ContainerRegistry/registries",
          sku: { name: "Premium" },
          properties: {
            networkRuleSet: {
              defaultAction: a.locked ? "Deny" : "Allow",
              virtualNetworkRules: a.vnetRules.map((v) => ({ action: "Allow", id: SUBNETS[v.subnet]! })),
              ipRules: ips.map((value) => ({ action: "Allow", value })),
            },
          },
        }),
        children: [],
      };
  }
}

const abstractArb: fc.Arbitrary<Abstract> = fc.record({
  locked: fc.boolean(),
  vnetRules: fc.array(fc.record({ subnet: fc.integer({ min: 0, max: 3 }), stale: fc.boolean() }), {
    maxLength: 4,
  }),
  ipRules: fc.array(fc.integer({ min: 0, max: IP_POOL.length - 1 }), { maxLength: 3 }),
  allowAzure: fc.boolean(),
  trustedSwitch: fc.boolean(),
});
const reqArb: fc.Arbitrary<Req> = fc.record({
  subnet: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  source: fc.integer({ min: 0, max: SOURCES.length - 1 }),
  fromAzure: fc.boolean(),
  trusted: fc.boolean(),
  sameRegion: fc.boolean(),
  endpointOn: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
});

function input(s: Service, a: Abstract, r: Req): FirewallInput {
  const { resource, children } = render(s, a);
  const src = r.subnet !== undefined ? "10.0.0.4" : SOURCES[r.source]!;
  return {
    resource,
    children,
    sourceAddress: parseAddress(src),
    ...(r.subnet !== undefined ? { subnetId: SUBNETS[r.subnet]! } : {}),
    subnetHasEndpoint: (id) =>
      SUBNETS.some((sn, i) => sn.toLowerCase() === id.toLowerCase() && r.endpointOn[i]),
    fromAzure: r.fromAzure,
    sameRegionAzure: r.sameRegion,
    trustedService: r.trusted,
    purpose: "rest",
  };
}

describe("service firewalls (all services)", () => {
  for (const s of SERVICES) {
    it(`SE-ACL-7, SE-ACL-1, SE-ACL-5, SE-ACL-8: ${s} admits iff unlocked, a VNet rule, an IP rule or an exception matches (property)`, () => {
      fc.assert(
        fc.property(abstractArb, reqArb, (a, r) => {
          const res = evaluateFirewall(input(s, a, r));
          // A request over an endpoint is seen from a private address.
          const want = expected(
            s,
            a,
            r.subnet !== undefined ? { ...r, source: SOURCES.indexOf("10.0.0.4") } : r,
          );
          expect(res.allowed).toBe(want);
          if (res.allowed) {
            expect(res.fixes).toEqual([]);
            expect(res.error).toBeUndefined();
          } else {
            expect(res.error).toBeDefined();
            expect(res.fixes.length).toBeGreaterThan(0);
            expect(res.rule).toBeTruthy();
          }
        }),
        { numRuns: 1000 },
      );
    });
  }

  it("SE-SRC-2: for every service, a VNet rule matches subnet identity, and a private source never matches an IP rule", () => {
    for (const s of SERVICES) {
      const a: Abstract = {
        locked: true,
        vnetRules: [{ subnet: 0, stale: false }],
        ipRules: [4],
        allowAzure: false,
        trustedSwitch: false,
      };
      const over = (subnet: number) =>
        evaluateFirewall(
          input(s, a, {
            subnet,
            source: 4,
            fromAzure: true,
            trusted: false,
            sameRegion: false,
            endpointOn: [true, true, true, true],
          }),
        );
      expect(over(0).allowed, s).toBe(true);
      expect(over(2).allowed, s).toBe(false); // sn2 shares vnet0 and the private address, not the identity
      const direct = evaluateFirewall(
        input(s, a, {
          subnet: undefined,
          source: 4,
          fromAzure: false,
          trusted: false,
          sameRegion: false,
          endpointOn: [true, true, true, true],
        }),
      );
      expect(direct.allowed, s).toBe(false);
    }
  });

  it("SE-ONP-1: for every service, on-premises NAT addresses get in only through an IP rule", () => {
    for (const s of SERVICES) {
      const vnetOnly: Abstract = {
        locked: true,
        vnetRules: [{ subnet: 0, stale: false }],
        ipRules: [],
        allowAzure: false,
        trustedSwitch: false,
      };
      const nat: Req = {
        subnet: undefined,
        source: 2,
        fromAzure: false,
        trusted: false,
        sameRegion: false,
        endpointOn: [true, true, true, true],
      };
      const refused = evaluateFirewall(input(s, vnetOnly, nat));
      expect(refused.allowed, s).toBe(false);
      expect(
        refused.fixes.some((f) => f.fix.includes("52.1.2.3")),
        s,
      ).toBe(true);
      expect(evaluateFirewall(input(s, { ...vnetOnly, ipRules: [2] }, nat)).allowed, s).toBe(true);
    }
  });

  it("SE-ACL-9: every service refuses with its own data-plane error", () => {
    const a: Abstract = { locked: true, vnetRules: [], ipRules: [], allowAzure: false, trustedSwitch: false };
    const codes = SERVICES.map((s) => {
      const r = evaluateFirewall(
        input(s, a, {
          subnet: undefined,
          source: 0,
          fromAzure: false,
          trusted: false,
          sameRegion: false,
          endpointOn: [false, false, false, false],
        }),
      );
      return [s, r.error?.status, r.error?.code];
    });
    expect(codes).toEqual([
      ["storage", 403, "AuthorizationFailure"],
      ["sql", undefined, "40615"],
      ["postgresql", undefined, "28000"],
      ["cosmos", 403, "Forbidden"],
      ["keyvault", 403, "ForbiddenByFirewall"],
      ["servicebus", 401, "401"],
      ["eventhub", 401, "401"],
      ["datalakestore", 403, "AccessDeniedByFirewall"],
      ["containerregistry", 403, "DENIED"],
    ]);
  });

  it("SE-SCN-4: disk IO is exempt for Storage only; other services ignore the purpose", () => {
    const a: Abstract = { locked: true, vnetRules: [], ipRules: [], allowAzure: false, trustedSwitch: false };
    const r: Req = {
      subnet: undefined,
      source: 0,
      fromAzure: false,
      trusted: false,
      sameRegion: false,
      endpointOn: [false, false, false, false],
    };
    expect(evaluateFirewall({ ...input("storage", a, r), purpose: "disk" }).allowed).toBe(true);
    expect(evaluateFirewall({ ...input("keyvault", a, r), purpose: "disk" }).allowed).toBe(false);
  });

  it("a resource type without a firewall admits", () => {
    const r = evaluateFirewall({
      resource: { id: "/x", name: "x", type: "Microsoft.Web/sites", properties: {} },
      children: [],
      sourceAddress: parseAddress("203.0.113.1"),
      subnetHasEndpoint: () => true,
      fromAzure: false,
      sameRegionAzure: false,
      trustedService: false,
      purpose: "rest",
    });
    expect(r).toEqual({ allowed: true, detail: "Microsoft.Web/sites has no service firewall", fixes: [] });
  });
});
