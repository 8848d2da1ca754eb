/**
 * The portal's picture of an estate, built from `/_emulator/resources` (every stored resource
 * in its final form): subscriptions → resource groups → VNets → subnets → NICs/VMs, service
 * resources with the VNet rules naming each subnet (stale when the subnet lacks the endpoint),
 * on-premises gateways and circuits. Pure: no I/O, no DOM.
 */

export interface Res {
  id: string;
  name: string;
  type: string;
  location?: string;
  properties?: Record<string, any>;
  [k: string]: unknown;
}

export interface NicView {
  id: string;
  name: string;
  vmId?: string;
  vmName?: string;
  privateAddress?: string;
  publicAddress?: string;
  subnetId?: string;
}

export interface EndpointView {
  service: string;
  locations: string[];
}

export interface SubnetView {
  id: string;
  key: string;
  name: string;
  vnetId: string;
  prefix: string;
  nsgId?: string;
  routeTableId?: string;
  policyIds: string[];
  natGatewayId?: string;
  endpoints: EndpointView[];
  nics: NicView[];
  gateways: string[];
}

export interface PeeringView {
  name: string;
  remoteId: string;
  state: string;
}

export interface VnetView {
  id: string;
  name: string;
  location: string;
  subscriptionId: string;
  resourceGroup: string;
  addressSpace: string[];
  subnets: SubnetView[];
  peerings: PeeringView[];
}

export interface VnetRuleView {
  /** The subnet the rule names. */
  subnetId: string;
  /** Where the rule lives (`networkAcls.virtualNetworkRules[0]`, a child rule's id, …). */
  where: string;
  /** The subnet is gone or lacks the service's endpoint: the rule matches nothing (SE-ACL-8). */
  stale: boolean;
  reason?: string;
}

export interface ServiceView {
  id: string;
  name: string;
  type: string;
  location: string;
  subscriptionId: string;
  resourceGroup: string;
  /** The endpoint service that carries traffic to it (`Microsoft.Storage`, …). */
  service: string;
  vnetRules: VnetRuleView[];
  ipRules: string[];
  /** `All networks`, `Selected networks`, `Disabled`. */
  access: string;
}

export interface OnPremView {
  id: string;
  name: string;
  type: string;
  kind: "localGateway" | "circuit" | "vnetGateway";
  detail: string;
  /** Subnets or VNets it joins through connections / its own ip configuration. */
  links: string[];
}

export interface Estate {
  subscriptions: Array<{ id: string; name: string; groups: Array<{ name: string; vnets: VnetView[] }> }>;
  vnets: VnetView[];
  subnets: Map<string, SubnetView>;
  nics: NicView[];
  services: ServiceView[];
  onprem: OnPremView[];
  byKey: Map<string, Res>;
}

/** Service resource types by the endpoint service that carries their traffic (SPEC §2). */
export const SERVICE_OF_TYPE: Record<string, string> = {
  "microsoft.storage/storageaccounts": "Microsoft.Storage",
  "microsoft.sql/servers": "Microsoft.Sql",
  "microsoft.dbforpostgresql/servers": "Microsoft.Sql",
  "microsoft.dbformysql/servers": "Microsoft.Sql",
  "microsoft.dbformariadb/servers": "Microsoft.Sql",
  "microsoft.keyvault/vaults": "Microsoft.KeyVault",
  "microsoft.documentdb/databaseaccounts": "Microsoft.AzureCosmosDB",
  "microsoft.servicebus/namespaces": "Microsoft.ServiceBus",
  "microsoft.eventhub/namespaces": "Microsoft.EventHub",
  "microsoft.containerregistry/registries": "Microsoft.ContainerRegistry",
  "microsoft.datalakestore/accounts": "Microsoft.AzureActiveDirectory",
  "microsoft.web/sites": "Microsoft.Web",
};

export const key = (id: string): string => id.toLowerCase().replace(/\/+$/, "");

export function nameOf(id: string): string {
  const parts = id.split("/").filter(Boolean);
  return parts[parts.length - 1] ?? id;
}

