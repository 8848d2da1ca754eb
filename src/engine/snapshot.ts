/**
 * An immutable, indexed view of a set of ARM resources: what the engine decides on.
 * Built once from resources as Azure returns them (child resources inline or as separate
 * entries), then queried many times. Derived data (effective route sets, compiled NSGs,
 * endpoint prefix sets) is computed lazily and memoized inside the snapshot: no I/O, no clock.
 */
import type { Address, Prefix } from "../model/ip.js";
import {
  formatAddress,
  parsePrefixLoose,
  tryParseAddress,
  allocateAddress,
  addressKey,
  prefixContainsAddress,
} from "../model/ip.js";
import { idKey, tryParseResourceId, nameOfId } from "../model/resource-id.js";
import type { ArmResource } from "../model/resources/common.js";
import { idsOf, objectsOf, stringsOf } from "../model/resources/common.js";
import type { Subnet, VirtualNetwork, ServiceEndpointFormat } from "../model/resources/virtual-network.js";
import { fillEndpointLocations, subnetPrefixes } from "../model/resources/virtual-network.js";
import type { NetworkSecurityGroup, SecurityRule } from "../model/resources/network-security-group.js";
import { defaultSecurityRules } from "../model/resources/network-security-group.js";
import type { RouteTable, Route } from "../model/resources/route-table.js";
import type { NetworkInterface, PublicIpAddress } from "../model/resources/network-interface.js";
import type { VirtualMachine } from "../model/resources/virtual-machine.js";
import type {
  ServiceEndpointPolicy,
  ServiceEndpointPolicyDefinition,
} from "../model/resources/service-endpoint-policy.js";
import type {
  Connection,
  ExpressRouteCircuit,
  LocalNetworkGateway,
  VirtualNetworkGateway,
} from "../model/resources/gateway.js";
import type { ServiceTagCatalog } from "../model/catalog/service-tags.js";
import { findEndpointService } from "../model/catalog/endpoint-services.js";
import { normalizeRegion } from "../model/catalog/regions.js";
import { serviceKindOf, type ServiceKind } from "../model/catalog/service-kinds.js";
import { textOf } from "../model/errors.js";

/**
 * Engine-internal memo slots on the snapshot's info objects (filled on first use by
 * evaluate / routes; the objects themselves never change). Not part of the model: read them
 * only through the engine's functions (`subnetRoutes`, …).
 */
export interface SubnetMemo {
  routes?: unknown;
  /** The subnet's NSG compiled against its VNet (null: none, or not found). */
  nsg?: unknown;
  /** Endpoints by lower-cased service name. */
  endpoints?: Map<string, { service: string; locations: string[]; provisioningState?: string }>;
}
export interface VnetMemo {
  peers?: unknown;
  /** Keys of this VNet and its connected peers. */
  reachableKeys?: ReadonlySet<string>;
  /** NSGs compiled against this VNet's context, by NSG key. */
  readonly nsgs: Map<string, unknown>;
}
export interface IpConfigMemo {
  privateText?: string;
  /** The NIC's NSG compiled against this configuration's VNet (null: none). */
  nicNsg?: unknown;
  /** The public address the configuration leaves Azure with (SE-SRC-1). */
  egress?: { address: Address; text: string; how: string };
}
export interface VmMemo {
  /** The NIC a flow from the VM starts at: the first of `nicIds` the snapshot knows (null: none). */
  nic?: NicInfo | null;
  /** That NIC with its default configuration (set once both are known). */
  pick?: { nic: NicInfo; cfg: IpConfigInfo };
}

export interface VmInfo {
  readonly id: string;
  readonly resource: VirtualMachine;
  /** NIC ids, the primary first. */
  readonly nicIds: string[];
  readonly location: string;
  /** Engine-internal memo (see VmMemo). */
  readonly memo: VmMemo;
}

export interface ServiceMemo {
  /** The compiled firewall (null: the type has none). */
  firewall?: unknown;
  /** Does a subnet carry this resource's endpoint service? */
  endpointCheck?: (subnetId: string) => boolean;
  /** The endpoint service covering the resource (null: none). */
  endpointService?: unknown;
}

