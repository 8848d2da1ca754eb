/**
 * Service firewalls restated by hand for the reference evaluator: Storage (`networkAcls`),
 * the SQL family (child `virtualNetworkRules` / `firewallRules`) and Key Vault (`networkAcls`),
 * each as one straight-line function over the raw ARM JSON (SE-ACL-1, 5, 7, 8, 9; SE-SRC-5;
 * SE-SCN-4). The other services (Cosmos DB, Service Bus / Event Hubs, Data Lake Store, Container
 * Registry) are delegated to the engine's `evaluateFirewall`, so they are not cross-checked.
 *
 * A refusal returns the fixes it would offer as stable keys (`addIp:1.2.3.4`, `viaEndpoint`, …):
 * the engine lists one blocker per distinct fix, so the reference needs the same count.
 */
import type { Address } from "../../src/model/ip.js";
import { parsePrefixDetailed, tryParseAddress } from "../../src/model/ip.js";
import { sameId } from "../../src/model/resource-id.js";
import type { ArmResource } from "../../src/model/resources/common.js";
import { evaluateFirewall } from "../../src/engine/firewalls/index.js";
import type { FirewallInput } from "../../src/engine/firewalls/index.js";
import { arr, contains, inRange, isPublic, lower } from "./linear.js";

export interface RefFirewallResult {
  allowed: boolean;
  /** The service's data-plane error code when refused. */
  errorCode?: string;
  /** One key per distinct fix the engine would offer (the engine lists one blocker per fix). */
  fixes: string[];
}

/** What the firewall is told about one request (the same facts the engine's FirewallInput carries). */
export interface RefFirewallInput {
  resource: ArmResource;
  children: ArmResource[];
  source: Address;
  /** Present only over a service endpoint. */
  subnetId?: string;
  subnetHasEndpoint: (subnetId: string) => boolean;
  fromAzure: boolean;
  sameRegionAzure: boolean;
  purpose: "rest" | "disk";
}

function matchCidr(text: unknown, a: Address): boolean {
  if (typeof text !== "string") return false;
  const r = parsePrefixDetailed(text.trim());
  const p = r.ok ? r.prefix : r.reason === "hostBits" ? r.normalized : undefined;
  return p !== undefined && contains(p, a);
}

function isAllowAction(v: unknown): boolean {
  return v === undefined || lower(v) === "allow";
}

/** Over the endpoint: the first rule naming the caller's subnet admits unless stale; else the fix. */
function vnetRuleCheck(
  rules: Array<{ rule: string; subnetId: string; stale: boolean }>,
  input: RefFirewallInput,
): { admitted: boolean; fix: string } {
  let staleRule: string | undefined;
  for (const r of rules) {
    if (!sameId(r.subnetId, input.subnetId!)) continue;
    if (!r.stale && input.subnetHasEndpoint(r.subnetId)) return { admitted: true, fix: "" };
    staleRule ??= r.rule;
  }
  return {
    admitted: false,
    fix: staleRule !== undefined ? `readd:${staleRule}:${input.subnetId}` : `addVnet:${input.subnetId}`,
  };
}

export function storageFirewall(input: RefFirewallInput): RefFirewallResult {
  if (input.purpose === "disk") return { allowed: true, fixes: [] };
  const props = (input.resource.properties ?? {}) as Record<string, any>;
  const acls = (props.networkAcls ?? { defaultAction: "Allow" }) as Record<string, any>;
  // `bypass` admits only trusted Microsoft services, and evaluate() never models such a caller.
  const deny = { allowed: false, errorCode: "AuthorizationFailure" };
  if (lower(props.publicNetworkAccess) === "disabled") return { ...deny, fixes: ["disabled"] };
  if (lower(acls.defaultAction) !== "deny") return { allowed: true, fixes: [] };
  const via = input.subnetId !== undefined;
  if (via) {
    const rules = arr(acls.virtualNetworkRules as any[]).flatMap((r, i) =>
      r && typeof r.id === "string" && isAllowAction(r.action)
        ? [
            {
              rule: `vnet[${i}]`,
              subnetId: r.id as string,
              stale: ["networksourcedeleted", "failed", "deprovisioning"].includes(lower(r.state)),
            },
          ]
        : [],
    );
    const v = vnetRuleCheck(rules, input);
    return v.admitted ? { allowed: true, fixes: [] } : { ...deny, fixes: [v.fix] };
  }
  const pub = isPublic(input.source);
  // SE-SRC-5: a same-region Azure caller reaches the account from a private Azure address.
  if (pub && !input.sameRegionAzure) {
    for (const r of arr(acls.ipRules as any[])) {
      if (r && isAllowAction(r.action) && matchCidr(r.value, input.source))
        return { allowed: true, fixes: [] };
    }
    return { ...deny, fixes: [`addIp:${input.source.value}`] };
  }
  return { ...deny, fixes: ["viaEndpoint"] };
}

function sqlErrorCode(type: string, via: boolean): string {
  switch (lower(type)) {
    case "microsoft.dbforpostgresql/servers":
      return "28000";
    case "microsoft.dbformysql/servers":
    case "microsoft.dbformariadb/servers":
      return via ? "9009" : "9000";
    default:
      return via ? "40914" : "40615";
  }
}

