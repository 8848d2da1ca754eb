import { useEffect, useState } from "react";
import { arm, NETWORK_API, withApi } from "../api.js";
import { nameOf, type Estate } from "../model.js";
import type { PortalContext } from "../App.js";

interface Route {
  source: string;
  state: string;
  addressPrefix: string[];
  nextHopType: string;
  nextHopIpAddress?: string[];
  name?: string;
}

interface Rule {
  name: string;
  protocol: string;
  direction: string;
  access: string;
  priority: number;
  sourceAddressPrefix?: string;
  sourceAddressPrefixes?: string[];
  destinationAddressPrefix?: string;
  destinationAddressPrefixes?: string[];
  destinationPortRange?: string;
  destinationPortRanges?: string[];
}

interface Group {
  networkSecurityGroup?: { id: string };
  association?: { subnet?: { id: string }; networkInterface?: { id: string } };
  effectiveSecurityRules: Rule[];
}

const join = (a?: string[], b?: string) => (a && a.length ? a.join(", ") : (b ?? ""));

/** Effective routes and effective security rules of a NIC (the ARM actions Azure's portal calls). */
export function Effective(props: { ctx: PortalContext; estate: Estate }) {
  const nics = props.estate.nics.filter((n) => n.vmId);
  const [nic, setNic] = useState(nics[0]?.id ?? "");
  const [routes, setRoutes] = useState<Route[] | undefined>();
  const [groups, setGroups] = useState<Group[] | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    if (!nic) return;
    let cancelled = false;
    setError(undefined);
    Promise.all([
      arm("POST", withApi(`${nic}/effectiveRouteTable`, NETWORK_API)),
      arm("POST", withApi(`${nic}/effectiveNetworkSecurityGroups`, NETWORK_API)),
    ])
      .then(([r, g]) => {
        if (cancelled) return;
        setRoutes((r?.value ?? []) as Route[]);
        setGroups((g?.value ?? []) as Group[]);
      })
      .catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
  }, [nic, props.ctx.version]);

  return (
    <section className="page" aria-label="Effective routes and rules">
      <h2>Effective routes and security rules</h2>
      <label>
        Network interface{" "}
        <select aria-label="Network interface" value={nic} onChange={(e) => setNic(e.target.value)}>
          {nics.map((n) => (
            <option key={n.id} value={n.id}>
              {n.name} ({n.vmName})
            </option>
          ))}
        </select>
      </label>
      {nics.length === 0 && <p className="muted">No network interface is attached to a VM.</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <h3>Effective routes</h3>
      <div className="scroll short">
        <table>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">State</th>
              <th scope="col">Address prefixes</th>
              <th scope="col">Next hop type</th>
              <th scope="col">Next hop IP</th>
            </tr>
          </thead>
          <tbody>
            {(routes ?? []).map((r, i) => (
              <tr key={i} className={r.state === "Invalid" ? "muted" : ""}>
                <td>{r.source}</td>
                <td>{r.state}</td>
                <td className="prefixes">
                  {r.addressPrefix.slice(0, 6).join(", ")}
                  {r.addressPrefix.length > 6 ? ` … (${r.addressPrefix.length} prefixes)` : ""}
                </td>
                <td>{r.nextHopType}</td>
                <td>{(r.nextHopIpAddress ?? []).join(", ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Effective security rules</h3>
      {(groups ?? []).map((g, i) => (
        <div key={i}>
          <h4>
            {g.networkSecurityGroup ? nameOf(g.networkSecurityGroup.id) : "NSG"} —{" "}
            {g.association?.subnet ? `subnet ${nameOf(g.association.subnet.id)}` : "network interface"}
          </h4>
          <div className="scroll short">
            <table>
              <thead>
                <tr>
                  <th scope="col">Priority</th>
                  <th scope="col">Name</th>
                  <th scope="col">Direction</th>
                  <th scope="col">Access</th>
                  <th scope="col">Protocol</th>
                  <th scope="col">Source</th>
                  <th scope="col">Destination</th>
                  <th scope="col">Ports</th>
                </tr>
              </thead>
              <tbody>
                {g.effectiveSecurityRules.map((r, j) => (
                  <tr key={j} className={r.access === "Deny" ? "deny" : ""}>
                    <td>{r.priority}</td>
                    <td>{r.name}</td>
                    <td>{r.direction}</td>
                    <td>{r.access}</td>
                    <td>{r.protocol}</td>
                    <td>{join(r.sourceAddressPrefixes, r.sourceAddressPrefix)}</td>
                    <td>{join(r.destinationAddressPrefixes, r.destinationAddressPrefix)}</td>
                    <td>{join(r.destinationPortRanges, r.destinationPortRange)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
      {groups && groups.length === 0 && (
        <p className="muted">No network security group applies to this NIC.</p>
      )}
    </section>
  );
}
