import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  arm,
  call,
  followEvents,
  onUnauthorized,
  serverAuth,
  setToken,
  signedIn,
  whoAmI,
  type ServerEvent,
} from "./api.js";
import { buildEstate, key, type Res } from "./model.js";
import { Topology } from "./views/Topology.js";
import { SubnetPanel } from "./views/SubnetPanel.js";
import { Networking } from "./views/Networking.js";
import { Preview, type ProposedChange } from "./views/Preview.js";
import { Access, type AccessPick } from "./views/Access.js";
import { Matrix } from "./views/Matrix.js";
import { Effective } from "./views/Effective.js";
import { RequestLog } from "./views/RequestLog.js";
import { SignIn } from "./views/SignIn.js";
import { Deployments } from "./views/Deployments.js";

type Tab = "topology" | "access" | "matrix" | "effective" | "log" | "deployments";

const TABS: Array<{ id: Tab; label: string }> = [
  { id: "topology", label: "Topology" },
  { id: "access", label: "Access" },
  { id: "matrix", label: "Who can reach" },
  { id: "effective", label: "Effective routes and rules" },
  { id: "log", label: "Request log" },
  { id: "deployments", label: "Deployments" },
];

/** Context the views share: the estate, a way to propose a change, and the live counters. */
export interface PortalContext {
  resources: Res[];
  /** Bumped on every committed ARM change seen on the event stream (views re-ask the server). */
  version: number;
  /** Bumped on every request-log event. */
  requests: number;
  propose(change: ProposedChange): void;
  openSubnet(id: string): void;
  openService(id: string): void;
  openAccess(pick: AccessPick): void;
}

export function App() {
  const [resources, setResources] = useState<Res[] | undefined>();
  const [subNames, setSubNames] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | undefined>();
  const [tab, setTab] = useState<Tab>("topology");
  const [subnetId, setSubnetId] = useState<string | undefined>();
  const [serviceId, setServiceId] = useState<string | undefined>();
  const [change, setChange] = useState<ProposedChange | undefined>();
  const [accessPick, setAccessPick] = useState<AccessPick | undefined>();
  const [version, setVersion] = useState(0);
  const [requests, setRequests] = useState(0);
  const [live, setLive] = useState(false);
  // Strict mode: nothing is asked of the server until a principal has signed in.
  const strict = serverAuth().mode === "strict";
  const [needSignIn, setNeedSignIn] = useState(strict && !signedIn());
  const loading = useRef<{ busy: boolean; again: boolean }>({ busy: false, again: false });

  const load = useCallback(async () => {
    const l = loading.current;
    if (l.busy) {
      l.again = true;
      return;
    }
    l.busy = true;
    try {
      do {
        l.again = false;
        try {
          const [res, subs] = await Promise.all([
            call("GET", "/_emulator/resources"),
            arm("GET", "/subscriptions?api-version=2022-12-01").catch(() => ({ value: [] })),
          ]);
          setResources((res.body?.value ?? []) as Res[]);
          const names: Record<string, string> = {};
          for (const s of subs?.value ?? [])
            names[String(s.subscriptionId)] = String(s.displayName ?? s.subscriptionId);
          setSubNames(names);
          setError(undefined);
          setVersion((v) => v + 1);
        } catch (e) {
          setError((e as Error).message);
        }
      } while (l.again);
    } finally {
      l.busy = false;
    }
  }, []);

  useEffect(() => {
    if (needSignIn) return;
    void load();
    const offAuth = onUnauthorized(() => setNeedSignIn(true));
    const stop = followEvents(
      (e: ServerEvent) => {
        if (e.type === "resource") void load();
        else if (e.type === "request" || e.type === "connectionReset") setRequests((n) => n + 1);
      },
      (on) => setLive(on),
    );
    return () => {
      stop();
      offAuth();
    };
  }, [load, needSignIn]);

  const estate = useMemo(
    () => (resources ? buildEstate(resources, subNames) : undefined),
    [resources, subNames],
  );

  const ctx: PortalContext = {
    resources: resources ?? [],
    version,
    requests,
    propose: setChange,
    openSubnet: (id) => {
      setServiceId(undefined);
      setSubnetId(id);
      setTab("topology");
    },
    openService: (id) => {
      setSubnetId(undefined);
      setServiceId(id);
      setTab("topology");
    },
    openAccess: (pick) => {
      setAccessPick(pick);
      setTab("access");
    },
  };

  const subnet = subnetId && estate ? estate.subnets.get(key(subnetId)) : undefined;
  const service = serviceId && estate ? estate.services.find((s) => key(s.id) === key(serviceId)) : undefined;

  return (
    <div className="app">
      <header className="top">
        <h1>Lazurite</h1>
        <nav role="tablist" aria-label="Views">
          {TABS.map((t) => (
            <button
              key={t.id}
              role="tab"
              id={`tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`panel-${t.id}`}
              className={tab === t.id ? "tab active" : "tab"}
              onClick={() => setTab(t.id)}
            >
              {t.label}
            </button>
          ))}
        </nav>
        <span className={live ? "live on" : "live"} role="status" aria-live="polite">
          {live ? "● Live" : "○ Connecting…"}
        </span>
        {strict && signedIn() && (
          <span className="who">
            <span className="name" title={`Signed in as ${whoAmI() ?? ""}`}>
              Signed in as {whoAmI()}
            </span>{" "}
            <button
              className="signout"
              onClick={() => {
                setToken(undefined);
                setResources(undefined);
                setNeedSignIn(true);
              }}
            >
              Sign out
            </button>
          </span>
        )}
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!estate ? (
        <main className="loading">
          <div id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`}>
            {needSignIn ? "Sign in to see the network." : "Loading…"}
          </div>
        </main>
      ) : (
        <main className="main">
          <div id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`} className="tabpanel">
            {tab === "topology" && (
              <div className="split">
                <Topology
                  estate={estate}
                  selected={subnetId ?? serviceId}
                  onSubnet={ctx.openSubnet}
                  onService={ctx.openService}
                />
                {subnet && (
                  <SubnetPanel
                    key={subnet.id}
                    ctx={ctx}
                    estate={estate}
                    subnet={subnet}
                    onClose={() => setSubnetId(undefined)}
                  />
                )}
                {service && (
                  <Networking
                    key={service.id}
                    ctx={ctx}
                    estate={estate}
                    service={service}
                    onClose={() => setServiceId(undefined)}
                  />
                )}
              </div>
            )}
            {tab === "access" && <Access ctx={ctx} estate={estate} pick={accessPick} />}
            {tab === "matrix" && <Matrix ctx={ctx} estate={estate} />}
            {tab === "effective" && <Effective ctx={ctx} estate={estate} />}
            {tab === "log" && <RequestLog ctx={ctx} estate={estate} />}
            {tab === "deployments" && <Deployments ctx={ctx} estate={estate} />}
          </div>
        </main>
      )}
      {change && (
        <Preview
          change={change}
          estate={estate}
          onClose={() => setChange(undefined)}
          onApplied={() => {
            setChange(undefined);
            void load();
          }}
        />
      )}
      {needSignIn && (
        <SignIn
          tenantId={serverAuth().tenantId}
          onDone={() => {
            setError(undefined);
            setNeedSignIn(false);
          }}
        />
      )}
    </div>
  );
}
