/**
 * The benchmark estate of issue 2, generated deterministically from a seed: 1,000 VNets,
 * 10,000 subnets, 100,000 NICs, 5,000 NSGs × 50 rules, 10,000 service resources with up to
 * 200 rules each (mostly storage accounts, some SQL servers and key vaults), plus hub-and-spoke
 * peerings, VPN gateways with BGP routes, route tables with forced tunnelling to appliances,
 * service endpoints and endpoint policies. Service tags: the real weekly file from
 * ../shared/data when present, else the synthetic catalog (the caller says which).
 *
 * `scale` shrinks everything proportionally (for quick runs); 1 is the issue's size.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Prefix } from "../src/model/ip.js";
import { formatAddress, formatPrefix } from "../src/model/ip.js";
import { tagRegionSuffix } from "../src/model/catalog/regions.js";
import { ServiceTagCatalog, parseServiceTagFile } from "../src/model/catalog/service-tags.js";
import { defaultServiceTagCatalog } from "../src/model/catalog/synthetic-service-tags.js";
import type { ArmResource } from "../src/model/resources/common.js";
import type { Flow } from "../src/engine/types.js";

export const REAL_TAGS_FILE = resolve(
  import.meta.dirname,
  "../../shared/data/ServiceTags_Public_20260626.subset.json",
);

/** The real service-tag file when it is there, else the synthetic catalog. */
export function loadCatalog(): { catalog: ServiceTagCatalog; source: string } {
  if (existsSync(REAL_TAGS_FILE)) {
    const json: unknown = JSON.parse(readFileSync(REAL_TAGS_FILE, "utf8"));
    return {
      catalog: ServiceTagCatalog.fromFile(
        parseServiceTagFile(json, "ServiceTags_Public_20260626.subset.json"),
      ),
      source: "real (ServiceTags_Public_20260626.subset.json)",
    };
  }
  return { catalog: defaultServiceTagCatalog(), source: "synthetic (real file not found)" };
}

