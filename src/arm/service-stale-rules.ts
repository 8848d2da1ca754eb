/**
 * SE-ACL-8: when a subnet is deleted (alone, or with its VNet) or loses a service endpoint, the
 * VNet rules that name it stay on their resources in the state the real API reports, and match
 * nothing — even once the endpoint is back; the rule has to be written again.
 *
 * - Storage: the rule's `state` becomes `networkSourceDeleted` (azure-facts §1b.1; the engine
 *   treats it as stale). Removing the rule and adding it again validates it afresh (`succeeded`).
 * - SQL family (SQL, PostgreSQL, MySQL, MariaDB): the rule's `state` becomes `Unknown` (our choice
 *   among the API's `Initializing|InProgress|Ready|Deleting|Unknown`, see docs/fidelity.md); a
 *   PUT of the rule re-validates it (`Ready`).
 * - Key Vault, Cosmos DB, Service Bus, Event Hubs, Data Lake Store, Container Registry rules have
 *   no state field: nothing is written, and the engine matches them again once the subnet
 *   carries the endpoint (a documented deviation).
 *
 * Runs inside the write's transaction (ChangeHooks.inTransaction), reacting only to VNet
 * changes. Finding the rules is a scan of the two document types that carry state (storage
 * accounts, SQL-family VNet rules), filtered by the subnets that lost something.
 */
import { sqlVirtualNetworkRuleType, type SqlFlavor } from "../model/resources/sql-server.js";
import { STORAGE_ACCOUNT_TYPE } from "../model/resources/storage-account.js";
import type { ArmResource } from "../model/resources/common.js";
import { idKey } from "../model/resource-id.js";
import type { Ctx, ResourceChange } from "./context.js";
import { UnitOfWork } from "./unit-of-work.js";

export const STALE_STORAGE_STATE = "networkSourceDeleted";
export const STALE_SQL_STATE = "Unknown";

const VNET_TYPE = "microsoft.network/virtualnetworks";
const SQL_FLAVORS: readonly SqlFlavor[] = ["sql", "postgresql", "mysql", "mariadb"];

/** Per subnet key: deleted, or the lower-cased endpoint services it lost. */
export type LostEndpoints = Map<string, "deleted" | Set<string>>;

function endpointsBySubnet(vnet: ArmResource | undefined): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const subnets = vnet?.properties?.subnets;
  if (!Array.isArray(subnets)) return out;
  for (const s of subnets as ArmResource[]) {
    if (typeof s?.id !== "string") continue;
    const eps = s.properties?.serviceEndpoints;
    out.set(
      idKey(s.id),
      new Set(
        Array.isArray(eps)
          ? eps.map((e) => String((e as { service?: unknown })?.service ?? "").toLowerCase())
          : [],
      ),
    );
  }
  return out;
}

/** What the VNet changes of a commit took away from subnets. */
export function lostEndpoints(changes: readonly ResourceChange[]): LostEndpoints {
  const lost: LostEndpoints = new Map();
  for (const c of changes) {
    if (c.type.toLowerCase() !== VNET_TYPE || !c.before) continue;
    const before = endpointsBySubnet(c.before);
    const after = endpointsBySubnet(c.after);
    for (const [key, services] of before) {
      const now = after.get(key);
      if (!now) {
        lost.set(key, "deleted");
        continue;
      }
      const gone = [...services].filter((s) => !now.has(s));
      if (gone.length === 0) continue;
      const prev = lost.get(key);
      if (prev === "deleted") continue;
      lost.set(key, new Set([...(prev ?? []), ...gone]));
    }
  }
  return lost;
}

function hits(lost: LostEndpoints, subnetId: unknown, service: string): boolean {
  if (typeof subnetId !== "string") return false;
  const v = lost.get(idKey(subnetId));
  return v !== undefined && (v === "deleted" || v.has(service));
}

/** The in-transaction hook (registered in catalog.ts). */
export async function staleServiceRules(tx: Ctx, changes: readonly ResourceChange[]): Promise<void> {
  const lost = lostEndpoints(changes);
  if (lost.size === 0) return;
  const all = [...lost.values()];
  const touches = (service: string) => all.some((v) => v === "deleted" || v.has(service));
  const uow = new UnitOfWork(tx);

  if (touches("microsoft.storage")) {
    const page = await tx.store.list({ type: STORAGE_ACCOUNT_TYPE.toLowerCase() });
    for (const d of page.items) {
      const stored = d.body as ArmResource;
      const rules = (
        stored.properties?.networkAcls as { virtualNetworkRules?: Array<Record<string, unknown>> } | undefined
      )?.virtualNetworkRules;
      if (!rules?.some((r) => hits(lost, r.id, "microsoft.storage") && r.state !== STALE_STORAGE_STATE))
        continue;
      const account = (await uow.load(stored.id))!;
      const acls = account.properties.networkAcls as { virtualNetworkRules: Array<Record<string, unknown>> };
      acls.virtualNetworkRules = acls.virtualNetworkRules.map((r) =>
        hits(lost, r.id, "microsoft.storage") ? { ...r, state: STALE_STORAGE_STATE } : r,
      );
      uow.set(account);
    }
  }

  if (touches("microsoft.sql")) {
    for (const flavor of SQL_FLAVORS) {
      const page = await tx.store.list({ type: sqlVirtualNetworkRuleType(flavor).toLowerCase() });
      for (const d of page.items) {
        const rule = d.body as ArmResource;
        if (
          !hits(lost, rule.properties?.virtualNetworkSubnetId, "microsoft.sql") ||
          rule.properties?.state === STALE_SQL_STATE
        )
          continue;
        const current = (await uow.load(rule.id))!;
        current.properties = { ...current.properties, state: STALE_SQL_STATE };
        uow.set(current);
      }
    }
  }
  await uow.commit();
}
