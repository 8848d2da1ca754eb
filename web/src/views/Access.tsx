import { useEffect, useState } from "react";
import { apiVersionOf, arm, call, NETWORK_API, withApi } from "../api.js";
import { editableNetworking, networkingOf, subnetWithEndpoints, withNetworking } from "../changes.js";
import { key, nameOf, subnetLabel, type Estate, type Res } from "../model.js";
import type { PortalContext } from "../App.js";

export interface AccessPick {
  from: string;
  to: string;
}

interface Step {
  kind: string;
  result: string;
  resourceId?: string;
  rule?: string;
  detail: string;
  data?: Record<string, unknown>;
}

interface Check {
  decision: string;
  sourceAddress?: string;
  viaServiceEndpoint?: boolean;
  destinationResourceId?: string;
  service?: string;
  steps: Step[];
  blockers: Array<{ kind: string; resourceId?: string; rule?: string; reason: string; fix: string }>;
  error?: { status?: number; code: string; message: string };
}

/** The hops of a path, in order, and the step kinds each one draws. */
export const HOPS: Array<{ label: string; kinds: string[] }> = [
  { label: "DNS", kinds: ["Dns"] },
  { label: "NIC", kinds: ["Source", "OnPremises"] },
  { label: "NSGs", kinds: ["NetworkSecurityGroup"] },
  { label: "Route", kinds: ["Route", "VirtualAppliance"] },
  { label: "Endpoint / policy", kinds: ["ServiceEndpoint", "ServiceEndpointPolicy", "SourceAddress"] },
  { label: "Service firewall", kinds: ["ServiceFirewall"] },
];

/** The smallest fix the portal can make for a denial, as a change to preview. */
export type FixAction =
  | { kind: "endpoint"; subnetId: string; service: string; label: string }
  | { kind: "vnetRule"; resourceId: string; subnetId: string; label: string }
  | { kind: "ipRule"; resourceId: string; address: string; label: string };

export function fixActionOf(check: Check, estate: Estate): FixAction | undefined {
  const b = check.blockers[0];
  if (!b || check.decision === "Allowed") return undefined;
  const subnetId = check.steps.find((s) => s.kind === "Source")?.data?.subnetId as string | undefined;
  const service = check.service;
  const dest = check.destinationResourceId;
  const svc = dest ? estate.services.find((s) => key(s.id) === key(dest)) : undefined;
  // An address outside Azure (internet, on-premises): an IP rule admits it.
  if (!subnetId && svc && editableNetworking(svc.type) && /ipRules/.test(b.fix) && check.sourceAddress)
    return {
      kind: "ipRule",
      resourceId: svc.id,
      address: check.sourceAddress,
      label: `Allow ${check.sourceAddress} on ${svc.name}`,
    };
  if (!subnetId || !service) return undefined;
  if (!["ServiceFirewall", "ServiceEndpoint"].includes(b.kind)) return undefined;
  const subnet = estate.subnets.get(key(subnetId));
  const has = subnet?.endpoints.some((e) => e.service.toLowerCase() === service.toLowerCase());
  if (!has)
    return { kind: "endpoint", subnetId, service, label: `Turn on ${service} on ${subnetLabel(subnetId)}` };
  if (svc && editableNetworking(svc.type) && /virtualNetworkRules|defaultAction/i.test(b.rule ?? ""))
    return {
      kind: "vnetRule",
      resourceId: svc.id,
      subnetId,
      label: `Add a VNet rule for ${subnetLabel(subnetId)} to ${svc.name}`,
    };
  return undefined;
}

export async function proposeFix(fix: FixAction, ctx: PortalContext, estate: Estate): Promise<void> {
  if (fix.kind === "endpoint") {
    const subnet = (await arm("GET", withApi(fix.subnetId, NETWORK_API))) as Res;
    const have = (estate.subnets.get(key(fix.subnetId))?.endpoints ?? []).map((e) => e.service);
    ctx.propose({
      title: fix.label,
      id: fix.subnetId,
      body: subnetWithEndpoints(subnet, [...have, fix.service]),
    });
  } else {
    const r = (await arm("GET", withApi(fix.resourceId, apiVersionOf(fix.resourceId)))) as Res;
    const edit = networkingOf(r);
    ctx.propose({
      title: fix.label,
      id: fix.resourceId,
      body: withNetworking(r, {
        ...edit,
        mode: edit.mode === "disabled" ? "selected" : edit.mode,
        ...(fix.kind === "vnetRule"
          ? { subnetIds: [...edit.subnetIds, fix.subnetId] }
          : { ipRanges: [...edit.ipRanges, fix.address] }),
      }),
    });
  }
}

