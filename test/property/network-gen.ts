/**
 * Seeded generators of random but valid Azure networks (ARM JSON, as Azure returns it) and of
 * random flows over them, for the engine-vs-reference property test.
 *
 * A network: 2–4 VNets in random regions with 1–4 subnets each (some with Storage / Sql /
 * KeyVault / Cosmos endpoints, default or explicit locations), some peered (global or not,
 * sometimes half-connected), sometimes a hub with a VPN gateway, local network gateway and an
 * ExpressRoute circuit; NSGs with random rules (service tags, regional tags, Internet,
 * VirtualNetwork, CIDRs, port ranges); route tables with forced tunnelling to appliances,
 * None, VirtualNetworkGateway; appliances with or without IP forwarding; NICs with or without
 * public IPs; storage accounts, SQL-family servers, key vaults and Cosmos accounts with random
 * VNet rules (stale states included) and IP rules; service endpoint policies.
 *
 * Everything is drawn from `Rng` (mulberry32), so a seed reproduces a network exactly.
 */
import type { Prefix } from "../../src/model/ip.js";
import { addressAt, formatAddress, formatPrefix } from "../../src/model/ip.js";
import { tagRegionSuffix } from "../../src/model/catalog/regions.js";
import type { ServiceTagCatalog } from "../../src/model/catalog/service-tags.js";
import type { ArmResource } from "../../src/model/resources/common.js";
import type { Snapshot } from "../../src/engine/snapshot.js";
import type { Flow, FlowDestination, FlowSource } from "../../src/engine/types.js";

/** mulberry32: tiny, fast, good enough for test data. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Inclusive. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  sample<T>(xs: readonly T[], k: number): T[] {
    const copy = [...xs];
    const out: T[] = [];
    while (out.length < k && copy.length > 0) out.push(copy.splice(this.int(copy.length), 1)[0]!);
    return out;
  }
}

/**
 * While true, the generator leaves out the two route constructs on which the engine is known to
 * disagree with Azure's documented selection rules (see "open engine issues" in
 * engine-vs-reference.test.ts): user routes with next hop `VnetLocal` beside a more specific BGP
 * route, and BGP routes inside a VNet's space below a more specific user route. Set it to false
 * once src/engine/routes.ts is fixed, so random networks cover them again.
 */
export const AVOID_OPEN_ENGINE_ISSUES = false;

export const SUB = "00000000-0000-0000-0000-00000000000a";
const RGS = ["rg-net", "rg-data"];
const rgId = (rg: string) => `/subscriptions/${SUB}/resourceGroups/${rg}`;
const netId = (type: string, name: string, rg = RGS[0]!) =>
  `${rgId(rg)}/providers/Microsoft.Network/${type}/${name}`;

/** Regions with a pair (incl. one-way brazilsouth, westindia) present in both catalogs. */
export const REGION_POOL = [
  "westus",
  "eastus",
  "westus2",
  "westcentralus",
  "centralus",
  "eastus2",
  "northeurope",
  "westeurope",
  "koreacentral",
  "brazilsouth",
  "southcentralus",
  "japaneast",
  "westindia",
] as const;

export interface GeneratedNetwork {
  seed: number;
  resources: ArmResource[];
  /** Public addresses that exist in the network (PIPs, gateway edges, NAT addresses). */
  publicAddresses: string[];
  /** Private addresses used by static NICs / appliances (some dangling). */
  privateAddresses: string[];
  circuits: string[];
  localGateways: string[];
}

interface SubnetGen {
  id: string;
  vnet: number;
  cidr: string;
  /** Third octet base, for static addresses. */
  base: string;
  endpoints: string[];
  nsg?: string;
  routeTable?: string;
  policies?: string[];
}

interface VnetGen {
  name: string;
  id: string;
  region: string;
  space: string[];
  subnets: SubnetGen[];
  peerings: ArmResource[];
  hasGateway: boolean;
}

const TAG_BASES = ["Storage", "Sql", "AzureKeyVault", "AzureCosmosDB"] as const;

function tagName(base: string, region: string): string {
  return `${base}.${tagRegionSuffix(region)}`;
}

/** One public address inside a tag's IPv4 prefixes (the second address of a random prefix). */
function addressInTag(rng: Rng, catalog: ServiceTagCatalog, name: string): string | undefined {
  const v4 = catalog.get(name)?.prefixes.filter((p) => p.family === 4 && p.length <= 30) ?? [];
  if (v4.length === 0) return undefined;
  return formatAddress(addressAt(rng.pick(v4), 1 + rng.int(3)));
}

/** An IPv6 address inside a tag's IPv6 prefixes. */
function addressInTag6(rng: Rng, catalog: ServiceTagCatalog, name: string): string | undefined {
  const v6 = catalog.get(name)?.prefixes.filter((p) => p.family === 6) ?? [];
  if (v6.length === 0) return undefined;
  return formatAddress(addressAt(rng.pick(v6), 1 + rng.int(1000)));
}

function prefixInTag(rng: Rng, catalog: ServiceTagCatalog, name: string): Prefix | undefined {
  const v4 = catalog.get(name)?.prefixes.filter((p) => p.family === 4) ?? [];
  return v4.length ? rng.pick(v4) : undefined;
}

