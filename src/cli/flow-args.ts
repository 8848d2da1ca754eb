/** Parses the CLI's SOURCE and DEST forms into an engine Flow. */
import type { FlowDestination, FlowSource, Protocol } from "../engine/types.js";
import { tryParseResourceId, fullType } from "../model/resource-id.js";
import { tryParseAddress } from "../model/ip.js";
import { InputError } from "./load.js";

/**
 * SOURCE: a NIC or VM resource id; `onprem:<IP>@<circuit-or-local-gateway-id>`; or `internet:<IP>`.
 */
export function parseSource(text: string): FlowSource {
  if (text.toLowerCase().startsWith("onprem:")) {
    const rest = text.slice("onprem:".length);
    const at = rest.indexOf("@");
    if (at < 0) throw new InputError(`--from ${text}: expected onprem:<IP>@<circuit-or-local-gateway-id>`);
    const address = rest.slice(0, at);
    const via = rest.slice(at + 1);
    if (!tryParseAddress(address)) throw new InputError(`--from ${text}: '${address}' is not an IP address`);
    if (!tryParseResourceId(via)) throw new InputError(`--from ${text}: '${via}' is not a resource id`);
    return { kind: "onprem", address, via };
  }
  if (text.toLowerCase().startsWith("internet:")) {
    const address = text.slice("internet:".length);
    if (!tryParseAddress(address)) throw new InputError(`--from ${text}: '${address}' is not an IP address`);
    return { kind: "internet", address };
  }
  const id = tryParseResourceId(text);
  if (!id) throw new InputError(`--from ${text}: expected a NIC or VM resource id, onprem:<IP>@<id> or internet:<IP>`);
  const type = fullType(id).toLowerCase();
  if (type === "microsoft.compute/virtualmachines") return { kind: "vm", vmId: text };
  if (type === "microsoft.network/networkinterfaces") return { kind: "nic", nicId: text };
  if (type === "microsoft.network/networkinterfaces/ipconfigurations") {
    return { kind: "nic", nicId: text.slice(0, text.toLowerCase().lastIndexOf("/ipconfigurations/")), ipConfiguration: id.names[id.names.length - 1]! };
  }
  throw new InputError(`--from ${text}: a source must be a network interface or a virtual machine (got ${fullType(id)})`);
}

/** DEST: a service resource id (optionally `#blob`, `#dfs`, …), a host name, or an IP. */
export function parseDestination(text: string): FlowDestination {
  if (text.startsWith("/")) {
    const hash = text.indexOf("#");
    const idText = hash < 0 ? text : text.slice(0, hash);
    if (!tryParseResourceId(idText)) throw new InputError(`--to ${text}: not a resource id`);
    return hash < 0 ? { kind: "resource", resourceId: idText } : { kind: "resource", resourceId: idText, endpoint: text.slice(hash + 1) };
  }
  if (tryParseAddress(text)) return { kind: "ip", address: text };
  if (/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(text)) return { kind: "host", host: text };
  throw new InputError(`--to ${text}: expected a resource id, a host name or an IP address`);
}

export function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw new InputError(`--port ${text}: expected 1-65535`);
  return Number(text);
}

export function parseProtocol(text: string | undefined): Protocol | undefined {
  if (text === undefined) return undefined;
  const t = text.toLowerCase();
  if (t === "tcp") return "Tcp";
  if (t === "udp") return "Udp";
  throw new InputError(`--protocol ${text}: expected Tcp or Udp`);
}
