/**
 * Source classes: network interfaces the engine cannot tell apart for one question (a
 * destination, a port, a protocol). Two NICs in the same class get the same verdict, the same
 * endpoint use, the same first blocker and the same service error; only the addresses in the
 * answer differ, and those follow the NIC (its private address, or the public address it leaves
 * Azure with) or are the same for the whole class (an appliance's, an on-premises edge's).
 *
 * A class is the atom of Delta-net / APKeep, specialised to what a decision reads from its
 * source: everything per subnet (routes, subnet NSG, endpoints, policies, state — the subnet key),
 * and per NIC only what the address-dependent predicates answer on its addresses: which rule of
 * the NIC's NSG and of the subnet's NSG the outbound packet hits (this covers application
 * security groups), and, for the service firewall, whether the address the service sees is
 * public, an Azure address and inside which IP rule. A path that reads the source's address
 * anywhere else (a private destination's inbound NSGs) makes every NIC its own class.
 *
 * Pure: derived from the snapshot alone (its memo slots make repeated questions cheap).
 */
import type { Address } from "../model/ip.js";
import { formatAddress, isPublicAddress } from "../model/ip.js";
import { resolveDestination } from "./destination.js";
import { firewallOf } from "./firewall-step.js";
import { applianceOf, publicAddressOf, privateText } from "./nic-path.js";
import type { Packet } from "./nsg.js";
import { nicNsg, subnetNsg } from "./nsg-step.js";
import { onPremEdge } from "./on-premises.js";
import { subnetRoutes } from "./routes.js";
import type { IpConfigInfo, NicInfo, Snapshot, SubnetInfo } from "./snapshot.js";
import type { Destination } from "./trace.js";
import type { FlowDestination, Protocol } from "./types.js";

/**
 * Where the source address of an answer comes from, for every member of a class:
 * `private` — the member's private address; `public` — the address it leaves Azure with;
 * `fixed` — the same for the whole class; `choose` — `private` or `public`, told by the class's
 * first decision (the Internet path, where an Azure AD endpoint keeps the private address).
 */
export type AddressMode = "private" | "public" | "fixed" | "choose";

export interface ClassQuestion {
  destination: FlowDestination;
  port?: number;
  protocol?: Protocol;
}

interface SubnetPlan {
  /** Every NIC of the subnet is its own class (the path reads the address where no class can follow it). */
  single: boolean;
  nsgs: boolean;
  firewallPrivate: boolean;
  firewallPublic: boolean;
  mode: AddressMode;
}

/** A NIC's class for one question: its key, and where the answer's source address comes from. */
export interface SourceClass {
  key: string;
  mode: AddressMode;
}

/**
 * Classifies the NICs of one snapshot for one question. Construction resolves the destination
 * as `evaluate` does and throws what it throws (ResourceNotFound, InvalidFlow).
 */
export class SourceClassifier {
  private readonly dst: Destination | undefined;
  private readonly protocol: Protocol;
  private readonly port: number;
  private readonly plans = new Map<string, SubnetPlan>();

  constructor(
    private readonly snap: Snapshot,
    q: ClassQuestion,
  ) {
    this.dst = resolveDestination(
      snap,
      { source: { kind: "internet", address: "0.0.0.0" }, destination: q.destination },
      { steps: [], blockers: [] },
    );
    this.protocol = q.protocol ?? "Tcp";
    this.port = q.port ?? this.dst?.service?.kind.defaultPort ?? 443;
  }

  /** The destination's address as answers print it (undefined: it did not resolve). */
  get destinationText(): string | undefined {
    const d = this.dst;
    return d ? (d.text ?? formatAddress(d.address)) : undefined;
  }