/** A random network, valid the way Azure would accept it (spaces of peered VNets never overlap, …). */
export function generateNetwork(seed: number, catalog: ServiceTagCatalog): GeneratedNetwork {
  const rng = new Rng(seed);
  const out: ArmResource[] = [];
  const publicAddresses: string[] = [];
  const privateAddresses: string[] = [];
  const circuits: string[] = [];
  const localGateways: string[] = [];
  const regions = rng.sample(REGION_POOL, rng.range(1, 3));
  const pubOctet = () => `52.${160 + rng.int(20)}.${rng.int(256)}.${1 + rng.int(250)}`;

  // Addresses of the NICs' public IPs (decided below); NSG rules, routes and IP rules may name them.
  const pipAddresses = Array.from({ length: 6 }, () => pubOctet());
  publicAddresses.push(...pipAddresses);

  // ---- VNets and subnets
  const vnets: VnetGen[] = [];
  const nV = rng.range(2, 4);
  for (let v = 0; v < nV; v++) {
    const name = `vnet${v}`;
    const id = netId("virtualNetworks", name);
    const region = rng.pick(regions);
    let spaceIdx = v;
    // Sometimes reuse another VNet's space (SE-SRC-2: overlapping private spaces, never peered).
    if (v > 0 && rng.bool(0.15)) spaceIdx = rng.int(v);
    const wide = rng.bool(0.1);
    const space = wide ? [`10.${spaceIdx}.0.0/16`, `172.${16 + spaceIdx}.0.0/16`] : [`10.${spaceIdx}.0.0/16`];
    const subnets: SubnetGen[] = [];
    const nS = rng.range(1, 4);
    for (let s = 0; s < nS; s++) {
      const endpoints: string[] = [];
      if (rng.bool(0.45)) endpoints.push("Microsoft.Storage");
      if (rng.bool(0.3)) endpoints.push("Microsoft.Sql");
      if (rng.bool(0.25)) endpoints.push("Microsoft.KeyVault");
      if (rng.bool(0.1)) endpoints.push("Microsoft.AzureCosmosDB");
      subnets.push({
        id: `${id}/subnets/s${s}`,
        vnet: v,
        cidr: `10.${spaceIdx}.${s + 1}.0/24`,
        base: `10.${spaceIdx}.${s + 1}`,
        endpoints,
      });
    }
    vnets.push({ name, id, region, space, subnets, peerings: [], hasGateway: false });
  }
  const allSubnets = vnets.flatMap((v) => v.subnets);
  const overlaps = (a: VnetGen, b: VnetGen) => a.space.some((x) => b.space.includes(x));

  // ---- Gateways (hub = vnet0), local network gateway, ExpressRoute circuit
  let gatewayId: string | undefined;
  const hub = vnets[0]!;
  if (rng.bool(0.4)) {
    hub.hasGateway = true;
    gatewayId = netId("virtualNetworkGateways", "gw");
    const hubIdx = Number(hub.space[0]!.split(".")[1]);
    out.push({
      id: gatewayId,
      name: "gw",
      type: "Microsoft.Network/virtualNetworkGateways",
      location: hub.region,
      properties: {
        gatewayType: "Vpn",
        ipConfigurations: [
          {
            name: "c",
            properties: {
              subnet: { id: `${hub.id}/subnets/GatewaySubnet` },
              privateIPAddress: `10.${hubIdx}.255.4`,
            },
          },
        ],
      },
    });
    const onpremChoices = [
      ["192.168.100.0/24"],
      ["0.0.0.0/0"],
      ["172.20.0.0/16", "192.168.0.0/16"],
      [`10.${hubIdx}.1.0/25`],
      ["0.0.0.0/0", "192.168.100.0/24"],
    ];
    // A BGP route inside the VNet space, wider than one subnet: user routes for that subnet are more specific.
    if (!AVOID_OPEN_ENGINE_ISSUES) onpremChoices.push([`10.${hubIdx}.0.0/17`, "192.168.100.0/24"]);
    if (rng.bool(0.7)) {
      const lgwId = netId("localNetworkGateways", "onprem");
      const edge = `203.0.113.${10 + rng.int(200)}`;
      publicAddresses.push(edge);
      localGateways.push(lgwId);
      out.push({
        id: lgwId,
        name: "onprem",
        type: "Microsoft.Network/localNetworkGateways",
        location: hub.region,
        properties: {
          gatewayIpAddress: edge,
          localNetworkAddressSpace: { addressPrefixes: rng.pick(onpremChoices) },
        },
      });
      out.push({
        id: netId("connections", "vpn"),
        name: "vpn",
        type: "Microsoft.Network/connections",
        location: hub.region,
        properties: {
          connectionType: "IPsec",
          virtualNetworkGateway1: { id: gatewayId },
          localNetworkGateway2: { id: lgwId },
        },
      });
    }
    if (rng.bool(0.5)) {
      const cktId = netId("expressRouteCircuits", "er");
      circuits.push(cktId);
      const nat = [`198.51.100.${rng.int(120) * 2}`, `198.51.100.${rng.int(120) * 2 + 1}`];
      const peerings: ArmResource[] = [];
      if (rng.bool(0.7)) {
        publicAddresses.push(...nat);
        peerings.push({
          id: `${cktId}/peerings/AzurePublicPeering`,
          name: "AzurePublicPeering",
          type: "Microsoft.Network/expressRouteCircuits/peerings",
          properties: {
            peeringType: "AzurePublicPeering",
            state: rng.bool(0.85) ? "Enabled" : "Disabled",
            natAddresses: nat,
          },
        });
      }
      if (rng.bool(0.35)) {
        const msPrefix = `203.0.113.${rng.int(32) * 8}/29`;
        publicAddresses.push(msPrefix.split("/")[0]!);
        peerings.push({
          id: `${cktId}/peerings/MicrosoftPeering`,
          name: "MicrosoftPeering",
          type: "Microsoft.Network/expressRouteCircuits/peerings",
          properties: {
            peeringType: "MicrosoftPeering",
            state: "Enabled",
            microsoftPeeringConfig: { advertisedPublicPrefixes: [msPrefix] },
          },
        });
      }
      out.push({
        id: cktId,
        name: "er",
        type: "Microsoft.Network/expressRouteCircuits",
        location: hub.region,
        properties: { peerings, advertisedOnPremisesPrefixes: rng.pick(onpremChoices) },
      });
      if (rng.bool(0.7)) {
        out.push({
          id: netId("connections", "er-conn"),
          name: "er-conn",
          type: "Microsoft.Network/connections",
          location: hub.region,
          properties: {
            connectionType: "ExpressRoute",
            virtualNetworkGateway1: { id: gatewayId },
            peer: { id: cktId },
          },
        });
      }
    }
  }
  // A standalone local network gateway (an on-premises site that is not connected).
  if (rng.bool(0.3)) {
    const id = netId("localNetworkGateways", "branch");
    const edge = `198.18.${rng.int(2)}.${1 + rng.int(200)}`; // benchmarking range: not public
    localGateways.push(id);
    out.push({
      id,
      name: "branch",
      type: "Microsoft.Network/localNetworkGateways",
      location: rng.pick(regions),
      properties: {
        gatewayIpAddress: rng.bool(0.5) ? edge : `203.0.113.${1 + rng.int(9)}`,
        localNetworkAddressSpace: { addressPrefixes: ["192.168.50.0/24"] },
      },
    });
  }

  // ---- Peerings
  for (let i = 0; i < vnets.length; i++) {
    for (let j = i + 1; j < vnets.length; j++) {
      const a = vnets[i]!;
      const b = vnets[j]!;
      if (overlaps(a, b) || !rng.bool(0.4)) continue;
      const half = rng.bool(0.1);
      const gatewayTransit = a.hasGateway && i === 0 && rng.bool(0.6);
      const mk = (from: VnetGen, to: VnetGen, extra: Record<string, unknown>): ArmResource => ({
        id: `${from.id}/virtualNetworkPeerings/to-${to.name}`,
        name: `to-${to.name}`,
        type: "Microsoft.Network/virtualNetworkPeerings",
        properties: {
          remoteVirtualNetwork: { id: to.id },
          allowVirtualNetworkAccess: !rng.bool(0.05),
          allowForwardedTraffic: rng.bool(0.5),
          peeringState: "Connected",
          ...extra,
        },
      });
      a.peerings.push(
        mk(a, b, {
          ...(half ? { peeringState: "Initiated" } : {}),
          ...(gatewayTransit ? { allowGatewayTransit: true } : {}),
        }),
      );
      if (!half) b.peerings.push(mk(b, a, gatewayTransit ? { useRemoteGateways: true } : {}));
    }
  }

  // ---- Application security groups (NIC ip configurations join them; NSG rules name them)
  const asgIds = [netId("applicationSecurityGroups", "web"), netId("applicationSecurityGroups", "db")];
  for (const id of asgIds)
    out.push({
      id,
      name: id.split("/").pop()!,
      type: "Microsoft.Network/applicationSecurityGroups",
      location: rng.pick(regions),
      properties: {},
    });

  // ---- NSGs
  const nsgIds: string[] = [];
  const nNsg = rng.range(0, 3);
  for (let g = 0; g < nNsg; g++) {
    const id = netId("networkSecurityGroups", `nsg${g}`);
    nsgIds.push(id);
    const used = { Inbound: new Set<number>(), Outbound: new Set<number>() };
    const rules: ArmResource[] = [];
    const nR = rng.range(0, 8);
    for (let r = 0; r < nR; r++) {
      const direction = rng.bool(0.7) ? "Outbound" : "Inbound";
      let priority = 100 + rng.int(3997);
      while (used[direction].has(priority)) priority = 100 + rng.int(3997);
      used[direction].add(priority);
      const remote = () => {
        const region = rng.pick(regions);
        const choices: Array<() => string | string[]> = [
          () => "*",
          () => rng.pick(TAG_BASES),
          () => tagName(rng.pick(TAG_BASES), region),
          () => tagName("Storage", rng.pick(REGION_POOL)),
          () => "Internet",
          () => "VirtualNetwork",
          () => "AzureLoadBalancer",
          () => "AzureCloud",
          () => `AzureCloud.${region}`,
          () => rng.pick(allSubnets).cidr,
          () =>
            rng.pick(["20.0.0.0/8", "52.0.0.0/8", "40.64.0.0/10", "13.64.0.0/11", "0.0.0.0/0", "10.0.0.0/8"]),
          () => {
            const p = prefixInTag(rng, catalog, tagName("Storage", region));
            return p ? formatPrefix(p) : "*";
          },
          () => "NoSuchTag",
          () => rng.pick(pipAddresses) + (rng.bool(0.5) ? "/32" : ""),
          () => [`${rng.pick(pipAddresses)}/32`, `${rng.pick(pipAddresses)}`, "100.64.0.0/10"],
          () => [tagName("Storage", region), tagName("Sql", rng.pick(regions))],
          () => [rng.pick(allSubnets).cidr, "192.168.100.0/24"],
        ];
        return rng.pick(choices)();
      };
      const local = () =>
        rng.pick<() => string | string[]>([
          () => "*",
          () => "*",
          () => "VirtualNetwork",
          () => rng.pick(allSubnets).cidr,
          () => "10.0.0.0/8",
        ])();
      let [src, dst] = direction === "Outbound" ? [local(), remote()] : [remote(), local()];
      // The NIC's own side may name an application security group instead of addresses.
      const asgSide = rng.bool(0.12)
        ? {
            [`${direction === "Outbound" ? "source" : "destination"}ApplicationSecurityGroups`]: [
              { id: rng.pick(asgIds) },
            ],
          }
        : undefined;
      if (asgSide) {
        if (direction === "Outbound") src = [];
        else dst = [];
      }
      const dstPort = rng.pick<string | string[]>([
        "*",
        "*",
        "443",
        "1433",
        "80-1500",
        "3306",
        "1000-2000",
        ["443", "1433"],
        ["22", "5432-5433"],
        "70000",
      ]);
      const srcPort = rng.pick<string>(["*", "*", "*", "*", "49152", "1024-65535", "0-100"]);
      const addr = (side: "source" | "destination", v: string | string[]) =>
        Array.isArray(v) ? { [`${side}AddressPrefixes`]: v } : { [`${side}AddressPrefix`]: v };
      const port = (side: "source" | "destination", v: string | string[]) =>
        Array.isArray(v) ? { [`${side}PortRanges`]: v } : { [`${side}PortRange`]: v };
      rules.push({
        id: `${id}/securityRules/r${r}`,
        name: `r${r}`,
        type: "Microsoft.Network/networkSecurityGroups/securityRules",
        properties: {
          priority,
          direction,
          access: rng.bool(0.5) ? "Allow" : "Deny",
          protocol: rng.pick(["*", "*", "Tcp", "Udp", "tcp", "Icmp"]),
          ...port("source", srcPort),
          ...port("destination", dstPort),
          ...addr("source", src),
          ...addr("destination", dst),
          ...(asgSide ?? {}),
        },
      });
    }
    // Rules inline or as separate child resources (both shapes ARM returns).
    const separate = rng.bool(0.3);
    out.push({
      id,
      name: `nsg${g}`,
      type: "Microsoft.Network/networkSecurityGroups",
      location: rng.pick(regions),
      properties: { securityRules: separate ? [] : rules },
    });
    if (separate) out.push(...rules);
  }
  for (const s of allSubnets) if (nsgIds.length && rng.bool(0.5)) s.nsg = rng.pick(nsgIds);

  // ---- Appliances (NICs with static addresses that route tables point at)
  const appliances: Array<{ ip: string; subnet: SubnetGen }> = [];
  const nA = rng.range(0, 2);
  for (let a = 0; a < nA; a++) {
    const subnet = rng.pick(allSubnets);
    appliances.push({ ip: `${subnet.base}.${200 + a}`, subnet });
  }

  // ---- Route tables
  const rtIds: string[] = [];
  const nRt = rng.range(0, 2);
  for (let t = 0; t < nRt; t++) {
    const id = netId("routeTables", `rt${t}`);
    rtIds.push(id);
    const routes: ArmResource[] = [];
    const nRoutes = rng.range(1, 3);
    for (let r = 0; r < nRoutes; r++) {
      const hops = ["VirtualAppliance", "VirtualAppliance", "None", "VirtualNetworkGateway", "Internet"];
      if (!AVOID_OPEN_ENGINE_ISSUES) hops.push("VnetLocal");
      const hop = rng.pick(hops);
      const region = rng.pick(regions);
      const prefix = rng.pick<() => string>([
        () => "0.0.0.0/0",
        () => "0.0.0.0/0",
        () => {
          const p = prefixInTag(rng, catalog, tagName(rng.pick(["Storage", "Sql"]), region));
          return p ? formatPrefix(p) : "0.0.0.0/0";
        },
        () => rng.pick(vnets).space[0]!,
        () => rng.pick(allSubnets).cidr,
        () => "20.0.0.0/8",
        () => "192.168.0.0/16",
        () => `${rng.pick(pipAddresses)}/32`,
      ])();
      const ip =
        hop === "VirtualAppliance"
          ? appliances.length && rng.bool(0.85)
            ? rng.pick(appliances).ip
            : `${rng.pick(allSubnets).base}.250`
          : undefined;
      if (ip) privateAddresses.push(ip);
      routes.push({
        id: `${id}/routes/u${r}`,
        name: `u${r}`,
        type: "Microsoft.Network/routeTables/routes",
        properties: { addressPrefix: prefix, nextHopType: hop, ...(ip ? { nextHopIpAddress: ip } : {}) },
      });
    }
    out.push({
      id,
      name: `rt${t}`,
      type: "Microsoft.Network/routeTables",
      location: rng.pick(regions),
      properties: { disableBgpRoutePropagation: rng.bool(0.3), routes },
    });
  }
  for (const s of allSubnets) if (rtIds.length && rng.bool(0.45)) s.routeTable = rng.pick(rtIds);

  // ---- Service resources
  const services: ArmResource[] = [];
  const serviceIds: { storage: string[] } = { storage: [] };
  const randomPublic = () =>
    rng.pick<() => string>([
      () => rng.pick(publicAddresses.length ? publicAddresses : ["8.8.8.8"]),
      () => pubOctet(),
      () => addressInTag(rng, catalog, `AzureCloud.${rng.pick(regions)}`) ?? "8.8.4.4",
    ])();
  const subnetRef = () =>
    rng.bool(0.9) ? rng.pick(allSubnets).id : `${rng.pick(vnets).id}/subnets/deleted${rng.int(3)}`;
  const nSvc = rng.range(3, 8);
  for (let k = 0; k < nSvc; k++) {
    const region = rng.pick(rng.bool(0.8) ? regions : REGION_POOL);
    const rg = rng.pick(RGS);
    const what = rng.next();
    if (what < 0.55) {
      const name = `sa${seed % 100000}x${k}`;
      const id = `${rgId(rg)}/providers/Microsoft.Storage/storageAccounts/${name}`;
      serviceIds.storage.push(id);
      const acls = rng.bool(0.12)
        ? undefined
        : {
            defaultAction: rng.bool(0.75) ? "Deny" : "Allow",
            bypass: rng.pick(["AzureServices", "None", "Logging, Metrics", "AzureServices, Logging"]),
            virtualNetworkRules: Array.from({ length: rng.range(0, 4) }, () => ({
              id: subnetRef(),
              action: "Allow",
              ...(rng.bool(0.4)
                ? {
                    state: rng.pick([
                      "succeeded",
                      "networkSourceDeleted",
                      "failed",
                      "provisioning",
                      "deprovisioning",
                    ]),
                  }
                : {}),
            })),
            ipRules: Array.from({ length: rng.range(0, 3) }, () => {
              const a = randomPublic();
              return {
                value: rng.bool(0.2) ? `${a.split(".").slice(0, 3).join(".")}.0/24` : a,
                action: "Allow",
              };
            }),
          };
      services.push({
        id,
        name,
        type: "Microsoft.Storage/storageAccounts",
        location: region,
        sku: { name: rng.pick(["Standard_LRS", "Standard_GRS", "Standard_RAGRS"]) },
        kind: rng.pick(["StorageV2", "Storage", "BlobStorage"]),
        properties: {
          ...(acls ? { networkAcls: acls } : {}),
          ...(rng.bool(0.03) ? { publicNetworkAccess: "Disabled" } : {}),
        },
      });
    } else if (what < 0.8) {
      const flavor = rng.pick([
        "Microsoft.Sql/servers",
        "Microsoft.Sql/servers",
        "Microsoft.DBforPostgreSQL/servers",
        "Microsoft.DBforMySQL/servers",
      ]);
      const name = `sql${seed % 100000}x${k}`;
      const id = `${rgId(rg)}/providers/${flavor}/${name}`;
      services.push({
        id,
        name,
        type: flavor,
        location: region,
        properties: { ...(rng.bool(0.03) ? { publicNetworkAccess: "Disabled" } : {}) },
      });
      for (let r = rng.range(0, 3); r > 0; r--) {
        services.push({
          id: `${id}/virtualNetworkRules/vr${r}`,
          name: `vr${r}`,
          type: `${flavor}/virtualNetworkRules`,
          properties: {
            virtualNetworkSubnetId: subnetRef(),
            ignoreMissingVnetServiceEndpoint: rng.bool(0.3),
            ...(rng.bool(0.4) ? { state: rng.pick(["Ready", "Deleting", "Unknown", "InProgress"]) } : {}),
          },
        });
      }
      for (let r = rng.range(0, 3); r > 0; r--) {
        const allowAzure = rng.bool(0.3);
        const a = randomPublic();
        const wide = rng.bool(0.3);
        const start = allowAzure ? "0.0.0.0" : wide ? `${a.split(".").slice(0, 3).join(".")}.0` : a;
        const end = allowAzure ? "0.0.0.0" : wide ? `${a.split(".").slice(0, 3).join(".")}.255` : a;
        services.push({
          id: `${id}/firewallRules/fw${r}`,
          name: allowAzure ? "AllowAllWindowsAzureIps" : `fw${r}`,
          type: `${flavor}/firewallRules`,
          properties: { startIpAddress: start, endIpAddress: end },
        });
      }
    } else if (what < 0.95) {
      const name = `kv${seed % 100000}x${k}`;
      services.push({
        id: `${rgId(rg)}/providers/Microsoft.KeyVault/vaults/${name}`,
        name,
        type: "Microsoft.KeyVault/vaults",
        location: region,
        properties: {
          tenantId: "00000000-0000-0000-0000-0000000000f0",
          sku: { family: "A", name: "standard" },
          ...(rng.bool(0.85)
            ? {
                networkAcls: {
                  defaultAction: rng.bool(0.75) ? "Deny" : "Allow",
                  bypass: rng.pick(["AzureServices", "None"]),
                  virtualNetworkRules: Array.from({ length: rng.range(0, 3) }, () => ({ id: subnetRef() })),
                  ipRules: Array.from({ length: rng.range(0, 2) }, () => ({ value: `${randomPublic()}/32` })),
                },
              }
            : {}),
        },
      });
    } else {
      const name = `cosmos${seed % 100000}x${k}`;
      services.push({
        id: `${rgId(rg)}/providers/Microsoft.DocumentDB/databaseAccounts/${name}`,
        name,
        type: "Microsoft.DocumentDB/databaseAccounts",
        location: region,
        properties: {
          isVirtualNetworkFilterEnabled: rng.bool(0.7),
          ipRangeFilter: rng.bool(0.5) ? `${randomPublic()},0.0.0.0` : "",
          virtualNetworkRules: Array.from({ length: rng.range(0, 2) }, () => ({
            id: subnetRef(),
            ignoreMissingVNetServiceEndpoint: false,
          })),
        },
      });
    }
  }

  // ---- Endpoint policies (Storage definitions listing accounts, resource groups or the subscription)
  const policyIds: string[] = [];
  if (serviceIds.storage.length && rng.bool(0.3)) {
    for (let p = rng.range(1, 2); p > 0; p--) {
      const id = netId("serviceEndpointPolicies", `sep${p}`);
      policyIds.push(id);
      const listed = rng.pick<() => string[]>([
        () => rng.sample(serviceIds.storage, rng.range(1, 2)),
        () => [rgId(rng.pick(RGS))],
        () => [`/subscriptions/${SUB}`],
        () => [`${rgId("rg-elsewhere")}/providers/Microsoft.Storage/storageAccounts/other`],
      ])();
      out.push({
        id,
        name: `sep${p}`,
        type: "Microsoft.Network/serviceEndpointPolicies",
        location: rng.pick(regions),
        properties: {
          serviceEndpointPolicyDefinitions: [
            {
              id: `${id}/serviceEndpointPolicyDefinitions/d`,
              name: "d",
              properties: { service: "Microsoft.Storage", serviceResources: listed },
            },
          ],
        },
      });
    }
    for (const s of allSubnets)
      if (s.endpoints.includes("Microsoft.Storage") && rng.bool(0.5))
        s.policies = rng.sample(policyIds, rng.range(1, policyIds.length));
  }

  // ---- Emit VNets (subnets inline; endpoint locations default or explicit)
  for (const v of vnets) {
    const subnets = v.subnets.map((s) => ({
      id: s.id,
      name: s.id.split("/").pop(),
      type: "Microsoft.Network/virtualNetworks/subnets",
      properties: {
        addressPrefix: s.cidr,
        ...(s.endpoints.length
          ? {
              serviceEndpoints: s.endpoints.map((e) => {
                if (!rng.bool(0.3)) return { service: e };
                const locations =
                  e === "Microsoft.Storage"
                    ? rng.sample(REGION_POOL, rng.range(1, 2))
                    : e === "Microsoft.Sql"
                      ? [rng.pick(REGION_POOL)]
                      : rng.bool(0.5)
                        ? ["*"]
                        : rng.sample(REGION_POOL, rng.range(1, 3));
                return { service: e, locations };
              }),
            }
          : {}),
        ...(s.nsg ? { networkSecurityGroup: { id: s.nsg } } : {}),
        ...(s.routeTable ? { routeTable: { id: s.routeTable } } : {}),
        ...(s.policies ? { serviceEndpointPolicies: s.policies.map((id) => ({ id })) } : {}),
        ...(rng.bool(0.02) ? { provisioningState: "Updating" } : {}),
      },
    }));
    if (v.hasGateway) {
      const idx = Number(v.space[0]!.split(".")[1]);
      subnets.push({
        id: `${v.id}/subnets/GatewaySubnet`,
        name: "GatewaySubnet",
        type: "Microsoft.Network/virtualNetworks/subnets",
        properties: { addressPrefix: `10.${idx}.255.0/27` },
      });
    }
    const separatePeerings = rng.bool(0.3);
    out.push({
      id: v.id,
      name: v.name,
      type: "Microsoft.Network/virtualNetworks",
      location: v.region,
      properties: {
        addressSpace: { addressPrefixes: v.space },
        subnets,
        ...(separatePeerings ? {} : { virtualNetworkPeerings: v.peerings }),
      },
    });
    if (separatePeerings) out.push(...v.peerings);
  }

  // ---- NICs, public IPs, VMs
  let nicN = 0;
  let pipN = 0;
  const pendingVmNics: string[] = [];
  const mkPip = (region: string): string => {
    const name = `pip${pipN++}`;
    const id = netId("publicIPAddresses", name);
    const withAddress = rng.bool(0.7);
    out.push({
      id,
      name,
      type: "Microsoft.Network/publicIPAddresses",
      location: region,
      properties: {
        publicIPAllocationMethod: withAddress ? "Static" : "Dynamic",
        ...(withAddress ? { ipAddress: rng.pick(pipAddresses) } : {}),
      },
    });
    return id;
  };
  const mkNic = (subnet: SubnetGen, opts: { ip?: string; forwarding?: boolean }) => {
    const name = `nic${nicN++}`;
    const id = netId("networkInterfaces", name);
    const region = vnets[subnet.vnet]!.region;
    const cfgs = [
      {
        name: "ipconfig1",
        id: `${id}/ipConfigurations/ipconfig1`,
        properties: {
          subnet: { id: subnet.id },
          privateIPAllocationMethod: opts.ip ? "Static" : "Dynamic",
          ...(opts.ip ? { privateIPAddress: opts.ip } : {}),
          ...(rng.bool(0.35) ? { publicIPAddress: { id: mkPip(region) } } : {}),
          ...(rng.bool(0.25)
            ? { applicationSecurityGroups: rng.sample(asgIds, rng.range(1, 2)).map((id) => ({ id })) }
            : {}),
        },
      },
    ];
    if (rng.bool(0.08)) {
      cfgs.push({
        name: "ipconfig2",
        id: `${id}/ipConfigurations/ipconfig2`,
        properties: {
          subnet: { id: subnet.id },
          privateIPAllocationMethod: "Dynamic",
          ...(rng.bool(0.5) ? { publicIPAddress: { id: mkPip(region) } } : {}),
        },
      });
    }
    out.push({
      id,
      name,
      type: "Microsoft.Network/networkInterfaces",
      location: region,
      properties: {
        ...(nsgIds.length && rng.bool(0.2) ? { networkSecurityGroup: { id: rng.pick(nsgIds) } } : {}),
        ...(opts.forwarding ? { enableIPForwarding: true } : {}),
        ipConfigurations: cfgs,
      },
    });
    return id;
  };
  for (const a of appliances) {
    privateAddresses.push(a.ip);
    mkNic(a.subnet, { ip: a.ip, forwarding: rng.bool(0.75) });
  }
  for (const s of allSubnets) {
    for (let n = rng.range(1, 3); n > 0; n--) {
      const ip = rng.bool(0.2) ? `${s.base}.${10 + n}` : undefined;
      if (ip) privateAddresses.push(ip);
      const id = mkNic(s, ip ? { ip } : {});
      if (rng.bool(0.6)) pendingVmNics.push(id);
    }
  }
  let vmN = 0;
  while (pendingVmNics.length) {
    const nics = pendingVmNics.splice(0, rng.bool(0.15) ? 2 : 1);
    const name = `vm${vmN++}`;
    out.push({
      id: `${rgId(RGS[0]!)}/providers/Microsoft.Compute/virtualMachines/${name}`,
      name,
      type: "Microsoft.Compute/virtualMachines",
      location: rng.pick(regions),
      properties: {
        networkProfile: {
          networkInterfaces: nics.map((id, i) => ({
            id,
            ...(i === 0 ? {} : { properties: { primary: false } }),
          })),
        },
      },
    });
  }
  out.push(...services);
  return { seed, resources: out, publicAddresses, privateAddresses, circuits, localGateways };
}

