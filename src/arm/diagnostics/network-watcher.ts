/**
 * Network Watcher diagnostics over the engine (azure-facts §1.5), each a long-running POST on
 * `…/networkWatchers/{nw}/{action}` answered through operations.ts:
 *
 * - `ipFlowVerify` → `{access, ruleName}` with Azure's prefixed rule names
 *   (`securityRules/x`, `defaultSecurityRules/DenyAllOutBound`): the NSGs on the NIC's path.
 * - `nextHop` → `{nextHopType, nextHopIpAddress?, routeTableId}`; `routeTableId` is the route
 *   table's id for a user route, else the literal `System Route` (SE-ROUTE-1..3; the
 *   `VirtualNetworkServiceEndpoint` next hop included).
 * - `securityGroupView` → per NIC: the NIC's and the subnet's rules, the default rules, and the
 *   effective rules.
 * - `networkConfigurationDiagnostic` → per profile, each NSG on the path evaluated: the matched
 *   rule and, per rule, which of protocol / source / source port / destination / destination
 *   port matched.
 * - `connectivityCheck` → `connectionStatus` Reachable/Unreachable with hops and issues in
 *   Azure's shape, and beyond Azure: `serviceFirewall` (the service's own verdict, its rule and
 *   its data-plane error), `trace` (the engine's steps) and `fixes` (the blockers with the
 *   smallest change each) — SE-DIAG-3. A probe that reaches a service resource is logged
 *   (SE-DIAG-1).
 *
 * Limitations (docs/diagnostics.md): no latency figures; `Icmp` connectivity checks are refused;
 * hop types for service endpoints are Lazurite's (`VirtualNetworkServiceEndpoint`); `*` in a
 * configuration-diagnostic profile is evaluated as one representative address / port.
 */
import { evaluate } from "../../engine/evaluate.js";
import { nsgContextFor, effectiveNetworkSecurityGroups } from "../../engine/effective-nsg.js";
import {
  compileNsg,
  evaluateNsgPath,
  orderForDirection,
  orderedRules,
  type CompiledNsg,
  type NsgDirection,
  type NsgProtocol,
  type Packet,
} from "../../engine/nsg.js";
import { subnetRoutes } from "../../engine/routes.js";
import type { IpConfigInfo, NicInfo, Snapshot, SubnetInfo } from "../../engine/snapshot.js";
import type { Decision, Flow, FlowDestination, Step } from "../../engine/types.js";
import { ArmErrors, textOf } from "../../model/errors.js";
import type { Address } from "../../model/ip.js";
import {
  addressAt,
  addressEquals,
  formatAddress,
  parsePrefixLoose,
  tryParseAddress,
} from "../../model/ip.js";
import type { ArmResource } from "../../model/resources/common.js";
import type { NetworkSecurityGroup, SecurityRule } from "../../model/resources/network-security-group.js";
import { defaultSecurityRules } from "../../model/resources/network-security-group.js";
import { fullType, idKey, parseResourceId, tryParseResourceId } from "../../model/resource-id.js";
import type { ArmResponse, Ctx } from "../context.js";
import type { ActionHandler } from "../kinds.js";
import { diagnosticsOf } from "./index.js";
import { acceptDiagnostic } from "./operations.js";
import { currentSnapshot } from "./snapshot-from-store.js";

const VM_TYPE = "microsoft.compute/virtualmachines";
const NIC_TYPE = "microsoft.network/networkinterfaces";

type Body = Record<string, unknown>;

function bodyOf(ctx: Ctx): Body {
  const b = ctx.req.body;
  if (!b || typeof b !== "object" || Array.isArray(b))
    throw ArmErrors.invalidRequestContent(
      "The request content must be a JSON object with the action's parameters.",
    );
  return b as Body;
}

function str(b: Body, name: string, path = name): string {
  const v = b[name];
  if (typeof v === "number") return String(v);
  if (typeof v !== "string" || v.trim() === "")
    throw ArmErrors.invalidParameter(`Required parameter '${path}' is missing or not a string.`, path);
  return v.trim();
}