/** `VNet1/subnet2` for a subnet id. */
export function subnetLabel(id: string): string {
  const m = /\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)/i.exec(id);
  return m ? `${m[1]}/${m[2]}` : nameOf(id);
}

export function subscriptionOf(id: string): string {
  return /^\/subscriptions\/([^/]+)/i.exec(id)?.[1] ?? "";
}

export function resourceGroupOf(id: string): string {
  return /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? "";
}

export function vnetOfSubnet(id: string): string {
  return id.replace(/\/subnets\/[^/]+$/i, "");
}

const SUBNET_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i;

const idOf = (v: unknown): string | undefined =>
  v && typeof v === "object" && typeof (v as { id?: unknown }).id === "string"
    ? (v as { id: string }).id
    : undefined;

const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/** Rule states the API reports for a rule whose subnet was deleted or lost the endpoint (SE-ACL-8). */
const STALE_STATES = new Set(["networksourcedeleted", "unknown"]);

interface SubnetRef {
  subnetId: string;
  where: string;
  /** The rule's own state says it went stale (storage `networkSourceDeleted`, SQL `Unknown`). */
  staleState?: string;
}

/** Every string under `value` that is a subnet id, with the path it was found at and its rule's state. */
function subnetRefs(value: unknown, path: string, out: SubnetRef[], parent?: Record<string, unknown>): void {
  if (typeof value === "string") {
    if (!SUBNET_ID.test(value)) return;
    const state = typeof parent?.state === "string" ? parent.state : undefined;
    out.push({
      subnetId: value,
      where: path,
      ...(state && STALE_STATES.has(state.toLowerCase()) ? { staleState: state } : {}),
    });
  } else if (Array.isArray(value)) value.forEach((v, i) => subnetRefs(v, `${path}[${i}]`, out, parent));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value))
      subnetRefs(v, path ? `${path}.${k}` : k, out, value as Record<string, unknown>);
}

function ipRulesOf(r: Res): string[] {
  const p = r.properties ?? {};
  const acls = p.networkAcls ?? p.networkRuleSet ?? {};
  const out: string[] = [];
  for (const rule of [...list(acls.ipRules), ...list(p.ipRules)]) {
    const v = rule?.value ?? rule?.ipAddressOrRange ?? rule?.ipMask;
    if (typeof v === "string") out.push(v);
  }
  if (typeof p.ipRangeFilter === "string" && p.ipRangeFilter) out.push(...p.ipRangeFilter.split(","));
  return out;
}