export interface SubnetInfo {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly resource: Subnet;
  readonly vnet: VnetInfo;
  readonly prefixes: Prefix[];
  readonly nsgId?: string;
  readonly routeTableId?: string;
  /** Endpoints with `locations` filled as Azure fills them (SE-CFG-4). */
  readonly endpoints: Array<{ service: string; locations: string[]; provisioningState?: string }>;
  readonly policyIds: string[];
  readonly provisioningState: string;
  /** Engine-internal memo (see SubnetMemo). */
  readonly memo: SubnetMemo;
}

export interface VnetInfo {
  readonly id: string;
  readonly key: string;
  /** The VNet's name (its id's last segment when the resource's own is unreadable). */
  readonly name: string;
  readonly resource: VirtualNetwork;
  readonly location: string;
  readonly addressPrefixes: Prefix[];
  readonly addressPrefixTexts: string[];
  readonly subnets: SubnetInfo[];
  readonly classic: boolean;
  /** Engine-internal memo (see VnetMemo). */
  readonly memo: VnetMemo;
}

export interface IpConfigInfo {
  readonly name: string;
  readonly id: string;
  readonly subnetId: string;
  readonly privateAddress: Address;
  readonly publicIpId?: string;
  readonly primary: boolean;
  readonly asgs: ReadonlySet<string>;
  /** The subnet `subnetId` names, resolved when the snapshot was built (absent: not found). */
  readonly subnet?: SubnetInfo;
  /** Engine-internal memo (see IpConfigMemo). */
  readonly memo: IpConfigMemo;
}

export interface NicInfo {
  readonly id: string;
  readonly key: string;
  readonly resource: NetworkInterface;
  readonly location: string;
  readonly vmId?: string;
  readonly nsgId?: string;
  readonly ipConfigs: IpConfigInfo[];
  /** The configuration a flow starts at when none is named: the primary one, else the first. */
  readonly primaryConfig?: IpConfigInfo;
  readonly enableIPForwarding: boolean;
}

export interface ServiceResourceInfo {
  readonly id: string;
  readonly key: string;
  /** The resource's name (its id's last segment when the resource's own is unreadable). */
  readonly name: string;
  readonly resource: ArmResource;
  readonly kind: ServiceKind;
  readonly location: string;
  /** Endpoint service this resource is reached through (`Microsoft.Storage`, …). */
  readonly service: string;
  readonly hosts: Array<{ endpoint: string; host: string }>;
  readonly address: Address;
  /** `address` as text. */
  readonly addressText: string;
  readonly children: ArmResource[];
  /** Engine-internal memo (see ServiceMemo). */
  readonly memo: ServiceMemo;
}

const serviceKeys = new Map<string, string>();

/** The key of an endpoint service name in `endpointsOf` (lower-cased once per name, not per decision). */
export function serviceKey(name: string): string {
  let k = serviceKeys.get(name);
  if (k === undefined) {
    k = name.toLowerCase();
    serviceKeys.set(name, k);
  }
  return k;
}

/** A subnet's endpoints by lower-cased service name (first one wins, as `find` would). */
export function endpointsOf(subnet: SubnetInfo): ReadonlyMap<string, SubnetInfo["endpoints"][number]> {
  let m = subnet.memo.endpoints;
  if (m === undefined) {
    m = new Map();
    for (const e of subnet.endpoints) {
      const k = e.service.toLowerCase();
      if (!m.has(k)) m.set(k, e);
    }
    subnet.memo.endpoints = m;
  }
  return m;
}

/** A resource's name: its own when readable, else its id's last segment. */
function nameOf(r: { id: string; name?: unknown }): string {
  return typeof r.name === "string" && r.name !== "" ? r.name : nameOfId(r.id);
}

function lower(s: unknown): string {
  return typeof s === "string" ? s.toLowerCase() : "";
}

function resourceType(r: { type?: unknown }): string {
  return lower(r.type);
}

