/**
 * An indexed view of a set of ARM resources: what the engine decides on. Built once from
 * resources as Azure returns them (child resources inline or as separate entries), then queried
 * many times, and kept current by `apply` (the live snapshot: each committed write rebuilds what
 * it touches and moves to the next revision). Derived data (effective route sets, compiled NSGs,
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

/** One write as the snapshot takes it: a document's new state, or its removal. */
export interface SnapshotChange {
  id: string;
  /** The document after the write; absent when it was deleted. */
  resource?: ArmResource;
}

/** What `Snapshot.apply` did: the revision it produced and how much it rebuilt. */
export interface ApplyReport {
  revision: number;
  /** The whole snapshot was rebuilt (a write the incremental path does not cover). */
  full: boolean;
  /** Info objects rebuilt: subnets, NICs, NSGs, route tables, services, … */
  rebuilt: number;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

const SERVICE_CHILD_DEPTH = 2;

/** JSON of a document without its etags (a commit gives every document a fresh one). */
function bodyText(r: unknown): string {
  return JSON.stringify(r, (k, v) => (k === "etag" ? undefined : v));
}

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const set = m.get(k);
  if (set) set.add(v);
  else m.set(k, new Set([v]));
}

function removeFrom<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const set = m.get(k);
  if (!set) return;
  set.delete(v);
  if (set.size === 0) m.delete(k);
}

/** Child entries are merged into their parent: inline first, separate entries winning by name. */
function mergeChildren<T extends { id?: string; name?: string }>(
  inline: T[] | undefined,
  separate: ArmResource[],
): T[] {
  const out = new Map<string, T>();
  for (const c of objectsOf(inline)) out.set(lower(c.id ?? c.name), c);
  for (const c of separate) {
    const byName = [...out.entries()].find(([, v]) => lower(v.name) === lower(c.name));
    if (byName) out.delete(byName[0]);
    out.set(lower(c.id), c as unknown as T);
  }
  return [...out.values()];
}

