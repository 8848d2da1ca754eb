import { useState } from "react";
import { apiVersionOf, arm, NETWORK_API, withApi } from "../api.js";
import {
  editableNetworking,
  networkingOf,
  subnetWithEndpoints,
  validIpRange,
  withNetworking,
  type NetworkingEdit,
  type NetworkMode,
} from "../changes.js";
import {
  key,
  nameOf,
  resourceGroupOf,
  subnetLabel,
  vnetOfSubnet,
  type Estate,
  type Res,
  type ServiceView,
} from "../model.js";
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

  /** Azure's "Enable" next to the missing-endpoint warning: the subnet's endpoint, previewed first. */
  const enableEndpoint = async (subnetId: string) => {
    setError(undefined);
    try {
      const subnet = (await arm("GET", withApi(subnetId, NETWORK_API))) as Res;
      const have = (estate.subnets.get(key(subnetId))?.endpoints ?? []).map((e) => e.service);
      props.ctx.propose({
        title: `Enable ${service.service} on ${subnetLabel(subnetId)}`,
        id: subnetId,
        body: subnetWithEndpoints(subnet, [...have, service.service]),
      });
    } catch (e) {
      setError((e as Error).message);
    }
  };

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
                <table className="vnet-rules">
                  <thead>
                    <tr>
                      <th scope="col">Virtual network</th>
                      <th scope="col">Subnet</th>
                      <th scope="col">Address range</th>
                      <th scope="col">Endpoint status</th>
                      <th scope="col">Resource group</th>
                      <th scope="col">
                        <span className="visually-hidden">Remove</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {edit.subnetIds.map((id) => {
                      const s = estate.subnets.get(key(id));
                      const stale = staleReason(id);
                      return (
                        <tr key={id} className={lacks(id) || stale ? "stale" : ""}>
                          <td>{nameOf(vnetOfSubnet(id))}</td>
                          <td>{nameOf(id)}</td>
                          <td>{s?.prefix ?? "—"}</td>
                          <td>
                            {!s ? (
                              <span className="warn">Subnet not found</span>
                            ) : lacks(id) ? (
                              <span className="warn">Not enabled</span>
                            ) : stale ? (
                              <span className="warn" title={stale}>
                                Enabled — rule stale: {stale}
                              </span>
                            ) : (
                              "Enabled"
                            )}
                          </td>
                          <td>{resourceGroupOf(id)}</td>
                          <td>
                            <button
                              aria-label={`Remove ${subnetLabel(id)}`}
                              onClick={() =>
                                setEdit({ ...edit, subnetIds: edit.subnetIds.filter((x) => x !== id) })
                              }
                            >
                              Remove
                            </button>
                          </td>
                        </tr>
                      );
                    })}
                    {edit.subnetIds.length === 0 && (
                      <tr>
                        <td colSpan={6} className="muted">
                          No virtual networks.
                        </td>
                      </tr>
                    )}
                  </tbody>
                </table>
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
                    The following networks don&apos;t have service endpoints enabled for &apos;
                    {service.service}&apos;: {subnetLabel(pickedSubnet.id)}. Its traffic will not match this
                    rule until the endpoint is on.{" "}
                    <button onClick={() => void enableEndpoint(pickedSubnet.id)}>Enable</button>{" "}
                    <button onClick={() => props.ctx.openSubnet(pickedSubnet.id)}>Open the subnet</button>
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