export interface SnapshotOptions {
  serviceTags: ServiceTagCatalog;
}

/**
 * Flattens resources: inline children (subnets, security rules, routes, policy definitions,
 * circuit peerings) and separate child entries are merged, separate entries winning.
 */
function index(resources: readonly ArmResource[]): Map<string, ArmResource> {
  const byId = new Map<string, ArmResource>();
  const put = (r: ArmResource) => {
    if (!r || typeof r.id !== "string") return;
    byId.set(idKey(r.id), r);
  };
  for (const r of resources) {
    if (!r || typeof r !== "object" || typeof r.id !== "string") continue;
    put(r);
  }
  return byId;
}

export class Snapshot {
  readonly catalog: ServiceTagCatalog;
  private readonly byId: Map<string, ArmResource>;
  readonly vnets = new Map<string, VnetInfo>();
  readonly subnets = new Map<string, SubnetInfo>();
  readonly nics = new Map<string, NicInfo>();
  readonly vms = new Map<string, VmInfo>();
  readonly publicIps = new Map<string, { id: string; resource: PublicIpAddress; address?: Address }>();
  readonly nsgs = new Map<string, NetworkSecurityGroup>();
  readonly routeTables = new Map<string, RouteTable>();
  readonly policies = new Map<string, ServiceEndpointPolicy>();
  readonly localGateways = new Map<string, LocalNetworkGateway>();
  readonly vnetGateways = new Map<string, VirtualNetworkGateway>();
  readonly connections = new Map<string, Connection>();
  readonly circuits = new Map<string, ExpressRouteCircuit>();
  readonly services = new Map<string, ServiceResourceInfo>();
  /** Peerings per VNet key. */
  readonly peerings = new Map<string, ArmResource[]>();
  private readonly hostIndex = new Map<string, { resourceKey: string; endpoint: string }>();
  private readonly serviceAddressIndex = new Map<string, string>();
  private readonly privateIndex = new Map<
    string,
    Array<{ nicKey: string; ipConfig: string; vnetKey: string }>
  >();
  /** Memo for derived, pure data (route sets, compiled NSGs, prefix sets). */
  readonly memo = new Map<string, unknown>();

  constructor(resources: readonly ArmResource[], opts: SnapshotOptions) {
    this.catalog = opts.serviceTags;
    this.byId = index(resources);
    this.build();
  }

  /** Every resource as given (after merging), by id. */
  resource(id: string): ArmResource | undefined {
    return this.byId.get(idKey(id));
  }

  allResources(): ArmResource[] {
    return [...this.byId.values()];
  }

