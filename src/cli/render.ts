/** Renders engine answers for people: the trace as a short story, the fix last. */
import type { Decision } from "../engine/types.js";
import { childLabel } from "../model/resource-id.js";
import type { ReachAnswer } from "../analysis/who-can-reach.js";
import type { WhatIfReport } from "../analysis/what-if.js";

const MARK: Record<string, string> = { Allowed: "ok ", Denied: "NO ", Info: "   " };

function nameOf(id: string | undefined): string {
  if (!id) return "";
  const parts = id.split("/").filter(Boolean);
  return parts[parts.length - 1] ?? id;
}

export function renderDecisionText(d: Decision, from: string, to: string): string {
  const lines: string[] = [];
  const head = d.decision === "Allowed" ? "ALLOWED" : "DENIED";
  lines.push(`${head}  ${nameOf(from) || from} -> ${nameOf(to) || to}  (${d.protocol}/${d.port})`);
  if (d.destinationAddress) {
    lines.push(
      `  source seen by the destination: ${d.sourceAddress}${d.viaServiceEndpoint ? ` with the identity of subnet ${nameOf(d.sourceSubnetId)} (service endpoint)` : ""}; next hop ${d.nextHopType}`,
    );
  }
  lines.push("");
  d.steps.forEach((s, i) => {
    lines.push(`  ${String(i + 1).padStart(2)}. ${MARK[s.result] ?? "   "}${s.kind}: ${s.detail}`);
  });
  if (d.error) {
    lines.push("");
    lines.push(
      `  the service answers: ${d.error.status ? `${d.error.status} ` : ""}${d.error.code}: ${d.error.message.split(/\r?\n/)[0]}`,
    );
  }
  if (d.blockers.length > 0) {
    lines.push("");
    lines.push(
      d.blockers.length === 1
        ? "  What blocks it, and the fix:"
        : `  ${d.blockers.length} things block it, each with its fix:`,
    );
    d.blockers.forEach((b, i) => {
      lines.push(
        `  ${i + 1}) [${b.kind}${b.resourceId ? ` ${nameOf(b.resourceId)}` : ""}${b.rule ? ` ${b.rule}` : ""}] ${b.reason}`,
      );
      lines.push(`     fix: ${b.fix}`);
    });
  }
  return lines.join("\n") + "\n";
}

/** A plain table: columns padded to their widest cell. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c ?? "").padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n";
}

/** Tab-separated rows without a header (what `az … -o tsv` users script against). */
export function renderTsv(rows: string[][]): string {
  return rows.map((r) => r.join("\t")).join("\n") + (rows.length > 0 ? "\n" : "");
}

export type OutputFormat = "json" | "table" | "text";

export interface RouteRow {
  source: string;
  state: string;
  addressPrefix: string[];
  nextHopType: string;
  nextHopIpAddress: string[];
}

export function renderRoutes(body: { value: RouteRow[] }, format: "table" | "text"): string {
  if (format === "text") {
    return renderTsv(
      body.value.map((r) => [
        r.source,
        r.state,
        r.addressPrefix.join(","),
        r.nextHopType,
        r.nextHopIpAddress.join(","),
      ]),
    );
  }
  return renderTable(
    ["Source", "State", "Address Prefix", "Next Hop Type", "Next Hop IP"],
    body.value.map((r) => [
      r.source,
      r.state,
      r.addressPrefix.length > 3
        ? `${r.addressPrefix.slice(0, 3).join(" ")} (+${r.addressPrefix.length - 3})`
        : r.addressPrefix.join(" "),
      r.nextHopType,
      r.nextHopIpAddress.join(" "),
    ]),
  );
}

interface NsgRuleRow {
  name: string;
  priority: number;
  direction: string;
  access: string;
  protocol: string;
  sourceAddressPrefix?: string;
  sourceAddressPrefixes?: string[];
  destinationAddressPrefix?: string;
  destinationAddressPrefixes?: string[];
  destinationPortRange?: string;
  destinationPortRanges?: string[];
}