/** The key of a child entry's parent (`…/a/x/b/y` → `…/a/x`), or undefined for a top-level resource. */
function parentKeyOf(k: string, r: { id: string }): string | undefined {
  const id = tryParseResourceId(r.id);
  if (!id || id.types.length < 2) return undefined;
  return k.slice(0, k.lastIndexOf("/", k.lastIndexOf("/") - 1));
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
    Array<{ nicKey: string; ipConfig: string; vnetKey: string; at: number }>
  >();
  /** Memo for derived, pure data (route sets, compiled NSGs, prefix sets). */
  readonly memo = new Map<string, unknown>();

  /** The revision this snapshot shows: 0 when built, one more for every `apply`. */
  revision = 0;
  /** Bumped whenever NIC infos are replaced: caches holding NIC infos compare it. */
  nicEpoch = 0;
  /** Position of every document in input order (the order dynamic addresses are allocated in). */
  private readonly seq = new Map<string, number>();
  private nextSeq = 0;
  /** Separate child entries by parent key. */
  private readonly childIndex = new Map<string, Set<string>>();
  /** Reverse indexes for `apply`, built on its first call. */
  private rev?: {
    nicsBySubnet: Map<string, Set<string>>;
    nicsByNsg: Map<string, Set<string>>;
    nicsByPip: Map<string, Set<string>>;
    subnetsByNsg: Map<string, Set<string>>;
    subnetsByRouteTable: Map<string, Set<string>>;
    vmsByNic: Map<string, Set<string>>;
    hostOwners: Map<string, Set<string>>;
    addressOwners: Map<string, Set<string>>;
  };

  constructor(resources: readonly ArmResource[], opts: SnapshotOptions) {
    this.catalog = opts.serviceTags;
    this.byId = index(resources);
    for (const k of this.byId.keys()) this.seq.set(k, this.nextSeq++);
    this.build();
  }

  /** Every resource as given (after merging), by id. */
  resource(id: string): ArmResource | undefined {
    return this.byId.get(idKey(id));
  }

  /**
   * The documents a write to `id` replaces or removes: the document itself (when present), then
   * its separate child entries at any depth, in input order.
   */
  documentsUnder(id: string): ArmResource[] {
    const out: ArmResource[] = [];
    const k = idKey(id);
    const own = this.byId.get(k);
    if (own) out.push(own);
    const walk = (pk: string) => {
      for (const c of this.childrenOf(pk)) {
        out.push(c);
        walk(idKey(c.id));
      }
    };
    walk(k);
    return out;
  }

  allResources(): ArmResource[] {
    return [...this.byId.values()];
  }

  private childrenOf(parentKey: string): ArmResource[] {
    const keys = this.childIndex.get(parentKey);
    if (!keys) return [];
    return [...keys]
      .sort((a, b) => this.seq.get(a)! - this.seq.get(b)!)
      .map((k) => this.byId.get(k)!)
      .filter((r) => r !== undefined);
  }

  private childOfType(parentKey: string, type: string): ArmResource[] {
    const t = type.toLowerCase();
    return this.childrenOf(parentKey).filter((c) => resourceType(c) === t);
  }

  private build(): void {
    for (const [k, r] of this.byId) {
      const pk = parentKeyOf(k, r);
      if (pk !== undefined) addTo(this.childIndex, pk, k);
    }
    for (const [k, r] of this.byId) this.buildOther(k, r);
    for (const [k, r] of this.byId) {
      const t = resourceType(r);
      if (t === "microsoft.network/virtualnetworks" || t === "microsoft.classicnetwork/virtualnetworks")
        this.buildVnet(k, r as VirtualNetwork);
    }
    for (const [k, r] of this.byId)
      if (resourceType(r) === "microsoft.network/publicipaddresses") this.buildPip(k, r as PublicIpAddress);
    const nicKeys: string[] = [];
    for (const [k, r] of this.byId)
      if (resourceType(r) === "microsoft.network/networkinterfaces") nicKeys.push(k);
    this.buildNics(nicKeys, undefined);
    for (const [k, r] of this.byId)
      if (resourceType(r) === "microsoft.compute/virtualmachines") this.buildVm(k, r as VirtualMachine, true);
    for (const [k, r] of this.byId) {
      const kind = serviceKindOf(textOf(r.type ?? ""));
      if (kind) this.buildService(k, r, kind);
    }
  }

  /** NSGs, route tables, policies, gateways, connections, circuits: one map entry each. */
  private buildOther(k: string, r: ArmResource): void {
    switch (resourceType(r)) {
      case "microsoft.network/networksecuritygroups": {
        const nsg = r as NetworkSecurityGroup;
        const rules = mergeChildren<SecurityRule>(
          nsg.properties?.securityRules,
          this.childOfType(k, "Microsoft.Network/networkSecurityGroups/securityRules"),
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
          this.childOfType(k, "Microsoft.Network/routeTables/routes"),
        );
        this.routeTables.set(k, { ...rt, properties: { ...rt.properties, routes } });
        break;
      }
      case "microsoft.network/serviceendpointpolicies": {
        const p = r as ServiceEndpointPolicy;
        const defs = mergeChildren<ServiceEndpointPolicyDefinition>(
          p.properties?.serviceEndpointPolicyDefinitions,
          this.childOfType(k, "Microsoft.Network/serviceEndpointPolicies/serviceEndpointPolicyDefinitions"),
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
          this.childOfType(k, "Microsoft.Network/expressRouteCircuits/peerings"),
        );
        this.circuits.set(k, { ...c, properties: { ...c.properties, peerings } } as ExpressRouteCircuit);
        break;
      }
      default:
        break;
    }
  }

  /** A VNet, its subnets and peerings (classic VNets are kept only to be refused: SE-RES-5). */
  private buildVnet(k: string, vnet: VirtualNetwork): void {
    const t = resourceType(vnet);
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
    for (const s of this.mergedSubnets(k, vnet)) {
      const subnet = this.buildSubnet(info, s);
      info.subnets.push(subnet);
      this.subnets.set(subnet.key, subnet);
    }
    const peerings = mergeChildren<ArmResource>(
      objectsOf(vnet.properties?.virtualNetworkPeerings as ArmResource[] | undefined),
      this.childOfType(k, "Microsoft.Network/virtualNetworks/virtualNetworkPeerings"),
    );
    this.peerings.set(k, peerings);
  }

  private mergedSubnets(k: string, vnet: VirtualNetwork): Subnet[] {
    return mergeChildren<Subnet>(
      vnet.properties?.subnets,
      this.childOfType(k, "Microsoft.Network/virtualNetworks/subnets"),
    );
  }

  private subnetIdOf(vnet: VirtualNetwork, s: Subnet): string {
    return typeof s.id === "string" && s.id !== "" ? s.id : `${vnet.id}/subnets/${textOf(s.name ?? "")}`;
  }

  private buildSubnet(info: VnetInfo, s: Subnet): SubnetInfo {
    const sid = this.subnetIdOf(info.resource, s);
    const props = s.properties ?? {};
    const endpoints = fillEndpointLocations(
      objectsOf(props.serviceEndpoints as ServiceEndpointFormat[] | undefined),
      info.location,
      findEndpointService,
      normalizeRegion,
    );
    return {
      id: sid,
      key: idKey(sid),
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
      provisioningState: typeof props.provisioningState === "string" ? props.provisioningState : "Succeeded",
      ...(props.networkSecurityGroup?.id ? { nsgId: props.networkSecurityGroup.id } : {}),
      ...(props.routeTable?.id ? { routeTableId: props.routeTable.id } : {}),
      memo: {},
    };
  }

  /** Public IPs (addresses drawn from AzureCloud.<region> when Azure would have assigned one). */
  private buildPip(k: string, pip: PublicIpAddress): void {
    let address =
      typeof pip.properties?.ipAddress === "string" ? tryParseAddress(pip.properties.ipAddress) : undefined;
    if (!address) address = this.azureAddress(textOf(pip.location ?? ""), pip.id);
    this.publicIps.set(k, { id: pip.id, resource: pip, ...(address ? { address } : {}) });
  }

  /**
   * NICs, with dynamic private addresses allocated in input order. `keys` in input order; with
   * `subnets`, only those subnets' addresses are allocated afresh (the caller passes every NIC
   * with a configuration in them), otherwise every subnet's.
   */
  private buildNics(keys: readonly string[], subnets: ReadonlySet<string> | undefined): void {
    const used = new Map<string, Set<string>>();
    const usedIn = (subnetKey: string) => {
      let s = used.get(subnetKey);
      if (!s) used.set(subnetKey, (s = new Set()));
      return s;
    };
    const list: Array<[string, NetworkInterface]> = [];
    for (const k of keys) {
      const r = this.byId.get(k);
      if (r && resourceType(r) === "microsoft.network/networkinterfaces")
        list.push([k, r as NetworkInterface]);
    }
    for (const [, nic] of list) {
      for (const c of objectsOf(nic.properties?.ipConfigurations)) {
        const a =
          typeof c?.properties?.privateIPAddress === "string"
            ? tryParseAddress(c.properties.privateIPAddress)
            : undefined;
        if (a && c.properties.subnet?.id) usedIn(idKey(c.properties.subnet.id)).add(addressKey(a));
      }
    }
    for (const [k, nic] of list) {
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
          if (p && (subnets === undefined || subnets.has(sk))) {
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
        if (cfgSubnet) {
          const pk = addressKey(a);
          const entries = this.privateIndex.get(pk) ?? [];
          entries.push({ nicKey: k, ipConfig: cfgName, vnetKey: cfgSubnet.vnet.key, at: i });
          this.privateIndex.set(pk, entries);
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
  }

  private vmNicIds(vm: VirtualMachine): string[] {
    const refs = objectsOf(vm.properties?.networkProfile?.networkInterfaces);
    const primary = refs.find((n) => n.properties?.primary === true) ?? refs[0];
    return [primary, ...refs.filter((n) => n !== primary)]
      .filter((n): n is NonNullable<typeof n> => !!n && typeof n.id === "string")
      .map((n) => n.id);
  }

  /** VMs: NIC references (and, when building, back-fill the NIC's VM when the NIC does not say). */
  private buildVm(k: string, vm: VirtualMachine, backFill: boolean): void {
    const nicIds = this.vmNicIds(vm);
    this.vms.set(k, { id: vm.id, resource: vm, nicIds, location: lower(vm.location), memo: {} });
    if (!backFill) return;
    for (const nicId of nicIds) {
      const nic = this.nics.get(idKey(nicId));
      if (nic && !nic.vmId) this.nics.set(nic.key, { ...nic, vmId: vm.id });
    }
  }

  /** A service resource's children: its child entries and theirs. */
  private serviceChildren(k: string): ArmResource[] {
    return this.childrenOf(k).flatMap((c) => [c, ...this.childrenOf(idKey(c.id))]);
  }

  private buildService(k: string, r: ArmResource, kind: ServiceKind): ServiceResourceInfo {
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
      children: this.serviceChildren(k),
      memo: {},
    };
    this.services.set(k, info);
    for (const h of hosts) this.hostIndex.set(h.host.toLowerCase(), { resourceKey: k, endpoint: h.endpoint });
    this.serviceAddressIndex.set(addressKey(address), k);
    return info;
  }

  // -------------------------------------------------------------------------------------------
  // Live updates.

  /**
   * Applies committed writes in place and moves to the next revision. The cost follows what the
   * writes touch: a subnet, NSG, route table, policy, public IP, NIC, VM or service resource is
   * rebuilt alone, with the derived data that depends on it dropped (a subnet's route set, an
   * NSG compiled per VNet, a NIC's egress address, …) and recomputed on next use. Writes the
   * incremental path does not cover (a VNet's address space or peerings, gateways, connections,
   * circuits, separate child entries of a VNet) rebuild the whole snapshot. Either way the result
   * equals `new Snapshot(this.allResources(), …)` (the live-snapshot property test).
   *
   * Synchronous: a reader that takes the snapshot and answers without yielding sees one
   * revision (`revision`).
   */
  apply(changes: readonly SnapshotChange[]): ApplyReport {
    const nsgKeys = new Set<string>();
    const rtKeys = new Set<string>();
    const policyKeys = new Set<string>();
    const pipKeys = new Set<string>();
    const nicKeys = new Set<string>();
    const vmKeys = new Set<string>();
    const serviceKeys = new Set<string>();
    const vnetKeys = new Map<string, VnetInfo | undefined>();
    let full = false;
    const rev = this.reverse();
    for (const c of changes) {
      const k = idKey(c.id);
      const old = this.byId.get(k);
      const r = c.resource;
      if (r !== undefined && (!r || typeof r !== "object" || typeof r.id !== "string")) continue;
      const type = resourceType(r ?? old ?? { type: "" });
      if (r) {
        if (!this.seq.has(k)) this.seq.set(k, this.nextSeq++);
        this.byId.set(k, r);
      } else if (old) {
        this.byId.delete(k);
        this.seq.delete(k);
      } else continue;
      const pk = parentKeyOf(k, r ?? old!);
      if (pk !== undefined) {
        if (r) addTo(this.childIndex, pk, k);
        else removeFrom(this.childIndex, pk, k);
      }
      if (pk === undefined) {
        switch (type) {
          case "microsoft.network/networksecuritygroups":
            nsgKeys.add(k);
            continue;
          case "microsoft.network/routetables":
            rtKeys.add(k);
            continue;
          case "microsoft.network/serviceendpointpolicies":
            policyKeys.add(k);
            continue;
          case "microsoft.network/publicipaddresses":
            pipKeys.add(k);
            continue;
          case "microsoft.network/networkinterfaces":
            nicKeys.add(k);
            continue;
          case "microsoft.compute/virtualmachines":
            vmKeys.add(k);
            continue;
          case "microsoft.network/virtualnetworks":
            if (!vnetKeys.has(k)) vnetKeys.set(k, this.vnets.get(k));
            continue;
          case "microsoft.classicnetwork/virtualnetworks":
          case "microsoft.network/localnetworkgateways":
          case "microsoft.network/virtualnetworkgateways":
          case "microsoft.network/connections":
          case "microsoft.network/expressroutecircuits":
            full = true;
            continue;
        }
        if (serviceKindOf(textOf((r ?? old)!.type ?? ""))) serviceKeys.add(k);
        continue;
      }
      // A separate child entry: its owner is rebuilt.
      const owner = this.byId.get(pk);
      const ownerType = owner ? resourceType(owner) : "";
      if (ownerType === "microsoft.network/networksecuritygroups") nsgKeys.add(pk);
      else if (ownerType === "microsoft.network/routetables") rtKeys.add(pk);
      else if (ownerType === "microsoft.network/serviceendpointpolicies") policyKeys.add(pk);
      else if (
        ownerType === "microsoft.network/virtualnetworks" ||
        ownerType === "microsoft.classicnetwork/virtualnetworks" ||
        ownerType === "microsoft.network/expressroutecircuits"
      )
        full = true;
      // Children of a service resource (SQL VNet rules, messaging rule sets, …), two levels deep.
      let at: string | undefined = pk;
      for (let d = 0; d < SERVICE_CHILD_DEPTH && at !== undefined; d++) {
        if (
          this.services.has(at) ||
          (this.byId.get(at) && serviceKindOf(textOf(this.byId.get(at)!.type ?? "")))
        )
          serviceKeys.add(at);
        const up = this.byId.get(at);
        at = up ? parentKeyOf(at, up) : undefined;
      }
    }
    if (!full) {
      for (const [k, before] of vnetKeys) {
        const r = this.byId.get(k) as VirtualNetwork | undefined;
        if (!before || !r || !this.sameVnetLevel(before.resource, r)) {
          full = true;
          break;
        }
      }
    }
    if (full) {
      this.rebuildAll();
      this.revision++;
      return { revision: this.revision, full: true, rebuilt: this.byId.size };
    }

    let rebuilt = 0;
    const subnetsChanged = new Set<string>();
    for (const k of vnetKeys.keys()) {
      for (const sk of this.updateSubnets(this.vnets.get(k)!, this.byId.get(k) as VirtualNetwork)) {
        subnetsChanged.add(sk);
        rebuilt++;
      }
    }
    for (const sk of subnetsChanged) for (const n of rev.nicsBySubnet.get(sk) ?? []) nicKeys.add(n);

    for (const k of nsgKeys) {
      rebuilt++;
      this.nsgs.delete(k);
      const r = this.byId.get(k);
      if (r) this.buildOther(k, r);
      for (const v of this.vnets.values()) {
        v.memo.nsgs.delete(k);
        this.memo.delete(`nsg:${k}|${v.key}`);
      }
      for (const sk of rev.subnetsByNsg.get(k) ?? []) {
        const s = this.subnets.get(sk);
        if (s) s.memo.nsg = undefined;
      }
      for (const nk of rev.nicsByNsg.get(k) ?? [])
        for (const cfg of this.nics.get(nk)?.ipConfigs ?? []) cfg.memo.nicNsg = undefined;
    }
    for (const k of rtKeys) {
      rebuilt++;
      this.routeTables.delete(k);
      const r = this.byId.get(k);
      if (r) this.buildOther(k, r);
      for (const sk of rev.subnetsByRouteTable.get(k) ?? []) {
        const s = this.subnets.get(sk);
        if (s) s.memo.routes = undefined;
        this.memo.delete(`routes:${sk}`);
      }
    }
    for (const k of policyKeys) {
      rebuilt++;
      this.policies.delete(k);
      const r = this.byId.get(k);
      if (r) this.buildOther(k, r);
    }
    for (const k of pipKeys) {
      rebuilt++;
      this.publicIps.delete(k);
      const r = this.byId.get(k);
      if (r) this.buildPip(k, r as PublicIpAddress);
      for (const nk of rev.nicsByPip.get(k) ?? [])
        for (const cfg of this.nics.get(nk)?.ipConfigs ?? []) cfg.memo.egress = undefined;
    }
    // VMs: rebuilt, and the NICs they name (before and after) get their VM again.
    const vmIdChanged = new Set<string>();
    for (const k of vmKeys) {
      rebuilt++;
      const old = this.vms.get(k);
      for (const id of old?.nicIds ?? []) {
        removeFrom(rev.vmsByNic, idKey(id), k);
        vmIdChanged.add(idKey(id));
      }
      this.vms.delete(k);
      const r = this.byId.get(k);
      if (r) {
        this.buildVm(k, r as VirtualMachine, false);
        for (const id of this.vms.get(k)!.nicIds) {
          addTo(rev.vmsByNic, idKey(id), k);
          vmIdChanged.add(idKey(id));
        }
      }
    }
    rebuilt += this.rebuildNics(nicKeys);
    for (const nk of vmIdChanged) {
      if (nicKeys.has(nk)) continue; // rebuilt with its VM already
      const nic = this.nics.get(nk);
      if (!nic) continue;
      const vmId = this.vmIdOf(nic.resource, nk);
      if (vmId !== nic.vmId) {
        const { vmId: _drop, ...rest } = nic;
        void _drop;
        this.nics.set(nk, vmId ? { ...rest, vmId } : rest);
        this.nicEpoch++;
        this.resetVmMemos(nk);
      }
    }
    for (const k of serviceKeys) {
      rebuilt++;
      this.rebuildService(k);
    }
    this.revision++;
    return { revision: this.revision, full: false, rebuilt };
  }

  /** Does a VNet write leave everything but its subnets as it was? */
  private sameVnetLevel(before: VirtualNetwork, after: VirtualNetwork): boolean {
    if (resourceType(before) !== resourceType(after)) return false;
    const strip = (v: VirtualNetwork) => ({
      ...v,
      properties: { ...(v.properties ?? {}), subnets: undefined },
    });
    return bodyText(strip(before)) === bodyText(strip(after));
  }

  /** A VNet write that changed subnets only: rebuilds those, keeping the VNet's info (and its memo). Returns the subnet keys changed. */
  private updateSubnets(info: VnetInfo, r: VirtualNetwork): string[] {
    const rev = this.reverse();
    const old = new Map(info.subnets.map((s) => [s.key, s]));
    const changed: string[] = [];
    const next: SubnetInfo[] = [];
    (info as Writable<VnetInfo>).resource = r;
    for (const s of this.mergedSubnets(info.key, r)) {
      const sk = idKey(this.subnetIdOf(r, s));
      const was = old.get(sk);
      if (was && bodyText(was.resource) === bodyText({ ...s, id: was.id })) {
        next.push(was);
        old.delete(sk);
        continue;
      }
      const subnet = this.buildSubnet(info, s);
      if (was) {
        this.unindexSubnet(was);
        old.delete(sk);
      }
      next.push(subnet);
      this.subnets.set(subnet.key, subnet);
      this.indexSubnet(subnet);
      this.memo.delete(`routes:${subnet.key}`);
      changed.push(subnet.key);
    }
    for (const [sk, was] of old) {
      this.unindexSubnet(was);
      if (this.subnets.get(sk) === was) this.subnets.delete(sk);
      this.memo.delete(`routes:${sk}`);
      changed.push(sk);
    }
    info.subnets.length = 0;
    info.subnets.push(...next);
    void rev;
    return changed;
  }

  private indexSubnet(s: SubnetInfo): void {
    const rev = this.reverse();
    if (s.nsgId) addTo(rev.subnetsByNsg, idKey(s.nsgId), s.key);
    if (s.routeTableId) addTo(rev.subnetsByRouteTable, idKey(s.routeTableId), s.key);
  }

  private unindexSubnet(s: SubnetInfo): void {
    const rev = this.reverse();
    if (s.nsgId) removeFrom(rev.subnetsByNsg, idKey(s.nsgId), s.key);
    if (s.routeTableId) removeFrom(rev.subnetsByRouteTable, idKey(s.routeTableId), s.key);
  }

  private indexNic(nic: NicInfo | undefined, r: NetworkInterface | undefined, k: string, add: boolean): void {
    const rev = this.reverse();
    const op = add ? addTo : removeFrom;
    // By the documents' subnet references (a configuration whose subnet is missing still waits on it).
    for (const c of objectsOf(r?.properties?.ipConfigurations)) {
      const sid = c?.properties?.subnet?.id;
      if (typeof sid === "string") op(rev.nicsBySubnet, idKey(sid), k);
      const pip = c?.properties?.publicIPAddress?.id;
      if (typeof pip === "string") op(rev.nicsByPip, idKey(pip), k);
    }
    if (nic?.nsgId) op(rev.nicsByNsg, idKey(nic.nsgId), k);
  }

  /** The VM a NIC belongs to: its own reference, else the first VM (in input order) naming it. */
  private vmIdOf(r: NetworkInterface, nicKey: string): string | undefined {
    if (r.properties?.virtualMachine?.id) return r.properties.virtualMachine.id;
    let best: VmInfo | undefined;
    let bestSeq = Infinity;
    for (const vk of this.reverse().vmsByNic.get(nicKey) ?? []) {
      const s = this.seq.get(vk);
      const vm = this.vms.get(vk);
      if (vm && s !== undefined && s < bestSeq) {
        best = vm;
        bestSeq = s;
      }
    }
    return best?.id;
  }

  private resetVmMemos(nicKey: string): void {
    for (const vk of this.reverse().vmsByNic.get(nicKey) ?? []) {
      const vm = this.vms.get(vk);
      if (vm) {
        vm.memo.nic = undefined;
        vm.memo.pick = undefined;
      }
    }
  }

  /**
   * Rebuilds NICs and everything whose dynamic addresses depend on them: every NIC with a
   * configuration in a subnet one of them uses (before or after), to a fixed point.
   */
  private rebuildNics(seed: ReadonlySet<string>): number {
    if (seed.size === 0) return 0;
    const rev = this.reverse();
    const nics = new Set<string>();
    const subnets = new Set<string>();
    const pending = [...seed];
    const subnetsOf = (k: string): string[] => {
      const out: string[] = [];
      for (const c of objectsOf(
        (this.byId.get(k) as NetworkInterface | undefined)?.properties?.ipConfigurations,
      )) {
        const sid = c?.properties?.subnet?.id;
        if (typeof sid === "string") out.push(idKey(sid));
      }
      for (const cfg of this.nics.get(k)?.ipConfigs ?? []) out.push(idKey(cfg.subnetId));
      return out;
    };
    while (pending.length) {
      const k = pending.pop()!;
      if (nics.has(k)) continue;
      nics.add(k);
      for (const sk of subnetsOf(k)) {
        if (subnets.has(sk)) continue;
        subnets.add(sk);
        for (const other of rev.nicsBySubnet.get(sk) ?? []) if (!nics.has(other)) pending.push(other);
      }
    }
    // Drop the old infos and their index entries.
    const touchedAddresses = new Set<string>();
    for (const k of nics) {
      const old = this.nics.get(k);
      if (old) {
        for (const cfg of old.ipConfigs) {
          const pk = addressKey(cfg.privateAddress);
          const list = this.privateIndex.get(pk);
          if (list) {
            const kept = list.filter((e) => e.nicKey !== k);
            if (kept.length) this.privateIndex.set(pk, kept);
            else this.privateIndex.delete(pk);
          }
        }
        this.nics.delete(k);
      }
      if (old) this.indexNic(old, old.resource, k, false);
    }
    const ordered = [...nics]
      .filter((k) => this.byId.has(k))
      .sort((a, b) => this.seq.get(a)! - this.seq.get(b)!);
    this.buildNics(ordered, subnets);
    for (const k of ordered) {
      const nic = this.nics.get(k);
      if (!nic) continue;
      const vmId = this.vmIdOf(nic.resource, k);
      if (vmId !== nic.vmId) {
        const { vmId: _drop, ...rest } = nic;
        void _drop;
        this.nics.set(k, vmId ? { ...rest, vmId } : rest);
      }
      const fresh = this.nics.get(k)!;
      this.indexNic(fresh, fresh.resource, k, true);
      for (const cfg of fresh.ipConfigs) touchedAddresses.add(addressKey(cfg.privateAddress));
    }
    for (const k of nics) this.resetVmMemos(k);
    // Index lists in input order, as a build makes them.
    for (const pk of touchedAddresses) {
      const list = this.privateIndex.get(pk);
      if (list && list.length > 1)
        list.sort((a, b) => this.seq.get(a.nicKey)! - this.seq.get(b.nicKey)! || a.at - b.at);
    }
    this.memo.delete("asg-members");
    this.nicEpoch++;
    return nics.size;
  }

  private rebuildService(k: string): void {
    const rev = this.reverse();
    const old = this.services.get(k);
    if (old) {
      this.services.delete(k);
      for (const h of old.hosts) removeFrom(rev.hostOwners, h.host.toLowerCase(), k);
      removeFrom(rev.addressOwners, addressKey(old.address), k);
    }
    const r = this.byId.get(k);
    const kind = r ? serviceKindOf(textOf(r.type ?? "")) : undefined;
    const info = r && kind ? this.buildService(k, r, kind) : undefined;
    if (info) {
      for (const h of info.hosts) addTo(rev.hostOwners, h.host.toLowerCase(), k);
      addTo(rev.addressOwners, addressKey(info.address), k);
    }
    // Host names and addresses belong to the last resource (in input order) that has them.
    const last = (owners: Set<string> | undefined): string | undefined => {
      let best: string | undefined;
      let bestSeq = -1;
      for (const o of owners ?? []) {
        const s = this.seq.get(o) ?? -1;
        if (s > bestSeq) {
          best = o;
          bestSeq = s;
        }
      }
      return best;
    };
    for (const h of new Set(
      [...(old?.hosts ?? []), ...(info?.hosts ?? [])].map((x) => x.host.toLowerCase()),
    )) {
      const owner = last(rev.hostOwners.get(h));
      const svc = owner ? this.services.get(owner) : undefined;
      const endpoint = svc?.hosts.find((x) => x.host.toLowerCase() === h)?.endpoint;
      if (svc && endpoint !== undefined) this.hostIndex.set(h, { resourceKey: svc.key, endpoint });
      else this.hostIndex.delete(h);
    }
    for (const a of new Set([old?.address, info?.address].filter((x): x is Address => !!x).map(addressKey))) {
      const owner = last(rev.addressOwners.get(a));
      if (owner) this.serviceAddressIndex.set(a, owner);
      else this.serviceAddressIndex.delete(a);
    }
  }

  /** The reverse indexes `apply` keeps (built from the current state on first use). */
  private reverse(): NonNullable<Snapshot["rev"]> {
    if (this.rev) return this.rev;
    const rev: NonNullable<Snapshot["rev"]> = {
      nicsBySubnet: new Map(),
      nicsByNsg: new Map(),
      nicsByPip: new Map(),
      subnetsByNsg: new Map(),
      subnetsByRouteTable: new Map(),
      vmsByNic: new Map(),
      hostOwners: new Map(),
      addressOwners: new Map(),
    };
    this.rev = rev;
    for (const s of this.subnets.values()) this.indexSubnet(s);
    for (const [k, nic] of this.nics) this.indexNic(nic, nic.resource, k, true);
    for (const [k, vm] of this.vms) for (const id of vm.nicIds) addTo(rev.vmsByNic, idKey(id), k);
    for (const [k, svc] of this.services) {
      for (const h of svc.hosts) addTo(rev.hostOwners, h.host.toLowerCase(), k);
      addTo(rev.addressOwners, addressKey(svc.address), k);
    }
    return rev;
  }

  /** The slow path: everything rebuilt from the documents (memo dropped). */
  private rebuildAll(): void {
    for (const m of [
      this.vnets,
      this.subnets,
      this.nics,
      this.vms,
      this.publicIps,
      this.nsgs,
      this.routeTables,
      this.policies,
      this.localGateways,
      this.vnetGateways,
      this.connections,
      this.circuits,
      this.services,
      this.peerings,
      this.hostIndex,
      this.serviceAddressIndex,
      this.privateIndex,
      this.memo,
      this.childIndex,
      this.exact.subnets,
      this.exact.nics,
      this.exact.vms,
      this.exact.services,
    ] as Array<Map<unknown, unknown>>)
      m.clear();
    this.rev = undefined;
    this.nicEpoch++;
    this.build();
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
    if (s !== undefined && this.revision !== 0 && this.subnets.get(s.key) !== s) s = undefined;
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
    if (n !== undefined && this.revision !== 0 && this.nics.get(n.key) !== n) n = undefined;
    if (n === undefined) {
      n = this.nics.get(idKey(id));
      if (n !== undefined) this.exact.nics.set(id, n);
    }
    return n;
  }
  vm(id: string): VmInfo | undefined {
    let v = this.exact.vms.get(id);
    if (v !== undefined && this.revision !== 0 && this.vms.get(idKey(v.id)) !== v) v = undefined;
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
    if (v !== undefined && this.revision !== 0 && this.services.get(v.key) !== v) v = undefined;
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
