/**
 * The text forms of a flow's ends, shared by `lazurite check` and `/_emulator/check` so that
 * both accept exactly the same SOURCE and DEST:
 *
 * - SOURCE: a NIC or VM resource id (or a NIC IP configuration id); `onprem:<IP>@<circuit-or-local-gateway-id>`;
 *   `internet:<IP>`.
 * - DEST: a service resource id (optionally `#blob`, `#dfs`, … for one endpoint), a host name, or an IP address.
 *
 * Parsers report problems through `fail(message)`, so the CLI can raise its InputError and the
 * HTTP API ARM's `InvalidFlow`.
 */
import type { FlowDestination, FlowSource, Protocol } from "../../engine/types.js";
import { tryParseAddress } from "../../model/ip.js";
import { fullType, tryParseResourceId } from "../../model/resource-id.js";

export type Fail = (message: string) => never;

export function parseSourceText(text: string, fail: Fail, label = "--from"): FlowSource {
  if (text.toLowerCase().startsWith("onprem:")) {
    const rest = text.slice("onprem:".length);
    const at = rest.indexOf("@");
    if (at < 0) fail(`${label} ${text}: expected onprem:<IP>@<circuit-or-local-gateway-id>`);
    const address = rest.slice(0, at);
    const via = rest.slice(at + 1);
    if (!tryParseAddress(address)) fail(`${label} ${text}: '${address}' is not an IP address`);
    if (!tryParseResourceId(via)) fail(`${label} ${text}: '${via}' is not a resource id`);
    return { kind: "onprem", address, via };
  }
  if (text.toLowerCase().startsWith("internet:")) {
    const address = text.slice("internet:".length);
    if (!tryParseAddress(address)) fail(`${label} ${text}: '${address}' is not an IP address`);
    return { kind: "internet", address };
  }
  const id = tryParseResourceId(text);
  if (!id)
    return fail(`${label} ${text}: expected a NIC or VM resource id, onprem:<IP>@<id> or internet:<IP>`);
  const type = fullType(id).toLowerCase();
  if (type === "microsoft.compute/virtualmachines") return { kind: "vm", vmId: text };
  if (type === "microsoft.network/networkinterfaces") return { kind: "nic", nicId: text };
  if (type === "microsoft.network/networkinterfaces/ipconfigurations") {
    return {
      kind: "nic",
      nicId: text.slice(0, text.toLowerCase().lastIndexOf("/ipconfigurations/")),
      ipConfiguration: id.names[id.names.length - 1]!,
    };
  }
  return fail(
    `${label} ${text}: a source must be a network interface or a virtual machine (got ${fullType(id)})`,
  );
}

const HOST = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;

export function parseDestinationText(text: string, fail: Fail, label = "--to"): FlowDestination {
  if (text.startsWith("/")) {
    const hash = text.indexOf("#");
    const idText = hash < 0 ? text : text.slice(0, hash);
    if (!tryParseResourceId(idText)) fail(`${label} ${text}: not a resource id`);
    return hash < 0
      ? { kind: "resource", resourceId: idText }
      : { kind: "resource", resourceId: idText, endpoint: text.slice(hash + 1) };
  }
  if (tryParseAddress(text)) return { kind: "ip", address: text };
  if (HOST.test(text)) return { kind: "host", host: text };
  return fail(`${label} ${text}: expected a resource id, a host name or an IP address`);
}

export function parsePortText(
  text: string | number | undefined,
  fail: Fail,
  label = "--port",
): number | undefined {
  if (text === undefined || text === null || text === "") return undefined;
  const s = String(text);
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 65535) fail(`${label} ${s}: expected 1-65535`);
  return Number(s);
}

export function parseProtocolText(
  text: string | undefined,
  fail: Fail,
  label = "--protocol",
): Protocol | undefined {
  if (text === undefined || text === null || text === "") return undefined;
  const t = String(text).toLowerCase();
  if (t === "tcp") return "Tcp";
  if (t === "udp") return "Udp";
  return fail(`${label} ${text}: expected Tcp or Udp`);
}
