import {
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type PointerEvent,
  type WheelEvent,
} from "react";
import { layoutEstate, MAX_NICS_SHOWN, NIC_ROW, type Box } from "../layout.js";
import { key, nameOf, searchText, subnetLabel, type Estate } from "../model.js";

interface View {
  x: number;
  y: number;
  k: number;
}

const short = (service: string) => service.replace(/^Microsoft\./, "");

/** A VNet rule's line: out of the service resource's left side, into the subnet's top edge. */
function ruleLine(a: { x: number; y: number }, b: { x: number; y: number }): string {
  const dx = Math.max(40, Math.abs(b.x - a.x) / 2);
  return `M${a.x},${a.y} C${a.x - dx},${a.y} ${b.x},${b.y - 50} ${b.x},${b.y}`;
}

export function Topology(props: {
  estate: Estate;
  selected?: string;
  onSubnet(id: string): void;
  onService(id: string): void;
}) {
  const { estate } = props;
  const layout = useMemo(() => layoutEstate(estate), [estate]);
  const texts = useMemo(() => searchText(estate), [estate]);
  const [view, setView] = useState<View>({ x: 0, y: 0, k: 1 });
  const [query, setQuery] = useState("");
  const svgRef = useRef<SVGSVGElement>(null);
  const drag = useRef<{ x: number; y: number; vx: number; vy: number } | undefined>(undefined);

  const q = query.trim().toLowerCase();
  const matches = useMemo(
    () => (q ? [...texts].filter(([, t]) => t.includes(q)).map(([k]) => k) : []),
    [q, texts],
  );
  const matchSet = new Set(matches);

  const centerOn = (b: Box) => {
    const el = svgRef.current;
    const w = el?.clientWidth ?? 1000;
    const h = el?.clientHeight ?? 700;
    const k = Math.max(view.k, 1);
    setView({ k, x: w / 2 - (b.x + b.w / 2) * k, y: h / 2 - (b.y + b.h / 2) * k });
  };

  const fit = () => {
    const el = svgRef.current;
    const w = el?.clientWidth ?? 1000;
    const h = el?.clientHeight ?? 700;
    const k = Math.min(1, w / layout.width, h / layout.height);
    setView({ k, x: 0, y: 0 });
  };

  // A wide estate opens scaled to the window's width (subnets and service resources both in
  // view); a tall one is panned or searched at that scale.
  const fitted = useRef(false);
  useEffect(() => {
    const w = svgRef.current?.clientWidth ?? 0;
    if (!fitted.current && w > 0 && layout.width > w) {
      fitted.current = true;
      setView({ k: Math.max(0.4, w / layout.width), x: 0, y: 0 });
    }
  });

  const zoom = (factor: number, cx?: number, cy?: number) => {
    setView((v) => {
      const k = Math.min(4, Math.max(0.1, v.k * factor));
      const px = cx ?? (svgRef.current?.clientWidth ?? 1000) / 2;
      const py = cy ?? (svgRef.current?.clientHeight ?? 700) / 2;
      return { k, x: px - ((px - v.x) * k) / v.k, y: py - ((py - v.y) * k) / v.k };
    });
  };

  const onWheel = (e: WheelEvent<SVGSVGElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    zoom(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - r.left, e.clientY - r.top);
  };
  const onPointerDown = (e: PointerEvent<SVGSVGElement>) => {
    if ((e.target as Element).closest("[data-node]")) return;
    drag.current = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    if (d) setView((v) => ({ ...v, x: d.vx + e.clientX - d.x, y: d.vy + e.clientY - d.y }));
  };
  const onKey = (e: KeyboardEvent<SVGSVGElement>) => {
    const step = 60;
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [step, 0],
      ArrowRight: [-step, 0],
      ArrowUp: [0, step],
      ArrowDown: [0, -step],
    };
    if (e.target !== e.currentTarget) return;
    if (moves[e.key]) {
      const [dx, dy] = moves[e.key]!;
      setView((v) => ({ ...v, x: v.x + dx, y: v.y + dy }));
      e.preventDefault();
    } else if (e.key === "+" || e.key === "=") zoom(1.2);
    else if (e.key === "-") zoom(1 / 1.2);
    else if (e.key === "0") fit();
  };

  const activate = (f: () => void) => ({
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        f();
      }
    },
  });

  const box = (id: string) => layout.boxes.get(key(id));
  const dim = (id: string) => (q && !matchSet.has(key(id)) ? " dim" : q ? " hit" : "");

  // Peerings, each pair once.
  const peerLines: Array<{ a: Box; b: Box; label: string; state: string }> = [];
  const seen = new Set<string>();
  for (const v of estate.vnets)
    for (const p of v.peerings) {
      const pair = [key(v.id), key(p.remoteId)].sort().join("|");
      const a = box(v.id);
      const b = box(p.remoteId);
      if (seen.has(pair) || !a || !b) continue;
      seen.add(pair);
      peerLines.push({ a, b, label: p.name, state: p.state });
    }

  return (
    <section className="topology" aria-label="Topology">
      <div className="toolbar">
        <label>
          Search{" "}
          <input
            aria-label="Search"
            type="search"
            value={query}
            placeholder="name, prefix, address…"
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && matches[0]) {
                const b = layout.boxes.get(matches[0]);
                if (b) centerOn(b);
              }
            }}
          />
        </label>
        <span aria-live="polite" className="muted">
          {q ? `${matches.length} match${matches.length === 1 ? "" : "es"}` : ""}
        </span>
        <button onClick={() => zoom(1.25)} aria-label="Zoom in">
          +
        </button>
        <button onClick={() => zoom(0.8)} aria-label="Zoom out">
          −
        </button>
        <button onClick={fit}>Fit</button>
        <button onClick={() => setView({ x: 0, y: 0, k: 1 })}>100%</button>
        <span className="muted legend">
          <span className="swatch ok" /> VNet rule <span className="swatch stale" /> stale VNet rule (subnet
          lacks the endpoint) · {estate.subnets.size} subnets
        </span>
      </div>
      <svg
        ref={svgRef}
        className="canvas"
        role="group"
        aria-label="Network topology: arrow keys pan, plus and minus zoom, 0 fits"
        tabIndex={0}
        onWheel={onWheel}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={() => (drag.current = undefined)}
        onKeyDown={onKey}
      >
        <g transform={`translate(${view.x},${view.y}) scale(${view.k})`}>
          {layout.headings.map((h, i) => (
            <text key={i} x={h.x} y={h.y} className={`heading h${h.level}`}>
              {h.text}
            </text>
          ))}
          {peerLines.map((p, i) => {
            const ay = p.a.y + 20;
            const by = p.b.y + 20;
            return (
              <g key={i} className={`peering ${p.state.toLowerCase()}`}>
                <path d={`M${p.a.x},${ay} C${p.a.x - 70},${ay} ${p.b.x - 70},${by} ${p.b.x},${by}`} />
                <text x={p.a.x - 60} y={(ay + by) / 2}>
                  ⇄ {p.label}
                </text>
              </g>
            );
          })}
          {estate.vnets.map((v) => {
            const b = box(v.id);
            if (!b) return null;
            return (
              <g key={v.id} className={`vnet${dim(v.id)}`} aria-label={`Virtual network ${v.name}`}>
                <rect x={b.x} y={b.y} width={b.w} height={b.h} rx={8} />
                <text x={b.x + 14} y={b.y + 24} className="title">
                  {v.name}
                </text>
                <text x={b.x + 14} y={b.y + 42} className="sub">
                  {v.addressSpace.join(", ")} · {v.location}
                  {v.peerings.length ? ` · ${v.peerings.length} peering(s)` : ""}
                </text>
              </g>
            );
          })}
          {estate.services.flatMap((svc) => {
            const sb = box(svc.id);
            if (!sb) return [];
            return svc.vnetRules.map((r, i) => {
              const tb = box(r.subnetId);
              if (!tb) return null;
              return (
                <path
                  key={`${svc.id}-${i}`}
                  className={r.stale ? "rule stale" : "rule"}
                  d={ruleLine({ x: sb.x, y: sb.y + sb.h / 2 }, { x: tb.x + tb.w / 2, y: tb.y })}
                >
                  <title>
                    {`${svc.name} ${r.where} → ${subnetLabel(r.subnetId)}${r.stale ? ` (stale: ${r.reason})` : ""}`}
                  </title>
                </path>
              );
            });
          })}
          {[...estate.subnets.values()].map((s) => {
            const b = box(s.id);
            if (!b) return null;
            const sel = props.selected && key(props.selected) === s.key;
            return (
              <g
                key={s.id}
                data-node
                className={`subnet${sel ? " selected" : ""}${dim(s.id)}`}
                onClick={() => props.onSubnet(s.id)}
              >
                <g
                  role="button"
                  tabIndex={0}
                  aria-label={`Subnet ${subnetLabel(s.id)} ${s.prefix}${s.nics.length ? `, ${s.nics.length} NIC(s) (${s.nics.map((n) => `${n.vmName ?? n.name} ${n.privateAddress ?? ""}`.trim()).join(", ")})` : ""}${s.endpoints.length ? `, endpoints ${s.endpoints.map((e) => e.service).join(", ")}` : ""}`}
                  {...activate(() => props.onSubnet(s.id))}
                >
                  <rect className="box" x={b.x} y={b.y} width={b.w} height={b.h} rx={6} />
                  <text x={b.x + 10} y={b.y + 18} className="title">
                    {s.name}
                  </text>
                </g>
                <g>
                  <text x={b.x + 10} y={b.y + 34} className="sub">
                    {s.prefix}
                    {s.nsgId ? ` · NSG ${nameOf(s.nsgId)}` : ""}
                    {s.routeTableId ? ` · RT ${nameOf(s.routeTableId)}` : ""}
                  </text>
                  {s.policyIds.length > 0 && (
                    <text x={b.x + 10} y={b.y + 48} className="sub">
                      policy {s.policyIds.map(nameOf).join(", ")}
                    </text>
                  )}
                  {s.endpoints.map((e, i) => (
                    <g key={e.service} className="badge">
                      <rect x={b.x + 10 + i * 72} y={b.y + 54} width={68} height={16} rx={8} />
                      <text x={b.x + 44 + i * 72} y={b.y + 66} textAnchor="middle">
                        {short(e.service).slice(0, 11)}
                      </text>
                    </g>
                  ))}
                  {s.nics.slice(0, MAX_NICS_SHOWN).map((n, i) => (
                    <g key={n.id} className={`nic${dim(n.id)}`}>
                      <rect
                        x={b.x + 8}
                        y={b.y + 76 + i * NIC_ROW}
                        width={b.w - 16}
                        height={NIC_ROW - 4}
                        rx={4}
                      />
                      <text x={b.x + 14} y={b.y + 88 + i * NIC_ROW}>
                        {n.vmName ? `VM ${n.vmName}` : `NIC ${n.name}`}
                      </text>
                      <text x={b.x + 14} y={b.y + 99 + i * NIC_ROW} className="sub">
                        {n.privateAddress ?? "—"}
                        {n.publicAddress ? ` · public ${n.publicAddress}` : ""}
                      </text>
                    </g>
                  ))}
                  {s.nics.length > MAX_NICS_SHOWN && (
                    <text x={b.x + 14} y={b.y + 88 + MAX_NICS_SHOWN * NIC_ROW} className="sub">
                      + {s.nics.length - MAX_NICS_SHOWN} more NICs
                    </text>
                  )}
                  {s.gateways.length > 0 && (
                    <text x={b.x + 10} y={b.y + b.h - 6} className="sub">
                      gateway {s.gateways.join(", ")}
                    </text>
                  )}
                </g>
              </g>
            );
          })}
          {estate.services.map((svc) => {
            const b = box(svc.id);
            if (!b) return null;
            const sel = props.selected && key(props.selected) === key(svc.id);
            const stale = svc.vnetRules.filter((r) => r.stale).length;
            return (
              <g
                key={svc.id}
                data-node
                className={`service${sel ? " selected" : ""}${dim(svc.id)}`}
                onClick={() => props.onService(svc.id)}
              >
                <g
                  role="button"
                  tabIndex={0}
                  aria-label={`${svc.type.split("/")[1]} ${svc.name}: ${svc.access}, ${svc.vnetRules.length} VNet rule(s)${stale ? `, ${stale} stale` : ""}`}
                  {...activate(() => props.onService(svc.id))}
                >
                  <rect className="box" x={b.x} y={b.y} width={b.w} height={b.h} rx={6} />
                  <text x={b.x + 10} y={b.y + 20} className="title">
                    {svc.name}
                  </text>
                </g>
                <g>
                  <text x={b.x + 10} y={b.y + 36} className="sub">
                    {svc.type}
                  </text>
                  <text x={b.x + 10} y={b.y + 52} className="sub">
                    {svc.access} · {svc.vnetRules.length} VNet rule(s)
                    {stale ? ` · ${stale} stale` : ""}
                  </text>
                  <text x={b.x + 10} y={b.y + 66} className="sub">
                    {svc.ipRules.length ? `IP rules ${svc.ipRules.slice(0, 3).join(", ")}` : "no IP rules"}
                  </text>
                </g>
              </g>
            );
          })}
          {estate.onprem
            .filter((o) => o.kind !== "vnetGateway")
            .map((o) => {
              const b = box(o.id);
              if (!b) return null;
              return (
                <g key={o.id} className={`onprem${dim(o.id)}`} aria-label={`On-premises ${o.name}`}>
                  {o.links.map((l, i) => {
                    const t = box(l);
                    return t ? (
                      <path
                        key={i}
                        className="link"
                        d={`M${b.x + b.w},${b.y + b.h / 2} C${t.x - 80},${b.y + b.h / 2} ${t.x - 80},${t.y + 20} ${t.x},${t.y + 20}`}
                      />
                    ) : null;
                  })}
                  <rect x={b.x} y={b.y} width={b.w} height={b.h} rx={6} />
                  <text x={b.x + 10} y={b.y + 20} className="title">
                    {o.name}
                  </text>
                  <text x={b.x + 10} y={b.y + 38} className="sub">
                    {o.kind === "circuit" ? "ExpressRoute circuit" : "Local network gateway"}
                  </text>
                  <text x={b.x + 10} y={b.y + 52} className="sub">
                    {o.detail.slice(0, 34)}
                  </text>
                </g>
              );
            })}
        </g>
      </svg>
    </section>
  );
}