/** xorshift32: deterministic and fast enough to draw a million rules. */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  bool(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

const REGIONS = [
  "westus",
  "eastus",
  "westus2",
  "westcentralus",
  "centralus",
  "eastus2",
  "southcentralus",
  "northcentralus",
  "northeurope",
  "westeurope",
  "uksouth",
  "ukwest",
  "japaneast",
  "japanwest",
  "koreacentral",
  "koreasouth",
  "australiaeast",
  "australiasoutheast",
  "southeastasia",
  "eastasia",
] as const;

const SUB = "00000000-0000-0000-0000-0000000000be";
const rg = (i: number) => `/subscriptions/${SUB}/resourceGroups/rg${i % 50}`;
const net = (i: number, type: string, name: string) => `${rg(i)}/providers/Microsoft.Network/${type}/${name}`;

export interface Estate {
  resources: ArmResource[];
  counts: Record<string, number>;
  /** What flows may start from / go to. */
  nicIds: string[];
  vmIds: string[];
  serviceIds: string[];
  hosts: string[];
  circuitIds: string[];
  publicAddresses: string[];
}

/** Third and fourth octet of VNet i's /20 in 10/8: VNet i = 10.(i>>4).((i&15)<<4).0/20. */
function vnetBase(i: number): [number, number] {
  return [i >> 4, (i & 15) << 4];
}

export function generateEstate(seed: number, catalog: ServiceTagCatalog, scale = 1): Estate {
  const rng = new Rng(seed);
  const nVnets = Math.max(10, Math.round(1000 * scale));
  const subnetsPerVnet = 10;
  const nicsPerSubnet = 10;
  const nNsgs = Math.max(5, Math.round(5000 * scale));
  const rulesPerNsg = 50;
  const nServices = Math.max(10, Math.round(10_000 * scale));
  const out: ArmResource[] = [];
  const nicIds: string[] = [];
  const vmIds: string[] = [];
  const serviceIds: string[] = [];
  const hosts: string[] = [];
  const circuitIds: string[] = [];
  const publicAddresses: string[] = [];
  const subnetIds: string[] = [];
  const regionOf: string[] = [];
  const tag = (base: string, region: string) => `${base}.${tagRegionSuffix(region)}`;
  const tagPrefix = (name: string): Prefix | undefined => {
    const ps = catalog.get(name)?.prefixes.filter((p) => p.family === 4) ?? [];
    return ps.length ? rng.pick(ps) : undefined;
  };

  // ---- NSGs (5,000 × 50 rules, inline): a realistic mix, most rules not matching a given flow.
  const nsgIds: string[] = [];
  for (let g = 0; g < nNsgs; g++) {
    const id = net(g, "networkSecurityGroups", `nsg${g}`);
    nsgIds.push(id);
    const region = rng.pick(REGIONS);
    const rules: ArmResource[] = [];
    for (let r = 0; r < rulesPerNsg; r++) {
      const outbound = r % 2 === 0;
      const priority = 100 + (r >> 1) * 150 + rng.int(100);
      const remote = rng.pick<() => string>([
        () => `203.0.${rng.int(256)}.0/24`,
        () => `10.${rng.int(256)}.${rng.int(16) << 4}.0/20`,
        () => tag("Storage", rng.pick(REGIONS)),
        () => tag("Sql", rng.pick(REGIONS)),
        () => tag("AzureKeyVault", region),
        () => rng.pick(["Storage", "Sql", "AzureKeyVault", "AzureCloud"]),
        () => `AzureCloud.${rng.pick(REGIONS)}`,
        () => `${rng.int(200) + 20}.${rng.int(256)}.0.0/16`,
      ])();
      const port = rng.pick(["22", "3389", "8080-8090", "5000-6000", "25", "445", "1433", "443", "*"]);
      // Late rules decide the common cases: allow the region's services, deny the rest of the internet.
      const late = r >= rulesPerNsg - 4;
      rules.push({
        id: `${id}/securityRules/r${r}`,
        name: `r${r}`,
        type: "Microsoft.Network/networkSecurityGroups/securityRules",
        properties: {
          priority: late ? 4000 + r : priority,
          direction: outbound ? "Outbound" : "Inbound",
          access: late
            ? r === rulesPerNsg - 2 && rng.bool(0.3)
              ? "Deny"
              : "Allow"
            : rng.bool(0.5)
              ? "Allow"
              : "Deny",
          protocol: rng.pick(["Tcp", "Udp", "*"]),
          sourcePortRange: "*",
          destinationPortRange: late ? "*" : port,
          sourceAddressPrefix: outbound
            ? rng.bool(0.7)
              ? "*"
              : "VirtualNetwork"
            : late
              ? "VirtualNetwork"
              : remote,
          destinationAddressPrefix: outbound
            ? late
              ? rng.pick(["Storage", "Sql", "AzureKeyVault", "Internet"])
              : remote
            : "*",
        },
      });
    }
    out.push({
      id,
      name: `nsg${g}`,
      type: "Microsoft.Network/networkSecurityGroups",
      location: region,
      properties: { securityRules: rules },
    });
  }

  // ---- VNets: hub every 10th, spokes peered to their hub; subnets /24 in the VNet's /20.
  const vnetIds: string[] = [];
  for (let v = 0; v < nVnets; v++) vnetIds.push(net(v, "virtualNetworks", `vnet${v}`));
  const hubOf = (v: number) => v - (v % 10);
  for (let v = 0; v < nVnets; v++) {
    const [a, b] = vnetBase(v);
    const region = rng.pick(REGIONS);
    regionOf.push(region);
    const isHub = v % 10 === 0;
    const subnets: ArmResource[] = [];
    for (let s = 0; s < subnetsPerVnet; s++) {
      const id = `${vnetIds[v]}/subnets/s${s}`;
      subnetIds.push(id);
      const endpoints: Array<{ service: string }> = [];
      if (rng.bool(0.4)) endpoints.push({ service: "Microsoft.Storage" });
      if (rng.bool(0.2)) endpoints.push({ service: "Microsoft.Sql" });
      if (rng.bool(0.15)) endpoints.push({ service: "Microsoft.KeyVault" });
      subnets.push({
        id,
        name: `s${s}`,
        type: "Microsoft.Network/virtualNetworks/subnets",
        properties: {
          addressPrefix: `10.${a}.${b + s}.0/24`,
          networkSecurityGroup: { id: nsgIds[(v * subnetsPerVnet + s) % nsgIds.length]! },
          ...(endpoints.length ? { serviceEndpoints: endpoints } : {}),
          ...(!isHub && rng.bool(0.3)
            ? { routeTable: { id: net(hubOf(v), "routeTables", `rt${hubOf(v)}`) } }
            : {}),
        },
      });
    }
    if (isHub) {
      subnets.push({
        id: `${vnetIds[v]}/subnets/GatewaySubnet`,
        name: "GatewaySubnet",
        type: "Microsoft.Network/virtualNetworks/subnets",
        properties: { addressPrefix: `10.${a}.${b + 15}.0/27` },
      });
    }
    const peerings: ArmResource[] = [];
    const peer = (to: number, extra: Record<string, unknown>) =>
      peerings.push({
        id: `${vnetIds[v]}/virtualNetworkPeerings/to-vnet${to}`,
        name: `to-vnet${to}`,
        type: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        properties: {
          remoteVirtualNetwork: { id: vnetIds[to]! },
          allowVirtualNetworkAccess: true,
          allowForwardedTraffic: true,
          peeringState: "Connected",
          ...extra,
        },
      });
    if (isHub)
      for (let sp = v + 1; sp < Math.min(v + 10, nVnets); sp++) peer(sp, { allowGatewayTransit: true });
    else peer(hubOf(v), { useRemoteGateways: true });
    out.push({
      id: vnetIds[v]!,
      name: `vnet${v}`,
      type: "Microsoft.Network/virtualNetworks",
      location: region,
      properties: {
        addressSpace: { addressPrefixes: [`10.${a}.${b}.0/20`] },
        subnets,
        virtualNetworkPeerings: peerings,
      },
    });
    if (isHub) {
      // VPN gateway learning on-premises prefixes (some hubs force-tunnel 0.0.0.0/0), a circuit with public peering NAT.
      const gw = net(v, "virtualNetworkGateways", `gw${v}`);
      const lgw = net(v, "localNetworkGateways", `onprem${v}`);
      const ckt = net(v, "expressRouteCircuits", `er${v}`);
      circuitIds.push(ckt);
      const edge = `203.0.113.${v % 250}`;
      const nat = [`198.51.100.${(v * 2) % 250}`, `198.51.100.${(v * 2 + 1) % 250}`];
      publicAddresses.push(edge, ...nat);
      out.push(
        {
          id: gw,
          name: `gw${v}`,
          type: "Microsoft.Network/virtualNetworkGateways",
          location: region,
          properties: {
            gatewayType: "Vpn",
            ipConfigurations: [
              {
                name: "c",
                properties: {
                  subnet: { id: `${vnetIds[v]}/subnets/GatewaySubnet` },
                  privateIPAddress: `10.${a}.${b + 15}.4`,
                },
              },
            ],
          },
        },
        {
          id: lgw,
          name: `onprem${v}`,
          type: "Microsoft.Network/localNetworkGateways",
          location: region,
          properties: {
            gatewayIpAddress: edge,
            localNetworkAddressSpace: {
              addressPrefixes: [
                `192.168.${v % 250}.0/24`,
                `172.${16 + (v % 16)}.0.0/16`,
                ...(rng.bool(0.2) ? ["0.0.0.0/0"] : []),
              ],
            },
          },
        },
        {
          id: net(v, "connections", `vpn${v}`),
          name: `vpn${v}`,
          type: "Microsoft.Network/connections",
          location: region,
          properties: {
            connectionType: "IPsec",
            virtualNetworkGateway1: { id: gw },
            localNetworkGateway2: { id: lgw },
          },
        },
        {
          id: ckt,
          name: `er${v}`,
          type: "Microsoft.Network/expressRouteCircuits",
          location: region,
          properties: {
            peerings: [
              {
                id: `${ckt}/peerings/AzurePublicPeering`,
                name: "AzurePublicPeering",
                type: "Microsoft.Network/expressRouteCircuits/peerings",
                properties: { peeringType: "AzurePublicPeering", state: "Enabled", natAddresses: nat },
              },
            ],
          },
        },
      );
      // Spokes' route table: forced tunnelling to the hub's appliance, a few specific routes.
      const appliance = `10.${a}.${b}.250`;
      const routes: ArmResource[] = [
        {
          id: `${net(v, "routeTables", `rt${v}`)}/routes/default`,
          name: "default",
          type: "Microsoft.Network/routeTables/routes",
          properties: {
            addressPrefix: "0.0.0.0/0",
            nextHopType: "VirtualAppliance",
            nextHopIpAddress: appliance,
          },
        },
      ];
      for (let r = 0; r < 6; r++) {
        const p = tagPrefix(tag(rng.pick(["Storage", "Sql"]), region));
        routes.push({
          id: `${net(v, "routeTables", `rt${v}`)}/routes/r${r}`,
          name: `r${r}`,
          type: "Microsoft.Network/routeTables/routes",
          properties:
            r % 2 === 0 && p
              ? {
                  addressPrefix: formatPrefix(p),
                  nextHopType: "VirtualAppliance",
                  nextHopIpAddress: appliance,
                }
              : { addressPrefix: `192.168.${(v + r) % 250}.0/24`, nextHopType: "VirtualNetworkGateway" },
        });
      }
      out.push({
        id: net(v, "routeTables", `rt${v}`),
        name: `rt${v}`,
        type: "Microsoft.Network/routeTables",
        location: region,
        properties: { disableBgpRoutePropagation: false, routes },
      });
      // The appliance NIC in the hub's first subnet.
      out.push({
        id: net(v, "networkInterfaces", `nva${v}`),
        name: `nva${v}`,
        type: "Microsoft.Network/networkInterfaces",
        location: region,
        properties: {
          enableIPForwarding: true,
          ipConfigurations: [
            {
              name: "ipconfig1",
              properties: {
                subnet: { id: `${vnetIds[v]}/subnets/s0` },
                privateIPAllocationMethod: "Static",
                privateIPAddress: appliance,
                publicIPAddress: { id: net(v, "publicIPAddresses", `nvapip${v}`) },
              },
            },
          ],
        },
      });
      const nvaPip = `52.${160 + (v % 40)}.${(v >> 4) % 256}.${10 + (v % 200)}`;
      publicAddresses.push(nvaPip);
      out.push({
        id: net(v, "publicIPAddresses", `nvapip${v}`),
        name: `nvapip${v}`,
        type: "Microsoft.Network/publicIPAddresses",
        location: region,
        properties: { publicIPAllocationMethod: "Static", ipAddress: nvaPip },
      });
    }
  }

  // ---- NICs (10 per subnet, static addresses), some with public IPs, every other one a VM's.
  let pipN = 0;
  for (let i = 0; i < subnetIds.length; i++) {
    const v = Math.floor(i / subnetsPerVnet);
    const s = i % subnetsPerVnet;
    const [a, b] = vnetBase(v);
    for (let n = 0; n < nicsPerSubnet; n++) {
      const name = `nic${i * nicsPerSubnet + n}`;
      const id = net(v, "networkInterfaces", name);
      nicIds.push(id);
      let pipRef: Record<string, unknown> = {};
      if (rng.bool(0.2)) {
        const pid = net(v, "publicIPAddresses", `pip${pipN}`);
        const address = `40.${64 + ((pipN >> 16) % 64)}.${(pipN >> 8) % 256}.${pipN % 256}`;
        pipN++;
        publicAddresses.push(address);
        out.push({
          id: pid,
          name: pid.split("/").pop()!,
          type: "Microsoft.Network/publicIPAddresses",
          location: regionOf[v]!,
          properties: { publicIPAllocationMethod: "Static", ipAddress: address },
        });
        pipRef = { publicIPAddress: { id: pid } };
      }
      out.push({
        id,
        name,
        type: "Microsoft.Network/networkInterfaces",
        location: regionOf[v]!,
        properties: {
          ...(rng.bool(0.1) ? { networkSecurityGroup: { id: rng.pick(nsgIds) } } : {}),
          ipConfigurations: [
            {
              name: "ipconfig1",
              properties: {
                subnet: { id: subnetIds[i]! },
                privateIPAllocationMethod: "Static",
                privateIPAddress: `10.${a}.${b + s}.${4 + n}`,
                ...pipRef,
              },
            },
          ],
        },
      });
      if (n % 2 === 0) {
        const vmId = `${rg(v)}/providers/Microsoft.Compute/virtualMachines/vm${i * nicsPerSubnet + n}`;
        vmIds.push(vmId);
        out.push({
          id: vmId,
          name: vmId.split("/").pop()!,
          type: "Microsoft.Compute/virtualMachines",
          location: regionOf[v]!,
          properties: { networkProfile: { networkInterfaces: [{ id }] } },
        });
      }
    }
  }

  // ---- Service resources: 70% storage accounts, 20% SQL servers, 10% key vaults; up to 200 rules each.
  const randomSubnet = () => (rng.bool(0.97) ? rng.pick(subnetIds) : `${rng.pick(vnetIds)}/subnets/deleted`);
  const randomIp = () =>
    rng.bool(0.3) && publicAddresses.length
      ? rng.pick(publicAddresses)
      : `${20 + rng.int(180)}.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(250)}`;
  let storageCount = 0;
  let sqlCount = 0;
  let kvCount = 0;
  let ruleCount = 0;
  for (let k = 0; k < nServices; k++) {
    const region = rng.pick(REGIONS);
    const group = rg(k);
    const nRules = rng.int(201);
    const nVnet = Math.floor(nRules * rng.next());
    const nIp = nRules - nVnet;
    ruleCount += nRules;
    const what = rng.next();
    if (what < 0.7) {
      storageCount++;
      const name = `sa${k}`;
      const id = `${group}/providers/Microsoft.Storage/storageAccounts/${name}`;
      serviceIds.push(id);
      hosts.push(`${name}.blob.core.windows.net`);
      out.push({
        id,
        name,
        type: "Microsoft.Storage/storageAccounts",
        location: region,
        sku: { name: rng.pick(["Standard_LRS", "Standard_GRS", "Standard_RAGRS"]) },
        kind: "StorageV2",
        properties: {
          networkAcls: {
            defaultAction: rng.bool(0.85) ? "Deny" : "Allow",
            bypass: rng.pick(["AzureServices", "None", "Logging, Metrics"]),
            virtualNetworkRules: Array.from({ length: nVnet }, () => ({
              id: randomSubnet(),
              action: "Allow",
              ...(rng.bool(0.05) ? { state: "networkSourceDeleted" } : {}),
            })),
            ipRules: Array.from({ length: nIp }, () => ({ value: randomIp(), action: "Allow" })),
          },
        },
      });
    } else if (what < 0.9) {
      sqlCount++;
      const name = `sql${k}`;
      const id = `${group}/providers/Microsoft.Sql/servers/${name}`;
      serviceIds.push(id);
      hosts.push(`${name}.database.windows.net`);
      out.push({
        id,
        name,
        type: "Microsoft.Sql/servers",
        location: region,
        properties: { version: "12.0" },
      });
      for (let r = 0; r < Math.min(nVnet, 128); r++) {
        out.push({
          id: `${id}/virtualNetworkRules/v${r}`,
          name: `v${r}`,
          type: "Microsoft.Sql/servers/virtualNetworkRules",
          properties: { virtualNetworkSubnetId: randomSubnet(), ignoreMissingVnetServiceEndpoint: false },
        });
      }
      for (let r = 0; r < Math.min(nIp, 128); r++) {
        const ip = r === 0 && rng.bool(0.3) ? "0.0.0.0" : randomIp();
        out.push({
          id: `${id}/firewallRules/f${r}`,
          name: ip === "0.0.0.0" ? "AllowAllWindowsAzureIps" : `f${r}`,
          type: "Microsoft.Sql/servers/firewallRules",
          properties: { startIpAddress: ip, endIpAddress: ip },
        });
      }
    } else {
      kvCount++;
      const name = `kv${k}`;
      const id = `${group}/providers/Microsoft.KeyVault/vaults/${name}`;
      serviceIds.push(id);
      hosts.push(`${name}.vault.azure.net`);
      out.push({
        id,
        name,
        type: "Microsoft.KeyVault/vaults",
        location: region,
        properties: {
          tenantId: "00000000-0000-0000-0000-0000000000f0",
          sku: { family: "A", name: "standard" },
          networkAcls: {
            defaultAction: rng.bool(0.8) ? "Deny" : "Allow",
            bypass: rng.pick(["AzureServices", "None"]),
            virtualNetworkRules: Array.from({ length: Math.min(nVnet, 127) }, () => ({ id: randomSubnet() })),
            ipRules: Array.from({ length: Math.min(nIp, 127) }, () => ({ value: `${randomIp()}/32` })),
          },
        },
      });
    }
  }

  // ---- Endpoint policies on a few subnets with Storage endpoints.
  const storageIds = serviceIds.filter((id) => id.includes("/storageAccounts/"));
  for (let p = 0; p < Math.max(1, Math.round(50 * scale)); p++) {
    const id = net(p, "serviceEndpointPolicies", `sep${p}`);
    out.push({
      id,
      name: `sep${p}`,
      type: "Microsoft.Network/serviceEndpointPolicies",
      location: rng.pick(REGIONS),
      properties: {
        serviceEndpointPolicyDefinitions: [
          {
            id: `${id}/serviceEndpointPolicyDefinitions/d`,
            name: "d",
            properties: { service: "Microsoft.Storage", serviceResources: [rng.pick(storageIds), rg(p)] },
          },
        ],
      },
    });
  }

  return {
    resources: out,
    counts: {
      vnets: nVnets,
      subnets: subnetIds.length,
      nics: nicIds.length,
      nsgs: nNsgs,
      nsgRules: nNsgs * rulesPerNsg,
      services: serviceIds.length,
      storageAccounts: storageCount,
      sqlServers: sqlCount,
      keyVaults: kvCount,
      serviceRules: ruleCount,
      resources: out.length,
    },
    nicIds,
    vmIds,
    serviceIds,
    hosts,
    circuitIds,
    publicAddresses,
  };
}

/** Random flows over the estate: mostly VMs/NICs to service resources, some to hosts and IPs, some from outside. */
export function estateFlows(seed: number, estate: Estate, count: number): Flow[] {
  const rng = new Rng(seed ^ 0xf10f);
  const flows: Flow[] = [];
  for (let i = 0; i < count; i++) {
    const r = rng.next();
    const source: Flow["source"] =
      r < 0.55
        ? { kind: "nic", nicId: rng.pick(estate.nicIds) }
        : r < 0.9
          ? { kind: "vm", vmId: rng.pick(estate.vmIds) }
          : r < 0.95
            ? { kind: "internet", address: rng.pick(estate.publicAddresses) }
            : {
                kind: "onprem",
                address: `192.168.${rng.int(250)}.${1 + rng.int(250)}`,
                via: rng.pick(estate.circuitIds),
              };
    const d = rng.next();
    const destination: Flow["destination"] =
      d < 0.8
        ? { kind: "resource", resourceId: rng.pick(estate.serviceIds) }
        : d < 0.9
          ? { kind: "host", host: rng.pick(estate.hosts) }
          : {
              kind: "ip",
              address: rng.bool(0.5)
                ? formatAddress({ family: 4, value: (0x08080000 + rng.int(65536)) >>> 0 })
                : `10.${rng.int(62)}.${rng.int(256)}.${4 + rng.int(10)}`,
            };
    flows.push({ source, destination, ...(rng.bool(0.2) ? { port: rng.pick([443, 1433, 80, 22]) } : {}) });
  }
  return flows;
}