  private build(): void {
    // Group separate child entries under their parents once.
    const children = new Map<string, ArmResource[]>();
    for (const [k, r] of this.byId) {
      const id = tryParseResourceId(r.id);
      if (!id || id.types.length < 2) continue;
      const parentKey = k.slice(0, k.lastIndexOf("/", k.lastIndexOf("/") - 1));
      const list = children.get(parentKey) ?? [];
      list.push(r);
      children.set(parentKey, list);
    }
    const childOfType = (parentKey: string, type: string): ArmResource[] =>
      (children.get(parentKey) ?? []).filter((c) => resourceType(c) === type.toLowerCase());
    const mergeChildren = <T extends { id?: string; name?: string }>(
      inline: T[] | undefined,
      separate: ArmResource[],
    ): T[] => {
      const out = new Map<string, T>();
      for (const c of objectsOf(inline)) out.set(lower(c.id ?? c.name), c);
      for (const c of separate) {
        const byName = [...out.entries()].find(([, v]) => lower(v.name) === lower(c.name));
        if (byName) out.delete(byName[0]);
        out.set(lower(c.id), c as unknown as T);
      }
      return [...out.values()];
    };

    for (const [k, r] of this.byId) {
      const t = resourceType(r);
      switch (t) {
        case "microsoft.network/networksecuritygroups": {
          const nsg = r as NetworkSecurityGroup;
          const rules = mergeChildren<SecurityRule>(
            nsg.properties?.securityRules,
            childOfType(k, "Microsoft.Network/networkSecurityGroups/securityRules"),
          );
          const defaults = objectsOf(nsg.properties?.defaultSecurityRules);
          this.nsgs.set(k, {
            ...nsg,
            properties: {
              ...nsg.properties,
              securityRules: rules,
              defaultSecurityRules: defaults.length > 0 ? defaults : defaultSecurityRules(nsg.id),
            },
          });
          break;
        }
        case "microsoft.network/routetables": {
          const rt = r as RouteTable;
          const routes = mergeChildren<Route>(
            rt.properties?.routes,
            childOfType(k, "Microsoft.Network/routeTables/routes"),
          );
          this.routeTables.set(k, { ...rt, properties: { ...rt.properties, routes } });
          break;
        }
        case "microsoft.network/serviceendpointpolicies": {
          const p = r as ServiceEndpointPolicy;
          const defs = mergeChildren<ServiceEndpointPolicyDefinition>(
            p.properties?.serviceEndpointPolicyDefinitions,
            childOfType(k, "Microsoft.Network/serviceEndpointPolicies/serviceEndpointPolicyDefinitions"),
          );
          this.policies.set(k, {
            ...p,
            properties: { ...p.properties, serviceEndpointPolicyDefinitions: defs },
          });
          break;
        }
        case "microsoft.network/localnetworkgateways":
          this.localGateways.set(k, r as LocalNetworkGateway);
          break;
        case "microsoft.network/virtualnetworkgateways":
          this.vnetGateways.set(k, r as VirtualNetworkGateway);
          break;
        case "microsoft.network/connections":
          this.connections.set(k, r as Connection);
          break;
        case "microsoft.network/expressroutecircuits": {
          const c = r as ExpressRouteCircuit;
          const peerings = mergeChildren(
            c.properties?.peerings,
            childOfType(k, "Microsoft.Network/expressRouteCircuits/peerings"),
          );
          this.circuits.set(k, { ...c, properties: { ...c.properties, peerings } } as ExpressRouteCircuit);
          break;
        }
        default:
          break;
      }
    }

    // Virtual networks and subnets (classic VNets are kept only to be refused: SE-RES-5).
    for (const [k, r] of this.byId) {
      const t = resourceType(r);
      if (t !== "microsoft.network/virtualnetworks" && t !== "microsoft.classicnetwork/virtualnetworks")
        continue;
      const vnet = r as VirtualNetwork;
      const location = normalizeRegion(textOf(vnet.location ?? "")) ?? lower(vnet.location);
      const texts = stringsOf(vnet.properties?.addressSpace?.addressPrefixes);
      const info: VnetInfo = {
        id: vnet.id,
        key: k,
        name: nameOf(vnet),
        resource: vnet,
        location,
        addressPrefixTexts: texts,
        addressPrefixes: texts.map((p) => parsePrefixLoose(p)).filter((p): p is Prefix => p !== undefined),
        subnets: [],
        classic: t === "microsoft.classicnetwork/virtualnetworks",
        memo: { nsgs: new Map() },
      };
      this.vnets.set(k, info);
      const subnets = mergeChildren<Subnet>(
        vnet.properties?.subnets,
        childOfType(k, "Microsoft.Network/virtualNetworks/subnets"),
      );
      for (const s of subnets) {
        const sid =
          typeof s.id === "string" && s.id !== "" ? s.id : `${vnet.id}/subnets/${textOf(s.name ?? "")}`;
        const sk = idKey(sid);
        const props = s.properties ?? {};
        const endpoints = fillEndpointLocations(
          objectsOf(props.serviceEndpoints as ServiceEndpointFormat[] | undefined),
          location,
          findEndpointService,
          normalizeRegion,
        );
        const subnet: SubnetInfo = {
          id: sid,
          key: sk,
          name: typeof s.name === "string" && s.name !== "" ? s.name : nameOfId(sid),
          resource: { ...s, id: sid },
          vnet: info,
          prefixes: subnetPrefixes(s)
            .map((p) => parsePrefixLoose(p))
            .filter((p): p is Prefix => p !== undefined),
          endpoints,
          policyIds: objectsOf(props.serviceEndpointPolicies as Array<{ id: string }> | undefined)
            .map((p) => p?.id)
            .filter((x): x is string => typeof x === "string"),
          provisioningState:
            typeof props.provisioningState === "string" ? props.provisioningState : "Succeeded",
          ...(props.networkSecurityGroup?.id ? { nsgId: props.networkSecurityGroup.id } : {}),
          ...(props.routeTable?.id ? { routeTableId: props.routeTable.id } : {}),
          memo: {},
        };
        info.subnets.push(subnet);
        this.subnets.set(sk, subnet);
      }
      const peerings = mergeChildren<ArmResource>(
        objectsOf(vnet.properties?.virtualNetworkPeerings as ArmResource[] | undefined),
        childOfType(k, "Microsoft.Network/virtualNetworks/virtualNetworkPeerings"),
      );
      this.peerings.set(k, peerings);
    }

    // Public IPs (addresses drawn from AzureCloud.<region> when Azure would have assigned one).
    for (const [k, r] of this.byId) {
      if (resourceType(r) !== "microsoft.network/publicipaddresses") continue;
      const pip = r as PublicIpAddress;
      let address =
        typeof pip.properties?.ipAddress === "string" ? tryParseAddress(pip.properties.ipAddress) : undefined;
      if (!address) address = this.azureAddress(textOf(pip.location ?? ""), pip.id);
      this.publicIps.set(k, { id: pip.id, resource: pip, ...(address ? { address } : {}) });
    }

    // NICs, with dynamic private addresses allocated in input order.
    const used = new Map<string, Set<string>>();
    const usedIn = (subnetKey: string) => {
      let s = used.get(subnetKey);
      if (!s) used.set(subnetKey, (s = new Set()));
      return s;
    };
    const nicList: Array<[string, NetworkInterface]> = [];
    for (const [k, r] of this.byId) {
      if (resourceType(r) === "microsoft.network/networkinterfaces") nicList.push([k, r as NetworkInterface]);
    }
    for (const [, nic] of nicList) {
      for (const c of objectsOf(nic.properties?.ipConfigurations)) {
        const a =
          typeof c?.properties?.privateIPAddress === "string"
            ? tryParseAddress(c.properties.privateIPAddress)
            : undefined;
        if (a && c.properties.subnet?.id) usedIn(idKey(c.properties.subnet.id)).add(addressKey(a));
      }
    }
    for (const [k, nic] of nicList) {
      const ipConfigs: IpConfigInfo[] = [];
      const cfgs = objectsOf(nic.properties?.ipConfigurations);
      cfgs.forEach((c, i) => {
        const subnetId = c?.properties?.subnet?.id;
        if (typeof subnetId !== "string") return;
        const sk = idKey(subnetId);
        let a =
          typeof c.properties.privateIPAddress === "string"
            ? tryParseAddress(c.properties.privateIPAddress)
            : undefined;
        if (!a) {
          const subnet = this.subnets.get(sk);
          const p = subnet?.prefixes[0];
          if (p) {
            a = allocateAddress(p, usedIn(sk));
            if (a) usedIn(sk).add(addressKey(a));
          }
        }
        if (!a) return;
        const cfgName = typeof c.name === "string" ? c.name : typeof c.id === "string" ? nameOfId(c.id) : "";
        const cfgId = typeof c.id === "string" ? c.id : `${nic.id}/ipConfigurations/${cfgName}`;
        const cfgSubnet = this.subnets.get(sk);
        ipConfigs.push({
          name: cfgName,
          id: cfgId,
          subnetId,
          privateAddress: a,
          primary:
            c.properties.primary === true || (cfgs.every((x) => x.properties?.primary !== true) && i === 0),
          asgs: new Set(idsOf(c.properties.applicationSecurityGroups).map(idKey)),
          ...(c.properties.publicIPAddress?.id ? { publicIpId: c.properties.publicIPAddress.id } : {}),
          ...(cfgSubnet ? { subnet: cfgSubnet } : {}),
          memo: {},
        });
        const subnet = this.subnets.get(sk);
        if (subnet) {
          const pk = addressKey(a);
          const list = this.privateIndex.get(pk) ?? [];
          list.push({ nicKey: k, ipConfig: cfgName, vnetKey: subnet.vnet.key });
          this.privateIndex.set(pk, list);
        }
      });
      const loc = normalizeRegion(textOf(nic.location ?? "")) ?? lower(nic.location);
      this.nics.set(k, {
        id: nic.id,
        key: k,
        resource: nic,
        location:
          loc || (ipConfigs[0] ? (this.subnets.get(idKey(ipConfigs[0].subnetId))?.vnet.location ?? "") : ""),
        ipConfigs,
        ...(ipConfigs.length > 0 ? { primaryConfig: ipConfigs.find((c) => c.primary) ?? ipConfigs[0]! } : {}),
        enableIPForwarding: nic.properties?.enableIPForwarding === true,
        ...(nic.properties?.networkSecurityGroup?.id
          ? { nsgId: nic.properties.networkSecurityGroup.id }
          : {}),
        ...(nic.properties?.virtualMachine?.id ? { vmId: nic.properties.virtualMachine.id } : {}),
      });
    }

    // VMs: NIC references (and back-fill the NIC's VM when the NIC does not say).
    for (const [k, r] of this.byId) {
      if (resourceType(r) !== "microsoft.compute/virtualmachines") continue;
      const vm = r as VirtualMachine;
      const refs = objectsOf(vm.properties?.networkProfile?.networkInterfaces);
      const primary = refs.find((n) => n.properties?.primary === true) ?? refs[0];
      const nicIds = [primary, ...refs.filter((n) => n !== primary)]
        .filter((n): n is NonNullable<typeof n> => !!n && typeof n.id === "string")
        .map((n) => n.id);
      this.vms.set(k, { id: vm.id, resource: vm, nicIds, location: lower(vm.location), memo: {} });
      for (const nicId of nicIds) {
        const nic = this.nics.get(idKey(nicId));
        if (nic && !nic.vmId) this.nics.set(nic.key, { ...nic, vmId: vm.id });
      }
    }

    // Service resources.
    for (const [k, r] of this.byId) {
      const kind = serviceKindOf(textOf(r.type ?? ""));
      if (!kind) continue;
      const location = normalizeRegion(textOf(r.location ?? "")) ?? lower(r.location);
      const hosts = kind.hostNames(r);
      const address = this.serviceAddress(kind, location, r.id);
      const info: ServiceResourceInfo = {
        id: r.id,
        key: k,
        name: nameOf(r),
        resource: r,
        kind,
        location,
        service: kind.service,
        hosts,
        address,
        addressText: formatAddress(address),
        children: [...(children.get(k) ?? [])].flatMap((c) => [c, ...(children.get(idKey(c.id)) ?? [])]),
        memo: {},
      };
      this.services.set(k, info);
      for (const h of hosts)
        this.hostIndex.set(h.host.toLowerCase(), { resourceKey: k, endpoint: h.endpoint });
      this.serviceAddressIndex.set(addressKey(address), k);
    }
  }