/** Random flows over a generated network (sources: NICs, VMs, on-premises, internet; all kinds of destination). */
export function generateFlows(seed: number, net: GeneratedNetwork, snap: Snapshot, count: number): Flow[] {
  const rng = new Rng(seed ^ 0x5eed);
  const nics = [...snap.nics.values()];
  const vms = [...snap.vms.values()];
  const services = [...snap.services.values()];
  const catalog = snap.catalog;
  const region = () => rng.pick(REGION_POOL);
  const flows: Flow[] = [];
  for (let i = 0; i < count; i++) {
    let source: FlowSource;
    const s = rng.next();
    if (s < 0.5 && nics.length) {
      const nic = rng.pick(nics);
      const cfg = rng.bool(0.1)
        ? rng.pick(nic.resource.properties?.ipConfigurations ?? [{ name: "ipconfig1" }]).name
        : undefined;
      source = {
        kind: "nic",
        nicId: rng.bool(0.01) ? `${nic.id}-missing` : nic.id,
        ...(cfg ? { ipConfiguration: cfg } : {}),
      };
    } else if (s < 0.72 && vms.length) {
      source = { kind: "vm", vmId: rng.pick(vms).id };
    } else if (s < 0.86 && (net.circuits.length || net.localGateways.length)) {
      const via = rng.pick([...net.circuits, ...net.localGateways]);
      const address = rng.bool(0.5)
        ? `192.168.100.${1 + rng.int(250)}`
        : rng.pick([...net.publicAddresses, `198.51.100.${rng.int(256)}`]);
      source = { kind: "onprem", address, via };
    } else {
      const address = rng.pick<() => string>([
        () => rng.pick(net.publicAddresses.length ? net.publicAddresses : ["8.8.8.8"]),
        () => `8.8.${rng.int(256)}.${rng.int(256)}`,
        () => addressInTag(rng, catalog, `AzureCloud.${region()}`) ?? "8.8.8.8",
        () => "10.0.1.4",
        () => addressInTag6(rng, catalog, `AzureCloud.${region()}`) ?? "2001:db8::2",
      ])();
      source = { kind: "internet", address };
    }
    let destination: FlowDestination;
    const d = rng.next();
    if (d < 0.55 && services.length) {
      const svc = rng.pick(services);
      const endpoint = rng.bool(0.15)
        ? rng.bool(0.9) && svc.hosts.length
          ? rng.pick(svc.hosts).endpoint
          : "nosuch"
        : undefined;
      destination = { kind: "resource", resourceId: svc.id, ...(endpoint ? { endpoint } : {}) };
    } else if (d < 0.7) {
      const svcHosts = services.length ? rng.pick(services).hosts : [];
      const host = rng.pick<() => string>([
        () => (svcHosts.length ? rng.pick(svcHosts).host : "x.blob.core.windows.net"),
        () => (svcHosts.length ? `${svcHosts[0]!.host.toUpperCase()}.` : "a.vault.azure.net"),
        () => "nosuch.blob.core.windows.net",
        () => (services.length ? formatAddress(rng.pick(services).address) : "8.8.8.8"),
      ])();
      destination = { kind: "host", host };
    } else {
      const address = rng.pick<() => string>([
        () => (services.length ? formatAddress(rng.pick(services).address) : "8.8.8.8"),
        () => {
          const cfgs = nics.length ? rng.pick(nics).ipConfigs : [];
          return cfgs.length ? formatAddress(rng.pick(cfgs).privateAddress) : "10.0.1.4";
        },
        () => rng.pick(net.privateAddresses.length ? net.privateAddresses : ["10.0.1.250"]),
        () => addressInTag(rng, catalog, tagName(rng.pick(TAG_BASES), region())) ?? "20.38.1.1",
        () => `8.8.${rng.int(256)}.${rng.int(256)}`,
        () => `192.168.100.${rng.int(256)}`,
        () => `172.20.${rng.int(256)}.${rng.int(256)}`,
        () => `100.64.${rng.int(256)}.${rng.int(256)}`,
        () => rng.pick(net.publicAddresses.length ? net.publicAddresses : ["8.8.8.8"]),
        () => addressInTag6(rng, catalog, tagName(rng.pick(TAG_BASES), region())) ?? "2001:db8::1",
      ])();
      destination = { kind: "ip", address };
    }
    const port = rng.bool(0.4)
      ? undefined
      : rng.pick([443, 443, 1433, 80, 22, 3306, 5432, 1 + rng.int(65535)]);
    const protocol = rng.pick([undefined, undefined, "Tcp", "Udp"] as const);
    flows.push({
      source,
      destination,
      ...(port !== undefined ? { port } : {}),
      ...(protocol ? { protocol } : {}),
      ...(rng.bool(0.1) ? { sourcePort: rng.pick([80, 1024, 49152, 65000]) } : {}),
      ...(rng.bool(0.05) ? { purpose: "disk" as const } : {}),
    });
  }
  return flows;
}

