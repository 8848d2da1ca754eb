import { useState } from "react";
import { apiVersionOf, arm, withApi } from "../api.js";
import {
  editableNetworking,
  networkingOf,
  validIpRange,
  withNetworking,
  type NetworkingEdit,
  type NetworkMode,
} from "../changes.js";
import { key, subnetLabel, type Estate, type Res, type ServiceView } from "../model.js";
import type { PortalContext } from "../App.js";

const MODES: Array<{ id: NetworkMode; label: string }> = [
  { id: "all", label: "Enabled from all networks" },
  { id: "selected", label: "Enabled from selected virtual networks and IP addresses" },
  { id: "disabled", label: "Disabled" },
];

/** A service resource's Networking page, shaped like Azure's firewall and virtual networks blade. */
export function Networking(props: {
  ctx: PortalContext;
  estate: Estate;
  service: ServiceView;
  onClose(): void;
}) {
  const { service, estate } = props;
  const resource = props.ctx.resources.find((r) => key(r.id) === key(service.id)) as Res | undefined;
  const editable = editableNetworking(service.type);
  const [edit, setEdit] = useState<NetworkingEdit>(() =>
    resource ? networkingOf(resource) : { mode: "all", subnetIds: [], ipRanges: [], bypass: [] },
  );
  const [vnetPick, setVnetPick] = useState<string>(estate.vnets[0]?.id ?? "");
  const [subnetPick, setSubnetPick] = useState<string>("");
  const [ipText, setIpText] = useState("");
  const [error, setError] = useState<string | undefined>();
  const storage = service.type.toLowerCase() === "microsoft.storage/storageaccounts";

  const vnet = estate.vnets.find((v) => v.id === vnetPick);
  const pickedSubnet = vnet?.subnets.find((s) => s.id === subnetPick);
  const staleReason = (subnetId: string) =>
    service.vnetRules.find((r) => key(r.subnetId) === key(subnetId) && r.stale)?.reason;
  const lacks = (subnetId: string) => {
    const s = estate.subnets.get(key(subnetId));
    return !s?.endpoints.some((e) => e.service.toLowerCase() === service.service.toLowerCase());
  };

  const addSubnet = () => {
    if (!pickedSubnet || edit.subnetIds.some((x) => key(x) === key(pickedSubnet.id))) return;
    setEdit({ ...edit, subnetIds: [...edit.subnetIds, pickedSubnet.id] });
  };
  const addIp = () => {
    const v = ipText.trim();
    if (!validIpRange(v)) {
      setError(`'${v}' is not an IPv4 address or CIDR range.`);
      return;
    }
    setError(undefined);
    setEdit({ ...edit, ipRanges: [...edit.ipRanges, v] });
    setIpText("");
  };
  const toggleBypass = (b: string, on: boolean) =>
    setEdit({ ...edit, bypass: on ? [...edit.bypass, b] : edit.bypass.filter((x) => x !== b) });

  const review = async () => {
    setError(undefined);
    try {
      const current = (await arm("GET", withApi(service.id, apiVersionOf(service.id)))) as Res;
      props.ctx.propose({
        title: `Networking of ${service.name}`,
        id: service.id,
        body: withNetworking(current, edit),
      });
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <aside className="panel wide" aria-label={`Networking of ${service.name}`}>
      <div className="panel-head">
        <h2>{service.name} — Networking</h2>
        <button onClick={props.onClose} aria-label="Close networking page">
          ✕
        </button>
      </div>
      <p className="muted small">
        {service.type} · {service.location} · traffic over the {service.service} endpoint
      </p>
      {!editable && (
        <>
          <p>Public network access: {service.access}</p>
          <h3>Virtual network rules</h3>
          <RuleList service={service} />
          <p className="muted small">
            This resource type's rules are shown read-only here; change them with its API.
          </p>
        </>
      )}
      {editable && (
        <>
          <fieldset>
            <legend>Public network access</legend>
            {MODES.map((m) => (
              <div key={m.id}>
                <input
                  type="radio"
                  name="mode"
                  id={`mode-${m.id}`}
                  checked={edit.mode === m.id}
                  onChange={() => setEdit({ ...edit, mode: m.id })}
                />
                <label htmlFor={`mode-${m.id}`}>{m.label}</label>
              </div>
            ))}
          </fieldset>
          {edit.mode === "selected" && (
            <>
              <fieldset>
                <legend>Virtual networks</legend>
                <ul className="rules">
                  {edit.subnetIds.map((id) => (
                    <li key={id} className={lacks(id) || staleReason(id) ? "stale" : ""}>
                      <span>{subnetLabel(id)}</span>
                      {lacks(id) ? (
                        <span className="warn">
                          {" "}
                          — the {service.service} endpoint is not enabled on this subnet
                        </span>
                      ) : staleReason(id) ? (
                        <span className="warn"> — stale: {staleReason(id)}</span>
                      ) : null}
                      <button
                        aria-label={`Remove ${subnetLabel(id)}`}
                        onClick={() =>
                          setEdit({ ...edit, subnetIds: edit.subnetIds.filter((x) => x !== id) })
                        }
                      >
                        Remove
                      </button>
                    </li>
                  ))}
                  {edit.subnetIds.length === 0 && <li className="muted">No virtual networks.</li>}
                </ul>
                <div className="row">
                  <label>
                    Virtual network{" "}
                    <select
                      aria-label="Virtual network"
                      value={vnetPick}
                      onChange={(e) => {
                        setVnetPick(e.target.value);
                        setSubnetPick("");
                      }}
                    >
                      {estate.vnets.map((v) => (
                        <option key={v.id} value={v.id}>
                          {v.name} ({v.resourceGroup})
                        </option>
                      ))}
                    </select>
                  </label>
                  <label>
                    Subnet{" "}
                    <select
                      aria-label="Subnet"
                      value={subnetPick}
                      onChange={(e) => setSubnetPick(e.target.value)}
                    >
                      <option value="">Select a subnet</option>
                      {vnet?.subnets.map((s) => (
                        <option key={s.id} value={s.id}>
                          {s.name} ({s.prefix})
                        </option>
                      ))}
                    </select>
                  </label>
                  <button onClick={addSubnet} disabled={!pickedSubnet}>
                    Add existing virtual network
                  </button>
                </div>
                {pickedSubnet && lacks(pickedSubnet.id) && (
                  <p className="warn" role="status">
                    The following subnet doesn't have the service endpoint {service.service} enabled:{" "}
                    {subnetLabel(pickedSubnet.id)}. Its traffic will not match this rule until the endpoint is
                    on. <button onClick={() => props.ctx.openSubnet(pickedSubnet.id)}>Open the subnet</button>
                  </p>
                )}
              </fieldset>
              <fieldset>
                <legend>Firewall: IP address ranges</legend>
                <ul className="rules">
                  {edit.ipRanges.map((ip) => (
                    <li key={ip}>
                      <span>{ip}</span>
                      <button
                        aria-label={`Remove ${ip}`}
                        onClick={() => setEdit({ ...edit, ipRanges: edit.ipRanges.filter((x) => x !== ip) })}
                      >
                        Remove
                      </button>
                    </li>
                  ))}
                </ul>
                <div className="row">
                  <label>
                    Address range{" "}
                    <input
                      aria-label="Address range"
                      type="text"
                      value={ipText}
                      placeholder="IP address or CIDR"
                      onChange={(e) => setIpText(e.target.value)}
                      onKeyDown={(e) => e.key === "Enter" && addIp()}
                    />
                  </label>
                  <button onClick={addIp}>Add range</button>
                </div>
              </fieldset>
              <fieldset>
                <legend>Exceptions</legend>
                {(storage
                  ? [
                      [
                        "AzureServices",
                        "Allow Azure services on the trusted services list to access this account",
                      ],
                      ["Logging", "Allow read access to storage logging from any network"],
                      ["Metrics", "Allow read access to storage metrics from any network"],
                    ]
                  : [["AzureServices", "Allow trusted Microsoft services to bypass this firewall"]]
                ).map(([b, label]) => (
                  <div key={b}>
                    <input
                      type="checkbox"
                      id={`bypass-${b}`}
                      checked={edit.bypass.includes(b!)}
                      onChange={(e) => toggleBypass(b!, e.target.checked)}
                    />
                    <label htmlFor={`bypass-${b}`}>{label}</label>
                  </div>
                ))}
              </fieldset>
            </>
          )}
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <div className="actions">
            <button className="primary" onClick={() => void review()}>
              Save…
            </button>
            <button onClick={() => resource && setEdit(networkingOf(resource))}>Discard</button>
          </div>
        </>
      )}
    </aside>
  );
}

function RuleList({ service }: { service: ServiceView }) {
  return (
    <ul className="rules">
      {service.vnetRules.map((r, i) => (
        <li key={i} className={r.stale ? "stale" : ""}>
          {subnetLabel(r.subnetId)} <span className="muted">({r.where})</span>
          {r.stale && <span className="warn"> — stale: {r.reason}</span>}
        </li>
      ))}
      {service.vnetRules.length === 0 && <li className="muted">No virtual network rules.</li>}
    </ul>
  );
}
