import { useEffect, useState } from "react";
import { arm, withApi } from "../api.js";
import { nameOf, resourceGroupOf, type Estate } from "../model.js";
import type { PortalContext } from "../App.js";

/** The Microsoft.Resources API version the portal reads deployments with. */
export const RESOURCES_API = "2021-04-01";

interface Deployment {
  id: string;
  name: string;
  properties: {
    provisioningState: string;
    timestamp?: string;
    duration?: string;
    mode?: string;
    parameters?: Record<string, { type?: string; value?: unknown }>;
    outputResources?: Array<{ id: string }>;
    error?: { code: string; message: string };
  };
}

interface Change {
  resourceId: string;
  changeType: string;
  unsupportedReason?: string;
  delta?: Array<{ path: string; propertyChangeType: string }>;
}

interface Diagnostic {
  code: string;
  level?: string;
  message: string;
  target?: string;
}

interface WhatIf {
  status: string;
  changes?: Change[];
  properties?: { changes?: Change[]; diagnostics?: Diagnostic[] };
  diagnostics?: Diagnostic[];
  error?: { code: string; message: string };
}

/** A deployment's parameters as a what-if body takes them (values only; secure ones are not returned). */
export function parametersOf(d: Deployment): Record<string, { value: unknown }> {
  const out: Record<string, { value: unknown }> = {};
  for (const [k, p] of Object.entries(d.properties.parameters ?? {}))
    if (p && "value" in p) out[k] = { value: p.value };
  return out;
}

/**
 * Deployments of every resource group (and subscription) the caller reads, newest first; picking
 * one runs ARM's what-if of deploying its template again over the estate as it is now.
 */
export function Deployments(props: { ctx: PortalContext; estate: Estate }) {
  const { estate, ctx } = props;
  const [list, setList] = useState<Deployment[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [picked, setPicked] = useState<string | undefined>();
  const [report, setReport] = useState<WhatIf | undefined>();
  const [reportError, setReportError] = useState<string | undefined>();

  useEffect(() => {
    let cancelled = false;
    const subs = estate.subscriptions.map((s) => s.id);
    void Promise.all(
      subs.map(async (sub) => {
        const groups = (await arm("GET", withApi(`/subscriptions/${sub}/resourcegroups`, RESOURCES_API)))
          ?.value as Array<{ name: string }> | undefined;
        const scopes = [
          `/subscriptions/${sub}`,
          ...(groups ?? []).map((g) => `/subscriptions/${sub}/resourceGroups/${g.name}`),
        ];
        const lists = await Promise.all(
          scopes.map((s) =>
            arm("GET", withApi(`${s}/providers/Microsoft.Resources/deployments`, RESOURCES_API))
              .then((r) => (r?.value ?? []) as Deployment[])
              .catch(() => [] as Deployment[]),
          ),
        );
        return lists.flat();
      }),
    )
      .then((all) => {
        if (cancelled) return;
        const flat = all.flat();
        flat.sort((a, b) => (b.properties.timestamp ?? "").localeCompare(a.properties.timestamp ?? ""));
        setList(flat);
        setError(undefined);
      })
      .catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
  }, [estate, ctx.version]);

  useEffect(() => {
    const d = list?.find((x) => x.id === picked);
    if (!d) return;
    let cancelled = false;
    setReport(undefined);
    setReportError(undefined);
    (async () => {
      const exported = await arm("POST", withApi(`${d.id}/exportTemplate`, RESOURCES_API));
      const r = (await arm("POST", withApi(`${d.id}/whatIf`, RESOURCES_API), {
        properties: {
          mode: d.properties.mode ?? "Incremental",
          template: exported?.template,
          parameters: parametersOf(d),
        },
      })) as WhatIf;
      if (!cancelled) setReport(r);
    })().catch((e: Error) => !cancelled && setReportError(e.message));
    return () => {
      cancelled = true;
    };
  }, [picked, list === undefined, ctx.version]);

  const shown = list?.find((x) => x.id === picked);
  const ORDER = ["Create", "Delete", "Modify", "Deploy", "Unsupported", "NoChange", "Ignore"];
  const rank = (c: Change) => (ORDER.indexOf(c.changeType) + 8) % 8;
  const changes = [...(report?.properties?.changes ?? report?.changes ?? [])].sort(
    (a, b) => rank(a) - rank(b) || a.resourceId.localeCompare(b.resourceId),
  );
  const diagnostics = report?.properties?.diagnostics ?? report?.diagnostics ?? [];
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(c.changeType, (counts.get(c.changeType) ?? 0) + 1);

  return (
    <section className="page" aria-label="Deployments">
      <h2>Deployments</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="scroll short">
        <table>
          <thead>
            <tr>
              <th scope="col">Deployment name</th>
              <th scope="col">Resource group</th>
              <th scope="col">Status</th>
              <th scope="col">Last modified</th>
              <th scope="col">Duration</th>
              <th scope="col">Resources</th>
              <th scope="col">What-if</th>
            </tr>
          </thead>
          <tbody>
            {(list ?? []).map((d) => (
              <tr key={d.id} className={d.properties.provisioningState === "Failed" ? "deny" : ""}>
                <td>{d.name}</td>
                <td>{resourceGroupOf(d.id) || "(subscription)"}</td>
                <td>
                  {d.properties.provisioningState}
                  {d.properties.error ? ` — ${d.properties.error.code}` : ""}
                </td>
                <td>{d.properties.timestamp ?? ""}</td>
                <td>{d.properties.duration ?? ""}</td>
                <td>{d.properties.outputResources?.length ?? 0}</td>
                <td>
                  <button
                    aria-pressed={picked === d.id}
                    aria-label={`What-if of ${d.name}`}
                    onClick={() => setPicked(d.id)}
                  >
                    What-if
                  </button>
                </td>
              </tr>
            ))}
            {list && list.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  No deployments yet: deploy a template with az deployment group create, an SDK or lazurite
                  deploy.
                </td>
              </tr>
            )}
            {!list && !error && (
              <tr>
                <td colSpan={7} className="muted">
                  Loading…
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {shown && (
        <section className="report" aria-label={`What-if report of ${shown.name}`} aria-live="polite">
          <h3>What-if: deploying {shown.name} again now</h3>
          {!report && !reportError && <p>Asking the server…</p>}
          {reportError && (
            <p className="error" role="alert">
              {reportError}
            </p>
          )}
          {report && (
            <>
              <p className="muted small">
                {[...counts].map(([k, n]) => `${n} ${k}`).join(" · ") || "No resources in the template."}
              </p>
              <ul className="changes">
                {changes.map((c) => (
                  <li key={c.resourceId} className={`change ${c.changeType.toLowerCase()}`}>
                    <strong>{c.changeType}</strong>{" "}
                    {c.resourceId.split("/providers/")[1] ?? nameOf(c.resourceId)}
                    {c.unsupportedReason ? ` — ${c.unsupportedReason}` : ""}
                    {c.delta && c.delta.length > 0 && (
                      <span className="muted small">
                        {" "}
                        ({c.delta.map((p) => `${p.propertyChangeType} ${p.path}`).join(", ")})
                      </span>
                    )}
                  </li>
                ))}
              </ul>
              <h3>Access diagnostics</h3>
              <ul className="warnings">
                {diagnostics.map((d, i) => (
                  <li key={i} className={d.level === "Error" || d.level === "Warning" ? "warn" : ""}>
                    <code>{d.code}</code> {d.message}
                  </li>
                ))}
                {diagnostics.length === 0 && <li>No access changes.</li>}
              </ul>
            </>
          )}
        </section>
      )}
    </section>
  );
}
