/**
 * `lazurite import FILE`: a --config file (or `az resource list` output) into a running server,
 * through its ARM API: resource groups first (the location of their first resource), then every
 * resource after the ones it names, each PUT polled to its end. Server-owned fields
 * (provisioningState, etag, resourceGuid) are left out of the bodies.
 */
import type { ArmResource } from "../model/resources/common.js";
import { tryParseResourceId } from "../model/resource-id.js";
import { call, type ServerTarget } from "./client.js";
import { dependencyOrder } from "./template.js";

export interface ImportReport {
  created: string[];
  refused: Array<{ id: string; code: string; message: string }>;
}

const OWNED = new Set(["etag", "provisioningState", "resourceGuid"]);

function bodyOf(r: ArmResource): unknown {
  return JSON.parse(JSON.stringify(r, (k, v) => (OWNED.has(k) ? undefined : v)));
}

function pathOf(id: string, apiVersion: string): string {
  const p = tryParseResourceId(id);
  const text = p?.text ?? id;
  return `${text
    .split("/")
    .map((s) => encodeURIComponent(s))
    .join("/")}?api-version=${apiVersion}`;
}

async function settle(
  target: ServerTarget,
  headers: Record<string, unknown>,
): Promise<{ code: string; message: string } | undefined> {
  const status = headers["azure-asyncoperation"];
  const location = headers["location"];
  for (let i = 0; i < 120; i++) {
    if (typeof status === "string") {
      const u = new URL(status);
      const r = await call(target, "GET", u.pathname + u.search);
      const s = (r.json as { status?: string; error?: { code: string; message: string } } | undefined) ?? {};
      if (s.status === "Succeeded") return undefined;
      if (s.status === "Failed" || s.status === "Canceled")
        return s.error ?? { code: s.status, message: "failed" };
    } else if (typeof location === "string") {
      const u = new URL(location);
      const r = await call(target, "GET", u.pathname + u.search);
      if (r.status !== 202) return undefined;
    } else return undefined;
    await new Promise((res) => setTimeout(res, 50));
  }
  return { code: "Timeout", message: "the operation did not complete" };
}

export async function importResources(
  target: ServerTarget,
  resources: readonly ArmResource[],
  progress: (done: number, total: number) => void = () => {},
): Promise<ImportReport> {
  const report: ImportReport = { created: [], refused: [] };
  const plain = resources.filter((r) => r.type.toLowerCase() !== "microsoft.resources/resourcegroups");
  const groups = new Map<string, { id: string; location: string }>();
  for (const r of resources) {
    const p = tryParseResourceId(r.id);
    if (r.type.toLowerCase() === "microsoft.resources/resourcegroups")
      groups.set(r.id.toLowerCase(), { id: r.id, location: r.location ?? "westus" });
    else if (p?.resourceGroup !== undefined) {
      const id = `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroup}`;
      if (!groups.has(id.toLowerCase()))
        groups.set(id.toLowerCase(), { id, location: r.location ?? "westus" });
    }
  }
  const total = groups.size + plain.length;
  let done = 0;
  for (const g of groups.values()) {
    const have = await call(target, "GET", pathOf(g.id, "2021-04-01"));
    if (have.status === 404) {
      const r = await call(target, "PUT", pathOf(g.id, "2021-04-01"), { location: g.location });
      if (r.status >= 300) {
        const e = (r.json as { error?: { code: string; message: string } })?.error;
        report.refused.push({ id: g.id, code: e?.code ?? String(r.status), message: e?.message ?? "" });
      } else report.created.push(g.id);
    }
    progress(++done, total);
  }
  for (const r of dependencyOrder(plain)) {
    const res = await call(target, "PUT", pathOf(r.id, "2023-09-01"), bodyOf(r));
    if (res.status >= 300) {
      const e = (res.json as { error?: { code: string; message: string } })?.error;
      report.refused.push({ id: r.id, code: e?.code ?? String(res.status), message: e?.message ?? "" });
    } else {
      const failed = await settle(target, res.headers as Record<string, unknown>);
      if (failed) report.refused.push({ id: r.id, code: failed.code, message: failed.message });
      else report.created.push(r.id);
    }
    progress(++done, total);
  }
  return report;
}

export function progressBar(done: number, total: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}`;
}

export function renderImport(r: ImportReport): string {
  const lines = [`created ${r.created.length}, refused ${r.refused.length}`];
  for (const id of r.created) lines.push(`  created ${id}`);
  for (const x of r.refused) lines.push(`  REFUSED ${x.id}: (${x.code}) ${x.message}`);
  return lines.join("\n") + "\n";
}