  /** A deterministic public address of Azure's in a region (AzureCloud.<region>). */
  azureAddress(region: string, seed: string): Address | undefined {
    const r = normalizeRegion(region) ?? region.toLowerCase();
    const tag = this.catalog.regional("AzureCloud", r) ?? this.catalog.get("AzureCloud");
    if (!tag) return undefined;
    return this.catalog.pickAddress(tag.name, seed);
  }

  private serviceAddress(kind: ServiceKind, region: string, seed: string): Address {
    const tag = this.catalog.regional(kind.serviceTag, region) ?? this.catalog.get(kind.serviceTag);
    if (tag) return this.catalog.pickAddress(tag.name, seed);
    return this.azureAddress(region, seed) ?? { family: 4, value: 0x14000000 };
  }

  /**
   * Lookups by the id string exactly as given, in front of the case-insensitive maps: the
   * same id strings come back again and again (flows, rule references), and a hit skips
   * lower-casing the id. Filled on first lookup; only hits are remembered.
   */
  private readonly exact = {
    subnets: new Map<string, SubnetInfo>(),
    nics: new Map<string, NicInfo>(),
    vms: new Map<string, VmInfo>(),
    services: new Map<string, ServiceResourceInfo>(),
  };

  subnet(id: string): SubnetInfo | undefined {
    let s = this.exact.subnets.get(id);
    if (s === undefined) {
      s = this.subnets.get(idKey(id));
      if (s !== undefined) this.exact.subnets.set(id, s);
    }
    return s;
  }
  vnet(id: string): VnetInfo | undefined {
    return this.vnets.get(idKey(id));
  }
  nic(id: string): NicInfo | undefined {
    let n = this.exact.nics.get(id);
    if (n === undefined) {
      n = this.nics.get(idKey(id));
      if (n !== undefined) this.exact.nics.set(id, n);
    }
    return n;
  }
  vm(id: string): VmInfo | undefined {
    let v = this.exact.vms.get(id);
    if (v === undefined) {
      v = this.vms.get(idKey(id));
      if (v !== undefined) this.exact.vms.set(id, v);
    }
    return v;
  }
  nsg(id: string | undefined): NetworkSecurityGroup | undefined {
    return id ? this.nsgs.get(idKey(id)) : undefined;
  }
  routeTable(id: string | undefined): RouteTable | undefined {
    return id ? this.routeTables.get(idKey(id)) : undefined;
  }
  policy(id: string): ServiceEndpointPolicy | undefined {
    return this.policies.get(idKey(id));
  }
  publicIp(id: string | undefined) {
    return id ? this.publicIps.get(idKey(id)) : undefined;
  }
  service(id: string): ServiceResourceInfo | undefined {
    let v = this.exact.services.get(id);
    if (v === undefined) {
      v = this.services.get(idKey(id));
      if (v !== undefined) this.exact.services.set(id, v);
    }
    return v;
  }
  serviceByHost(host: string): { service: ServiceResourceInfo; endpoint: string } | undefined {
    const h = this.hostIndex.get(host) ?? this.hostIndex.get(host.toLowerCase().replace(/\.$/, ""));
    if (!h) return undefined;
    const service = this.services.get(h.resourceKey);
    return service ? { service, endpoint: h.endpoint } : undefined;
  }
  serviceByAddress(a: Address): ServiceResourceInfo | undefined {
    const k = this.serviceAddressIndex.get(addressKey(a));
    return k ? this.services.get(k) : undefined;
  }
  /** NIC ip configurations holding a private address inside the given VNets. */
  nicsByPrivateAddress(
    a: Address,
    vnetKeys?: ReadonlySet<string>,
  ): Array<{ nic: NicInfo; ipConfig: IpConfigInfo }> {
    const out: Array<{ nic: NicInfo; ipConfig: IpConfigInfo }> = [];
    for (const e of this.privateIndex.get(addressKey(a)) ?? []) {
      if (vnetKeys && !vnetKeys.has(e.vnetKey)) continue;
      const nic = this.nics.get(e.nicKey);
      const cfg = nic?.ipConfigs.find((c) => c.name === e.ipConfig);
      if (nic && cfg) out.push({ nic, ipConfig: cfg });
    }
    return out;
  }
  /** The subnet of a VNet containing an address. */
  subnetContaining(vnet: VnetInfo, a: Address): SubnetInfo | undefined {
    return vnet.subnets.find((s) => s.prefixes.some((p) => prefixContainsAddress(p, a)));
  }
  /** Does this subnet currently exist and carry an endpoint for the service? (SE-ACL-8) */
  subnetHasEndpoint(subnetId: string, service: string): boolean {
    const s = this.subnet(subnetId);
    return !!s && endpointsOf(s).has(serviceKey(service));
  }
  memoize<T>(key: string, fn: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const v = fn();
    this.memo.set(key, v);
    return v;
  }
}