function accessOf(r: Res, children: Res[]): string {
  const p = r.properties ?? {};
  if (String(p.publicNetworkAccess ?? "").toLowerCase() === "disabled") return "Disabled";
  const acls = p.networkAcls ?? p.networkRuleSet;
  const ruleSet = children.find((c) => /\/networkRuleSets\//i.test(c.id))?.properties;
  const def = acls?.defaultAction ?? ruleSet?.defaultAction;
  if (def !== undefined) return String(def).toLowerCase() === "deny" ? "Selected networks" : "All networks";
  if (p.isVirtualNetworkFilterEnabled === true) return "Selected networks";
  if (children.some((c) => /\/(virtualNetworkRules|firewallRules)\//i.test(c.id))) return "Selected networks";
  return "All networks";
}

export function buildEstate(
  resources: readonly Res[],
  subscriptionNames: Record<string, string> = {},
): Estate {
  const byKey = new Map<string, Res>();
  for (const r of resources) byKey.set(key(r.id), r);
  const ofType = (t: string) => resources.filter((r) => r.type.toLowerCase() === t.toLowerCase());

  const subnets = new Map<string, SubnetView>();
  const vnets: VnetView[] = ofType("Microsoft.Network/virtualNetworks").map((v) => {
    const p = v.properties ?? {};
    const view: VnetView = {
      id: v.id,
      name: v.name,
      location: v.location ?? "",
      subscriptionId: subscriptionOf(v.id),
      resourceGroup: resourceGroupOf(v.id),
      addressSpace: list(p.addressSpace?.addressPrefixes).map(String),
      subnets: [],
      peerings: list(p.virtualNetworkPeerings).map((pe) => ({
        name: String(pe?.name ?? ""),
        remoteId: idOf(pe?.properties?.remoteVirtualNetwork) ?? "",
        state: String(pe?.properties?.peeringState ?? ""),
      })),
    };
    for (const s of list(p.subnets)) {
      const sp = s?.properties ?? {};
      const id = typeof s?.id === "string" ? s.id : `${v.id}/subnets/${s?.name}`;
      const sv: SubnetView = {
        id,
        key: key(id),
        name: String(s?.name ?? nameOf(id)),
        vnetId: v.id,
        prefix: String(sp.addressPrefix ?? list(sp.addressPrefixes).join(", ")),
        ...(idOf(sp.networkSecurityGroup) ? { nsgId: idOf(sp.networkSecurityGroup) } : {}),
        ...(idOf(sp.routeTable) ? { routeTableId: idOf(sp.routeTable) } : {}),
        ...(idOf(sp.natGateway) ? { natGatewayId: idOf(sp.natGateway) } : {}),
        policyIds: list(sp.serviceEndpointPolicies)
          .map(idOf)
          .filter((x): x is string => !!x),
        endpoints: list(sp.serviceEndpoints).map((e) => ({
          service: String(e?.service ?? ""),
          locations: list(e?.locations).map(String),
        })),
        nics: [],
        gateways: [],
      };
      view.subnets.push(sv);
      subnets.set(sv.key, sv);
    }
    return view;
  });

  const vmOfNic = new Map<string, Res>();
  for (const vm of ofType("Microsoft.Compute/virtualMachines"))
    for (const n of list(vm.properties?.networkProfile?.networkInterfaces)) {
      const id = idOf(n);
      if (id) vmOfNic.set(key(id), vm);
    }
  const nics: NicView[] = ofType("Microsoft.Network/networkInterfaces").map((n) => {
    const cfgs = list(n.properties?.ipConfigurations);
    const cfg = cfgs.find((c) => c?.properties?.primary === true) ?? cfgs[0];
    const subnetId = idOf(cfg?.properties?.subnet);
    const pipId = idOf(cfg?.properties?.publicIPAddress);
    const pip = pipId ? byKey.get(key(pipId)) : undefined;
    const vm = vmOfNic.get(key(n.id));
    const view: NicView = {
      id: n.id,
      name: n.name,
      ...(vm ? { vmId: vm.id, vmName: vm.name } : {}),
      ...(cfg?.properties?.privateIPAddress
        ? { privateAddress: String(cfg.properties.privateIPAddress) }
        : {}),
      ...(pip?.properties?.ipAddress ? { publicAddress: String(pip.properties.ipAddress) } : {}),
      ...(subnetId ? { subnetId } : {}),
    };
    if (subnetId) subnets.get(key(subnetId))?.nics.push(view);
    return view;
  });

  const onprem: OnPremView[] = [];
  for (const g of ofType("Microsoft.Network/virtualNetworkGateways")) {
    const subnetIds = list(g.properties?.ipConfigurations)
      .map((c) => idOf(c?.properties?.subnet))
      .filter((x): x is string => !!x);
    for (const s of subnetIds) subnets.get(key(s))?.gateways.push(g.name);
    onprem.push({
      id: g.id,
      name: g.name,
      type: g.type,
      kind: "vnetGateway",
      detail: `${g.properties?.gatewayType ?? "Vpn"} gateway`,
      links: subnetIds,
    });
  }
  const gatewaySubnets = (gatewayId: string | undefined) =>
    onprem.find((o) => gatewayId && key(o.id) === key(gatewayId))?.links ?? [];
  const connections = ofType("Microsoft.Network/connections");
  for (const l of ofType("Microsoft.Network/localNetworkGateways")) {
    const links = connections
      .filter((c) => key(idOf(c.properties?.localNetworkGateway2) ?? "") === key(l.id))
      .flatMap((c) => gatewaySubnets(idOf(c.properties?.virtualNetworkGateway1)));
    onprem.push({
      id: l.id,
      name: l.name,
      type: l.type,
      kind: "localGateway",
      detail: list(l.properties?.localNetworkAddressSpace?.addressPrefixes).join(", "),
      links,
    });
  }
  for (const c of ofType("Microsoft.Network/expressRouteCircuits")) {
    const links = connections
      .filter((x) => key(idOf(x.properties?.peer) ?? "") === key(c.id))
      .flatMap((x) => gatewaySubnets(idOf(x.properties?.virtualNetworkGateway1)));
    const sp = c.properties?.serviceProviderProperties ?? {};
    onprem.push({
      id: c.id,
      name: c.name,
      type: c.type,
      kind: "circuit",
      detail: [sp.serviceProviderName, sp.peeringLocation].filter(Boolean).join(" · ") || "ExpressRoute",
      links,
    });
  }

  const services: ServiceView[] = [];
  for (const r of resources) {
    const service = SERVICE_OF_TYPE[r.type.toLowerCase()];
    if (!service) continue;
    const children = resources.filter((c) => key(c.id).startsWith(`${key(r.id)}/`));
    const refs: SubnetRef[] = [];
    subnetRefs(r.properties ?? {}, "", refs);
    for (const c of children) subnetRefs(c.properties ?? {}, c.id.slice(r.id.length + 1), refs);
    const vnetRules = refs.map(({ subnetId, where, staleState }): VnetRuleView => {
      const s = subnets.get(key(subnetId));
      const has = s?.endpoints.some((e) => e.service.toLowerCase() === service.toLowerCase());
      const reason = !s
        ? "the subnet does not exist"
        : !has
          ? `subnet ${subnetLabel(subnetId)} has no ${service} endpoint`
          : staleState
            ? `the rule is ${staleState}: the subnet lost the endpoint once, and the rule must be written again (SE-ACL-8)`
            : undefined;
      return { subnetId, where, stale: reason !== undefined, ...(reason ? { reason } : {}) };
    });
    services.push({
      id: r.id,
      name: r.name,
      type: r.type,
      location: r.location ?? "",
      subscriptionId: subscriptionOf(r.id),
      resourceGroup: resourceGroupOf(r.id),
      service,
      vnetRules,
      ipRules: ipRulesOf(r),
      access: accessOf(r, children),
    });
  }

  const subs = new Map<string, Map<string, VnetView[]>>();
  const touch = (sub: string, rg: string) => {
    const groups = subs.get(sub) ?? new Map<string, VnetView[]>();
    subs.set(sub, groups);
    const vs = groups.get(rg) ?? [];
    groups.set(rg, vs);
    return vs;
  };
  for (const v of vnets) touch(v.subscriptionId, v.resourceGroup).push(v);
  for (const s of services) touch(s.subscriptionId, s.resourceGroup);
  return {
    subscriptions: [...subs].map(([id, groups]) => ({
      id,
      name: subscriptionNames[id] ?? id,
      groups: [...groups].map(([name, vs]) => ({ name, vnets: vs })),
    })),
    vnets,
    subnets,
    nics,
    services,
    onprem,
    byKey,
  };
}

/** Text a search matches against: names, ids, prefixes and addresses. */
export function searchText(e: Estate): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of e.vnets) out.set(key(v.id), `${v.name} ${v.addressSpace.join(" ")}`.toLowerCase());
  for (const s of e.subnets.values())
    out.set(
      s.key,
      `${s.name} ${subnetLabel(s.id)} ${s.prefix} ${s.endpoints.map((x) => x.service).join(" ")}`.toLowerCase(),
    );
  for (const n of e.nics)
    out.set(
      key(n.id),
      `${n.name} ${n.vmName ?? ""} ${n.privateAddress ?? ""} ${n.publicAddress ?? ""}`.toLowerCase(),
    );
  for (const s of e.services) out.set(key(s.id), `${s.name} ${s.type} ${s.service}`.toLowerCase());
  for (const o of e.onprem) out.set(key(o.id), `${o.name} ${o.detail}`.toLowerCase());
  return out;
}
