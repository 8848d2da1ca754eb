import { useEffect, useState } from "react";
import { arm, NETWORK_API, withApi } from "../api.js";
import { subnetWithEndpoints } from "../changes.js";
import { nameOf, subscriptionOf, subnetLabel, type Estate, type Res, type SubnetView } from "../model.js";
import type { PortalContext } from "../App.js";

const FALLBACK_SERVICES = [
  "Microsoft.Storage",
  "Microsoft.Sql",
  "Microsoft.AzureActiveDirectory",
  "Microsoft.AzureCosmosDB",
  "Microsoft.Web",
  "Microsoft.KeyVault",
  "Microsoft.EventHub",
  "Microsoft.ServiceBus",
  "Microsoft.ContainerRegistry",
  "Microsoft.CognitiveServices",
  "Microsoft.Storage.Global",
];

/** The subnet panel: the seed's "click on a subnet" — a checkbox per endpoint service, previewed before it is applied. */
export function SubnetPanel(props: {
  ctx: PortalContext;
  estate: Estate;
  subnet: SubnetView;
  onClose(): void;
}) {
  const { subnet, estate } = props;
  const vnet = estate.vnets.find((v) => v.id === subnet.vnetId);
  const [services, setServices] = useState<string[]>(FALLBACK_SERVICES);
  const [checked, setChecked] = useState<Set<string>>(() => new Set(subnet.endpoints.map((e) => e.service)));
  const [locations, setLocations] = useState<Record<string, string>>(() =>
    Object.fromEntries(subnet.endpoints.map((e) => [e.service, e.locations.join(", ")])),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    if (!vnet?.location) return;
    const path = `/subscriptions/${subscriptionOf(subnet.id)}/providers/Microsoft.Network/locations/${encodeURIComponent(vnet.location)}/virtualNetworkAvailableEndpointServices`;
    arm("GET", withApi(path, NETWORK_API))
      .then((r) => {
        const names = ((r?.value ?? []) as Array<{ name: string }>).map((x) => x.name);
        if (names.length) setServices(names);
      })
      .catch(() => undefined);
  }, [subnet.id, vnet?.location]);

  // When the subnet changes on the server (live), the checkboxes follow it.
  const current = subnet.endpoints.map((e) => `${e.service}:${e.locations.join(",")}`).join("|");
  useEffect(() => {
    setChecked(new Set(subnet.endpoints.map((e) => e.service)));
    setLocations(Object.fromEntries(subnet.endpoints.map((e) => [e.service, e.locations.join(", ")])));
  }, [current]);

  const all = [...new Set([...services, ...subnet.endpoints.map((e) => e.service)])];
  const changed =
    [...checked].sort().join("|") !==
      subnet.endpoints
        .map((e) => e.service)
        .sort()
        .join("|") || subnet.endpoints.some((e) => (locations[e.service] ?? "") !== e.locations.join(", "));

  const review = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const current = (await arm("GET", withApi(subnet.id, NETWORK_API))) as Res;
      const locs: Record<string, string[]> = {};
      for (const s of checked)
        locs[s] = (locations[s] ?? "")
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean);
      const body = subnetWithEndpoints(current, [...checked], locs);
      props.ctx.propose({
        title: `Service endpoints on subnet ${subnetLabel(subnet.id)}`,
        id: subnet.id,
        body,
      });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <aside className="panel" aria-label={`Subnet ${subnet.name}`}>
      <div className="panel-head">
        <h2>Subnet {subnetLabel(subnet.id)}</h2>
        <button onClick={props.onClose} aria-label="Close subnet panel">
          ✕
        </button>
      </div>
      <dl className="facts">
        <dt>Address prefix</dt>
        <dd>{subnet.prefix}</dd>
        <dt>Network security group</dt>
        <dd>{subnet.nsgId ? nameOf(subnet.nsgId) : "None"}</dd>
        <dt>Route table</dt>
        <dd>{subnet.routeTableId ? nameOf(subnet.routeTableId) : "None"}</dd>
        <dt>Endpoint policies</dt>
        <dd>{subnet.policyIds.length ? subnet.policyIds.map(nameOf).join(", ") : "None"}</dd>
        <dt>Network interfaces</dt>
        <dd>
          {subnet.nics.length
            ? subnet.nics.map((n) => `${n.vmName ?? n.name} (${n.privateAddress ?? "—"})`).join(", ")
            : "None"}
        </dd>
      </dl>
      <fieldset>
        <legend>Service endpoints</legend>
        {all.map((s) => {
          const on = checked.has(s);
          const id = `se-${s.replace(/\W/g, "-")}`;
          return (
            <div key={s} className="endpoint">
              <input
                type="checkbox"
                id={id}
                checked={on}
                onChange={(e) => {
                  const next = new Set(checked);
                  if (e.target.checked) next.add(s);
                  else next.delete(s);
                  setChecked(next);
                }}
              />
              <label htmlFor={id}>{s}</label>
              {on && (
                <input
                  type="text"
                  className="locations"
                  aria-label={`${s} locations`}
                  placeholder="locations (default: the VNet's region)"
                  value={locations[s] ?? ""}
                  onChange={(e) => setLocations({ ...locations, [s]: e.target.value })}
                />
              )}
            </div>
          );
        })}
      </fieldset>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button className="primary" disabled={!changed || busy} onClick={() => void review()}>
        Review changes…
      </button>
      <p className="muted small">
        The change is previewed first (what-if), then written as one ARM PUT of the whole subnet that keeps
        every other property.
      </p>
    </aside>
  );
}