/**
 * The network with more NICs per subnet, for the source-class property test: each NIC gets up to
 * `most` siblings in its subnet (dynamic addresses), each with its own choice of public IP, NIC
 * NSG and application security groups among the network's. Drawn from its own `Rng`, so
 * `generateNetwork` itself is unchanged.
 */
export function crowdNetwork(net: GeneratedNetwork, most = 4): GeneratedNetwork {
  const rng = new Rng(net.seed ^ 0xc0ffee);
  const byType = (t: string) => net.resources.filter((r) => r.type.toLowerCase() === t.toLowerCase());
  const nsgIds = byType("Microsoft.Network/networkSecurityGroups").map((r) => r.id);
  const asgIds = byType("Microsoft.Network/applicationSecurityGroups").map((r) => r.id);
  const out = [...net.resources];
  let n = 0;
  for (const nic of byType("Microsoft.Network/networkInterfaces")) {
    const cfg0 = (nic.properties.ipConfigurations as ArmResource[] | undefined)?.[0];
    const subnet = (cfg0?.properties?.subnet as { id?: string } | undefined)?.id;
    if (!subnet || nic.properties.enableIPForwarding) continue;
    for (let k = rng.int(most + 1); k > 0; k--) {
      const name = `crowd${n++}`;
      const id = netId("networkInterfaces", name);
      let pip: string | undefined;
      if (rng.bool(0.35)) {
        pip = netId("publicIPAddresses", `${name}-pip`);
        const address =
          rng.bool(0.8) && net.publicAddresses.length ? rng.pick(net.publicAddresses) : undefined;
        out.push({
          id: pip,
          name: `${name}-pip`,
          type: "Microsoft.Network/publicIPAddresses",
          location: nic.location,
          properties: {
            publicIPAllocationMethod: address ? "Static" : "Dynamic",
            ...(address ? { ipAddress: address } : {}),
          },
        });
      }
      const asgs = asgIds.length && rng.bool(0.3) ? rng.sample(asgIds, rng.range(1, 2)) : [];
      const nsg = rng.bool(0.5)
        ? nic.properties.networkSecurityGroup
        : nsgIds.length && rng.bool(0.3)
          ? { id: rng.pick(nsgIds) }
          : undefined;
      out.push({
        id,
        name,
        type: "Microsoft.Network/networkInterfaces",
        location: nic.location,
        properties: {
          ...(nsg ? { networkSecurityGroup: nsg } : {}),
          ipConfigurations: [
            {
              name: "ipconfig1",
              id: `${id}/ipConfigurations/ipconfig1`,
              properties: {
                subnet: { id: subnet },
                privateIPAllocationMethod: "Dynamic",
                ...(pip ? { publicIPAddress: { id: pip } } : {}),
                ...(asgs.length ? { applicationSecurityGroups: asgs.map((a) => ({ id: a })) } : {}),
              },
            },
          ],
        },
      });
    }
  }
  return { ...net, resources: out };
}