function optStr(b: Body, name: string, path = name): string | undefined {
  return b[name] === undefined || b[name] === null ? undefined : str(b, name, path);
}

function address(text: string, path: string): Address {
  const a = tryParseAddress(text);
  if (!a) throw ArmErrors.invalidParameter(`'${text}' is not a valid IP address.`, path);
  return a;
}

function notFound(id: string): never {
  const p = tryParseResourceId(id);
  if (!p || p.resourceGroup === undefined || p.names.length === 0) throw ArmErrors.invalidResourceId(id);
  throw ArmErrors.resourceNotFound(fullType(p), p.names[p.names.length - 1]!, p.resourceGroup);
}

function typeOf(id: string): string {
  const p = tryParseResourceId(id);
  return p ? fullType(p).toLowerCase() : "";
}

interface Target {
  nic: NicInfo;
  cfg: IpConfigInfo;
  subnet: SubnetInfo;
}

/** The NIC (and IP configuration) a diagnostic targets: a VM's NIC holding `local` (or its primary), or a NIC. */
function targetOf(
  snap: Snapshot,
  targetId: string,
  nicId: string | undefined,
  local: Address | undefined,
  path: string,
): Target {
  let nics: NicInfo[];
  const type = typeOf(targetId);
  if (type === VM_TYPE) {
    const vm = snap.vm(targetId);
    if (!vm) notFound(targetId);
    nics = vm.nicIds.map((id) => snap.nic(id)).filter((n): n is NicInfo => n !== undefined);
  } else if (type === NIC_TYPE) {
    const nic = snap.nic(targetId);
    if (!nic) notFound(targetId);
    nics = [nic];
  } else {
    throw ArmErrors.invalidParameter(`'${targetId}' is not a virtual machine or network interface id.`, path);
  }
  if (nicId !== undefined) {
    nics = nics.filter((n) => idKey(n.id) === idKey(nicId));
    if (nics.length === 0)
      throw ArmErrors.invalidParameter(
        `Network interface '${nicId}' is not attached to '${targetId}'.`,
        "targetNicResourceId",
      );
  }
  for (const nic of nics) {
    const cfg = local
      ? nic.ipConfigs.find((c) => addressEquals(c.privateAddress, local))
      : (nic.ipConfigs.find((c) => c.primary) ?? nic.ipConfigs[0]);
    const subnet = cfg ? snap.subnet(cfg.subnetId) : undefined;
    if (cfg && subnet) return { nic, cfg, subnet };
  }
  if (local)
    throw ArmErrors.invalidParameter(
      `The address ${formatAddress(local)} is not a private address of '${targetId}'.`,
      path,
    );
  throw ArmErrors.invalidParameter(
    `'${targetId}' has no network interface in a subnet Lazurite knows.`,
    "targetResourceId",
  );
}

function compiled(snap: Snapshot, nsgId: string | undefined, subnet: SubnetInfo): CompiledNsg | undefined {
  const nsg = snap.nsg(nsgId);
  if (!nsg) return undefined;
  return snap.memoize(`nsg:${idKey(nsg.id)}|${subnet.vnet.key}`, () =>
    compileNsg(nsg, nsgContextFor(snap, subnet.vnet)),
  );
}

function direction(text: string, path: string): NsgDirection {
  const t = text.toLowerCase();
  if (t === "inbound") return "Inbound";
  if (t === "outbound") return "Outbound";
  throw ArmErrors.invalidParameter(`'${text}' is not a valid direction: expected Inbound or Outbound.`, path);
}

function port(text: string, path: string): number {
  const t = text.trim();
  if (t === "*") return 0;
  const m = /^(\d{1,5})(?:\s*-\s*\d{1,5})?$/.exec(t);
  if (!m || Number(m[1]) > 65535)
    throw ArmErrors.invalidParameter(`'${text}' is not a valid port: expected 0-65535 or *.`, path);
  return Number(m[1]);
}

async function accept(ctx: Ctx, watcher: ArmResource, result: unknown): Promise<ArmResponse> {
  return acceptDiagnostic(ctx, {
    subscriptionId: parseResourceId(watcher.id).subscriptionId!,
    location: String(watcher.location ?? ""),
    result,
  });
}

