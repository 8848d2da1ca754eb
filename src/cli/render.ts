/** Renders engine answers for people: the trace as a short story, the fix last. */
import type { Decision } from "../engine/types.js";

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
    lines.push(`  the service answers: ${d.error.status ? `${d.error.status} ` : ""}${d.error.code}: ${d.error.message.split(/\r?\n/)[0]}`);
  }
  if (d.blockers.length > 0) {
    lines.push("");
    lines.push(d.blockers.length === 1 ? "  What blocks it, and the fix:" : `  ${d.blockers.length} things block it, each with its fix:`);
    d.blockers.forEach((b, i) => {
      lines.push(`  ${i + 1}) [${b.kind}${b.resourceId ? ` ${nameOf(b.resourceId)}` : ""}${b.rule ? ` ${b.rule}` : ""}] ${b.reason}`);
      lines.push(`     fix: ${b.fix}`);
    });
  }
  return lines.join("\n") + "\n";
}

/** A plain table: columns padded to their widest cell. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? "").padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n";
}
