/**
 * The writes the portal proposes, as whole ARM bodies built from what a GET answered: a PUT
 * replaces the whole object, so every property the user did not touch is carried over (a
 * subnet PUT that leaves out `serviceEndpoints` would remove them: SE-CFG-7). Pure.
 */
import { key, type Res } from "./model.js";

const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A write body from a GET answer: the same object without its etag and read-only identity fields. */
export function bodyOf(r: Res): Record<string, any> {
  const b = clone(r) as Record<string, any>;
  delete b.etag;
  return b;
}

/**
 * The subnet's PUT body with the given endpoint services on: kept endpoints keep their
 * locations and every other field, new ones get `locations` when given, and every other
 * property of the subnet is kept as it is.
 */
export function subnetWithEndpoints(
  subnet: Res,
  services: readonly string[],
  locations: Record<string, string[]> = {},
): Record<string, any> {
  const b = bodyOf(subnet);
  const props = (b.properties ??= {});
  const want = new Map(services.map((s) => [s.toLowerCase(), s]));
  const kept = list(props.serviceEndpoints).filter((e) => want.has(String(e?.service ?? "").toLowerCase()));
  const have = new Set(kept.map((e) => String(e.service).toLowerCase()));
  for (const e of kept) {
    const loc = locations[String(e.service)];
    if (loc && loc.length > 0) e.locations = loc;
  }
  for (const [k, s] of want)
    if (!have.has(k)) kept.push({ service: s, ...(locations[s]?.length ? { locations: locations[s] } : {}) });
  props.serviceEndpoints = kept;
  return b;
}

export type NetworkMode = "all" | "selected" | "disabled";

export interface NetworkingEdit {
  mode: NetworkMode;
  subnetIds: string[];
  ipRanges: string[];
  /** Storage: `AzureServices`, `Logging`, `Metrics`; Key Vault: `AzureServices`. */
  bypass: string[];
}

/** Storage accounts and Key Vaults keep their firewall in `properties.networkAcls`. */
export function editableNetworking(type: string): boolean {
  return ["microsoft.storage/storageaccounts", "microsoft.keyvault/vaults"].includes(type.toLowerCase());
}

/** What the resource's Networking page shows now. */
export function networkingOf(r: Res): NetworkingEdit {
  const p = r.properties ?? {};
  const acls = p.networkAcls ?? {};
  const disabled = String(p.publicNetworkAccess ?? "").toLowerCase() === "disabled";
  const deny = String(acls.defaultAction ?? "Allow").toLowerCase() === "deny";
  const bypass = String(acls.bypass ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s && s.toLowerCase() !== "none");
  return {
    mode: disabled ? "disabled" : deny ? "selected" : "all",
    subnetIds: list(acls.virtualNetworkRules)
      .map((v) => v?.id ?? v?.virtualNetworkResourceId)
      .filter((x): x is string => typeof x === "string"),
    ipRanges: list(acls.ipRules)
      .map((v) => v?.value ?? v?.ipAddressOrRange)
      .filter((x): x is string => typeof x === "string"),
    bypass,
  };
}

/** The resource's PUT body with its Networking page applied (`networkAcls`, `publicNetworkAccess`). */
export function withNetworking(r: Res, edit: NetworkingEdit): Record<string, any> {
  const b = bodyOf(r);
  const props = (b.properties ??= {});
  const acls = (props.networkAcls = { ...(props.networkAcls ?? {}) });
  const storage = r.type.toLowerCase() === "microsoft.storage/storageaccounts";
  const oldRules = new Map(list(acls.virtualNetworkRules).map((v) => [key(String(v?.id ?? "")), v]));
  acls.virtualNetworkRules = edit.subnetIds.map((id) => {
    const old = oldRules.get(key(id));
    if (old) {
      const copy = { ...old };
      delete copy.state;
      return copy;
    }
    return storage ? { id, action: "Allow" } : { id };
  });
  acls.ipRules = edit.ipRanges.map((value) => (storage ? { value, action: "Allow" } : { value }));
  acls.defaultAction = edit.mode === "all" ? "Allow" : "Deny";
  acls.bypass = edit.bypass.length > 0 ? edit.bypass.join(", ") : "None";
  if (edit.mode === "disabled" || props.publicNetworkAccess !== undefined)
    props.publicNetworkAccess = edit.mode === "disabled" ? "Disabled" : "Enabled";
  return b;
}

/** An address or CIDR range a firewall IP rule accepts (IPv4). */
export function validIpRange(text: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text.trim());
  return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && (m[5] === undefined || Number(m[5]) <= 32);
}

function ipv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const o = m.slice(1, 5).map(Number);
  return o.every((x) => x <= 255) ? ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0 : undefined;
}

/** Whether an IPv4 address falls in a firewall IP rule (an address or a CIDR range). */
export function ipInRange(address: string, range: string): boolean {
  const [base, bits] = range.trim().split("/");
  const a = ipv4(address);
  const b = ipv4(base ?? "");
  if (a === undefined || b === undefined) return false;
  const n = bits === undefined ? 32 : Number(bits);
  if (!(n >= 0 && n <= 32)) return false;
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}
