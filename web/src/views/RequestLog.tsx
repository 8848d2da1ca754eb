import { useEffect, useState } from "react";
import { call } from "../api.js";
import { nameOf, subnetLabel, type Estate } from "../model.js";
import type { PortalContext } from "../App.js";

interface Entry {
  seq: number;
  time: string;
  source?: string;
  sourceAddress?: string;
  subnetId?: string;
  decision: string;
  rule?: string;
  status?: number;
  operation?: string;
  error?: { code: string };
}

/** A resource's request log (SE-DIAG-1), newest first, updated from the event stream. */
export function RequestLog(props: { ctx: PortalContext; estate: Estate }) {
  const { estate, ctx } = props;
  const [id, setId] = useState(estate.services[0]?.id ?? "");
  const [entries, setEntries] = useState<Entry[]>([]);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    if (!id) return;
    call("GET", `/_emulator/requests?resourceId=${encodeURIComponent(id)}&$top=200`)
      .then((r) => {
        setEntries((r.body?.value ?? []) as Entry[]);
        setError(undefined);
      })
      .catch((e: Error) => setError(e.message));
  }, [id, ctx.requests]);

  return (
    <section className="page" aria-label="Request log">
      <h2>Request log</h2>
      <label>
        Resource{" "}
        <select aria-label="Resource" value={id} onChange={(e) => setId(e.target.value)}>
          {estate.services.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Operation</th>
              <th scope="col">Source</th>
              <th scope="col">Seen from</th>
              <th scope="col">Subnet</th>
              <th scope="col">Decision</th>
              <th scope="col">Rule</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq} className={e.decision === "Allowed" ? "" : "deny"}>
                <td>{e.seq}</td>
                <td>{e.time}</td>
                <td>{e.operation ?? "request"}</td>
                <td>{e.source ? nameOf(e.source) : ""}</td>
                <td>{e.sourceAddress}</td>
                <td>{e.subnetId ? subnetLabel(e.subnetId) : ""}</td>
                <td>{e.decision}</td>
                <td>
                  <code>{e.rule}</code>
                </td>
                <td>
                  {e.status ?? ""} {e.error?.code ?? ""}
                </td>
              </tr>
            ))}
            {entries.length === 0 && (
              <tr>
                <td colSpan={9} className="muted">
                  No requests logged yet: send one from the Access view, an SDK or the CLI.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
