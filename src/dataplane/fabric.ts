/**
 * The namespace fabric of `lazurite serve --data-plane` (Linux network namespaces, `ip` from
 * iproute2; root or CAP_NET_ADMIN):
 *
 *   VM namespace (one per VM: its NICs' private addresses on eth0)
 *     └─ veth ─ VNet namespace (one per VNet: a /32 route per NIC address, forwarding on; only the
 *                 edge's service addresses are routed on, nothing else: no route to the host)
 *                 └─ veth ─ edge namespace (the service front doors on the public addresses that
 *                             the services' host names resolve to, SE-SRC-4, and the DNS server
 *                             on Azure's 168.63.129.16)
 *
 * Every name starts with `lzr<tag>-`, where the tag comes from the data directory: shutdown
 * removes every namespace of the tag (their veths go with them), and so does the next start
 * after a crash. Nothing is ever created in the host's own namespace.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Azure's virtual public address of the platform DNS (and wire server). */
export const AZURE_DNS = "168.63.129.16";
const GW_VM = "169.254.1.1";
const EDGE_SIDE = "169.254.0.1";
const VNET_SIDE = "169.254.0.2";

export interface VmPlan {
  vmId: string;
  name: string;
  vnetId: string;
  /** The NICs' private addresses (the first is the source of outgoing connections). */
  addresses: Array<{ address: string; nicId: string }>;
}

export interface FabricPlan {
  vnets: Array<{ vnetId: string; prefixes: string[] }>;
  vms: VmPlan[];
  /** Public addresses of the front doors (plus the DNS address). */
  edgeAddresses: string[];
}

export interface FabricVm extends VmPlan {
  namespace: string;
}

/** The prefix of every namespace of one data directory. */
export function fabricTag(dataDir: string): string {
  return `lzr${createHash("sha256").update(dataDir).digest("hex").slice(0, 4)}-`;
}

function short(id: string): string {
  return createHash("sha256").update(id.toLowerCase()).digest("hex").slice(0, 8);
}