/** Access: one source and one destination, the decision drawn as its path. */
export function Access(props: { ctx: PortalContext; estate: Estate; pick?: AccessPick }) {
  const { estate, ctx } = props;
  const vms = estate.nics.filter((n) => n.vmId);
  const [kind, setKind] = useState<"resource" | "onprem" | "internet">("resource");
  const [from, setFrom] = useState(props.pick?.from ?? vms[0]?.vmId ?? estate.nics[0]?.id ?? "");
  const [address, setAddress] = useState("203.0.113.10");
  const onpremVia = estate.onprem.filter((o) => o.kind !== "vnetGateway");
  const [via, setVia] = useState(onpremVia[0]?.id ?? "");
  const [to, setTo] = useState(props.pick?.to ?? estate.services[0]?.id ?? "");
  const [port, setPort] = useState("443");
  const [check, setCheck] = useState<Check | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [sent, setSent] = useState<string | undefined>();

  useEffect(() => {
    if (props.pick) {
      setKind("resource");
      setFrom(props.pick.from);
      setTo(props.pick.to);
    }
  }, [props.pick]);

  const source =
    kind === "resource" ? from : kind === "onprem" ? `onprem:${address}@${via}` : `internet:${address}`;
  const flow = { from: source, to, port: Number(port) || 443 };

  const run = async () => {
    if (!source || !to) return;
    try {
      setCheck((await call("POST", "/_emulator/check", flow)).body as Check);
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
      setCheck(undefined);
    }
  };

  // Decided again whenever the estate changes (live) or the question does.
  useEffect(() => {
    void run();
  }, [source, to, port, ctx.version]);

  const send = async () => {
    try {
      const r = (await call("POST", "/_emulator/requests", flow)).body as {
        outcome: string;
        status?: number;
        error?: { code: string };
      };
      setSent(`${r.outcome}${r.status ? ` (${r.status}${r.error ? ` ${r.error.code}` : ""})` : ""}`);
    } catch (e) {
      setSent((e as Error).message);
    }
  };

  const fix = check ? fixActionOf(check, estate) : undefined;
  const blockingHop = check
    ? HOPS.findIndex((h) => check.steps.some((s) => h.kinds.includes(s.kind) && s.result === "Denied"))
    : -1;
  const destName = nameOf(to.split("#")[0] ?? to);
  const srcName = kind === "resource" ? nameOf(from) : address;

  return (
    <section className="page" aria-label="Access">
      <h2>Access</h2>
      <form
        className="row wrap"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label>
          Source kind{" "}
          <select
            aria-label="Source kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as typeof kind)}
          >
            <option value="resource">VM or NIC</option>
            <option value="onprem">On-premises address</option>
            <option value="internet">Internet address</option>
          </select>
        </label>
        {kind === "resource" ? (
          <label>
            Source{" "}
            <select aria-label="Source" value={from} onChange={(e) => setFrom(e.target.value)}>
              <optgroup label="Virtual machines">
                {vms.map((n) => (
                  <option key={n.vmId} value={n.vmId}>
                    {n.vmName}
                  </option>
                ))}
              </optgroup>
              <optgroup label="Network interfaces">
                {estate.nics.map((n) => (
                  <option key={n.id} value={n.id}>
                    {n.name} ({n.privateAddress ?? "—"})
                  </option>
                ))}
              </optgroup>
            </select>
          </label>
        ) : (
          <>
            <label>
              Address{" "}
              <input
                aria-label="Address"
                type="text"
                value={address}
                onChange={(e) => setAddress(e.target.value)}
              />
            </label>
            {kind === "onprem" && (
              <label>
                Via{" "}
                <select aria-label="Via" value={via} onChange={(e) => setVia(e.target.value)}>
                  {onpremVia.length === 0 && <option value="">No gateway or circuit</option>}
                  {onpremVia.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.name}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </>
        )}
        <label>
          Destination{" "}
          <select aria-label="Destination" value={to} onChange={(e) => setTo(e.target.value)}>
            {estate.services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.type.split("/")[1]})
              </option>
            ))}
          </select>
        </label>
        <label>
          Port{" "}
          <input
            aria-label="Port"
            type="number"
            className="narrow"
            value={port}
            onChange={(e) => setPort(e.target.value)}
          />
        </label>
        <button type="submit">Check</button>
        <button type="button" onClick={() => void send()}>
          Send a request
        </button>
        {sent && (
          <span role="status" className="muted">
            Request: {sent}
          </span>
        )}
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {check && (
        <>
          <p className={`decision ${check.decision.toLowerCase()}`} role="status" aria-label="Decision">
            {srcName} → {destName}: {check.decision}
            {check.error ? ` — ${check.error.status ?? ""} ${check.error.code}` : ""}
            {check.sourceAddress ? ` · seen from ${check.sourceAddress}` : ""}
            {check.viaServiceEndpoint ? " over the service endpoint" : ""}
          </p>
          <ol className="path" aria-label="Path">
            {HOPS.map((h, i) => {
              const steps = check.steps.filter((s) => h.kinds.includes(s.kind));
              const denied = steps.some((s) => s.result === "Denied");
              const state = steps.length === 0 ? "skipped" : denied ? "denied" : "passed";
              return (
                <li
                  key={h.label}
                  className={`hop ${state}${i === blockingHop ? " blocking" : ""}`}
                  aria-label={`${h.label}: ${i === blockingHop ? "blocking" : state}`}
                >
                  <strong>{h.label}</strong>
                  {steps.length === 0 && <span className="muted small">not on this path</span>}
                  {steps.map((s, j) => (
                    <span key={j} className="small">
                      {s.rule ? <code>{s.rule}</code> : null} {s.detail}
                    </span>
                  ))}
                </li>
              );
            })}
          </ol>
          {check.blockers.length > 0 && (
            <div className="fix">
              <h3>Smallest fix</h3>
              <p>{check.blockers[0]!.fix}</p>
              {fix ? (
                <button className="primary" onClick={() => void proposeFix(fix, ctx, estate)}>
                  {fix.label}…
                </button>
              ) : (
                <p className="muted small">
                  This fix is not one the portal writes for you; the text says what to change.
                </p>
              )}
            </div>
          )}
        </>
      )}
    </section>
  );
}