export function renderNsg(
  body: { value: Array<{ networkSecurityGroup: { id: string }; effectiveSecurityRules: NsgRuleRow[] }> },
  format: "table" | "text",
): string {
  const rows: string[][] = [];
  for (const g of body.value) {
    for (const r of g.effectiveSecurityRules) {
      rows.push([
        nameOf(g.networkSecurityGroup.id),
        r.name,
        String(r.priority),
        r.direction,
        r.access,
        r.protocol,
        r.sourceAddressPrefix ?? (r.sourceAddressPrefixes ?? []).join(","),
        r.destinationAddressPrefix ?? (r.destinationAddressPrefixes ?? []).join(","),
        r.destinationPortRange ?? (r.destinationPortRanges ?? []).join(","),
      ]);
    }
  }
  if (format === "text") return renderTsv(rows);
  return renderTable(
    ["NSG", "Name", "Priority", "Direction", "Access", "Protocol", "Source", "Destination", "Ports"],
    rows,
  );
}

/** `lazurite check -o table`: the trace as rows, then the blockers with their fixes. */
export function renderDecisionTable(d: Decision): string {
  const head = `${d.decision}  source seen: ${d.sourceAddress || "-"}${d.viaServiceEndpoint ? ` (subnet ${nameOf(d.sourceSubnetId)}, service endpoint)` : ""}  next hop: ${d.nextHopType}\n\n`;
  const steps = renderTable(
    ["#", "Step", "Result", "Resource", "Rule"],
    d.steps.map((s, i) => [String(i + 1), s.kind, s.result, nameOf(s.resourceId), s.rule ?? ""]),
  );
  const blockers =
    d.blockers.length === 0
      ? ""
      : "\n" +
        renderTable(
          ["Blocker", "Resource", "Rule", "Fix"],
          d.blockers.map((b) => [b.kind, nameOf(b.resourceId), b.rule ?? "", b.fix]),
        );
  return head + steps + blockers;
}

export interface LogRow {
  seq: number;
  time: string;
  operation: string;
  source: string;
  sourceAddress: string;
  subnetId?: string;
  decision: string;
  rule?: string;
  status?: number;
  error?: { code: string };
}

export function renderLog(entries: LogRow[], format: "table" | "text"): string {
  const rows = entries.map((e) => [
    e.time,
    e.operation,
    nameOf(e.source) || e.source,
    e.sourceAddress,
    e.subnetId ? nameOf(e.subnetId) : "",
    e.decision,
    e.rule ?? "",
    e.status !== undefined ? String(e.status) : "",
    e.error?.code ?? "",
  ]);
  if (format === "text") return renderTsv(rows);
  return renderTable(
    ["Time", "Operation", "Source", "Source Address", "Subnet", "Decision", "Rule", "Status", "Error"],
    rows,
  );
}

/** One event for `lazurite events -o text|table` (one line each; `table` pads to fixed columns). */
export function renderEventLine(e: Record<string, any>, format: "table" | "text"): string {
  let what: string;
  if (e.type === "resource") what = `${e.action} ${e.resourceId}`;
  else if (e.type === "request") {
    const x = e.entry ?? {};
    what = `${x.operation} ${x.decision} ${x.sourceAddress} -> ${nameOf(x.resourceId)}${x.rule ? ` (${x.rule})` : ""}${x.status !== undefined ? ` ${x.status}` : ""}`;
  } else {
    const c = e.connection ?? {};
    what = `${c.id} ${nameOf(c.sourceId)} -> ${nameOf(c.destinationId)} ${c.state}${c.reset?.reason ? `: ${c.reset.reason}` : ""}`;
  }
  const cells = [String(e.time ?? ""), String(e.type ?? ""), what];
  if (format === "text") return cells.join("\t") + "\n";
  return `${cells[0]!.padEnd(24)}  ${cells[1]!.padEnd(16)}  ${cells[2]}\n`;
}

/** `lazurite who-can-reach` for people: one line per NIC, the fix for each denial. */
export function renderReach(a: ReachAnswer, to: string, format: "table" | "text"): string {
  if (format === "table")
    return renderTable(
      ["decision", "network interface", "vm", "subnet", "source address", "endpoint", "blocked by", "fix"],
      a.rows.map((r) => [
        r.decision,
        nameOf(r.networkInterfaceId),
        nameOf(r.virtualMachineId),
        childLabel(r.subnetId),
        r.sourceAddress,
        r.viaServiceEndpoint ? "yes" : "no",
        r.blocker ? `${r.blocker.kind}${r.blocker.rule ? ` ${r.blocker.rule}` : ""}` : "",
        r.blocker?.fix ?? "",
      ]),
    );
  const lines = [
    `who can reach ${nameOf(to.split("#")[0]) || to}: ${a.allowed} of ${a.rows.length} network interfaces`,
  ];
  for (const r of a.rows) {
    const who = `${nameOf(r.networkInterfaceId)}${r.virtualMachineId ? ` (${nameOf(r.virtualMachineId)})` : ""} in ${childLabel(r.subnetId)}`;
    lines.push(
      r.decision === "Allowed"
        ? `  ALLOWED ${who} from ${r.sourceAddress}${r.viaServiceEndpoint ? " over the service endpoint" : ""}`
        : `  DENIED  ${who} from ${r.sourceAddress}: ${r.blocker ? `${r.blocker.kind}${r.blocker.rule ? ` ${r.blocker.rule}` : ""} — fix: ${r.blocker.fix}` : "denied"}`,
    );
  }
  return lines.join("\n") + "\n";
}