async function ip(...args: string[]): Promise<void> {
  try {
    await run("ip", args);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(" ")}: ${(err.stderr ?? err.message).trim()}`);
  }
}

/** Can this process create network namespaces? (one line why not, else undefined) */
export async function fabricUnavailable(): Promise<string | undefined> {
  if (process.platform !== "linux") return "network namespaces need Linux";
  const probe = `lzrprobe-${process.pid}`;
  try {
    await ip("netns", "add", probe);
    await ip("netns", "del", probe);
    return undefined;
  } catch (e) {
    const m = (e as Error).message;
    if (/ENOENT|not found/.test(m) && !/netns/.test(m)) return "the `ip` command (iproute2) is not installed";
    return "creating network namespaces needs root or CAP_NET_ADMIN (run lazurite serve --data-plane as root)";
  }
}

export async function listNamespaces(prefix: string): Promise<string[]> {
  try {
    return readdirSync("/var/run/netns").filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
}

export class Fabric {
  readonly edge: string;
  private readonly vnets = new Map<string, string>();
  private readonly vms = new Map<string, FabricVm>();
  private edgeAddrs = new Set<string>();

  constructor(readonly prefix: string) {
    this.edge = `${prefix}edge`;
  }

  /** Removes every namespace (and its links) of this prefix, and their /etc/netns files. */
  async cleanup(): Promise<number> {
    const names = await listNamespaces(this.prefix);
    for (const n of names) {
      await ip("netns", "del", n).catch(() => undefined);
      rmSync(join("/etc/netns", n), { recursive: true, force: true });
    }
    this.vnets.clear();
    this.vms.clear();
    this.edgeAddrs.clear();
    return names.length;
  }

  async start(): Promise<void> {
    await this.cleanup();
    await ip("netns", "add", this.edge);
    await ip("-n", this.edge, "link", "set", "lo", "up");
    await this.addEdgeAddress(AZURE_DNS);
  }

  vm(nameOrId: string): FabricVm | undefined {
    const k = nameOrId.toLowerCase();
    for (const v of this.vms.values()) if (v.vmId.toLowerCase() === k || v.name.toLowerCase() === k) return v;
    return undefined;
  }

  listVms(): FabricVm[] {
    return [...this.vms.values()];
  }

  /** The NIC behind a source address the edge saw (first VM holding it). */
  nicOf(address: string): { vm: FabricVm; nicId: string } | undefined {
    for (const vm of this.vms.values()) {
      const a = vm.addresses.find((x) => x.address === address);
      if (a) return { vm, nicId: a.nicId };
    }
    return undefined;
  }

  private async addEdgeAddress(a: string): Promise<void> {
    if (this.edgeAddrs.has(a)) return;
    await ip("-n", this.edge, "addr", "add", `${a}/32`, "dev", "lo");
    this.edgeAddrs.add(a);
    for (const ns of this.vnets.values())
      await ip("-n", ns, "route", "replace", `${a}/32`, "via", EDGE_SIDE, "dev", "edge0");
  }

  private async addVnet(vnetId: string, prefixes: string[]): Promise<string> {
    const existing = this.vnets.get(vnetId.toLowerCase());
    if (existing) return existing;
    const h = short(vnetId);
    const ns = `${this.prefix}n${h}`;
    await ip("netns", "add", ns);
    await ip("-n", ns, "link", "set", "lo", "up");
    await run("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    const edgeIf = `e${h}`;
    await ip("-n", ns, "link", "add", "edge0", "type", "veth", "peer", "name", edgeIf, "netns", this.edge);
    await ip("-n", ns, "addr", "add", `${VNET_SIDE}/32`, "dev", "edge0");
    await ip("-n", ns, "link", "set", "edge0", "up");
    await ip("-n", ns, "route", "add", `${EDGE_SIDE}/32`, "dev", "edge0", "scope", "link");
    await ip("-n", this.edge, "addr", "add", `${EDGE_SIDE}/32`, "dev", edgeIf);
    await ip("-n", this.edge, "link", "set", edgeIf, "up");
    await ip("-n", this.edge, "route", "add", `${VNET_SIDE}/32`, "dev", edgeIf, "scope", "link");
    // Overlapping VNets: the edge routes a prefix back to the first VNet that claims it.
    for (const p of prefixes)
      await ip("-n", this.edge, "route", "add", p, "via", VNET_SIDE, "dev", edgeIf).catch(() => undefined);
    for (const a of this.edgeAddrs)
      await ip("-n", ns, "route", "replace", `${a}/32`, "via", EDGE_SIDE, "dev", "edge0");
    this.vnets.set(vnetId.toLowerCase(), ns);
    return ns;
  }

  private async addVm(plan: VmPlan, vnetNs: string): Promise<FabricVm> {
    const h = short(plan.vmId);
    const ns = `${this.prefix}v${h}`;
    await ip("netns", "add", ns);
    await ip("-n", ns, "link", "set", "lo", "up");
    const peer = `v${h}`;
    await ip("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", peer, "netns", vnetNs);
    for (const a of plan.addresses) await ip("-n", ns, "addr", "add", `${a.address}/32`, "dev", "eth0");
    await ip("-n", ns, "link", "set", "eth0", "up");
    await ip("-n", ns, "route", "add", `${GW_VM}/32`, "dev", "eth0", "scope", "link");
    const src = plan.addresses[0]?.address;
    await ip("-n", ns, "route", "add", "default", "via", GW_VM, "dev", "eth0", ...(src ? ["src", src] : []));
    await ip("-n", vnetNs, "addr", "add", `${GW_VM}/32`, "dev", peer);
    await ip("-n", vnetNs, "link", "set", peer, "up");
    for (const a of plan.addresses) await ip("-n", vnetNs, "route", "add", `${a.address}/32`, "dev", peer);
    // `ip netns exec` bind-mounts /etc/netns/NAME/* over /etc: the VM's resolver is Azure's DNS address.
    mkdirSync(join("/etc/netns", ns), { recursive: true });
    writeFileSync(
      join("/etc/netns", ns, "resolv.conf"),
      `nameserver ${AZURE_DNS}\noptions timeout:2 attempts:1\n`,
    );
    const vm: FabricVm = { ...plan, namespace: ns };
    this.vms.set(plan.vmId.toLowerCase(), vm);
    return vm;
  }

  private async removeVm(vm: FabricVm): Promise<void> {
    await ip("netns", "del", vm.namespace).catch(() => undefined);
    rmSync(join("/etc/netns", vm.namespace), { recursive: true, force: true });
    this.vms.delete(vm.vmId.toLowerCase());
  }

  /** Brings the fabric to a plan: new VMs/VNets/addresses appear, deleted ones disappear. */
  async apply(plan: FabricPlan): Promise<{ added: number; removed: number }> {
    for (const a of plan.edgeAddresses) await this.addEdgeAddress(a);
    const vnetPrefixes = new Map(plan.vnets.map((v) => [v.vnetId.toLowerCase(), v.prefixes]));
    let added = 0;
    let removed = 0;
    const wanted = new Map(plan.vms.map((v) => [v.vmId.toLowerCase(), v]));
    for (const [k, vm] of [...this.vms]) {
      const want = wanted.get(k);
      const same =
        want &&
        want.vnetId.toLowerCase() === vm.vnetId.toLowerCase() &&
        JSON.stringify(want.addresses) === JSON.stringify(vm.addresses);
      if (!same) {
        await this.removeVm(vm);
        removed += 1;
      }
    }
    for (const [k, plan1] of wanted) {
      if (this.vms.has(k) || plan1.addresses.length === 0) continue;
      const vnetNs = await this.addVnet(plan1.vnetId, vnetPrefixes.get(plan1.vnetId.toLowerCase()) ?? []);
      await this.addVm(plan1, vnetNs);
      added += 1;
    }
    return { added, removed };
  }

  /** Runs a node program inside the edge namespace (IPC channel open). */
  edgeCommand(): { command: string; args: string[] } {
    return { command: "ip", args: ["netns", "exec", this.edge] };
  }
}