export function sqlFirewall(input: RefFirewallInput): RefFirewallResult {
  const via = input.subnetId !== undefined;
  const deny = { allowed: false, errorCode: sqlErrorCode(String(input.resource.type), via) };
  const props = (input.resource.properties ?? {}) as Record<string, any>;
  if (lower(props.publicNetworkAccess) === "disabled") return { ...deny, fixes: ["disabled"] };
  const vnetRules: Array<{ rule: string; subnetId: string; stale: boolean }> = [];
  const ranges: Array<{ start: string; end: string }> = [];
  let allowAzureRule = false;
  for (const c of input.children) {
    const t = lower(c?.type);
    const p = (c?.properties ?? {}) as Record<string, any>;
    if (t.endsWith("/servers/virtualnetworkrules")) {
      if (typeof p.virtualNetworkSubnetId === "string") {
        vnetRules.push({
          rule: `vnet/${c.name}`,
          subnetId: p.virtualNetworkSubnetId,
          stale: ["deleting", "unknown"].includes(lower(p.state)),
        });
      }
    } else if (t.endsWith("/servers/firewallrules")) {
      if (p.startIpAddress === "0.0.0.0" && p.endIpAddress === "0.0.0.0") allowAzureRule = true;
      else ranges.push({ start: p.startIpAddress, end: p.endIpAddress });
    }
  }
  if (via) {
    const v = vnetRuleCheck(vnetRules, input);
    return v.admitted
      ? { allowed: true, fixes: [] }
      : { ...deny, fixes: [v.fix, `sqlAlt:${input.subnetId}`] };
  }
  const pub = isPublic(input.source);
  if (!pub) return { ...deny, fixes: ["viaEndpoint"] };
  for (const r of ranges) {
    const s = typeof r.start === "string" ? tryParseAddress(r.start) : undefined;
    const e = typeof r.end === "string" ? tryParseAddress(r.end) : undefined;
    if (s && e && s.family === e.family && inRange(input.source, s, e)) return { allowed: true, fixes: [] };
  }
  // The 0.0.0.0 rule ("allow Azure services") admits any Azure public address.
  if (allowAzureRule && input.fromAzure) return { allowed: true, fixes: [] };
  const fixes = [`addIp:${input.source.value}`];
  if (input.fromAzure && !allowAzureRule) fixes.push("allowAzure");
  return { ...deny, fixes };
}

export function keyVaultFirewall(input: RefFirewallInput): RefFirewallResult {
  const props = (input.resource.properties ?? {}) as Record<string, any>;
  const acls = (props.networkAcls ?? undefined) as Record<string, any> | undefined;
  const deny = { allowed: false, errorCode: "ForbiddenByFirewall" };
  if (lower(props.publicNetworkAccess) === "disabled") return { ...deny, fixes: ["disabled"] };
  if (!acls || lower(acls.defaultAction) !== "deny") return { allowed: true, fixes: [] };
  if (input.subnetId !== undefined) {
    const rules = arr(acls.virtualNetworkRules as any[]).flatMap((r, i) =>
      r && typeof r.id === "string" ? [{ rule: `vnet[${i}]`, subnetId: r.id as string, stale: false }] : [],
    );
    const v = vnetRuleCheck(rules, input);
    return v.admitted ? { allowed: true, fixes: [] } : { ...deny, fixes: [v.fix] };
  }
  if (!isPublic(input.source)) return { ...deny, fixes: ["viaEndpoint"] };
  for (const r of arr(acls.ipRules as any[]))
    if (r && matchCidr(r.value, input.source)) return { allowed: true, fixes: [] };
  return { ...deny, fixes: [`addIp:${input.source.value}`] };
}

/** The firewall decision of any service resource: hand-restated for Storage, SQL family, Key Vault. */
export function referenceFirewall(input: RefFirewallInput): RefFirewallResult {
  switch (lower(input.resource.type)) {
    case "microsoft.storage/storageaccounts":
      return storageFirewall(input);
    case "microsoft.sql/servers":
    case "microsoft.dbforpostgresql/servers":
    case "microsoft.dbformysql/servers":
    case "microsoft.dbformariadb/servers":
      return sqlFirewall(input);
    case "microsoft.keyvault/vaults":
      return keyVaultFirewall(input);
    default: {
      // Delegated: the engine's own firewall module decides these services.
      const engineInput: FirewallInput = {
        resource: input.resource,
        children: input.children,
        sourceAddress: input.source,
        ...(input.subnetId !== undefined ? { subnetId: input.subnetId } : {}),
        subnetHasEndpoint: input.subnetHasEndpoint,
        fromAzure: input.fromAzure,
        sameRegionAzure: input.sameRegionAzure,
        trustedService: false,
        purpose: input.purpose,
      };
      const r = evaluateFirewall(engineInput);
      if (r.allowed) return { allowed: true, fixes: [] };
      const fixes = r.fixes.length > 0 ? r.fixes.map((f) => `${f.rule}|${f.fix}`) : ["generic"];
      return { allowed: false, ...(r.error ? { errorCode: r.error.code } : {}), fixes };
    }
  }
}