/** `lazurite what-if` for people: the changes, the warnings, then the flows that change. */
export function renderWhatIf(r: WhatIfReport, what: string): string {
  const lines = [`what-if: ${what}`];
  for (const c of r.changes) lines.push(`  ${c.changeType.padEnd(6)} ${c.resourceId}`);
  if (r.changes.length === 0) lines.push("  no resource changes");
  if (r.warnings.length > 0) {
    lines.push("");
    for (const w of r.warnings) lines.push(`  warning ${w.code}: ${w.message}`);
  }
  for (const c of r.costs)
    lines.push(`  cost: ${c.item} on ${childLabel(c.resourceId)}: $${c.monthlyCharge}/month — ${c.note}`);
  lines.push("");
  lines.push(
    `${r.broken} flow(s) break, ${r.opened} open (${r.flows.length} change of ${r.pairsChecked} NIC → resource pairs checked${r.scope === "affected" ? ", narrowed to what the change touches" : ""})`,
  );
  for (const f of r.flows) {
    const who = `${nameOf(f.networkInterfaceId)}${f.virtualMachineId ? ` (${nameOf(f.virtualMachineId)})` : ""}`;
    const side = (v: string, addr: string, ep: boolean) =>
      `${v} from ${addr}${ep ? " over the endpoint" : ""}`;
    const tag =
      f.before === "Allowed" && f.after === "Denied"
        ? "BREAKS"
        : f.before === "Denied" && f.after === "Allowed"
          ? "OPENS "
          : "CHANGES";
    lines.push(
      `  ${tag} ${who} → ${nameOf(f.destinationResourceId)}: ${side(f.before, f.beforeSourceAddress, f.beforeViaServiceEndpoint)} → ${side(f.after, f.afterSourceAddress, f.afterViaServiceEndpoint)}`,
    );
    if (f.blocker) lines.push(`         fix: ${f.blocker.fix}`);
  }
  return lines.join("\n") + "\n";
}

/** ARM what-if of a deployment (`lazurite what-if --template`), with Lazurite's access diagnostics. */
export function renderTemplateWhatIf(result: {
  properties?: {
    changes?: Array<{
      resourceId: string;
      changeType: string;
      unsupportedReason?: string;
      delta?: Array<{ path: string; propertyChangeType: string }>;
    }>;
    diagnostics?: Array<{ level: string; code: string; target: string; message: string }>;
  };
}): string {
  const changes = result.properties?.changes ?? [];
  const diags = result.properties?.diagnostics ?? [];
  const lines = ["what-if: deployment"];
  const counts = new Map<string, number>();
  for (const c of changes) {
    counts.set(c.changeType, (counts.get(c.changeType) ?? 0) + 1);
    lines.push(`  ${c.changeType.padEnd(11)} ${c.resourceId}`);
    for (const d of c.delta ?? []) lines.push(`      ${d.propertyChangeType.padEnd(6)} ${d.path}`);
    if (c.unsupportedReason) lines.push(`      ${c.unsupportedReason}`);
  }
  if (changes.length === 0) lines.push("  no resource changes");
  lines.push(`Resource changes: ${[...counts].map(([k, n]) => `${n} ${k}`).join(", ") || "none"}.`);
  if (diags.length > 0) {
    lines.push("");
    for (const d of diags)
      lines.push(`  ${d.level.toLowerCase()} ${d.code} (${childLabel(d.target)}): ${d.message}`);
  }
  const broken = diags.filter((d) => d.code === "FlowDenied").length;
  lines.push("", `${broken} flow(s) break`);
  return lines.join("\n") + "\n";
}