// ---------------------------------------------------------------------------------------------
// ipFlowVerify

async function ipFlowVerify(ctx: Ctx, watcher: ArmResource): Promise<ArmResponse> {
  const b = bodyOf(ctx);
  const targetId = str(b, "targetResourceId");
  const dir = direction(str(b, "direction"), "direction");
  const proto = str(b, "protocol").toLowerCase();
  if (proto !== "tcp" && proto !== "udp")
    throw ArmErrors.invalidParameter(
      `'${textOf(b.protocol)}' is not a valid protocol: expected TCP or UDP.`,
      "protocol",
    );
  const localPort = port(str(b, "localPort"), "localPort");
  const remotePort = port(str(b, "remotePort"), "remotePort");
  const local = address(str(b, "localIPAddress"), "localIPAddress");
  const remote = address(str(b, "remoteIPAddress"), "remoteIPAddress");
  const snap = await currentSnapshot(ctx);
  const t = targetOf(snap, targetId, optStr(b, "targetNicResourceId"), local, "localIPAddress");
  const out = dir === "Outbound";
  const packet: Packet = {
    direction: dir,
    protocol: proto === "tcp" ? "Tcp" : "Udp",
    source: out ? local : remote,
    sourcePort: out ? localPort : remotePort,
    destination: out ? remote : local,
    destinationPort: out ? remotePort : localPort,
    ...(out ? { sourceAsgs: t.cfg.asgs } : { destinationAsgs: t.cfg.asgs }),
  };
  const path = evaluateNsgPath(
    packet,
    compiled(snap, t.subnet.nsgId, t.subnet),
    compiled(snap, t.nic.nsgId, t.subnet),
  );
  const deciding =
    path.checks.find((c) => c.verdict.access === "Deny") ?? path.checks[path.checks.length - 1];
  return accept(ctx, watcher, {
    access: path.access,
    ...(deciding ? { ruleName: deciding.verdict.ruleName } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// nextHop

async function nextHop(ctx: Ctx, watcher: ArmResource): Promise<ArmResponse> {
  const b = bodyOf(ctx);
  const targetId = str(b, "targetResourceId");
  const source = address(str(b, "sourceIPAddress"), "sourceIPAddress");
  const destination = address(str(b, "destinationIPAddress"), "destinationIPAddress");
  const snap = await currentSnapshot(ctx);
  const t = targetOf(snap, targetId, optStr(b, "targetNicResourceId"), source, "sourceIPAddress");
  const route = subnetRoutes(snap, t.subnet).lookup(destination);
  const result: Record<string, unknown> = { nextHopType: route?.nextHopType ?? "None" };
  if (route && route.nextHopIpAddress.length > 0) result.nextHopIpAddress = route.nextHopIpAddress[0];
  result.routeTableId = route?.source === "User" && route.routeTableId ? route.routeTableId : "System Route";
  return accept(ctx, watcher, result);
}

// ---------------------------------------------------------------------------------------------
// securityGroupView

function rulesOf(nsg: NetworkSecurityGroup | undefined): SecurityRule[] {
  return Array.isArray(nsg?.properties?.securityRules) ? nsg!.properties.securityRules! : [];
}

async function securityGroupView(ctx: Ctx, watcher: ArmResource): Promise<ArmResponse> {
  const b = bodyOf(ctx);
  const targetId = str(b, "targetResourceId");
  if (typeOf(targetId) !== VM_TYPE)
    throw ArmErrors.invalidParameter(`'${targetId}' is not a virtual machine id.`, "targetResourceId");
  const snap = await currentSnapshot(ctx);
  const vm = snap.vm(targetId);
  if (!vm) notFound(targetId);
  const networkInterfaces = vm.nicIds
    .map((id) => snap.nic(id))
    .filter((n): n is NicInfo => n !== undefined)
    .map((nic) => {
      const cfg = nic.ipConfigs.find((c) => c.primary) ?? nic.ipConfigs[0];
      const subnet = cfg ? snap.subnet(cfg.subnetId) : undefined;
      const nicNsg = snap.nsg(nic.nsgId);
      const subnetNsg = snap.nsg(subnet?.nsgId);
      const anyNsg = nicNsg ?? subnetNsg;
      const defaults = anyNsg
        ? Array.isArray(anyNsg.properties?.defaultSecurityRules) &&
          anyNsg.properties.defaultSecurityRules.length > 0
          ? anyNsg.properties.defaultSecurityRules
          : defaultSecurityRules(anyNsg.id)
        : [];
      const assoc: Record<string, unknown> = {};
      if (nicNsg) assoc.networkInterfaceAssociation = { id: nic.id, securityRules: rulesOf(nicNsg) };
      if (subnetNsg && subnet) assoc.subnetAssociation = { id: subnet.id, securityRules: rulesOf(subnetNsg) };
      assoc.defaultSecurityRules = defaults;
      assoc.effectiveSecurityRules = effectiveNetworkSecurityGroups(snap, nic.id).value.flatMap(
        (g) => g.effectiveSecurityRules,
      );
      return { id: nic.id, securityRuleAssociations: assoc };
    });
  return accept(ctx, watcher, { networkInterfaces });
}

// ---------------------------------------------------------------------------------------------
// networkConfigurationDiagnostic

const PROBE = "lazurite-probe";
const NO_DEFAULTS = [{ id: "none", name: "none", properties: {} } as unknown as SecurityRule];

type Field = "protocol" | "source" | "sourcePort" | "destination" | "destinationPort";

/** A rule that copies one field of `rule` and matches anything on every other. */
function probeRule(rule: SecurityRule, dir: NsgDirection, field: Field): SecurityRule {
  const p = rule.properties;
  const props: Record<string, unknown> = {
    priority: 100,
    access: "Allow",
    direction: dir,
    protocol: field === "protocol" ? p.protocol : "*",
    sourcePortRange: field === "sourcePort" ? p.sourcePortRange : "*",
    destinationPortRange: field === "destinationPort" ? p.destinationPortRange : "*",
    sourceAddressPrefix: field === "source" ? p.sourceAddressPrefix : "*",
    destinationAddressPrefix: field === "destination" ? p.destinationAddressPrefix : "*",
  };
  if (field === "sourcePort" && p.sourcePortRanges) props.sourcePortRanges = p.sourcePortRanges;
  if (field === "destinationPort" && p.destinationPortRanges)
    props.destinationPortRanges = p.destinationPortRanges;
  if (field === "source") {
    if (p.sourceAddressPrefixes) props.sourceAddressPrefixes = p.sourceAddressPrefixes;
    if (p.sourceApplicationSecurityGroups)
      props.sourceApplicationSecurityGroups = p.sourceApplicationSecurityGroups;
  }
  if (field === "destination") {
    if (p.destinationAddressPrefixes) props.destinationAddressPrefixes = p.destinationAddressPrefixes;
    if (p.destinationApplicationSecurityGroups)
      props.destinationApplicationSecurityGroups = p.destinationApplicationSecurityGroups;
  }
  for (const k of Object.keys(props)) if (props[k] === undefined) delete props[k];
  return { id: PROBE, name: PROBE, properties: props } as unknown as SecurityRule;
}

function fieldMatches(
  snap: Snapshot,
  subnet: SubnetInfo,
  nsg: NetworkSecurityGroup,
  rule: SecurityRule,
  packet: Packet,
  field: Field,
): boolean {
  const probe: NetworkSecurityGroup = {
    ...nsg,
    properties: {
      securityRules: [probeRule(rule, packet.direction, field)],
      defaultSecurityRules: NO_DEFAULTS,
    },
  };
  return (
    compileNsg(probe, nsgContextFor(snap, subnet.vnet)).evaluate(packet).ruleName === `securityRules/${PROBE}`
  );
}

/** A representative address for a profile's `source` / `destination` (IP, CIDR, service tag or `*`). */
function representative(
  snap: Snapshot,
  text: string,
  local: Address,
  isLocalSide: boolean,
  path: string,
): Address {
  const t = text.trim();
  if (t === "*") return isLocalSide ? local : { family: 4, value: 0x01010101 };
  const a = tryParseAddress(t);
  if (a) return a;
  const p = parsePrefixLoose(t);
  if (p) return addressAt(p, 0);
  const tag = snap.catalog.get(t);
  const first = tag?.prefixes.find((x) => x.family === 4) ?? tag?.prefixes[0];
  if (first) return addressAt(first, 0);
  if (t.toLowerCase() === "internet") return { family: 4, value: 0x01010101 };
  if (t.toLowerCase() === "virtualnetwork") return local;
  throw ArmErrors.invalidParameter(`'${text}' is not an IP address, a CIDR, a service tag or *.`, path);
}

function nsgProtocol(text: string, path: string): NsgProtocol {
  const t = text.trim().toLowerCase();
  if (t === "tcp" || t === "*") return "Tcp";
  if (t === "udp") return "Udp";
  if (t === "icmp") return "Icmp";
  throw ArmErrors.invalidParameter(`'${text}' is not a valid protocol: expected TCP, UDP, ICMP or *.`, path);
}

async function networkConfigurationDiagnostic(ctx: Ctx, watcher: ArmResource): Promise<ArmResponse> {
  const b = bodyOf(ctx);
  const targetId = str(b, "targetResourceId");
  const profiles = b.profiles;
  if (!Array.isArray(profiles) || profiles.length === 0)
    throw ArmErrors.invalidParameter(
      "Required parameter 'profiles' must list at least one profile.",
      "profiles",
    );
  const snap = await currentSnapshot(ctx);
  const t = targetOf(snap, targetId, undefined, undefined, "targetResourceId");
  const local = t.cfg.privateAddress;
  const results = profiles.map((raw, i) => {
    if (!raw || typeof raw !== "object")
      throw ArmErrors.invalidParameter(`profiles[${i}] must be an object.`, `profiles[${i}]`);
    const pr = raw as Body;
    const at = (n: string) => `profiles[${i}].${n}`;
    const dir = direction(str(pr, "direction", at("direction")), at("direction"));
    const out = dir === "Outbound";
    const src = representative(snap, str(pr, "source", at("source")), local, out, at("source"));
    const dst = representative(
      snap,
      str(pr, "destination", at("destination")),
      local,
      !out,
      at("destination"),
    );
    const packet: Packet = {
      direction: dir,
      protocol: nsgProtocol(str(pr, "protocol", at("protocol")), at("protocol")),
      source: src,
      sourcePort: 49152,
      destination: dst,
      destinationPort: port(str(pr, "destinationPort", at("destinationPort")), at("destinationPort")),
      ...(out ? { sourceAsgs: t.cfg.asgs } : { destinationAsgs: t.cfg.asgs }),
    };
    let access: "Allow" | "Deny" = "Allow";
    const evaluated = orderForDirection(
      dir,
      t.subnet.nsgId ? { id: t.subnet.nsgId, appliedTo: t.subnet.id } : undefined,
      t.nic.nsgId ? { id: t.nic.nsgId, appliedTo: t.nic.id } : undefined,
    ).flatMap(({ nsg: ref }) => {
      const nsg = snap.nsg(ref.id);
      const c = compiled(snap, ref.id, t.subnet);
      if (!nsg || !c) return [];
      const v = c.evaluate(packet);
      if (v.access === "Deny") access = "Deny";
      const rulesEvaluationResult = orderedRules(nsg)
        .filter((r) => r.direction === dir)
        .map((r) => ({
          name: `${r.isDefault ? "defaultSecurityRules" : "securityRules"}/${r.name}`,
          protocolMatched: fieldMatches(snap, t.subnet, nsg, r.rule, packet, "protocol"),
          sourceMatched: fieldMatches(snap, t.subnet, nsg, r.rule, packet, "source"),
          sourcePortMatched: fieldMatches(snap, t.subnet, nsg, r.rule, packet, "sourcePort"),
          destinationMatched: fieldMatches(snap, t.subnet, nsg, r.rule, packet, "destination"),
          destinationPortMatched: fieldMatches(snap, t.subnet, nsg, r.rule, packet, "destinationPort"),
        }));
      return [
        {
          networkSecurityGroupId: nsg.id,
          appliedTo: ref.appliedTo,
          matchedRule: { ruleName: v.ruleName, action: v.access },
          rulesEvaluationResult,
        },
      ];
    });
    return {
      profile: {
        direction: dir,
        protocol: pr.protocol,
        source: pr.source,
        destination: pr.destination,
        destinationPort: pr.destinationPort,
      },
      networkSecurityGroupResult: {
        securityRuleAccessResult: access,
        evaluatedNetworkSecurityGroups: evaluated,
      },
    };
  });
  return accept(ctx, watcher, { results });
}

// ---------------------------------------------------------------------------------------------
// connectivityCheck

interface Issue {
  origin: "Local" | "Inbound" | "Outbound";
  severity: "Error" | "Warning";
  type: string;
  context: Array<Record<string, string>>;
}

interface Hop {
  type: string;
  id: string;
  address: string;
  resourceId: string;
  nextHopIds: string[];
  issues: Issue[];
}

function ctxPairs(pairs: Array<[string, string | undefined]>): Array<Record<string, string>> {
  return pairs
    .filter((p): p is [string, string] => p[1] !== undefined && p[1] !== "")
    .map(([key, value]) => ({ key, value }));
}

/** `securityRules/x` → `UserRule_x`, `defaultSecurityRules/x` → `DefaultRule_x` (connectivity check's naming). */
function connectivityRuleName(rule: string | undefined): string | undefined {
  if (!rule) return undefined;
  if (rule.startsWith("securityRules/")) return `UserRule_${rule.slice("securityRules/".length)}`;
  if (rule.startsWith("defaultSecurityRules/"))
    return `DefaultRule_${rule.slice("defaultSecurityRules/".length)}`;
  return rule;
}

function ipConfigIdOf(snap: Snapshot, nicId: string, addressText: string | undefined): string {
  const nic = snap.nic(nicId);
  const a = addressText ? tryParseAddress(addressText) : undefined;
  const cfg =
    nic?.ipConfigs.find((c) => (a ? addressEquals(c.privateAddress, a) : c.primary)) ?? nic?.ipConfigs[0];
  return cfg?.id ?? nicId;
}

/** Azure's hops and issues for a decision, in path order. */
export function hopsOf(snap: Snapshot, d: Decision, newId: () => string): Hop[] {
  const hops: Hop[] = [];
  const early: Issue[] = [];
  const inbound: Issue[] = [];
  const destination: Issue[] = [];
  let current: Hop | undefined;
  let routeIssue = false;
  const add = (hop: Hop) => {
    if (current) current.nextHopIds.push(hop.id);
    hops.push(hop);
    current = hop;
  };
  const onCurrent = (i: Issue) => (current ? current.issues.push(i) : early.push(i));
  for (const s of d.steps) {
    const data = (s.data ?? {}) as Record<string, unknown>;
    switch (s.kind) {
      case "Source": {
        if (!s.resourceId) break;
        const addr = typeof data.privateAddress === "string" ? data.privateAddress : "";
        add({
          type: hops.length === 0 ? "Source" : "VirtualAppliance",
          id: newId(),
          address: addr,
          resourceId: ipConfigIdOf(snap, s.resourceId, addr),
          nextHopIds: [],
          issues: [],
        });
        if (hops.length === 1) current!.issues.push(...early.splice(0));
        break;
      }
      case "Dns":
        if (s.result === "Denied")
          early.push({
            origin: "Local",
            severity: "Error",
            type: "DnsResolution",
            context: ctxPairs([["HostName", typeof data.host === "string" ? data.host : undefined]]),
          });
        break;
      case "Route":
        if (s.result === "Denied") {
          routeIssue = true;
          onCurrent({
            origin: "Outbound",
            severity: "Error",
            type: data.source === "User" ? "UserDefinedRoute" : "Platform",
            context: ctxPairs([
              ["RouteType", data.source === "User" ? "User" : "System"],
              ["RouteName", s.rule],
            ]),
          });
        }
        break;
      case "NetworkSecurityGroup":
        if (s.result === "Denied") {
          const issue: Issue = {
            origin: data.direction === "Inbound" ? "Inbound" : "Outbound",
            severity: "Error",
            type: "NetworkSecurityRule",
            context: ctxPairs([["RuleName", connectivityRuleName(s.rule)]]),
          };
          if (data.direction === "Inbound") inbound.push(issue);
          else onCurrent(issue);
        }
        break;
      case "ServiceEndpoint":
        if (s.result === "Denied")
          onCurrent({
            origin: "Outbound",
            severity: "Error",
            type: "Platform",
            context: ctxPairs([["Reason", s.detail]]),
          });
        break;
      case "ServiceEndpointPolicy":
        if (s.result === "Denied")
          onCurrent({
            origin: "Outbound",
            severity: "Error",
            type: "ServiceEndpointPolicy",
            context: ctxPairs([["PolicyId", s.resourceId]]),
          });
        break;
      case "ServiceFirewall":
        if (s.result === "Denied" && destination.length === 0) {
          destination.push({
            origin: "Inbound",
            severity: "Error",
            type: "ServiceFirewall",
            context: ctxPairs([
              ["RuleName", s.rule],
              ["ErrorCode", d.error?.code],
              ["SourceAddress", d.sourceAddress],
            ]),
          });
        }
        break;
      default:
        break;
    }
  }
  if (!routeIssue) {
    for (const b of d.blockers) {
      if (b.kind !== "Route") continue;
      onCurrent({
        origin: "Outbound",
        severity: "Error",
        type: "UserDefinedRoute",
        context: ctxPairs([
          ["RouteName", b.rule],
          ["Reason", b.reason],
        ]),
      });
    }
  }
  if (!d.destinationAddress) return hops;
  let dest: Hop;
  if (d.destinationResourceId) {
    dest = {
      type: d.viaServiceEndpoint ? "VirtualNetworkServiceEndpoint" : "Internet",
      id: newId(),
      address: d.destinationAddress,
      resourceId: d.destinationResourceId,
      nextHopIds: [],
      issues: [],
    };
  } else {
    const a = tryParseAddress(d.destinationAddress);
    const target = a ? snap.nicsByPrivateAddress(a)[0] : undefined;
    if (target && d.nextHopType !== "Internet") {
      dest = {
        type: d.nextHopType,
        id: newId(),
        address: d.destinationAddress,
        resourceId: target.ipConfig.id,
        nextHopIds: [],
        issues: [],
      };
    } else if (d.nextHopType === "Internet") {
      dest = {
        type: "Internet",
        id: newId(),
        address: d.destinationAddress,
        resourceId: "Internet",
        nextHopIds: [],
        issues: [],
      };
    } else {
      dest = {
        type: "Destination",
        id: newId(),
        address: d.destinationAddress,
        resourceId: "Unknown",
        nextHopIds: [],
        issues: [],
      };
    }
  }
  dest.issues.push(...inbound, ...destination);
  add(dest);
  return hops;
}

function serviceFirewallOf(d: Decision): Record<string, unknown> | undefined {
  const fw = d.steps.find((s: Step) => s.kind === "ServiceFirewall");
  if (!fw || !d.destinationResourceId) return undefined;
  return {
    resourceId: d.destinationResourceId,
    result: fw.result,
    ...(fw.rule ? { rule: fw.rule } : {}),
    detail: fw.detail,
    sourceAddress: d.sourceAddress,
    ...(d.sourceSubnetId ? { subnetId: d.sourceSubnetId } : {}),
    viaServiceEndpoint: d.viaServiceEndpoint,
    ...(fw.result === "Denied" && d.error ? { error: d.error } : {}),
  };
}

function destinationOf(snap: Snapshot, dst: Body): { dest: FlowDestination; port?: number } {
  const resourceId = dst.resourceId;
  const addressText = dst.address;
  const portV = dst.port;
  let p = typeof portV === "number" && portV > 0 ? portV : undefined;
  if (typeof resourceId === "string" && resourceId !== "") {
    if (snap.service(resourceId))
      return { dest: { kind: "resource", resourceId }, ...(p ? { port: p } : {}) };
    const vm = snap.vm(resourceId);
    const nic = vm ? vm.nicIds.map((id) => snap.nic(id)).find((n) => n) : snap.nic(resourceId);
    const cfg = nic?.ipConfigs.find((c) => c.primary) ?? nic?.ipConfigs[0];
    if (!cfg) notFound(resourceId);
    return { dest: { kind: "ip", address: formatAddress(cfg.privateAddress) }, ...(p ? { port: p } : {}) };
  }
  if (typeof addressText !== "string" || addressText.trim() === "") {
    throw ArmErrors.invalidParameter("The destination needs a resourceId or an address.", "destination");
  }
  let host = addressText.trim();
  const url = /^(https?):\/\/([^/:?#]+)(?::(\d+))?/i.exec(host);
  if (url) {
    host = url[2]!;
    p ??= url[3] ? Number(url[3]) : url[1]!.toLowerCase() === "https" ? 443 : 80;
  }
  const dest: FlowDestination = tryParseAddress(host)
    ? { kind: "ip", address: host }
    : { kind: "host", host };
  return { dest, ...(p ? { port: p } : {}) };
}

async function connectivityCheck(ctx: Ctx, watcher: ArmResource): Promise<ArmResponse> {
  const b = bodyOf(ctx);
  const source = b.source as Body | undefined;
  const dst = b.destination as Body | undefined;
  if (!source || typeof source !== "object")
    throw ArmErrors.invalidParameter("Required parameter 'source' is missing.", "source");
  if (!dst || typeof dst !== "object")
    throw ArmErrors.invalidParameter("Required parameter 'destination' is missing.", "destination");
  const sourceId = str(source, "resourceId", "source.resourceId");
  const protocol = (optStr(b, "protocol") ?? "Tcp").toLowerCase();
  if (protocol === "icmp")
    throw ArmErrors.featureNotSupported("connectivityCheck over Icmp (Tcp, Http and Https are evaluated)");
  if (!["tcp", "http", "https"].includes(protocol))
    throw ArmErrors.invalidParameter(
      `'${textOf(b.protocol)}' is not a valid protocol: expected Tcp, Http, Https or Icmp.`,
      "protocol",
    );
  const snap = await currentSnapshot(ctx);
  const srcType = typeOf(sourceId);
  if (srcType !== VM_TYPE)
    throw ArmErrors.invalidParameter(`'${sourceId}' is not a virtual machine id.`, "source.resourceId");
  if (!snap.vm(sourceId)) notFound(sourceId);
  const { dest, port: destPort } = destinationOf(snap, dst);
  const defaultPort = protocol === "https" ? 443 : protocol === "http" ? 80 : undefined;
  const p = destPort ?? defaultPort;
  const flow: Flow = {
    source: { kind: "vm", vmId: sourceId },
    destination: dest,
    protocol: "Tcp",
    ...(p ? { port: p } : {}),
  };
  const d = evaluate(snap, flow);
  diagnosticsOf(ctx.deps).record(sourceId, d, "connectivityCheck");
  const reachable = d.decision === "Allowed";
  const result: Record<string, unknown> = {
    hops: hopsOf(snap, d, () => ctx.deps.ids.guid()),
    connectionStatus: reachable ? "Reachable" : "Unreachable",
    probesSent: 100,
    probesFailed: reachable ? 0 : 100,
  };
  const fw = serviceFirewallOf(d);
  if (fw) result.serviceFirewall = fw;
  result.trace = d.steps;
  result.fixes = d.blockers;
  return accept(ctx, watcher, result);
}

function action(fn: (ctx: Ctx, watcher: ArmResource) => Promise<ArmResponse>): ActionHandler {
  return { methods: ["POST"], handle: fn };
}

/** The Network Watcher actions Lazurite answers, keyed by lower-cased action name. */
export const networkWatcherActions: Readonly<Record<string, ActionHandler>> = {
  ipflowverify: action(ipFlowVerify),
  nexthop: action(nextHop),
  securitygroupview: action(securityGroupView),
  networkconfigurationdiagnostic: action(networkConfigurationDiagnostic),
  connectivitycheck: action(connectivityCheck),
};
