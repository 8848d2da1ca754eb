import { useEffect, useRef, useState } from "react";
import { apiVersionOf, arm, call, withApi } from "../api.js";
import { ipInRange } from "../changes.js";
import { key, nameOf, subnetLabel, type Estate } from "../model.js";

/** A write the portal proposes: one ARM PUT of a whole resource, previewed with what-if first. */
export interface ProposedChange {
  title: string;
  id: string;
  body: unknown;
}

interface Flow {
  networkInterfaceId: string;
  virtualMachineId?: string;
  destinationResourceId: string;
  before: string;
  after: string;
  beforeSourceAddress: string;
  afterSourceAddress: string;
  beforeViaServiceEndpoint: boolean;
  afterViaServiceEndpoint: boolean;
  blocker?: { kind: string; resourceId?: string; rule?: string; fix?: string };
}

interface Report {
  changes: Array<{ resourceId: string; changeType: string }>;
  endpointChanges: Array<{ subnetId: string; removed: string[]; added: string[] }>;
  warnings: Array<{ code: string; resourceId: string; message: string }>;
  costs: Array<{ item: string; monthlyCharge: number; note: string }>;
  flows: Flow[];
  broken: number;
  opened: number;
  pairsChecked: number;
}

const sourceName = (f: Flow) => nameOf(f.virtualMachineId ?? f.networkInterfaceId);

/** The what-if preview of a change, then the change itself as a normal ARM PUT. */
export function Preview(props: {
  change: ProposedChange;
  estate?: Estate;
  onClose(): void;
  onApplied(): void;
}) {
  const { change, estate } = props;
  const [report, setReport] = useState<Report | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [applying, setApplying] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);

  useEffect(() => {
    call("POST", "/_emulator/what-if", { method: "PUT", id: change.id, body: change.body })
      .then((r) => setReport(r.body as Report))
      .catch((e: Error) => setError(e.message));
  }, [change]);

  useEffect(() => {
    dialog.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") props.onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const apply = async () => {
    setApplying(true);
    setError(undefined);
    try {
      await arm("PUT", withApi(change.id, apiVersionOf(change.id)), change.body);
      props.onApplied();
    } catch (e) {
      setError((e as Error).message);
      setApplying(false);
    }
  };

  const gained = report?.flows.filter((f) => f.before === "Denied" && f.after === "Allowed") ?? [];
  const lost = report?.flows.filter((f) => f.before === "Allowed" && f.after === "Denied") ?? [];
  const switched = report?.flows.filter((f) => f.beforeSourceAddress !== f.afterSourceAddress) ?? [];
  const awaitingRule =
    report?.flows.filter(
      (f) =>
        f.after === "Denied" &&
        f.afterViaServiceEndpoint &&
        /virtualNetworkRules/i.test(f.blocker?.rule ?? ""),
    ) ?? [];
  const resets = report?.warnings.filter((w) => w.code === "ConnectionsReset") ?? [];
  const otherWarnings = report?.warnings.filter((w) => w.code !== "ConnectionsReset") ?? [];
  const ipRulesOf = (id: string) => estate?.services.find((s) => key(s.id) === key(id))?.ipRules ?? [];

  return (
    <div className="overlay">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="preview-title"
        tabIndex={-1}
        ref={dialog}
      >
        <h2 id="preview-title">Preview: {change.title}</h2>
        <p className="muted small">PUT {change.id} — nothing is written until you apply.</p>
        {!report && !error && <p>Asking the server what this change does…</p>}
        {report && (
          <div className="report" aria-label="What-if report">
            <h3>Resources</h3>
            <ul>
              {report.changes.map((c) => (
                <li key={c.resourceId}>
                  {c.changeType} {c.resourceId.split("/providers/")[1] ?? c.resourceId}
                </li>
              ))}
              {report.changes.length === 0 && <li>No resource changes.</li>}
            </ul>
            {report.endpointChanges.length > 0 && (
              <>
                <h3>Service endpoints</h3>
                <ul>
                  {report.endpointChanges.map((c) => (
                    <li key={c.subnetId}>
                      {subnetLabel(c.subnetId)}: {c.added.length ? `adds ${c.added.join(", ")}` : ""}
                      {c.added.length && c.removed.length ? "; " : ""}
                      {c.removed.length ? `removes ${c.removed.join(", ")}` : ""}
                    </li>
                  ))}
                </ul>
              </>
            )}
            <h3>Access gained</h3>
            <ul className="gained">
              {gained.map((f, i) => (
                <li key={i}>
                  {sourceName(f)} → {nameOf(f.destinationResourceId)}: Denied → Allowed
                </li>
              ))}
              {awaitingRule.map((f, i) => (
                <li key={`w${i}`} className="pending">
                  {sourceName(f)} → {nameOf(f.destinationResourceId)}: gains access once a VNet rule exists
                  for its subnet ({f.blocker?.fix ?? "add a VNet rule"})
                </li>
              ))}
              {gained.length === 0 && awaitingRule.length === 0 && <li>None.</li>}
            </ul>
            <h3>Access lost</h3>
            <ul className="lost">
              {lost.map((f, i) => (
                <li key={i}>
                  {sourceName(f)} → {nameOf(f.destinationResourceId)}: Allowed → Denied
                  {f.blocker?.fix ? ` (fix: ${f.blocker.fix})` : ""}
                </li>
              ))}
              {lost.length === 0 && <li>None.</li>}
            </ul>
            <h3>Source address switches (SE-SRC-3)</h3>
            <ul>
              {switched.map((f, i) => {
                const stop = ipRulesOf(f.destinationResourceId).filter((r) =>
                  ipInRange(f.beforeSourceAddress, r),
                );
                return (
                  <li key={i}>
                    {sourceName(f)} → {nameOf(f.destinationResourceId)} now arrives from{" "}
                    {f.afterSourceAddress}
                    {f.afterViaServiceEndpoint ? " over the service endpoint" : ""} instead of{" "}
                    {f.beforeSourceAddress}
                    {stop.length
                      ? `: IP rule(s) ${stop.join(", ")} stop matching it`
                      : ": no IP rule matched the old address"}
                  </li>
                );
              })}
              {switched.length === 0 && <li>None.</li>}
            </ul>
            <h3>Connections reset (SE-CFG-6)</h3>
            <ul className="resets">
              {resets.map((w, i) => (
                <li key={i}>{w.message}</li>
              ))}
              {resets.length === 0 && <li>No connections are reset.</li>}
            </ul>
            {otherWarnings.length > 0 && (
              <>
                <h3>Warnings</h3>
                <ul className="warnings">
                  {otherWarnings.map((w, i) => (
                    <li key={i} className="warn">
                      {w.message}
                    </li>
                  ))}
                </ul>
              </>
            )}
            {report.costs.length > 0 && (
              <p className="muted small">
                Cost: {report.costs.map((c) => `${c.item} $${c.monthlyCharge}/month`).join("; ")}.{" "}
                {report.costs[0]!.note}
              </p>
            )}
            <p className="muted small">
              {report.pairsChecked} source × resource pairs decided before and after.
            </p>
          </div>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button className="primary" disabled={!report || applying} onClick={() => void apply()}>
            {applying ? "Applying…" : "Apply"}
          </button>
          <button onClick={props.onClose}>Cancel</button>
        </div>
      </div>
    </div>
  );
}
