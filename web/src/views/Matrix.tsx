import { useEffect, useState } from "react";
import { call } from "../api.js";
import { key, type Estate } from "../model.js";
import type { PortalContext } from "../App.js";

interface Row {
  networkInterfaceId: string;
  virtualMachineId?: string;
  subnetId?: string;
  decision: string;
  sourceAddress?: string;
  errorCode?: string;
  blocker?: { kind: string; fix?: string };
}

/** Who can reach what: every NIC × every service resource, colored by decision. */
export function Matrix(props: { ctx: PortalContext; estate: Estate }) {
  const { estate, ctx } = props;
  const [cells, setCells] = useState<Map<string, Map<string, Row>>>(new Map());
  const [filter, setFilter] = useState("");
  const [decision, setDecision] = useState("all");
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let cancelled = false;
    void Promise.all(
      estate.services.map(async (s) => {
        const r = await call("POST", "/_emulator/who-can-reach", { to: s.id });
        return [key(s.id), r.body?.value ?? r.body?.rows ?? []] as const;
      }),
    )
      .then((all) => {
        if (cancelled) return;
        const m = new Map<string, Map<string, Row>>();
        for (const [sid, rows] of all) {
          const byNic = new Map<string, Row>();
          for (const row of rows as Row[]) byNic.set(key(row.networkInterfaceId), row);
          m.set(sid, byNic);
        }
        setCells(m);
        setError(undefined);
      })
      .catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
  }, [estate, ctx.version]);

  const f = filter.trim().toLowerCase();
  // The filter narrows the columns when it names a resource, else the rows.
  const nameMatches = estate.services.filter((s) => f && s.name.toLowerCase().includes(f));
  const services = nameMatches.length ? nameMatches : estate.services;
  const sources = estate.nics.filter(
    (n) =>
      !f ||
      nameMatches.length > 0 ||
      `${n.name} ${n.vmName ?? ""} ${n.privateAddress ?? ""}`.toLowerCase().includes(f),
  );
  const shown = (row: Row | undefined) => decision === "all" || row?.decision.toLowerCase() === decision;

  return (
    <section className="page" aria-label="Who can reach">
      <h2>Who can reach</h2>
      <div className="row">
        <label>
          Filter{" "}
          <input
            aria-label="Filter"
            type="search"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder="source or resource name"
          />
        </label>
        <label>
          Decision{" "}
          <select aria-label="Decision" value={decision} onChange={(e) => setDecision(e.target.value)}>
            <option value="all">All</option>
            <option value="allowed">Allowed</option>
            <option value="denied">Denied</option>
          </select>
        </label>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="scroll">
        <table className="matrix">
          <caption className="muted small">
            Sources (rows) × service resources (columns); select a cell to see its path.
          </caption>
          <thead>
            <tr>
              <th scope="col">Source</th>
              {services.map((s) => (
                <th key={s.id} scope="col">
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sources.map((n) => (
              <tr key={n.id}>
                <th scope="row">
                  {n.vmName ?? n.name} <span className="muted small">{n.privateAddress}</span>
                </th>
                {services.map((s) => {
                  const row = cells.get(key(s.id))?.get(key(n.id));
                  if (!shown(row)) return <td key={s.id} />;
                  const d = row?.decision ?? "…";
                  return (
                    <td key={s.id} className={`cell ${d.toLowerCase()}`}>
                      <button
                        aria-label={`${n.vmName ?? n.name} → ${s.name}: ${d}`}
                        title={row?.blocker?.fix ?? row?.sourceAddress ?? ""}
                        onClick={() => ctx.openAccess({ from: n.vmId ?? n.id, to: s.id })}
                      >
                        {d}
                        {row?.errorCode ? ` (${row.errorCode})` : ""}
                      </button>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">
        {estate.services.length
          ? `${sources.length} sources × ${services.length} resources`
          : "No service resources."}
      </p>
    </section>
  );
}