  /**
   * The class of a flow from `nic`'s configuration `cfg`, or undefined when the engine cannot start
   * there (its subnet is not in the snapshot: `evaluate` refuses with InvalidFlow).
   */
  classOf(nic: NicInfo, cfg: IpConfigInfo): SourceClass | undefined {
    const dst = this.dst;
    if (!dst) return { key: "", mode: "fixed" }; // decided before the source is read (DNS)
    const subnet = cfg.subnet ?? this.snap.subnet(cfg.subnetId);
    if (!subnet) return undefined;
    const plan = this.planOf(subnet, dst);
    if (plan.single) return { key: `${subnet.key}|=${nic.key}|${cfg.name}`, mode: "fixed" };
    let key = subnet.key;
    if (plan.nsgs) {
      const packet: Packet = {
        direction: "Outbound",
        protocol: this.protocol,
        source: cfg.privateAddress,
        sourcePort: 49152,
        destination: dst.address,
        destinationPort: this.port,
        sourceAsgs: cfg.asgs,
      };
      const own = nic.nsgId ? nicNsg(this.snap, nic, cfg, subnet) : undefined;
      const sub = subnet.nsgId ? subnetNsg(this.snap, subnet) : undefined;
      key += `|${own ? own.evaluate(packet).ruleId : "-"}|${sub ? sub.evaluate(packet).ruleId : "-"}`;
    }
    if (plan.firewallPrivate) key += `|${this.addressAtom(cfg.privateAddress)}`;
    if (plan.firewallPublic) key += `|${this.addressAtom(publicAddressOf(this.snap, nic, cfg).address)}`;
    return { key, mode: plan.mode };
  }

  /** What the service firewall can tell about an address: family, public, Azure, first IP rule. */
  private addressAtom(a: Address): string {
    const service = this.dst?.service;
    if (!service) return "";
    const fw = firewallOf(service);
    return `${a.family}${isPublicAddress(a) ? 1 : 0}${this.snap.catalog.isAzureAddress(a) ? 1 : 0}${fw ? fw.firstIpRule(a) : ""}`;
  }

  private planOf(subnet: SubnetInfo, dst: Destination): SubnetPlan {
    let p = this.plans.get(subnet.key);
    if (p) return p;
    const route = subnetRoutes(this.snap, subnet).lookup(dst.address);
    const fw = dst.service !== undefined;
    if (!route)
      p = { single: false, nsgs: false, firewallPrivate: fw, firewallPublic: false, mode: "private" };
    else {
      switch (route.nextHopType) {
        case "VirtualNetworkServiceEndpoint":
        case "None":
          p = { single: false, nsgs: true, firewallPrivate: fw, firewallPublic: false, mode: "private" };
          break;
        case "Internet":
          p = { single: false, nsgs: true, firewallPrivate: fw, firewallPublic: fw, mode: "choose" };
          break;
        case "VirtualAppliance":
          // Handed to an appliance: from there on the path is the appliance's, whoever sent it.
          p = applianceOf(this.snap, subnet, route)
            ? { single: false, nsgs: true, firewallPrivate: false, firewallPublic: false, mode: "fixed" }
            : { single: false, nsgs: true, firewallPrivate: fw, firewallPublic: false, mode: "private" };
          break;
        case "VirtualNetworkGateway":
          p =
            onPremEdge(this.snap, subnet.vnet, route).addresses.length > 0
              ? { single: false, nsgs: true, firewallPrivate: false, firewallPublic: false, mode: "fixed" }
              : { single: false, nsgs: true, firewallPrivate: fw, firewallPublic: false, mode: "private" };
          break;
        default:
          // A private destination: its inbound NSGs read the source address.
          p = { single: true, nsgs: false, firewallPrivate: false, firewallPublic: false, mode: "fixed" };
      }
    }
    this.plans.set(subnet.key, p);
    return p;
  }
}

/** The two addresses of a configuration an answer may show: private, and the one it leaves Azure with. */
export function sourceAddressesOf(
  snap: Snapshot,
  nic: NicInfo,
  cfg: IpConfigInfo,
): { privateText: string; publicText: string } {
  return { privateText: privateText(cfg), publicText: publicAddressOf(snap, nic, cfg).text };
}
